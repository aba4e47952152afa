package tui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/glamour"
	gansi "github.com/charmbracelet/glamour/ansi"
	gstyles "github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/flow"
)

// The step's narration (flow.Narration, Markdown) is rendered with glamour
// into the info pane's lines: once per step, width and style, when sync
// finds the info pane stale, never in View. Building a glamour renderer
// costs more than a render, so there is one per width and style.
//
// Glamour breaks a long URL at dots and hyphens, which a reader cannot
// follow or copy; so the links become numbered references ("the JWT
// grant [1]") and the URLs are listed after the text, broken only after a
// slash, as the error box does.

// markdownStyle is the glamour style the narration is rendered in, chosen
// once with the rest of the Styles.
type markdownStyle struct {
	// name tells the styles apart in the caches: "dark", "light" or
	// "notty", with "+present" for presenter mode.
	name    string
	config  gansi.StyleConfig
	profile termenv.Profile
}

// markdownStyleName is glamour's style for the session's terminal: notty
// where there is no colour (NO_COLOR, a dumb terminal: the renderer's
// profile is Ascii), otherwise dark or light for its background.
func markdownStyleName(profile termenv.Profile, dark bool) string {
	switch {
	case profile == termenv.Ascii:
		return gstyles.NoTTYStyle
	case dark:
		return gstyles.DarkStyle
	}
	return gstyles.LightStyle
}

// newMarkdownStyle builds the narration's glamour style from the colour
// profile and background of the session's renderer (not the process's
// terminal); present makes it high contrast.
func newMarkdownStyle(r *lipgloss.Renderer, present bool) markdownStyle {
	profile := r.ColorProfile()
	dark := r.HasDarkBackground()
	name := markdownStyleName(profile, dark)
	c := markdownConfig(name, dark, present)
	if present {
		name += "+present"
	}
	return markdownStyle{name: name, config: c, profile: profile}
}

// markdownConfig is glamour's named style, fitted to the info pane, and
// made high contrast when present.
func markdownConfig(name string, dark, present bool) gansi.StyleConfig {
	base, ok := gstyles.DefaultStyles[name]
	if !ok {
		base = &gstyles.NoTTYStyleConfig
	}
	c := *base // the fields below get new values; the shared defaults stay as they are
	// The info pane puts its own space around sections.
	c.Document.BlockPrefix, c.Document.BlockSuffix = "", ""
	margin := uint(2)
	c.Document.Margin = &margin
	// The heading over the facts: coloured and bold, without "### ".
	c.H3.Prefix = ""
	if present && name != gstyles.NoTTYStyle {
		// Bright text, bold headings, for a projector.
		text, head := "231", "226"
		if !dark {
			text, head = "16", "19"
		}
		bold := true
		c.Document.Color = &text
		c.Heading.Color, c.Heading.Bold = &head, &bold
		c.H3.Color, c.H3.Bold = &head, &bold
		c.Strong.Bold = &bold
	}
	return c
}

// narrationLines is a rendered narration, in the two parts the info pane
// shows in two sections: what happens and why, and the facts to point at
// with the references to the links.
type narrationLines struct {
	what, points []string
}

// narrator renders narrations and keeps them, with the renderers.
type narrator struct {
	renderers map[rendererKey]*glamour.TermRenderer
	cache     map[narrationKey]narrationLines
	// renders counts the narrations rendered (not served from the
	// cache), so tests can see that View renders nothing.
	renders int
}

type rendererKey struct {
	style string
	width int
}

type narrationKey struct {
	step string
	rendererKey
}

func newNarrator() *narrator {
	return &narrator{renderers: map[rendererKey]*glamour.TermRenderer{}, cache: map[narrationKey]narrationLines{}}
}

// lines is the step's narration rendered to width w in the styles'
// Markdown style; empty when the step has none.
func (n *narrator) lines(stepID string, w int, st *Styles) narrationLines {
	return n.markdown(stepID, flow.Narration(stepID), w, st)
}

// forStep is lines for a step of a scenario, whose file may give it a
// narration of its own (flow.Step.Narration).
func (n *narrator) forStep(s flow.Step, w int, st *Styles) narrationLines {
	md := s.Narration()
	if md == flow.Narration(s.ID) {
		return n.markdown(s.ID, md, w, st)
	}
	return n.markdown("\x00"+md, md, w, st) // a scenario's own: cached by its text
}

// markdown renders md, cached under key.
func (n *narrator) markdown(key, md string, w int, st *Styles) narrationLines {
	if n == nil || md == "" {
		return narrationLines{}
	}
	rk := rendererKey{style: st.Markdown.name, width: w}
	k := narrationKey{step: key, rendererKey: rk}
	if l, ok := n.cache[k]; ok {
		return l
	}
	if len(n.cache) > 512 { // many sizes seen: start over rather than grow
		n.cache = map[narrationKey]narrationLines{}
	}
	n.renders++
	l := splitNarration(renderNarration(n.renderer(rk, st), md, w, st))
	n.cache[k] = l
	return l
}

// splitNarration cuts a rendered narration at its heading: the lines
// before it and the lines after it, without the heading, whose place the
// info pane's own section title takes.
func splitNarration(lines []string) narrationLines {
	for i, l := range lines {
		if strings.TrimLeft(strings.TrimSpace(ansi.Strip(l)), "# ") == flow.NarrationHeading {
			return narrationLines{what: trimBlankEnds(lines[:i]), points: trimBlankEnds(lines[i+1:])}
		}
	}
	return narrationLines{what: lines}
}

// renderer is glamour's renderer for a style and width, built once.
func (n *narrator) renderer(k rendererKey, st *Styles) *glamour.TermRenderer {
	if r, ok := n.renderers[k]; ok {
		return r
	}
	if len(n.renderers) > 16 {
		n.renderers = map[rendererKey]*glamour.TermRenderer{}
	}
	// Two columns less than the pane: the lines of a list item are
	// indented under its text after rendering (see hangItems).
	r, err := glamour.NewTermRenderer(
		glamour.WithStyles(st.Markdown.config),
		glamour.WithWordWrap(max(8, k.width-2)),
		glamour.WithColorProfile(st.Markdown.profile),
	)
	if err != nil {
		return nil
	}
	n.renderers[k] = r
	return r
}

// mdLink is a Markdown link to a web page.
var mdLink = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s]+)\)`)

// renderNarration renders a narration to lines no wider than w: glamour
// for the text, then the references to the links.
func renderNarration(r *glamour.TermRenderer, md string, w int, st *Styles) []string {
	var urls []string
	md = mdLink.ReplaceAllStringFunc(md, func(s string) string {
		m := mdLink.FindStringSubmatch(s)
		urls = append(urls, m[2])
		return fmt.Sprintf("%s [%d]", m[1], len(urls))
	})
	var lines []string
	out, err := "", error(nil)
	if r != nil {
		out, err = r.Render(md)
	}
	if r == nil || err != nil {
		lines = proseLines(md, w, 2) // glamour failed: the Markdown as text
	} else {
		lines = hangItems(trimBlankEnds(strings.Split(out, "\n")))
	}
	var fitted []string
	for _, l := range lines {
		l = trimRightANSI(l)
		if ansi.StringWidth(l) <= w {
			fitted = append(fitted, l)
			continue
		}
		// A long code span glamour could not break.
		fitted = append(fitted, strings.Split(ansi.Hardwrap(l, w, true), "\n")...)
	}
	if len(urls) > 0 {
		fitted = append(fitted, "")
	}
	for i, u := range urls {
		head := fmt.Sprintf("  [%d] ", i+1)
		for j, piece := range wrapURL(u, max(8, w-len(head))) {
			lead := head
			if j > 0 {
				lead = spaces(len(head))
			}
			fitted = append(fitted, st.Subtle.Render(lead)+piece)
		}
	}
	return fitted
}

// trimBlankEnds drops the blank lines before and after the text.
func trimBlankEnds(lines []string) []string {
	blank := func(l string) bool { return strings.TrimSpace(ansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// hangItems indents the lines a list item wraps onto under its text, not
// under its bullet, as glamour leaves them.
func hangItems(lines []string) []string {
	inItem := false
	for i, l := range lines {
		text := strings.TrimLeft(ansi.Strip(l), " ")
		switch {
		case strings.TrimSpace(text) == "":
			inItem = false
		case strings.HasPrefix(text, "• "):
			inItem = true
		case inItem:
			lines[i] = "  " + l
		}
	}
	return lines
}

// trimRightANSI drops the spaces glamour pads a line with, escape
// sequences and all.
func trimRightANSI(s string) string {
	plain := ansi.Strip(s)
	trimmed := strings.TrimRight(plain, " ")
	if len(trimmed) == len(plain) && !strings.HasSuffix(s, " ") {
		return s
	}
	if trimmed == "" {
		return ""
	}
	cut := ansi.Truncate(s, ansi.StringWidth(trimmed), "")
	if strings.ContainsRune(cut, '\x1b') {
		cut += "\x1b[0m"
	}
	return cut
}
