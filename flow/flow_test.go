package flow_test

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// session starts the embedded mocks with the default config, as the
// command line does.
func session(t testing.TB) *wire.Session {
	t.Helper()
	c, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := wire.Start(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	return s
}

func run(t testing.TB, name string, change func(*flow.Scenario)) (flow.Report, *flow.Engine) {
	t.Helper()
	s := session(t)
	sc, err := flow.Find(s.Settings, name)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&sc)
	}
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	return eng.RunAll(context.Background(), nil), eng
}

func describe(r flow.Report) string {
	var b strings.Builder
	for i, s := range r.Scenario.Steps {
		res := r.Results[i]
		b.WriteString(s.ID + ": " + res.Outcome.String())
		if res.Err != nil {
			b.WriteString(" (" + res.Err.Error() + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// accessToken returns the claims of the last verified access token of the
// step with the id.
func accessToken(t *testing.T, r flow.Report, stepID string) map[string]any {
	t.Helper()
	for i, s := range r.Scenario.Steps {
		if s.ID != stepID {
			continue
		}
		for _, tok := range r.Results[i].Tokens {
			if strings.HasSuffix(tok.Label, "access token") && tok.Verified {
				return tok.Claims
			}
		}
	}
	t.Fatalf("no verified access token in %s:\n%s", stepID, describe(r))
	return nil
}

func systemUserDetail(t *testing.T, claims map[string]any) map[string]any {
	t.Helper()
	ads, _ := claims["authorization_details"].([]any)
	if len(ads) != 1 {
		t.Fatalf("authorization_details %v", claims["authorization_details"])
	}
	ad := ads[0].(map[string]any)
	if ad["type"] != client.AuthorizationTypeSystemUser {
		t.Errorf("type %v", ad["type"])
	}
	return ad
}

func apiExchange(t *testing.T, r flow.Report) client.Exchange {
	t.Helper()
	res := r.Results[len(r.Results)-1]
	if len(res.Exchanges) == 0 {
		t.Fatalf("API step made no call:\n%s", describe(r))
	}
	return res.Exchanges[len(res.Exchanges)-1]
}

func TestStandardScenario(t *testing.T) {
	r, _ := run(t, "standard", nil)
	if !r.OK {
		t.Fatalf("not ok:\n%s", describe(r))
	}
	ad := systemUserDetail(t, accessToken(t, r, "op-token"))
	if org := ad["systemuser_org"].(map[string]any); org["ID"] != "0192:310904473" || org["authority"] != "iso6523-actorid-upis" {
		t.Errorf("systemuser_org %v", org)
	}
	if ids, _ := ad["systemuser_id"].([]any); len(ids) != 1 || ids[0] == "" {
		t.Errorf("systemuser_id %v", ad["systemuser_id"])
	}
	if ad["system_id"] != "991825827_smartcloud" {
		t.Errorf("system_id %v", ad["system_id"])
	}
	x := apiExchange(t, r)
	if x.Status != 200 || !strings.Contains(x.URL, "/regnskapssystem/310904473/aapnekrav") {
		t.Fatalf("API call %s → %d", x.URL, x.Status)
	}
	var body struct {
		Claims []json.RawMessage `json:"aapentKravMedGjenstaaendeBeloep"`
	}
	if err := json.Unmarshal([]byte(x.ResponseBody), &body); err != nil || len(body.Claims) == 0 {
		t.Errorf("no claims in %s (%v)", x.ResponseBody, err)
	}
}

func TestAgentScenario(t *testing.T) {
	r, _ := run(t, "agent", nil)
	if !r.OK {
		t.Fatalf("not ok:\n%s", describe(r))
	}
	ad := systemUserDetail(t, accessToken(t, r, "op-token"))
	if org := ad["systemuser_org"].(map[string]any); org["ID"] != "0192:314250052" {
		t.Errorf("agent token systemuser_org %v, want the facilitator", org)
	}
	if ad["system_id"] != "991825827_smartcloud_ap" {
		t.Errorf("system_id %v", ad["system_id"])
	}
	x := apiExchange(t, r)
	if x.Status != 200 || !strings.Contains(x.URL, "/310904473/aapnekrav") {
		t.Fatalf("API call for the client %s → %d", x.URL, x.Status)
	}
}

func TestFailureScenariosEndInTheirRealError(t *testing.T) {
	// The codes each failure scenario must show, beside the one it expects.
	also := map[string][]string{
		"rejected":            {"invalid_altinn_customer_configuration"},
		"agent-not-delegated": {"KB-005"},
		"delegation-removed":  {"KB-005"},
		"token-expired":       {"KB-004"},
		"wrong-aud":           {"invalid_grant"},
		"unknown-field":       {"invalid_authorization_details"},
	}
	s := session(t)
	failures := 0
	for _, sc := range flow.Scenarios(s.Settings) {
		var expect *flow.Step
		for i := range sc.Steps {
			if sc.Steps[i].Expect.Code != "" {
				expect = &sc.Steps[i]
			}
		}
		if expect == nil {
			continue
		}
		failures++
		t.Run(sc.Name, func(t *testing.T) {
			// All scenarios share one mock world, as in the TUI: each
			// must leave it usable for the next (the clock reset).
			r := flow.NewEngine(s.Services, s.Settings, sc).RunAll(context.Background(), nil)
			if !r.OK {
				t.Fatalf("not ok:\n%s", describe(r))
			}
			var got flow.StepResult
			for i, st := range sc.Steps {
				if st.ID == expect.ID {
					got = r.Results[i]
				}
			}
			for _, code := range append([]string{expect.Expect.Code}, also[sc.Name]...) {
				if !client.HasCode(got.Err, code) {
					t.Errorf("%s: error %v lacks %s (codes %v)", expect.ID, got.Err, code, got.Codes())
				}
			}
			if _, ok := client.ExplainCode(expect.Expect.Code); !ok {
				t.Errorf("no explanation for %s", expect.Expect.Code)
			}
			for _, c := range got.Codes() {
				if _, ok := client.ExplainCode(c); !ok && !strings.HasPrefix(c, "HTTP") {
					t.Errorf("no explanation for %s, which %s produces", c, expect.ID)
				}
			}
			if expect.Expect.Why == "" {
				t.Error("the expectation does not say why")
			}
		})
	}
	if failures < 12 {
		t.Errorf("%d failure scenarios, want at least 12", failures)
	}
	// After them all, the happy path still works in the same world.
	sc, _ := flow.Find(s.Settings, "standard")
	if r := flow.NewEngine(s.Services, s.Settings, sc).RunAll(context.Background(), nil); !r.OK {
		t.Fatalf("standard after the failures:\n%s", describe(r))
	}
}

func TestMockOnlyScenarioRefusesARealEnvironment(t *testing.T) {
	s := session(t)
	// A real environment's services have no knobs to turn.
	svc := s.Services
	svc.Mock = nil
	sc, _ := flow.Find(s.Settings, "token-expired")
	r := flow.NewEngine(svc, s.Settings, sc).RunAll(context.Background(), nil)
	if r.OK || r.Results[0].Err == nil || !strings.Contains(r.Results[0].Err.Error(), "--env mock") {
		t.Fatalf("ran against tt02: %v", r.Results[0].Err)
	}
}

func TestUnmetExpectationIsNotOK(t *testing.T) {
	// The rejected scenario, but approved: the token step succeeds where
	// the scenario expects MP-303, so the run must not be OK.
	r, _ := run(t, "rejected", func(sc *flow.Scenario) { sc.Params[flow.ParamDecision] = "approve" })
	if r.OK {
		t.Fatalf("ok although the expected MP-303 never came:\n%s", describe(r))
	}
	last := r.Results[len(r.Results)-1]
	if last.Outcome != flow.Failed || last.Err != nil {
		t.Errorf("last step %v %v", last.Outcome, last.Err)
	}
}

func TestFailedStepStopsTheRun(t *testing.T) {
	// A wrong customer org: the request fails with Altinn's error, and
	// everything after it is skipped, not run on broken state.
	r, _ := run(t, "standard", func(sc *flow.Scenario) {
		sc.Params = map[flow.Param]string{flow.ParamCustomerOrg: "999999999"}
	})
	if r.OK {
		t.Fatal("ok with an unknown customer org")
	}
	var failed, skipped int
	for _, res := range r.Results {
		switch res.Outcome {
		case flow.Failed:
			failed++
		case flow.Skipped:
			skipped++
		}
	}
	if failed != 1 || skipped == 0 {
		t.Errorf("failed %d skipped %d:\n%s", failed, skipped, describe(r))
	}
}

func TestStepsRerunAndParamsValidate(t *testing.T) {
	s := session(t)
	sc, _ := flow.Find(s.Settings, "standard")
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	if err := eng.SetParam(flow.ParamGrantOrg, "12"); err == nil {
		t.Error("two-digit org accepted")
	}
	if err := eng.SetParam(flow.ParamGrantLifetime, "soon"); err == nil {
		t.Error("bad duration accepted")
	}
	if err := eng.SetParam(flow.ParamDecision, "approve"); err != nil {
		t.Error(err)
	}
	// Running a step out of order fails clearly and changes nothing.
	last := len(sc.Steps) - 1
	res := eng.RunStep(context.Background(), last, nil)
	if res.Outcome != flow.Failed || !strings.Contains(res.Err.Error(), "token") {
		t.Errorf("out of order: %v %v", res.Outcome, res.Err)
	}
	// The steps in order, each emitting start and end with one attempt id.
	for i := range sc.Steps {
		var events []flow.Event
		res := eng.RunStep(context.Background(), i, func(e flow.Event) { events = append(events, e) })
		if res.Outcome != flow.Done {
			t.Fatalf("step %s: %v", sc.Steps[i].ID, res.Err)
		}
		if events[0].Kind != flow.StepStarted || events[len(events)-1].Kind != flow.StepEnded {
			t.Errorf("step %s events %v", sc.Steps[i].ID, events)
		}
		for _, e := range events {
			if e.Attempt != res.Attempt || e.Step != i {
				t.Errorf("event %+v of attempt %d", e, res.Attempt)
			}
		}
	}
	// The token step again: a fresh grant (new jti) gets a fresh token.
	tokenStep := len(sc.Steps) - 2
	first := eng.State().AccessToken
	if res := eng.RunStep(context.Background(), tokenStep, nil); res.Outcome != flow.Done {
		t.Fatalf("rerun: %v", res.Err)
	}
	if eng.State().AccessToken == first {
		t.Error("rerun gave the same token")
	}
}

// The flow reaches the mocks only over HTTP: no file of the package may
// import client/mock (tests start them through the command line's wiring).
func TestFlowDoesNotImportTheMocks(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasSuffix(p, "/client/mock") || strings.Contains(p, "bubbletea") || strings.Contains(p, "lipgloss") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

func TestJSONReport(t *testing.T) {
	r, _ := run(t, "standard", nil)
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var out flow.RunReport
	if err := json.Unmarshal([]byte(b.String()), &out); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if !out.OK || len(out.Steps) != len(r.Scenario.Steps) {
		t.Fatalf("ok %v, %d steps", out.OK, len(out.Steps))
	}
	var exchanges int
	for _, s := range out.Steps {
		if s.Actor == "" || s.ID == "" || s.Title == "" || s.Outcome != flow.Done {
			t.Errorf("step %+v", s)
		}
		exchanges += len(s.Exchanges)
	}
	if exchanges < 15 {
		t.Errorf("only %d exchanges in the JSON", exchanges)
	}
	if !strings.Contains(b.String(), `"outcome": "done"`) {
		t.Error("outcome not readable")
	}
}

// BenchmarkStandardScenario is the whole standard scenario in one process,
// keys already made, mocks already running: budget 20 ms a run.
func BenchmarkStandardScenario(b *testing.B) {
	s := session(b)
	sc, _ := flow.Find(s.Settings, "standard")
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// RunAll puts the mock world back to its seed first.
		eng := flow.NewEngine(s.Services, s.Settings, sc)
		if r := eng.RunAll(ctx, nil); !r.OK {
			b.Fatalf("run %d not ok:\n%s", i, describe(r))
		}
	}
}

// Against a real Altinn the workbench cannot act for the people: it shows
// the confirm URL and polls until the person has answered. Here the test
// plays STADIG KONSERT in the mock portal while the flow waits.
func TestWaitsForThePersonInARealEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("polls for a few seconds")
	}
	s := session(t)
	st := s.Settings
	st.ActAsPeople = false
	sc, _ := flow.Find(st, "standard")
	eng := flow.NewEngine(s.Services, st, sc)
	done := make(chan flow.Report, 1)
	var notes []string
	var mu sync.Mutex
	go func() {
		done <- eng.RunAll(context.Background(), func(e flow.Event) {
			if e.Kind == flow.NoteAdded {
				mu.Lock()
				notes = append(notes, e.Note)
				mu.Unlock()
			}
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for eng.State().ConfirmURL == "" {
		if time.Now().After(deadline) {
			t.Fatal("no confirm URL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the flow is polling now
	stt := eng.State()
	if _, err := s.Services.Portal.Decide(context.Background(), client.ConfirmAction{
		ConfirmURL: stt.ConfirmURL, RequestID: stt.RequestID, PID: st.EndUserPID, Approve: true,
	}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !r.OK {
		t.Fatalf("not ok:\n%s", describe(r))
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(notes, "\n")
	for _, want := range []string{"opens it in a browser", stt.ConfirmURL, "still New", "answered: Accepted"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

// ResetWorld while a step runs waits for it: the step's state does not land
// on top of the fresh start.
func TestResetWorldWaitsForARunningStep(t *testing.T) {
	s := session(t)
	sc, _ := flow.Find(s.Settings, "standard")
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	for i := 0; i < 4; i++ {
		if r := eng.RunStep(context.Background(), i, nil); r.Outcome != flow.Done {
			t.Fatalf("step %d: %v", i, r.Err)
		}
	}
	reset := make(chan error, 1)
	eng.RunStep(context.Background(), 4, func(e flow.Event) {
		if e.Kind == flow.StepStarted {
			go func() { reset <- eng.ResetWorld(context.Background()) }()
			time.Sleep(20 * time.Millisecond) // let the reset try to cut in
		}
	})
	if err := <-reset; err != nil {
		t.Fatal(err)
	}
	st := eng.State()
	if st.VendorClientID != "" || st.ServiceOwnerToken != "" || eng.Result(4).Outcome != flow.NotRun {
		t.Errorf("state after reset: client %q, service owner token set %v, step 5 %v",
			st.VendorClientID, st.ServiceOwnerToken != "", eng.Result(4).Outcome)
	}
}
