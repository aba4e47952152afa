package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// footer is the help at the foot of the screen: one line of the keys
// that matter most, or, after ?, every key of the screen in columns. The
// root hands it the merged bindings (the active screen's and the global
// ones) whenever they may have changed; View only draws them.
type footer struct {
	common Common
	help   help.Model
	short  []key.Binding
	full   [][]key.Binding
}

func newFooter(c Common) footer { return footer{common: c, help: newHelp(c.Styles)} }

// SetSize implements Component; the footer is as tall as its help.
func (f *footer) SetSize(w, h int) {
	f.common = f.common.sized(w, h)
	f.help.Width = w
}

// setKeys sets the bindings the footer shows.
func (f *footer) setKeys(short []key.Binding, full [][]key.Binding) { f.short, f.full = short, full }

// Init implements tea.Model.
func (f *footer) Init() tea.Cmd { return nil }

// Update implements tea.Model: ? switches between the short and the full
// help.
func (f *footer) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, f.common.Keys.Help) {
		f.help.ShowAll = !f.help.ShowAll
	}
	return f, nil
}

// View implements tea.Model.
func (f *footer) View() string {
	if f.help.ShowAll {
		return f.help.FullHelpView(f.full)
	}
	return f.help.ShortHelpView(f.short)
}

// height is the footer's lines.
func (f *footer) height() int { return lipgloss.Height(f.View()) }

// ShortHelp implements help.KeyMap.
func (f *footer) ShortHelp() []key.Binding { return []key.Binding{f.common.Keys.Help} }

// FullHelp implements help.KeyMap.
func (f *footer) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
