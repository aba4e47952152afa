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
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// The attacks of issue 10, each a request an outsider (or another vendor)
// sends to the mocks, the answer the real service gives, and a read-back
// over the API that shows nothing changed. The world is the whole mock
// world on loopback, as `serve` runs it.

const (
	atkVendorB    = "313000005" // ANNEN LEVERANDØR AS, a second vendor
	atkClientA    = "attack-client-a"
	atkClientB    = "attack-client-b"
	atkClientCert = "attack-client-cert" // SmartCloud's, no registered key: it signs with a business certificate
	atkKidA       = "a-1"
	atkKidB       = "b-1"
	atkSystemA    = OrgSmartCloud + "_attack"
	atkSystemB    = atkVendorB + "_other"
)

var (
	atkKeyA    = sync.OnceValue(func() *rsa.PrivateKey { return mustKey("altinn") })
	atkKeyB    = sync.OnceValue(func() *rsa.PrivateKey { return atkNewKey() })
	atkCertKey = sync.OnceValue(func() *rsa.PrivateKey { return atkNewKey() })
)

func atkNewKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// atkWorld is the mock world with two vendors: SmartCloud (A, with a
// system and a system user for TILFELDIG SUBTIL APE, and a certificate
// client) and ANNEN LEVERANDØR (B, with a system and an open request).
type atkWorld struct {
	env       *Env
	hc        *http.Client
	requestB  string // B's request for APE, New
	confirmB  string // its confirm page, path and query
	vendorTok map[string]string
}

func atkSeed() Seed {
	right := []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	vendorScopes := []string{"altinn:authentication/systemregister.write", "altinn:authentication/systemuser.request.write", "altinn:authentication/systemuser.request.read"}
	system := func(id, vendor string, clients ...string) map[string]any {
		cl := []any{}
		for _, c := range clients {
			cl = append(cl, c)
		}
		return map[string]any{
			"id": id, "vendor": map[string]any{"authority": mpAuthority, "ID": "0192:" + vendor},
			"name": map[string]any{"nb": id}, "description": map[string]any{"nb": id},
			"rights": right, "clientId": cl, "isVisible": true,
		}
	}
	s := ServiceOwnerSeed()
	return s.Merge(Seed{
		Orgs: []Org{{OrgNo: atkVendorB, Name: "ANNEN LEVERANDØR AS"}},
		Clients: []SeedClient{
			{ClientID: atkClientA, OrgNo: OrgSmartCloud, Scopes: append([]string{ScopeKravOgBetalinger}, vendorScopes...),
				JWKS: client.JWKS{Keys: []client.JWK{client.PublicJWK(&atkKeyA().PublicKey, atkKidA)}}},
			{ClientID: atkClientB, OrgNo: atkVendorB, Scopes: vendorScopes,
				JWKS: client.JWKS{Keys: []client.JWK{client.PublicJWK(&atkKeyB().PublicKey, atkKidB)}}},
			{ClientID: atkClientCert, OrgNo: OrgSmartCloud, Scopes: []string{ScopeKravOgBetalinger}},
		},
		Systems:     []map[string]any{system(atkSystemA, OrgSmartCloud, atkClientA, atkClientCert), system(atkSystemB, atkVendorB, atkClientB)},
		SystemUsers: []SeedSystemUser{{SystemID: atkSystemA, PartyOrgNo: OrgSubtilApe}},
	})
}

func newAtkWorld(t *testing.T) *atkWorld {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := Start(ctx, atkSeed())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	w := &atkWorld{env: env, vendorTok: map[string]string{},
		hc: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	rights := []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	status, req := w.altinn(t, "POST", "authentication/api/v1/systemuser/request/vendor", w.vendor(t, atkClientB),
		map[string]any{"systemId": atkSystemB, "partyOrgNo": OrgSubtilApe, "rights": rights}, nil)
	if status != 201 {
		t.Fatalf("B's request: %d %v", status, req)
	}
	w.requestB = req["id"].(string)
	u, _ := url.Parse(req["confirmUrl"].(string))
	w.confirmB = u.RequestURI()
	return w
}

// claims is a valid plain grant of the client.
func (w *atkWorld) claims(iss string) jwt.MapClaims {
	now := w.env.Clock.Now()
	return jwt.MapClaims{
		"iss": iss, "aud": w.env.MaskinportenURL, "iat": now.Unix(), "exp": now.Add(60 * time.Second).Unix(),
		"jti": mpRandomID(), "scope": ScopeKravOgBetalinger,
	}
}

// signed signs claims with key under kid, or with x5c when chain is given.
func (w *atkWorld) signed(t *testing.T, key *rsa.PrivateKey, kid string, chain []*x509.Certificate, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if chain != nil {
		var x5c []string
		for _, cert := range chain {
			x5c = append(x5c, base64.StdEncoding.EncodeToString(cert.Raw))
		}
		tok.Header["x5c"] = x5c
	} else {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// grantA is client A's valid grant with its claims edited.
func (w *atkWorld) grantA(t *testing.T, edit func(jwt.MapClaims)) (string, jwt.MapClaims) {
	c := w.claims(atkClientA)
	if edit != nil {
		edit(c)
	}
	return w.signed(t, atkKeyA(), atkKidA, nil, c), c
}

// postToken posts a raw form body to /token.
func (w *atkWorld) postToken(t *testing.T, body string) (int, map[string]any) {
	t.Helper()
	resp, err := w.hc.Post(w.env.MaskinportenURL+"token", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("/token %d: not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func atkForm(assertion string) string { return mpForm(assertion).Encode() }

// vendor is the vendor client's token for Altinn's vendor APIs.
func (w *atkWorld) vendor(t *testing.T, clientID string) string {
	t.Helper()
	if tok := w.vendorTok[clientID]; tok != "" {
		return tok
	}
	key, kid := atkKeyA(), atkKidA
	if clientID == atkClientB {
		key, kid = atkKeyB(), atkKidB
	}
	c := w.claims(clientID)
	c["scope"] = "altinn:authentication/systemregister.write altinn:authentication/systemuser.request.write altinn:authentication/systemuser.request.read"
	status, body := w.postToken(t, atkForm(w.signed(t, key, kid, nil, c)))
	if status != 200 {
		t.Fatalf("token for %s: %d %v", clientID, status, body)
	}
	w.vendorTok[clientID] = body["access_token"].(string)
	return w.vendorTok[clientID]
}

// altinn sends a request to the mock Altinn; body is JSON, or a form when
// it is url.Values.
func (w *atkWorld) altinn(t *testing.T, method, path, token string, body any, header http.Header) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, _ := http.NewRequest(method, w.env.AltinnURL+strings.TrimPrefix(path, "/"), rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"_body": string(raw)}
	}
	return resp.StatusCode, out
}

// requestStatusB is B's own read of its request.
func (w *atkWorld) requestStatusB(t *testing.T) string {
	t.Helper()
	status, body := w.altinn(t, "GET", "authentication/api/v1/systemuser/request/vendor/"+w.requestB, w.vendor(t, atkClientB), nil, nil)
	if status != 200 {
		t.Fatalf("B reads its request: %d %v", status, body)
	}
	s, _ := body["status"].(string)
	return s
}

// systemB is B's own read of its system, as JSON.
func (w *atkWorld) systemB(t *testing.T) string {
	t.Helper()
	status, body := w.altinn(t, "GET", "authentication/api/v1/systemregister/vendor/"+atkSystemB, w.vendor(t, atkClientB), nil, nil)
	if status != 200 {
		t.Fatalf("B reads its system: %d %v", status, body)
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// jtiStillFree: the client's next valid grant with the attack's jti gets a
// token, so the refused grant neither spent the jti nor broke the client.
func (w *atkWorld) jtiStillFree(t *testing.T, jti string) {
	t.Helper()
	g, _ := w.grantA(t, func(c jwt.MapClaims) { c["jti"] = jti })
	if status, body := w.postToken(t, atkForm(g)); status != 200 {
		t.Errorf("after the attack, A's valid grant with the same jti: %d %v", status, body)
	}
}

// atkCA is a CA of the test's own making (not trusted by the mock), and a
// leaf it issues for key.
func atkCA(t *testing.T, subject pkix.Name, leafKey *rsa.PrivateKey, now time.Time) (ca, leaf *x509.Certificate) {
	t.Helper()
	caKey := atkCertKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Untrusted Test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(der)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(der)
	return ca, leaf
}

// atkSelfSigned is a certificate for key, signed by key.
func atkSelfSigned(t *testing.T, subject pkix.Name, key *rsa.PrivateKey, now time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// atkTamper replaces the claims of a signed JWT, keeping its header and
// signature.
func atkTamper(t *testing.T, jwtStr string, c jwt.MapClaims) string {
	t.Helper()
	parts := strings.Split(jwtStr, ".")
	b, _ := json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// atkHS256 signs claims with HMAC, using the client's public key (as PEM,
// what a naive verifier would load) as the secret: the key confusion
// attack.
func atkHS256(t *testing.T, pub *rsa.PublicKey, c jwt.MapClaims) string {
	t.Helper()
	der, _ := x509.MarshalPKIXPublicKey(pub)
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = atkKidA
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type atkResult struct {
	status int
	code   string // error, or the Altinn problem's code
	id     string // the MP id
	body   map[string]any
}

func tokenResult(status int, body map[string]any) atkResult {
	code, _ := body["error"].(string)
	return atkResult{status: status, code: code, id: mpErrID(body), body: body}
}

func TestAttacksChangeNothing(t *testing.T) {
	w := newAtkWorld(t)
	now := time.Now()
	smartCloud := pkix.Name{CommonName: "SMARTCLOUD AS", ExtraNames: []pkix.AttributeTypeAndValue{{Type: mpOrgIdentifierOID, Value: "NTRNO-" + OrgSmartCloud}}}
	beforeSystemB := w.systemB(t)
	requestNew := func(t *testing.T) {
		if got := w.requestStatusB(t); got != reqStatusNew {
			t.Errorf("B's request is %s after the attack, want New", got)
		}
	}
	systemUnchanged := func(t *testing.T) {
		if got := w.systemB(t); got != beforeSystemB {
			t.Errorf("B's system changed:\nbefore %s\nafter  %s", beforeSystemB, got)
		}
	}

	type row struct {
		name   string
		attack func(t *testing.T) (atkResult, func(t *testing.T))
		status int
		code   string
		id     string // "" means: not checked
	}
	// A token row: post the form, and afterwards the grant's jti is free.
	tokenRow := func(make func(t *testing.T) (form string, jti string)) func(t *testing.T) (atkResult, func(t *testing.T)) {
		return func(t *testing.T) (atkResult, func(t *testing.T)) {
			form, jti := make(t)
			r := tokenResult(w.postToken(t, form))
			return r, func(t *testing.T) {
				if r.body["access_token"] != nil {
					t.Error("a refused request carries an access_token")
				}
				w.jtiStillFree(t, jti)
			}
		}
	}
	// An x5c row: the certificate client signs with a certificate of the
	// attacker's making.
	certRow := func(cert func(t *testing.T) []*x509.Certificate) func(t *testing.T) (atkResult, func(t *testing.T)) {
		return func(t *testing.T) (atkResult, func(t *testing.T)) {
			c := w.claims(atkClientCert)
			r := tokenResult(w.postToken(t, atkForm(w.signed(t, atkCertKey(), "", cert(t), c))))
			return r, func(t *testing.T) {
				if r.body["access_token"] != nil {
					t.Error("a refused request carries an access_token")
				}
				if status, body := w.mpSelfService(t, "api/v1/clients/"+atkClientCert+"/jwks"); status != 200 || len(body["keys"].([]any)) != 0 {
					t.Errorf("the certificate client's keys: %d %v", status, body)
				}
				// The client's own certificate, from the trusted test CA,
				// with the attack's jti: still free.
				leaf, _, err := IssueBusinessCertificate(&atkCertKey().PublicKey, OrgSmartCloud, "SMARTCLOUD AS", now)
				if err != nil {
					t.Fatal(err)
				}
				if status, body := w.postToken(t, atkForm(w.signed(t, atkCertKey(), "", []*x509.Certificate{leaf}, c))); status != 200 {
					t.Errorf("after the attack, the certificate client's valid grant with the same jti: %d %v", status, body)
				}
			}
		}
	}
	altinnRow := func(method, path func() string, token func(t *testing.T) string, body any, header http.Header, unchanged func(t *testing.T)) func(t *testing.T) (atkResult, func(t *testing.T)) {
		return func(t *testing.T) (atkResult, func(t *testing.T)) {
			status, out := w.altinn(t, method(), path(), token(t), body, header)
			code, _ := out["code"].(string)
			return atkResult{status: status, code: code, body: out}, unchanged
		}
	}
	fixed := func(s string) func() string { return func() string { return s } }
	asA := func(t *testing.T) string { return w.vendor(t, atkClientA) }
	// A confirm row posts the page's form (the request, the person, as
	// today's page sends it) with the browser's headers.
	confirmRow := func(decision string, header http.Header) func(t *testing.T) (atkResult, func(t *testing.T)) {
		return func(t *testing.T) (atkResult, func(t *testing.T)) {
			status, out := w.altinn(t, "POST", "accessmanagement/ui/systemuser/request/"+decision, "",
				url.Values{"id": {w.requestB}, "pid": {PIDStadigKonsert}}, header)
			return atkResult{status: status, body: out}, requestNew
		}
	}

	rows := []row{
		{"forged signature", tokenRow(func(t *testing.T) (string, string) {
			g, c := w.grantA(t, nil)
			sig := []byte(g[strings.LastIndexByte(g, '.')+1:])
			// Another base64url letter: another signature (flipping a bit
			// could make '-' or '_' a character outside the alphabet).
			if sig[10] == 'A' {
				sig[10] = 'B'
			} else {
				sig[10] = 'A'
			}
			return atkForm(g[:strings.LastIndexByte(g, '.')+1] + string(sig)), c["jti"].(string)
		}), 400, "invalid_grant", "MP-124"},
		{"alg none", tokenRow(func(t *testing.T) (string, string) {
			c := w.claims(atkClientA)
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, c)
			tok.Header["kid"] = atkKidA
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return atkForm(s), c["jti"].(string)
		}), 400, "invalid_grant", ""},
		{"HS256 with the public key as secret", tokenRow(func(t *testing.T) (string, string) {
			c := w.claims(atkClientA)
			return atkForm(atkHS256(t, &atkKeyA().PublicKey, c)), c["jti"].(string)
		}), 400, "invalid_grant", ""},
		{"expired", tokenRow(func(t *testing.T) (string, string) {
			g, c := w.grantA(t, func(c jwt.MapClaims) {
				c["iat"], c["exp"] = now.Add(-300*time.Second).Unix(), now.Add(-200*time.Second).Unix()
			})
			return atkForm(g), c["jti"].(string)
		}), 400, "invalid_grant", ""},
		{"signed with B's key under A's kid", tokenRow(func(t *testing.T) (string, string) {
			c := w.claims(atkClientA)
			return atkForm(w.signed(t, atkKeyB(), atkKidA, nil, c)), c["jti"].(string)
		}), 400, "invalid_grant", "MP-124"},
		{"edited payload: a system user added", tokenRow(func(t *testing.T) (string, string) {
			g, c := w.grantA(t, nil)
			c["authorization_details"] = []any{map[string]any{"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSubtilApe}}}
			return atkForm(atkTamper(t, g, c)), c["jti"].(string)
		}), 400, "invalid_grant", "MP-124"},
		{"nbf in the future", tokenRow(func(t *testing.T) (string, string) {
			g, c := w.grantA(t, func(c jwt.MapClaims) { c["nbf"] = now.Add(60 * time.Second).Unix() })
			return atkForm(g), c["jti"].(string)
		}), 400, "invalid_grant", ""},
		{"assertion twice", tokenRow(func(t *testing.T) (string, string) {
			a, c := w.grantA(t, nil)
			b, _ := w.grantA(t, nil)
			return url.Values{"grant_type": {mpJWTBearer}, "assertion": {a, b}}.Encode(), c["jti"].(string)
		}), 400, "invalid_request", ""},
		{"grant_type twice", tokenRow(func(t *testing.T) (string, string) {
			a, c := w.grantA(t, nil)
			return url.Values{"grant_type": {mpJWTBearer, "client_credentials"}, "assertion": {a}}.Encode(), c["jti"].(string)
		}), 400, "invalid_request", ""},
		{"self-signed x5c with SmartCloud's org number", certRow(func(t *testing.T) []*x509.Certificate {
			return []*x509.Certificate{atkSelfSigned(t, smartCloud, atkCertKey(), now)}
		}), 400, "invalid_grant", "MP-120"},
		{"x5c from a CA the mock does not trust", certRow(func(t *testing.T) []*x509.Certificate {
			ca, leaf := atkCA(t, smartCloud, atkCertKey(), now)
			return []*x509.Certificate{leaf, ca}
		}), 400, "invalid_grant", "MP-120"},
		{"x5c from the trusted CA, for A's client, which has a registered key", tokenRow(func(t *testing.T) (string, string) {
			leaf, _, err := IssueBusinessCertificate(&atkCertKey().PublicKey, OrgSmartCloud, "SMARTCLOUD AS", now)
			if err != nil {
				t.Fatal(err)
			}
			c := w.claims(atkClientA)
			return atkForm(w.signed(t, atkCertKey(), "", []*x509.Certificate{leaf}, c)), c["jti"].(string)
		}), 400, "invalid_grant", ""},
		// The confirm page's buttons, posted by another site's page (or
		// without the login the page stands behind).
		{"cross-site approve, no session", confirmRow("approve",
			http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}), 403, "", ""},
		{"cross-site reject, Sec-Fetch-Site only", confirmRow("reject", http.Header{"Sec-Fetch-Site": {"cross-site"}}), 403, "", ""},
		{"same-origin approve without logging in", confirmRow("approve",
			http.Header{"Origin": {strings.TrimSuffix(w.env.AltinnURL, "/")}, "Sec-Fetch-Site": {"same-origin"}}), 403, "", ""},
		// Even with the person's session cookie and the form's token (which a
		// browser would not send cross-site: SameSite=Strict), another
		// site's post is refused.
		{"cross-site approve with the person's session and token", func(t *testing.T) (atkResult, func(t *testing.T)) {
			cookie, token := w.logIn(t, PIDStadigKonsert)
			status, out := w.altinn(t, "POST", "accessmanagement/ui/systemuser/request/approve", "",
				url.Values{"id": {w.requestB}, "csrf": {token}},
				http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {"cross-site"}, "Cookie": {cookie}})
			return atkResult{status: status, body: out}, requestNew
		}, 403, "", ""},
		// The system register checks the vendor (AUTHN SystemRegisterController
		// GetRegisteredSystemInfo, UpdateWholeRegisteredSystem,
		// SetDeleteOnRegisteredSystem: HasWriteAccess, else Forbid()).
		{"A reads B's system", altinnRow(fixed("GET"), fixed("authentication/api/v1/systemregister/vendor/"+atkSystemB), asA, nil, nil, systemUnchanged), 403, "", ""},
		{"A replaces B's system", altinnRow(fixed("PUT"), fixed("authentication/api/v1/systemregister/vendor/"+atkSystemB), asA,
			map[string]any{"id": atkSystemB, "vendor": map[string]any{"authority": mpAuthority, "ID": "0192:" + atkVendorB},
				"name": map[string]any{"nb": "hijacked"}, "description": map[string]any{"nb": "hijacked"}, "clientId": []any{atkClientA}, "isVisible": true},
			nil, systemUnchanged), 403, "", ""},
		{"A deletes B's system", altinnRow(fixed("DELETE"), fixed("authentication/api/v1/systemregister/vendor/"+atkSystemB), asA, nil, nil, systemUnchanged), 403, "", ""},
		// A request is read only by its system's vendor (AUTHN
		// RequestSystemUserService.GetRequestByGuid:
		// RetrieveChosenSystemInfoAndValidateVendorOrgNo).
		{"A reads B's request", altinnRow(fixed("GET"), func() string { return "authentication/api/v1/systemuser/request/vendor/" + w.requestB }, asA, nil, nil, requestNew), 404, "AUTH-00011", ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got, unchanged := r.attack(t)
			if got.status != r.status || got.code != r.code || (r.id != "" && got.id != r.id) {
				t.Errorf("got %d %q %q, want %d %q %q: %v", got.status, got.code, got.id, r.status, r.code, r.id, got.body)
			}
			unchanged(t)
		})
	}
}

// logIn logs pid in on the confirm page of B's request, as the person's
// browser does, and returns the session cookie and the page's CSRF token.
func (w *atkWorld) logIn(t *testing.T, pid string) (cookie, csrf string) {
	t.Helper()
	req, _ := http.NewRequest("POST", w.env.AltinnURL+"accessmanagement/ui/login", strings.NewReader(url.Values{"pid": {pid}, "returnTo": {w.confirmB}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := w.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || len(resp.Cookies()) != 1 {
		t.Fatalf("log in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	cookie = resp.Cookies()[0].Name + "=" + resp.Cookies()[0].Value
	_, page := w.altinn(t, "GET", w.confirmB, "", nil, http.Header{"Cookie": {cookie}})
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page["_body"].(string))
	if m == nil {
		t.Fatalf("no CSRF token on the page: %v", page)
	}
	return cookie, m[1]
}

// mpSelfService reads the self-service API.
func (w *atkWorld) mpSelfService(t *testing.T, path string) (int, map[string]any) {
	t.Helper()
	resp, err := w.hc.Get(w.env.MaskinportenURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
