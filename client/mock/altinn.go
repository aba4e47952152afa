package mock

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
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

	verified altinnVerified // bearer tokens verified and still valid
	// sessions are the confirm page's logged-in browsers
	// (altinn_portal_login.go).
	sessions portalSessions

	mu          sync.RWMutex
	altinnState // guarded by mu
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

var (
	altinnOrgNoRE = lazyre.New(`^[0-9]{9}$`)
	altinnPIDRE   = lazyre.New(`^[0-9]{11}$`)
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
		altinnState: newAltinnState(),
	}
	a.routes()
	return a, nil
}

// clone is an Altinn with a's state, as a reset of the world makes it from
// the seeded one (altinnState.clone), sharing its configuration, its
// confirm page's templates and its cache of Maskinporten's keys.
func (a *Altinn) clone() *Altinn {
	a.mu.RLock()
	st := a.altinnState.clone()
	a.mu.RUnlock()
	c := &Altinn{cfg: a.cfg, issuer: a.issuer, mux: http.NewServeMux(), mpKeys: a.mpKeys, page: a.page, altinnState: st}
	c.routes()
	return c
}

// routes registers each service area's routes, written whole in the
// area's file (altinn_requests.go for the requests, ...), so that a path the
// client sends greps to its handler.
func (a *Altinn) routes() {
	m := a.mux
	a.routeAuth(m)
	a.routeResources(m)
	a.routeSystems(m)
	a.routeRequests(m)
	a.routeRequestsPortal(m)
	a.routeSystemUsers(m)
	a.routeChangeRequests(m)
	a.routeDelegation(m)
	a.routePDP(m)
	a.routePortal(m)
	a.routeKnobs(m)
}

// The two kinds of system user request, for the handlers that serve both.
const (
	standardRequest = false
	agentRequest    = true
)

// ServeHTTP serves the Altinn platform's endpoints.
func (a *Altinn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	altinnRoutePath(r)
	a.mux.ServeHTTP(w, r)
}

// altinnRoutePath makes the path one the routes match as ASP.NET Core's
// endpoint routing matches it: a trailing slash reaches the same route
// (Altinn's own controller tests post to systemregister/vendor/ and put
// to vendor/{systemId}/, test/Altinn.Platform.Authentication.Tests/
// Controllers/SystemRegisterControllerTests.cs L1149, L1260, L1430, and
// assert success), and so does a path with "//" in it: Altinn's tt02 tests
// send every path as https://platform.tt02.altinn.no//authentication/...
// (SystemIntegrationTests/Clients/PlatformAuthenticationClient.cs L78,
// L110), and pass (which layer folds the slashes is not public). Go's
// ServeMux would answer both with a 301 to the cleaned path, which a
// client follows as a GET.
func altinnRoutePath(r *http.Request) {
	esc := r.URL.EscapedPath()
	clean := esc
	for strings.Contains(clean, "//") {
		clean = strings.ReplaceAll(clean, "//", "/")
	}
	if len(clean) > 1 {
		clean = strings.TrimSuffix(clean, "/")
	}
	if clean == esc {
		return
	}
	p, err := url.PathUnescape(clean)
	if err != nil {
		return
	}
	u := *r.URL
	u.Path, u.RawPath = p, clean
	r.URL = &u
}

// now is the mock clock's time.
func (a *Altinn) now() time.Time { return a.cfg.Clock.Now() }

// --- lookups (altinn_state.go has those by key); callers hold a.mu ---

// orgName is the organisation's name, or "" when unknown.
func (a *Altinn) orgName(orgNo string) string { return a.orgs[orgNo].Name }

// activeSystem is the registered, not deleted system with that id.
func (a *Altinn) activeSystem(id string) *altinnSystem {
	if s, ok := a.systems[id]; ok && !s.deleted {
		return s
	}
	return nil
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
