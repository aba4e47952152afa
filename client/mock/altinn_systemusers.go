package mock

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// altinnSystemUserJSON is SystemUserExternalDTO (§5), keys as it names them:
// reporteeOrgNo is the owner, supplierOrgno (lower-case "no") the vendor.
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

// altinnSystemUserInternalJSON is the internal SystemUser DTO the end-user
// endpoints answer: the external keys plus the party and packages.
type altinnSystemUserInternalJSON struct {
	altinnSystemUserJSON
	SystemInternalID string          `json:"systemInternalId"`
	PartyID          string          `json:"partyId"`
	PartyUUID        string          `json:"partyUuId"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
}

var altinnUUIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// systemUserJSON renders a system user. productName is the system id: the
// "temporary fix until Maskinporten changes their integration" of
// SystemUserController. Callers hold a.mu.
func (a *Altinn) systemUserJSON(u *altinnSystemUser) altinnSystemUserJSON {
	return altinnSystemUserJSON{
		ID: u.id, IntegrationTitle: u.integrationTitle, SystemID: u.systemID, ProductName: u.systemID,
		ReporteeOrgNo: u.partyOrgNo, Created: u.created.UTC().Format(time.RFC3339Nano), IsDeleted: u.deleted,
		SupplierName: a.orgName(u.supplierOrgNo), SupplierOrgno: u.supplierOrgNo, ExternalRef: u.externalRef,
		UserType: u.userType,
	}
}

func (a *Altinn) systemUserInternalJSON(u *altinnSystemUser) altinnSystemUserInternalJSON {
	out := altinnSystemUserInternalJSON{altinnSystemUserJSON: a.systemUserJSON(u), AccessPackages: altinnClonePackages(u.packages)}
	if s, ok := a.systems[u.systemID]; ok {
		out.SystemInternalID = s.internalID
	}
	if o, ok := a.orgs[u.partyOrgNo]; ok {
		out.PartyID = fmt.Sprint(o.PartyID)
		out.PartyUUID = o.PartyUUID
	}
	return out
}

// handleByExternalID is Maskinporten's lookup (§5): the system user whose
// (live) system lists the client id and belongs to the vendor, owned by the
// org, with that externalRef.
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
	for _, u := range a.systemUsers {
		if u.deleted || u.partyOrgNo != owner || u.externalRef != ext {
			continue
		}
		sys := a.activeSystem(u.systemID)
		if sys == nil || sys.vendorOrgNo != vendor || !altinnContainsFold(sys.clientIDs, clientID) {
			continue
		}
		writeJSON(w, http.StatusOK, a.systemUserJSON(u))
		return
	}
	writeAltinnStatus(w, http.StatusNotFound, "")
}

func altinnContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// handleByQuery is the vendor's lookup of a system user by system, owner
// and externalRef (§5); other vendors' system users are not found.
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

// handleAgents lists a party's agent system users to a person holding DAGL
// for it.
func (a *Altinn) handleAgents(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requirePerson(w, r, alScopeClientDelegRead)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	party, ok := a.resolveParty(r.URL.Query().Get("party"))
	if !ok {
		writeAltinnProblem(w, probReporteeNotFound, fmt.Sprintf("no party %q (give ?party=<org number>)", r.URL.Query().Get("party")))
		return
	}
	if !a.hasRole(p.pid, party.OrgNo, "DAGL") {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("%s holds no DAGL role for %s", p.pid, party.OrgNo))
		return
	}
	out := []altinnSystemUserInternalJSON{}
	for _, u := range a.systemUsers {
		if !u.deleted && u.userType == "agent" && u.partyOrgNo == party.OrgNo {
			out = append(out, a.systemUserInternalJSON(u))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created < out[j].Created })
	writeJSON(w, http.StatusOK, out)
}

// agentFor validates the ?agent= (and, for writes, ?client=) parameters and
// that the person holds DAGL for the agent's owner, answering the
// controller's validation problems or 403 itself. Callers hold a.mu.
func (a *Altinn) agentFor(w http.ResponseWriter, r *http.Request, p *altinnPrincipal, needClient bool) (*altinnSystemUser, bool) {
	agentID := r.URL.Query().Get("agent")
	var errs []altinnVldError
	var u *altinnSystemUser
	switch {
	case !altinnUUIDRE.MatchString(agentID):
		errs = append(errs, vldAgentMissing.at("", "?agent"))
	case a.systemUsers[agentID] == nil || a.systemUsers[agentID].deleted:
		errs = append(errs, vldAgentNotFound.at("", "?agent"))
	default:
		u = a.systemUsers[agentID]
		if u.userType != "agent" {
			errs = append(errs, vldNotAgent.at("", "?agent"))
		}
	}
	if needClient && !altinnUUIDRE.MatchString(r.URL.Query().Get("client")) {
		errs = append(errs, vldClientMissing.at("", "?client"))
	}
	if len(errs) > 0 {
		writeAltinnValidation(w, errs)
		return nil, false
	}
	// Stands in for the PDP check of altinn_client_administration for the
	// facilitator.
	if !a.hasRole(p.pid, u.partyOrgNo, "DAGL") {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("%s holds no DAGL role for %s, which owns the system user", p.pid, u.partyOrgNo))
		return nil, false
	}
	return u, true
}

type altinnClientInfo struct {
	ClientID                 string `json:"clientId"`
	ClientOrganizationNumber string `json:"clientOrganizationNumber"`
	ClientOrganizationName   string `json:"clientOrganizationName"`
}

// altinnClientList renders ClientInfoPaginated for the agent.
func altinnClientList(u *altinnSystemUser, orgs []Org) map[string]any {
	data := make([]altinnClientInfo, 0, len(orgs))
	for _, o := range orgs {
		data = append(data, altinnClientInfo{ClientID: o.PartyUUID, ClientOrganizationNumber: o.OrgNo, ClientOrganizationName: o.Name})
	}
	return map[string]any{
		"links":                 map[string]any{},
		"systemUserInformation": map[string]string{"systemUserId": u.id, "systemUserOwnerOrg": u.partyOrgNo},
		"data":                  data,
	}
}

// handleAvailableClients lists the organisations the agent's owner holds a
// role for that the agent's access packages map to (§6).
func (a *Altinn) handleAvailableClients(w http.ResponseWriter, r *http.Request) {
	a.handleClientList(w, r, a.clientAvailable)
}

// handleDelegatedClients lists the clients delegated to the agent.
func (a *Altinn) handleDelegatedClients(w http.ResponseWriter, r *http.Request) {
	a.handleClientList(w, r, func(u *altinnSystemUser, orgNo string) bool { return u.clients[orgNo] })
}

// handleClientList answers the organisations for which keep holds, in the
// clients list shape, to a person who may read the agent's clients.
func (a *Altinn) handleClientList(w http.ResponseWriter, r *http.Request, keep func(u *altinnSystemUser, orgNo string) bool) {
	p, ok := a.requirePerson(w, r, alScopeClientDelegRead)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	u, ok := a.agentFor(w, r, p, false)
	if !ok {
		return
	}
	var orgs []Org
	for _, o := range a.sortedOrgs() {
		if keep(u, o.OrgNo) {
			orgs = append(orgs, o)
		}
	}
	writeJSON(w, http.StatusOK, altinnClientList(u, orgs))
}

// handleDelegateClient delegates a client (by party UUID) to the agent.
func (a *Altinn) handleDelegateClient(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requirePerson(w, r, alScopeClientDelegWrite)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.agentFor(w, r, p, true)
	if !ok {
		return
	}
	clientID := r.URL.Query().Get("client")
	client, ok := a.resolveParty(clientID)
	if !ok {
		writeAltinnProblem(w, probCustomerIDNotFound, fmt.Sprintf("no party with uuid %s", clientID))
		return
	}
	if !a.clientAvailable(u, client.OrgNo) {
		writeAltinnProblem(w, probCustomerIDNotFound, fmt.Sprintf("%s %s is not a client of %s through the system user's access packages", client.Name, client.OrgNo, u.partyOrgNo))
		return
	}
	u.clients[client.OrgNo] = true
	writeJSON(w, http.StatusOK, map[string]string{"agent": u.id, "client": client.PartyUUID})
}

// handleRemoveClient removes a delegated client from the agent.
func (a *Altinn) handleRemoveClient(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requirePerson(w, r, alScopeClientDelegWrite)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.agentFor(w, r, p, true)
	if !ok {
		return
	}
	clientID := r.URL.Query().Get("client")
	client, ok := a.resolveParty(clientID)
	if !ok || !u.clients[client.OrgNo] {
		writeJSONType(w, altinnProblemJSON, http.StatusNotFound, altinnProblemBody{
			Type: "https://tools.ietf.org/html/rfc9110#section-15.5.5", Title: "Delegation not found", Status: http.StatusNotFound,
			Detail: fmt.Sprintf("No delegation found for customer %s and system user %s", clientID, u.id), TraceID: altinnTraceID(),
		})
		return
	}
	delete(u.clients, client.OrgNo)
	writeJSON(w, http.StatusOK, map[string]string{"agent": u.id, "client": client.PartyUUID})
}
