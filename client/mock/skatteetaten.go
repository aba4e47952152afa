package mock

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// SkatteetatenConfig configures the mock Skatteetaten API.
type SkatteetatenConfig struct {
	URL             string
	MaskinportenURL string
	AltinnURL       string
	HTTP            *http.Client
	Clock           *Clock
	ClientID        string // Skatteetaten's own Maskinporten client
	KeyID           string
	Key             *rsa.PrivateKey
	SubscriptionKey string // for the PDP
}

// Skatteetaten is the mock Krav og betalinger API (§8). It verifies the
// vendor's Maskinporten system user token itself and asks Altinn's PDP,
// over HTTP with its own Maskinporten token exchanged at Altinn, whether
// the system user may see the organisation's claims.
type Skatteetaten struct {
	cfg    SkatteetatenConfig
	mux    *http.ServeMux
	mpKeys *jwksCache
	pdp    *skePDPClient

	mu   sync.RWMutex
	orgs map[string]bool // the organisations with an answer: their claims are skeClaimsFor's
}

// The rights package the mock serves: the one for accounting systems with
// system users (Skatteetaten's "finans" package needs consent instead).
const skeRettighetspakke = "regnskapssystem"

// skeError is Skatteetaten's error body.
type skeError struct {
	Kode           string `json:"kode"`
	Melding        string `json:"melding"`
	Korrelasjonsid string `json:"korrelasjonsid"`
}

// NewSkatteetaten makes the mock Skatteetaten API.
func NewSkatteetaten(cfg SkatteetatenConfig) (*Skatteetaten, error) {
	if cfg.Key == nil {
		return nil, errors.New("mock skatteetaten: no signing key for its Maskinporten client")
	}
	for _, u := range []string{cfg.URL, cfg.MaskinportenURL, cfg.AltinnURL} {
		if !strings.HasSuffix(u, "/") {
			return nil, fmt.Errorf("mock skatteetaten: URL %q must end with a slash", u)
		}
	}
	if cfg.ClientID == "" || cfg.KeyID == "" {
		return nil, errors.New("mock skatteetaten: ClientID and KeyID are required")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = &Clock{}
	}
	if cfg.SubscriptionKey == "" {
		cfg.SubscriptionKey = PDPSubscriptionKey
	}
	s := &Skatteetaten{
		cfg:    cfg,
		mux:    http.NewServeMux(),
		mpKeys: newJWKSCache(cfg.MaskinportenURL+"jwk", cfg.HTTP),
		pdp:    newSkePDPClient(cfg),
		orgs:   map[string]bool{},
	}
	unknown := func(w http.ResponseWriter, r *http.Request) {
		corr := skeCorrelationID(w, r)
		s.fail(w, r, http.StatusNotFound, "KB-003", "Ukjent url benyttet: "+r.Method+" "+r.URL.Path, corr)
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /v1/{pakke}/{orgno}/aapnekrav", s.handleAapneKrav)
	api.HandleFunc("GET /v1/{pakke}/{orgno}/krav", s.handlePeriodRead(skeReadKrav))
	api.HandleFunc("GET /v1/{pakke}/{orgno}/innbetalinger", s.handlePeriodRead(skeReadInnbetalinger))
	api.HandleFunc("GET /v1/{pakke}/{orgno}/utbetalinger", s.handlePeriodRead(skeReadUtbetalinger))
	api.HandleFunc("/", unknown)
	s.mux.Handle(SkatteetatenBasePath, http.StripPrefix(strings.TrimSuffix(SkatteetatenBasePath, "/"), api))
	s.mux.HandleFunc("/", unknown)
	return s, nil
}

// SkatteetatenBasePath is the path the mock serves Krav og betalinger
// under: the API's base URL is the host plus this path. Today's test host
// serves /v1/... at its root (https://kravogbetalinger.api.skatteetaten-test.no/v1,
// Skatteetaten/api-dokumentasjon docs/om/url.md; the reference vendor app
// calls it so, TheTechArch/altinn-systemuser SuperSystem.Server
// appsettings.json and KravOgBetalingerService.cs), while the API's own page
// still gives https://{env}/api/innkreving/kravogbetalinger/v1/...
// (docs/api/kravogbetalinger.md), the form retired on 17 October 2024. The
// mock keeps a path on purpose, so that a client which hard-codes or drops
// the base path fails against it as it would against either real form.
const SkatteetatenBasePath = "/api/innkreving/kravogbetalinger/"

// ServeHTTP serves the Krav og betalinger API.
func (s *Skatteetaten) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Seed loads the open claims per organisation: deterministic claims for
// the seed's example company, an empty but well-formed answer for every
// other known organisation (made when asked for, the same every time).
func (s *Skatteetaten) Seed(seed Seed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range seed.Orgs {
		if !altinnOrgNoRE.MatchString(o.OrgNo) {
			return fmt.Errorf("orgs (%s): orgNo must be nine digits", o.OrgNo)
		}
		s.orgs[o.OrgNo] = true
	}
	return nil
}

// skeCorrelationID echoes the caller's Korrelasjonsid (header or query) or
// makes one, and sets it on the answer.
func skeCorrelationID(w http.ResponseWriter, r *http.Request) string {
	corr := r.Header.Get("Korrelasjonsid")
	if corr == "" {
		corr = r.URL.Query().Get("Korrelasjonsid")
	}
	if corr == "" {
		corr = client.NewUUID()
	}
	w.Header().Set("Korrelasjonsid", corr)
	return corr
}

// fail answers with Skatteetaten's error body, in the format the request
// asked for (skeFormatOf: JSON, or XML for Accept: application/xml).
func (s *Skatteetaten) fail(w http.ResponseWriter, r *http.Request, status int, kode, melding, corr string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	format, _ := skeFormatOf(r)
	skeWrite(w, format, status, "feil", skeError{Kode: kode, Melding: melding, Korrelasjonsid: corr})
}

// authorize checks what every read checks, in this order: the format
// (KB-008), the Maskinporten token (KB-004), its scope (KB-005), the rights
// package (KB-009), the org number (KB-006), the system user (KB-005), and
// the PDP's decision for the org (KB-005). It answers a refusal itself.
func (s *Skatteetaten) authorize(w http.ResponseWriter, r *http.Request, corr string) (orgNo string, ok bool) {
	if _, ok := skeFormatOf(r); !ok {
		s.fail(w, r, http.StatusNotAcceptable, "KB-008", "Feil tilknyttet dataformat. Kun json eller xml er støttet (Accept: "+r.Header.Get("Accept")+")", corr)
		return "", false
	}
	raw := altinnBearer(r)
	if raw == "" {
		s.fail(w, r, http.StatusUnauthorized, "KB-004", "Feil i forbindelse med autentisering: mangler Bearer-token fra Maskinporten", corr)
		return "", false
	}
	claims, err := s.mpKeys.verify(r.Context(), raw, s.cfg.MaskinportenURL, s.cfg.Clock.Now())
	if err != nil {
		s.fail(w, r, http.StatusUnauthorized, "KB-004", "Feil i forbindelse med autentisering: "+err.Error(), corr)
		return "", false
	}
	scope, _ := claims["scope"].(string)
	if !skeHasScope(scope, ScopeKravOgBetalinger) {
		s.fail(w, r, http.StatusForbidden, "KB-005", fmt.Sprintf("Tokenet mangler scope %s (har %q)", ScopeKravOgBetalinger, scope), corr)
		return "", false
	}
	if pakke := r.PathValue("pakke"); pakke != skeRettighetspakke {
		s.fail(w, r, http.StatusNotFound, "KB-009", fmt.Sprintf("Ukjent rettighetspakke %q: systembrukere bruker %s", pakke, skeRettighetspakke), corr)
		return "", false
	}
	orgNo = r.PathValue("orgno")
	if !altinnOrgNoRE.MatchString(orgNo) {
		s.fail(w, r, http.StatusBadRequest, "KB-006", fmt.Sprintf("Ugyldig partIdentifikator %q: forventet et organisasjonsnummer med ni siffer", orgNo), corr)
		return "", false
	}
	systemUserID := skeSystemUserID(claims)
	if systemUserID == "" {
		s.fail(w, r, http.StatusForbidden, "KB-005", "Tokenet er ikke et systembrukertoken: authorization_details mangler urn:altinn:systemuser med systemuser_id", corr)
		return "", false
	}
	decision, err := s.pdp.decide(r.Context(), systemUserID, orgNo)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "KB-002", "Uventet feil i et bakenforliggende system (Altinn PDP): "+err.Error(), corr)
		return "", false
	}
	if decision != pdpPermit {
		s.fail(w, r, http.StatusForbidden, "KB-005", fmt.Sprintf("Systembruker %s har ikke tilgang til %s for %s: Altinn PDP svarte %s", systemUserID, ResourceKravOgBetalinger, orgNo, decision), corr)
		return "", false
	}
	return orgNo, true
}

// known reports whether the organisation has answers, answering KB-009
// when not.
func (s *Skatteetaten) known(w http.ResponseWriter, r *http.Request, orgNo, corr string) bool {
	s.mu.RLock()
	ok := s.orgs[orgNo]
	s.mu.RUnlock()
	if !ok {
		s.fail(w, r, http.StatusNotFound, "KB-009", "Ingen treff på oppgitt identifikator "+orgNo, corr)
	}
	return ok
}

// handleAapneKrav answers an organisation's open claims to a system user
// the PDP permits.
func (s *Skatteetaten) handleAapneKrav(w http.ResponseWriter, r *http.Request) {
	corr := skeCorrelationID(w, r)
	orgNo, ok := s.authorize(w, r, corr)
	if !ok || !s.known(w, r, orgNo, corr) {
		return
	}
	format, _ := skeFormatOf(r)
	skeWrite(w, format, http.StatusOK, "aapneKrav", skeClaimsFor(orgNo))
}

func skeHasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// skeSystemUserID is systemuser_id[0] of the token's urn:altinn:systemuser
// authorization detail, or "".
func skeSystemUserID(claims jwt.MapClaims) string {
	details, _ := claims["authorization_details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if t, _ := m["type"].(string); t != "urn:altinn:systemuser" {
			continue
		}
		ids, _ := m["systemuser_id"].([]any)
		if len(ids) > 0 {
			id, _ := ids[0].(string)
			return id
		}
	}
	return ""
}

// skeContext bounds a PDP round trip.
func skeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 10*time.Second)
}
