package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// section is what the step screen shows below its title.
type section int

const (
	sectionInfo      section = iota // what and why, inputs, result, error
	sectionExchanges                // request | response
	sectionTokens                   // grant | access token, or header | claims
)

// stepScreen is the screen of one step. Its three panes hold lines
// rendered when the data, the selection or the width change (sync); View
// only draws the visible part.
type stepScreen struct {
	section section
	side    int // 0 left pane, 1 right pane (exchanges, tokens)
	exch    int // the exchange shown
	tok     int // the token pair shown

	info, left, right pane
	w, h              int // the content box, below the title and tab lines

	// What each pane holds, so sync re-renders only what changed.
	infoKey, leftKey, rightKey renderKey
	// scrolls remembers where each content was scrolled to, so moving
	// between exchanges or steps and back keeps the place.
	scrolls map[contentID]int
	// infoSeek scrolls the info pane, once its content is in place, to its
	// top or to the facts to point at (presenter mode's views).
	infoSeek seek
}

// seek is where the info pane is to scroll to on the next sync.
type seek int

const (
	seekNone  seek = iota
	seekTop        // the top
	seekFacts      // the narration's facts to point at
)

// factsLine is the line of the info pane where the narration's facts to
// point at start, or -1 when the pane does not show step's info (yet).
func (s *stepScreen) factsLine(step int) int {
	if !s.infoKey.valid || s.infoKey.id.step != step {
		return -1
	}
	for i, l := range s.info.lines {
		if strings.TrimSpace(ansi.Strip(l)) == flow.NarrationHeading {
			return i
		}
	}
	return -1
}

// contentID names what a pane shows, whatever its width.
type contentID struct {
	step, attempt int
	section       section
	item, side    int
}

// renderKey is a pane's content at a width (and, for tokens, a second of
// the clock; for the info pane, a version of the data).
type renderKey struct {
	id      contentID
	width   int
	height  int // the info pane's: the QR code shows only if it fits
	version int
	valid   bool
}

func newStepScreen() stepScreen {
	return stepScreen{
		info:    pane{},
		left:    pane{bordered: true},
		right:   pane{bordered: true},
		scrolls: map[contentID]int{},
	}
}

// setSize lays the panes out in the content box, each with pad blank
// columns inside on both sides.
func (s *stepScreen) setSize(w, h, pad int) {
	s.w, s.h = w, h
	s.info.pad, s.left.pad, s.right.pad = pad, pad, pad
	s.info.setSize(w, h)
	lw := w / 2
	s.left.setSize(lw, h-1)
	s.right.setSize(w-lw, h-1)
}

// stepInfo is what the info pane shows besides the step's run.
type stepInfo struct {
	inputs  []flow.Input
	pending []int // earlier steps not done yet
	version int
	// confirm is the confirm URL the step shows, if any.
	confirm *confirmInfo
	height  int // the info pane's
	// narr renders the step's narration (cached per step, width and
	// style).
	narr *narrator
}

// sync renders whatever the selection, data or size made stale.
func (s *stepScreen) sync(v flowView, in stepInfo, now time.Time, loc *time.Location) {
	r := v.runs[v.cur]
	step := v.sc.Steps[v.cur]
	s.clampSelection(r)

	// Info pane.
	id := contentID{step: v.cur, section: sectionInfo}
	in.height = s.info.innerHeight()
	key := renderKey{id: id, width: s.info.innerWidth(), height: in.height, version: in.version, valid: true}
	if key != s.infoKey {
		s.load(&s.info, s.infoKey, key, func(w int) []string { return infoLines(v, step, r, in, w) })
		s.infoKey = key
	}
	switch s.infoSeek {
	case seekTop:
		s.info.top()
	case seekFacts:
		if at := s.factsLine(v.cur); at >= 0 {
			s.info.offset = at
			s.info.clamp()
		}
	}
	s.infoSeek = seekNone

	// Side panes.
	switch s.section {
	case sectionExchanges:
		c := r.calls[s.exch]
		x := c.x
		s.left.title = fmt.Sprintf("Request · %s", x.Service)
		s.right.title = "Response"
		if c.behind() { // the selector line says it is behind the scenes
			s.left.title = fmt.Sprintf("Request · %s → %s", c.caller, x.Service)
		}
		lk := renderKey{id: contentID{v.cur, r.attempt, sectionExchanges, s.exch, 0}, width: s.left.innerWidth(), valid: true}
		if lk != s.leftKey {
			s.load(&s.left, s.leftKey, lk, func(w int) []string { return requestLines(x, w, v.st) })
			s.leftKey = lk
		}
		rk := renderKey{id: contentID{v.cur, r.attempt, sectionExchanges, s.exch, 1}, width: s.right.innerWidth(), valid: true}
		if rk != s.rightKey {
			s.load(&s.right, s.rightKey, rk, func(w int) []string { return responseLines(x, w, v.st) })
			s.rightKey = rk
		}
	case sectionTokens:
		p := tokenPairs(r.tokens)[s.tok]
		sec := int(now.Unix())
		var lv, rv tokenView
		if p.split() {
			s.left.title, s.right.title = p.left.Label+" · header", p.left.Label+" · claims"
			lv, rv = tokenView{tok: *p.left, part: tokenHeader}, tokenView{tok: *p.left, part: tokenClaims}
		} else {
			s.left.title, s.right.title = p.left.Label, p.right.Label
			lv, rv = tokenView{tok: *p.left}, tokenView{tok: *p.right, grant: p.left}
		}
		lk := renderKey{id: contentID{v.cur, r.attempt, sectionTokens, s.tok, 0}, width: s.left.innerWidth(), version: sec, valid: true}
		if lk != s.leftKey {
			s.load(&s.left, s.leftKey, lk, func(w int) []string { return lv.lines(w, v.st, now, loc) })
			s.leftKey = lk
		}
		rk := renderKey{id: contentID{v.cur, r.attempt, sectionTokens, s.tok, 1}, width: s.right.innerWidth(), version: sec, valid: true}
		if rk != s.rightKey {
			s.load(&s.right, s.rightKey, rk, func(w int) []string { return rv.lines(w, v.st, now, loc) })
			s.rightKey = rk
		}
	}
}

// load puts new content in a pane. The same content at another width
// keeps its relative scroll position; other content gets back the offset
// it had when last shown, and the old content's offset is remembered.
func (s *stepScreen) load(p *pane, old, key renderKey, render func(w int) []string) {
	if old.valid && old.id == key.id {
		f := p.fraction()
		keep := p.offset
		p.setLines(render(p.innerWidth()))
		if old.width != key.width {
			p.setFraction(f)
		} else {
			p.offset = keep
			p.clamp()
		}
		return
	}
	if old.valid {
		s.scrolls[old.id] = p.offset
	}
	p.setLines(render(p.innerWidth()))
	p.offset = s.scrolls[key.id]
	p.clamp()
}

// clampSelection keeps the section and items within what the run has.
func (s *stepScreen) clampSelection(r stepRun) {
	pairs := len(tokenPairs(r.tokens))
	if s.section == sectionExchanges && len(r.calls) == 0 ||
		s.section == sectionTokens && pairs == 0 {
		s.section, s.side = sectionInfo, 0
	}
	s.exch = min(max(0, s.exch), max(0, len(r.calls)-1))
	s.tok = min(max(0, s.tok), max(0, pairs-1))
}

// focusOrder lists the panes tab moves through.
func focusOrder(r stepRun) [][2]int {
	order := [][2]int{{int(sectionInfo), 0}}
	if len(r.calls) > 0 {
		order = append(order, [2]int{int(sectionExchanges), 0}, [2]int{int(sectionExchanges), 1})
	}
	if len(r.tokens) > 0 {
		order = append(order, [2]int{int(sectionTokens), 0}, [2]int{int(sectionTokens), 1})
	}
	return order
}

// cycle moves the focus to the next (or previous) pane.
func (s *stepScreen) cycle(r stepRun, d int) {
	order := focusOrder(r)
	at := 0
	for i, o := range order {
		if o[0] == int(s.section) && (s.section == sectionInfo || o[1] == s.side) {
			at = i
		}
	}
	at = (at + d + len(order)) % len(order)
	s.section, s.side = section(order[at][0]), order[at][1]
}

// item moves to the next (or previous) exchange or token pair.
func (s *stepScreen) item(r stepRun, d int) bool {
	switch s.section {
	case sectionExchanges:
		n := len(r.calls)
		s.exch = (s.exch + d + n) % n
		return n > 1
	case sectionTokens:
		n := len(tokenPairs(r.tokens))
		s.tok = (s.tok + d + n) % n
		return n > 1
	}
	return false
}

// focused is the pane the scroll keys move.
func (s *stepScreen) focused() *pane {
	switch {
	case s.section == sectionInfo:
		return &s.info
	case s.side == 0:
		return &s.left
	}
	return &s.right
}

// view draws the tabs line and the content box.
func (s *stepScreen) view(v flowView) string {
	st := v.st
	r := v.runs[v.cur]
	tabs := s.tabs(r, st)
	switch s.section {
	case sectionExchanges, sectionTokens:
		sel := s.selector(r, st)
		panes := lipgloss.JoinHorizontal(lipgloss.Top, s.left.view(st, s.side == 0), s.right.view(st, s.side == 1))
		return tabs + "\n" + sel + "\n" + panes
	}
	return tabs + "\n" + s.info.view(st, true)
}

// tabs is the line naming the sections, the shown one reversed.
func (s *stepScreen) tabs(r stepRun, st *Styles) string {
	exch := fmt.Sprintf("Exchanges %d", len(r.exchanges))
	if b := len(r.calls) - len(r.exchanges); b > 0 {
		exch += fmt.Sprintf(" +%d behind", b)
	}
	names := []string{"Info", exch, fmt.Sprintf("Tokens %d", len(r.tokens))}
	var parts []string
	for i, n := range names {
		if section(i) == s.section {
			parts = append(parts, st.Tab.Active.Render(n))
		} else {
			parts = append(parts, st.Tab.Inactive.Render(n))
		}
	}
	line := strings.Join(parts, " ") + st.Subtle.Render("  tab: next pane")
	return ansi.Truncate(line, s.w, "…")
}

// selector is the line above the side panes: which exchange or token pair.
func (s *stepScreen) selector(r stepRun, st *Styles) string {
	var n, i int
	var what string
	if s.section == sectionExchanges {
		n, i = len(r.calls), s.exch
		c := r.calls[i]
		x := c.x
		// The path gives way (from its front) before the status does; on
		// a narrow screen the words around them shorten first.
		heads := []string{""}
		if c.behind() {
			who := sanitize(c.caller + " → " + x.Service)
			heads = []string{"behind the scenes: " + who + " · ", "↳ " + who + " · "}
		}
		status := statusStyle(x.Status, st)
		tails := []string{" → " + status.Render(x.StatusLine()), " → " + status.Render(statusText(x.Status))}
		if d := c.decision; d != "" {
			decision := " " + decisionStyle(d, st).Render(sanitize(d))
			tails = []string{tails[0] + decision, tails[1] + decision, tails[1]}
		}
		const nav = 10 // "◀ 99/99 ▶ "
		call := sanitize(x.Method + " " + shortPath(x.URL))
		need := min(18, ansi.StringWidth(call))
		head, tail, room := "", "", 0
	fit:
		for _, h := range heads {
			for _, t := range tails {
				head, tail = h, t
				if room = s.w - nav - lipgloss.Width(head) - lipgloss.Width(tail); room >= need {
					break fit
				}
			}
		}
		what = st.Subtle.Render(head) + tailTruncate(call, max(12, room)) + tail
	} else {
		pairs := tokenPairs(r.tokens)
		n, i = len(pairs), s.tok
		p := pairs[i]
		what = p.left.Label
		if !p.split() {
			what += " → " + p.right.Label
		}
	}
	nav := fmt.Sprintf("%d/%d ", i+1, n)
	if n > 1 {
		nav = "◀ " + nav + "▶ "
	}
	return ansi.Truncate(st.Key.Render(nav)+what, s.w, "…")
}

func statusStyle(status int, st *Styles) lipgloss.Style {
	switch {
	case status == 0 || status >= 400:
		return st.Failure
	case status >= 300:
		return st.Warning
	}
	return st.Success
}

// infoLines is the info pane: what the step does and why, its inputs, what
// the scenario expects, the outcome with the error box, notes, and a list
// of the calls and tokens.
func infoLines(v flowView, s flow.Step, r stepRun, in stepInfo, w int) []string {
	st := v.st
	var out []string
	section := func(title string) {
		if len(out) > 0 {
			for range max(1, st.SectionGap) {
				out = append(out, "")
			}
		}
		out = append(out, st.Title.Render(title))
	}
	// Before a run the step's explanation comes first; after it, the
	// outcome and any error, which is what the reader came back for.
	outcome := func() {
		section("Outcome")
		switch {
		case r.outcome == flow.NotRun:
			out = append(out, "  "+stateWord(r.outcome, "", st)+" · press enter to run it")
			if len(in.pending) > 0 {
				out = append(out, proseIndented(st.Warning, fmt.Sprintf(
					"Earlier steps have not run yet (%s); this step needs what they make. r runs the whole scenario.",
					stepNumbers(in.pending)), w, 2)...)
			}
		case r.outcome == flow.Running:
			out = append(out, "  "+stateWord(r.outcome, "", st))
		case r.outcome == flow.Skipped:
			why := "an earlier step ended the run"
			if r.result != nil && r.result.Err != nil {
				why = r.result.Err.Error()
			}
			out = append(out, "  "+stateWord(r.outcome, "", st))
			out = append(out, proseIndented(st.Subtle, why, w, 4)...)
		default:
			line := "  " + stateWord(r.outcome, "", st)
			if r.result != nil {
				line += st.Subtle.Render(fmt.Sprintf(" in %s · ", fmtDuration(r.result.Duration))) + r.result.Why(s.Expect)
			}
			out = append(out, ansi.Truncate(line, w, "…"))
		}
		if e := stepErr(s, r); e != nil {
			out = append(out, errorBox(*e, w, st)...)
		}
	}
	if in.confirm != nil {
		out = append(out, confirmLines(*in.confirm, w, in.height, st)...)
	}
	if r.outcome != flow.NotRun {
		outcome()
	}
	section("What and why")
	narration := in.narr.lines(s.ID, w, st)
	if len(narration.what) > 0 {
		out = append(out, narration.what...)
	} else {
		out = append(out, proseLines(s.Explain, w, 2)...)
	}
	if s.Manual {
		manual := "In a real environment a person does this in a portal or a browser; against the mocks it runs over HTTP like the rest."
		if !v.settings.ActAsPeople {
			manual = "Here a person does this in a portal or a browser: the workbench shows what to do and, where the flow needs it, waits for it."
		}
		for _, l := range proseLines(manual, w, 2) {
			out = append(out, st.Subtle.Render(l))
		}
	}

	section("Inputs")
	if len(in.inputs) == 0 {
		out = append(out, st.Subtle.Render("  This step takes no inputs."))
	} else {
		lw := 0
		for _, i := range in.inputs {
			lw = max(lw, lipgloss.Width(i.Label))
		}
		for _, i := range in.inputs {
			val := i.Value
			if val == "" {
				val = "(empty)"
			}
			label := st.Label.Render(fmt.Sprintf("  %-*s", lw, i.Label))
			out = append(out, ansi.Truncate(label+"  "+sanitize(val), w, "…"))
			for _, l := range proseLines(i.Help, w, lw+4) {
				out = append(out, st.Subtle.Render(l))
			}
		}
		out = append(out, st.Subtle.Render("  e edits them before you run the step."))
	}

	if s.Expect.Code != "" {
		section("The lesson")
		out = append(out, proseIndented(st.Warning, "This step is meant to fail with "+s.Expect.Code+".", w, 2)...)
		out = append(out, proseLines(s.Expect.Why, w, 2)...)
	}

	if r.outcome == flow.NotRun {
		outcome()
	}

	if len(r.notes) > 0 {
		section("Notes")
		for _, n := range r.notes {
			lines := proseLines(n, w, 4)
			if len(lines) > 0 {
				lines[0] = "  · " + strings.TrimPrefix(lines[0], "    ")
			}
			out = append(out, lines...)
		}
	}
	if len(r.calls) > 0 {
		title := "Calls · tab shows request | response"
		if len(r.calls) > len(r.exchanges) {
			title += ", ] the next call"
		}
		section(title)
		nw := len(fmt.Sprint(len(r.calls)))
		for i, c := range r.calls {
			x := c.x
			// The call's path gives way before its status does.
			head := fmt.Sprintf("  %*d. ", nw, i+1)
			if c.behind() {
				head += strings.Repeat("  ", c.depth-1) + "↳ " + sanitize(c.caller+" → "+x.Service) + ": "
			}
			tail := " → " + statusStyle(x.Status, st).Render(x.StatusLine())
			if d := c.decision; d != "" {
				tail += " " + decisionStyle(d, st).Render(sanitize(d))
			}
			room := max(1, w-lipgloss.Width(head)-lipgloss.Width(tail))
			call := ansi.Truncate(sanitize(x.Method+" "+shortPath(x.URL)), room, "…")
			if c.behind() {
				head, call = st.Subtle.Render(head), st.Subtle.Render(call)
			}
			out = append(out, ansi.Truncate(head+call+tail, w, "…"))
		}
	}
	if len(r.tokens) > 0 {
		section("Tokens · tab on to see them decoded")
		for _, t := range r.tokens {
			ver := st.Success.Render("verified, kid " + t.KeyID)
			if !t.Verified {
				ver = st.Warning.Render("not verified")
			}
			out = append(out, ansi.Truncate("  "+t.Label+": "+ver, w, "…"))
		}
	}
	// The narration's facts come last: before a run right after how to
	// run the step, after it below what the run did.
	if len(narration.points) > 0 {
		section(flow.NarrationHeading)
		out = append(out, narration.points...)
	}
	return out
}

// stepNumbers lists step indexes as 1-based numbers: "1, 2, 4".
func stepNumbers(idx []int) string {
	var s []string
	for i, n := range idx {
		if i == 6 {
			s = append(s, "…")
			break
		}
		s = append(s, fmt.Sprint(n+1))
	}
	return strings.Join(s, ", ")
}
