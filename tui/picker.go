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
// has the focus every key goes to the filter, but enter, which picks the
// first scenario the filter finds. The title says where the selection is
// ("Scenarios · 3/19"), and each scenario that ends in an error says
// which.
type picker struct {
	outbox
	common Common
	list   list.Model
}

func newPicker(c Common, scs []flow.Scenario, current string) *picker {
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
	l.Filter = scenarioFilter
	l.DisableQuitKeybindings()
	l.Select(sel)
	p := &picker{common: c, list: l} // the root's layout sizes it
	p.count()
	return p
}

// scenarioFilter ranks the scenarios for the filter: the names that start
// with what is typed first (rej: rejected), then the names that hold it,
// then the list's own fuzzy matches on the name and summary.
func scenarioFilter(term string, targets []string) []list.Rank {
	t := strings.ToLower(term)
	var prefix, inName []list.Rank
	seen := map[int]bool{}
	for i, target := range targets {
		name, _, _ := strings.Cut(strings.ToLower(target), " ")
		j := strings.Index(name, t)
		switch {
		case t == "" || j < 0:
			continue
		case j == 0:
			prefix = append(prefix, runeRank(i, 0, t))
		default:
			inName = append(inName, runeRank(i, j, t))
		}
		seen[i] = true
	}
	out := append(prefix, inName...)
	for _, r := range list.DefaultFilter(term, targets) {
		if !seen[r.Index] {
			out = append(out, r)
		}
	}
	return out
}

// runeRank is a match of t at byte j of an ASCII name.
func runeRank(i, j int, t string) list.Rank {
	r := list.Rank{Index: i}
	for k := range len(t) {
		r.MatchedIndexes = append(r.MatchedIndexes, j+k)
	}
	return r
}

// count puts where the selection is in the title and the filter's
// prompt: 3/19, or with a filter 1/2 of 19.
func (p *picker) count() {
	n, vis := len(p.list.Items()), len(p.list.VisibleItems())
	at := fmt.Sprintf("%d/%d", min(p.list.Index()+1, vis), n)
	if p.list.FilterState() != list.Unfiltered {
		at = fmt.Sprintf("%d/%d of %d", min(p.list.Index()+1, vis), vis, n)
	}
	p.list.Title = "Scenarios · " + at
	if prompt := "Filter (" + at + "): "; prompt != p.list.FilterInput.Prompt {
		p.list.FilterInput.Prompt = prompt
		p.list.SetSize(p.list.Width(), p.list.Height()) // the input's width is what the prompt leaves
	}
}

// first is the scenario the filter ranks first for what is typed.
func (p *picker) first() (flow.Scenario, bool) {
	items := p.list.Items()
	targets := make([]string, len(items))
	for i, it := range items {
		targets[i] = it.FilterValue()
	}
	ranks := scenarioFilter(p.list.FilterValue(), targets)
	if len(ranks) == 0 {
		return flow.Scenario{}, false
	}
	it, ok := items[ranks[0].Index].(scenarioItem)
	return it.sc, ok
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
	defer p.count()
	if km, ok := msg.(tea.KeyMsg); ok && p.filtering() && key.Matches(km, p.common.Keys.Choose) {
		if sc, ok := p.first(); ok {
			p.ask(pickScenario{sc})
		} else {
			p.ask(say{text: fmt.Sprintf("no scenario matches %q", p.list.FilterValue())})
		}
		return p, nil
	}
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
	if _, ok := msg.(list.FilterMatchesMsg); ok {
		// The list filters in a command per key, whose answers may come
		// in any order; the picker filters at once instead (below).
		return p, nil
	}
	before := p.list.FilterValue()
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	if p.filtering() && p.list.FilterValue() != before {
		p.list.SetFilterText(p.list.FilterValue())
		p.list.SetFilterState(list.Filtering)
	}
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

// expectedCode is the error a failure scenario ends in, "" for one that
// ends well.
func expectedCode(sc flow.Scenario) string {
	for i := len(sc.Steps) - 1; i >= 0; i-- {
		if c := sc.Steps[i].Expect.Code; c != "" {
			return c
		}
	}
	return ""
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
	if x := it.sc.Exercise; x != nil {
		title += d.st.Warning.Render(" · exercise (" + x.Code + ")")
	}
	if code := expectedCode(it.sc); code != "" {
		title += d.st.Warning.Render(" · expects " + code)
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
