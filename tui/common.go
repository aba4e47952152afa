package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/systembruker/workbench/flow"
)

// Component is a screen of the workbench, as soft-serve's
// pkg/ui/common/component.go has it: a tea.Model that routes its own keys,
// a help.KeyMap with the bindings it handles (the root adds the global
// ones), and the size of the box it draws in.
type Component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// Common is what every screen is handed, the same for all of a session's
// screens but the size: each screen's copy holds the box it draws in. A
// TUI served to several terminals at once (the classroom) has one Common
// per session, so nothing here may come from the process: the styles are
// built with the session's renderer, the clipboard writes to the
// session's output, the environment is the session's.
type Common struct {
	Width, Height int

	Styles *Styles
	Keys   *KeyMap

	// Now is the clock token times are shown against, Loc the zone dates
	// are shown in.
	Now func() time.Time
	Loc *time.Location

	// Renderer is the session's lipgloss renderer: its colour profile
	// and background decide every style, the narration's style among
	// them. Output is the session's terminal, where the clipboard
	// writes its OSC 52 sequence.
	Renderer *lipgloss.Renderer
	Output   io.Writer
	// Env is the session's environment: TERM and TMUX say which
	// multiplexer the clipboard's sequence must pass. The colours
	// (NO_COLOR among them) are the renderer's to decide, built over the
	// same environment.
	Env Env

	// Copy puts text on the clipboard; Open opens a URL in a browser.
	Copy func(string) error
	Open func(string) error

	// ctx is the program's: the runs start from it, so the end of the
	// program (or of the SSH session) cancels them.
	ctx context.Context
}

// Context is the program's context.
func (c Common) Context() context.Context { return c.ctx }

// sized is c with another box.
func (c Common) sized(w, h int) Common {
	c.Width, c.Height = w, h
	return c
}

// Env looks up a variable of the session's environment, the way
// os.LookupEnv does for the process's.
type Env func(key string) (value string, ok bool)

// EnvMap is an Env over a map, for a session whose environment came over
// the wire (an SSH session's) or a test's.
func EnvMap(vars map[string]string) Env {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// Get is the variable's value, "" when it is not set (or there is no
// environment at all).
func (e Env) Get(key string) string {
	if e == nil {
		return ""
	}
	v, _ := e(key)
	return v
}

// A request is what a screen asks of the root: a change beyond the
// screen's own state (open a step, run it, pick a scenario, say
// something on the status line). A screen's Update puts its requests in
// its outbox; the root carries them out as soon as the Update returns, in
// the same Update of the root, so a key's whole effect is in the model
// the root returns.
type request any

// The requests.
type (
	openStep     struct{}                 // show the selected step's screen
	openCall     struct{ step, call int } // show a step's call: its request and response
	goOverview   struct{}                 // back to the overview
	selectStep   struct{ step int }       // select a step (kept within the scenario)
	runOne       struct{ step int }       // run one step
	runScenario  struct{}                 // run the whole scenario
	exportRun    struct{}                 // write the run's transcripts
	openPicker   struct{}                 // the scenario picker
	closePicker  struct{}                 // back to where the picker was opened from
	pickScenario struct{ sc flow.Scenario }
	jumpToActor  struct{ actor flow.Actor } // the actor's first step
	editInputs   struct{}                   // the inputs form of the selected step
	// inputsDone closes the form: values to set, or nil when cancelled.
	inputsDone struct{ values map[flow.Param]string }
	// passGate passes a step's gate (the user's yes, or "done") and runs
	// the step again.
	passGate struct {
		step int
		key  string
	}
	// takeWay takes a way on from a rejected request.
	takeWay struct{ way flow.WayOn }
	zoomIn  struct{} // the confirm URL's QR code, full screen
	zoomOut struct{}
	say     struct {
		text string
		bad  bool
	}
)

// outbox holds a screen's requests until the root takes them.
type outbox struct{ asks []request }

func (o *outbox) ask(r request) { o.asks = append(o.asks, r) }

func (o *outbox) take() []request {
	a := o.asks
	o.asks = nil
	return a
}

// The screens are Components.
var (
	_ Component = (*overview)(nil)
	_ Component = (*stepScreen)(nil)
	_ Component = (*picker)(nil)
	_ Component = (*inputForm)(nil)
	_ Component = (*qrScreen)(nil)
	_ Component = (*footer)(nil)
)
