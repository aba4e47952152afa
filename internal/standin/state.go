package standin

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// The scopes the Altinn policies require (AUTHN src/Core/Constants/
// AuthzConstants.cs; AuthenticationHost.cs L253-280 RequireScopeAnyOf) and
// the API's scope (spec §8).
const (
	scopeRegisterWrite = "altinn:authentication/systemregister.write"
	scopeRegisterAdmin = "altinn:authentication/systemregister.admin"
	scopeRequestWrite  = "altinn:authentication/systemuser.request.write"
	scopeRequestRead   = "altinn:authentication/systemuser.request.read"
	scopeKB            = "skatteetaten:kravogbetalinger"
)

// Request status values, as RequestStatus.ToString() writes them (AUTHN
// src/Core/Models/SystemUsers/RequestStatus.cs).
const (
	StatusNew      = "New"
	StatusAccepted = "Accepted"
	StatusRejected = "Rejected"
	StatusDenied   = "Denied"
)

// mpClient is a Maskinporten client: its owner, scopes and keys.
type mpClient struct {
	id, orgNo string
	scopes    map[string]bool
	keys      map[string]*rsa.PublicKey // by kid
}

type attrPair struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// right is AUTHN src/Core/Models/Right.cs: action is nullable, so a null one
// is omitted on the wire.
type right struct {
	Action   *string    `json:"action,omitempty"`
	Resource []attrPair `json:"resource"`
}

// accessPackage is AUTHN src/Core/Models/AccessPackages/AccessPackage.cs.
type accessPackage struct {
	URN *string `json:"urn,omitempty"`
}

func (p accessPackage) urn() string {
	if p.URN == nil {
		return ""
	}
	return *p.URN
}

type system struct {
	id, internalID, vendorOrgNo string
	name, description           map[string]string
	rights                      []right // nil: null in the request
	packages                    []accessPackage
	clientIDs, redirectURLs     []string
	visible, deleted            bool
}

type request struct {
	id, title, externalRef, systemID, partyOrgNo, status, redirectURL string
	rights                                                            []right
	packages                                                          []accessPackage
	agent, deleted, escalated                                         bool
	created                                                           time.Time
}

type systemUser struct {
	id, title, systemID, ownerOrgNo, supplierOrgNo, externalRef string
	agent, deleted                                              bool
	created                                                     time.Time
	seq                                                         int64
	rights                                                      []right
	packages                                                    []accessPackage
	clients                                                     []string // delegated client orgs (agent)
}

// state is the world behind the three hosts: one world, not three
// services, so Maskinporten reads Altinn's system users directly where the
// real one calls GET systemuser/byExternalId.
type state struct {
	orgs       map[string]bool
	facClients map[string][]string
	resources  map[string]bool
	clients    map[string]*mpClient
	jtis       map[string]time.Time
	systems    []*system
	requests   []*request
	users      []*systemUser
	seq        int64
}

func newState(o Options) state {
	s := state{orgs: map[string]bool{o.VendorOrgNo: true}, facClients: o.FacilitatorClients,
		resources: map[string]bool{}, clients: map[string]*mpClient{}, jtis: map[string]time.Time{}}
	for _, org := range o.Orgs {
		s.orgs[org] = true
	}
	for fac, cs := range o.FacilitatorClients {
		s.orgs[fac] = true
		for _, c := range cs {
			s.orgs[c] = true
		}
	}
	for _, r := range o.Resources {
		s.resources[r] = true
	}
	return s
}

func (s *state) system(id string) *system {
	for _, x := range s.systems {
		if x.id == id {
			return x
		}
	}
	return nil
}

// request finds a live request of the kind asked for: the repository reads
// only is_deleted = false rows of one systemuser_type (AUTHN
// RequestRepository.cs L262-331).
func (s *state) request(id string, agent bool) *request {
	for _, x := range s.requests {
		if x.id == id && x.agent == agent && !x.deleted {
			return x
		}
	}
	return nil
}

func (s *state) requestByRef(systemID, orgNo, ref string, agent bool) *request {
	for _, x := range s.requests {
		if x.systemID == systemID && x.partyOrgNo == orgNo && x.externalRef == ref && x.agent == agent && !x.deleted {
			return x
		}
	}
	return nil
}

// userByRef is SystemUserRepository.GetSystemUserByExternalRequestId
// (AUTHN L192-235): the live system user for the triple, of either type.
func (s *state) userByRef(systemID, orgNo, ref string) *systemUser {
	for _, u := range s.users {
		if u.systemID == systemID && u.ownerOrgNo == orgNo && u.externalRef == ref && !u.deleted {
			return u
		}
	}
	return nil
}

func (s *state) user(id string) *systemUser {
	for _, u := range s.users {
		if u.id == id && !u.deleted {
			return u
		}
	}
	return nil
}

// makeKeys makes Maskinporten's signing key and the vendor's client key,
// registers the vendor key on both clients, and writes it to KeyFile.
func (w *World) makeKeys() error {
	var err error
	if w.mpKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return fmt.Errorf("maskinporten key: %w", err)
	}
	w.mpKID = thumbprint(&w.mpKey.PublicKey)
	if w.vendorKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return fmt.Errorf("vendor key: %w", err)
	}
	w.KeyID = thumbprint(&w.vendorKey.PublicKey)
	der, err := x509.MarshalPKCS8PrivateKey(w.vendorKey)
	if err != nil {
		return fmt.Errorf("vendor key: %w", err)
	}
	w.KeyFile = filepath.Join(w.dir, "vendor-key.pem")
	if err := os.WriteFile(w.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return nil
}

// registerClients puts the vendor's two clients into Maskinporten.
func (w *World) registerClients() {
	for _, id := range []string{w.ClientID, w.AgentClientID} {
		c := &mpClient{id: id, orgNo: w.VendorOrgNo, scopes: map[string]bool{},
			keys: map[string]*rsa.PublicKey{w.KeyID: &w.vendorKey.PublicKey}}
		for _, sc := range w.opts.Scopes {
			c.scopes[sc] = true
		}
		w.state.clients[id] = c
	}
}

// thumbprint is the key's RFC 7638 JWK thumbprint, the kid `workbench keys
// new` uses by default.
func thumbprint(k *rsa.PublicKey) string {
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())
	n := base64.RawURLEncoding.EncodeToString(k.N.Bytes())
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwk is the public JWK of an RSA key.
func jwk(k *rsa.PublicKey, kid string) map[string]string {
	return map[string]string{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
	}
}

// Snapshot is what exists in the stand-in's Altinn, for a cleanup test.
type Snapshot struct {
	Systems     []System
	Requests    []Request
	SystemUsers []SystemUser
}

// System is a system in the register.
type System struct {
	ID, VendorOrgNo         string
	Name                    map[string]string
	ClientIDs, RedirectURLs []string
	Visible, Deleted        bool
}

// Request is a system user request.
type Request struct {
	ID, SystemID, PartyOrgNo, ExternalRef, Status, RedirectURL string
	Agent, Deleted                                             bool
}

// SystemUser is a system user, with the clients delegated to an agent one.
type SystemUser struct {
	ID, SystemID, OwnerOrgNo, ExternalRef string
	Agent, Deleted                        bool
	Clients                               []string
}

// Registered reads back every system, request and system user, deleted ones
// included (with Deleted set), in the order they were made.
func (w *World) Registered() Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	var s Snapshot
	for _, x := range w.state.systems {
		s.Systems = append(s.Systems, System{ID: x.id, VendorOrgNo: x.vendorOrgNo, Name: copyMap(x.name),
			ClientIDs: append([]string(nil), x.clientIDs...), RedirectURLs: append([]string(nil), x.redirectURLs...),
			Visible: x.visible, Deleted: x.deleted})
	}
	for _, x := range w.state.requests {
		s.Requests = append(s.Requests, Request{ID: x.id, SystemID: x.systemID, PartyOrgNo: x.partyOrgNo,
			ExternalRef: x.externalRef, Status: x.status, RedirectURL: x.redirectURL, Agent: x.agent, Deleted: x.deleted})
	}
	for _, x := range w.state.users {
		s.SystemUsers = append(s.SystemUsers, SystemUser{ID: x.id, SystemID: x.systemID, OwnerOrgNo: x.ownerOrgNo,
			ExternalRef: x.externalRef, Agent: x.agent, Deleted: x.deleted, Clients: append([]string(nil), x.clients...)})
	}
	return s
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// jsonbObject writes a string map the way PostgreSQL's jsonb gives it back
// (keys by length, then bytewise): the register keeps name and description
// as jsonb (AUTHN SystemRegisterRepository.cs).
func jsonbObject(m map[string]string) json.RawMessage {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}')
}
