package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/systembruker/workbench/client"
)

// After a rejection: Altinn keeps a rejected request, and a new POST for the
// same system, org and externalRef answers 200 with it, whatever its status
// (RequestSystemUserController.CreateRequest L122-128; altinn-facts.md §3.2,
// §11.16). So asking again changes nothing; the two real ways on are to
// delete the request (DELETE systemuser/request/vendor/{id}, 202) and ask
// again, or to ask with a new externalRef.

// The ways on after a rejected request.
const (
	WayDeleteRequest  = "delete-request"
	WayNewExternalRef = "new-external-ref"
)

// WayOn is one way on from a step that ended where the flow cannot go on
// as it is.
type WayOn struct {
	ID    string
	Title string
	// Explain says what it does and what it means for later.
	Explain string
	// Params are the inputs it sets before the request step runs again.
	Params map[Param]string
	// RunArgs are the `workbench run` flags that take it headless.
	RunArgs []string
}

// RejectedError ends the flow at a request its person rejected (or Altinn
// denied).
type RejectedError struct {
	Request client.Request
	Agent   bool
	// NewRef is the externalRef the second way on asks with.
	NewRef string
}

func (e *RejectedError) Error() string {
	ref := e.Request.ExternalRef
	if ref == "" {
		ref = e.Request.PartyOrgNo
	}
	return fmt.Sprintf("the request %s is %s: Altinn keeps it, and asking again for system %s, org %s and externalRef %s "+
		"gives back this request (200), not a new one; no system user exists, so a token would fail with MP-303",
		e.Request.ID, e.Request.Status, e.Request.SystemID, e.Request.PartyOrgNo, ref)
}

// Ways are the two ways on: delete the request and ask again, or ask with
// a new externalRef.
func (e *RejectedError) Ways() []WayOn {
	return []WayOn{
		{
			ID: WayDeleteRequest, Title: "Delete the rejected request and ask again",
			Explain: "DELETE systemuser/request/vendor/" + e.Request.ID + " (Altinn answers 202), then a new request " +
				"for the same system, org and externalRef: a new confirm URL for the person.",
			Params:  map[Param]string{ParamRenew: RenewDelete},
			RunArgs: []string{"--delete-rejected"},
		},
		{
			ID: WayNewExternalRef, Title: "Ask with a new externalRef (" + e.NewRef + ")",
			Explain: "A new request with externalRef " + e.NewRef + " beside the rejected one. Every token for " +
				"that system user must then name it too: `workbench token --external-ref " + e.NewRef +
				"` (or customer.external_ref in the config).",
			Params:  map[Param]string{ParamExternalRef: e.NewRef},
			RunArgs: []string{"--external-ref", e.NewRef},
		},
	}
}

// WaysOn are the ways on from step i's last result, if it ended at a
// rejected request.
func (e *Engine) WaysOn(i int) []WayOn {
	var re *RejectedError
	if errors.As(e.Result(i).Err, &re) {
		return re.Ways()
	}
	return nil
}

// TakeWay takes a way on: it sets the way's inputs and runs the request
// step again (the steps after it then run as before). It returns the
// request step's index and result.
func (e *Engine) TakeWay(ctx context.Context, w WayOn, emit func(Event)) (int, StepResult, error) {
	i := e.StepIndex("v-request")
	if i < 0 {
		return -1, StepResult{}, fmt.Errorf("scenario %s has no request step", e.scenario.Name)
	}
	for p, v := range w.Params {
		if err := e.SetParam(p, v); err != nil {
			return i, StepResult{}, err
		}
	}
	return i, e.RunStep(ctx, i, emit), nil
}

// StepIndex is the index of the step with the id, or -1.
func (e *Engine) StepIndex(id string) int {
	for i, s := range e.scenario.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// rejected makes the error for a rejected (or denied) request, with a new
// externalRef for the second way on.
func (r *runCtx) rejected(req client.Request) error {
	base := req.PartyOrgNo
	if base == "" {
		base = r.state.Param(ParamCustomerOrg)
	}
	return &RejectedError{Request: req, Agent: r.state.Agent, NewRef: base + "-" + r.svc.Now().Format("20060102-150405")}
}

// turnedDown reports whether a request's status means no system user will
// come of it.
func turnedDown(status string) bool {
	return status == client.StatusRejected || status == client.StatusDenied
}
