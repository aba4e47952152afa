package mock

// The self-service API of the mock Maskinporten: what Digdir's self-service
// API (https://api.samarbeid.digdir.no/api/v1/...) and, in a browser,
// Samarbeidsportalen do. The mock serves the same paths on its own host,
// unauthenticated on loopback, and takes the acting org from the body or
// the query (the real API takes it from the caller's Maskinporten token).

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
)

var (
	mpPrefixRE   = lazyre.New(`^[a-z0-9][a-z0-9-]*$`)
	mpSubscopeRE = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	// mpPrivateMembers are the JWK members that hold private key material
	// (RFC 7518 §6.3.2 for RSA, and k of a symmetric key).
	mpPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
)

// routeSelfService registers the routes of the self-service API.
func (m *Maskinporten) routeSelfService(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/clients", m.handleCreateClient)
	mux.HandleFunc("GET /api/v1/clients/{client_id}", m.handleGetClient)
	mux.HandleFunc("PUT /api/v1/clients/{client_id}", m.handleUpdateClient)
	mux.HandleFunc("POST /api/v1/clients/{client_id}/jwks", m.handleUploadJWKS)
	mux.HandleFunc("GET /api/v1/clients/{client_id}/jwks", m.handleGetJWKS)
	mux.HandleFunc("POST /api/v1/scopes", m.handleCreateScope)
	mux.HandleFunc("GET /api/v1/scopes", m.handleGetScopes)
	mux.HandleFunc("PUT /api/v1/scopes/access/{consumer_orgno}", m.handleGrantAccess)
}

// mpSelfServiceFail answers with the self-service API's error shape.
func mpSelfServiceFail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": fmt.Sprintf(format, args...)})
}

// mpInvalidMetadata is the answer to a body that does not validate.
func mpInvalidMetadata(w http.ResponseWriter, format string, args ...any) {
	mpSelfServiceFail(w, http.StatusBadRequest, "invalid_client_metadata", format, args...)
}

// mpDecodeBody reads a JSON body into v, answering 400 when it cannot.
func mpDecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			mpInvalidMetadata(w, "the body is empty; send a JSON object")
		} else {
			mpInvalidMetadata(w, "the body is not the expected JSON: %v", err)
		}
		return false
	}
	return true
}

// mpClientBody is a client as the self-service API shows and takes it.
type mpClientBody struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientName              string   `json:"client_name"`
	ClientOrgNo             string   `json:"client_orgno"`
	Description             string   `json:"description,omitempty"`
	Scopes                  []string `json:"scopes"`
	IntegrationType         string   `json:"integration_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	Created                 string   `json:"created,omitempty"`
	LastUpdated             string   `json:"last_updated,omitempty"`
}

func (c *mpClient) body() mpClientBody {
	return mpClientBody{
		ClientID: c.ID, ClientName: c.Name, ClientOrgNo: c.OrgNo, Description: c.Description,
		Scopes: slices.Clone(c.Scopes), IntegrationType: "maskinporten", TokenEndpointAuthMethod: "private_key_jwt",
		GrantTypes: []string{mpJWTBearer},
		Created:    c.Created.UTC().Format(time.RFC3339), LastUpdated: c.Updated.UTC().Format(time.RFC3339),
	}
}

// mpCheckClientBody checks the parts of a client body that do not depend
// on the registry.
func mpCheckClientBody(b mpClientBody) error {
	if strings.TrimSpace(b.ClientName) == "" {
		return errors.New("client_name is missing; give the client a name people will recognise")
	}
	if !mpOrgNoRE.MatchString(b.ClientOrgNo) {
		return fmt.Errorf("client_orgno is %q; expected the nine-digit org number of the org that owns the client", b.ClientOrgNo)
	}
	if b.IntegrationType != "" && b.IntegrationType != "maskinporten" {
		return fmt.Errorf("integration_type is %q; this mock registers only maskinporten clients", b.IntegrationType)
	}
	if b.TokenEndpointAuthMethod != "" && b.TokenEndpointAuthMethod != "private_key_jwt" {
		return fmt.Errorf("token_endpoint_auth_method is %q; a Maskinporten client authenticates with private_key_jwt (a signed grant)", b.TokenEndpointAuthMethod)
	}
	for _, g := range b.GrantTypes {
		if g != mpJWTBearer {
			return fmt.Errorf("grant_types has %q; a Maskinporten client has only %s", g, mpJWTBearer)
		}
	}
	return nil
}

// mpCheckClientScopes checks that every scope exists and returns the list
// without duplicates.
func mpCheckClientScopes(names []string, scopes map[string]*mpScope) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if scopes[n] == nil {
			return nil, fmt.Errorf("scope %q does not exist; its owner creates it first (POST /api/v1/scopes)", n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (m *Maskinporten) handleCreateClient(w http.ResponseWriter, r *http.Request) {
	var b mpClientBody
	if !mpDecodeBody(w, r, &b) {
		return
	}
	if err := mpCheckClientBody(b); err != nil {
		mpInvalidMetadata(w, "%v", err)
		return
	}
	now := m.clock.Now()
	m.mu.Lock()
	names, err := mpCheckClientScopes(b.Scopes, m.scopes)
	if err != nil {
		m.mu.Unlock()
		mpInvalidMetadata(w, "%v", err)
		return
	}
	c := &mpClient{
		ID: client.NewUUID(), OrgNo: b.ClientOrgNo, Name: b.ClientName, Description: b.Description,
		Scopes: names, keys: map[string]*rsa.PublicKey{}, JWKS: client.JWKS{Keys: []client.JWK{}},
		Created: now, Updated: now,
	}
	m.clients[c.ID] = c
	m.mu.Unlock()
	writeJSON(w, http.StatusCreated, c.body())
}

// lookupClient finds the path's client or answers 404.
func (m *Maskinporten) lookupClient(w http.ResponseWriter, r *http.Request) *mpClient {
	id := r.PathValue("client_id")
	if c := m.client(id); c != nil {
		return c
	}
	mpSelfServiceFail(w, http.StatusNotFound, "not_found", "no client with client_id %q", id)
	return nil
}

func (m *Maskinporten) handleGetClient(w http.ResponseWriter, r *http.Request) {
	if c := m.lookupClient(w, r); c != nil {
		writeJSON(w, http.StatusOK, c.body())
	}
}

// handleUpdateClient is a whole update: name, description and scopes are
// replaced; the org cannot change.
func (m *Maskinporten) handleUpdateClient(w http.ResponseWriter, r *http.Request) {
	var b mpClientBody
	if !mpDecodeBody(w, r, &b) {
		return
	}
	id := r.PathValue("client_id")
	if b.ClientID != "" && b.ClientID != id {
		mpInvalidMetadata(w, "client_id in the body is %q but the path names %q", b.ClientID, id)
		return
	}
	m.mu.Lock()
	old := m.clients[id]
	if old == nil {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusNotFound, "not_found", "no client with client_id %q", id)
		return
	}
	if b.ClientOrgNo == "" {
		b.ClientOrgNo = old.OrgNo
	}
	err := mpCheckClientBody(b)
	if err == nil && b.ClientOrgNo != old.OrgNo {
		err = fmt.Errorf("client_orgno is %q but the client belongs to %s; a client cannot move to another org", b.ClientOrgNo, old.OrgNo)
	}
	var names []string
	if err == nil {
		names, err = mpCheckClientScopes(b.Scopes, m.scopes)
	}
	if err != nil {
		m.mu.Unlock()
		mpInvalidMetadata(w, "%v", err)
		return
	}
	c := *old
	c.Name, c.Description, c.Scopes, c.Updated = b.ClientName, b.Description, names, m.clock.Now()
	m.clients[id] = &c
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, c.body())
}

// handleUploadJWKS replaces the client's key set.
func (m *Maskinporten) handleUploadJWKS(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if !mpDecodeBody(w, r, &body) {
		return
	}
	if body.Keys == nil {
		mpInvalidMetadata(w, `the body has no "keys" array; send a JWK set: {"keys": [{"kty": "RSA", "kid": ..., "use": "sig", "alg": "RS256", "n": ..., "e": ...}]}`)
		return
	}
	keys, err := mpDecodeJWKS(body.Keys)
	if err != nil {
		mpInvalidMetadata(w, "%v", err)
		return
	}
	parsed, err := mpParseJWKS(keys)
	if err != nil {
		mpInvalidMetadata(w, "%v", err)
		return
	}
	id := r.PathValue("client_id")
	m.mu.Lock()
	old := m.clients[id]
	if old == nil {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusNotFound, "not_found", "no client with client_id %q", id)
		return
	}
	c := *old
	c.JWKS, c.keys, c.Updated = client.JWKS{Keys: keys}, parsed, m.clock.Now()
	m.clients[id] = &c
	m.mu.Unlock()
	writeJSON(w, http.StatusCreated, c.JWKS)
}

// mpDecodeJWKS decodes uploaded keys, refusing any that carries private key
// material. The message names the members but never their values.
func mpDecodeJWKS(raw []json.RawMessage) ([]client.JWK, error) {
	keys := make([]client.JWK, 0, len(raw))
	for i, r := range raw {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(r, &members); err != nil {
			return nil, fmt.Errorf("keys[%d] is not a JSON object", i)
		}
		var private []string
		for _, p := range mpPrivateMembers {
			if _, ok := members[p]; ok {
				private = append(private, p)
			}
		}
		if len(private) > 0 {
			return nil, fmt.Errorf("keys[%d] holds private key material (member %s); upload only the public key (kty, kid, use, alg, n, e), and treat this private key as exposed: make a new one",
				i, strings.Join(private, ", "))
		}
		var k client.JWK
		if err := json.Unmarshal(r, &k); err != nil {
			return nil, fmt.Errorf("keys[%d] is not a JWK: %v", i, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Digdir's rules for a client's key set (felleslosninger/docs
// _docs/idporten/oidc/oidc_api_admin.md L141-149 and oidc_func_clientreg.md
// L145-153, L175): "inntil 5" keys; "Man må alltid sende inn
// nøkkeldefinisjonen (kty,alg,use,e,n)"; "RS256, RS384 og RS512 støttes";
// kid "Ut over enkle alfanumeriske tegn, er spesialtegnene ._- tillatt".
// (oidc_api_admin.md says "Kun RS256 med nøkkellenge 2048"; the mock takes
// the three algorithms of the newer page and 2048 bits or more, as
// oslokommune/okdata-maskinporten-api registers 4096-bit keys.) The pages
// disagree on whether a kid must be unique per client or across all
// customers; the mock checks per client.
const mpMaxKeys = 5

var mpKidRE = lazyre.New(`^[A-Za-z0-9._-]+$`)

// mpParseJWKS validates a client's key set and parses its keys: at most
// five, RSA, at least 2048 bits, a usable exponent, every member Digdir
// asks for, each with a kid of its own, for signatures.
func mpParseJWKS(keys []client.JWK) (map[string]*rsa.PublicKey, error) {
	if len(keys) > mpMaxKeys {
		return nil, fmt.Errorf("the set has %d keys; Maskinporten takes at most %d per client (remove old ones: the upload replaces the whole set)", len(keys), mpMaxKeys)
	}
	out := make(map[string]*rsa.PublicKey, len(keys))
	for i, k := range keys {
		if k.Kty != "RSA" {
			return nil, fmt.Errorf("keys[%d]: kty is %q; Maskinporten takes RSA keys", i, k.Kty)
		}
		if k.Kid == "" {
			return nil, fmt.Errorf("keys[%d]: kid is missing; every key needs one, for the grant's header names its key by kid", i)
		}
		if !mpKidRE.MatchString(k.Kid) {
			return nil, fmt.Errorf("keys[%d]: kid %q has other characters than letters, digits and . _ -", i, k.Kid)
		}
		if _, dup := out[k.Kid]; dup {
			return nil, fmt.Errorf("keys[%d]: kid %q is used by another key in the set; each kid must be unique", i, k.Kid)
		}
		switch k.Use {
		case "sig":
		case "":
			return nil, fmt.Errorf("keys[%d] (kid %q): use is missing; Maskinporten wants kty, alg, use, e and n, and a client key signs grants: \"use\": \"sig\"", i, k.Kid)
		default:
			return nil, fmt.Errorf("keys[%d] (kid %q): use is %q; a client key signs grants, so use must be \"sig\"", i, k.Kid, k.Use)
		}
		switch k.Alg {
		case "RS256", "RS384", "RS512":
		case "":
			return nil, fmt.Errorf("keys[%d] (kid %q): alg is missing; Maskinporten wants kty, alg, use, e and n: \"alg\": \"RS256\" (or RS384, RS512)", i, k.Kid)
		default:
			return nil, fmt.Errorf("keys[%d] (kid %q): alg is %q; Maskinporten accepts RS256, RS384 or RS512", i, k.Kid, k.Alg)
		}
		pub, err := k.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
		if err := mpCheckExponent(pub); err != nil {
			return nil, fmt.Errorf("keys[%d] (kid %q): %w", i, k.Kid, err)
		}
		out[k.Kid] = pub
	}
	return out, nil
}

// mpCheckExponent refuses an RSA public exponent that is no exponent:
// "The RSA public exponent e is an integer between 3 and n - 1 satisfying
// GCD(e, \lambda(n)) = 1" (RFC 8017 §3.1), so odd and at least 3. With
// e = 1 every "signature" is the message itself. Digdir documents no rule
// of its own (docs/mock-api.md says the check is RFC-based).
func mpCheckExponent(pub *rsa.PublicKey) error {
	if pub.E < 3 || pub.E%2 == 0 {
		return fmt.Errorf("the RSA exponent e is %d; RFC 8017 §3.1 wants an odd e of at least 3 (keys use 65537, \"e\": \"AQAB\")", pub.E)
	}
	return nil
}

func (m *Maskinporten) handleGetJWKS(w http.ResponseWriter, r *http.Request) {
	if c := m.lookupClient(w, r); c != nil {
		writeJSON(w, http.StatusOK, c.JWKS)
	}
}

// mpScopeBody is a scope as the self-service API shows and takes it.
type mpScopeBody struct {
	Name        string   `json:"name,omitempty"`
	Prefix      string   `json:"prefix"`
	Subscope    string   `json:"subscope"`
	Description string   `json:"description"`
	OwnerOrgNo  string   `json:"owner_orgno"`
	Access      []string `json:"access,omitempty"`
	Created     string   `json:"created,omitempty"`
}

func (s *mpScope) body() mpScopeBody {
	access := mpSortedKeys(s.Access)
	if access == nil {
		access = []string{}
	}
	return mpScopeBody{
		Name: s.Name, Prefix: s.Prefix, Subscope: s.Subscope, Description: s.Description,
		OwnerOrgNo: s.Owner, Access: access, Created: s.Created.UTC().Format(time.RFC3339),
	}
}

// mpSplitScope splits and checks a scope name, prefix:subscope.
func mpSplitScope(name string) (prefix, subscope string, err error) {
	prefix, subscope, ok := strings.Cut(name, ":")
	if !ok {
		return "", "", fmt.Errorf("scope name %q has no prefix; a scope is named prefix:subscope, e.g. skatteetaten:kravogbetalinger", name)
	}
	if err := mpCheckScopeParts(prefix, subscope); err != nil {
		return "", "", fmt.Errorf("scope name %q: %w", name, err)
	}
	return prefix, subscope, nil
}

func mpCheckScopeParts(prefix, subscope string) error {
	if !mpPrefixRE.MatchString(prefix) {
		return fmt.Errorf("prefix %q must be lower-case letters, digits and hyphens", prefix)
	}
	if !mpSubscopeRE.MatchString(subscope) {
		return fmt.Errorf("subscope %q must be letters, digits and . _ / -, starting with a letter or digit", subscope)
	}
	return nil
}

// handleCreateScope creates a scope. The first org to create a scope under
// a prefix owns the prefix; only it may create more scopes under it.
func (m *Maskinporten) handleCreateScope(w http.ResponseWriter, r *http.Request) {
	var b mpScopeBody
	if !mpDecodeBody(w, r, &b) {
		return
	}
	if err := mpCheckScopeParts(b.Prefix, b.Subscope); err != nil {
		mpInvalidMetadata(w, "%v", err)
		return
	}
	if !mpOrgNoRE.MatchString(b.OwnerOrgNo) {
		mpInvalidMetadata(w, "owner_orgno is %q; expected the nine-digit org number of the org that owns the API", b.OwnerOrgNo)
		return
	}
	name := b.Prefix + ":" + b.Subscope
	if b.Name != "" && b.Name != name {
		mpInvalidMetadata(w, "name is %q but prefix and subscope make %q; leave name out", b.Name, name)
		return
	}
	m.mu.Lock()
	if old := m.scopes[name]; old != nil {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusConflict, "conflict", "scope %q already exists (owned by org %s)", name, old.Owner)
		return
	}
	if owner, ok := m.prefixes[b.Prefix]; ok && owner != b.OwnerOrgNo {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusForbidden, "access_denied",
			"prefix %q belongs to org %s; org %s may create scopes only under its own prefixes (pick a prefix no one has used)", b.Prefix, owner, b.OwnerOrgNo)
		return
	}
	sc := &mpScope{
		Name: name, Prefix: b.Prefix, Subscope: b.Subscope, Owner: b.OwnerOrgNo, Description: b.Description,
		Access: map[string]bool{}, Created: m.clock.Now(),
	}
	m.scopes[name] = sc
	m.prefixes[b.Prefix] = b.OwnerOrgNo
	m.mu.Unlock()
	writeJSON(w, http.StatusCreated, sc.body())
}

// handleGetScopes shows one scope (?scope=NAME) or, without it, all.
func (m *Maskinporten) handleGetScopes(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("scope")
	m.mu.RLock()
	if name != "" {
		sc := m.scopes[name]
		m.mu.RUnlock()
		if sc == nil {
			mpSelfServiceFail(w, http.StatusNotFound, "not_found", "no scope named %q", name)
			return
		}
		writeJSON(w, http.StatusOK, sc.body())
		return
	}
	all := make([]mpScopeBody, 0, len(m.scopes))
	for _, sc := range m.scopes {
		all = append(all, sc.body())
	}
	m.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	writeJSON(w, http.StatusOK, all)
}

// handleGrantAccess gives an org access to a scope. Only the scope's owner
// may: PUT /api/v1/scopes/access/{consumer_orgno}?scope=NAME&owner_orgno=ORG.
func (m *Maskinporten) handleGrantAccess(w http.ResponseWriter, r *http.Request) {
	consumer := r.PathValue("consumer_orgno")
	name := r.URL.Query().Get("scope")
	owner := r.URL.Query().Get("owner_orgno")
	switch {
	case !mpOrgNoRE.MatchString(consumer):
		mpInvalidMetadata(w, "the consumer org number in the path is %q; expected nine digits", consumer)
		return
	case name == "":
		mpInvalidMetadata(w, "the query parameter scope is missing; name the scope to give access to")
		return
	case !mpOrgNoRE.MatchString(owner):
		mpInvalidMetadata(w, "the query parameter owner_orgno is %q; expected the nine-digit org number of the scope's owner (the org acting)", owner)
		return
	}
	now := m.clock.Now()
	m.mu.Lock()
	old := m.scopes[name]
	if old == nil {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusNotFound, "not_found", "no scope named %q", name)
		return
	}
	if old.Owner != owner {
		m.mu.Unlock()
		mpSelfServiceFail(w, http.StatusForbidden, "access_denied", "only the scope's owner, org %s, may give access to %q; owner_orgno is %s", old.Owner, name, owner)
		return
	}
	sc := *old
	sc.Access = map[string]bool{consumer: true}
	for k := range old.Access {
		sc.Access[k] = true
	}
	m.scopes[name] = &sc
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"scope": name, "consumer_orgno": consumer, "owner_orgno": owner, "state": "APPROVED",
		"created": now.UTC().Format(time.RFC3339),
	})
}
