package tui

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// environ is a session's environment as termenv reads it.
type environ map[string]string

func (e environ) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

func (e environ) Getenv(k string) string { return e[k] }

// session is one terminal the TUI is served to, as an SSH server has one
// per connection: its own output, environment and renderer.
type session struct {
	out   bytes.Buffer
	env   environ
	r     *lipgloss.Renderer
	m     Model
	views []string
	// copied is the status line after c.
	copied string
}

func newSession(t *testing.T, env environ, dark bool) *session {
	s := &session{env: env}
	// WithUnsafe: the output is a buffer, not a terminal, as an SSH
	// channel is not one to the server.
	s.r = lipgloss.NewRenderer(&s.out, termenv.WithUnsafe(), termenv.WithEnvironment(env))
	s.r.SetHasDarkBackground(dark)
	s.m = New(t.Context(), flow.Services{}, wire.Summary(config.Default()),
		WithRenderer(s.r), WithOutput(&s.out), WithEnv(EnvMap(env)),
		WithClock(func() time.Time { return testClock }), WithLocation(time.UTC))
	return s
}

// use drives the session through the screens that draw the most styles:
// the overview, a step's exchange with a JSON body, the token step's
// narration, the picker, the inputs form; and copies the request body.
func (s *session) use() {
	m := update(s.m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(`{"access_token":"abc","expires_in":120}`)}, nil, nil)
	s.views = append(s.views, m.View())
	m = keys(m, "enter", "tab")
	s.views = append(s.views, m.View())
	next, cmd := m.Update(keyMsg("c"))
	m = update(next.(Model), cmd())
	s.copied = m.status
	m = keys(m, "5")
	s.views = append(s.views, m.View())
	// The picker and the form draw with bubbles (list, text input), whose
	// own styles must be the session's too.
	m = keys(m, "s")
	s.views = append(s.views, m.View())
	m = keys(m, "esc", "2", "n", "n", "n", "n", "e")
	s.views = append(s.views, m.View())
	s.m = keys(m, "esc")
}

// Two sessions in one process, one in true colour on a light background
// inside tmux, one with NO_COLOR on a dark one, each get their own
// output: colours in one, none in the other, the narration's
// style for each one's background, the clipboard's sequence on each
// one's output, wrapped for tmux only where the session runs in tmux.
// The process's own renderer says true colour on a dark background the
// while, so that a session that fell back on it would show.
func TestTwoSessionsEachDrawForTheirOwnTerminal(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })

	colour := newSession(t, environ{"TERM": "xterm-256color", "COLORTERM": "truecolor", "TMUX": "/tmp/tmux-1000/default,42,0"}, false)
	plain := newSession(t, environ{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, true)
	if colour.r.ColorProfile() != termenv.TrueColor || plain.r.ColorProfile() != termenv.Ascii {
		t.Fatalf("profiles %v and %v", colour.r.ColorProfile(), plain.r.ColorProfile())
	}
	var wg sync.WaitGroup
	for _, s := range []*session{colour, plain} {
		wg.Add(1)
		go func() { defer wg.Done(); s.use() }()
	}
	wg.Wait()

	for i, v := range colour.views {
		if !strings.Contains(v, "\x1b[38;2;") {
			t.Errorf("colour session, view %d: no true colour sequence:\n%s", i, v)
		}
	}
	for i, v := range plain.views {
		if strings.Contains(v, "\x1b") {
			t.Errorf("NO_COLOR session, view %d: an escape sequence: %q", i, v)
		}
	}
	for _, want := range []string{"What and why", `"access_token": "abc"`, "Scenarios", "Edit inputs"} {
		if !strings.Contains(strings.Join(plain.views, ""), want) {
			t.Errorf("NO_COLOR session lacks %q", want)
		}
	}

	// The narration, in the style for each session's background.
	if got := colour.m.common.Styles.Markdown.name; got != mdLight {
		t.Errorf("colour session's narration style %q, want %q", got, mdLight)
	}
	if got := plain.m.common.Styles.Markdown.name; got != mdNoTTY {
		t.Errorf("NO_COLOR session's narration style %q, want %q", got, mdNoTTY)
	}
	if n := colour.m.narr.lines("op-token", 60, colour.m.common.Styles); !strings.Contains(strings.Join(n.what, ""), "\x1b[") {
		t.Error("the colour session's narration has no colour")
	}
	if colour.m.common.Styles.QRInkLight || !plain.m.common.Styles.QRInkLight {
		t.Error("the QR code is not drawn for each session's background")
	}

	// c copied the request body with OSC 52 to each session's output:
	// inside tmux plain (set-clipboard on takes it) and in tmux's
	// pass-through (allow-passthrough on takes that).
	body := base64.StdEncoding.EncodeToString([]byte(jsonExchange("").RequestBody))
	if got := colour.out.String(); !strings.HasPrefix(got, "\x1b]52;c;"+body+"\x07\x1bPtmux;\x1b\x1b]52;c;"+body) {
		t.Errorf("colour session's output %q, want plain OSC 52, then in tmux's pass-through", got)
	}
	if got := plain.out.String(); !strings.HasPrefix(got, "\x1b]52;c;"+body) {
		t.Errorf("NO_COLOR session's output %q, want plain OSC 52", got)
	}
	if !strings.Contains(colour.copied, "sent the request body") || !strings.Contains(colour.copied, "tmux needs set-clipboard on") ||
		!strings.Contains(plain.copied, "sent the request body") || !strings.Contains(plain.copied, "the terminal does not confirm it") {
		t.Errorf("status %q and %q", colour.copied, plain.copied)
	}
}

// A run starts from the program's context: once the program (or its SSH
// session) has ended, a run does not go on against the services.
func TestRunsStartFromTheProgramsContext(t *testing.T) {
	s := startMocks(t)
	ctx, cancel := context.WithCancel(t.Context())
	m := New(ctx, s.Services, s.Settings, WithClock(goldenClock), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	cancel()
	m = pressAndRun(t, m, "r")
	if allDone(m) {
		t.Errorf("the scenario ran after the program's context ended: %v", outcomes(m))
	}
	// The same scenario on a live context runs to its end.
	m = New(t.Context(), s.Services, s.Settings, WithClock(goldenClock), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil }))
	m = pressAndRun(t, update(m, tea.WindowSizeMsg{Width: 80, Height: 24}), "r")
	if !allDone(m) {
		t.Errorf("on a live context: %v (status %q)", outcomes(m), m.status)
	}
}
