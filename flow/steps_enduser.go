package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The person's steps on the confirm page (the end user, or for an agent
// request the client administrator, who uses the same page), and the
// request that nobody answers.

// person is who acts on the confirm page: the end user, or for an agent
// request the facilitator's client administrator.
func (r *runCtx) person() (pid, name string) {
	if r.state.Agent {
		return r.set.ClientAdminPID, r.set.ClientAdminLabel()
	}
	return r.set.EndUserPID, r.set.EndUserLabel()
}

func stepReview(actor Actor) Step {
	return Step{
		ID: stepPrefix(actor) + "-review", Actor: actor, Title: "Opens the confirm URL", Person: PersonReview,
		Explain: "The vendor sends the person the confirmUrl. Altinn's page shows which system asks, from " +
			"which vendor, and which rights or access packages it wants, for which organisation.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.ConfirmURL == "" {
				if r.state.SystemUserID != "" {
					r.note("nothing to review: the system user exists already")
					return nil
				}
				return errors.New("no confirmUrl yet: run the vendor's request step first")
			}
			if r.real() {
				_, name := r.person()
				r.note("send this to %s, who opens it in a browser and logs in with ID-porten (TestID in tt02):\n%s", name, r.state.ConfirmURL)
				return nil
			}
			pid, name := r.person()
			page, err := r.svc.Portal.ConfirmPage(ctx, r.state.ConfirmURL, pid)
			if err != nil {
				return err
			}
			r.note("%s logged in (the mock's login page stands in for ID-porten) and sees the request", name)
			if !strings.Contains(page, r.state.SystemID) && !strings.Contains(page, "SmartCloud") {
				r.note("the page does not name the system %s", r.state.SystemID)
			}
			return nil
		},
	}
}

func stepDecide(actor Actor) Step {
	return Step{
		ID: stepPrefix(actor) + "-approve", Actor: actor, Title: "Approves (or rejects) the request", Person: PersonDecide,
		Explain: "The person presses Approve (or Reject). Altinn checks that they may act for the " +
			"organisation (daglig leder, or client administrator at the facilitator) and, on approval, " +
			"creates the system user: from now on SmartCloud's client can get tokens for it.",
		Manual: true, Inputs: []Param{ParamDecision},
		run: func(ctx context.Context, r *runCtx) error {
			pid, name := r.person()
			if r.state.RequestID == "" && r.state.SystemUserID != "" {
				r.note("nothing to decide: the system user exists already")
				return nil
			}
			if r.real() {
				// The person decides in a browser; what this step does is
				// the vendor's polling.
				r.res.From = PartySmartCloud
				r.note("waiting for %s to approve or reject in the Altinn portal", name)
				req, err := r.waitForDecision(ctx)
				if err != nil {
					return err
				}
				r.state.RequestStatus = req.Status
				r.note("%s answered: %s", upperFirst(name), req.Status)
				return nil
			}
			approve := r.state.Param(ParamDecision) != "reject"
			loc, err := r.svc.Portal.Decide(ctx, client.ConfirmAction{
				ConfirmURL: r.state.ConfirmURL, RequestID: r.state.RequestID, PID: pid, Approve: approve,
			})
			if err != nil {
				return err
			}
			verb := "approved"
			if !approve {
				verb = "rejected"
			}
			r.note("%s %s the request", upperFirst(name), verb)
			if loc != "" {
				r.note("the browser is sent on to %s", loc)
			}
			return nil
		},
	}
}

func stepPrefix(a Actor) string {
	if a == ClientAdmin {
		return "ca"
	}
	return "eu"
}

func stepTimePasses(days int) Step {
	return Step{
		ID: "eu-wait", Actor: EndUser, Title: fmt.Sprintf("Nobody answers for %d days", days),
		Explain: "A request waits for the customer. When one is older than 180 days Altinn marks it " +
			"timedOut: true, but its status stays New and it can still be approved. The mock's request " +
			"is backdated to show it.",
		run: func(ctx context.Context, r *runCtx) error {
			return r.svc.Mock.BackdateRequest(ctx, r.state.RequestID, r.svc.Now().AddDate(0, 0, -days))
		},
	}
}
