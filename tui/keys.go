package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding of the workbench. It drives both the key
// handling and the help footer: the bindings that do not apply to the
// active screen are left out of help by the root's ShortHelp/FullHelp.
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

	// Presenter mode's auto-advance.
	PlayPause   key.Binding // pause or resume; at the end, play again
	PresentNext key.Binding // skip ahead to the next view now
	PresentPrev key.Binding // back to the previous view
	PaceUp      key.Binding // more time per view
	PaceDown    key.Binding // less time per view
	Manual      key.Binding // leave auto-advance
	Auto        key.Binding // back to auto-advance
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

		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open step")),
		Run:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run step")),
		RunAll:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run scenario")),
		NextStep: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		PrevStep: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous step")),
		Actor:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "actor")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit inputs")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy body/token")),
		OpenURL:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open URL")),
		ZoomQR:   key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "QR full screen")),

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

		PlayPause:   key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause")),
		PresentNext: key.NewBinding(key.WithKeys("right", "n"), key.WithHelp("→/n", "next")),
		PresentPrev: key.NewBinding(key.WithKeys("left", "p"), key.WithHelp("←/p", "back")),
		PaceUp:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "slower")),
		PaceDown:    key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "faster")),
		Manual:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "manual")),
		Auto:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-advance")),
	}
}

// ShortHelp implements help.KeyMap: the keys of the active screen that
// matter most, ending with ? and q.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.editing():
		return []key.Binding{k.NextField, k.Save, k.Cancel}
	case m.screen == screenPicker:
		return []key.Binding{k.Up, k.Down, k.Choose, k.Back, k.Quit}
	case m.auto:
		return []key.Binding{m.playBinding(), paired(k.PresentNext, k.PresentPrev, "→/←", "next/back"),
			paired(k.PaceUp, k.PaceDown, "+/-", "pace"), k.Manual, k.Help, k.Quit}
	case m.screen == screenStep && m.hasConfirm:
		// The URL's keys first: they are what the step is for.
		keys := []key.Binding{k.OpenURL, m.copyBinding()}
		if m.confirm.qr != nil {
			keys = append(keys, qrHelp(k))
		}
		return append(keys, m.runBinding(), k.Help, k.Quit)
	case m.screen == screenStep:
		return []key.Binding{m.runBinding(), joined(k.NextStep, k.PrevStep, "next/prev step"), paneHelp(k), k.Back, k.Help, k.Quit}
	}
	return []key.Binding{k.Open, k.RunAll, k.Actor, k.Scenarios, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap: every key of the active screen, in
// columns.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	switch {
	case m.editing():
		return [][]key.Binding{{k.NextField, k.PrevField}, {k.Save, k.Cancel}}
	case m.screen == screenPicker:
		return [][]key.Binding{{k.Up, k.Down}, {k.Choose, k.Back, k.Quit}}
	case m.auto:
		return [][]key.Binding{
			{m.playBinding(), k.PresentNext, k.PresentPrev},
			{k.PaceUp, k.PaceDown, k.Manual},
			{joined(k.NextPane, k.PrevPane, "pane"), joined(k.Up, k.Down, "scroll"), k.Export},
			{k.Help, k.Quit},
		}
	case m.screen == screenStep:
		first := []key.Binding{m.runBinding(), k.RunAll, k.Edit, m.copyBinding(), k.Export}
		if m.hasConfirm {
			first = append(first, k.OpenURL)
			if m.confirm.qr != nil {
				first = append(first, k.ZoomQR)
			}
		}
		nav := []key.Binding{joined(k.NextStep, k.PrevStep, "next/prev step"), k.Actor, k.Back, k.Scenarios}
		if m.present {
			nav = append(nav, k.Auto)
		}
		return [][]key.Binding{
			first,
			nav,
			{joined(k.NextPane, k.PrevPane, "pane"), m.itemsHelp(), joined(k.Up, k.Down, "scroll"), joined(k.PageUp, k.PageDown, "page")},
			{k.Help, k.Quit},
		}
	}
	last := []key.Binding{k.Help, k.Quit}
	if m.present {
		last = []key.Binding{k.Auto, k.Help, k.Quit}
	}
	return [][]key.Binding{
		{k.Open, k.RunAll, k.Actor},
		{k.Up, k.Down, joined(k.PageUp, k.PageDown, "page")},
		{k.NextPane, k.Scenarios, k.Export},
		last,
	}
}

// playBinding is PlayPause, labelled for what it does now.
func (m Model) playBinding() key.Binding {
	b := m.keys.PlayPause
	switch {
	case m.finished:
		b.SetHelp("space", "play again")
	case !m.playing:
		b.SetHelp("space", "play")
	}
	return b
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

// paneHelp is NextPane, short.
func paneHelp(k KeyMap) key.Binding {
	b := k.NextPane
	b.SetHelp(b.Help().Key, "pane")
	return b
}

// qrHelp is ZoomQR, short.
func qrHelp(k KeyMap) key.Binding {
	b := k.ZoomQR
	b.SetHelp(b.Help().Key, "QR code")
	return b
}

// copyBinding is Copy, labelled for what it copies: the confirm URL from
// the info section of a step that shows one.
func (m Model) copyBinding() key.Binding {
	b := m.keys.Copy
	if m.hasConfirm && m.step.section == sectionInfo {
		b.SetHelp(b.Help().Key, "copy URL")
	}
	return b
}

// runBinding is Run, labelled for the step's state.
func (m Model) runBinding() key.Binding {
	b := m.keys.Run
	if r := m.runs[m.cur]; r.outcome != 0 {
		b.SetHelp("enter", "run again")
	}
	return b
}

// itemsHelp stands for NextItem and PrevItem, labelled for the section.
func (m Model) itemsHelp() key.Binding {
	what := "exchange"
	if m.step.section == sectionTokens {
		what = "token"
	}
	return joined(m.keys.PrevItem, m.keys.NextItem, what)
}
