package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// Presenter mode's story: auto-advance walks storyViews (each step, and
// the diagram between two actors' parts) while the story is on
// (presenter.story, the default), the engineer's views (views) while it
// is off; v switches, and the engineer's views are also what esc leaves
// the presenter with.

// storyShown reports whether the story view is what the screen shows.
func (m *Model) storyShown() bool {
	return m.pres.on && m.pres.auto && m.pres.story && m.screen == screenStep && m.form == nil && !m.zoom
}

// storyMove moves the story one view forward (d > 0) or back. Moving onto
// a step that has not run runs it; while a step runs, a move forward
// waits for its end.
func (m *Model) storyMove(d int) tea.Cmd {
	p := &m.pres
	vs := storyViews(m.sc)
	at := min(max(0, p.storyAt), len(vs)-1)
	switch {
	case d > 0 && m.run.running:
		p.skipPending = true
		m.setStatus(fmt.Sprintf("step %d is still running: the story goes on when it ends", m.run.step+1), false)
		return nil
	case d > 0 && at+1 < len(vs):
		next := vs[at+1]
		p.storyAt, m.cur = at+1, next.step
		if !next.diagram && m.runs[next.step].outcome == flow.NotRun {
			p.finished = false
			p.gen++
			return m.startStep(next.step)
		}
	case d > 0:
		p.finish()
		return nil
	case at > 0:
		p.storyAt, m.cur = at-1, vs[at-1].step
	}
	p.finished = false
	return m.schedule()
}

// storyAtStep is the story's view of step i.
func storyAtStep(sc flow.Scenario, i int) int {
	for k, v := range storyViews(sc) {
		if !v.diagram && v.step == i {
			return k
		}
	}
	return 0
}

// toggleStory switches between the story and the engineer's views, at
// the step shown; the view starts its time again.
func (m *Model) toggleStory() tea.Cmd {
	p := &m.pres
	p.story = !p.story
	if p.story {
		p.storyAt = storyAtStep(m.sc, m.cur)
		m.setStatus("the story view: v for the engineer's views", false)
	} else {
		m.showPhase(sectionInfo)
		m.setStatus("the engineer's views: v for the story", false)
	}
	return m.schedule()
}

// countdown is how the story's pace stands: the time to the next view,
// or why there is none.
func (m *Model) countdown() string {
	p := &m.pres
	switch {
	case p.finished:
		return "the end"
	case m.run.running:
		return "running"
	case !p.playing:
		return "paused"
	}
	left := p.pace - m.common.Now().Sub(p.since)
	left = max(0, (left+time.Second-1)/time.Second*time.Second)
	return "next in " + fmtPace(left)
}

// storyInput is what the story screen draws now.
func (m *Model) storyInput() storyInput {
	vs := storyViews(m.sc)
	at := min(max(0, m.pres.storyAt), len(vs)-1)
	return storyInput{v: m.flowView(), view: vs[at], at: at, of: len(vs), pace: m.countdown(), settings: m.settings}
}

// storySubheader is the line under the header on the story's diagram
// view, in place of the step's; ok false on a step's view.
func (m *Model) storySubheader() (string, bool) {
	in := m.storyInput()
	if !in.view.diagram {
		return "", false
	}
	st, w := m.common.Styles, m.common.Width
	done := 0
	for _, r := range m.runs {
		if r.outcome.AsExpected() {
			done++
		}
	}
	left := st.Bold.Render("Between the parts") + st.Subtle.Render(" · "+m.sc.Name)
	right := st.Subtle.Render(fmt.Sprintf("%d/%d steps", done, len(m.runs)))
	left = ansi.Truncate(left, max(1, w-lipgloss.Width(right)-1), "…")
	return left + strings.Repeat(" ", max(1, w-lipgloss.Width(left)-lipgloss.Width(right))) + right, true
}
