package tui

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/systembruker/workbench/flow"
)

// KeyMap is every key binding of the workbench. It drives both the key
// handling and the help footer: each screen lists the bindings it
// handles (its ShortHelp and FullHelp), and the root adds the global ones.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	NextPane key.Binding
	PrevPane key.Binding
	NextItem key.Binding // next exchange or token pair
	PrevItem key.Binding

	Open     key.Binding // overview: open the selected step
	Run      key.Binding // step: run it
	RunAll   key.Binding
	NextStep key.Binding
	PrevStep key.Binding
	Actor    key.Binding // 1-5
	Edit     key.Binding
	Copy     key.Binding
	OpenURL  key.Binding // the confirm URL, in the browser
	ZoomQR   key.Binding // the confirm URL's QR code, full screen
	// At a step that waits for the user: Yes writes to the register, or
	// says the person's task is done; after a rejection, DeleteAsk and
	// NewRef are the two ways on.
	Yes       key.Binding
	DeleteAsk key.Binding
	NewRef    key.Binding
	// Hint gives an exercise's next hint.
	Hint key.Binding

	Scenarios key.Binding
	Back      key.Binding
	Help      key.Binding
	Quit      key.Binding

	// Editing inputs.
	NextField key.Binding
	PrevField key.Binding
	Save      key.Binding
	Cancel    key.Binding

	// Picking a scenario.
	Choose key.Binding

	// Export writes the run's transcripts (Markdown, curl, .http).
	Export key.Binding

	// The step screen's panes.
	Wrap        key.Binding // a request or response pane: wrap, or scroll sideways
	ScrollLeft  key.Binding // an unwrapped pane, sideways (else PrevItem)
	ScrollRight key.Binding
	Decode      key.Binding // the tokens of a request or response, decoded in place
	CopyCurl    key.Binding // the exchange as a curl command
	CopyJSON    key.Binding // a token's claims as JSON
	Search      key.Binding // search the focused pane
	NextMatch   key.Binding // while a search is on (else NextStep)
	PrevMatch   key.Binding

	// Message shows the status message whole, where the header line cut
	// it.
	Message key.Binding

	// Presenter mode's auto-advance.
	PlayPause   key.Binding // pause or resume; at the end, play again
	PresentNext key.Binding // skip ahead to the next view now
	PresentPrev key.Binding // back to the previous view
	PaceUp      key.Binding // more time per view
	PaceDown    key.Binding // less time per view
	Manual      key.Binding // leave auto-advance
	Auto        key.Binding // back to auto-advance
	Story       key.Binding // the story view, or the engineer's views

	// Compare puts another run beside this one (compare.go);
	// ShowExpected shows what always differs there too.
	Compare      key.Binding
	ShowExpected key.Binding
}

// DefaultKeyMap returns the workbench's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),

		NextPane: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("⇧tab", "previous pane")),
		NextItem: key.NewBinding(key.WithKeys("]", "right", "l"), key.WithHelp("]", "next exchange")),
		PrevItem: key.NewBinding(key.WithKeys("[", "left", "h"), key.WithHelp("[", "previous exchange")),

		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open step")),
		Run:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run step")),
		RunAll:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run scenario")),
		NextStep:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		PrevStep:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous step")),
		Actor:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "actor")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit inputs")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy body/token")),
		OpenURL:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open URL")),
		ZoomQR:    key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "QR full screen")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		DeleteAsk: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete request, ask again")),
		NewRef:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "ask with a new externalRef")),
		Hint:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "hint")),

		Scenarios: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scenarios")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Save:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),

		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),

		Export: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export transcripts")),

		Wrap:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "wrap/sideways")),
		ScrollLeft:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←h", "left")),
		ScrollRight: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→l", "right")),
		Decode:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "decode tokens")),
		CopyCurl:    key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy as curl")),
		CopyJSON:    key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "copy claims as JSON")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextMatch:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevMatch:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),

		Message: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "whole message")),

		PlayPause:   key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause")),
		PresentNext: key.NewBinding(key.WithKeys("right", "n"), key.WithHelp("→/n", "next")),
		PresentPrev: key.NewBinding(key.WithKeys("left", "p"), key.WithHelp("←/p", "back")),
		PaceUp:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "slower")),
		PaceDown:    key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "faster")),
		Manual:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "manual")),
		Auto:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-advance")),
		Story:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "story/engineer")),

		Compare:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "another run beside")),
		ShowExpected: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "show what always differs")),
	}
}

// ShortHelp implements help.KeyMap: the active screen's keys that matter
// most, then ? and q. While the form is open it takes every key, so its
// own are all there is; while auto-advance is on its keys come first.
func (m Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	switch {
	case m.form != nil:
		return m.form.ShortHelp()
	case m.pres.auto && m.screen != screenPicker:
		keys := append(m.pres.shortHelp(k), k.Help, k.Quit)
		if shortHelpWidth(keys) > m.common.Width {
			// A projector's screen keeps its keys on one line: esc stays
			// in the full help (?).
			keys = slices.DeleteFunc(keys, func(b key.Binding) bool { return b.Help() == k.Manual.Help() })
		}
		return keys
	}
	return append(m.activeShortHelp(), k.Help, k.Quit)
}

// FullHelp implements help.KeyMap: every key of the active screen, in
// columns, then a column of the global keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.common.Keys
	switch {
	case m.form != nil:
		return m.form.FullHelp()
	case m.pres.auto && m.screen != screenPicker:
		return append(m.pres.fullHelp(k), []key.Binding{k.Help, k.Quit})
	}
	cols := m.activeFullHelp()
	var last []key.Binding
	if m.pres.on && m.screen != screenPicker && !m.zoom && !listed(cols, k.Auto) {
		last = append(last, k.Auto)
	}
	return append(cols, append(last, k.Help, k.Quit))
}

// listed reports whether a screen's help has a binding already (the step
// screen puts a, back to auto-advance, among its moves).
func listed(cols [][]key.Binding, b key.Binding) bool {
	for _, col := range cols {
		for _, c := range col {
			if c.Help() == b.Help() {
				return true
			}
		}
	}
	return false
}

// sharedKey is the request of a key the overview and the step screen
// share: the picker, a whole run, the export, an actor's first step.
func sharedKey(msg tea.KeyMsg, k *KeyMap) (request, bool) {
	switch {
	case key.Matches(msg, k.Scenarios):
		return openPicker{}, true
	case key.Matches(msg, k.RunAll):
		return runScenario{}, true
	case key.Matches(msg, k.Export):
		return exportRun{}, true
	case key.Matches(msg, k.Hint):
		return showHint{}, true
	case key.Matches(msg, k.Actor):
		return jumpToActor{flow.Actors[int(msg.Runes[0]-'1')]}, true
	}
	return nil, false
}

// scrollKey moves the pane by the scroll keys (arrows, j/k, page, top,
// bottom), the same on every screen; it reports whether it was one.
func scrollKey(p *pane, msg tea.KeyMsg, k *KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		p.scroll(-1)
	case key.Matches(msg, k.Down):
		p.scroll(1)
	case key.Matches(msg, k.PageUp):
		p.page(-1)
	case key.Matches(msg, k.PageDown):
		p.page(1)
	case key.Matches(msg, k.Top):
		p.top()
	case key.Matches(msg, k.Bottom):
		p.bottom()
	default:
		return false
	}
	return true
}

// joined stands for two bindings in help, where there is no room for
// each: "n/p next/prev step".
func joined(a, b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...),
		key.WithHelp(a.Help().Key+"/"+b.Help().Key, desc))
}

// paired is two bindings under one short label: "→/← next/back".
func paired(a, b key.Binding, keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(keys, desc))
}

// relabel is a binding with another description: ZoomQR as "QR code",
// NextPane as "pane".
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// shortHelpWidth is the width of bindings in one line of short help
// ("k desc" joined by " • ").
func shortHelpWidth(bindings []key.Binding) int {
	w := 0
	for i, b := range bindings {
		if i > 0 {
			w += lipgloss.Width(" • ")
		}
		w += lipgloss.Width(b.Help().Key) + 1 + lipgloss.Width(b.Help().Desc)
	}
	return w
}
