package classroom

import (
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/transcript"
	"github.com/systembruker/workbench/tui"
)

// writeHandout writes the trainee's handout into their folder when their
// session ends: the Markdown transcript of their scenario's run, as x
// writes it (transcript.WriteFile), as handout-<scenario>.md, written
// whole or not at all. It returns "" when nothing has run yet. (The
// exercises, issue 18, add the failed attempts and the fix to what
// Model.Handout gives.)
func writeHandout(dir string, m tui.Model) (string, error) {
	rep, opts, ran := m.Handout()
	if !ran {
		return "", nil
	}
	file := filepath.Join(dir, "handout-"+rep.Scenario.Name+".md")
	// transcript.WriteFile writes it whole or not at all, with the mode its
	// content calls for.
	if err := transcript.WriteFile(file, rep, transcript.Markdown, opts); err != nil {
		return "", err
	}
	return file, nil
}

// seatModel is the trainee's TUI inside their session's program: after
// each Update it hands the model to keep, so the trainee's TUI outlives
// the session (the bubbletea middleware does not return the program's
// final model).
type seatModel struct {
	m    tui.Model
	keep func(seatModel)
}

func (s seatModel) Init() tea.Cmd { return s.m.Init() }

func (s seatModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := s.m.Update(msg)
	if m, ok := next.(tui.Model); ok {
		s.m = m
	}
	s.keep(s)
	return s, cmd
}

func (s seatModel) View() string { return s.m.View() }
