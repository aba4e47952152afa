package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/lazyre"
)

// The sequence diagram: the parties as columns with lifelines, a title
// row for each step that made calls, and an arrow per call from the
// acting party to the service, labelled with the call by what it does
// ("GET /systemuser/request/vendor/{id}") and its status. The calls a
// service made behind the scenes to answer one follow it, dashed and dim,
// from the caller's column to the callee's. Where the labels have room to
// the right of the lifelines (a wide pane) a call is one row; otherwise
// its label goes on a row of its own above the arrow, across the
// lifelines. The mocks' clock moving is a note, not a call. One call can
// be selected, to open.

// seqPos is a call of the diagram: the step, and the call's index in the
// step's calls.
type seqPos struct{ step, call int }

// seqDiagram is the diagram drawn at a width.
type seqDiagram struct {
	head  []string // the party names and the lifelines, pinned above the rows
	lines []string
	// first is the first row of step cur, n how many rows it has.
	first, n int
	// calls are the calls in the order drawn, with their first row and
	// how many rows each takes.
	calls []seqCall
}

// seqCall is a call's place in the diagram.
type seqCall struct {
	pos       seqPos
	row, rows int
}

// at is the index in calls of the call at p, or -1.
func (d seqDiagram) at(p seqPos) int {
	for i, c := range d.calls {
		if c.pos == p {
			return i
		}
	}
	return -1
}

// sequenceLines draws the diagram at width w; the rows of step cur are
// marked, and the call at sel (when selected) is highlighted.
func sequenceLines(sc flow.Scenario, set flow.Settings, runs []stepRun, cur int, sel *seqPos, w int, st *Styles) seqDiagram {
	g := newSeqGrid(w)
	d := seqDiagram{head: g.head(st), first: -1}
	for i, s := range sc.Steps {
		r := runs[i]
		if len(r.calls) == 0 {
			continue
		}
		hi := i == cur
		if hi {
			d.first = len(d.lines)
		}
		title := fmt.Sprintf("%d %s", i+1, s.Title)
		mark := ""
		if r.outcome == flow.ExpectedFailure {
			mark = " ⚑ " + s.Expect.Code + " as expected"
		}
		d.lines = append(d.lines, g.titleRow(title, mark, hi, st))
		actor := partyIndex(s.CallParty(set)) // a real person's decision step polls as the vendor
		for k, c := range r.calls {
			p := seqPos{i, k}
			selected := sel != nil && *sel == p
			expected := r.outcome == flow.ExpectedFailure && !c.behind() && (c.x.Status == 0 || c.x.Status >= 400)
			rows := g.callRows(c, actor, hi, selected, expected, st)
			d.calls = append(d.calls, seqCall{pos: p, row: len(d.lines), rows: len(rows)})
			d.lines = append(d.lines, rows...)
		}
		if hi {
			d.n = len(d.lines) - d.first
		}
	}
	if len(d.calls) == 0 {
		d.lines = append(d.lines, "", "  "+st.Subtle.Render("No calls yet: r runs the scenario,"), "  "+st.Subtle.Render("enter opens the selected step."))
	}
	return d
}

// seqGrid is the diagram's geometry at a width.
type seqGrid struct {
	w       int      // the width, the marker included
	centres []int    // each party's lifeline column
	life    int      // the columns the lifelines take
	names   []string // the party names shown: in full, or short
	// above puts a call's label on a row above its arrow: the lifelines
	// leave the labels too little room beside them.
	above  bool
	labelW int // room for a label beside the lifelines
}

const seqMarker = 2 // "▶ " before highlighted rows

// seqLabelRoom is the room a label needs beside the lifelines for a call
// to take one row.
const seqLabelRoom = 44

// shortParty is a party's name where the full names do not fit.
var shortParty = map[flow.Party]string{
	flow.PartySmartCloud:   "Vendor",
	flow.PartyMaskinporten: "MP",
	flow.PartyAltinn:       "Altinn",
	flow.PartySkatteetaten: "SKE",
	flow.PartyPerson:       "Person",
}

func newSeqGrid(w int) seqGrid {
	parties := len(flow.Parties)
	room := max(parties*5, w-seqMarker)
	g := seqGrid{w: w}
	full := make([]string, parties)
	short := make([]string, parties)
	for k, p := range flow.Parties {
		full[k], short[k] = string(p), shortParty[p]
	}
	// Beside the labels, as narrow as the full names allow.
	if colW := min(14, room*11/20/parties); fitsOneRow(full, colW) && room-parties*colW-1 >= seqLabelRoom {
		g.setColumns(colW, full)
		g.labelW = room - g.life - 1
		return g
	}
	// Labels above the arrows: the lifelines spread over the pane.
	g.above = true
	colW := min(16, room/parties)
	names := full
	if !fitsOneRow(full, colW) {
		names = short
	}
	g.setColumns(colW, names)
	g.labelW = room
	return g
}

func (g *seqGrid) setColumns(colW int, names []string) {
	g.names = names
	g.life = len(names) * colW
	g.centres = make([]int, len(names))
	for k := range names {
		g.centres[k] = k*colW + colW/2
	}
}

// fitsOneRow reports whether the names fit side by side over lifelines
// colW apart, a space between each two.
func fitsOneRow(names []string, colW int) bool {
	end := -1
	for k, n := range names {
		c := k*colW + colW/2
		start := c - len(n)/2
		if start <= end || start < 0 || start+len(n) > len(names)*colW {
			return false
		}
		end = start + len(n)
	}
	return true
}

// lifeline is a row of the lifelines alone, to draw an arrow over.
func (g seqGrid) lifeline() []rune {
	row := []rune(strings.Repeat(" ", g.life))
	for _, c := range g.centres {
		row[c] = '│'
	}
	return row
}

// head is the party names over their lifelines: one row when they fit,
// else two staggered rows.
func (g seqGrid) head(st *Styles) []string {
	rows := 1
	if !fitsOneRow(g.names, g.life/len(g.names)) {
		rows = 2
	}
	var head []string
	for r := range rows {
		grid := []rune(strings.Repeat(" ", g.life))
		for k, p := range g.names {
			if rows == 2 && k%2 != r {
				continue
			}
			name := []rune(p)
			start := min(max(0, g.centres[k]-len(name)/2), g.life-len(name))
			copy(grid[max(0, start):], name)
		}
		head = append(head, spaces(seqMarker)+st.Bold.Render(string(grid)))
	}
	return append(head, spaces(seqMarker)+st.Subtle.Render(string(g.lifeline())))
}

// titleRow is a step's title: beside the lifelines, or across them.
func (g seqGrid) titleRow(title, mark string, hi bool, st *Styles) string {
	ts := st.Subtle
	if hi {
		ts = st.Current
	}
	if !g.above {
		room := max(1, g.labelW)
		t := ansi.Truncate(title, max(1, room-ansi.StringWidth(mark)), "…")
		return rowMarker(hi, st) + st.Subtle.Render(string(g.lifeline())) + " " + ts.Render(t) + st.State.Expected.Render(mark)
	}
	room := g.w - seqMarker
	t := ansi.Truncate(title, max(1, room-ansi.StringWidth(mark)), "…")
	return g.overlay(rowMarker(hi, st), 0, ts.Render(t)+st.State.Expected.Render(mark), st)
}

// overlay is a lifeline row with text written over it from column at.
func (g seqGrid) overlay(marker string, at int, text string, st *Styles) string {
	life := g.lifeline()
	at = min(max(0, at), g.life)
	tw := ansi.StringWidth(text)
	rest := ""
	if at+tw+1 < g.life {
		rest = " " + string(life[at+tw+1:])
	}
	return marker + st.Subtle.Render(string(life[:at])) + text + st.Subtle.Render(rest)
}

// callRows is one call's rows: its arrow and label, from the acting party
// (or, for a call behind the scenes, the service that made it) to the
// service; the mocks' clock moving is a note. selected highlights it;
// expected marks the failure the scenario expects.
func (g seqGrid) callRows(c call, actor int, hi, selected, expected bool, st *Styles) []string {
	x := c.x
	marker := rowMarker(hi, st)
	if selected {
		marker = st.Selected.Render("›") + " "
	}
	if jump, ok := flow.ClockJump(x); ok {
		note := "⏱ " + jump + ": the mocks' clock moves"
		if selected {
			note = st.Selected.Render(note)
		} else {
			note = st.Warning.Render(note)
		}
		return []string{g.overlay(marker, g.centres[0]+2, note, st)}
	}
	from := actor
	if c.behind() {
		from = partyIndex(flow.ServiceParty(c.caller))
	}
	to := partyIndex(flow.ServiceParty(x.Service))
	row := g.lifeline()
	if from >= 0 && to >= 0 {
		drawArrow(row, g.centres[from], g.centres[to], c.behind())
	}
	arrow := st.Subtle.Render(string(row))
	if hi && !c.behind() {
		arrow = st.Current.Render(string(row))
	}
	left := g.centres[max(0, min(from, to))]
	if !g.above {
		return []string{marker + arrow + " " + callLabel(c, g.labelW, selected, expected, st)}
	}
	// The label above the arrow, from its left end; moved left rather
	// than cut, if that lets it show whole.
	room := g.w - seqMarker
	label := callLabel(c, room-2, selected, expected, st)
	at := min(left+2, room-ansi.StringWidth(label))
	return []string{g.overlay(marker, at, label, st), marker + arrow}
}

// callLabel is a call's label in w cells: the method and the path by
// what it does, the status; for a call behind the scenes indented under a
// "↳", dim, with what Altinn's PDP decided, which is the reason behind a
// 403. A failure the scenario expects is marked ⚑.
func callLabel(c call, w int, selected, expected bool, st *Styles) string {
	x := c.x
	status := statusText(x.Status)
	ss := st.Success
	switch {
	case expected:
		status, ss = "⚑ "+status, st.State.Expected
	case x.Status == 0 || x.Status >= 400:
		ss = st.Failure
	case c.behind():
		ss = st.Subtle
	}
	indent := ""
	if c.behind() {
		indent = strings.Repeat(" ", 2*(c.depth-1)) + "↳ "
	}
	tail := ansi.StringWidth(status)
	if c.decision != "" {
		tail += 1 + ansi.StringWidth(c.decision)
	}
	room := max(1, w-ansi.StringWidth(indent)-tail-1)
	text := indent + tailTruncate(sanitize(x.Method+" "+pathLabel(x.URL)), room)
	switch {
	case selected:
		text = st.Selected.Render(text)
	case c.behind():
		text = st.Subtle.Render(text)
	}
	label := text + " " + ss.Render(status)
	if c.decision != "" {
		label += " " + decisionStyle(c.decision, st).Render(sanitize(c.decision))
	}
	return ansi.Truncate(label, max(1, w), "…")
}

// apiPrefixes are the paths under which the services keep their APIs;
// a label leaves them out, as they say nothing of what the call does.
var apiPrefixes = []string{
	"/authentication/api/v1", "/resourceregistry/api/v1", "/authorization/api/v1",
	"/api/innkreving/kravogbetalinger/v1", "/kravogbetalinger/v1",
}

var (
	uuidSegment     = lazyre.New(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)
	orgNoSegment    = lazyre.New(`^\d{9}$`)
	systemIDSegment = lazyre.New(`^\d{9}_[A-Za-z0-9_-]+$`)
)

// pathLabel is a URL's path by what it does: the API's prefix left out,
// ids as what they are ("/systemuser/request/vendor/{id}",
// "/regnskapssystem/{orgno}/aapnekrav").
func pathLabel(raw string) string {
	p := pathOnly(raw)
	for _, pre := range apiPrefixes {
		if rest, ok := strings.CutPrefix(p, pre); ok && (rest == "" || rest[0] == '/') {
			p = rest
			break
		}
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case uuidSegment.MatchString(s):
			segs[i] = "{id}"
		case orgNoSegment.MatchString(s):
			segs[i] = "{orgno}"
		case systemIDSegment.MatchString(s):
			segs[i] = "{systemId}"
		}
	}
	if p = strings.Join(segs, "/"); p == "" {
		p = "/"
	}
	return p
}

// tailTruncate shortens a call's label from the middle of its path, as
// the method and the path's end say the most: "GET …/vendor/991825827".
func tailTruncate(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	method, path, ok := strings.Cut(s, " ")
	if !ok || len(method)+3 >= w {
		return ansi.Truncate(s, w, "…")
	}
	keep := w - len(method) - 2
	r := []rune(path)
	tail := string(r[max(0, len(r)-keep):])
	// Start at a slash rather than in the middle of a word, if that does
	// not throw away much.
	if i := strings.IndexByte(tail, '/'); i > 0 && i <= len(tail)/2 {
		tail = tail[i:]
	}
	return method + " …" + tail
}

func rowMarker(hi bool, st *Styles) string {
	if hi {
		return st.Current.Render("▶ ")
	}
	return "  "
}

// partyIndex is the party's column, or -1 for a service the diagram does
// not know.
func partyIndex(p flow.Party) int {
	for i, q := range flow.Parties {
		if q == p {
			return i
		}
	}
	return -1
}

// drawArrow draws an arrow from column a to column b over the lifelines:
// solid for the workbench's calls, dashed with an open head for the calls
// a service made behind the scenes. A call a service makes to itself is a
// mark on its lifeline.
func drawArrow(g []rune, a, b int, behind bool) {
	line, right, left := '─', '▶', '◀'
	if behind {
		line, right, left = '┄', '▷', '◁'
	}
	switch {
	case a < b:
		g[a] = '├'
		for i := a + 1; i < b-1; i++ {
			g[i] = line
		}
		g[b-1] = right
	case a > b:
		g[a] = '┤'
		for i := b + 2; i < a; i++ {
			g[i] = line
		}
		g[b+1] = left
	default:
		g[a] = '┼'
	}
}
