package mock

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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
	// mpTestCertClientID is SmartCloud's client without a registered key:
	// it authenticates with a business certificate (x5c).
	mpTestCertClientID = "9c1d0e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
	mpTestKid          = "smartcloud-1"
	mpTestOtherOrg     = "310000001" // owns a system user of another vendor
	mpTestSecret       = "skatteetaten:hemmelig"
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
// to, the vendor's client and its certificate client.
func mpTestSeed() Seed {
	s := ServiceOwnerSeed()
	s.Scopes = append(s.Scopes, SeedScope{Name: mpTestSecret, OwnerOrgNo: OrgSkatteetaten})
	s.Clients = append(s.Clients, SeedClient{
		ClientID: mpTestClientID, OrgNo: OrgSmartCloud, Name: "SmartCloud",
		Scopes: mpTestScopes[:2],
		JWKS:   client.JWKS{Keys: []client.JWK{client.PublicJWK(&mpVendorKey().PublicKey, mpTestKid)}},
	}, SeedClient{ClientID: mpTestCertClientID, OrgNo: OrgSmartCloud, Name: "SmartCloud (certificate)", Scopes: []string{ScopeKravOgBetalinger}})
	return s
}

// mpTestScopes are the vendor client's scopes; the last, which its org may
// not use, is added over the self-service API (a seed refuses it).
var mpTestScopes = []string{ScopeKravOgBetalinger, "altinn:authentication/systemregister.write", mpTestSecret}

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
	if status, body := e.do(tb, http.MethodPut, "api/v1/clients/"+mpTestClientID, map[string]any{"client_name": "SmartCloud", "scopes": mpTestScopes}); status != 200 {
		tb.Fatalf("add %s to the client: %d %v", mpTestSecret, status, body)
	}
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
	// A missing grant_type is invalid_request (RFC 6749 section 5.2).
	if resp.StatusCode != 400 || body["error"] != "invalid_request" || !strings.Contains(body["error_description"], "x-www-form-urlencoded") {
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
