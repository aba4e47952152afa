package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// footer is the help at the foot of the screen: one line of the keys
// that matter most, or, after ?, every key of the screen in columns, or,
// after m, the status message whole. The root hands it the merged
// bindings (the active screen's and the global ones) whenever they may
// have changed; it draws them then, and View only returns the drawing.
type footer struct {
	common Common
	// help draws the keys; showAll and width are set on it before it
	// draws, as the model's copies share it.
	help    *help.Model
	showAll bool
	short   []key.Binding
	full    [][]key.Binding
	// message is the status message shown whole (m), bad whether it is
	// bad news.
	message string
	bad     bool
	view    string
}

func newFooter(c Common) footer {
	h := newHelp(c.Styles)
	return footer{common: c, help: &h}
}

// SetSize implements Component; the footer is as tall as its help.
func (f *footer) SetSize(w, h int) {
	f.common = f.common.sized(w, h)
	f.render()
}

// setKeys sets the bindings the footer shows.
func (f *footer) setKeys(short []key.Binding, full [][]key.Binding) {
	f.short, f.full = short, full
	f.render()
}

// showMessage shows a status message whole, wrapped, until the next key.
func (f *footer) showMessage(text string, bad bool) {
	f.message, f.bad = text, bad
	f.render()
}

// close closes the whole message and the full help.
func (f *footer) close() {
	f.message, f.showAll = "", false
	f.render()
}

// Init implements tea.Model.
func (f *footer) Init() tea.Cmd { return nil }

// Update implements tea.Model: ? switches between the short and the full
// help.
func (f *footer) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, f.common.Keys.Help) {
		f.showAll = !f.showAll
		f.render()
	}
	return f, nil
}

// render draws the footer.
func (f *footer) render() {
	st := f.common.Styles
	f.help.Width, f.help.ShowAll = f.common.Width, f.showAll
	switch {
	case f.message != "":
		s := st.Success
		if f.bad {
			s = st.Failure
		}
		var lines []string
		for _, l := range proseLines(f.message, max(1, f.common.Width-1), 1) {
			lines = append(lines, s.Render(l))
		}
		f.view = strings.Join(append(lines, st.Subtle.Render(" any key closes it")), "\n")
	case f.showAll:
		f.view = f.fullRows() + "\n" + st.Subtle.Render("esc or ? closes the keys")
	default:
		f.view = f.shortRows()
	}
}

// fullRows is the full help's columns, in as many rows of columns as
// the width needs: at 80 columns the last ones go under the first.
func (f *footer) fullRows() string {
	var blocks []string
	var block [][]key.Binding
	w := 0
	sep := lipgloss.Width(f.help.FullSeparator)
	for _, col := range f.full {
		cw := lipgloss.Width(f.help.FullHelpView([][]key.Binding{col}))
		if len(block) > 0 && w+sep+cw > f.common.Width {
			blocks = append(blocks, f.help.FullHelpView(block))
			block, w = nil, 0
		}
		if len(block) > 0 {
			w += sep
		}
		block, w = append(block, col), w+cw
	}
	if len(block) > 0 {
		blocks = append(blocks, f.help.FullHelpView(block))
	}
	return strings.Join(blocks, "\n")
}

// shortRows is the short help on as many lines as it needs: a screen
// with many keys (the confirm URL's) keeps them all at 80 columns.
func (f *footer) shortRows() string {
	var rows []string
	var row []key.Binding
	w := 0
	sep := lipgloss.Width(f.help.ShortSeparator)
	for _, b := range f.short {
		if !b.Enabled() {
			continue
		}
		bw := lipgloss.Width(b.Help().Key) + 1 + lipgloss.Width(b.Help().Desc)
		if len(row) > 0 && w+sep+bw > f.common.Width {
			rows = append(rows, f.help.ShortHelpView(row))
			row, w = nil, 0
		}
		if len(row) > 0 {
			w += sep
		}
		row, w = append(row, b), w+bw
	}
	if len(row) > 0 || len(rows) == 0 {
		rows = append(rows, f.help.ShortHelpView(row))
	}
	return strings.Join(rows, "\n")
}

// View implements tea.Model.
func (f *footer) View() string { return f.view }

// height is the footer's lines.
func (f *footer) height() int { return lipgloss.Height(f.view) }

// ShortHelp implements help.KeyMap.
func (f *footer) ShortHelp() []key.Binding { return []key.Binding{f.common.Keys.Help} }

// FullHelp implements help.KeyMap.
func (f *footer) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
