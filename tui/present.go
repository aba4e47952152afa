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

// presenter is presenter mode's state. on is --present; auto says
// auto-advance is on (esc leaves it), playing that it is not paused,
// finished that it reached the end. gen is the timer's generation: a tick
// of another is dropped. skipPending moves on as soon as the running step
// ends. factsView says the info is shown scrolled to the facts to point
// at, auto-advance's second view of a step on a small terminal.
type presenter struct {
	on          bool
	auto        bool
	playing     bool
	finished    bool
	skipPending bool
	pace        time.Duration
	gen         int
	factsView   bool
	// story says auto-advance tells the story (present_story.go), the
	// default, rather than walk the engineer's views; storyAt is the
	// story's view. since is when the current view's time began, for the
	// countdown.
	story   bool
	storyAt int
	since   time.Time
}

// presentStartMsg starts auto-advance once the program runs.
type presentStartMsg struct{}

// presentTickMsg is auto-advance's timer going off; gen is the generation
// it was started in.
type presentTickMsg struct{ gen int }

// beginAuto starts auto-advance from the first step of the scenario: the
// step's run resets the mock world, as running step 1 always does.
func (m *Model) beginAuto() tea.Cmd {
	m.pres.auto, m.pres.playing, m.pres.finished, m.pres.skipPending = true, true, false, false
	m.screen, m.zoom, m.form = screenStep, false, nil
	m.cur, m.pres.storyAt = 0, 0
	m.showPhase(sectionInfo)
	if m.run.running {
		return m.schedule()
	}
	return m.startStep(0)
}

// schedule starts a new timer generation and, when auto-advance is
// playing and no step is running, the tick that ends the current view.
// (A running step's end schedules it instead.)
func (m *Model) schedule() tea.Cmd {
	p := &m.pres
	p.gen++ // any tick on its way is stale now
	if !p.auto || !p.playing || m.run.running {
		return nil
	}
	gen, pace := p.gen, p.pace
	p.since = m.common.Now()
	return tea.Tick(pace, func(time.Time) tea.Msg { return presentTickMsg{gen: gen} })
}

// presentTick handles a tick: the current generation's moves on.
func (m *Model) presentTick(msg presentTickMsg) tea.Cmd {
	if msg.gen != m.pres.gen || !m.pres.auto || !m.pres.playing {
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

// showView shows a view of the current step (see stepScreen.show).
func (m *Model) showView(v view) {
	m.screen = screenStep
	m.pres.factsView = v.facts
	m.step.show(v, m.runs[m.cur])
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
	if m.pres.story {
		return m.storyMove(d)
	}
	vs := m.views()
	at := 0
	for i, v := range vs {
		if v.sec == m.step.section && (v.sec != sectionInfo || v.facts == m.pres.factsView) {
			at = i
		}
	}
	last := len(m.sc.Steps) - 1
	switch {
	case d > 0 && at+1 < len(vs):
		m.showView(vs[at+1])
	case d > 0 && m.cur < last:
		next := m.cur + 1
		if m.runs[next].outcome == flow.NotRun && m.run.running {
			m.pres.skipPending = true
			m.setStatus(fmt.Sprintf("step %d is still running: step %d comes when it ends", m.run.step+1, next+1), false)
			return nil
		}
		m.cur = next
		m.showPhase(sectionInfo)
		if m.runs[next].outcome == flow.NotRun {
			m.pres.gen++
			return m.startStep(next)
		}
	case d > 0:
		m.pres.finish()
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
	m.pres.finished = false
	return m.schedule()
}

// finish ends auto-advance at the end of the scenario; space plays it
// again from the start.
func (p *presenter) finish() {
	p.playing, p.finished = false, true
	p.gen++
}

// presentRunEnded goes on after a step's run ended: to the next view a
// pace later, at once when the presenter skipped ahead meanwhile, or not
// at all when the step failed unexpectedly (auto-advance pauses there).
func (m *Model) presentRunEnded(msg runEndedMsg) tea.Cmd {
	p := &m.pres
	if !p.auto {
		return nil
	}
	r := m.runs[m.run.step]
	if msg.err != nil || r.outcome == flow.Failed {
		p.playing, p.skipPending = false, false
		p.gen++
		return nil
	}
	if p.skipPending {
		p.skipPending = false
		return m.presentMove(1)
	}
	return m.schedule()
}

// presentKey handles presenter mode's keys on the overview and the step
// screen; ok is false for a key it leaves to the screen. Outside
// auto-advance that is a to turn it back on; in it, its own keys, and
// keys that take over by hand (run, run all, edit, jump to an actor, pick
// a scenario) first leave it.
func (m *Model) presentKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k, p := m.common.Keys, &m.pres
	if !p.auto {
		if key.Matches(msg, k.Auto) {
			return m.resumeAuto(), true
		}
		return nil, false
	}
	switch {
	case key.Matches(msg, k.PlayPause):
		return m.playPause(), true
	case key.Matches(msg, k.PresentNext):
		if p.finished {
			m.setStatus("the end: space plays the scenario again", false)
			return nil, true
		}
		return m.presentMove(1), true
	case key.Matches(msg, k.PresentPrev):
		p.skipPending = false
		return m.presentMove(-1), true
	case key.Matches(msg, k.PaceUp), key.Matches(msg, k.PaceDown):
		return m.changePace(key.Matches(msg, k.PaceUp)), true
	case key.Matches(msg, k.Story):
		return m.toggleStory(), true
	case key.Matches(msg, k.Manual):
		p.leaveAuto()
		m.setStatus("auto-advance off: the usual keys; a turns it back on", false)
		return nil, true
	case key.Matches(msg, k.Run), key.Matches(msg, k.RunAll), key.Matches(msg, k.Edit),
		key.Matches(msg, k.Actor), key.Matches(msg, k.Scenarios):
		p.leaveAuto()
	}
	return nil, false
}

// playPause pauses or resumes auto-advance; at the end it plays the
// scenario again.
func (m *Model) playPause() tea.Cmd {
	p := &m.pres
	switch {
	case p.finished:
		return m.beginAuto()
	case p.playing:
		p.playing = false
		p.gen++
		return nil
	}
	p.playing = true
	if m.runs[m.cur].outcome == flow.NotRun && !m.run.running {
		m.showPhase(sectionInfo)
		p.gen++
		return m.startStep(m.cur)
	}
	return m.schedule()
}

// changePace makes each view last longer (up) or shorter; the current
// view starts its time again.
func (m *Model) changePace(up bool) tea.Cmd {
	p := &m.pres
	next := nextPace(p.pace, up)
	if next == p.pace {
		end := "fastest"
		if up {
			end = "slowest"
		}
		m.setStatus("the pace is at its "+end+": "+fmtPace(next), false)
		return nil
	}
	p.pace = next
	m.setStatus("pace "+fmtPace(next)+" a view", false)
	if p.finished {
		return nil
	}
	return m.schedule()
}

// leaveAuto turns auto-advance off; the presenter styles stay.
func (p *presenter) leaveAuto() {
	p.auto, p.playing, p.finished, p.skipPending = false, false, false, false
	p.gen++
}

// resumeAuto turns auto-advance back on, playing from the current view.
func (m *Model) resumeAuto() tea.Cmd {
	p := &m.pres
	p.auto, p.playing, p.finished = true, true, false
	m.screen = screenStep
	p.storyAt = storyAtStep(m.sc, m.cur)
	if m.runs[m.cur].outcome == flow.NotRun && !m.run.running {
		m.showPhase(sectionInfo)
		p.gen++
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

// indicator is the header's auto-advance state: "▶ playing · 8s",
// "⏸ paused · 8s", "■ end · space plays again"; empty when auto-advance
// is off.
func (p *presenter) indicator() string {
	switch {
	case !p.auto:
		return ""
	case p.finished:
		return "■ end · space plays again"
	case p.playing:
		return "▶ playing · " + fmtPace(p.pace)
	}
	return "⏸ paused · " + fmtPace(p.pace)
}

// shortHelp is auto-advance's keys, the ones that matter most.
func (p *presenter) shortHelp(k *KeyMap) []key.Binding {
	return []key.Binding{p.playBinding(k), paired(k.PresentNext, k.PresentPrev, "→/←", "next/back"),
		paired(k.PaceUp, k.PaceDown, "+/-", "pace"), p.storyBinding(k), k.Manual}
}

// fullHelp is auto-advance's keys in columns, with the screen's that
// still work.
func (p *presenter) fullHelp(k *KeyMap) [][]key.Binding {
	return [][]key.Binding{
		{p.playBinding(k), k.PresentNext, k.PresentPrev},
		{k.PaceUp, k.PaceDown, p.storyBinding(k), k.Manual},
		{joined(k.NextPane, k.PrevPane, "pane"), joined(k.Up, k.Down, "scroll"), k.Export},
	}
}

// storyBinding is Story, labelled for where it goes.
func (p *presenter) storyBinding(k *KeyMap) key.Binding {
	if p.story {
		return relabel(k.Story, "engineer's view")
	}
	return relabel(k.Story, "story")
}

// playBinding is PlayPause, labelled for what it does now.
func (p *presenter) playBinding(k *KeyMap) key.Binding {
	b := k.PlayPause
	switch {
	case p.finished:
		b.SetHelp("space", "play again")
	case !p.playing:
		b.SetHelp("space", "play")
	}
	return b
}
