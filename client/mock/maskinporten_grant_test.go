package mock

import (
	"crypto/x509/pkix"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestMaskinportenTokenRejects has one case per check of /token, in the
// order the mock makes them.
func TestMaskinportenTokenRejects(t *testing.T) {
	e := mpStart(t, "")
	certKey := mustKey("skatteetaten")
	now := time.Now()
	tigerCert := mpCert(t, certKey, pkix.Name{CommonName: "TIGER AS", SerialNumber: OrgTiger}, now)
	ad := func(entries ...any) func(c jwt.MapClaims) {
		return func(c jwt.MapClaims) { c["authorization_details"] = entries }
	}
	suOrg := func(id string) map[string]any {
		return map[string]any{"authority": mpAuthority, "ID": id}
	}
	cases := []struct {
		name   string
		form   func() url.Values
		status int
		code   string
		id     string
		says   string
	}{
		{"grant type", func() url.Values {
			return url.Values{"grant_type": {"client_credentials"}, "assertion": {e.grant(t, nil)}}
		}, 400, "unsupported_grant_type", "", `"client_credentials"`},
		{"assertion missing", func() url.Values { return url.Values{"grant_type": {mpJWTBearer}} },
			400, "invalid_request", "MP-011", "assertion is missing"},
		{"assertion not a JWT", func() url.Values { return mpForm("not-a-jwt") },
			400, "invalid_request", "MP-011", "not a JWT"},
		{"alg HS256", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodHS256, []byte("shared secret"), nil, e.claims()))
		}, 400, "invalid_grant", "", `"HS256"`},
		{"alg none", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil, e.claims()))
		}, 400, "invalid_grant", "", `"none"`},
		{"kid and x5c", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"x5c": []string{tigerCert}}, e.claims()))
		}, 400, "invalid_grant", "", "both kid and x5c"},
		{"neither kid nor x5c", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": nil}, e.claims()))
		}, 400, "invalid_grant", "", "Either 'kid' or 'x5c'"},
		{"x5c a string", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, certKey, map[string]any{"kid": nil, "x5c": tigerCert}, e.claims()))
		}, 400, "invalid_grant", "MP-123", "JSON array"},
		{"x5c not a certificate", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, certKey, map[string]any{"kid": nil, "x5c": []string{"bm90IGEgY2VydA=="}}, e.claims()))
		}, 400, "invalid_grant", "MP-123", "x5c[0]"},
		{"unknown client", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["iss"] = "no-such-client" }))
		}, 400, "invalid_grant", "MP-100", `"no-such-client"`},
		{"unknown kid", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": "old-key"}, e.claims()))
		}, 400, "invalid_grant", "MP-124", `"old-key"`},
		{"signed with another key", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, mustKey("skatteetaten"), nil, e.claims()))
		}, 400, "invalid_grant", "MP-124", "Invalid JWT signature"},
		{"x5c of another org", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, certKey, map[string]any{"kid": nil, "x5c": []string{tigerCert}}, e.claims()))
		}, 400, "invalid_grant", "MP-122", "belongs to org " + OrgTiger},
		{"aud without trailing slash", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["aud"] = strings.TrimSuffix(e.url, "/") }))
		}, 400, "invalid_grant", "MP-110", "trailing slash"},
		{"iat missing", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { delete(c, "iat") }))
		}, 400, "invalid_grant", "", "iat is missing"},
		{"iat ahead", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["iat"] = time.Now().Add(30 * time.Second).Unix() }))
		}, 400, "invalid_grant", "", "Issue time is in the future"},
		// The server refuses an exp more than 10 s past (#19603).
		{"exp passed", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) {
				c["iat"], c["exp"] = time.Now().Add(-75*time.Second).Unix(), time.Now().Add(-15*time.Second).Unix()
			}))
		}, 400, "invalid_grant", "MP-130", "JWT has expired"},
		{"exp missing", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { delete(c, "exp") }))
		}, 400, "invalid_grant", "MP-130", "exp is missing"},
		{"lifetime 300 s", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["exp"] = c["iat"].(int64) + 300 }))
		}, 400, "invalid_grant", "", "JWT has too long lifetime: exp - iat is 300 s; the server allows at most 180 s (the documented limit is 120 s)"},
		// No source gives an MP id for a missing or unknown scope.
		{"scope missing", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { delete(c, "scope") }))
		}, 400, "invalid_scope", "", "scope is missing"},
		{"scope unknown", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = ScopeKravOgBetalinger + " skatteetaten:finnesikke" }))
		}, 400, "invalid_scope", "", `"skatteetaten:finnesikke"`},
		{"scope not on client", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = "altinn:authorization/authorize" }))
		}, 400, "invalid_scope", "MP-200", "not registered on client"},
		{"no access to scope", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = mpTestSecret }))
		}, 403, "forbidden", "MP-250", "org " + OrgSmartCloud + " has no access"},
		{"authorization_details an object", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) {
				c["authorization_details"] = map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg("0192:" + OrgSubtilApe)}
			}))
		}, 400, "invalid_authorization_details", "MP-301", "JSON array"},
		{"two authorization_details", func() url.Values {
			one := map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg("0192:" + OrgSubtilApe)}
			return mpForm(e.grant(t, ad(one, one)))
		}, 400, "invalid_authorization_details", "MP-301", "has 2 entries"},
		{"authorization_details of another type", func() url.Values {
			return mpForm(e.grant(t, ad(map[string]any{"type": "urn:altinn:consent", "systemuser_org": suOrg("0192:" + OrgSubtilApe)})))
		}, 400, "invalid_authorization_details", "MP-301", `"urn:altinn:consent"`},
		{"unknown field", func() url.Values {
			return mpForm(e.grant(t, ad(map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg("0192:" + OrgSubtilApe), "externalref": "x"})))
		}, 400, "invalid_authorization_details", "MP-302", `"externalref"`},
		{"unknown field in systemuser_org", func() url.Values {
			so := suOrg("0192:" + OrgSubtilApe)
			so["name"] = "APE"
			return mpForm(e.grant(t, ad(map[string]any{"type": mpSystemUserType, "systemuser_org": so})))
		}, 400, "invalid_authorization_details", "MP-302", `"systemuser_org.name"`},
		{"systemuser_org without 0192", func() url.Values {
			return mpForm(e.grant(t, ad(map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg(OrgSubtilApe)})))
		}, 400, "invalid_altinn_customer_configuration", "MP-303", `expected "0192:"`},
		{"no such system user", func() url.Values {
			return mpForm(e.grant(t, ad(map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg("0192:" + OrgTiger)})))
		}, 400, "invalid_altinn_customer_configuration", "MP-303",
			"clientId=" + mpTestClientID + ", systemProviderOrgNo=" + OrgSmartCloud + ", systemUserOwnerOrgNo=" + OrgTiger},
		{"system user of another vendor", func() url.Values {
			return mpForm(e.grant(t, ad(map[string]any{"type": mpSystemUserType, "systemuser_org": suOrg("0192:" + mpTestOtherOrg)})))
		}, 400, "invalid_altinn_customer_configuration", "MP-303", "belongs to the vendor org 123456789"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(t, tc.form())
			desc, _ := body["error_description"].(string)
			if status != tc.status || body["error"] != tc.code || mpErrID(body) != tc.id {
				t.Fatalf("got %d %v %q, want %d %s %q\n%s", status, body["error"], mpErrID(body), tc.status, tc.code, tc.id, desc)
			}
			if !strings.Contains(desc, tc.says) {
				t.Errorf("error_description %q does not say %q", desc, tc.says)
			}
		})
	}
}

func TestMaskinportenTokenX5C(t *testing.T) {
	e := mpStart(t, "")
	key := mustKey("skatteetaten")
	now := time.Now()
	subjects := map[string]pkix.Name{
		"serialNumber": {CommonName: "SMARTCLOUD AS", SerialNumber: OrgSmartCloud},
		"organizationIdentifier": {CommonName: "SMARTCLOUD AS", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: mpOrgIdentifierOID, Value: "NTRNO-" + OrgSmartCloud},
		}},
		"digits in O": {CommonName: "SMARTCLOUD AS", Organization: []string{"SMARTCLOUD AS - " + OrgSmartCloud}},
	}
	for name, subject := range subjects {
		t.Run(name, func(t *testing.T) {
			cert := mpCert(t, key, subject, now)
			grant := mpSign(t, jwt.SigningMethodRS256, key, map[string]any{"kid": nil, "x5c": []string{cert}}, e.claims())
			status, body := e.post(t, mpForm(grant))
			if status != 200 {
				t.Fatalf("got %d %v", status, body)
			}
			if _, c := mpVerifyIssued(t, e, body["access_token"].(string)); c["client_amr"] != "virksomhetssertifikat" {
				t.Errorf("client_amr %v", c["client_amr"])
			}
		})
	}
	t.Run("expired certificate", func(t *testing.T) {
		cert := mpCert(t, key, subjects["serialNumber"], now.Add(-3*365*24*time.Hour))
		grant := mpSign(t, jwt.SigningMethodRS256, key, map[string]any{"kid": nil, "x5c": []string{cert}}, e.claims())
		if status, body := e.post(t, mpForm(grant)); status != 400 || mpErrID(body) != "MP-120" {
			t.Errorf("got %d %v", status, body)
		}
	})
	t.Run("signed with another key", func(t *testing.T) {
		cert := mpCert(t, key, subjects["serialNumber"], now)
		grant := mpSign(t, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": nil, "x5c": []string{cert}}, e.claims())
		if status, body := e.post(t, mpForm(grant)); status != 400 || mpErrID(body) != "MP-124" {
			t.Errorf("got %d %v", status, body)
		}
	})
}

func TestMaskinportenTokenReplay(t *testing.T) {
	e := mpStart(t, "")
	grant := e.grant(t, nil)
	if status, body := e.post(t, mpForm(grant)); status != 200 {
		t.Fatalf("first use: %d %v", status, body)
	}
	status, body := e.post(t, mpForm(grant))
	if status != 400 || body["error"] != "invalid_grant" || mpErrID(body) != "MP-012" {
		t.Fatalf("second use: %d %v", status, body)
	}
	// The same jti from another client is another grant.
	if !e.mp.replay.use("other-client\x00"+"x", time.Now().Add(time.Minute), time.Now()) {
		t.Error("replay store mixes clients")
	}
}

func TestMaskinportenReplayPrunes(t *testing.T) {
	var r mpReplay
	r.seen = map[string]time.Time{}
	now := time.Now()
	r.use("a", now.Add(time.Second), now)
	r.use("b", now.Add(time.Hour), now)
	later := now.Add(time.Minute)
	if !r.use("c", later.Add(time.Minute), later) {
		t.Fatal("c refused")
	}
	if _, ok := r.seen["a"]; ok || len(r.seen) != 2 {
		t.Errorf("after pruning: %v", r.seen)
	}
	if !r.use("a", later.Add(time.Minute), later) {
		t.Error("an expired jti is still remembered")
	}
}
