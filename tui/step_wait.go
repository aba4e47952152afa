package tui

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
)

// A step that waits for the user: at a gate (a yes before a write to a
// shared register, or "done" for a person's task in the portal), or after
// a rejected request, with its two ways on. The step screen shows what it
// waits for and owns the keys that answer it.

// waiting is what a step's last run waits for, if anything.
type waiting struct {
	gate *flow.Gate
	ways []flow.WayOn
}

func (w waiting) any() bool { return w.gate != nil || len(w.ways) > 0 }

// waitOf reads what a run ended waiting for from its error.
func waitOf(r stepRun) waiting {
	if r.result == nil || r.result.Err == nil {
		return waiting{}
	}
	var ge *flow.GateError
	if errors.As(r.result.Err, &ge) {
		g := ge.Gate
		return waiting{gate: &g}
	}
	var re *flow.RejectedError
	if errors.As(r.result.Err, &re) {
		return waiting{ways: re.Ways()}
	}
	return waiting{}
}

// waitKey answers what the step waits for; false for a key that answers
// nothing here.
func (s *stepScreen) waitKey(msg tea.KeyMsg) bool {
	k := s.common.Keys
	w := waitOf(s.run())
	switch {
	case key.Matches(msg, k.Yes) && w.gate != nil:
		s.ask(passGate{step: s.v.cur, key: w.gate.Key})
	case key.Matches(msg, k.DeleteAsk) && len(w.ways) > 0:
		s.ask(takeWay{way: w.ways[0]})
	case key.Matches(msg, k.NewRef) && len(w.ways) > 1:
		s.ask(takeWay{way: w.ways[1]})
	case key.Matches(msg, k.Yes, k.DeleteAsk, k.NewRef):
		s.ask(say{text: "this step is not waiting for an answer"})
	default:
		return false
	}
	return true
}

// waitBindings are the keys that answer what the step waits for, labelled
// for it.
func (s *stepScreen) waitBindings() []key.Binding {
	k := s.common.Keys
	w := waitOf(s.run())
	switch {
	case w.gate != nil && w.gate.Kind == flow.GateConfirm:
		return []key.Binding{relabel(k.Yes, "yes, write it")}
	case w.gate != nil:
		return []key.Binding{relabel(k.Yes, "it is done")}
	case len(w.ways) > 1:
		return []key.Binding{relabel(k.DeleteAsk, "delete, ask again"), relabel(k.NewRef, "new externalRef")}
	}
	return nil
}

// waitLines are the info pane's lines for what the step waits for.
func (p *infoPage) waiting() {
	w := waitOf(p.r)
	st, width := p.st, p.w
	switch {
	case w.gate != nil:
		p.section(w.gate.Title)
		for _, l := range w.gate.Lines {
			p.add(proseIndented(st.Subtle, "· "+l, width, 4)...)
		}
		answer := "y writes it to the register; change the config and run again instead to write something else."
		if w.gate.Kind == flow.GateDone {
			answer = "No API shows this to the vendor: y says it is done, and the step goes on."
		}
		p.add(proseIndented(st.Warning, answer, width, 2)...)
	case len(w.ways) > 0:
		p.section("Two ways on")
		keys := []string{"D", "f"}
		for i, way := range w.ways {
			p.add(proseIndented(st.Warning, keys[min(i, len(keys)-1)]+" "+way.Title, width, 2)...)
			p.add(proseLines(way.Explain, width, 5)...)
		}
	}
}
