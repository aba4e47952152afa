package mock

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
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
	tigerCert := mpCACert(t, certKey, pkix.Name{CommonName: "TIGER AS", SerialNumber: OrgTiger}, now)
	certClaims := func() jwt.MapClaims {
		c := e.claims()
		c["iss"] = mpTestCertClientID
		delete(c, "authorization_details")
		return c
	}
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
		{"x5c for a client with a registered key", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, certKey, map[string]any{"kid": nil, "x5c": []string{tigerCert}}, e.claims()))
		}, 400, "invalid_grant", "", "a client with a registered key must use kid instead of x5c"},
		{"x5c of another org", func() url.Values {
			return mpForm(mpSign(t, jwt.SigningMethodRS256, certKey, map[string]any{"kid": nil, "x5c": []string{tigerCert}}, certClaims()))
		}, 400, "invalid_grant", "MP-122", "Invalid JWT. Invalid organization number for client. Does not match certificate orgno: the certificate belongs to org " + OrgTiger},
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

// TestMaskinportenTokenX5C: a business certificate is trusted when its
// chain ends at the mock's test CA or a CA of the seed, and only for a
// client without a registered key, of the certificate's org.
func TestMaskinportenTokenX5C(t *testing.T) {
	e := mpStart(t, "")
	key := mustKey("skatteetaten")
	now := time.Now()
	claims := func() jwt.MapClaims {
		c := e.claims()
		c["iss"] = mpTestCertClientID
		delete(c, "authorization_details")
		return c
	}
	post := func(t *testing.T, signer *rsa.PrivateKey, x5c ...string) (int, map[string]any) {
		t.Helper()
		return e.post(t, mpForm(mpSign(t, jwt.SigningMethodRS256, signer, map[string]any{"kid": nil, "x5c": x5c}, claims())))
	}
	subjects := map[string]pkix.Name{
		"serialNumber": {CommonName: "SMARTCLOUD AS", SerialNumber: OrgSmartCloud},
		"organizationIdentifier": {CommonName: "SMARTCLOUD AS", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: mpOrgIdentifierOID, Value: "NTRNO-" + OrgSmartCloud},
		}},
		"digits in O": {CommonName: "SMARTCLOUD AS", Organization: []string{"SMARTCLOUD AS - " + OrgSmartCloud}},
	}
	for name, subject := range subjects {
		t.Run("issued by the test CA, org in "+name, func(t *testing.T) {
			status, body := post(t, key, mpCACert(t, key, subject, now))
			if status != 200 {
				t.Fatalf("got %d %v", status, body)
			}
			if _, c := mpVerifyIssued(t, e, body["access_token"].(string)); c["client_amr"] != "virksomhetssertifikat" || c["client_id"] != mpTestCertClientID {
				t.Errorf("client_amr %v, client_id %v", c["client_amr"], c["client_id"])
			}
		})
	}
	leaf, chain, err := IssueBusinessCertificate(&key.PublicKey, OrgSmartCloud, "SMARTCLOUD AS", now)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.Raw) }
	t.Run("IssueBusinessCertificate, leaf only", func(t *testing.T) {
		if status, body := post(t, key, b64(leaf)); status != 200 {
			t.Fatalf("got %d %v", status, body)
		}
	})
	t.Run("IssueBusinessCertificate, leaf and CA", func(t *testing.T) {
		if status, body := post(t, key, b64(leaf), b64(chain[0])); status != 200 {
			t.Fatalf("got %d %v", status, body)
		}
	})
	refused := []struct {
		name string
		x5c  func(t *testing.T) []string
		key  *rsa.PrivateKey
		id   string
		says string
	}{
		{"self-signed", func(t *testing.T) []string { return []string{mpCert(t, key, subjects["serialNumber"], now)} },
			key, "MP-120", "it is self-signed"},
		{"issued by another CA", func(t *testing.T) []string {
			ca, caKey := mpOtherCA(t, now)
			return []string{mpIssue(t, ca, caKey, &key.PublicKey, subjects["serialNumber"], now), b64(ca)}
		}, key, "MP-120", `is issued by "CN=Another Test CA", which is not a CA this Maskinporten trusts`},
		{"expired", func(t *testing.T) []string {
			return []string{mpCACert(t, key, subjects["serialNumber"], now.Add(-3*365*24*time.Hour))}
		}, key, "MP-120", "The certificate is valid from"},
		{"signed with another key than the certificate's", func(t *testing.T) []string { return []string{b64(leaf)} },
			mpVendorKey(), "MP-124", "x5c leaf"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, tc.key, tc.x5c(t)...)
			desc, _ := body["error_description"].(string)
			if status != 400 || body["error"] != "invalid_grant" || mpErrID(body) != tc.id || !strings.Contains(desc, tc.says) {
				t.Fatalf("got %d %v, want 400 invalid_grant %s saying %q", status, body, tc.id, tc.says)
			}
			if tc.id == "MP-120" && !strings.HasPrefix(desc, "Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.") {
				t.Errorf("not Digdir's text of MP-120: %s", desc)
			}
		})
	}

	// A CA given in the seed is trusted too.
	ca, caKey := mpOtherCA(t, now)
	cert := mpIssue(t, ca, caKey, &key.PublicKey, subjects["serialNumber"], now)
	if status, _ := post(t, key, cert); status != 400 {
		t.Fatalf("before the seed: %d", status)
	}
	if err := e.mp.Seed(Seed{TrustedCAs: []string{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}))}}); err != nil {
		t.Fatal(err)
	}
	if status, body := post(t, key, cert); status != 200 {
		t.Errorf("after seeding its CA: %d %v", status, body)
	}
}

// mpCACert is a business certificate for key issued by the mock's test CA,
// valid from an hour before now for a year.
func mpCACert(tb testing.TB, key *rsa.PrivateKey, subject pkix.Name, now time.Time) string {
	tb.Helper()
	return mpIssue(tb, TestCACertificate(), mustKey("testca"), &key.PublicKey, subject, now)
}

// mpIssue issues a leaf for pub from ca.
func mpIssue(tb testing.TB, ca *x509.Certificate, caKey *rsa.PrivateKey, pub *rsa.PublicKey, subject pkix.Name, now time.Time) string {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// mpOtherCA is a CA the mock does not trust (until a seed names it).
func mpOtherCA(tb testing.TB, now time.Time) (*x509.Certificate, *rsa.PrivateKey) {
	tb.Helper()
	key := mustKey("maskinporten")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Another Test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return ca, key
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

// TestMaskinportenGrantWithoutJTI: jti is recommended, not required
// (maskinporten_protocol_jwtgrant.md L44), and no source says Maskinporten
// refuses a second use of a grant without one, so the mock takes it twice
// (docs/mock-api.md says why).
func TestMaskinportenGrantWithoutJTI(t *testing.T) {
	e := mpStart(t, "")
	grant := e.grant(t, func(c jwt.MapClaims) { delete(c, "jti") })
	for i := range 2 {
		if status, body := e.post(t, mpForm(grant)); status != 200 {
			t.Fatalf("use %d: %d %v", i+1, status, body)
		}
	}
}

// TestMaskinportenNotBefore: nbf up to the 10 s of skew ahead is fine
// (RFC 7523 §3 item 5, RFC 7519 §4.1.5); further ahead, or not a number,
// is invalid_grant.
func TestMaskinportenNotBefore(t *testing.T) {
	e := mpStart(t, "")
	now := e.clock.Now()
	for _, tc := range []struct {
		name   string
		nbf    any
		status int
		says   string
	}{
		{"now", now.Unix(), 200, ""},
		{"in the past", now.Add(-time.Minute).Unix(), 200, ""},
		{"5 s ahead", now.Add(5 * time.Second).Unix(), 200, ""},
		{"20 s ahead", now.Add(20 * time.Second).Unix(), 400, "ahead of Maskinporten's clock"},
		{"a string", "soon", 400, "nbf must be a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) { c["nbf"] = tc.nbf })))
			desc, _ := body["error_description"].(string)
			if status != tc.status || tc.status == 400 && (body["error"] != "invalid_grant" || mpErrID(body) != "" || !strings.Contains(desc, tc.says)) {
				t.Fatalf("got %d %v", status, body)
			}
		})
	}
}

// TestMaskinportenParameterOnce: RFC 6749 §3.2, each parameter once; an
// unknown parameter is ignored, twice or not.
func TestMaskinportenParameterOnce(t *testing.T) {
	e := mpStart(t, "")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"assertion twice", url.Values{"grant_type": {mpJWTBearer}, "assertion": {e.grant(t, nil), e.grant(t, nil)}}, 400, "assertion is sent 2 times"},
		{"grant_type twice", url.Values{"grant_type": {mpJWTBearer, mpJWTBearer}, "assertion": {e.grant(t, nil)}}, 400, "grant_type is sent 2 times"},
		{"an unknown parameter twice", url.Values{"grant_type": {mpJWTBearer}, "assertion": {e.grant(t, nil)}, "foo": {"1", "2"}}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(t, tc.form)
			desc, _ := body["error_description"].(string)
			if status != tc.status || tc.status == 400 && (body["error"] != "invalid_request" || !strings.Contains(desc, tc.says)) {
				t.Fatalf("got %d %v", status, body)
			}
		})
	}
}
