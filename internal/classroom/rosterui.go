package classroom

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// The roster on the trainer's terminal: every trainee with their
// scenario, step, last error and whether they solved the exercise, live;
// the join line and code; the classroom's log. The trainer sends the
// room to a scenario, resets a trainee's world, and writes the roster.

// RosterModel is the trainer's program.
type RosterModel struct {
	srv      *Server
	st       rosterStyles
	keys     rosterKeys
	joinLine string
	now      func() time.Time

	w, h   int
	rows   []Row
	events []Event
	cur    int
	mode   rosterMode
	pick   int // the picker's cursor
	status string
}

type rosterMode int

const (
	modeRoster rosterMode = iota
	modePick              // choosing the room's scenario
	modeReset             // asking: reset the trainee's world?
	modeQuit              // asking: end the class?
)

type rosterKeys struct {
	Up, Down, Send, Reset, Export, Quit, Enter, Back, Yes key.Binding
}

func newRosterKeys() rosterKeys {
	return rosterKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑↓", "trainee")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		Send:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send the room to a scenario")),
		Reset:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset the trainee's world")),
		Export: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "write the roster")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "end the class")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send the room")),
		Back:   key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc", "back")),
		Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
	}
}

type rosterStyles struct {
	title, dim, head, sel, here, away, bad, good, code lipgloss.Style
}

func newRosterStyles(r *lipgloss.Renderer) rosterStyles {
	return rosterStyles{
		title: r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("25")),
		dim:   r.NewStyle().Faint(true),
		head:  r.NewStyle().Bold(true).Underline(true),
		sel:   r.NewStyle().Reverse(true),
		here:  r.NewStyle().Foreground(lipgloss.Color("2")),
		away:  r.NewStyle().Foreground(lipgloss.Color("3")),
		bad:   r.NewStyle().Foreground(lipgloss.Color("1")),
		good:  r.NewStyle().Foreground(lipgloss.Color("2")),
		code:  r.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11")),
	}
}

// NewRosterModel is the roster of srv for the trainer's terminal, drawn
// with r; joinLine is the command trainees type.
func NewRosterModel(srv *Server, r *lipgloss.Renderer, joinLine string) RosterModel {
	m := RosterModel{srv: srv, st: newRosterStyles(r), keys: newRosterKeys(), joinLine: joinLine, now: time.Now}
	m.refresh()
	return m
}

type rosterChangedMsg struct{}
type rosterTickMsg struct{}

// waitForChange delivers the classroom's next change (bubbletea's
// realtime example: one Cmd per change, re-issued).
func waitForChange(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		<-ch
		return rosterChangedMsg{}
	}
}

func rosterTick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return rosterTickMsg{} })
}

// Init implements tea.Model.
func (m RosterModel) Init() tea.Cmd { return tea.Batch(waitForChange(m.srv.Changes()), rosterTick()) }

func (m *RosterModel) refresh() {
	m.rows = m.srv.Roster()
	m.events = m.srv.Events(keptEvents)
	m.cur = min(max(0, m.cur), max(0, len(m.rows)-1))
}

// Update implements tea.Model.
func (m RosterModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case rosterChangedMsg:
		m.refresh()
		return m, waitForChange(m.srv.Changes())
	case rosterTickMsg:
		m.refresh() // the "away 3m" clocks
		return m, rosterTick()
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m RosterModel) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch m.mode {
	case modePick:
		names := m.srv.Scenarios()
		switch {
		case key.Matches(msg, k.Up):
			m.pick = max(0, m.pick-1)
		case key.Matches(msg, k.Down):
			m.pick = min(len(names)-1, m.pick+1)
		case key.Matches(msg, k.Enter):
			n, err := m.srv.SendRoom(names[m.pick])
			m.status = fmt.Sprintf("sent the room to %s (%d connected now, the others when they come back)", names[m.pick], n)
			if err != nil {
				m.status = err.Error()
			}
			m.mode = modeRoster
		case key.Matches(msg, k.Back):
			m.mode = modeRoster
		}
		return m, nil
	case modeReset, modeQuit:
		if !key.Matches(msg, k.Yes) {
			m.mode, m.status = modeRoster, "not done"
			return m, nil
		}
		if m.mode == modeQuit {
			return m, tea.Quit
		}
		m.mode, m.status = modeRoster, "reset "+m.rows[m.cur].Name+"'s world"
		if err := m.srv.Reset(m.rows[m.cur].ID); err != nil {
			m.status = err.Error()
		}
		return m, nil
	}
	return m.rosterKey(msg)
}

func (m RosterModel) rosterKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	m.status = ""
	switch {
	case key.Matches(msg, k.Up):
		m.cur = max(0, m.cur-1)
	case key.Matches(msg, k.Down):
		m.cur = min(max(0, len(m.rows)-1), m.cur+1)
	case key.Matches(msg, k.Send):
		m.mode = modePick
	case key.Matches(msg, k.Reset):
		if len(m.rows) == 0 {
			m.status = "no trainee yet"
			break
		}
		m.mode, m.status = modeReset, "reset "+m.rows[m.cur].Name+"'s world to its seed, and their TUI to the start of the scenario? y/n"
	case key.Matches(msg, k.Export):
		if file, err := m.srv.WriteRoster(); err != nil {
			m.status = err.Error()
		} else {
			m.status = "wrote " + file
		}
	case key.Matches(msg, k.Quit):
		m.mode, m.status = modeQuit, "end the class? every session ends, handouts and the roster are written. y/n"
	}
	return m, nil
}

// View implements tea.Model.
func (m RosterModel) View() string {
	if m.w == 0 {
		return ""
	}
	head := m.header()
	foot := m.footer()
	room := max(3, m.h-lipgloss.Height(head)-lipgloss.Height(foot))
	var body string
	if m.mode == modePick {
		body = m.picker(room)
	} else {
		body = m.body(room)
	}
	body = lipgloss.NewStyle().Height(room).MaxHeight(room).Render(body)
	return head + "\n" + body + "\n" + foot
}

func (m RosterModel) header() string {
	here, away := 0, 0
	for _, r := range m.rows {
		switch r.State {
		case "here":
			here++
		case "away":
			away++
		}
	}
	left := m.st.title.Render(" Systembruker Workbench · classroom ")
	right := fmt.Sprintf(" %d here · %d away · %d seats ", here, away, m.srv.opts.MaxSessions)
	fill := max(0, m.w-lipgloss.Width(left)-lipgloss.Width(right))
	line1 := left + strings.Repeat(" ", fill) + right
	line2 := " Join: " + m.joinLine
	if c := m.srv.JoinCode(); c != "" {
		line2 += "   password (join code) " + m.st.code.Render(" "+c+" ")
	} else {
		line2 += "   (listed keys only)"
	}
	line3 := m.st.dim.Render(" host key " + m.srv.HostKey().Fingerprint())
	return ansi.Truncate(line1, m.w, "…") + "\n" + ansi.Truncate(line2, m.w, "…") + "\n" + ansi.Truncate(line3, m.w, "…") + "\n"
}

func (m RosterModel) footer() string {
	line := m.st.dim.Render(" ↑↓ trainee • s send the room to a scenario • R reset a world • e write the roster • q end")
	if m.mode == modePick {
		line = m.st.dim.Render(" ↑↓ scenario • enter send the room to it • esc back")
	}
	status := ""
	if m.status != "" {
		status = " " + m.status
	}
	return ansi.Truncate(status, m.w, "…") + "\n" + ansi.Truncate(line, m.w, "…")
}

// rosterColumns are the table's columns and their widths at width w; the
// last error gets what is left.
func rosterColumns(w int) []int {
	fixed := []int{2, 12, 8, 19, 19, 0, 7}
	used := 0
	for _, c := range fixed {
		used += c + 1
	}
	fixed[5] = max(10, w-used)
	return fixed
}

// cells lays out one row of cells in the columns.
func cells(cols []int, vals ...string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = cell(cols[i], v)
	}
	return strings.TrimRight(strings.Join(out, " "), " ")
}

// cell is v cut or padded to w cells.
func cell(w int, v string) string {
	v = ansi.Truncate(v, w, "…")
	return v + strings.Repeat(" ", max(0, w-ansi.StringWidth(v)))
}

// body is the trainees' table and, below it, the latest of the log.
func (m RosterModel) body(room int) string {
	cols := rosterColumns(m.w)
	lines := []string{m.st.head.Render(cells(cols, "", "Trainee", "State", "Scenario", "Step", "Last error (! unexpected)", "Solved"))}
	if len(m.rows) == 0 {
		lines = append(lines, m.st.dim.Render("  nobody yet: share the join line above"))
	}
	tableRoom := max(2, room-6)
	first := max(0, min(m.cur-(tableRoom-2), len(m.rows)-(tableRoom-1)))
	for i := first; i < len(m.rows) && len(lines) < tableRoom; i++ {
		lines = append(lines, m.row(cols, i))
	}
	lines = append(lines, "", m.st.head.Render("Log"))
	logRoom := max(1, room-len(lines))
	evs := m.events[max(0, len(m.events)-logRoom):]
	for _, e := range evs {
		lines = append(lines, ansi.Truncate(" "+e.String(), m.w, "…"))
	}
	return strings.Join(lines, "\n")
}

// row is trainee i's line.
func (m RosterModel) row(cols []int, i int) string {
	r := m.rows[i]
	state := r.State
	style := m.st.here
	switch r.State {
	case "away":
		state = "away " + shortDuration(m.now().Sub(r.Left))
		style = m.st.away
	case "gone":
		style = m.st.dim
	}
	// An error the scenario expects is its lesson; one it does not is
	// marked "!": that trainee may be stuck.
	errText := "—"
	if e := r.Status.LastError; e.Step != 0 {
		code := e.Code
		if code == "" {
			code = e.Message
		}
		errText = fmt.Sprintf("%d: %s", e.Step, code)
		if !e.Expected {
			errText = "! " + errText
		}
	}
	cursor := "  "
	if i == m.cur {
		cursor = "▶ "
	}
	vals := []string{cursor, r.Name, state, r.Status.Scenario, StepText(r.Status), errText, SolvedText(r.Status)}
	if i == m.cur {
		return m.st.sel.Render(cells(cols, vals...))
	}
	out := make([]string, len(vals))
	for c, v := range vals {
		st := style
		if c == 5 && r.Status.LastError.Step != 0 {
			st = m.st.bad
			if r.Status.LastError.Expected {
				st = m.st.away
			}
		}
		out[c] = st.Render(cell(cols[c], v))
	}
	return strings.Join(out, " ")
}

// picker lists the scenarios to send the room to.
func (m RosterModel) picker(room int) string {
	names := m.srv.Scenarios()
	lines := []string{m.st.head.Render("Send the room to a scenario")}
	first := max(0, min(m.pick-(room-2), len(names)-(room-1)))
	for i := first; i < len(names) && len(lines) < room; i++ {
		line := "  " + names[i]
		if i == m.pick {
			line = m.st.sel.Render("▶ " + names[i])
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// shortDuration is d in whole minutes, or seconds under a minute.
func shortDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
