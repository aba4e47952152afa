package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// chooseRun moves the compare screen's choice to the one titled title.
func chooseRun(t *testing.T, m Model, title string) Model {
	t.Helper()
	for i, c := range m.cmp.choices {
		if c.title == title {
			for range i {
				m = keys(m, "down")
			}
			return m
		}
	}
	t.Fatalf("no choice %q", title)
	return m
}

// b on the overview puts another run beside the one on screen: a
// scenario run then, or an earlier run of the session; the pairs line up
// by step id, the differences are marked, the same steps folded, what
// always differs left out until i.
func TestCompareScreen(t *testing.T) {
	m := newMockModel(t, "standard")
	m = keys(m, "b")
	if m.screen != screenOverview || !strings.Contains(m.status, "run the scenario first") {
		t.Fatalf("b before a run: screen %v, status %q", m.screen, m.status)
	}
	m = pressAndRun(t, m, "r")
	if !allDone(m) || len(m.past) != 1 {
		t.Fatalf("the run: %v, %d past runs", outcomes(m), len(m.past))
	}
	m = keys(m, "b")
	if m.screen != screenCompare || m.cmp.state != compareChoosing || m.cmp.choices[0].past == nil || m.cmp.choices[0].title != "standard at 10:00:00" {
		t.Fatalf("b: screen %v state %v choices %+v", m.screen, m.cmp.state, m.cmp.choices[:1])
	}
	// A scenario: it runs, then the comparison shows.
	m = chooseRun(t, m, "agent-client-org")
	m = pressAndRun(t, m, "enter")
	if m.cmp.state != compareShowing || m.cmp.res.Same || !m.run.needReset || len(m.past) != 2 {
		t.Fatalf("agent-client-org: state %v same %v reset %v past %d", m.cmp.state, m.cmp.res.Same, m.run.needReset, len(m.past))
	}
	checkFits(t, m, 80, 24)
	v := ansi.Strip(m.View())
	for _, want := range []string{"standard (this run) ⇄ agent-client-org at 10:00:00", "= 1|1 so-token … v-to", "≠ 7|7 v-system (11)",
		"A 9|– eu-review", "B –|9 ca-login", "v-system · SmartCloud registers its sys"} {
		if !strings.Contains(v, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, v)
		}
	}
	// n goes to the next difference: the request, its partyOrgNo side by
	// side.
	m = keys(m, "n")
	if e := m.cmp.entries[m.cmp.sel]; e.steps[0].ID != "v-request" {
		t.Fatalf("n: %s", e.steps[0].ID)
	}
	detail := ansi.Strip(strings.Join(m.cmp.detail.lines, "\n"))
	if !regexpMatch(`(?m)^  ≠ body \.partyOrgNo\n   "310904473" +│ "314250052"`, detail) || strings.Contains(detail, "differs as expected") {
		t.Errorf("v-request's detail:\n%s", detail)
	}
	m = keys(m, "i")
	if detail := ansi.Strip(strings.Join(m.cmp.detail.lines, "\n")); !strings.Contains(detail, "≈ header Authorization: differs as expected") {
		t.Errorf("i does not show what always differs:\n%s", detail)
	}
	// op-token, at 120x40: the grant is the same but for what always
	// differs; the outcome is not.
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	checkFits(t, m, 120, 40)
	for range 10 {
		if m.cmp.entries[m.cmp.sel].steps[0].ID == "op-token" {
			break
		}
		m = keys(m, "n")
	}
	m = keys(m, "i")
	detail = ansi.Strip(strings.Join(m.cmp.detail.lines, "\n"))
	if !strings.Contains(detail, "The grant: the same, but for what always differs") || !regexpMatch(`≠ outcome\n   "done" +│ "expected-failure MP-303"`, detail) {
		t.Errorf("op-token's detail:\n%s", detail[:min(len(detail), 3000)])
	}

	// b again: the earlier run of standard is the same but for what
	// always differs.
	m = keys(m, "b")
	m = chooseRun(t, m, "standard at 10:00:00")
	m = keys(m, "enter")
	if !m.cmp.res.Same || len(m.cmp.entries) != 1 || !strings.Contains(m.status, "the same but for what always differs") {
		t.Errorf("beside its own earlier run: same %v, %d entries, status %q", m.cmp.res.Same, len(m.cmp.entries), m.status)
	}
	m = keys(m, "esc")
	if m.screen != screenOverview {
		t.Errorf("esc: %v", m.screen)
	}
	// The scenario on screen starts afresh at its next run: the other
	// run reset the mock world.
	m = pressAndRun(t, m, "r")
	if !allDone(m) {
		t.Errorf("standard after the comparison: %v", outcomes(m))
	}
}

// TestGoldenCompare is the compare screen at 80x24 and 120x40: standard
// beside agent-client-org, on the request.
func TestGoldenCompare(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newMockModel(t, "standard")
			m = update(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = pressAndRun(t, m, "r")
			m = keys(m, "b")
			m = chooseRun(t, m, "agent-client-org")
			m = pressAndRun(t, m, "enter")
			m = keys(m, "n")
			if m.cmp.entries[m.cmp.sel].steps[0].ID != "v-request" {
				t.Fatal("not on v-request")
			}
			golden.RequireEqual(t, []byte(normalize(ansi.Strip(m.View()))))
		})
	}
}
