package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The claims table of a token pane: a row per claim, laid out in aligned
// columns of claim, value and meaning at the pane's width.

// claimRow is a row of the claims table.
type claimRow struct {
	depth int
	// mark is "+" for a claim the token adds to its grant's, "−" for a
	// grant's claim it drops, "" otherwise.
	mark  string
	name  string
	value string // "" for an object's heading row
	// extra are lines under the value, each in pieces that share a line
	// where they fit (a time's date and how far it is from now).
	extra   [][]string
	tag     string // a word after the value: "used"
	meaning string
	blank   bool // a row left empty, beside the other token's claim
}

// table lays the rows out in aligned columns at width w, a block of
// lines per row: the claim, its value, its meaning. A row takes one line
// where its value and meaning fit beside the columns; otherwise the
// meaning goes under the value, and a value too long for its column
// under the claim. A blank row has no lines.
func (v tokenView) table(rows []claimRow, w int, st *Styles, meanings bool) [][]string {
	return v.tableWith(rows, w, nameWidth(rows, w), st, meanings)
}

// nameWidth is the claim column's width for the rows at width w: the
// widest name that fits it; a longer one (urn:altinn:authenticatemethod)
// has its value after it.
func nameWidth(rows []claimRow, w int) int {
	capW := max(8, min(24, w*2/5))
	nameW := 0
	for _, r := range rows {
		if n := 2*r.depth + ansi.StringWidth(r.name); r.value != "" && n <= capW {
			nameW = max(nameW, n)
		}
	}
	return nameW
}

// tableWith is table with the claim column nameW wide.
func (v tokenView) tableWith(rows []claimRow, w, nameW int, st *Styles, meanings bool) [][]string {
	const markW, gap = 2, 2
	valueCol := markW + nameW + gap
	meaningCol := valueCol + v.valueColumn(rows, w, valueCol, meanings) + gap
	out := make([][]string, len(rows))
	for i, r := range rows {
		if r.blank {
			continue
		}
		mean := ""
		if meanings {
			mean = r.meaning
		}
		out[i] = r.lines(w, valueCol, meaningCol, mean, st)
	}
	return out
}

// valueColumn is the width of the value column: the one that puts the
// most meanings on their claim's line.
func (v tokenView) valueColumn(rows []claimRow, w, valueCol int, meanings bool) int {
	const gap = 2
	if !meanings {
		return 0
	}
	best, bestN := 0, -1
	for _, c := range rows {
		cw := valueWidth(c)
		if c.blank || c.value == "" || valueCol+cw+gap >= w {
			continue
		}
		n := 0
		for _, r := range rows {
			room := w - (valueCol + cw + gap)
			switch {
			case r.blank || r.meaning == "":
			case r.value == "" && ansi.StringWidth(r.meaning) <= room:
				n++
			case r.value != "" && valueWidth(r) <= cw && ansi.StringWidth(r.meaning) <= room:
				n++
			}
		}
		if n > bestN || (n == bestN && cw < best) {
			best, bestN = cw, n
		}
	}
	// A column for one or two meanings would only look ragged: then all
	// go under their values.
	if bestN < max(2, len(rows)/4) {
		return w
	}
	return best
}

// lines draws a row: the mark, the claim, and its value at valueCol,
// the meaning (mean) at meaningCol if it fits there, else under the
// value.
func (r claimRow) lines(w, valueCol, meaningCol int, mean string, st *Styles) []string {
	const markW, gap = 2, 2
	mark := spaces(markW)
	switch r.mark {
	case "+":
		mark = st.Success.Render("+ ")
	case "−":
		mark = st.Failure.Render("− ")
	}
	name := st.Label.Render(r.name)
	if r.mark == "−" {
		name = st.Subtle.Render(r.name)
	}
	head := mark + spaces(2*r.depth) + name
	headW := markW + 2*r.depth + ansi.StringWidth(r.name)
	meanW := ansi.StringWidth(mean)
	if r.value == "" { // an object's heading
		if mean != "" && headW+gap <= meaningCol && meaningCol+meanW <= w {
			return []string{head + spaces(meaningCol-headW) + st.Subtle.Render(mean)}
		}
		out := []string{ansiTruncate(head, w)}
		if mean != "" {
			out = append(out, subtleLines(mean, w, markW+2*r.depth+4, st)...)
		}
		return out
	}
	col := valueCol
	if headW+gap > valueCol {
		col = headW + gap
	}
	vw := valueWidth(r)
	value := sanitize(r.value)
	if r.mark == "−" {
		value = st.Subtle.Render(value)
	}
	if r.tag != "" {
		value += " " + st.Warning.Render(r.tag)
	}
	// Lines under the value start under it, unless that leaves them too
	// narrow a column.
	low := min(col, markW+2*r.depth+4)
	under := low
	if w-col >= 36 {
		under = col
	}
	var out []string
	switch {
	case col == valueCol && col+vw+gap <= meaningCol && mean != "" && meaningCol+meanW <= w:
		out = append(out, head+spaces(col-headW)+value+spaces(meaningCol-col-vw)+st.Subtle.Render(mean))
		mean = ""
	case col+vw <= w:
		out = append(out, head+spaces(col-headW)+value)
	case low+vw <= w: // under the claim, further left
		out = append(out, head, spaces(low)+value)
		under = low
	default:
		out = append(out, head)
		out = append(out, valueLines(r.value, w, low)...)
		under = low
	}
	for _, e := range r.extra {
		out = append(out, pieceLines(e, w, under, st)...)
	}
	if mean != "" {
		out = append(out, subtleLines(mean, w, under, st)...)
	}
	return out
}

// flatten joins a table's blocks.
func flatten(blocks [][]string) []string {
	var out []string
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out
}

// valueWidth is the cells a row's value takes on its line, its tag too.
func valueWidth(r claimRow) int {
	n := ansi.StringWidth(r.value)
	if r.tag != "" {
		n += 1 + ansi.StringWidth(r.tag)
	}
	return n
}

// subtleLines word-wraps text at an indent, dim.
func subtleLines(text string, w, indent int, st *Styles) []string {
	lines := proseLines(text, w, min(indent, w/2))
	for i, l := range lines {
		lines[i] = st.Subtle.Render(l)
	}
	return lines
}

// valueLines wraps a value too long for its line: a URL after its
// slashes, words at spaces, anything else where the line ends.
func valueLines(value string, w, indent int) []string {
	value = sanitize(value)
	indent = min(indent, w/2)
	if !strings.Contains(value, " ") && strings.Contains(value, "/") {
		var out []string
		for _, l := range wrapURL(value, max(1, w-indent)) {
			out = append(out, spaces(indent)+l)
		}
		return out
	}
	return proseLines(value, w, indent)
}

// pieceLines puts a line's pieces on one line at indent where they fit,
// else each on its own; the last piece, how far a time is from now,
// counts at its widest, so the lines stay put as the clock ticks.
func pieceLines(pieces []string, w, indent int, st *Styles) []string {
	indent = min(indent, w/2)
	n := 0
	for i, p := range pieces {
		pw := ansi.StringWidth(p)
		if i == len(pieces)-1 && len(pieces) > 1 {
			pw = max(pw, relativeWidth)
		}
		n += pw + min(i, 1)
	}
	if indent+n <= w {
		return []string{st.Subtle.Render(spaces(indent) + strings.Join(pieces, " "))}
	}
	var out []string
	for _, p := range pieces {
		out = append(out, subtleLines(p, w, indent, st)...)
	}
	return out
}

// relativeWidth is the widest "(59m59s ago)" relative shows.
const relativeWidth = 12

// dateLines is a NumericDate as dates: in loc with how far it is from
// now, and in UTC when loc is not.
func dateLines(epoch float64, now time.Time, loc *time.Location) [][]string {
	t := time.Unix(int64(epoch), 0)
	const layout = "2006-01-02 15:04:05 MST"
	local := t.In(loc)
	rel := "(" + relative(t, now) + ")"
	if _, off := local.Zone(); off == 0 && (loc == time.UTC || local.Format("MST") == "UTC") {
		return [][]string{{t.UTC().Format(layout), rel}}
	}
	return [][]string{{local.Format(layout), rel}, {t.UTC().Format(layout)}}
}
