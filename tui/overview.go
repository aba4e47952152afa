package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// flowView is the part of the root's state the screens draw from.
type flowView struct {
	sc       flow.Scenario
	settings flow.Settings
	runs     []stepRun
	cur      int
	spin     string // the spinner's frame, for running steps
	running  bool
	st       *Styles
	// autoKey says a turns auto-advance back on (presenter mode, by hand).
	autoKey bool
	// solved says the scenario is an exercise solved in the session.
	solved bool
}

// overview is the first screen: the actors and their steps with their
// states, beside the sequence diagram. Below wideOverview columns the two
// are shown one at a time, tab switching. It moves the selection and
// opens steps by asking the root, which owns them.
type overview struct {
	outbox
	common     Common
	v          flowView // what it shows, from the root's last sync
	steps, seq pane
	focus      int // 0 steps, 1 sequence
	wide       bool
	// stepLine is each step's line in the steps pane.
	stepLine []int
	// seqFirst is the diagram's first row of the selected step.
	seqFirst int
	// seq is the diagram as last drawn; sel the call selected in it,
	// which enter opens, while the diagram has the focus.
	diagram seqDiagram
	sel     *seqPos
}

const wideOverview = 110

func newOverview(c Common) overview {
	return overview{
		common: c,
		steps:  pane{title: "Actors and steps", bordered: true},
		seq:    pane{title: "Sequence", bordered: true},
	}
}

// SetSize implements Component: the panes in a w×h box.
func (o *overview) SetSize(w, h int) {
	o.common = o.common.sized(w, h)
	o.wide = w >= wideOverview
	if o.wide {
		lw := min(58, w*9/20)
		o.steps.setSize(lw, h)
		o.seq.setSize(w-lw, h)
	} else {
		o.steps.setSize(w, h)
		o.seq.setSize(w, h)
	}
}

// Init implements tea.Model.
func (o *overview) Init() tea.Cmd { return nil }

// Update implements tea.Model: the keys and the mouse.
func (o *overview) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		o.key(msg)
	case tea.MouseMsg:
		o.mouse(msg)
	}
	return o, nil
}

func (o *overview) key(msg tea.KeyMsg) {
	if r, ok := sharedKey(msg, o.common.Keys); ok {
		o.ask(r)
		return
	}
	k := o.common.Keys
	switch {
	case key.Matches(msg, k.Open) && o.focus == 1 && o.sel != nil:
		o.ask(openCall{step: o.sel.step, call: o.sel.call})
	case key.Matches(msg, k.Open):
		o.ask(openStep{})
	case key.Matches(msg, k.Compare):
		o.ask(openCompare{})
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		o.focus = 1 - o.focus
		o.sel = nil
		if o.focus == 1 {
			o.selectCall(0)
		}
	case key.Matches(msg, k.Up) && o.focus == 1:
		o.selectCall(-1)
	case key.Matches(msg, k.Down) && o.focus == 1:
		o.selectCall(1)
	case key.Matches(msg, k.Up) && o.focus == 0, key.Matches(msg, k.PrevStep):
		o.ask(selectStep{o.v.cur - 1})
	case key.Matches(msg, k.Down) && o.focus == 0, key.Matches(msg, k.NextStep):
		o.ask(selectStep{o.v.cur + 1})
	default:
		scrollKey(o.focused(), msg, k)
	}
}

// mouse scrolls the pane under the pointer with the wheel, and focuses it
// on a click.
func (o *overview) mouse(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	if o.wide {
		o.focus = 0
		if msg.X >= o.steps.w {
			o.focus = 1
		}
	}
	wheel(o.focused(), msg)
}

// wheel scrolls a pane by the mouse wheel.
func wheel(p *pane, msg tea.MouseMsg) {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		p.scroll(-3)
	case tea.MouseButtonWheelDown:
		p.scroll(3)
	}
}

// selectCall moves the diagram's selected call by d (0: the selected
// step's first call, or the first of all), scrolls it into view, and
// selects its step.
func (o *overview) selectCall(d int) {
	calls := o.diagram.calls
	if len(calls) == 0 {
		o.sel = nil
		return
	}
	at := -1
	if o.sel != nil {
		at = o.diagram.at(*o.sel)
	}
	switch {
	case at < 0:
		at = 0
		for i, c := range calls {
			if c.pos.step == o.v.cur {
				at = i
				break
			}
		}
	default:
		at = min(max(0, at+d), len(calls)-1)
	}
	c := calls[at]
	o.sel = &c.pos
	o.ensureVisible(&o.seq, c.row, c.rows)
	if c.pos.step != o.v.cur {
		o.ask(selectStep{c.pos.step})
	}
}

// ShortHelp implements help.KeyMap: with the diagram focused, enter opens
// the selected call.
func (o *overview) ShortHelp() []key.Binding {
	k := o.common.Keys
	if o.focus == 1 && o.sel != nil {
		return []key.Binding{relabel(k.Open, "open call"), joined(k.Up, k.Down, "select call"), k.RunAll}
	}
	if o.v.sc.Exercise != nil {
		return []key.Binding{k.Open, k.RunAll, k.Hint, k.Scenarios}
	}
	return []key.Binding{k.Open, k.RunAll, k.Actor, k.Scenarios}
}

// FullHelp implements help.KeyMap.
func (o *overview) FullHelp() [][]key.Binding {
	k := o.common.Keys
	if o.focus == 1 {
		return [][]key.Binding{
			{relabel(k.Open, "open call"), k.RunAll, k.Actor},
			{joined(k.Up, k.Down, "select call"), joined(k.PageUp, k.PageDown, "page")},
			{k.NextPane, k.Scenarios, k.Export},
		}
	}
	last := []key.Binding{joined(k.NextPane, k.PrevPane, "other pane"), k.Scenarios, k.Export}
	if o.v.sc.Exercise != nil {
		last = append(last, k.Hint)
	}
	if o.v.hasRun() {
		last = append(last, k.Compare)
	}
	return [][]key.Binding{
		{k.Open, k.RunAll, k.Actor, joined(k.NextStep, k.PrevStep, "next/previous step")},
		{k.Up, k.Down, joined(k.PageUp, k.PageDown, "page")},
		last,
	}
}

// hasRun reports whether a step of the scenario has a result (b puts
// another run beside it only then).
func (v flowView) hasRun() bool {
	for _, r := range v.runs {
		if r.result != nil {
			return true
		}
	}
	return false
}

// refresh rebuilds both panes' lines from the flow's state. Both are a
// few dozen short lines, so this runs on every event and cursor move.
func (o *overview) refresh(v flowView) {
	o.v = v
	o.steps.title = "Actors and steps"
	o.seq.title = "Sequence"
	if !o.wide {
		o.steps.title += " · tab: sequence"
		o.seq.title += " · tab: steps"
	}
	lines, at := stepListLines(v, o.steps.innerWidth())
	o.stepLine = at
	o.steps.setLines(lines)
	o.ensureVisible(&o.steps, at[v.cur], 1)

	if o.sel != nil && (o.sel.step >= len(v.runs) || o.sel.call >= len(v.runs[o.sel.step].calls)) {
		o.sel = nil // the run it was in is gone
	}
	d := sequenceLines(v.sc, v.settings, v.runs, v.cur, o.sel, o.seq.innerWidth(), v.st)
	o.diagram = d
	o.seq.head = d.head
	o.seq.setLines(d.lines)
	switch {
	case v.running: // follow the calls as they come
		o.seq.bottom()
	case o.sel != nil && o.sel.step == v.cur:
		if at := d.at(*o.sel); at >= 0 {
			o.ensureVisible(&o.seq, d.calls[at].row, d.calls[at].rows)
		}
	case d.first >= 0 && d.first != o.seqFirst:
		o.ensureVisible(&o.seq, d.first, d.n)
	}
	o.seqFirst = d.first
}

// ensureVisible scrolls p so that rows [line, line+n) show, as far as
// they fit.
func (o *overview) ensureVisible(p *pane, line, n int) {
	h := p.innerHeight()
	if line < p.offset {
		p.offset = line
	} else if line+n > p.offset+h {
		p.offset = min(line, line+n-h)
	}
	p.clamp()
}

// focused is the pane the scroll keys move.
func (o *overview) focused() *pane {
	if o.focus == 1 {
		return &o.seq
	}
	return &o.steps
}

// View implements tea.Model.
func (o *overview) View() string {
	st := o.common.Styles
	if o.wide {
		return lipgloss.JoinHorizontal(lipgloss.Top, o.steps.view(st, o.focus == 0), o.seq.view(st, o.focus == 1))
	}
	if o.focus == 1 {
		return o.seq.view(st, true)
	}
	return o.steps.view(st, true)
}

// stepListLines lists the steps in flow order under a heading each time
// the actor changes (the vendor comes back after the end user), and names
// the actors the scenario leaves out; at gives each step's line.
func stepListLines(v flowView, w int) (lines []string, at []int) {
	st := v.st
	at = make([]int, len(v.sc.Steps))
	seen := map[flow.Actor]bool{}
	for i, s := range v.sc.Steps {
		if i == 0 || s.Actor != v.sc.Steps[i-1].Actor {
			head := st.Key.Render(fmt.Sprintf("%d ", actorNumber(s.Actor))) + st.Bold.Render(string(s.Actor))
			if who := actorWho(s.Actor, v.settings); who != "" {
				head += st.Subtle.Render(" · " + who)
			}
			lines = append(lines, ansi.Truncate(head, w, "…"))
		}
		seen[s.Actor] = true
		at[i] = len(lines)
		lines = append(lines, stepLine(v, i, w))
	}
	var missing []string
	for i, a := range flow.Actors {
		if !seen[a] {
			missing = append(missing, fmt.Sprintf("%d %s", i+1, a))
		}
	}
	if len(missing) > 0 {
		lines = append(lines, "", ansi.Truncate(st.Subtle.Render("Not in this scenario: "+strings.Join(missing, ", ")), w, "…"))
	}
	return lines, at
}

// actorNumber is the actor's 1-5 key.
func actorNumber(a flow.Actor) int {
	for i, b := range flow.Actors {
		if a == b {
			return i + 1
		}
	}
	return 0
}

// stepLine is one step in the list: marker, state, number, title and the
// error the scenario expects.
func stepLine(v flowView, i, w int) string {
	st := v.st
	s, r := v.sc.Steps[i], v.runs[i]
	mark := "  "
	if i == v.cur {
		mark = st.Current.Render("▶ ")
	}
	text := fmt.Sprintf("%2d %s", i+1, s.Title)
	suffix, ss := "", st.Subtle
	switch {
	case r.outcome == flow.ExpectedFailure:
		suffix, ss = " · "+s.Expect.Code+" as expected", st.State.Expected
	case s.Expect.Code != "":
		suffix = " · expects " + s.Expect.Code
	}
	if x := v.sc.Exercise; x != nil && x.Step == s.ID {
		suffix = " · to fix: " + x.Code
		if v.solved {
			suffix = " · fixed (was " + x.Code + ")"
		}
	}
	room := max(4, w-2-2-lipgloss.Width(suffix))
	text = ansi.Truncate(text, room, "…")
	if i == v.cur {
		text = st.Selected.Render(text)
	}
	line := mark + stateIcon(r.outcome, v.spin, st) + " " + text + ss.Render(suffix)
	return ansi.Truncate(line, w, "…")
}

// stateIcon shows a step's outcome in one cell.
func stateIcon(o flow.Outcome, spin string, st *Styles) string {
	switch o {
	case flow.Running:
		if spin == "" {
			spin = "…"
		}
		return st.State.Running.Render(firstRune(spin))
	case flow.Done:
		return st.State.Done.Render("✓")
	case flow.Failed:
		return st.State.Failed.Render("✗")
	case flow.Skipped:
		return st.State.Skipped.Render("–")
	case flow.ExpectedFailure:
		return st.State.Expected.Render("⚑")
	}
	return st.State.NotRun.Render("○")
}

// stateWord is a step's outcome as a word with its icon; a failure the
// scenario expects names its code (the step's Expect.Code), "⚑ MP-303 as
// expected".
func stateWord(o flow.Outcome, code, spin string, st *Styles) string {
	icon := stateIcon(o, spin, st)
	switch o {
	case flow.ExpectedFailure:
		return icon + st.State.Expected.Render(" "+code+" as expected")
	case flow.Running:
		return icon + st.State.Running.Render(" running")
	case flow.Done:
		return icon + st.State.Done.Render(" done")
	case flow.Failed:
		return icon + st.State.Failed.Render(" failed")
	case flow.Skipped:
		return icon + st.State.Skipped.Render(" skipped")
	}
	return icon + st.State.NotRun.Render(" not run")
}

func firstRune(s string) string {
	for _, r := range strings.TrimSpace(s) {
		return string(r)
	}
	return s
}
