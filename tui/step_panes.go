package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/transcript"
)

// The request and response panes' own keys and state: w switches a pane
// between wrapping and sideways scrolling, d decodes its tokens in place,
// C copies the exchange as curl and J a token's claims as JSON; a large
// body renders in the background (its first screenful at once), and /
// searches the focused pane (search.go).

// sideMode is how an exchange pane shows its lines.
type sideMode struct {
	nowrap bool // scroll sideways instead of wrapping
	expand bool // the tokens decoded in place
}

// sideState is an exchange pane's own state.
type sideState struct {
	mode sideMode
	gen  int // counts the background renders, so a stale one is dropped
	// pending is the background render the pane waits for (gen 0: none).
	pending pendingRender
}

// pendingRender is a body rendering in the background, and where the
// pane is to be when its lines come.
type pendingRender struct {
	gen      int
	key      renderKey
	offset   int     // the offset the content had when last shown
	rewrap   bool    // the same content at another width or mode:
	fraction float64 // keep the position by its fraction
}

const (
	// asyncBytes is the body size above which a pane renders its first
	// screenful at once and the rest in the background.
	asyncBytes = 256 << 10
	// nowrapWidth is where an unwrapped pane's lines wrap after all (a
	// body of one 16 MB line would cost a frame to cut).
	nowrapWidth = 2048
)

// paneRenderedMsg is a side's content rendered in the background.
type paneRenderedMsg struct {
	side, gen int
	key       renderKey
	lines     []string
}

// loadSide renders one side of the selected exchange when what it shows
// changed: a small body at once, a large one (asyncBytes) as a first
// screenful and a command that renders it all.
func (s *stepScreen) loadSide(p *pane, cur *renderKey, id contentID, x client.Exchange, names func() []namedJWT) tea.Cmd {
	side := id.side
	ss := &s.sides[side]
	key := renderKey{id: id, width: p.innerWidth(), mode: ss.mode, valid: true}
	if key == *cur {
		return nil
	}
	old := *cur
	*cur = key
	if !old.valid || old.id != id {
		p.xoff = 0
	}
	p.nowrap = ss.mode.nowrap
	o := bodyOpts{w: p.innerWidth(), jwt: &jwtView{expand: ss.mode.expand, names: names()}}
	if ss.mode.nowrap {
		o.w = nowrapWidth
	}
	render, size := requestLines, len(x.RequestBody)
	if side == 1 {
		render, size = responseLines, len(x.ResponseBody)
	}
	if size <= asyncBytes {
		s.load(p, old, key, func(int) []string { l, _ := render(x, o); return l })
		p.partial, ss.pending = false, pendingRender{}
		return nil
	}
	ss.gen++
	pr := pendingRender{gen: ss.gen, key: key}
	if old.valid && old.id == id { // keep the lines shown until the new ones come
		pr.rewrap, pr.fraction = true, p.fraction()
	} else {
		if old.valid {
			s.scrolls[old.id] = p.offset
		}
		pr.offset = s.scrolls[id]
		first := o
		first.limit = max(2*p.innerHeight(), 64)
		lines, _ := render(x, first)
		note := fmt.Sprintf("… rendering the rest of the body (%s) …", sizeText(size))
		p.setLines(append(lines, marked(markSubtle, note)))
		p.offset = pr.offset
		p.clamp()
		p.partial = true
	}
	ss.pending = pr
	gen := pr.gen
	return func() tea.Msg {
		lines, _ := render(x, o)
		return paneRenderedMsg{side: side, gen: gen, key: key, lines: lines}
	}
}

// rendered takes a background render's lines, unless the pane has moved
// on to other content (or another render) since it started.
func (s *stepScreen) rendered(msg paneRenderedMsg) {
	if msg.side < 0 || msg.side > 1 {
		return
	}
	ss := &s.sides[msg.side]
	p, cur := &s.left, s.leftKey
	if msg.side == 1 {
		p, cur = &s.right, s.rightKey
	}
	if msg.gen != ss.pending.gen || msg.key != cur {
		return
	}
	pr := ss.pending
	ss.pending = pendingRender{}
	was := p.offset
	p.setLines(msg.lines)
	p.partial = false
	if pr.rewrap {
		p.setFraction(pr.fraction)
		return
	}
	p.offset = max(was, pr.offset)
	p.clamp()
}

// sizeText is a byte count for people: 16.0 MB, 300 kB.
func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// onExchange reports whether the focus is on a request or response pane.
func (s *stepScreen) onExchange() bool {
	return s.section == sectionExchanges && len(s.run().calls) > 0
}

// paneKey handles the keys of the search and of the exchange panes; ok
// is false for a key that is not theirs.
func (s *stepScreen) paneKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := s.common.Keys
	if cmd, ok := s.searchKey(msg); ok {
		return cmd, true
	}
	unwrapped := s.onExchange() && s.sides[s.side].mode.nowrap
	switch {
	case unwrapped && key.Matches(msg, k.ScrollLeft):
		p := s.focused()
		p.sideways(-max(8, p.innerWidth()/4))
		s.moved = true
	case unwrapped && key.Matches(msg, k.ScrollRight):
		p := s.focused()
		p.sideways(max(8, p.innerWidth()/4))
		s.moved = true
	case key.Matches(msg, k.Wrap):
		if !s.onExchange() {
			s.ask(say{text: "w switches a request or response pane between wrapping and scrolling sideways: tab to one"})
			break
		}
		m := &s.sides[s.side].mode
		m.nowrap = !m.nowrap
		if !m.nowrap {
			s.focused().xoff = 0
		}
	case key.Matches(msg, k.Decode):
		if !s.onExchange() {
			s.ask(say{text: "d decodes the tokens of a request or response: tab to one (the Tokens tab has the step's own)"})
			break
		}
		s.sides[s.side].mode.expand = !s.sides[s.side].mode.expand
	case key.Matches(msg, k.CopyCurl):
		return s.copyCurl(), true
	case key.Matches(msg, k.CopyJSON):
		return s.copyClaims(), true
	default:
		return nil, false
	}
	return nil, true
}

// copyCurl copies the selected exchange as the curl command the curl
// transcript has for it.
func (s *stepScreen) copyCurl() tea.Cmd {
	if !s.onExchange() {
		s.ask(say{text: "C copies an exchange as curl: tab to a request or response"})
		return nil
	}
	x := s.run().calls[s.exch].x
	return copyCmd(s.common.Copy, "request as curl", transcript.CurlCommand(x))
}

// copyClaims copies the claims of the focused token (or of the first
// token in the focused request or response) as JSON.
func (s *stepScreen) copyClaims() tea.Cmd {
	r := s.run()
	switch s.section {
	case sectionTokens:
		p := tokenPairs(r.tokens)[s.tok]
		t := p.left
		if s.side == 1 && !p.split() {
			t = p.right
		}
		b, err := json.MarshalIndent(t.Claims, "", "  ")
		if err != nil {
			s.ask(say{text: "the claims are not JSON: " + err.Error(), bad: true})
			return nil
		}
		return copyCmd(s.common.Copy, "claims of the "+t.Label+" as JSON", string(b))
	case sectionExchanges:
		x := r.calls[s.exch].x
		raw := firstJWT(x, s.side)
		if raw == "" {
			break
		}
		_, claims := jwtJSON(raw)
		var b bytes.Buffer
		if claims == "" || json.Indent(&b, []byte(claims), "", "  ") != nil {
			break
		}
		names := jwtNames(s.v.runs, r.calls)
		return copyCmd(s.common.Copy, "claims of the "+(&jwtView{names: names}).name(raw)+" as JSON", b.String())
	}
	s.ask(say{text: "J copies a token's claims as JSON: tab to a token, or to a request or response that carries one"})
	return nil
}

// firstJWT is the first token in a side of the exchange: in its
// Authorization header, then its body.
func firstJWT(x client.Exchange, side int) string {
	h, body := x.RequestHeader, x.RequestBody
	if side == 1 {
		h, body = x.ResponseHeader, x.ResponseBody
	}
	if scheme, cred, ok := strings.Cut(h.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") && isJWT(cred) {
		return cred
	}
	for i := strings.Index(body, "eyJ"); i >= 0; {
		end := i
		for end < len(body) && isJWTByte(body[end]) {
			end++
		}
		if isJWT(body[i:end]) {
			return body[i:end]
		}
		next := strings.Index(body[end:], "eyJ")
		if next < 0 {
			break
		}
		i = end + next
	}
	return ""
}

func isJWTByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// paneHelp is the full help's column of the panes' keys.
func (s *stepScreen) paneHelp() []key.Binding {
	k := s.common.Keys
	keys := []key.Binding{k.Search, k.Wrap}
	if s.onExchange() && s.sides[s.side].mode.nowrap {
		keys = append(keys, paired(k.ScrollLeft, k.ScrollRight, "←/→", "sideways"))
	}
	return append(keys, k.Decode, k.CopyCurl, k.CopyJSON, k.Message)
}
