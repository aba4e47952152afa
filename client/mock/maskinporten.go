package mock

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// MaskinportenConfig configures the mock Maskinporten.
type MaskinportenConfig struct {
	Issuer    string // the mock's own URL, with trailing slash
	AltinnURL string // where the system user lookup goes, with trailing slash
	HTTP      *http.Client
	Clock     *Clock
	Key       *rsa.PrivateKey // signs issued tokens
}

// Rules and names of the real Maskinporten (spec §2) that the mock enforces.
const (
	mpKeyID          = "mock-maskinporten-1"
	mpJWTBearer      = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	mpSystemUserType = "urn:altinn:systemuser"
	mpAuthority      = "iso6523-actorid-upis"
	mpLookupScope    = "altinn:maskinporten/systemuser.read"
	mpSkew           = 10 * time.Second  // how far iat may be from Maskinporten's clock
	mpMaxLifetime    = 180 * time.Second // exp - iat the server allows (the docs say 120 s)
	mpDocLifetime    = 120 * time.Second
	mpTokenLifetime  = 120 * time.Second // exp - iat of an issued token
	mpSelfMargin     = 20 * time.Second  // renew the lookup token this long before it expires
)

var (
	mpOrgNoRE         = regexp.MustCompile(`^[0-9]{9}$`)
	mpSystemUserOrgRE = regexp.MustCompile(`^0192:[0-9]{9}$`)
	mpNineDigitsRE    = regexp.MustCompile(`(?:^|[^0-9])([0-9]{9})(?:[^0-9]|$)`)
	// mpOrgIdentifierOID is X.520 organizationIdentifier, which newer
	// Norwegian business certificates fill with "NTRNO-<orgno>".
	mpOrgIdentifierOID = asn1.ObjectIdentifier{2, 5, 4, 97}
	// mpGrantParser only splits and decodes: every check is made by hand,
	// in the documented order, so that each failure gets its own error.
	mpGrantParser = jwt.NewParser(jwt.WithoutClaimsValidation())
)

// Maskinporten is the mock Maskinporten: the token endpoint with the real
// checks, its metadata and keys, and the self-service API that registers
// clients, keys and scopes (selfservice.go). It is safe for concurrent use.
type Maskinporten struct {
	issuer    string
	altinnURL string
	http      *http.Client
	clock     *Clock
	key       *rsa.PrivateKey
	mux       *http.ServeMux

	// mu guards the registry maps. Their values are never changed in
	// place (an update stores a new value), so a reader may keep one after
	// unlocking.
	mu       sync.RWMutex
	clients  map[string]*mpClient
	scopes   map[string]*mpScope
	prefixes map[string]string // scope prefix → the org that owns it

	replay mpReplay

	selfMu  sync.Mutex // guards the cached lookup token
	self    string
	selfIat time.Time
	selfExp time.Time
}

// mpClient is a registered Maskinporten client with its parsed keys.
type mpClient struct {
	ID          string
	OrgNo       string
	Name        string
	Description string
	Scopes      []string
	JWKS        client.JWKS
	keys        map[string]*rsa.PublicKey // by kid, parsed once at upload
	Created     time.Time
	Updated     time.Time
}

// mpScope is an API scope, its owner and the orgs given access to it.
type mpScope struct {
	Name        string
	Prefix      string
	Subscope    string
	Owner       string
	Description string
	Access      map[string]bool // consumer org numbers; "*" is everyone
	Created     time.Time
}

// allows reports whether org may use the scope: its owner may, and so may
// the orgs it has given access.
func (s *mpScope) allows(org string) bool {
	return org == s.Owner || s.Access["*"] || s.Access[org]
}

// NewMaskinporten makes the mock Maskinporten.
func NewMaskinporten(cfg MaskinportenConfig) (*Maskinporten, error) {
	if cfg.Key == nil {
		return nil, errors.New("maskinporten: no signing key")
	}
	if cfg.Issuer == "" {
		return nil, errors.New("maskinporten: no issuer URL")
	}
	if !strings.HasSuffix(cfg.Issuer, "/") {
		return nil, fmt.Errorf("maskinporten: issuer %q must end with a slash, as the real one does", cfg.Issuer)
	}
	if cfg.AltinnURL != "" && !strings.HasSuffix(cfg.AltinnURL, "/") {
		return nil, fmt.Errorf("maskinporten: Altinn URL %q must end with a slash", cfg.AltinnURL)
	}
	clock := cfg.Clock
	if clock == nil {
		clock = &Clock{}
	}
	key := *cfg.Key
	key.Precompute()
	m := &Maskinporten{
		issuer:    cfg.Issuer,
		altinnURL: cfg.AltinnURL,
		http:      mpHTTPClient(cfg.HTTP),
		clock:     clock,
		key:       &key,
		mux:       http.NewServeMux(),
		clients:   map[string]*mpClient{},
		scopes:    map[string]*mpScope{},
		prefixes:  map[string]string{},
	}
	m.replay.seen = map[string]time.Time{}
	m.mux.HandleFunc("GET /.well-known/oauth-authorization-server", m.handleMetadata)
	m.mux.HandleFunc("GET /jwk", m.handleJWK)
	m.mux.HandleFunc("POST /token", m.handleToken)
	m.routeSelfService()
	return m, nil
}

// mpHTTPClient is hc, or a new client, with a transport that keeps enough
// idle connections to Altinn for many token requests at once (the default
// transport keeps two per host, so a burst would open and close
// connections). A caller's own transport is left alone.
func mpHTTPClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if hc.Transport != nil {
		return hc
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 256
	c := *hc
	c.Transport = t
	return &c
}

// ServeHTTP serves the mock's endpoints.
func (m *Maskinporten) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mux.ServeHTTP(w, r)
}

// handleMetadata serves the RFC 8414 document, in the shape of test
// Maskinporten's (spec §1).
func (m *Maskinporten) handleMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                m.issuer,
		"token_endpoint":                        m.issuer + "token",
		"jwks_uri":                              m.issuer + "jwk",
		"grant_types_supported":                 []string{mpJWTBearer},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "RS384", "RS512"},
		// The real one also lists urn:altinn:consent, which the mock does not do.
		"authorization_details_types_supported": []string{mpSystemUserType},
	})
}

// handleJWK serves the key that signs the issued tokens.
func (m *Maskinporten) handleJWK(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, client.JWKS{Keys: []client.JWK{client.PublicJWK(&m.key.PublicKey, mpKeyID)}})
}

// mpTokenError is a refused token request: the status, the OAuth error code
// and the Maskinporten error id (MP-nnn, empty when none is documented).
type mpTokenError struct {
	status int
	code   string
	id     string
	desc   string
}

func (e *mpTokenError) Error() string {
	if e.id == "" {
		return e.desc
	}
	return e.desc + " (" + e.id + ")"
}

func mpFail(status int, code, id, format string, args ...any) *mpTokenError {
	return &mpTokenError{status: status, code: code, id: id, desc: fmt.Sprintf(format, args...)}
}

// mpInvalidGrant is the most common refusal: 400 invalid_grant.
func mpInvalidGrant(id, format string, args ...any) *mpTokenError {
	return mpFail(http.StatusBadRequest, "invalid_grant", id, format, args...)
}

// mpTokenResponse is the body of a successful token request (spec §2.4).
type mpTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

func (m *Maskinporten) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	resp, terr := m.token(r)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if terr != nil {
		writeJSON(w, terr.status, map[string]string{"error": terr.code, "error_description": terr.Error()})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// token runs the checks of docs/mock-api.md in their order and, when all
// pass, issues the token.
func (m *Maskinporten) token(r *http.Request) (*mpTokenResponse, *mpTokenError) {
	if err := r.ParseForm(); err != nil {
		return nil, mpFail(http.StatusBadRequest, "invalid_request", "", "the request body could not be read as a form: %v", err)
	}

	// 1. grant_type
	if gt := r.PostForm.Get("grant_type"); gt != mpJWTBearer {
		return nil, mpGrantTypeError(r, gt)
	}

	// 2. assertion is a JWT
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		return nil, mpFail(http.StatusBadRequest, "invalid_request", "MP-011",
			"assertion is missing: send the signed grant JWT as the form field assertion")
	}
	tok, parts, err := mpGrantParser.ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil && (tok == nil || errors.Is(err, jwt.ErrTokenMalformed)) {
		return nil, mpFail(http.StatusBadRequest, "invalid_request", "MP-011",
			"assertion is not a JWT (three base64url parts: header.claims.signature): %v", err)
	}
	claims := tok.Claims.(jwt.MapClaims)

	// 3. header: alg, and exactly one of kid and x5c
	hdr, terr := mpCheckHeader(tok.Header)
	if terr != nil {
		return nil, terr
	}

	// 4. iss is a known client
	iss, _ := claims["iss"].(string)
	if iss == "" {
		return nil, mpInvalidGrant("MP-100", "iss is missing or not a string; it must be your client_id")
	}
	cl := m.client(iss)
	if cl == nil {
		return nil, mpInvalidGrant("MP-100",
			"iss %q is not a known client_id; check the client_id and the environment (a test client does not exist in prod), or register the client (POST /api/v1/clients)", iss)
	}

	// 5. signature, with the client's key named by kid or the x5c leaf
	now := m.clock.Now()
	key, amr, terr := m.grantKey(cl, hdr, now)
	if terr != nil {
		return nil, terr
	}
	signingString := parts[0] + "." + parts[1]
	if err := tok.Method.Verify(signingString, tok.Signature, key); err != nil {
		if hdr.kid != "" {
			return nil, mpInvalidGrant("MP-124",
				"Invalid JWT signature: the grant (%s) does not verify with the key kid %q registered on client %s; sign with the private half of that key", hdr.alg, hdr.kid, cl.ID)
		}
		return nil, mpInvalidGrant("MP-124",
			"Invalid JWT signature: the grant (%s) does not verify with the public key of the x5c leaf certificate; sign with that certificate's private key", hdr.alg)
	}

	// 6. aud
	if terr := m.checkAudience(claims); terr != nil {
		return nil, terr
	}

	// 7.-9. iat, exp and the lifetime
	_, exp, terr := mpCheckTimes(claims, now)
	if terr != nil {
		return nil, terr
	}

	// 10. jti
	jti, ok := claims["jti"].(string)
	if _, present := claims["jti"]; present && !ok {
		return nil, mpInvalidGrant("", "jti must be a string")
	}
	if jti != "" && !m.replay.use(cl.ID+"\x00"+jti, exp.Add(mpSkew), now) {
		return nil, mpInvalidGrant("MP-012",
			"Grant is used before: client %s already sent a grant with jti %q; make a fresh grant, with a new jti, for every token request", cl.ID, jti)
	}

	// 11.-13. scopes
	scopes, terr := m.checkScopes(cl, claims)
	if terr != nil {
		return nil, terr
	}

	// 14.-16. authorization_details and the system user lookup
	var su *mpSystemUser
	var suOrg string
	if raw, present := claims["authorization_details"]; present {
		req, terr := mpParseAuthorizationDetails(raw)
		if terr != nil {
			return nil, terr
		}
		su, terr = m.lookupSystemUser(r.Context(), cl, req)
		if terr != nil {
			return nil, terr
		}
		suOrg = req.ownerID
	}

	aud, terr := mpResource(claims)
	if terr != nil {
		return nil, terr
	}

	// All checks passed: issue the token (spec §2.5).
	out := jwt.MapClaims{
		"iss":        m.issuer,
		"client_id":  cl.ID,
		"client_amr": amr,
		"token_type": "Bearer",
		"consumer":   map[string]string{"authority": mpAuthority, "ID": "0192:" + cl.OrgNo},
		"scope":      strings.Join(scopes, " "),
		"iat":        now.Unix(),
		"exp":        now.Add(mpTokenLifetime).Unix(),
		"jti":        mpRandomID(),
	}
	if aud != nil {
		out["aud"] = aud
	}
	if su != nil {
		out["authorization_details"] = []map[string]any{{
			"type":           mpSystemUserType,
			"systemuser_id":  []string{su.ID},
			"systemuser_org": map[string]string{"authority": mpAuthority, "ID": suOrg},
			"system_id":      su.SystemID,
		}}
	}
	signed, err := m.sign(out)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "could not sign the token: %v", err)
	}
	// expires_in is one second short of the lifetime, as the real one answers.
	return &mpTokenResponse{AccessToken: signed, TokenType: "Bearer", ExpiresIn: int(mpTokenLifetime/time.Second) - 1, Scope: strings.Join(scopes, " ")}, nil
}

// mpGrantTypeError explains a missing or wrong grant_type, including the
// common mistake of posting the grant's claims as JSON (spec §0).
func mpGrantTypeError(r *http.Request, gt string) *mpTokenError {
	const code = "unsupported_grant_type"
	if gt != "" {
		return mpFail(http.StatusBadRequest, code, "", "grant_type is %q; Maskinporten supports only %s", gt, mpJWTBearer)
	}
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
	leaf := hdr.chain[0]
	org := mpCertOrgNo(leaf.Subject)
	if org == "" {
		return nil, "", mpInvalidGrant("MP-122",
			"found no organisation number in the certificate's subject %q (looked in serialNumber, organizationIdentifier NTRNO-<orgno> and for nine digits); client %s belongs to %s", leaf.Subject, cl.ID, cl.OrgNo)
	}
	if org != cl.OrgNo {
		return nil, "", mpInvalidGrant("MP-122",
			"the certificate belongs to org %s (subject %q) but client %s belongs to org %s; use the business certificate of the client's org", org, leaf.Subject, cl.ID, cl.OrgNo)
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return nil, "", mpInvalidGrant("MP-120",
			"JWT signed with invalid certificate: the certificate is valid from %s to %s, and Maskinporten's clock says %s",
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return leaf.PublicKey.(*rsa.PublicKey), "virksomhetssertifikat", nil
}

// mpCertOrgNo is the organisation number in a business certificate's
// subject: its serialNumber (older Buypass and Commfides certificates),
// its organizationIdentifier "NTRNO-<orgno>" (newer ones), or else any nine
// digits in the subject.
func mpCertOrgNo(subject pkix.Name) string {
	if mpOrgNoRE.MatchString(subject.SerialNumber) {
		return subject.SerialNumber
	}
	for _, n := range subject.Names {
		if s, ok := n.Value.(string); ok && n.Type.Equal(mpOrgIdentifierOID) {
			if org, ok := strings.CutPrefix(s, "NTRNO-"); ok && mpOrgNoRE.MatchString(org) {
				return org
			}
		}
	}
	if m := mpNineDigitsRE.FindStringSubmatch(subject.String()); m != nil {
		return m[1]
	}
	return ""
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
	tokenURL := m.issuer + "token"
	if len(aud) == 1 && (aud[0] == m.issuer || aud[0] == tokenURL) {
		return nil
	}
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

// mpCheckTimes checks iat, exp and the grant's lifetime against now.
func mpCheckTimes(claims jwt.MapClaims, now time.Time) (iat, exp time.Time, terr *mpTokenError) {
	clock := now.UTC().Format(time.RFC3339)
	iatD, err := claims.GetIssuedAt()
	if err != nil {
		return iat, exp, mpInvalidGrant("", "iat must be a number: seconds since 1970-01-01 UTC")
	}
	if iatD == nil {
		return iat, exp, mpInvalidGrant("", "iat is missing; set it to the current time in seconds since 1970-01-01 UTC")
	}
	iat = iatD.Time
	switch d := iat.Sub(now); {
	case d > mpSkew:
		return iat, exp, mpInvalidGrant("",
			"iat %s is %d s ahead of Maskinporten's clock (%s); at most %d s of clock skew is allowed, so check the clock of the machine that makes the grant",
			iat.UTC().Format(time.RFC3339), int(d.Round(time.Second).Seconds()), clock, int(mpSkew.Seconds()))
	case d < -mpSkew:
		return iat, exp, mpInvalidGrant("",
			"iat %s is %d s behind Maskinporten's clock (%s); a grant is accepted only within %d s of its iat, so make a fresh grant for every token request and check your clock",
			iat.UTC().Format(time.RFC3339), int(-d.Round(time.Second).Seconds()), clock, int(mpSkew.Seconds()))
	}
	expD, err := claims.GetExpirationTime()
	if err != nil {
		return iat, exp, mpInvalidGrant("MP-130", "exp must be a number: seconds since 1970-01-01 UTC")
	}
	if expD == nil {
		return iat, exp, mpInvalidGrant("MP-130", "exp is missing; set it to iat + at most %d s", int(mpDocLifetime.Seconds()))
	}
	exp = expD.Time
	if !now.Before(exp) {
		return iat, exp, mpInvalidGrant("MP-130", "JWT is expired: exp %s is not after Maskinporten's clock (%s)", exp.UTC().Format(time.RFC3339), clock)
	}
	life := exp.Sub(iat)
	if life <= 0 {
		return iat, exp, mpInvalidGrant("", "exp %s is not after iat %s", exp.UTC().Format(time.RFC3339), iat.UTC().Format(time.RFC3339))
	}
	if life > mpMaxLifetime {
		return iat, exp, mpInvalidGrant("", "exp - iat is %d s; the maximum is %d s (the documented limit is %d s)",
			int(life.Seconds()), int(mpMaxLifetime.Seconds()), int(mpDocLifetime.Seconds()))
	}
	return iat, exp, nil
}

// checkScopes checks that the grant asks for scopes that exist, that are
// registered on the client, and that the client's org may use.
func (m *Maskinporten) checkScopes(cl *mpClient, claims jwt.MapClaims) ([]string, *mpTokenError) {
	raw, present := claims["scope"]
	s, ok := raw.(string)
	if present && !ok {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "MP-201", "scope must be one string of space-separated scopes, not %s", mpJSONKind(raw))
	}
	var scopes []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(scopes, f) {
			scopes = append(scopes, f)
		}
	}
	if len(scopes) == 0 {
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "MP-201", "scope is missing; ask for at least one scope (space-separated)")
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
		return nil, mpFail(http.StatusBadRequest, "invalid_scope", "MP-201",
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
	for _, sc := range found {
		if !sc.allows(cl.OrgNo) {
			return nil, mpFail(http.StatusForbidden, "access_denied", "MP-250",
				"Consumer has not been granted access to the scope: org %s has no access to %q; its owner, org %s, must give it (PUT /api/v1/scopes/access/%s?scope=%s&owner_orgno=%s)",
				cl.OrgNo, sc.Name, sc.Owner, cl.OrgNo, url.QueryEscape(sc.Name), sc.Owner)
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

// mpSystemUserRequest is what a grant's authorization_details asks for.
type mpSystemUserRequest struct {
	ownerID     string // "0192:<orgno>"
	ownerOrgNo  string
	externalRef string // empty when the grant had none
}

// mpParseAuthorizationDetails checks the grant's authorization_details
// (spec §2.3): one object of type urn:altinn:systemuser with no other
// fields than type, systemuser_org and externalRef.
func mpParseAuthorizationDetails(raw any) (mpSystemUserRequest, *mpTokenError) {
	const code = "invalid_authorization_details"
	var req mpSystemUserRequest
	arr, ok := raw.([]any)
	if !ok {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"authorization_details must be a JSON array holding one object, even for one party; got %s", mpJSONKind(raw))
	}
	if len(arr) != 1 {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"authorization_details has %d entries; exactly one is allowed (a grant asks for one party at a time)", len(arr))
	}
	obj, ok := arr[0].(map[string]any)
	if !ok {
		return req, mpFail(http.StatusBadRequest, code, "MP-301", "authorization_details[0] must be an object; got %s", mpJSONKind(arr[0]))
	}
	if typ, _ := obj["type"].(string); typ != mpSystemUserType {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"Unknown authorization details type %q; the system user type is %s", obj["type"], mpSystemUserType)
	}
	var unknown []string
	for k := range obj {
		if k != "type" && k != "systemuser_org" && k != "externalRef" {
			unknown = append(unknown, k)
		}
	}
	so, isObj := obj["systemuser_org"].(map[string]any)
	for k := range so {
		if k != "authority" && k != "ID" && k != "id" {
			unknown = append(unknown, "systemuser_org."+k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return req, mpFail(http.StatusBadRequest, code, "MP-302",
			"Unknown fields in the authorization details: %s; allowed are type, systemuser_org {authority, ID} and externalRef (note the case)", mpQuoteList(unknown))
	}

	const cfgCode = "invalid_altinn_customer_configuration"
	if !isObj {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"systemuser_org is missing or not an object; it must be {\"authority\": %q, \"ID\": \"0192:<the system user's owner org>\"}", mpAuthority)
	}
	if a, _ := so["authority"].(string); a != mpAuthority {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "systemuser_org.authority is %q; expected %q", so["authority"], mpAuthority)
	}
	id, hasUpper := so["ID"]
	lower, hasLower := so["id"]
	if hasUpper && hasLower {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "systemuser_org has both ID and id; give one, ID")
	}
	if hasLower {
		id = lower
	}
	idStr, _ := id.(string)
	if !mpSystemUserOrgRE.MatchString(idStr) {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"systemuser_org.ID is %q; expected \"0192:\" followed by the nine-digit org number of the system user's owner", id)
	}
	req.ownerID = idStr
	req.ownerOrgNo = strings.TrimPrefix(idStr, "0192:")
	if ref, present := obj["externalRef"]; present {
		s, ok := ref.(string)
		if !ok || s == "" {
			return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "externalRef must be a non-empty string; leave it out to use the default (the owner's org number)")
		}
		req.externalRef = s
	}
	return req, nil
}

// mpSystemUser is Altinn's answer to the byExternalId lookup (spec §5).
type mpSystemUser struct {
	ID            string `json:"id"`
	SystemID      string `json:"systemId"`
	ProductName   string `json:"productName"`
	ReporteeOrgNo string `json:"reporteeOrgNo"`
	SupplierOrgNo string `json:"supplierOrgno"`
	ExternalRef   string `json:"externalRef"`
	UserType      string `json:"userType"`
}

// lookupSystemUser asks Altinn, over HTTP and with Maskinporten's own
// token, for the system user the grant names, as the real Maskinporten does.
func (m *Maskinporten) lookupSystemUser(ctx context.Context, cl *mpClient, req mpSystemUserRequest) (*mpSystemUser, *mpTokenError) {
	const cfgCode = "invalid_altinn_customer_configuration"
	if m.altinnURL == "" {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "this Maskinporten has no Altinn URL configured, so it cannot look up system users")
	}
	q := url.Values{}
	q.Set("clientId", cl.ID)
	q.Set("systemProviderOrgNo", cl.OrgNo)
	q.Set("systemUserOwnerOrgNo", req.ownerOrgNo)
	if req.externalRef != "" {
		q.Set("externalRef", req.externalRef)
	}
	lookupURL := m.altinnURL + "authentication/api/v1/systemuser/byExternalId?" + q.Encode()
	looked := fmt.Sprintf("clientId=%s, systemProviderOrgNo=%s, systemUserOwnerOrgNo=%s, externalRef=%s", cl.ID, cl.OrgNo, req.ownerOrgNo, req.externalRef)
	if req.externalRef == "" {
		looked = fmt.Sprintf("clientId=%s, systemProviderOrgNo=%s, systemUserOwnerOrgNo=%s and no externalRef (so Altinn uses the owner's org number)", cl.ID, cl.OrgNo, req.ownerOrgNo)
	}

	self, err := m.selfToken()
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "could not sign Maskinporten's own token for Altinn: %v", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, lookupURL, nil)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "bad Altinn lookup URL %q: %v", lookupURL, err)
	}
	hreq.Header.Set("Authorization", "Bearer "+self)
	hreq.Header.Set("Accept", "application/json")
	resp, err := m.http.Do(hreq)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "",
			"Altinn could not be reached for the system user lookup (GET %s): %v", m.altinnURL+"authentication/api/v1/systemuser/byExternalId", err)
	}
	defer func() {
		// Read to the end so that the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		// Altinn refused our own token: mint a fresh one next time. The
		// vendor cannot fix this; the real service would answer the same
		// error, so the mock does, but says what happened.
		m.dropSelfToken(self)
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn refused Maskinporten's own token for the system user lookup (HTTP %d %s) while looking up %s; the fault is between Maskinporten and Altinn, not in the grant",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"), looked)
	default:
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn found no system user (HTTP %d) for %s. Check that the system user request was approved, that the system in Altinn's system register lists client_id %s, that systemuser_org is the system user's owner (for an agent system user, the facilitator, not a client), and that externalRef matches the request's",
			resp.StatusCode, looked, cl.ID)
	}
	var su mpSystemUser
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&su); err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "Altinn's answer to the system user lookup is not the expected JSON: %v", err)
	}
	if su.ID == "" {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "Altinn's answer to the system user lookup has no id")
	}
	if su.SupplierOrgNo != cl.OrgNo {
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn's system user %s belongs to the vendor org %s, not to org %s of client %s", su.ID, su.SupplierOrgNo, cl.OrgNo, cl.ID)
	}
	if su.ReporteeOrgNo != "" && su.ReporteeOrgNo != req.ownerOrgNo {
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn's system user %s is owned by org %s, but systemuser_org names %s", su.ID, su.ReporteeOrgNo, req.ownerOrgNo)
	}
	return &su, nil
}

// selfToken is Maskinporten's own token for the lookup at Altinn, minted
// like an issued token for Digdir and kept until shortly before it expires.
func (m *Maskinporten) selfToken() (string, error) {
	m.selfMu.Lock()
	defer m.selfMu.Unlock()
	now := m.clock.Now()
	// A clock moved backwards would leave the cached token issued in the future.
	if m.self != "" && now.Before(m.selfExp.Add(-mpSelfMargin)) && !now.Before(m.selfIat.Truncate(time.Second)) {
		return m.self, nil
	}
	exp := now.Add(mpTokenLifetime)
	tok, err := m.sign(jwt.MapClaims{
		"iss":        m.issuer,
		"client_id":  "maskinporten",
		"client_amr": "private_key_jwt",
		"token_type": "Bearer",
		"consumer":   map[string]string{"authority": mpAuthority, "ID": "0192:" + OrgDigdir},
		"scope":      mpLookupScope,
		"iat":        now.Unix(),
		"exp":        exp.Unix(),
		"jti":        mpRandomID(),
	})
	if err != nil {
		return "", err
	}
	m.self, m.selfIat, m.selfExp = tok, now, exp
	return tok, nil
}

// dropSelfToken forgets the cached token if it is still tok.
func (m *Maskinporten) dropSelfToken(tok string) {
	m.selfMu.Lock()
	if m.self == tok {
		m.self = ""
	}
	m.selfMu.Unlock()
}

// sign signs claims as a Maskinporten token: RS256 with the key's kid.
func (m *Maskinporten) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = mpKeyID
	return t.SignedString(m.key)
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

// mpRandomID is a random, URL-safe token id.
func mpRandomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// client returns the registered client, or nil.
func (m *Maskinporten) client(id string) *mpClient {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.clients[id]
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

// Seed loads clients and scopes. Scopes are loaded first, so the seed's
// clients may name them; a later entry with the same client_id or scope
// name replaces an earlier one. A seed with an invalid entry changes
// nothing.
func (m *Maskinporten) Seed(s Seed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	clients := maps.Clone(m.clients)
	scopes := maps.Clone(m.scopes)
	prefixes := maps.Clone(m.prefixes)
	for _, ss := range s.Scopes {
		sc, err := mpSeedScope(ss, now)
		if err != nil {
			return fmt.Errorf("scope (%q): %w", ss.Name, err)
		}
		if owner, ok := prefixes[sc.Prefix]; ok && owner != sc.Owner && mpPrefixHasOthers(scopes, sc.Prefix, sc.Name) {
			return fmt.Errorf("scope (%q): prefix %q belongs to org %s, not to the scope's owner %s", ss.Name, sc.Prefix, owner, sc.Owner)
		}
		scopes[sc.Name] = sc
		prefixes[sc.Prefix] = sc.Owner
	}
	for _, sc := range s.Clients {
		c, err := mpSeedClient(sc, scopes, now)
		if err != nil {
			return fmt.Errorf("client (%q): %w", sc.ClientID, err)
		}
		clients[c.ID] = c
	}
	m.clients, m.scopes, m.prefixes = clients, scopes, prefixes
	return nil
}

// mpPrefixHasOthers reports whether some scope other than name uses prefix.
func mpPrefixHasOthers(scopes map[string]*mpScope, prefix, name string) bool {
	for n, sc := range scopes {
		if sc.Prefix == prefix && n != name {
			return true
		}
	}
	return false
}

func mpSeedScope(ss SeedScope, now time.Time) (*mpScope, error) {
	prefix, subscope, err := mpSplitScope(ss.Name)
	if err != nil {
		return nil, err
	}
	if !mpOrgNoRE.MatchString(ss.OwnerOrgNo) {
		return nil, fmt.Errorf("owner_orgno %q is not a nine-digit org number", ss.OwnerOrgNo)
	}
	sc := &mpScope{Name: ss.Name, Prefix: prefix, Subscope: subscope, Owner: ss.OwnerOrgNo, Description: ss.Description, Access: map[string]bool{}, Created: now}
	for _, a := range ss.Access {
		if a != "*" && !mpOrgNoRE.MatchString(a) {
			return nil, fmt.Errorf("access entry %q is neither a nine-digit org number nor \"*\" (everyone)", a)
		}
		sc.Access[a] = true
	}
	return sc, nil
}

func mpSeedClient(sc SeedClient, scopes map[string]*mpScope, now time.Time) (*mpClient, error) {
	if sc.ClientID == "" {
		return nil, errors.New("client_id is missing")
	}
	if !mpOrgNoRE.MatchString(sc.OrgNo) {
		return nil, fmt.Errorf("client_orgno %q is not a nine-digit org number", sc.OrgNo)
	}
	names, err := mpCheckClientScopes(sc.Scopes, scopes)
	if err != nil {
		return nil, err
	}
	keys, err := mpParseJWKS(sc.JWKS.Keys)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return &mpClient{
		ID: sc.ClientID, OrgNo: sc.OrgNo, Name: sc.Name, Scopes: names,
		JWKS: client.JWKS{Keys: slices.Clone(sc.JWKS.Keys)}, keys: keys, Created: now, Updated: now,
	}, nil
}
