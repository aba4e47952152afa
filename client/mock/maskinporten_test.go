package mock

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// The vendor's client in these tests. Any RSA key does for it; the
// embedded ones save generating keys.
const (
	mpTestClientID = "5d3a8d57-1c0e-4c1f-9a43-2f7c4b1d9e10"
	mpTestKid      = "smartcloud-1"
	mpTestOtherOrg = "310000001" // owns a system user of another vendor
	mpTestSecret   = "skatteetaten:hemmelig"
)

// mpVendorKey is parsed once: mustKey parses the PEM on every call.
var mpVendorKey = sync.OnceValue(func() *rsa.PrivateKey { return mustKey("altinn") })

var (
	mpWeakKeyOnce sync.Once
	mpWeakKey     *rsa.PrivateKey
)

// mpTestWeakKey is a 1024-bit key, made once per test binary.
func mpTestWeakKey(tb testing.TB) *rsa.PrivateKey {
	mpWeakKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			panic(err)
		}
		mpWeakKey = k
	})
	return mpWeakKey
}

// mpTestSeed is the service owner's world plus a scope no one has access
// to and the vendor's client.
func mpTestSeed() Seed {
	s := ServiceOwnerSeed()
	s.Scopes = append(s.Scopes, SeedScope{Name: mpTestSecret, OwnerOrgNo: OrgSkatteetaten})
	s.Clients = append(s.Clients, SeedClient{
		ClientID: mpTestClientID, OrgNo: OrgSmartCloud, Name: "SmartCloud",
		Scopes: []string{ScopeKravOgBetalinger, mpTestSecret, "altinn:authentication/systemregister.write"},
		JWKS:   client.JWKS{Keys: []client.JWK{client.PublicJWK(&mpVendorKey().PublicKey, mpTestKid)}},
	})
	return s
}

// mpAltinnStub plays Altinn's byExternalId lookup. It verifies the bearer
// token against the mock Maskinporten's /jwk, fetched over HTTP.
type mpAltinnStub struct {
	tb     testing.TB
	srv    *httptest.Server
	mpURL  string
	clock  *Clock
	users  map[string]mpSystemUser // clientId|vendor|owner|externalRef
	calls  atomic.Int64
	refuse atomic.Bool // answer 401, as Altinn does to a token it cannot verify
	mu     sync.Mutex
	keys   map[string]*rsa.PublicKey
	tokens map[string]bool // bearer tokens seen and verified
}

func mpUserKey(clientID, vendor, owner, ref string) string {
	return clientID + "|" + vendor + "|" + owner + "|" + ref
}

func (a *mpAltinnStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.calls.Add(1)
	if a.refuse.Load() {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the token's signature does not verify"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path != "/authentication/api/v1/systemuser/byExternalId" {
		a.tb.Errorf("stub Altinn: unexpected %s %s", r.Method, r.URL)
		http.NotFound(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		a.tb.Errorf("stub Altinn: no bearer token")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if err := a.verify(tok); err != nil {
		a.tb.Errorf("stub Altinn: Maskinporten's token: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	q := r.URL.Query()
	owner := q.Get("systemUserOwnerOrgNo")
	ref := q.Get("externalRef")
	if ref == "" {
		ref = owner
	}
	su, found := a.users[mpUserKey(q.Get("clientId"), q.Get("systemProviderOrgNo"), owner, ref)]
	if !found {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, su)
}

// verify checks Maskinporten's own token once per distinct token.
func (a *mpAltinnStub) verify(tok string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens[tok] {
		return nil
	}
	if a.keys == nil {
		resp, err := http.Get(a.mpURL + "jwk")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var set client.JWKS
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
			return err
		}
		a.keys = map[string]*rsa.PublicKey{}
		for _, k := range set.Keys {
			pub, err := k.PublicKey()
			if err != nil {
				return err
			}
			a.keys[k.Kid] = pub
		}
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k := a.keys[kid]; k != nil {
			return k, nil
		}
		return nil, fmt.Errorf("no key with kid %q at /jwk", kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(a.mpURL), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(a.clock.Now))
	if err != nil {
		return err
	}
	if claims["scope"] != mpLookupScope {
		return fmt.Errorf("scope is %v, want %s", claims["scope"], mpLookupScope)
	}
	if claims["client_id"] != "maskinporten" {
		return fmt.Errorf("client_id is %v", claims["client_id"])
	}
	if c, _ := claims["consumer"].(map[string]any); c["ID"] != "0192:"+OrgDigdir {
		return fmt.Errorf("consumer is %v", claims["consumer"])
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if exp.Sub(iat.Time) != 120*time.Second {
		return fmt.Errorf("exp - iat is %v", exp.Sub(iat.Time))
	}
	if a.tokens == nil {
		a.tokens = map[string]bool{}
	}
	a.tokens[tok] = true
	return nil
}

func (a *mpAltinnStub) distinctTokens() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.tokens)
}

// mpTestEnv is a mock Maskinporten on an httptest server, with the stub
// Altinn.
type mpTestEnv struct {
	mp     *Maskinporten
	url    string // the issuer
	clock  *Clock
	altinn *mpAltinnStub
	hc     *http.Client
}

// mpStart starts the mock Maskinporten seeded with mpTestSeed. altinnURL
// overrides the stub's URL when not empty.
func mpStart(tb testing.TB, altinnURL string) *mpTestEnv {
	tb.Helper()
	mpSrv := httptest.NewUnstartedServer(nil)
	e := &mpTestEnv{url: "http://" + mpSrv.Listener.Addr().String() + "/", clock: &Clock{}}
	e.altinn = &mpAltinnStub{tb: tb, mpURL: e.url, clock: e.clock, users: map[string]mpSystemUser{
		mpUserKey(mpTestClientID, OrgSmartCloud, OrgSubtilApe, OrgSubtilApe): {
			ID: "7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f", SystemID: "991825827_smartcloud", ProductName: "991825827_smartcloud",
			ReporteeOrgNo: OrgSubtilApe, SupplierOrgNo: OrgSmartCloud, ExternalRef: OrgSubtilApe, UserType: "standard",
		},
		mpUserKey(mpTestClientID, OrgSmartCloud, OrgTiger, "smartcloud_demo_agent_test"): {
			ID: "0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f", SystemID: "991825827_smartcloud_ap", ProductName: "991825827_smartcloud_ap",
			ReporteeOrgNo: OrgTiger, SupplierOrgNo: OrgSmartCloud, ExternalRef: "smartcloud_demo_agent_test", UserType: "agent",
		},
		// A stub that disagrees with itself: Altinn should never answer
		// with another vendor's system user, and Maskinporten checks.
		mpUserKey(mpTestClientID, OrgSmartCloud, mpTestOtherOrg, mpTestOtherOrg): {
			ID: "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716", SystemID: "123456789_other", ProductName: "123456789_other",
			ReporteeOrgNo: mpTestOtherOrg, SupplierOrgNo: "123456789", ExternalRef: mpTestOtherOrg, UserType: "standard",
		},
	}}
	e.altinn.srv = httptest.NewServer(e.altinn)
	tb.Cleanup(e.altinn.srv.Close)
	if altinnURL == "" {
		altinnURL = e.altinn.srv.URL + "/"
	}
	mp, err := NewMaskinporten(MaskinportenConfig{
		Issuer: e.url, AltinnURL: altinnURL, Clock: e.clock, Key: mustKey("maskinporten"),
		HTTP: &http.Client{Timeout: 10 * time.Second},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := mp.Seed(mpTestSeed()); err != nil {
		tb.Fatal(err)
	}
	e.mp = mp
	mpSrv.Config.Handler = mp
	mpSrv.Start()
	tb.Cleanup(mpSrv.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	e.hc = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	tb.Cleanup(tr.CloseIdleConnections)
	return e
}

// claims is a valid system user grant for the standard system user.
func (e *mpTestEnv) claims() jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss": mpTestClientID, "aud": e.url, "iat": now.Unix(), "exp": now.Add(120 * time.Second).Unix(),
		"jti": mpRandomID(), "scope": ScopeKravOgBetalinger,
		"authorization_details": []any{map[string]any{
			"type":           mpSystemUserType,
			"systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSubtilApe},
		}},
	}
}

// mpSign signs a grant; header entries set to nil are removed.
func mpSign(tb testing.TB, method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	t.Header["kid"] = mpTestKid
	for k, v := range header {
		if v == nil {
			delete(t.Header, k)
		} else {
			t.Header[k] = v
		}
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// grant is a valid grant, signed by the vendor, after edit changed it.
func (e *mpTestEnv) grant(tb testing.TB, edit func(c jwt.MapClaims)) string {
	c := e.claims()
	if edit != nil {
		edit(c)
	}
	return mpSign(tb, jwt.SigningMethodRS256, mpVendorKey(), nil, c)
}

func mpForm(assertion string) url.Values {
	return url.Values{"grant_type": {mpJWTBearer}, "assertion": {assertion}}
}

// post sends the form to /token and decodes the JSON answer.
func (e *mpTestEnv) post(tb testing.TB, form url.Values) (int, map[string]any) {
	tb.Helper()
	resp, err := e.hc.PostForm(e.url+"token", form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatalf("status %d, body not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

// do sends a JSON request to the self-service API.
func (e *mpTestEnv) do(tb testing.TB, method, path string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			tb.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, out
}

var mpIDRE = regexp.MustCompile(`\((MP-[0-9]{3})\)$`)

// mpErrID is the MP id at the end of an error_description, or "".
func mpErrID(body map[string]any) string {
	desc, _ := body["error_description"].(string)
	if m := mpIDRE.FindStringSubmatch(desc); m != nil {
		return m[1]
	}
	return ""
}

// mpCert is a self-signed business certificate for key, with the org in
// the subject as subject sets it.
func mpCert(tb testing.TB, key *rsa.PrivateKey, subject pkix.Name, now time.Time) string {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

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
		}, 400, "invalid_grant", "", "ahead of Maskinporten's clock"},
		{"iat behind", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["iat"] = time.Now().Add(-30 * time.Second).Unix() }))
		}, 400, "invalid_grant", "", "behind Maskinporten's clock"},
		{"exp passed", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) {
				c["iat"], c["exp"] = time.Now().Add(-8*time.Second).Unix(), time.Now().Add(-2*time.Second).Unix()
			}))
		}, 400, "invalid_grant", "MP-130", "JWT is expired"},
		{"exp missing", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { delete(c, "exp") }))
		}, 400, "invalid_grant", "MP-130", "exp is missing"},
		{"lifetime 300 s", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["exp"] = c["iat"].(int64) + 300 }))
		}, 400, "invalid_grant", "", "exp - iat is 300 s; the maximum is 180 s (the documented limit is 120 s)"},
		{"scope missing", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { delete(c, "scope") }))
		}, 400, "invalid_scope", "MP-201", "scope is missing"},
		{"scope unknown", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = ScopeKravOgBetalinger + " skatteetaten:finnesikke" }))
		}, 400, "invalid_scope", "MP-201", `"skatteetaten:finnesikke"`},
		{"scope not on client", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = "altinn:authorization/authorize" }))
		}, 400, "invalid_scope", "MP-200", "not registered on client"},
		{"no access to scope", func() url.Values {
			return mpForm(e.grant(t, func(c jwt.MapClaims) { c["scope"] = mpTestSecret }))
		}, 403, "access_denied", "MP-250", "org " + OrgSmartCloud + " has no access"},
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

// TestMaskinportenTokenJSONBody is the common mistake of posting the
// grant's claims as JSON.
func TestMaskinportenTokenJSONBody(t *testing.T) {
	e := mpStart(t, "")
	b, _ := json.Marshal(e.claims())
	resp, err := e.hc.Post(e.url+"token", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 400 || body["error"] != "unsupported_grant_type" || !strings.Contains(body["error_description"], "x-www-form-urlencoded") {
		t.Fatalf("got %d %v", resp.StatusCode, body)
	}
}

// mpVerifyIssued checks an issued token against the mock's /jwk, fetched
// over HTTP, and returns its header and claims.
func mpVerifyIssued(t *testing.T, e *mpTestEnv, tok string) (map[string]any, jwt.MapClaims) {
	t.Helper()
	resp, err := e.hc.Get(e.url + "jwk")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set client.JWKS
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return set.Key(kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(e.url), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("issued token does not verify against /jwk: %v", err)
	}
	return parsed.Header, claims
}

func mpClaimNames(c jwt.MapClaims) []string {
	names := mpSortedKeys(map[string]any(c))
	return names
}

func TestMaskinportenTokenSystemUser(t *testing.T) {
	e := mpStart(t, "")
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != 119.0 || body["scope"] != ScopeKravOgBetalinger {
		t.Errorf("response %v", body)
	}
	hdr, c := mpVerifyIssued(t, e, body["access_token"].(string))
	if hdr["kid"] != mpKeyID {
		t.Errorf("kid %v", hdr["kid"])
	}
	want := []string{"authorization_details", "client_amr", "client_id", "consumer", "exp", "iat", "iss", "jti", "scope", "token_type"}
	if got := mpClaimNames(c); !slices.Equal(got, want) {
		t.Errorf("claims %v, want %v", got, want)
	}
	if c["client_id"] != mpTestClientID || c["client_amr"] != "private_key_jwt" || c["token_type"] != "Bearer" || c["scope"] != ScopeKravOgBetalinger {
		t.Errorf("claims %v", c)
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 120 {
		t.Errorf("exp - iat = %v", exp-iat)
	}
	consumer, _ := json.Marshal(c["consumer"])
	if string(consumer) != `{"ID":"0192:991825827","authority":"iso6523-actorid-upis"}` {
		t.Errorf("consumer %s", consumer)
	}
	details, _ := json.Marshal(c["authorization_details"])
	wantDetails := `[{"system_id":"991825827_smartcloud","systemuser_id":["7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f"],` +
		`"systemuser_org":{"ID":"0192:310904473","authority":"iso6523-actorid-upis"},"type":"urn:altinn:systemuser"}]`
	if string(details) != wantDetails {
		t.Errorf("authorization_details\n%s, want\n%s", details, wantDetails)
	}

	// More grants reuse Maskinporten's own token for the lookup.
	for range 3 {
		if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
			t.Fatalf("got %d %v", status, body)
		}
	}
	if n := e.altinn.distinctTokens(); n != 1 {
		t.Errorf("Altinn saw %d different Maskinporten tokens, want 1 (cached)", n)
	}
}

func TestMaskinportenTokenExternalRef(t *testing.T) {
	e := mpStart(t, "")
	// The agent system user of the facilitator, with lower-case id as
	// Altinn's docs write it.
	status, body := e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{
			"type": mpSystemUserType, "externalRef": "smartcloud_demo_agent_test",
			"systemuser_org": map[string]any{"authority": mpAuthority, "id": "0192:" + OrgTiger},
		}}
	})))
	if status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	_, c := mpVerifyIssued(t, e, body["access_token"].(string))
	d := c["authorization_details"].([]any)[0].(map[string]any)
	if d["systemuser_id"].([]any)[0] != "0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f" || d["system_id"] != "991825827_smartcloud_ap" {
		t.Errorf("authorization_details %v", d)
	}
	if so := d["systemuser_org"].(map[string]any); so["ID"] != "0192:"+OrgTiger {
		t.Errorf("systemuser_org %v, want key ID", so)
	}

	// Without the externalRef Altinn looks for the default one and finds none.
	status, body = e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{
			"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgTiger},
		}}
	})))
	if status != 400 || mpErrID(body) != "MP-303" || !strings.Contains(body["error_description"].(string), "no externalRef") {
		t.Errorf("got %d %v", status, body)
	}
}

func TestMaskinportenTokenPlainAndVariants(t *testing.T) {
	e := mpStart(t, "")
	cases := []struct {
		name   string
		method jwt.SigningMethod
		edit   func(c jwt.MapClaims)
		check  func(t *testing.T, c jwt.MapClaims)
	}{
		{"no system user", jwt.SigningMethodRS256, func(c jwt.MapClaims) {
			delete(c, "authorization_details")
			c["scope"] = "altinn:authentication/systemregister.write"
		}, func(t *testing.T, c jwt.MapClaims) {
			if _, ok := c["authorization_details"]; ok {
				t.Error("a token without system user has authorization_details")
			}
		}},
		{"aud is the token endpoint, RS512", jwt.SigningMethodRS512, func(c jwt.MapClaims) { c["aud"] = e.url + "token" }, nil},
		{"resource gives aud", jwt.SigningMethodRS384, func(c jwt.MapClaims) { c["resource"] = []any{"https://api.skatteetaten.no/"} },
			func(t *testing.T, c jwt.MapClaims) {
				if c["aud"] != "https://api.skatteetaten.no/" {
					t.Errorf("aud %v", c["aud"])
				}
			}},
		{"no jti", jwt.SigningMethodRS256, func(c jwt.MapClaims) { delete(c, "jti") }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.claims()
			tc.edit(c)
			status, body := e.post(t, mpForm(mpSign(t, tc.method, mpVendorKey(), nil, c)))
			if status != 200 {
				t.Fatalf("got %d %v", status, body)
			}
			_, issued := mpVerifyIssued(t, e, body["access_token"].(string))
			if _, ok := issued["aud"]; ok != (c["resource"] != nil) {
				t.Errorf("aud %v with resource %v", issued["aud"], c["resource"])
			}
			if tc.check != nil {
				tc.check(t, issued)
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

func TestMaskinportenAltinnDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/"
	l.Close()
	e := mpStart(t, down)
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 500 || body["error"] != "server_error" || !strings.Contains(body["error_description"].(string), "Altinn could not be reached") {
		t.Fatalf("got %d %v", status, body)
	}
}

func TestMaskinportenAltinnRefusesToken(t *testing.T) {
	e := mpStart(t, "")
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	e.altinn.refuse.Store(true)
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 400 || mpErrID(body) != "MP-303" || !strings.Contains(body["error_description"].(string), "refused Maskinporten's own token") {
		t.Fatalf("got %d %v", status, body)
	}
	// The refused token is dropped: the next lookup carries a new one.
	e.altinn.refuse.Store(false)
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	if n := e.altinn.distinctTokens(); n != 2 {
		t.Errorf("Altinn saw %d Maskinporten tokens, want 2", n)
	}
}

func TestMaskinportenClockKnob(t *testing.T) {
	e := mpStart(t, "")
	if status, _ := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("before: %d", status)
	}
	if status, body := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset_seconds": 3600}); status != 200 || body["offset_seconds"] != 3600.0 {
		t.Fatalf("PUT /mock/clock: %d %v", status, body)
	}
	if status, body := e.do(t, http.MethodGet, "mock/clock", nil); status != 200 || body["offset_seconds"] != 3600.0 {
		t.Fatalf("GET /mock/clock: %d %v", status, body)
	}
	// A vendor on the wall clock is an hour behind Maskinporten now.
	wall := time.Now()
	status, body := e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["iat"], c["exp"] = wall.Unix(), wall.Add(120*time.Second).Unix()
	})))
	if status != 400 || !regexp.MustCompile(`360[01] s behind`).MatchString(body["error_description"].(string)) {
		t.Fatalf("wall-clock grant: %d %v", status, body)
	}
	// On Maskinporten's time the grant passes, and the lookup token cached
	// an hour ago has expired, so Maskinporten mints a new one.
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("mock-clock grant: %d %v", status, body)
	}
	if n := e.altinn.distinctTokens(); n != 2 {
		t.Errorf("Altinn saw %d Maskinporten tokens, want 2", n)
	}
	if status, body := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset": 5}); status != 400 || body["error"] != "invalid_client_metadata" {
		t.Errorf("PUT without offset_seconds: %d %v", status, body)
	}
	if status, _ := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset_seconds": 0}); status != 200 {
		t.Errorf("reset: %d", status)
	}
}

func TestMaskinportenMetadata(t *testing.T) {
	e := mpStart(t, "")
	status, md := e.do(t, http.MethodGet, ".well-known/oauth-authorization-server", nil)
	if status != 200 || md["issuer"] != e.url || md["token_endpoint"] != e.url+"token" || md["jwks_uri"] != e.url+"jwk" {
		t.Fatalf("metadata %d %v", status, md)
	}
	_, jwks := e.do(t, http.MethodGet, "jwk", nil)
	keys := jwks["keys"].([]any)
	if len(keys) != 1 || keys[0].(map[string]any)["kid"] != mpKeyID || keys[0].(map[string]any)["d"] != nil {
		t.Errorf("jwk %v", jwks)
	}
}

func TestMaskinportenSelfService(t *testing.T) {
	e := mpStart(t, "")
	newKey := client.PublicJWK(&mustKey("skatteetaten").PublicKey, "new-1")

	status, c := e.do(t, http.MethodPost, "api/v1/clients", map[string]any{
		"client_name": "SmartCloud prod", "client_orgno": OrgSmartCloud, "scopes": []string{ScopeKravOgBetalinger},
		"integration_type": "maskinporten", "token_endpoint_auth_method": "private_key_jwt", "grant_types": []string{mpJWTBearer},
	})
	id, _ := c["client_id"].(string)
	if status != 201 || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("create client: %d %v", status, c)
	}
	if status, got := e.do(t, http.MethodGet, "api/v1/clients/"+id, nil); status != 200 || got["client_orgno"] != OrgSmartCloud {
		t.Errorf("get client: %d %v", status, got)
	}

	private := map[string]any{"kty": "RSA", "kid": "k1", "n": newKey.N, "e": newKey.E, "d": "c2VjcmV0LXByaXZhdGUtZXhwb25lbnQ"}
	weak := client.PublicJWK(&mpTestWeakKey(t).PublicKey, "weak")
	rejects := []struct {
		name string
		path string
		body any
		says string
	}{
		{"scope that does not exist", "api/v1/clients", map[string]any{"client_name": "x", "client_orgno": OrgSmartCloud, "scopes": []string{"nav:finnesikke"}}, `"nav:finnesikke" does not exist`},
		{"org number", "api/v1/clients", map[string]any{"client_name": "x", "client_orgno": "12345"}, `client_orgno is "12345"`},
		{"private key member", "api/v1/clients/" + id + "/jwks", map[string]any{"keys": []any{private}}, "private key material (member d)"},
		{"1024-bit key", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{weak}}, "1024 bits"},
		{"kid missing", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{{Kty: "RSA", N: newKey.N, E: newKey.E}}}, "kid is missing"},
		{"kid twice", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{newKey, newKey}}, "must be unique"},
		{"not RSA", "api/v1/clients/" + id + "/jwks", map[string]any{"keys": []any{map[string]any{"kty": "EC", "kid": "ec"}}}, `kty is "EC"`},
		{"not JSON", "api/v1/clients/" + id + "/jwks", "{keys:", "not the expected JSON"},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do(t, http.MethodPost, tc.path, tc.body)
			desc, _ := body["error_description"].(string)
			if status != 400 || body["error"] != "invalid_client_metadata" || !strings.Contains(desc, tc.says) {
				t.Fatalf("got %d %v, want 400 invalid_client_metadata saying %q", status, body, tc.says)
			}
			if strings.Contains(desc, "c2VjcmV0") {
				t.Errorf("the error echoes the private key: %s", desc)
			}
		})
	}

	if status, body := e.do(t, http.MethodPost, "api/v1/clients/"+id+"/jwks", client.JWKS{Keys: []client.JWK{newKey}}); status != 201 {
		t.Fatalf("upload jwks: %d %v", status, body)
	}
	if status, body := e.do(t, http.MethodGet, "api/v1/clients/"+id+"/jwks", nil); status != 200 || len(body["keys"].([]any)) != 1 {
		t.Errorf("get jwks: %d %v", status, body)
	}
	if status, _ := e.do(t, http.MethodGet, "api/v1/clients/no-such-client", nil); status != 404 {
		t.Errorf("unknown client: %d", status)
	}
	if status, body := e.do(t, http.MethodPut, "api/v1/clients/"+id, map[string]any{
		"client_name": "SmartCloud prod", "client_orgno": OrgTiger, "scopes": []string{},
	}); status != 400 || !strings.Contains(body["error_description"].(string), "cannot move") {
		t.Errorf("move client to another org: %d %v", status, body)
	}

	// The new client gets a token with the uploaded key.
	grant := func(scope string) url.Values {
		c := e.claims()
		c["iss"], c["scope"] = id, scope
		delete(c, "authorization_details")
		return mpForm(mpSign(t, jwt.SigningMethodRS256, mustKey("skatteetaten"), map[string]any{"kid": "new-1"}, c))
	}
	if status, body := e.post(t, grant(ScopeKravOgBetalinger)); status != 200 {
		t.Fatalf("token for the new client: %d %v", status, body)
	}

	// Scopes: the first org to use a prefix owns it.
	scope := map[string]any{"prefix": "smartcloud", "subscope": "demo.read", "description": "demo", "owner_orgno": OrgSmartCloud}
	if status, body := e.do(t, http.MethodPost, "api/v1/scopes", scope); status != 201 || body["name"] != "smartcloud:demo.read" {
		t.Fatalf("create scope: %d %v", status, body)
	}
	if status, _ := e.do(t, http.MethodPost, "api/v1/scopes", scope); status != 409 {
		t.Errorf("create it again: %d, want 409", status)
	}
	for _, other := range []map[string]any{
		{"prefix": "smartcloud", "subscope": "other", "owner_orgno": OrgTiger},
		{"prefix": "skatteetaten", "subscope": "mine", "owner_orgno": OrgTiger}, // a seeded scope's prefix
	} {
		if status, body := e.do(t, http.MethodPost, "api/v1/scopes", other); status != 403 {
			t.Errorf("scope under another org's prefix %v: %d %v", other["prefix"], status, body)
		}
	}

	// Register the scope on a client of Tiger's before Tiger has access:
	// the token request then fails with MP-250 until the owner grants it.
	status, tc := e.do(t, http.MethodPost, "api/v1/clients", map[string]any{
		"client_name": "Tiger", "client_orgno": OrgTiger, "scopes": []string{"smartcloud:demo.read"},
	})
	if status != 201 {
		t.Fatalf("create Tiger's client: %d %v", status, tc)
	}
	tigerID := tc["client_id"].(string)
	e.do(t, http.MethodPost, "api/v1/clients/"+tigerID+"/jwks", client.JWKS{Keys: []client.JWK{newKey}})
	id = tigerID
	if status, body := e.post(t, grant("smartcloud:demo.read")); status != 403 || mpErrID(body) != "MP-250" {
		t.Fatalf("before access: %d %v", status, body)
	}
	access := "api/v1/scopes/access/" + OrgTiger + "?scope=" + url.QueryEscape("smartcloud:demo.read")
	if status, _ := e.do(t, http.MethodPut, access+"&owner_orgno="+OrgTiger, nil); status != 403 {
		t.Errorf("access granted by a non-owner: %d, want 403", status)
	}
	if status, body := e.do(t, http.MethodPut, access+"&owner_orgno="+OrgSmartCloud, nil); status != 200 {
		t.Fatalf("grant access: %d %v", status, body)
	}
	if status, body := e.do(t, http.MethodGet, "api/v1/scopes?scope="+url.QueryEscape("smartcloud:demo.read"), nil); status != 200 ||
		fmt.Sprint(body["access"]) != "["+OrgTiger+"]" {
		t.Errorf("scope with access: %d %v", status, body)
	}
	if status, body := e.post(t, grant("smartcloud:demo.read")); status != 200 {
		t.Fatalf("after access: %d %v", status, body)
	}
}

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

// TestMaskinportenConcurrent issues tokens while the self-service API
// changes the registry (run with -race).
func TestMaskinportenConcurrent(t *testing.T) {
	e := mpStart(t, "")
	jwks := client.JWKS{Keys: []client.JWK{client.PublicJWK(&mpVendorKey().PublicKey, mpTestKid)}}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
					t.Errorf("worker %d: %d %v", w, status, body)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			e.do(t, http.MethodPost, "api/v1/scopes", map[string]any{"prefix": "smartcloud", "subscope": fmt.Sprint("s", i), "owner_orgno": OrgSmartCloud})
			e.do(t, http.MethodPut, "api/v1/scopes/access/"+OrgTiger+"?scope="+ScopeKravOgBetalinger+"&owner_orgno="+OrgSkatteetaten, nil)
			e.do(t, http.MethodPut, "api/v1/clients/"+mpTestClientID, map[string]any{
				"client_name": "SmartCloud", "client_orgno": OrgSmartCloud, "scopes": []string{ScopeKravOgBetalinger, fmt.Sprint("smartcloud:s", i)},
			})
			e.do(t, http.MethodPost, "api/v1/clients/"+mpTestClientID+"/jwks", jwks)
			e.do(t, http.MethodGet, "api/v1/scopes", nil)
		}
	}()
	wg.Wait()
}

// BenchmarkTokenParallel posts valid system user grants to /token over
// HTTP, each with its own jti, with the stub Altinn answering the lookup.
// The grants are signed before the timer starts: the budget (1,000 grants
// a second on 2 cores, docs/design) is the mock's, and signing a grant
// costs the vendor as much as signing the token costs Maskinporten. Keep
// -benchtime short (a few seconds): a grant is accepted only within 10 s
// of its iat.
func BenchmarkTokenParallel(b *testing.B) {
	e := mpStart(b, "")
	grants := make([]string, b.N)
	var wg sync.WaitGroup
	workers := 4
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += workers {
				grants[i] = e.grant(b, nil)
			}
		}()
	}
	wg.Wait()
	var next atomic.Int64
	var failed atomic.Bool
	b.SetParallelism(2) // goroutines per CPU: the server's work overlaps the round trips
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			resp, err := e.hc.PostForm(e.url+"token", mpForm(grants[i]))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 && !failed.Swap(true) {
				b.Errorf("grant %d: status %d", i, resp.StatusCode)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "grants/s")
}

// The vendor shares Digdir's org number in the docs' example, but Altinn's
// scope prefix is not the vendor's to add to.
func TestMaskinportenVendorCannotCreateAltinnScopes(t *testing.T) {
	env, err := Start(context.Background(), ServiceOwnerSeed())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	for prefix, want := range map[string]int{"altinn": 403, "skatteetaten": 403, "smartcloud": 201} {
		body := `{"prefix":"` + prefix + `","subscope":"evil","owner_orgno":"` + OrgSmartCloud + `"}`
		res, err := http.Post(env.MaskinportenURL+"api/v1/scopes", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("prefix %s: %d, want %d", prefix, res.StatusCode, want)
		}
	}
}
