package mock

import (
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

func TestMaskinportenSeed(t *testing.T) {
	key := client.PublicJWK(&mpVendorKey().PublicKey, "k")
	cases := []struct {
		name string
		seed Seed
		says string
	}{
		{"client org", Seed{Clients: []SeedClient{{ClientID: "c", OrgNo: "1"}}}, `client ("c"): client_orgno "1"`},
		{"client scope", Seed{Clients: []SeedClient{{ClientID: "c", OrgNo: OrgTiger, Scopes: []string{"x:y"}}}}, `client ("c"): scope "x:y" does not exist`},
		{"client key", Seed{Clients: []SeedClient{{ClientID: "c", OrgNo: OrgTiger, JWKS: client.JWKS{Keys: []client.JWK{
			client.PublicJWK(&mpTestWeakKey(t).PublicKey, "weak"),
		}}}}}, "1024 bits"},
		{"scope name", Seed{Scopes: []SeedScope{{Name: "noprefix", OwnerOrgNo: OrgTiger}}}, `scope ("noprefix")`},
		{"scope access", Seed{Scopes: []SeedScope{{Name: "a:b", OwnerOrgNo: OrgTiger, Access: []string{"everyone"}}}}, `access entry "everyone"`},
		{"prefix of another org", Seed{Scopes: []SeedScope{{Name: "a:b", OwnerOrgNo: OrgTiger}, {Name: "a:c", OwnerOrgNo: OrgSmartCloud}}}, `scope ("a:c"): prefix "a" belongs to org ` + OrgTiger},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMaskinporten(MaskinportenConfig{Issuer: "http://mp.test/", Key: mustKey("maskinporten")})
			if err != nil {
				t.Fatal(err)
			}
			err = m.Seed(tc.seed)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want an error saying %q", err, tc.says)
			}
			if len(m.clients) != 0 || len(m.scopes) != 0 {
				t.Errorf("a failed seed left state behind")
			}
		})
	}

	t.Run("later entries replace earlier ones", func(t *testing.T) {
		m, _ := NewMaskinporten(MaskinportenConfig{Issuer: "http://mp.test/", Key: mustKey("maskinporten")})
		err := m.Seed(Seed{
			Scopes: []SeedScope{{Name: "a:b", OwnerOrgNo: OrgTiger}, {Name: "a:b", OwnerOrgNo: OrgSmartCloud, Access: []string{"*"}}},
			Clients: []SeedClient{
				{ClientID: "c", OrgNo: OrgTiger, Scopes: []string{"a:b"}},
				{ClientID: "c", OrgNo: OrgSubtilApe, JWKS: client.JWKS{Keys: []client.JWK{key}}},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if sc := m.scopes["a:b"]; sc.Owner != OrgSmartCloud || !sc.allows(OrgTiger) || m.prefixes["a"] != OrgSmartCloud {
			t.Errorf("scope %+v, prefix owner %s", sc, m.prefixes["a"])
		}
		if c := m.clients["c"]; c.OrgNo != OrgSubtilApe || len(c.Scopes) != 0 || c.keys["k"] == nil {
			t.Errorf("client %+v", c)
		}
	})
}
