package mock

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// routeAuth registers the routes of the token exchange and of Altinn's own
// OpenID metadata and keys.
func (a *Altinn) routeAuth(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/exchange/{provider}", a.handleExchange)
	m.HandleFunc("GET /authentication/api/v1/openid/.well-known/openid-configuration", a.handleOpenIDConfig)
	m.HandleFunc("GET /authentication/api/v1/openid/jwks", a.handleJWKS)
}

// altinnPrincipal is who a verified bearer token speaks for.
type altinnPrincipal struct {
	claims     jwt.MapClaims
	fromAltinn bool   // signed by Altinn (exchanged or personal), not Maskinporten
	orgNo      string // the consumer organisation; "" for a person
	pid        string // the person; "" for an organisation
	scopes     map[string]bool
}

func (p *altinnPrincipal) hasScope(scopes ...string) bool {
	for _, s := range scopes {
		if p.scopes[s] {
			return true
		}
	}
	return false
}

// altinnBearer is the token of an "Authorization: Bearer" header, or "".
func altinnBearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate verifies the request's bearer token: a Maskinporten token
// against Maskinporten's JWKS (fetched over HTTP), or a token Altinn itself
// signed. It returns "" as the reason when no token was sent.
func (a *Altinn) authenticate(r *http.Request) (*altinnPrincipal, string, bool) {
	raw := altinnBearer(r)
	if raw == "" {
		return nil, "", false
	}
	if p, ok := a.verified.get(raw, a.now()); ok {
		return p, "", true
	}
	unverified, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		return nil, "the token is not a well-formed JWT", false
	}
	iss, _ := unverified.Claims.(jwt.MapClaims)["iss"].(string)
	var claims jwt.MapClaims
	switch iss {
	case a.cfg.MaskinportenURL:
		claims, err = a.mpKeys.verify(r.Context(), raw, iss, a.now())
	case a.issuer:
		claims, err = a.verifyOwn(raw)
	default:
		return nil, fmt.Sprintf("the token's issuer %q is neither Maskinporten (%s) nor Altinn (%s)", iss, a.cfg.MaskinportenURL, a.issuer), false
	}
	if err != nil {
		return nil, err.Error(), false
	}
	p := &altinnPrincipal{claims: claims, fromAltinn: iss == a.issuer, scopes: map[string]bool{}}
	scope, _ := claims["scope"].(string)
	for _, s := range strings.Fields(scope) {
		p.scopes[s] = true
	}
	p.orgNo = altinnConsumerOrg(claims)
	p.pid, _ = claims["pid"].(string)
	a.verified.put(raw, p)
	return p, "", true
}

// altinnVerified remembers the bearer tokens Altinn has verified, while
// they are valid. Maskinporten sends its own token with every system user
// lookup, the same one for about 100 s, and a vendor its token with every
// call; checking the same signature again each time is what the real
// services' token caches save too. A hit checks the token's nbf and exp
// against the clock again (the clock is a knob); the principal is never
// changed once made, so requests may share it.
type altinnVerified struct {
	mu sync.RWMutex
	m  map[string]altinnVerifiedToken
}

type altinnVerifiedToken struct {
	p        *altinnPrincipal
	nbf, exp time.Time // nbf is zero when the token has none
}

// altinnVerifiedMax bounds the cache: when full, it starts again.
const altinnVerifiedMax = 4096

func (c *altinnVerified) get(raw string, now time.Time) (*altinnPrincipal, bool) {
	c.mu.RLock()
	v, ok := c.m[raw]
	c.mu.RUnlock()
	// jwt/v5's checks, without leeway: valid from nbf on, until before exp.
	if !ok || now.Before(v.nbf) || !now.Before(v.exp) {
		return nil, false
	}
	return v.p, true
}

func (c *altinnVerified) put(raw string, p *altinnPrincipal) {
	exp, err := p.claims.GetExpirationTime()
	if err != nil || exp == nil {
		return
	}
	v := altinnVerifiedToken{p: p, exp: exp.Time}
	if nbf, err := p.claims.GetNotBefore(); err != nil {
		return
	} else if nbf != nil {
		v.nbf = nbf.Time
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= altinnVerifiedMax {
		c.m = map[string]altinnVerifiedToken{}
	}
	c.m[raw] = v
	c.mu.Unlock()
}

// verifyOwn verifies a token Altinn signed.
func (a *Altinn) verifyOwn(raw string) (jwt.MapClaims, error) {
	return jwksVerifyRS(raw, a.issuer, a.now(), func(kid string) (*rsa.PublicKey, error) {
		if kid != a.cfg.KeyID {
			return nil, fmt.Errorf("no Altinn key with kid %q", kid)
		}
		return &a.cfg.Key.PublicKey, nil
	})
}

// altinnConsumerOrg reads the org number from a token's consumer claim
// {"authority": "iso6523-actorid-upis", "ID": "0192:<orgno>"}.
func altinnConsumerOrg(claims jwt.MapClaims) string {
	c, ok := claims["consumer"].(map[string]any)
	if !ok {
		return ""
	}
	for k, v := range c {
		if strings.EqualFold(k, "id") {
			s, _ := v.(string)
			if no, ok := strings.CutPrefix(s, "0192:"); ok && altinnOrgNoRE.MatchString(no) {
				return no
			}
		}
	}
	return ""
}

// requireOrg authenticates an organisation's token (Maskinporten's, or one
// exchanged at Altinn) carrying one of scopes. It answers 401/403 itself
// and returns false when the request must stop.
func (a *Altinn) requireOrg(w http.ResponseWriter, r *http.Request, scopes ...string) (*altinnPrincipal, bool) {
	p, reason, ok := a.authenticate(r)
	if !ok {
		writeBearerChallenge(w, reason)
		return nil, false
	}
	if p.pid != "" {
		writeAltinnStatus(w, http.StatusForbidden, "this endpoint takes an organisation's token (Maskinporten), not a person's")
		return nil, false
	}
	if !p.hasScope(scopes...) {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("the token's scope does not include %s", strings.Join(scopes, " or ")))
		return nil, false
	}
	return p, true
}

// requirePerson authenticates a personal Altinn token (requirePortalPerson)
// carrying one of scopes.
func (a *Altinn) requirePerson(w http.ResponseWriter, r *http.Request, scopes ...string) (*altinnPrincipal, bool) {
	p, ok := a.requirePortalPerson(w, r)
	if !ok {
		return nil, false
	}
	if !p.hasScope(scopes...) {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("the token's scope does not include %s", strings.Join(scopes, " or ")))
		return nil, false
	}
	return p, true
}

// sign signs claims as an Altinn token.
func (a *Altinn) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = a.cfg.KeyID
	return t.SignedString(a.cfg.Key)
}

// handleExchange exchanges a Maskinporten token for an Altinn token
// (§1, AuthenticationController.ExchangeExternalSystemToken).
func (a *Altinn) handleExchange(w http.ResponseWriter, r *http.Request) {
	switch provider := strings.ToLower(r.PathValue("provider")); provider {
	case "maskinporten":
	case "id-porten", "altinnstudio":
		writeAltinnStatus(w, http.StatusBadRequest, "the mock exchanges only Maskinporten tokens; for a person's token use /testtools/personaltoken")
		return
	default:
		writeAltinnStatus(w, http.StatusBadRequest, fmt.Sprintf("unknown token provider %q", provider))
		return
	}
	raw := altinnBearer(r)
	if raw == "" {
		writeBearerChallenge(w, "")
		return
	}
	mp, err := a.mpKeys.verify(r.Context(), raw, a.cfg.MaskinportenURL, a.now())
	if err != nil {
		writeBearerChallenge(w, err.Error())
		return
	}
	orgNo := altinnConsumerOrg(mp)
	if orgNo == "" {
		writeBearerChallenge(w, "the Maskinporten token has no consumer organisation")
		return
	}
	claims := jwt.MapClaims{}
	for k, v := range mp {
		switch k {
		case "aud", "iss", "client_amr", "sid":
			continue
		}
		claims[k] = v
	}
	now := a.now()
	claims["iss"] = a.issuer
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["sid"] = client.NewUUID()
	claims["urn:altinn:orgNumber"] = orgNo
	claims["urn:altinn:authenticatemethod"] = "maskinporten"
	claims["urn:altinn:authlevel"] = 3
	// The exchanged token lives as long as the Maskinporten token it came from.
	tok, err := a.sign(claims)
	if err != nil {
		http.Error(w, "sign token: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(tok))
}

// handleOpenIDConfig serves Altinn's OpenID configuration.
func (a *Altinn) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                a.issuer,
		"jwks_uri":                              a.issuer + "jwks",
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

// handleJWKS serves Altinn's public signing key.
func (a *Altinn) handleJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, client.JWKS{Keys: []client.JWK{client.PublicJWK(&a.cfg.Key.PublicKey, a.cfg.KeyID)}})
}
