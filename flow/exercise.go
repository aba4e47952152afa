package flow

import (
	"fmt"
	"sort"
	"strings"

	"github.com/systembruker/workbench/client"
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

// AsDelivered says whether a run of the exercise as delivered (the
// scenario as it is, every step expected to end ok) broke where the
// exercise says: every step before its step done, its step failed with its
// code. nil when it did, else what happened instead: an exercise that
// passes, or fails elsewhere, teaches something else (a trainer's file to
// fix). For a scenario that is no exercise it says so.
func (sc Scenario) AsDelivered(results []StepResult) error {
	x := sc.Exercise
	if x == nil {
		return fmt.Errorf("%s is no exercise", sc.Name)
	}
	for i, s := range sc.Steps {
		if i >= len(results) {
			break
		}
		r := results[i]
		switch {
		case s.ID == x.Step && r.Outcome == Failed && client.HasCode(r.Err, x.Code):
			return nil
		case s.ID == x.Step && r.Outcome == Done:
			return fmt.Errorf("step %s ended ok as delivered; it is to fail with %s", s.ID, x.Code)
		case s.ID == x.Step && r.Err != nil:
			return fmt.Errorf("step %s failed with %s as delivered; it is to fail with %s", s.ID, codesOf(r), x.Code)
		case s.ID == x.Step:
			return fmt.Errorf("step %s %s as delivered; it is to fail with %s", s.ID, r.Outcome, x.Code)
		case r.Outcome != Done:
			return fmt.Errorf("step %s, before the exercise's step %s, %s (%s)", s.ID, x.Step, r.Outcome, r.Why(s.Expect))
		}
	}
	return fmt.Errorf("step %s did not run", x.Step)
}

// codesOf is a failed result's codes for a sentence, the most precise
// first ("MP-110 (invalid_grant, HTTP 400)"), or its error.
func codesOf(r StepResult) string {
	c := r.Codes()
	switch len(c) {
	case 0:
		return r.Err.Error()
	case 1:
		return c[0]
	}
	return c[0] + " (" + strings.Join(c[1:], ", ") + ")"
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
