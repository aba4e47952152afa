package mock

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// routeRequests registers the routes of system user requests, vendor side:
// a standard request (rights) and an agent request (access packages) each
// have their own paths.
func (a *Altinn) routeRequests(m *http.ServeMux) {
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/vendor", a.handleCreateRequest(standardRequest))
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/vendor/agent", a.handleCreateRequest(agentRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/{requestId}", a.handleGetRequest(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/agent/{requestId}", a.handleGetRequest(agentRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/byexternalref/{systemId}/{orgNo}/{externalRef}", a.handleRequestByExternalRef(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/agent/byexternalref/{systemId}/{orgNo}/{externalRef}", a.handleRequestByExternalRef(agentRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/bysystem/{systemId}", a.handleRequestsBySystem(standardRequest))
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/agent/bysystem/{systemId}", a.handleRequestsBySystem(agentRequest))
	m.HandleFunc("DELETE /authentication/api/v1/systemuser/request/vendor/{requestId}", a.handleDeleteRequest)
	m.HandleFunc("GET /authentication/api/v1/systemuser/request/{requestId}", a.handleRequestByLocation)
}

// altinnCreateRequest is CreateRequestSystemUser, or, for the agent
// endpoint, CreateAgentRequestSystemUser (which has no rights).
type altinnCreateRequest struct {
	ExternalRef      string          `json:"externalRef"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	Rights           []altinnRight   `json:"rights"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
	RedirectURL      string          `json:"redirectUrl"`
	IntegrationTitle string          `json:"integrationTitle"`
}

// altinnRequestJSON is RequestSystemResponse (agent: AgentRequestSystemResponse,
// which has no rights).
type altinnRequestJSON struct {
	ID               string          `json:"id"`
	IntegrationTitle *string         `json:"integrationTitle"`
	ExternalRef      string          `json:"externalRef"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	Rights           *[]altinnRight  `json:"rights,omitempty"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
	Status           string          `json:"status"`
	RedirectURL      *string         `json:"redirectUrl"`
	ConfirmURL       string          `json:"confirmUrl"`
	Escalated        bool            `json:"escalated"`
	Created          string          `json:"created"`
}

// confirmURL is where the vendor sends the customer to approve the request.
func (a *Altinn) confirmURL(req *altinnRequest) string {
	page := "request"
	if req.agent {
		page = "agentrequest"
	}
	return a.cfg.URL + "accessmanagement/ui/systemuser/" + page + "?id=" + req.id + "&DONTCHOOSEREPORTEE=true"
}

// requestJSON renders a request. Callers hold a.mu.
func (a *Altinn) requestJSON(req *altinnRequest) altinnRequestJSON {
	out := altinnRequestJSON{
		ID: req.id, ExternalRef: req.externalRef, SystemID: req.systemID, PartyOrgNo: req.partyOrgNo,
		AccessPackages: altinnClonePackages(req.packages), Status: a.requestStatus(req),
		ConfirmURL: a.confirmURL(req), Created: req.created.UTC().Format(time.RFC3339Nano),
	}
	if req.integrationTitle != "" {
		t := req.integrationTitle
		out.IntegrationTitle = &t
	}
	if req.redirectURL != "" {
		u := req.redirectURL
		out.RedirectURL = &u
	}
	if !req.agent {
		rights := altinnCloneRights(req.rights)
		out.Rights = &rights
	}
	return out
}

// altinnRequestNotFound is the "no such request" problem of the kind.
func altinnRequestNotFound(agent bool) altinnProblem {
	if agent {
		return probAgentRequestNotFound
	}
	return probRequestNotFound
}

// vendorOrg authenticates a vendor token for the request API, answering
// AUTH-00023 when it names no organisation.
func (a *Altinn) vendorOrg(w http.ResponseWriter, r *http.Request, scopes ...string) (*altinnPrincipal, bool) {
	p, ok := a.requireOrg(w, r, scopes...)
	if !ok {
		return nil, false
	}
	if p.orgNo == "" {
		writeAltinnProblem(w, probVendorOrgNotInToken, "the token has no consumer claim with a 0192: org number")
		return nil, false
	}
	return p, true
}

// handleCreateRequest creates a standard or agent system user request (§4).
func (a *Altinn) handleCreateRequest(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.vendorOrg(w, r, alScopeRequestWrite)
		if !ok {
			return
		}
		var in altinnCreateRequest
		if !altinnDecodeBody(w, r, &in) {
			return
		}
		in.SystemID = strings.TrimSpace(in.SystemID)
		in.PartyOrgNo = strings.TrimSpace(in.PartyOrgNo)
		in.ExternalRef = strings.TrimSpace(in.ExternalRef)
		in.RedirectURL = strings.TrimSpace(in.RedirectURL)
		switch {
		case in.SystemID == "":
			writeAltinnModelProblem(w, "SystemId", "The SystemId field is required.")
			return
		case in.PartyOrgNo == "":
			writeAltinnModelProblem(w, "PartyOrgNo", "The PartyOrgNo field is required.")
			return
		}
		if in.ExternalRef == "" {
			in.ExternalRef = in.PartyOrgNo
		}
		if agent {
			in.Rights = nil
		}

		a.mu.Lock()
		defer a.mu.Unlock()
		if su := a.systemUserByTriple(in.SystemID, in.PartyOrgNo, in.ExternalRef); su != nil {
			writeAltinnProblem(w, probSystemUserExists, fmt.Sprintf("system user %s already exists for system %s, party %s and externalRef %q", su.id, in.SystemID, in.PartyOrgNo, in.ExternalRef))
			return
		}
		if old := a.requestByTriple(agent, in.SystemID, in.PartyOrgNo, in.ExternalRef); old != nil &&
			old.vendorOrgNo == p.orgNo && a.requestStatus(old) != reqStatusTimedout {
			writeJSON(w, http.StatusOK, a.requestJSON(old))
			return
		}
		sys := a.activeSystem(in.SystemID)
		if sys == nil || sys.vendorOrgNo != p.orgNo {
			writeAltinnProblem(w, probSystemIDNotFound, fmt.Sprintf("no system %s registered by %s", in.SystemID, p.orgNo))
			return
		}
		if _, ok := a.orgs[in.PartyOrgNo]; !ok {
			writeAltinnProblem(w, probReporteeNotFound, fmt.Sprintf("no organisation %s in the register", in.PartyOrgNo))
			return
		}
		if in.RedirectURL != "" {
			if prob, detail, bad := altinnRedirectProblem(in.RedirectURL, sys.redirectURLs); bad {
				writeAltinnProblem(w, prob, detail)
				return
			}
		}
		if prob, detail, bad := altinnRequestRightsProblem(agent, &in, sys); bad {
			writeAltinnProblem(w, prob, detail)
			return
		}
		req := &altinnRequest{
			id: altinnUUID(), agent: agent, systemID: sys.id, vendorOrgNo: sys.vendorOrgNo,
			partyOrgNo: in.PartyOrgNo, externalRef: in.ExternalRef, integrationTitle: in.IntegrationTitle,
			rights: altinnCloneRights(in.Rights), packages: altinnClonePackages(in.AccessPackages),
			redirectURL: in.RedirectURL, status: reqStatusNew, created: a.now().UTC(),
		}
		if req.integrationTitle == "" {
			req.integrationTitle = altinnLocalized(sys.name)
		}
		a.requests[req.id] = req
		w.Header().Set("Location", a.cfg.URL+"authentication/api/v1/systemuser/request/"+req.id)
		writeJSON(w, http.StatusCreated, a.requestJSON(req))
	}
}

// altinnRedirectProblem checks a request's redirectUrl against the system's
// allowed URLs, compared up to the path (query and fragment ignored), as
// AuthenticationHelper.ValidateRedirectUrl does.
func altinnRedirectProblem(redirect string, allowed []string) (altinnProblem, string, bool) {
	if len(allowed) == 0 {
		return probNoRedirectURIs, "the system has no allowedRedirectUrls", true
	}
	chosen, err := url.Parse(redirect)
	if err != nil || !chosen.IsAbs() {
		return probRedirectURINotFound, fmt.Sprintf("%q is not an absolute URL", redirect), true
	}
	for _, s := range allowed {
		if u, err := url.Parse(s); err == nil && altinnLeftOfPath(u) == altinnLeftOfPath(chosen) {
			return altinnProblem{}, "", false
		}
	}
	return probRedirectURINotFound, fmt.Sprintf("%s is not among the system's allowedRedirectUrls", redirect), true
}

func altinnLeftOfPath(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// altinnRequestRightsProblem checks that a request asks for part of what its
// system offers: rights and/or packages for a standard request, packages
// for an agent request.
func altinnRequestRightsProblem(agent bool, in *altinnCreateRequest, sys *altinnSystem) (altinnProblem, string, bool) {
	if agent {
		if len(in.AccessPackages) == 0 {
			return probPackagesInvalid, "an agent request must name at least one access package", true
		}
		if !altinnPackagesSubset(in.AccessPackages, sys.packages) {
			return probRightsNotFound, "the access packages are not all among the system's accessPackages", true
		}
		return altinnProblem{}, "", false
	}
	if len(in.Rights) == 0 && len(in.AccessPackages) == 0 {
		return probRightsNotFound, "a request must name at least one right or access package", true
	}
	if !altinnRightsSubset(in.Rights, sys.rights) {
		return probRightsNotFound, "the rights are not all among the system's rights", true
	}
	if !altinnPackagesSubset(in.AccessPackages, sys.packages) {
		return probRightsNotFound, "the access packages are not all among the system's accessPackages", true
	}
	return altinnProblem{}, "", false
}

// answerRequest answers one request (nil: not found) to its vendor; to any
// other org it is as if the system did not exist.
func (a *Altinn) answerRequest(w http.ResponseWriter, p *altinnPrincipal, agent bool, req *altinnRequest) {
	if req == nil {
		writeAltinnProblem(w, altinnRequestNotFound(agent), "")
		return
	}
	if req.vendorOrgNo != p.orgNo {
		writeAltinnProblem(w, probSystemIDNotFound, fmt.Sprintf("no system %s registered by %s", req.systemID, p.orgNo))
		return
	}
	writeJSON(w, http.StatusOK, a.requestJSON(req))
}

// handleGetRequest answers a request by id to its vendor.
func (a *Altinn) handleGetRequest(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.vendorOrg(w, r, alScopeRequestRead)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		req, ok := a.requests[r.PathValue("requestId")]
		if !ok || req.deleted || req.agent != agent {
			req = nil
		}
		a.answerRequest(w, p, agent, req)
	}
}

// handleRequestByExternalRef answers the newest request for (system,
// party, externalRef) to its vendor.
func (a *Altinn) handleRequestByExternalRef(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.vendorOrg(w, r, alScopeRequestRead)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		a.answerRequest(w, p, agent, a.requestByTriple(agent, r.PathValue("systemId"), r.PathValue("orgNo"), r.PathValue("externalRef")))
	}
}

// handleRequestsBySystem lists a system's requests to its vendor, in the
// paginated shape (one page: the mock has no continuation tokens).
func (a *Altinn) handleRequestsBySystem(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.vendorOrg(w, r, alScopeRequestRead)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		id := r.PathValue("systemId")
		sys, exists := a.systems[id]
		if !exists || sys.vendorOrgNo != p.orgNo {
			writeAltinnProblem(w, probSystemIDNotFound, fmt.Sprintf("no system %s registered by %s", id, p.orgNo))
			return
		}
		var reqs []*altinnRequest
		for _, req := range a.requests {
			if !req.deleted && req.agent == agent && req.systemID == id {
				reqs = append(reqs, req)
			}
		}
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].created.Before(reqs[j].created) })
		data := make([]altinnRequestJSON, 0, len(reqs))
		for _, req := range reqs {
			data = append(data, a.requestJSON(req))
		}
		writeJSON(w, http.StatusOK, map[string]any{"links": map[string]any{}, "data": data})
	}
}

// handleDeleteRequest deletes a request for its vendor (202 Accepted).
func (a *Altinn) handleDeleteRequest(w http.ResponseWriter, r *http.Request) {
	p, ok := a.vendorOrg(w, r, alScopeRequestWrite)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	req, ok := a.requests[r.PathValue("requestId")]
	if !ok || req.deleted || req.vendorOrgNo != p.orgNo {
		writeAltinnProblem(w, probRequestNotFound, "")
		return
	}
	req.deleted = true
	w.WriteHeader(http.StatusAccepted)
}

// handleRequestByLocation serves the Location of a created request: to its
// vendor, or to a person holding DAGL for the party.
func (a *Altinn) handleRequestByLocation(w http.ResponseWriter, r *http.Request) {
	p, reason, ok := a.authenticate(r)
	if !ok {
		writeBearerChallenge(w, reason)
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	req, exists := a.requests[r.PathValue("requestId")]
	if !exists || req.deleted {
		writeAltinnProblem(w, probRequestNotFound, "")
		return
	}
	switch {
	case p.pid != "" && p.fromAltinn:
		if !a.hasRole(p.pid, req.partyOrgNo, "DAGL") {
			writeAltinnProblem(w, probMissingRoleAccess, fmt.Sprintf("%s holds no DAGL role for %s", p.pid, req.partyOrgNo))
			return
		}
	case p.orgNo != "" && p.hasScope(alScopeRequestRead, alScopeRequestWrite):
		if req.vendorOrgNo != p.orgNo {
			writeAltinnProblem(w, probRequestNotFound, "")
			return
		}
	default:
		writeAltinnStatus(w, http.StatusForbidden, "the token is neither the vendor's (with "+alScopeRequestRead+") nor a person's")
		return
	}
	writeJSON(w, http.StatusOK, a.requestJSON(req))
}

// altinnRequest is a system user request (§4), standard or agent.
type altinnRequest struct {
	id               string
	agent            bool
	systemID         string
	vendorOrgNo      string
	partyOrgNo       string
	externalRef      string
	integrationTitle string
	rights           []altinnRight
	packages         []altinnPackage
	redirectURL      string
	status           string // New, Accepted, Rejected, Denied (Timedout is derived)
	created          time.Time
	deleted          bool
}

// Request statuses (RequestStatus.cs).
const (
	reqStatusNew      = "New"
	reqStatusAccepted = "Accepted"
	reqStatusRejected = "Rejected"
	reqStatusTimedout = "Timedout"
	// Denied is the fifth status; the mock never sets it (Altinn uses it
	// when a delegation check fails at approval).
)

// altinnRequestTimeout is how long a request stays open (REQUEST_TIMEOUT_DAYS).
const altinnRequestTimeout = 180 * 24 * time.Hour

// requestStatus is the request's status as the API shows it: an open
// request older than the timeout has timed out.
func (a *Altinn) requestStatus(r *altinnRequest) string {
	if r.status == reqStatusNew && a.now().Sub(r.created) > altinnRequestTimeout {
		return reqStatusTimedout
	}
	return r.status
}

// requestByTriple is the newest live request of that kind for (system,
// party, externalRef).
func (a *Altinn) requestByTriple(agent bool, systemID, partyOrgNo, externalRef string) *altinnRequest {
	var best *altinnRequest
	for _, r := range a.requests {
		if r.deleted || r.agent != agent || r.systemID != systemID || r.partyOrgNo != partyOrgNo || r.externalRef != externalRef {
			continue
		}
		if best == nil || r.created.After(best.created) {
			best = r
		}
	}
	return best
}
