package client

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Portal is what a person does in the Altinn portal, reached over HTTP: log
// in (Altinn's test token generator stands in for ID-porten), open the
// confirm page, approve or reject a request.
type Portal struct{ Base }

// NewPortal returns a portal client for the Altinn platform at baseURL.
func NewPortal(baseURL string, hc *http.Client) *Portal {
	return &Portal{NewBase("altinn", baseURL, hc)}
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

// ConfirmPage fetches the page behind a confirmUrl, as the end user's browser would.
func (p *Portal) ConfirmPage(ctx context.Context, confirmURL string) (string, error) {
	r, err := p.do(ctx, call{method: http.MethodGet, path: confirmURL, header: http.Header{"Accept": {"text/html"}}})
	if err != nil {
		return "", err
	}
	return string(r.body), nil
}

// ConfirmAction is what the person on the confirm page does.
type ConfirmAction struct {
	// ConfirmURL is the page; its form posts beside it.
	ConfirmURL string
	RequestID  string
	// PID is the person acting (the page's "logged in as").
	PID     string
	Approve bool
}

// Decide presses Approve or Reject on the confirm page: a form post, as the
// browser sends it. The page answers with a redirect to the vendor's
// redirectUrl (not followed) or a receipt page; the redirect's Location is
// returned.
func (p *Portal) Decide(ctx context.Context, d ConfirmAction) (string, error) {
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
	form := url.Values{"id": {d.RequestID}, "pid": {d.PID}}
	r, err := p.do(ctx, call{
		method: http.MethodPost, path: u.String(), body: []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded", noRedirect: true,
		header: http.Header{"Accept": {"text/html"}},
	})
	if err != nil {
		return "", pageProblem(err, r)
	}
	return r.header.Get("Location"), nil
}

var authCodeRE = regexp.MustCompile(`\b(AUTH|STD)(\.VLD)?-\d{5}\b`)

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

var headRE = regexp.MustCompile(`(?is)<head.*?</head>|<script.*?</script>|<style.*?</style>`)

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
