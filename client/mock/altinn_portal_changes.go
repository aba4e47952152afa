package mock

import (
	"fmt"
	"net/http"
	"net/url"
)

// The confirm page of a change request: the vendor sends the person its
// confirmUrl (.../accessmanagement/ui/systemuser/changerequest?id=...),
// where Altinn's access management UI shows what would change and the
// person approves or rejects. As the request's confirm page, the mock's
// stands behind its login page (altinn_portal_login.go), with a session
// and a CSRF token, and decides as the portal API does
// (altinn_changerequests.go decideChange).

// changeTemplate is the page of a change request.
const changeTemplate = `
{{define "change"}}{{template "head" .}}
<h1>{{.Heading}}</h1>
<p><strong>{{.VendorName}}</strong> asks to change what the system user of its system <strong>{{.SystemName}}</strong> may do for
<strong>{{.PartyName}}</strong> (org. no. {{.PartyOrgNo}}).</p>

<section aria-labelledby="about">
<h2 id="about">About the change</h2>
<dl>
<dt>System</dt><dd>{{.SystemName}} <code>{{.SystemID}}</code></dd>
<dt>System user</dt><dd><code>{{.SystemUserID}}</code></dd>
<dt>Vendor</dt><dd>{{.VendorName}}, org. no. {{.VendorOrgNo}}</dd>
<dt>For</dt><dd>{{.PartyName}}, org. no. {{.PartyOrgNo}}</dd>
<dt>Status</dt><dd>{{.Status}}</dd>
</dl>
</section>

<section aria-labelledby="what">
<h2 id="what">What changes</h2>
{{if .Adds}}<p>The system user gets:</p>
<ul>
{{range .Adds}}<li><code>{{.}}</code></li>
{{end}}</ul>
{{end}}{{if .Removes}}<p>The system user loses:</p>
<ul>
{{range .Removes}}<li><code>{{.}}</code></li>
{{end}}</ul>
{{end}}</section>

{{if .Open}}{{template "decide" .}}<p class="hint">Approve changes the system user at once: its tokens stay as they are, and the next decision of Altinn's PDP follows the change. Reject changes nothing.</p>
</form>
{{else}}<div class="box" role="status"><p>This change request is <strong>{{.Status}}</strong>: there is nothing left to decide.</p></div>
{{end}}{{template "foot"}}{{end}}
`

// changeView is what the change request's page shows.
type changeView struct {
	Heading, ID, Status, SystemUserID string
	SystemID, SystemName              string
	VendorName, VendorOrgNo           string
	PartyName, PartyOrgNo             string
	Adds, Removes                     []string
	Open                              bool
	ApproveURL, RejectURL             string
	LoggedIn                          *confirmPerson
	CSRF, SwitchURL                   string
}

const changePagePath = "accessmanagement/ui/systemuser/changerequest"

// handleChangeConfirmPage renders a change request's page, or the login
// page in front of it for a browser without a session.
func (a *Altinn) handleChangeConfirmPage(w http.ResponseWriter, r *http.Request) {
	id, _ := altinnParseGUID(r.URL.Query().Get("id"))
	sess := a.sessions.get(r, a.now())
	a.mu.RLock()
	defer a.mu.RUnlock()
	c := a.changeRequests[id]
	if c == nil || c.deleted {
		a.renderProblem(w, probRequestNotFound, fmt.Sprintf("There is no change request with id %q.", r.URL.Query().Get("id")), "")
		return
	}
	page := a.portalPath(r.URL.RequestURI())
	if sess == nil {
		a.render(w, http.StatusOK, "login", a.loginView(page, r.URL.Query().Get("pid"), ""))
		return
	}
	v := changeView{
		Heading: "Approve a change to a system user?", ID: c.id, Status: c.status, SystemUserID: c.systemUserID,
		SystemID: c.systemID, SystemName: c.systemID, VendorOrgNo: c.vendorOrgNo, VendorName: a.orgName(c.vendorOrgNo),
		PartyOrgNo: c.partyOrgNo, PartyName: a.orgName(c.partyOrgNo), Open: c.status == reqStatusNew,
		ApproveURL: a.portalPath("/" + changePagePath + "/approve"), RejectURL: a.portalPath("/" + changePagePath + "/reject"),
		CSRF: sess.csrf, SwitchURL: a.portalPath(loginPath) + "?" + url.Values{"returnTo": {page}}.Encode(),
	}
	if s := a.systems[c.systemID]; s != nil && altinnLocalized(s.name) != "" {
		v.SystemName = altinnLocalized(s.name)
	}
	v.Adds = changeViewItems(c.requiredRights, c.requiredPackages)
	v.Removes = changeViewItems(c.unwantedRights, c.unwantedPackages)
	v.LoggedIn = a.loggedIn(c.partyOrgNo, sess.pid)
	a.render(w, http.StatusOK, "change", v)
}

// changeViewItems lists the rights (by resource id) and then the access
// packages of one side of a change request as the page shows them.
func changeViewItems(rights []altinnRight, packages []altinnPackage) []string {
	var out []string
	for _, id := range altinnResourceIDs(rights) {
		out = append(out, "right "+id)
	}
	for _, p := range packages {
		out = append(out, "access package "+p.URN)
	}
	return out
}

// handleChangeConfirmDecision takes the page's Approve or Reject: the
// person must hold DAGL for the system user's owner (the stand-in for the
// portal's PDP check, a 403 page otherwise), and the decision is the
// portal API's. Then the browser goes on to the vendor's redirectUrl, as
// the portal sends it there (CRS GetRedirectByChangeRequestId L504-513),
// or sees a receipt.
func (a *Altinn) handleChangeConfirmDecision(w http.ResponseWriter, r *http.Request) {
	decision := r.PathValue("decision")
	if decision != "approve" && decision != "reject" {
		http.NotFound(w, r)
		return
	}
	id, pid, back, ok := a.decisionForm(w, r, changePagePath)
	if !ok {
		return
	}
	id, _ = altinnParseGUID(id)
	a.mu.Lock()
	c := a.changeRequests[id]
	if c == nil || c.deleted {
		a.mu.Unlock()
		a.renderProblem(w, probRequestNotFound, fmt.Sprintf("There is no change request with id %q.", id), "")
		return
	}
	if !a.hasRole(pid, c.partyOrgNo, "DAGL") {
		party := a.orgName(c.partyOrgNo)
		a.mu.Unlock()
		a.renderProblem(w, altinnProblem{status: http.StatusForbidden}, pid+" does not hold the DAGL role for "+party+", so may not decide.", back)
		return
	}
	prob := a.decideChange(c, c.partyOrgNo, decision == "approve")
	status, redirect, party := c.status, c.redirectURL, a.orgName(c.partyOrgNo)
	a.mu.Unlock()
	if prob.code != "" {
		a.renderProblem(w, prob, "The change request could not be decided.", back)
		return
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	msg := confirmMessage{Heading: "Change rejected", Message: "The system user for " + party + " is as it was."}
	if status == reqStatusAccepted {
		msg = confirmMessage{Heading: "Change approved", Message: "The system user for " + party + " now has the rights and access packages the change asked for."}
	}
	a.render(w, http.StatusOK, "message", msg)
}
