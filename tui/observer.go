package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

// What a session tells whoever watches it (the classroom's roster), and
// what they may ask of it: WithObserver hears a Status whenever the
// scenario, the selected step or an outcome changes; a SwitchScenario
// message (sent with the program's Send) moves the session to another
// scenario; Handout is the session's run, as x exports it.

// Status is where a session is: its scenario, its step, how far it got
// and the last error it met. It is a plain value (it compares with ==),
// built in the model's Update and handed to the observer there.
type Status struct {
	Scenario string
	// Step is the selected step, from 1 (the one the overview's cursor or
	// the step screen is on; a whole-scenario run moves it along), of
	// Steps; StepID and StepTitle name it, Outcome is its latest attempt's.
	Step, Steps       int
	StepID, StepTitle string
	Outcome           flow.Outcome
	// Ran is how many steps have a result; Done how many ended as the
	// scenario expects (a failure scenario's step that failed with its
	// code among them).
	Ran, Done int
	Running   bool
	// Finished says every step has a result, AsExpected that the scenario
	// ended as it expects.
	Finished, AsExpected bool
	// LastError is the last error a step ended with in this session, kept
	// when the step later passes; its Step is 0 when there was none.
	LastError SeenError
	// Exercise says the scenario is an exercise, Solved that the trainee's
	// fix made it end as it should (exerciseStatus).
	Exercise, Solved bool
}

// SeenError is an error a step ended with.
type SeenError struct {
	Step    int    // from 1
	StepID  string // v-request
	Code    string // the error codes, space separated (MP-303), or ""
	Message string
	// Expected says the scenario expects this error (a failure scenario's
	// lesson), not a mistake.
	Expected bool
}

// WithObserver calls observe with the session's Status each time it
// changes: from Update, in the program's goroutine, so observe must be
// quick and must not call back into the program (p.Send would wait for
// the Update that is calling it).
func WithObserver(observe func(Status)) Option {
	return func(o *options) { o.observer = observe }
}

// SwitchScenario is a message that moves the session to a scenario, as
// picking it does: a run going on is cancelled and the next run starts
// from the seed. By says who asked, for the status line ("the trainer").
// A classroom sends it with the program's Send.
type SwitchScenario struct {
	Name string
	By   string
}

// observer is the model's watcher: the function, and what it last heard.
type observer struct {
	fn      func(Status)
	last    Status
	told    bool
	lastErr SeenError
	// seen is what the last status was built from: a status can only
	// change when one of these does (every change to the runs bumps the
	// model's version), so most messages (the clock, the cursor blink)
	// cost a comparison.
	seen observed
}

type observed struct {
	eng          *flow.Engine // a new one for each scenario picked
	version, cur int
	running      bool
}

// switchScenario carries out a SwitchScenario.
func (m *Model) switchScenario(msg SwitchScenario) tea.Cmd {
	for _, sc := range m.scenarios {
		if sc.Name == msg.Name {
			cmd := m.pickScenario(sc)
			if msg.By != "" {
				m.setStatus(msg.By+" moved you to scenario "+sc.Name+": r runs it, enter opens a step", false)
			}
			return cmd
		}
	}
	m.setStatus("no scenario "+msg.Name+" here (asked for by "+msg.By+")", true)
	return nil
}

// observe tells the observer the session's status when it changed. It
// runs at the end of Update with the message Update handled; an error a
// step ended with is noticed from the run's own event, so the one kept is
// the latest.
func (m *Model) observe(msg any) {
	if m.obs.fn == nil {
		return
	}
	switch msg := msg.(type) {
	case runEventMsg:
		if r := msg.ev.Result; msg.ev.Kind == flow.StepEnded && r != nil && r.Err != nil && r.Outcome != flow.Skipped {
			m.obs.lastErr = m.seenError(msg.ev.Step, *r)
		}
	case runEndedMsg:
		if msg.err != nil {
			m.obs.lastErr = SeenError{Step: m.run.step + 1, Message: msg.err.Error()}
		}
	}
	now := observed{eng: m.eng, version: m.version, cur: m.cur, running: m.run.running}
	if m.obs.told && now == m.obs.seen {
		return
	}
	if now.eng != m.obs.seen.eng {
		m.obs.lastErr = SeenError{} // another scenario (or the same, afresh)
	}
	m.obs.seen = now
	st := m.sessionStatus()
	if m.obs.told && st == m.obs.last {
		return
	}
	m.obs.last, m.obs.told = st, true
	m.obs.fn(st)
}

// seenError is a step's error as the observer keeps it.
func (m *Model) seenError(i int, r flow.StepResult) SeenError {
	e := SeenError{Step: i + 1, Code: errorCodes(r.Codes()), Message: r.Err.Error()}
	if i >= 0 && i < len(m.sc.Steps) {
		e.StepID = m.sc.Steps[i].ID
		e.Expected = r.Outcome == flow.Done && m.sc.Steps[i].Expect.Code != ""
	}
	return e
}

// errorCodes are an error's codes for a status: the services' own
// (MP-303 invalid_grant), the HTTP status only when there is nothing else.
func errorCodes(codes []string) string {
	var own []string
	for _, c := range codes {
		if !strings.HasPrefix(c, "HTTP ") {
			own = append(own, c)
		}
	}
	if len(own) == 0 {
		own = codes
	}
	return strings.Join(own, " ")
}

// sessionStatus is the session's Status now, from the runs the screens
// show. It allocates only when every step has a result (the scenario's
// verdict wants them in a slice).
func (m *Model) sessionStatus() Status {
	st := Status{Scenario: m.sc.Name, Steps: len(m.sc.Steps), Running: m.run.running, LastError: m.obs.lastErr}
	if m.cur >= 0 && m.cur < len(m.sc.Steps) {
		s := m.sc.Steps[m.cur]
		st.Step, st.StepID, st.StepTitle, st.Outcome = m.cur+1, s.ID, s.Title, m.runs[m.cur].outcome
	}
	for _, r := range m.runs {
		if r.result != nil && r.outcome != flow.Running {
			st.Ran++
		}
		if r.outcome == flow.Done {
			st.Done++
		}
	}
	st.Finished = st.Steps > 0 && st.Ran == st.Steps && !st.Running
	if st.Finished {
		results := make([]flow.StepResult, len(m.runs))
		for i, r := range m.runs {
			results[i] = *r.result
		}
		st.AsExpected = m.sc.Verdict(results)
	}
	st.Exercise, st.Solved = m.exerciseStatus()
	return st
}

// exerciseStatus says whether the scenario is an exercise and whether it
// has been solved in this session (exercise.go: every step run and done
// once, Engine.Solved; it stays solved).
func (m *Model) exerciseStatus() (exercise, solved bool) {
	return m.sc.Exercise != nil, m.solved[m.sc.Name]
}

// results are the engine's results of the scenario's steps.
func (m *Model) results() []flow.StepResult {
	out := make([]flow.StepResult, len(m.sc.Steps))
	for i := range out {
		out[i] = m.eng.Result(i)
	}
	return out
}

// Handout is the session's run as x exports it: the report of the
// scenario's steps (each step's latest attempt) and the options its
// transcripts are written with; ran is false when no step has run yet.
func (m Model) Handout() (rep flow.Report, opts transcript.Options, ran bool) {
	for _, r := range m.runs {
		ran = ran || r.outcome != flow.NotRun
	}
	rep = flow.Report{Scenario: m.sc, Results: m.results()}
	rep.OK = m.sc.Verdict(rep.Results)
	opts = transcript.Options{Settings: m.eng.Settings(), Params: m.eng.State().Params, Attempts: m.eng.Attempts()}
	return rep, opts, ran
}

// Status is the session's status now, as the observer last heard it or
// would hear it.
func (m Model) Status() Status { return m.sessionStatus() }
