package tui

import tea "github.com/charmbracelet/bubbletea"

// shown is pane lines as they reach the screen: their marks turned into
// the styles' escape sequences.
func shown(lines []string, st *Styles) string {
	var buf []byte
	lw := lineWriter{buf: &buf, pal: &st.pal}
	for i, l := range lines {
		if i > 0 {
			buf = append(buf, '\n')
		}
		lw.line(l, 0, 1<<20, nil)
	}
	return string(buf)
}

// keysRun presses keys and carries out the commands they start (a body's
// background render, a search), feeding their messages back as the
// program would. Only for keys that start no run and no timer.
func keysRun(m Model, ks ...string) Model {
	for _, k := range ks {
		next, cmd := m.Update(keyMsg(k))
		m = settle(next.(Model), cmd)
	}
	return m
}

// settle runs a command and feeds its messages (a batch's too) back.
func settle(m Model, cmd tea.Cmd) Model {
	if cmd == nil {
		return m
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			m = settle(m, c)
		}
		return m
	}
	if msg == nil {
		return m
	}
	next, more := m.Update(msg)
	return settle(next.(Model), more)
}
