package mock

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
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
// which has no rights), keys in their declaration order; nulls are left out,
// as AuthenticationHost.cs L76-80 sets DefaultIgnoreCondition = WhenWritingNull,
// while the bools timedOut and escalated are always there
// (src/Core/Models/SystemUsers/RequestSystemResponse.cs, AgentRequestSystemResponse.cs).
type altinnRequestJSON struct {
	ID               string          `json:"id"`
	IntegrationTitle string          `json:"integrationTitle,omitempty"`
	ExternalRef      string          `json:"externalRef"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	Rights           *[]altinnRight  `json:"rights,omitempty"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
	Status           string          `json:"status"`
	RedirectURL      string          `json:"redirectUrl,omitempty"`
	ConfirmURL       string          `json:"confirmUrl,omitempty"`
	Escalated        bool            `json:"escalated"`
	Created          string          `json:"created"`
	TimedOut         bool            `json:"timedOut"`
}

// confirmURL is where the vendor sends the customer to approve the request.
func (a *Altinn) confirmURL(req *altinnRequest) string {
	page := "request"
	if req.agent {
		page = "agentrequest"
	}
	return a.cfg.URL + "accessmanagement/ui/systemuser/" + page + "?id=" + req.id + "&DONTCHOOSEREPORTEE=true"
}

// requestJSON renders a request as the vendor endpoints answer it, with its
// confirmUrl. Callers hold a.mu.
func (a *Altinn) requestJSON(req *altinnRequest) altinnRequestJSON {
	out := altinnRequestJSON{
		ID: req.id, IntegrationTitle: req.integrationTitle, ExternalRef: req.externalRef, SystemID: req.systemID,
		PartyOrgNo: req.partyOrgNo, AccessPackages: altinnClonePackages(req.packages), Status: req.status,
		RedirectURL: req.redirectURL, ConfirmURL: a.confirmURL(req), Escalated: req.escalated,
		Created: req.created.UTC().Format(time.RFC3339Nano), TimedOut: a.timedOut(req),
	}
	if !req.agent {
		rights := altinnCloneRights(req.rights)
		out.Rights = &rights
	}
	return out
}

// timedOut is the request's timedOut flag: set on a request older than
// REQUEST_TIMEOUT_DAYS (180) when it is read, its status left as it is
// (RequestRepository.cs L23, L471-476 and L514-519). Nothing in Altinn
// writes the status Timedout (spec Corrections 4).
func (a *Altinn) timedOut(req *altinnRequest) bool {
	return req.created.Before(a.now().Add(-altinnRequestTimeout))
}

// altinnRequestNotFound is the "no such request" problem of the portal's
// approve path: AUTH-00030 for an agent request (RequestSystemUserService.cs
// ApproveAndCreateAgentSystemUser L568-572), else AUTH-00010. The vendor
// endpoints answer AUTH-00010 for both kinds (answerRequest).
func altinnRequestNotFound(agent bool) altinnProblem {
	if agent {
		return probAgentRequestNotFound
	}
	return probRequestNotFound
}

// vendorOrg authenticates a vendor token for the request API, answering
// AUTH-00023 when it names no organisation (RequestSystemUserController.cs
// CreateRequest L103-107).
func (a *Altinn) vendorOrg(w http.ResponseWriter, r *http.Request, scopes ...string) (*altinnPrincipal, bool) {
	p, ok := a.requireOrg(w, r, scopes...)
	if !ok {
		return nil, false
	}
	if p.orgNo == "" {
		writeAltinnProblem(w, probVendorOrgNotInToken)
		return nil, false
	}
	return p, true
}

// handleCreateRequest creates a standard or agent system user request (§4),
// in the order of RequestSystemUserController.CreateRequest /
// CreateAgentRequest (L97-194) and RequestSystemUserService.CreateRequest /
// CreateAgentRequest (L50-240).
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
		case agent && in.AccessPackages == nil:
			// [Required] on CreateAgentRequestSystemUser.AccessPackages
			// (CreateAgentRequestSystemUser.cs L48-50): a missing or null list
			// fails model binding; only [] reaches AUTH-00058.
			writeAltinnModelProblem(w, "AccessPackages", "The AccessPackages field is required.")
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
			writeAltinnProblem(w, probSystemUserExists)
			return
		}
		// An existing request for the triple comes back with 200, whatever
		// its status and age: the controller's check against Timedout (L124,
		// L177) never holds, as no code writes that status.
		if old := a.requestByTriple(agent, in.SystemID, in.PartyOrgNo, in.ExternalRef); old != nil && old.vendorOrgNo == p.orgNo {
			writeJSON(w, http.StatusOK, a.requestJSON(old))
			return
		}
		sys := a.activeSystem(in.SystemID)
		if sys == nil || sys.vendorOrgNo != p.orgNo {
			writeAltinnProblem(w, probSystemIDNotFound)
			return
		}
		if _, ok := a.orgs[in.PartyOrgNo]; !ok {
			writeAltinnProblem(w, probReporteeNotFound)
			return
		}
		if in.RedirectURL != "" {
			if prob, bad := altinnRedirectProblem(in.RedirectURL, sys.redirectURLs); bad {
				writeAltinnProblem(w, prob)
				return
			}
		}
		if prob, key, urns := altinnRequestRightsProblem(agent, &in, sys); prob.code != "" {
			writeAltinnProblemExt(w, prob, key, strings.Join(urns, ", "))
			return
		}
		req := &altinnRequest{
			id: client.NewUUID(), agent: agent, systemID: sys.id, vendorOrgNo: sys.vendorOrgNo,
			partyOrgNo: in.PartyOrgNo, externalRef: in.ExternalRef, integrationTitle: in.IntegrationTitle,
			rights: altinnCloneRights(in.Rights), packages: altinnClonePackages(in.AccessPackages),
			redirectURL: in.RedirectURL, status: reqStatusNew, created: a.now().UTC(),
		}
		if req.integrationTitle == "" {
			req.integrationTitle = altinnLocalized(sys.name)
		}
		a.addRequest(req)
		// Location is the portal's read of the request, for agent requests too
		// (CREATEDURIMIDSECTION, L135-137 and L188).
		w.Header().Set("Location", a.cfg.URL+"authentication/api/v1/systemuser/request/"+req.id)
		writeJSON(w, http.StatusCreated, a.requestJSON(req))
	}
}

// altinnRedirectProblem checks a request's redirectUrl against the system's
// allowed URLs, compared up to the path (query and fragment ignored), as
// AuthenticationHelper.ValidateRedirectUrl does (L680-699).
func altinnRedirectProblem(redirect string, allowed []string) (altinnProblem, bool) {
	if len(allowed) == 0 {
		return probNoRedirectURIs, true
	}
	chosen, err := url.Parse(redirect)
	if err != nil || !chosen.IsAbs() {
		return probRedirectURINotFound, true
	}
	for _, s := range allowed {
		if u, err := url.Parse(s); err == nil && altinnLeftOfPath(u) == altinnLeftOfPath(chosen) {
			return altinnProblem{}, false
		}
	}
	return probRedirectURINotFound, true
}

func altinnLeftOfPath(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// altinnRequestRightsProblem checks what a request asks for against its
// system, in RequestSystemUserService's order: for a standard request
// rights and packages both missing is AUTH-00001 (L93-96), both empty
// AUTH-00059 (L98-114), then the rights (AUTH-00001, ValidateRights) and the
// packages; an agent request needs at least one package (AUTH-00058,
// L209-212). It returns the problem (code "" when none) and, for AUTH-00063
// to 00065, the extension key and the URNs it names.
func altinnRequestRightsProblem(agent bool, in *altinnCreateRequest, sys *altinnSystem) (altinnProblem, string, []string) {
	if agent {
		if len(in.AccessPackages) == 0 {
			return probMissingPackage, "", nil
		}
		return altinnPackagesProblem(in.AccessPackages, sys, true)
	}
	if in.Rights == nil && in.AccessPackages == nil {
		return probRightsNotFound, "", nil
	}
	if len(in.Rights) == 0 && len(in.AccessPackages) == 0 {
		return probMissingRightsOrPkgs, "", nil
	}
	if len(in.Rights) > 0 && !altinnRightsSubset(in.Rights, sys.rights) {
		return probRightsNotFound, "", nil
	}
	if len(in.AccessPackages) > 0 {
		return altinnPackagesProblem(in.AccessPackages, sys, false)
	}
	return altinnProblem{}, "", nil
}

// altinnPackagesProblem is SystemUserService.ValidateAccessPackages
// (L682-757): a system with fewer packages than asked for is AUTH-00063
// without extension; a package not on the system is AUTH-00063 naming it
// (NotFoundPackages); one that cannot be given is AUTH-00064 for a standard
// request (not isAssignable) or AUTH-00065 for an agent request (not
// isDelegable), naming it (NotDelegablePackages).
func altinnPackagesProblem(want []altinnPackage, sys *altinnSystem, agent bool) (altinnProblem, string, []string) {
	if len(sys.packages) < len(want) {
		return probPackageNotFound, "", nil
	}
	var notFound, notDelegable []string
	for _, p := range want {
		switch {
		case !altinnPackagesSubset([]altinnPackage{p}, sys.packages):
			notFound = append(notFound, p.URN)
		case agent && !altinnPackageDelegable(p.URN), !agent && !altinnPackageAssignable(p.URN):
			notDelegable = append(notDelegable, p.URN)
		}
	}
	switch {
	case len(notFound) > 0:
		return probPackageNotFound, "NotFoundPackages", notFound
	case len(notDelegable) > 0 && agent:
		return probPackageNotDelegAgent, "NotDelegablePackages", notDelegable
	case len(notDelegable) > 0:
		return probPackageNotDelegStd, "NotDelegablePackages", notDelegable
	}
	return altinnProblem{}, "", nil
}

// answerRequest answers one request (nil: not found, AUTH-00010 for the
// standard and the agent endpoints alike, RequestSystemUserService.cs
// L340-343, L370-374, L401-405, L856-861) to its vendor; to another vendor
// it is as if the system did not exist (AUTH-00011, L376-380, L412-416).
func (a *Altinn) answerRequest(w http.ResponseWriter, p *altinnPrincipal, req *altinnRequest) {
	if req == nil {
		writeAltinnProblem(w, probRequestNotFound)
		return
	}
	if req.vendorOrgNo != p.orgNo {
		writeAltinnProblem(w, probSystemIDNotFound)
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
		id, ok := altinnRequestID(w, r)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		req := a.requests[id]
		if req != nil && (req.deleted || req.agent != agent) {
			req = nil
		}
		a.answerRequest(w, p, req)
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
		a.answerRequest(w, p, a.requestByTriple(agent, r.PathValue("systemId"), r.PathValue("orgNo"), r.PathValue("externalRef")))
	}
}

// handleRequestsBySystem lists a system's requests of the kind to its
// vendor, a page at a time (altinn_paging.go), by id as the repository
// orders them (RequestRepository.cs GetAllRequestsBySystem L525-564: ORDER
// BY id), every status, the items without confirmUrl
// (RequestSystemUserService.cs L756-815; the controller RSUC L545-636).
func (a *Altinn) handleRequestsBySystem(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.vendorOrg(w, r, alScopeRequestRead)
		if !ok {
			return
		}
		var from string
		given, ok := altinnPageToken(w, r, &from)
		if !ok {
			return
		}
		a.mu.RLock()
		defer a.mu.RUnlock()
		sys, ok := a.vendorSystem(w, r, p.orgNo)
		if !ok {
			return
		}
		var reqs []*altinnRequest
		for _, req := range a.requestsBySys[sys.id] {
			if !req.deleted && req.agent == agent {
				reqs = append(reqs, req)
			}
		}
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].id < reqs[j].id })
		items, next, more := paginate(reqs, func(*altinnRequest) bool { return true },
			func(q *altinnRequest) string { return q.id }, func(x, y string) bool { return x < y },
			strings.ToLower(from), given, a.size())
		writeAltinnPage(a, w, r, items, a.portalRequestJSON, next, more)
	}
}

// handleDeleteRequest deletes a request (202 Accepted, no body). As the
// real one it checks the write scope only: no owner, no kind
// (RequestSystemUserController.cs L748-759, RequestRepository.cs L689-712),
// so any vendor may delete any live request; an unknown or already deleted
// id is 404 AUTH-00010 (RequestSystemUserService.DeleteRequestByRequestId
// L818-827).
func (a *Altinn) handleDeleteRequest(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.vendorOrg(w, r, alScopeRequestWrite); !ok {
		return
	}
	id, ok := altinnRequestID(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	req := a.requests[id]
	if req == nil || req.deleted {
		writeAltinnProblem(w, probRequestNotFound)
		return
	}
	req.deleted = true
	w.WriteHeader(http.StatusAccepted)
}

// altinnRequestID reads the {requestId} of the path as ASP.NET binds a Guid
// route value (no route constraint, RequestSystemUserController.cs L220),
// answering model binding's 400 when it is not one.
func altinnRequestID(w http.ResponseWriter, r *http.Request) (string, bool) {
	return altinnGUIDParam(w, r, "requestId")
}

// altinnParseGUID reads a GUID the way .NET's Guid.Parse does for the
// forms a client sends: 32 hex digits, dashed (D) or not (N), optionally in
// braces (B) or parentheses (P), any case. It returns the lower-case dashed
// form the mock stores ids in. Altinn's own tt02 helper sends ids in braces
// (SystemIntegrationTests/Tests/SystemUserTests.cs L483-487). The X form
// ({0x...,...}) is not read.
func altinnParseGUID(s string) (string, bool) {
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", false
	}
	s = strings.ToLower(s)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:], true
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
	status           string // New, Accepted or Rejected
	escalated        bool   // a person without the right to approve passed it on (altinn_requests_portal.go)
	created          time.Time
	deleted          bool
}

// Request statuses as they are written (RequestStatus.cs; Denied and
// Timedout are in the enum too, but no code writes them).
const (
	reqStatusNew      = "New"
	reqStatusAccepted = "Accepted"
	reqStatusRejected = "Rejected"
)

// altinnRequestTimeout is the age after which a request reads timedOut
// (REQUEST_TIMEOUT_DAYS, RequestRepository.cs L23).
const altinnRequestTimeout = 180 * 24 * time.Hour
