package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// watched is a model whose observer appends what it hears to *heard.
func watched(t *testing.T, heard *[]Status) Model {
	return newTestModel(t, 80, 24, WithObserver(func(s Status) { *heard = append(*heard, s) }))
}

func TestObserverHearsScenarioStepAndOutcomes(t *testing.T) {
	var heard []Status
	m := watched(t, &heard)
	if len(heard) != 1 || heard[0].Scenario != "standard" || heard[0].Step != 1 || heard[0].Steps != len(m.sc.Steps) {
		t.Fatalf("first status %+v, want standard at step 1", heard)
	}
	n := len(heard)
	m = update(m, clockMsg{}, clockMsg{})
	if len(heard) != n {
		t.Fatalf("the clock told the observer %d more times; nothing changed", len(heard)-n)
	}

	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{"access_token":"x"}`)}, nil, nil)
	last := heard[len(heard)-1]
	if last.Ran != 1 || last.Done != 1 || last.Outcome != flow.Done || last.LastError.Step != 0 {
		t.Fatalf("after step 1 ran: %+v", last)
	}
	m = keys(m, "j")
	if last = heard[len(heard)-1]; last.Step != 2 || last.StepID != m.sc.Steps[1].ID {
		t.Fatalf("after j: step %d %s, want 2 %s", last.Step, last.StepID, m.sc.Steps[1].ID)
	}

	err := &client.OAuthError{Status: 400, Code: "invalid_grant", Description: "MP-303: no such system user"}
	m = runStep(m, 1, 1, nil, nil, err)
	last = heard[len(heard)-1]
	if got := last.LastError; got.Step != 2 || !strings.Contains(got.Code, "invalid_grant") || got.Expected {
		t.Fatalf("last error %+v, want step 2's invalid_grant, not expected", got)
	}
	// The error stays when the step passes later: it is the last one met.
	m = runStep(m, 1, 2, nil, nil, nil)
	if last = heard[len(heard)-1]; last.LastError.Step != 2 || last.Done != 2 {
		t.Fatalf("after the fix: %+v", last)
	}
	if last.Exercise || last.Solved {
		t.Fatal("no scenario is an exercise yet")
	}
	_ = m
}

func TestSwitchScenarioMovesTheSession(t *testing.T) {
	var heard []Status
	m := watched(t, &heard)
	m = runStep(m, 0, 1, nil, nil, errors.New("boom"))
	m = update(m, SwitchScenario{Name: "agent", By: "the trainer"})
	if m.sc.Name != "agent" || m.screen != screenOverview {
		t.Fatalf("scenario %s on %s, want agent on the overview", m.sc.Name, m.screen)
	}
	last := heard[len(heard)-1]
	if last.Scenario != "agent" || last.Ran != 0 || last.LastError.Step != 0 {
		t.Fatalf("after the switch: %+v, want agent afresh", last)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "the trainer moved you") || !strings.Contains(m.status, "the trainer moved you to scenario agent") { // the header shows what fits, m the rest
		t.Fatalf("the status line does not say who moved the session:\n%s\nstatus %q", v, m.status)
	}
	m = update(m, SwitchScenario{Name: "no-such", By: "the trainer"})
	if m.sc.Name != "agent" || !m.statusBad {
		t.Fatalf("an unknown scenario moved the session to %s (bad status %v)", m.sc.Name, m.statusBad)
	}
}

func TestHandoutIsTheRunAsExported(t *testing.T) {
	m := newTestModel(t, 80, 24)
	if _, _, ran := m.Handout(); ran {
		t.Fatal("a session that ran nothing has a handout")
	}
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{"access_token":"x"}`)}, nil, nil)
	rep, opts, ran := m.Handout()
	if !ran || rep.Scenario.Name != "standard" || len(rep.Results) != len(m.sc.Steps) || opts.Settings.VendorOrgNo == "" {
		t.Fatalf("handout ran=%v %s with %d results", ran, rep.Scenario.Name, len(rep.Results))
	}
}
