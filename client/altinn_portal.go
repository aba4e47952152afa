package client

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/systembruker/workbench/internal/lazyre"
)

// Portal is what a person does in the Altinn portal, reached over HTTP: log
// in (Altinn's test token generator stands in for ID-porten), open the
// confirm page, approve or reject a request. Like a browser it keeps the
// portal's cookies (the login session), so the confirm page is opened and
// decided as the person who logged in.
type Portal struct {
	Base
	jar http.CookieJar
}

// NewPortal returns a portal client for the Altinn platform at baseURL.
func NewPortal(baseURL string, hc *http.Client) *Portal {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &Portal{Base: NewBase("altinn", baseURL, hc), jar: jar}
}

// PersonalToken logs a test person in and returns their Altinn token.
func (p *Portal) PersonalToken(ctx context.Context, pid string, scopes []string) (string, error) {
	q := url.Values{"pid": {pid}}
	if len(scopes) > 0 {
		q.Set("scopes", strings.Join(scopes, " "))
	}
	r, err := p.do(ctx, call{method: http.MethodGet, path: "testtools/personaltoken", query: q})
	if err != nil {
		return "", err
	}
	return strings.Trim(strings.TrimSpace(string(r.body)), `"`), nil
}

// browse sends c as the person's browser: with the portal's cookies, and
// keeping the ones the answer sets. A form post carries the headers a
// browser's same-origin post has.
func (p *Portal) browse(ctx context.Context, c call) (*response, error) {
	u, err := p.resolve(c.path)
	if err != nil {
		return nil, err
	}
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	c.path = u
	c.header = c.header.Clone()
	if c.header == nil {
		c.header = http.Header{}
	}
	c.header.Set("Accept", "text/html")
	for _, ck := range p.jar.Cookies(pu) {
		c.header.Add("Cookie", ck.String())
	}
	if c.method == http.MethodPost {
		c.header.Set("Origin", pu.Scheme+"://"+pu.Host)
		c.header.Set("Sec-Fetch-Site", "same-origin")
	}
	r, err := p.do(ctx, c)
	if r != nil {
		p.jar.SetCookies(pu, (&http.Response{Header: r.header}).Cookies())
	}
	return r, err
}

// The marks of the portal's pages the client reads, as a browser's user
// would: the login form, who is logged in, and the session's CSRF token.
var (
	loginFormRE  = lazyre.New(`<form id="login" method="post" action="([^"]+)">`)
	returnToRE   = lazyre.New(`<input type="hidden" name="returnTo" value="([^"]*)">`)
	sessionPIDRE = lazyre.New(`<span id="session" data-pid="([0-9]+)">`)
	switchRE     = lazyre.New(`<a id="switch-person" href="([^"]+)">`)
	csrfMetaRE   = lazyre.New(`<meta name="csrf-token" content="([^"]+)">`)
)

// ConfirmPage opens the page behind a confirmUrl as the person pid, as the
// end user's browser would: the page stands behind a login (ID-porten in
// the real portal, a person picker in the mock), so when it shows the login
// form, or another person is logged in, the person logs in first.
func (p *Portal) ConfirmPage(ctx context.Context, confirmURL, pid string) (string, error) {
	page, err := p.page(ctx, confirmURL)
	if err != nil {
		return "", err
	}
	if m := sessionPIDRE.FindStringSubmatch(page); m != nil && m[1] == pid {
		return page, nil
	}
	if err := p.logIn(ctx, confirmURL, page, pid); err != nil {
		return "", err
	}
	if page, err = p.page(ctx, confirmURL); err != nil {
		return "", err
	}
	if m := sessionPIDRE.FindStringSubmatch(page); m == nil || m[1] != pid {
		return "", fmt.Errorf("the portal did not log %s in: the confirm page says %q", pid, pageText([]byte(page)))
	}
	return page, nil
}

func (p *Portal) page(ctx context.Context, u string) (string, error) {
	r, err := p.browse(ctx, call{method: http.MethodGet, path: u})
	if err != nil {
		return "", pageProblem(err, r)
	}
	return string(r.body), nil
}

// logIn fills in the login form, reached from page: the page itself, or
// its "log in as someone else" link.
func (p *Portal) logIn(ctx context.Context, confirmURL, page, pid string) error {
	if !loginFormRE.MatchString(page) {
		m := switchRE.FindStringSubmatch(page)
		if m == nil {
			return fmt.Errorf("the confirm page has neither a login form nor a way to log in as someone else: %q", pageText([]byte(page)))
		}
		var err error
		if page, err = p.page(ctx, p.near(confirmURL, html.UnescapeString(m[1]))); err != nil {
			return err
		}
	}
	action, returnTo := loginFormRE.FindStringSubmatch(page), returnToRE.FindStringSubmatch(page)
	if action == nil || returnTo == nil {
		return fmt.Errorf("the login page has no login form: %q", pageText([]byte(page)))
	}
	form := url.Values{"pid": {pid}, "returnTo": {html.UnescapeString(returnTo[1])}}
	r, err := p.browse(ctx, call{
		method: http.MethodPost, path: p.near(confirmURL, html.UnescapeString(action[1])), body: []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded", noRedirect: true,
	})
	if err != nil {
		return pageProblem(err, r)
	}
	return nil
}

// near resolves a link of a page at pageURL.
func (p *Portal) near(pageURL, ref string) string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return ref
	}
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// ConfirmAction is what the person on the confirm page does.
type ConfirmAction struct {
	// ConfirmURL is the page; its form posts beside it.
	ConfirmURL string
	RequestID  string
	// PID is the person acting: the one who logs in.
	PID     string
	Approve bool
}

// Decide presses Approve or Reject on the confirm page: it opens the page
// as the person (logging in if need be) and sends the form post the
// browser sends, with the session's CSRF token. The page answers with a
// redirect to the vendor's redirectUrl (not followed) or a receipt page;
// the redirect's Location is returned.
func (p *Portal) Decide(ctx context.Context, d ConfirmAction) (string, error) {
	page, err := p.ConfirmPage(ctx, d.ConfirmURL, d.PID)
	if err != nil {
		return "", err
	}
	token := ""
	if m := csrfMetaRE.FindStringSubmatch(page); m != nil {
		token = html.UnescapeString(m[1])
	}
	u, err := url.Parse(d.ConfirmURL)
	if err != nil {
		return "", fmt.Errorf("confirm URL %q: %w", d.ConfirmURL, err)
	}
	verb := "reject"
	if d.Approve {
		verb = "approve"
	}
	u.RawQuery = ""
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + verb
	// Sent as the page's form is, even when the page shows no form (the
	// request was decided meanwhile): the portal then says why.
	form := url.Values{"id": {d.RequestID}, "csrf": {token}}
	r, err := p.browse(ctx, call{
		method: http.MethodPost, path: u.String(), body: []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded", noRedirect: true,
	})
	if err != nil {
		return "", pageProblem(err, r)
	}
	return r.header.Get("Location"), nil
}

var authCodeRE = lazyre.New(`\b(AUTH|STD)(\.VLD)?-\d{5}\b`)

// pageProblem reads an Altinn portal error page (the portal answers a
// browser with HTML, not problem+json) into a ProblemError with the code
// the page shows.
func pageProblem(err error, r *response) error {
	if r == nil || !isHTML(r.header.Get("Content-Type"), r.body) {
		return err
	}
	return &ProblemError{
		Service: "altinn", Status: r.status, Code: authCodeRE.FindString(string(r.body)),
		Title: "the portal page says: " + pageText(r.body),
	}
}

var headRE = lazyre.New(`(?is)<head.*?</head>|<script.*?</script>|<style.*?</style>`)

// pageText is the visible text of an HTML page, shortened.
func pageText(b []byte) string {
	s := headRE.ReplaceAllString(string(b[:min(len(b), 16384)]), " ")
	s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
