package flow

import (
	"sort"
	"strings"
)

// Exercises: a scenario that starts broken on purpose. As delivered, one
// step breaks a real rule and fails with its error code; the trainee reads
// the error and its explanation, edits the inputs and runs the step again
// until every step ends as it should (ok). A scenario file says which step
// breaks, with which code, the rule, hints to give one at a time, and the
// fix: the inputs that make it pass.

// Exercise is what makes a scenario an exercise.
type Exercise struct {
	// Step is the id of the step that fails as delivered; the scenario
	// expects it to end ok once fixed.
	Step string
	// Code is the error it fails with as delivered: the rule's.
	Code string
	// Rule is the rule it breaks, in a sentence.
	Rule string
	// Hints are given one at a time, gentlest first.
	Hints []string
	// Fix are the inputs that make it pass.
	Fix map[Param]string
	// From is the id of the step to run again from once the inputs are
	// fixed: Step, or an earlier one when the fix is in what an earlier
	// step made (a request to ask for again).
	From string
}

// FixParams lists the fix's inputs in a stable order.
func (x Exercise) FixParams() []Param {
	var ps []Param
	for p := range x.Fix {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

// ParamLabel is an input's label, as the inputs form shows it (the
// param's name for an unknown one).
func ParamLabel(p Param) string {
	if info, ok := paramInfo[p]; ok {
		return info.label
	}
	return string(p)
}

// FixText is the fix in words: "grant_aud = (empty), decision = approve".
func (x Exercise) FixText() string {
	var parts []string
	for _, p := range x.FixParams() {
		v := x.Fix[p]
		if v == "" {
			v = "(empty)"
		}
		parts = append(parts, string(p)+" = "+v)
	}
	return strings.Join(parts, ", ")
}

// Delivered is the exercise as delivered, for a run that shows it (`run`
// without --fix): its step is expected to fail with the exercise's code,
// the rule as the lesson. Any other scenario is returned as it is.
func (sc Scenario) Delivered() Scenario {
	if sc.Exercise == nil {
		return sc
	}
	sc.Steps = append([]Step(nil), sc.Steps...)
	for i := range sc.Steps {
		if sc.Steps[i].ID == sc.Exercise.Step {
			sc.Steps[i].Expect = Expect{Code: sc.Exercise.Code, Why: sc.Exercise.Rule}
		}
	}
	return sc
}

// Fixed is the exercise with its fix applied from the start (`run --fix`):
// every step is expected to end ok. Any other scenario is returned as it
// is.
func (sc Scenario) Fixed() Scenario {
	if sc.Exercise == nil {
		return sc
	}
	p := make(map[Param]string, len(sc.Params)+len(sc.Exercise.Fix))
	for k, v := range sc.Params {
		p[k] = v
	}
	for k, v := range sc.Exercise.Fix {
		p[k] = v
	}
	sc.Params = p
	return sc
}

// Attempt is one run of a step, as the trainee's handout lists it.
type Attempt struct {
	Step    int    // the step's index
	StepID  string // its id
	Attempt int    // the engine's attempt number
	// Params are every input as the step ran with them.
	Params  map[Param]string
	Outcome Outcome
	Codes   []string
	Err     string
}

// maxAttempts bounds the history a long session keeps.
const maxAttempts = 1000

// record adds a step's run to the history; the caller holds e.mu.
func (e *Engine) record(i int, params map[Param]string, res StepResult) {
	a := Attempt{Step: i, StepID: e.scenario.Steps[i].ID, Attempt: res.Attempt, Params: params, Outcome: res.Outcome, Codes: res.Codes()}
	if res.Err != nil {
		a.Err = res.Err.Error()
	}
	if len(e.history) >= maxAttempts {
		e.history = append(e.history[:0], e.history[1:]...)
	}
	e.history = append(e.history, a)
}

// Attempts are the runs of steps since the engine started (a reset of the
// world keeps them; Reset forgets them), oldest first.
func (e *Engine) Attempts() []Attempt {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Attempt(nil), e.history...)
}

// Solved reports whether the scenario is an exercise and every step's
// latest run ended as it should: every one run (none skipped) and done.
func (e *Engine) Solved() bool {
	if e.scenario.Exercise == nil {
		return false
	}
	e.mu.Lock()
	res := append([]StepResult(nil), e.results...)
	e.mu.Unlock()
	for _, r := range res {
		if r.Outcome != Done {
			return false
		}
	}
	return e.scenario.Verdict(res)
}
