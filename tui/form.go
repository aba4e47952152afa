package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// inputForm edits a step's inputs before it runs. While it is open every
// key goes to it (the focus gate), so typing "q" or "r" types them.
// Closing it asks the root to set the values (or to drop them).
type inputForm struct {
	outbox
	common Common
	step   int
	title  string
	inputs []flow.Input
	fields []textinput.Model
	errs   []string
	focus  int
}

func newInputForm(c Common, step int, title string, inputs []flow.Input) *inputForm {
	f := &inputForm{common: c, step: step, title: title, inputs: inputs, errs: make([]string, len(inputs))}
	for i, in := range inputs {
		t := textinput.New()
		restyleInput(&t, c.Renderer)
		t.Prompt = "› "
		t.SetValue(in.Value)
		t.CharLimit = 200
		if i == 0 {
			t.Focus()
		}
		f.fields = append(f.fields, t)
	}
	f.SetSize(c.Width, c.Height)
	return f
}

// SetSize implements Component: the fields fit the width.
func (f *inputForm) SetSize(w, h int) {
	f.common = f.common.sized(w, h)
	for i := range f.fields {
		f.fields[i].Width = max(10, w-8)
	}
}

// Init implements tea.Model.
func (f *inputForm) Init() tea.Cmd { return nil }

// Update implements tea.Model: esc cancels, enter saves the values if
// they are valid, tab moves between fields; anything else (the cursor's
// blink among it) is the focused field's.
func (f *inputForm) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := f.common.Keys
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, k.Cancel):
			f.ask(inputsDone{})
			return f, nil
		case key.Matches(km, k.Save):
			if vals, ok := f.validate(); ok {
				f.ask(inputsDone{values: vals})
			}
			return f, nil
		case key.Matches(km, k.NextField):
			return f, f.move(1)
		case key.Matches(km, k.PrevField):
			return f, f.move(-1)
		}
	}
	var cmd tea.Cmd
	f.fields[f.focus], cmd = f.fields[f.focus].Update(msg)
	return f, cmd
}

// validate checks every field, noting what is wrong under it; ok is
// false when one is.
func (f *inputForm) validate() (vals map[flow.Param]string, ok bool) {
	vals = map[flow.Param]string{}
	ok = true
	for i, in := range f.inputs {
		v := strings.TrimSpace(f.fields[i].Value())
		f.errs[i] = ""
		if err := flow.ValidateParam(in.Param, v); err != nil {
			f.errs[i] = err.Error()
			ok = false
		}
		vals[in.Param] = v
	}
	return vals, ok
}

func (f *inputForm) move(d int) tea.Cmd {
	f.fields[f.focus].Blur()
	f.focus = (f.focus + d + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].Focus()
}

// ShortHelp implements help.KeyMap.
func (f *inputForm) ShortHelp() []key.Binding {
	k := f.common.Keys
	return []key.Binding{k.NextField, k.Save, k.Cancel}
}

// FullHelp implements help.KeyMap.
func (f *inputForm) FullHelp() [][]key.Binding {
	k := f.common.Keys
	return [][]key.Binding{{k.NextField, k.PrevField}, {k.Save, k.Cancel}}
}

// View implements tea.Model: the form in its box. It is a handful of
// lines, drawn each frame for the cursor.
func (f *inputForm) View() string {
	st, w, h := f.common.Styles, f.common.Width, f.common.Height
	var out []string
	out = append(out, st.Title.Render("Edit inputs · "+f.title), "")
	for i, in := range f.inputs {
		label := st.Label.Render(in.Label)
		if i == f.focus {
			label = st.Bold.Render("▶ ") + label
		} else {
			label = "  " + label
		}
		out = append(out, label, "  "+f.fields[i].View())
		for _, l := range proseLines(in.Help, w, 4) {
			out = append(out, st.Subtle.Render(l))
		}
		if f.errs[i] != "" {
			out = append(out, proseIndented(st.Failure, f.errs[i], w, 4)...)
		}
		out = append(out, "")
	}
	out = append(out, st.Subtle.Render("The inputs are the scenario's: a change holds for every step that uses them."))
	for i, l := range out {
		out[i] = ansi.Truncate(l, w, "…")
	}
	if len(out) > h {
		// Keep the focused field in view on a short terminal.
		start := 0
		for i, l := range out {
			if strings.Contains(l, "▶ ") {
				start = max(0, min(i-1, len(out)-h))
				break
			}
		}
		out = out[start : start+h]
	}
	return st.style().Width(w).Height(h).Render(strings.Join(out, "\n"))
}
