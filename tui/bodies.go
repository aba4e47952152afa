package tui

import (
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The request and response panes: the request line or the status, then
// the body (what the exchange is about: the form with the grant, the
// PDP's XACML request), then the headers under a caption. Lines carry
// marks, not escape sequences (marks.go), so that rendering needs no
// renderer and can run in a background command for a large body.

// bodyOpts is how an exchange pane renders: the width its lines wrap to,
// how its JWTs show, and at most limit lines of the body (0: all of it).
type bodyOpts struct {
	w     int
	jwt   *jwtView
	limit int
}

// prefixBytes is how much of a body a first screenful of limit lines at
// width w can need.
func prefixBytes(limit, w int) int { return max(64<<10, limit*(w+16)*4) }

// bodyLines renders a body by its content type: JSON pretty and coloured,
// a form as one field a line, a token as one line, anything else (an
// HTML page, XML, text) as plain text. complete is false when it stopped
// at the limit.
func bodyLines(body, contentType string, o bodyOpts, out []string) ([]string, bool) {
	if body == "" {
		return append(out, marked(markSubtle, "(no body)")), true
	}
	src := body
	if o.limit > 0 && len(src) > prefixBytes(o.limit, o.w) {
		src = src[:prefixBytes(o.limit, o.w)]
	}
	cut := len(src) < len(body)
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.Contains(mt, "json") || (mt == "" && looksLikeJSON(body)):
		r := jsonRender{c: jsonMarks, jwt: o.jwt, limit: o.limit, cutShort: cut}
		if lines, ok, complete := r.render(sanitize(src), o.w, out); ok {
			return lines, complete && !cut
		}
	case mt == "application/x-www-form-urlencoded" && !cut:
		if vals, err := url.ParseQuery(body); err == nil {
			return formLines(vals, o, out), true
		}
	}
	if t := strings.TrimSpace(src); o.jwt != nil && !cut && isJWT(t) {
		b := newLineBuilder(o.w, 256)
		b.addJWT(t, [2]string{}, false, "", o.jwt, 0, false)
		return b.lines(out), true
	}
	lines := plainLines(src, o.w, [2]string{}, out)
	if o.limit > 0 && len(lines)-len(out) > o.limit {
		return lines[:len(out)+o.limit], false
	}
	return lines, !cut
}

func looksLikeJSON(s string) bool {
	t := strings.TrimSpace(s[:min(len(s), 64)])
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// formLines shows a form one field a line, in the order a reader expects
// (grant_type before assertion).
func formLines(vals url.Values, o bodyOpts, out []string) []string {
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
	b := newLineBuilder(o.w, 256)
	for _, k := range keys {
		for _, v := range vals[k] {
			b.add(sanitize(k), markEsc(markLabel))
			b.add(" =", [2]string{})
			b.setContinuation(2)
			b.value(sanitize(v), o.jwt)
			b.newline()
		}
	}
	return b.lines(out)
}

// value adds a header's or a field's value after a space: a token as one
// line, anything else word by word.
func (b *lineBuilder) value(v string, jwt *jwtView) {
	scheme, cred, ok := strings.Cut(v, " ")
	switch {
	case jwt != nil && isJWT(v):
		b.addJWT(v, [2]string{}, false, "", jwt, 2, true)
	case jwt != nil && ok && strings.EqualFold(scheme, "bearer") && isJWT(cred):
		b.addSpaced(scheme, [2]string{}, 0)
		b.addJWT(cred, [2]string{}, false, "", jwt, 2, true)
	default:
		b.addWords(v, [2]string{}, true)
	}
}

// headerLines lists headers sorted by name, wrapped with a hanging
// indent, under a caption.
func headerLines(h http.Header, o bodyOpts, out []string) []string {
	if len(h) == 0 {
		return out
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out = append(out, "", marked(markSubtle, "headers"))
	b := newLineBuilder(o.w, 256)
	for _, k := range names {
		for _, v := range h[k] {
			b.add(sanitize(k)+":", markEsc(markLabel))
			b.setContinuation(2)
			b.value(sanitize(v), o.jwt)
			b.newline()
		}
	}
	return b.lines(out)
}

// requestLines is the request pane's content: the method and URL, the
// body, the headers.
func requestLines(x client.Exchange, o bodyOpts) ([]string, bool) {
	b := newLineBuilder(o.w, 128)
	b.add(x.Method, markEsc(markBold))
	b.setContinuation(2)
	// The URL starts beside the method, broken at its slashes.
	b.add(" ", [2]string{})
	b.addBroken(sanitize(x.URL), [2]string{}, 0)
	out := b.lines(nil)
	complete := true
	if x.RequestBody != "" {
		out, complete = bodyLines(x.RequestBody, x.RequestHeader.Get("Content-Type"), o, append(out, ""))
	}
	if !complete {
		return out, false
	}
	return headerLines(x.RequestHeader, o, out), true
}

// responseLines is the response pane's content: the status and the time
// it took, the body, the headers.
func responseLines(x client.Exchange, o bodyOpts) ([]string, bool) {
	b := newLineBuilder(o.w, 128)
	if x.Status == 0 {
		b.addWords(x.StatusLine(), markEsc(markFailure), false)
		return b.lines(nil), true
	}
	b.addWord(x.StatusLine(), markEsc(statusMark(x.Status)), 0)
	b.add(" · "+fmtDuration(x.Duration), markEsc(markSubtle))
	out, complete := bodyLines(x.ResponseBody, x.ResponseHeader.Get("Content-Type"), o, append(b.lines(nil), ""))
	if !complete {
		return out, false
	}
	return headerLines(x.ResponseHeader, o, out), true
}

// statusMark is how a status shows: 2xx a success, 3xx a warning, the
// rest a failure.
func statusMark(status int) byte {
	switch {
	case status == 0 || status >= 400:
		return markFailure
	case status >= 300:
		return markWarning
	}
	return markSuccess
}
