package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// GrantTypeJWTBearer is the only grant type Maskinporten takes.
const GrantTypeJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Maskinporten is a client of Maskinporten's token service.
type Maskinporten struct{ Base }

// NewMaskinporten returns a client for the Maskinporten at baseURL (which
// is also its issuer, e.g. https://test.maskinporten.no/).
func NewMaskinporten(baseURL string, hc *http.Client) *Maskinporten {
	return &Maskinporten{NewBase("maskinporten", baseURL, hc)}
}

// Metadata is Maskinporten's RFC 8414 authorization server metadata.
type Metadata struct {
	Issuer                    string   `json:"issuer"`
	TokenEndpoint             string   `json:"token_endpoint"`
	JWKSURI                   string   `json:"jwks_uri"`
	GrantTypesSupported       []string `json:"grant_types_supported"`
	AuthorizationDetailsTypes []string `json:"authorization_details_types_supported"`
	TokenEndpointAuthMethods  []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointSigningAlgs  []string `json:"token_endpoint_auth_signing_alg_values_supported"`
}

// WellKnown fetches the metadata document.
func (m *Maskinporten) WellKnown(ctx context.Context) (Metadata, error) {
	var md Metadata
	_, err := m.doJSON(ctx, call{method: http.MethodGet, path: ".well-known/oauth-authorization-server"}, nil, &md)
	if err == nil && (md.Issuer == "" || md.JWKSURI == "") {
		err = fmt.Errorf("maskinporten well-known document lacks issuer or jwks_uri")
	}
	return md, err
}

// JWKS fetches the key set at uri (from the metadata's jwks_uri).
func (m *Maskinporten) JWKS(ctx context.Context, uri string) (JWKS, error) {
	var s JWKS
	_, err := m.doJSON(ctx, call{method: http.MethodGet, path: uri}, nil, &s)
	if err == nil && len(s.Keys) == 0 {
		err = fmt.Errorf("maskinporten key set at %s has no keys", uri)
	}
	return s, err
}

// TokenResponse is /token's success answer.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// UnmarshalJSON reads expires_in as a number or a numeric string: the
// spec shows a number (599), but OAuth servers differ and a token that
// worked should not fail on how its lifetime was spelt.
func (t *TokenResponse) UnmarshalJSON(b []byte) error {
	type plain TokenResponse
	var raw struct {
		plain
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*t = TokenResponse(raw.plain)
	t.ExpiresIn = 0
	if len(raw.ExpiresIn) > 0 && string(raw.ExpiresIn) != "null" {
		s := strings.Trim(string(raw.ExpiresIn), `"`)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("expires_in %s is not a number of seconds", raw.ExpiresIn)
		}
		t.ExpiresIn = int(f)
	}
	return nil
}

// Token posts a signed grant to the token endpoint (tokenURL, or the base
// URL's /token when empty).
func (m *Maskinporten) Token(ctx context.Context, tokenURL, assertion string) (TokenResponse, error) {
	if tokenURL == "" {
		tokenURL = "token"
	}
	form := url.Values{"grant_type": {GrantTypeJWTBearer}, "assertion": {assertion}}
	var tr TokenResponse
	_, err := m.doJSON(ctx, call{
		method: http.MethodPost, path: tokenURL,
		body: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded",
	}, nil, &tr)
	if err == nil && tr.AccessToken == "" {
		err = fmt.Errorf("maskinporten answered 200 without an access_token")
	}
	return tr, err
}

// Status reports the HTTP status of an error from any client, or 0.
func Status(err error) int {
	var (
		oe *OAuthError
		pe *ProblemError
		ae *APIError
		he *HTTPError
	)
	switch {
	case errors.As(err, &oe):
		return oe.Status
	case errors.As(err, &pe):
		return pe.Status
	case errors.As(err, &ae):
		return ae.Status
	case errors.As(err, &he):
		return he.Status
	}
	return 0
}

// ScopeList splits a space separated scope claim.
func ScopeList(s string) []string { return strings.Fields(s) }

// ExpiresIn is how long until t, rounded to the second, for display
// ("1m52s", or "expired 3s ago").
func ExpiresIn(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		return "expired " + (-d).String() + " ago"
	}
	return "expires in " + d.String()
}
