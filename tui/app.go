// Package tui is the workbench's terminal UI: a view over the flow engine
// with an overview of the actors, steps and the sequence of calls, a
// screen per step with its request beside its response and its decoded
// tokens side by side, and a scenario picker. It holds no flow logic: the
// engine runs the steps and the TUI shows the events.
package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
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
)

func (s screen) String() string {
	return [...]string{"overview", "step", "picker"}[s]
}

// Option changes how New builds the model.
type Option func(*Model)

// WithClock sets the clock the token times ("expires in 1m52s") are shown
// against; tests pass a fixed one.
func WithClock(now func() time.Time) Option { return func(m *Model) { m.now = now } }

// WithLocation sets the time zone dates are shown in (default local).
func WithLocation(loc *time.Location) Option { return func(m *Model) { m.loc = loc } }

// WithScenario starts on the named scenario instead of the first.
func WithScenario(name string) Option { return func(m *Model) { m.startScenario = name } }

// WithClipboard sets how c copies; the default writes OSC 52 to stdout.
func WithClipboard(copy func(string) error) Option { return func(m *Model) { m.clip = copy } }

// WithOpener sets how o opens a URL; the default is OpenBrowser.
func WithOpener(open func(string) error) Option { return func(m *Model) { m.open = open } }

// OSC52 returns a clipboard function that writes an OSC 52 sequence to
// the terminal, wrapped for tmux or screen when term says so. It works
// over SSH, as the terminal does the copying.
func OSC52(w interface{ Write([]byte) (int, error) }, inTmux, inScreen bool) func(string) error {
	return func(s string) error {
		seq := osc52.New(s)
		switch {
		case inTmux:
			seq = seq.Tmux()
		case inScreen:
			seq = seq.Screen()
		}
		_, err := seq.WriteTo(w)
		return err
	}
}

// Model is the root model. It owns the engine and the per-step runs built
// from its events, and composes the screens: the overview, the step
// screen, the scenario picker and the inputs form.
type Model struct {
	svc       flow.Services
	settings  flow.Settings
	scenarios []flow.Scenario
	sc        flow.Scenario
	eng       *flow.Engine

	runs []stepRun
	cur  int // the selected step
	// version counts changes to the runs and inputs, for the info pane.
	version int

	screen   screen
	ov       overview
	step     stepScreen
	picker   list.Model
	form     *inputForm
	pickFrom screen

	keys KeyMap
	st   *Styles
	help help.Model
	spin spinner.Model

	now           func() time.Time
	loc           *time.Location
	clip          func(string) error
	open          func(string) error
	startScenario string

	width, height int
	ready         bool

	// The run in progress: its id (results of any other id are dropped),
	// whether it runs the whole scenario, and how to cancel it.
	runID   int
	running bool
	runAll  bool
	runStep int // the step a single-step run runs
	cancel  context.CancelFunc
	// needReset says the next run starts the scenario from scratch, so
	// the mock world goes back to its seed first: set when the scenario
	// is picked (another scenario's request and system user would still
	// be there).
	needReset bool

	// The confirm URL the selected step shows (hasConfirm), its QR code,
	// and whether the code is shown full screen (zoom, drawn as
	// zoomText).
	confirm    confirmInfo
	hasConfirm bool
	qr         qrCache
	zoom       bool
	zoomText   string

	status    string
	statusBad bool

	// narr renders the steps' narrations, once per step, width and style.
	narr *narrator

	// Presenter mode (see present.go): present is --present; auto says
	// auto-advance is on (esc leaves it), playing that it is not paused,
	// finished that it reached the end. gen is the timer's generation:
	// a tick of another is dropped. skipPending moves on as soon as the
	// running step ends.
	present     bool
	auto        bool
	playing     bool
	finished    bool
	skipPending bool
	pace        time.Duration
	gen         int
	// factsView says the info is shown scrolled to the facts to point
	// at, auto-advance's second view of a step on a small terminal.
	factsView bool

	// exportDir is where x writes the transcripts ("" the current
	// directory).
	exportDir string
}

// New returns the workbench's root model over the services and settings
// (the command line's wiring, internal/cli/wire, gives both).
func New(svc flow.Services, settings flow.Settings, opts ...Option) Model {
	m := Model{
		svc:       svc,
		settings:  settings,
		scenarios: flow.Scenarios(settings),
		keys:      DefaultKeyMap(),
		help:      help.New(),
		spin:      spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		now:       time.Now,
		loc:       time.Local,
		clip:      OSC52(os.Stdout, os.Getenv("TMUX") != "", strings.HasPrefix(os.Getenv("TERM"), "screen")),
		open:      OpenBrowser,
		ov:        newOverview(),
		step:      newStepScreen(),
		narr:      newNarrator(),
	}
	for _, o := range opts {
		o(&m)
	}
	var st Styles
	if m.present {
		st = NewPresenterStyles(PresenterTheme())
	} else {
		st = NewStyles(DefaultTheme())
	}
	m.st = &st
	m.help.Styles.ShortKey = st.Key
	m.help.Styles.FullKey = st.Key
	m.help.Styles.ShortDesc = st.Subtle
	m.help.Styles.FullDesc = st.Subtle
	m.spin.Style = st.State.Running

	sc := m.scenarios[0]
	for _, s := range m.scenarios {
		if s.Name == m.startScenario {
			sc = s
		}
	}
	m.setScenario(sc)
	if m.present {
		m.screen = screenStep // auto-advance starts on step 1 (Init)
	}
	return m
}

// setScenario switches to a scenario with a fresh engine; a run still
// going on the old one is cancelled and its events dropped. Its first run
// resets the mock world.
func (m *Model) setScenario(sc flow.Scenario) {
	if m.cancel != nil {
		m.cancel()
	}
	m.sc = sc
	m.eng = flow.NewEngine(m.svc, m.settings, sc)
	m.runs = make([]stepRun, len(sc.Steps))
	m.cur = 0
	m.runID++
	m.running, m.runAll, m.cancel = false, false, nil
	m.needReset = true
	m.zoom = false
	m.form = nil
	m.step = newStepScreen()
	m.version++
	m.picker = newPicker(m.scenarios, sc.Name, m.st)
	m.layout()
}

// Init implements tea.Model. In presenter mode it starts auto-advance.
func (m Model) Init() tea.Cmd {
	if m.present {
		return tea.Batch(tickClock(), func() tea.Msg { return presentStartMsg{} })
	}
	return tickClock()
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height, m.ready = msg.Width, msg.Height, true
		m.layout()

	case runEventMsg:
		if msg.run != m.runID {
			return m, nil // a run the user has moved on from
		}
		m.applyEvent(msg.ev)
		cmds = append(cmds, waitForRun(msg.ch, msg.run))

	case runEndedMsg:
		if msg.run != m.runID {
			return m, nil
		}
		m.endRun(msg)
		cmds = append(cmds, m.presentRunEnded(msg))

	case presentStartMsg:
		cmds = append(cmds, m.beginAuto())

	case presentTickMsg:
		cmds = append(cmds, m.presentTick(msg))

	case exportedMsg:
		m.exported(msg)

	case spinner.TickMsg:
		if !m.running {
			return m, nil // let the spinner stop
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		cmds = append(cmds, cmd)

	case clockMsg:
		cmds = append(cmds, tickClock())

	case copiedMsg:
		if msg.err != nil {
			m.setStatus("copy failed: "+msg.err.Error(), true)
		} else {
			m.setStatus(fmt.Sprintf("copied the %s (%d bytes) to the clipboard with OSC 52", msg.what, msg.n), false)
		}

	case openedMsg:
		if msg.err != nil {
			m.setStatus("no browser: c copies the URL ("+msg.err.Error()+")", true)
		} else {
			m.setStatus("opened the confirm URL in the browser", false)
		}

	case tea.MouseMsg:
		m.mouse(msg)

	case tea.KeyMsg:
		cmds = append(cmds, m.key(msg))

	default:
		if m.form != nil { // the text input's cursor blink
			cmd, _ := m.form.update(msg, m.keys)
			cmds = append(cmds, cmd)
		}
		if m.screen == screenPicker {
			var cmd tea.Cmd
			m.picker, cmd = m.picker.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	m.sync()
	return m, tea.Batch(cmds...)
}

// key handles a key press: the open form or the picker's filter takes
// every key; otherwise the global keys, then the screen's.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.form != nil {
		cmd, res := m.form.update(msg, k)
		if res.done {
			m.closeForm(res)
		}
		return cmd
	}
	if m.screen == screenPicker && m.picker.FilterState() == list.Filtering {
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(msg)
		return cmd
	}
	m.status = ""
	if m.zoom {
		return m.zoomKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		if m.cancel != nil {
			m.cancel()
		}
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return nil
	}
	if m.auto && m.screen != screenPicker {
		if cmd, ok := m.presentKey(msg); ok {
			return cmd
		}
	}
	switch m.screen {
	case screenPicker:
		return m.pickerKey(msg)
	case screenStep:
		return m.stepKey(msg)
	}
	return m.overviewKey(msg)
}

// globalKey handles the keys the overview and step screens share.
func (m *Model) globalKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Scenarios):
		m.pickFrom = m.screen
		m.screen = screenPicker
		m.picker = newPicker(m.scenarios, m.sc.Name, m.st)
		m.layout()
		return nil, true
	case key.Matches(msg, k.RunAll):
		return m.startRunAll(), true
	case key.Matches(msg, k.Export):
		return m.export(), true
	case m.present && !m.auto && key.Matches(msg, k.Auto):
		return m.resumeAuto(), true
	case key.Matches(msg, k.Actor):
		a := flow.Actors[int(msg.Runes[0]-'1')]
		for i, s := range m.sc.Steps {
			if s.Actor == a {
				m.cur = i
				m.openStep()
				return nil, true
			}
		}
		m.setStatus(fmt.Sprintf("%s has no steps in the %s scenario", a, m.sc.Name), true)
		return nil, true
	}
	return nil, false
}

func (m *Model) overviewKey(msg tea.KeyMsg) tea.Cmd {
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	k := m.keys
	p := m.ov.focused()
	switch {
	case key.Matches(msg, k.Open):
		m.openStep()
	case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
		m.ov.focus = 1 - m.ov.focus
	case key.Matches(msg, k.Up) && m.ov.focus == 0, key.Matches(msg, k.PrevStep):
		m.cur = max(0, m.cur-1)
	case key.Matches(msg, k.Down) && m.ov.focus == 0, key.Matches(msg, k.NextStep):
		m.cur = min(len(m.sc.Steps)-1, m.cur+1)
	default:
		m.scrollKey(p, msg)
	}
	return nil
}

func (m *Model) stepKey(msg tea.KeyMsg) tea.Cmd {
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	k := m.keys
	r := m.runs[m.cur]
	p := m.step.focused()
	switch {
	case key.Matches(msg, k.Back):
		m.screen = screenOverview
	case key.Matches(msg, k.Run):
		return m.startStep(m.cur)
	case key.Matches(msg, k.NextStep):
		m.moveStep(1)
	case key.Matches(msg, k.PrevStep):
		m.moveStep(-1)
	case key.Matches(msg, k.Edit):
		m.openForm()
	case key.Matches(msg, k.Copy):
		return m.copyFocused()
	case key.Matches(msg, k.OpenURL):
		if !m.hasConfirm {
			m.setStatus("this step has no URL to open", false)
			return nil
		}
		return openCmd(m.open, m.confirm.url)
	case key.Matches(msg, k.ZoomQR):
		if !m.hasConfirm || m.confirm.qr == nil {
			m.setStatus("this step has no QR code", false)
			return nil
		}
		m.zoom = true
	case key.Matches(msg, k.NextPane):
		m.step.cycle(r, 1)
		m.hintNothingYet(r)
	case key.Matches(msg, k.PrevPane):
		m.step.cycle(r, -1)
		m.hintNothingYet(r)
	case key.Matches(msg, k.NextItem):
		m.step.item(r, 1)
	case key.Matches(msg, k.PrevItem):
		m.step.item(r, -1)
	default:
		m.scrollKey(p, msg)
	}
	return nil
}

// scrollKey moves the pane by the scroll keys (arrows, j/k, page, top,
// bottom), the same on every screen.
func (m *Model) scrollKey(p *pane, msg tea.KeyMsg) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		p.scroll(-1)
	case key.Matches(msg, k.Down):
		p.scroll(1)
	case key.Matches(msg, k.PageUp):
		p.page(-1)
	case key.Matches(msg, k.PageDown):
		p.page(1)
	case key.Matches(msg, k.Top):
		p.top()
	case key.Matches(msg, k.Bottom):
		p.bottom()
	}
}

// zoomKey handles a key while the QR code is full screen: o and c act on
// its URL, q quits, anything else goes back.
func (m *Model) zoomKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		if m.cancel != nil {
			m.cancel()
		}
		return tea.Quit
	case key.Matches(msg, k.OpenURL):
		return openCmd(m.open, m.confirm.url)
	case key.Matches(msg, k.Copy):
		return copyCmd(m.clip, "confirm URL", m.confirm.url)
	}
	m.zoom = false
	return nil
}

func (m *Model) hintNothingYet(r stepRun) {
	if len(r.calls) == 0 && len(r.tokens) == 0 {
		m.setStatus("nothing to show beside the info yet: enter runs the step", false)
	}
}

func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.screen = m.pickFrom
		return nil
	case key.Matches(msg, k.Choose):
		if it, ok := m.picker.SelectedItem().(scenarioItem); ok {
			m.setScenario(it.sc)
			if m.present {
				m.setStatus("scenario "+it.sc.Name, false)
				return m.beginAuto()
			}
			m.screen = screenOverview
			m.setStatus("scenario "+it.sc.Name+": r runs it, enter opens a step", false)
		}
		return nil
	}
	var cmd tea.Cmd
	m.picker, cmd = m.picker.Update(msg)
	return cmd
}

// mouse scrolls the pane under the pointer with the wheel, and focuses a
// pane on a click.
func (m *Model) mouse(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	var p *pane
	switch m.screen {
	case screenOverview:
		if m.ov.wide {
			m.ov.focus = 0
			if msg.X >= m.ov.steps.w {
				m.ov.focus = 1
			}
		}
		p = m.ov.focused()
	case screenStep:
		if m.step.section != sectionInfo {
			m.step.side = 0
			if msg.X >= m.step.left.w {
				m.step.side = 1
			}
		}
		p = m.step.focused()
	default:
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		p.scroll(-3)
	case tea.MouseButtonWheelDown:
		p.scroll(3)
	}
}

// openStep shows the selected step's screen.
func (m *Model) openStep() {
	m.screen = screenStep
}

func (m *Model) moveStep(d int) {
	m.cur = min(max(0, m.cur+d), len(m.sc.Steps)-1)
}

// startStep runs one step. The first step, or the first run since the
// scenario was picked, starts the scenario from scratch: every step's
// shown result is cleared, and the Cmd resets the mock world before it
// runs the step.
func (m *Model) startStep(i int) tea.Cmd {
	if m.running {
		m.setStatus("a step is running; wait for it to end", true)
		return nil
	}
	reset := i == 0 || m.needReset
	if reset {
		m.runs = make([]stepRun, len(m.sc.Steps))
		m.needReset = false
		m.version++
	}
	m.runStep = i
	return m.start(runRequest{step: i, reset: reset})
}

// startRunAll runs the whole scenario from a fresh start: the engine's
// RunAll resets the mock world and keeps the edited inputs.
func (m *Model) startRunAll() tea.Cmd {
	if m.running {
		m.setStatus("a run is going on; wait for it to end", true)
		return nil
	}
	m.runs = make([]stepRun, len(m.sc.Steps))
	m.needReset = false
	m.version++
	return m.start(runRequest{all: true})
}

func (m *Model) start(rq runRequest) tea.Cmd {
	m.runID++
	ctx, cancel := context.WithCancel(context.Background())
	rq.id, rq.eng = m.runID, m.eng
	m.running, m.runAll, m.cancel = true, rq.all, cancel
	return tea.Batch(startRun(ctx, rq), m.spin.Tick)
}

// applyEvent adds an engine event to its step's run; RunAll's last event
// says how the scenario ended.
func (m *Model) applyEvent(ev flow.Event) {
	if ev.Kind == flow.ScenarioEnded && ev.Report != nil {
		m.scenarioEnded(*ev.Report)
		return
	}
	if ev.Step < 0 || ev.Step >= len(m.runs) {
		return
	}
	if m.runs[ev.Step].apply(ev) {
		m.version++
	}
	if ev.Kind != flow.StepStarted {
		return
	}
	if m.runAll && m.screen == screenOverview {
		m.cur = ev.Step // the overview follows a whole-scenario run
	}
	if s := m.sc.Steps[ev.Step]; !m.settings.ActAsPeople && waitsForPerson(s) {
		m.setStatus(fmt.Sprintf("waiting for %s to approve: step %d shows the confirm URL and its QR code", m.confirmWho(s), ev.Step+1), false)
	}
}

// confirmWho is who opens the confirm URL for a step's actor.
func (m *Model) confirmWho(s flow.Step) string {
	if s.Actor == flow.ClientAdmin {
		return m.settings.ClientAdminName
	}
	return m.settings.EndUserName
}

// scenarioEnded says how a whole-scenario run ended, with the engine's
// verdict.
func (m *Model) scenarioEnded(rep flow.Report) {
	switch {
	case rep.StartErr != nil:
		m.setStatus("scenario "+m.sc.Name+" did not start: "+rep.StartErr.Error(), true)
	case rep.OK && rep.CleanupErr != nil:
		m.setStatus("scenario "+m.sc.Name+" ended as expected, but "+rep.CleanupErr.Error(), true)
	case rep.OK:
		m.setStatus("scenario "+m.sc.Name+" ended as expected", false)
	default:
		m.setStatus("scenario "+m.sc.Name+" did NOT end as expected", true)
	}
}

// endRun closes a run. A step's run says how the step ended and, once
// every step has run, the scenario's verdict on them.
func (m *Model) endRun(msg runEndedMsg) {
	m.running, m.cancel = false, nil
	m.version++
	if msg.err != nil {
		m.needReset = true
		m.setStatus(msg.err.Error(), true)
		return
	}
	if msg.all {
		return // the ScenarioEnded event said it
	}
	i := m.runStep
	r := m.runs[i]
	if r.result == nil {
		return
	}
	s := m.sc.Steps[i]
	status := fmt.Sprintf("step %d %s: %s", i+1, r.outcome, r.result.Why(s.Expect))
	results := make([]flow.StepResult, len(m.runs))
	all := true
	for i, r := range m.runs {
		if r.result == nil {
			all = false
			break
		}
		results[i] = *r.result
	}
	bad := r.outcome != flow.Done
	if all {
		if m.sc.Verdict(results) {
			status += " · scenario " + m.sc.Name + " ended as expected"
		} else {
			status += " · scenario " + m.sc.Name + " did NOT end as expected"
			bad = true
		}
	}
	m.setStatus(status, bad)
}

// openForm opens the inputs form for the step.
func (m *Model) openForm() {
	if m.running {
		m.setStatus("inputs can change once the run has ended", true)
		return
	}
	in := m.eng.Inputs(m.cur)
	if len(in) == 0 {
		m.setStatus("this step takes no inputs", false)
		return
	}
	m.form = newInputForm(m.cur, m.sc.Steps[m.cur].Title, in, m.width)
}

// closeForm applies the form's values, or drops them when cancelled.
func (m *Model) closeForm(res formResult) {
	m.form = nil
	if res.values == nil {
		m.setStatus("inputs unchanged", false)
		return
	}
	for p, v := range res.values {
		if err := m.eng.SetParam(p, v); err != nil {
			m.setStatus(err.Error(), true)
			return
		}
	}
	m.version++
	m.setStatus("inputs saved: enter runs the step with them", false)
}

// copyFocused copies the focused pane's body or token.
func (m *Model) copyFocused() tea.Cmd {
	r := m.runs[m.cur]
	s := m.step
	switch s.section {
	case sectionExchanges:
		x := r.calls[s.exch].x
		if s.side == 0 {
			if x.RequestBody == "" {
				return copyCmd(m.clip, "request URL", x.URL)
			}
			return copyCmd(m.clip, "request body", x.RequestBody)
		}
		return copyCmd(m.clip, "response body", x.ResponseBody)
	case sectionTokens:
		p := tokenPairs(r.tokens)[s.tok]
		t := p.left
		if s.side == 1 && !p.split() {
			t = p.right
		}
		return copyCmd(m.clip, t.Label, t.Raw)
	}
	if m.hasConfirm {
		return copyCmd(m.clip, "confirm URL", m.confirm.url)
	}
	m.setStatus("tab to a request, response or token pane to copy it", false)
	return nil
}

func (m *Model) setStatus(s string, bad bool) { m.status, m.statusBad = s, bad }

func (m *Model) editing() bool { return m.form != nil }

// Layout: a header line, the screen, the help footer.
func (m *Model) chrome() (top, bottom int) {
	m.help.Width = m.width
	var footer string
	if m.help.ShowAll {
		footer = m.help.FullHelpView(m.FullHelp())
	} else {
		footer = m.help.ShortHelpView(m.ShortHelp())
	}
	return 2 + m.st.Gap, lipgloss.Height(footer) + m.st.Gap
}

// layout sizes every screen for the window.
func (m *Model) layout() {
	if !m.ready {
		return
	}
	top, bottom := m.chrome()
	h := max(1, m.height-top-bottom)
	m.ov.setSize(m.width, h)
	m.step.setSize(m.width, h-1, m.st.PanePad) // the tabs line
	m.picker.SetSize(m.width, h)
	if m.form != nil {
		m.form.setWidth(m.width)
	}
}

// sync re-renders the active screen's content where the data, the
// selection or the size changed. It runs at the end of Update, never in
// View.
func (m *Model) sync() {
	if !m.ready {
		return
	}
	v := m.flowView()
	m.hasConfirm = false
	switch m.screen {
	case screenOverview:
		m.ov.refresh(v)
	case screenStep:
		var pending []int
		for i := 0; i < m.cur; i++ {
			if o := m.runs[i].outcome; o != flow.Done {
				pending = append(pending, i)
			}
		}
		info := stepInfo{inputs: m.eng.Inputs(m.cur), pending: pending, version: m.version, narr: m.narr}
		m.confirm, m.hasConfirm = m.confirmFor(m.cur)
		if m.hasConfirm {
			info.confirm = &m.confirm
		}
		m.step.sync(v, info, m.now(), m.loc)
	}
	if m.zoom && (!m.hasConfirm || m.confirm.qr == nil) {
		m.zoom = false // the step moved on (another scenario, a reset)
	}
	if m.zoom {
		m.zoomText = zoomView(m.confirm, m.width, m.height, m.st)
	}
}

func (m *Model) flowView() flowView {
	return flowView{
		sc: m.sc, settings: m.settings, runs: m.runs, cur: m.cur,
		spin: m.spin.View(), running: m.running, st: m.st,
	}
}

// View implements tea.Model. It joins what Update rendered.
func (m Model) View() string {
	if !m.ready {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return tooSmall(m.width, m.height, m.st)
	}
	if m.zoom {
		return m.zoomText
	}
	top, bottom := m.chrome()
	h := max(1, m.height-top-bottom)
	var body string
	v := m.flowView()
	switch {
	case m.form != nil:
		body = m.form.view(m.width, h, m.st)
	case m.screen == screenPicker:
		body = m.picker.View()
	case m.screen == screenStep:
		body = m.step.view(v)
	default:
		body = m.ov.view(m.st)
	}
	body = lipgloss.NewStyle().Height(h).MaxHeight(h).Render(body)
	footer := m.help.ShortHelpView(m.ShortHelp())
	if m.help.ShowAll {
		footer = m.help.FullHelpView(m.FullHelp())
	}
	gap := strings.Repeat("\n", m.st.Gap)
	below := gap
	if m.st.Presenter && m.status != "" {
		// Presenter mode's header holds the auto-advance state; the
		// status has the whole line above the footer.
		below = strings.Repeat("\n", max(0, m.st.Gap-1)) + m.statusText(m.width) + "\n"
	}
	return m.header() + "\n" + m.subheader(v) + "\n" + gap + body + "\n" + below + footer
}

// statusText is the status message, styled for good or bad news, cut to
// room cells.
func (m Model) statusText(room int) string {
	if m.status == "" {
		return ""
	}
	s := m.st.Success
	if m.statusBad {
		s = m.st.Failure
	}
	return ansi.Truncate(s.Render(" "+m.status+" "), max(0, room), "…")
}

// header is the top bar: the app, the scenario and the status message.
func (m Model) header() string {
	st := m.st
	left := st.Header.Render(" Systembruker Workbench ") +
		st.HeaderDim.Render("· "+m.sc.Name+" · "+m.settings.Env+" ")
	if ind := m.presentIndicator(); ind != "" {
		left += st.Header.Render(" " + ind + " ")
	}
	left = ansi.Truncate(left, m.width, "…")
	room := m.width - lipgloss.Width(left)
	right := ""
	if !st.Presenter { // presenter mode shows it above the footer
		right = m.statusText(room)
	}
	gap := max(0, room-lipgloss.Width(right))
	return left + st.HeaderDim.Render(strings.Repeat(" ", gap)) + right
}

// subheader is the line under the header: the scenario's summary on the
// overview, the step's place and state on a step screen.
func (m Model) subheader(v flowView) string {
	st := m.st
	switch m.screen {
	case screenStep:
		s, r := m.sc.Steps[m.cur], m.runs[m.cur]
		right := " " + stateWord(r.outcome, v.spin, st)
		left := st.Bold.Render(fmt.Sprintf("Step %d/%d", m.cur+1, len(m.sc.Steps))) +
			st.Subtle.Render(" · "+string(s.Actor)+" · ") + st.Title.Render(s.Title)
		left = ansi.Truncate(left, m.width-lipgloss.Width(right)-1, "…")
		gap := max(1, m.width-lipgloss.Width(left)-lipgloss.Width(right))
		return left + strings.Repeat(" ", gap) + right
	case screenPicker:
		return st.Subtle.Render("Pick a scenario: its steps start afresh. / filters, esc goes back.")
	}
	done := 0
	for _, r := range m.runs {
		if r.outcome == flow.Done {
			done++
		}
	}
	right := fmt.Sprintf(" %d/%d done", done, len(m.runs))
	left := st.Title.Render(m.sc.Name) + st.Subtle.Render(" · "+m.sc.Summary)
	left = ansi.Truncate(left, m.width-len(right)-1, "…")
	gap := max(1, m.width-lipgloss.Width(left)-len(right))
	return left + strings.Repeat(" ", gap) + st.Subtle.Render(right)
}

// tooSmall is the whole screen below MinWidth×MinHeight.
func tooSmall(w, h int, st *Styles) string {
	msg := fmt.Sprintf("terminal too small (need %dx%d, have %dx%d)", MinWidth, MinHeight, w, h)
	msg = ansi.Wrap(msg, max(1, w), "")
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Warning.Render(msg)+"\n"+st.Subtle.Render(ansi.Truncate("q quits", w, "")))
}
