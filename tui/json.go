package tui

import "strings"

// jsonLines pretty-prints, colours and wraps a JSON document in one pass
// over it, with two-space indents as json.Indent would; ok is false when
// body is not JSON (brackets that do not match, a string that does not
// end, a stray character), and the caller shows it as text.
func jsonLines(body string, w int, c jsonColours, out []string) ([]string, bool) {
	r := jsonRender{c: c}
	lines, ok, _ := r.render(body, w, out)
	return lines, ok
}

// jsonRender is one pass of jsonLines. A value stays on its line with the
// comma after it; one that does not fit goes on the next line, or breaks
// at its joints (wrap.go). With jwt set, a token in a string shows as one
// line (jwtline.go); with limit set, the pass stops after that many lines,
// the first screenful of a large body.
type jsonRender struct {
	c     jsonColours
	jwt   *jwtView
	limit int
	// cutShort says the body is the first part of a larger one: where it
	// ends (inside a string, with brackets open) the pass ends, as at
	// the limit.
	cutShort bool

	b     *lineBuilder
	body  string
	i     int
	stack []byte // open brackets
	// sep is set after a key's colon: the value goes after a space, or on
	// the next line.
	sep bool
}

// render returns the lines; complete is false when it stopped at the
// limit.
func (r *jsonRender) render(body string, w int, out []string) (lines []string, ok, complete bool) {
	if r.limit > 0 {
		r.b = newLineBuilder(w, min(len(body), r.limit*w)+r.limit*8)
	} else {
		// Size the buffer once: the body, the indents, and the marks
		// around each string and value.
		quotes, commas := strings.Count(body, `"`), strings.Count(body, ",")
		esc := len(r.c.Str[0]) + len(r.c.Str[1])
		r.b = newLineBuilder(w, len(body)+len(body)/2+(quotes/2+commas)*esc)
		r.b.ends = make([]int, 0, commas+commas/4+16)
	}
	r.body = body
	n := len(body)
	for r.skip(); r.i < n; r.skip() {
		if r.limit > 0 && len(r.b.ends) >= r.limit {
			return r.b.lines(out), true, false
		}
		if !r.token() {
			if r.cutShort && len(r.b.ends) > 0 {
				return r.b.lines(out), true, false
			}
			return out, false, false
		}
		if len(r.stack) == 0 && r.i < n {
			r.skip()
			if r.i < n { // something after the document
				return out, false, false
			}
		}
	}
	if len(r.stack) > 0 {
		if r.cutShort {
			return r.b.lines(out), true, false
		}
		return out, false, false
	}
	return r.b.lines(out), true, true
}

func (r *jsonRender) skip() { r.i = r.peek() }

// peek is where the next token starts.
func (r *jsonRender) peek() int {
	j := r.i
	for j < len(r.body) && (r.body[j] == ' ' || r.body[j] == '\n' || r.body[j] == '\t' || r.body[j] == '\r') {
		j++
	}
	return j
}

func (r *jsonRender) indent() {
	n := 2 * len(r.stack)
	r.b.add(spaces(n), [2]string{})
	r.b.setContinuation(n + 2)
}

// token renders the token at r.i.
func (r *jsonRender) token() bool {
	b, body := r.b, r.body
	switch ch := body[r.i]; ch {
	case '{', '[':
		r.value(body[r.i:r.i+1], r.c.Punct, 0)
		r.i++
		r.skip()
		if r.i < len(body) && (body[r.i] == '}' || body[r.i] == ']') { // {} or []
			if !matches(ch, body[r.i]) {
				return false
			}
			b.add(body[r.i:r.i+1], r.c.Punct)
			r.i++
			return r.comma(true)
		}
		r.stack = append(r.stack, ch)
		b.newline()
		r.indent()
		return true
	case '}', ']':
		if len(r.stack) == 0 || !matches(r.stack[len(r.stack)-1], ch) || r.sep {
			return false
		}
		r.stack = r.stack[:len(r.stack)-1]
		b.newline()
		r.indent()
		b.add(body[r.i:r.i+1], r.c.Punct)
		r.i++
		return r.comma(true)
	case '"':
		return r.str()
	case ',', ':':
		return false // commas and colons are taken with what comes before them
	}
	end := tokenEnd(body[r.i:])
	tok := body[r.i : r.i+end]
	var esc [2]string
	switch {
	case tok == "true" || tok == "false" || tok == "null":
		esc = r.c.Lit
	case isNumber(tok):
		esc = r.c.Num
	default:
		return false
	}
	r.i += end
	r.value(tok, esc, r.tail())
	return r.comma(true)
}

// str renders a string: a key with its colon, or a value with its comma.
func (r *jsonRender) str() bool {
	b, body := r.b, r.body
	end := stringEnd(body[r.i:])
	if end < 2 || body[r.i+end-1] != '"' {
		return false
	}
	tok := body[r.i : r.i+end]
	r.i += end
	if j := r.peek(); j < len(body) && body[j] == ':' {
		if r.sep || len(r.stack) == 0 || r.stack[len(r.stack)-1] != '{' {
			return false
		}
		b.addWord(tok, r.c.Key, 1)
		b.add(":", r.c.Punct)
		r.i = j + 1
		r.sep = true
		return true
	}
	tail := r.tail()
	if inner := tok[1 : len(tok)-1]; r.jwt != nil && isJWT(inner) {
		comma := ""
		if tail > 0 {
			comma = ","
		}
		b.addJWT(inner, r.c.Str, true, comma, r.jwt, 2*len(r.stack)+2, r.sep)
		r.sep = false
		return r.comma(false)
	}
	r.value(tok, r.c.Str, tail)
	return r.comma(true)
}

// value adds a value: after a key's colon with a space before it.
func (r *jsonRender) value(text string, esc [2]string, tail int) {
	if r.sep {
		r.b.addSpaced(text, esc, tail)
		r.sep = false
		return
	}
	r.b.addWord(text, esc, tail)
}

// tail is the cells that must follow the value on its line: its comma.
func (r *jsonRender) tail() int {
	if j := r.peek(); j < len(r.body) && r.body[j] == ',' {
		return 1
	}
	return 0
}

// comma takes the comma after a value, if there is one (write: adding
// it), and starts the next line.
func (r *jsonRender) comma(write bool) bool {
	j := r.peek()
	if j >= len(r.body) || r.body[j] != ',' {
		return true
	}
	if len(r.stack) == 0 {
		return false
	}
	if write {
		r.b.add(",", r.c.Punct)
	}
	r.i = j + 1
	r.b.newline()
	r.indent()
	return true
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
