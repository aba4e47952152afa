package mock

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Fuzz targets for what the mock Maskinporten reads from outside: the
// token endpoint's form and grant, the grant's header and
// authorization_details, the self-service API's JSON bodies. Each asserts
// more than "no panic": no 5xx, the error shape, and that nothing is
// accepted that the vendor's key did not sign. .ci/run runs each for 5 s;
// for longer:
//
//	go test -run '^$' -fuzz '^FuzzMaskinportenToken$' -fuzztime 60s ./client/mock
//
// A failing input is written to testdata/fuzz/<FuzzName>/ and replayed by
// every `go test` from then on.

// fuzzNow is the mocks' time in the fuzz targets: pinned, so that seeded
// grants (and grants saved in testdata/fuzz) stay within their lifetime.
var fuzzNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// pinClock sets c (the wall clock plus an offset) to fuzzNow.
func pinClock(c *Clock) { c.SetOffset(time.Until(fuzzNow)) }

// fuzzCert is a certificate for the vendor's key naming SmartCloud's org
// number, valid around fuzzNow: an x5c grant.
func fuzzCert(tb testing.TB) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(11),
		Subject:      pkix.Name{CommonName: "SMARTCLOUD AS", Organization: []string{"SMARTCLOUD AS"}, SerialNumber: OrgSmartCloud, Country: []string{"NO"}},
		NotBefore:    fuzzNow.Add(-time.Hour), NotAfter: fuzzNow.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &mpVendorKey().PublicKey, mpVendorKey())
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// fuzzBusinessCert is a test business certificate from the mock's test
// CA for the certificate client's key (Skatteetaten's test key), with its
// chain: what an x5c grant carries.
func fuzzBusinessCert(tb testing.TB) (leaf *x509.Certificate, x5c []string) {
	tb.Helper()
	leaf, chain, err := IssueBusinessCertificate(&mustKey("skatteetaten").PublicKey, OrgSmartCloud, "SMARTCLOUD AS", fuzzNow)
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range append([]*x509.Certificate{leaf}, chain...) {
		x5c = append(x5c, base64.StdEncoding.EncodeToString(c.Raw))
	}
	return leaf, x5c
}

// fuzzGrants are real grants at fuzzNow: the standard system user, the
// agent one with externalRef, a plain vendor token, one without jti (which
// may be sent again), one with a trusted certificate chain in x5c and one
// with a self-signed certificate (refused).
func fuzzGrants(tb testing.TB, e *mpTestEnv, selfSigned *x509.Certificate, chain []string) []string {
	base := func() jwt.MapClaims {
		c := e.claims()
		c["iat"], c["exp"] = fuzzNow.Unix(), fuzzNow.Add(120*time.Second).Unix()
		return c
	}
	standard := base()
	agent := base()
	agent["authorization_details"] = []any{map[string]any{
		"type":           mpSystemUserType,
		"systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgTiger},
		"externalRef":    "smartcloud_demo_agent_test",
	}}
	plain := base()
	delete(plain, "authorization_details")
	plain["scope"] = "altinn:authentication/systemregister.write"
	noJTI := base()
	delete(noJTI, "jti")
	x5c := base()
	certGrant := base()
	certGrant["iss"] = mpTestCertClientID
	delete(certGrant, "authorization_details")
	return []string{
		mpSign(tb, jwt.SigningMethodRS256, mustKey("skatteetaten"), map[string]any{"kid": nil, "x5c": chain}, certGrant),
		mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), nil, standard),
		mpSign(tb, jwt.SigningMethodRS512, mpVendorKey(), nil, agent),
		mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), nil, plain),
		mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), nil, noJTI),
		mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": nil, "x5c": []string{base64.StdEncoding.EncodeToString(selfSigned.Raw)}}, x5c),
	}
}

// FuzzMaskinportenToken posts any body under any content type to /token.
// The answer is never a 5xx; a refusal is OAuth's JSON error; and a token
// is issued only for a grant its client's key signed (the vendor's, named
// by kid, or the certificate client's, whose certificate the test CA
// issued), to that client, for the system user's org the grant asked for
// and scopes the client has.
func FuzzMaskinportenToken(f *testing.F) {
	e := mpStart(f, "")
	pinClock(e.clock)
	leaf, chain := fuzzBusinessCert(f)
	const form = "application/x-www-form-urlencoded"
	grants := fuzzGrants(f, e, fuzzCert(f), chain)
	for _, g := range grants {
		f.Add(form, mpForm(g).Encode())
	}
	parts := strings.Split(grants[0], ".")
	for _, body := range []string{
		"grant_type=" + url.QueryEscape(mpJWTBearer) + "&assertion=" + parts[0] + "." + parts[1] + ".",
		"grant_type=" + url.QueryEscape(mpJWTBearer) + "&assertion=eyJhbGciOiJub25lIn0." + parts[1] + ".",
		"grant_type=" + url.QueryEscape(mpJWTBearer) + "&assertion=a&assertion=b",
		"grant_type=client_credentials",
		"grant_type=%zz",
		"",
	} {
		f.Add(form, body)
	}
	f.Add("application/json", `{"grant_type":"`+mpJWTBearer+`","assertion":"x"}`)
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nx\r\n--x--\r\n")

	vendorKey, mpKey := &mpVendorKey().PublicKey, &e.mp.key.PublicKey
	scopes := map[string][]string{}
	for _, c := range mpTestSeed().Clients {
		scopes[c.ClientID] = c.Scopes
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		pinClock(e.clock)
		req := httptest.NewRequest(http.MethodPost, e.url+"token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		e.mp.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body not a JSON object: %q", rec.Code, rec.Body.String())
		}
		if rec.Code != http.StatusOK {
			code, _ := out["error"].(string)
			desc, _ := out["error_description"].(string)
			if rec.Code >= 500 || rec.Code < 400 || code == "" || desc == "" {
				t.Fatalf("refusal %d %v", rec.Code, out)
			}
			return
		}
		// Accepted: the grant must be the vendor's, really signed.
		vals, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("accepted a body that is no form: %v", err)
		}
		grant := jwt.MapClaims{}
		tok, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}), jwt.WithoutClaimsValidation()).
			ParseWithClaims(vals.Get("assertion"), grant, func(tok *jwt.Token) (any, error) {
				iss, _ := tok.Claims.(jwt.MapClaims)["iss"].(string)
				if tok.Header["kid"] == mpTestKid && iss == mpTestClientID {
					return vendorKey, nil
				}
				if x5c, ok := tok.Header["x5c"].([]any); ok && len(x5c) > 0 && iss == mpTestCertClientID {
					if s, _ := x5c[0].(string); s == base64.StdEncoding.EncodeToString(leaf.Raw) {
						return leaf.PublicKey.(*rsa.PublicKey), nil
					}
				}
				return nil, jwt.ErrTokenUnverifiable
			})
		if err != nil || !tok.Valid {
			t.Fatalf("a token for a grant its client's key did not sign: %v (iss %v)", err, grant["iss"])
		}
		at := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(out["access_token"].(string), at, func(*jwt.Token) (any, error) { return mpKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return fuzzNow })); err != nil {
			t.Fatalf("the issued token does not verify: %v", err)
		}
		if at["client_id"] != grant["iss"] {
			t.Fatalf("token for client %v, grant from %v", at["client_id"], grant["iss"])
		}
		for _, s := range strings.Fields(at["scope"].(string)) {
			if !slices.Contains(scopes[grant["iss"].(string)], s) {
				t.Fatalf("scope %q is not client %v's", s, grant["iss"])
			}
		}
		if _, asked := grant["authorization_details"]; asked {
			wantOrg := fuzzOwner(grant["authorization_details"])
			if got := fuzzOwner(at["authorization_details"]); wantOrg == "" || got != wantOrg {
				t.Fatalf("the token's system user org is %q, the grant asked for %q", got, wantOrg)
			}
		}
	})
}

// fuzzOwner is systemuser_org's ID (or id) in authorization_details.
func fuzzOwner(details any) string {
	arr, _ := details.([]any)
	if len(arr) != 1 {
		return ""
	}
	obj, _ := arr[0].(map[string]any)
	so, _ := obj["systemuser_org"].(map[string]any)
	if id, ok := so["ID"].(string); ok {
		return id
	}
	id, _ := so["id"].(string)
	return id
}

// FuzzMaskinportenGrantHeader checks any JSON as a grant's header: what
// passes names one RS alg and exactly one of a kid and a chain whose leaf
// holds an RSA key of at least 2048 bits; what fails is invalid_grant.
func FuzzMaskinportenGrantHeader(f *testing.F) {
	cert := fuzzCert(f)
	leaf := base64.StdEncoding.EncodeToString(cert.Raw)
	for _, h := range []string{
		`{"alg":"RS256","kid":"smartcloud-1","typ":"JWT"}`,
		`{"alg":"RS512","x5c":["` + leaf + `"]}`,
		`{"alg":"RS256","x5c":["` + leaf + `","` + leaf + `"]}`,
		`{"alg":"RS256","kid":"a","x5c":["` + leaf + `"]}`,
		`{"alg":"RS256"}`, `{"alg":"none","kid":"a"}`, `{"alg":"HS256","kid":"a"}`, `{"kid":"a"}`,
		`{"alg":"RS256","kid":7}`, `{"alg":"RS256","kid":""}`, `{"alg":"RS256","x5c":"` + leaf + `"}`,
		`{"alg":"RS256","x5c":[]}`, `{"alg":"RS256","x5c":[7]}`, `{"alg":"RS256","x5c":["!!"]}`, `{"alg":"RS256","x5c":["AAAA"]}`,
	} {
		f.Add([]byte(h))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var h map[string]any
		if json.Unmarshal(raw, &h) != nil {
			return
		}
		got, terr := mpCheckHeader(h)
		if terr != nil {
			if terr.status != http.StatusBadRequest || terr.code != "invalid_grant" || terr.desc == "" {
				t.Fatalf("refusal %+v", terr)
			}
			return
		}
		if !slices.Contains([]string{"RS256", "RS384", "RS512"}, got.alg) || got.alg != h["alg"] {
			t.Fatalf("alg %q passed (header %v)", got.alg, h["alg"])
		}
		if (got.kid == "") == (len(got.chain) == 0) {
			t.Fatalf("kid %q and a chain of %d: exactly one must be given", got.kid, len(got.chain))
		}
		if len(got.chain) > 0 {
			pub, ok := got.chain[0].PublicKey.(*rsa.PublicKey)
			if !ok || pub.N.BitLen() < 2048 {
				t.Fatalf("leaf key %T passed", got.chain[0].PublicKey)
			}
		}
	})
}

var fuzzOwnerRE = regexp.MustCompile(`^0192:[0-9]{9}$`)

// FuzzMaskinportenAuthorizationDetails checks any JSON as a grant's
// authorization_details: what passes asks for one system user org in the
// 0192:<nine digits> form; what fails is a 400 with one of the documented
// codes and MP ids.
func FuzzMaskinportenAuthorizationDetails(f *testing.F) {
	for _, d := range []string{
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"0192:310904473"}}]`,
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"0192:314250052"},"externalRef":"smartcloud_demo_agent_test"}]`,
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","id":"0192:310904473"}}]`,
		`{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"0192:310904473"}}`,
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"310904473"}}]`,
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"ID":"0192:310904473","id":"0192:310904473","authority":"iso6523-actorid-upis"}}]`,
		`[{"type":"urn:altinn:systemuser","systemUserOrg":{}}]`, `[{"type":"urn:altinn:consent"}]`, `[]`, `[1,2]`, `null`,
		`[{"type":"urn:altinn:systemuser","systemuser_org":{"authority":"iso6523-actorid-upis","ID":"0192:310904473"},"externalRef":""}]`,
	} {
		f.Add([]byte(d))
	}
	codes := map[string][]string{
		"invalid_authorization_details":         {"MP-301", "MP-302"},
		"invalid_altinn_customer_configuration": {"MP-303"},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		req, terr := mpParseAuthorizationDetails(v)
		if terr != nil {
			if terr.status != http.StatusBadRequest || !slices.Contains(codes[terr.code], terr.id) || terr.desc == "" {
				t.Fatalf("refusal %+v", terr)
			}
			return
		}
		if !fuzzOwnerRE.MatchString(req.ownerID) || req.ownerOrgNo != strings.TrimPrefix(req.ownerID, "0192:") {
			t.Fatalf("accepted owner %q (%q)", req.ownerID, req.ownerOrgNo)
		}
		if fuzzOwner(v) != req.ownerID {
			t.Fatalf("owner %q, the details say %q", req.ownerID, fuzzOwner(v))
		}
		obj := v.([]any)[0].(map[string]any)
		if ref, given := obj["externalRef"]; given && (req.externalRef == "" || req.externalRef != ref) {
			t.Fatalf("externalRef %v read as %q", ref, req.externalRef)
		}
	})
}

// FuzzMaskinportenSelfService sends any JSON body to the self-service
// API's writes, each time to a fresh mock: never a 5xx, an error is the
// API's JSON error, a refused write changes nothing (read back), and no
// answer repeats a private JWK member's value.
func FuzzMaskinportenSelfService(f *testing.F) {
	jwk := func(extra string) string {
		j := fuzzPublicJWK()
		return `{"keys":[{"kty":"RSA","kid":"k2","n":"` + j.N + `","e":"` + j.E + `"` + extra + `}]}`
	}
	for _, c := range []struct {
		route uint8
		body  string
	}{
		{0, `{"client_name":"SmartCloud 2","client_orgno":"991825827","scopes":["skatteetaten:kravogbetalinger"]}`},
		{0, `{"client_name":"","client_orgno":"99182582"}`},
		{1, `{"client_name":"SmartCloud","client_orgno":"991825827","scopes":["altinn:authentication/systemregister.write"],"description":"d"}`},
		{1, `{"client_id":"other","client_name":"x"}`},
		{2, jwk("")},
		{2, jwk(`,"d":"c2VjcmV0LXByaXZhdGUtZXhwb25lbnQtdmFsdWU"`)},
		{2, `{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"AA","y":"AA"}]}`},
		{2, `{"keys":[]}`}, {2, `{}`}, {2, `[`},
		{3, `{"prefix":"smartcloud","subscope":"api.read","description":"d","owner_orgno":"991825827"}`},
		{3, `{"prefix":"skatteetaten","subscope":"x","owner_orgno":"991825827"}`},
		{4, ``},
	} {
		f.Add(c.route, []byte(c.body))
	}
	routes := []struct{ method, path string }{
		{"POST", "api/v1/clients"},
		{"PUT", "api/v1/clients/" + mpTestClientID},
		{"POST", "api/v1/clients/" + mpTestClientID + "/jwks"},
		{"POST", "api/v1/scopes"},
		{"PUT", "api/v1/scopes/access/" + OrgTiger + "?scope=" + url.QueryEscape(ScopeKravOgBetalinger) + "&owner_orgno=" + OrgSkatteetaten},
	}
	privateRE := regexp.MustCompile(`"(?:d|p|q|dp|dq|qi|k)"\s*:\s*"([^"\\]{12,})"`)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		clock := &Clock{}
		pinClock(clock)
		mp, err := NewMaskinporten(MaskinportenConfig{Issuer: "http://mp.test/", Clock: clock, Key: mustKey("maskinporten")})
		if err != nil {
			t.Fatal(err)
		}
		if err := mp.Seed(mpTestSeed()); err != nil {
			t.Fatal(err)
		}
		state := func() string {
			var b strings.Builder
			for _, p := range []string{"api/v1/clients/" + mpTestClientID, "api/v1/clients/" + mpTestClientID + "/jwks", "api/v1/scopes"} {
				rec := httptest.NewRecorder()
				mp.ServeHTTP(rec, httptest.NewRequest("GET", "http://mp.test/"+p, nil))
				b.Write(rec.Body.Bytes())
			}
			return b.String()
		}
		before := state()
		rt := routes[int(route)%len(routes)]
		req := httptest.NewRequest(rt.method, "http://mp.test/"+rt.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mp.ServeHTTP(rec, req)
		var out any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d, body not JSON: %q", rt.method, rt.path, rec.Code, rec.Body.String())
		}
		for _, m := range privateRE.FindAllSubmatch(body, -1) {
			if bytes.Contains(rec.Body.Bytes(), m[1]) {
				t.Fatalf("the answer repeats a private member's value: %s", rec.Body.String())
			}
		}
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %s: %d %s", rt.method, rt.path, rec.Code, rec.Body.String())
		case rec.Code >= 400:
			if e, _ := out.(map[string]any)["error"].(string); e == "" {
				t.Fatalf("error without a code: %s", rec.Body.String())
			}
			if after := state(); after != before {
				t.Fatalf("a refused %s %s changed the state:\nbefore %s\nafter  %s", rt.method, rt.path, before, after)
			}
		}
	})
}

// fuzzPublicJWK is a second RSA public key as a JWK (the Altinn test key).
func fuzzPublicJWK() struct{ N, E string } {
	k := mustKey("altinn")
	return struct{ N, E string }{
		N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}
