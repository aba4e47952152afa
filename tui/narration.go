package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/lazyre"
)

// The step's narration (flow.Narration, Markdown) is rendered by
// renderMarkdown (markdown.go) into the info pane's lines: once per step,
// width and style, when sync finds the info pane stale, never in View.
//
// The links become numbered references ("the JWT grant [1]") and the
// URLs are listed after the text, broken only after a slash, as the
// error box does: a URL broken at its dots and hyphens cannot be
// followed or copied.
//
// renderMarkdown does not wrap; wrapNarration wraps its lines at the
// pane's width, at spaces only (an id such as ske-krav-og-betalinger
// stays whole, and so does an inline code span), each line under its own
// indent, a list item's under its text.

// narrationLines is a rendered narration, in the two parts the info pane
// shows in two sections: what happens and why, and the facts to point at
// with the references to the links.
type narrationLines struct {
	what, points []string
}

// narrator renders narrations and keeps them.
type narrator struct {
	cache map[narrationKey]narrationLines
	// renders counts the narrations rendered (not served from the
	// cache), so tests can see that View renders nothing.
	renders int
}

type narrationKey struct {
	step  string
	style string
	width int
}

func newNarrator() *narrator {
	return &narrator{cache: map[narrationKey]narrationLines{}}
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
	k := narrationKey{step: key, style: st.Markdown.name, width: w}
	if l, ok := n.cache[k]; ok {
		return l
	}
	if len(n.cache) > 512 { // many sizes seen: start over rather than grow
		n.cache = map[narrationKey]narrationLines{}
	}
	n.renders++
	l := splitNarration(renderNarration(md, w, st))
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

// itemMarker is a rendered list item's bullet or number.
var itemMarker = lazyre.New(`^(• |\d{1,9}[.)] )`)

// mdLink is a Markdown link to a web page.
var mdLink = lazyre.New(`\[([^\]]+)\]\((https?://[^)\s]+)\)`)

// renderNarration renders a narration to lines no wider than w: the
// text, then the references to the links.
func renderNarration(md string, w int, st *Styles) []string {
	var urls []string
	md = mdLink.ReplaceAllStringFunc(md, func(s string) string {
		m := mdLink.FindStringSubmatch(s)
		urls = append(urls, m[2])
		return fmt.Sprintf("%s [%d]", m[1], len(urls))
	})
	lines := wrapNarration(trimBlankEnds(renderMarkdown(md, &st.Markdown)), w)
	var fitted []string
	for _, l := range lines {
		l = trimRightANSI(l)
		if ansi.StringWidth(l) <= w {
			fitted = append(fitted, l)
			continue
		}
		// A code span longer than the line.
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

// wrapNarration wraps renderMarkdown's unwrapped lines to w: each at its own
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
		if m := itemMarker.FindString(text); m != "" {
			hang += utf8.RuneCountInString(m) // the bullet or number and its space
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
		// A space with a background is inside a styled span (an inline
		// code span, padded so): no break there.
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

// trimRightANSI drops the spaces at the end of a line, escape sequences
// and all.
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
