package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakePortal is a confirm page behind a login, as the mock serves it: a
// login form without a session, the page with the person and the session's
// CSRF token with one, and a decision only with the cookie, the token and
// the page's own origin.
type fakePortal struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	sessions map[string]string // cookie value → pid
	decided  []string          // pid: decision
}

const fakePage = "/accessmanagement/ui/systemuser/request"

func newFakePortal(t *testing.T) *fakePortal {
	f := &fakePortal{t: t, sessions: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+fakePage, func(w http.ResponseWriter, r *http.Request) {
		pid := f.session(r)
		if pid == "" {
			f.loginPage(w, r.URL.RequestURI())
			return
		}
		fmt.Fprintf(w, `<html><head><meta name="csrf-token" content="token-%s"></head><body><p><span id="session" data-pid="%s">logged in</span></p>`+
			`<a id="switch-person" href="/accessmanagement/ui/login?returnTo=%s">Log in as someone else</a></body></html>`, pid, pid, url.QueryEscape(r.URL.RequestURI()))
	})
	mux.HandleFunc("GET /accessmanagement/ui/login", func(w http.ResponseWriter, r *http.Request) {
		f.loginPage(w, r.URL.Query().Get("returnTo"))
	})
	mux.HandleFunc("POST /accessmanagement/ui/login", func(w http.ResponseWriter, r *http.Request) {
		f.sameOrigin(r)
		pid := r.PostFormValue("pid")
		f.mu.Lock()
		id := fmt.Sprintf("s%d", len(f.sessions))
		f.sessions[id] = pid
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sess", Value: id, Path: "/accessmanagement/ui/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, r.PostFormValue("returnTo"), http.StatusSeeOther)
	})
	mux.HandleFunc("POST "+fakePage+"/{decision}", func(w http.ResponseWriter, r *http.Request) {
		f.sameOrigin(r)
		pid := f.session(r)
		if pid == "" || r.PostFormValue("csrf") != "token-"+pid {
			http.Error(w, "<html>refused</html>", http.StatusForbidden)
			return
		}
		f.mu.Lock()
		f.decided = append(f.decided, pid+": "+r.PathValue("decision"))
		f.mu.Unlock()
		http.Redirect(w, r, "https://vendor.example/receipt?id="+r.PostFormValue("id"), http.StatusSeeOther)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePortal) loginPage(w http.ResponseWriter, returnTo string) {
	fmt.Fprintf(w, `<html><body><form id="login" method="post" action="/accessmanagement/ui/login">`+
		`<input type="hidden" name="returnTo" value="%s"><select id="pid" name="pid"></select></form></body></html>`, returnTo)
}

func (f *fakePortal) session(r *http.Request) string {
	c, err := r.Cookie("sess")
	if err != nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions[c.Value]
}

func (f *fakePortal) sameOrigin(r *http.Request) {
	if r.Header.Get("Origin") != f.srv.URL || r.Header.Get("Sec-Fetch-Site") != "same-origin" {
		f.t.Errorf("%s %s: Origin %q, Sec-Fetch-Site %q: not a browser's same-origin post", r.Method, r.URL, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))
	}
}

// TestPortalLogsInBeforeDeciding: the portal client goes through the
// page's login as a browser does, keeps the session cookie, sends the
// session's CSRF token, and logs in again as another person when asked.
func TestPortalLogsInBeforeDeciding(t *testing.T) {
	f := newFakePortal(t)
	p := NewPortal(f.srv.URL+"/", f.srv.Client())
	var xs []Exchange
	ctx := WithRecorder(context.Background(), func(x Exchange) { xs = append(xs, x) })
	confirm := f.srv.URL + fakePage + "?id=r1&DONTCHOOSEREPORTEE=true"

	page, err := p.ConfirmPage(ctx, confirm, "111")
	if err != nil || !strings.Contains(page, `data-pid="111"`) {
		t.Fatalf("ConfirmPage: %v\n%s", err, page)
	}
	loc, err := p.Decide(ctx, ConfirmAction{ConfirmURL: confirm, RequestID: "r1", PID: "111", Approve: true})
	if err != nil || loc != "https://vendor.example/receipt?id=r1" {
		t.Fatalf("Decide as 111: %q %v", loc, err)
	}
	// Another person: the page shows 111, so the client logs in again.
	if _, err := p.Decide(ctx, ConfirmAction{ConfirmURL: confirm, RequestID: "r1", PID: "222"}); err != nil {
		t.Fatalf("Decide as 222: %v", err)
	}
	if got := strings.Join(f.decided, ", "); got != "111: approve, 222: reject" {
		t.Errorf("decided %q", got)
	}
	var calls []string
	for _, x := range xs {
		u, _ := url.Parse(x.URL)
		calls = append(calls, fmt.Sprintf("%s %s %d", x.Method, u.Path, x.Status))
		for _, h := range []string{"Cookie", "Set-Cookie"} {
			if v := x.RequestHeader.Get(h) + x.ResponseHeader.Get(h); v != "" && v != "[redacted]" {
				t.Errorf("%s %s records %s %q", x.Method, x.URL, h, v)
			}
		}
	}
	want := []string{
		"GET " + fakePage + " 200", "POST /accessmanagement/ui/login 303", "GET " + fakePage + " 200", // ConfirmPage as 111
		"GET " + fakePage + " 200", "POST " + fakePage + "/approve 303", // Decide: the page, then the form
		"GET " + fakePage + " 200", "GET /accessmanagement/ui/login 200", "POST /accessmanagement/ui/login 303", "GET " + fakePage + " 200", "POST " + fakePage + "/reject 303",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
}
