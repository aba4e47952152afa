package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// View implements tea.Model: the tabs line and the content box, as sync
// left them (frame.go draws them).
func (s *stepScreen) View() string {
	var buf []byte
	s.writeRows(lineWriter{buf: &buf, pal: &s.common.Styles.pal}, s.common.Height, s.common.Width)
	return string(buf)
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
	return ansi.Truncate(line, s.common.Width, "…")
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
				if room = s.common.Width - nav - lipgloss.Width(head) - lipgloss.Width(tail); room >= need {
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
	return ansi.Truncate(st.Key.Render(nav)+what, s.common.Width, "…")
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
