package mock

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The mock Altinn's seed: organisations, persons, roles, resources,
// systems, system users and client delegations.

// Seed loads organisations, persons, roles, resources, systems, system users
// and delegations. Later entries replace earlier ones with the same key.
// Systems go through the system register's own validation.
func (a *Altinn) Seed(s Seed) error { return a.seed(context.Background(), s) }

// seed is Seed, stopping with ctx's error when ctx ends (a large seed
// takes seconds).
//
// It clears each part of s once seeded (s is its own copy): the caller that
// keeps no other reference to a large seed's entries lets the garbage
// collector take them meanwhile. Maskinporten's parts go first.
func (a *Altinn) seed(ctx context.Context, s Seed) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	s.Clients, s.Scopes = nil, nil
	switch {
	case s.PageSize < 0 || s.PageSize > altinnMaxPageSize:
		return fmt.Errorf("pageSize %d: give 1 to %d (0 or none: %d; the real service's is 50)", s.PageSize, altinnMaxPageSize, AltinnDefaultPageSize)
	case s.PageSize > 0:
		a.pageSize = s.PageSize
	}
	for i, o := range s.Orgs {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		if err := a.seedOrg(o); err != nil {
			return fmt.Errorf("orgs (%s): %w", o.OrgNo, err)
		}
	}
	s.Orgs = nil
	for _, p := range s.Persons {
		if err := a.seedPerson(p); err != nil {
			return fmt.Errorf("persons (%s): %w", p.PID, err)
		}
	}
	for i, r := range s.Roles {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		if err := a.seedRole(r); err != nil {
			return fmt.Errorf("roles (%s %s for %s): %w", r.From, r.Code, r.To, err)
		}
	}
	s.Roles = nil
	for _, r := range s.Resources {
		if err := a.seedResource(r); err != nil {
			return fmt.Errorf("resources (%s): %w", r.Identifier, err)
		}
	}
	for i, sys := range s.Systems {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		b, err := json.Marshal(sys)
		if err == nil {
			_, err = a.seedSystem(b)
		}
		if err != nil {
			return fmt.Errorf("systems (%v): %w", sys["id"], err)
		}
	}
	for i, raw := range s.systemsJSON {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		if id, err := a.seedSystem(raw); err != nil {
			return fmt.Errorf("systems (%s): %w", id, err)
		}
	}
	s.Systems, s.systemsJSON = nil, nil
	seeded := map[string]bool{} // system users of this call, by (system, party, externalRef)
	// made are the system users this call made, whose clients maps are
	// its own: a delegation adds to those in place. Any other system user
	// may be shared with another world (altinn_state.go), so its first
	// delegation here replaces it by a copy (updateClients).
	made := map[*altinnSystemUser]bool{}
	for i, su := range s.SystemUsers {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		if su.ID != "" && !altinnUUIDRE.MatchString(su.ID) {
			// Altinn's system user ids are GUIDs (and equal the request's id).
			return fmt.Errorf("systemUsers (%q): id is not a UUID (8-4-4-4-12 hex digits); leave it out and the mock makes one", su.ID)
		}
		if err := a.seedSystemUser(su, seeded, made); err != nil {
			return fmt.Errorf("systemUsers (%s for %s): %w", su.SystemID, su.PartyOrgNo, err)
		}
	}
	s.SystemUsers = nil
	for i, d := range s.Delegations {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		if err := a.seedDelegation(d, made); err != nil {
			return fmt.Errorf("clientDelegations (%s to %s): %w", d.ClientOrgNo, d.SystemUserID, err)
		}
	}
	a.clipIndexes() // the copies of the world then copy a list only to add to it
	return nil
}

func (a *Altinn) seedOrg(o Org) error {
	if !altinnOrgNoRE.MatchString(o.OrgNo) {
		return errors.New("orgNo must be nine digits")
	}
	if o.Name == "" {
		return errors.New("name is required")
	}
	if o.PartyID == 0 {
		o.PartyID = altinnDerivedPartyID(o.OrgNo)
	}
	h := sha1.Sum([]byte("mock-altinn-party:" + o.OrgNo))
	if o.PartyUUID == "" {
		// Name-based, so the same org gets the same party UUID every run.
		h[6] = h[6]&0x0f | 0x50
		h[8] = h[8]&0x3f | 0x80
		x := hex.EncodeToString(h[:16])
		o.PartyUUID = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
	}
	if other, what := a.partyClash(o); other != "" {
		return fmt.Errorf("%s is also that of %s (%s); two organisations cannot share a party, so give one of them another (or leave partyId and partyUuid out: the mock derives them from the org number)",
			what, other, a.orgs[other].Name)
	}
	a.putOrg(o)
	return nil
}

// altinnDerivedPartyID is the party id of an organisation seeded without
// one: 1,000,000,000 plus its org number, so that two organisations never
// get the same (the real ids, about 50,000,000 for organisations, are
// Altinn's own numbering, which no public source describes), and the same
// organisation gets the same id in every run and every world.
func altinnDerivedPartyID(orgNo string) int {
	n, _ := strconv.Atoi(orgNo)
	return 1_000_000_000 + n
}

func (a *Altinn) seedPerson(p Person) error {
	if !altinnPIDRE.MatchString(p.PID) {
		return errors.New("pid must be eleven digits")
	}
	if p.Name == "" {
		return errors.New("name is required")
	}
	a.putPerson(p)
	return nil
}

func (a *Altinn) seedRole(r Role) error {
	if _, ok := a.orgs[r.To]; !ok {
		return fmt.Errorf("to: unknown organisation %q", r.To)
	}
	switch {
	case altinnPIDRE.MatchString(r.From):
		if _, ok := a.person(r.From); !ok {
			return fmt.Errorf("from: unknown person %q", r.From)
		}
	case altinnOrgNoRE.MatchString(r.From):
		if _, ok := a.orgs[r.From]; !ok {
			return fmt.Errorf("from: unknown organisation %q", r.From)
		}
	default:
		return fmt.Errorf("from: %q is neither a PID nor an org number", r.From)
	}
	if r.Code == "" {
		return errors.New("code is required")
	}
	a.addRole(r)
	return nil
}

func (a *Altinn) seedResource(sr SeedResource) error {
	if sr.Identifier == "" {
		return errors.New("identifier is required")
	}
	owner, ok := a.orgs[sr.OwnerOrgNo]
	if !ok {
		return fmt.Errorf("owner_orgno: unknown organisation %q", sr.OwnerOrgNo)
	}
	title := sr.Title
	if title == "" {
		title = sr.Identifier
	}
	body := map[string]any{
		"identifier":  sr.Identifier,
		"title":       map[string]string{"en": title, "nb": title, "nn": title},
		"description": map[string]string{"en": title, "nb": title, "nn": title},
		"status":      "Completed",
		"delegable":   true,
		"visible":     true,
		"hasCompetentAuthority": map[string]string{
			"organization": owner.OrgNo, "orgcode": "", "name": owner.Name,
		},
		"resourceType":   "GenericAccessResource",
		"accessListMode": "Disabled",
	}
	if sr.Scope != "" {
		body["resourceReferences"] = []map[string]string{{
			"referenceSource": "ExternalPlatform", "reference": sr.Scope, "referenceType": "MaskinportenScope",
		}}
	}
	res := &altinnResource{id: sr.Identifier, owner: owner.OrgNo, body: body, delegable: true}
	if len(sr.AccessPackages) > 0 {
		rule := xacmlRule{}
		for _, p := range sr.AccessPackages {
			rule.Packages = append(rule.Packages, altinnPackageURN(p))
		}
		res.rules = []xacmlRule{rule}
	}
	a.resources[sr.Identifier] = res
	return nil
}

// stopped reports, every 1024th entry, whether ctx has ended.
func stopped(ctx context.Context, i int) bool { return i%1024 == 1023 && ctx.Err() != nil }

// seedSystem registers a system from the JSON of its POST /vendor body,
// validated as the register validates it; id is its id, as far as known.
func (a *Altinn) seedSystem(b []byte) (id string, err error) {
	req, err := decodeSystemRequest(b)
	if err != nil {
		return "?", err
	}
	replacing := a.systems[req.ID]
	if errs := a.validateSystem(req, replacing); len(errs) > 0 {
		return req.ID, altinnVldAsError(errs)
	}
	a.storeSystem(req, replacing)
	return req.ID, nil
}

// altinnVldAsError joins validation errors into one error for a seed.
func altinnVldAsError(errs []altinnVldError) error {
	var parts []string
	for _, e := range errs {
		s := e.Code + " " + e.Title
		if e.Detail != "" {
			s += " (" + e.Detail + ")"
		}
		parts = append(parts, s)
	}
	return errors.New(strings.Join(parts, "; "))
}

// seedSystemUser adds a system user. One with the same (system, party,
// externalRef) as an earlier entry of the same seed is an error; one from an
// earlier Seed call is replaced, keeping its id unless the entry names one.
// It adds the system user to made.
func (a *Altinn) seedSystemUser(su SeedSystemUser, seeded map[string]bool, made map[*altinnSystemUser]bool) error {
	sys, ok := a.systems[su.SystemID]
	if !ok || sys.deleted {
		return fmt.Errorf("systemId: no registered system %q", su.SystemID)
	}
	if _, ok := a.orgs[su.PartyOrgNo]; !ok {
		return fmt.Errorf("partyOrgNo: unknown organisation %q", su.PartyOrgNo)
	}
	u := &altinnSystemUser{
		id: strings.ToLower(su.ID), integrationTitle: su.IntegrationTitle, systemID: sys.id, partyOrgNo: su.PartyOrgNo,
		externalRef: su.ExternalRef, userType: su.Type, supplierOrgNo: sys.vendorOrgNo, created: a.now().UTC(),
	}
	if u.id == "" {
		u.id = client.NewUUID()
	}
	if u.externalRef == "" {
		u.externalRef = su.PartyOrgNo
	}
	if u.integrationTitle == "" {
		u.integrationTitle = altinnLocalized(sys.name)
	}
	switch u.userType {
	case "":
		u.userType = "standard"
	case "standard", "agent":
	default:
		return fmt.Errorf("type %q is neither standard nor agent", su.Type)
	}
	var err error
	if u.rights, err = altinnRemarshal[[]altinnRight](su.Rights); err != nil {
		return fmt.Errorf("rights: %w", err)
	}
	if u.packages, err = altinnRemarshal[[]altinnPackage](su.AccessPackages); err != nil {
		return fmt.Errorf("accessPackages: %w", err)
	}
	if u.userType == "agent" {
		if len(u.rights) > 0 {
			return errors.New("an agent system user has access packages, not rights")
		}
		if len(u.packages) == 0 {
			u.packages = sys.packages // shared: replaced, never changed in place
		}
		if len(u.packages) == 0 {
			return fmt.Errorf("agent system user: system %s has no access packages", sys.id)
		}
		u.clients = map[string]bool{}
	} else if len(u.rights) == 0 && len(u.packages) == 0 {
		u.rights, u.packages = sys.rights, sys.packages // shared: replaced, never changed in place
	}
	if !altinnRightsSubset(u.rights, sys.rights) {
		return fmt.Errorf("rights: not a subset of system %s's rights", sys.id)
	}
	if !altinnPackagesSubset(u.packages, sys.packages) {
		return fmt.Errorf("accessPackages: not a subset of system %s's access packages", sys.id)
	}
	key := u.systemID + "\x00" + u.partyOrgNo + "\x00" + u.externalRef
	if seeded[key] {
		return fmt.Errorf("a system user already exists for this system, party and externalRef %q", u.externalRef)
	}
	seeded[key] = true
	if other := a.systemUserByTriple(u.systemID, u.partyOrgNo, u.externalRef); other != nil && other.id != u.id {
		if su.ID != "" {
			return fmt.Errorf("system user %s already exists for this system, party and externalRef %q", other.id, u.externalRef)
		}
		u.id = other.id
	}
	// A replaced agent keeps the clients delegated to it (a copy: the old
	// one may be another world's too).
	if old, ok := a.systemUsers[u.id]; ok && old.clients != nil && u.clients != nil {
		u.clients = maps.Clone(old.clients)
	}
	a.putSystemUser(u)
	made[u] = true
	return nil
}

// seedDelegation delegates a client to an agent system user: in place
// when this seed call made the system user (made), else to a copy of it
// that takes its place, so that a world sharing the old one keeps it as it
// was.
func (a *Altinn) seedDelegation(d SeedDelegation, made map[*altinnSystemUser]bool) error {
	u, ok := a.systemUsers[d.SystemUserID]
	if !ok {
		return fmt.Errorf("systemUserId: no system user %q", d.SystemUserID)
	}
	if u.userType != "agent" {
		return errors.New("systemUserId: not an agent system user")
	}
	if _, ok := a.orgs[d.ClientOrgNo]; !ok {
		return fmt.Errorf("clientOrgNo: unknown organisation %q", d.ClientOrgNo)
	}
	if !a.clientAvailable(u, d.ClientOrgNo) {
		return fmt.Errorf("clientOrgNo: %s holds no role for %s that the system user's access packages map to", u.partyOrgNo, d.ClientOrgNo)
	}
	if !made[u] {
		u = a.updateClients(u, func(map[string]bool) {})
		made[u] = true
	}
	u.clients[d.ClientOrgNo] = true
	return nil
}

// altinnRemarshal converts seed JSON values (maps) into typed values.
func altinnRemarshal[T any, E any](v []E) (T, error) {
	var out T
	if v == nil {
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}
