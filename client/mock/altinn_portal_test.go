package mock

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
)

// portalBrowser is a browser on the mock portal: it keeps the session
// cookie and sends the headers a browser's same-origin form post has.
type portalBrowser struct {
	e   *altinnTestEnv
	jar http.CookieJar
}

func (e *altinnTestEnv) browser() *portalBrowser {
	jar, _ := cookiejar.New(nil)
	return &portalBrowser{e: e, jar: jar}
}

func (b *portalBrowser) send(method, path string, form url.Values, header http.Header) altinnResp {
	b.e.t.Helper()
	u := b.e.url + strings.TrimPrefix(path, "/")
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == "POST" {
		req.Header.Set("Origin", strings.TrimSuffix(b.e.url, "/"))
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, c := range b.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := b.e.hc.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b.jar.SetCookies(req.URL, resp.Cookies())
	raw, _ := io.ReadAll(resp.Body)
	return altinnResp{status: resp.StatusCode, header: resp.Header, body: raw}
}

// login logs pid in for the page (path and query) and returns the page.
func (b *portalBrowser) login(page, pid string) string {
	b.e.t.Helper()
	r := b.send("POST", "accessmanagement/ui/login", url.Values{"pid": {pid}, "returnTo": {page}}, nil)
	if r.status != 303 || r.header.Get("Location") != page {
		b.e.t.Fatalf("log in %s: %d %s %s", pid, r.status, r.header.Get("Location"), r.body)
	}
	return string(b.send("GET", page, nil, nil).body)
}

var csrfRE = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// csrf is the session's CSRF token on a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no CSRF token:\n%s", page)
	}
	return m[1]
}

func TestAltinnConfirmPage(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	req := e.createRequest(false, standardRequestBody(nil)).obj(t)
	id := req["id"].(string)
	confirm, _ := url.Parse(req["confirmUrl"].(string))
	page := confirm.RequestURI()
	readStatus := func() string {
		return e.do("GET", "authentication/api/v1/systemuser/request/vendor/"+id, e.vendorToken(alScopeRequestRead), nil).obj(t)["status"].(string)
	}

	// Without a session the page is the login in front of it.
	stadig := e.browser()
	login := stadig.send("GET", page, nil, nil)
	if login.status != 200 || !strings.HasPrefix(login.header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", login.status, login.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<form id="login" method="post" action="/accessmanagement/ui/login">`, `name="returnTo" value="` + html.EscapeString(page) + `"`,
		"ID-porten", `<label for="pid">`, `<option value="` + PIDStadigKonsert + `" selected>`, "DRESS MINST", "DAGL for TILFELDIG SUBTIL APE", `lang="en"`,
	} {
		if !strings.Contains(string(login.body), want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if strings.Contains(string(login.body), ResourceKravOgBetalinger) || strings.Contains(string(login.body), "csrf") {
		t.Error("the login page shows the request or a token before the login")
	}

	// Logging in sets the session cookie and returns to the page.
	r := stadig.send("POST", "accessmanagement/ui/login", url.Values{"pid": {PIDStadigKonsert}, "returnTo": {page}}, nil)
	cookie := r.header.Get("Set-Cookie")
	if r.status != 303 || r.header.Get("Location") != page {
		t.Fatalf("login: %d %s", r.status, r.header.Get("Location"))
	}
	for _, want := range []string{sessionCookie + "=", "Path=/accessmanagement/ui/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	html := string(stadig.send("GET", page, nil, nil).body)
	for _, want := range []string{
		"SmartCloud 1", "SmartCloud er verdens beste system.", "SMARTCLOUD AS", OrgSmartCloud,
		"TILFELDIG SUBTIL APE", OrgSubtilApe, ResourceKravOgBetalinger, "Krav og betalinger",
		`action="/accessmanagement/ui/systemuser/request/approve"`, `formaction="/accessmanagement/ui/systemuser/request/reject"`,
		`data-pid="` + PIDStadigKonsert + `"`, "STADIG KONSERT (" + PIDStadigKonsert + ")", `id="switch-person"`,
		`<input type="hidden" name="csrf" value="` + csrf(t, html) + `">`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "<script") {
		t.Error("page loads external assets or scripts")
	}
	token := csrf(t, html)

	decide := func(b *portalBrowser, kind, decision, id, token string, header http.Header) altinnResp {
		return b.send("POST", "accessmanagement/ui/systemuser/"+kind+"/"+decision, url.Values{"id": {id}, "csrf": {token}}, header)
	}
	dress := e.browser()
	dressToken := csrf(t, dress.login(page, PIDDressMinst))
	for _, tc := range []struct {
		name           string
		b              *portalBrowser
		kind, id, csrf string
		header         http.Header
		status         int
		code, says     string
	}{
		{"DRESS MINST may not approve for APE: a bare 403, as the PDP check answers", dress, "request", id, dressToken, nil, 403, "may not manage access", "DRESS MINST"},
		{"unknown request", stadig, "request", client.NewUUID(), token, nil, 404, "AUTH-00010", ""},
		{"standard request on the agent page", stadig, "agentrequest", id, token, nil, 404, "AUTH-00030", ""},
		{"no session", e.browser(), "request", id, token, nil, 403, "", "not logged in"},
		{"no CSRF token", stadig, "request", id, "", nil, 403, "", "CSRF token"},
		{"another session's CSRF token", stadig, "request", id, dressToken, nil, 403, "", "CSRF token"},
		{"from another site (an older browser: Origin only)", stadig, "request", id, token, http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {""}}, 403, "", "Origin: http://evil.example"},
		{"from another site", stadig, "request", id, token, http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, 403, "", "Sec-Fetch-Site: cross-site"},
		{"from a sibling site", stadig, "request", id, token, http.Header{"Origin": {"http://127.0.0.1:1"}, "Sec-Fetch-Site": {"same-site"}}, 403, "", "Sec-Fetch-Site: same-site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := decide(tc.b, tc.kind, "approve", tc.id, tc.csrf, tc.header)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			body := string(r.body)
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(body, tc.code) || !strings.Contains(body, tc.says) || !strings.Contains(body, `role="alert"`) {
				t.Errorf("error page lacks %s %q: %s", tc.code, tc.says, body)
			}
			if !strings.HasPrefix(tc.code, "AUTH") && strings.Contains(body, "Altinn code") {
				t.Errorf("a refusal without a code shows one: %s", body)
			}
			if got := readStatus(); got != "New" {
				t.Errorf("the request is %s after a refused decision", got)
			}
		})
	}
	if r := stadig.send("POST", "accessmanagement/ui/login", url.Values{"pid": {"01010112345"}, "returnTo": {page}}, nil); r.status != 400 || !strings.Contains(string(r.body), "no test person") {
		t.Errorf("login as an unknown person: %d", r.status)
	}
	for _, returnTo := range []string{"https://evil.example/", "//evil.example/accessmanagement/ui/systemuser/request", "/authentication/api/v1/systemuser/request/vendor"} {
		if r := e.browser().send("POST", "accessmanagement/ui/login", url.Values{"pid": {PIDStadigKonsert}, "returnTo": {returnTo}}, nil); r.status != 400 || r.header.Get("Set-Cookie") != "" {
			t.Errorf("login returning to %s: %d %s", returnTo, r.status, r.header.Get("Location"))
		}
	}
	if r := e.browser().send("POST", "accessmanagement/ui/login", url.Values{"pid": {PIDStadigKonsert}, "returnTo": {page}}, http.Header{"Origin": {"http://evil.example"}}); r.status != 403 || r.header.Get("Set-Cookie") != "" {
		t.Errorf("login from another site: %d", r.status)
	}

	// STADIG KONSERT approves: 303 back to the vendor, and Maskinporten's
	// lookup now finds the system user.
	r = decide(stadig, "request", "approve", id, token, nil)
	if r.status != 303 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	loc, _ := url.Parse(r.header.Get("Location"))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != atRedirect || loc.Query().Get("id") != id || loc.Query().Get("status") != "Accepted" {
		t.Errorf("redirect to %s", loc)
	}
	lookup := e.do("GET", "authentication/api/v1/systemuser/byExternalId?clientId="+atClient+"&systemProviderOrgNo="+OrgSmartCloud+"&systemUserOwnerOrgNo="+OrgSubtilApe,
		e.mp.orgToken(t, OrgDigdir, alScopeSystemUserLookup), nil)
	if lookup.status != 200 || lookup.obj(t)["reporteeOrgNo"] != OrgSubtilApe {
		t.Fatalf("byExternalId after approval: %d %s", lookup.status, lookup.body)
	}
	// Decided: the page says so and has no form; deciding again is 409.
	if html := string(stadig.send("GET", page, nil, nil).body); strings.Contains(html, "<form") || !strings.Contains(html, "Accepted") {
		t.Errorf("decided page still offers the form")
	}
	if r := decide(stadig, "request", "reject", id, token, nil); r.status != 409 || !strings.Contains(string(r.body), "AUTH-00013") {
		t.Errorf("decide twice: %d", r.status)
	}

	// Without a redirectUrl the page shows a receipt.
	noRedirect := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "plain", "redirectUrl": nil})).obj(t)["id"].(string)
	if r := decide(stadig, "request", "reject", noRedirect, token, nil); r.status != 200 || !strings.Contains(string(r.body), "Request rejected") {
		t.Errorf("receipt: %d %s", r.status, r.body)
	}

	// The agent page lists the packages; DRESS MINST is preselected for TIGER.
	agent := e.createRequest(true, map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}).obj(t)
	agentURL, _ := url.Parse(agent["confirmUrl"].(string))
	if html := string(e.browser().send("GET", agentURL.RequestURI(), nil, nil).body); !strings.Contains(html, `<option value="`+PIDDressMinst+`" selected>`) {
		t.Errorf("agent login page does not preselect DRESS MINST")
	}
	html = dress.login(agentURL.RequestURI(), PIDDressMinst)
	for _, want := range []string{"SmartCloud Regnskap", atPackageRevisor, "TILBAKEHOLDEN USYMMETRISK TIGER AS", "DRESS MINST (" + PIDDressMinst + ") — DAGL for TILBAKEHOLDEN USYMMETRISK TIGER AS"} {
		if !strings.Contains(html, want) {
			t.Errorf("agent page lacks %q", want)
		}
	}
	if r := decide(dress, "agentrequest", "approve", agent["id"].(string), csrf(t, html), nil); r.status != 200 || !strings.Contains(string(r.body), "agent system user") {
		t.Errorf("agent approve: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "accessmanagement/ui/systemuser/request?id=nope", "", nil); r.status != 404 || !strings.Contains(string(r.body), "AUTH-00010") {
		t.Errorf("unknown id page: %d", r.status)
	}
	if r := e.do("GET", "accessmanagement/ui/systemuser/agentrequest?id="+id, "", nil); r.status != 404 || !strings.Contains(string(r.body), "a standard request") {
		t.Errorf("standard request on the agent page: %d %s", r.status, r.body)
	}
	if r := decide(stadig, "request", "maybe", id, token, nil); r.status != 404 {
		t.Errorf("unknown decision: %d", r.status)
	}
}

// TestAltinnSessionsAreBounded: sessions end after their lifetime, and a
// flood of logins keeps at most maxSessions.
func TestAltinnSessionsAreBounded(t *testing.T) {
	var s portalSessions
	now := time.Now()
	first := s.create(PIDStadigKonsert, now)
	for range maxSessions + 10 {
		s.create(PIDDressMinst, now.Add(time.Second))
	}
	if len(s.m) > maxSessions {
		t.Errorf("%d sessions kept", len(s.m))
	}
	if _, ok := s.m[first]; ok {
		t.Error("the oldest session outlived the flood")
	}
	r, _ := http.NewRequest("GET", "/", nil)
	id := s.create(PIDStadigKonsert, now)
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
	if s.get(r, now.Add(sessionLife-time.Second)) == nil || s.get(r, now.Add(sessionLife+time.Second)) != nil {
		t.Error("a session does not last exactly its lifetime")
	}
}

func TestAltinnPortalDecision(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	ape, tiger := 51390520, 51457050 // party ids of the seed's orgs
	stdID := e.createRequest(false, standardRequestBody(nil)).obj(t)["id"].(string)
	rejID := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "to-reject"})).obj(t)["id"].(string)
	agentID := e.createRequest(true, map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}).obj(t)["id"].(string)
	stadig, dress := e.personalToken(PIDStadigKonsert), e.personalToken(PIDDressMinst)
	path := func(agent bool, party int, id, decision string) string {
		p := "authentication/api/v1/systemuser/request/"
		if agent {
			p += "agent/"
		}
		return fmt.Sprintf("%s%d/%s/%s", p, party, id, decision)
	}
	for _, tc := range []struct {
		name   string
		path   string
		token  string
		status int
		code   string
	}{
		// The PDP policy on {party} answers a bare 403 (AuthenticationHost.cs L254-280).
		{"a person without DAGL for the party", path(false, ape, stdID, "approve"), dress, 403, ""},
		{"the party does not match", path(false, tiger, stdID, "approve"), dress, 403, "AUTH-00041"},
		{"unknown party", path(false, 1, stdID, "approve"), stadig, 400, "AUTH-00000"},
		{"unknown request", path(false, ape, client.NewUUID(), "approve"), stadig, 404, "AUTH-00010"},
		{"an organisation's token", path(false, ape, stdID, "approve"), e.vendorToken(alScopeRequestWrite), 403, ""},
		{"without the portal scope", path(false, ape, stdID, "approve"), e.personalToken(PIDStadigKonsert, alScopeClientDelegRead), 403, ""},
		{"approve", path(false, ape, stdID, "approve"), stadig, 200, ""},
		{"approve again", path(false, ape, stdID, "approve"), stadig, 409, "AUTH-00013"},
		{"reject", path(false, ape, rejID, "reject"), stadig, 200, ""},
		{"agent request on the standard path", path(false, tiger, agentID, "approve"), dress, 404, "AUTH-00010"},
		{"standard request on the agent path", path(true, ape, stdID, "approve"), stadig, 400, "AUTH-00025"},
		{"agent, party mismatch", path(true, ape, agentID, "approve"), stadig, 403, "AUTH-00042"},
		{"agent approve", path(true, tiger, agentID, "approve"), dress, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", tc.path, tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" && r.code(t) != tc.code {
				t.Errorf("code %s, want %s", r.code(t), tc.code)
			}
			if tc.status == 200 && string(r.body) != "true\n" {
				t.Errorf("body %q", r.body)
			}
		})
	}
	read := e.vendorToken(alScopeRequestRead)
	for id, want := range map[string]string{stdID: "Accepted", rejID: "Rejected"} {
		if got := e.do("GET", "authentication/api/v1/systemuser/request/vendor/"+id, read, nil).obj(t)["status"]; got != want {
			t.Errorf("status of %s: %v, want %s", id, got, want)
		}
	}
	// The approved request made a system user; asking again is AUTH-00004.
	if r := e.createRequest(false, standardRequestBody(nil)); r.code(t) != "AUTH-00004" {
		t.Errorf("request after approval: %d %s", r.status, r.body)
	}
	// A rejected request is returned as it is (200), not recreated.
	if r := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "to-reject"})); r.status != 200 || r.obj(t)["status"] != "Rejected" {
		t.Errorf("request again after rejection: %d %s", r.status, r.body)
	}
	q := "authentication/api/v1/systemuser/vendor/byquery?system-id=" + atAgentSystem + "&orgno=" + OrgTiger
	if u := e.do("GET", q, e.vendorToken(alScopeRequestWrite), nil).obj(t); u["userType"] != "agent" {
		t.Errorf("agent system user: %v", u)
	}
}

func TestAltinnPersonalToken(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	tok := e.personalToken(PIDDressMinst)
	claims, err := e.alt.verifyOwn(tok)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if claims["pid"] != PIDDressMinst || claims["urn:altinn:userid"] != "341895" || claims["urn:altinn:authlevel"] != float64(3) {
		t.Errorf("claims %v", claims)
	}
	if claims["scope"] != altinnDefaultPersonalScopes {
		t.Errorf("scope %q", claims["scope"])
	}
	claims, _ = e.alt.verifyOwn(e.personalToken(PIDStadigKonsert, "altinn:portal/enduser"))
	if claims["scope"] != "altinn:portal/enduser" {
		t.Errorf("scopes from the query: %q", claims["scope"])
	}
	r := e.do("GET", "testtools/personaltoken?pid=01010112345", "", nil)
	if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("unknown pid: %d %s", r.status, r.body)
	}
}
