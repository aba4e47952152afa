package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// inputForm edits a step's inputs before it runs. While it is open every
// key goes to it (the focus gate), so typing "q" or "r" types them.
type inputForm struct {
	step   int
	title  string
	inputs []flow.Input
	fields []textinput.Model
	errs   []string
	focus  int
}

// formResult is what closing the form decided: the values to set, or
// nothing when cancelled.
type formResult struct {
	done   bool
	values map[flow.Param]string
}

func newInputForm(step int, title string, inputs []flow.Input, w int) *inputForm {
	f := &inputForm{step: step, title: title, inputs: inputs, errs: make([]string, len(inputs))}
	for i, in := range inputs {
		t := textinput.New()
		t.Prompt = "› "
		t.SetValue(in.Value)
		t.CharLimit = 200
		t.Width = max(10, w-8)
		if i == 0 {
			t.Focus()
		}
		f.fields = append(f.fields, t)
	}
	return f
}

// update handles a message while the form is open.
func (f *inputForm) update(msg tea.Msg, k KeyMap) (tea.Cmd, formResult) {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, k.Cancel):
			return nil, formResult{done: true}
		case key.Matches(km, k.Save):
			vals := map[flow.Param]string{}
			bad := false
			for i, in := range f.inputs {
				v := strings.TrimSpace(f.fields[i].Value())
				f.errs[i] = ""
				if err := flow.ValidateParam(in.Param, v); err != nil {
					f.errs[i] = err.Error()
					bad = true
				}
				vals[in.Param] = v
			}
			if bad {
				return nil, formResult{}
			}
			return nil, formResult{done: true, values: vals}
		case key.Matches(km, k.NextField):
			return f.move(1), formResult{}
		case key.Matches(km, k.PrevField):
			return f.move(-1), formResult{}
		}
	}
	var cmd tea.Cmd
	f.fields[f.focus], cmd = f.fields[f.focus].Update(msg)
	return cmd, formResult{}
}

func (f *inputForm) move(d int) tea.Cmd {
	f.fields[f.focus].Blur()
	f.focus = (f.focus + d + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].Focus()
}

// setWidth fits the fields to a new width.
func (f *inputForm) setWidth(w int) {
	for i := range f.fields {
		f.fields[i].Width = max(10, w-8)
	}
}

// view draws the form in a w×h box. It is a handful of lines, drawn each
// frame for the cursor.
func (f *inputForm) view(w, h int, st *Styles) string {
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
	return lipgloss.NewStyle().Width(w).Height(h).Render(strings.Join(out, "\n"))
}
