package tui

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
	"github.com/systembruker/workbench/client"
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

// jsonLines pretty-prints, colours and wraps a JSON document in one pass
// over it, with two-space indents as json.Indent would; ok is false when
// body is not JSON (brackets that do not match, a string that does not
// end, a stray character), and the caller shows it as text.
func jsonLines(body string, w int, c jsonColours, out []string) ([]string, bool) {
	// Size the buffer once: the body, the indents, and the escape
	// sequences around each string and value.
	quotes, commas := strings.Count(body, `"`), strings.Count(body, ",")
	esc := len(c.Str[0]) + len(c.Str[1])
	b := newLineBuilder(w, len(body)+len(body)/2+(quotes/2+commas)*esc)
	b.ends = make([]int, 0, commas+commas/4+16)
	var stack []byte // open brackets
	indent := func() {
		n := 2 * len(stack)
		b.add(spaces(n), [2]string{})
		b.setContinuation(n + 2)
	}
	i, n := 0, len(body)
	skip := func() {
		for i < n && (body[i] == ' ' || body[i] == '\n' || body[i] == '\t' || body[i] == '\r') {
			i++
		}
	}
	for skip(); i < n; skip() {
		switch ch := body[i]; ch {
		case '{', '[':
			b.add(body[i:i+1], c.Punct)
			i++
			skip()
			if i < n && (body[i] == '}' || body[i] == ']') { // {} or []
				if !matches(ch, body[i]) {
					return out, false
				}
				b.add(body[i:i+1], c.Punct)
				i++
				continue
			}
			stack = append(stack, ch)
			b.newline()
			indent()
		case '}', ']':
			if len(stack) == 0 || !matches(stack[len(stack)-1], ch) {
				return out, false
			}
			stack = stack[:len(stack)-1]
			b.newline()
			indent()
			b.add(body[i:i+1], c.Punct)
			i++
		case ',':
			if len(stack) == 0 {
				return out, false
			}
			b.add(",", c.Punct)
			b.newline()
			indent()
			i++
		case ':':
			b.add(": ", c.Punct)
			i++
		case '"':
			end := stringEnd(body[i:])
			if end < 2 || body[i+end-1] != '"' {
				return out, false
			}
			tok := body[i : i+end]
			i += end
			j := i
			for j < n && (body[j] == ' ' || body[j] == '\n' || body[j] == '\t' || body[j] == '\r') {
				j++
			}
			if j < n && body[j] == ':' {
				b.add(tok, c.Key)
			} else {
				b.add(tok, c.Str)
			}
		default:
			end := tokenEnd(body[i:])
			tok := body[i : i+end]
			switch {
			case tok == "true" || tok == "false" || tok == "null":
				b.add(tok, c.Lit)
			case isNumber(tok):
				b.add(tok, c.Num)
			default:
				return out, false
			}
			i += end
		}
		if len(stack) == 0 && i < n {
			skip()
			if i < n { // something after the document
				return out, false
			}
		}
	}
	if len(stack) > 0 {
		return out, false
	}
	return b.lines(out), true
}

func matches(open, close byte) bool {
	return open == '{' && close == '}' || open == '[' && close == ']'
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return true
}

// stringEnd returns the index just past the JSON string starting at s[0].
func stringEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// tokenEnd returns the end of a number or literal.
func tokenEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', ' ', ']', '}', ':', '\n', '\t', '\r':
			if i == 0 {
				return 1
			}
			return i
		}
	}
	return len(s)
}

// bodyLines renders a body by its content type: JSON pretty and coloured,
// a form as one field a line (a JWT assertion wrapped), anything else (an
// HTML page, XML, text) as plain text.
func bodyLines(body, contentType string, w int, st *Styles, out []string) []string {
	if body == "" {
		return append(out, st.Subtle.Render("(no body)"))
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.Contains(mt, "json") || (mt == "" && looksLikeJSON(body)):
		if lines, ok := jsonLines(sanitize(body), w, st.JSON, out); ok {
			return lines
		}
	case mt == "application/x-www-form-urlencoded":
		if vals, err := url.ParseQuery(body); err == nil {
			return formLines(vals, w, st, out)
		}
	}
	return plainLines(body, w, [2]string{}, out)
}

func looksLikeJSON(s string) bool {
	t := strings.TrimSpace(s[:min(len(s), 64)])
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// formLines shows a form one field a line, in the order a reader expects
// (grant_type before assertion).
func formLines(vals url.Values, w int, st *Styles, out []string) []string {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "assertion") != (keys[j] == "assertion") {
			return keys[j] == "assertion"
		}
		return keys[i] < keys[j]
	})
	b := newLineBuilder(w, 256)
	key := escapes(st.Label)
	for _, k := range keys {
		for _, v := range vals[k] {
			b.add(sanitize(k), key)
			b.add(" = ", [2]string{})
			b.setContinuation(2)
			b.add(sanitize(v), [2]string{})
			b.newline()
		}
	}
	return b.lines(out)
}

// headerLines lists headers sorted by name, wrapped with a hanging indent.
func headerLines(h http.Header, w int, st *Styles, out []string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	b := newLineBuilder(w, 256)
	key := escapes(st.Label)
	for _, k := range names {
		for _, v := range h[k] {
			b.add(sanitize(k)+":", key)
			b.add(" ", [2]string{})
			b.setContinuation(2)
			b.add(sanitize(v), [2]string{})
			b.newline()
		}
	}
	return b.lines(out)
}

// requestLines is the request pane's content.
func requestLines(x client.Exchange, w int, st *Styles) []string {
	b := newLineBuilder(w, 128)
	b.add(x.Method+" ", escapes(st.Bold))
	b.setContinuation(2)
	b.add(sanitize(x.URL), [2]string{})
	out := b.lines(nil)
	out = append(out, "")
	out = headerLines(x.RequestHeader, w, st, out)
	out = append(out, "")
	return bodyLines(x.RequestBody, x.RequestHeader.Get("Content-Type"), w, st, out)
}

// responseLines is the response pane's content.
func responseLines(x client.Exchange, w int, st *Styles) []string {
	var out []string
	if x.Status == 0 {
		out = proseLines(x.StatusLine(), w, 0)
		for i := range out {
			out[i] = st.Failure.Render(out[i])
		}
		return out
	}
	status := st.Success
	if x.Status >= 400 {
		status = st.Failure
	} else if x.Status >= 300 {
		status = st.Warning
	}
	line := status.Render(x.StatusLine()) + st.Subtle.Render(" · "+fmtDuration(x.Duration))
	out = append(out, ansi.Truncate(line, w, "…"), "")
	out = headerLines(x.ResponseHeader, w, st, out)
	out = append(out, "")
	return bodyLines(x.ResponseBody, x.ResponseHeader.Get("Content-Type"), w, st, out)
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
