package mock

import (
	"fmt"

	"github.com/systembruker/workbench/client"
)

// ScaleSeed is a world of n organisations, n Maskinporten clients, n
// systems, n system users and n client delegations, for the benchmarks and
// load tests of the mocks (merge it onto ServiceOwnerSeed). Every client
// belongs to SmartCloud, has the key set jwks and the Krav og betalinger
// scope, and is the client id of one system. System i is standard for an
// even i (the right on the Krav og betalinger resource) and agent for an odd
// one (the auditor package); its one system user is owned by organisation i,
// with that org number as externalRef, and has the id ScaleSystemUserID(i).
// An odd organisation is the auditor (REVI) of its two neighbours, which are
// the clients delegated to its agent system user. n is rounded up to an even
// number; the organisations have no party ids, so the mock derives them.
func ScaleSeed(n int, jwks client.JWKS) Seed {
	n += n % 2
	s := Seed{
		Orgs: make([]Org, n), Clients: make([]SeedClient, n), Systems: make([]map[string]any, n),
		SystemUsers: make([]SeedSystemUser, n), Roles: make([]Role, 0, n), Delegations: make([]SeedDelegation, 0, n),
	}
	right := []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	auditor := []any{map[string]any{"urn": altinnPackagePrefix + "ansvarlig-revisor"}}
	for i := range n {
		org := ScaleOrgNo(i)
		s.Orgs[i] = Org{OrgNo: org, Name: fmt.Sprintf("SKALA %d AS", i)}
		s.Clients[i] = SeedClient{ClientID: ScaleClientID(i), OrgNo: OrgSmartCloud, Scopes: []string{ScopeKravOgBetalinger}, JWKS: jwks}
		sys := map[string]any{
			"id": ScaleSystemID(i), "vendor": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
			"name": map[string]any{"nb": fmt.Sprintf("Skala %d", i)}, "description": map[string]any{"nb": "scale test"},
			"clientId": []any{ScaleClientID(i)},
		}
		u := SeedSystemUser{ID: ScaleSystemUserID(i), SystemID: ScaleSystemID(i), PartyOrgNo: org}
		if i%2 == 0 {
			sys["rights"], sys["isVisible"] = right, true
		} else {
			sys["accessPackages"], sys["isVisible"] = auditor, false
			u.Type = "agent"
			for _, c := range []int{i - 1, (i + 1) % n} {
				s.Roles = append(s.Roles, Role{From: org, To: ScaleOrgNo(c), Code: "REVI"})
				s.Delegations = append(s.Delegations, SeedDelegation{SystemUserID: u.ID, ClientOrgNo: ScaleOrgNo(c)})
			}
		}
		s.Systems[i], s.SystemUsers[i] = sys, u
	}
	return s
}

// ScaleOrgNo is the org number of ScaleSeed's organisation i.
func ScaleOrgNo(i int) string { return fmt.Sprintf("%09d", 800000000+i) }

// ScaleClientID is the client id of ScaleSeed's client i.
func ScaleClientID(i int) string { return fmt.Sprintf("scale-client-%d", i) }

// ScaleSystemID is the id of ScaleSeed's system i.
func ScaleSystemID(i int) string { return fmt.Sprintf("%s_scale_%d", OrgSmartCloud, i) }

// ScaleSystemUserID is the id of ScaleSeed's system user i, a UUID.
func ScaleSystemUserID(i int) string { return fmt.Sprintf("5ca1e000-0000-4000-8000-%012x", i) }
