package mock

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// The inspector: every rule of /token (docs/mock-api.md, in its order),
// checked one by one on a grant and reported each with what the mock
// answers when it is broken. It runs the checks of maskinporten_grant.go,
// maskinporten_cert.go and maskinporten_systemuser.go themselves, so that
// `workbench inspect` and the mock's /token cannot disagree. Stateless
// (InspectGrant) it checks what the grant alone shows; a running mock
// (POST /mock/inspect) checks the rest against its state, and neither
// issues a token nor uses up the grant's jti.

// The rules, in the order /token checks them.
const (
	ruleRequest    = "the request: grant_type jwt-bearer, form-encoded, grant_type and assertion each once"
	ruleJWT        = "assertion is a JWT"
	ruleHeader     = "header: alg RS256, RS384 or RS512, and exactly one of kid and x5c (an array of certificates)"
	ruleClient     = "iss is a known client"
	ruleKey        = "the key: kid names a key registered on the client; or with x5c: the client has no registered key, the certificate is valid and chains to a trusted CA, its org number is the client's"
	ruleSignature  = "the signature verifies with that key"
	ruleAudience   = "aud is the issuer (or its token endpoint)"
	ruleNotBefore  = "nbf, when present, at most 10 s ahead"
	ruleTimes      = "iat and exp present, exp - iat at most 180 s, iat at most 10 s ahead, exp at most 10 s past"
	ruleJTI        = "jti a string, not used before"
	ruleScopes     = "scope present; each scope exists, is registered on the client, and open to its org"
	ruleDetails    = "authorization_details: one urn:altinn:systemuser object with only type, systemuser_org and externalRef"
	ruleSystemUser = "Altinn finds the system user"
	ruleResource   = "resource, when present, a string or an array of strings"
)

// InspectOptions say what a stateless inspection checks against.
type InspectOptions struct {
	// Issuer is the Maskinporten the grant is for, with its trailing
	// slash; empty leaves aud unchecked.
	Issuer string
	// Now is the clock of the time rules; zero is time.Now().
	Now time.Time
}

// InspectGrant checks a grant against every rule of the mock Maskinporten's
// /token that needs no server state, each reported with the code and the
// description /token answers with; the rules that need the server's state
// (the client, its keys and scopes, the grants seen, the system user at
// Altinn) come back as not checked, NeedsState set.
func InspectGrant(assertion string, o InspectOptions) []client.GrantRule {
	issuer := o.Issuer
	if issuer == "" {
		issuer = "http://issuer.unknown/"
	}
	m, err := NewMaskinporten(MaskinportenConfig{Issuer: issuer, Key: mustKey("maskinporten")})
	in := inspector{m: m, noIssuer: o.Issuer == "" || err != nil, now: o.Now}
	if err != nil {
		in.m, _ = NewMaskinporten(MaskinportenConfig{Issuer: "http://issuer.unknown/", Key: mustKey("maskinporten")})
	}
	if in.now.IsZero() {
		in.now = time.Now()
	}
	return in.run(context.Background(), assertion)
}

// handleInspect answers POST /mock/inspect (form assertion=<JWT>): the
// rules of /token on the grant, against this Maskinporten's state and clock.
func (m *Maskinporten) handleInspect(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("assertion") == "" {
		mpInvalidMetadata(w, "POST /mock/inspect takes a form with assertion=<the grant JWT>")
		return
	}
	now := m.clock.Now()
	rules := inspector{m: m, live: true, now: now}.run(r.Context(), r.PostForm.Get("assertion"))
	writeJSON(w, http.StatusOK, client.InspectedGrant{Issuer: m.issuer, Now: now.UTC().Format(time.RFC3339), Rules: rules})
}

// inspector runs the rules with m's checks: against m's state when live,
// else only what the grant itself shows.
type inspector struct {
	m        *Maskinporten
	live     bool
	noIssuer bool
	now      time.Time
}

func ruleOf(rule string, terr *mpTokenError) client.GrantRule {
	if terr == nil {
		return client.GrantRule{Rule: rule, Status: client.RuleHolds}
	}
	return client.GrantRule{Rule: rule, Status: client.RuleBroken, HTTPStatus: terr.status, Error: terr.code, Code: terr.id, Description: terr.Error()}
}

func holds(rule, note string) client.GrantRule {
	return client.GrantRule{Rule: rule, Status: client.RuleHolds, Description: note}
}

func notChecked(rule, why string, state bool) client.GrantRule {
	return client.GrantRule{Rule: rule, Status: client.RuleNotChecked, Description: why, NeedsState: state}
}

// run checks the rules in /token's order. A rule whose input an earlier
// broken rule took away is not checked, and says why.
func (in inspector) run(ctx context.Context, assertion string) []client.GrantRule {
	out := []client.GrantRule{notChecked(ruleRequest, "the inspector has the grant, not the request that carries it", false)}
	tok, parts, err := mpGrantParser.ParseUnverified(strings.TrimSpace(assertion), jwt.MapClaims{})
	if err != nil && (tok == nil || errors.Is(err, jwt.ErrTokenMalformed)) {
		// The words of checkGrant's step 2.
		return append(out, ruleOf(ruleJWT, mpFail(http.StatusBadRequest, "invalid_request", "MP-011",
			"assertion is not a JWT (three base64url parts: header.claims.signature): %v", err)))
	}
	claims := tok.Claims.(jwt.MapClaims)
	out = append(out, ruleOf(ruleJWT, nil))
	hdr, herr := mpCheckHeader(tok.Header)
	out = append(out, ruleOf(ruleHeader, herr))

	cl, r := in.client(claims)
	out = append(out, r)
	key, r := in.key(cl, hdr, herr)
	out = append(out, r, in.signature(tok, parts, key, hdr, cl))
	out = append(out, in.audience(claims))
	out = append(out, ruleOf(ruleNotBefore, mpCheckNotBefore(claims, in.now)))
	_, exp, terr := mpCheckTimes(claims, in.now)
	out = append(out, ruleOf(ruleTimes, terr))
	out = append(out, in.jti(claims, cl, exp))
	out = append(out, in.scopes(claims, cl))
	out = append(out, in.systemUser(ctx, claims, cl)...)
	_, terr = mpResource(claims)
	return append(out, ruleOf(ruleResource, terr))
}

// client is check 4: iss names a client (with its state), or at least is
// there.
func (in inspector) client(claims jwt.MapClaims) (*mpClient, client.GrantRule) {
	iss, _ := claims["iss"].(string)
	if iss == "" { // checkGrant's words
		return nil, ruleOf(ruleClient, mpInvalidGrant("MP-100", "iss is missing or not a string; it must be your client_id"))
	}
	if !in.live {
		return nil, notChecked(ruleClient, "needs the server's state: is "+iss+" one of its clients?", true)
	}
	cl := in.m.client(iss)
	if cl == nil {
		return nil, ruleOf(ruleClient, mpInvalidGrant("MP-100",
			"iss %q is not a known client_id; check the client_id and the environment (a test client does not exist in prod), or register the client (POST /api/v1/clients)", iss))
	}
	return cl, ruleOf(ruleClient, nil)
}

// key is check 5's first half: the key that must verify the grant. Without
// state only an x5c leaf's key is known.
func (in inspector) key(cl *mpClient, hdr mpGrantHeader, herr *mpTokenError) (*rsa.PublicKey, client.GrantRule) {
	switch {
	case herr != nil:
		return nil, notChecked(ruleKey, "the header is broken (above)", false)
	case cl != nil:
		key, _, terr := in.m.grantKey(cl, hdr, in.now)
		return key, ruleOf(ruleKey, terr)
	case in.live:
		return nil, notChecked(ruleKey, "needs a known client (above)", false)
	case hdr.kid != "":
		return nil, notChecked(ruleKey, "needs the server's state: the keys registered on the client, kid "+hdr.kid+" among them?", true)
	}
	return hdr.chain[0].PublicKey.(*rsa.PublicKey), notChecked(ruleKey,
		"needs the server's state: whether the client has registered keys (then it must use kid), its trust store and the client's org number", true)
}

// signature is check 5's second half, in checkGrant's words.
func (in inspector) signature(tok *jwt.Token, parts []string, key *rsa.PublicKey, hdr mpGrantHeader, cl *mpClient) client.GrantRule {
	if key == nil {
		return notChecked(ruleSignature, "needs the key (above)", false)
	}
	if err := tok.Method.Verify(parts[0]+"."+parts[1], tok.Signature, key); err != nil {
		if hdr.kid != "" {
			return ruleOf(ruleSignature, mpInvalidGrant("MP-124",
				"Invalid JWT signature: the grant (%s) does not verify with the key kid %q registered on client %s; sign with the private half of that key", hdr.alg, hdr.kid, cl.ID))
		}
		return ruleOf(ruleSignature, mpInvalidGrant("MP-124",
			"Invalid JWT signature: the grant (%s) does not verify with the public key of the x5c leaf certificate; sign with that certificate's private key", hdr.alg))
	}
	if hdr.kid == "" && cl == nil {
		return holds(ruleSignature, "it verifies with the x5c leaf certificate's key")
	}
	return ruleOf(ruleSignature, nil)
}

// audience is check 6, against the issuer when it is known.
func (in inspector) audience(claims jwt.MapClaims) client.GrantRule {
	if in.noIssuer {
		return notChecked(ruleAudience, "which Maskinporten the grant is for is not known", false)
	}
	return ruleOf(ruleAudience, in.m.checkAudience(claims))
}

// jti is check 10: a string, and with state not seen before (the mock
// only looks: the grant stays usable).
func (in inspector) jti(claims jwt.MapClaims, cl *mpClient, exp time.Time) client.GrantRule {
	raw, present := claims["jti"]
	jti, ok := raw.(string)
	switch {
	case present && !ok: // checkGrant's words
		return ruleOf(ruleJTI, mpInvalidGrant("", "jti must be a string"))
	case jti == "":
		return holds(ruleJTI, "no jti: Maskinporten accepts the grant, and it can be posted again until it expires; send a fresh jti every time (MP-012)")
	case cl != nil:
		if in.m.replay.seenBefore(cl.ID+"\x00"+jti, in.now) {
			return ruleOf(ruleJTI, mpInvalidGrant("MP-012",
				"Grant is used before: client %s already sent a grant with jti %q; make a fresh grant, with a new jti, for every token request", cl.ID, jti))
		}
		return ruleOf(ruleJTI, nil)
	case in.live:
		return notChecked(ruleJTI, "needs a known client (above)", false)
	}
	return notChecked(ruleJTI, "needs the server's state: the grants it has seen", true)
}

// scopes are checks 11 to 13. Without state only a missing or malformed
// scope shows; checkScopes refuses those before it looks anything up.
func (in inspector) scopes(claims jwt.MapClaims, cl *mpClient) client.GrantRule {
	if cl != nil {
		_, terr := in.m.checkScopes(cl, claims)
		return ruleOf(ruleScopes, terr)
	}
	s, ok := claims["scope"].(string)
	if !ok || strings.TrimSpace(s) == "" {
		_, terr := in.m.checkScopes(&mpClient{}, claims)
		return ruleOf(ruleScopes, terr)
	}
	if in.live {
		return notChecked(ruleScopes, "needs a known client (above)", false)
	}
	return notChecked(ruleScopes, "needs the server's state: the scopes "+s+", the client's scopes and who has access", true)
}

// systemUser are checks 14 to 16: authorization_details, then the lookup
// at Altinn with the server's state.
func (in inspector) systemUser(ctx context.Context, claims jwt.MapClaims, cl *mpClient) []client.GrantRule {
	raw, present := claims["authorization_details"]
	if !present {
		return []client.GrantRule{
			holds(ruleDetails, "none: the token will be a plain Maskinporten token, not a system user's"),
			notChecked(ruleSystemUser, "the grant asks for no system user", false),
		}
	}
	req, terr := mpParseAuthorizationDetails(raw)
	out := []client.GrantRule{ruleOf(ruleDetails, terr)}
	switch {
	case terr != nil:
		return append(out, notChecked(ruleSystemUser, "authorization_details is broken (above)", false))
	case cl != nil:
		_, terr := in.m.lookupSystemUser(ctx, cl, req)
		return append(out, ruleOf(ruleSystemUser, terr))
	case in.live:
		return append(out, notChecked(ruleSystemUser, "needs a known client (above)", false))
	}
	return append(out, notChecked(ruleSystemUser,
		"needs the server's state: Altinn's system users, one for "+req.ownerID+" whose system lists the client", true))
}

// seenBefore reports whether key is a grant id still remembered, without
// recording it.
func (r *mpReplay) seenBefore(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.seen[key]
	return ok && !now.After(t)
}

// MaskinportenJWKS is the key set every mock Maskinporten signs its tokens
// with: the embedded test key, the same in every serve and after every
// reset, so that `workbench inspect` can verify a mock's token offline.
func MaskinportenJWKS() client.JWKS {
	return client.JWKS{Keys: []client.JWK{client.PublicJWK(&mustKey("maskinporten").PublicKey, mpKeyID)}}
}
