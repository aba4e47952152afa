package standin

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Test Maskinporten's routes: the RFC 8414 metadata, the key set and the
// token endpoint (felleslosninger/docs _docs/Maskinporten/
// maskinporten_func_wellknown.md, maskinporten_protocol_token.md).
const (
	RouteWellKnown = "GET /.well-known/oauth-authorization-server"
	RouteJWK       = "GET /jwk"
	RouteToken     = "POST /token"
	grantTypeJWT   = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// The server's clock rules, from its source as quoted in
	// Altinn/altinn-studio#19603 (spec Corrections 1): skew 10 s, a grant
	// may live 180 s, an old iat is not refused.
	clockSkew        = 10 * time.Second
	maxGrantLifetime = 180 * time.Second
	typeSystemUser   = "urn:altinn:systemuser"
)

// mpError is one of Maskinporten's OAuth errors: the error value, the
// MP-nnn id Digdir's troubleshooting page gives it ("" where the page has
// none), and the description's text.
type mpError struct{ code, id, text string }

const authFailed = "Invalid assertion. Client authentication failed."

// Descriptions: the MP ids and texts are the headings of Digdir's
// troubleshooting page (maskinporten_feilsoking.md, line noted); the clock
// texts are the server's exceptions quoted in altinn-studio#19603. Error
// values Digdir does not pair with an id follow RFC 6749 §5.2, RFC 7523 §3.1
// and RFC 9396 §5 (invalid_authorization_details): UNCONFIRMED.
var (
	errGrantType   = mpError{"unsupported_grant_type", "", "Unsupported grant_type, expected " + grantTypeJWT}
	errNoAssertion = mpError{"invalid_request", "", "Missing assertion"}
	errMalformed   = mpError{"invalid_request", "MP-011", "Invalid assertion. Invalid parameter value."} // L74
	errNoKid       = mpError{"invalid_grant", "", authFailed + " Invalid JWT. The client requires pre-registered jwk and no key identifier (kid) provided"}
	errNoClient    = mpError{"invalid_grant", "MP-100", authFailed}                             // L48, L110
	errAudience    = mpError{"invalid_grant", "MP-110", authFailed + " Invalid JWT claim aud."} // L54
	errSignature   = mpError{"invalid_grant", "MP-124", authFailed + " Invalid JWT signature."} // L140
	// A real body (quoted in maskinporten-facts.md §1.1, OKDATA doc/sos.md); its id is unknown.
	errUnknownKid  = mpError{"invalid_grant", "", authFailed + " Unknown key identifier (kid) for client."}
	errExpired     = mpError{"invalid_grant", "MP-130", authFailed + " JWT has expired."}                               // L120
	errFuture      = mpError{"invalid_grant", "", authFailed + " Issue time is in the future."}                         // L168, no id
	errLifetime    = mpError{"invalid_grant", "", authFailed + " JWT has too long lifetime."}                           // no id
	errReplay      = mpError{"invalid_grant", "MP-012", "Invalid assertion. Grant is used before."}                     // L102, L144
	errNoScope     = mpError{"invalid_scope", "", "Token request must request one or more scopes"}                      // systembruker page L94
	errScope       = mpError{"invalid_scope", "MP-200", "Token request contains invalid scopes for client"}             // L88
	errDetailType  = mpError{"invalid_authorization_details", "MP-301", "Unknown authorization details type"}           // L150
	errDetailField = mpError{"invalid_authorization_details", "MP-302", "Unknown fields in the authorization details"}  // L156
	errDetailValue = mpError{"invalid_authorization_details", "MP-303", "Invalid authorization details values"}         // L162
	errNoSysUser   = mpError{"invalid_altinn_customer_configuration", "MP-303", "Invalid authorization details values"} // spec §2.6
)

func (w *World) maskinportenMux() *http.ServeMux {
	mux := http.NewServeMux()
	w.handle(mux, RouteWellKnown, w.wellKnown)
	w.handle(mux, RouteJWK, w.jwks)
	w.handle(mux, RouteToken, w.token)
	return mux
}

// wellKnown is the metadata in the shape test Maskinporten publishes (spec
// §1, quoted by nais/tokendings WellKnownTest.kt), on the stand-in's URLs.
func (w *World) wellKnown(rw http.ResponseWriter, _ *http.Request) {
	iss := w.MaskinportenURL
	writeJSON(rw, http.StatusOK, map[string]any{
		"authorization_details_types_supported": []string{typeSystemUser, "urn:altinn:consent"},
		"grant_types_supported":                 []string{grantTypeJWT},
		"issuer":                                iss,
		"jwks_uri":                              iss + "jwk",
		"token_endpoint":                        iss + "token",
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "RS384", "RS512"},
	})
}

func (w *World) jwks(rw http.ResponseWriter, _ *http.Request) {
	writeJSON(rw, http.StatusOK, map[string]any{"keys": []any{jwk(&w.mpKey.PublicKey, w.mpKID)}})
}

// writeMPError writes {error, error_description[, error_uri]} with 400
// (the status of every Maskinporten error body seen, e.g. the MP-121 one
// in MPIDInURI's comment). The description ends with a trace id, as the
// real ones do.
func (w *World) writeMPError(rw http.ResponseWriter, e mpError) {
	w.mu.Lock()
	place := w.mpIDs
	w.mu.Unlock()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	desc := e.text
	if e.id != "" && place == MPIDInDescription {
		desc = e.id + ": " + desc
	}
	body := map[string]string{"error": e.code, "error_description": desc + " (trace_id: " + hex.EncodeToString(b) + ")"}
	if e.id != "" && place == MPIDInURI {
		body["error_uri"] = "https://maskinporten.no/errors/" + e.id
	}
	rw.Header().Set("Cache-Control", "no-store")
	writeJSON(rw, http.StatusBadRequest, body)
}

// grantClaims are the grant's claims as Digdir lists them
// (maskinporten_protocol_jwtgrant.md L36-47).
type grantClaims struct {
	Iss     string          `json:"iss"`
	Aud     json.RawMessage `json:"aud"`
	Iat     *json.Number    `json:"iat"`
	Exp     *json.Number    `json:"exp"`
	Jti     string          `json:"jti"`
	Scope   *string         `json:"scope"`
	Details json.RawMessage `json:"authorization_details"`
}

// token is the jwt-bearer grant at the token endpoint.
func (w *World) token(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != grantTypeJWT {
		w.writeMPError(rw, errGrantType)
		return
	}
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		w.writeMPError(rw, errNoAssertion)
		return
	}
	now := w.now()
	cl, claims, e := w.checkGrant(assertion, now)
	if e != nil {
		w.writeMPError(rw, *e)
		return
	}
	scopes := strings.Fields(*claims.Scope)
	for _, s := range scopes {
		if !cl.scopes[s] {
			w.writeMPError(rw, errScope)
			return
		}
	}
	var detail map[string]any
	if len(claims.Details) > 0 && string(claims.Details) != "null" {
		d, e := w.systemUserDetail(cl, claims.Details)
		if e != nil {
			w.writeMPError(rw, *e)
			return
		}
		detail = d
	}
	tok, err := w.issue(cl, strings.Join(scopes, " "), detail, now)
	if err != nil {
		http.Error(rw, "could not sign", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Cache-Control", "no-store") // RFC 6749 §5.1
	rw.Header().Set("Pragma", "no-cache")
	writeJSON(rw, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": w.opts.ExpiresIn, "scope": strings.Join(scopes, " ")})
}

// checkGrant authenticates the client by its grant: header, client, key,
// signature, aud, the clock rules and jti replay. The order of the checks
// (which error a grant with two faults gets) is the stand-in's; the real
// order is UNCONFIRMED. A jti is recorded once the grant is authenticated,
// before its scopes and authorization_details are checked.
func (w *World) checkGrant(assertion string, now time.Time) (*mpClient, grantClaims, *mpError) {
	var claims grantClaims
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, claims, &errMalformed
	}
	var hdr struct {
		Alg string          `json:"alg"`
		Kid string          `json:"kid"`
		X5c json.RawMessage `json:"x5c"`
	}
	if decodeSegment(parts[0], &hdr) != nil || decodeSegment(parts[1], &claims) != nil {
		return nil, claims, &errMalformed
	}
	w.mu.Lock()
	cl := w.state.clients[claims.Iss]
	w.mu.Unlock()
	switch {
	case cl == nil:
		return nil, claims, &errNoClient
	case hdr.Kid == "":
		return nil, claims, &errNoKid // the clients here have keys, not certificates
	case cl.keys[hdr.Kid] == nil:
		return nil, claims, &errUnknownKid
	}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}), jwt.WithoutClaimsValidation()).
		Parse(assertion, func(*jwt.Token) (any, error) { return cl.keys[hdr.Kid], nil })
	if err != nil {
		return nil, claims, &errSignature
	}
	if !w.audienceOK(claims.Aud) {
		return nil, claims, &errAudience
	}
	if claims.Iat == nil || claims.Exp == nil || claims.Scope == nil {
		if claims.Scope == nil && claims.Iat != nil && claims.Exp != nil {
			return nil, claims, &errNoScope
		}
		return nil, claims, &errMalformed
	}
	iat, err1 := claims.Iat.Float64()
	exp, err2 := claims.Exp.Float64()
	if err1 != nil || err2 != nil {
		return nil, claims, &errMalformed
	}
	iatT, expT := unixTime(iat), unixTime(exp)
	switch {
	case expT.Sub(iatT) > maxGrantLifetime:
		return nil, claims, &errLifetime
	case now.Add(clockSkew).Before(iatT):
		return nil, claims, &errFuture
	case now.Add(-clockSkew).After(expT):
		return nil, claims, &errExpired
	}
	if strings.TrimSpace(*claims.Scope) == "" {
		return nil, claims, &errNoScope
	}
	if claims.Jti != "" && !w.useJTI(cl.id, claims.Jti, expT, now) {
		return nil, claims, &errReplay
	}
	return cl, claims, nil
}

func unixTime(f float64) time.Time {
	return time.Unix(0, int64(f*float64(time.Second)))
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// audienceOK accepts the issuer and its token endpoint (spec Corrections 2:
// Altinn's tt02 tests sign with .../token, SmartCloud with the issuer), as a
// string or a one-element array.
func (w *World) audienceOK(raw json.RawMessage) bool {
	var one string
	var many []string
	if json.Unmarshal(raw, &one) == nil {
		many = []string{one}
	} else if json.Unmarshal(raw, &many) != nil || len(many) != 1 {
		return false
	}
	return many[0] == w.MaskinportenURL || many[0] == w.MaskinportenURL+"token"
}

// useJTI records a grant's jti until it has expired; false if it was used
// before (MP-012).
func (w *World) useJTI(clientID, jti string, exp, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, until := range w.state.jtis {
		if now.After(until) {
			delete(w.state.jtis, k)
		}
	}
	key := clientID + "\x00" + jti
	if _, used := w.state.jtis[key]; used {
		return false
	}
	w.state.jtis[key] = exp.Add(clockSkew)
	return true
}

// issue signs an access token with the claims Digdir documents
// (maskinporten_protocol_token.md L94-106; a system user token per
// maskinporten_func_systembruker.md L100-118 and Altinn's tt02 example,
// spec §2.5): systemuser_org keyed ID.
func (w *World) issue(cl *mpClient, scope string, detail map[string]any, now time.Time) (string, error) {
	jti := make([]byte, 24)
	_, _ = rand.Read(jti)
	claims := jwt.MapClaims{
		"scope": scope, "iss": w.MaskinportenURL, "client_amr": "private_key_jwt", "token_type": "Bearer",
		"exp": now.Unix() + int64(w.opts.ExpiresIn), "iat": now.Unix(), "client_id": cl.id,
		"jti":      base64.RawURLEncoding.EncodeToString(jti),
		"consumer": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + cl.orgNo},
	}
	if detail != nil {
		claims["authorization_details"] = []any{detail}
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = w.mpKID
	return t.SignedString(w.mpKey)
}

// systemUserDetail checks the grant's authorization_details and finds the
// system user Maskinporten would get from Altinn's byExternalId (AUTHN
// SystemUserRepository.CheckIfPartyHasIntegration L329-360): the owner, a
// live system listing the client id, the client's org as its vendor, the
// externalRef (default the owner's org number).
func (w *World) systemUserDetail(cl *mpClient, raw json.RawMessage) (map[string]any, *mpError) {
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, &errMalformed // an array even for one (systembruker page L83)
	}
	if len(list) > 1 {
		return nil, &errDetailValue // one party at a time (L92)
	}
	d := list[0]
	var typ string
	if json.Unmarshal(d["type"], &typ) != nil || typ != typeSystemUser {
		return nil, &errDetailType
	}
	for k := range d {
		if k != "type" && k != "systemuser_org" && k != "externalRef" {
			return nil, &errDetailField
		}
	}
	var org map[string]string
	if json.Unmarshal(d["systemuser_org"], &org) != nil || org["authority"] != "iso6523-actorid-upis" || len(org) != 2 {
		return nil, &errDetailValue
	}
	owner := orgFromISO6523(org["ID"])
	if owner == "" || len(owner) != 9 {
		return nil, &errDetailValue
	}
	ref := owner
	if x, ok := d["externalRef"]; ok && json.Unmarshal(x, &ref) != nil {
		return nil, &errDetailValue
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range w.state.users {
		s := w.state.system(u.systemID)
		if u.deleted || u.ownerOrgNo != owner || u.externalRef != ref || s == nil || s.deleted ||
			s.vendorOrgNo != cl.orgNo || !containsFold(s.clientIDs, cl.id) {
			continue
		}
		return map[string]any{
			"type":           typeSystemUser,
			"systemuser_id":  []string{u.id},
			"systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + owner},
			"system_id":      u.systemID,
		}, nil
	}
	return nil, &errNoSysUser
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// verifyToken checks an access token of the stand-in's Maskinporten as a
// resource server must (maskinporten_protocol_token.md L164-174): signed
// by Maskinporten's key, its issuer, not expired.
func (w *World) verifyToken(raw string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(w.MaskinportenURL),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(w.now)).
		ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
			if t.Header["kid"] != w.mpKID {
				return nil, fmt.Errorf("unknown kid")
			}
			return &w.mpKey.PublicKey, nil
		})
	return claims, err
}
