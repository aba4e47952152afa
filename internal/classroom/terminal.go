package classroom

import (
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/tui"
)

// terminal is a trainee's terminal as their TUI sees it, across
// sessions: the renderer its styles are built with, the clipboard, the
// environment. A reconnect points it at the new session, so the TUI kept
// from the last one draws, copies and colours for the terminal the
// trainee has now. (wish v1.1.1 has no MakeRenderer; this is what later
// versions' does for a session without a server-side pty: a renderer
// over the session with the session's environment, whose colour profile
// comes from TERM, COLORTERM and NO_COLOR as the client sent them.)
type terminal struct {
	r *lipgloss.Renderer

	mu  sync.Mutex
	out io.Writer // the session, nil while the trainee is away
	env map[string]string
}

func newTerminal() *terminal {
	t := &terminal{env: map[string]string{}}
	t.r = lipgloss.NewRenderer(t, termenv.WithEnvironment(t), termenv.WithUnsafe(), termenv.WithColorCache(true))
	// The background cannot be asked over this SSH server (no pty of its
	// own to read the answer from): the workbench's themes take dark.
	t.r.SetHasDarkBackground(true)
	t.r.SetColorProfile(termenv.Ascii)
	return t
}

// attach points the terminal at a session with its environment, and
// sets the colour profile the session's environment asks for.
func (t *terminal) attach(out io.Writer, environ []string) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	t.mu.Lock()
	t.out, t.env = out, env
	t.mu.Unlock()
	profile := termenv.NewOutput(io.Discard, termenv.WithEnvironment(t), termenv.WithUnsafe()).EnvColorProfile()
	t.r.SetColorProfile(profile)
}

// detach leaves the terminal writing nowhere until the next session.
func (t *terminal) detach() {
	t.mu.Lock()
	t.out = nil
	t.mu.Unlock()
}

// Write writes to the session (the renderer's output; the TUI writes
// nothing through it but the clipboard's sequence).
func (t *terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	out := t.out
	t.mu.Unlock()
	if out == nil {
		return len(p), nil
	}
	return out.Write(p)
}

// Getenv and Environ are the session's environment, for termenv.
func (t *terminal) Getenv(k string) string {
	v, _ := t.lookup(k)
	return v
}

func (t *terminal) Environ() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.env))
	for k, v := range t.env {
		out = append(out, k+"="+v)
	}
	return out
}

// lookup is the session's environment as the TUI's Env.
func (t *terminal) lookup(k string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.env[k]
	return v, ok
}

// copy puts text on the trainee's clipboard: OSC 52 to their session,
// which their terminal carries out (wrapped for tmux or screen when the
// session says it runs in one).
func (t *terminal) copy(text string) error {
	t.mu.Lock()
	out, term, tmux := t.out, t.env["TERM"], t.env["TMUX"]
	t.mu.Unlock()
	if out == nil {
		return errors.New("not connected")
	}
	return tui.OSC52(out, tmux != "", strings.HasPrefix(term, "screen"))(text)
}

// errNoBrowser is why o opens no browser in the classroom: it would open
// on the server, not the trainee's machine. The TUI shows it as "no
// browser: c copies the URL (...)".
var errNoBrowser = errors.New("the workbench runs on the classroom server, not on your machine")

func noBrowser(string) error { return errNoBrowser }
