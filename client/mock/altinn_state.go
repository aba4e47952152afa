package mock

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The mock Altinn's state and its indexes. Every lookup a request or a
// seed entry makes is by key (an org by party id or UUID, a person by pid, a
// role by holder and organisation, a system by client id, a system user or a
// request by system, party and externalRef), so that answering costs the
// same in a world of ten system users and of a hundred thousand. Every write
// goes through the put and add methods below, which keep the indexes in step.
//
// A reset of the world copies the seeded state (clone), sharing its
// organisations, systems and system users: so a system or a system user is
// never changed in place once seeded, but replaced by a changed copy
// (replaceSystem, updateClients), and an index list is never changed in
// place but appended to, or rebuilt.

// altinnState is what a mock Altinn knows. It is embedded in Altinn, so its
// fields read as a.orgs, a.systemUsers, ...; callers hold a.mu.
type altinnState struct {
	orgs        map[string]Org // by org number
	persons     []Person       // in seed order: the confirm page lists them so
	roles       []Role
	resources   map[string]*altinnResource
	systems     map[string]*altinnSystem
	requests    map[string]*altinnRequest
	systemUsers map[string]*altinnSystemUser

	orgByParty     map[int]string                        // party id → org number
	orgByUUID      map[string]string                     // lower-case party UUID → org number
	personAt       map[string]int                        // pid → index in persons
	roleSet        map[altinnRoleKey]bool                // every (holder, org, code)
	rolesTo        map[string][]int                      // org → indexes in roles of the roles held for it
	rolesFrom      map[string][]int                      // holder → indexes in roles of its roles
	systemByClient map[string]*altinnSystem              // lower-case client id → the live system listing it
	userByTriple   map[altinnTriple]*altinnSystemUser    // the live system user of (system, owner, externalRef)
	usersByParty   map[string][]*altinnSystemUser        // owner → its system users, in the order made
	usersBySys     map[string][]*altinnSystemUser        // system → its system users, deleted ones too, by seq
	requestsByKey  map[altinnRequestKey][]*altinnRequest // kind and triple → the requests, deleted ones too
	requestsBySys  map[string][]*altinnRequest           // system → its requests, deleted ones too

	// nextSeq numbers the system users as they are stored (Altinn's
	// sequence_no, by which the vendor's list pages); pageSize is the
	// seed's page size of the paginated lists (altinn_paging.go).
	nextSeq  int64
	pageSize int

	// The change requests (altinn_changerequests.go), copied with the
	// requests by clone, and the systems' change logs
	// (altinn_changelog.go), by system id, shared until own.
	changeRequests map[string]*altinnChangeRequest
	changesBySys   map[string][]*altinnChangeRequest
	changeLog      map[string][]altinnChangeLogEntry

	// shared says that the maps above, but the requests' and the
	// resources', are still the seeded world's (clone): own copies them
	// before the first write.
	shared bool
}

// altinnTriple is what identifies a system user and its requests: the
// system, the owner (the party) and the externalRef.
type altinnTriple struct{ systemID, partyOrgNo, externalRef string }

// altinnRequestKey is a request's kind and triple.
type altinnRequestKey struct {
	agent bool
	altinnTriple
}

// altinnRoleKey is a role: its holder, the organisation it is held for and
// its code in upper case (codes compare without case).
type altinnRoleKey struct{ from, to, code string }

func newAltinnState() altinnState {
	return altinnState{
		orgs: map[string]Org{}, resources: map[string]*altinnResource{}, systems: map[string]*altinnSystem{},
		requests: map[string]*altinnRequest{}, systemUsers: map[string]*altinnSystemUser{},
		orgByParty: map[int]string{}, orgByUUID: map[string]string{}, personAt: map[string]int{},
		roleSet: map[altinnRoleKey]bool{}, rolesTo: map[string][]int{}, rolesFrom: map[string][]int{},
		systemByClient: map[string]*altinnSystem{}, userByTriple: map[altinnTriple]*altinnSystemUser{},
		usersByParty: map[string][]*altinnSystemUser{}, usersBySys: map[string][]*altinnSystemUser{},
		requestsByKey: map[altinnRequestKey][]*altinnRequest{}, requestsBySys: map[string][]*altinnRequest{},
		changeRequests: map[string]*altinnChangeRequest{}, changesBySys: map[string][]*altinnChangeRequest{},
		changeLog: map[string][]altinnChangeLogEntry{},
	}
}

// --- writes ---

// putOrg adds or replaces an organisation. The caller has checked that its
// party id and UUID belong to no other organisation (partyClash).
func (st *altinnState) putOrg(o Org) {
	st.own()
	if old, ok := st.orgs[o.OrgNo]; ok {
		delete(st.orgByParty, old.PartyID)
		delete(st.orgByUUID, strings.ToLower(old.PartyUUID))
	}
	st.orgs[o.OrgNo] = o
	st.orgByParty[o.PartyID] = o.OrgNo
	st.orgByUUID[strings.ToLower(o.PartyUUID)] = o.OrgNo
}

// partyClash is the other organisation that already has o's party id or
// party UUID, and which of the two ("partyId N", "partyUuid U"), or "".
func (st *altinnState) partyClash(o Org) (orgNo, what string) {
	if no, ok := st.orgByParty[o.PartyID]; ok && no != o.OrgNo {
		return no, "partyId " + strconv.Itoa(o.PartyID)
	}
	if no, ok := st.orgByUUID[strings.ToLower(o.PartyUUID)]; ok && no != o.OrgNo {
		return no, "partyUuid " + o.PartyUUID
	}
	return "", ""
}

// putPerson adds a person, or replaces the one with the same pid in place.
func (st *altinnState) putPerson(p Person) {
	st.own()
	if i, ok := st.personAt[p.PID]; ok {
		st.persons[i] = p
		return
	}
	st.personAt[p.PID] = len(st.persons)
	st.persons = append(st.persons, p)
}

// addRole adds a role unless it is held already.
func (st *altinnState) addRole(r Role) {
	k := altinnRoleKey{r.From, r.To, strings.ToUpper(r.Code)}
	if st.roleSet[k] {
		return
	}
	st.own()
	st.roleSet[k] = true
	i := len(st.roles)
	st.roles = append(st.roles, r)
	st.rolesTo[r.To] = append(st.rolesTo[r.To], i)
	st.rolesFrom[r.From] = append(st.rolesFrom[r.From], i)
}

// putSystem stores a system, in place of replacing when given, and ties
// its client ids to it.
func (st *altinnState) putSystem(s, replacing *altinnSystem) {
	st.own()
	if replacing != nil {
		st.untieClientIDs(replacing)
	}
	st.systems[s.id] = s
	if !s.deleted {
		for _, c := range s.clientIDs {
			st.systemByClient[strings.ToLower(c)] = s
		}
	}
}

// deleteSystem marks a system deleted, and returns the deleted copy: its
// client ids are free again.
func (st *altinnState) deleteSystem(s *altinnSystem) *altinnSystem {
	return st.replaceSystem(s, func(c *altinnSystem) { c.deleted = true })
}

// replaceSystem stores a copy of s with change made to it in s's place.
func (st *altinnState) replaceSystem(s *altinnSystem, change func(*altinnSystem)) *altinnSystem {
	c := *s
	change(&c)
	st.putSystem(&c, s)
	return &c
}

func (st *altinnState) untieClientIDs(s *altinnSystem) {
	for _, c := range s.clientIDs {
		if st.systemByClient[strings.ToLower(c)] == s {
			delete(st.systemByClient, strings.ToLower(c))
		}
	}
}

// putSystemUser stores a system user, in place of one with the same id,
// numbering it after every one stored before (seq).
func (st *altinnState) putSystemUser(u *altinnSystemUser) {
	st.own()
	if old, ok := st.systemUsers[u.id]; ok {
		if st.userByTriple[old.triple()] == old {
			delete(st.userByTriple, old.triple())
		}
		// New lists: a copy of the world may share the old ones.
		st.usersByParty[old.partyOrgNo] = without(st.usersByParty[old.partyOrgNo], old)
		st.usersBySys[old.systemID] = without(st.usersBySys[old.systemID], old)
	}
	st.nextSeq++
	u.seq = st.nextSeq
	st.systemUsers[u.id] = u
	if !u.deleted {
		st.userByTriple[u.triple()] = u
	}
	st.usersByParty[u.partyOrgNo] = append(st.usersByParty[u.partyOrgNo], u)
	st.usersBySys[u.systemID] = append(st.usersBySys[u.systemID], u)
}

// without is list without u, a new list when u is in it.
func without(list []*altinnSystemUser, u *altinnSystemUser) []*altinnSystemUser {
	if i := slices.Index(list, u); i >= 0 {
		return slices.Concat(list[:i], list[i+1:])
	}
	return list
}

// replaceSystemUser puts a copy of u with change made to it in u's place,
// in the indexes too (its owner's, its system's and its triple's, which
// a deleted copy leaves), keeping its seq, and returns the copy: a system
// user is never changed in place, as another world may share it.
func (st *altinnState) replaceSystemUser(u *altinnSystemUser, change func(*altinnSystemUser)) *altinnSystemUser {
	st.own()
	c := *u
	change(&c)
	swap := func(idx map[string][]*altinnSystemUser, key string) {
		list := idx[key]
		if i := slices.Index(list, u); i >= 0 {
			list = slices.Clone(list)
			list[i] = &c
			idx[key] = list
		}
	}
	swap(st.usersByParty, u.partyOrgNo)
	swap(st.usersBySys, u.systemID)
	st.systemUsers[c.id] = &c
	if st.userByTriple[u.triple()] == u {
		if c.deleted {
			delete(st.userByTriple, u.triple())
		} else {
			st.userByTriple[c.triple()] = &c
		}
	}
	return &c
}

// updateClients replaces the agent system user u by a copy whose
// delegated clients change made, and returns the copy.
func (st *altinnState) updateClients(u *altinnSystemUser, change func(clients map[string]bool)) *altinnSystemUser {
	return st.replaceSystemUser(u, func(c *altinnSystemUser) {
		c.clients = maps.Clone(u.clients)
		change(c.clients)
	})
}

// addRequest stores a new request.
func (st *altinnState) addRequest(r *altinnRequest) {
	st.requests[r.id] = r
	k := altinnRequestKey{r.agent, altinnTriple{r.systemID, r.partyOrgNo, r.externalRef}}
	st.requestsByKey[k] = append(st.requestsByKey[k], r)
	st.requestsBySys[r.systemID] = append(st.requestsBySys[r.systemID], r)
}

func (u *altinnSystemUser) triple() altinnTriple {
	return altinnTriple{u.systemID, u.partyOrgNo, u.externalRef}
}

// --- lookups ---

func (st *altinnState) person(pid string) (Person, bool) {
	if i, ok := st.personAt[pid]; ok {
		return st.persons[i], true
	}
	return Person{}, false
}

func (st *altinnState) hasRole(from, to, code string) bool {
	return st.roleSet[altinnRoleKey{from, to, strings.ToUpper(code)}]
}

// daglLeder is the first seeded person holding DAGL for org, or "".
func (st *altinnState) daglLeder(orgNo string) string {
	best := -1
	for _, i := range st.rolesTo[orgNo] {
		r := st.roles[i]
		if at, ok := st.personAt[r.From]; ok && strings.EqualFold(r.Code, "DAGL") && (best < 0 || at < best) {
			best = at
		}
	}
	if best < 0 {
		return ""
	}
	return st.persons[best].PID
}

// rolesFor is each holder's role codes for org, in the order seeded.
func (st *altinnState) rolesFor(orgNo string) map[string][]string {
	out := map[string][]string{}
	for _, i := range st.rolesTo[orgNo] {
		r := st.roles[i]
		out[r.From] = append(out[r.From], r.Code)
	}
	return out
}

// resolveParty finds an organisation by org number, party id or party UUID.
func (st *altinnState) resolveParty(s string) (Org, bool) {
	if o, ok := st.orgs[s]; ok {
		return o, true
	}
	if id, err := strconv.Atoi(s); err == nil {
		if no, ok := st.orgByParty[id]; ok {
			return st.orgs[no], true
		}
	}
	if no, ok := st.orgByUUID[strings.ToLower(s)]; ok {
		return st.orgs[no], true
	}
	return Org{}, false
}

// liveSystemWithClient is the live system that lists the Maskinporten
// client id (any case), or nil.
func (st *altinnState) liveSystemWithClient(clientID string) *altinnSystem {
	return st.systemByClient[strings.ToLower(clientID)]
}

// systemUserByTriple is the live system user for (system, owner, externalRef).
func (st *altinnState) systemUserByTriple(systemID, partyOrgNo, externalRef string) *altinnSystemUser {
	return st.userByTriple[altinnTriple{systemID, partyOrgNo, externalRef}]
}

// requestByTriple is the newest live request of that kind for (system,
// party, externalRef).
func (st *altinnState) requestByTriple(agent bool, systemID, partyOrgNo, externalRef string) *altinnRequest {
	var best *altinnRequest
	for _, r := range st.requestsByKey[altinnRequestKey{agent, altinnTriple{systemID, partyOrgNo, externalRef}}] {
		if !r.deleted && (best == nil || r.created.After(best.created)) {
			best = r
		}
	}
	return best
}

// clientOrgsOf is the organisations for which holder holds a role, sorted
// by org number, each once.
func (st *altinnState) clientOrgsOf(holder string) []string {
	var out []string
	for _, i := range st.rolesFrom[holder] {
		out = append(out, st.roles[i].To)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// --- the prepared copy ---

// clone is the state for a new generation of the world, made from the
// seeded one in the time it takes to copy its requests and resources
// (which requests change in place; a seed has few): the rest is shared
// until the first write, when own copies it. What the copies go on
// sharing, the organisations, systems and system users, nothing changes in
// place (see the top of this file).
func (st *altinnState) clone() altinnState {
	out := *st
	out.shared = true
	out.resources = make(map[string]*altinnResource, len(st.resources))
	for id, r := range st.resources {
		c := *r
		out.resources[id] = &c
	}
	out.requests = make(map[string]*altinnRequest, len(st.requests))
	out.requestsByKey = make(map[altinnRequestKey][]*altinnRequest, len(st.requestsByKey))
	out.requestsBySys = make(map[string][]*altinnRequest, len(st.requestsBySys))
	for _, r := range st.requests {
		c := *r
		out.addRequest(&c)
	}
	out.changeRequests = make(map[string]*altinnChangeRequest, len(st.changeRequests))
	out.changesBySys = make(map[string][]*altinnChangeRequest, len(st.changesBySys))
	for _, cr := range st.changeRequests {
		c := *cr
		out.addChangeRequest(&c)
	}
	return out
}

// own makes the shared maps of a cloned state its own before a write: the
// maps are copied, the index lists clipped (so that an append copies
// them), their values shared.
func (st *altinnState) own() {
	if !st.shared {
		return
	}
	st.shared = false
	st.orgs, st.orgByParty, st.orgByUUID = maps.Clone(st.orgs), maps.Clone(st.orgByParty), maps.Clone(st.orgByUUID)
	st.persons, st.personAt = slices.Clone(st.persons), maps.Clone(st.personAt)
	st.roles, st.roleSet = slices.Clip(st.roles), maps.Clone(st.roleSet)
	st.rolesTo, st.rolesFrom = clipLists(st.rolesTo), clipLists(st.rolesFrom)
	st.systems, st.systemByClient = maps.Clone(st.systems), maps.Clone(st.systemByClient)
	st.systemUsers, st.userByTriple, st.usersByParty = maps.Clone(st.systemUsers), maps.Clone(st.userByTriple), clipLists(st.usersByParty)
	st.usersBySys, st.changeLog = clipLists(st.usersBySys), clipLists(st.changeLog)
}

// clipLists is a copy of an index whose lists an append copies. The
// seeded world's lists are clipped when seeded (clipIndexes), so this is
// mostly a map copy.
func clipLists[K comparable, V any](m map[K][]V) map[K][]V {
	out := maps.Clone(m)
	for k, v := range out {
		if len(v) != cap(v) {
			out[k] = slices.Clip(v)
		}
	}
	return out
}

// clipIndexes clips the index lists in place, so that a copy of the state
// (clone, own) finds them clipped.
func (st *altinnState) clipIndexes() {
	for _, m := range []map[string][]int{st.rolesTo, st.rolesFrom} {
		for k, v := range m {
			if len(v) != cap(v) {
				m[k] = slices.Clip(v)
			}
		}
	}
	for k, v := range st.usersByParty {
		if len(v) != cap(v) {
			st.usersByParty[k] = slices.Clip(v)
		}
	}
}
