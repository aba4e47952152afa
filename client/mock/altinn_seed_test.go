package mock

import (
	"strings"
	"testing"
)

func TestAltinnSeedErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Seed)
		want []string
	}{
		{"invalid system", func(s *Seed) { s.Systems[1]["id"] = "123_x" }, []string{"systems (", "AUTH.VLD-00001"}},
		{"system with unknown resource", func(s *Seed) {
			s.Systems[0]["rights"] = []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "x"}}}}
		}, []string{"systems (", "AUTH.VLD-00003"}},
		{"system user of an unknown system", func(s *Seed) { s.SystemUsers[0].SystemID = "991825827_nope" }, []string{"systemUsers (", "991825827_nope"}},
		{"system user for an unknown org", func(s *Seed) { s.SystemUsers[1].PartyOrgNo = "999999999" }, []string{"systemUsers (", "999999999"}},
		{"duplicate system user", func(s *Seed) {
			s.SystemUsers = append(s.SystemUsers, SeedSystemUser{SystemID: atSystem, PartyOrgNo: OrgSubtilApe})
		}, []string{"systemUsers (", "already exists"}},
		{"delegation without the role", func(s *Seed) {
			s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSmartCloud}}
		}, []string{"clientDelegations (", "role"}},
		{"role for an unknown org", func(s *Seed) { s.Roles = append(s.Roles, Role{From: PIDDressMinst, To: "123456789", Code: "DAGL"}) }, []string{"roles ("}},
		{"org number of eight digits", func(s *Seed) { s.Orgs = append(s.Orgs, Org{OrgNo: "12345678", Name: "X"}) }, []string{"orgs (", "nine digits"}},
		{"party id taken", func(s *Seed) { s.Orgs = append(s.Orgs, Org{OrgNo: "123456789", Name: "X", PartyID: 51390520}) }, []string{"orgs (", "310904473"}},
		{"person without a name", func(s *Seed) { s.Persons = append(s.Persons, Person{PID: "01010112345"}) }, []string{"persons ("}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := altinnTestSeed(true)
			tc.edit(&s)
			a, err := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Seed(s)
			if err == nil {
				t.Fatal("seed accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// A valid seed with a delegation, and the defaults of a system user.
	s := altinnTestSeed(true)
	s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSubtilApe}}
	s.SystemUsers = append(s.SystemUsers, SeedSystemUser{SystemID: atSystem, PartyOrgNo: OrgTiger})
	a, _ := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
	if err := a.Seed(s); err != nil {
		t.Fatalf("seed: %v", err)
	}
	u := a.systemUserByTriple(atSystem, OrgTiger, OrgTiger)
	if u == nil || u.userType != "standard" || !altinnUUIDRE.MatchString(u.id) || len(u.rights) != 1 || u.integrationTitle != "SmartCloud 1" {
		t.Errorf("defaults: %+v", u)
	}
	if !a.systemUsers[atAgentUser].clients[OrgSubtilApe] {
		t.Error("delegation not applied")
	}
	// An org without party ids gets stable ones.
	if err := a.Seed(Seed{Orgs: []Org{{OrgNo: "123456789", Name: "NY AS"}}}); err != nil {
		t.Fatal(err)
	}
	o := a.orgs["123456789"]
	b, _ := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
	_ = b.Seed(Seed{Orgs: []Org{{OrgNo: "123456789", Name: "NY AS"}}})
	if o.PartyID == 0 || !altinnUUIDRE.MatchString(o.PartyUUID) || b.orgs["123456789"] != o {
		t.Errorf("derived party ids %+v vs %+v", o, b.orgs["123456789"])
	}
	// Seeding again replaces rather than fails.
	if err := a.Seed(s); err != nil {
		t.Errorf("seed twice: %v", err)
	}
}
