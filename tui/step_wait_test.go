package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// stepIndex is the index of the step with the id in the model's scenario.
func stepIndex(t *testing.T, m Model, id string) int {
	t.Helper()
	for i, s := range m.sc.Steps {
		if s.ID == id {
			return i
		}
	}
	t.Fatalf("no step %s", id)
	return -1
}

// TestGateIsAKeyOnItsStep: a step that waits for a yes shows what it will
// write and y as the key; y passes the gate and runs the step again.
func TestGateIsAKeyOnItsStep(t *testing.T) {
	m := newTestModel(t, 120, 40)
	i := stepIndex(t, m, "v-system")
	gate := flow.Gate{Key: "register:991825827_smartcloud", Kind: flow.GateConfirm, Step: "v-system",
		Title: "Register 991825827_smartcloud in tt02's system register?", Lines: []string{"name: SmartCloud AS", "isVisible: false"}}
	m.cur, m.screen = i, screenStep
	m = runStep(m, i, 1, nil, nil, &flow.GateError{Gate: gate})
	view := ansi.Strip(m.View())
	for _, want := range []string{gate.Title, "· name: SmartCloud AS", "y writes it to the register", "y yes, write it"} {
		if !strings.Contains(view, want) {
			t.Errorf("the step screen lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "codes ") {
		t.Errorf("a gate shows as an error box:\n%s", view)
	}
	m = keys(m, "y")
	if !m.run.running || m.run.step != i || !m.eng.State().Passed[gate.Key] {
		t.Errorf("y: running %v, step %d, passed %v", m.run.running, m.run.step, m.eng.State().Passed)
	}
}

// TestDoneGateSaysWhatThePersonDoes: a person's task in the portal is
// shown with where to do it, and y says it is done.
func TestDoneGateSaysWhatThePersonDoes(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.sc, _ = flow.Find(m.settings, "agent")
	m.setScenario(m.sc)
	i := stepIndex(t, m, "ca-delegate")
	gate := flow.Gate{Key: "done:ca-delegate:x", Kind: flow.GateDone, Step: "ca-delegate",
		Title: "The client administrator of 314250052 adds 310904473 to the agent system access",
		Lines: []string{"in https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/overview, add 310904473"}}
	m.cur, m.screen = i, screenStep
	m = runStep(m, i, 1, nil, nil, &flow.GateError{Gate: gate})
	view := ansi.Strip(m.View())
	for _, want := range []string{gate.Title, "accessmanagement/ui/systemuser/overview", "y says it is done", "y it is done"} {
		if !strings.Contains(view, want) {
			t.Errorf("the step screen lacks %q:\n%s", want, view)
		}
	}
	if m = keys(m, "y"); !m.run.running || !m.eng.State().Passed[gate.Key] {
		t.Error("y did not pass the gate")
	}
}

// TestRejectedRequestOffersTheWaysOn: after a rejection the screen shows
// the two ways on, d and f; d takes the first, running the request step.
func TestRejectedRequestOffersTheWaysOn(t *testing.T) {
	m := newTestModel(t, 120, 40)
	poll := stepIndex(t, m, "v-poll")
	re := &flow.RejectedError{Request: client.Request{ID: "e9d2831d-76cf-4342-8695-0b4a4c5d3900", Status: client.StatusRejected,
		SystemID: "991825827_smartcloud", PartyOrgNo: "310904473"}, NewRef: "310904473-20261201-101152"}
	m.cur, m.screen = poll, screenStep
	m = runStep(m, poll, 1, nil, nil, re)
	view := ansi.Strip(m.View())
	for _, want := range []string{"Two ways on", "D Delete the rejected request and ask again",
		"f Ask with a new externalRef (310904473-20261201-101152)", "D delete, ask again", "f new externalRef"} {
		if !strings.Contains(view, want) {
			t.Errorf("the step screen lacks %q:\n%s", want, view)
		}
	}
	m = keys(m, "D")
	if !m.run.running || m.cur != stepIndex(t, m, "v-request") || !strings.Contains(m.status, "Delete the rejected request") {
		t.Errorf("D: running %v, at step %d, status %q", m.run.running, m.cur, m.status)
	}
}
