package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// sequenceLines draws the sequence diagram: the parties as columns with
// lifelines, a title row for each step that made calls, and one arrow per
// exchange from the acting party to the service, labelled with the call
// and its status. The rows of step cur are highlighted. It returns the
// party names to pin above the rows, the rows, and the first row of step
// cur, to scroll it into view.
func sequenceLines(sc flow.Scenario, runs []stepRun, cur, w int, st *Styles) (head, out []string, first int) {
	const marker = 2 // "▶ " before highlighted rows
	n := len(flow.Parties)
	colW := min(14, max(7, (w-marker)*11/20/n))
	life := n * colW
	labelW := w - marker - life - 1
	centre := func(k int) int { return k*colW + colW/2 }

	// Names: one row when they fit, else two staggered rows.
	rows := 1
	for _, p := range flow.Parties {
		if len(p) > colW-1 {
			rows = 2
		}
	}
	for r := 0; r < rows; r++ {
		grid := []rune(strings.Repeat(" ", life))
		for k, p := range flow.Parties {
			if rows == 2 && k%2 != r {
				continue
			}
			name := []rune(string(p))
			start := min(max(0, centre(k)-len(name)/2), life-len(name))
			copy(grid[max(0, start):], name)
		}
		head = append(head, strings.Repeat(" ", marker)+st.Bold.Render(string(grid)))
	}
	lifeline := func() []rune {
		g := []rune(strings.Repeat(" ", life))
		for k := range flow.Parties {
			g[centre(k)] = '│'
		}
		return g
	}
	head = append(head, strings.Repeat(" ", marker)+st.Subtle.Render(string(lifeline())))

	first = -1
	some := false
	for i, s := range sc.Steps {
		r := runs[i]
		if len(r.exchanges) == 0 {
			continue
		}
		some = true
		hi := i == cur
		if hi {
			first = len(out)
		}
		title := ansi.Truncate(fmt.Sprintf("%d %s", i+1, s.Title), max(1, labelW), "…")
		ts := st.Subtle
		if hi {
			ts = st.Current
		}
		out = append(out, rowMarker(hi, st)+st.Subtle.Render(string(lifeline()))+" "+ts.Render(title))
		from := partyIndex(actorParty(s.Actor))
		for _, x := range r.exchanges {
			to := partyIndex(serviceParty(x.Service))
			g := lifeline()
			drawArrow(g, centre(from), centre(to))
			arrow := st.Subtle.Render(string(g))
			if hi {
				arrow = st.Current.Render(string(g))
			}
			status := "—"
			if x.Status != 0 {
				status = fmt.Sprint(x.Status)
			}
			room := max(1, labelW-len(status)-1)
			label := tailTruncate(sanitize(x.Method+" "+pathOnly(x.URL)), room)
			ss := st.Success
			if x.Status == 0 || x.Status >= 400 {
				ss = st.Failure
			}
			out = append(out, rowMarker(hi, st)+arrow+" "+label+" "+ss.Render(status))
		}
	}
	if !some {
		out = append(out, "", "  "+st.Subtle.Render("No calls yet: r runs the scenario,"), "  "+st.Subtle.Render("enter opens the selected step."))
	}
	return head, out, first
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
	return method + " …" + string(r[max(0, len(r)-keep):])
}

func rowMarker(hi bool, st *Styles) string {
	if hi {
		return st.Current.Render("▶ ")
	}
	return "  "
}

func partyIndex(p flow.Party) int {
	for i, q := range flow.Parties {
		if q == p {
			return i
		}
	}
	return 0
}

// drawArrow draws an arrow from column a to column b over the lifelines.
func drawArrow(g []rune, a, b int) {
	switch {
	case a < b:
		g[a] = '├'
		for i := a + 1; i < b-1; i++ {
			g[i] = '─'
		}
		g[b-1] = '▶'
	case a > b:
		g[a] = '┤'
		for i := b + 2; i < a; i++ {
			g[i] = '─'
		}
		g[b+1] = '◀'
	}
}
