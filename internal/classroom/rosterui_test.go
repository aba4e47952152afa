package classroom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/tui"
)

// rosterWith is a classroom (not serving) whose roster holds trainees
// with the statuses given, and its RosterModel at 100x30.
func rosterWith(t *testing.T, trainees ...*trainee) (*Server, RosterModel) {
	t.Helper()
	srv, err := New(t.Context(), Options{
		Listen: "127.0.0.1:0", HostKeyFile: filepath.Join(t.TempDir(), "hk"), Handouts: filepath.Join(t.TempDir(), "not-yet"), JoinCode: testCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, tr := range trainees {
		srv.trainees[tr.who.id] = tr
		srv.order = append(srv.order, tr)
	}
	r := lipgloss.NewRenderer(os.Stdout)
	r.SetColorProfile(termenv.Ascii)
	m := NewRosterModel(srv, r, srv.JoinLine("192.0.2.10"))
	m.now = func() time.Time { return time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC) }
	return srv, press(m, tea.WindowSizeMsg{Width: 100, Height: 30})
}

func press(m RosterModel, msgs ...tea.Msg) RosterModel {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(RosterModel)
	}
	return m
}

func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestRosterShowsEveryTraineeLive(t *testing.T) {
	here := &trainee{who: identity{id: "name:kari", name: "kari", how: "join code"}, seat: &seat{}, status: tui.Status{
		Scenario: "agent-client-org", Step: 17, Steps: 18, StepID: "op-token", Outcome: flow.Done, Ran: 17, Done: 17,
		LastError: tui.SeenError{Step: 17, StepID: "op-token", Code: "MP-303 invalid_grant", Expected: true},
	}}
	away := &trainee{who: identity{id: "key:SHA256:x", name: "ola", how: "key"}, world: nil, left: time.Date(2026, 12, 1, 10, 27, 0, 0, time.UTC),
		status: tui.Status{Scenario: "standard", Step: 5, Steps: 13, StepID: "v-client", Outcome: flow.Failed,
			LastError: tui.SeenError{Step: 5, StepID: "v-client", Code: "invalid_client"}}}
	_, m := rosterWith(t, here, away)
	v := ansi.Strip(m.View())
	for _, want := range []string{
		"ssh -p", "YOURNAME@192.0.2.10", "TEST-CODE", "host key SHA256:",
		"kari", "here", "agent-client-org", "17/18 op-token ✓", "17: MP-303 invalid_grant ",
		"ola", "gone", "5/13 v-client ✗", "! 5: invalid_client", "—",
		"1 here · 0 away",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the roster lacks %q:\n%s", want, v)
		}
	}
	if n := strings.Count(v, "\n") + 1; n != 30 {
		t.Errorf("the roster is %d lines; the terminal has 30", n)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 100 {
			t.Errorf("a line is %d cells wide, over 100: %q", w, l)
		}
	}
}

func TestRosterSendsTheRoomAndAsksBeforeAReset(t *testing.T) {
	kari := &trainee{who: identity{id: "name:kari", name: "kari", how: "join code"}}
	srv, m := rosterWith(t, kari)
	m = press(m, keyRunes("s"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Send the room to a scenario") || !strings.Contains(v, "agent-client-org") {
		t.Fatalf("s shows no scenario picker:\n%s", v)
	}
	m = press(m, keyRunes("j"), tea.KeyMsg{Type: tea.KeyEnter})
	if srv.room != "agent" || kari.pending == nil || kari.pending.Name != "agent" {
		t.Fatalf("the room is on %q, kari's pending switch %+v; want agent", srv.room, kari.pending)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "sent the room to agent") {
		t.Errorf("the status line does not say where the room went:\n%s", v)
	}

	m = press(m, keyRunes("R"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "reset kari's world") || !strings.Contains(v, "y/n") {
		t.Fatalf("R does not ask first:\n%s", v)
	}
	m = press(m, keyRunes("n"))
	if m.mode != modeRoster {
		t.Fatal("n did not cancel the reset")
	}
	m = press(m, keyRunes("R"), keyRunes("y"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "kari has no world to reset") {
		t.Errorf("a reset without a world says nothing:\n%s", v)
	}

	m = press(m, keyRunes("e"))
	b, err := os.ReadFile(filepath.Join(srv.opts.Handouts, "roster.md"))
	if err != nil || !strings.Contains(string(b), "| kari | join code |") {
		t.Fatalf("e wrote no roster: %v\n%s", err, b)
	}
	if _, cmd := m.Update(keyRunes("q")); cmd != nil {
		t.Fatal("q ends the class without asking")
	}
	next, _ := m.Update(keyRunes("q"))
	if _, cmd := next.(RosterModel).Update(keyRunes("y")); cmd == nil {
		t.Fatal("q then y does not end the class")
	}
}
