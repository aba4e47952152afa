package standin

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestGrantRules: each rule of the token endpoint, with the error value and
// MP id it answers (in error_uri by default).
func TestGrantRules(t *testing.T) {
	w := Start(t, Options{})
	cases := []struct {
		name      string
		change    func(g grant, now time.Time) grant
		wantError string
		wantID    string
	}{
		{"good", func(g grant, now time.Time) grant { return g }, "", ""},
		{"aud is the token endpoint", func(g grant, now time.Time) grant { g.aud = w.MaskinportenURL + "token"; return g }, "", ""},
		{"old iat, exp ahead", func(g grant, now time.Time) grant {
			g.iat, g.exp = now.Add(-150*time.Second), now.Add(20*time.Second)
			return g
		}, "", ""},
		{"iat 5 s ahead", func(g grant, now time.Time) grant { g.iat = now.Add(5 * time.Second); return g }, "", ""},
		{"exp 5 s ago", func(g grant, now time.Time) grant {
			g.iat, g.exp = now.Add(-60*time.Second), now.Add(-5*time.Second)
			return g
		}, "", ""},
		{"lifetime 180 s", func(g grant, now time.Time) grant { g.exp = g.iat.Add(180 * time.Second); return g }, "", ""},
		{"wrong aud", func(g grant, now time.Time) grant { g.aud = "https://maskinporten.no/"; return g }, "invalid_grant", "MP-110"},
		{"unknown client", func(g grant, now time.Time) grant { g.clientID = "no-such-client"; return g }, "invalid_grant", "MP-100"},
		{"unknown kid", func(g grant, now time.Time) grant { g.kid = "other"; return g }, "invalid_grant", ""},
		{"no kid", func(g grant, now time.Time) grant { g.kid = ""; return g }, "invalid_grant", ""},
		{"iat 15 s ahead", func(g grant, now time.Time) grant { g.iat = now.Add(15 * time.Second); return g }, "invalid_grant", ""},
		{"exp 15 s ago", func(g grant, now time.Time) grant {
			g.iat, g.exp = now.Add(-60*time.Second), now.Add(-15*time.Second)
			return g
		}, "invalid_grant", "MP-130"},
		{"lifetime 181 s", func(g grant, now time.Time) grant { g.exp = g.iat.Add(181 * time.Second); return g }, "invalid_grant", ""},
		{"scope not on the client", func(g grant, now time.Time) grant { g.scope = "difitest:test1"; return g }, "invalid_scope", "MP-200"},
		{"no scope", func(g grant, now time.Time) grant { g.scope = " "; return g }, "invalid_scope", ""},
		{"unknown type", func(g grant, now time.Time) grant {
			g.details = []any{map[string]any{"type": "urn:altinn:consent"}}
			return g
		}, "invalid_authorization_details", "MP-301"},
		{"unknown field", func(g grant, now time.Time) grant {
			g = g.forOrg(customer, "")
			g.details.([]any)[0].(map[string]any)["systemuser_id"] = "x"
			return g
		}, "invalid_authorization_details", "MP-302"},
		{"lower-case id", func(g grant, now time.Time) grant {
			g.details = []any{map[string]any{"type": typeSystemUser, "systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "id": "0192:" + customer}}}
			return g
		}, "invalid_authorization_details", "MP-303"},
		{"no system user", func(g grant, now time.Time) grant { return g.forOrg(customer, "") }, "invalid_altinn_customer_configuration", "MP-303"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenReply(t, w, tc.change(newGrant(w, w.ClientID, vendorScopes), w.now()).sign(t, w))
			m := r.json(t)
			if tc.wantError == "" {
				if r.status != 200 || m["token_type"] != "Bearer" || m["expires_in"] != float64(120) {
					t.Fatalf("%d %s", r.status, r.body)
				}
				return
			}
			desc, _ := m["error_description"].(string)
			if r.status != 400 || m["error"] != tc.wantError || strings.Contains(desc, "MP-") || !strings.Contains(desc, "(trace_id: ") {
				t.Fatalf("%d %s, want 400 %s", r.status, r.body, tc.wantError)
			}
			uri, _ := m["error_uri"].(string)
			if (tc.wantID == "" && uri != "") || (tc.wantID != "" && uri != "https://maskinporten.no/errors/"+tc.wantID) {
				t.Errorf("error_uri %q, want the id %q", uri, tc.wantID)
			}
		})
	}
}

func TestGrantReplay(t *testing.T) {
	w := Start(t, Options{})
	g := newGrant(w, w.ClientID, vendorScopes).sign(t, w)
	if r := tokenReply(t, w, g); r.status != 200 {
		t.Fatalf("first use: %d %s", r.status, r.body)
	}
	r := tokenReply(t, w, g)
	if uri, _ := r.json(t)["error_uri"].(string); r.status != 400 || !strings.HasSuffix(uri, "MP-012") {
		t.Errorf("second use: %d %s", r.status, r.body)
	}
}

func TestMPIDPlacement(t *testing.T) {
	w := Start(t, Options{MPIDs: MPIDInDescription})
	bad := func() map[string]any {
		g := newGrant(w, w.ClientID, vendorScopes)
		g.aud = "https://maskinporten.no/"
		return tokenReply(t, w, g.sign(t, w)).json(t)
	}
	if m := bad(); !strings.HasPrefix(m["error_description"].(string), "MP-110: ") || m["error_uri"] != nil {
		t.Errorf("in description: %v", m)
	}
	w.SetMPIDs(MPIDNone)
	if m := bad(); strings.Contains(m["error_description"].(string), "MP-") || m["error_uri"] != nil || m["error"] != "invalid_grant" {
		t.Errorf("none: %v", m)
	}
}

// TestTokenEndpointForm: the grant comes as a form (Digdir's token page);
// a JSON body is not one.
func TestTokenEndpointForm(t *testing.T) {
	w := Start(t, Options{})
	r := call(t, w, "POST", w.MaskinportenURL+"token", "", map[string]string{"grant_type": grantTypeJWT, "assertion": "x"})
	if r.status != 400 || r.json(t)["error"] != "unsupported_grant_type" {
		t.Errorf("JSON body: %d %s", r.status, r.body)
	}
	resp, err := w.HTTPClient().PostForm(w.MaskinportenURL+"token", url.Values{"grant_type": {grantTypeJWT}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("no assertion: %d", resp.StatusCode)
	}
}

// TestAccessTokenVerifies: the token verifies against the published JWKS,
// and expires with the world's clock.
func TestAccessTokenVerifies(t *testing.T) {
	w := Start(t, Options{ExpiresIn: 60})
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	keys := call(t, w, "GET", w.MaskinportenURL+"jwk", "", nil).json(t)["keys"].([]any)
	k, _ := keys[0].(map[string]any)
	parsed, err := jwt.Parse(tok, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != k["kid"] {
			t.Errorf("token kid %v, JWKS kid %v", tk.Header["kid"], k["kid"])
		}
		return &w.mpKey.PublicKey, nil
	}, jwt.WithIssuer(w.MaskinportenURL), jwt.WithTimeFunc(w.now))
	if err != nil || !parsed.Valid {
		t.Fatalf("verify: %v", err)
	}
	if c := claimsOf(t, tok); c["exp"].(float64)-c["iat"].(float64) != 60 {
		t.Errorf("lifetime: exp %v iat %v", c["exp"], c["iat"])
	}
	systems := w.AltinnURL + "authentication/api/v1/systemregister/vendor"
	if r := call(t, w, "GET", systems, tok, nil); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
	w.Advance(65 * time.Second) // within the 10 s skew
	if r := call(t, w, "GET", systems, tok, nil); r.status != 200 {
		t.Errorf("5 s past exp: %d", r.status)
	}
	w.Advance(10 * time.Second)
	if r := call(t, w, "GET", systems, tok, nil); r.status != 401 || len(r.body) != 0 {
		t.Errorf("15 s past exp: %d %q", r.status, r.body)
	}
	kb := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	if r := call(t, w, "GET", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/"+newGUID(), kb, nil); r.status != 404 {
		t.Errorf("unknown request with read scope: %d %s", r.status, r.body)
	}
	narrow := accessToken(t, w, newGrant(w, w.ClientID, scopeRegisterWrite))
	if r := call(t, w, "GET", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/"+newGUID(), narrow, nil); r.status != 403 || len(r.body) != 0 {
		t.Errorf("without the read scope: %d %q", r.status, r.body)
	}
}
