package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
)

// Presenter mode (--present): high-contrast styles, more space, and
// auto-advance. Auto-advance walks the scenario view by view while the
// presenter talks: a step's info with its narration while the step runs
// and for one pace after, then its main exchange (request | response),
// then its tokens (the grant beside the access token), each for one pace,
// then the next step. The timer is a tea.Tick carrying a generation; a
// pause, a manual move or a new pace starts a new generation, so a tick
// of the old one is dropped when it arrives.

// DefaultPace is how long auto-advance shows each view.
const DefaultPace = 8 * time.Second

// paces are the steps + and - move the pace through.
var paces = []time.Duration{
	1 * time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second,
	6 * time.Second, 8 * time.Second, 10 * time.Second, 12 * time.Second, 15 * time.Second,
	20 * time.Second, 30 * time.Second, 45 * time.Second, time.Minute, 90 * time.Second, 2 * time.Minute,
}

// WithPresenter turns on presenter mode with auto-advance at the pace
// (DefaultPace when pace is 0 or less).
func WithPresenter(pace time.Duration) Option {
	return func(m *Model) {
		if pace <= 0 {
			pace = DefaultPace
		}
		m.present, m.pace = true, pace
	}
}

// presentStartMsg starts auto-advance once the program runs.
type presentStartMsg struct{}

// presentTickMsg is auto-advance's timer going off; gen is the generation
// it was started in.
type presentTickMsg struct{ gen int }

// beginAuto starts auto-advance from the first step of the scenario: the
// step's run resets the mock world, as running step 1 always does.
func (m *Model) beginAuto() tea.Cmd {
	m.auto, m.playing, m.finished, m.skipPending = true, true, false, false
	m.screen, m.zoom, m.form = screenStep, false, nil
	m.cur = 0
	m.showPhase(sectionInfo)
	if m.running {
		return m.schedule()
	}
	return m.startStep(0)
}

// schedule starts a new timer generation and, when auto-advance is
// playing and no step is running, the tick that ends the current view.
// (A running step's end schedules it instead.)
func (m *Model) schedule() tea.Cmd {
	m.gen++ // any tick on its way is stale now
	if !m.auto || !m.playing || m.running {
		return nil
	}
	gen, pace := m.gen, m.pace
	return tea.Tick(pace, func(time.Time) tea.Msg { return presentTickMsg{gen: gen} })
}

// presentTick handles a tick: the current generation's moves on.
func (m *Model) presentTick(msg presentTickMsg) tea.Cmd {
	if msg.gen != m.gen || !m.auto || !m.playing {
		return nil // paused, moved by hand, or a new pace since
	}
	return m.presentMove(1)
}

// view is one of auto-advance's views of a step: a section, and for the
// info section whether it is scrolled to the facts to point at.
type view struct {
	sec   section
	facts bool
}

// views are the views of the current step, in the order auto-advance
// shows them: the info; the facts to point at, when they start below
// what the info pane shows at first (a small terminal); the exchanges
// if the step made calls; the tokens if it has any.
func (m *Model) views() []view {
	r := m.runs[m.cur]
	out := []view{{sec: sectionInfo}}
	if at := m.step.factsLine(m.cur); at >= 0 && at+2 >= m.step.info.innerHeight() {
		out = append(out, view{sec: sectionInfo, facts: true})
	}
	if len(r.calls) > 0 {
		out = append(out, view{sec: sectionExchanges})
	}
	if len(r.tokens) > 0 {
		out = append(out, view{sec: sectionTokens})
	}
	return out
}

// showView shows a view of the current step: the info from its top or
// from its facts, the step's main call, or its first token pair (the
// grant beside its access token); the left pane focused.
func (m *Model) showView(v view) {
	m.screen = screenStep
	m.step.section, m.step.side = v.sec, 0
	m.factsView = v.facts
	r := m.runs[m.cur]
	switch v.sec {
	case sectionInfo:
		m.step.infoSeek = seekTop
		if v.facts {
			m.step.infoSeek = seekFacts
		}
	case sectionExchanges:
		m.step.exch = mainCall(r.calls)
	case sectionTokens:
		m.step.tok = 0
	}
}

// showPhase shows a section of the current step, the info from its top.
func (m *Model) showPhase(sec section) { m.showView(view{sec: sec}) }

// mainCall is the call a step is about: its first own call that changes
// something (the POST to /token, not the metadata read before it), or
// its first own call.
func mainCall(calls []call) int {
	first := -1
	for i, c := range calls {
		if c.behind() {
			continue
		}
		if first < 0 {
			first = i
		}
		if c.x.Method != "GET" {
			return i
		}
	}
	return max(0, first)
}

// presentMove moves auto-advance one view forward (d > 0) or back. Moving
// onto a step that has not run runs it; while another step runs, a move
// forward onto the next step waits for that run to end.
func (m *Model) presentMove(d int) tea.Cmd {
	m.screen, m.zoom = screenStep, false
	vs := m.views()
	at := 0
	for i, v := range vs {
		if v.sec == m.step.section && (v.sec != sectionInfo || v.facts == m.factsView) {
			at = i
		}
	}
	last := len(m.sc.Steps) - 1
	switch {
	case d > 0 && at+1 < len(vs):
		m.showView(vs[at+1])
	case d > 0 && m.cur < last:
		next := m.cur + 1
		if m.runs[next].outcome == flow.NotRun && m.running {
			m.skipPending = true
			m.setStatus(fmt.Sprintf("step %d is still running: step %d comes when it ends", m.runStep+1, next+1), false)
			return nil
		}
		m.cur = next
		m.showPhase(sectionInfo)
		if m.runs[next].outcome == flow.NotRun {
			m.gen++
			return m.startStep(next)
		}
	case d > 0:
		m.finish()
		return nil
	case at > 0:
		m.showView(vs[at-1])
	case m.cur > 0:
		// The previous step's last view. Its info pane is not rendered
		// yet, so whether it has a facts view is not known: a step
		// without calls and tokens ends on its info.
		m.cur--
		vs = m.views()
		m.showView(vs[len(vs)-1])
	}
	m.finished = false
	return m.schedule()
}

// finish ends auto-advance at the end of the scenario; space plays it
// again from the start.
func (m *Model) finish() {
	m.playing, m.finished = false, true
	m.gen++
}

// presentRunEnded goes on after a step's run ended: to the next view a
// pace later, at once when the presenter skipped ahead meanwhile, or not
// at all when the step failed unexpectedly (auto-advance pauses there).
func (m *Model) presentRunEnded(msg runEndedMsg) tea.Cmd {
	if !m.auto {
		return nil
	}
	r := m.runs[m.runStep]
	if msg.err != nil || r.outcome == flow.Failed {
		m.playing, m.skipPending = false, false
		m.gen++
		return nil
	}
	if m.skipPending {
		m.skipPending = false
		return m.presentMove(1)
	}
	return m.schedule()
}

// presentKey handles auto-advance's keys; ok is false for a key it leaves
// to the screen. Keys that take over by hand (run, run all, edit, jump to
// an actor, pick a scenario) first leave auto-advance.
func (m *Model) presentKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.PlayPause):
		switch {
		case m.finished:
			return m.beginAuto(), true
		case m.playing:
			m.playing = false
			m.gen++
			return nil, true
		}
		m.playing = true
		if m.runs[m.cur].outcome == flow.NotRun && !m.running {
			m.showPhase(sectionInfo)
			m.gen++
			return m.startStep(m.cur), true
		}
		return m.schedule(), true
	case key.Matches(msg, k.PresentNext):
		if m.finished {
			m.setStatus("the end: space plays the scenario again", false)
			return nil, true
		}
		return m.presentMove(1), true
	case key.Matches(msg, k.PresentPrev):
		m.skipPending = false
		return m.presentMove(-1), true
	case key.Matches(msg, k.PaceUp), key.Matches(msg, k.PaceDown):
		up := key.Matches(msg, k.PaceUp)
		p := nextPace(m.pace, up)
		if p == m.pace {
			end := "fastest"
			if up {
				end = "slowest"
			}
			m.setStatus("the pace is at its "+end+": "+fmtPace(p), false)
			return nil, true
		}
		m.pace = p
		m.setStatus("pace "+fmtPace(p)+" a view", false)
		if m.finished {
			return nil, true
		}
		return m.schedule(), true // the view starts its time again
	case key.Matches(msg, k.Manual):
		m.leaveAuto()
		m.setStatus("auto-advance off: the usual keys; a turns it back on", false)
		return nil, true
	case key.Matches(msg, k.Run), key.Matches(msg, k.RunAll), key.Matches(msg, k.Edit),
		key.Matches(msg, k.Actor), key.Matches(msg, k.Scenarios):
		m.leaveAuto()
	}
	return nil, false
}

// leaveAuto turns auto-advance off; the presenter styles stay.
func (m *Model) leaveAuto() {
	m.auto, m.playing, m.finished, m.skipPending = false, false, false, false
	m.gen++
}

// resumeAuto turns auto-advance back on, playing from the current view.
func (m *Model) resumeAuto() tea.Cmd {
	m.auto, m.playing, m.finished = true, true, false
	m.screen = screenStep
	if m.runs[m.cur].outcome == flow.NotRun && !m.running {
		m.showPhase(sectionInfo)
		m.gen++
		return m.startStep(m.cur)
	}
	return m.schedule()
}

// nextPace is the pace one step slower (up) or faster than p.
func nextPace(p time.Duration, up bool) time.Duration {
	if up {
		for _, q := range paces {
			if q > p {
				return q
			}
		}
		return max(p, paces[len(paces)-1])
	}
	for i := len(paces) - 1; i >= 0; i-- {
		if paces[i] < p {
			return paces[i]
		}
	}
	return min(p, paces[0])
}

// fmtPace shows a pace short: "8s", "1m30s", "2m", "500ms".
func fmtPace(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// presentIndicator is the header's auto-advance state: "▶ playing · 8s",
// "⏸ paused · 8s", "■ end · space plays again"; empty when auto-advance
// is off.
func (m Model) presentIndicator() string {
	switch {
	case !m.auto:
		return ""
	case m.finished:
		return "■ end · space plays again"
	case m.playing:
		return "▶ playing · " + fmtPace(m.pace)
	}
	return "⏸ paused · " + fmtPace(m.pace)
}
