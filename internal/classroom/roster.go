package classroom

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/tui"
)

// Row is a trainee as the roster shows them.
type Row struct {
	// ID finds the trainee (Reset takes it); Name is their SSH user
	// name, How how they came in ("key" or "join code").
	ID, Name, How string
	// State is "here" (connected), "away" (their world waits) or "gone"
	// (away longer than the idle time: their world was cleaned up).
	State  string
	Remote string
	Joined time.Time
	Left   time.Time // when their last session ended
	// Status is where their TUI is: scenario, step, last error, solved.
	Status tui.Status
	// Finished are the scenarios they ran to the end as expected, Solved
	// the exercises they solved, in order.
	Finished, Solved []string
	Handout          string // the last handout written for them
}

// Roster is every trainee of the class, in the order they joined.
func (s *Server) Roster() []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := make([]Row, 0, len(s.order))
	for _, t := range s.order {
		r := Row{
			ID: t.who.id, Name: t.who.name, How: t.who.how, Remote: t.remote, Joined: t.joined, Left: t.left,
			Status: t.status, Finished: append([]string(nil), t.finished...), Solved: append([]string(nil), t.solved...),
			Handout: t.handout,
		}
		switch {
		case t.seat != nil:
			r.State = "here"
		case t.world != nil:
			r.State = "away"
		default:
			r.State = "gone"
		}
		rows = append(rows, r)
	}
	return rows
}

// StepText is where a trainee is in their scenario, with the step's
// outcome as the overview shows it: "3/13 v-request ✓".
func StepText(st tui.Status) string {
	if st.Steps == 0 {
		return "—"
	}
	icon := map[flow.Outcome]string{flow.NotRun: "○", flow.Running: "…", flow.Done: "✓", flow.Failed: "✗", flow.Skipped: "–"}[st.Outcome]
	return fmt.Sprintf("%d/%d %s %s", st.Step, st.Steps, st.StepID, icon)
}

// ErrorText is the last error a trainee met, with its step: "MP-303 at
// step 12", or "—".
func ErrorText(st tui.Status) string {
	if st.LastError.Step == 0 {
		return "—"
	}
	return fmt.Sprintf("%s at step %d", errorText(st.LastError), st.LastError.Step)
}

// SolvedText says whether a trainee solved the exercise they are on: "—"
// when it is no exercise (every scenario, until the exercises come).
func SolvedText(st tui.Status) string {
	switch {
	case !st.Exercise:
		return "—"
	case st.Solved:
		return "solved"
	}
	return "not yet"
}

// RosterMarkdown is the roster as a Markdown file: who came, what each
// ran to the end as expected and which exercises they solved, and where
// they were last.
func RosterMarkdown(rows []Row, at time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Classroom roster\n\nWritten %s, %d trainee%s.\n\n", at.UTC().Format("2006-01-02 15:04 UTC"), len(rows), plural(len(rows)))
	b.WriteString("| Trainee | Came in with | Ran to the end as expected | Exercises solved | Last on | Last error | Handout |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		cells := []string{
			r.Name, r.How, listOrDash(r.Finished), listOrDash(r.Solved),
			r.Status.Scenario + ", step " + StepText(r.Status), ErrorText(r.Status), handoutCell(r.Handout),
		}
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(strings.ReplaceAll(c, "|", `\|`), "\n", " ")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func listOrDash(xs []string) string {
	if len(xs) == 0 {
		return "—"
	}
	return strings.Join(xs, ", ")
}

// handoutCell is the handout's file relative to the roster's folder.
func handoutCell(file string) string {
	if file == "" {
		return "—"
	}
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)))
}

// WriteRoster writes the roster as Markdown to roster.md in the handouts
// folder (whole or not at all) and returns the file.
func (s *Server) WriteRoster() (string, error) {
	file := filepath.Join(s.opts.Handouts, "roster.md")
	if err := os.MkdirAll(s.opts.Handouts, 0o755); err != nil {
		return "", fmt.Errorf("write the roster: %w", err)
	}
	if err := writeFileAtomic(file, []byte(RosterMarkdown(s.Roster(), time.Now())), 0o644); err != nil {
		return "", fmt.Errorf("write the roster: %w", err)
	}
	s.logf("", "roster written to %s", file)
	return file, nil
}

// Event is a line of the classroom's log.
type Event struct {
	At   time.Time
	Who  string // the trainee, "" for the classroom itself
	Text string
}

// String is the event as a log line.
func (e Event) String() string {
	if e.Who == "" {
		return e.At.Format("15:04:05") + " " + e.Text
	}
	return e.At.Format("15:04:05") + " " + e.Who + ": " + e.Text
}

// eventLog keeps the last events for the roster's screen.
type eventLog struct {
	mu   sync.Mutex
	last []Event
}

const keptEvents = 100

// logf adds an event (who "" for the classroom's own) and hands its line
// to Options.Log. No caller passes the join code.
func (s *Server) logf(who, format string, a ...any) {
	e := Event{At: time.Now(), Who: who, Text: fmt.Sprintf(format, a...)}
	s.events.mu.Lock()
	s.events.last = append(s.events.last, e)
	if len(s.events.last) > keptEvents {
		s.events.last = s.events.last[len(s.events.last)-keptEvents:]
	}
	s.events.mu.Unlock()
	if s.opts.Log != nil {
		s.opts.Log(e.String())
	}
	s.notify()
}

// Events are the last n events, oldest first.
func (s *Server) Events(n int) []Event {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	if n > len(s.events.last) {
		n = len(s.events.last)
	}
	return append([]Event(nil), s.events.last[len(s.events.last)-n:]...)
}
