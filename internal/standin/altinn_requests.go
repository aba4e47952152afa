package standin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The vendor's system user request routes (AUTHN src/Authentication/
// Controllers/RequestSystemUserController.cs, route
// authentication/api/v1/systemuser/request).
const (
	reqBase                   = apiBase + "systemuser/request/"
	RouteRequestCreate        = "POST " + reqBase + "vendor"
	RouteAgentRequestCreate   = "POST " + reqBase + "vendor/agent"
	RouteRequestGet           = "GET " + reqBase + "vendor/{id}"
	RouteAgentRequestGet      = "GET " + reqBase + "vendor/agent/{id}"
	RouteRequestByExtRef      = "GET " + reqBase + "vendor/byexternalref/{systemId}/{orgNo}/{externalRef}"
	RouteAgentRequestByExtRef = "GET " + reqBase + "vendor/agent/byexternalref/{systemId}/{orgNo}/{externalRef}"
	RouteRequestBySystem      = "GET " + reqBase + "vendor/bysystem/{systemId}"
	RouteAgentRequestBySystem = "GET " + reqBase + "vendor/agent/bysystem/{systemId}"
	RouteRequestDelete        = "DELETE " + reqBase + "vendor/{id}"
	// The Location target and its agent twin are the portal's reads
	// (POLICY_SCOPE_PORTAL, controller L381-392, L417-428): a vendor's
	// token gets 403 there (spec Corrections 6).
	RoutePortalRequestGet      = "GET " + reqBase + "{requestId}"
	RoutePortalAgentRequestGet = "GET " + reqBase + "agent/{requestId}"
	// requestTimeout is RequestRepository.REQUEST_TIMEOUT_DAYS (L23): older
	// requests read timedOut true, their status unchanged (spec
	// Corrections 4).
	requestTimeout = 180 * 24 * time.Hour
)

// createRequestBody is CreateRequestSystemUser / CreateAgentRequestSystemUser
// (AUTHN src/Core/Models/SystemUsers/): systemId and partyOrgNo required.
type createRequestBody struct {
	IntegrationTitle *string          `json:"integrationTitle"`
	ExternalRef      *string          `json:"externalRef"`
	SystemID         string           `json:"systemId"`
	PartyOrgNo       string           `json:"partyOrgNo"`
	Rights           *[]right         `json:"rights"`
	Packages         *[]accessPackage `json:"accessPackages"`
	RedirectURL      *string          `json:"redirectUrl"`
}

// requestWire is RequestSystemResponse (standard, with rights) or
// AgentRequestSystemResponse (agent, without) on the wire, keys in their
// declaration order, nulls omitted (AUTHN AuthenticationHost.cs L76-80).
type requestWire struct {
	ID               string          `json:"id"`
	IntegrationTitle *string         `json:"integrationTitle,omitempty"`
	ExternalRef      string          `json:"externalRef"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	Rights           *[]right        `json:"rights,omitempty"`
	Packages         []accessPackage `json:"accessPackages"`
	Status           string          `json:"status"`
	RedirectURL      string          `json:"redirectUrl,omitempty"`
	ConfirmURL       string          `json:"confirmUrl"`
	Escalated        bool            `json:"escalated"`
	Created          string          `json:"created"`
	TimedOut         bool            `json:"timedOut"`
}

func (w *World) requestRoutes(mux *http.ServeMux) {
	w.handle(mux, RouteRequestCreate, func(rw http.ResponseWriter, r *http.Request) { w.createRequest(rw, r, false) })
	w.handle(mux, RouteAgentRequestCreate, func(rw http.ResponseWriter, r *http.Request) { w.createRequest(rw, r, true) })
	w.handle(mux, RouteRequestGet, func(rw http.ResponseWriter, r *http.Request) { w.getRequest(rw, r, false) })
	w.handle(mux, RouteAgentRequestGet, func(rw http.ResponseWriter, r *http.Request) { w.getRequest(rw, r, true) })
	w.handle(mux, RouteRequestByExtRef, func(rw http.ResponseWriter, r *http.Request) { w.getRequest(rw, r, false) })
	w.handle(mux, RouteAgentRequestByExtRef, func(rw http.ResponseWriter, r *http.Request) { w.getRequest(rw, r, true) })
	w.handle(mux, RouteRequestBySystem, func(rw http.ResponseWriter, r *http.Request) { w.listRequests(rw, r, false) })
	w.handle(mux, RouteAgentRequestBySystem, func(rw http.ResponseWriter, r *http.Request) { w.listRequests(rw, r, true) })
	w.handle(mux, RouteRequestDelete, w.deleteRequest)
	portal := func(rw http.ResponseWriter, r *http.Request) { w.authorize(rw, r, "altinn:portal/enduser") }
	w.handle(mux, RoutePortalRequestGet, portal)
	w.handle(mux, RoutePortalAgentRequestGet, portal)
}

func (w *World) confirmURL(id string, agent bool) string {
	page := "/accessmanagement/ui/systemuser/request?id="
	if agent {
		page = "/accessmanagement/ui/systemuser/agentrequest?id="
	}
	return "https://am.ui." + w.opts.HostName + page + id + "&DONTCHOOSEREPORTEE=true" // controller L57-77
}

// wireRequest is a stored request as the reads give it back: the
// repository's created time, integration_title never null (L452-454).
func (w *World) wireRequest(x *request, now time.Time) requestWire {
	title := x.title
	out := requestWire{ID: x.id, IntegrationTitle: &title, ExternalRef: x.externalRef, SystemID: x.systemID,
		PartyOrgNo: x.partyOrgNo, Packages: x.packages, Status: x.status, RedirectURL: x.redirectURL,
		ConfirmURL: w.confirmURL(x.id, x.agent), Escalated: x.escalated, Created: dotnetTime(x.created),
		TimedOut: x.created.Before(now.Add(-requestTimeout))}
	if !x.agent {
		rights := x.rights
		out.Rights = &rights
	}
	return out
}

// dotnetTime is how System.Text.Json writes a UTC DateTime from the
// database: microseconds at most, trailing zeros cut, Z.
func dotnetTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.9999999Z07:00")
}

// createRequest is CreateRequest / CreateAgentRequest (controller L97-194)
// with RequestSystemUserService.CreateRequest / CreateAgentRequest (L50-249).
func (w *World) createRequest(rw http.ResponseWriter, r *http.Request, agent bool) {
	c, ok := w.authorize(rw, r, scopeRequestWrite)
	if !ok {
		return
	}
	var in createRequestBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.SystemID) == "" || strings.TrimSpace(in.PartyOrgNo) == "" ||
		(agent && in.Packages == nil) {
		writeModelProblem(rw, "$", "The request body is not a valid "+map[bool]string{false: "CreateRequestSystemUser", true: "CreateAgentRequestSystemUser"}[agent]+".")
		return
	}
	trimBody(&in)
	if c.vendorOrgNo == "" {
		writeProblem(rw, probVendorNotInToken)
		return
	}
	ref := in.PartyOrgNo // ExternalRef ?? PartyOrgNo: only null defaults here
	if in.ExternalRef != nil {
		ref = *in.ExternalRef
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.userByRef(in.SystemID, in.PartyOrgNo, ref) != nil {
		writeProblem(rw, probSystemUserExists) // L116-120
		return
	}
	// An existing request for the triple comes back with 200, whatever its
	// status; only Timedout, which nothing writes, is passed over (L122-128,
	// spec Corrections 4).
	if x := w.state.requestByRef(in.SystemID, in.PartyOrgNo, ref, agent); x != nil {
		if s := w.state.system(x.systemID); s != nil && s.vendorOrgNo == c.vendorOrgNo {
			writeJSON(rw, http.StatusOK, w.wireRequest(x, now))
			return
		}
	}
	x, p, ext := w.validateRequest(in, c.vendorOrgNo, agent)
	if p != nil {
		writeProblemExt(rw, *p, ext)
		return
	}
	x.created = now
	w.state.requests = append(w.state.requests, x)
	out := w.wireRequest(x, now)
	// The 201 body is the object the service built, not a read back: its
	// created is DateTime's default and its title may be null (L140-162).
	out.Created, out.IntegrationTitle = "0001-01-01T00:00:00", titleOrNil(in.IntegrationTitle, w.state.system(in.SystemID))
	out.TimedOut = false
	rw.Header().Set("Location", w.AltinnURL+"authentication/api/v1/systemuser/request/"+x.id)
	writeJSON(rw, http.StatusCreated, out)
}

// trimBody is TrimStringsActionFilter on the body's strings.
func trimBody(in *createRequestBody) {
	in.SystemID, in.PartyOrgNo = strings.TrimSpace(in.SystemID), strings.TrimSpace(in.PartyOrgNo)
	for _, p := range []**string{&in.ExternalRef, &in.RedirectURL, &in.IntegrationTitle} {
		if *p != nil {
			t := strings.TrimSpace(**p)
			*p = &t
		}
	}
}

func titleOrNil(given *string, s *system) *string {
	if given != nil {
		return given
	}
	if nb, ok := s.name["nb"]; ok {
		return &nb
	}
	return nil
}

// validateRequest runs the service's checks in its order and builds the
// request to store.
func (w *World) validateRequest(in createRequestBody, vendorOrg string, agent bool) (*request, *problem, map[string]string) {
	// The register finds deleted systems too (GetRegisteredSystemById).
	s := w.state.system(in.SystemID)
	if s == nil { // L60-64
		return nil, &probSystemIDNotFound, nil
	}
	// ValidateExternalRequestId (L259-284), reached only when the
	// controller's re-POST answer did not apply: another vendor's system.
	ref := in.PartyOrgNo
	if in.ExternalRef != nil {
		ref = *in.ExternalRef
	}
	if x := w.state.requestByRef(in.SystemID, in.PartyOrgNo, ref, false); x != nil {
		if p, ok := map[string]problem{StatusAccepted: probExtIDAccepted, StatusNew: probExtIDPending,
			StatusDenied: probExtIDDenied, StatusRejected: probExtIDRejected}[x.status]; ok {
			return nil, &p, nil
		}
	}
	if s.vendorOrgNo != vendorOrg { // ValidateVendorOrgNo L292-312
		return nil, &probSystemIDNotFound, nil
	}
	if !w.state.orgs[in.PartyOrgNo] { // ValidateCustomerOrgNo: a party in ER (L319-333)
		return nil, &probReporteeNotFound, nil
	}
	if in.RedirectURL != nil && *in.RedirectURL != "" {
		if p := redirectAllowed(*in.RedirectURL, s.redirectURLs); p != nil {
			return nil, p, nil
		}
	}
	var rights []right
	var pkgs []accessPackage
	if in.Packages != nil {
		pkgs = *in.Packages
	}
	if agent {
		if len(pkgs) == 0 {
			return nil, &probMissingPackage, nil // L209-212
		}
	} else {
		if in.Rights == nil && in.Packages == nil {
			return nil, &probRightsNotFound, nil // L93-96
		}
		if in.Rights != nil {
			rights = *in.Rights
		}
		if len(rights) == 0 && len(pkgs) == 0 {
			return nil, &probMissingRights, nil // L98-114
		}
		if len(rights) > 0 && !rightsInSystem(rights, s.rights) {
			return nil, &probRightsNotFound, nil
		}
	}
	if len(pkgs) > 0 {
		if p, ext := packagesInSystem(pkgs, s.packages, agent); p != nil {
			return nil, p, ext
		}
	}
	if in.ExternalRef != nil && *in.ExternalRef == "" {
		ref = in.PartyOrgNo // an empty externalRef is stored as the org (L134-138)
	}
	x := &request{id: newGUID(), externalRef: ref, systemID: s.id, partyOrgNo: in.PartyOrgNo,
		status: StatusNew, rights: rights, packages: pkgs, agent: agent}
	if rights == nil && !agent {
		x.rights = []right{}
	}
	if pkgs == nil {
		x.packages = []accessPackage{}
	}
	if t := titleOrNil(in.IntegrationTitle, s); t != nil {
		x.title = *t
	}
	if in.RedirectURL != nil {
		x.redirectURL = *in.RedirectURL
	}
	return x, nil, nil
}

// redirectAllowed is AuthenticationHelper.ValidateRedirectUrl (L680-699):
// the URL up to its path (no query) must equal an allowed one's.
func redirectAllowed(raw string, allowed []string) *problem {
	if len(allowed) == 0 {
		return &probNoRedirectURIs
	}
	chosen, err := url.Parse(raw)
	if err != nil || !chosen.IsAbs() {
		return &probRedirectNotFound
	}
	for _, a := range allowed {
		if u, err := url.Parse(a); err == nil && leftPartPath(u) == leftPartPath(chosen) {
			return nil
		}
	}
	return &probRedirectNotFound
}

func leftPartPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + p
}

// rightsInSystem is SystemUserService.ValidateRights (L643-679): every
// requested right fully matches one of the system's.
func rightsInSystem(want, have []right) bool {
	if len(want) > len(have) {
		return false
	}
	for _, rt := range want {
		found := false
		for _, h := range have {
			if sameResources(rt, h) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sameResources(a, b right) bool {
	if len(a.Resource) != len(b.Resource) || len(a.Resource) == 0 {
		return false
	}
	for _, x := range b.Resource {
		ok := false
		for _, y := range a.Resource {
			if x == y {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// packagesInSystem is SystemUserService.ValidateAccessPackages (L682-757):
// every package must be on the system (AUTH-00063), and in Access
// Management's catalogue assignable for a standard request (else
// AUTH-00064: the client packages) or delegable for an agent one (else
// AUTH-00065: the administrators' packages). The problem carries the list.
func packagesInSystem(want, have []accessPackage, agent bool) (*problem, map[string]string) {
	if len(have) < len(want) {
		return &probPackageNotFound, nil
	}
	var notFound, notDelegable []string
	for _, p := range want {
		on := false
		for _, h := range have {
			if h.urn() == p.urn() {
				on = true
			}
		}
		f, known := lookupPackage(p.urn())
		switch {
		case !on:
			notFound = append(notFound, p.urn())
		case !known || (agent && !f.delegable) || (!agent && !f.assignable):
			notDelegable = append(notDelegable, p.urn())
		}
	}
	if len(notFound) > 0 {
		return &probPackageNotFound, map[string]string{"NotFoundPackages": strings.Join(notFound, ", ")}
	}
	if len(notDelegable) > 0 {
		if agent {
			return &probNotDelegableAgent, map[string]string{"NotDelegablePackages": strings.Join(notDelegable, ", ")}
		}
		return &probNotDelegableStd, map[string]string{"NotDelegablePackages": strings.Join(notDelegable, ", ")}
	}
	return nil, nil
}

// getRequest serves the vendor's status reads by id (controller L219-273)
// and by external ref (L285-357): the vendor must own the request's system.
func (w *World) getRequest(rw http.ResponseWriter, r *http.Request, agent bool) {
	c, ok := w.authorize(rw, r, scopeRequestRead)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if id != "" {
		var okID bool
		if id, okID = parseGUID(id); !okID {
			writeModelProblem(rw, "requestId", "The value '"+r.PathValue("id")+"' is not valid.")
			return
		}
	}
	if c.vendorOrgNo == "" {
		writeStatusProblem(rw, http.StatusUnauthorized) // Unauthorized()
		return
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	var x *request
	if id != "" {
		x = w.state.request(id, agent)
	} else {
		x = w.state.requestByRef(r.PathValue("systemId"), r.PathValue("orgNo"), r.PathValue("externalRef"), agent)
	}
	if x == nil {
		writeProblem(rw, probRequestNotFound)
		return
	}
	if s := w.state.system(x.systemID); s == nil || s.vendorOrgNo != c.vendorOrgNo {
		writeProblem(rw, probSystemIDNotFound)
		return
	}
	writeJSON(rw, http.StatusOK, w.wireRequest(x, now))
}

// parseGUID accepts what .NET's Guid binding accepts: 32 hex digits, with or
// without hyphens, braces or parentheses (Altinn's own tests send {guid},
// spec Corrections 16). It returns the canonical lower-case form.
func parseGUID(s string) (string, bool) {
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = strings.ReplaceAll(s, "-", "")
	}
	if len(s) != 32 || strings.Trim(strings.ToLower(s), "0123456789abcdef") != "" {
		return "", false
	}
	s = strings.ToLower(s)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:], true
}

// deleteRequest is DeleteRequestByRequestId (controller L748-759;
// RequestRepository.DeleteRequestByRequestId L689-706): a soft delete of a
// live request of either type, with no check of who asks (spec Corrections
// 11); 404 AUTH-00010 when there is none.
func (w *World) deleteRequest(rw http.ResponseWriter, r *http.Request) {
	if _, ok := w.authorize(rw, r, scopeRequestWrite); !ok {
		return
	}
	id, ok := parseGUID(r.PathValue("id"))
	if !ok {
		writeModelProblem(rw, "requestId", "The value '"+r.PathValue("id")+"' is not valid.")
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.state.requests {
		if x.id == id && !x.deleted {
			x.deleted = true
			rw.WriteHeader(http.StatusAccepted)
			return
		}
	}
	writeProblem(rw, probRequestNotFound)
}
