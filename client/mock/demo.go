package mock

import (
	"crypto/rsa"

	"github.com/systembruker/workbench/client"
)

// The demo world of `serve --demo` and of workbenchtest: the seed file
// example of the README, ready for a token. A vendor client of SmartCloud
// with the vendor scopes and Krav og betalinger's, its system in the
// register, and a system user TILFELDIG SUBTIL APE has approved.
const (
	// DemoClientID is the demo vendor client's client_id.
	DemoClientID = "smartcloud-demo"
	// DemoKeyID is the kid its key is registered with.
	DemoKeyID = "smartcloud-demo-key"
	// DemoSystemID is its system in the system register.
	DemoSystemID = "991825827_smartcloud"
	// DemoCustomerOrgNo owns the demo system user: the grant's
	// systemuser_org, and the org number in the API's path.
	DemoCustomerOrgNo = OrgSubtilApe
)

// DemoSeed is the demo world for the client key pub, on top of the base
// world (merge it into ServiceOwnerSeed, which has the scope and the
// resource).
func DemoSeed(pub *rsa.PublicKey) Seed {
	right := map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}
	return Seed{
		Clients: []SeedClient{{
			ClientID: DemoClientID, OrgNo: OrgSmartCloud, Name: "SmartCloud demo client",
			Scopes: []string{
				"altinn:authentication/systemregister.write",
				"altinn:authentication/systemuser.request.write",
				"altinn:authentication/systemuser.request.read",
				ScopeKravOgBetalinger,
			},
			JWKS: client.JWKS{Keys: []client.JWK{client.PublicJWK(pub, DemoKeyID)}},
		}},
		Systems: []map[string]any{{
			"id":          DemoSystemID,
			"vendor":      map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSmartCloud},
			"name":        map[string]any{"nb": "SmartCloud", "en": "SmartCloud"},
			"description": map[string]any{"nb": "Regnskapssystem (demo)", "en": "Accounting system (demo)"},
			"rights":      []any{right},
			"clientId":    []any{DemoClientID},
			"isVisible":   true,
		}},
		SystemUsers: []SeedSystemUser{{
			SystemID: DemoSystemID, PartyOrgNo: DemoCustomerOrgNo, IntegrationTitle: "SmartCloud (demo)",
			Rights: []map[string]any{right},
		}},
	}
}
