package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// claimText is a claim's row in a token view: its line and the lines
// under it, up to the next claim's. A claim starts at column 2 or 4
// (after its mark, at depth 0 or 1); what is under it starts further in.
func claimText(lines []string, claim string) string {
	var b strings.Builder
	in := false
	for _, l := range lines {
		plain := []rune(ansi.Strip(l))
		at := 2
		for at < len(plain) && plain[at] == ' ' {
			at++
		}
		isClaim := len(plain) > 2 && (at == 2 || at == 4)
		switch {
		case isClaim && strings.HasPrefix(string(plain[at:])+" ", claim+" "):
			in = true
		case isClaim && in:
			return b.String()
		}
		if in {
			b.WriteString(string(plain) + "\n")
		}
	}
	return b.String()
}

// TestClaimMeaningsFollowTheToken: exp, jti and iss mean one thing in a
// grant and another in the access token it became.
func TestClaimMeaningsFollowTheToken(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	grant, tok := grantAndToken()
	left, right := pairLines(tokenView{tok: grant}, tokenView{tok: tok, grant: &grant}, 100, 100, &st, testClock, time.UTC)
	for _, c := range []struct {
		lines          []string
		claim          string
		want, notWant  string
		kindOfTheToken string
	}{
		{left, "exp", "120 s after iat", "", "grant"},
		{right, "exp", "stops taking it", "120 s", "access token"},
		{left, "jti", "one token (MP-012)", "", "grant"},
		{right, "jti", "the token's own id", "MP-012", "access token"},
		{left, "iss", "your client_id", "Maskinporten", "grant"},
		{right, "iss", "Maskinporten, which issued", "client_id", "access token"},
		{right, "scope", "the scopes granted", "asked for", "access token"},
	} {
		got := claimText(c.lines, c.claim)
		if !strings.Contains(got, c.want) || (c.notWant != "" && strings.Contains(got, c.notWant)) {
			t.Errorf("%s in the %s: %q, want %q and not %q", c.claim, c.kindOfTheToken, got, c.want, c.notWant)
		}
	}
	// An Altinn token exchanged from Maskinporten's has meanings of its own.
	alt := flow.Token{Label: "Altinn token", DecodedJWT: client.DecodedJWT{Claims: map[string]any{
		"iss": "http://altinn/authentication/api/v1/openid/", "urn:altinn:orgNumber": "991825827", "sid": "s1",
		"urn:altinn:authenticatemethod": "maskinporten", "urn:altinn:authlevel": float64(3),
	}}}
	lines := tokenView{tok: alt}.lines(100, &st, testClock, time.UTC)
	if got := claimText(lines, "iss"); !strings.Contains(got, "Altinn's authentication") {
		t.Errorf("an Altinn token's iss: %q", got)
	}
	if got := claimText(lines, "urn:altinn:orgNumber"); !strings.Contains(got, "the organisation it speaks for") {
		t.Errorf("an Altinn token's orgNumber: %q", got)
	}
}

// TestClaimsTableIsAligned: at a width where they fit, each claim is one
// line, value and meaning each in their column.
func TestClaimsTableIsAligned(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	grant, tok := grantAndToken()
	_, right := pairLines(tokenView{tok: grant}, tokenView{tok: tok, grant: &grant}, 110, 110, &st, testClock, time.UTC)
	valueCol, meaningCol := -1, -1
	for _, claim := range []string{"client_id", "token_type", "jti"} {
		var line string
		for _, l := range right {
			if p := ansi.Strip(l); strings.HasPrefix(strings.TrimLeft(p, "+− "), claim+" ") {
				line = p
			}
		}
		v := strings.Index(line, tok.Claims[claim].(string))
		m := strings.Index(line, meaning(kindMaskinporten, claim))
		if v < 0 || m < 0 {
			t.Fatalf("%s is not on one line with its value and meaning: %q", claim, line)
		}
		if valueCol >= 0 && (v != valueCol || m != meaningCol) {
			t.Errorf("%s: value at %d, meaning at %d; the others at %d, %d", claim, v, m, valueCol, meaningCol)
		}
		valueCol, meaningCol = v, m
	}
}

// TestTokenTimesInTheLocalZoneAndUTC: a time shows as its epoch, the date
// in the local zone and in UTC, and how far off it is.
func TestTokenTimesInTheLocalZoneAndUTC(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	_, tok := grantAndToken()
	cet := time.FixedZone("CET", 3600)
	text := ansi.Strip(strings.Join(tokenView{tok: tok}.lines(80, &st, testClock, cet), "\n"))
	for _, want := range []string{
		"iat               1772445600", "2026-03-02 11:00:00 CET (8s ago)", "2026-03-02 10:00:00 UTC",
		"exp               1772445720", "2026-03-02 11:02:00 CET (in 1m52s)", "2026-03-02 10:02:00 UTC",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
}

// TestGrantPostedIsMarkedUsed: a grant the step posted to /token is
// spent: its pane and its jti say so.
func TestGrantPostedIsMarkedUsed(t *testing.T) {
	m := newTestModel(t, 120, 40)
	grant, tok := grantAndToken()
	x := jsonExchange(`{}`)
	x.RequestBody = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + grant.Raw
	op := len(m.sc.Steps) - 2
	m = runStep(m, op, 1, []client.Exchange{x}, []flow.Token{grant, tok}, nil)
	m = keys(m, "5", "tab", "tab", "tab")
	if !strings.Contains(m.step.left.title, "· used") {
		t.Errorf("the grant's pane is titled %q", m.step.left.title)
	}
	if got := claimText(m.step.left.lines, "jti"); !strings.Contains(got, "j1 used") || !strings.Contains(got, "posted to /token") {
		t.Errorf("the grant's jti: %q", got)
	}
	// A grant the step did not post is not spent.
	m = runStep(m, op, 2, []client.Exchange{jsonExchange(`{}`)}, []flow.Token{grant, tok}, nil)
	m = keys(m, "esc", "5", "tab", "tab", "tab")
	if strings.Contains(m.step.left.title, "used") || strings.Contains(claimText(m.step.left.lines, "jti"), "used") {
		t.Errorf("a grant not posted is marked used: %q", m.step.left.title)
	}
}

// TestSystemUserIDIsTheApprovedRequest: where systemuser_id is the id of
// the request the customer approved, the token says so.
func TestSystemUserIDIsTheApprovedRequest(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	_, tok := grantAndToken()
	v := tokenView{tok: tok, facts: tokenFacts{requestID: "su-1"}}
	if got := claimText(v.lines(100, &st, testClock, time.UTC), "systemuser_id"); !strings.Contains(got, "its id is the approved request's") {
		t.Errorf("systemuser_id equal to the request id: %q", got)
	}
	v.facts.requestID = "another"
	if got := claimText(v.lines(100, &st, testClock, time.UTC), "systemuser_id"); strings.Contains(got, "request") {
		t.Errorf("systemuser_id not the request's: %q", got)
	}
}

// TestTokenExpiredByTheMocksClock runs token-expired on the mocks with the
// wall clock: after the mocks' clock moved ten minutes, the token of step
// 12 and the one step 14 sent show as expired, by the mocks' clock, though
// by the wall clock they still have most of their two minutes.
func TestTokenExpiredByTheMocksClock(t *testing.T) {
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithScenario("token-expired"), WithClock(time.Now),
		WithLocation(time.UTC), WithClipboard(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	// Up to the token: it lives, by any clock.
	m = keys(m, "enter") // step 1
	for range 12 {
		m = keys(pressAndRun(t, m, "enter"), "n")
	}
	if o := outcomes(m)[11]; o != flow.Done {
		t.Fatalf("step 12: %v", o)
	}
	m = toTokens(t, keys(m, "esc", "5"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "expires in ") || strings.Contains(v, "✗ expired") {
		t.Fatalf("step 12's token before the clock moved: %v %v\n%s", strings.Contains(v, "expires in 1m"), strings.Contains(v, "✗ expired"), v)
	}
	m = keys(m, "esc")
	m = pressAndRun(t, m, "r")
	if !strings.Contains(m.status, "ended as expected") {
		t.Fatalf("token-expired: %v, %q", outcomes(m), m.status)
	}
	m = toTokens(t, keys(m, "esc", "5"))
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "✗ expired 8m") || !strings.Contains(v, "by the mocks' clock (+10 min)") {
		t.Errorf("step 12's token after ten minutes of the mocks' clock:\n%s", v)
	}
	// Step 14 shows the token it sent.
	m = keys(m, "esc", "5", "n", "n")
	for m.step.section != sectionInfo {
		m = keys(m, "tab")
	}
	if m.cur != 13 {
		t.Fatalf("at step %d", m.cur+1)
	}
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "Tokens 1") || !strings.Contains(v, "⚑ HTTP 401 as expected") {
		t.Errorf("step 14:\n%s", v)
	}
	m = toTokens(t, m)
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "✗ expired 8m") || !strings.Contains(v, "by the mocks' clock (+10 min)") {
		t.Errorf("step 14's token:\n%s", v)
	}
}

// toTokens tabs on to the first token pane of the step screen.
func toTokens(t *testing.T, m Model) Model {
	t.Helper()
	for range 6 {
		if m.step.section == sectionTokens && m.step.side == 0 {
			return m
		}
		m = keys(m, "tab")
	}
	t.Fatalf("step %d has no token pane", m.cur+1)
	return m
}
