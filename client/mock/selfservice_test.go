package mock

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

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
	exponentOne := newKey
	exponentOne.E = "AQ"
	noAlg, noUse, badKid := newKey, newKey, newKey
	noAlg.Alg, noUse.Use, badKid.Kid = "", "", "my key/1"
	six := client.JWKS{}
	for i := range 6 {
		k := newKey
		k.Kid = fmt.Sprintf("k%d", i)
		six.Keys = append(six.Keys, k)
	}
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
		{"exponent 1", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{exponentOne}}, "exponent e is 1"},
		{"no alg", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{noAlg}}, "alg is missing"},
		{"no use", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{noUse}}, "use is missing"},
		{"kid with a space and a slash", "api/v1/clients/" + id + "/jwks", client.JWKS{Keys: []client.JWK{badKid}}, `kid "my key/1"`},
		{"six keys", "api/v1/clients/" + id + "/jwks", six, "6 keys; Maskinporten takes at most 5"},
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
