package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
)

// errorBox draws a failed step's error: the most specific code with what
// the shared explainer says of it (title, cause, fix, documentation), the
// other codes, what went wrong behind the scenes, the error itself, and
// whether the scenario expected it. It goes in the scrolling info pane, so
// a long box scrolls like the rest.
func errorBox(e stepError, w int, st *Styles) []string {
	inner := max(10, w-st.ErrorBox.GetHorizontalFrameSize())
	var body []string
	title := "Error"
	var ex *client.Explanation
	if len(e.explained) > 0 {
		ex = &e.explained[0]
		title += " " + ex.Code + " · " + ex.Title
	} else if len(e.codes) > 0 {
		title += " " + e.codes[0]
	}
	body = append(body, proseIndented(st.Failure, title, inner, 0)...)
	switch {
	case e.expected:
		body = append(body, proseStyled(st.State.Expected, "⚑ Expected by the scenario: "+e.why, inner)...)
	case e.exercise:
		body = append(body, proseStyled(st.Warning, "✗ The exercise: this is what to fix. e changes the inputs, enter runs the step again, t gives a hint.", inner)...)
	case e.expect != "":
		want := e.expect
		if x, ok := client.ExplainCode(e.expect); ok {
			want += " (" + x.Title + ")"
		}
		body = append(body, proseStyled(st.Warning, "✗ Not what the scenario expects: it expects "+want, inner)...)
	default:
		body = append(body, proseStyled(st.Warning, "✗ The scenario does not expect this step to fail.", inner)...)
	}
	const lw = 7 // "cause  "
	if len(e.codes) > 0 {
		body = append(body, labelled("codes", strings.Join(e.codes, " · "), inner, lw, st)...)
	}
	if ex != nil {
		body = append(body, labelled("cause", ex.Cause, inner, lw, st)...)
		body = append(body, labelled("fix", ex.Fix, inner, lw, st)...)
		if ex.Doc != "" {
			for i, l := range wrapURL(ex.Doc, max(1, inner-lw)) {
				head := spaces(lw)
				if i == 0 {
					head = st.Label.Render(fmt.Sprintf("%-*s", lw, "docs"))
				}
				body = append(body, head+l)
			}
		}
	}
	for i, c := range e.behind {
		label := ""
		if i == 0 {
			label = "behind"
		}
		body = append(body, behindLines(label, c, inner, lw, st)...)
	}
	if e.message != "" {
		body = append(body, "")
		for _, l := range proseLines(e.message, inner, 0) {
			body = append(body, st.Subtle.Render(l))
		}
	}
	bs := st.ErrorBox
	if e.expected {
		bs = st.ExpectedBox
	}
	box := bs.Width(w - bs.GetHorizontalBorderSize()).Render(strings.Join(body, "\n"))
	return strings.Split(box, "\n")
}

// behindLines is a behind-the-scenes call in the error box: who called
// whom, the call on one line (its path shortened from the front), and for
// a decision of the PDP what the decision means.
func behindLines(label string, c call, w, lw int, st *Styles) []string {
	head := sanitize(c.caller + " → " + c.x.Service + ": ")
	tail := " " + statusText(c.x.Status)
	d := c.decision
	if d != "" {
		tail += " " + sanitize(d)
	}
	room := w - lw - len([]rune(head)) - len(tail)
	var out []string
	if room >= 12 {
		out = labelled(label, head+tailTruncate(sanitize(c.x.Method+" "+pathOnly(c.x.URL)), room)+tail, w, lw, st)
	} else {
		out = labelled(label, head+sanitize(c.x.Method+" "+pathOnly(c.x.URL))+tail, w, lw, st)
	}
	if e, ok := client.ExplainCode(d); ok && d != "" {
		out = append(out, labelled("", d+": "+e.Title+". "+e.Cause, w, lw, st)...)
	}
	return out
}

// labelled word-wraps text beside a label of width lw, the lines after the
// first under the text.
func labelled(label, text string, w, lw int, st *Styles) []string {
	lines := wrapWords(sanitize(text), max(1, w-lw), max(1, w-lw))
	out := make([]string, len(lines))
	for i, l := range lines {
		head := spaces(lw)
		if i == 0 {
			head = st.Label.Render(fmt.Sprintf("%-*s", lw, label))
		}
		out[i] = head + l
	}
	return out
}

// wrapURL breaks a URL into lines of at most w cells after its slashes,
// question mark and ampersands, where a reader (and most terminals'
// link detection) expects a break least to change it; a part longer than
// a line is cut.
func wrapURL(u string, w int) []string {
	var parts []string
	start := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		slashes := c == '/' && (i+1 < len(u) && u[i+1] == '/' || i > 0 && u[i-1] == '/') // "https://" stays whole
		if (c == '/' || c == '?' || c == '&') && !slashes && i+1 < len(u) {
			parts = append(parts, u[start:i+1])
			start = i + 1
		}
	}
	parts = append(parts, u[start:])
	var out []string
	line := ""
	for _, p := range parts {
		if len(line)+len(p) <= w {
			line += p
			continue
		}
		if line != "" {
			out = append(out, line)
		}
		for len(p) > w {
			out = append(out, p[:w])
			p = p[w:]
		}
		line = p
	}
	return append(out, line)
}

// stepError is a failed step's error, as the error box shows it.
type stepError struct {
	codes     []string
	explained []client.Explanation // the codes the explainer knows, most specific first
	message   string
	expected  bool   // the scenario expects exactly this failure
	expect    string // the code the scenario expects, if any
	why       string // why the scenario expects it
	behind    []call // behind-the-scenes calls that explain it
	exercise  bool   // the step an exercise delivers broken
}

// proseStyled word-wraps text and styles each line.
func proseStyled(s lipgloss.Style, text string, w int) []string {
	return proseIndented(s, text, w, 0)
}

// proseIndented word-wraps text with an indent and styles each line.
func proseIndented(s lipgloss.Style, text string, w, indent int) []string {
	lines := proseLines(text, w, indent)
	for i, l := range lines {
		lines[i] = s.Render(l)
	}
	return lines
}

// visibleWidth is a string's width in cells, escape sequences ignored.
func visibleWidth(s string) int { return ansi.StringWidth(s) }
