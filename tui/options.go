package tui

import (
	"io"
	"strings"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/lipgloss"
	"github.com/systembruker/workbench/flow"
)

// Option changes how New builds the model.
type Option func(*options)

// options are what the Options set, before New builds the model.
type options struct {
	now           func() time.Time
	loc           *time.Location
	startScenario string
	clip          func(string) error
	open          func(string) error
	present       bool
	pace          time.Duration
	exportDir     string
	renderer      *lipgloss.Renderer
	output        io.Writer
	env           Env
	scenarios     []flow.Scenario
	observer      func(Status)
}

// WithClock sets the clock the token times ("expires in 1m52s") are shown
// against; tests pass a fixed one.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLocation sets the time zone dates are shown in (default local).
func WithLocation(loc *time.Location) Option { return func(o *options) { o.loc = loc } }

// WithScenarios sets the scenarios the picker offers (default the
// built-in ones, flow.Scenarios): the command line adds a trainer's files
// (--scenarios DIR).
func WithScenarios(list []flow.Scenario) Option { return func(o *options) { o.scenarios = list } }

// WithScenario starts on the named scenario instead of the first.
func WithScenario(name string) Option { return func(o *options) { o.startScenario = name } }

// WithClipboard sets how c copies; the default writes OSC 52 to the
// session's output (see WithOutput), as tmux or screen takes it when the
// session's environment says it runs in one (see OSC52).
func WithClipboard(copy func(string) error) Option { return func(o *options) { o.clip = copy } }

// WithOpener sets how o opens a URL; the default is OpenBrowser.
func WithOpener(open func(string) error) Option { return func(o *options) { o.open = open } }

// WithExportDir sets the directory x writes the transcripts to (default
// the current directory).
func WithExportDir(dir string) Option { return func(o *options) { o.exportDir = dir } }

// WithPresenter turns on presenter mode with auto-advance at the pace
// (DefaultPace when pace is 0 or less).
func WithPresenter(pace time.Duration) Option {
	return func(o *options) {
		if pace <= 0 {
			pace = DefaultPace
		}
		o.present, o.pace = true, pace
	}
}

// WithRenderer sets the session's lipgloss renderer, which every style is
// built with: its colour profile and background (asked of the terminal
// before the program starts) decide the colours. The default is
// lipgloss's own renderer, which draws for the process's stdout.
func WithRenderer(r *lipgloss.Renderer) Option { return func(o *options) { o.renderer = r } }

// WithOutput sets the session's terminal output, where the clipboard's
// OSC 52 sequence goes. The default is the renderer's output.
func WithOutput(w io.Writer) Option { return func(o *options) { o.output = w } }

// WithEnv sets the session's environment (TERM, TMUX); the default is
// none. The command line passes os.LookupEnv; an SSH server, the
// session's own (see EnvMap).
func WithEnv(env Env) Option { return func(o *options) { o.env = env } }

// OSC52 returns a clipboard function that writes an OSC 52 sequence to
// the terminal. It works over SSH, as the terminal does the copying, and
// no terminal answers it, so a copy cannot be confirmed.
//
// Inside tmux it writes the plain sequence, which tmux takes as a copy
// when its set-clipboard option is on (its buffer holds the text and it
// passes the copy on to the terminal outside), and then the same wrapped
// in tmux's pass-through, which reaches the outer terminal when
// allow-passthrough is on; tmux drops what its options do not allow. GNU
// screen gets its own wrapping, as it does not take OSC 52 itself.
func OSC52(w io.Writer, inTmux, inScreen bool) func(string) error {
	return func(s string) error {
		seq := osc52.New(s)
		switch {
		case inTmux:
			if _, err := seq.WriteTo(w); err != nil {
				return err
			}
			seq = seq.Tmux()
		case inScreen:
			seq = seq.Screen()
		}
		_, err := seq.WriteTo(w)
		return err
	}
}

// sessionClipboard is OSC 52 on the session's output, for the session's
// multiplexer.
func sessionClipboard(out io.Writer, env Env) func(string) error {
	return OSC52(out, env.Get("TMUX") != "", strings.HasPrefix(env.Get("TERM"), "screen"))
}
