package client

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The well-known document of test Maskinporten, verbatim as quoted (§1).
const wellKnownTest = `{
  "authorization_details_types_supported": ["urn:altinn:systemuser", "urn:altinn:consent"],
  "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
  "issuer": "https://test.maskinporten.no/",
  "jwks_uri": "https://test.maskinporten.no/jwk",
  "token_endpoint": "https://test.maskinporten.no/token",
  "token_endpoint_auth_methods_supported": ["private_key_jwt"],
  "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512"]
}`

func TestContractWellKnownVerbatim(t *testing.T) {
	s := serve(t, 200, "application/json;charset=UTF-8", wellKnownTest)
	md, err := NewMaskinporten(s.URL, s.Client()).WellKnown(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md.Issuer != "https://test.maskinporten.no/" || md.JWKSURI != "https://test.maskinporten.no/jwk" ||
		md.TokenEndpoint != "https://test.maskinporten.no/token" {
		t.Errorf("metadata %+v", md)
	}
	if strings.Join(md.AuthorizationDetailsTypes, ",") != "urn:altinn:systemuser,urn:altinn:consent" ||
		strings.Join(md.TokenEndpointSigningAlgs, ",") != "RS256,RS384,RS512" || md.GrantTypesSupported[0] != GrantTypeJWTBearer {
		t.Errorf("metadata lists %+v", md)
	}
}

// fakeMaskinporten is test Maskinporten's contract: the well-known
// document in its verbatim shape (with this server's URL), /jwk, and
// /token, which checks the grant as §2 describes and issues a token shaped
// like Altinn's tt02 example (§2.5), with systemuser_org's "id" in lower
// case as that doc page shows.
type fakeMaskinporten struct {
	*httptest.Server
	mpKey     SigningKey
	clientKey *rsa.PublicKey
	grants    atomic.Int32
	// fail, when set, is the error answer of /token.
	fail string
	// expiresIn is the raw JSON value of expires_in.
	expiresIn string
	lastGrant jwt.MapClaims
	lastHead  map[string]any
}

func newFakeMaskinporten(t *testing.T, clientKey *rsa.PublicKey) *fakeMaskinporten {
	t.Helper()
	f := &fakeMaskinporten{mpKey: SigningKey{Key: key(t), KeyID: "mp-test-2026"}, clientKey: clientKey, expiresIn: "599"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, strings.ReplaceAll(wellKnownTest, "https://test.maskinporten.no/", f.URL+"/"))
	})
	mux.HandleFunc("GET /jwk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(f.mpKey.PublicJWKS().MarshalIndent())
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		f.grants.Add(1)
		oauthErr := func(status int, code, desc string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			oauthErr(400, "invalid_request", "Content-Type "+ct)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != GrantTypeJWTBearer {
			oauthErr(400, "unsupported_grant_type", "grant_type")
			return
		}
		claims := jwt.MapClaims{}
		tok, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*jwt.Token) (any, error) { return f.clientKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(f.URL+"/"), jwt.WithIssuedAt())
		if err != nil {
			oauthErr(400, "invalid_grant", "Invalid assertion. Client authentication failed. (MP-124) "+err.Error())
			return
		}
		f.lastGrant, f.lastHead = claims, tok.Header
		if f.fail != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, f.fail)
			return
		}
		ad := claims["authorization_details"].([]any)[0].(map[string]any)
		org := ad["systemuser_org"].(map[string]any)
		now := time.Now()
		access := Grant{ClientID: "x", IssuedAt: now, Lifetime: 120 * time.Second, Extra: map[string]any{
			"iss": f.URL + "/", "client_id": claims["iss"], "client_amr": "private_key_jwt", "token_type": "Bearer",
			"scope": claims["scope"], "consumer": map[string]string{"authority": OrgAuthority, "ID": "0192:991825827"},
			"authorization_details": []map[string]any{{
				"type":           AuthorizationTypeSystemUser,
				"systemuser_org": map[string]string{"authority": OrgAuthority, "id": org["ID"].(string)},
				"systemuser_id":  []string{"ebe4a681-0a8c-429e-a36f-8f9ca942b59f"},
				"system_id":      "991825827_smartcloud",
			}},
		}}
		signed, err := access.Sign(f.mpKey)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":%s,"scope":%q}`, signed, f.expiresIn, claims["scope"])
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func TestContractExpiresInValues(t *testing.T) {
	for raw, want := range map[string]int{"599": 599, "119": 119, "120.0": 120, `"599"`: 599, "null": 0} {
		var tr TokenResponse
		err := json.Unmarshal([]byte(`{"access_token":"IxC0B76vlWl3fiQhAwZUmD0hr_PPwC9hSIXRdoUslPU=","token_type":"Bearer","expires_in":`+raw+`,"scope":"difitest:test1"}`), &tr)
		if err != nil || tr.ExpiresIn != want || tr.AccessToken != "IxC0B76vlWl3fiQhAwZUmD0hr_PPwC9hSIXRdoUslPU=" || tr.Scope != "difitest:test1" {
			t.Errorf("expires_in %s: %+v %v", raw, tr, err)
		}
	}
	var tr TokenResponse
	if err := json.Unmarshal([]byte(`{"access_token":"x","expires_in":"soon"}`), &tr); err == nil {
		t.Error("expires_in \"soon\" accepted")
	}
}

func TestContractMaskinportenRefusal(t *testing.T) {
	vendor := SigningKey{Key: key(t), KeyID: "smartcloud-1"}
	mp := newFakeMaskinporten(t, &vendor.Key.PublicKey)
	mp.fail = `{"error":"invalid_altinn_customer_configuration","error_description":"Altinn could not find a system user for the customer (MP-303)"}`
	_, err := NewMaskinporten(mp.URL+"/", mp.Client()).SystemUserToken(context.Background(), SystemUserTokenRequest{
		ClientID: "c", Key: vendor, OrgNo: "314250052", Scopes: []string{"skatteetaten:kravogbetalinger"},
	})
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.MPCode != "MP-303" || oe.Code != "invalid_altinn_customer_configuration" || oe.Status != 400 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(Explain(err), "not approved") {
		t.Errorf("explain: %q", Explain(err))
	}
	if mp.grants.Load() != 1 {
		t.Errorf("the token POST was sent %d times; a POST is never retried", mp.grants.Load())
	}
}
