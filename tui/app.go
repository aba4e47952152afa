// Package tui is the workbench's terminal UI: a view over the flow engine
// with an overview of the actors, steps and the sequence of calls, a
// screen per step with its request beside its response and its decoded
// tokens side by side, and a scenario picker. It holds no flow logic: the
// engine runs the steps and the TUI shows the events.
//
// The root model (Model) owns the session: the scenario, the engine, the
// steps' runs, the selected step, presenter mode and the status line. The
// screens are Components (overview, step screen, picker, inputs form, the
// QR code full screen, the help footer), each handed the session's Common
// (its renderer, output, environment, clipboard, styles and keys): a
// screen routes its own keys and asks the root for what goes beyond it.
// Nothing draws for the process's own terminal, so one process can serve
// the TUI to several terminals at once.
package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/systembruker/workbench/flow"
)

// MinWidth and MinHeight are the smallest terminal the workbench lays out
// in; below it says so instead.
const (
	MinWidth  = 80
	MinHeight = 24
)

// screen is what the root shows.
type screen int

const (
	screenOverview screen = iota
	screenStep
	screenPicker
	screenCompare
)

func (s screen) String() string {
	return [...]string{"overview", "step", "picker", "compare"}[s]
}

// Model is the root model. It owns the engine and the per-step runs built
// from its events, routes messages to the screens and carries out what
// they ask.
type Model struct {
	common    Common // the whole terminal's size
	svc       flow.Services
	settings  flow.Settings
	scenarios []flow.Scenario
	sc        flow.Scenario
	eng       *flow.Engine

	runs []stepRun
	cur  int // the selected step
	// version counts changes to the runs and inputs, for the info pane.
	version int
	run     runState

	// The screens; the form and the full-screen QR code lie over the
	// step screen while they are open.
	screen   screen
	pickFrom screen
	ov       overview
	step     stepScreen
	picker   *picker
	form     *inputForm
	zoom     bool
	qr       qrScreen
	footer   footer
	story    storyScreen
	cmp      compareScreen
	// past are the session's whole runs, to compare with (compare.go).
	past []pastRun
	// head is the header line, the one under it and what comes between
	// the body and the footer, drawn in sync; footH is the footer's
	// height the screens were laid out for.
	head  [3]string
	footH int

	pres      presenter
	spin      spinner.Model
	narr      *narrator
	status    string
	statusBad bool
	// exportDir is where x writes the transcripts ("" the current
	// directory).
	exportDir string
	ready     bool
	// hints is how many of the exercise's hints t has given; solved names
	// the exercises solved in the session (exercise.go).
	hints  int
	solved map[string]bool
	obs    observer // WithObserver's (observer.go)
}

// runState is the run in progress: its id (results of any other id are
// dropped), whether it runs the whole scenario, the step a single-step
// run runs, and how to cancel it.
type runState struct {
	id      int
	running bool
	all     bool
	step    int
	cancel  context.CancelFunc
	// needReset says the next run starts the scenario from scratch, so
	// the mock world goes back to its seed first: set when the scenario
	// is picked (another scenario's request and system user would still
	// be there).
	needReset bool
}

// New returns the workbench's root model over the services and settings
// (the command line's wiring, internal/cli/wire, gives both). Runs start from ctx, the program's context:
// when it ends, so do they. The options give the session's terminal
// (WithRenderer, WithOutput, WithEnv) and the rest.
func New(ctx context.Context, svc flow.Services, settings flow.Settings, opts ...Option) Model {
	o := options{now: time.Now, loc: time.Local, open: OpenBrowser}
	for _, f := range opts {
		f(&o)
	}
	c := newCommon(ctx, o)
	m := Model{
		common:    c,
		svc:       svc,
		settings:  settings,
		scenarios: o.scenarios,
		spin:      spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		narr:      newNarrator(),
		ov:        newOverview(c),
		qr:        newQRScreen(c),
		footer:    newFooter(c),
		pres:      presenter{on: o.present, pace: o.pace, story: o.present},
		story:     newStoryScreen(c),
		cmp:       newCompareScreen(c),
		exportDir: o.exportDir,
		obs:       observer{fn: o.observer},
	}
	m.spin.Style = c.Styles.State.Running
	if len(m.scenarios) == 0 {
		m.scenarios = flow.Scenarios(settings)
	}

	sc := m.scenarios[0]
	for _, s := range m.scenarios {
		if s.Name == o.startScenario {
			sc = s
		}
	}
	m.setScenario(sc)
	if m.pres.on {
		m.screen = screenStep // auto-advance starts on step 1 (Init)
	}
	return m
}

// newCommon is the session's Common, from the options.
func newCommon(ctx context.Context, o options) Common {
	r := o.renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	out := o.output
	if out == nil {
		out = r.Output()
	}
	clip := o.clip
	if clip == nil {
		clip = sessionClipboard(out, o.env)
	}
	var st Styles
	if o.present {
		st = NewPresenterStyles(r, PresenterTheme())
	} else {
		st = NewStyles(r, DefaultTheme())
	}
	keys := DefaultKeyMap()
	return Common{
		Styles: &st, Keys: &keys, Now: o.now, Loc: o.loc,
		Renderer: r, Output: out, Env: o.env, Copy: clip, Open: o.open, ctx: ctx,
	}
}

// Init implements tea.Model. In presenter mode it starts auto-advance.
func (m Model) Init() tea.Cmd {
	if m.pres.on {
		return tea.Batch(tickClock(), func() tea.Msg { return presentStartMsg{} })
	}
	return tickClock()
}

// Update implements tea.Model: the results of runs, timers and commands
// are the root's; keys, the mouse and anything else go to the active
// screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.common = m.common.sized(msg.Width, msg.Height)
		m.ready = true
		m.layout()
	case runEventMsg:
		if msg.run != m.run.id {
			return m, nil // a run the user has moved on from
		}
		m.applyEvent(msg.ev)
		cmd = waitForRun(msg.ch, msg.run)
	case runEndedMsg:
		if msg.run != m.run.id {
			return m, nil
		}
		m.endRun(msg)
		cmd = m.presentRunEnded(msg)
	case presentStartMsg:
		cmd = m.beginAuto()
	case presentTickMsg:
		cmd = m.presentTick(msg)
	case exportedMsg:
		m.exported(msg)
	case spinner.TickMsg:
		if !m.run.running {
			return m, nil // let the spinner stop
		}
		m.spin, cmd = m.spin.Update(msg)
	case clockMsg:
		cmd = tickClock()
	case copiedMsg:
		m.copied(msg)
	case openedMsg:
		m.opened(msg)
	case SwitchScenario:
		cmd = m.switchScenario(msg)
	case paneRenderedMsg:
		m.step.rendered(msg)
	case searchDoneMsg:
		m.step.searchDone(msg)
	case compareRunMsg:
		m.compared(msg)
	case tea.KeyMsg:
		status := m.status
		m.step.moved = false // the step screen sets it for a key that only scrolled
		cmd = m.key(msg)
		if m.status == status && m.screen == screenStep && m.form == nil && !m.zoom && m.step.moved {
			return m, cmd // a scroll: nothing to render again
		}
	default: // the mouse, the form's cursor blink, the picker's filter
		cmd = m.route(msg)
	}
	sc := m.sync()
	m.observe(msg)
	return m, tea.Batch(cmd, sc)
}

// key handles a key press: the open form or the picker's filter takes
// every key (the focus gate); otherwise q quits, the full-screen QR code
// takes the rest, ? switches the help, presenter mode has its say, and
// the active screen gets it.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if m.form != nil || m.screen == screenPicker && m.picker.filtering() || m.screen == screenStep && m.step.search.typing {
		return m.route(msg)
	}
	k := m.common.Keys
	if m.footer.message != "" || m.footer.showAll && key.Matches(msg, k.Back) {
		// The whole message or the full help is open: esc (or any key
		// but q) closes it first.
		m.footer.close()
		m.layout()
		if key.Matches(msg, k.Back, k.Message, k.Help) {
			return nil
		}
	}
	if key.Matches(msg, k.Message) && m.status != "" && !m.statusFits() {
		m.footer.showMessage(m.status, m.statusBad)
		m.layout()
		return nil
	}
	m.status = ""
	switch {
	case key.Matches(msg, k.Quit):
		if m.run.cancel != nil {
			m.run.cancel()
		}
		return tea.Quit
	case m.zoom:
		return m.route(msg)
	case key.Matches(msg, k.Help):
		m.footer.Update(msg)
		m.layout()
		return nil
	}
	if m.pres.on && m.screen != screenPicker && m.screen != screenCompare {
		if cmd, ok := m.presentKey(msg); ok {
			return cmd
		}
	}
	return m.route(msg)
}

// The active screen is the one that gets the keys: the form or the QR
// code over the step screen when open, else the screen shown. The root
// calls it on the concrete screen (route, activeShortHelp, activeFullHelp,
// activeView), not through the Component interface: a screen's address
// in an interface would move the whole model (29 kB, the picker's list
// most of it) to the heap at every message and frame.
func (m *Model) activeShortHelp() []key.Binding {
	switch {
	case m.form != nil:
		return m.form.ShortHelp()
	case m.zoom:
		return m.qr.ShortHelp()
	case m.screen == screenPicker:
		return m.picker.ShortHelp()
	case m.screen == screenCompare:
		return m.cmp.ShortHelp()
	case m.screen == screenStep:
		return m.step.ShortHelp()
	}
	return m.ov.ShortHelp()
}

func (m *Model) activeFullHelp() [][]key.Binding {
	switch {
	case m.form != nil:
		return m.form.FullHelp()
	case m.zoom:
		return m.qr.FullHelp()
	case m.screen == screenPicker:
		return m.picker.FullHelp()
	case m.screen == screenCompare:
		return m.cmp.FullHelp()
	case m.screen == screenStep:
		return m.step.FullHelp()
	}
	return m.ov.FullHelp()
}

func (m *Model) activeView() string {
	switch {
	case m.form != nil:
		return m.form.View()
	case m.zoom:
		return m.qr.View()
	case m.storyShown():
		return m.story.View()
	case m.screen == screenPicker:
		return m.picker.View()
	case m.screen == screenCompare:
		return m.cmp.View()
	case m.screen == screenStep:
		return m.step.View()
	}
	return m.ov.View()
}

// route hands a message to the active screen and carries out what it
// asked for.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	var asks []request
	switch {
	case m.form != nil:
		_, cmd = m.form.Update(msg)
		asks = m.form.take()
	case m.zoom:
		_, cmd = m.qr.Update(msg)
		asks = m.qr.take()
	case m.storyShown():
		_, cmd = m.story.Update(msg)
		asks = m.story.take()
	case m.screen == screenPicker:
		_, cmd = m.picker.Update(msg)
		asks = m.picker.take()
	case m.screen == screenCompare:
		_, cmd = m.cmp.Update(msg)
		asks = m.cmp.take()
	case m.screen == screenStep:
		_, cmd = m.step.Update(msg)
		asks = m.step.take()
	default:
		_, cmd = m.ov.Update(msg)
		asks = m.ov.take()
	}
	if len(asks) == 0 {
		return cmd
	}
	cmds := []tea.Cmd{cmd}
	for _, r := range asks {
		cmds = append(cmds, m.do(r))
	}
	return tea.Batch(cmds...)
}

// layout sizes every screen for the window: a header line and the line
// under it, the screen, the help footer.
func (m *Model) layout() {
	if !m.ready {
		return
	}
	w, h := m.common.Width, m.bodyHeight()
	m.ov.SetSize(w, h)
	m.step.SetSize(w, h)
	m.picker.SetSize(w, h)
	m.story.SetSize(w, h)
	m.cmp.SetSize(w, h)
	if m.form != nil {
		m.form.SetSize(w, h)
	}
	m.qr.SetSize(w, m.common.Height)
}

// chrome is the lines above and below the screen's body.
func (m *Model) chrome() (top, bottom int) {
	m.footer.SetSize(m.common.Width, 0)
	m.footer.setKeys(m.ShortHelp(), m.FullHelp())
	m.footH = m.footer.height()
	return 2 + m.common.Styles.Gap, m.footH + m.common.Styles.Gap
}

// bodyHeight is the rows the screen's body has.
func (m *Model) bodyHeight() int {
	top, bottom := m.chrome()
	return max(1, m.common.Height-top-bottom)
}

// sync re-renders the active screen's content where the data, the
// selection or the size changed, the footer's keys and the header lines.
// It runs at the end of Update, never in View; the command it returns
// renders a large body in the background.
func (m *Model) sync() tea.Cmd {
	if !m.ready {
		return nil
	}
	v := m.flowView()
	cmd := m.syncScreen(v)
	if m.zoom && (m.screen != screenStep || !m.step.hasConfirm || m.step.confirm.qr == nil) {
		m.zoom = false // the step moved on (another scenario, a reset)
	}
	if m.zoom {
		m.qr.show(m.step.confirm)
	}
	m.footer.setKeys(m.ShortHelp(), m.FullHelp())
	if m.footer.height() != m.footH { // the screen's keys take another line: lay it out again
		m.layout()
		cmd = tea.Batch(cmd, m.syncScreen(m.flowView()))
	}
	m.head = [3]string{m.header(), m.subheader(), m.belowBody()}
	return cmd
}

// syncScreen re-renders the active screen.
func (m *Model) syncScreen(v flowView) tea.Cmd {
	switch m.screen {
	case screenOverview:
		m.ov.refresh(v)
	case screenStep:
		cmd := m.step.sync(v, m.stepInfo())
		if m.storyShown() {
			m.story.sync(m.storyInput())
		}
		return cmd
	}
	return nil
}

func (m *Model) flowView() flowView {
	return flowView{
		sc: m.sc, settings: m.settings, runs: m.runs, cur: m.cur,
		spin: m.spin.View(), running: m.run.running, st: m.common.Styles,
		autoKey: m.pres.on && !m.pres.auto,
		solved:  m.solved[m.sc.Name],
	}
}

// stepInfo is what the step screen shows of the engine besides the runs.
func (m *Model) stepInfo() stepInfo {
	var pending []int
	for i := 0; i < m.cur; i++ {
		if o := m.runs[i].outcome; !o.AsExpected() {
			pending = append(pending, i)
		}
	}
	eng := m.eng
	st := eng.State()
	return stepInfo{
		inputs: eng.Inputs(m.cur), pending: pending, version: m.version,
		stateURL: func(st flow.Step) string { return st.ConfirmURL(eng.State()) },
		exercise: m.exerciseInfo(),
		tokens:   tokenFacts{clock: st.MockClock, requestID: st.RequestID, systemUserID: st.SystemUserID},
	}
}

// View implements tea.Model. It joins what Update rendered.
func (m Model) View() string {
	if !m.ready {
		return ""
	}
	w, h := m.common.Width, m.common.Height
	if w < MinWidth || h < MinHeight {
		return tooSmall(w, h, m.common.Styles)
	}
	if m.zoom {
		return m.qr.View()
	}
	st := m.common.Styles
	foot := m.footer.View()
	body := max(1, h-(2+st.Gap)-(m.footer.height()+st.Gap))
	if m.screen == screenStep && m.form == nil && !m.storyShown() {
		return m.stepFrame(body, foot)
	}
	return m.head[0] + "\n" + m.head[1] + "\n" + gap(st.Gap) +
		st.style().Height(body).MaxHeight(body).Render(m.activeView()) + "\n" +
		m.head[2] + foot
}
