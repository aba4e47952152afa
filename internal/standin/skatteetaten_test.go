package standin

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestKBErrors(t *testing.T) {
	w := Start(t, Options{})
	api := w.SkatteetatenURL + "v1/regnskapssystem/" + customer + "/aapnekrav"
	plain := accessToken(t, w, newGrant(w, w.ClientID, scopeKB))
	noScope := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claimsOf(t, plain))).SignedString(other)
	cases := []struct {
		name, url, token string
		status           int
		kode             string
	}{
		{"no token", api, "", 401, "KB-004"},
		{"forged token", api, forged, 401, "KB-004"},
		{"no API scope", api, noScope, 401, "KB-004"},
		{"no system user", api, plain, 403, "KB-005"},
		{"unknown rights package", w.SkatteetatenURL + "v1/ukjent/" + customer + "/aapnekrav", plain, 404, "KB-003"},
		{"not an org number", w.SkatteetatenURL + "v1/regnskapssystem/12/aapnekrav", plain, 400, "KB-006"},
		{"unknown path", w.SkatteetatenURL + "v2/x", plain, 404, "KB-003"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, w, "GET", tc.url, tc.token, nil)
			m := r.json(t)
			if r.status != tc.status || m["kode"] != tc.kode || m["melding"] == "" || m["korrelasjonsid"] == "" {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tc.status, tc.kode)
			}
		})
	}
}

// TestWrongKey: a grant signed with another key under the registered kid.
func TestWrongKey(t *testing.T) {
	w := Start(t, Options{})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	g := newGrant(w, w.ClientID, vendorScopes)
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": g.clientID, "aud": g.aud, "scope": g.scope,
		"iat": g.iat.Unix(), "exp": g.exp.Unix(), "jti": g.jti})
	tok.Header["kid"] = w.KeyID
	s, _ := tok.SignedString(other)
	r := tokenReply(t, w, s)
	if m := r.json(t); r.status != 400 || m["error"] != "invalid_grant" || m["error_uri"] != "https://maskinporten.no/errors/MP-124" {
		t.Errorf("%d %s", r.status, r.body)
	}
}
