package mock

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The login in front of the confirm page. The real page is Altinn's access
// management UI behind an ID-porten login (TestID in tt02); the mock has a
// login page of its own where the person picks a seeded test person, and
// then behaves as a logged-in web page must: a session cookie (HttpOnly,
// SameSite=Strict, its path the portal's), a CSRF token in the decision form
// bound to the session, and no decision from another site (Origin and
// Sec-Fetch-Site). docs/mock-api.md says it is a stand-in.

const (
	loginPath     = "/accessmanagement/ui/login"
	sessionCookie = "mock_altinn_portal_session"
	sessionPath   = "/accessmanagement/ui/"
	sessionLife   = 30 * time.Minute
	maxSessions   = 1000 // the oldest go first; a browser just logs in again
)

// portalSession is a logged-in browser: the person, and the CSRF token its
// forms carry.
type portalSession struct {
	pid     string
	csrf    string
	expires time.Time
}

// validCSRF reports whether the form's token is the session's.
func (s *portalSession) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

// portalSessions are the logged-in browsers, by the cookie's value. It has
// a lock of its own, so that a handler may look a session up before it
// takes the Altinn's.
type portalSessions struct {
	mu sync.Mutex
	m  map[string]*portalSession
}

// get is the request's live session, or nil.
func (s *portalSessions) get(r *http.Request, now time.Time) *portalSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[c.Value]
	if sess == nil || now.After(sess.expires) {
		return nil
	}
	return sess
}

// create starts a session for pid and returns its cookie value.
func (s *portalSessions) create(pid string, now time.Time) string {
	id, csrf := sessionToken(), sessionToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*portalSession{}
	}
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	for len(s.m) >= maxSessions {
		oldest := ""
		for k, v := range s.m {
			if oldest == "" || v.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		delete(s.m, oldest)
	}
	s.m[id] = &portalSession{pid: pid, csrf: csrf, expires: now.Add(sessionLife)}
	return id
}

func sessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sameOrigin refuses a form post another site made: a Sec-Fetch-Site other
// than same-origin (or none, the person's own navigation), or an Origin
// other than the mock's own. A client that is not a browser sends neither,
// and is held to the session and the CSRF token.
func (a *Altinn) sameOrigin(r *http.Request) (string, bool) {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "the form was posted from another site (Sec-Fetch-Site: " + site + ")", false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return "", true
	}
	own := []string{strings.TrimSuffix(a.cfg.URL, "/"), "http://" + r.Host}
	if r.TLS != nil {
		own[1] = "https://" + r.Host
	}
	if u, err := url.Parse(a.cfg.URL); err == nil {
		own[0] = u.Scheme + "://" + u.Host
	}
	for _, o := range own {
		if strings.EqualFold(origin, o) {
			return "", true
		}
	}
	return fmt.Sprintf("the form was posted from another site (Origin: %s)", origin), false
}

// loginTemplate is the login page: the person picker that stands in for
// ID-porten.
const loginTemplate = `
{{define "login"}}{{template "head" .}}
<h1>{{.Heading}}</h1>
<p>The real Altinn sends you to ID-porten to log in (TestID in tt02). This mock stands in for it: choose the test person to log in as.</p>
{{if .Message}}<div class="box bad" role="alert"><p>{{.Message}}</p></div>{{end}}
<form id="login" method="post" action="{{.Action}}">
<input type="hidden" name="returnTo" value="{{.ReturnTo}}">
<fieldset>
<legend>Log in as</legend>
<label for="pid">Test person</label>
<select id="pid" name="pid"{{if .PartyName}} aria-describedby="pid-hint"{{end}}>
{{range .Persons}}<option value="{{.PID}}"{{if .Selected}} selected{{end}}>{{.Name}} ({{.PID}}){{if .Roles}} — {{.Roles}}{{end}}</option>
{{end}}</select>
{{if .PartyName}}<p class="hint" id="pid-hint">Only a person holding the DAGL role (daglig leder) for {{.PartyName}} may decide the request.</p>{{end}}
</fieldset>
<div class="actions">
<button type="submit" class="approve">Log in</button>
</div>
</form>
{{template "foot"}}{{end}}
`

// loginView is what the login page shows.
type loginView struct {
	Heading, Message string
	Action, ReturnTo string
	PartyName        string
	Persons          []confirmPerson
	// For the page's head: no session yet.
	LoggedIn *confirmPerson
	CSRF     string
}

// loginView is the login page that returns to returnTo (a confirm page's
// path and query), with pid (or the request's daglig leder) preselected.
// Callers hold a.mu.
func (a *Altinn) loginView(returnTo, pid, message string) loginView {
	v := loginView{Heading: "Log in", Message: message, Action: a.portalPath(loginPath), ReturnTo: returnTo}
	party := ""
	if u, err := url.Parse(returnTo); err == nil {
		if req, ok := a.requests[u.Query().Get("id")]; ok && !req.deleted {
			party = req.partyOrgNo
			v.PartyName = a.orgName(party)
		}
	}
	v.Persons = a.personChoices(party, pid)
	return v
}

// validReturnTo reports whether the login may send the browser on to
// returnTo: a path of the portal on this host, never another site.
func (a *Altinn) validReturnTo(returnTo string) bool {
	u, err := url.Parse(returnTo)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.HasPrefix(returnTo, "//") &&
		strings.HasPrefix(u.Path, a.portalPath("/accessmanagement/ui/systemuser/"))
}

// portalPath is p, a path of the portal from the host's root, under the
// path of the mock's own URL: serve --addr puts Altinn under /altinn/, and
// the session cookie's Path, the forms' actions and the links follow it.
func (a *Altinn) portalPath(p string) string {
	u, err := url.Parse(a.cfg.URL)
	if err != nil {
		return p
	}
	return strings.TrimSuffix(u.Path, "/") + p
}

// handleLoginPage shows the login page (the confirm page's "log in as
// someone else").
func (a *Altinn) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	returnTo := r.URL.Query().Get("returnTo")
	if !a.validReturnTo(returnTo) {
		a.renderProblem(w, altinnProblem{status: http.StatusBadRequest}, "returnTo must be a page of the portal, such as a request's confirm page.", "")
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	a.render(w, http.StatusOK, "login", a.loginView(returnTo, r.URL.Query().Get("pid"), ""))
}

// handleLogin logs the chosen person in: a new session, its cookie, and a
// 303 back to the page the person came from.
func (a *Altinn) handleLogin(w http.ResponseWriter, r *http.Request) {
	if why, ok := a.sameOrigin(r); !ok {
		a.renderProblem(w, altinnProblem{status: http.StatusForbidden}, "Refused: "+why+". Log in on the login page itself.", "")
		return
	}
	if err := r.ParseForm(); err != nil {
		a.renderProblem(w, altinnProblem{status: http.StatusBadRequest}, "The form could not be read: "+err.Error(), "")
		return
	}
	pid, returnTo := r.PostForm.Get("pid"), r.PostForm.Get("returnTo")
	if !a.validReturnTo(returnTo) {
		a.renderProblem(w, altinnProblem{status: http.StatusBadRequest}, "returnTo must be a page of the portal, such as a request's confirm page.", "")
		return
	}
	a.mu.RLock()
	_, known := a.person(pid)
	if !known {
		v := a.loginView(returnTo, "", fmt.Sprintf("There is no test person with pid %q.", pid))
		a.mu.RUnlock()
		a.render(w, http.StatusBadRequest, "login", v)
		return
	}
	a.mu.RUnlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: a.sessions.create(pid, a.now()), Path: a.portalPath(sessionPath),
		MaxAge: int(sessionLife.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.HasPrefix(a.cfg.URL, "https:"),
	})
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}
