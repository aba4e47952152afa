package mock

import (
	"fmt"
	"net/http"
	"sort"
)

// routeDelegation registers the routes of client delegation: the client
// administrator's API for agent system users.
func (a *Altinn) routeDelegation(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/enduser/systemuser/agents", a.handleAgents)
	m.HandleFunc("GET /authentication/api/v1/enduser/systemuser/clients/available", a.handleAvailableClients)
	m.HandleFunc("GET /authentication/api/v1/enduser/systemuser/clients", a.handleDelegatedClients)
	m.HandleFunc("POST /authentication/api/v1/enduser/systemuser/clients", a.handleDelegateClient)
	m.HandleFunc("DELETE /authentication/api/v1/enduser/systemuser/clients", a.handleRemoveClient)
}

// altinnClientRoleOf maps the access packages that work through client
// delegation to the Enhetsregisteret role the facilitator must hold for the
// client (PartiesClient.cs).
var altinnClientRoleOf = map[string]string{
	altinnPackagePrefix + "ansvarlig-revisor":                       "REVI",
	altinnPackagePrefix + "revisormedarbeider":                      "REVI",
	altinnPackagePrefix + "regnskapsforer-med-signeringsrettighet":  "REGN",
	altinnPackagePrefix + "regnskapsforer-uten-signeringsrettighet": "REGN",
	altinnPackagePrefix + "regnskapsforer-lonn":                     "REGN",
	altinnPackagePrefix + "forretningsforer-eiendom":                "FFOR",
}

// clientAvailable tells whether the agent system user's owner holds, for
// client, a role that one of the user's access packages maps to.
func (a *Altinn) clientAvailable(u *altinnSystemUser, clientOrgNo string) bool {
	return a.clientPackages(u, clientOrgNo) > 0
}

// clientPackages counts the agent system user's access packages that the
// owner holds, for the client, the role of: how many of its packages the
// client relation gives.
func (a *Altinn) clientPackages(u *altinnSystemUser, clientOrgNo string) int {
	if clientOrgNo == u.partyOrgNo {
		return 0
	}
	n := 0
	for _, p := range u.packages {
		if role, ok := altinnClientRoleOf[p.URN]; ok && a.hasRole(u.partyOrgNo, clientOrgNo, role) {
			n++
		}
	}
	return n
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
		writeAltinnProblem(w, probReporteeNotFound)
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

// altinnClientPage is ClientInfoPaginated (src/Authentication/Model/
// ClientInfoPaginated.cs): the record's own keys links and
// systemUserInformation, then data from its base ListObject. The derived
// record's keys come first, as in Paginated, whose links-before-data order
// Altinn's tt02 test relies on (SystemIntegrationTests/Tests/SystemUserTests.cs
// L530-541).
type altinnClientPage struct {
	Links                 map[string]string  `json:"links"`
	SystemUserInformation map[string]string  `json:"systemUserInformation"`
	Data                  []altinnClientInfo `json:"data"`
}

// altinnClientList renders ClientInfoPaginated for the agent.
func altinnClientList(u *altinnSystemUser, orgs []Org) altinnClientPage {
	data := make([]altinnClientInfo, 0, len(orgs))
	for _, o := range orgs {
		data = append(data, altinnClientInfo{ClientID: o.PartyUUID, ClientOrganizationNumber: o.OrgNo, ClientOrganizationName: o.Name})
	}
	return altinnClientPage{
		Links:                 map[string]string{},
		SystemUserInformation: map[string]string{"systemUserId": u.id, "systemUserOwnerOrg": u.partyOrgNo},
		Data:                  data,
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
	// SystemUserService.DelegateToAgentSystemUser L831-947: an agent
	// without packages is AUTH-00063; a client that is not among the
	// facilitator's clients for the packages is AUTH-00079; one that lacks
	// some of them is AUTH-00080.
	if len(u.packages) == 0 {
		writeAltinnProblem(w, probPackageNotFound)
		return
	}
	client, ok := a.resolveParty(r.URL.Query().Get("client"))
	covered := 0
	if ok {
		covered = a.clientPackages(u, client.OrgNo)
	}
	switch {
	case covered == 0:
		writeAltinnProblem(w, probClientNotFound)
		return
	case covered < len(u.packages):
		writeAltinnProblem(w, probClientLacksPackages)
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
