package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// These tests run the scenarios on the mocks through Update and the Cmds
// it returns, as the program does, but without a terminal: drive runs
// each Cmd in a goroutine and feeds its message back, until nothing is
// left to run.

// drive runs cmd and every Cmd Update returns after it, feeding their
// messages to m, until none is left.
func drive(t testing.TB, m Model, cmd tea.Cmd) Model {
	t.Helper()
	msgs := make(chan tea.Msg)
	pending := 0
	run := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() { msgs <- c() }()
	}
	run(cmd)
	deadline := time.After(90 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			default:
				next, c := m.Update(msg)
				m = next.(Model)
				run(c)
			}
		case <-deadline:
			t.Fatalf("the run did not end; status %q", m.status)
		}
	}
	return m
}

// press sends a key to m and drives what it starts.
func pressAndRun(t testing.TB, m Model, k string) Model {
	t.Helper()
	next, cmd := m.Update(keyMsg(k))
	return drive(t, next.(Model), cmd)
}

// newMockModel is the workbench on the in-process mocks at 80x24.
func newMockModel(t *testing.T, scenario string) Model {
	t.Helper()
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithScenario(scenario), WithClock(goldenClock), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil }), WithOpener(func(string) error { return nil }))
	return update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
}

func outcomes(m Model) []flow.Outcome {
	var out []flow.Outcome
	for _, r := range m.runs {
		out = append(out, r.outcome)
	}
	return out
}

func allDone(m Model) bool {
	for _, r := range m.runs {
		if r.outcome != flow.Done {
			return false
		}
	}
	return true
}

// A second scenario in the same mock world starts from the seed: it does
// not find the first one's request and system user.
func TestAnotherScenarioInTheSameMockWorld(t *testing.T) {
	m := newMockModel(t, "standard")
	m = pressAndRun(t, m, "r")
	if !allDone(m) || !strings.Contains(m.status, "standard ended as expected") {
		t.Fatalf("standard: %v, status %q", outcomes(m), m.status)
	}
	m = keys(m, "s", "down", "down", "enter")
	if m.sc.Name != "rejected" {
		t.Fatalf("picked %s", m.sc.Name)
	}
	m = pressAndRun(t, m, "r")
	if !strings.Contains(m.status, "scenario rejected ended as expected") {
		t.Fatalf("rejected: %v, status %q", outcomes(m), m.status)
	}
	last := m.runs[len(m.runs)-1]
	if last.outcome != flow.ExpectedFailure || last.result == nil || !client.HasCode(last.result.Err, "MP-303") {
		t.Errorf("rejected's last step: %v, %v; want expected-failure with MP-303", last.outcome, last.result)
	}
	// The token step shows what Maskinporten asked Altinn, behind the
	// scenes, and the 404 that became MP-303.
	var found bool
	for _, c := range last.calls {
		if c.behind() && c.caller == "maskinporten" && strings.Contains(c.x.URL, "byExternalId") && c.x.Status == 404 {
			found = true
		}
	}
	if !found {
		t.Errorf("no behind-the-scenes byExternalId 404 among %d calls", len(last.calls))
	}
}

// Running a scenario step by step from step 1 starts it from scratch each
// time: the second time Altinn does not answer with the first run's
// request (approving it again would be AUTH-00013).
func TestStepByStepTwice(t *testing.T) {
	m := newMockModel(t, "standard")
	m = keys(m, "enter") // open step 1
	for round := 1; round <= 2; round++ {
		m = keys(m, "1") // step 1
		if m.cur != 0 {
			t.Fatalf("round %d: at step %d", round, m.cur+1)
		}
		for i := range m.sc.Steps {
			m = pressAndRun(t, m, "enter")
			if r := m.runs[i]; r.outcome != flow.Done {
				t.Fatalf("round %d: step %d %v: %v (status %q)", round, i+1, r.outcome, r.result.Err, m.status)
			}
			if i == 0 {
				for j := 1; j < len(m.runs); j++ {
					if m.runs[j].outcome != flow.NotRun {
						t.Fatalf("round %d: step 1 did not clear step %d (%v)", round, j+1, m.runs[j].outcome)
					}
				}
			}
			if i == len(m.sc.Steps)-1 {
				break
			}
			m = keys(m, "n")
		}
		if !allDone(m) || !strings.Contains(m.status, "scenario standard ended as expected") {
			t.Fatalf("round %d: %v, status %q", round, outcomes(m), m.status)
		}
	}
}

// The first run after picking a scenario starts it from scratch, whatever
// step it runs.
func TestPickingAScenarioResetsItsFirstRun(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{}`)}, nil, nil)
	m = keys(m, "s", "down", "enter")
	if !m.run.needReset {
		t.Fatal("picking a scenario did not ask for a reset")
	}
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{}`)}, nil, nil) // shown, as an old result
	m = keys(m, "2", "enter")                                             // the vendor's first step, run
	if !m.run.running || m.run.needReset {
		t.Fatalf("running %v, needReset %v", m.run.running, m.run.needReset)
	}
	if m.runs[0].outcome != flow.NotRun {
		t.Error("the scenario's earlier results are still shown")
	}
	// Running a later step after that does not reset again.
	m = update(m, runEndedMsg{run: m.run.id})
	m = runStep(m, 3, 2, nil, nil, nil)
	m = keys(m, "n", "enter")
	if m.runs[3].outcome != flow.Done {
		t.Error("a step's run cleared the results of the others")
	}
	// A reset that failed is tried again on the next run.
	m = update(m, runEndedMsg{run: m.run.id, err: errResetFailed})
	if !m.run.needReset || !strings.Contains(m.status, "reset failed") {
		t.Errorf("needReset %v, status %q", m.run.needReset, m.status)
	}
}

var errResetFailed = errors.New("reset the mock world: reset failed")

// A whole run's skipped steps and its verdict come from the engine's
// events.
func TestRunAllEventsSkippedAndVerdict(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "r")
	id := m.run.id
	failed := flow.StepResult{Outcome: flow.Failed, Attempt: 1, Err: errResetFailed}
	m = update(m, event(id, flow.Event{Kind: flow.StepStarted, Step: 0, Attempt: 1}),
		event(id, flow.Event{Kind: flow.StepEnded, Step: 0, Attempt: 1, Result: &failed}))
	skipped := flow.StepResult{Outcome: flow.Skipped}
	results := []flow.StepResult{failed}
	for i := 1; i < len(m.sc.Steps); i++ {
		m = update(m, event(id, flow.Event{Kind: flow.StepEnded, Step: i, Result: &skipped}))
		results = append(results, skipped)
	}
	rep := flow.Report{Scenario: m.sc, Results: results, OK: m.sc.Verdict(results)}
	m = update(m, event(id, flow.Event{Kind: flow.ScenarioEnded, Step: -1, Report: &rep}), runEndedMsg{run: id, all: true})
	if m.run.running || !strings.Contains(m.status, "did NOT end as expected") {
		t.Errorf("running %v, status %q", m.run.running, m.status)
	}
	if o := m.runs[5].outcome; o != flow.Skipped {
		t.Errorf("step 6 is %v, want skipped", o)
	}
	m = keys(m, "enter", "n")
	if v := m.View(); !strings.Contains(v, "– skipped") || !strings.Contains(v, "an earlier step ended the run") {
		t.Errorf("step 2 does not say it was skipped:\n%s", v)
	}
}
