package mock

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// routePortal registers the routes of the portal: the test login, the
// confirm page with the login in front of it, and the portal API a
// decision is posted to.
func (a *Altinn) routePortal(m *http.ServeMux) {
	m.HandleFunc("GET /testtools/personaltoken", a.handlePersonalToken)
	m.HandleFunc("GET /accessmanagement/ui/login", a.handleLoginPage)
	m.HandleFunc("POST /accessmanagement/ui/login", a.handleLogin)
	m.HandleFunc("GET /accessmanagement/ui/systemuser/request", a.handleConfirmPage(standardRequest))
	m.HandleFunc("GET /accessmanagement/ui/systemuser/agentrequest", a.handleConfirmPage(agentRequest))
	m.HandleFunc("POST /accessmanagement/ui/systemuser/{kind}/{decision}", a.handleConfirmDecision)
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/{partyId}/{requestId}/{decision}", a.handlePortalDecision(standardRequest))
	m.HandleFunc("POST /authentication/api/v1/systemuser/request/agent/{partyId}/{requestId}/{decision}", a.handlePortalDecision(agentRequest))
}

// The confirm page stands in for Altinn's access management UI
// (am.ui.altinn.no), where the customer's daglig leder reviews a system
// user request and approves or rejects it. The real page needs an ID-porten
// login; the mock's login page (altinn_portal_login.go) lets the person pick
// a seeded person instead, and then behaves as a logged-in page does: a
// session cookie, a CSRF token in the form, and no decision from another
// site. The decision follows the same rules as the portal API.

// confirmTemplates is the HTML of the confirm, receipt and error pages:
// small, no scripts, no external assets, readable in light and dark mode.
// "decide" is the decision form's person and buttons, which the request's
// and the change request's pages (changeTemplate) share.
const confirmTemplates = `
{{define "head"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}} · Altinn (mock)</title>{{if .CSRF}}
<meta name="csrf-token" content="{{.CSRF}}">{{end}}
<style>
:root{color-scheme:light dark;--fg:#1b1d21;--bg:#fff;--muted:#51565f;--line:#cfd4dc;--accent:#0057a8;--on-accent:#fff;--ok:#06722e;--bad:#b00020}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#15171b;--muted:#a9afb8;--line:#3a3f48;--accent:#7cb8ff;--on-accent:#0b1726;--ok:#62d18f;--bad:#ff8a99}}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:42rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.banner{margin:0 0 1.5rem;padding-bottom:.5rem;border-bottom:1px solid var(--line);color:var(--muted);font-size:.875rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.125rem;margin:1.75rem 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem;margin:0}
dt{font-weight:600}dd{margin:0}
ul{margin:.25rem 0;padding-left:1.25rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.875em;overflow-wrap:anywhere}
fieldset{margin:1.75rem 0 0;padding:1rem;border:1px solid var(--line);border-radius:.5rem}
legend{font-weight:600;padding:0 .25rem}
fieldset p{margin:0 0 .5rem}
label{display:block;margin-bottom:.25rem}
select,button{font:inherit}
select{max-width:100%;padding:.35rem}
.hint{margin:.5rem 0 0;color:var(--muted);font-size:.875rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.25rem}
button{padding:.55rem 1.4rem;border:2px solid var(--accent);border-radius:.375rem;cursor:pointer}
.approve{background:var(--accent);color:var(--on-accent)}
.reject{background:transparent;color:var(--accent)}
button:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
a{color:var(--accent)}
.box{margin:0 0 1rem;padding:.25rem 0 .25rem 1rem;border-left:4px solid var(--line)}
.box.ok{border-color:var(--ok)}.box.bad{border-color:var(--bad)}
</style>
</head>
<body>
<main>
<p class="banner">Altinn access management — mock, served by the systembruker workbench{{if .LoggedIn}}
· <span id="session" data-pid="{{.LoggedIn.PID}}">logged in as {{.LoggedIn.Name}}</span>{{end}}</p>
{{end}}

{{define "foot"}}</main>
</body>
</html>
{{end}}

{{define "decide"}}<form method="post" action="{{.ApproveURL}}">
<input type="hidden" name="id" value="{{.ID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset>
<legend>Deciding as</legend>
<p>{{.LoggedIn.Name}} ({{.LoggedIn.PID}}){{if .LoggedIn.Roles}} — {{.LoggedIn.Roles}}{{end}}.
<a id="switch-person" href="{{.SwitchURL}}">Log in as someone else</a></p>
<p class="hint">Only a person holding the DAGL role (daglig leder) for {{.PartyName}} may decide.</p>
</fieldset>
<div class="actions">
<button type="submit" class="approve">Approve</button>
<button type="submit" class="reject" formaction="{{.RejectURL}}">Reject</button>
</div>
{{end}}

{{define "confirm"}}{{template "head" .}}
<h1>{{.Heading}}</h1>
<p><strong>{{.VendorName}}</strong> asks for {{if .Agent}}an agent system user{{else}}a system user{{end}} for
<strong>{{.PartyName}}</strong> (org. no. {{.PartyOrgNo}}), so that its system <strong>{{.SystemName}}</strong> can act on the organisation's behalf.</p>

<section aria-labelledby="about">
<h2 id="about">About the request</h2>
<dl>
<dt>System</dt><dd>{{.SystemName}} <code>{{.SystemID}}</code></dd>
{{if .SystemDescription}}<dt>Description</dt><dd>{{.SystemDescription}}</dd>{{end}}
<dt>Vendor</dt><dd>{{.VendorName}}, org. no. {{.VendorOrgNo}}</dd>
<dt>For</dt><dd>{{.PartyName}}, org. no. {{.PartyOrgNo}}</dd>
<dt>Status</dt><dd>{{.Status}}</dd>
</dl>
</section>

<section aria-labelledby="what">
{{if .Agent}}<h2 id="what">Access packages</h2>
<p>The system user gets these access packages for the clients you later delegate to it:</p>
{{else}}<h2 id="what">Rights</h2>
<p>The system user gets these rights for {{.PartyName}}:</p>
{{end}}<ul>
{{range .Rights}}<li>{{.Title}} <code>{{.ID}}</code></li>
{{end}}{{range .Packages}}<li><code>{{.}}</code></li>
{{end}}</ul>
</section>

{{if .Open}}{{template "decide" .}}<p class="hint">Approve creates the system user, and {{.VendorName}} can then get tokens for it.
Reject creates nothing.{{if .ReturnTo}} Either way you are sent back to <strong>{{.ReturnTo}}</strong>.{{end}}</p>
</form>
{{else}}<div class="box" role="status"><p>This request is <strong>{{.Status}}</strong>: there is nothing left to decide.</p></div>
{{end}}{{template "foot"}}{{end}}

{{define "message"}}{{template "head" .}}
<div class="box {{if .Failed}}bad{{else}}ok{{end}}" role="{{if .Failed}}alert{{else}}status{{end}}">
<h1>{{.Heading}}</h1>
<p>{{.Message}}</p>
{{if .Code}}<p>Altinn code <code>{{.Code}}</code>{{if .Title}}: {{.Title}}{{end}}</p>{{end}}
</div>
{{if .Back}}<p><a href="{{.Back}}">Back to the request</a></p>{{end}}
{{template "foot"}}{{end}}
`

func parseConfirmTemplates() (*template.Template, error) {
	t, err := template.New("confirm").Parse(confirmTemplates)
	if err == nil {
		_, err = t.Parse(loginTemplate)
	}
	if err == nil {
		_, err = t.Parse(changeTemplate)
	}
	if err != nil {
		return nil, fmt.Errorf("confirm page templates: %w", err)
	}
	return t, nil
}

// confirmView is what the confirm page shows.
type confirmView struct {
	Heading                 string
	Agent, Open             bool
	ID, Status              string
	SystemID, SystemName    string
	SystemDescription       string
	VendorName, VendorOrgNo string
	PartyName, PartyOrgNo   string
	Rights                  []confirmRight
	Packages                []string
	ApproveURL, RejectURL   string
	// ReturnTo is the host of the vendor's redirect URL, where the
	// person lands after deciding.
	ReturnTo string
	// LoggedIn is the person of the session, CSRF its token, SwitchURL the
	// login page to change person.
	LoggedIn  *confirmPerson
	CSRF      string
	SwitchURL string
}

type confirmRight struct{ ID, Title string }

type confirmPerson struct {
	PID, Name, Roles string
	Selected         bool
}

// confirmMessage is a receipt or an error page.
type confirmMessage struct {
	Heading, Message string
	Code, Title      string
	Failed           bool
	Back             string
	LoggedIn         *confirmPerson
	CSRF             string
}

// render writes a template with the status; rendering into a buffer first
// means a template error never leaves half a page.
func (a *Altinn) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := a.page.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderProblem shows an Altinn problem as a readable page with its status.
func (a *Altinn) renderProblem(w http.ResponseWriter, p altinnProblem, message, back string) {
	a.render(w, p.status, "message", confirmMessage{
		Heading: "The request could not be handled", Message: message, Code: p.code, Title: p.title, Failed: true, Back: back,
	})
}

func confirmPagePath(agent bool) string {
	if agent {
		return "accessmanagement/ui/systemuser/agentrequest"
	}
	return "accessmanagement/ui/systemuser/request"
}

// handleConfirmPage renders the confirm page of a request, or the login
// page in front of it for a browser without a session.
func (a *Altinn) handleConfirmPage(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		sess := a.sessions.get(r, a.now())
		a.mu.RLock()
		defer a.mu.RUnlock()
		req, ok := a.requests[id]
		if !ok || req.deleted {
			a.renderProblem(w, altinnRequestNotFound(agent), fmt.Sprintf("There is no system user request with id %q.", id), "")
			return
		}
		if req.agent != agent {
			a.renderProblem(w, altinnRequestNotFound(agent), "This is "+confirmKindOf(req)+"; open it at "+a.cfg.URL+confirmPagePath(req.agent)+"?id="+id+".", "")
			return
		}
		page := a.portalPath(r.URL.RequestURI()) // the page's own path, under serve's prefix
		if sess == nil {
			a.render(w, http.StatusOK, "login", a.loginView(page, r.URL.Query().Get("pid"), ""))
			return
		}
		a.render(w, http.StatusOK, "confirm", a.confirmView(req, sess, page))
	}
}

func confirmKindOf(req *altinnRequest) string {
	if req.agent {
		return "an agent request"
	}
	return "a standard request"
}

// confirmView gathers what the page shows to the session's person, at
// page (its path and query). Callers hold a.mu.
func (a *Altinn) confirmView(req *altinnRequest, sess *portalSession, page string) confirmView {
	v := confirmView{
		Heading: "Approve a system user?", Agent: req.agent, ID: req.id, Status: req.status,
		SystemID: req.systemID, VendorOrgNo: req.vendorOrgNo, VendorName: a.orgName(req.vendorOrgNo),
		PartyOrgNo: req.partyOrgNo, PartyName: a.orgName(req.partyOrgNo),
		ApproveURL: a.portalPath("/" + confirmPagePath(req.agent) + "/approve"),
		RejectURL:  a.portalPath("/" + confirmPagePath(req.agent) + "/reject"),
		CSRF:       sess.csrf,
		SwitchURL:  a.portalPath(loginPath) + "?" + url.Values{"returnTo": {page}}.Encode(),
	}
	if req.agent {
		v.Heading = "Approve an agent system user?"
	}
	v.Open = v.Status == reqStatusNew
	if u, err := url.Parse(req.redirectURL); err == nil && req.redirectURL != "" {
		v.ReturnTo = u.Host
	}
	if s, ok := a.systems[req.systemID]; ok {
		v.SystemName = altinnLocalized(s.name)
		v.SystemDescription = altinnLocalized(s.description)
	}
	if v.SystemName == "" {
		v.SystemName = req.systemID
	}
	if v.VendorName == "" {
		v.VendorName = "Vendor " + req.vendorOrgNo
	}
	for _, id := range altinnResourceIDs(req.rights) {
		title := id
		if res, ok := a.resources[id]; ok {
			if t, ok := res.body["title"].(map[string]string); ok && altinnLocalized(t) != "" {
				title = altinnLocalized(t)
			} else if t, ok := res.body["title"].(map[string]any); ok {
				m := map[string]string{}
				for k, x := range t {
					m[k], _ = x.(string)
				}
				if altinnLocalized(m) != "" {
					title = altinnLocalized(m)
				}
			}
		}
		v.Rights = append(v.Rights, confirmRight{ID: id, Title: title})
	}
	for _, p := range req.packages {
		v.Packages = append(v.Packages, p.URN)
	}
	v.LoggedIn = a.loggedIn(req.partyOrgNo, sess.pid)
	return v
}

// loggedIn is the session's person pid as a page shows it, with the roles
// the person holds for the party. Callers hold a.mu.
func (a *Altinn) loggedIn(partyOrgNo, pid string) *confirmPerson {
	var out *confirmPerson
	for _, p := range a.personChoices(partyOrgNo, pid) {
		if p.Selected {
			out = &p
		}
	}
	if out == nil { // a person no longer in the world
		out = &confirmPerson{PID: pid, Name: pid}
	}
	return out
}

// personChoices lists the seeded persons with their roles for the party,
// pid (or else the party's daglig leder) selected. Callers hold a.mu.
func (a *Altinn) personChoices(partyOrgNo, pid string) []confirmPerson {
	if pid == "" {
		pid = a.daglLeder(partyOrgNo)
	}
	var out []confirmPerson
	held := a.rolesFor(partyOrgNo)
	for _, p := range a.persons {
		roles := held[p.PID]
		cp := confirmPerson{PID: p.PID, Name: p.Name, Selected: p.PID == pid}
		if len(roles) > 0 {
			cp.Roles = strings.Join(roles, ", ") + " for " + a.orgName(partyOrgNo)
		}
		out = append(out, cp)
	}
	return out
}

// decisionForm reads the decision form a confirm page (at page, its path)
// posted: from the page's own origin, by a logged-in session with its CSRF
// token. It answers a refusal itself; back is the page of the request.
func (a *Altinn) decisionForm(w http.ResponseWriter, r *http.Request, page string) (id, pid, back string, ok bool) {
	if why, ok := a.sameOrigin(r); !ok {
		a.renderProblem(w, altinnProblem{status: http.StatusForbidden}, "Refused: "+why+". A decision is taken only from the confirm page's own form.", "")
		return "", "", "", false
	}
	if err := r.ParseForm(); err != nil {
		a.renderProblem(w, altinnProblem{status: http.StatusBadRequest}, "The form could not be read: "+err.Error(), "")
		return "", "", "", false
	}
	id = r.PostForm.Get("id")
	back = a.portalPath("/"+page) + "?id=" + url.QueryEscape(id) + "&DONTCHOOSEREPORTEE=true"
	sess := a.sessions.get(r, a.now())
	if sess == nil {
		a.renderProblem(w, altinnProblem{status: http.StatusForbidden}, "You are not logged in, or your session has ended: open the request again and log in.", back)
		return "", "", "", false
	}
	if !sess.validCSRF(r.PostForm.Get("csrf")) {
		a.renderProblem(w, altinnProblem{status: http.StatusForbidden}, "The form's CSRF token is missing or is not your session's: open the request again and decide from its page.", back)
		return "", "", "", false
	}
	return id, sess.pid, back, true
}

// handleConfirmDecision takes the confirm page's Approve or Reject.
func (a *Altinn) handleConfirmDecision(w http.ResponseWriter, r *http.Request) {
	kind, decision := r.PathValue("kind"), r.PathValue("decision")
	if (kind != "request" && kind != "agentrequest") || (decision != "approve" && decision != "reject") {
		http.NotFound(w, r)
		return
	}
	agent := kind == "agentrequest"
	id, pid, back, ok := a.decisionForm(w, r, confirmPagePath(agent))
	if !ok {
		return
	}

	a.mu.Lock()
	req, ok := a.requests[id]
	if !ok || req.deleted || req.agent != agent {
		a.mu.Unlock()
		a.renderProblem(w, altinnRequestNotFound(agent), fmt.Sprintf("There is no %s with id %q.", strings.TrimSuffix(kind, "request")+" request", id), "")
		return
	}
	su, prob, detail, ok := a.decide(req, pid, decision == "approve")
	partyName, status, redirect := a.orgName(req.partyOrgNo), req.status, req.redirectURL
	a.mu.Unlock()
	if !ok {
		a.renderProblem(w, prob, detail+".", back)
		return
	}
	if redirect != "" {
		if u, err := url.Parse(redirect); err == nil {
			q := u.Query()
			q.Set("id", id)
			q.Set("status", status)
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
	}
	msg := confirmMessage{Heading: "Request rejected", Message: "No system user was created for " + partyName + "."}
	if su != nil {
		msg = confirmMessage{Heading: "Request approved",
			Message: fmt.Sprintf("The %s system user %s now acts for %s (org. no. %s).", su.userType, su.id, partyName, su.partyOrgNo)}
	}
	a.render(w, http.StatusOK, "message", msg)
}

// handlePersonalToken stands in for an ID-porten login plus the exchange to
// an Altinn token (Altinn's test token generator does the same in tt02).
func (a *Altinn) handlePersonalToken(w http.ResponseWriter, r *http.Request) {
	pid := r.URL.Query().Get("pid")
	a.mu.RLock()
	p, ok := a.person(pid)
	a.mu.RUnlock()
	if !ok {
		writeAltinnStatus(w, http.StatusNotFound, fmt.Sprintf("no seeded person with pid %q", pid))
		return
	}
	scopes := strings.Join(strings.Fields(r.URL.Query().Get("scopes")), " ")
	if scopes == "" {
		scopes = altinnDefaultPersonalScopes
	}
	now := a.now()
	tok, err := a.sign(jwt.MapClaims{
		"iss":                           a.issuer,
		"iat":                           now.Unix(),
		"nbf":                           now.Unix(),
		"exp":                           now.Add(30 * time.Minute).Unix(),
		"jti":                           client.NewUUID(),
		"pid":                           p.PID,
		"name":                          p.Name,
		"urn:altinn:userid":             fmt.Sprint(altinnUserID(p.PID)),
		"urn:altinn:authlevel":          3,
		"urn:altinn:authenticatemethod": "IdportenTestId",
		"scope":                         scopes,
	})
	if err != nil {
		http.Error(w, "sign token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(tok))
}

// altinnUserID is a stable Altinn user id for a PID.
func altinnUserID(pid string) int {
	if pid == PIDDressMinst {
		return 341895 // the tt02 user id of that test person (spec §10)
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(pid))
	return 100000 + int(h.Sum32()%900000)
}

// decide applies an end user's approval or rejection: the person must hold
// DAGL for the party (else a bare 403, as the real PDP check answers) and
// the request must be New. Approval creates the
// system user. Callers hold a.mu for writing.
func (a *Altinn) decide(req *altinnRequest, pid string, approve bool) (*altinnSystemUser, altinnProblem, string, bool) {
	person, known := a.person(pid)
	if !known || !a.hasRole(pid, req.partyOrgNo, "DAGL") {
		name := pid
		if known {
			name = person.Name + " (" + pid + ")"
		}
		return nil, probAccessForbidden, fmt.Sprintf("%s may not manage access for %s (org. no. %s): the mock's stand-in for the PDP check is the DAGL role", name, a.orgName(req.partyOrgNo), req.partyOrgNo), false
	}
	// Status New is the only check: a request that reads timedOut may still
	// be approved (RequestSystemUserService.ApproveAndCreateSystemUser
	// L538-541).
	if req.status != reqStatusNew {
		return nil, probStatusNotNew, "the request's status is " + req.status, false
	}
	if !approve {
		req.status = reqStatusRejected
		return nil, altinnProblem{}, "", true
	}
	sys := a.activeSystem(req.systemID)
	if sys == nil {
		return nil, probSystemIDNotFound, fmt.Sprintf("the system %s is no longer registered", req.systemID), false
	}
	if su := a.systemUserByTriple(req.systemID, req.partyOrgNo, req.externalRef); su != nil {
		return nil, probSystemUserExists, fmt.Sprintf("system user %s already exists", su.id), false
	}
	// The system user's id is the request's (SystemUserService.cs L509,
	// from CreateSystemUserFromApprovedVendorRequest L603-640, inserted
	// with that id by SystemUserRepository.cs L238-290): systemuser_id[0]
	// in the token is the request id.
	su := &altinnSystemUser{
		id: req.id, integrationTitle: req.integrationTitle, systemID: req.systemID,
		partyOrgNo: req.partyOrgNo, externalRef: req.externalRef, userType: "standard",
		supplierOrgNo: sys.vendorOrgNo, rights: altinnCloneRights(req.rights), packages: altinnClonePackages(req.packages),
		created: a.now().UTC(),
	}
	if su.integrationTitle == "" {
		su.integrationTitle = altinnLocalized(sys.name)
	}
	if req.agent {
		su.userType = "agent"
		su.clients = map[string]bool{}
	}
	a.putSystemUser(su)
	req.status = reqStatusAccepted
	return su, altinnProblem{}, "", true
}

// handlePortalDecision is the portal API's approve/reject of a request
// (RequestSystemUserController): a person's token, the party in the path.
func (a *Altinn) handlePortalDecision(agent bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		decision := r.PathValue("decision")
		if decision != "approve" && decision != "reject" {
			http.NotFound(w, r)
			return
		}
		p, ok := a.requirePerson(w, r, alScopePortal)
		if !ok {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		party, ok := a.resolveParty(r.PathValue("partyId"))
		if !ok {
			writeAltinnProblem(w, probReporteeNotFound)
			return
		}
		// POLICY_ACCESS_MANAGEMENT_WRITE on {party}, a PDP check before the
		// action runs, answers a bare 403 (AuthenticationHost.cs L254-280);
		// holding DAGL for the party stands in for the PDP's permit.
		if !a.hasRole(p.pid, party.OrgNo, "DAGL") {
			writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("%s may not manage access for %s (the mock's stand-in for the PDP check: the DAGL role)", p.pid, party.OrgNo))
			return
		}
		id, ok := altinnRequestID(w, r)
		if !ok {
			return
		}
		req, exists := a.requests[id]
		switch {
		case !exists || req.deleted:
			writeAltinnProblem(w, altinnRequestNotFound(agent))
			return
		case agent && !req.agent:
			writeAltinnProblem(w, probNotAnAgentRequest)
			return
		case !agent && req.agent:
			writeAltinnProblem(w, probRequestNotFound)
			return
		}
		if party.OrgNo != req.partyOrgNo {
			prob := probPartyRequestMismatch
			if agent {
				prob = probPartyAgentMismatch
			}
			writeAltinnProblem(w, prob)
			return
		}
		if _, prob, _, ok := a.decide(req, p.pid, decision == "approve"); !ok {
			writeAltinnProblem(w, prob)
			return
		}
		writeJSON(w, http.StatusOK, true)
	}
}
