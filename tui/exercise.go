package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// Exercises in the TUI: the trainee runs the scenario, finds the step that
// fails as delivered, reads its error box, edits the inputs (e) and runs
// the step again. t gives the exercise's hints one at a time; the
// overview's line under the header says "exercise", then "solved ✓" once
// every step ends as it should (the engine's Solved), which stays for the
// session; x then writes the trainee's handout with every attempt.

// showHint asks the root for the exercise's next hint.
type showHint struct{}

// exerciseInfo is what the step screen shows of the exercise.
type exerciseInfo struct {
	x      *flow.Exercise
	at     int // the index of the step that fails as delivered
	title  string
	shown  int // hints given so far
	solved bool
}

// exerciseInfo is the exercise's state for the screens, or nil.
func (m *Model) exerciseInfo() *exerciseInfo {
	x := m.sc.Exercise
	if x == nil {
		return nil
	}
	at := m.eng.StepIndex(x.Step)
	if at < 0 {
		return nil
	}
	return &exerciseInfo{x: x, at: at, title: m.sc.Steps[at].Title, shown: m.hints, solved: m.solved[m.sc.Name]}
}

// nextHint gives the next hint: every step's info shows the hints given,
// and scrolls to the new one; from the overview it opens the step that
// fails as delivered.
func (m *Model) nextHint() {
	x := m.sc.Exercise
	switch {
	case x == nil:
		m.setStatus("scenario "+m.sc.Name+" is no exercise: it has no hints", false)
		return
	case m.hints < len(x.Hints):
		m.hints++
		m.version++
	}
	if m.screen == screenOverview {
		if at := m.eng.StepIndex(x.Step); at >= 0 {
			m.cur, m.screen = at, screenStep
		}
	}
	m.step.infoSeek = seekHint
	m.setStatus(fmt.Sprintf("hint %d of %d: %s", m.hints, len(x.Hints), x.Hints[m.hints-1]), false)
}

// seekHint scrolls the info pane to the latest hint given.
func (s *stepScreen) seekHint(e *exerciseInfo) {
	if e == nil || e.shown == 0 {
		return
	}
	want := fmt.Sprintf("Hint %d:", e.shown)
	for i, l := range s.info.lines {
		if strings.HasPrefix(strings.TrimSpace(ansi.Strip(l)), want) {
			s.info.offset = max(0, i-1)
			s.info.clamp()
			return
		}
	}
}

// checkSolved marks the exercise solved once every step's latest run ended
// as it should, and says so the first time.
func (m *Model) checkSolved() {
	if m.sc.Exercise == nil || m.solved[m.sc.Name] || !m.eng.Solved() {
		return
	}
	if m.solved == nil {
		m.solved = map[string]bool{}
	}
	m.solved[m.sc.Name] = true
	m.version++
	m.setStatus("exercise "+m.sc.Name+" solved ✓ · x writes your handout", false)
}

// unsolved is the status after a whole run of an exercise that did not
// end as it should.
func (m *Model) unsolved() string {
	x := m.sc.Exercise
	if at := m.eng.StepIndex(x.Step); at >= 0 && m.eng.Result(at).Outcome == flow.Failed {
		return fmt.Sprintf("exercise: step %d fails with %s · open it (enter), change the inputs (e), run it again; t gives a hint", at+1, x.Code)
	}
	return "exercise " + m.sc.Name + " not solved yet · t gives a hint"
}

// exerciseMark is the overview's mark of an exercise: "exercise", or
// "exercise solved ✓".
func (m *Model) exerciseMark() string {
	switch {
	case m.sc.Exercise == nil:
		return ""
	case m.solved[m.sc.Name]:
		return "exercise solved ✓ · "
	}
	return "exercise · "
}

// exercise is the info pane's exercise section: on the step that fails as
// delivered what to do and the hints given so far, on the others a line;
// once solved, the rule.
func (p *infoPage) exercise(cur int) {
	e := p.in.exercise
	if e == nil {
		return
	}
	st, w := p.st, p.w
	p.section("Exercise")
	switch {
	case e.solved:
		p.add(proseIndented(st.Success, "✓ Solved: every step ends as it should.", w, 2)...)
		p.add(proseLines("The rule: "+e.x.Rule, w, 2)...)
		p.subtle(proseLines("x writes your handout: what you ran, what failed, and the fix that worked.", w, 2)...)
		return
	case cur != e.at:
		p.add(proseLines(fmt.Sprintf("As delivered, step %d fails with %s: that is the one to fix.", e.at+1, e.x.Code), w, 2)...)
	default:
		p.add(proseLines(fmt.Sprintf("As delivered, this step fails with %s. Find out why: read the error and its "+
			"explanation, press e to change the inputs, and run the step again with enter, until every step ends ok.",
			e.x.Code), w, 2)...)
	}
	for i := 0; i < e.shown && i < len(e.x.Hints); i++ {
		p.add(proseIndented(st.Warning, fmt.Sprintf("Hint %d: %s", i+1, e.x.Hints[i]), w, 2)...)
	}
	if e.shown < len(e.x.Hints) {
		p.subtle(fmt.Sprintf("  t gives a hint (%d of %d).", e.shown+1, len(e.x.Hints)))
	} else {
		p.subtle("  That was the last hint.")
	}
}
