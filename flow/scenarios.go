package flow

import (
	"fmt"
	"strings"
)

// Scenarios lists every scenario for the settings, happy ones first.
func Scenarios(s Settings) []Scenario {
	return []Scenario{
		standard(s),
		agent(s),
		{
			Name:    "rejected",
			Summary: "The end user rejects the request; Maskinporten then refuses the token (MP-303)",
			Steps: append(standardUntilApproval(), stepVendorPoll(), stepOperationalToken(Expect{
				Code: "MP-303", Why: "A rejected request creates no system user, so Altinn finds none for the grant.",
			})),
			Params: map[Param]string{ParamDecision: "reject"},
		},
		{
			Name:    "agent-client-org",
			Summary: "Agent token asked with the client's org in systemuser_org instead of the facilitator's (MP-303)",
			Agent:   true,
			Steps: append(agentUntilDelegation(), stepOperationalToken(Expect{
				Code: "MP-303", Why: "An agent system user is owned by the facilitator; the client appears only in the API call.",
			})),
			Params: map[Param]string{ParamGrantOrg: s.CustomerOrgNo},
		},
		{
			Name:    "agent-not-delegated",
			Summary: "Agent system user without the client delegated: the API answers 403 after the PDP says NotApplicable",
			Agent:   true,
			Steps: append(agentUntilClients(), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{
				Code: "HTTP 403", Why: "Altinn's PDP permits an agent system user only for clients delegated to it.",
			})),
			Params: map[Param]string{ParamAPIOrg: s.CustomerOrgNo},
		},
		{
			Name:    "grant-too-long",
			Summary: "A grant living 300 s, past Maskinporten's limit: invalid_grant",
			Steps: append(standardUntilApproval(), stepVendorPoll(), stepOperationalToken(Expect{
				Code: "invalid_grant", Why: "Maskinporten refuses grants whose exp - iat is above its limit (documented 120 s, enforced 180 s).",
			})),
			Params: map[Param]string{ParamGrantLifetime: "300s"},
		},
	}
}

// Find returns the scenario with the name, or an error listing the names.
func Find(s Settings, name string) (Scenario, error) {
	var names []string
	for _, sc := range Scenarios(s) {
		if sc.Name == name {
			return sc, nil
		}
		names = append(names, sc.Name)
	}
	return Scenario{}, fmt.Errorf("no scenario %q; choose one of: %s", name, strings.Join(names, ", "))
}

func serviceOwnerSteps() []Step {
	return []Step{stepServiceOwnerToken(), stepServiceOwnerScope(), stepServiceOwnerResource()}
}

func vendorSetupSteps() []Step {
	return []Step{stepVendorKeys(), stepVendorClient(), stepVendorToken(), stepVendorSystem(), stepVendorRequest()}
}

func standardUntilApproval() []Step {
	s := append(serviceOwnerSteps(), vendorSetupSteps()...)
	return append(s, stepReview(EndUser), stepDecide(EndUser))
}

func standard(s Settings) Scenario {
	steps := append(standardUntilApproval(), stepVendorPoll(), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{}))
	return Scenario{
		Name:    "standard",
		Summary: "Vendor sets up, " + s.CustomerName + " approves a system user, token, API call, claims",
		Steps:   steps,
	}
}

func agentUntilClients() []Step {
	s := append(serviceOwnerSteps(), vendorSetupSteps()...)
	return append(s, stepAdminLogin(), stepReview(ClientAdmin), stepDecide(ClientAdmin), stepVendorPoll(), stepAdminAvailable())
}

func agentUntilDelegation() []Step {
	return append(agentUntilClients(), stepAdminDelegate())
}

func agent(s Settings) Scenario {
	return Scenario{
		Name: "agent",
		Summary: "Agent system user: " + s.FacilitatorName + " approves, delegates " + s.CustomerName +
			", token for the facilitator, API call for the client",
		Agent:  true,
		Steps:  append(agentUntilDelegation(), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{})),
		Params: map[Param]string{ParamAPIOrg: s.CustomerOrgNo},
	}
}
