package mock

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The checks of a grant at the mock Maskinporten's token endpoint, steps 1
// to 13 of docs/mock-api.md (maskinporten.go runs them in order).

// mpGrant is a grant that passed checks 1 to 10: its client, its claims,
// the client_amr the token will carry, and the time of the checks.
type mpGrant struct {
	client *mpClient
	claims jwt.MapClaims
	amr    string
	now    time.Time
}

// checkGrant reads the form and makes checks 1 to 10 of docs/mock-api.md:
// the grant type, the JWT, its header, the client, the signature, the
// audience, the times and the jti.
func (m *Maskinporten) checkGrant(r *http.Request) (mpGrant, *mpTokenError) {
	if err := mpParseForm(r); err != nil {
		return mpGrant{}, mpFail(http.StatusBadRequest, "invalid_request", "", "the request body could not be read as a form: %v", err)
	}
	if terr := mpCheckOnce(r.PostForm); terr != nil {
		return mpGrant{}, terr
	}

	// 1. grant_type
	if gt := r.PostForm.Get("grant_type"); gt != mpJWTBearer {
		return mpGrant{}, mpGrantTypeError(r, gt)
	}

	// 2. assertion is a JWT
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		return mpGrant{}, mpFail(http.StatusBadRequest, "invalid_request", "MP-011",
			"assertion is missing: send the signed grant JWT as the form field assertion")
	}
	tok, parts, err := mpGrantParser.ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil && (tok == nil || errors.Is(err, jwt.ErrTokenMalformed)) {
		return mpGrant{}, mpFail(http.StatusBadRequest, "invalid_request", "MP-011",
			"assertion is not a JWT (three base64url parts: header.claims.signature): %v", err)
	}
	claims := tok.Claims.(jwt.MapClaims)

	// 3. header: alg, and exactly one of kid and x5c
	hdr, terr := mpCheckHeader(tok.Header)
	if terr != nil {
		return mpGrant{}, terr
	}

	// 4. iss is a known client
	iss, _ := claims["iss"].(string)
	if iss == "" {
		return mpGrant{}, mpInvalidGrant("MP-100", "iss is missing or not a string; it must be your client_id")
	}
	cl := m.client(iss)
	if cl == nil {
		return mpGrant{}, mpInvalidGrant("MP-100",
			"iss %q is not a known client_id; check the client_id and the environment (a test client does not exist in prod), or register the client (POST /api/v1/clients)", iss)
	}

	// 5. signature, with the client's key named by kid or the x5c leaf
	now := m.clock.Now()
	key, amr, terr := m.grantKey(cl, hdr, now)
	if terr != nil {
		return mpGrant{}, terr
	}
	if err := mpVerifyGrant(assertion, parts, hdr.alg, tok.Signature, key); err != nil {
		if hdr.kid != "" {
			return mpGrant{}, mpInvalidGrant("MP-124",
				"Invalid JWT signature: the grant (%s) does not verify with the key kid %q registered on client %s; sign with the private half of that key", hdr.alg, hdr.kid, cl.ID)
		}
		return mpGrant{}, mpInvalidGrant("MP-124",
			"Invalid JWT signature: the grant (%s) does not verify with the public key of the x5c leaf certificate; sign with that certificate's private key", hdr.alg)
	}

	// 6. aud
	if terr := m.checkAudience(claims); terr != nil {
		return mpGrant{}, terr
	}

	// nbf, if given, has come
	if terr := mpCheckNotBefore(claims, now); terr != nil {
		return mpGrant{}, terr
	}

	// 7.-9. iat, exp and the lifetime
	_, exp, terr := mpCheckTimes(claims, now)
	if terr != nil {
		return mpGrant{}, terr
	}

	// 10. jti
	jti, ok := claims["jti"].(string)
	if _, present := claims["jti"]; present && !ok {
		return mpGrant{}, mpInvalidGrant("", "jti must be a string")
	}
	if jti != "" && !m.replay.use(cl.ID+"\x00"+jti, exp.Add(mpSkew), now) {
		return mpGrant{}, mpInvalidGrant("MP-012",
			"Grant is used before: client %s already sent a grant with jti %q; make a fresh grant, with a new jti, for every token request", cl.ID, jti)
	}
	return mpGrant{client: cl, claims: claims, amr: amr, now: now}, nil
}

// mpParseForm is r.ParseForm, with the body of a form post of a known
// length read into one buffer of that length (ParseForm's io.ReadAll grows
// its buffer from 512 bytes, four allocations and copies for a grant);
// every other request, and every error, is ParseForm's own. The body is
// still bounded by handleToken's MaxBytesReader.
func mpParseForm(r *http.Request) error {
	if r.PostForm == nil && r.Method == http.MethodPost && r.Body != nil && r.URL.RawQuery == "" &&
		r.ContentLength > 0 && r.ContentLength <= 256<<10 &&
		r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return err
		}
		r.PostForm, r.Form = form, form
	}
	return r.ParseForm()
}

// mpVerifyGrant checks the grant's RS256, RS384 or RS512 signature over its
// signing input, header.claims, which is the start of the assertion as
// sent: crypto/rsa directly, with the hash on the stack, where jwt's
// Verify would copy the input twice (parts[0]+"."+parts[1], then into
// []byte for the hash), 2.5 kB for a system user grant.
func mpVerifyGrant(assertion string, parts []string, alg string, sig []byte, key *rsa.PublicKey) error {
	input := assertion[:len(parts[0])+1+len(parts[1])]
	switch alg {
	case "RS256":
		sum := sha256.Sum256([]byte(input))
		return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig)
	case "RS384":
		sum := sha512.Sum384([]byte(input))
		return rsa.VerifyPKCS1v15(key, crypto.SHA384, sum[:], sig)
	case "RS512":
		sum := sha512.Sum512([]byte(input))
		return rsa.VerifyPKCS1v15(key, crypto.SHA512, sum[:], sig)
	}
	return fmt.Errorf("alg %q is not RS256, RS384 or RS512", alg)
}

// mpCheckOnce refuses a token request that sends grant_type or assertion
// more than once: "Request and response parameters MUST NOT be included
// more than once" (RFC 6749 §3.2), and a request that "repeats a
// parameter" is invalid_request (§5.2). Maskinporten's own answer is not
// documented (docs/mock-api.md says the rule is RFC-based). Parameters the
// endpoint does not read are ignored, as §3.2 asks, duplicates and all.
func mpCheckOnce(form url.Values) *mpTokenError {
	for _, name := range []string{"grant_type", "assertion"} {
		if n := len(form[name]); n > 1 {
			return mpFail(http.StatusBadRequest, "invalid_request", "",
				"%s is sent %d times; send each parameter once (RFC 6749 §3.2: parameters must not be included more than once)", name, n)
		}
	}
	return nil
}

// mpCheckNotBefore refuses a grant whose nbf is more than the clock skew
// ahead: "The JWT MAY contain an "nbf" (not before) claim that identifies
// the time before which the token MUST NOT be accepted for processing"
// (RFC 7523 §3 item 5), with the same 10 s of leeway Maskinporten gives
// iat (RFC 7519 §4.1.5 allows "some small leeway"). Digdir documents
// nothing about nbf, so the error has no MP id (docs/mock-api.md).
func mpCheckNotBefore(claims jwt.MapClaims, now time.Time) *mpTokenError {
	if _, present := claims["nbf"]; !present {
		return nil
	}
	nbf, err := claims.GetNotBefore()
	if err != nil || nbf == nil {
		return mpInvalidGrant("", "nbf must be a number: seconds since 1970-01-01 UTC")
	}
	if d := nbf.Sub(now); d > mpSkew {
		return mpInvalidGrant("",
			"nbf %s is %d s ahead of Maskinporten's clock (%s): the grant is not valid yet; at most %d s of clock skew is allowed (RFC 7523 §3), so leave nbf out or set it to the current time",
			nbf.UTC().Format(time.RFC3339), int(d.Round(time.Second).Seconds()), now.UTC().Format(time.RFC3339), int(mpSkew.Seconds()))
	}
	return nil
}

// mpGrantTypeError explains a missing or wrong grant_type, including the
// common mistake of posting the grant's claims as JSON (spec §0). A
// missing grant_type is invalid_request, a wrong one unsupported_grant_type
// (RFC 6749 section 5.2; Maskinporten's own answer is not documented).
func mpGrantTypeError(r *http.Request, gt string) *mpTokenError {
	if gt != "" {
		return mpFail(http.StatusBadRequest, "unsupported_grant_type", "", "grant_type is %q; Maskinporten supports only %s", gt, mpJWTBearer)
	}
	const code = "invalid_request"
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return mpFail(http.StatusBadRequest, code, "",
			"grant_type is missing: the body must be application/x-www-form-urlencoded with grant_type=%s and assertion=<signed JWT>, but the request's Content-Type is %q",
			mpJWTBearer, r.Header.Get("Content-Type"))
	}
	if r.URL.Query().Has("grant_type") {
		return mpFail(http.StatusBadRequest, code, "", "grant_type is in the query string; send it in the form body")
	}
	return mpFail(http.StatusBadRequest, code, "", "grant_type is missing; expected %s", mpJWTBearer)
}

// mpGrantHeader is what the grant's header says about its key.
type mpGrantHeader struct {
	alg   string
	kid   string
	chain []*x509.Certificate // from x5c, leaf first
}

// mpCheckHeader checks alg and that exactly one of kid and x5c is given
// (spec §2.1), and parses x5c.
func mpCheckHeader(h map[string]any) (mpGrantHeader, *mpTokenError) {
	var out mpGrantHeader
	alg, _ := h["alg"].(string)
	switch alg {
	case "RS256", "RS384", "RS512":
		out.alg = alg
	case "":
		return out, mpInvalidGrant("", "the grant's header has no alg; Maskinporten accepts RS256, RS384 or RS512")
	default:
		return out, mpInvalidGrant("", "the grant's header alg is %q; Maskinporten accepts only RS256, RS384 or RS512", alg)
	}
	rawKid, hasKid := h["kid"]
	rawX5c, hasX5c := h["x5c"]
	switch {
	case hasKid && hasX5c:
		return out, mpInvalidGrant("", "the grant's header has both kid and x5c; send exactly one: kid for a key registered on the client, x5c for a business certificate")
	case !hasKid && !hasX5c:
		return out, mpInvalidGrant("", "Either 'kid' or 'x5c' must be present in the grant's header: kid names a key registered on the client, x5c carries a business certificate")
	case hasKid:
		kid, ok := rawKid.(string)
		if !ok || kid == "" {
			return out, mpInvalidGrant("", "the grant's header kid must be a non-empty string")
		}
		out.kid = kid
		return out, nil
	}
	arr, ok := rawX5c.([]any)
	if !ok {
		return out, mpInvalidGrant("MP-123", "Invalid x5c header: x5c must be a JSON array of base64 DER certificates, leaf first; got %s", mpJSONKind(rawX5c))
	}
	if len(arr) == 0 {
		return out, mpInvalidGrant("MP-123", "Invalid x5c header: the x5c array is empty; put the business certificate first")
	}
	for i, v := range arr {
		s, ok := v.(string)
		if !ok {
			return out, mpInvalidGrant("MP-123", "Invalid x5c header: x5c[%d] is %s, not a base64 string", i, mpJSONKind(v))
		}
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return out, mpInvalidGrant("MP-123", "Invalid x5c header: x5c[%d] is not standard (padded, not URL-safe) base64 of a DER certificate", i)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return out, mpInvalidGrant("MP-123", "Invalid x5c header: x5c[%d] is not a DER X.509 certificate: %v", i, err)
		}
		out.chain = append(out.chain, cert)
	}
	pub, ok := out.chain[0].PublicKey.(*rsa.PublicKey)
	if !ok {
		return out, mpInvalidGrant("MP-123", "Invalid x5c header: the leaf certificate's key is %T; an RSA key is needed for %s", out.chain[0].PublicKey, alg)
	}
	if pub.N.BitLen() < 2048 {
		return out, mpInvalidGrant("MP-123", "Invalid x5c header: the leaf certificate has a %d-bit RSA key; at least 2048 bits are needed", pub.N.BitLen())
	}
	return out, nil
}

// mpJSONKind names the JSON type of a decoded value, for messages.
func mpJSONKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// grantKey finds the key that must verify the grant, and the client_amr
// the token will carry.
func (m *Maskinporten) grantKey(cl *mpClient, hdr mpGrantHeader, now time.Time) (*rsa.PublicKey, string, *mpTokenError) {
	if hdr.kid != "" {
		if key := cl.keys[hdr.kid]; key != nil {
			return key, "private_key_jwt", nil
		}
		if len(cl.keys) == 0 {
			return nil, "", mpInvalidGrant("MP-124",
				"Invalid JWT signature: client %s has no registered keys, so kid %q names none; upload the public key (POST /api/v1/clients/%s/jwks)", cl.ID, hdr.kid, cl.ID)
		}
		return nil, "", mpInvalidGrant("MP-124",
			"Invalid JWT signature: client %s has no key with kid %q; its keys are %s", cl.ID, hdr.kid, strings.Join(mpSortedKeys(cl.keys), ", "))
	}
	return m.certificateKey(cl, hdr.chain, now)
}

func mpSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkAudience accepts the issuer and, as the real server seems to, the
// token endpoint URL (spec §2.2).
func (m *Maskinporten) checkAudience(claims jwt.MapClaims) *mpTokenError {
	aud, err := claims.GetAudience()
	if err != nil {
		return mpInvalidGrant("MP-110", "Invalid JWT claim aud: aud must be a string (the issuer %q)", m.issuer)
	}
	if len(aud) == 0 {
		return mpInvalidGrant("MP-110", "Invalid JWT claim aud: aud is missing; it must be the issuer %q", m.issuer)
	}
	if len(aud) == 1 && (aud[0] == m.issuer || len(aud[0]) == len(m.issuer)+len("token") && strings.HasPrefix(aud[0], m.issuer) && strings.HasSuffix(aud[0], "token")) {
		return nil // the issuer, or issuer+"token" (compared without making it)
	}
	tokenURL := m.issuer + "token"
	hint := ""
	if len(aud) == 1 && aud[0]+"/" == m.issuer {
		hint = "; mind the trailing slash"
	}
	if len(aud) > 1 {
		hint = "; give one audience, not a list"
	}
	return mpInvalidGrant("MP-110", "Invalid JWT claim aud: aud is %q; expected the issuer %q (the token endpoint %q is also accepted)%s",
		strings.Join(aud, `", "`), m.issuer, tokenURL, hint)
}

// mpCheckTimes checks iat, exp and the grant's lifetime against now, as
// Maskinporten's server does (ClientAuthenticationService.validateJwtExpiration,
// quoted from the server source in Altinn/altinn-studio#19603; spec
// Corrections 1): a lifetime exp - iat over 180 s is refused, then an iat
// more than 10 s ahead of the server's clock, then an exp more than 10 s
// behind it. An old iat is not refused, and exp has 10 s of grace. Digdir
// documents iat and exp as required (maskinporten_protocol_jwtgrant.md
// L42-43), so a grant without them is refused too.
func mpCheckTimes(claims jwt.MapClaims, now time.Time) (iat, exp time.Time, terr *mpTokenError) {
	clock := func() string { return now.UTC().Format(time.RFC3339) } // for the errors only
	iatD, err := claims.GetIssuedAt()
	if err != nil {
		return iat, exp, mpInvalidGrant("", "iat must be a number: seconds since 1970-01-01 UTC")
	}
	if iatD == nil {
		return iat, exp, mpInvalidGrant("", "iat is missing; set it to the current time in seconds since 1970-01-01 UTC")
	}
	iat = iatD.Time
	expD, err := claims.GetExpirationTime()
	if err != nil {
		return iat, exp, mpInvalidGrant("MP-130", "exp must be a number: seconds since 1970-01-01 UTC")
	}
	if expD == nil {
		return iat, exp, mpInvalidGrant("MP-130", "exp is missing; set it to iat + at most %d s", int(mpDocLifetime.Seconds()))
	}
	exp = expD.Time
	if life := exp.Sub(iat); life > mpMaxLifetime {
		return iat, exp, mpInvalidGrant("", "JWT has too long lifetime: exp - iat is %d s; the server allows at most %d s (the documented limit is %d s)",
			int(life.Seconds()), int(mpMaxLifetime.Seconds()), int(mpDocLifetime.Seconds()))
	}
	if d := iat.Sub(now); d > mpSkew {
		return iat, exp, mpInvalidGrant("",
			"Issue time is in the future: iat %s is %d s ahead of Maskinporten's clock (%s); at most %d s is allowed, so check the clock of the machine that makes the grant",
			iat.UTC().Format(time.RFC3339), int(d.Round(time.Second).Seconds()), clock(), int(mpSkew.Seconds()))
	}
	if now.Add(-mpSkew).After(exp) {
		return iat, exp, mpInvalidGrant("MP-130", "JWT has expired: exp %s is more than %d s before Maskinporten's clock (%s); make the grant right before posting it",
			exp.UTC().Format(time.RFC3339), int(mpSkew.Seconds()), clock())
	}
	return iat, exp, nil
}

// checkScopes checks that the grant asks for scopes that exist, that are
// registered on the client, and that the client's org may use. An unknown
// or missing scope is invalid_scope (RFC 6749 section 5.2: "The requested
// scope is invalid, unknown, malformed"): no source gives an MP id for it
// (MP-201 is a scope not allowed for the client's integration type,
// maskinporten_feilsoking.md L94-98, which the mock has no notion of).
func (m *Maskinporten) checkScopes(cl *mpClient, claims jwt.MapClaims) ([]string, *mpTokenError) {
	raw, present := claims["scope"]
	s, ok := raw.(string)
	if present && !ok {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "", "scope must be one string of space-separated scopes, not %s", mpJSONKind(raw))
	}
	var scopes []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(scopes, f) {
			scopes = append(scopes, f)
		}
	}
	if len(scopes) == 0 {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "", "scope is missing; ask for at least one scope (space-separated)")
	}
	found := make([]*mpScope, len(scopes))
	var unknown []string
	m.mu.RLock()
	for i, name := range scopes {
		found[i] = m.scopes[name]
		if found[i] == nil {
			unknown = append(unknown, name)
		}
	}
	m.mu.RUnlock()
	if len(unknown) > 0 {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "",
			"scope %s does not exist in this Maskinporten; check the spelling and the environment", mpQuoteList(unknown))
	}
	var missing []string
	for _, name := range scopes {
		if !slices.Contains(cl.Scopes, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "MP-200",
			"Token request contains invalid scopes for client: %s not registered on client %s (its scopes: %s); add it to the client (PUT /api/v1/clients/%s)",
			mpQuoteList(missing), cl.ID, mpQuoteList(cl.Scopes), cl.ID)
	}
	// MP-250 goes out with error "forbidden", as real answers show
	// (oslokommune/okdata-maskinporten-api doc/sos.md); the status 403
	// follows the page's heading "Forbidden" (maskinporten_feilsoking.md
	// L174-180) and is not confirmed.
	for _, sc := range found {
		if !sc.allows(cl.OrgNo) {
			return nil, mpFail(http.StatusForbidden, "forbidden", "MP-250",
				"Consumer has not been granted access to the scope %s: org %s has no access to it; its owner, org %s, must give it (PUT /api/v1/scopes/access/%s?scope=%s&owner_orgno=%s)",
				sc.Name, cl.OrgNo, sc.Owner, cl.OrgNo, url.QueryEscape(sc.Name), sc.Owner)
		}
	}
	return scopes, nil
}

func mpQuoteList(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// mpResource is the audience an issued token gets from the grant's
// resource claim (a string or an array of strings), or nil.
func mpResource(claims jwt.MapClaims) (any, *mpTokenError) {
	raw, present := claims["resource"]
	if !present {
		return nil, nil
	}
	var list []string
	switch v := raw.(type) {
	case string:
		list = []string{v}
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				list = nil
				break
			}
			list = append(list, s)
		}
	}
	if len(list) == 0 || slices.Contains(list, "") {
		return nil, mpFail(http.StatusBadRequest, "invalid_request", "MP-011", "resource must be a non-empty string or array of strings (the audiences the token is for)")
	}
	if len(list) == 1 {
		return list[0], nil
	}
	return list, nil
}

// mpReplay remembers the grants' jti values until their exp plus the clock
// skew, after which the exp check refuses the grant anyway.
type mpReplay struct {
	mu        sync.Mutex
	seen      map[string]time.Time // client and jti → when to forget
	nextPrune time.Time
}

// use records key and reports whether it was new.
func (r *mpReplay) use(key string, until, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.After(r.nextPrune) {
		for k, t := range r.seen {
			if now.After(t) {
				delete(r.seen, k)
			}
		}
		r.nextPrune = now.Add(30 * time.Second)
	}
	if t, ok := r.seen[key]; ok && !now.After(t) {
		return false
	}
	r.seen[key] = until
	return true
}
