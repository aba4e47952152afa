package tui

import (
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
)

// Marks are one-byte style classes in pane lines: a body is rendered once
// into text where a JSON key, a string or a header name starts with a
// mark byte and ends with markEnd, and the pane turns the marks of the
// lines it shows into the session's escape sequences when it draws them.
// A 16 MB body then costs two bytes a token instead of the twenty-odd of a
// true-colour sequence, and the rendering needs no renderer, so it can run
// in a background command. The bytes are C0 controls that sanitize takes
// out of every text shown, so none can come from a body.
const (
	markEnd      byte = 0x01
	markKey      byte = 0x02 // a JSON key
	markStr      byte = 0x03 // a JSON string
	markNum      byte = 0x04 // a JSON number
	markLit      byte = 0x05 // true, false, null
	markLabel    byte = 0x06 // a header's or a form field's name
	markSubtle   byte = 0x07 // what the workbench adds: a token's name, the headers caption
	markBold     byte = 0x08 // the request's method
	markSuccess  byte = 0x0b // a 2xx status
	markFailure  byte = 0x0c // a 4xx or 5xx status, or no answer
	markWarning  byte = 0x0e // a 3xx status
	markEdge     byte = 0x0f // a blurred pane's border
	markEdgeOn   byte = 0x10 // the focused pane's border
	markTitle    byte = 0x11 // a pane's title
	markMatch    byte = 0x12 // a search match
	markMatchCur byte = 0x13 // the search match moved to
)

// marked wraps text in a mark and markEnd.
func marked(m byte, text string) string { return string(m) + text + string(markEnd) }

// jsonMarks are the JSON token classes as marks, for bodies.
var jsonMarks = jsonColours{
	Key: [2]string{string(markKey), string(markEnd)},
	Str: [2]string{string(markStr), string(markEnd)},
	Num: [2]string{string(markNum), string(markEnd)},
	Lit: [2]string{string(markLit), string(markEnd)},
}

// markEsc is a mark as the [2]string the line builder takes.
func markEsc(m byte) [2]string { return [2]string{string(m), string(markEnd)} }

// palette is what each mark becomes on the session's terminal: the escape
// sequence that starts its style, and reset the one that ends any. Under
// NO_COLOR (the ASCII profile) they are all empty.
type palette struct {
	start [0x20]string
	reset string
}

// newPalette takes the marks' sequences from the styles, once.
func newPalette(s *Styles, t Theme) palette {
	var p palette
	set := func(m byte, st lipgloss.Style) {
		e := escapes(st)
		p.start[m] = e[0]
		if p.reset == "" {
			p.reset = e[1]
		}
	}
	r := s.r
	set(markKey, r.NewStyle().Foreground(t.JSONKey))
	set(markStr, r.NewStyle().Foreground(t.JSONStr))
	set(markNum, r.NewStyle().Foreground(t.JSONNum))
	set(markLit, r.NewStyle().Foreground(t.JSONLit))
	set(markLabel, s.Label)
	set(markSubtle, s.Subtle)
	set(markBold, s.Bold)
	set(markSuccess, s.Success)
	set(markFailure, s.Failure)
	set(markWarning, s.Warning)
	set(markEdge, r.NewStyle().Foreground(s.Pane.Blurred.GetBorderTopForeground()))
	set(markEdgeOn, r.NewStyle().Foreground(s.Pane.Focused.GetBorderTopForeground()))
	set(markTitle, s.Pane.Title)
	set(markMatch, r.NewStyle().Reverse(true))
	set(markMatchCur, r.NewStyle().Reverse(true).Bold(true).Foreground(t.Warning))
	if p.reset == "" {
		p.reset = "\x1b[0m"
		if p.start[markKey] == "" && p.start[markMatch] == "" { // no styles at all
			p.reset = ""
		}
	}
	return p
}

// span is a run of cells [from, to) of a line, to highlight.
type span struct {
	from, to int
	cur      bool // the match moved to
}

// lineWriter draws pane lines into a frame: marks become the palette's
// sequences, escape sequences already in a line (from lipgloss) pass
// through, and only the cells [skip, skip+width) are written, padded with
// spaces to width. It allocates nothing beyond the frame's own growth.
type lineWriter struct {
	buf *[]byte
	pal *palette
}

func (lw lineWriter) str(s string) { *lw.buf = append(*lw.buf, s...) }

// mark writes the sequence a mark stands for.
func (lw lineWriter) mark(m byte) {
	if m == markEnd {
		lw.str(lw.pal.reset)
		return
	}
	lw.str(lw.pal.start[m])
}

// repeat writes s n times.
func (lw lineWriter) repeat(s string, n int) {
	for range n {
		lw.str(s)
	}
}

// spaces writes n spaces.
func (lw lineWriter) spaces(n int) {
	for n > 0 {
		k := min(n, len(blanks))
		*lw.buf = append(*lw.buf, blanks[:k]...)
		n -= k
	}
}

// line writes the cells [skip, skip+width) of a line with the spans
// highlighted, and returns the cells it wrote (the caller pads).
func (lw lineWriter) line(s string, skip, width int, hl []span) int {
	var cur, hlOn byte // the mark in force, and the highlight
	col, out := 0, 0
	started, sawEsc := false, false
	for i := 0; i < len(s) && out < width; {
		c := s[i]
		if c == 0x1b { // a sequence lipgloss put in the line: zero width
			n := escLen(s[i:])
			lw.str(s[i : i+n])
			sawEsc = true
			i += n
			continue
		}
		if c < 0x20 { // a mark
			next := c
			if c == markEnd {
				next = 0
			}
			if started {
				lw.restyle(cur, hlOn, next, hlOn)
			}
			cur = next
			i++
			continue
		}
		r, size, w := rune(c), 1, 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			w = runewidth.RuneWidth(r)
		}
		if col < skip { // left of the window
			if col+w > skip { // a wide rune the edge cuts
				lw.spaces(col + w - skip)
				out += col + w - skip
			}
			col += w
			i += size
			continue
		}
		if out+w > width {
			break
		}
		want := spanAt(hl, col)
		if !started {
			started = true
			lw.restyle(0, 0, cur, want)
		} else if want != hlOn {
			lw.restyle(cur, hlOn, cur, want)
		}
		hlOn = want
		*lw.buf = append(*lw.buf, s[i:i+size]...)
		out += w
		col += w
		i += size
	}
	if lw.pal.reset != "" && (started && (cur != 0 || hlOn != 0) || sawEsc) {
		lw.str(lw.pal.reset)
	}
	return out
}

// restyle writes the change from one mark and highlight to another.
func (lw lineWriter) restyle(cur, hl, next, nextHL byte) {
	if lw.pal.reset == "" || cur == next && hl == nextHL {
		return
	}
	if cur != 0 || hl != 0 {
		lw.str(lw.pal.reset)
	}
	if next != 0 {
		lw.str(lw.pal.start[next])
	}
	if nextHL != 0 {
		lw.str(lw.pal.start[nextHL])
	}
}

// spanAt is the highlight of the cell at col: markMatchCur, markMatch or 0.
func spanAt(hl []span, col int) byte {
	for _, h := range hl {
		if col >= h.from && col < h.to {
			if h.cur {
				return markMatchCur
			}
			return markMatch
		}
	}
	return 0
}

// escLen is the length of the escape sequence at the start of s: CSI
// (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), or ESC and one byte.
func escLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}

// plainWidth is the cells a pane line takes: marks and escape sequences
// take none.
func plainWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			i += escLen(s[i:])
		case c < 0x20:
			i++
		case c < utf8.RuneSelf:
			w++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			w += runewidth.RuneWidth(r)
			i += size
		}
	}
	return w
}
