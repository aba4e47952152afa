package mock

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// jwksCache holds the signing keys of a remote issuer, fetched over HTTP
// from its JWKS URL and kept by kid. A token naming a kid the cache does not
// know makes it fetch the set again, so a rotated key verifies without a
// restart, as the real services' key caches do.
type jwksCache struct {
	url  string
	http *http.Client

	mu   sync.Mutex // held across a fetch, so concurrent misses fetch once
	keys map[string]*rsa.PublicKey
}

func newJWKSCache(url string, hc *http.Client) *jwksCache {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &jwksCache{url: url, http: hc}
}

// key returns the public key named kid, fetching the key set when the kid
// is not (yet) known.
func (c *jwksCache) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	keys, err := c.fetch(ctx)
	if err != nil {
		return nil, err
	}
	c.keys = keys
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key with kid %q in %s", kid, c.url)
}

func (c *jwksCache) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", c.url, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", c.url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", c.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %d", c.url, resp.StatusCode)
	}
	var set client.JWKS
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", c.url, err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kid == "" {
			continue
		}
		pub, err := k.PublicKey()
		if err != nil {
			continue // a key we cannot use cannot verify anything either
		}
		keys[k.Kid] = pub
	}
	return keys, nil
}

// verify checks raw's RSA signature against the cached keys, that its iss is
// issuer and that it has an exp not passed at now. It returns the claims.
func (c *jwksCache) verify(ctx context.Context, raw, issuer string, now time.Time) (jwt.MapClaims, error) {
	return jwksVerifyRS(raw, issuer, now, func(kid string) (*rsa.PublicKey, error) { return c.key(ctx, kid) })
}

// jwksVerifyRS parses raw as an RS256/384/512 JWT whose header kid names the key
// that lookup returns, and checks iss and exp (no leeway: the mocks share one
// clock).
func jwksVerifyRS(raw, issuer string, now time.Time, lookup func(kid string) (*rsa.PublicKey, error)) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("the token header has no kid")
		}
		return lookup(kid)
	},
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, errors.New(jwksDescribeError(err, issuer))
	}
	return claims, nil
}

// jwksDescribeError turns a jwt validation error into the sentence a
// WWW-Authenticate error_description or an error body carries.
func jwksDescribeError(err error, issuer string) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is not a well-formed JWT"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the token's signature does not verify"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token cannot be verified: " + jwksInnermost(err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token has no exp claim"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Sprintf("the token's issuer is not %s", issuer)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet (nbf)"
	}
	return "the token is invalid: " + err.Error()
}

// jwksInnermost is the innermost message of a wrapped error chain.
func jwksInnermost(err error) string {
	for {
		var next error
		if u, ok := err.(interface{ Unwrap() []error }); ok {
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[len(errs)-1]
			}
		} else {
			next = errors.Unwrap(err)
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
