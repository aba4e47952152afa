package mock

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
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
	mpOrgNoRE         = lazyre.New(`^[0-9]{9}$`)
	mpSystemUserOrgRE = lazyre.New(`^0192:[0-9]{9}$`)
	mpNineDigitsRE    = lazyre.New(`(?:^|[^0-9])([0-9]{9})(?:[^0-9]|$)`)
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
	http      *http.Client  // without a Timeout: see mpHTTPClient
	timeout   time.Duration // the bound of a call to Altinn
	clock     *Clock
	key       *rsa.PrivateKey
	mux       *http.ServeMux

	mu         sync.RWMutex
	mpRegistry // guarded by mu

	replay mpReplay

	selfMu   sync.Mutex // guards the cached lookup token
	self     string
	selfAuth []string // "Bearer " + self
	selfIat  time.Time
	selfExp  time.Time
}

// mpRegistry is what the mock Maskinporten knows from its seed and its
// self-service API. The maps' values are never changed in place (an update
// stores a new value), so a reader may keep one after unlocking, and a
// copy of the maps is a copy of the registry.
type mpRegistry struct {
	clients  map[string]*mpClient
	scopes   map[string]*mpScope
	prefixes map[string]string // scope prefix → the org that owns it
	trust    *x509.CertPool    // the CAs a business certificate must chain to (testca.go); replaced, never changed
}

// clone is a copy of the registry that a write to either leaves apart (the
// trust store is shared: a seed replaces it with a changed copy).
func (r mpRegistry) clone() mpRegistry {
	r.clients, r.scopes, r.prefixes = maps.Clone(r.clients), maps.Clone(r.scopes), maps.Clone(r.prefixes)
	return r
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
		clock:     clock,
		key:       &key,
		mpRegistry: mpRegistry{
			clients:  map[string]*mpClient{},
			scopes:   map[string]*mpScope{},
			prefixes: map[string]string{},
			trust:    x509.NewCertPool(),
		},
	}
	m.http, m.timeout = mpHTTPClient(cfg.HTTP)
	m.trust.AddCert(TestCACertificate())
	m.routes()
	return m, nil
}

// routes makes the mux and registers the routes.
func (m *Maskinporten) routes() {
	m.mux = http.NewServeMux()
	m.replay.seen = map[string]time.Time{}
	m.routeToken(m.mux)
	m.routeSelfService(m.mux)
	m.routeKnobs(m.mux)
}

// clone is a Maskinporten with m's registry, as a reset of the world makes
// it from the seeded one: no grant seen, and its own token for Altinn
// kept, as it is still valid.
func (m *Maskinporten) clone() *Maskinporten {
	m.mu.RLock()
	reg := m.mpRegistry.clone()
	m.mu.RUnlock()
	c := &Maskinporten{issuer: m.issuer, altinnURL: m.altinnURL, http: m.http, timeout: m.timeout, clock: m.clock, key: m.key, mpRegistry: reg}
	m.selfMu.Lock()
	c.self, c.selfAuth, c.selfIat, c.selfExp = m.self, m.selfAuth, m.selfIat, m.selfExp
	m.selfMu.Unlock()
	c.routes()
	return c
}

// routeToken registers the routes of the token endpoint, its metadata and
// its keys.
func (m *Maskinporten) routeToken(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", m.handleMetadata)
	mux.HandleFunc("GET /jwk", m.handleJWK)
	mux.HandleFunc("POST /token", m.handleToken)
}

// mpHTTPClient is a copy of hc, or a new client, with a transport that
// keeps enough idle connections to Altinn for many token requests at once
// (the default transport keeps two per host, so a burst would open and
// close connections); a caller's own transport is kept. Its Timeout, 10 s
// when hc has none, is returned apart and bounds each call through a
// context deadline instead: a client with a Timeout and a transport other
// than *http.Transport (the world's, which traces) starts a goroutine, a
// timer and two channels for every request (net/http's setRequestCancel),
// about a tenth of a lookup's cost.
func mpHTTPClient(hc *http.Client) (*http.Client, time.Duration) {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	c.Timeout = 0
	if c.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 512
		t.MaxIdleConnsPerHost = 256
		c.Transport = t
	}
	return &c, timeout
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
	h := w.Header()
	h["Cache-Control"], h["Pragma"] = mpNoStore, mpNoCache
	if terr != nil {
		writeJSON(w, terr.status, map[string]string{"error": terr.code, "error_description": terr.Error()})
		return
	}
	if body, ok := resp.appendJSON(make([]byte, 0, len(resp.AccessToken)+len(resp.Scope)+96)); ok {
		h["Content-Type"] = mpJSONType
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// The token endpoint's header values, shared by every answer (net/http
// only reads them; a caller that adds to one appends to a full slice,
// which copies it).
var (
	mpNoStore  = []string{"no-store"}
	mpNoCache  = []string{"no-cache"}
	mpJSONType = []string{"application/json; charset=utf-8"}
)

// appendJSON appends the answer as writeJSON encodes it, byte for byte:
// the fields in order, no HTML escaping, a newline. A token is base64url
// and dots and needs no escaping; a scope that would (a quote, a
// backslash, a control or non-ASCII character) is left to writeJSON, and
// ok is false.
func (t *mpTokenResponse) appendJSON(b []byte) ([]byte, bool) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	if !plain(t.AccessToken) || !plain(t.TokenType) || !plain(t.Scope) {
		return b, false
	}
	b = append(b, `{"access_token":"`...)
	b = append(b, t.AccessToken...)
	b = append(b, `","token_type":"`...)
	b = append(b, t.TokenType...)
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, int64(t.ExpiresIn), 10)
	b = append(b, `,"scope":"`...)
	b = append(b, t.Scope...)
	b = append(b, "\"}\n"...)
	return b, true
}

// token runs the checks of docs/mock-api.md in their order and, when all
// pass, issues the token.
func (m *Maskinporten) token(r *http.Request) (*mpTokenResponse, *mpTokenError) {
	g, terr := m.checkGrant(r)
	if terr != nil {
		return nil, terr
	}
	cl, claims := g.client, g.claims

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

	return m.issue(g, scopes, aud, su, suOrg)
}

// mpAccessClaims is an issued token's claim set (spec §2.5), typed, with
// the keys in the order encoding/json wrote them from a map before: the
// tokens read the same, and a struct encodes without sorting keys.
type mpAccessClaims struct {
	Aud                  any                  `json:"aud,omitempty"` // a string or a list, from the grant's resource
	AuthorizationDetails []mpIssuedSystemUser `json:"authorization_details,omitempty"`
	ClientAmr            string               `json:"client_amr"`
	ClientID             string               `json:"client_id"`
	Consumer             mpOrgID              `json:"consumer"`
	Exp                  int64                `json:"exp"`
	Iat                  int64                `json:"iat"`
	Iss                  string               `json:"iss"`
	Jti                  string               `json:"jti"`
	Scope                string               `json:"scope"`
	TokenType            string               `json:"token_type"`
}

// mpIssuedSystemUser is the urn:altinn:systemuser entry of an issued token.
type mpIssuedSystemUser struct {
	SystemID      string   `json:"system_id"`
	SystemUserID  []string `json:"systemuser_id"`
	SystemUserOrg mpOrgID  `json:"systemuser_org"`
	Type          string   `json:"type"`
}

// mpOrgID is {"ID": "0192:<orgno>", "authority": "iso6523-actorid-upis"}.
type mpOrgID struct {
	ID        string `json:"ID"`
	Authority string `json:"authority"`
}

// issue makes and signs the token for a grant that passed every check
// (spec §2.5).
func (m *Maskinporten) issue(g mpGrant, scopes []string, aud any, su *mpSystemUser, suOrg string) (*mpTokenResponse, *mpTokenError) {
	cl, now := g.client, g.now
	scope := strings.Join(scopes, " ")
	out := mpAccessClaims{
		Aud: aud, Iss: m.issuer, ClientID: cl.ID, ClientAmr: g.amr, TokenType: "Bearer",
		Consumer: mpOrgID{ID: "0192:" + cl.OrgNo, Authority: mpAuthority}, Scope: scope,
		Iat: now.Unix(), Exp: now.Add(mpTokenLifetime).Unix(), Jti: mpRandomID(),
	}
	if su != nil {
		out.AuthorizationDetails = []mpIssuedSystemUser{{
			Type: mpSystemUserType, SystemUserID: []string{su.ID}, SystemUserOrg: mpOrgID{ID: suOrg, Authority: mpAuthority}, SystemID: su.SystemID,
		}}
	}
	signed, err := m.sign(&out)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "could not sign the token: %v", err)
	}
	// expires_in is one second short of the lifetime, as the real one answers.
	return &mpTokenResponse{AccessToken: signed, TokenType: "Bearer", ExpiresIn: int(mpTokenLifetime/time.Second) - 1, Scope: scope}, nil
}

// appendJSON appends the claims as json.Marshal encodes them, byte for
// byte (TestMPAccessClaimsJSON), without reflection. It reports false,
// and json.Marshal is left to do it, when a string would need escaping
// (json.Marshal's HTML escaping included) or aud is neither a string nor
// a list of strings.
func (c *mpAccessClaims) appendJSON(b []byte) ([]byte, bool) {
	ok := true
	str := func(key, s string) {
		b = append(b, key...)
		b = append(b, '"')
		for i := 0; i < len(s); i++ {
			switch ch := s[i]; {
			case ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == '&':
				ok = false
			}
		}
		b = append(b, s...)
		b = append(b, '"')
	}
	list := func(key string, l []string) {
		b = append(b, key...)
		if l == nil {
			b = append(b, "null"...)
			return
		}
		b = append(b, '[')
		for i, s := range l {
			if i > 0 {
				b = append(b, ',')
			}
			str("", s)
		}
		b = append(b, ']')
	}
	org := func(key string, o mpOrgID) {
		str(key, o.ID)
		str(`,"authority":`, o.Authority)
		b = append(b, '}')
	}
	b = append(b, '{')
	sep := ""
	switch aud := c.Aud.(type) {
	case nil:
	case string:
		str(`"aud":`, aud)
		sep = ","
	case []string:
		list(`"aud":`, aud)
		sep = ","
	default:
		return b, false
	}
	if len(c.AuthorizationDetails) > 0 {
		b = append(b, sep+`"authorization_details":[`...)
		for i, d := range c.AuthorizationDetails {
			if i > 0 {
				b = append(b, ',')
			}
			str(`{"system_id":`, d.SystemID)
			list(`,"systemuser_id":`, d.SystemUserID)
			org(`,"systemuser_org":{"ID":`, d.SystemUserOrg)
			str(`,"type":`, d.Type)
			b = append(b, '}')
		}
		b = append(b, ']')
		sep = ","
	}
	str(sep+`"client_amr":`, c.ClientAmr)
	str(`,"client_id":`, c.ClientID)
	org(`,"consumer":{"ID":`, c.Consumer)
	b = strconv.AppendInt(append(b, `,"exp":`...), c.Exp, 10)
	b = strconv.AppendInt(append(b, `,"iat":`...), c.Iat, 10)
	str(`,"iss":`, c.Iss)
	str(`,"jti":`, c.Jti)
	str(`,"scope":`, c.Scope)
	str(`,"token_type":`, c.TokenType)
	b = append(b, '}')
	return b, ok
}

// mpTokenHeader is the header of every token the mock signs, encoded once:
// RS256 with the key's kid.
var mpTokenHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"` + mpKeyID + `","typ":"JWT"}`))

// sign signs claims as a Maskinporten token: RS256 with the key's kid.
func (m *Maskinporten) sign(claims *mpAccessClaims) (string, error) {
	var buf [1024]byte
	body, ok := claims.appendJSON(buf[:0])
	if !ok {
		var err error
		if body, err = json.Marshal(claims); err != nil {
			return "", err
		}
	}
	// Written into one builder, whose String the signature takes and
	// which then grows by the signature in place: no copy of the token.
	enc := base64.RawURLEncoding
	var sb strings.Builder
	sb.Grow(len(mpTokenHeader) + 1 + enc.EncodedLen(len(body)) + 1 + enc.EncodedLen(m.key.Size()))
	var scratch [2048]byte
	sb.WriteString(mpTokenHeader)
	sb.WriteByte('.')
	sb.Write(enc.AppendEncode(scratch[:0], body))
	sig, err := jwt.SigningMethodRS256.Sign(sb.String(), m.key)
	if err != nil {
		return "", err
	}
	sb.WriteByte('.')
	sb.Write(enc.AppendEncode(scratch[:0], sig))
	return sb.String(), nil
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
