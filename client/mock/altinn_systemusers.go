package mock

import (
	"net/http"
	"strconv"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
)

// The system users: Maskinporten's lookup, the vendor's reads and list,
// and the portal's lists, read and delete. Sources: Altinn/altinn-authentication
// at ad4f6f3, src/Authentication/Controllers/SystemUserController.cs (SUC),
// src/Authentication/Services/SystemUserService.cs (SUS),
// src/Persistance/RepositoryImplementations/SystemUserRepository.cs (SUR),
// the DTOs in src/Core/Models/ (SystemUserExternalDTO.cs,
// SystemUserInternalDTO.cs, SystemUserDetailInternalDTO.cs).

// routeSystemUsers registers the routes of the system users.
func (a *Altinn) routeSystemUsers(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/systemuser/byExternalId", a.handleByExternalID)
	m.HandleFunc("GET /authentication/api/v1/systemuser/vendor/byquery", a.handleByQuery)
	m.HandleFunc("GET /authentication/api/v1/systemuser/vendor/bysystem/{systemId}", a.handleSystemUsersBySystem)
	m.HandleFunc("GET /authentication/api/v1/systemuser/{party}", a.handlePartySystemUsers(standardUser))
	m.HandleFunc("GET /authentication/api/v1/systemuser/agent/{party}", a.handlePartySystemUsers(agentUser))
	m.HandleFunc("GET /authentication/api/v1/systemuser/{party}/{systemUserId}", a.handlePartySystemUser)
	m.HandleFunc("DELETE /authentication/api/v1/systemuser/{party}/{systemUserId}", a.handleDeleteSystemUser)
	m.HandleFunc("DELETE /authentication/api/v1/systemuser/agent/{party}/{systemUserId}", a.handleDeleteAgentSystemUser)
}

// The two user types as the JSON writes them (SystemUserType.cs).
const (
	standardUser = "standard"
	agentUser    = "agent"
)

// altinnSystemUserJSON is SystemUserExternalDTO (§5), keys as it names them:
// reporteeOrgNo is the owner, supplierOrgno (lower-case "no") the vendor.
// Every string defaults to "", so every key is always there.
type altinnSystemUserJSON struct {
	ID               string `json:"id"`
	IntegrationTitle string `json:"integrationTitle"`
	SystemID         string `json:"systemId"`
	ProductName      string `json:"productName"`
	ReporteeOrgNo    string `json:"reporteeOrgNo"`
	Created          string `json:"created"`
	IsDeleted        bool   `json:"isDeleted"`
	SupplierName     string `json:"supplierName"`
	SupplierOrgno    string `json:"supplierOrgno"`
	ExternalRef      string `json:"externalRef"`
	UserType         string `json:"userType"`
}

// altinnSystemUserInternalJSON is SystemUserInternalDTO, what the portal's
// lists answer, keys in its order (SystemUserInternalDTO.cs L22-119):
// partyId is a string, partyUuId (sic) is "" as the repository never reads
// it (SUR ConvertFromReaderToSystemUser L392-416), accessPackages [] when
// none.
type altinnSystemUserInternalJSON struct {
	ID               string          `json:"id"`
	IntegrationTitle string          `json:"integrationTitle"`
	SystemID         string          `json:"systemId"`
	ProductName      string          `json:"productName"`
	SystemInternalID string          `json:"systemInternalId,omitempty"`
	PartyID          string          `json:"partyId"`
	PartyUUID        string          `json:"partyUuId"`
	ReporteeOrgNo    string          `json:"reporteeOrgNo"`
	Created          string          `json:"created"`
	IsDeleted        bool            `json:"isDeleted"`
	SupplierName     string          `json:"supplierName"`
	SupplierOrgno    string          `json:"supplierOrgno"`
	ExternalRef      string          `json:"externalRef"`
	UserType         string          `json:"userType"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
	// Rights is SystemUserDetailInternalDTO's, for one system user read
	// (SystemUserDetailInternalDTO.cs); an agent's is null, so left out.
	Rights *[]altinnRight `json:"rights,omitempty"`
}

var altinnUUIDRE = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// systemUserJSON renders a system user as SystemUserExternalDTO.
// supplierName is "" and productName "" too, as the repository fills
// neither (SUR L392-416); byExternalId sets productName itself.
func (a *Altinn) systemUserJSON(u *altinnSystemUser) altinnSystemUserJSON {
	return altinnSystemUserJSON{
		ID: u.id, IntegrationTitle: u.integrationTitle, SystemID: u.systemID,
		ReporteeOrgNo: u.partyOrgNo, Created: u.created.UTC().Format(time.RFC3339Nano), IsDeleted: u.deleted,
		SupplierOrgno: u.supplierOrgNo, ExternalRef: u.externalRef, UserType: u.userType,
	}
}

// systemUserInternalJSON renders a system user as SystemUserInternalDTO.
// Callers hold a.mu.
func (a *Altinn) systemUserInternalJSON(u *altinnSystemUser) altinnSystemUserInternalJSON {
	out := altinnSystemUserInternalJSON{
		ID: u.id, IntegrationTitle: u.integrationTitle, SystemID: u.systemID,
		ReporteeOrgNo: u.partyOrgNo, Created: u.created.UTC().Format(time.RFC3339Nano), IsDeleted: u.deleted,
		SupplierOrgno: u.supplierOrgNo, ExternalRef: u.externalRef, UserType: u.userType,
		AccessPackages: altinnClonePackages(u.packages),
	}
	if s, ok := a.systems[u.systemID]; ok {
		out.SystemInternalID = s.internalID
	}
	if o, ok := a.orgs[u.partyOrgNo]; ok {
		out.PartyID = strconv.Itoa(o.PartyID)
	}
	return out
}

// handleByExternalID is Maskinporten's lookup (§5): the system user whose
// (live) system lists the client id and belongs to the vendor, owned by the
// org, with that externalRef (SUC L147-186, SUR L329-380).
func (a *Altinn) handleByExternalID(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrg(w, r, alScopeSystemUserLookup); !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	q := r.URL.Query()
	clientID, vendor, owner, ext := q.Get("clientId"), q.Get("systemProviderOrgNo"), q.Get("systemUserOwnerOrgNo"), q.Get("externalRef")
	if clientID == "" || vendor == "" || owner == "" {
		writeAltinnStatus(w, http.StatusBadRequest, "clientId, systemProviderOrgNo and systemUserOwnerOrgNo are required")
		return
	}
	if ext == "" {
		ext = owner
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	// A client id belongs to one live system at most (the register refuses
	// a second, AUTH.VLD-00004), and a triple to one live system user.
	if sys := a.liveSystemWithClient(clientID); sys != nil && sys.vendorOrgNo == vendor {
		if u := a.systemUserByTriple(sys.id, owner, ext); u != nil {
			out := a.systemUserJSON(u)
			// "Temporary fix until Maskinporten changes their integration"
			// (SUC L182-183).
			out.ProductName = u.systemID
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	writeAltinnStatus(w, http.StatusNotFound, "")
}

// handleByQuery is the vendor's lookup of a system user by system, owner
// and externalRef (SUC L245-275); other vendors' system users are not
// found.
func (a *Altinn) handleByQuery(w http.ResponseWriter, r *http.Request) {
	p, ok := a.vendorOrg(w, r, alScopeRequestWrite)
	if !ok {
		return
	}
	q := r.URL.Query()
	systemID, orgNo, ext := q.Get("system-id"), q.Get("orgno"), q.Get("external-ref")
	if systemID == "" || orgNo == "" {
		writeAltinnStatus(w, http.StatusBadRequest, "system-id and orgno are required")
		return
	}
	if ext == "" {
		ext = orgNo
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	u := a.systemUserByTriple(systemID, orgNo, ext)
	if u == nil || u.supplierOrgNo != p.orgNo {
		writeAltinnStatus(w, http.StatusNotFound, "")
		return
	}
	writeJSON(w, http.StatusOK, a.systemUserJSON(u))
}

// handleSystemUsersBySystem is the vendor's list of a system's system
// users (SUC GetAllSystemUsersByVendorSystem L284-326, SUS L286-314, SUR
// L419-461): the system register's scope (write or admin, not a request
// scope), every live system user of the system, standard and agent, by
// sequence number, a page at a time.
func (a *Altinn) handleSystemUsersBySystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	if p.orgNo == "" {
		writeAltinnStatus(w, http.StatusUnauthorized, "")
		return
	}
	var from int64
	given, ok := altinnPageToken(w, r, &from)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	// Unknown, or another vendor's, even with the admin scope: AUTH-00011
	// (SUS L292-302).
	sys, ok := a.vendorSystem(w, r, p.orgNo)
	if !ok {
		return
	}
	users, next, more := paginate(a.usersBySys[sys.id],
		func(u *altinnSystemUser) bool { return !u.deleted },
		func(u *altinnSystemUser) int64 { return u.seq },
		func(x, y int64) bool { return x < y }, from, given, a.size())
	writeAltinnPage(a, w, r, users, a.systemUserJSON, next, more)
}

// portalParty is the {party} of a portal route (the party id) that the
// person may act for. The routes' policies are PDP checks for that party
// (POLICY_ACCESS_MANAGEMENT_READ/WRITE on altinn_access_management,
// POLICY_SYSTEMUSER_OVERVIEW_READ on altinn_system_user_overview,
// AuthenticationHost.cs L253-280), for which holding DAGL for the party
// stands in; anything else is the bare 403 a policy gives. Callers hold
// a.mu.
func (a *Altinn) portalParty(w http.ResponseWriter, r *http.Request, p *altinnPrincipal) (Org, bool) {
	raw := r.PathValue("party")
	id, err := strconv.Atoi(raw)
	orgNo, known := a.orgByParty[id]
	if err != nil || !known || !a.hasRole(p.pid, orgNo, "DAGL") {
		writeAltinnStatus(w, http.StatusForbidden, p.pid+" may not manage access for party "+raw+
			" (the mock's stand-in for the PDP check: the DAGL role for the party, named by its party id)")
		return Org{}, false
	}
	return a.orgs[orgNo], true
}

// requirePortalPerson authenticates a person's Altinn token: the portal's
// routes whose policy is a PDP check only (no scope policy).
func (a *Altinn) requirePortalPerson(w http.ResponseWriter, r *http.Request) (*altinnPrincipal, bool) {
	p, reason, ok := a.authenticate(r)
	if !ok {
		writeBearerChallenge(w, reason)
		return nil, false
	}
	if p.pid == "" || !p.fromAltinn {
		writeAltinnStatus(w, http.StatusForbidden, "this endpoint takes a person's Altinn token (see /testtools/personaltoken)")
		return nil, false
	}
	return p, true
}

// lockPortalParty is the preamble of the portal's routes on a {party}
// whose policy is the PDP check only: it authenticates the person
// (requirePortalPerson), takes a.mu (for writing when write is set) and
// resolves the party the person may act for (portalParty). When ok the
// caller holds a.mu and releases it with unlock; otherwise the refusal is
// answered and a.mu is free again.
func (a *Altinn) lockPortalParty(w http.ResponseWriter, r *http.Request, write bool) (party Org, unlock func(), ok bool) {
	p, ok := a.requirePortalPerson(w, r)
	if !ok {
		return Org{}, nil, false
	}
	lock, unlock := a.mu.RLock, a.mu.RUnlock
	if write {
		lock, unlock = a.mu.Lock, a.mu.Unlock
	}
	lock()
	if party, ok = a.portalParty(w, r, p); !ok {
		unlock()
		return Org{}, nil, false
	}
	return party, unlock, true
}

// handlePartySystemUsers lists the party's live standard system users (SUC
// GetListOfSystemUsersPartyHas L77-84, SUR L65-106), or its agent ones (SUC
// L90-97, SUR L108-149), as SystemUserInternalDTO, in no page.
func (a *Altinn) handlePartySystemUsers(userType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		party, unlock, ok := a.lockPortalParty(w, r, false)
		if !ok {
			return
		}
		defer unlock()
		out := []altinnSystemUserInternalJSON{}
		for _, u := range a.usersByParty[party.OrgNo] {
			if !u.deleted && u.userType == userType {
				out = append(out, a.systemUserInternalJSON(u))
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// handlePartySystemUser answers one of the party's system users with its
// rights (SUC GetSingleSystemUserById L122-136, PopulateSystemUserDetail
// L713-730): a plain 404 for one that is not the party's or is deleted.
func (a *Altinn) handlePartySystemUser(w http.ResponseWriter, r *http.Request) {
	party, unlock, ok := a.lockPortalParty(w, r, false)
	if !ok {
		return
	}
	defer unlock()
	u, ok := a.pathSystemUser(w, r)
	if !ok {
		return
	}
	if u == nil || u.deleted || u.partyOrgNo != party.OrgNo {
		writeAltinnStatus(w, http.StatusNotFound, "")
		return
	}
	out := a.systemUserInternalJSON(u)
	if u.userType == standardUser {
		rights := altinnCloneRights(u.rights)
		out.Rights = &rights
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDeleteSystemUser is the person's delete of a standard system user
// (SUC SetDeleteFlagOnSystemUser L192-212, SUS L165-247): 404 with the body
// 0 when there is no such live system user; another party's is AUTH-00024,
// an agent AUTH-00036 (it has a route of its own); then it is soft-deleted,
// and so is its request (SUC DeleteRequestForSystemUser L671-679, so the
// same system, org and externalRef can be asked for again), and the answer
// is 202 with the body 1. Maskinporten no longer finds it (MP-303).
func (a *Altinn) handleDeleteSystemUser(w http.ResponseWriter, r *http.Request) {
	party, unlock, ok := a.lockPortalParty(w, r, true)
	if !ok {
		return
	}
	defer unlock()
	u, ok := a.pathSystemUser(w, r)
	if !ok {
		return
	}
	switch {
	case u == nil || u.deleted:
		writeJSON(w, http.StatusNotFound, 0)
		return
	case u.partyOrgNo != party.OrgNo:
		writeAltinnProblem(w, probDeleteNotOwned)
		return
	case u.userType != standardUser:
		writeAltinnProblem(w, probExpectedStandardUser)
		return
	}
	a.replaceSystemUser(u, func(c *altinnSystemUser) { c.deleted = true })
	if req := a.requestByTriple(standardRequest, u.systemID, u.partyOrgNo, u.externalRef); req != nil && req.vendorOrgNo == u.supplierOrgNo {
		req.deleted = true
	}
	writeJSON(w, http.StatusAccepted, 1)
}

// handleDeleteAgentSystemUser is the person's delete of an agent system
// user (SUC DeleteAgentSystemUser L617-631, SUS L1076-1110). The controller
// first soft-deletes the agent request for the system user (SUC L681-695),
// whatever comes next; then not found is 404 AUTH-00015, another party's
// 403 AUTH-00024, a standard one 400 AUTH-00034.
//
// While clients are delegated to it the delete is refused with 400
// AUTH-00035 (Problem.cs L222 AgentSystemUser_HasDelegations): the spec's
// correction 10 (checked 2026-12-01) says so, and it wins. The repository
// at ad4f6f3 no longer refuses: since commit 191cce12 (#1552, "cascade
// delete agentuser", October 2025) SUS L1076-1110 asks Access Management
// to remove the assignment with cascade=true (AccessManagementClient.cs
// L606-621), delegations and all. The mock's check sits where the code
// before #1552 had it, after the type check (191cce12^ SUS L855-859,
// GetDelegationsForAgent: any delegation refuses). docs/mock-api.md says
// both. Without clients the system user is soft-deleted: 200, no body.
func (a *Altinn) handleDeleteAgentSystemUser(w http.ResponseWriter, r *http.Request) {
	party, unlock, ok := a.lockPortalParty(w, r, true)
	if !ok {
		return
	}
	defer unlock()
	u, ok := a.pathSystemUser(w, r)
	if !ok {
		return
	}
	if f := r.URL.Query().Get("facilitatorId"); f != "" {
		if _, ok := altinnParseGUID(f); !ok {
			writeAltinnModelProblem(w, "facilitatorId", "The value '"+f+"' is not valid.")
			return
		}
	}
	if u != nil && !u.deleted {
		if req := a.requestByTriple(agentRequest, u.systemID, u.partyOrgNo, u.externalRef); req != nil && req.vendorOrgNo == u.supplierOrgNo {
			req.deleted = true
		}
	}
	switch {
	case u == nil || u.deleted:
		writeAltinnProblem(w, probSystemUserNotFound)
		return
	case u.partyOrgNo != party.OrgNo:
		writeAltinnProblem(w, probDeleteNotOwned)
		return
	case u.userType != agentUser:
		writeAltinnProblem(w, probExpectedAgentUser)
		return
	case len(u.clients) > 0:
		writeAltinnProblem(w, probAgentHasDelegations)
		return
	}
	a.replaceSystemUser(u, func(c *altinnSystemUser) { c.deleted = true })
	w.WriteHeader(http.StatusOK)
}

// pathSystemUser is the system user of the path's {systemUserId}, nil when
// there is none; ok is false when the id is not a GUID (answered). Callers
// hold a.mu.
func (a *Altinn) pathSystemUser(w http.ResponseWriter, r *http.Request) (*altinnSystemUser, bool) {
	id, ok := altinnGUIDParam(w, r, "systemUserId")
	if !ok {
		return nil, false
	}
	return a.systemUsers[id], true
}

// altinnGUIDParam reads a GUID route value as ASP.NET binds one (there are
// no route constraints), answering model binding's 400 when it is not one.
func altinnGUIDParam(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	raw := r.PathValue(name)
	id, ok := altinnParseGUID(raw)
	if !ok {
		writeAltinnModelProblem(w, name, "The value '"+raw+"' is not valid.")
	}
	return id, ok
}

type altinnClientInfo struct {
	ClientID                 string `json:"clientId"`
	ClientOrganizationNumber string `json:"clientOrganizationNumber"`
	ClientOrganizationName   string `json:"clientOrganizationName"`
}

// altinnSystemUser is a system user (§5), standard or agent.
type altinnSystemUser struct {
	id               string
	seq              int64 // sequence_no: the order the vendor's list pages in
	integrationTitle string
	systemID         string
	partyOrgNo       string
	externalRef      string
	userType         string // standardUser or agentUser
	supplierOrgNo    string
	rights           []altinnRight
	packages         []altinnPackage
	created          time.Time
	deleted          bool
	clients          map[string]bool // agent: org numbers of delegated clients
}
