package tui

import (
	"sort"
	"strconv"

	"github.com/charmbracelet/lipgloss"
)

// pane is a bordered, scrollable box of pre-rendered lines. Its lines are
// wrapped to its inner width when the content or the size changes; drawing
// only cuts out the visible lines, turns their marks into the session's
// escape sequences (marks.go) and draws the border, so a pane holding a
// 16 MB body costs no more to draw than one holding a line.
//
// The bubbles viewport would do, but its SetContent measures every line's
// width with an ANSI parser, which is the slow part for a large body; our
// renderers already know the width of every line they make.
type pane struct {
	title string
	// head are lines pinned above the scrolling ones (the diagram's
	// party names).
	head   []string
	lines  []string
	offset int
	w, h   int // outer size, border included
	// bordered false draws the lines alone (the info section).
	bordered bool
	// pad is blank columns inside the pane on either side (presenter
	// mode).
	pad int

	// nowrap says the lines are not wrapped to the pane: it shows the
	// cells from xoff on, and ←/→ move xoff.
	nowrap bool
	xoff   int
	// partial says the lines are the first part of the content, the rest
	// being rendered in the background.
	partial bool
	// found are the search's matches in the lines (sorted by line), and
	// cur the one moved to; nil without a search.
	found []match
	cur   int
}

// match is a search match: cells [from, to) of line.
type match struct{ line, from, to int }

// innerWidth is the width the content is wrapped to.
// Unbordered, the two columns are a blank one and the scroll indicator.
func (p *pane) innerWidth() int { return max(1, p.w-2-2*p.pad) }

// innerHeight is the number of content lines shown.
func (p *pane) innerHeight() int {
	if !p.bordered {
		return max(0, p.h-len(p.head))
	}
	return max(0, p.h-2-len(p.head))
}

// setSize changes the outer size; the caller re-renders the content when
// the inner width changed.
func (p *pane) setSize(w, h int) {
	p.w, p.h = w, h
	p.clamp()
}

// setLines replaces the content, keeping the scroll offset where it can.
// A search's matches belong to the old lines, so they go.
func (p *pane) setLines(lines []string) {
	p.lines = lines
	p.found, p.cur = nil, 0
	p.clamp()
}

func (p *pane) maxOffset() int { return max(0, len(p.lines)-p.innerHeight()) }

func (p *pane) clamp() { p.offset = min(max(0, p.offset), p.maxOffset()) }

func (p *pane) scroll(n int) {
	p.offset += n
	p.clamp()
}

func (p *pane) page(n int) { p.scroll(n * max(1, p.innerHeight()-1)) }

func (p *pane) top()    { p.offset = 0 }
func (p *pane) bottom() { p.offset = p.maxOffset() }

// sideways scrolls an unwrapped pane by n columns (a quarter of its width
// a key).
func (p *pane) sideways(n int) {
	p.xoff = max(0, p.xoff+n)
}

// fraction is how far down the pane is scrolled, to restore the position
// after a re-wrap changes the line count.
func (p *pane) fraction() float64 {
	if len(p.lines) == 0 {
		return 0
	}
	return float64(p.offset) / float64(len(p.lines))
}

func (p *pane) setFraction(f float64) {
	p.offset = int(f*float64(len(p.lines)) + 0.5)
	p.clamp()
}

// view draws the pane as a string (the overview's panes).
func (p *pane) view(st *Styles, focused bool) string {
	if p.innerHeight() <= 0 || p.w <= 0 {
		return ""
	}
	buf := make([]byte, 0, p.w*p.h*2)
	lw := lineWriter{buf: &buf, pal: &st.pal}
	for row := range p.rows() {
		if row > 0 {
			buf = append(buf, '\n')
		}
		p.writeRow(lw, st, focused, row)
	}
	return string(buf)
}

// rows is the rows the pane draws.
func (p *pane) rows() int {
	if p.innerHeight() <= 0 || p.w <= 0 {
		return 0
	}
	return p.h
}

// writeRow draws one row of the pane: a border, or a line between the
// borders (and, unbordered, beside the scroll indicator).
func (p *pane) writeRow(lw lineWriter, st *Styles, focused bool, row int) {
	box := st.Pane.Blurred
	edge := markEdge
	if focused {
		box, edge = st.Pane.Focused, markEdgeOn
	}
	b := box.GetBorderStyle()
	if p.bordered {
		switch row {
		case 0:
			p.writeTop(lw, b, edge, focused)
			return
		case p.h - 1:
			lw.mark(edge)
			lw.str(b.BottomLeft)
			lw.repeat(b.Bottom, p.w-2)
			lw.str(b.BottomRight)
			lw.mark(markEnd)
			return
		}
		row--
		lw.mark(edge)
		lw.str(b.Left)
		lw.mark(markEnd)
	}
	lw.spaces(p.pad)
	p.writeLine(lw, row)
	lw.spaces(p.pad)
	if p.bordered {
		lw.mark(edge)
		lw.str(b.Right)
		lw.mark(markEnd)
		return
	}
	lw.str(" ")
	if ih := p.innerHeight(); row >= len(p.head) && len(p.lines) > ih && ih > 0 {
		switch {
		case row == len(p.head) && p.offset > 0:
			lw.mark(markSubtle)
			lw.str("▲")
			lw.mark(markEnd)
			return
		case row == len(p.head)+ih-1 && (p.offset < p.maxOffset() || p.partial):
			lw.mark(markSubtle)
			lw.str("▼")
			lw.mark(markEnd)
			return
		}
	}
	lw.str(" ")
}

// writeLine draws content row (head lines first) padded to the inner
// width; a line wider than the window ends in an ellipsis (› when it goes
// on to the right of an unwrapped pane).
func (p *pane) writeLine(lw lineWriter, row int) {
	iw := p.innerWidth()
	var l string
	idx := -1
	switch {
	case row < len(p.head):
		l = p.head[row]
	case p.offset+row-len(p.head) < len(p.lines):
		idx = p.offset + row - len(p.head)
		l = p.lines[idx]
	}
	skip := 0
	if p.nowrap && idx >= 0 {
		skip = p.xoff
	}
	var hl [4]span
	spans := p.spansOn(idx, hl[:0])
	if w := plainWidth(l); w-skip > iw {
		n := lw.line(l, skip, iw-1, spans)
		lw.spaces(iw - 1 - n)
		if p.nowrap {
			lw.mark(markSubtle)
			lw.str("›")
			lw.mark(markEnd)
		} else {
			lw.str("…")
		}
		return
	}
	n := lw.line(l, skip, iw, spans)
	lw.spaces(iw - n)
}

// spansOn appends the search's matches on line idx to out.
func (p *pane) spansOn(idx int, out []span) []span {
	if idx < 0 || len(p.found) == 0 {
		return out
	}
	i := sort.Search(len(p.found), func(i int) bool { return p.found[i].line >= idx })
	for ; i < len(p.found) && p.found[i].line == idx && len(out) < cap(out); i++ {
		out = append(out, span{from: p.found[i].from, to: p.found[i].to, cur: i == p.cur})
	}
	return out
}

// writeTop is the top border with the title and the scroll position in
// it: "┏━ ▶ Response ━━━━ 1-17/142 ┓".
func (p *pane) writeTop(lw lineWriter, b lipgloss.Border, edge byte, focused bool) {
	var posBuf [64]byte
	pos, posW := p.position(posBuf[:0])
	room := p.w - 2 - 2 - posW // corners, a dash before and a space after the title
	lw.mark(edge)
	if room < 1 {
		lw.str(b.TopLeft)
		lw.repeat(b.Top, p.w-2)
		lw.str(b.TopRight)
		lw.mark(markEnd)
		return
	}
	lw.str(b.TopLeft)
	lw.str(b.Top)
	lw.mark(markEnd)
	lw.mark(markTitle)
	lw.str(" ")
	avail, used := room-1, 0
	if focused && avail >= 2 {
		lw.str("▶ ")
		used = 2
	}
	if tw := plainWidth(p.title); used+tw > avail {
		used += lw.line(p.title, 0, max(0, avail-used-1), nil)
		lw.str("…")
		used++
	} else {
		used += lw.line(p.title, 0, tw, nil)
	}
	lw.str(" ")
	lw.mark(markEnd)
	lw.mark(edge)
	lw.repeat(b.Top, max(0, p.w-2-1-(used+2)-posW))
	lw.mark(markEnd)
	if len(pos) > 0 {
		lw.mark(markSubtle)
		*lw.buf = append(*lw.buf, pos...)
		lw.mark(markEnd)
	}
	lw.mark(edge)
	lw.str(b.TopRight)
	lw.mark(markEnd)
}

// position is " 1-17/142 " when the lines do not all fit (" 1-17/… "
// while the rest renders), with the column of an unwrapped pane scrolled
// sideways; and its width.
func (p *pane) position(out []byte) ([]byte, int) {
	ih := p.innerHeight()
	if len(p.lines) <= ih && !p.partial && p.xoff == 0 {
		return out, 0
	}
	out = append(out, ' ')
	w := 0
	if len(p.lines) > ih || p.partial {
		out = strconv.AppendInt(out, int64(p.offset+1), 10)
		out = append(out, '-')
		out = strconv.AppendInt(out, int64(min(len(p.lines), p.offset+ih)), 10)
		out = append(out, '/')
		if p.partial {
			out = append(out, "…"...)
			w -= len("…") - 1
		} else {
			out = strconv.AppendInt(out, int64(len(p.lines)), 10)
		}
		out = append(out, ' ')
	}
	if p.nowrap && p.xoff > 0 {
		out = append(out, "col "...)
		out = strconv.AppendInt(out, int64(p.xoff+1), 10)
		out = append(out, ' ')
	}
	return out, w + len(out)
}
