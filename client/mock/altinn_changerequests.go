package mock

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Change requests: the vendor asks for more (or fewer) rights or access
// packages on a standard system user that exists; the person approves or
// rejects; on approval the system user's rights and packages change, and
// with them the PDP's decisions (the token carries no rights). Sources:
// Altinn/altinn-authentication at ad4f6f3,
// src/Authentication/Controllers/ChangeRequestSystemUserController.cs (CRC),
// src/Authentication/Services/ChangeRequestSystemUserService.cs (CRS),
// src/Persistance/RepositoryImplementations/ChangeRequestRepository.cs (CRR),
// src/Core/Models/SystemUsers/ChangeRequestSystemUser.cs,
// ChangeRequestResponse.cs, ChangeRequestResponseInternal.cs.

// routeChangeRequests registers the routes of change requests: the
// vendor's, the portal's, and the confirm page of one.
func (a *Altinn) routeChangeRequests(m *http.ServeMux) {
	m.HandleFunc("POST /authentication/api/v1/systemuser/changerequest/vendor", a.handleCreateChangeRequest)
	m.HandleFunc("GET /authentication/api/v1/systemuser/changerequest/vendor/{requestId}", a.handleGetChangeRequest)
	m.HandleFunc("GET /authentication/api/v1/systemuser/changerequest/vendor/byexternalref/{systemId}/{orgNo}/{externalRef}", a.handleChangeRequestByExternalRef)
	m.HandleFunc("GET /authentication/api/v1/systemuser/changerequest/vendor/bysystem/{systemId}", a.handleChangeRequestsBySystem)
	m.HandleFunc("DELETE /authentication/api/v1/systemuser/changerequest/vendor/{requestId}", a.handleDeleteChangeRequest)
	m.HandleFunc("GET /authentication/api/v1/systemuser/changerequest/{party}/{requestId}", a.handlePartyChangeRequest)
	m.HandleFunc("GET /authentication/api/v1/systemuser/changerequest/{requestId}", a.handleChangeRequestInternal)
	m.HandleFunc("POST /authentication/api/v1/systemuser/changerequest/{party}/{requestId}/approve", a.handleChangeDecision(true))
	m.HandleFunc("POST /authentication/api/v1/systemuser/changerequest/{party}/{requestId}/reject", a.handleChangeDecision(false))
	m.HandleFunc("GET /accessmanagement/ui/systemuser/changerequest", a.handleChangeConfirmPage)
	m.HandleFunc("POST /accessmanagement/ui/systemuser/changerequest/{decision}", a.handleChangeConfirmDecision)
}

// altinnChangeRequest is a change request (CRR's change_request row).
type altinnChangeRequest struct {
	id, systemUserID, systemID, vendorOrgNo string
	partyOrgNo, externalRef, redirectURL    string
	// redirectSet says the vendor sent redirectUrl, "" included: only a
	// null one is left out of the answers (CRS L78, CRR L72-79).
	redirectSet                        bool
	requiredRights, unwantedRights     []altinnRight
	requiredPackages, unwantedPackages []altinnPackage
	status                             string // New, Accepted or Rejected
	created                            time.Time
	deleted                            bool
}

// changeStatusNoChange is the status of the answer to a change request
// that asks for nothing (CRC L125-146); it is never stored.
const changeStatusNoChange = "NoChangeNeeded"

// addChangeRequest stores a new change request.
func (st *altinnState) addChangeRequest(c *altinnChangeRequest) {
	st.changeRequests[c.id] = c
	st.changesBySys[c.systemID] = append(st.changesBySys[c.systemID], c)
}

// changeConfirmURL is where the vendor sends the person to approve the
// change (CRC CONFIRMURL1/2 L50-60: the access management UI's
// .../systemuser/changerequest?id=...&DONTCHOOSEREPORTEE=true); the mock
// serves that page itself.
func (a *Altinn) changeConfirmURL(id string) string {
	return a.cfg.URL + "accessmanagement/ui/systemuser/changerequest?id=" + id + "&DONTCHOOSEREPORTEE=true"
}

// changeJSON renders a change request as the vendor's endpoints answer
// it, with the confirmUrl when confirm is set.
func (a *Altinn) changeJSON(c *altinnChangeRequest, confirm bool) altinnChangeRequestJSON {
	out := altinnChangeRequestJSON{
		ID: c.id, ExternalRef: c.externalRef, SystemID: c.systemID, SystemUserID: c.systemUserID, PartyOrgNo: c.partyOrgNo,
		RequiredRights: altinnCloneRights(c.requiredRights), UnwantedRights: altinnCloneRights(c.unwantedRights),
		RequiredAccessPackages: altinnClonePackages(c.requiredPackages), UnwantedAccessPackages: altinnClonePackages(c.unwantedPackages),
		Status: c.status, Created: c.created.UTC().Format(time.RFC3339Nano),
	}
	if c.redirectSet {
		out.RedirectURL = &c.redirectURL
	}
	if confirm {
		u := a.changeConfirmURL(c.id)
		out.ConfirmURL = &u
	}
	return out
}

// handleCreateChangeRequest is the vendor's POST changerequest/vendor, in
// the order of CRC CreateChangeRequest L81-167 and CRS CreateChangeRequest
// L58-94 with ValidateChangeRequest L515-569.
func (a *Altinn) handleCreateChangeRequest(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeRequestWrite)
	if !ok {
		return
	}
	corr, ok := altinnQueryGUID(w, r, "correlation-id")
	if !ok {
		return
	}
	suID, ok := altinnQueryGUID(w, r, "system-user-id")
	if !ok {
		return
	}
	var in altinnChangeRequestBody
	if !altinnDecodeBody(w, r, &in) {
		return
	}
	if len(in.nulls) > 0 {
		writeAltinnModelProblem(w, in.nulls[0], "The "+in.nulls[0]+" field is required.")
		return
	}
	if corr == "" {
		writeAltinnText(w, r, http.StatusBadRequest, "Missing or invalid QueryParameter: correlation-id. Generate a unique UUID (RFC 4122) for this Change Request, and add as a Query Parameter.")
		return
	}
	if p.orgNo == "" {
		writeAltinnStatus(w, http.StatusUnauthorized, "")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.systemUsers[suID]
	switch {
	case u == nil || u.deleted:
		writeAltinnProblem(w, probSystemUserNotFound)
		return
	case corr == u.id:
		writeAltinnText(w, r, http.StatusBadRequest, "The correlation-id should not be the same as the system-user-id. Generate a unique id.")
		return
	case u.supplierOrgNo != p.orgNo:
		writeAltinnStatus(w, http.StatusUnauthorized, "")
		return
	}
	redirect := ""
	if in.RedirectURL != nil {
		redirect = strings.TrimSpace(*in.RedirectURL)
	}
	if len(in.RequiredRights)+len(in.UnwantedRights)+len(in.RequiredAccessPackages)+len(in.UnwantedAccessPackages) == 0 {
		// Not stored: created is .NET's default DateTime, confirmUrl "".
		empty := ""
		out := altinnChangeRequestJSON{
			ID: corr, ExternalRef: u.externalRef, SystemID: u.systemID, SystemUserID: u.id, PartyOrgNo: u.partyOrgNo,
			RequiredRights: []altinnRight{}, UnwantedRights: []altinnRight{},
			RequiredAccessPackages: []altinnPackage{}, UnwantedAccessPackages: []altinnPackage{},
			Status: changeStatusNoChange, ConfirmURL: &empty, Created: "0001-01-01T00:00:00",
		}
		if in.RedirectURL != nil { // trimmed, as every string of the body (TrimStringsActionFilter, CRC L83)
			out.RedirectURL = &redirect
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	if old := a.changeRequests[corr]; old != nil {
		a.answerTakenChangeID(w, old, p.orgNo)
		return
	}
	if prob, key, urns := a.changeRequestProblem(u, p.orgNo, redirect, &in); prob.code != "" {
		writeAltinnProblemExt(w, prob, key, strings.Join(urns, ", "))
		return
	}
	c := &altinnChangeRequest{
		id: corr, systemUserID: u.id, systemID: u.systemID, vendorOrgNo: u.supplierOrgNo, partyOrgNo: u.partyOrgNo,
		externalRef: u.externalRef, redirectURL: redirect, redirectSet: in.RedirectURL != nil, status: reqStatusNew, created: a.now().UTC(),
		requiredRights: altinnCloneRights(in.RequiredRights), unwantedRights: altinnCloneRights(in.UnwantedRights),
		requiredPackages: altinnClonePackages(in.RequiredAccessPackages), unwantedPackages: altinnClonePackages(in.UnwantedAccessPackages),
	}
	a.addChangeRequest(c)
	w.Header().Set("Location", a.cfg.URL+"authentication/api/v1/systemuser/changerequest/"+c.id)
	writeJSON(w, http.StatusCreated, a.changeJSON(c, true))
}

// answerTakenChangeID answers a change request whose correlation-id is
// old's. Callers hold a.mu.
func (a *Altinn) answerTakenChangeID(w http.ResponseWriter, old *altinnChangeRequest, vendorOrgNo string) {
	switch {
	case !old.deleted && old.vendorOrgNo == vendorOrgNo:
		// The same correlation-id gives the change request back, in
		// any status (CRC L148-154).
		out := a.changeJSON(old, true)
		out.TimedOut = false // not copied by GetChangeRequestByGuid (CRS L224-250)
		writeJSON(w, http.StatusOK, out)
	case !old.deleted:
		// Another vendor's live change request: GetChangeRequestByGuid
		// fails its vendor check (CRS L231-235), so the controller goes
		// on to create (CRC L157), and ValidateStatus, the first check
		// of ValidateChangeRequest (CRS L517), refuses the id:
		// AUTH-00007 while that one is New, AUTH-00061 once decided
		// (CRS L105-119).
		if old.status == reqStatusNew {
			writeAltinnProblem(w, probExternalRequestIDPending)
		} else {
			writeAltinnProblem(w, probChangeStatusNotNew)
		}
	default:
		// A deleted one's id is taken: the reads skip deleted rows
		// (CRR L286-288), so ValidateStatus finds nothing, and the
		// repository's INSERT fails on the key and the service throws
		// (CRR CreateChangeRequest L26-95).
		writeAltinnStatus(w, http.StatusInternalServerError, "the change request id is taken")
	}
}

// changeRequestProblem validates a new change request for the system user
// (CRS CreateChangeRequest L58-94, ValidateChangeRequest L515-569): only a
// standard system user (an agent one is AUTH-00015), of a system of the
// vendor's (AUTH-00011), an owner in the register (AUTH-00000), the
// redirect URL (AUTH-00026/00021), then the required rights (AUTH-00001)
// and packages (AUTH-00063/00064) as a standard request's. The unwanted
// lists are not validated. Callers hold a.mu.
func (a *Altinn) changeRequestProblem(u *altinnSystemUser, vendorOrgNo, redirect string, in *altinnChangeRequestBody) (altinnProblem, string, []string) {
	if u.userType != standardUser {
		return probSystemUserNotFound, "", nil
	}
	sys := a.systems[u.systemID]
	if sys == nil || sys.vendorOrgNo != vendorOrgNo {
		return probSystemIDNotFound, "", nil
	}
	if _, ok := a.orgs[u.partyOrgNo]; !ok {
		return probReporteeNotFound, "", nil
	}
	if redirect != "" {
		if prob, bad := altinnRedirectProblem(redirect, sys.redirectURLs); bad {
			return prob, "", nil
		}
	}
	if len(in.RequiredRights) > 0 && !altinnRightsSubset(in.RequiredRights, sys.rights) {
		return probRightsNotFound, "", nil
	}
	if len(in.RequiredAccessPackages) > 0 {
		return altinnPackagesProblem(in.RequiredAccessPackages, sys, false)
	}
	return altinnProblem{}, "", nil
}

// liveChange is the live change request of the path's {requestId}, or
// nil; ok is false when the id is not a GUID (answered). Callers hold a.mu.
func (a *Altinn) liveChange(w http.ResponseWriter, r *http.Request) (*altinnChangeRequest, bool) {
	id, ok := altinnGUIDParam(w, r, "requestId")
	if !ok {
		return nil, false
	}
	if c := a.changeRequests[id]; c != nil && !c.deleted {
		return c, true
	}
	return nil, true
}

// foundChange is the live change request of the path's {requestId}; when
// there is none (AUTH-00010) or the id is not a GUID the answer is written
// and ok is false. Callers hold a.mu.
func (a *Altinn) foundChange(w http.ResponseWriter, r *http.Request) (*altinnChangeRequest, bool) {
	c, ok := a.liveChange(w, r)
	if ok && c == nil {
		writeAltinnProblem(w, probRequestNotFound)
		return nil, false
	}
	return c, ok
}

// vendorChange answers a change request to its vendor: AUTH-00010 when
// there is none, AUTH-00011 when its system is not the vendor's (CRS
// GetChangeRequestByGuid L224-250). It reports whether to go on.
func (a *Altinn) vendorChange(w http.ResponseWriter, c *altinnChangeRequest, vendorOrgNo string) bool {
	if c == nil {
		writeAltinnProblem(w, probRequestNotFound)
		return false
	}
	if sys := a.systems[c.systemID]; sys == nil || sys.vendorOrgNo != vendorOrgNo {
		writeAltinnProblem(w, probSystemIDNotFound)
		return false
	}
	return true
}

// handleGetChangeRequest is the vendor's GET changerequest/vendor/{id}
// (CRC L205-228): with the confirmUrl; timedOut is false, as the service
// does not copy it (CRS L224-250).
func (a *Altinn) handleGetChangeRequest(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireVendorRead(w, r)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	c, ok := a.liveChange(w, r)
	if ok && a.vendorChange(w, c, p.orgNo) {
		writeJSON(w, http.StatusOK, a.changeJSON(c, true))
	}
}

// requireVendorRead authenticates a vendor's token with the request read
// scope; a token without an organisation is a bare 401 (CRC L208-212).
func (a *Altinn) requireVendorRead(w http.ResponseWriter, r *http.Request) (*altinnPrincipal, bool) {
	p, ok := a.requireOrg(w, r, alScopeRequestRead)
	if ok && p.orgNo == "" {
		writeAltinnStatus(w, http.StatusUnauthorized, "")
		return nil, false
	}
	return p, ok
}

// handleChangeRequestByExternalRef is the vendor's read by system, org and
// externalRef (CRC L240-271, CRS GetChangeRequestByExternalRef L192-220):
// the service copies neither package list (both []) nor timedOut. Of
// several change requests for the triple the real repository returns any
// (no ORDER BY, CRR L227-268); the mock the newest.
func (a *Altinn) handleChangeRequestByExternalRef(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireVendorRead(w, r)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	sysID, orgNo, ext := r.PathValue("systemId"), r.PathValue("orgNo"), r.PathValue("externalRef")
	var found *altinnChangeRequest
	for _, c := range a.changesBySys[sysID] {
		if !c.deleted && c.partyOrgNo == orgNo && c.externalRef == ext && (found == nil || c.created.After(found.created)) {
			found = c
		}
	}
	if !a.vendorChange(w, found, p.orgNo) {
		return
	}
	out := a.changeJSON(found, true)
	out.RequiredAccessPackages, out.UnwantedAccessPackages = []altinnPackage{}, []altinnPackage{}
	writeJSON(w, http.StatusOK, out)
}

// handleChangeRequestsBySystem is the vendor's paginated list of a
// system's change requests (CRC L340-381, CRS L467-488), by id.
func (a *Altinn) handleChangeRequestsBySystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireVendorRead(w, r)
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
	all := slices.Clone(a.changesBySys[sys.id])
	slices.SortFunc(all, func(x, y *altinnChangeRequest) int { return strings.Compare(x.id, y.id) })
	items, next, more := paginate(all, func(c *altinnChangeRequest) bool { return !c.deleted },
		func(c *altinnChangeRequest) string { return c.id }, func(x, y string) bool { return x < y },
		strings.ToLower(from), given, a.size())
	writeAltinnPage(a, w, r, items, func(c *altinnChangeRequest) altinnChangeRequestJSON {
		j := a.changeJSON(c, false)
		j.TimedOut = c.created.Before(a.now().Add(-altinnRequestTimeout)) // CRR L406-409
		return j
	}, next, more)
}

// handleDeleteChangeRequest is the vendor's DELETE changerequest/vendor/{id}
// (CRC L413-423, CRS L492-501, CRR L137-160): the write scope and no
// owner check, as the request's delete; 202 with no body, or 404
// AUTH-00010 for an id unknown or deleted already.
func (a *Altinn) handleDeleteChangeRequest(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrg(w, r, alScopeRequestWrite); !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.foundChange(w, r)
	if !ok {
		return
	}
	c.deleted = true
	w.WriteHeader(http.StatusAccepted)
}

// handlePartyChangeRequest is the portal's read for a party (CRC L277-288,
// CRS GetChangeRequestByPartyAndRequestId L271-308): another party's
// change request is AUTH-00010 too; no confirmUrl, timedOut false.
func (a *Altinn) handlePartyChangeRequest(w http.ResponseWriter, r *http.Request) {
	party, unlock, ok := a.lockPortalParty(w, r, false)
	if !ok {
		return
	}
	defer unlock()
	c, ok := a.liveChange(w, r)
	if !ok {
		return
	}
	if c == nil || c.partyOrgNo != party.OrgNo {
		writeAltinnProblem(w, probRequestNotFound)
		return
	}
	writeJSON(w, http.StatusOK, a.changeJSON(c, false))
}

// handleChangeRequestInternal is the portal's read by id alone (CRC
// L294-305: [Authorize] only, any valid token), for a person who may
// manage access for the owner (the PDP's write on altinn_access_management,
// for which DAGL stands in): else AUTH-00066 (CRS L890-962).
func (a *Altinn) handleChangeRequestInternal(w http.ResponseWriter, r *http.Request) {
	p, reason, ok := a.authenticate(r)
	if !ok {
		writeBearerChallenge(w, reason)
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	c, ok := a.foundChange(w, r)
	if !ok {
		return
	}
	party, known := a.orgs[c.partyOrgNo]
	if !known {
		writeAltinnProblem(w, probReporteeNotFound)
		return
	}
	if p.pid == "" || !a.hasRole(p.pid, c.partyOrgNo, "DAGL") {
		writeAltinnProblem(w, probNotAccessManager)
		return
	}
	out := altinnChangeRequestInternalJSON{
		ID: c.id, ExternalRef: c.externalRef, SystemID: c.systemID, SystemUserID: c.systemUserID, PartyOrgNo: c.partyOrgNo,
		PartyID: party.PartyID, PartyUUID: party.PartyUUID,
		RequiredRights: altinnCloneRights(c.requiredRights), UnwantedRights: altinnCloneRights(c.unwantedRights),
		RequiredAccessPackages: altinnClonePackages(c.requiredPackages), UnwantedAccessPackages: altinnClonePackages(c.unwantedPackages),
		Status: c.status,
	}
	if c.redirectSet {
		out.RedirectURL = &c.redirectURL
	}
	writeJSON(w, http.StatusOK, out)
}

// handleChangeDecision is the portal API's approve or reject of a change
// request (CRC L314-331, L390-407): the PDP policy on {party} only, no
// portal scope and no check that the party owns the change request.
func (a *Altinn) handleChangeDecision(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		party, unlock, ok := a.lockPortalParty(w, r, true)
		if !ok {
			return
		}
		defer unlock()
		c, ok := a.liveChange(w, r)
		if !ok {
			return
		}
		if prob := a.decideChange(c, party.OrgNo, approve); prob.code != "" {
			writeAltinnProblem(w, prob)
			return
		}
		writeJSON(w, http.StatusOK, true)
	}
}

// decideChange approves or rejects a change request for the party
// (CRS ApproveAndDelegateChangeOnSystemUser L311-447,
// RejectChangeOnSystemUser L450-464), returning the problem (code "" when
// none). Approval checks the system (AUTH-00011) and the system user
// (AUTH-00015), then that the required rights may be delegated (Access
// Management's delegation check, for which the mock checks that each
// resource is in the registry and delegable: AUTH-00001 otherwise), and
// makes the change. Access Management delegates for the party of the path,
// which need not be the owner: for another party the change request is
// Accepted and the owner's system user is as it was. Callers hold a.mu
// for writing.
func (a *Altinn) decideChange(c *altinnChangeRequest, partyOrgNo string, approve bool) altinnProblem {
	switch {
	case c == nil:
		return probRequestNotFound
	case c.status != reqStatusNew:
		return probStatusNotNew
	case !approve:
		c.status = reqStatusRejected
		return altinnProblem{}
	}
	if a.systems[c.systemID] == nil {
		return probSystemIDNotFound
	}
	u := a.systemUsers[c.systemUserID]
	if u == nil || u.deleted {
		return probSystemUserNotFound
	}
	for _, id := range altinnResourceIDs(c.requiredRights) {
		if res := a.resources[id]; res == nil || !res.delegable {
			return probRightsNotFound
		}
	}
	if partyOrgNo == u.partyOrgNo {
		a.replaceSystemUser(u, func(n *altinnSystemUser) {
			n.rights = altinnChangedRights(u.rights, c.requiredRights, c.unwantedRights)
			n.packages = altinnChangedPackages(u.packages, c.requiredPackages, c.unwantedPackages)
		})
	}
	c.status = reqStatusAccepted
	return altinnProblem{}
}

// altinnChangedRights is have with the rights of add that it lacks, less
// those of drop.
func altinnChangedRights(have, add, drop []altinnRight) []altinnRight {
	return altinnCloneRights(altinnChanged(have, add, drop, altinnRightsSubset))
}

// altinnChangedPackages is have with the packages of add it lacks (CRS
// VerifyAccessPackages: only those not delegated yet), less those of drop.
func altinnChangedPackages(have, add, drop []altinnPackage) []altinnPackage {
	return altinnChanged(have, add, drop, altinnPackagesSubset)
}

// altinnChanged is have less the items in drop, then with the items of
// add it lacks; subset tells whether a list's items are all in another.
func altinnChanged[T any](have, add, drop []T, subset func(items, in []T) bool) []T {
	out := []T{}
	for _, x := range have {
		if !subset([]T{x}, drop) {
			out = append(out, x)
		}
	}
	for _, x := range add {
		if !subset([]T{x}, out) {
			out = append(out, x)
		}
	}
	return out
}

// altinnQueryGUID reads a GUID query parameter as ASP.NET binds a [FromQuery]
// Guid: missing is the empty GUID (""), anything but a GUID model
// binding's 400.
func altinnQueryGUID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return "", true
	}
	id, ok := altinnParseGUID(raw)
	if !ok {
		writeAltinnModelProblem(w, name, "The value '"+raw+"' is not valid.")
		return "", false
	}
	if id == "00000000-0000-0000-0000-000000000000" {
		return "", true
	}
	return id, true
}
