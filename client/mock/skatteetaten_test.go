package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// skeTestEnv is the mock Skatteetaten with the mock Altinn (for the PDP and
// the exchange) and the fake Maskinporten.
type skeTestEnv struct {
	*altinnTestEnv
	ske    *Skatteetaten
	skeURL string // the API's base URL: the host and SkatteetatenBasePath
}

func newSkeTestEnv(t *testing.T, seed Seed, altinnURL string) *skeTestEnv {
	t.Helper()
	e := newAltinnTestEnv(t, seed)
	if altinnURL == "" {
		altinnURL = e.url
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/"
	ske, err := NewSkatteetaten(SkatteetatenConfig{
		URL: base, MaskinportenURL: e.mp.url, AltinnURL: altinnURL, Clock: e.clock,
		HTTP:     &http.Client{Timeout: 5 * time.Second},
		ClientID: SkatteetatenClientID, KeyID: SkatteetatenKeyID, Key: mustKey("skatteetaten"),
		SubscriptionKey: PDPSubscriptionKey,
	})
	if err != nil {
		t.Fatalf("NewSkatteetaten: %v", err)
	}
	if err := ske.Seed(seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	srv.Config.Handler = ske
	srv.Start()
	t.Cleanup(srv.Close)
	return &skeTestEnv{altinnTestEnv: e, ske: ske, skeURL: base + SkatteetatenBasePath[1:]}
}

// aapnekrav calls the claims endpoint with the token and headers.
func (e *skeTestEnv) aapnekrav(pakke, orgNo, token string, headers ...string) altinnResp {
	e.t.Helper()
	return e.read(pakke+"/"+orgNo+"/aapnekrav", token, headers...)
}

// skeSeed is the tests' seed: SmartCloud's standard system user for APE,
// a standard one for TIGER, and the agent owned by TIGER with APE
// delegated.
func skeSeed() Seed {
	s := altinnTestSeed(true)
	s.SystemUsers = append(s.SystemUsers, SeedSystemUser{ID: "5d0f6c7e-3333-4c5a-9a3e-0d6f2c1b7a03", SystemID: atSystem, PartyOrgNo: OrgTiger})
	s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSubtilApe}}
	return s
}

const skeTigerUser = "5d0f6c7e-3333-4c5a-9a3e-0d6f2c1b7a03"

func TestSkatteetatenAapneKrav(t *testing.T) {
	e := newSkeTestEnv(t, skeSeed(), "")
	tok := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
	r := e.aapnekrav("regnskapssystem", OrgSubtilApe, tok, "Korrelasjonsid", "corr-123")
	if r.status != 200 {
		t.Fatalf("aapnekrav: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Korrelasjonsid"); got != "corr-123" {
		t.Errorf("Korrelasjonsid %q", got)
	}
	body := r.obj(t)
	krav := body["aapentKravMedGjenstaaendeBeloep"].([]any)
	if body["partIdentifikator"] != OrgSubtilApe || len(krav) != 2 {
		t.Fatalf("answer %s", r.body)
	}
	types := []string{krav[0].(map[string]any)["kravtype"].(string), krav[1].(map[string]any)["kravtype"].(string)}
	if types[0] != "RESTSKATT" || types[1] != "MERVERDIAVGIFT" {
		t.Errorf("kravtyper %v", types)
	}
	first := krav[0].(map[string]any)
	forfall := first["kravforfall"].([]any)[0].(map[string]any)
	if forfall["forfallsdato"] == "" || forfall["betalingsinformasjon"].(map[string]any)["konto"].(map[string]any)["kontonummer"] == "" ||
		first["kravbeskrivelse"].(map[string]any)["spraakTekst"].([]any)[0].(map[string]any)["tekst"] != "Restskatt" {
		t.Errorf("claim %v", first)
	}
	total := body["totalOversikt"].(map[string]any)
	if total["sumForfalteKrav"] != 66963.0 || total["sumStipulerteRenter"] != 708.6 || total["saldo"] != 67671.6 {
		t.Errorf("totalOversikt %v", total)
	}
	if groups := body["oversiktPerKravgruppe"].([]any); len(groups) != 2 {
		t.Errorf("oversiktPerKravgruppe %v", groups)
	}
	// The same answer every time: the seed is deterministic.
	again := e.aapnekrav("regnskapssystem", OrgSubtilApe, tok)
	if string(again.body) != string(r.body) {
		t.Error("answers differ between calls")
	}
	if id := again.header.Get("Korrelasjonsid"); !altinnUUIDRE.MatchString(id) {
		t.Errorf("generated Korrelasjonsid %q", id)
	}

	// Another known org: empty but well-formed.
	tiger := e.aapnekrav("regnskapssystem", OrgTiger, e.mp.systemUserToken(t, OrgSmartCloud, OrgTiger, skeTigerUser, atSystem, ScopeKravOgBetalinger))
	if tiger.status != 200 {
		t.Fatalf("tiger: %d %s", tiger.status, tiger.body)
	}
	tb := tiger.obj(t)
	if tb["partIdentifikator"] != OrgTiger || len(tb["aapentKravMedGjenstaaendeBeloep"].([]any)) != 0 ||
		tb["totalOversikt"].(map[string]any)["saldo"] != 0.0 || tb["innbetalingMedUplassertBeloep"] == nil {
		t.Errorf("empty answer %s", tiger.body)
	}

	// The agent system user (owned by TIGER) reads its delegated client.
	agentTok := e.mp.systemUserToken(t, OrgSmartCloud, OrgTiger, atAgentUser, atAgentSystem, ScopeKravOgBetalinger)
	if r := e.aapnekrav("regnskapssystem", OrgSubtilApe, agentTok); r.status != 200 {
		t.Errorf("agent for its client: %d %s", r.status, r.body)
	}
}

func TestSkatteetatenRejects(t *testing.T) {
	e := newSkeTestEnv(t, skeSeed(), "")
	good := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
	suClaims := func(extra jwt.MapClaims) jwt.MapClaims {
		c, _, _ := jwt.NewParser().ParseUnverified(good, jwt.MapClaims{})
		m := c.Claims.(jwt.MapClaims)
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name, pakke, orgNo, token string
		status                    int
		kode, melding             string
	}{
		{"no token", "regnskapssystem", OrgSubtilApe, "", 401, "KB-004", "Bearer"},
		{"not a JWT", "regnskapssystem", OrgSubtilApe, "x.y.z", 401, "KB-004", ""},
		{"a key Maskinporten does not publish", "regnskapssystem", OrgSubtilApe, e.mp.tokenWith(t, "rogue", suClaims(nil)), 401, "KB-004", "kid"},
		{"wrong issuer", "regnskapssystem", OrgSubtilApe, e.mp.token(t, suClaims(jwt.MapClaims{"iss": "https://maskinporten.no/"})), 401, "KB-004", "issuer"},
		{"expired", "regnskapssystem", OrgSubtilApe, e.mp.token(t, suClaims(jwt.MapClaims{"exp": time.Now().Add(-time.Second).Unix()})), 401, "KB-004", "expired"},
		{"without the scope", "regnskapssystem", OrgSubtilApe, e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, "other:scope"), 403, "KB-005", ScopeKravOgBetalinger},
		{"another rights package", "finans", OrgSubtilApe, good, 404, "KB-009", "regnskapssystem"},
		{"not an org number", "regnskapssystem", "12345", good, 400, "KB-006", ""},
		{"not a system user token", "regnskapssystem", OrgSubtilApe, e.mp.orgToken(t, OrgSmartCloud, ScopeKravOgBetalinger), 403, "KB-005", "systemuser"},
		{"another org than the system user's", "regnskapssystem", OrgTiger, good, 403, "KB-005", "NotApplicable"},
		{"unknown system user", "regnskapssystem", OrgSubtilApe, e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, client.NewUUID(), atSystem, ScopeKravOgBetalinger), 403, "KB-005", "NotApplicable"},
		{"agent for its own org", "regnskapssystem", OrgTiger, e.mp.systemUserToken(t, OrgSmartCloud, OrgTiger, atAgentUser, atAgentSystem, ScopeKravOgBetalinger), 403, "KB-005", "NotApplicable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.aapnekrav(tc.pakke, tc.orgNo, tc.token, "Korrelasjonsid", "c-"+tc.kode)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			m := r.obj(t)
			if m["kode"] != tc.kode || m["korrelasjonsid"] != "c-"+tc.kode || r.header.Get("Korrelasjonsid") != "c-"+tc.kode {
				t.Errorf("body %v", m)
			}
			if tc.melding != "" && !strings.Contains(m["melding"].(string), tc.melding) && !strings.Contains(r.header.Get("WWW-Authenticate"), tc.melding) {
				t.Errorf("melding %q lacks %q", m["melding"], tc.melding)
			}
		})
	}
	req, _ := http.NewRequest("GET", e.skeURL+"v1/regnskapssystem/"+OrgSubtilApe+"/kravene", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}

	// A system deleted after approval: deleting it marks it deleted and
	// removes its client ids, leaving its system users and their rights
	// (AUTHN SystemRegisterRepository.SetDeleteRegisteredSystemById), so a
	// token issued before still reads while it lives; the next token is
	// MP-303 (the system-deleted scenario, run by flow's tests).
	if r := e.do("DELETE", "authentication/api/v1/systemregister/vendor/"+atSystem, e.vendorToken(alScopeSystemRegisterWrite), nil); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := e.aapnekrav("regnskapssystem", OrgSubtilApe, good); r.status != 200 {
		t.Errorf("deleted system, token from before: %d %s", r.status, r.body)
	}
}

func TestSkatteetatenPDPToken(t *testing.T) {
	e := newSkeTestEnv(t, skeSeed(), "")
	call := func() {
		t.Helper()
		tok := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
		if r := e.aapnekrav("regnskapssystem", OrgSubtilApe, tok); r.status != 200 {
			t.Fatalf("aapnekrav: %d %s", r.status, r.body)
		}
	}
	for i := 0; i < 3; i++ {
		call()
	}
	if n := e.mp.grants.Load(); n != 1 {
		t.Errorf("%d grants for three calls, want 1 (cached)", n)
	}
	// 98 s on, the Altinn token (exp = the Maskinporten token's, 120 s,
	// in whole seconds, so up to a second earlier than iat + 120) is still
	// good; at 101 s it is within 20 s of expiry and is replaced.
	e.clock.SetOffset(98 * time.Second)
	call()
	if n := e.mp.grants.Load(); n != 1 {
		t.Errorf("%d grants at 98 s, want 1", n)
	}
	e.clock.SetOffset(101 * time.Second)
	call()
	if n := e.mp.grants.Load(); n != 2 {
		t.Errorf("%d grants at 101 s, want 2", n)
	}
	e.mp.mu.Lock()
	defer e.mp.mu.Unlock()
	if len(e.mp.grantErrs) > 0 {
		t.Errorf("grants Maskinporten refused: %v", e.mp.grantErrs)
	}
}

func TestSkatteetatenPDPDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/"
	down.Close()
	e := newSkeTestEnv(t, skeSeed(), downURL)
	tok := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
	r := e.aapnekrav("regnskapssystem", OrgSubtilApe, tok)
	if r.status != 500 || r.obj(t)["kode"] != "KB-002" {
		t.Errorf("PDP down: %d %s", r.status, r.body)
	}
}

func TestSkatteetatenConfig(t *testing.T) {
	good := SkatteetatenConfig{URL: "http://s/", MaskinportenURL: "http://m/", AltinnURL: "http://a/",
		ClientID: "c", KeyID: "k", Key: mustKey("skatteetaten")}
	for _, tc := range []struct {
		name string
		edit func(*SkatteetatenConfig)
	}{
		{"no key", func(c *SkatteetatenConfig) { c.Key = nil }},
		{"no trailing slash", func(c *SkatteetatenConfig) { c.AltinnURL = "http://a" }},
		{"no client", func(c *SkatteetatenConfig) { c.ClientID = "" }},
	} {
		cfg := good
		tc.edit(&cfg)
		if _, err := NewSkatteetaten(cfg); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	s, err := NewSkatteetaten(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(Seed{Orgs: []Org{{OrgNo: "12", Name: "X"}}}); err == nil || !strings.Contains(err.Error(), "orgs (12)") {
		t.Errorf("bad org: %v", err)
	}
}
