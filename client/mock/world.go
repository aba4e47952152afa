// Package mock holds stateful stand-ins for the real services of the system
// user flow: Maskinporten, the Altinn platform (with the confirm page) and
// Skatteetaten's Krav og betalinger API. Each runs as an http.Handler on its
// own loopback listener and is reached only over HTTP, exactly as the real
// service is; the services talk to each other over HTTP too.
package mock

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/systembruker/workbench/client"
)

//go:embed testkeys/*.pem
var testKeys embed.FS

// Org is an organisation known to the mock world (the register of legal
// entities, as Altinn sees it).
type Org struct {
	OrgNo     string `json:"orgNo"`
	Name      string `json:"name"`
	PartyID   int    `json:"partyId"`
	PartyUUID string `json:"partyUuid"`
}

// Person is a test person who can log in to the mock Altinn portal.
type Person struct {
	PID  string `json:"pid"`
	Name string `json:"name"`
}

// Role ties a person or an organisation to an organisation: a person's
// "DAGL" (daglig leder) role, or an organisation's "REVI" (auditor) role for
// a client organisation.
type Role struct {
	// From is the role holder: a PID for a person, an org number for an org.
	From string `json:"from"`
	// To is the organisation the role is held for.
	To string `json:"to"`
	// Code is the Enhetsregisteret role code: DAGL, REVI, REGN, FFOR, ...
	Code string `json:"code"`
}

// SeedClient is a Maskinporten client with its registered public keys and
// the scopes it may ask for.
type SeedClient struct {
	ClientID string      `json:"client_id"`
	OrgNo    string      `json:"client_orgno"`
	Name     string      `json:"client_name,omitempty"`
	Scopes   []string    `json:"scopes"`
	JWKS     client.JWKS `json:"jwks"`
}

// SeedScope is a Maskinporten API scope, owned by an organisation, with the
// organisations that have been given access to it.
type SeedScope struct {
	Name        string   `json:"name"`
	OwnerOrgNo  string   `json:"owner_orgno"`
	Description string   `json:"description,omitempty"`
	Access      []string `json:"access"`
}

// SeedResource is an Altinn resource in the resource registry. Scope ties it
// to a Maskinporten scope; AccessPackages lists the access packages whose
// holders (agent system users, through client delegation) get the resource,
// standing in for the package rules of the resource's XACML policy.
type SeedResource struct {
	Identifier     string   `json:"identifier"`
	Title          string   `json:"title,omitempty"`
	OwnerOrgNo     string   `json:"owner_orgno"`
	Scope          string   `json:"scope,omitempty"`
	AccessPackages []string `json:"accessPackages,omitempty"`
}

// SeedSystemUser is a system user that already exists, as if its request
// had been approved.
type SeedSystemUser struct {
	ID               string           `json:"id,omitempty"`
	SystemID         string           `json:"systemId"`
	PartyOrgNo       string           `json:"partyOrgNo"`
	ExternalRef      string           `json:"externalRef,omitempty"`
	Type             string           `json:"type,omitempty"` // "standard" (default) or "agent"
	IntegrationTitle string           `json:"integrationTitle,omitempty"`
	Rights           []map[string]any `json:"rights,omitempty"`
	AccessPackages   []map[string]any `json:"accessPackages,omitempty"`
}

// SeedDelegation is a client delegated to an agent system user.
type SeedDelegation struct {
	SystemUserID string `json:"systemUserId"`
	ClientOrgNo  string `json:"clientOrgNo"`
}

// Seed is the state the mock services start with. The JSON form is what
// `workbench serve --seed FILE` reads; the README documents it. Anything
// left out comes from the base world (organisations, persons, roles,
// Altinn's own scopes and Skatteetaten's API client).
type Seed struct {
	Orgs        []Org            `json:"orgs,omitempty"`
	Persons     []Person         `json:"persons,omitempty"`
	Roles       []Role           `json:"roles,omitempty"`
	Clients     []SeedClient     `json:"clients,omitempty"`
	Scopes      []SeedScope      `json:"scopes,omitempty"`
	Resources   []SeedResource   `json:"resources,omitempty"`
	Systems     []map[string]any `json:"systems,omitempty"` // the system register's POST /vendor body
	SystemUsers []SeedSystemUser `json:"systemUsers,omitempty"`
	Delegations []SeedDelegation `json:"clientDelegations,omitempty"`
	// TrustedCAs are CA certificates (PEM) the mock Maskinporten trusts
	// for business certificates in x5c, besides its own test CA.
	TrustedCAs []string `json:"trustedCAs,omitempty"`
	// PageSize is how many items a page of Altinn's paginated lists holds
	// (links.next leads on): 0 is AltinnDefaultPageSize, small on purpose;
	// the real service's is 50.
	PageSize int `json:"pageSize,omitempty"`

	// systemsJSON are systems as ReadSeedFile read them, each the JSON of
	// its POST /vendor body, seeded after Systems: kept as JSON, for as
	// maps they would take eight times the file's bytes (220 MB for
	// 100,000 systems).
	systemsJSON []json.RawMessage
}

// The tt02 test data of the seed's example (see the spec, §10).
const (
	OrgSmartCloud   = "991825827" // SmartCloud AS, the system vendor
	OrgSubtilApe    = "310904473" // TILFELDIG SUBTIL APE, the end user's company
	OrgTiger        = "314250052" // TILBAKEHOLDEN USYMMETRISK TIGER AS, the auditor (facilitator)
	OrgSkatteetaten = "974761076" // Skatteetaten, the service owner
	OrgDigdir       = "991825827" // Digdir's org number, which the docs also use for SmartCloud
	// OrgAltinnScopes owns the altinn: scope prefix in the mock world. In
	// the real world Digdir does, but the docs give SmartCloud Digdir's
	// number, and the vendor must not own Altinn's prefix; no real
	// organisation number starts with 0.
	OrgAltinnScopes = "000000000"

	PIDStadigKonsert = "26917599853" // STADIG KONSERT, daglig leder of TILFELDIG SUBTIL APE (synthetic test id)
	PIDDressMinst    = "06857897380" // DRESS MINST, client administrator at TIGER (tt02 test user)

	// ScopeKravOgBetalinger is Skatteetaten's API scope.
	ScopeKravOgBetalinger = "skatteetaten:kravogbetalinger"
	// ResourceKravOgBetalinger is the Altinn resource tied to that scope.
	ResourceKravOgBetalinger = "ske-krav-og-betalinger"

	// SkatteetatenClientID is the Maskinporten client the Skatteetaten API
	// itself uses (to create the scope and resource, and to ask the PDP).
	SkatteetatenClientID = "skatteetaten-kravogbetalinger-api"
	// SkatteetatenKeyID is the kid of that client's key.
	SkatteetatenKeyID = "ske-api-2026"
	// PDPSubscriptionKey is the Ocp-Apim-Subscription-Key the mock PDP
	// accepts; Altinn hands one to each service owner.
	PDPSubscriptionKey = "mock-pdp-subscription-key"
)

// Altinn's own scopes, which exist in every Maskinporten world.
var altinnScopes = []string{
	"altinn:authentication/systemregister.write",
	"altinn:authentication/systemuser.request.write",
	"altinn:authentication/systemuser.request.read",
	"altinn:maskinporten/systemuser.read",
	"altinn:authorization/authorize",
	"altinn:resourceregistry/resource.write",
	"altinn:resourceregistry/resource.read",
}

// BaseSeed is the world every mock starts from: the organisations, persons
// and roles of the seed's example, Altinn's scopes (open to every org) and
// Skatteetaten's own API client. It holds no vendor state and neither the
// Krav og betalinger scope nor its resource: the flow's service owner steps
// create those.
func BaseSeed() Seed {
	ske := mustKey("skatteetaten")
	s := Seed{
		Orgs: []Org{
			{OrgNo: OrgSmartCloud, Name: "SMARTCLOUD AS", PartyID: 50001337, PartyUUID: "0b2f4a3e-4c52-4d43-9d3a-5a7e2f1b0c01"},
			{OrgNo: OrgSubtilApe, Name: "TILFELDIG SUBTIL APE", PartyID: 51390520, PartyUUID: "6c1b5a77-2f1e-4a6b-8f3e-2b9d1c0e7a42"},
			{OrgNo: OrgTiger, Name: "TILBAKEHOLDEN USYMMETRISK TIGER AS", PartyID: 51457050, PartyUUID: "81aa7f84-b5b8-47bf-b17c-35cf85410ffb"},
			{OrgNo: OrgSkatteetaten, Name: "SKATTEETATEN", PartyID: 50000001, PartyUUID: "f2a1d0c4-7b1e-4e0a-9a51-3c2b1d0e9f11"},
		},
		Persons: []Person{
			{PID: PIDStadigKonsert, Name: "STADIG KONSERT"},
			{PID: PIDDressMinst, Name: "DRESS MINST"},
		},
		Roles: []Role{
			{From: PIDStadigKonsert, To: OrgSubtilApe, Code: "DAGL"},
			{From: PIDDressMinst, To: OrgTiger, Code: "DAGL"},
			{From: OrgTiger, To: OrgSubtilApe, Code: "REVI"},
		},
		Clients: []SeedClient{{
			ClientID: SkatteetatenClientID,
			OrgNo:    OrgSkatteetaten,
			Name:     "Skatteetaten Krav og betalinger API",
			Scopes:   []string{"altinn:authorization/authorize", "altinn:resourceregistry/resource.write", "altinn:resourceregistry/resource.read"},
			JWKS:     client.JWKS{Keys: []client.JWK{client.PublicJWK(&ske.PublicKey, SkatteetatenKeyID)}},
		}},
	}
	for _, name := range altinnScopes {
		s.Scopes = append(s.Scopes, SeedScope{Name: name, OwnerOrgNo: OrgAltinnScopes, Access: []string{"*"}})
	}
	return s
}

// ServiceOwnerSeed is BaseSeed plus what Skatteetaten has set up: the Krav
// og betalinger scope, open to SmartCloud, and its Altinn resource, granted
// through the auditor access package. `serve` starts from it, so that an
// integrator's seed needs only the vendor's own client, systems and system
// users.
func ServiceOwnerSeed() Seed {
	s := BaseSeed()
	s.Scopes = append(s.Scopes, SeedScope{
		Name: ScopeKravOgBetalinger, OwnerOrgNo: OrgSkatteetaten,
		Description: "Krav og betalinger", Access: []string{OrgSmartCloud},
	})
	s.Resources = append(s.Resources, SeedResource{
		Identifier: ResourceKravOgBetalinger, Title: "Krav og betalinger", OwnerOrgNo: OrgSkatteetaten,
		Scope: ScopeKravOgBetalinger, AccessPackages: []string{"urn:altinn:accesspackage:ansvarlig-revisor"},
	})
	return s
}

// Merge returns s with the entries of more appended (more's entries win
// where a later lookup finds the first match by key, so callers apply them
// in order).
func (s Seed) Merge(more Seed) Seed {
	s.Orgs = append(s.Orgs, more.Orgs...)
	s.Persons = append(s.Persons, more.Persons...)
	s.Roles = append(s.Roles, more.Roles...)
	s.Clients = append(s.Clients, more.Clients...)
	s.Scopes = append(s.Scopes, more.Scopes...)
	s.Resources = append(s.Resources, more.Resources...)
	s.Systems, s.systemsJSON = mergeSystems(s, more)
	s.SystemUsers = append(s.SystemUsers, more.SystemUsers...)
	s.Delegations = append(s.Delegations, more.Delegations...)
	s.TrustedCAs = append(s.TrustedCAs, more.TrustedCAs...)
	if more.PageSize != 0 {
		s.PageSize = more.PageSize
	}
	return s
}

// mergeSystems keeps the order of s's and more's systems, maps and JSON:
// once s has systems read from a file, more's maps follow them as JSON.
func mergeSystems(s, more Seed) ([]map[string]any, []json.RawMessage) {
	if len(s.systemsJSON) == 0 {
		return append(s.Systems, more.Systems...), append(s.systemsJSON, more.systemsJSON...)
	}
	raw := slices.Clip(s.systemsJSON)
	for _, m := range more.Systems {
		b, _ := json.Marshal(m) // a map decoded from JSON, or written in Go
		raw = append(raw, b)
	}
	return s.Systems, append(raw, more.systemsJSON...)
}

// Clock gives the mocks their time. Its offset is a knob of the mock's
// state, so a scenario can make Maskinporten's clock disagree with the
// vendor's.
type Clock struct {
	mu     sync.RWMutex
	offset time.Duration
}

// Now is the wall clock plus the offset.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return time.Now().Add(c.offset)
}

// SetOffset moves the mock clock by d from the wall clock.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

// Env is a running set of mock services: on loopback listeners, one per
// service, or on one listener with a path prefix per service (Options).
type Env struct {
	Clock *Clock

	// URLs of the services, with a trailing slash, as the real base URLs
	// are written. SkatteetatenURL is Krav og betalinger's base URL, its
	// host and SkatteetatenBasePath.
	MaskinportenURL string
	AltinnURL       string
	SkatteetatenURL string
	// RootURL is the root of the one listener of StartWith's Addr, with
	// a trailing slash (the knobs are under RootURL + "mock/"); empty
	// when each service has a listener of its own.
	RootURL string

	// internal is the listener's own root with a public URL, where the
	// mocks' calls to it go.
	internal string
	// seeded is the world as the seed made it, validated once and never
	// served: every generation is a copy of it (world.copy).
	seeded  *world
	hc      *http.Client
	mu      sync.RWMutex
	world   *world
	servers []*http.Server
}

// world is one generation of the three services: a reset makes a new one.
type world struct {
	mp *Maskinporten
	al *Altinn
	sk *Skatteetaten
}

// Start seeds the three services and serves them on loopback listeners,
// one per service, until ctx ends or Close is called.
func Start(ctx context.Context, seed Seed) (*Env, error) {
	return StartWith(ctx, seed, Options{})
}

// StartWith seeds the three services and serves them as o says (one
// loopback listener each, or all on o.Addr under path prefixes) until ctx
// ends or Close is called. When ctx ends while it seeds, it stops at once
// with ctx's error.
func StartWith(ctx context.Context, seed Seed, o Options) (*Env, error) {
	l, err := o.listen()
	if err != nil {
		return nil, err
	}
	urls := l.urls
	env := &Env{Clock: &Clock{}, MaskinportenURL: urls[0], AltinnURL: urls[1],
		SkatteetatenURL: urls[2] + SkatteetatenBasePath[1:], RootURL: l.root, internal: l.internal}
	// The services call each other over HTTP, never in-process.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 256
	var base http.RoundTripper = tr
	if l.public != "" {
		base = &rewriteTransport{base: tr, public: l.public, internal: l.internal}
	}
	env.hc = &http.Client{Timeout: 10 * time.Second, Transport: &traceTransport{base: base, names: map[string]string{
		urls[0]: "maskinporten", urls[1]: "altinn", urls[2]: "skatteetaten",
	}}}
	w, err := env.build(ctx, seed)
	if err != nil {
		l.close()
		return nil, err
	}
	env.seeded, env.world = w, w.copy()
	for i, h := range env.handlers(l, o.Log) {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		env.servers = append(env.servers, srv)
		go srv.Serve(l.ls[i])
	}
	go func() {
		<-ctx.Done()
		env.Close()
	}()
	return env, nil
}

// build makes the three services and seeds them, every entry checked as
// the real services check what they are sent.
func (e *Env) build(ctx context.Context, seed Seed) (*world, error) {
	w := &world{}
	var err error
	w.mp, err = NewMaskinporten(MaskinportenConfig{
		Issuer: e.MaskinportenURL, AltinnURL: e.AltinnURL, HTTP: e.hc, Clock: e.Clock, Key: mustKey("maskinporten"),
	})
	if err == nil {
		w.al, err = NewAltinn(AltinnConfig{
			URL: e.AltinnURL, MaskinportenURL: e.MaskinportenURL, HTTP: e.hc, Clock: e.Clock, Key: mustKey("altinn"),
		})
	}
	if err == nil {
		w.sk, err = NewSkatteetaten(SkatteetatenConfig{
			URL: e.SkatteetatenURL, MaskinportenURL: e.MaskinportenURL, AltinnURL: e.AltinnURL, HTTP: e.hc, Clock: e.Clock,
			ClientID: SkatteetatenClientID, KeyID: SkatteetatenKeyID, Key: mustKey("skatteetaten"),
			SubscriptionKey: PDPSubscriptionKey,
		})
	}
	if err != nil {
		return nil, err
	}
	stop := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped while seeding: %w", ctx.Err())
		}
		return err
	}
	if err := w.mp.seed(ctx, seed); err != nil {
		return nil, stop(fmt.Errorf("seed maskinporten: %w", err))
	}
	if err := w.sk.Seed(seed); err != nil {
		return nil, fmt.Errorf("seed skatteetaten: %w", err)
	}
	// Altinn last: it lets go of each part of the seed once it has seeded
	// it (see altinn_seed.go), and seed is not used after this call.
	if err := w.al.seed(ctx, seed); err != nil {
		return nil, stop(fmt.Errorf("seed altinn: %w", err))
	}
	return w, stop(nil)
}

// copy is a new generation of the world w was seeded as: Maskinporten's
// registry and Altinn's state copied, without checking the seed again
// (they were checked when w was made), and the same Skatteetaten, whose
// state is the seed's claims and whose cached tokens stay valid.
func (w *world) copy() *world {
	return &world{mp: w.mp.clone(), al: w.al.clone(), sk: w.sk}
}

// Reset puts the world back to its seed: every client, system, request,
// system user, delegation and grant made since is gone, and the clock is
// right again. POST /mock/reset on any of the three hosts does the same.
// It copies the world as Start seeded it, so it costs a copy of the
// state's maps, not a seeding.
func (e *Env) Reset() error {
	w := e.seeded.copy()
	e.Clock.SetOffset(0)
	e.mu.Lock()
	e.world = w
	e.mu.Unlock()
	return nil
}

// handler serves the i-th service of the current world, with the reset knob.
func (e *Env) handler(name string, i int) http.Handler {
	current := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.resetKnob(w, r) || e.healthKnob(w, r) {
			return
		}
		e.mu.RLock()
		cur := e.world
		e.mu.RUnlock()
		[]http.Handler{cur.mp, cur.al, cur.sk}[i].ServeHTTP(w, r)
	})
	return traced(name, current)
}

// Close stops the services.
func (e *Env) Close() error {
	var errs []error
	for _, s := range e.servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// mustKey loads one of the embedded test keys of the mock services. They
// are fixed so that tokens and golden files are stable; they sign nothing
// outside the mock world.
func mustKey(name string) *rsa.PrivateKey {
	if k, ok := parsedKeys.Load(name); ok {
		return k.(*rsa.PrivateKey)
	}
	k := parseKey(name)
	parsedKeys.Store(name, k)
	return k
}

// parsedKeys caches mustKey: parsing (and checking) an RSA key costs about
// a millisecond, and every reset of the world needs all three.
var parsedKeys sync.Map

func parseKey(name string) *rsa.PrivateKey {
	b, err := testKeys.ReadFile("testkeys/" + name + ".pem")
	if err != nil {
		panic("mock: embedded key missing: " + name)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		panic("mock: embedded key " + name + ": " + err.Error())
	}
	return k.(*rsa.PrivateKey)
}

// ServiceOwnerKey is Skatteetaten's signing key in the mock world, for the
// flow's service owner steps (in a real environment those steps are
// Skatteetaten's own, done elsewhere).
func ServiceOwnerKey() client.SigningKey {
	return client.SigningKey{Key: mustKey("skatteetaten"), KeyID: SkatteetatenKeyID}
}
