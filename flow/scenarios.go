package flow

import (
	"fmt"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// Scenarios lists every scenario for the settings, happy ones first.
func Scenarios(s Settings) []Scenario {
	return []Scenario{
		standard(s),
		agent(s),
		{
			Name:    "rejected",
			Summary: "The end user rejects the request; Maskinporten then refuses the token (MP-303)",
			// The poll finds the request Rejected and no system user: its
			// title says so.
			Steps: append(standardUntilApproval(), withTitle(stepVendorPoll(), "SmartCloud checks the request and finds it rejected"), stepOperationalToken(Expect{
				Code: "MP-303", Why: "A rejected request creates no system user, so Altinn finds none for the grant.",
			})),
			Params: map[Param]string{ParamDecision: "reject"},
		},
		{
			Name:    "agent-client-org",
			Summary: "Agent token asked with the client's org in systemuser_org instead of the facilitator's (MP-303)",
			Agent:   true,
			Steps: append(agentUntilDelegation(s), stepOperationalToken(Expect{
				Code: "MP-303", Why: "An agent system user is owned by the facilitator; the client appears only in the API call.",
			})),
			Params: map[Param]string{ParamGrantOrg: s.CustomerOrgNo},
		},
		{
			Name:    "agent-not-delegated",
			Summary: "Agent system user without the client delegated: the API answers 403 after the PDP says NotApplicable",
			Agent:   true,
			Steps: append(agentUntilClients(s), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{
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
		{
			Name:    "not-approved",
			Summary: "SmartCloud asks for a token before the customer has approved: MP-303",
			Steps: append(standardUntilRequest(), stepOperationalToken(Expect{
				Code: "MP-303", Why: "Until the request is approved there is no system user for Maskinporten to find.",
			})),
		},
		{
			// timedOut is a flag, not a status (spec Corrections 4).
			Name: "request-timed-out",
			Summary: "Nobody answers the request for 181 days: it reads timedOut: true but stays New, " +
				"a re-POST gives it back (200, same id), and the person can still approve it",
			Steps: append(standardUntilRequest(), stepReview(EndUser), stepTimePasses(181),
				stepVendorCheck("v-poll", "SmartCloud checks the request after 181 days"), stepVendorRequestAgain(), stepDecide(EndUser),
				stepVendorCheck("v-poll-2", "SmartCloud checks the request again and finds the system user"),
				stepOperationalToken(Expect{}), stepOperationalAPI(Expect{})),
			MockOnly: true,
		},
		{
			Name:    "wrong-aud",
			Summary: "The grant's aud names production Maskinporten while the token goes to test: MP-110",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-110", Why: "aud must be the issuer of the Maskinporten the grant is sent to, trailing slash included.",
			})),
			Params: map[Param]string{ParamGrantAudience: "https://maskinporten.no/"},
		},
		{
			Name:    "clock-skew",
			Summary: "SmartCloud's clock is a minute ahead, so the grant's iat is in the future: invalid_grant",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "invalid_grant", Why: "Maskinporten refuses an iat more than 10 s ahead of its own clock (an old iat is fine): keep servers on NTP.",
			})),
			Params: map[Param]string{ParamVendorClock: "1m"},
		},
		expGrace(),
		{
			Name:    "reused-jti",
			Summary: "SmartCloud posts the same grant twice: the second time MP-012",
			Steps: append(standardReady(), stepOperationalToken(Expect{}), stepReplayGrant(Expect{
				Code: "MP-012", Why: "A grant is single use; every token request needs a fresh grant with a new jti.",
			})),
		},
		{
			Name:    "wrong-key",
			Summary: "The grant is signed with another key under the registered kid: MP-124",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-124", Why: "Maskinporten verifies the signature with the public key registered under that kid.",
			}, tokenVariant{title: "SmartCloud signs the grant with the wrong key", tweak: func(_ *client.Grant, k *client.SigningKey) {
				if other, err := otherKey(); err == nil {
					k.Key = other
				}
			}})),
		},
		{
			Name:    "unknown-kid",
			Summary: "The grant names a kid that is not registered on the client: MP-124",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-124", Why: "The kid in the grant's header must be one of the client's registered keys.",
			}, tokenVariant{title: "SmartCloud names an unregistered kid", tweak: func(_ *client.Grant, k *client.SigningKey) {
				k.KeyID = "smartcloud-2025-retired"
			}})),
		},
		{
			Name:    "scope-not-allowed",
			Summary: "The grant asks for a scope the client does not have: MP-200",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-200", Why: "A client may ask only for scopes registered on it (and open to its organisation).",
			})),
			Params: map[Param]string{ParamGrantScope: "altinn:authorization/authorize"},
		},
		{
			Name:    "unknown-field",
			Summary: "authorization_details spells externalRef as externalref: MP-302",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-302", Why: "Maskinporten knows only type, systemuser_org and externalRef, with that exact case.",
			}, tokenVariant{title: "SmartCloud misspells a field of authorization_details", tweak: func(g *client.Grant, _ *client.SigningKey) {
				g.Extra = map[string]any{"authorization_details": []map[string]any{{
					"type": client.AuthorizationTypeSystemUser, "systemuser_org": client.NewOrgID(s.CustomerOrgNo),
					"externalref": s.CustomerOrgNo,
				}}}
			}})),
		},
		{
			Name:    "unknown-type",
			Summary: "authorization_details has type urn:altinn:systembruker: MP-301",
			Steps: append(standardReady(), stepOperationalToken(Expect{
				Code: "MP-301", Why: "The type is English even in Norway: urn:altinn:systemuser.",
			}, tokenVariant{title: "SmartCloud writes the type in Norwegian", tweak: func(g *client.Grant, _ *client.SigningKey) {
				for i := range g.AuthorizationDetails {
					g.AuthorizationDetails[i].Type = "urn:altinn:systembruker"
				}
			}})),
		},
		{
			Name:    "delegation-removed",
			Summary: "The client is taken from the agent after the token was issued: the next API call is 403",
			Agent:   true,
			Steps: append(agentUntilDelegation(s), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{}), stepAdminRemove(s),
				stepAPI("op-api-2", "SmartCloud fetches the claims again, same token", Expect{
					Code: "HTTP 403", Why: "The token does not change, but the PDP decides on every call: no delegation, no Permit.",
				})),
			Params: map[Param]string{ParamAPIOrg: s.CustomerOrgNo},
		},
		{
			Name:    "token-expired",
			Summary: "Ten minutes pass before SmartCloud uses its token: the API answers 401",
			Steps: append(standardReady(), stepOperationalToken(Expect{}), stepClock("op-wait", Operational, "Ten minutes pass", 10*time.Minute),
				stepAPI("op-api", "SmartCloud calls the API with its old token", Expect{
					Code: "HTTP 401", Why: "System user tokens live two minutes; get a new one (a fresh grant) when it expires.",
				})),
			MockOnly: true,
			Cleanup:  []Step{stepClock("clock-reset", Operational, "The clock is set right again", 0)},
		},
		{
			Name:    "system-deleted",
			Summary: "SmartCloud deletes its system from the register: the next token request is MP-303",
			Steps: append(standardReady(), stepOperationalToken(Expect{}), stepVendorDeleteSystem(), stepOperationalToken(Expect{
				Code: "MP-303", Why: "A deleted system's system users are gone for Maskinporten and the PDP alike.",
			}, tokenVariant{id: "op-token-2", title: "SmartCloud asks for a token again"})),
		},
	}
}

// expGrace is the exp-grace scenario: Maskinporten gives exp 10 s of grace
// (ClientAuthenticationService.validateJwtExpiration, quoted in
// Altinn/altinn-studio#19603; spec Corrections 1). The grants live 10 s, as
// the reference vendor app's do (TheTechArch/altinn-systemuser
// MaskinportenService.cs L106-107).
func expGrace() Scenario {
	late := func(by time.Duration) func(*client.Grant, *client.SigningKey) {
		return func(g *client.Grant, _ *client.SigningKey) {
			g.Lifetime = 10 * time.Second
			g.IssuedAt = g.IssuedAt.Add(-g.Lifetime - by)
		}
	}
	return Scenario{
		Name:    "exp-grace",
		Summary: "Grants posted after their exp: 5 s past is accepted (10 s of grace), 15 s past is refused (MP-130)",
		Steps: append(standardReady(),
			stepOperationalToken(Expect{}, tokenVariant{id: "op-token-grace", title: "SmartCloud posts a grant whose exp passed 5 s ago", tweak: late(5 * time.Second)}),
			stepOperationalToken(Expect{
				Code: "MP-130", Why: "Maskinporten allows exp 10 s of clock skew, no more: make the grant right before posting it, and keep clocks on NTP.",
			}, tokenVariant{id: "op-token-late", title: "SmartCloud posts a grant whose exp passed 15 s ago", tweak: late(15 * time.Second)})),
	}
}

// withTitle is a step titled for a scenario, where what it finds differs
// from the standard flow's.
func withTitle(s Step, title string) Step {
	s.Title = title
	return s
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

func standardUntilRequest() []Step {
	return append(serviceOwnerSteps(), vendorSetupSteps()...)
}

func standardUntilApproval() []Step {
	return append(standardUntilRequest(), stepReview(EndUser), stepDecide(EndUser))
}

// standardReady is the standard scenario up to the system user existing.
func standardReady() []Step {
	return append(standardUntilApproval(), stepVendorPoll())
}

func standard(s Settings) Scenario {
	steps := append(standardUntilApproval(), stepVendorPoll(), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{}))
	return Scenario{
		Name:    "standard",
		Summary: "Vendor sets up, " + s.CustomerLabel() + " approves a system user, token, API call, claims",
		Steps:   steps,
	}
}

func agentUntilClients(s Settings) []Step {
	steps := append(serviceOwnerSteps(), vendorSetupSteps()...)
	return append(steps, stepAdminLogin(s), stepReview(ClientAdmin), stepDecide(ClientAdmin), stepVendorPoll(), stepAdminAvailable())
}

func agentUntilDelegation(s Settings) []Step {
	return append(agentUntilClients(s), stepAdminDelegate(s))
}

func agent(s Settings) Scenario {
	return Scenario{
		Name: "agent",
		Summary: "Agent system user: " + orgLabel(s.FacilitatorName, s.FacilitatorOrgNo) + " approves, delegates " + s.CustomerLabel() +
			", token for the facilitator, API call for the client",
		Agent:  true,
		Steps:  append(agentUntilDelegation(s), stepOperationalToken(Expect{}), stepOperationalAPI(Expect{})),
		Params: map[Param]string{ParamAPIOrg: s.CustomerOrgNo},
	}
}
