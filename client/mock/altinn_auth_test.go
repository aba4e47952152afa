package mock

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

func TestAltinnBearerChecks(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	vendorClaims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{
			"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
			"scope":    alScopeSystemRegisterWrite,
		}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		token     string
		status    int
		challenge string // substring of WWW-Authenticate
	}{
		{"no token", "", 401, "Bearer"},
		{"not a JWT", "abc.def", 401, `error="invalid_token"`},
		{"wrong issuer", e.mp.token(t, vendorClaims(jwt.MapClaims{"iss": "https://evil.example/"})), 401, "issuer"},
		{"expired", e.mp.token(t, vendorClaims(jwt.MapClaims{"exp": time.Now().Add(-time.Minute).Unix()})), 401, "expired"},
		{"no exp", e.mp.token(t, vendorClaims(jwt.MapClaims{"exp": nil})), 401, "exp"},
		{"signed by a key Maskinporten does not publish", e.mp.tokenWith(t, "unknown-kid", vendorClaims(nil)), 401, "kid"},
		{"without the scope", e.mp.token(t, vendorClaims(jwt.MapClaims{"scope": alScopeRequestWrite})), 403, ""},
		{"a person's token", e.personalToken(PIDStadigKonsert), 403, ""},
		{"valid", e.mp.token(t, vendorClaims(nil)), 200, ""},
		{"exchanged at Altinn", e.exchanged(e.mp.token(t, vendorClaims(nil))), 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "authentication/api/v1/systemregister/vendor", tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 401 {
				if got := r.header.Get("WWW-Authenticate"); !strings.Contains(got, tc.challenge) {
					t.Errorf("WWW-Authenticate %q lacks %q", got, tc.challenge)
				}
				if len(r.body) != 0 {
					t.Errorf("401 has a body: %s", r.body)
				}
			}
			if tc.status == 403 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("403 is not a problem: %s", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestAltinnExchange(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	mpTok := e.mp.token(t, jwt.MapClaims{
		"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSkatteetaten},
		"scope":    alScopeAuthorize, "aud": "https://api.example/",
	})
	r := e.do("GET", "authentication/api/v1/exchange/maskinporten", mpTok, nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("exchange: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Verify the Altinn token the way a resource server would: the
	// issuer's OpenID configuration, then its JWKS.
	cfg := e.do("GET", "authentication/api/v1/openid/.well-known/openid-configuration", "", nil).obj(t)
	issuer := cfg["issuer"].(string)
	if issuer != e.url+"authentication/api/v1/openid/" {
		t.Errorf("issuer %q", issuer)
	}
	cache := newJWKSCache(cfg["jwks_uri"].(string), nil)
	claims, err := cache.verify(context.Background(), string(r.body), issuer, time.Now())
	if err != nil {
		t.Fatalf("verify the exchanged token: %v", err)
	}
	want := map[string]any{
		"urn:altinn:orgNumber": OrgSkatteetaten, "urn:altinn:authenticatemethod": "maskinporten",
		"urn:altinn:authlevel": float64(3), "scope": alScopeAuthorize, "client_id": "test-client",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	for _, k := range []string{"aud", "client_amr"} {
		if _, ok := claims[k]; ok {
			t.Errorf("claim %s was copied", k)
		}
	}
	if claims["consumer"] == nil || claims["sid"] == nil {
		t.Errorf("consumer or sid missing: %v", claims)
	}

	for _, tc := range []struct {
		name, path, token string
		status            int
	}{
		{"case-insensitive provider", "exchange/MaskinPorten", mpTok, 200},
		{"id-porten is not mocked", "exchange/id-porten", mpTok, 400},
		{"unknown provider", "exchange/facebook", mpTok, 400},
		{"no token", "exchange/maskinporten", "", 401},
		{"an Altinn token", "exchange/maskinporten", string(r.body), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.do("GET", "authentication/api/v1/"+tc.path, tc.token, nil); got.status != tc.status {
				t.Errorf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
		})
	}
}

func TestAltinnJWKS(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	var set client.JWKS
	if err := json.Unmarshal(e.do("GET", "authentication/api/v1/openid/jwks", "", nil).body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].Kid != "mock-altinn-1" {
		t.Fatalf("keys %+v", set.Keys)
	}
	if _, err := set.Keys[0].PublicKey(); err != nil {
		t.Error(err)
	}
}

func TestAltinnJWKSCacheRefetchesUnknownKid(t *testing.T) {
	clock := &Clock{}
	mp := newAltinnTestMP(t, clock)
	cache := newJWKSCache(mp.url+"jwk", nil)
	ctx := context.Background()
	verify := func(kid string) error {
		_, err := cache.verify(ctx, mp.tokenWith(t, kid, nil), mp.url, clock.Now())
		return err
	}
	if err := verify(altinnTestKid); err != nil {
		t.Fatalf("first token: %v", err)
	}
	if err := verify(altinnTestKid); err != nil {
		t.Fatalf("second token: %v", err)
	}
	if n := mp.jwkFetch.Load(); n != 1 {
		t.Errorf("fetched %d times for one kid, want 1", n)
	}
	// Maskinporten rotates: a new key appears under a new kid.
	mp.mu.Lock()
	mp.keys["mp-test-2"] = mustKey("skatteetaten")
	mp.mu.Unlock()
	if err := verify("mp-test-2"); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := mp.jwkFetch.Load(); n != 2 {
		t.Errorf("fetched %d times after rotation, want 2", n)
	}
	if err := verify("never-published"); err == nil || !strings.Contains(err.Error(), "kid") {
		t.Errorf("unknown kid: %v", err)
	}
	// Expiry follows the clock handed in.
	tok := mp.tokenWith(t, altinnTestKid, nil)
	if _, err := cache.verify(ctx, tok, mp.url, clock.Now().Add(10*time.Minute)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired: %v", err)
	}
}

// TestAltinnVerifiedTokenStillChecksTime: a token Altinn has verified
// once is remembered, but every use checks its exp and nbf against the
// clock again, which a scenario may move.
func TestAltinnVerifiedTokenStillChecksTime(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	vendor := e.mp.token(t, jwt.MapClaims{
		"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
		"scope":    alScopeSystemRegisterWrite,
	})
	exchanged := e.exchanged(vendor)
	for _, tok := range []string{vendor, exchanged, vendor, exchanged} {
		if r := e.do("GET", "authentication/api/v1/systemregister/vendor", tok, nil); r.status != 200 {
			t.Fatalf("valid token: %d %s", r.status, r.body)
		}
	}
	if n := len(e.alt.verified.m); n != 2 {
		t.Errorf("%d tokens remembered, want the 2 used", n)
	}
	// Past exp (120 s): both refused, though verified before.
	e.clock.SetOffset(121 * time.Second)
	for _, tok := range []string{vendor, exchanged} {
		r := e.do("GET", "authentication/api/v1/systemregister/vendor", tok, nil)
		if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), "expired") {
			t.Errorf("expired token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	// Before the exchanged token's nbf: refused too.
	e.clock.SetOffset(-time.Minute)
	r := e.do("GET", "authentication/api/v1/systemregister/vendor", exchanged, nil)
	if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), "nbf") {
		t.Errorf("token before its nbf: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	e.clock.SetOffset(0)
	if r := e.do("GET", "authentication/api/v1/systemregister/vendor", exchanged, nil); r.status != 200 {
		t.Errorf("valid again: %d", r.status)
	}
}
