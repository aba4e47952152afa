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
			_, name := r.person()
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
			return r.decideOnPage(ctx, r.state.ConfirmURL, r.state.RequestID, approve, "request")
		},
	}
}

// decideOnPage is the person's Approve (or Reject) on the confirm page at
// confirmURL of the request or change request id; what names it in the
// note.
func (r *runCtx) decideOnPage(ctx context.Context, confirmURL, id string, approve bool, what string) error {
	pid, name := r.person()
	loc, err := r.svc.Portal.Decide(ctx, client.ConfirmAction{ConfirmURL: confirmURL, RequestID: id, PID: pid, Approve: approve})
	if err != nil {
		return err
	}
	verb := "approved"
	if !approve {
		verb = "rejected"
	}
	r.note("%s %s the %s", upperFirst(name), verb, what)
	if loc != "" {
		r.note("the browser is sent on to %s", loc)
	}
	return nil
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

// ConfirmURL is the confirm URL the step hands the person, from the state:
// the change request's for a change request's step, else the request's.
func (st Step) ConfirmURL(s State) string {
	if st.change {
		return s.ChangeConfirmURL
	}
	return s.ConfirmURL
}

// The person's steps in a system user's later life: logging in to the
// portal, the change request's confirm page, and deleting the system user.

func stepEndUserLogin(s Settings) Step {
	return Step{
		ID: "eu-login", Actor: EndUser, Title: upperFirst(s.EndUserLabel()) + " logs in to Altinn",
		Explain: "The customer's daglig leder logs in to the Altinn portal (ID-porten, then Altinn), where the " +
			"organisation's system users are listed. Against the mocks Altinn's test token generator stands in for " +
			"the login and gives a personal Altinn token.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.real() {
				r.note("%s logs in to the Altinn portal with ID-porten (TestID in tt02) and picks %s",
					upperFirst(r.set.EndUserLabel()), r.set.CustomerLabel())
				return nil
			}
			return r.personLogin(ctx, r.set.EndUserPID, "altinn:portal/enduser")
		},
	}
}

// personLogin gets the person's Altinn token from the test token
// generator and shows it.
func (r *runCtx) personLogin(ctx context.Context, pid string, scopes ...string) error {
	tok, err := r.svc.Portal.PersonalToken(ctx, pid, scopes)
	if err != nil {
		return err
	}
	r.state.PersonToken = tok
	if d, err := client.DecodeJWT(tok); err == nil {
		d.VerifyError = "Altinn's own token; Altinn verifies it"
		r.token(Token{Label: "personal Altinn token", DecodedJWT: d})
	}
	return nil
}

func stepChangeReview() Step {
	return Step{
		ID: "eu-change-review", Actor: EndUser, Title: "Opens the change request's confirm URL", Person: PersonReview, change: true,
		Explain: "The vendor sends the person the change request's confirmUrl. Altinn's page shows which system user " +
			"would get which rights or access packages, and which it would lose.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.ChangeConfirmURL == "" {
				return errors.New("no change request's confirmUrl yet: run the vendor's change step first")
			}
			_, name := r.person()
			if r.real() {
				r.note("send this to %s, who opens it in a browser and logs in with ID-porten (TestID in tt02):\n%s", name, r.state.ChangeConfirmURL)
				return nil
			}
			pid, _ := r.person()
			if _, err := r.svc.Portal.ConfirmPage(ctx, r.state.ChangeConfirmURL, pid); err != nil {
				return err
			}
			r.note("%s logged in and sees the change request", name)
			return nil
		},
	}
}

func stepChangeDecide() Step {
	return Step{
		ID: "eu-change-approve", Actor: EndUser, Title: "Approves (or rejects) the change", Person: PersonDecide, change: true,
		Explain: "The person approves the change (or rejects it). Altinn makes it at once: the system user's " +
			"rights change, and with them what Altinn's PDP permits; its tokens stay as they are.",
		Manual: true, Inputs: []Param{ParamChangeDecision},
		run: func(ctx context.Context, r *runCtx) error {
			_, name := r.person()
			if r.state.ChangeRequestID == "" {
				r.note("no change request to decide")
				return nil
			}
			if r.real() {
				// The person decides in a browser; what this step does is
				// the vendor's polling.
				r.res.From = PartySmartCloud
				r.note("waiting for %s to approve or reject the change in the Altinn portal", name)
				cr, err := r.waitForChange(ctx)
				if err == nil {
					r.state.ChangeStatus = cr.Status
					r.note("%s answered: %s", upperFirst(name), cr.Status)
				}
				return err
			}
			approve := r.state.Param(ParamChangeDecision) != "reject"
			return r.decideOnPage(ctx, r.state.ChangeConfirmURL, r.state.ChangeRequestID, approve, "change")
		},
	}
}

func stepDeleteSystemUser(actor Actor) Step {
	return Step{
		ID: stepPrefix(actor) + "-delete", Actor: actor, Title: "Deletes the system user",
		Explain: "The organisation deletes the system user in the Altinn portal. Maskinporten finds it no more, so " +
			"the next token request is refused (MP-303); the request it was made from goes too, so the vendor may " +
			"ask for the same again. An agent system user with clients still delegated is not deleted: Altinn " +
			"refuses with AUTH-00035 until the client administrator has removed them.",
		Manual: true,
		run:    func(ctx context.Context, r *runCtx) error { return r.deleteSystemUser(ctx) },
	}
}

// deleteSystemUser is the person's delete, over the portal's API: the
// request's portal read gives the party, whose system users the person
// lists, then deletes the flow's one.
func (r *runCtx) deleteSystemUser(ctx context.Context) error {
	if r.state.SystemUserID == "" {
		return errors.New("no system user to delete: the request must be approved first")
	}
	_, name := r.person()
	if r.real() {
		if err := r.gate(ctx, Gate{
			Key: "done:delete:" + r.state.SystemUserID, Kind: GateDone,
			Title: fmt.Sprintf("%s deletes the system user %s in the Altinn portal", upperFirst(name), r.state.SystemUserID),
			Lines: []string{"open the system access overview, pick the system access of " + r.set.SystemName + " and delete it: " +
				r.portalPage("accessmanagement/ui/systemuser/overview")},
		}); err != nil {
			return err
		}
		r.note("the next token request shows whether it is gone (MP-303)")
		return nil
	}
	if r.state.PersonToken == "" || r.state.RequestID == "" {
		return errors.New("no personal token or request: run the login step (and the request's steps) first")
	}
	agent := r.state.Agent
	// The party comes from the portal's read of the request, once: a
	// refused agent delete has deleted the request already (the
	// controller deletes it first, SystemUserController.DeleteAgentSystemUser).
	if r.state.PartyID == 0 || r.state.PartyUUID == "" {
		pr, err := r.svc.Requests.PortalGet(ctx, r.state.PersonToken, r.state.RequestID, agent)
		if err != nil {
			return err
		}
		r.state.PartyID, r.state.PartyUUID, r.state.PartyOrgNo = pr.PartyID, pr.PartyUUID, pr.PartyOrgNo
	}
	party := r.state.PartyID
	users, err := r.svc.SystemUsers.ForParty(ctx, r.state.PersonToken, party, agent)
	if err != nil {
		return err
	}
	r.note("%s of %s (party %d) in the portal", count(len(users), "system user"), r.state.PartyOrgNo, party)
	if agent {
		err = r.svc.SystemUsers.DeleteAgent(ctx, r.state.PersonToken, party, r.state.SystemUserID, r.state.PartyUUID)
	} else {
		err = r.svc.SystemUsers.Delete(ctx, r.state.PersonToken, party, r.state.SystemUserID)
	}
	if err != nil {
		return err
	}
	r.note("%s deleted system user %s", upperFirst(name), r.state.SystemUserID)
	return nil
}
