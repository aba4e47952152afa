package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/systembruker/workbench/compare"
	"github.com/systembruker/workbench/flow"
)

// Spot the difference: b on the overview puts a second run beside the one
// on screen, an earlier run of this session or another scenario (run
// then, on the same services), and the compare screen shows the two step
// by step: a list of the step pairs (the same ones folded into one line,
// a step only one run has said so), and the selected pair's grant, token,
// request and response side by side, what differs marked and what always
// differs (ids, times, signatures) left out until i shows it. The
// comparison is the compare package's; this file and compare_view.go
// only show it.

// pastRun is a whole run of this session, kept to compare with.
type pastRun struct {
	label  string
	report flow.RunReport
}

// maxPastRuns is how many earlier runs the session keeps.
const maxPastRuns = 8

// compareChoice is a run to compare with: an earlier one, or a scenario
// to run.
type compareChoice struct {
	title, desc string
	past        *pastRun
	scenario    *flow.Scenario
}

// The compare screen's requests to the root, and the other run's result.
type (
	openCompare struct{} // the overview's b
	compareWith struct{ choice compareChoice }
	// compareRunMsg is the other scenario's run, ended; id is the
	// comparison it was started for.
	compareRunMsg struct {
		id     int
		report flow.Report
	}
)

// compareState is what the compare screen shows.
type compareState int

const (
	compareChoosing compareState = iota // the list of runs to compare with
	compareRunning                      // the other scenario runs
	compareShowing                      // the comparison
)

// compareScreen is the comparison's Component.
type compareScreen struct {
	outbox
	common  Common
	state   compareState
	choices []compareChoice
	choice  int
	// id is the comparison in progress: a run's result of another is
	// dropped.
	id      int
	waiting string // the scenario running, while compareRunning
	res     compare.Result
	entries []compareEntry
	sel     int
	all     bool // show what differs as expected too
	focus   int  // 0 the steps, 1 the detail
	list    pane
	detail  pane
}

func newCompareScreen(c Common) compareScreen {
	return compareScreen{
		common: c,
		list:   pane{title: "Steps", bordered: true},
		detail: pane{bordered: true},
	}
}

// SetSize implements Component: the list beside the detail.
func (s *compareScreen) SetSize(w, h int) {
	s.common = s.common.sized(w, h)
	s.render()
}

// Init implements tea.Model.
func (s *compareScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *compareScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		s.key(k)
	}
	return s, nil
}

func (s *compareScreen) key(msg tea.KeyMsg) {
	k := s.common.Keys
	switch {
	case s.state == compareRunning:
		// The other run has the mock world until it ends (a moment): a
		// run of the scenario on screen must not start beside it.
		return
	case key.Matches(msg, k.Back):
		s.ask(goOverview{})
		return
	case s.state == compareChoosing:
		switch {
		case key.Matches(msg, k.Up):
			s.choice = max(0, s.choice-1)
		case key.Matches(msg, k.Down):
			s.choice = min(len(s.choices)-1, s.choice+1)
		case key.Matches(msg, k.Choose) && len(s.choices) > 0:
			s.ask(compareWith{s.choices[s.choice]})
		}
	case key.Matches(msg, k.Compare):
		s.ask(openCompare{})
	case key.Matches(msg, k.ShowExpected):
		s.all = !s.all
		s.detail.top()
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		s.focus = 1 - s.focus
	case s.focus == 0 && key.Matches(msg, k.Up):
		s.selectEntry(s.sel - 1)
	case s.focus == 0 && key.Matches(msg, k.Down):
		s.selectEntry(s.sel + 1)
	case key.Matches(msg, k.NextStep):
		s.selectEntry(s.nextDiffering(1))
	case key.Matches(msg, k.PrevStep):
		s.selectEntry(s.nextDiffering(-1))
	default:
		scrollKey(&s.detail, msg, k)
	}
	s.render()
}

// selectEntry selects entry i (kept in the list), the detail from its top.
func (s *compareScreen) selectEntry(i int) {
	if i = min(max(0, i), len(s.entries)-1); i != s.sel {
		s.sel = i
		s.detail.top()
	}
}

// nextDiffering is the next entry (d 1) or the one before (-1) that is
// not the same in both runs, or the selected one when there is none.
func (s *compareScreen) nextDiffering(d int) int {
	for i := s.sel + d; i >= 0 && i < len(s.entries); i += d {
		if !s.entries[i].same {
			return i
		}
	}
	return s.sel
}

// ShortHelp implements help.KeyMap.
func (s *compareScreen) ShortHelp() []key.Binding {
	k := s.common.Keys
	switch s.state {
	case compareChoosing:
		return []key.Binding{relabel(k.Choose, "compare with it"), joined(k.Up, k.Down, "select"), k.Back}
	case compareRunning:
		return nil
	}
	return []key.Binding{joined(k.NextStep, k.PrevStep, "next/prev difference"), s.expectedBinding(), relabel(k.Compare, "another run"), k.Back}
}

// FullHelp implements help.KeyMap.
func (s *compareScreen) FullHelp() [][]key.Binding {
	k := s.common.Keys
	if s.state != compareShowing {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{
		{joined(k.Up, k.Down, "select step"), joined(k.NextStep, k.PrevStep, "next/prev difference")},
		{relabel(k.NextPane, "steps/detail"), joined(k.PageUp, k.PageDown, "scroll detail")},
		{s.expectedBinding(), relabel(k.Compare, "another run"), k.Back},
	}
}

// expectedBinding is ShowExpected, labelled for what it does now.
func (s *compareScreen) expectedBinding() key.Binding {
	if s.all {
		return relabel(s.common.Keys.ShowExpected, "hide what always differs")
	}
	return s.common.Keys.ShowExpected
}

// View implements tea.Model.
func (s *compareScreen) View() string {
	st := s.common.Styles
	if s.state != compareShowing {
		return s.detail.view(st, true)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, s.list.view(st, s.focus == 0), s.detail.view(st, s.focus == 1))
}

// choose opens the list of runs to compare with: the session's earlier
// runs, newest first, then every scenario.
func (s *compareScreen) choose(past []pastRun, scenarios []flow.Scenario) {
	s.state, s.choice, s.choices = compareChoosing, 0, nil
	for i := len(past) - 1; i >= 0; i-- {
		p := past[i]
		s.choices = append(s.choices, compareChoice{title: p.label, desc: "an earlier run of this session", past: &past[i]})
	}
	for i := range scenarios {
		sc := scenarios[i]
		s.choices = append(s.choices, compareChoice{title: sc.Name, desc: "run it now: " + sc.Summary, scenario: &sc})
	}
	s.render()
}

// show shows a comparison.
func (s *compareScreen) show(res compare.Result) {
	s.state, s.res, s.sel, s.focus = compareShowing, res, 0, 0
	s.entries = compareEntries(res)
	s.sel = s.nextDiffering(1)
	if len(s.entries) > 0 && !s.entries[0].same {
		s.sel = 0
	}
	s.detail.top()
	s.render()
}

// openCompare opens the compare screen on the choice of a second run.
func (m *Model) openCompare() {
	if !m.hasRun() {
		m.setStatus("run the scenario first (r): then b puts another run beside it", true)
		return
	}
	m.screen = screenCompare
	m.cmp.choose(m.past, m.scenarios)
}

// hasRun reports whether a step of the scenario has a result.
func (m *Model) hasRun() bool {
	for _, r := range m.runs {
		if r.result != nil {
			return true
		}
	}
	return false
}

// thisRun is the run on screen in its JSON form, as far as it got.
func (m *Model) thisRun() (flow.RunReport, error) {
	res := make([]flow.StepResult, len(m.sc.Steps))
	for i, r := range m.runs {
		res[i] = flow.StepResult{Outcome: r.outcome}
		if r.result != nil {
			res[i] = *r.result
		}
	}
	return compare.FromReport(flow.Report{Scenario: m.sc, Results: res, OK: m.sc.Verdict(res)})
}

// compareWith compares the run on screen with the choice: at once with an
// earlier run, after running it for a scenario.
func (m *Model) compareWith(c compareChoice) tea.Cmd {
	if c.past != nil {
		m.showComparison(*c.past)
		return nil
	}
	if m.run.running {
		m.setStatus("a run is going on; wait for it to end", true)
		return nil
	}
	m.cmp.id++
	m.cmp.state, m.cmp.waiting = compareRunning, c.scenario.Name
	m.cmp.render()
	// The other run resets the mock world: the scenario on screen starts
	// afresh at its next run.
	m.run.needReset = true
	id, svc, set, sc, ctx := m.cmp.id, m.svc, m.settings, *c.scenario, m.common.Context()
	return func() tea.Msg {
		return compareRunMsg{id: id, report: flow.NewEngine(svc, set, sc).RunAll(ctx, nil)}
	}
}

// compared takes the other scenario's run: it is kept as an earlier run,
// and compared.
func (m *Model) compared(msg compareRunMsg) {
	if msg.id != m.cmp.id || m.cmp.state != compareRunning {
		return // the user went elsewhere
	}
	p, ok := m.remember(msg.report)
	if !ok {
		m.cmp.state = compareChoosing
		m.setStatus("the other run could not be read back", true)
		return
	}
	m.showComparison(p)
}

// showComparison compares the run on screen with p.
func (m *Model) showComparison(p pastRun) {
	a, err := m.thisRun()
	if err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	la, lb := m.sc.Name+" (this run)", p.label
	m.cmp.show(compare.Runs(compare.Run{Label: la, Report: a}, compare.Run{Label: lb, Report: p.report}))
	if m.cmp.res.Same {
		m.setStatus("the runs are the same but for what always differs: i shows it", false)
	} else {
		m.setStatus(fmt.Sprintf("%d differences: n/p go from one to the next", m.cmp.res.Findings), false)
	}
}

// remember keeps a whole run of this session to compare with later.
func (m *Model) remember(rep flow.Report) (pastRun, bool) {
	r, err := compare.FromReport(rep)
	if err != nil {
		return pastRun{}, false
	}
	at := m.common.Now().In(m.common.Loc).Format(time.TimeOnly)
	p := pastRun{label: rep.Scenario.Name + " at " + at, report: r}
	m.past = append(m.past, p)
	if len(m.past) > maxPastRuns {
		m.past = m.past[len(m.past)-maxPastRuns:]
	}
	return p, true
}
