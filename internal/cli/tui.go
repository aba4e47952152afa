package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
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
	// The session's renderer draws for this terminal. Ask it for its
	// background before Bubble Tea owns the input, so light and dark
	// themes pick their colours.
	r := lipgloss.NewRenderer(out)
	r.HasDarkBackground()
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
