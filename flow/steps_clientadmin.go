package flow

import (
	"context"
	"errors"
	"fmt"
)

// The client administrator's steps: at the facilitator, delegating clients
// to an agent system user.

func stepAdminLogin(s Settings) Step {
	return Step{
		ID: "ca-login", Actor: ClientAdmin, Title: upperFirst(s.ClientAdminLabel()) + " logs in to Altinn",
		Explain: "The client administrator at the auditor logs in (ID-porten, then Altinn). Against the " +
			"mocks, Altinn's test token generator stands in for the login and gives a personal Altinn token.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.real() {
				r.note("%s logs in to the Altinn portal with ID-porten (TestID in tt02) and picks %s",
					upperFirst(r.set.ClientAdminLabel()), orgLabel(r.set.FacilitatorName, r.set.FacilitatorOrgNo))
				return nil
			}
			return r.personLogin(ctx, r.set.ClientAdminPID,
				"altinn:portal/enduser", "altinn:clientdelegations.read", "altinn:clientdelegations.write")
		},
	}
}

func stepAdminAvailable() Step {
	return Step{
		ID: "ca-clients", Actor: ClientAdmin, Title: "Finds the clients the agent may serve",
		Explain: "An agent system user can act for the facilitator's clients, but only those the " +
			"client administrator delegates to it. Altinn offers the organisations for which the " +
			"auditor holds the role that the access package needs (auditor: REVI).",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.SystemUserID == "" {
				return errors.New("no agent system user yet: the request must be approved first")
			}
			if r.real() {
				// The vendor has no API that shows what the portal offers:
				// the user says when the client administrator sees it.
				return r.gate(ctx, Gate{
					Key: "done:ca-clients:" + r.state.SystemUserID, Kind: GateDone,
					Title: fmt.Sprintf("%s finds %s among the customers the agent system access may get",
						upperFirst(r.set.ClientAdminLabel()), r.set.CustomerLabel()),
					Lines: []string{
						fmt.Sprintf("logged in to Altinn for %s, open the system access overview: %s",
							orgLabel(r.set.FacilitatorName, r.set.FacilitatorOrgNo), r.portalPage("accessmanagement/ui/systemuser/overview")),
						fmt.Sprintf("open the agent system access %s (%s, system user %s) and choose to add customers",
							r.set.SystemName, r.set.AgentSystemID, r.state.SystemUserID),
						fmt.Sprintf("%s (%s) should be offered: the facilitator has the role the access package %s needs",
							r.set.CustomerLabel(), r.set.CustomerOrgNo, r.set.AccessPackage),
					},
				})
			}
			list, err := r.svc.Delegation.Available(ctx, r.state.PersonToken, r.state.SystemUserID)
			if err != nil {
				return err
			}
			for _, c := range list.Data {
				r.note("available: %s %s", c.ClientOrganizationNo, c.ClientOrganizationName)
				if c.ClientOrganizationNo == r.set.CustomerOrgNo {
					r.state.ClientPartyUUID = c.ClientID
				}
			}
			if r.state.ClientPartyUUID == "" {
				return fmt.Errorf("%s (%s) is not among the available clients", r.set.CustomerLabel(), r.set.CustomerOrgNo)
			}
			return nil
		},
	}
}

func stepAdminDelegate(s Settings) Step {
	return Step{
		ID: "ca-delegate", Actor: ClientAdmin, Title: "Delegates " + s.CustomerLabel() + " to the agent",
		Explain: "The client administrator adds the client to the agent system user. Nothing changes " +
			"in SmartCloud's token: the client shows up only when Skatteetaten asks Altinn's PDP.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.real() {
				if err := r.gate(ctx, Gate{
					Key: "done:ca-delegate:" + r.state.SystemUserID, Kind: GateDone,
					Title: fmt.Sprintf("%s adds %s to the agent system access", upperFirst(r.set.ClientAdminLabel()), r.set.CustomerLabel()),
					Lines: []string{
						fmt.Sprintf("in the same page (%s), add %s (%s) and confirm",
							r.portalPage("accessmanagement/ui/systemuser/overview"), r.set.CustomerLabel(), r.set.CustomerOrgNo),
						"no vendor API shows client delegations: the API call below proves it (200, or 403 when Altinn's PDP does not permit it)",
					},
				}); err != nil {
					return err
				}
				r.note("the API call for %s shows whether the delegation took", r.set.CustomerOrgNo)
				return nil
			}
			if err := r.svc.Delegation.Add(ctx, r.state.PersonToken, r.state.SystemUserID, r.state.ClientPartyUUID); err != nil {
				return err
			}
			_, err := r.svc.Delegation.Delegated(ctx, r.state.PersonToken, r.state.SystemUserID)
			return err
		},
	}
}

func stepAdminRemove(s Settings) Step {
	return Step{
		ID: "ca-remove", Actor: ClientAdmin, Title: "Removes " + s.CustomerLabel() + " from the agent",
		Explain: "The client administrator takes the client away again. SmartCloud's token still " +
			"looks the same and is still valid: the change shows only at the next PDP decision.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			return r.svc.Delegation.Remove(ctx, r.state.PersonToken, r.state.SystemUserID, r.state.ClientPartyUUID)
		},
	}
}
