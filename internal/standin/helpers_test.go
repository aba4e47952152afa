package standin

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The tests drive the stand-in as a vendor would, with plain net/http and
// golang-jwt: nothing of the workbench's client.

var vendorScopes = scopeRegisterWrite + " " + scopeRequestWrite + " " + scopeRequestRead

// reply is one HTTP answer, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// call makes one request to the stand-in with its CA trusted.
func call(t *testing.T, w *World, method, rawURL, token string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := w.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// grant is a jwt-bearer grant's claims and header, to be varied per test.
type grant struct {
	clientID, kid, aud, scope string
	iat, exp                  time.Time
	jti                       string
	details                   any
	extra                     map[string]any
}

func newGrant(w *World, clientID, scope string) grant {
	now := w.now()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return grant{clientID: clientID, kid: w.KeyID, aud: w.MaskinportenURL, scope: scope,
		iat: now, exp: now.Add(100 * time.Second), jti: hex.EncodeToString(b)}
}

// forOrg adds authorization_details for the system user of org.
func (g grant) forOrg(org, externalRef string) grant {
	d := map[string]any{"type": "urn:altinn:systemuser",
		"systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + org}}
	if externalRef != "" {
		d["externalRef"] = externalRef
	}
	g.details = []any{d}
	return g
}

// sign signs the grant with the vendor's key, read from the key file the
// stand-in wrote, as a vendor's code would.
func (g grant) sign(t *testing.T, w *World) string {
	t.Helper()
	pemBytes, err := os.ReadFile(w.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	c := jwt.MapClaims{"iss": g.clientID, "aud": g.aud, "scope": g.scope, "iat": g.iat.Unix(), "exp": g.exp.Unix()}
	if g.jti != "" {
		c["jti"] = g.jti
	}
	if g.details != nil {
		c["authorization_details"] = g.details
	}
	for k, v := range g.extra {
		c[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if g.kid != "" {
		tok.Header["kid"] = g.kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tokenReply posts the grant to the token endpoint.
func tokenReply(t *testing.T, w *World, assertion string) reply {
	t.Helper()
	form := url.Values{"grant_type": {grantTypeJWT}, "assertion": {assertion}}
	resp, err := w.HTTPClient().PostForm(w.MaskinportenURL+"token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

// accessToken gets a token for the grant or fails the test.
func accessToken(t *testing.T, w *World, g grant) string {
	t.Helper()
	r := tokenReply(t, w, g.sign(t, w))
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	tok, _ := r.json(t)["access_token"].(string)
	return tok
}

// claimsOf decodes a JWT's claims without verifying (the test verifies
// against the JWKS where that matters).
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// standardSystem is a register body for the vendor's standard system.
func standardSystem(w *World) map[string]any {
	return map[string]any{
		"id":          w.VendorOrgNo + "_smartcloud",
		"vendor":      map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + w.VendorOrgNo},
		"name":        map[string]string{"nb": "SmartCloud", "nn": "SmartCloud", "en": "SmartCloud"},
		"description": map[string]string{"nb": "Rekneskap", "nn": "Rekneskap", "en": "Accounting"},
		"rights": []any{map[string]any{"resource": []any{
			map[string]string{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}}}},
		"clientId":            []string{w.ClientID},
		"allowedRedirectUrls": []string{"https://smartcloud.example/receipt"},
		"isVisible":           false,
	}
}

// agentSystem is a register body for the vendor's agent system.
func agentSystem(w *World) map[string]any {
	s := standardSystem(w)
	s["id"] = w.VendorOrgNo + "_smartcloud_ap"
	delete(s, "rights")
	s["accessPackages"] = []any{map[string]string{"urn": "urn:altinn:accesspackage:ansvarlig-revisor"}}
	s["clientId"] = []string{w.AgentClientID}
	return s
}

func standardRequest(w *World, org string) map[string]any {
	return map[string]any{
		"systemId": w.VendorOrgNo + "_smartcloud", "partyOrgNo": org,
		"rights": []any{map[string]any{"resource": []any{
			map[string]string{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}}}},
		"redirectUrl": "https://smartcloud.example/receipt",
	}
}

// register registers a system with a fresh vendor token.
func register(t *testing.T, w *World, body map[string]any) {
	t.Helper()
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	if r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemregister/vendor", tok, body); r.status != 200 {
		t.Fatalf("register %v: %d %s", body["id"], r.status, r.body)
	}
}

// code is an Altinn problem's code, or its first validation error's.
func code(t *testing.T, r reply) string {
	t.Helper()
	m := r.json(t)
	if errs, ok := m["validationErrors"].([]any); ok && len(errs) > 0 {
		e, _ := errs[0].(map[string]any)
		c, _ := e["code"].(string)
		return c
	}
	c, _ := m["code"].(string)
	return c
}
