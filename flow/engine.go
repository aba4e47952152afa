package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/systembruker/workbench/client"
)

// Engine runs a scenario's steps against the services and keeps the state
// and results. It is safe for concurrent use: a view may read the state
// while a step runs; steps themselves run one at a time.
type Engine struct {
	svc      Services
	settings Settings
	scenario Scenario

	run sync.Mutex // held while a step runs

	mu       sync.Mutex
	state    State
	results  []StepResult
	attempts int
	asker    Asker
	history  []Attempt // every step's run, for an exercise's handout (exercise.go)
}

// NewEngine returns an engine for the scenario.
func NewEngine(svc Services, settings Settings, sc Scenario) *Engine {
	if svc.Now == nil {
		svc.Now = time.Now
	}
	e := &Engine{svc: svc, settings: settings, scenario: sc}
	e.Reset()
	return e
}

// Reset forgets the state, results and edited inputs, back to the
// scenario's start.
func (e *Engine) Reset() { e.reset(false) }

// reset forgets the state and results; keepParams keeps the inputs as the
// user edited them.
func (e *Engine) reset(keepParams bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.scenario.StartParams(e.settings)
	if keepParams && e.state.Params != nil {
		p = e.state.clone().Params
	}
	passed := e.state.Passed // a yes given in the session stays given
	e.state = State{Params: p, Agent: e.scenario.Agent, Passed: passed}
	e.results = make([]StepResult, len(e.scenario.Steps))
	if !keepParams {
		e.history = nil
	}
}

// Scenario is the scenario the engine runs.
func (e *Engine) Scenario() Scenario { return e.scenario }

// Settings are the identities the engine runs with.
func (e *Engine) Settings() Settings { return e.settings }

// State returns a copy of the current state.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.clone()
}

// Result returns the latest result of step i.
func (e *Engine) Result(i int) StepResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.results[i]
}

// Inputs lists step i's inputs with their current values. Against a real
// Altinn the person's decision is theirs, made in the portal, so it is no
// input there.
func (e *Engine) Inputs(i int) []Input {
	e.mu.Lock()
	defer e.mu.Unlock()
	in := e.scenario.Steps[i].InputsWith(e.state.Params)
	if e.settings.ActAsPeople {
		return in
	}
	out := in[:0:0]
	for _, x := range in {
		if x.Param != ParamDecision {
			out = append(out, x)
		}
	}
	return out
}

// SetParam changes an input after checking it.
func (e *Engine) SetParam(p Param, v string) error {
	if err := ValidateParam(p, v); err != nil {
		return err
	}
	e.mu.Lock()
	e.state.Params[p] = v
	e.mu.Unlock()
	return nil
}

// runCtx is what a step's code sees.
type runCtx struct {
	svc    Services
	set    Settings
	state  *State
	emit   func(Event)
	step   int
	stepID string
	res    *StepResult
	try    int
	ask    Asker
	pass   func(key string)
	// issuedExpires is when the last token postGrant got expires (zero:
	// unknown).
	issuedExpires time.Time
}

func (r *runCtx) note(format string, a ...any) {
	n := fmt.Sprintf(format, a...)
	r.res.Notes = append(r.res.Notes, n)
	r.emit(Event{Kind: NoteAdded, Step: r.step, Attempt: r.try, Note: n})
}

func (r *runCtx) token(t Token) {
	r.res.Tokens = append(r.res.Tokens, t)
	r.emit(Event{Kind: TokenDecoded, Step: r.step, Attempt: r.try, Token: &t})
}

// RunStep runs step i on the current state and returns its result; emit
// (which may be nil) sees every event as it happens. The result's Outcome
// is Done or ExpectedFailure when the step ended as the scenario expects.
func (e *Engine) RunStep(ctx context.Context, i int, emit func(Event)) StepResult {
	if emit == nil {
		emit = func(Event) {}
	}
	e.run.Lock()
	defer e.run.Unlock()

	e.mu.Lock()
	e.attempts++
	try := e.attempts
	st := e.state.clone()
	step := e.scenario.Steps[i]
	e.results[i] = StepResult{Outcome: Running, Attempt: try}
	ask := e.asker
	e.mu.Unlock()

	res := StepResult{Attempt: try}
	emit(Event{Kind: StepStarted, Step: i, Attempt: try})
	if e.scenario.MockOnly && e.svc.Mock == nil {
		res.Err = fmt.Errorf("scenario %s turns the mocks' knobs and runs only with --env mock", e.scenario.Name)
		res.Outcome = Failed
		e.mu.Lock()
		e.results[i] = res
		e.mu.Unlock()
		emit(Event{Kind: StepEnded, Step: i, Attempt: try, Result: &res})
		return res
	}
	rc := &runCtx{svc: e.svc, set: e.settings, state: &st, emit: emit, step: i, stepID: step.ID, res: &res, try: try,
		ask: ask, pass: e.Pass}
	ctx = client.WithRecorder(ctx, func(x client.Exchange) {
		res.Exchanges = append(res.Exchanges, x)
		emit(Event{Kind: ExchangeDone, Step: i, Attempt: try, Exchange: &x})
	})
	start := time.Now()
	err := runSafely(ctx, step, rc)
	res.Duration = time.Since(start)
	res.Err = err
	res.Outcome = judge(step.Expect, err)

	e.mu.Lock()
	// A step's state changes count only when it succeeded; a failed step
	// leaves the state as it was, so it can be fixed and run again. An
	// expected failure the scenario goes on after is a lesson on the way:
	// what the step read before it failed counts (the refused agent delete
	// keeps the party it read, as its request is gone after it).
	if err == nil || res.Outcome == ExpectedFailure && step.Expect.GoOn {
		e.state = st
	}
	e.results[i] = res
	e.record(i, st.clone().Params, res)
	e.mu.Unlock()
	emit(Event{Kind: StepEnded, Step: i, Attempt: try, Result: &res})
	return res
}

// runSafely turns a panic in a step into an error, so one bad step cannot
// take the TUI down.
func runSafely(ctx context.Context, step Step, rc *runCtx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("step %s crashed: %v", step.ID, p)
		}
	}()
	return step.run(ctx, rc)
}

// ErrUnexpectedSuccess is the error of a step that should have failed but
// did not.
var ErrUnexpectedSuccess = errors.New("the step succeeded, but the scenario expects it to fail")

func judge(x Expect, err error) Outcome {
	switch {
	case x.Code == "" && err == nil:
		return Done
	case x.Code != "" && err != nil && client.HasCode(err, x.Code):
		return ExpectedFailure
	}
	return Failed
}

// Report is the result of a whole run.
type Report struct {
	Scenario Scenario
	Results  []StepResult
	// OK is true when every step ended as the scenario expects.
	OK bool
	// CleanupErr is set when undoing the scenario's knobs failed.
	CleanupErr error
	// StartErr is set when the run could not start (the mock world could
	// not be reset); every step is then skipped.
	StartErr error
}

// Cleanup runs the scenario's cleanup steps, which undo its changes to the
// mocks' shared state. It is safe to call more than once.
func (e *Engine) Cleanup(ctx context.Context) error {
	e.run.Lock()
	defer e.run.Unlock()
	var errs []error
	for _, st := range e.scenario.Cleanup {
		e.mu.Lock()
		s := e.state.clone()
		e.mu.Unlock()
		res := StepResult{}
		rc := &runCtx{svc: e.svc, set: e.settings, state: &s, emit: func(Event) {}, stepID: st.ID, res: &res, pass: func(string) {}}
		if err := runSafely(ctx, st, rc); err != nil {
			errs = append(errs, fmt.Errorf("cleanup %s: %w", st.ID, err))
		}
	}
	return errors.Join(errs...)
}

// ResetWorld starts the scenario again from the beginning: against the
// mocks it also puts their world back to its seed, so every scenario starts
// from the same state (a second run would otherwise find the first run's
// request and system user, as the real services would).
//
// The inputs stay as they are: a user who edited them runs with the edits.
func (e *Engine) ResetWorld(ctx context.Context) error {
	// Under the run lock, so a step still running cannot write its state
	// back over the fresh one.
	e.run.Lock()
	defer e.run.Unlock()
	e.reset(true)
	if e.svc.Mock == nil {
		return nil // a real world is not ours to reset
	}
	if err := e.svc.Mock.Reset(ctx); err != nil {
		return fmt.Errorf("reset the mock world: %w", err)
	}
	return nil
}

// RunAll resets the engine (and the mock world) and runs every step in
// order. It stops at the first step that fails, expectedly or not: the
// steps after it are skipped; but a step that fails with its expected
// error and may go on (Expect.GoOn) is a lesson on the way, and the steps
// after it run (the change request's scenario shows the 403 of a right
// given up, then asks for it back).
//
// Skipped steps get a StepEnded event with Outcome Skipped, and the run
// ends with a ScenarioEnded event carrying the report.
func (e *Engine) RunAll(ctx context.Context, emit func(Event)) Report {
	if emit == nil {
		emit = func(Event) {}
	}
	rep := Report{Scenario: e.scenario}
	skip := func(i int, err error) {
		r := StepResult{Outcome: Skipped, Err: err}
		rep.Results = append(rep.Results, r)
		e.mu.Lock()
		e.results[i] = r
		e.mu.Unlock()
		emit(Event{Kind: StepEnded, Step: i, Result: &r})
	}
	if err := e.ResetWorld(ctx); err != nil {
		rep.StartErr = err
		for i := range e.scenario.Steps {
			skip(i, err)
		}
		emit(Event{Kind: ScenarioEnded, Step: -1, Report: &rep})
		return rep
	}
	stopped := false
	for i := range e.scenario.Steps {
		if stopped || ctx.Err() != nil {
			skip(i, ctx.Err())
			continue
		}
		r := e.RunStep(ctx, i, emit)
		rep.Results = append(rep.Results, r)
		stopped = !(r.Outcome == Done || r.Outcome == ExpectedFailure && e.scenario.Steps[i].Expect.GoOn)
	}
	if err := e.Cleanup(ctx); err != nil {
		rep.CleanupErr = err
	}
	rep.OK = e.scenario.Verdict(rep.Results)
	emit(Event{Kind: ScenarioEnded, Step: -1, Report: &rep})
	return rep
}

// Verdict reports whether results (one per step) are what the scenario
// expects: no step failed, and every step that is to fail reached its
// expected error.
func (sc Scenario) Verdict(results []StepResult) bool {
	if len(results) != len(sc.Steps) {
		return false
	}
	for i, s := range sc.Steps {
		o := results[i].Outcome
		if o == Failed || (s.Expect.Code != "" && o != ExpectedFailure) || o == NotRun || o == Running {
			return false
		}
	}
	return true
}

// Why explains a result's outcome in one line.
func (r StepResult) Why(x Expect) string {
	switch {
	case r.Outcome == ExpectedFailure && x.Why != "":
		return "failed as expected with " + x.Code + ": " + x.Why
	case r.Outcome == ExpectedFailure:
		return "failed as expected with " + x.Code
	case r.Outcome == Done:
		return "ok"
	case r.Outcome == Failed && r.Err == nil:
		return ErrUnexpectedSuccess.Error() + " with " + x.Code
	case r.Outcome == Failed && x.Code != "":
		return fmt.Sprintf("expected %s, got: %v", x.Code, r.Err)
	case r.Outcome == Failed:
		return r.Err.Error()
	}
	return r.Outcome.String()
}
