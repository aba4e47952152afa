package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// sequenceLines draws the sequence diagram: the parties as columns with
// lifelines, a title row for each step that made calls, and one arrow per
// exchange from the acting party to the service, labelled with the call
// and its status. The calls a service made behind the scenes to answer one
// follow it, dashed and dim, from the caller's column to the callee's,
// their labels indented under a "↳". The rows of step cur are
// highlighted. It returns the party names to pin above the rows, the
// rows, and the first row of step cur and how many rows it has, to scroll
// it into view.
func sequenceLines(sc flow.Scenario, runs []stepRun, cur, w int, st *Styles) (head, out []string, first, n int) {
	g := newSeqGrid(w)
	head = g.head(st)
	first = -1
	some := false
	for i, s := range sc.Steps {
		r := runs[i]
		if len(r.calls) == 0 {
			continue
		}
		some = true
		hi := i == cur
		if hi {
			first = len(out)
		}
		title := ansi.Truncate(fmt.Sprintf("%d %s", i+1, s.Title), max(1, g.labelW), "…")
		ts := st.Subtle
		if hi {
			ts = st.Current
		}
		out = append(out, rowMarker(hi, st)+st.Subtle.Render(string(g.lifeline()))+" "+ts.Render(title))
		actor := partyIndex(s.Actor.Party())
		for _, c := range r.calls {
			out = append(out, g.callRow(c, actor, hi, st))
		}
		if hi {
			n = len(out) - first
		}
	}
	if !some {
		out = append(out, "", "  "+st.Subtle.Render("No calls yet: r runs the scenario,"), "  "+st.Subtle.Render("enter opens the selected step."))
	}
	return head, out, first, n
}

// seqGrid is the diagram's geometry at a width: a column per party, the
// labels to the right of the lifelines.
type seqGrid struct {
	colW, life, labelW int
}

const seqMarker = 2 // "▶ " before highlighted rows

func newSeqGrid(w int) seqGrid {
	parties := len(flow.Parties)
	colW := min(14, max(7, (w-seqMarker)*11/20/parties))
	life := parties * colW
	return seqGrid{colW: colW, life: life, labelW: w - seqMarker - life - 1}
}

// centre is party k's lifeline column.
func (g seqGrid) centre(k int) int { return k*g.colW + g.colW/2 }

// lifeline is a row of the lifelines alone, to draw an arrow over.
func (g seqGrid) lifeline() []rune {
	row := []rune(strings.Repeat(" ", g.life))
	for k := range flow.Parties {
		row[g.centre(k)] = '│'
	}
	return row
}

// head is the party names over their lifelines: one row when they fit,
// else two staggered rows.
func (g seqGrid) head(st *Styles) []string {
	rows := 1
	for _, p := range flow.Parties {
		if len(p) > g.colW-1 {
			rows = 2
		}
	}
	var head []string
	for r := 0; r < rows; r++ {
		grid := []rune(strings.Repeat(" ", g.life))
		for k, p := range flow.Parties {
			if rows == 2 && k%2 != r {
				continue
			}
			name := []rune(string(p))
			start := min(max(0, g.centre(k)-len(name)/2), g.life-len(name))
			copy(grid[max(0, start):], name)
		}
		head = append(head, strings.Repeat(" ", seqMarker)+st.Bold.Render(string(grid)))
	}
	return append(head, strings.Repeat(" ", seqMarker)+st.Subtle.Render(string(g.lifeline())))
}

// callRow is one call's arrow and label: from the acting party (or, for a
// call behind the scenes, the service that made it) to the service.
func (g seqGrid) callRow(c call, actor int, hi bool, st *Styles) string {
	x := c.x
	from := actor
	if c.behind() {
		from = partyIndex(flow.ServiceParty(c.caller))
	}
	to := partyIndex(flow.ServiceParty(x.Service))
	row := g.lifeline()
	if from >= 0 && to >= 0 {
		drawArrow(row, g.centre(from), g.centre(to), c.behind())
	}
	arrow := st.Subtle.Render(string(row))
	if hi && !c.behind() {
		arrow = st.Current.Render(string(row))
	}
	status := statusText(x.Status)
	ss := st.Success
	if x.Status == 0 || x.Status >= 400 {
		ss = st.Failure
	}
	if !c.behind() {
		room := max(1, g.labelW-len(status)-1)
		label := tailTruncate(sanitize(x.Method+" "+pathOnly(x.URL)), room)
		return rowMarker(hi, st) + arrow + " " + label + " " + ss.Render(status)
	}
	// A behind call: an indented, dim label, and what Altinn's PDP
	// decided, which is the reason behind a 403.
	if x.Status > 0 && x.Status < 400 {
		ss = st.Subtle
	}
	indent := strings.Repeat(" ", 2*(c.depth-1)) + "↳ "
	decision := c.decision
	tail := len(status)
	if decision != "" {
		tail += 1 + len(decision)
	}
	room := max(1, g.labelW-lipgloss.Width(indent)-tail-1)
	label := st.Subtle.Render(indent+tailTruncate(sanitize(x.Method+" "+pathOnly(x.URL)), room)) + " " + ss.Render(status)
	if decision != "" {
		label += " " + decisionStyle(decision, st).Render(sanitize(decision))
	}
	return rowMarker(hi, st) + arrow + " " + ansi.Truncate(label, max(1, g.labelW), "…")
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
