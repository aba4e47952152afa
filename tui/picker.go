package tui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// scenarioItem is a scenario in the picker.
type scenarioItem struct{ sc flow.Scenario }

func (i scenarioItem) Title() string       { return i.sc.Name }
func (i scenarioItem) Description() string { return i.sc.Summary }
func (i scenarioItem) FilterValue() string { return i.sc.Name + " " + i.sc.Summary }

// newPicker is the scenario picker: a bubbles list whose own help and
// quit keys are off, as the footer and the root handle those.
func newPicker(scs []flow.Scenario, current string, st *Styles) list.Model {
	items := make([]list.Item, len(scs))
	sel := 0
	for i, sc := range scs {
		items[i] = scenarioItem{sc}
		if sc.Name == current {
			sel = i
		}
	}
	l := list.New(items, scenarioDelegate{st}, 0, 0)
	l.Title = "Scenarios"
	l.SetShowHelp(false)
	l.SetShowStatusBar(false)
	l.SetFilteringEnabled(true)
	l.DisableQuitKeybindings()
	l.Select(sel)
	return l
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
