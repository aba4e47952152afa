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
type Maskinporten struct {
	Base
	// Docs, when set, keeps the well-known document and the key set
	// between runs (see DocCache); nil fetches them every time.
	Docs *DocCache
}

// NewMaskinporten returns a client for the Maskinporten at baseURL (which
// is also its issuer, e.g. https://test.maskinporten.no/).
func NewMaskinporten(baseURL string, hc *http.Client) *Maskinporten {
	return &Maskinporten{Base: NewBase("maskinporten", baseURL, hc)}
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

// wellKnownPath is where the metadata document is, under the base URL.
const wellKnownPath = ".well-known/oauth-authorization-server"

// WellKnown fetches the metadata document (from m.Docs while it is fresh).
func (m *Maskinporten) WellKnown(ctx context.Context) (Metadata, error) {
	md, _, err := m.wellKnown(ctx)
	return md, err
}

// wellKnown is WellKnown, and whether the document came from m.Docs
// without a request.
func (m *Maskinporten) wellKnown(ctx context.Context) (Metadata, bool, error) {
	var md Metadata
	if m.Docs != nil {
		fresh, err := m.getDoc(ctx, m.Docs, wellKnownPath, &md)
		if err == nil && (md.Issuer == "" || md.JWKSURI == "") {
			m.Docs.Forget(m.docURL(wellKnownPath))
			err = fmt.Errorf("maskinporten well-known document lacks issuer or jwks_uri")
		}
		return md, fresh, err
	}
	_, err := m.doJSON(ctx, call{method: http.MethodGet, path: ".well-known/oauth-authorization-server"}, nil, &md)
	if err == nil && (md.Issuer == "" || md.JWKSURI == "") {
		err = fmt.Errorf("maskinporten well-known document lacks issuer or jwks_uri")
	}
	return md, false, err
}

// JWKS fetches the key set at uri (from the metadata's jwks_uri; from
// m.Docs while it is fresh).
func (m *Maskinporten) JWKS(ctx context.Context, uri string) (JWKS, error) {
	s, _, err := m.jwks(ctx, uri)
	return s, err
}

func (m *Maskinporten) jwks(ctx context.Context, uri string) (JWKS, bool, error) {
	var s JWKS
	var fresh bool
	var err error
	if m.Docs != nil {
		fresh, err = m.getDoc(ctx, m.Docs, uri, &s)
	} else {
		_, err = m.doJSON(ctx, call{method: http.MethodGet, path: uri}, nil, &s)
	}
	if err == nil && len(s.Keys) == 0 {
		m.Docs.Forget(m.docURL(uri))
		err = fmt.Errorf("maskinporten key set at %s has no keys", uri)
	}
	return s, fresh, err
}

// docURL is path resolved against the base URL, as the cache keys it.
func (m *Maskinporten) docURL(path string) string {
	u, _ := m.resolve(path)
	return u
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

// getDoc decodes the JSON answer to GET path into out: from the cache
// while it is fresh (fresh reports that, and no request is made), else
// fetched, with the cached answer's validators, and cached.
func (b Base) getDoc(ctx context.Context, cache *DocCache, path string, out any) (fresh bool, err error) {
	u, err := b.resolve(path)
	if err != nil {
		return false, err
	}
	d, cached := cache.load(u)
	if cached && cache.now().Before(d.FreshUntil) {
		if json.Unmarshal(d.Body, out) == nil {
			return true, nil
		}
		cached = false
	}
	c := call{method: http.MethodGet, path: u, header: http.Header{}}
	if cached {
		c.notModified = true
		if d.ETag != "" {
			c.header.Set("If-None-Match", d.ETag)
		}
		if d.LastModified != "" {
			c.header.Set("If-Modified-Since", d.LastModified)
		}
	}
	r, err := b.do(ctx, c)
	if err != nil {
		return false, err
	}
	if r.status == http.StatusNotModified {
		if !cached {
			return false, fmt.Errorf("%s answered 304 Not Modified to a request without validators", u)
		}
		// RFC 9111 section 4.3.4: the stored answer, fresh as the new headers say.
		h := r.header.Clone()
		if h.Get("ETag") == "" && d.ETag != "" {
			h.Set("ETag", d.ETag)
		}
		if h.Get("Last-Modified") == "" && d.LastModified != "" {
			h.Set("Last-Modified", d.LastModified)
		}
		cache.store(u, h, d.Body)
		return false, json.Unmarshal(d.Body, out)
	}
	if err := decodeBody(b.Service, r, out); err != nil {
		cache.Forget(u)
		return false, err
	}
	cache.store(u, r.header, r.body)
	return false, nil
}
