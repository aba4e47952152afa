package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// The root's own lines around the screen: the header with the status
// message, the line under it, and in presenter mode the status above the
// footer.

func (m *Model) setStatus(s string, bad bool) { m.status, m.statusBad = s, bad }

// copied says how a copy to the clipboard went: the sequence went to
// the terminal, which never says whether it took it; inside tmux it did
// only if tmux lets programs set the clipboard.
func (m *Model) copied(msg copiedMsg) {
	if msg.err != nil {
		m.setStatus("copy failed: "+msg.err.Error(), true)
		return
	}
	how := "the terminal does not confirm it"
	if m.common.Env.Get("TMUX") != "" {
		how = "tmux needs set-clipboard on"
	}
	m.setStatus(fmt.Sprintf("sent the %s (%d bytes) to the terminal's clipboard (OSC 52); %s", msg.what, msg.n, how), false)
}

// opened says how opening the confirm URL in the browser went.
func (m *Model) opened(msg openedMsg) {
	if msg.err != nil {
		m.setStatus("no browser: c copies the URL ("+msg.err.Error()+")", true)
		return
	}
	m.setStatus("opened the confirm URL in the browser", false)
}

// gap is n blank lines' worth of newlines.
func gap(n int) string { return strings.Repeat("\n", n) }

// belowBody is what comes between the body and the footer: blank lines,
// or in presenter mode the status message, whose header holds the
// auto-advance state.
func (m *Model) belowBody() string {
	st := m.common.Styles
	if st.Presenter && m.status != "" {
		return gap(max(0, st.Gap-1)) + m.statusText(m.common.Width) + "\n"
	}
	return gap(st.Gap)
}

// statusText is the status message, styled for good or bad news, cut to
// room cells; one cut short ends in [m], the key that shows it whole.
func (m *Model) statusText(room int) string {
	if m.status == "" {
		return ""
	}
	s := m.common.Styles.Success
	if m.statusBad {
		s = m.common.Styles.Failure
	}
	if t := " " + m.status + " "; lipgloss.Width(t) > room && room > 12 {
		return s.Render(ansi.Truncate(t, room-5, "…") + " [m] ")
	}
	return ansi.Truncate(s.Render(" "+m.status+" "), max(0, room), "…")
}

// statusRoom is the cells the status message has: the header's right
// side, or in presenter mode the line above the footer.
func (m *Model) statusRoom() int {
	if m.common.Styles.Presenter {
		return m.common.Width
	}
	return m.common.Width - lipgloss.Width(m.headerLeft())
}

// statusFits reports whether the status message shows whole.
func (m *Model) statusFits() bool {
	return lipgloss.Width(" "+m.status+" ") <= m.statusRoom()
}

// header is the top bar: the app, the scenario and the status message.
func (m *Model) header() string {
	st, w := m.common.Styles, m.common.Width
	left := m.headerLeft()
	room := w - lipgloss.Width(left)
	right := ""
	if !st.Presenter { // presenter mode shows it above the footer
		right = m.statusText(room)
	}
	fill := max(0, room-lipgloss.Width(right))
	return left + st.HeaderDim.Render(strings.Repeat(" ", fill)) + right
}

// headerLeft is the header's left side: the app, the scenario, the
// environment, presenter mode's state.
func (m *Model) headerLeft() string {
	st := m.common.Styles
	left := st.Header.Render(" Systembruker Workbench ") +
		st.HeaderDim.Render("· "+m.sc.Name+" · "+m.settings.Env+" ")
	if ind := m.pres.indicator(); ind != "" {
		left += st.Header.Render(" " + ind + " ")
	}
	return ansi.Truncate(left, m.common.Width, "…")
}

// subheader is the line under the header: the scenario's summary on the
// overview, the step's place and state on a step screen.
func (m *Model) subheader() string {
	st, w := m.common.Styles, m.common.Width
	switch m.screen {
	case screenStep:
		if line, ok := m.storySubheader(); ok && m.storyShown() {
			return line
		}
		s, r := m.sc.Steps[m.cur], m.runs[m.cur]
		right := " " + stateWord(r.outcome, s.Expect.Code, m.spin.View(), st)
		left := st.Bold.Render(fmt.Sprintf("Step %d/%d", m.cur+1, len(m.sc.Steps))) +
			st.Subtle.Render(" · "+string(s.Actor)+" · ") + st.Title.Render(s.Title)
		left = ansi.Truncate(left, w-lipgloss.Width(right)-1, "…")
		fill := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
		return left + strings.Repeat(" ", fill) + right
	case screenPicker:
		return st.Subtle.Render("Pick a scenario: its steps start afresh. / filters, esc goes back.")
	case screenCompare:
		return ansi.Truncate(m.cmp.subheader(), w, "…")
	}
	done, expected := 0, 0
	for _, r := range m.runs {
		switch r.outcome {
		case flow.Done:
			done++
		case flow.ExpectedFailure:
			expected++
		}
	}
	right := st.Subtle.Render(fmt.Sprintf(" %s%d/%d done", m.exerciseMark(), done, len(m.runs)))
	if expected > 0 {
		right += st.Subtle.Render(", ") + st.State.Expected.Render(fmt.Sprintf("%d ⚑ as expected", expected))
	}
	rw := lipgloss.Width(right)
	left := st.Title.Render(m.sc.Name) + st.Subtle.Render(" · "+m.sc.Summary)
	left = ansi.Truncate(left, w-rw-1, "…")
	fill := max(1, w-lipgloss.Width(left)-rw)
	return left + strings.Repeat(" ", fill) + right
}

// tooSmall is the whole screen below MinWidth×MinHeight.
func tooSmall(w, h int, st *Styles) string {
	msg := fmt.Sprintf("terminal too small (need %dx%d, have %dx%d)", MinWidth, MinHeight, w, h)
	msg = ansi.Wrap(msg, max(1, w), "")
	return st.r.Place(w, h, lipgloss.Center, lipgloss.Center, st.Warning.Render(msg)+"\n"+st.Subtle.Render(ansi.Truncate("q quits", w, "")))
}
