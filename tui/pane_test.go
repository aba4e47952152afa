package tui

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
	"github.com/systembruker/workbench/transcript"
)

// shown is pane lines as they reach the screen: their marks turned into
// the styles' escape sequences.
func shown(lines []string, st *Styles) string {
	var buf []byte
	lw := lineWriter{buf: &buf, pal: &st.pal}
	for i, l := range lines {
		if i > 0 {
			buf = append(buf, '\n')
		}
		lw.line(l, 0, 1<<20, nil)
	}
	return string(buf)
}

// keysRun presses keys and carries out the commands they start (a body's
// background render, a search), feeding their messages back as the
// program would. Only for keys that start no run and no timer.
func keysRun(m Model, ks ...string) Model {
	for _, k := range ks {
		next, cmd := m.Update(keyMsg(k))
		m = settle(next.(Model), cmd)
	}
	return m
}

// settle runs a command and feeds its messages (a batch's too) back.
func settle(m Model, cmd tea.Cmd) Model {
	if cmd == nil {
		return m
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			m = settle(m, c)
		}
		return m
	}
	if msg == nil {
		return m
	}
	next, more := m.Update(msg)
	return settle(next.(Model), more)
}

// testJWT is a compact JWT of the claims (a made-up signature).
func testJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","kid":"mock-altinn-1","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." +
		enc([]byte(strings.Repeat("signature", 30)))
}

// pdpCall is Skatteetaten's call to Altinn's PDP, with the Altinn token
// in its header and the XACML request as its body.
func pdpCall() client.Exchange {
	tok := testJWT(`{"iss":"http://127.0.0.1:4001/authentication/api/v1/openid/","scope":"altinn:authorization/authorize","client_id":"ske"}`)
	return client.Exchange{
		Service: "altinn", Method: "POST", URL: "http://127.0.0.1:46761/authorization/api/v1/authorize", Status: 200,
		RequestHeader: http.Header{"Accept": {"application/json"}, "Authorization": {"Bearer " + tok},
			"Content-Type": {"application/json"}},
		RequestBody: `{"Request":{"ReturnPolicyIdList":false,"AccessSubject":[{"Attribute":[` +
			`{"AttributeId":"urn:altinn:systemuser:uuid","Value":"6f9fc5db-2032-498b-bcdd-6b9ecc78268c"}]}]}}`,
		ResponseHeader: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		ResponseBody:   `{"response":[{"decision":"Permit"}]}`,
	}
}

// onPDPRequest is a model at w×h on the PDP call's request pane.
func onPDPRequest(t *testing.T, w, h int, opts ...Option) Model {
	m := newTestModel(t, w, h, opts...)
	m = runStep(m, 0, 1, []client.Exchange{pdpCall()}, nil, nil)
	return keys(m, "enter", "tab")
}

func TestTokenInAHeaderIsOneLineAndDecodesInPlace(t *testing.T) {
	m := onPDPRequest(t, 80, 24)
	tok := strings.TrimPrefix(pdpCall().RequestHeader.Get("Authorization"), "Bearer ")
	text := strings.Join(paneText(m.step.left.lines), "\n")
	short := tok[:8] + "…" + tok[len(tok)-6:]
	// The note goes on the next line at 38 columns; the token is one.
	if !strings.Contains(strings.ReplaceAll(text, "\n  ", " "), "Authorization: Bearer "+short+" · Altinn token · d: decode") {
		t.Fatalf("the bearer token is not one line with its name:\n%s", text)
	}
	if strings.Contains(text, tok[8:30]) {
		t.Errorf("the token's base64 is in the pane:\n%s", text)
	}
	// The XACML body starts within the first lines, above the headers.
	lines := paneText(m.step.left.lines)
	if body := indexOf(lines, "{"); body < 0 || body > 5 || indexOf(lines, "headers") < body {
		t.Errorf("the body starts at line %d:\n%s", body+1, strings.Join(lines, "\n"))
	}
	m = keys(m, "d")
	all := strings.Join(paneText(m.step.left.lines), "\n")
	if !strings.Contains(all, `"client_id": "ske"`) || !strings.Contains(all, "d: collapse") ||
		!strings.Contains(all, tok[:16]) {
		t.Errorf("d did not decode the token in place:\n%s", all)
	}
	m = keys(m, "d")
	if all := strings.Join(paneText(m.step.left.lines), "\n"); strings.Contains(all, `"scope"`) {
		t.Errorf("d again did not collapse it:\n%s", all)
	}
}

// paneText is a pane's lines as text: no marks, no escape sequences,
// the no-break spaces of a note as spaces.
func paneText(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Strip(strings.Map(func(r rune) rune {
			switch {
			case r == '\u00a0':
				return ' '
			case r < 0x20 && r != 0x1b:
				return -1
			}
			return r
		}, l))
	}
	return out
}

func indexOf(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return i
		}
	}
	return -1
}

func TestPresenterModeShowsTokensCollapsed(t *testing.T) {
	m := New(t.Context(), flow.Services{}, wire.Summary(config.Default()), WithPresenter(time.Hour),
		WithClock(func() time.Time { return testClock }), WithClipboard(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = runStep(m, 0, 1, []client.Exchange{pdpCall()}, nil, nil)
	m = keys(m, "tab") // the exchange
	if text := strings.Join(paneText(m.step.left.lines), "\n"); !strings.Contains(text, "Bearer eyJhbGci…") || !strings.Contains(text, "d: decode") {
		t.Errorf("presenter mode does not show the token collapsed:\n%s", text)
	}
}

func TestLinesBreakAtJoints(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    int
		add  func(b *lineBuilder)
		want []string
	}{
		{"a header's value at a space", 38, func(b *lineBuilder) {
			b.add("Content-Type:", [2]string{})
			b.setContinuation(2)
			b.addWords("application/json; charset=utf-8", [2]string{}, true)
		}, []string{"Content-Type: application/json;", "  charset=utf-8"}},
		{"a URL at its slashes", 30, func(b *lineBuilder) {
			b.add("POST", [2]string{})
			b.setContinuation(2)
			b.addSpaced("http://127.0.0.1:46761/authorization/api/v1/authorize", [2]string{}, 0)
		}, []string{"POST http://127.0.0.1:46761/", "  authorization/api/v1/", "  authorize"}},
		{"a value to the next line, with its comma", 24, func(b *lineBuilder) {
			b.add(`  "key":`, [2]string{})
			b.setContinuation(4)
			b.addSpaced(`"a-value-of-17"`, [2]string{}, 1)
			b.add(",", [2]string{})
		}, []string{`  "key":`, `    "a-value-of-17",`}},
		{"a value without joints, cut", 10, func(b *lineBuilder) {
			b.addWord("abcdefghijklmnop", [2]string{}, 0)
		}, []string{"abcdefghij", "klmnop"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newLineBuilder(tc.w, 64)
			tc.add(b)
			got := b.lines(nil)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestJSONValuesKeepTheirComma(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	lines, ok := jsonLines(`{"partIdentifikator":"310904473","n":1}`, 30, st.JSON, nil)
	if !ok {
		t.Fatal("not JSON")
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "," || ansi.StringWidth(l) > 30 {
			t.Errorf("line %q", l)
		}
	}
	if got := strings.Join(lines, "|"); !strings.Contains(got, `    "310904473",|`) {
		t.Errorf("the value did not move whole to the next line: %q", got)
	}
}

func TestWSwitchesAPaneToSidewaysScrolling(t *testing.T) {
	long := client.Exchange{Service: "skatteetaten", Method: "GET", URL: "http://h/x", Status: 200,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody:   `{"a":"` + strings.Repeat("word ", 30) + `end"}`}
	m := newTestModel(t, 80, 24)
	m = runStep(m, 0, 1, []client.Exchange{long, jsonExchange(`{}`)}, nil, nil)
	m = keys(m, "enter", "tab", "tab") // the first exchange's response
	wrapped := len(m.step.right.lines)
	m = keys(m, "w")
	if !m.step.right.nowrap || len(m.step.right.lines) >= wrapped {
		t.Fatalf("w: nowrap %v, %d lines (wrapped %d)", m.step.right.nowrap, len(m.step.right.lines), wrapped)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "›") {
		t.Errorf("an unwrapped line going on to the right is not marked:\n%s", v)
	}
	m = keys(m, "l", "l")
	if m.step.right.xoff == 0 || m.step.exch != 0 {
		t.Fatalf("l on an unwrapped pane: xoff %d, exchange %d", m.step.right.xoff, m.step.exch)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "col ") || !strings.Contains(v, "word word") {
		t.Errorf("scrolled sideways:\n%s", v)
	}
	m = keys(m, "h")
	m = keys(m, "]") // [ and ] still move between exchanges
	if m.step.exch != 1 || m.step.right.xoff != 0 {
		t.Errorf("]: exchange %d, xoff %d", m.step.exch, m.step.right.xoff)
	}
	m = keys(m, "w", "[")
	m = keys(m, "l") // wrapping again, l is the next exchange
	if m.step.right.nowrap || m.step.exch != 1 {
		t.Errorf("w again: nowrap %v, l moved to exchange %d", m.step.right.nowrap, m.step.exch)
	}
	m = keys(m, "tab", "w") // on the info pane, w says where it works
	if !strings.Contains(m.status, "tab to one") {
		t.Errorf("w on the info pane: status %q", m.status)
	}
}

func TestSearchTheFocusedPane(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	m := onPDPRequest(t, 100, 30, WithRenderer(r))
	m = keys(m, "/", "A", "t", "t", "r", "q") // q is typed, not quit
	if !m.step.search.typing || m.step.search.input != "Attrq" {
		t.Fatalf("typing: %+v", m.step.search)
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyBackspace})
	m = keys(m, "i", "b", "u", "t", "e", "enter")
	found := m.step.left.found
	if len(found) != 2 || !strings.Contains(m.step.tabsLine, `"Attribute" 1/2`) {
		t.Fatalf("matches %v, tabs line %q", found, ansi.Strip(m.step.tabsLine))
	}
	// The match moved to is highlighted as the current one.
	cur := m.common.Styles.pal.start[markMatchCur]
	if v := m.View(); cur == "" || !strings.Contains(v, cur+"Attribute") && !strings.Contains(v, cur+`"Attribute`) {
		t.Errorf("the current match is not highlighted: %q", v)
	}
	m = keys(m, "n")
	if m.step.left.cur != 1 || m.cur != 0 {
		t.Errorf("n: match %d, step %d", m.step.left.cur, m.cur+1)
	}
	m = keys(m, "N", "N")
	if m.step.left.cur != 1 {
		t.Errorf("N wraps around: match %d", m.step.left.cur)
	}
	m = keys(m, "esc")
	if m.step.search.active || m.step.left.found != nil || m.screen != screenStep {
		t.Fatalf("esc: search %+v, screen %v", m.step.search, m.screen)
	}
	m = keys(m, "n")
	if m.cur != 1 {
		t.Errorf("after the search n moves to the next step: at %d", m.cur+1)
	}
}

func TestSearchFollowsTheFocus(t *testing.T) {
	m := onPDPRequest(t, 100, 30)
	m = keys(m, "/", "d", "e", "c", "i", "s", "i", "o", "n", "enter")
	if len(m.step.left.found) != 0 || !strings.Contains(ansi.Strip(m.step.tabsLine), "no match") {
		t.Fatalf("the request has no decision: %v %q", m.step.left.found, ansi.Strip(m.step.tabsLine))
	}
	m = keys(m, "tab") // the response has it
	if len(m.step.right.found) != 1 || m.step.left.found != nil {
		t.Errorf("after tab: response %v, request %v", m.step.right.found, m.step.left.found)
	}
}

func TestCopyAsCurlAndClaimsAsJSON(t *testing.T) {
	var copied string
	m := onPDPRequest(t, 100, 30, WithClipboard(func(s string) error { copied = s; return nil }))
	run := func(m Model, k string) Model {
		next, cmd := m.Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s did nothing (status %q)", k, next.(Model).status)
		}
		return update(next.(Model), cmd())
	}
	m = run(m, "C")
	if want := transcript.CurlCommand(pdpCall()); copied != want || !strings.HasPrefix(copied, "curl -sS") ||
		!strings.Contains(m.status, "request as curl") {
		t.Errorf("C copied %q (status %q), want %q", copied, m.status, want)
	}
	m = run(m, "J")
	var claims map[string]any
	if err := json.Unmarshal([]byte(copied), &claims); err != nil || claims["scope"] != "altinn:authorization/authorize" ||
		!strings.Contains(m.status, "claims of the Altinn token as JSON") {
		t.Errorf("J copied %q (%v), status %q", copied, err, m.status)
	}
	grant, tok := grantAndToken()
	m = runStep(m, len(m.sc.Steps)-2, 1, []client.Exchange{jsonExchange(`{}`)}, []flow.Token{grant, tok}, nil)
	m = keys(m, "5", "tab", "tab", "tab") // from the request: the response, the grant, the access token
	m = run(m, "J")
	if err := json.Unmarshal([]byte(copied), &claims); err != nil || claims["client_id"] != "client-1" {
		t.Errorf("J on the access token copied %q (%v)", copied, err)
	}
}

func TestEscClosesTheFullHelp(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m = keys(m, "enter", "?")
	if !m.footer.showAll || !strings.Contains(ansi.Strip(m.View()), "decode tokens") {
		t.Fatalf("? did not show the full help:\n%s", ansi.Strip(m.View()))
	}
	m = keys(m, "esc")
	if m.footer.showAll || m.screen != screenStep {
		t.Errorf("esc: full help %v, screen %v", m.footer.showAll, m.screen)
	}
	m = keys(m, "esc")
	if m.screen != screenOverview {
		t.Errorf("esc again did not go back: %v", m.screen)
	}
}

func TestALongStatusCanBeReadWhole(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "enter", "w") // the info pane: w says where it works, at length
	head := ansi.Strip(strings.SplitN(m.View(), "\n", 2)[0])
	if !strings.Contains(head, "[m]") || strings.Contains(head, "tab to one") {
		t.Fatalf("the cut message does not say m shows it: %q", head)
	}
	m = keys(m, "m")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "tab to one") || !strings.Contains(v, "any key closes it") || lineCount(v) != 24 {
		t.Errorf("m did not show the message whole in 24 lines:\n%s", v)
	}
	m = keys(m, "m")
	if m.footer.message != "" || m.status == "" {
		t.Errorf("m again: footer %q, status %q", m.footer.message, m.status)
	}
}

func TestInfoScrollMarkerStandsApart(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "enter")
	n := 0
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if r := []rune(l); len(r) > 1 && (r[len(r)-1] == '▼' || r[len(r)-1] == '▲') {
			n++
			if r[len(r)-2] != ' ' {
				t.Errorf("scroll marker glued to the text: %q", l)
			}
		}
	}
	if n == 0 {
		t.Error("no scroll marker")
	}
}

func TestConfirmStepFooterKeepsTheMoves(t *testing.T) {
	m := keys(realReviewModel(t, 80, 24), "esc", "3")
	foot := ansi.Strip(m.footer.View())
	for _, want := range []string{"o open URL", "c copy URL", "n/p next/prev step", "tab pane", "esc back", "q quit"} {
		if !strings.Contains(foot, want) {
			t.Errorf("footer lacks %q:\n%s", want, foot)
		}
	}
	checkFits(t, m, 80, 24)
}

func TestPickerRanksPrefixFirstAndEnterChooses(t *testing.T) {
	m := newTestModel(t, 80, 24)
	var targets []string
	for _, it := range m.picker.list.Items() {
		targets = append(targets, it.FilterValue())
	}
	if r := scenarioFilter("rej", targets); len(r) < 2 || m.scenarios[r[0].Index].Name != "rejected" {
		t.Fatalf("rej ranks %v first", r)
	}
	m = keys(m, "s", "down", "down")
	if v := ansi.Strip(m.View()); !strings.Contains(v, fmt.Sprintf("Scenarios · 3/%d", len(m.scenarios))) ||
		!strings.Contains(v, "rejected · expects MP-303") {
		t.Errorf("the picker does not say where it is or what a scenario expects:\n%s", v)
	}
	m = keys(m, "/", "r", "e", "j", "enter")
	if m.sc.Name != "rejected" || m.screen != screenOverview {
		t.Errorf("enter in the filter picked %s (screen %v)", m.sc.Name, m.screen)
	}
}

func TestLineWriterCutsAndStyles(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	st := NewStyles(r, DefaultTheme())
	line := "ab" + marked(markKey, `"日本"`) + "cd"
	var buf []byte
	lw := lineWriter{buf: &buf, pal: &st.pal}
	n := lw.line(line, 4, 4, nil) // from the middle of 日
	got := ansi.Strip(string(buf))
	if n != 4 || got != ` 本"` {
		t.Errorf("cut [4,8) = %q (%d cells)", got, n)
	}
	if !strings.Contains(string(buf), st.pal.start[markKey]) || !strings.HasSuffix(string(buf), st.pal.reset) {
		t.Errorf("the key's colour was lost at the cut: %q", buf)
	}
	if w := plainWidth(line); w != 10 {
		t.Errorf("width %d, want 10", w)
	}
}
