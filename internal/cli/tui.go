package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/systembruker/workbench/internal/termguard"
	"github.com/systembruker/workbench/tui"
)

// cmdTUI opens the terminal UI on the configured environment. When stdout
// is not a terminal (a pipe, CI) it runs the standard scenario headless
// instead.
func cmdTUI(g globals, stdout, stderr io.Writer) int {
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return cmdRun(g, nil, stdout, stderr)
	}
	ctx, s, end, ok := start(g, stderr, true)
	if !ok {
		return 2
	}
	defer end()
	// The session's renderer draws for this terminal, in the colours of
	// its background. The guard asked the terminal for it at start-up,
	// waiting at most termguard.Timeout; asking again would wait up to
	// termenv's five seconds on a terminal that does not answer.
	r := lipgloss.NewRenderer(out)
	if dark, asked := termguard.Dark(); asked {
		r.SetHasDarkBackground(dark)
	} else {
		r.HasDarkBackground() // not asked (tmux, screen, CI): termenv does not wait there either
	}
	list, ok := scenarioList(g, s.Settings, stderr)
	if !ok {
		return 2
	}
	opts := []tui.Option{tui.WithRenderer(r), tui.WithOutput(out), tui.WithEnv(os.LookupEnv), tui.WithScenarios(list)}
	if g.present {
		opts = append(opts, tui.WithPresenter(g.pace))
	}
	m := tui.New(ctx, s.Services, s.Settings, opts...)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintf(stderr, "workbench: %v\n", err)
		return 1
	}
	return 0
}
