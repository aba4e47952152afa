package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
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
// only draws the visible part. It runs the step, moves between steps and
// opens the form by asking the root; its panes, their focus and what they
// show are its own.
type stepScreen struct {
	outbox
	common Common
	v      flowView // the flow's state, from the root's last sync

	section section
	side    int // 0 left pane, 1 right pane (exchanges, tokens)
	exch    int // the exchange shown
	tok     int // the token pair shown

	info, left, right pane

	// What each pane holds, so sync re-renders only what changed.
	infoKey, leftKey, rightKey renderKey
	// scrolls remembers where each content was scrolled to, so moving
	// between exchanges or steps and back keeps the place.
	scrolls map[contentID]int
	// infoSeek scrolls the info pane, once its content is in place, to its
	// top or to the facts to point at (presenter mode's views).
	infoSeek seek

	// The confirm URL the step shows (hasConfirm), with its QR code made
	// once per URL.
	confirm    confirmInfo
	hasConfirm bool
	qr         qrCache

	// narr renders the steps' narrations, once per step, width and style;
	// the root's, so that it outlives a change of scenario.
	narr *narrator
	// facts are the engine's, from the last sync, for the token panes.
	facts tokenFacts

	// The exchange panes' own state (step_panes.go): how each side shows
	// its lines, a large body rendering in the background, the search.
	sides  [2]sideState
	search search
	// moved says the last key only scrolled a pane, so the root need not
	// sync; tabsLine and selLine are the lines over the panes, drawn in
	// sync; frame is the buffer View draws into, kept between frames
	// (shared by the model's copies, which draw one at a time).
	moved             bool
	tabsLine, selLine string
	frame             *[]byte
}

// seek is where the info pane is to scroll to on the next sync.
type seek int

const (
	seekNone  seek = iota
	seekTop        // the top
	seekFacts      // the narration's facts to point at
	seekHint       // the exercise's latest hint (exercise.go)
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
// the clock; for the info pane, a version of the data; for an exchange,
// how it shows).
type renderKey struct {
	id      contentID
	width   int
	height  int // the info pane's: the QR code shows only if it fits
	version int
	facts   tokenFacts // for tokens: the mocks' clock and the run's ids
	mode    sideMode
	valid   bool
}

func newStepScreen(c Common, narr *narrator) stepScreen {
	return stepScreen{
		frame:   new([]byte),
		common:  c,
		info:    pane{},
		left:    pane{bordered: true},
		right:   pane{bordered: true},
		scrolls: map[contentID]int{},
		narr:    narr,
	}
}

// SetSize implements Component: the tabs line, then the panes, each with
// the styles' padding inside on both sides.
func (s *stepScreen) SetSize(w, h int) {
	s.common = s.common.sized(w, h)
	pad := s.common.Styles.PanePad
	h-- // the tabs line
	s.info.pad, s.left.pad, s.right.pad = pad, pad, pad
	s.info.setSize(w, h)
	lw := w / 2
	s.left.setSize(lw, h-1)
	s.right.setSize(w-lw, h-1)
}

// run is the selected step's run (none before the first sync).
func (s *stepScreen) run() stepRun {
	if s.v.cur < len(s.v.runs) {
		return s.v.runs[s.v.cur]
	}
	return stepRun{}
}

// Init implements tea.Model.
func (s *stepScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model: the keys and the mouse.
func (s *stepScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s, s.key(msg)
	case tea.MouseMsg:
		s.mouse(msg)
	}
	return s, nil
}

func (s *stepScreen) key(msg tea.KeyMsg) tea.Cmd {
	s.moved = false
	if cmd, ok := s.paneKey(msg); ok { // the search, sideways, w, d, C, J
		return cmd
	}
	if r, ok := sharedKey(msg, s.common.Keys); ok {
		s.ask(r)
		return nil
	}
	if s.waitKey(msg) {
		return nil
	}
	k := s.common.Keys
	r := s.run()
	switch {
	case key.Matches(msg, k.Back):
		s.ask(goOverview{})
	case key.Matches(msg, k.Run):
		s.ask(runOne{s.v.cur})
	case key.Matches(msg, k.NextStep):
		s.ask(selectStep{s.v.cur + 1})
	case key.Matches(msg, k.PrevStep):
		s.ask(selectStep{s.v.cur - 1})
	case key.Matches(msg, k.Edit):
		s.ask(editInputs{})
	case key.Matches(msg, k.Copy):
		return s.copyFocused()
	case key.Matches(msg, k.OpenURL):
		if !s.hasConfirm {
			s.ask(say{text: "this step has no URL to open"})
			return nil
		}
		return openCmd(s.common.Open, s.confirm.url)
	case key.Matches(msg, k.ZoomQR):
		if !s.hasConfirm || s.confirm.qr == nil {
			s.ask(say{text: "this step has no QR code"})
			return nil
		}
		s.ask(zoomIn{})
	case key.Matches(msg, k.NextPane):
		s.cycle(r, 1)
		s.hintNothingYet(r)
	case key.Matches(msg, k.PrevPane):
		s.cycle(r, -1)
		s.hintNothingYet(r)
	case key.Matches(msg, k.NextItem):
		s.item(r, 1)
	case key.Matches(msg, k.PrevItem):
		s.item(r, -1)
	default:
		s.moved = scrollKey(s.focused(), msg, k)
		s.linkScroll()
	}
	return nil
}

// linkScroll scrolls a grant and its token together: their claims are
// drawn row beside row.
func (s *stepScreen) linkScroll() {
	r := s.run()
	if s.section != sectionTokens || s.tok >= len(tokenPairs(r.tokens)) || tokenPairs(r.tokens)[s.tok].split() {
		return
	}
	from, to := &s.left, &s.right
	if s.side == 1 {
		from, to = to, from
	}
	to.offset = from.offset
	to.clamp()
}

func (s *stepScreen) hintNothingYet(r stepRun) {
	if len(r.calls) == 0 && len(r.tokens) == 0 {
		s.ask(say{text: "nothing to show beside the info yet: enter runs the step"})
	}
}

// mouse scrolls the pane under the pointer with the wheel, and focuses it
// on a click.
func (s *stepScreen) mouse(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	if s.section != sectionInfo {
		s.side = 0
		if msg.X >= s.left.w {
			s.side = 1
		}
	}
	wheel(s.focused(), msg)
	s.linkScroll()
}

// copyFocused copies the focused pane's body or token, or from the info
// the confirm URL.
func (s *stepScreen) copyFocused() tea.Cmd {
	r := s.run()
	clip := s.common.Copy
	switch s.section {
	case sectionExchanges:
		x := r.calls[s.exch].x
		if s.side == 0 {
			if x.RequestBody == "" {
				return copyCmd(clip, "request URL", x.URL)
			}
			return copyCmd(clip, "request body", x.RequestBody)
		}
		return copyCmd(clip, "response body", x.ResponseBody)
	case sectionTokens:
		p := tokenPairs(r.tokens)[s.tok]
		t := p.left
		if s.side == 1 && !p.split() {
			t = p.right
		}
		return copyCmd(clip, t.Label, t.Raw)
	}
	if s.hasConfirm {
		return copyCmd(clip, "confirm URL", s.confirm.url)
	}
	s.ask(say{text: "tab to a request, response or token pane to copy it"})
	return nil
}

// ShortHelp implements help.KeyMap: on a step that shows the confirm URL
// its keys first, as they are what the step is for.
func (s *stepScreen) ShortHelp() []key.Binding {
	k := s.common.Keys
	if wait := s.waitBindings(); len(wait) > 0 {
		return append(wait, s.runBinding(), k.Back)
	}
	if keys := s.searchHelp(); keys != nil {
		return keys
	}
	moves := []key.Binding{joined(k.NextStep, k.PrevStep, "next/prev step"), relabel(k.NextPane, "pane"), k.Back}
	if s.onExchange() && s.sides[s.side].mode.nowrap {
		moves = append([]key.Binding{paired(k.ScrollLeft, k.ScrollRight, "←/→", "sideways"), relabel(k.Wrap, "wrap")}, moves...)
	}
	if s.hasConfirm {
		keys := []key.Binding{k.OpenURL, s.copyBinding()}
		if s.confirm.qr != nil {
			keys = append(keys, relabel(k.ZoomQR, "QR code"))
		}
		return append(append(keys, s.runBinding()), moves...)
	}
	if s.v.sc.Exercise != nil {
		moves = append([]key.Binding{k.Edit, k.Hint}, moves...)
	}
	return append([]key.Binding{s.runBinding()}, moves...)
}

// FullHelp implements help.KeyMap.
func (s *stepScreen) FullHelp() [][]key.Binding {
	k := s.common.Keys
	first := append(s.waitBindings(), s.runBinding(), k.RunAll, k.Edit, s.copyBinding(), k.Export)
	if s.v.sc.Exercise != nil {
		first = append(first, k.Hint)
	}
	if s.hasConfirm {
		first = append(first, k.OpenURL)
		if s.confirm.qr != nil {
			first = append(first, k.ZoomQR)
		}
	}
	nav := []key.Binding{joined(k.NextStep, k.PrevStep, "next/prev step"), k.Actor, k.Back, k.Scenarios}
	if s.v.autoKey {
		nav = append(nav, k.Auto)
	}
	return [][]key.Binding{
		first,
		nav,
		{joined(k.NextPane, k.PrevPane, "pane"), s.itemsHelp(), joined(k.Up, k.Down, "scroll"), joined(k.PageUp, k.PageDown, "page")},
		s.paneHelp(),
	}
}

// copyBinding is Copy, labelled for what it copies: the confirm URL from
// the info section of a step that shows one.
func (s *stepScreen) copyBinding() key.Binding {
	b := s.common.Keys.Copy
	if s.hasConfirm && s.section == sectionInfo {
		b.SetHelp(b.Help().Key, "copy URL")
	}
	return b
}

// runBinding is Run, labelled for the step's state.
func (s *stepScreen) runBinding() key.Binding {
	b := s.common.Keys.Run
	if s.run().outcome != flow.NotRun {
		b.SetHelp("enter", "run again")
	}
	return b
}

// itemsHelp stands for NextItem and PrevItem, labelled for the section.
func (s *stepScreen) itemsHelp() key.Binding {
	what := "exchange"
	if s.section == sectionTokens {
		what = "token"
	}
	return joined(s.common.Keys.PrevItem, s.common.Keys.NextItem, what)
}

// sync renders whatever the selection, data or size made stale; a large
// body it starts rendering in the command it returns.
func (s *stepScreen) sync(v flowView, in stepInfo) tea.Cmd {
	s.v = v
	s.facts = in.tokens
	r := v.runs[v.cur]
	step := v.sc.Steps[v.cur]
	s.clampSelection(r)
	s.confirm, s.hasConfirm = confirmFor(v, in.stateURL, &s.qr)
	if s.hasConfirm {
		ci := s.confirm // a copy: a pointer into the screen would move the model to the heap
		in.confirm = &ci
	}
	in.narr = s.narr

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
	case seekHint:
		s.seekHint(in.exercise)
	}
	s.infoSeek = seekNone

	var cmd tea.Cmd
	switch s.section {
	case sectionExchanges:
		cmd = s.syncExchange(v, r)
	case sectionTokens:
		s.syncTokens(v, r)
	}
	search := s.syncSearch() // before the tabs line, which says how it went
	s.tabsLine, s.selLine = s.withSearch(s.tabs(r, v.st), v.st), ""
	if s.section != sectionInfo {
		s.selLine = s.selector(r, v.st)
	}
	return tea.Batch(cmd, search)
}

// syncExchange renders the selected call's request and response.
func (s *stepScreen) syncExchange(v flowView, r stepRun) tea.Cmd {
	c := r.calls[s.exch]
	x := c.x
	s.left.title = fmt.Sprintf("Request · %s", x.Service)
	s.right.title = "Response"
	if c.behind() { // the selector line says it is behind the scenes
		s.left.title = fmt.Sprintf("Request · %s → %s", c.caller, x.Service)
	}
	var names []namedJWT // looked for once, when a side needs them
	lazyNames := func() []namedJWT {
		if names == nil {
			names = append(jwtNames(v.runs, r.calls), namedJWT{})
		}
		return names
	}
	left := s.loadSide(&s.left, &s.leftKey, contentID{v.cur, r.attempt, sectionExchanges, s.exch, 0}, x, lazyNames)
	right := s.loadSide(&s.right, &s.rightKey, contentID{v.cur, r.attempt, sectionExchanges, s.exch, 1}, x, lazyNames)
	return tea.Batch(left, right)
}

// syncTokens renders the selected token pair (or token) against the
// services' clock (the mocks' may be ahead of the wall clock), again each
// second.
func (s *stepScreen) syncTokens(v flowView, r stepRun) {
	f := s.facts
	now, loc := s.common.Now().Add(f.clock), s.common.Loc
	p := tokenPairs(r.tokens)[s.tok]
	sec := int(now.Unix())
	used := isGrant(p.left.Label) && posted(p.left.Raw, r.calls)
	lv := tokenView{tok: *p.left, facts: f, used: used}
	rv := lv
	var render func() (l, r []string)
	if p.split() {
		s.left.title, s.right.title = p.left.Label+" · header", p.left.Label+" · claims"
		lv.part, rv.part = tokenHeader, tokenClaims
		render = func() ([]string, []string) {
			return lv.lines(s.left.innerWidth(), v.st, now, loc), rv.lines(s.right.innerWidth(), v.st, now, loc)
		}
	} else {
		// The grant and its token are drawn together, claim beside claim.
		s.left.title, s.right.title = p.left.Label, p.right.Label
		rv = tokenView{tok: *p.right, grant: p.left, facts: f}
		render = func() ([]string, []string) {
			return pairLines(lv, rv, s.left.innerWidth(), s.right.innerWidth(), v.st, now, loc)
		}
	}
	if used {
		s.left.title += " · used"
	}
	lk := renderKey{id: contentID{v.cur, r.attempt, sectionTokens, s.tok, 0}, width: s.left.innerWidth(), version: sec, facts: f, valid: true}
	rk := renderKey{id: contentID{v.cur, r.attempt, sectionTokens, s.tok, 1}, width: s.right.innerWidth(), version: sec, facts: f, valid: true}
	if lk == s.leftKey && rk == s.rightKey {
		return
	}
	left, right := render()
	s.load(&s.left, s.leftKey, lk, func(int) []string { return left })
	s.leftKey = lk
	s.load(&s.right, s.rightKey, rk, func(int) []string { return right })
	s.rightKey = rk
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

// showCall shows a call of the step: its request | response.
func (s *stepScreen) showCall(i int) {
	s.section, s.side, s.exch = sectionExchanges, 0, i
}

// show puts a view of presenter mode's on the screen: the info from its
// top or from its facts, the step's main call, or its first token pair
// (the grant beside its access token); the left pane focused.
func (s *stepScreen) show(v view, r stepRun) {
	s.section, s.side = v.sec, 0
	switch v.sec {
	case sectionInfo:
		s.infoSeek = seekTop
		if v.facts {
			s.infoSeek = seekFacts
		}
	case sectionExchanges:
		s.exch = mainCall(r.calls)
	case sectionTokens:
		s.tok = 0
	}
}
