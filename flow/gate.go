package flow

import (
	"context"
	"fmt"
	"strings"
)

// Gates: the points where a step needs the user, not a service. Before the
// first write to a shared register the user says yes to what will be
// written; where a person does their part elsewhere (the portal) and no API
// shows it, the user says when it is done. A view shows the gate and passes
// it (a key in the TUI, --yes or Enter for `run`); the step then runs again.

// GateKind is what a gate asks of the user.
type GateKind int

// The gates.
const (
	// GateConfirm asks whether to write something to a shared register.
	GateConfirm GateKind = iota + 1
	// GateDone waits for the user to say that a person's task is done.
	GateDone
)

// Gate is one question a step puts to the user.
type Gate struct {
	// Key names the gate; passing it once passes it for the session.
	Key  string
	Kind GateKind
	// Step is the id of the step that asks.
	Step string
	// Title is the question or the task, in a line.
	Title string
	// Lines say what will be written, or what the person does and where.
	Lines []string
}

// GateError ends a step at a gate the user has not passed yet: pass it
// (Engine.Pass) and run the step again to go on.
type GateError struct{ Gate Gate }

func (e *GateError) Error() string {
	switch e.Gate.Kind {
	case GateConfirm:
		return e.Gate.Title + " (waiting for your yes)"
	case GateDone:
		return e.Gate.Title + " (waiting for you to say it is done)"
	}
	return e.Gate.Title
}

// Asker puts a gate to the user while the step waits, and reports whether
// the user passed it; false leaves the step to end with a GateError (the
// user cannot be asked here, or said no).
type Asker func(ctx context.Context, g Gate) bool

// SetAsker makes the engine ask the user at gates as the steps reach them
// (a terminal's prompt); without one a gate ends its step with a
// GateError.
func (e *Engine) SetAsker(a Asker) {
	e.mu.Lock()
	e.asker = a
	e.mu.Unlock()
}

// Pass passes the gate with the key: the step that asked goes on when it
// runs again.
func (e *Engine) Pass(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state.Passed == nil {
		e.state.Passed = map[string]bool{}
	}
	e.state.Passed[key] = true
}

// Gate is the gate step i is waiting at, if its last run ended at one.
func (e *Engine) Gate(i int) (Gate, bool) {
	if ge, ok := asGate(e.Result(i).Err); ok {
		return ge.Gate, true
	}
	return Gate{}, false
}

func asGate(err error) (*GateError, bool) {
	ge, ok := err.(*GateError)
	return ge, ok
}

// gate stops the step at g unless the user has passed it, says yes in
// advance (a confirmation with Settings.Yes), or passes it now through the
// engine's Asker.
func (r *runCtx) gate(ctx context.Context, g Gate) error {
	g.Step = r.stepID
	if r.state.Passed[g.Key] || (g.Kind == GateConfirm && r.set.Yes) {
		return nil
	}
	if r.ask != nil && r.ask(ctx, g) {
		if r.state.Passed == nil {
			r.state.Passed = map[string]bool{}
		}
		r.state.Passed[g.Key] = true
		r.pass(g.Key) // kept even if the step fails after it
		r.note("%s: done, you said", strings.TrimSuffix(g.Title, "?"))
		return nil
	}
	return &GateError{Gate: g}
}

// portalPage is a page of the access management UI.
func (r *runCtx) portalPage(path string) string {
	base := r.set.PortalURL
	if base == "" {
		return "the Altinn portal"
	}
	return fmt.Sprintf("%s%s", strings.TrimSuffix(base, "/")+"/", path)
}
