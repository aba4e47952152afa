package tui

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// These tests drive Update and View directly, without a program or the
// mocks: events are made up the way the engine emits them.

var testClock = time.Date(2026, 3, 2, 10, 0, 8, 0, time.UTC)

func newTestModel(t testing.TB, w, h int, opts ...Option) Model {
	t.Helper()
	opts = append([]Option{WithClock(func() time.Time { return testClock }), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil })}, opts...)
	m := New(t.Context(), flow.Services{}, wire.Summary(config.Default()), opts...)
	return update(m, tea.WindowSizeMsg{Width: w, Height: h})
}

func update(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func keys(m Model, ks ...string) Model {
	for _, k := range ks {
		m = update(m, keyMsg(k))
	}
	return m
}

// event wraps an engine event as the run's message.
func event(run int, ev flow.Event) runEventMsg { return runEventMsg{run: run, ev: ev} }

// runStep feeds a made-up run of step i: started, the exchanges and
// tokens, ended with err.
func runStep(m Model, i, attempt int, xs []client.Exchange, toks []flow.Token, err error) Model {
	id := m.run.id
	m = update(m, event(id, flow.Event{Kind: flow.StepStarted, Step: i, Attempt: attempt}))
	res := flow.StepResult{Attempt: attempt, Exchanges: xs, Tokens: toks, Err: err, Outcome: flow.Done}
	for k := range xs {
		m = update(m, event(id, flow.Event{Kind: flow.ExchangeDone, Step: i, Attempt: attempt, Exchange: &xs[k]}))
	}
	for k := range toks {
		m = update(m, event(id, flow.Event{Kind: flow.TokenDecoded, Step: i, Attempt: attempt, Token: &toks[k]}))
	}
	st := m.sc.Steps[i]
	if err != nil && !client.HasCode(err, st.Expect.Code) || err == nil && st.Expect.Code != "" {
		res.Outcome = flow.Failed
	}
	return update(m, event(id, flow.Event{Kind: flow.StepEnded, Step: i, Attempt: attempt, Result: &res}))
}

func jsonExchange(body string) client.Exchange {
	return client.Exchange{
		Service: "maskinporten", Method: "POST", URL: "http://127.0.0.1:4000/token",
		RequestHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:   "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
		Status:        200, ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody: body, Duration: 3 * time.Millisecond,
	}
}

func TestStaleRunEventsAreDropped(t *testing.T) {
	m := newTestModel(t, 80, 24)
	old := m.run.id
	m.run.id++ // a newer run started (or the scenario changed)
	m = update(m, event(old, flow.Event{Kind: flow.StepStarted, Step: 0, Attempt: 1}))
	if got := m.runs[0].outcome; got != flow.NotRun {
		t.Fatalf("a stale run's event changed step 1 to %v", got)
	}
	m = update(m, event(m.run.id, flow.Event{Kind: flow.StepStarted, Step: 0, Attempt: 2}))
	x := jsonExchange(`{}`)
	// An event of an older attempt of the same step is dropped too.
	m = update(m, event(m.run.id, flow.Event{Kind: flow.ExchangeDone, Step: 0, Attempt: 1, Exchange: &x}))
	if got := m.runs[0]; got.outcome != flow.Running || len(got.exchanges) != 0 {
		t.Fatalf("step 1 = %v with %d exchanges, want running with none", got.outcome, len(got.exchanges))
	}
	m = update(m, runEndedMsg{run: old})
	if !strings.Contains(m.View(), "Actors and steps") {
		t.Fatal("overview not shown")
	}
}

func TestSwitchingScenarioDropsTheRun(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "r") // starts a run (its Cmd is not executed here)
	if !m.run.running {
		t.Fatal("r did not start a run")
	}
	old := m.run.id
	m = keys(m, "s", "down", "enter")
	if m.sc.Name != "agent" || m.run.running {
		t.Fatalf("scenario %s running=%v, want agent and idle", m.sc.Name, m.run.running)
	}
	m = update(m, event(old, flow.Event{Kind: flow.StepStarted, Step: 0, Attempt: 1}))
	if m.runs[0].outcome != flow.NotRun {
		t.Fatal("the old scenario's run changed the new one")
	}
}

func TestOverviewListsActorsStepsAndStates(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{"access_token":"x"}`)}, nil, nil)
	v := ansi.Strip(m.View())
	for _, want := range []string{"1 Service owner", "✓  1 Skatteetaten gets a Maskinporten token", "○  2 ", "5 Operational phase", "1/13 done"} {
		if !strings.Contains(v, want) {
			t.Errorf("overview lacks %q:\n%s", want, v)
		}
	}
	m = keys(m, "tab")
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "Maskinporten") || !strings.Contains(v, "◀") || !strings.Contains(v, "POST /token 200") {
		t.Errorf("sequence pane lacks the call from Skatteetaten to Maskinporten:\n%s", v)
	}
}

// withCalls is a step's run holding the exchanges, as apply builds it.
func withCalls(xs ...client.Exchange) stepRun {
	var r stepRun
	for _, x := range xs {
		r.exchanges = append(r.exchanges, x)
		r.calls = appendCalls(r.calls, x, "", 0)
	}
	return r
}

// pdpExchange is Skatteetaten's API answering 403 after Altinn's PDP said
// NotApplicable, behind the scenes, as the mocks report it.
func pdpExchange() client.Exchange {
	return client.Exchange{
		Service: "skatteetaten", Method: "GET", URL: "http://h/api/v1/regnskapssystem/310904473/aapnekrav", Status: 403,
		ResponseBody: `{"kode":"KB-005"}`,
		Behind: []client.Exchange{
			{Caller: "skatteetaten", Service: "maskinporten", Method: "GET", URL: "http://mp/jwk", Status: 200},
			{Caller: "skatteetaten", Service: "altinn", Method: "POST", URL: "http://a/authorization/api/v1/authorize", Status: 200,
				RequestBody: `{"Request":{}}`, ResponseBody: `{"response":[{"decision":"NotApplicable"}]}`},
		},
	}
}

func TestSequenceArrowsGoFromActorToService(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	sc := flow.Scenarios(wire.Summary(config.Default()))[0]
	runs := make([]stepRun, len(sc.Steps))
	runs[4] = withCalls(client.Exchange{Service: "selfservice", Method: "POST", URL: "http://h/api/v1/clients", Status: 201})
	runs[11] = withCalls(client.Exchange{Service: "maskinporten", Method: "POST", URL: "http://mp/token", Status: 200,
		Behind: []client.Exchange{{Caller: "maskinporten", Service: "altinn", Method: "GET", URL: "http://a/authentication/api/v1/systemuser/byExternalId?x=1", Status: 200}}})
	runs[12] = withCalls(pdpExchange())
	for _, w := range []int{100, 140} { // labels above the arrows; beside them
		d := sequenceLines(sc, wire.Summary(config.Default()), runs, 12, nil, w, &st)
		rows, first, n := d.lines, d.first, d.n
		text := ansi.Strip(strings.Join(rows, "\n"))
		for _, want := range []string{
			"├─", "─▶│", "POST /api/v1/clients 201",
			// Maskinporten asks Altinn for the system user, dashed and dim.
			"├┄┄", "┄▷│", "↳ GET /systemuser/byExternalId 200",
			// Skatteetaten asks the PDP, which says NotApplicable.
			"│◁┄", "↳ POST /authorize 200 NotApplicable",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("at %d: diagram lacks %q:\n%s", w, want, text)
			}
		}
		if first < 0 || !strings.HasPrefix(ansi.Strip(rows[first]), "▶") {
			t.Errorf("at %d: step 13's rows are not highlighted:\n%s", w, text)
		}
		perCall := 1
		if w == 100 {
			perCall = 2 // a label row above each arrow
		}
		if n != 1+3*perCall { // the title, the call, two behind it
			t.Errorf("at %d: step 13 has %d rows, want %d", w, n, 1+3*perCall)
		}
		// A behind call comes right after the call that caused it.
		at := func(s string) int { return strings.Index(text, s) }
		if !(at("aapnekrav 403") < at("↳ GET /jwk") && at("↳ GET /jwk") < at("/authorize 200")) {
			t.Errorf("at %d: behind calls out of order:\n%s", w, text)
		}
	}
}

// TestSequenceDrawsARealPersonsPollingFromSmartCloud: against a real
// Altinn the person decides in a browser, and the decision step's calls
// are the vendor's status reads: drawn from SmartCloud, not the Person.
func TestSequenceDrawsARealPersonsPollingFromSmartCloud(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	set := wire.Summary(config.Default())
	sc := flow.Scenarios(set)[0]
	decide := -1
	for i, s := range sc.Steps {
		if s.Person == flow.PersonDecide {
			decide = i
		}
	}
	runs := make([]stepRun, len(sc.Steps))
	runs[decide] = withCalls(client.Exchange{Service: "altinn", Method: "GET", URL: "http://a/authentication/api/v1/systemuser/request/vendor/x", Status: 200})
	arrow := func(actAsPeople bool) string {
		set.ActAsPeople = actAsPeople
		d := sequenceLines(sc, set, runs, decide, nil, 100, &st)
		c := d.calls[0]                                                     // at 100 columns its label is a row above the arrow
		return strings.TrimPrefix(ansi.Strip(d.lines[c.row+c.rows-1]), "▶") // the highlight's marker
	}
	mock, real := arrow(true), arrow(false)
	if !strings.Contains(mock, "◀") || strings.Contains(mock, "▶") {
		t.Errorf("on the mocks the person's call goes from the Person to Altinn: %q", mock)
	}
	if !strings.Contains(real, "├") || !strings.Contains(real, "▶") || strings.Contains(real, "◀") {
		t.Errorf("against a real Altinn the polling goes from SmartCloud to Altinn: %q", real)
	}
}

func TestStepScreenRunsWithEnterAndShowsPanes(t *testing.T) {
	m := newTestModel(t, 120, 30)
	m = keys(m, "enter")
	if m.screen != screenStep {
		t.Fatal("enter did not open the step")
	}
	if !strings.Contains(ansi.Strip(m.View()), "press enter to run it") {
		t.Error("the step does not say how to run it")
	}
	m = keys(m, "enter")
	if !m.run.running {
		t.Fatal("enter did not run the step")
	}
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{"access_token":"abc","expires_in":120}`)}, nil, nil)
	m = update(m, runEndedMsg{run: m.run.id})
	m = keys(m, "tab")
	v := ansi.Strip(m.View())
	for _, want := range []string{"Request · maskinporten", "Response", "grant_type = urn:ietf:params:oauth:grant-type:jwt-bearer", `"access_token": "abc"`, "200 OK"} {
		if !strings.Contains(v, want) {
			t.Errorf("exchange panes lack %q:\n%s", want, v)
		}
	}
	if m.step.side != 0 || m.step.section != sectionExchanges {
		t.Fatalf("tab went to %v/%d", m.step.section, m.step.side)
	}
	m = keys(m, "tab")
	if m.step.side != 1 {
		t.Fatal("second tab did not focus the response")
	}
	m = keys(m, "n", "p", "esc")
	if m.screen != screenOverview || m.cur != 0 {
		t.Fatalf("n p esc: screen %v step %d", m.screen, m.cur)
	}
}

func TestErrorBoxShowsCodesMeaningAndExpectation(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	err := &client.OAuthError{Status: 400, Code: "invalid_altinn_customer_configuration", Description: "no system user (MP-303)", MPCode: "MP-303"}
	sc, _ := flow.Find(wire.Summary(config.Default()), "rejected")
	last := len(sc.Steps) - 1
	r := stepRun{outcome: flow.ExpectedFailure, result: &flow.StepResult{Outcome: flow.ExpectedFailure, Err: err}}
	e := stepErr(sc.Steps[last], r)
	if e == nil || !e.expected {
		t.Fatalf("stepErr = %+v, want an expected error", e)
	}
	mp303, _ := client.ExplainCode("MP-303")
	box := ansi.Strip(strings.Join(errorBox(*e, 80, &st), "\n"))
	for _, want := range []string{
		"Error MP-303 · Invalid authorization details values", "⚑ Expected by the scenario",
		"codes  MP-303 · invalid_altinn_customer_configuration · HTTP 400",
		"cause  Altinn found no system user", "fix    Check the request's status",
		// The documentation URL breaks after a slash, the pieces in order.
		"docs   https://docs.altinn.studio/authorization/guides/system-vendor/",
	} {
		if !strings.Contains(box, want) {
			t.Errorf("error box lacks %q:\n%s", want, box)
		}
	}
	if got := docURL(box); got != mp303.Doc {
		t.Errorf("doc URL put back together = %q, want %q", got, mp303.Doc)
	}
	for _, l := range errorBox(*e, 80, &st) {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("box line %d wide: %q", w, ansi.Strip(l))
		}
	}
	// The same error where the scenario expects success.
	e = stepErr(sc.Steps[0], stepRun{result: &flow.StepResult{Outcome: flow.Failed, Err: errors.Join(err)}})
	box = ansi.Strip(strings.Join(errorBox(*e, 80, &st), "\n"))
	if !strings.Contains(box, "does not expect this step to fail") {
		t.Errorf("unexpected failure not said:\n%s", box)
	}
	// Every code a scenario expects is one the explainer knows.
	for _, sc := range flow.Scenarios(wire.Summary(config.Default())) {
		for _, s := range sc.Steps {
			if c := s.Expect.Code; c != "" {
				if _, ok := client.ExplainCode(c); !ok {
					t.Errorf("%s/%s expects %s, which has no explanation", sc.Name, s.ID, c)
				}
			}
		}
	}
}

// docURL puts back together the documentation URL an error box wrapped.
func docURL(box string) string {
	var doc strings.Builder
	for _, l := range strings.Split(box, "\n") {
		l = strings.TrimPrefix(strings.TrimRight(strings.TrimSuffix(l, "║"), " "), "║ ")
		switch {
		case strings.HasPrefix(l, "docs   "):
			doc.WriteString(l[len("docs   "):])
		case doc.Len() > 0 && strings.HasPrefix(l, "       ") && strings.TrimSpace(l) != "":
			doc.WriteString(strings.TrimSpace(l))
		case doc.Len() > 0:
			return doc.String()
		}
	}
	return doc.String()
}

func TestErrorBoxNamesWhatWentWrongBehindTheScenes(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	sc, _ := flow.Find(wire.Summary(config.Default()), "agent-not-delegated")
	last := len(sc.Steps) - 1
	err := &client.APIError{Status: 403, Code: "KB-005", Message: "no access"}
	r := withCalls(pdpExchange())
	r.outcome, r.result = flow.ExpectedFailure, &flow.StepResult{Outcome: flow.ExpectedFailure, Err: err}
	e := stepErr(sc.Steps[last], r)
	box := ansi.Strip(strings.Join(errorBox(*e, 80, &st), "\n"))
	for _, want := range []string{"Error KB-005 · Error with the consent token", "behind skatteetaten → altinn: POST …/api/v1/authorize 200 NotApplicable",
		"NotApplicable: No policy rule applies"} {
		if !strings.Contains(box, want) {
			t.Errorf("error box lacks %q:\n%s", want, box)
		}
	}
	if strings.Contains(box, "/jwk") {
		t.Errorf("a behind call that went well is in the box:\n%s", box)
	}
}

func TestWrapURL(t *testing.T) {
	u := "https://docs.altinn.studio/authorization/guides/system-vendor/system-user/troubleshooting/errors/mp-303-error/"
	for _, w := range []int{10, 30, 60, 200} {
		lines := wrapURL(u, w)
		if strings.Join(lines, "") != u {
			t.Errorf("w %d: pieces %q do not make the URL", w, lines)
		}
		for _, l := range lines {
			if len(l) > w {
				t.Errorf("w %d: %q too long", w, l)
			}
		}
	}
	if got := wrapURL(u, 30)[0]; got != "https://docs.altinn.studio/" {
		t.Errorf("first line %q, want the host whole", got)
	}
}

func grantAndToken() (flow.Token, flow.Token) {
	iat := float64(testClock.Add(-8 * time.Second).Unix())
	org := map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:310904473"}
	grant := flow.Token{Label: "system user grant", DecodedJWT: client.DecodedJWT{
		Raw:    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjIn0.c2ln",
		Header: map[string]any{"alg": "RS256", "kid": "smartcloud-demo-2026", "typ": "JWT"},
		Claims: map[string]any{"iss": "client-1", "aud": "http://mp/", "scope": "skatteetaten:kravogbetalinger",
			"iat": iat, "exp": iat + 120, "jti": "j1",
			"authorization_details": []any{map[string]any{"type": "urn:altinn:systemuser", "systemuser_org": org}}},
		Verified: true, KeyID: "smartcloud-demo-2026",
	}}
	tok := flow.Token{Label: "system user access token", DecodedJWT: client.DecodedJWT{
		Raw:    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJtcCJ9.c2ln",
		Header: map[string]any{"alg": "RS256", "kid": "mp-1", "typ": "JWT"},
		Claims: map[string]any{"iss": "http://mp/", "scope": "skatteetaten:kravogbetalinger", "client_id": "client-1",
			"client_amr": "private_key_jwt", "token_type": "Bearer", "iat": iat, "exp": iat + 120, "jti": "t1",
			"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:991825827"},
			"authorization_details": []any{map[string]any{"type": "urn:altinn:systemuser", "systemuser_org": org,
				"systemuser_id": []any{"su-1"}, "system_id": "991825827_smartcloud"}}},
		Verified: true, KeyID: "mp-1",
	}}
	return grant, tok
}

func TestTokenViewTimesAndMeanings(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	grant, tok := grantAndToken()
	_, lines := pairLines(tokenView{tok: grant}, tokenView{tok: tok, grant: &grant}, 60, 60, &st, testClock, time.UTC)
	text := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{
		"✓ signature verified", "kid mp-1", "expires in 1m52s",
		"2026-03-02 10:00:00 UTC (8s ago)", "2026-03-02 10:02:00 UTC (in 1m52s)",
		"+   systemuser_id", "+   system_id", "    systemuser_org  0192:310904473",
		"the client that asked for the token", "+ client_amr", "− aud",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("token view lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "+   systemuser_org") {
		t.Error("systemuser_org is in the grant, yet marked new")
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 60 {
			t.Errorf("line wider than the pane (%d): %q", w, l)
		}
	}
}

func TestTokenStepShowsGrantBesideAccessToken(t *testing.T) {
	var copied string
	m := newTestModel(t, 120, 40, WithClipboard(func(s string) error { copied = s; return nil }))
	grant, tok := grantAndToken()
	op := len(m.sc.Steps) - 2
	m = runStep(m, op, 1, []client.Exchange{jsonExchange(`{}`)}, []flow.Token{grant, tok}, nil)
	m = keys(m, "5", "tab", "tab", "tab")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "system user grant ") || !strings.Contains(v, "system user access token") {
		t.Fatalf("not side by side:\n%s", v)
	}
	line := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "systemuser_org") {
			line = l
			break
		}
	}
	if strings.Count(line, "systemuser_org") != 2 {
		t.Errorf("systemuser_org not on the same row in both panes: %q", line)
	}
	m = keys(m, "tab") // the access token's pane
	next, cmd := m.Update(keyMsg("c"))
	m = update(next.(Model), cmd())
	if copied != tok.Raw || !strings.Contains(m.status, "sent the system user access token") {
		t.Errorf("c copied %q (status %q), want the access token", copied, m.status)
	}
}

func TestEditInputsValidatesAndSets(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "2", "n", "n", "n", "n") // the vendor's request step: customer org, externalRef
	if m.sc.Steps[m.cur].ID != "v-request" {
		t.Fatalf("at %s", m.sc.Steps[m.cur].ID)
	}
	m = keys(m, "e")
	if m.form == nil {
		t.Fatal("e did not open the form")
	}
	// q and r are typed, not quit or run, while the form is open.
	m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the field
	m = keys(m, "q", "r", "enter")
	if m.form == nil || !strings.Contains(m.View(), "not an organisation number") {
		t.Fatalf("bad org accepted:\n%s", m.View())
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	m = keys(m, "314250052", "enter")
	if m.form != nil {
		t.Fatal("form still open after a good value")
	}
	if got := m.eng.State().Param(flow.ParamCustomerOrg); got != "314250052" {
		t.Errorf("customer org = %q", got)
	}
	if !strings.Contains(ansi.Strip(m.View()), "Customer org no  314250052") {
		t.Error("the info pane does not show the new value")
	}
}

func TestTooSmall(t *testing.T) {
	m := newTestModel(t, 79, 30)
	if v := m.View(); !strings.Contains(v, "terminal too small (need 80x24, have 79x30)") {
		t.Errorf("got:\n%s", v)
	}
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := m.View(); strings.Contains(v, "too small") || lineCount(v) != 24 {
		t.Errorf("at 80x24: %d lines:\n%s", lineCount(v), v)
	}
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// Every screen fits the terminal exactly, at every size from 80x24 up.
func TestViewsFitTheTerminal(t *testing.T) {
	grant, tok := grantAndToken()
	big := `{"claims":[` + strings.Repeat(`{"id":"a very long string value that will need wrapping in a narrow pane","n":1},`, 50) + `{}]}`
	kb005 := &client.APIError{Status: 403, Code: "KB-005", Message: "no access"}
	for _, size := range [][2]int{{80, 24}, {81, 25}, {90, 30}, {100, 30}, {109, 30}, {110, 30}, {120, 40}, {160, 48}, {200, 60}} {
		// The review step in a real environment, with its QR code; the
		// token step; the API call failing with calls behind it.
		m := keys(realReviewModel(t, size[0], size[1]), "esc")
		op := len(m.sc.Steps) - 2
		m = runStep(m, op, 1, []client.Exchange{jsonExchange(big)}, []flow.Token{grant, tok}, nil)
		m = runStep(m, op+1, 2, []client.Exchange{pdpExchange()}, nil, kb005)
		for _, ks := range [][]string{
			nil, {"tab"}, {"5"}, {"5", "tab"}, {"5", "tab", "tab", "tab"}, {"5", "?"}, {"s"}, {"2", "n", "n", "n", "n", "e"},
			{"3"}, {"3", "?"}, {"3", "z"}, {"5", "n"}, {"5", "n", "tab", "]", "]"}, {"5", "n", "tab", "tab", "[", "pgdown"},
		} {
			m2 := keys(m, ks...)
			v := m2.View()
			if lineCount(v) != size[1] {
				t.Errorf("%dx%d after %v: %d lines", size[0], size[1], ks, lineCount(v))
			}
			for i, l := range strings.Split(v, "\n") {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d after %v: line %d is %d wide: %q", size[0], size[1], ks, i, w, ansi.Strip(l))
				}
			}
		}
	}
}

func TestResizeKeepsStateAndScroll(t *testing.T) {
	m := newTestModel(t, 100, 30)
	body := `{"items":[` + strings.Repeat(`{"id":1234,"name":"x"},`, 400) + `{}]}`
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(body)}, nil, nil)
	m = keys(m, "enter", "tab", "tab")
	for i := 0; i < 40; i++ {
		m = keys(m, "down")
	}
	before := m.step.right.offset
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 40})
	if m.step.right.offset != before || m.screen != screenStep || m.step.side != 1 {
		t.Fatalf("taller: offset %d (was %d), screen %v side %d", m.step.right.offset, before, m.screen, m.step.side)
	}
	m = update(m, tea.WindowSizeMsg{Width: 60, Height: 20}) // too small, then back
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 40})
	if m.step.right.offset != before {
		t.Errorf("after a too-small spell: offset %d, was %d", m.step.right.offset, before)
	}
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 40})
	if m.step.right.offset == 0 {
		t.Error("wider: scrolled back to the top")
	}
	// Moving to another step and back keeps the place too.
	m = keys(m, "n", "p")
	if m.step.right.offset == 0 {
		t.Error("n p lost the response's scroll position")
	}
}

// helpText is every description the help shows on m's screen.
func helpText(m Model) string {
	var s []string
	for _, b := range m.ShortHelp() {
		s = append(s, b.Help().Desc)
	}
	for _, col := range m.FullHelp() {
		for _, b := range col {
			s = append(s, b.Help().Desc)
		}
	}
	return strings.Join(s, ",")
}

func TestHelpFollowsTheScreen(t *testing.T) {
	m := newTestModel(t, 100, 30)
	if h := helpText(m); !strings.Contains(h, "open step") || strings.Contains(h, "edit inputs") {
		t.Errorf("overview help: %s", h)
	}
	m = keys(m, "enter")
	if h := helpText(m); !strings.Contains(h, "run step") || !strings.Contains(h, "edit inputs") {
		t.Errorf("step help: %s", h)
	}
	m = keys(m, "?")
	if !m.footer.showAll || !strings.Contains(ansi.Strip(m.View()), "copy body/token") {
		t.Error("? did not show the full help")
	}
	m = keys(m, "s")
	if h := helpText(m); !strings.Contains(h, "choose") {
		t.Errorf("picker help: %s", h)
	}
}

func TestBodiesAreSafeAndWrapped(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	x := client.Exchange{Method: "GET", URL: "http://h/x", Status: 502,
		ResponseHeader: http.Header{"Content-Type": {"text/html"}},
		ResponseBody:   "<html><title>Bad gateway</title>\x1b[2J\x1b]52;c;evil\x07<p>" + strings.Repeat("word ", 40) + "</p></html>"}
	lines, _ := responseLines(x, bodyOpts{w: 30})
	text := shown(lines, &st)
	if strings.ContainsRune(text, '\x1b') || strings.ContainsRune(text, '\x07') {
		t.Errorf("control characters reached the screen: %q", text)
	}
	if !strings.Contains(text, "<html><title>Bad gateway") {
		t.Errorf("HTML not shown as text: %q", text)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 30 {
			t.Errorf("line %d wide: %q", w, l)
		}
	}
	js, ok := jsonLines(`{"a":"`+strings.Repeat("é", 50)+`","b":[1,true,null]}`, 20, st.JSON, nil)
	if !ok || len(js) < 5 {
		t.Fatalf("json lines: %v %q", ok, js)
	}
	for _, l := range js {
		if w := ansi.StringWidth(l); w > 20 {
			t.Errorf("json line %d wide: %q", w, l)
		}
	}
}

func TestJSONLinesMatchJSONIndent(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme()) // ASCII profile: no escapes
	for _, doc := range []string{
		`{"a":1,"b":[true,false,null,{"c":"d\"e","f":[]}],"g":{},"h":-1.5e3}`,
		`[ {"x" : "y"} , 2 ]`,
		`"just a string"`,
		bigJSON(2000),
	} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(doc), "", "  "); err != nil {
			t.Fatal(err)
		}
		got, ok := jsonLines(doc, 1<<20, st.JSON, nil)
		if !ok || strings.Join(got, "\n") != want.String() {
			t.Errorf("jsonLines(%.40q) =\n%s\nwant\n%s", doc, strings.Join(got, "\n"), want.String())
		}
	}
	for _, bad := range []string{`{"a":1`, `{"a":1]`, `{"a" 1 x}`, `{"a":"b}`, `1 2`, `<html>`} {
		if _, ok := jsonLines(bad, 80, st.JSON, nil); ok {
			t.Errorf("jsonLines(%q) took it for JSON", bad)
		}
	}
}

func TestMouseWheelScrollsThePaneUnderThePointer(t *testing.T) {
	m := newTestModel(t, 100, 30)
	body := `{"items":[` + strings.Repeat(`{"id":1234,"name":"x"},`, 200) + `{}]}`
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(body)}, nil, nil)
	m = keys(m, "enter", "tab") // request pane focused
	wheel := tea.MouseMsg{X: 80, Y: 10, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}
	m = update(m, wheel, wheel)
	if m.step.side != 1 || m.step.right.offset != 6 {
		t.Errorf("wheel over the response: side %d offset %d, want 1 and 6", m.step.side, m.step.right.offset)
	}
	m = update(m, tea.MouseMsg{X: 80, Y: 10, Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if m.step.right.offset != 3 {
		t.Errorf("wheel up: offset %d, want 3", m.step.right.offset)
	}
}
