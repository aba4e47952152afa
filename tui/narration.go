package tui

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/glamour"
	gansi "github.com/charmbracelet/glamour/ansi"
	gstyles "github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
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
//
// Glamour's own word wrap (muesli/reflow's wordwrap) miscounts a line
// where a style ends next to a space, as it does around every inline
// code span: the escape sequence is taken for a word, the spaces before
// it are committed to the line early, and the line breaks a word or two
// too soon, leaving a lone "and" on a line of its own. So glamour renders
// without wrapping, and wrapANSI wraps its lines at the pane's width, at
// spaces only (an id such as ske-krav-og-betalinger stays whole), each
// line under its own indent, a list item's under its text.

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
	// The renderer does not wrap, so one serves every width.
	l := splitNarration(renderNarration(n.renderer(rendererKey{style: rk.style}, st), md, w, st))
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
	// No word wrap: wrapNarration wraps the lines (see above).
	r, err := glamour.NewTermRenderer(
		glamour.WithStyles(st.Markdown.config),
		glamour.WithWordWrap(0),
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
		lines = wrapNarration(trimBlankEnds(strings.Split(out, "\n")), w)
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

// wrapNarration wraps glamour's unwrapped lines to w: each at its own
// indent, the lines a list item wraps onto under its text, not under its
// bullet.
func wrapNarration(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		l = trimRightANSI(l)
		if ansi.StringWidth(l) <= w {
			out = append(out, l)
			continue
		}
		plain := ansi.Strip(l)
		text := strings.TrimLeft(plain, " ")
		indent := len(plain) - len(text)
		hang := indent
		if strings.HasPrefix(text, "• ") {
			hang += 2 // the bullet and its space
		}
		hang = min(hang, w/2)
		first := true
		for _, piece := range wrapANSI(l, w, w-hang) {
			if !first {
				piece = spaces(hang) + piece
			}
			first = false
			out = append(out, piece)
		}
	}
	return out
}

// wrapANSI word-wraps a styled line at spaces only, the first line to w1
// cells and the others to w2, escape sequences taking no room. A style
// open at a break is closed at the end of the line and opened again at
// the start of the next; the spaces at a break go. A word longer than a
// line gets a line of its own (the caller breaks it).
func wrapANSI(s string, w1, w2 int) []string {
	var (
		out           []string
		line          strings.Builder // the line so far
		pending, word strings.Builder // spaces and escapes since the last word; the word
		active        strings.Builder // the SGR sequences in force
		atWord        string          // active when the word began
		lineW, spW    int
		wordW         int
		limit         = w1
	)
	endLine := func() {
		l := line.String()
		if strings.IndexByte(l, '\x1b') >= 0 {
			l += "\x1b[0m"
		}
		out = append(out, l)
		line.Reset()
		lineW, limit = 0, w2
	}
	flushWord := func() {
		if word.Len() == 0 {
			return
		}
		for word.Len() > 0 {
			w := word.String()
			switch {
			case lineW+spW+wordW <= limit || (lineW == 0 && wordW <= limit):
				line.WriteString(pending.String())
				line.WriteString(w)
				lineW += spW + wordW
				word.Reset()
			case lineW > 0 && (wordW <= w2 || limit-lineW-spW < 8):
				// Break: the spaces go; the escapes among them are in
				// force as the word begins, so they open the next line.
				endLine()
				line.WriteString(atWord)
				spW = 0
				pending.Reset()
				continue
			default:
				// Too long for any line (a URL, a path): fill the line up
				// to a break after a / ? & = where one is near, and go on
				// with the rest.
				cut := max(1, wordCut(ansi.Strip(w), limit-lineW-spW))
				line.WriteString(pending.String())
				line.WriteString(ansi.Truncate(w, cut, ""))
				rest := ansi.TruncateLeft(w, cut, "")
				endLine()
				atWord += escapesBefore(w, cut)
				line.WriteString(atWord)
				word.Reset()
				word.WriteString(rest)
				wordW = ansi.StringWidth(rest)
				spW = 0
				pending.Reset()
				continue
			}
		}
		pending.Reset()
		spW, wordW = 0, 0
	}
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			seq, n := escapeAt(s[i:])
			if word.Len() > 0 {
				word.WriteString(seq)
			} else {
				pending.WriteString(seq)
			}
			trackSGR(&active, seq)
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		// A space with a background is inside a styled span (glamour pads
		// an inline code span so): no break there.
		if r == ' ' && !hasBackground(active.String()) {
			flushWord()
			pending.WriteByte(' ')
			spW++
			continue
		}
		if word.Len() == 0 {
			atWord = active.String()
		}
		word.WriteRune(r)
		wordW += runewidth.RuneWidth(r)
	}
	flushWord()
	line.WriteString(pending.String())
	return append(out, line.String())
}

// wordCut is where to break a word too long for its line, in room
// cells: after the last space (inside a code span), / ? & = or , that
// leaves at least half the room used, else at the room's end.
func wordCut(plain string, room int) int {
	r := []rune(plain)
	if room <= 0 {
		return 0
	}
	if room >= len(r) {
		return len(r)
	}
	for i := room; i > room/2; i-- {
		if strings.ContainsRune(" /?&=,", r[i-1]) {
			return i
		}
	}
	return room
}

// escapesBefore is the SGR sequences in the first n cells of s, so that
// the rest of a word broken there keeps its style.
func escapesBefore(s string, n int) string {
	var b strings.Builder
	cells := 0
	for i := 0; i < len(s) && cells < n; {
		if s[i] == '\x1b' {
			seq, k := escapeAt(s[i:])
			b.WriteString(seq)
			i += k
			continue
		}
		r, k := utf8.DecodeRuneInString(s[i:])
		cells += runewidth.RuneWidth(r)
		i += k
	}
	return b.String()
}

// escapeAt is the escape sequence at the start of s and its length: a
// CSI sequence up to its final byte, else the ESC and the byte after it.
func escapeAt(s string) (string, int) {
	if len(s) > 1 && s[1] == '[' {
		for j := 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return s[:j+1], j + 1
			}
		}
		return s, len(s)
	}
	return s[:min(2, len(s))], min(2, len(s))
}

// hasBackground reports whether SGR sequences leave a background colour
// set.
func hasBackground(sgr string) bool {
	bg := false
	for _, seq := range strings.Split(sgr, "\x1b[") {
		params := strings.Split(strings.TrimSuffix(seq, "m"), ";")
		for j := 0; j < len(params); j++ {
			switch p := params[j]; {
			case p == "0" || p == "" && len(params) == 1 && seq != "" || p == "49":
				bg = false
			case p == "48":
				bg = true
				if j+1 < len(params) && params[j+1] == "5" {
					j += 2
				} else if j+1 < len(params) && params[j+1] == "2" {
					j += 4
				}
			case p == "38":
				if j+1 < len(params) && params[j+1] == "5" {
					j += 2
				} else if j+1 < len(params) && params[j+1] == "2" {
					j += 4
				}
			case len(p) == 2 && p[0] == '4' && p[1] >= '0' && p[1] <= '7',
				len(p) == 3 && p[:2] == "10" && p[2] >= '0' && p[2] <= '7':
				bg = true
			}
		}
	}
	return bg
}

// trackSGR keeps the SGR sequences in force since the last reset.
func trackSGR(active *strings.Builder, seq string) {
	if !strings.HasSuffix(seq, "m") || !strings.HasPrefix(seq, "\x1b[") {
		return
	}
	if seq == "\x1b[0m" || seq == "\x1b[m" {
		active.Reset()
		return
	}
	active.WriteString(seq)
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
