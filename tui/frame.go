package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// The step screen's frame is drawn row by row into one buffer that the
// screen keeps between frames: the header lines and the footer as sync
// drew them, then each row of the panes, their marks turned into escape
// sequences on the way (marks.go). A scroll key on a pane holding a 16 MB
// body costs the visible rows and one copy of the frame.

// stepFrame is View on the step screen.
func (m Model) stepFrame(body int, foot string) string {
	s := &m.step
	buf := (*s.frame)[:0]
	buf = append(buf, m.head[0]...)
	buf = append(buf, '\n')
	buf = append(buf, m.head[1]...)
	buf = append(buf, '\n')
	for range m.common.Styles.Gap {
		buf = append(buf, '\n')
	}
	s.writeRows(lineWriter{buf: &buf, pal: &m.common.Styles.pal}, body, m.common.Width)
	buf = append(buf, '\n')
	buf = append(buf, m.head[2]...)
	buf = append(buf, foot...)
	*s.frame = buf
	return string(buf)
}

// writeRows draws the screen's h rows, each w cells wide: the tabs line,
// then the selector line and the two panes, or the info pane.
func (s *stepScreen) writeRows(lw lineWriter, h, w int) {
	st := s.common.Styles
	rows := 0
	row := func() bool {
		if rows > 0 {
			lw.str("\n")
		}
		rows++
		return rows <= h
	}
	text := func(l string) {
		lw.spaces(w - lw.line(l, 0, w, nil))
	}
	if row() {
		text(s.tabsLine)
	}
	if s.section == sectionInfo {
		for r := 0; r < s.info.rows() && row(); r++ {
			s.info.writeRow(lw, st, true, r)
		}
	} else {
		if row() {
			text(s.selLine)
		}
		for r := 0; r < max(s.left.rows(), s.right.rows()) && row(); r++ {
			s.left.writeRow(lw, st, s.side == 0, r)
			s.right.writeRow(lw, st, s.side == 1, r)
		}
	}
	for rows < h && row() {
		lw.spaces(w)
	}
}

// withSearch puts the search's prompt or state at the right end of the
// tabs line.
func (s *stepScreen) withSearch(line string, st *Styles) string {
	status := s.searchStatus()
	if status == "" {
		return line
	}
	w := s.common.Width
	status = ansi.Truncate(status, max(10, w/2), "…")
	sw := lipgloss.Width(status) + 1
	line = ansi.Truncate(line, max(0, w-sw-1), "…")
	fill := max(1, w-lipgloss.Width(line)-sw)
	return line + strings.Repeat(" ", fill) + st.Key.Render(status) + " "
}
