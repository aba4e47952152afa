package tui

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/mattn/go-runewidth"
)

// This file turns exchanges and bodies into pane lines: pretty-printed,
// coloured and wrapped to a width, once, when the data or the width
// changes. Nothing here runs from View.

// lineBuilder collects coloured text into lines no wider than w, breaking
// long runs (a JWT, a long string) onto continuation lines. All lines
// share one buffer, cut into strings once at the end, so a body of
// hundreds of thousands of lines costs a few allocations, not one a line.
type lineBuilder struct {
	w     int
	buf   []byte
	ends  []int // where each finished line ends in buf
	start int   // where the current line starts
	curW  int
	cont  string // what a continuation line starts with
	contW int
}

func newLineBuilder(w, sizeHint int) *lineBuilder {
	return &lineBuilder{w: max(1, w), buf: make([]byte, 0, sizeHint)}
}

// setContinuation sets the indent of the lines a long line wraps onto.
func (b *lineBuilder) setContinuation(indent int) {
	indent = min(indent, b.w/2)
	b.cont, b.contW = spaces(indent), indent
}

// add appends text in a colour (prefix and suffix escape sequences).
func (b *lineBuilder) add(text string, esc [2]string) {
	for text != "" {
		room := b.w - b.curW
		if room <= 0 {
			b.wrap()
			continue
		}
		n, w := fit(text, room)
		if n == 0 { // a wide rune that does not fit what is left
			if b.curW == b.contW {
				_, n = utf8.DecodeRuneInString(text) // place it anyway
				w = room
			} else {
				b.wrap()
				continue
			}
		}
		b.buf = append(b.buf, esc[0]...)
		b.buf = append(b.buf, text[:n]...)
		b.buf = append(b.buf, esc[1]...)
		b.curW += w
		text = text[n:]
	}
}

// wrap ends the current line and starts a continuation line.
func (b *lineBuilder) wrap() {
	b.ends = append(b.ends, len(b.buf))
	b.buf = append(b.buf, b.cont...)
	b.curW = b.contW
}

// newline ends the current line.
func (b *lineBuilder) newline() {
	b.ends = append(b.ends, len(b.buf))
	b.curW = 0
	b.cont, b.contW = "", 0
}

// lines ends the last line, if it has anything, and appends all lines to
// out.
func (b *lineBuilder) lines(out []string) []string {
	if n := len(b.ends); (n == 0 && len(b.buf) > 0) || (n > 0 && len(b.buf) > b.ends[n-1]) {
		b.newline()
	}
	// The buffer is not written again, so the lines can share it rather
	// than copy a body of many megabytes once more (as strings.Builder
	// does).
	var s string
	if len(b.buf) > 0 {
		s = unsafe.String(&b.buf[0], len(b.buf))
	}
	prev := 0
	for _, e := range b.ends {
		out = append(out, s[prev:e])
		prev = e
	}
	return out
}

var blanks = strings.Repeat(" ", 256)

// spaces is n spaces, without allocating for the usual indents.
func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// fit returns how many bytes of s fit in room cells, and their width. The
// ASCII case, nearly every byte of a JSON body, needs no rune decoding.
func fit(s string, room int) (n, w int) {
	for n < len(s) && w < room {
		c := s[n]
		if c < utf8.RuneSelf {
			n++
			w++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[n:])
		rw := runewidth.RuneWidth(r)
		if w+rw > room {
			break
		}
		n += size
		w += rw
	}
	return n, w
}

// sanitize makes text safe to put on a terminal: control characters (an
// ESC in a body would garble the screen) become visible, tabs spaces.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		// C0 controls but newline, DEL, and C1 controls (U+0080-U+009F,
		// encoded C2 80-9F), which some terminals obey.
		if (c < 0x20 && c != '\n') || c == 0x7f || (c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString("    ")
		case r == '\r':
		case r == '\n':
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString("�")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainLines wraps plain text to w, breaking on any character; each source
// line keeps its own lines.
func plainLines(s string, w int, esc [2]string, out []string) []string {
	s = sanitize(s)
	b := newLineBuilder(w, len(s)+len(s)/8)
	for len(s) > 0 {
		l := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		b.add(l, esc)
		b.newline()
	}
	return b.lines(out)
}

// proseLines word-wraps prose to w with an indent.
func proseLines(s string, w, indent int) []string {
	return hangLines(s, w, indent, 0)
}

// hangLines word-wraps prose to w: the first line at indent, the lines
// after it hang further in by hang.
func hangLines(s string, w, indent, hang int) []string {
	var out []string
	for _, para := range strings.Split(sanitize(s), "\n") {
		first := strings.Repeat(" ", indent)
		rest := strings.Repeat(" ", indent+hang)
		for i, l := range wrapWords(para, max(1, w-indent), max(1, w-indent-hang)) {
			if i == 0 {
				out = append(out, first+l)
			} else {
				out = append(out, rest+l)
			}
		}
	}
	return out
}

// wrapWords wraps plain text at spaces, the first line to w1 cells and
// the others to w2; a word longer than a line is broken. Unlike
// ansi.Wrap it never breaks at a hyphen, so ids like kids and UUIDs stay
// whole where they fit.
func wrapWords(s string, w1, w2 int) []string {
	var out []string
	var line strings.Builder
	lw, limit := 0, w1
	flush := func() {
		out = append(out, line.String())
		line.Reset()
		lw, limit = 0, w2
	}
	for _, word := range strings.Fields(s) {
		ww := runewidth.StringWidth(word)
		if lw > 0 && lw+1+ww > limit {
			flush()
		}
		if lw > 0 {
			line.WriteByte(' ')
			lw++
		}
		for ww > limit-lw && limit-lw > 0 && ww > limit {
			n, cw := fit(word, limit-lw)
			if n == 0 {
				break
			}
			line.WriteString(word[:n])
			word, ww = word[n:], ww-cw
			lw += cw
			flush()
		}
		line.WriteString(word)
		lw += ww
	}
	if line.Len() > 0 || len(out) == 0 {
		out = append(out, line.String())
	}
	return out
}

// fmtDuration shows a call's time in a fixed width, so screens (and
// golden files) keep their layout whatever the time was.
func fmtDuration(d time.Duration) string {
	return fmt.Sprintf("%5.1fms", float64(d)/float64(time.Millisecond))
}

// pathOnly is the URL's path, without scheme, host and query.
func pathOnly(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.EscapedPath()
}

// shortPath is the URL's path and query, without scheme and host.
func shortPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
