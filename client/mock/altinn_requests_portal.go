package mock

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

// The portal's side of system user requests: the reads the access
// management UI makes for the person, the lists of pending requests, and
// the escalation of a request the person may not approve. Sources:
// Altinn/altinn-authentication at ad4f6f3,
// src/Authentication/Controllers/RequestSystemUserController.cs (RSUC),
// src/Authentication/Services/RequestSystemUserService.cs (RSUS),
// src/Persistance/RepositoryImplementations/RequestRepository.cs (RR).
// (The approve and reject are in altinn_portal.go.)

// routeRequestsPortal registers the portal's request routes.
func (a *Altinn) routeRequestsPortal(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/{requestId}", a.handleRequestByLocation(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/agent/{requestId}", a.handleRequestByLocation(agentRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/{party}/{requestId}", a.handlePartyRequest(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/agent/{party}/{requestId}", a.handlePartyRequest(agentRequest))
	// request/{party}/{orgno}/pending and request/vendor/bysystem/{systemId}
	// both match .../vendor/bysystem/pending, and Go's ServeMux refuses two
	// patterns of which neither is the more specific; ASP.NET takes the
	// literal segments first, as the mux does with this pattern, which is
	// less specific than the vendor's.
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/{party}/{orgno}/{list}", a.handlePending(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/agent/{party}/{orgno}/pending", a.handlePending(agentRequest))
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/{party}/{requestId}/escalate", a.handleEscalate)
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/agent/{party}/{requestId}/escalate", a.handleEscalate)
}

// altinnRequestPortalJSON is RequestSystemResponseInternal, the portal's view
// of a request (src/Core/Models/SystemUsers/RequestSystemResponseInternal.cs,
// filled by RSUS CheckUserAuthorizationAndGetRequest L956-987 and
// CheckUserAuthorizationAndGetAgentRequest L873-905): the party's id and
// uuid, no confirmUrl, no timedOut; an agent request's rights are [] and
// its systemUserType "Agent" (the enum's name).
type altinnRequestPortalJSON struct {
	ID                           string          `json:"id"`
	ExternalRef                  string          `json:"externalRef"`
	SystemID                     string          `json:"systemId"`
	PartyOrgNo                   string          `json:"partyOrgNo"`
	PartyID                      int             `json:"partyId"`
	PartyUUID                    string          `json:"partyUuid"`
	Rights                       []altinnRight   `json:"rights"`
	AccessPackages               []altinnPackage `json:"accessPackages"`
	Status                       string          `json:"status"`
	RedirectURL                  string          `json:"redirectUrl,omitempty"`
	Escalated                    bool            `json:"escalated"`
	UserMayEscalateButNotApprove bool            `json:"userMayEscalateButNotApprove"`
	Created                      string          `json:"created"`
	SystemUserType               string          `json:"systemUserType,omitempty"`
}

// handleRequestByLocation serves the Location of a created request (and
// the agent one's portal read), which is the portal's read: it takes the
// portal scope only (POLICY_SCOPE_PORTAL, RSUC L381-392, L417-428), so a
// vendor's Maskinporten token gets 403 and the vendor reads vendor/{id}. A
// person holding DAGL for the party stands in for the PDP's permit of write
// on altinn_access_management; one with another role for it (the
// person's reportee list) reads it with userMayEscalateButNotApprove; anyone
// else gets AUTH-00066 (RSUS ValidateAndVerifyRequest L907-953). A request
// of the other kind is AUTH-00010.
func (a *Altinn) handleRequestByLocation(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.requirePerson(w, r, alScopePortal)
		if !ok {
			return
		}
		id, ok := altinnRequestID(w, r)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		req := a.requests[id]
		if req == nil || req.deleted || req.agent != agent {
			writeAltinnProblem(w, probRequestNotFound)
			return
		}
		party, known := a.orgs[req.partyOrgNo]
		if !known {
			writeAltinnProblem(w, probReporteeNotFound)
			return
		}
		escalateOnly := !a.hasRole(p.pid, req.partyOrgNo, "DAGL")
		if escalateOnly && len(a.rolesFor(req.partyOrgNo)[p.pid]) == 0 {
			writeAltinnProblem(w, probNotAccessManager)
			return
		}
		out := altinnRequestPortalJSON{
			ID: req.id, ExternalRef: req.externalRef, SystemID: req.systemID, PartyOrgNo: req.partyOrgNo,
			PartyID: party.PartyID, PartyUUID: party.PartyUUID, Rights: altinnCloneRights(req.rights),
			AccessPackages: altinnClonePackages(req.packages), Status: req.status, RedirectURL: req.redirectURL,
			Escalated: req.escalated, UserMayEscalateButNotApprove: escalateOnly,
			Created: req.created.UTC().Format(time.RFC3339Nano),
		}
		if agent {
			out.SystemUserType = "Agent"
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// portalRequestJSON is a request as the portal's party reads and lists
// answer it, and the vendor's list of a system's requests: the vendor's
// JSON without confirmUrl.
func (a *Altinn) portalRequestJSON(req *altinnRequest) altinnRequestJSON {
	j := a.requestJSON(req)
	j.ConfirmURL = ""
	return j
}

// handlePartyRequest is the portal's read of a request for a party (RSUS
// GetRequestByPartyAndRequestId L451-485, the agent one L488-521): the PDP
// policy on {party} (DAGL stands in), AUTH-00010 for a request that is
// not found or not the party's, and escalated and timedOut false whatever
// they are, as the service does not copy them.
func (a *Altinn) handlePartyRequest(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		party, unlock, ok := a.lockPortalParty(w, r, false)
		if !ok {
			return
		}
		defer unlock()
		id, ok := altinnRequestID(w, r)
		if !ok {
			return
		}
		req := a.requests[id]
		if req == nil || req.deleted || req.agent != agent || req.partyOrgNo != party.OrgNo {
			writeAltinnProblem(w, probRequestNotFound)
			return
		}
		j := a.portalRequestJSON(req)
		j.Escalated, j.TimedOut = false, false
		writeJSON(w, http.StatusOK, j)
	}
}

// handlePending lists the requests of the kind waiting for orgno: the
// standard ones with status New (RR GetAllPendingStandardRequests
// L567-605), the agent ones New and escalated (L648-686), unpaginated. The
// policies are the portal scope and the PDP's write on {party}; orgno is
// not checked against the party (RSUC L671-716).
func (a *Altinn) handlePending(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if list := r.PathValue("list"); !agent && list != "pending" {
			writeAltinnStatus(w, http.StatusNotFound, "")
			return
		}
		p, ok := a.requirePerson(w, r, alScopePortal)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		if _, ok := a.portalParty(w, r, p); !ok {
			return
		}
		orgNo := r.PathValue("orgno")
		var reqs []*altinnRequest
		for _, req := range a.requests {
			if !req.deleted && req.agent == agent && req.partyOrgNo == orgNo && req.status == reqStatusNew && (!agent || req.escalated) {
				reqs = append(reqs, req)
			}
		}
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].created.Before(reqs[j].created) })
		out := make([]altinnRequestJSON, 0, len(reqs))
		for _, req := range reqs {
			out = append(out, a.portalRequestJSON(req))
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// handleEscalate passes a request on to those who may approve it (RSUS
// EscalateApprovalSystemUser L1029-1050; the agent route calls the same):
// the portal scope only; when the person's reportee list holds {party}
// (the mock: any role for it) the request with that id is marked escalated,
// whatever its kind, status, or party (RR SetRequestEscalated L376-405 has
// no other filter), 200 true, or false when there is no such request;
// otherwise 200 false. It never fails for an unknown request.
func (a *Altinn) handleEscalate(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requirePerson(w, r, alScopePortal)
	if !ok {
		return
	}
	id, ok := altinnRequestID(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	partyID, err := strconv.Atoi(r.PathValue("party"))
	orgNo, known := a.orgByParty[partyID]
	if err != nil || !known || len(a.rolesFor(orgNo)[p.pid]) == 0 {
		writeJSON(w, http.StatusOK, false)
		return
	}
	req := a.requests[id]
	if req == nil {
		writeJSON(w, http.StatusOK, false)
		return
	}
	req.escalated = true
	writeJSON(w, http.StatusOK, true)
}
