package tui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// scenarioItem is a scenario in the picker.
type scenarioItem struct{ sc flow.Scenario }

func (i scenarioItem) Title() string       { return i.sc.Name }
func (i scenarioItem) Description() string { return i.sc.Summary }
func (i scenarioItem) FilterValue() string {
	if i.sc.Exercise != nil {
		return i.sc.Name + " exercise " + i.sc.Summary
	}
	return i.sc.Name + " " + i.sc.Summary
}

// picker is the scenario picker: a bubbles list whose own help and quit
// keys are off, as the footer and the root handle those. While its filter
// has the focus every key goes to the filter.
type picker struct {
	outbox
	common Common
	list   list.Model
}

func newPicker(c Common, scs []flow.Scenario, current string) picker {
	items := make([]list.Item, len(scs))
	sel := 0
	for i, sc := range scs {
		items[i] = scenarioItem{sc}
		if sc.Name == current {
			sel = i
		}
	}
	l := list.New(items, scenarioDelegate{c.Styles}, 0, 0)
	restyleList(&l, c.Renderer)
	l.Title = "Scenarios"
	l.SetShowHelp(false)
	l.SetShowStatusBar(false)
	l.SetFilteringEnabled(true)
	l.DisableQuitKeybindings()
	l.Select(sel)
	return picker{common: c, list: l} // the root's layout sizes it
}

// filtering reports whether the filter has the focus.
func (p *picker) filtering() bool { return p.list.FilterState() == list.Filtering }

// SetSize implements Component.
func (p *picker) SetSize(w, h int) {
	p.common = p.common.sized(w, h)
	p.list.SetSize(w, h)
}

// Init implements tea.Model.
func (p *picker) Init() tea.Cmd { return nil }

// Update implements tea.Model: esc goes back, enter picks the selected
// scenario; the rest (and, while filtering, everything) is the list's.
func (p *picker) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && !p.filtering() {
		k := p.common.Keys
		switch {
		case key.Matches(km, k.Back):
			p.ask(closePicker{})
			return p, nil
		case key.Matches(km, k.Choose):
			if it, ok := p.list.SelectedItem().(scenarioItem); ok {
				p.ask(pickScenario{it.sc})
			}
			return p, nil
		}
	}
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return p, cmd
}

// View implements tea.Model.
func (p *picker) View() string { return p.list.View() }

// ShortHelp implements help.KeyMap.
func (p *picker) ShortHelp() []key.Binding {
	k := p.common.Keys
	return []key.Binding{k.Up, k.Down, k.Choose, k.Back}
}

// FullHelp implements help.KeyMap.
func (p *picker) FullHelp() [][]key.Binding {
	k := p.common.Keys
	return [][]key.Binding{{k.Up, k.Down}, {k.Choose, k.Back}}
}

// scenarioDelegate draws a scenario as its name and its whole summary
// (two lines), where the default delegate would cut the summary short at
// 80 columns, and it is the summary that says what the scenario teaches.
type scenarioDelegate struct{ st *Styles }

func (d scenarioDelegate) Height() int                         { return 3 }
func (d scenarioDelegate) Spacing() int                        { return 0 }
func (d scenarioDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render implements list.ItemDelegate.
func (d scenarioDelegate) Render(w io.Writer, m list.Model, index int, item list.Item) {
	it, ok := item.(scenarioItem)
	if !ok {
		return
	}
	width := max(10, m.Width()-2)
	title := "  " + it.sc.Name
	if index == m.Index() {
		title = d.st.Current.Render("▶ " + it.sc.Name)
	} else {
		title = d.st.Bold.Render(title)
	}
	if it.sc.Agent {
		title += d.st.Subtle.Render(" · agent system user")
	}
	if it.sc.Exercise != nil {
		title += d.st.Warning.Render(" · exercise")
	}
	desc := wrapWords(it.sc.Summary, width-4, width-4)
	if len(desc) > 2 {
		desc = []string{desc[0], ansi.Truncate(desc[1]+" "+strings.Join(desc[2:], " "), width-4, "…")}
	}
	for len(desc) < 2 {
		desc = append(desc, "")
	}
	fmt.Fprintf(w, "%s\n    %s\n    %s", ansi.Truncate(title, width, "…"),
		d.st.Subtle.Render(desc[0]), d.st.Subtle.Render(desc[1]))
}
