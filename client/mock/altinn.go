package mock

import (
	"crypto/rsa"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AltinnConfig configures the mock Altinn platform.
type AltinnConfig struct {
	URL             string // the mock's own URL, with trailing slash
	MaskinportenURL string // issuer whose JWKS verifies bearer tokens
	HTTP            *http.Client
	Clock           *Clock
	Key             *rsa.PrivateKey // signs Altinn tokens

	// KeyID is the kid of Key in Altinn's JWKS; default "mock-altinn-1".
	KeyID string
	// SubscriptionKey is the Ocp-Apim-Subscription-Key the PDP accepts;
	// default PDPSubscriptionKey.
	SubscriptionKey string
}

// Altinn is the mock Altinn platform: token exchange, resource registry,
// system register, system user requests with their confirm page, system
// users, client delegation and the PDP. It keeps its state in memory, safe
// for concurrent use.
type Altinn struct {
	cfg    AltinnConfig
	issuer string // iss of the tokens it signs
	mux    *http.ServeMux
	mpKeys *jwksCache
	page   *template.Template

	mu          sync.RWMutex
	orgs        map[string]Org // by org number
	persons     []Person       // in seed order: the confirm page lists them so
	roles       []Role
	resources   map[string]*altinnResource
	systems     map[string]*altinnSystem
	requests    map[string]*altinnRequest
	systemUsers map[string]*altinnSystemUser
}

// altinnResource is a resource in the resource registry.
type altinnResource struct {
	id        string
	owner     string         // org number of hasCompetentAuthority
	body      map[string]any // the ServiceResource as GET returns it
	delegable bool
	rules     []xacmlRule // from its policy: who gets which actions
}

// xacmlRule is what the mock reads of one rule of a resource's XACML
// policy: the access packages among its subjects and its actions (none
// listed: any action).
type xacmlRule struct {
	Packages []string
	Actions  []string
}

// altinnRight is a Right (§3): an optional action and the resource it is on.
type altinnRight struct {
	Action   string           `json:"action,omitempty"`
	Resource []altinnAttrPair `json:"resource"`
}

// altinnAttrPair is an AttributePair: {"id": "urn:altinn:resource", "value": "..."}.
type altinnAttrPair struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// altinnPackage is an AccessPackage reference: {"urn": "urn:altinn:accesspackage:..."}.
type altinnPackage struct {
	URN string `json:"urn"`
}

// altinnSystem is a registered system (§3).
type altinnSystem struct {
	internalID   string
	id           string
	vendorID     string // "0192:<orgno>", as registered
	vendorOrgNo  string
	name         map[string]string
	description  map[string]string
	rights       []altinnRight
	packages     []altinnPackage
	clientIDs    []string
	visible      bool
	redirectURLs []string
	deleted      bool
}

// altinnRequest is a system user request (§4), standard or agent.
type altinnRequest struct {
	id               string
	agent            bool
	systemID         string
	vendorOrgNo      string
	partyOrgNo       string
	externalRef      string
	integrationTitle string
	rights           []altinnRight
	packages         []altinnPackage
	redirectURL      string
	status           string // New, Accepted, Rejected, Denied (Timedout is derived)
	created          time.Time
	deleted          bool
}

// altinnSystemUser is a system user (§5), standard or agent.
type altinnSystemUser struct {
	id               string
	integrationTitle string
	systemID         string
	partyOrgNo       string
	externalRef      string
	userType         string // "standard" or "agent"
	supplierOrgNo    string
	rights           []altinnRight
	packages         []altinnPackage
	created          time.Time
	deleted          bool
	clients          map[string]bool // agent: org numbers of delegated clients
}

// Request statuses (RequestStatus.cs).
const (
	reqStatusNew      = "New"
	reqStatusAccepted = "Accepted"
	reqStatusRejected = "Rejected"
	reqStatusTimedout = "Timedout"
	// Denied is the fifth status; the mock never sets it (Altinn uses it
	// when a delegation check fails at approval).
)

// altinnRequestTimeout is how long a request stays open (REQUEST_TIMEOUT_DAYS).
const altinnRequestTimeout = 180 * 24 * time.Hour

// The scopes the Altinn endpoints ask for (AuthzConstants.cs).
const (
	alScopeSystemRegisterWrite = "altinn:authentication/systemregister.write"
	alScopeSystemRegisterAdmin = "altinn:authentication/systemregister.admin"
	alScopeRequestWrite        = "altinn:authentication/systemuser.request.write"
	alScopeRequestRead         = "altinn:authentication/systemuser.request.read"
	alScopeSystemUserLookup    = "altinn:maskinporten/systemuser.read"
	alScopeAuthorize           = "altinn:authorization/authorize"
	alScopeAuthorizeAdmin      = "altinn:authorization/authorize.admin"
	alScopeResourceWrite       = "altinn:resourceregistry/resource.write"
	alScopePortal              = "altinn:portal/enduser"
	alScopeClientDelegRead     = "altinn:clientdelegations.read"
	alScopeClientDelegWrite    = "altinn:clientdelegations.write"

	// altinnDefaultPersonalScopes are the scopes of a /testtools/personaltoken
	// token when the caller names none.
	altinnDefaultPersonalScopes = alScopePortal + " " + alScopeClientDelegRead + " " + alScopeClientDelegWrite
)

// altinnPackagePrefix starts every access package URN.
const altinnPackagePrefix = "urn:altinn:accesspackage:"

// altinnClientRoleOf maps the access packages that work through client
// delegation to the Enhetsregisteret role the facilitator must hold for the
// client (PartiesClient.cs).
var altinnClientRoleOf = map[string]string{
	altinnPackagePrefix + "ansvarlig-revisor":                       "REVI",
	altinnPackagePrefix + "revisormedarbeider":                      "REVI",
	altinnPackagePrefix + "regnskapsforer-med-signeringsrettighet":  "REGN",
	altinnPackagePrefix + "regnskapsforer-uten-signeringsrettighet": "REGN",
	altinnPackagePrefix + "regnskapsforer-lonn":                     "REGN",
	altinnPackagePrefix + "forretningsforer-eiendom":                "FFOR",
}

// altinnKnownPackages is the part of Altinn's access package catalogue the mock
// knows (the client-delegation packages and the tax/accounting area); a
// package named in any resource policy counts as known too.
var altinnKnownPackages = map[string]bool{
	altinnPackagePrefix + "skatt-naering":            true,
	altinnPackagePrefix + "skattegrunnlag":           true,
	altinnPackagePrefix + "merverdiavgift":           true,
	altinnPackagePrefix + "motorvognavgift":          true,
	altinnPackagePrefix + "saeravgifter":             true,
	altinnPackagePrefix + "krav-og-utlegg":           true,
	altinnPackagePrefix + "kreditt-og-oppgjoer":      true,
	altinnPackagePrefix + "regnskap-okonomi-rapport": true,
	altinnPackagePrefix + "reviorattesterer":         true,
	altinnPackagePrefix + "revisorattesterer":        true,
	altinnPackagePrefix + "toll":                     true,
	altinnPackagePrefix + "revisjon":                 true,
}

func init() {
	for p := range altinnClientRoleOf {
		altinnKnownPackages[p] = true
	}
}

var (
	altinnOrgNoRE = regexp.MustCompile(`^[0-9]{9}$`)
	altinnPIDRE   = regexp.MustCompile(`^[0-9]{11}$`)
)

// NewAltinn makes the mock Altinn platform.
func NewAltinn(cfg AltinnConfig) (*Altinn, error) {
	if cfg.Key == nil {
		return nil, errors.New("mock altinn: no signing key")
	}
	if !strings.HasSuffix(cfg.URL, "/") || !strings.HasSuffix(cfg.MaskinportenURL, "/") {
		return nil, fmt.Errorf("mock altinn: URL %q and MaskinportenURL %q must end with a slash", cfg.URL, cfg.MaskinportenURL)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = &Clock{}
	}
	if cfg.KeyID == "" {
		cfg.KeyID = "mock-altinn-1"
	}
	if cfg.SubscriptionKey == "" {
		cfg.SubscriptionKey = PDPSubscriptionKey
	}
	page, err := parseConfirmTemplates()
	if err != nil {
		return nil, fmt.Errorf("mock altinn: %w", err)
	}
	a := &Altinn{
		cfg:         cfg,
		issuer:      cfg.URL + "authentication/api/v1/openid/",
		mux:         http.NewServeMux(),
		mpKeys:      newJWKSCache(cfg.MaskinportenURL+"jwk", cfg.HTTP),
		page:        page,
		orgs:        map[string]Org{},
		resources:   map[string]*altinnResource{},
		systems:     map[string]*altinnSystem{},
		requests:    map[string]*altinnRequest{},
		systemUsers: map[string]*altinnSystemUser{},
	}
	a.routes()
	return a, nil
}

func (a *Altinn) routes() {
	const (
		authn   = "/authentication/api/v1/"
		reg     = authn + "systemregister/vendor"
		req     = authn + "systemuser/request/"
		enduser = authn + "enduser/systemuser/"
		rr      = "/resourceregistry/api/v1/resource"
		ui      = "/accessmanagement/ui/systemuser/"
	)
	m := a.mux
	// Tokens.
	m.HandleFunc("GET "+authn+"exchange/{provider}", a.handleExchange)
	m.HandleFunc("GET "+authn+"openid/.well-known/openid-configuration", a.handleOpenIDConfig)
	m.HandleFunc("GET "+authn+"openid/jwks", a.handleJWKS)
	m.HandleFunc("GET /testtools/personaltoken", a.handlePersonalToken)
	// Resource registry.
	m.HandleFunc("POST "+rr, a.handleCreateResource)
	m.HandleFunc("GET "+rr+"/{id}", a.handleGetResource)
	m.HandleFunc("POST "+rr+"/{id}/policy", a.handlePolicy)
	m.HandleFunc("PUT "+rr+"/{id}/policy", a.handlePolicy)
	m.HandleFunc("GET "+rr+"/{id}/policy/subjects", a.handlePolicySubjects)
	// System register.
	m.HandleFunc("GET "+reg, a.handleListSystems)
	m.HandleFunc("POST "+reg, a.handleCreateSystem)
	m.HandleFunc("GET "+reg+"/{systemId}", a.handleGetSystem)
	m.HandleFunc("PUT "+reg+"/{systemId}", a.handleUpdateSystem)
	m.HandleFunc("DELETE "+reg+"/{systemId}", a.handleDeleteSystem)
	m.HandleFunc("PUT "+reg+"/{systemId}/rights", a.handleUpdateRights)
	m.HandleFunc("PUT "+reg+"/{systemId}/accesspackages", a.handleUpdatePackages)
	// System user requests, vendor side.
	m.HandleFunc("POST "+req+"vendor", a.handleCreateRequest(false))
	m.HandleFunc("POST "+req+"vendor/agent", a.handleCreateRequest(true))
	m.HandleFunc("GET "+req+"vendor/{requestId}", a.handleGetRequest(false))
	m.HandleFunc("GET "+req+"vendor/agent/{requestId}", a.handleGetRequest(true))
	m.HandleFunc("GET "+req+"vendor/byexternalref/{systemId}/{orgNo}/{externalRef}", a.handleRequestByExternalRef(false))
	m.HandleFunc("GET "+req+"vendor/agent/byexternalref/{systemId}/{orgNo}/{externalRef}", a.handleRequestByExternalRef(true))
	m.HandleFunc("GET "+req+"vendor/bysystem/{systemId}", a.handleRequestsBySystem(false))
	m.HandleFunc("GET "+req+"vendor/agent/bysystem/{systemId}", a.handleRequestsBySystem(true))
	m.HandleFunc("DELETE "+req+"vendor/{requestId}", a.handleDeleteRequest)
	m.HandleFunc("GET "+req+"{requestId}", a.handleRequestByLocation)
	// System user requests, end-user side (portal API).
	m.HandleFunc("POST "+req+"{partyId}/{requestId}/{decision}", a.handlePortalDecision(false))
	m.HandleFunc("POST "+req+"agent/{partyId}/{requestId}/{decision}", a.handlePortalDecision(true))
	// System users.
	m.HandleFunc("GET "+authn+"systemuser/byExternalId", a.handleByExternalID)
	m.HandleFunc("GET "+authn+"systemuser/vendor/byquery", a.handleByQuery)
	// Client delegation.
	m.HandleFunc("GET "+enduser+"agents", a.handleAgents)
	m.HandleFunc("GET "+enduser+"clients/available", a.handleAvailableClients)
	m.HandleFunc("GET "+enduser+"clients", a.handleDelegatedClients)
	m.HandleFunc("POST "+enduser+"clients", a.handleDelegateClient)
	m.HandleFunc("DELETE "+enduser+"clients", a.handleRemoveClient)
	// PDP.
	m.HandleFunc("POST /authorization/api/v1/authorize", a.handleAuthorize)
	// The confirm page.
	m.HandleFunc("GET "+ui+"request", a.handleConfirmPage(false))
	m.HandleFunc("GET "+ui+"agentrequest", a.handleConfirmPage(true))
	m.HandleFunc("POST "+ui+"{kind}/{decision}", a.handleConfirmDecision)
	// Knobs of the mock itself.
	m.HandleFunc("PUT /mock/requests/{id}/created", a.handleBackdateRequest)
}

// ServeHTTP serves the Altinn platform's endpoints.
func (a *Altinn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	a.mux.ServeHTTP(w, r)
}

// now is the mock clock's time.
func (a *Altinn) now() time.Time { return a.cfg.Clock.Now() }

// Seed loads organisations, persons, roles, resources, systems, system users
// and delegations. Later entries replace earlier ones with the same key.
// Systems go through the system register's own validation.
func (a *Altinn) Seed(s Seed) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range s.Orgs {
		if err := a.seedOrg(o); err != nil {
			return fmt.Errorf("orgs (%s): %w", o.OrgNo, err)
		}
	}
	for _, p := range s.Persons {
		if err := a.seedPerson(p); err != nil {
			return fmt.Errorf("persons (%s): %w", p.PID, err)
		}
	}
	for _, r := range s.Roles {
		if err := a.seedRole(r); err != nil {
			return fmt.Errorf("roles (%s %s for %s): %w", r.From, r.Code, r.To, err)
		}
	}
	for _, r := range s.Resources {
		if err := a.seedResource(r); err != nil {
			return fmt.Errorf("resources (%s): %w", r.Identifier, err)
		}
	}
	for _, sys := range s.Systems {
		if err := a.seedSystem(sys); err != nil {
			return fmt.Errorf("systems (%v): %w", sys["id"], err)
		}
	}
	seeded := map[string]bool{} // system users of this call, by (system, party, externalRef)
	for _, su := range s.SystemUsers {
		if err := a.seedSystemUser(su, seeded); err != nil {
			return fmt.Errorf("systemUsers (%s for %s): %w", su.SystemID, su.PartyOrgNo, err)
		}
	}
	for _, d := range s.Delegations {
		if err := a.seedDelegation(d); err != nil {
			return fmt.Errorf("clientDelegations (%s to %s): %w", d.ClientOrgNo, d.SystemUserID, err)
		}
	}
	return nil
}

func (a *Altinn) seedOrg(o Org) error {
	if !altinnOrgNoRE.MatchString(o.OrgNo) {
		return errors.New("orgNo must be nine digits")
	}
	if o.Name == "" {
		return errors.New("name is required")
	}
	h := sha1.Sum([]byte("mock-altinn-party:" + o.OrgNo))
	if o.PartyID == 0 {
		o.PartyID = 50000000 + int(binary.BigEndian.Uint32(h[:4])%9000000)
	}
	if o.PartyUUID == "" {
		// Name-based, so the same org gets the same party UUID every run.
		h[6] = h[6]&0x0f | 0x50
		h[8] = h[8]&0x3f | 0x80
		x := hex.EncodeToString(h[:16])
		o.PartyUUID = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
	}
	for no, other := range a.orgs {
		if no != o.OrgNo && (other.PartyID == o.PartyID || strings.EqualFold(other.PartyUUID, o.PartyUUID)) {
			return fmt.Errorf("partyId %d / partyUuid %s already belongs to %s", o.PartyID, o.PartyUUID, no)
		}
	}
	a.orgs[o.OrgNo] = o
	return nil
}

func (a *Altinn) seedPerson(p Person) error {
	if !altinnPIDRE.MatchString(p.PID) {
		return errors.New("pid must be eleven digits")
	}
	if p.Name == "" {
		return errors.New("name is required")
	}
	for i := range a.persons {
		if a.persons[i].PID == p.PID {
			a.persons[i] = p
			return nil
		}
	}
	a.persons = append(a.persons, p)
	return nil
}

func (a *Altinn) seedRole(r Role) error {
	if _, ok := a.orgs[r.To]; !ok {
		return fmt.Errorf("to: unknown organisation %q", r.To)
	}
	switch {
	case altinnPIDRE.MatchString(r.From):
		if _, ok := a.person(r.From); !ok {
			return fmt.Errorf("from: unknown person %q", r.From)
		}
	case altinnOrgNoRE.MatchString(r.From):
		if _, ok := a.orgs[r.From]; !ok {
			return fmt.Errorf("from: unknown organisation %q", r.From)
		}
	default:
		return fmt.Errorf("from: %q is neither a PID nor an org number", r.From)
	}
	if r.Code == "" {
		return errors.New("code is required")
	}
	if !a.hasRole(r.From, r.To, r.Code) {
		a.roles = append(a.roles, r)
	}
	return nil
}

func (a *Altinn) seedResource(sr SeedResource) error {
	if sr.Identifier == "" {
		return errors.New("identifier is required")
	}
	owner, ok := a.orgs[sr.OwnerOrgNo]
	if !ok {
		return fmt.Errorf("owner_orgno: unknown organisation %q", sr.OwnerOrgNo)
	}
	title := sr.Title
	if title == "" {
		title = sr.Identifier
	}
	body := map[string]any{
		"identifier":  sr.Identifier,
		"title":       map[string]string{"en": title, "nb": title, "nn": title},
		"description": map[string]string{"en": title, "nb": title, "nn": title},
		"status":      "Completed",
		"delegable":   true,
		"visible":     true,
		"hasCompetentAuthority": map[string]string{
			"organization": owner.OrgNo, "orgcode": "", "name": owner.Name,
		},
		"resourceType":   "GenericAccessResource",
		"accessListMode": "Disabled",
	}
	if sr.Scope != "" {
		body["resourceReferences"] = []map[string]string{{
			"referenceSource": "ExternalPlatform", "reference": sr.Scope, "referenceType": "MaskinportenScope",
		}}
	}
	res := &altinnResource{id: sr.Identifier, owner: owner.OrgNo, body: body, delegable: true}
	if len(sr.AccessPackages) > 0 {
		rule := xacmlRule{}
		for _, p := range sr.AccessPackages {
			rule.Packages = append(rule.Packages, altinnPackageURN(p))
		}
		res.rules = []xacmlRule{rule}
	}
	a.resources[sr.Identifier] = res
	return nil
}

func (a *Altinn) seedSystem(raw map[string]any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	req, err := decodeSystemRequest(b)
	if err != nil {
		return err
	}
	replacing := a.systems[req.ID]
	if errs := a.validateSystem(req, replacing); len(errs) > 0 {
		return altinnVldAsError(errs)
	}
	a.storeSystem(req, replacing)
	return nil
}

// altinnVldAsError joins validation errors into one error for a seed.
func altinnVldAsError(errs []altinnVldError) error {
	var parts []string
	for _, e := range errs {
		s := e.Code + " " + e.Title
		if e.Detail != "" {
			s += " (" + e.Detail + ")"
		}
		parts = append(parts, s)
	}
	return errors.New(strings.Join(parts, "; "))
}

// seedSystemUser adds a system user. One with the same (system, party,
// externalRef) as an earlier entry of the same seed is an error; one from an
// earlier Seed call is replaced, keeping its id unless the entry names one.
func (a *Altinn) seedSystemUser(su SeedSystemUser, seeded map[string]bool) error {
	sys, ok := a.systems[su.SystemID]
	if !ok || sys.deleted {
		return fmt.Errorf("systemId: no registered system %q", su.SystemID)
	}
	if _, ok := a.orgs[su.PartyOrgNo]; !ok {
		return fmt.Errorf("partyOrgNo: unknown organisation %q", su.PartyOrgNo)
	}
	u := &altinnSystemUser{
		id: su.ID, integrationTitle: su.IntegrationTitle, systemID: sys.id, partyOrgNo: su.PartyOrgNo,
		externalRef: su.ExternalRef, userType: su.Type, supplierOrgNo: sys.vendorOrgNo, created: a.now().UTC(),
	}
	if u.id == "" {
		u.id = altinnUUID()
	}
	if u.externalRef == "" {
		u.externalRef = su.PartyOrgNo
	}
	if u.integrationTitle == "" {
		u.integrationTitle = altinnLocalized(sys.name)
	}
	switch u.userType {
	case "":
		u.userType = "standard"
	case "standard", "agent":
	default:
		return fmt.Errorf("type %q is neither standard nor agent", su.Type)
	}
	var err error
	if u.rights, err = altinnRemarshal[[]altinnRight](su.Rights); err != nil {
		return fmt.Errorf("rights: %w", err)
	}
	if u.packages, err = altinnRemarshal[[]altinnPackage](su.AccessPackages); err != nil {
		return fmt.Errorf("accessPackages: %w", err)
	}
	if u.userType == "agent" {
		if len(u.rights) > 0 {
			return errors.New("an agent system user has access packages, not rights")
		}
		if len(u.packages) == 0 {
			u.packages = altinnClonePackages(sys.packages)
		}
		if len(u.packages) == 0 {
			return fmt.Errorf("agent system user: system %s has no access packages", sys.id)
		}
		u.clients = map[string]bool{}
	} else if len(u.rights) == 0 && len(u.packages) == 0 {
		u.rights = altinnCloneRights(sys.rights)
		u.packages = altinnClonePackages(sys.packages)
	}
	if !altinnRightsSubset(u.rights, sys.rights) {
		return fmt.Errorf("rights: not a subset of system %s's rights", sys.id)
	}
	if !altinnPackagesSubset(u.packages, sys.packages) {
		return fmt.Errorf("accessPackages: not a subset of system %s's access packages", sys.id)
	}
	key := u.systemID + "\x00" + u.partyOrgNo + "\x00" + u.externalRef
	if seeded[key] {
		return fmt.Errorf("a system user already exists for this system, party and externalRef %q", u.externalRef)
	}
	seeded[key] = true
	if other := a.systemUserByTriple(u.systemID, u.partyOrgNo, u.externalRef); other != nil && other.id != u.id {
		if su.ID != "" {
			return fmt.Errorf("system user %s already exists for this system, party and externalRef %q", other.id, u.externalRef)
		}
		u.id = other.id
	}
	// A replaced agent keeps the clients delegated to it.
	if old, ok := a.systemUsers[u.id]; ok && old.clients != nil && u.clients != nil {
		u.clients = old.clients
	}
	a.systemUsers[u.id] = u
	return nil
}

func (a *Altinn) seedDelegation(d SeedDelegation) error {
	u, ok := a.systemUsers[d.SystemUserID]
	if !ok {
		return fmt.Errorf("systemUserId: no system user %q", d.SystemUserID)
	}
	if u.userType != "agent" {
		return errors.New("systemUserId: not an agent system user")
	}
	if _, ok := a.orgs[d.ClientOrgNo]; !ok {
		return fmt.Errorf("clientOrgNo: unknown organisation %q", d.ClientOrgNo)
	}
	if !a.clientAvailable(u, d.ClientOrgNo) {
		return fmt.Errorf("clientOrgNo: %s holds no role for %s that the system user's access packages map to", u.partyOrgNo, d.ClientOrgNo)
	}
	u.clients[d.ClientOrgNo] = true
	return nil
}

// altinnRemarshal converts seed JSON values (maps) into typed values.
func altinnRemarshal[T any](v any) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}

// --- lookups; callers hold a.mu ---

func (a *Altinn) person(pid string) (Person, bool) {
	for _, p := range a.persons {
		if p.PID == pid {
			return p, true
		}
	}
	return Person{}, false
}

func (a *Altinn) hasRole(from, to, code string) bool {
	for _, r := range a.roles {
		if r.From == from && r.To == to && strings.EqualFold(r.Code, code) {
			return true
		}
	}
	return false
}

// daglLeder is the first seeded person holding DAGL for org, or "".
func (a *Altinn) daglLeder(orgNo string) string {
	for _, p := range a.persons {
		if a.hasRole(p.PID, orgNo, "DAGL") {
			return p.PID
		}
	}
	return ""
}

// resolveParty finds an organisation by org number, party id or party UUID.
func (a *Altinn) resolveParty(s string) (Org, bool) {
	if o, ok := a.orgs[s]; ok {
		return o, true
	}
	id, err := strconv.Atoi(s)
	for _, o := range a.orgs {
		if (err == nil && o.PartyID == id) || strings.EqualFold(o.PartyUUID, s) {
			return o, true
		}
	}
	return Org{}, false
}

// orgName is the organisation's name, or "" when unknown.
func (a *Altinn) orgName(orgNo string) string { return a.orgs[orgNo].Name }

// activeSystem is the registered, not deleted system with that id.
func (a *Altinn) activeSystem(id string) *altinnSystem {
	if s, ok := a.systems[id]; ok && !s.deleted {
		return s
	}
	return nil
}

// systemUserByTriple is the live system user for (system, owner, externalRef).
func (a *Altinn) systemUserByTriple(systemID, partyOrgNo, externalRef string) *altinnSystemUser {
	for _, u := range a.systemUsers {
		if !u.deleted && u.systemID == systemID && u.partyOrgNo == partyOrgNo && u.externalRef == externalRef {
			return u
		}
	}
	return nil
}

// requestStatus is the request's status as the API shows it: an open
// request older than the timeout has timed out.
func (a *Altinn) requestStatus(r *altinnRequest) string {
	if r.status == reqStatusNew && a.now().Sub(r.created) > altinnRequestTimeout {
		return reqStatusTimedout
	}
	return r.status
}

// requestByTriple is the newest live request of that kind for (system,
// party, externalRef).
func (a *Altinn) requestByTriple(agent bool, systemID, partyOrgNo, externalRef string) *altinnRequest {
	var best *altinnRequest
	for _, r := range a.requests {
		if r.deleted || r.agent != agent || r.systemID != systemID || r.partyOrgNo != partyOrgNo || r.externalRef != externalRef {
			continue
		}
		if best == nil || r.created.After(best.created) {
			best = r
		}
	}
	return best
}

// clientAvailable tells whether the agent system user's owner holds, for
// client, a role that one of the user's access packages maps to.
func (a *Altinn) clientAvailable(u *altinnSystemUser, clientOrgNo string) bool {
	if clientOrgNo == u.partyOrgNo {
		return false
	}
	for _, p := range u.packages {
		if role, ok := altinnClientRoleOf[p.URN]; ok && a.hasRole(u.partyOrgNo, clientOrgNo, role) {
			return true
		}
	}
	return false
}

// sortedOrgs is the known organisations by org number.
func (a *Altinn) sortedOrgs() []Org {
	out := make([]Org, 0, len(a.orgs))
	for _, o := range a.orgs {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrgNo < out[j].OrgNo })
	return out
}

// --- small value helpers ---

// altinnLocalized picks a display text from a name/description map: nb, then
// en, then nn, then any.
func altinnLocalized(m map[string]string) string {
	for _, k := range []string{"nb", "en", "nn"} {
		if v := m[k]; v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return ""
}

// altinnPackageURN makes a package name a full URN.
func altinnPackageURN(p string) string {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(strings.ToLower(p), altinnPackagePrefix) {
		return altinnPackagePrefix + p[len(altinnPackagePrefix):]
	}
	return altinnPackagePrefix + p
}

func altinnCloneRights(rs []altinnRight) []altinnRight {
	out := make([]altinnRight, 0, len(rs))
	for _, r := range rs {
		out = append(out, altinnRight{Action: r.Action, Resource: append([]altinnAttrPair(nil), r.Resource...)})
	}
	return out
}

func altinnClonePackages(ps []altinnPackage) []altinnPackage {
	return append(make([]altinnPackage, 0, len(ps)), ps...)
}

// altinnResourceIDs lists the urn:altinn:resource values of rights.
func altinnResourceIDs(rs []altinnRight) []string {
	var out []string
	for _, r := range rs {
		for _, p := range r.Resource {
			if p.ID == "urn:altinn:resource" {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

// altinnRightsSubset tells whether every right in want matches a right in have:
// same resource attribute pairs (the request's action, if any, must match).
func altinnRightsSubset(want, have []altinnRight) bool {
	for _, w := range want {
		if len(w.Resource) == 0 {
			return false
		}
		found := false
		for _, h := range have {
			if altinnSameResource(w.Resource, h.Resource) && (w.Action == "" || h.Action == "" || strings.EqualFold(w.Action, h.Action)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func altinnSameResource(x, y []altinnAttrPair) bool {
	if len(x) != len(y) {
		return false
	}
	for _, p := range x {
		found := false
		for _, q := range y {
			if p.ID == q.ID && p.Value == q.Value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func altinnPackagesSubset(want, have []altinnPackage) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if w.URN == h.URN {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// altinnDecodeBody reads r's body as JSON into v, answering the model-binding
// problem ASP.NET Core answers when it cannot.
func altinnDecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		writeAltinnModelProblem(w, "$", "The JSON value could not be read: "+err.Error())
		return false
	}
	return true
}
