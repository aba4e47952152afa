// Package standin is a contract stand-in for test Maskinporten, Altinn's
// tt02 platform and Skatteetaten's Krav og betalinger, for tests only.
//
// It is a second, independent reading of the services' public sources
// (Altinn/altinn-authentication's controllers and services, Digdir's
// Maskinporten documentation, the SmartCloud reference vendor app,
// Skatteetaten's API documentation), written without the workbench's mocks
// (client/mock), so that a test driving the workbench against it checks the
// workbench against the real services, not the mocks against the client.
// Each rule names its source in a comment. The hosts listen on loopback over
// TLS with a test CA the stand-in makes; the people (the daglig leder, the
// client administrator) are Go methods of the World, not web pages.
package standin

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options shape the stand-in's world. The zero value is the tt02 example of
// the design: SmartCloud AS (991825827) with two Maskinporten clients, the
// customer TILFELDIG SUBTIL APE (310904473) and the auditor TILBAKEHOLDEN
// USYMMETRISK TIGER AS (314250052) with two clients.
type Options struct {
	// VendorOrgNo owns the Maskinporten clients (the token's consumer).
	VendorOrgNo string
	// ClientID and AgentClientID are the vendor's two Maskinporten clients,
	// registered with the same key and scopes (Altinn ties a client id to
	// one system, AUTH.VLD-00004, so the agent system needs its own).
	ClientID, AgentClientID string
	// Scopes are registered on both clients. Default: the three Altinn
	// vendor scopes and skatteetaten:kravogbetalinger.
	Scopes []string
	// Orgs are the organisations the register (ER) knows; a request for any
	// other party answers AUTH-00000. The vendor, the facilitators and
	// their clients are always known.
	Orgs []string
	// FacilitatorClients maps a facilitator's org number to the clients an
	// agent system user of it may be given.
	FacilitatorClients map[string][]string
	// Resources are the resource register's delegable resources. Default:
	// ske-krav-og-betalinger.
	Resources []string
	// ExpiresIn is the lifetime of issued access tokens in seconds (default
	// 120; Digdir's example shows 599, the real value depends on the scope).
	ExpiresIn int
	// MPIDs is where Maskinporten's error ids appear (default: error_uri).
	MPIDs MPIDPlacement
	// PageSize bounds a page of the paginated vendor lists (default 50,
	// AUTHN src/Authentication/appsettings.json PaginationOptions.Size).
	PageSize int
	// KBPrefix is a path prefix for Krav og betalinger, carried by
	// SkatteetatenURL. Empty: none, as on today's test host
	// https://kravogbetalinger.api.skatteetaten-test.no/v1/... (Skatteetaten
	// docs/om/url.md, 0184e091; the SmartCloud app calls it so). The old
	// form, /api/innkreving/kravogbetalinger, was retired on 17 October 2024
	// (same page) but is still in the API's examples; set it, or any other
	// prefix, to check that a client keeps the base URL's path (spec
	// Corrections 13).
	KBPrefix string
	// HostName is Altinn's GeneralSettings.HostName, which confirm URLs are
	// built from (default tt02.altinn.no: https://am.ui.tt02.altinn.no/...).
	HostName string
	// Now is the world's clock (default time.Now); Advance moves it.
	Now func() time.Time
	// CertNames are more DNS names for the hosts' certificate, for a test
	// that reaches them by a name of the machine that resolves to loopback.
	CertNames []string
}

// MPIDPlacement says where Maskinporten's MP-nnn ids appear in its errors.
type MPIDPlacement int

const (
	// MPIDInURI puts the id only in error_uri, as in a real body seen in
	// 2025: {"error":"invalid_grant","error_description":"Invalid
	// assertion. Client authentication failed. Expired key. (trace_id:
	// ...)","error_uri":"https://maskinporten.no/errors/MP-121"}.
	MPIDInURI MPIDPlacement = iota
	// MPIDInDescription also names the id in error_description, as
	// Digdir's troubleshooting page says it "often" is
	// (felleslosninger/docs _docs/Maskinporten/maskinporten_feilsoking.md L26).
	MPIDInDescription
	// MPIDNone names the id nowhere (spec Corrections 15): a client must
	// explain the error from its error value.
	MPIDNone
)

// World is one running stand-in: its hosts, its state and the people.
type World struct {
	// MaskinportenURL, AltinnURL and SkatteetatenURL are the base URLs, with
	// a trailing slash; SkatteetatenURL carries the API's path prefix.
	MaskinportenURL, AltinnURL, SkatteetatenURL string
	// CAFile is the PEM of the test CA, for [network] ca_file.
	CAFile string
	// KeyFile is the vendor clients' private key (PKCS#8 PEM, mode 0600),
	// registered under KeyID.
	KeyFile, KeyID string
	// VendorOrgNo, ClientID and AgentClientID are as in Options.
	VendorOrgNo, ClientID, AgentClientID string

	opts       Options
	ca         *testCA
	servers    []*httptest.Server
	mpKey      *rsa.PrivateKey
	mpKID      string
	vendorKey  *rsa.PrivateKey
	dir        string
	closeOnce  sync.Once
	clientOnce sync.Once
	client     *http.Client
	mu         sync.Mutex
	state      state
	counts     map[string]int
	calls      []Call
	overrides  []*Override
	routes     []string
	failStatus int
	offset     time.Duration
	mpIDs      MPIDPlacement
}

// Call is one HTTP request a stand-in host received.
type Call struct {
	Host   string // maskinporten, altinn or skatteetaten
	Method string
	Path   string
	Route  string // the route pattern, e.g. "POST /token"; "" for none
	Status int
	At     time.Time // the wall clock (not moved by Advance)
}

// Start starts the stand-in's hosts on loopback over TLS and stops them
// when the test ends.
func Start(t testing.TB, opts Options) *World {
	t.Helper()
	w, err := start(opts, t.TempDir())
	if err != nil {
		t.Fatalf("standin: %v", err)
	}
	t.Cleanup(w.Close)
	return w
}

func start(opts Options, dir string) (*World, error) {
	opts = withDefaults(opts)
	w := &World{opts: opts, dir: dir, counts: map[string]int{}, mpIDs: opts.MPIDs,
		VendorOrgNo: opts.VendorOrgNo, ClientID: opts.ClientID, AgentClientID: opts.AgentClientID}
	var err error
	if w.ca, err = newTestCA(time.Now(), opts.CertNames); err != nil {
		return nil, err
	}
	if w.CAFile, err = w.ca.writePEM(dir); err != nil {
		return nil, err
	}
	if err = w.makeKeys(); err != nil {
		return nil, err
	}
	w.state = newState(opts)
	w.registerClients()
	mp, altinn, kb := w.start("maskinporten", w.maskinportenMux()), w.start("altinn", w.altinnMux()), w.start("skatteetaten", w.kbMux())
	w.MaskinportenURL = mp.URL + "/"
	w.AltinnURL = altinn.URL + "/"
	w.SkatteetatenURL = kb.URL + w.kbPrefix() + "/"
	return w, nil
}

func withDefaults(o Options) Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.VendorOrgNo, "991825827")
	def(&o.ClientID, "2b1f7e0c-5d1a-4c2e-9a8b-3c4d5e6f7a81")
	def(&o.AgentClientID, "7c9e2a44-1b3d-4f5a-8e6c-0d2f4a6b8c92")
	def(&o.HostName, "tt02.altinn.no")
	if o.Scopes == nil {
		o.Scopes = []string{scopeRegisterWrite, scopeRequestWrite, scopeRequestRead, scopeKB}
	}
	if o.FacilitatorClients == nil {
		o.FacilitatorClients = map[string][]string{"314250052": {"310904473", "313367002"}}
	}
	if o.Orgs == nil {
		o.Orgs = []string{"310904473", "314250052", "313367002"}
	}
	if o.Resources == nil {
		o.Resources = []string{"ske-krav-og-betalinger"}
	}
	if o.ExpiresIn == 0 {
		o.ExpiresIn = 120
	}
	if o.PageSize == 0 {
		o.PageSize = 50
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// altinnMux is the Altinn platform's vendor APIs.
func (w *World) altinnMux() *http.ServeMux {
	mux := http.NewServeMux()
	w.registerRoutes(mux)
	w.requestRoutes(mux)
	w.userRoutes(mux)
	// ASP.NET answers a path no controller routes with an empty 404.
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNotFound) })
	return mux
}

// start runs one host behind the recording middleware.
func (w *World) start(host string, mux *http.ServeMux) *httptest.Server {
	srv := httptest.NewUnstartedServer(w.middleware(host, mux))
	srv.TLS = w.ca.serverConfig()
	// A client that does not trust the test CA is an expected sight in
	// these tests; every other server error is still logged.
	srv.Config.ErrorLog = log.New(dropHandshakeErrors{}, "", log.LstdFlags)
	srv.StartTLS()
	w.servers = append(w.servers, srv)
	return srv
}

type dropHandshakeErrors struct{}

func (dropHandshakeErrors) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return os.Stderr.Write(p)
}

// Close stops the hosts. Start registers it with the test; calling it again
// does nothing.
func (w *World) Close() {
	w.closeOnce.Do(func() {
		if w.client != nil {
			w.client.CloseIdleConnections()
		}
		for _, s := range w.servers {
			s.Close()
		}
	})
}

// now is the world's clock: Options.Now moved by Advance.
func (w *World) now() time.Time {
	w.mu.Lock()
	off := w.offset
	w.mu.Unlock()
	return w.opts.Now().Add(off)
}

// Advance moves the world's clock (Maskinporten's and Altinn's) by d: tokens
// expire, grants look old or early, without waiting.
func (w *World) Advance(d time.Duration) {
	w.mu.Lock()
	w.offset += d
	w.mu.Unlock()
}

// SetMPIDs changes where Maskinporten's error ids appear from now on.
func (w *World) SetMPIDs(p MPIDPlacement) {
	w.mu.Lock()
	w.mpIDs = p
	w.mu.Unlock()
}

// statusRecorder keeps the status a handler wrote, for the call log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// middleware counts and logs every request by route, then answers from an
// override or a failure knob, or routes it.
func (w *World) middleware(host string, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if host == "altinn" {
			altinnPath(r)
		}
		_, route := mux.Handler(r)
		rec := &statusRecorder{ResponseWriter: rw}
		n := w.record(host, r, route)
		defer func() { w.setStatus(n, rec.status) }()
		if w.answerKnob(rec, route) {
			return
		}
		mux.ServeHTTP(rec, r)
	})
}

// altinnPath routes a path as the platform does: ASP.NET takes vendor/
// for vendor (Altinn's own controller tests call routes so, spec
// Corrections 16), and Altinn's tt02 test helpers send //authentication/...,
// which the platform serves (altinn-facts.md §1.4). Go's ServeMux would
// redirect both instead.
func altinnPath(r *http.Request) {
	p := r.URL.Path
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	if p != r.URL.Path {
		r.URL.Path, r.URL.RawPath = p, ""
	}
}

func (w *World) record(host string, r *http.Request, route string) int {
	at := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if route != "" {
		w.counts[route]++
	}
	w.calls = append(w.calls, Call{Host: host, Method: r.Method, Path: r.URL.Path, Route: route, At: at})
	return len(w.calls) - 1
}

func (w *World) setStatus(i, status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.calls[i].Status = status
}

// Count is how many requests a route has received: its method and pattern
// as the routes are written, e.g. "POST /token" or
// "GET /authentication/api/v1/systemuser/request/vendor/{id}".
// It panics on a route no host has (see Routes).
func (w *World) Count(route string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.known(route) {
		panic(fmt.Sprintf("standin: no route %q (see World.Routes)", route))
	}
	return w.counts[route]
}

// Calls is every request received so far, in order.
func (w *World) Calls() []Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Call(nil), w.calls...)
}

// PeakRate is the most requests a host received in any window of the
// given length, per second: max over the calls of (calls in [t, t+window))
// / window. host is maskinporten, altinn or skatteetaten; "" counts all.
func (w *World) PeakRate(host string, window time.Duration) float64 {
	return w.PeakRateIn(host, window, time.Time{}, time.Time{})
}

// PeakRateIn is PeakRate over the calls received from from to to (the
// wall clock; a zero time is no bound), e.g. while one command ran.
func (w *World) PeakRateIn(host string, window time.Duration, from, to time.Time) float64 {
	var at []time.Time
	for _, c := range w.Calls() {
		if (host == "" || c.Host == host) && (from.IsZero() || !c.At.Before(from)) && (to.IsZero() || !c.At.After(to)) {
			at = append(at, c.At)
		}
	}
	best := 0
	for i, start := range at {
		n := 0
		for _, t := range at[i:] {
			if t.Sub(start) < window {
				n++
			}
		}
		best = max(best, n)
	}
	return float64(best) / window.Seconds()
}

// Routes lists every route pattern of the three hosts, as Count names them.
func (w *World) Routes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.routes...)
}

// handle registers a route and remembers its pattern for Count.
func (w *World) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, h)
	w.mu.Lock()
	w.routes = append(w.routes, pattern)
	w.mu.Unlock()
}

// known reports whether a route exists: a test that counts a typo would
// count zero and pass.
func (w *World) known(route string) bool {
	for _, r := range w.routes {
		if r == route {
			return true
		}
	}
	return false
}
