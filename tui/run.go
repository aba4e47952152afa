package tui

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
)

// do carries out what a screen asked for.
func (m *Model) do(r request) tea.Cmd {
	switch r := r.(type) {
	case openStep:
		m.screen = screenStep
	case openCall:
		m.cur = min(max(0, r.step), len(m.sc.Steps)-1)
		m.screen = screenStep
		m.step.showCall(r.call)
	case goOverview:
		m.screen = screenOverview
	case selectStep:
		m.cur = min(max(0, r.step), len(m.sc.Steps)-1)
	case runOne:
		return m.startStep(r.step)
	case passGate:
		// The user said yes, or that the person is done: the step runs
		// again and goes on past its gate.
		m.eng.Pass(r.key)
		return m.startStep(r.step)
	case takeWay:
		return m.startWay(r.way)
	case runScenario:
		return m.startRunAll()
	case exportRun:
		return m.export()
	case openPicker:
		m.pickFrom = m.screen
		m.screen = screenPicker
		m.picker = newPicker(m.common, m.scenarios, m.sc.Name)
		m.layout()
	case closePicker:
		m.screen = m.pickFrom
	case pickScenario:
		return m.pickScenario(r.sc)
	case jumpToActor:
		m.jumpToActor(r.actor)
	case editInputs:
		m.openForm()
	case inputsDone:
		m.closeForm(r.values)
	case zoomIn:
		m.zoom = true
		m.qr.show(m.step.confirm)
	case zoomOut:
		m.zoom = false
	case say:
		m.setStatus(r.text, r.bad)
	case showHint:
		m.nextHint()
	case openCompare:
		m.openCompare()
	case compareWith:
		return m.compareWith(r.choice)
	}
	return nil
}

// setScenario switches to a scenario with a fresh engine; a run still
// going on the old one is cancelled and its events dropped. Its first run
// resets the mock world.
func (m *Model) setScenario(sc flow.Scenario) {
	if m.run.cancel != nil {
		m.run.cancel()
	}
	m.sc = sc
	m.eng = flow.NewEngine(m.svc, m.settings, sc)
	m.runs = make([]stepRun, len(sc.Steps))
	m.cur = 0
	m.run = runState{id: m.run.id + 1, needReset: true}
	m.zoom = false
	m.form = nil
	m.hints = 0
	// The new screen counts its background renders on from the old one's,
	// so that a render the old scenario started cannot pass for its own.
	old := m.step.sides
	m.step = newStepScreen(m.common, m.narr)
	for i := range old {
		m.step.sides[i].gen = old[i].gen
	}
	m.version++
	m.picker = newPicker(m.common, m.scenarios, sc.Name)
	m.layout()
}

// pickScenario starts on the scenario picked: in presenter mode at once,
// auto-advancing; otherwise on its overview.
func (m *Model) pickScenario(sc flow.Scenario) tea.Cmd {
	m.setScenario(sc)
	if m.pres.on {
		m.setStatus("scenario "+sc.Name, false)
		return m.beginAuto()
	}
	m.screen = screenOverview
	m.setStatus("scenario "+sc.Name+": r runs it, enter opens a step", false)
	return nil
}

// jumpToActor opens the actor's first step.
func (m *Model) jumpToActor(a flow.Actor) {
	for i, s := range m.sc.Steps {
		if s.Actor == a {
			m.cur = i
			m.screen = screenStep
			return
		}
	}
	m.setStatus(fmt.Sprintf("%s has no steps in the %s scenario", a, m.sc.Name), true)
}

// startStep runs one step. The first step, or the first run since the
// scenario was picked, starts the scenario from scratch: every step's
// shown result is cleared, and the Cmd resets the mock world before it
// runs the step.
func (m *Model) startStep(i int) tea.Cmd {
	if m.run.running {
		m.setStatus("a step is running; wait for it to end", true)
		return nil
	}
	reset := i == 0 || m.run.needReset
	if reset {
		m.runs = make([]stepRun, len(m.sc.Steps))
		m.run.needReset = false
		m.version++
	}
	m.run.step = i
	return m.start(runRequest{step: i, reset: reset})
}

// startWay takes a way on from a rejected request: the engine sets the
// way's inputs and runs the request step again, which the screen then
// shows.
func (m *Model) startWay(w flow.WayOn) tea.Cmd {
	if m.run.running {
		m.setStatus("a step is running; wait for it to end", true)
		return nil
	}
	i := m.eng.StepIndex("v-request")
	if i < 0 {
		m.setStatus("this scenario has no request step", true)
		return nil
	}
	m.cur, m.run.step = i, i
	m.setStatus(w.Title+": running step "+fmt.Sprint(i+1)+" again", false)
	return m.start(runRequest{step: i, way: &w})
}

// startRunAll runs the whole scenario from a fresh start: the engine's
// RunAll resets the mock world and keeps the edited inputs.
func (m *Model) startRunAll() tea.Cmd {
	if m.run.running {
		m.setStatus("a run is going on; wait for it to end", true)
		return nil
	}
	m.runs = make([]stepRun, len(m.sc.Steps))
	m.run.needReset = false
	m.version++
	return m.start(runRequest{all: true})
}

// start starts a run from the program's context, so that the program's
// end (or the SSH session's) cancels it.
func (m *Model) start(rq runRequest) tea.Cmd {
	m.run.id++
	ctx, cancel := context.WithCancel(m.common.Context())
	rq.id, rq.eng = m.run.id, m.eng
	m.run.running, m.run.all, m.run.cancel = true, rq.all, cancel
	return tea.Batch(startRun(ctx, rq), m.spin.Tick)
}

// applyEvent adds an engine event to its step's run; RunAll's last event
// says how the scenario ended.
func (m *Model) applyEvent(ev flow.Event) {
	if ev.Kind == flow.ScenarioEnded && ev.Report != nil {
		m.scenarioEnded(*ev.Report)
		return
	}
	if ev.Step < 0 || ev.Step >= len(m.runs) {
		return
	}
	if m.runs[ev.Step].apply(ev) {
		m.version++
	}
	if ev.Kind != flow.StepStarted {
		return
	}
	if m.run.all && m.screen == screenOverview {
		m.cur = ev.Step // the overview follows a whole-scenario run
	}
	if s := m.sc.Steps[ev.Step]; !m.settings.ActAsPeople && waitsForPerson(s) {
		m.setStatus(fmt.Sprintf("waiting for %s to approve: step %d shows the confirm URL and its QR code", m.confirmWho(s), ev.Step+1), false)
	}
}

// confirmWho is who opens the confirm URL for a step's actor, by name or
// by role.
func (m *Model) confirmWho(s flow.Step) string {
	if s.Actor == flow.ClientAdmin {
		return m.settings.ClientAdminLabel()
	}
	return m.settings.EndUserLabel()
}

// scenarioEnded says how a whole-scenario run ended, with the engine's
// verdict.
func (m *Model) scenarioEnded(rep flow.Report) {
	if rep.StartErr == nil {
		m.remember(rep) // to compare with later
	}
	switch {
	case rep.StartErr != nil:
		m.setStatus("scenario "+m.sc.Name+" did not start: "+rep.StartErr.Error(), true)
	case rep.OK && rep.CleanupErr != nil:
		m.setStatus("scenario "+m.sc.Name+" ended as expected, but "+rep.CleanupErr.Error(), true)
	case rep.OK:
		m.setStatus("scenario "+m.sc.Name+" ended as expected", false)
	case m.sc.Exercise != nil:
		m.setStatus(m.unsolved(), true)
	default:
		m.setStatus("scenario "+m.sc.Name+" did NOT end as expected", true)
	}
	m.checkSolved()
}

// endRun closes a run. A step's run says how the step ended and, once
// every step has run, the scenario's verdict on them.
func (m *Model) endRun(msg runEndedMsg) {
	m.run.running, m.run.cancel = false, nil
	m.version++
	if msg.err != nil {
		m.run.needReset = true
		m.setStatus(msg.err.Error(), true)
		return
	}
	if msg.all {
		return // the ScenarioEnded event said it
	}
	i := m.run.step
	r := m.runs[i]
	if r.result == nil {
		return
	}
	s := m.sc.Steps[i]
	status := fmt.Sprintf("step %d %s: %s", i+1, r.outcome, r.result.Why(s.Expect))
	if r.outcome == flow.ExpectedFailure {
		status = fmt.Sprintf("⚑ step %d %s", i+1, r.result.Why(s.Expect))
	}
	results := make([]flow.StepResult, len(m.runs))
	all := true
	for i, r := range m.runs {
		// A step a run skipped has not run: the verdict waits for it.
		if r.result == nil || r.result.Outcome == flow.Skipped {
			all = false
			break
		}
		results[i] = *r.result
	}
	bad := !r.outcome.AsExpected()
	if all {
		if m.sc.Verdict(results) {
			status += " · scenario " + m.sc.Name + " ended as expected"
		} else if m.sc.Exercise != nil {
			status += " · exercise not solved yet"
			bad = true
		} else {
			status += " · scenario " + m.sc.Name + " did NOT end as expected"
			bad = true
		}
	}
	m.setStatus(status, bad)
	m.checkSolved()
}

// openForm opens the inputs form for the step.
func (m *Model) openForm() {
	if m.run.running {
		m.setStatus("inputs can change once the run has ended", true)
		return
	}
	in := m.eng.Inputs(m.cur)
	if len(in) == 0 {
		m.setStatus("this step takes no inputs", false)
		return
	}
	m.form = newInputForm(m.common, m.cur, m.sc.Steps[m.cur].Title, in)
	m.form.SetSize(m.common.Width, m.bodyHeight())
}

// closeForm applies the form's values, or drops them when cancelled
// (nil).
func (m *Model) closeForm(values map[flow.Param]string) {
	m.form = nil
	if values == nil {
		m.setStatus("inputs unchanged", false)
		return
	}
	for p, v := range values {
		if err := m.eng.SetParam(p, v); err != nil {
			m.setStatus(err.Error(), true)
			return
		}
	}
	m.version++
	m.setStatus("inputs saved: enter runs the step with them", false)
}
