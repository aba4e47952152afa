package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// pane is a bordered, scrollable box of pre-rendered lines. Its lines are
// wrapped to its inner width when the content or the size changes; View
// only cuts out the visible lines and draws the border, so a pane holding
// a 5 MB body costs no more to draw than one holding a line.
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
}

// innerWidth is the width the content is wrapped to.
func (p *pane) innerWidth() int {
	if !p.bordered {
		return max(1, p.w-1-2*p.pad) // one column for the scroll indicator
	}
	return max(1, p.w-2-2*p.pad)
}

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
func (p *pane) setLines(lines []string) {
	p.lines = lines
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

// view draws the pane. Only the visible lines are touched.
func (p *pane) view(st *Styles, focused bool) string {
	ih, iw := p.innerHeight(), p.innerWidth()
	if ih <= 0 || p.w <= 0 {
		return ""
	}
	end := min(len(p.lines), p.offset+ih)
	vis := make([]string, 0, ih+len(p.head))
	vis = append(vis, p.head...)
	vis = append(vis, p.lines[p.offset:end]...)
	for len(vis) < ih+len(p.head) {
		vis = append(vis, "")
	}
	// Lines are already wrapped to iw; pad them so the border lines up.
	for i, l := range vis {
		if w := ansi.StringWidth(l); w < iw {
			vis[i] = l + strings.Repeat(" ", iw-w)
		} else if w > iw {
			vis[i] = ansi.Truncate(l, iw, "…")
		}
		if p.pad > 0 {
			vis[i] = spaces(p.pad) + vis[i] + spaces(p.pad)
		}
	}
	if !p.bordered {
		bar := p.scrollbar(ih, st)
		for i := range bar {
			vis[len(p.head)+i] += bar[i]
		}
		return strings.Join(vis, "\n")
	}
	box := st.Pane.Blurred
	if focused {
		box = st.Pane.Focused
	}
	body := box.BorderTop(false).Render(strings.Join(vis, "\n"))
	return p.topBorder(st, box, focused) + "\n" + body
}

// topBorder is the top border with the title and the scroll position in it.
func (p *pane) topBorder(st *Styles, box lipgloss.Style, focused bool) string {
	b := box.GetBorderStyle()
	edge := st.style().Foreground(box.GetBorderTopForeground())
	title := p.title
	if focused {
		title = "▶ " + title
	}
	pos := ""
	if len(p.lines) > p.innerHeight() {
		pos = fmt.Sprintf(" %d-%d/%d ", p.offset+1, min(len(p.lines), p.offset+p.innerHeight()), len(p.lines))
	}
	room := p.w - 2 - 2 - lipgloss.Width(pos) // corners, a dash before and a space after the title
	if room < 1 {
		return edge.Render(b.TopLeft + strings.Repeat(b.Top, max(0, p.w-2)) + b.TopRight)
	}
	title = ansi.Truncate(title, room-1, "…")
	t := st.Pane.Title.Render(" " + title + " ")
	fill := max(0, p.w-2-1-lipgloss.Width(t)-lipgloss.Width(pos))
	return edge.Render(b.TopLeft+b.Top) + t + edge.Render(strings.Repeat(b.Top, fill)) +
		st.Subtle.Render(pos) + edge.Render(b.TopRight)
}

// scrollbar is a one-column indicator for an unbordered pane.
func (p *pane) scrollbar(h int, st *Styles) []string {
	bar := make([]string, h)
	for i := range bar {
		bar[i] = " "
	}
	if len(p.lines) <= h || h == 0 {
		return bar
	}
	if p.offset > 0 {
		bar[0] = st.Subtle.Render("▲")
	}
	if p.offset < p.maxOffset() {
		bar[h-1] = st.Subtle.Render("▼")
	}
	return bar
}
