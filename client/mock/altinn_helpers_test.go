package mock

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// altinnTestMP is a tiny fake Maskinporten for these tests: /jwk serves the
// mock Maskinporten key, and /token mints tokens for Skatteetaten's own
// client after checking its grant. Tests mint vendor tokens directly.
type altinnTestMP struct {
	srv   *httptest.Server
	url   string
	clock *Clock

	mu        sync.Mutex
	keys      map[string]*rsa.PrivateKey // by kid
	jwkFetch  atomic.Int32
	grants    atomic.Int32
	jtis      map[string]bool
	grantErrs []string
}

const altinnTestKid = "mp-test-1"

func newAltinnTestMP(t testing.TB, clock *Clock) *altinnTestMP {
	t.Helper()
	m := &altinnTestMP{clock: clock, keys: map[string]*rsa.PrivateKey{altinnTestKid: mustKey("maskinporten")}, jtis: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwk", func(w http.ResponseWriter, r *http.Request) {
		m.jwkFetch.Add(1)
		m.mu.Lock()
		defer m.mu.Unlock()
		set := client.JWKS{}
		for kid, k := range m.keys {
			set.Keys = append(set.Keys, client.PublicJWK(&k.PublicKey, kid))
		}
		writeJSON(w, http.StatusOK, set)
	})
	mux.HandleFunc("POST /token", m.handleToken)
	m.srv = httptest.NewServer(mux)
	m.url = m.srv.URL + "/"
	t.Cleanup(m.srv.Close)
	return m
}

// handleToken checks Skatteetaten's jwt-bearer grant as Maskinporten would
// and mints an access token for it.
func (m *altinnTestMP) handleToken(w http.ResponseWriter, r *http.Request) {
	fail := func(msg string) {
		m.mu.Lock()
		m.grantErrs = append(m.grantErrs, msg)
		m.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": msg})
	}
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		fail("grant_type")
		return
	}
	ske := mustKey("skatteetaten")
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(r.FormValue("assertion"), claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != SkatteetatenKeyID {
			return nil, jwt.ErrTokenUnverifiable
		}
		return &ske.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(SkatteetatenClientID), jwt.WithAudience(m.url),
		jwt.WithTimeFunc(m.clock.Now), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil || !tok.Valid {
		fail("grant: " + err.Error())
		return
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	jti, _ := claims["jti"].(string)
	m.mu.Lock()
	reused := m.jtis[jti]
	m.jtis[jti] = true
	m.mu.Unlock()
	switch {
	case iat == nil || exp.Sub(iat.Time) > 120*time.Second:
		fail("lifetime")
		return
	case jti == "" || reused:
		fail("jti")
		return
	case claims["scope"] != alScopeAuthorize:
		fail("scope")
		return
	}
	m.grants.Add(1)
	at := m.token(nil, jwt.MapClaims{
		"client_id": SkatteetatenClientID,
		"consumer":  map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSkatteetaten},
		"scope":     alScopeAuthorize,
	})
	writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 119, "scope": alScopeAuthorize})
}

// token signs claims as a Maskinporten access token, filling iss, iat, exp
// (120 s) and jti unless given; a nil value removes a claim.
func (m *altinnTestMP) token(t testing.TB, claims jwt.MapClaims) string {
	return m.tokenWith(t, altinnTestKid, claims)
}

func (m *altinnTestMP) tokenWith(t testing.TB, kid string, claims jwt.MapClaims) string {
	now := m.clock.Now()
	full := jwt.MapClaims{
		"iss": m.url, "iat": now.Unix(), "exp": now.Add(120 * time.Second).Unix(),
		"jti": client.NewUUID(), "token_type": "Bearer", "client_amr": "private_key_jwt", "client_id": "test-client",
	}
	for k, v := range claims {
		if v == nil {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	m.mu.Lock()
	key := m.keys[kid]
	m.mu.Unlock()
	if key == nil {
		key = mustKey("altinn") // a key Maskinporten does not publish
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, full)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil && t != nil {
		t.Fatalf("sign token: %v", err)
	}
	return s
}

// orgToken is a plain Maskinporten token for an organisation.
func (m *altinnTestMP) orgToken(t testing.TB, orgNo string, scopes ...string) string {
	return m.token(t, jwt.MapClaims{
		"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + orgNo},
		"scope":    strings.Join(scopes, " "),
	})
}

// systemUserToken is a Maskinporten system user token, as Maskinporten
// issues it to the vendor.
func (m *altinnTestMP) systemUserToken(t testing.TB, vendor, owner, systemUserID, systemID string, scopes ...string) string {
	return m.token(t, jwt.MapClaims{
		"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + vendor},
		"scope":    strings.Join(scopes, " "),
		"authorization_details": []any{map[string]any{
			"type": "urn:altinn:systemuser", "systemuser_id": []any{systemUserID},
			"systemuser_org": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + owner},
			"system_id":      systemID,
		}},
	})
}

// altinnTestEnv is the mock Altinn on a loopback server with the fake
// Maskinporten.
type altinnTestEnv struct {
	t     testing.TB
	clock *Clock
	mp    *altinnTestMP
	alt   *Altinn
	url   string // with trailing slash
	hc    *http.Client
}

// The vendor's systems and client ids in the tests' seed.
const (
	atSystem         = "991825827_smartcloud"
	atAgentSystem    = "991825827_smartcloud_ap"
	atClient         = "smartcloud-client-1"
	atAgentClient    = "smartcloud-ap-client-1"
	atRedirect       = "https://smartcloud.example/receipt"
	atStandardUser   = "5d0f6c7e-1111-4c5a-9a3e-0d6f2c1b7a01" // SmartCloud for TILFELDIG SUBTIL APE
	atAgentUser      = "5d0f6c7e-2222-4c5a-9a3e-0d6f2c1b7a02" // SmartCloud agent for TIGER
	atPackageRevisor = "urn:altinn:accesspackage:ansvarlig-revisor"
)

// altinnTestSeed is the service owner's world plus SmartCloud's two
// systems; with users, also a standard and an agent system user.
func altinnTestSeed(users bool) Seed {
	s := ServiceOwnerSeed()
	s.Systems = []map[string]any{
		{
			"id":          atSystem,
			"vendor":      map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
			"name":        map[string]any{"nb": "SmartCloud 1", "en": "SmartCloud 1"},
			"description": map[string]any{"nb": "SmartCloud er verdens beste system."},
			"rights": []any{map[string]any{"resource": []any{
				map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger},
			}}},
			"clientId":            []any{atClient},
			"allowedredirecturls": []any{atRedirect},
			"isVisible":           true,
		},
		{
			"id":             atAgentSystem,
			"vendor":         map[string]any{"ID": "0192:" + OrgSmartCloud},
			"name":           map[string]any{"nb": "SmartCloud Regnskap"},
			"accessPackages": []any{map[string]any{"urn": atPackageRevisor}},
			"clientId":       []any{atAgentClient},
			"isVisible":      false, // client-relation packages need it (AUTH.VLD-00018)
		},
	}
	if users {
		s.SystemUsers = []SeedSystemUser{
			{ID: atStandardUser, SystemID: atSystem, PartyOrgNo: OrgSubtilApe},
			{ID: atAgentUser, SystemID: atAgentSystem, PartyOrgNo: OrgTiger, Type: "agent"},
		}
	}
	return s
}

func newAltinnTestEnv(t testing.TB, seed Seed) *altinnTestEnv {
	t.Helper()
	clock := &Clock{}
	mp := newAltinnTestMP(t, clock)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/"
	alt, err := NewAltinn(AltinnConfig{URL: base, MaskinportenURL: mp.url, Clock: clock, Key: mustKey("altinn")})
	if err != nil {
		t.Fatalf("NewAltinn: %v", err)
	}
	if err := alt.Seed(seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	srv.Config.Handler = alt
	srv.Start()
	t.Cleanup(srv.Close)
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &altinnTestEnv{t: t, clock: clock, mp: mp, alt: alt, url: base, hc: hc}
}

// altinnResp is an answer with its body read.
type altinnResp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r altinnResp) json(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return v
}

// obj decodes the body as a JSON object.
func (r altinnResp) obj(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("body is not a JSON object: %s", r.body)
	}
	return m
}

// code is the problem's code, or the first validation error's code.
func (r altinnResp) code(t testing.TB) string {
	t.Helper()
	m := r.obj(t)
	if errs, ok := m["validationErrors"].([]any); ok && len(errs) > 0 {
		return errs[0].(map[string]any)["code"].(string)
	}
	c, _ := m["code"].(string)
	return c
}

// codes lists the validation error codes of a validation problem.
func (r altinnResp) codes(t testing.TB) []string {
	t.Helper()
	var out []string
	errs, _ := r.obj(t)["validationErrors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["code"].(string))
	}
	return out
}

// do sends a request; body is JSON unless it is an io.Reader or url.Values.
func (e *altinnTestEnv) do(method, path, token string, body any, headers ...string) altinnResp {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.url+strings.TrimPrefix(path, "/"), rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return altinnResp{status: resp.StatusCode, header: resp.Header, body: b}
}

// personalToken logs a seeded person in.
func (e *altinnTestEnv) personalToken(pid string, scopes ...string) string {
	e.t.Helper()
	q := url.Values{"pid": {pid}}
	if len(scopes) > 0 {
		q.Set("scopes", strings.Join(scopes, " "))
	}
	r := e.do("GET", "testtools/personaltoken?"+q.Encode(), "", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("personal token for %s: %d %s", pid, r.status, r.body)
	}
	return string(r.body)
}

// exchanged is an Altinn token exchanged from a Maskinporten token.
func (e *altinnTestEnv) exchanged(mpToken string) string {
	e.t.Helper()
	r := e.do("GET", "authentication/api/v1/exchange/maskinporten", mpToken, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("exchange: %d %s %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
	return string(r.body)
}

// vendorToken is SmartCloud's token with the given scopes.
func (e *altinnTestEnv) vendorToken(scopes ...string) string {
	return e.mp.orgToken(e.t, OrgSmartCloud, scopes...)
}

// createRequest posts a standard (or agent) request as SmartCloud.
func (e *altinnTestEnv) createRequest(agent bool, body map[string]any) altinnResp {
	e.t.Helper()
	path := "authentication/api/v1/systemuser/request/vendor"
	if agent {
		path += "/agent"
	}
	return e.do("POST", path, e.vendorToken(alScopeRequestWrite), body)
}

// standardRequestBody asks for the Krav og betalinger right for APE.
func standardRequestBody(extra map[string]any) map[string]any {
	b := map[string]any{
		"systemId": atSystem, "partyOrgNo": OrgSubtilApe,
		"rights":      []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}},
		"redirectUrl": atRedirect,
	}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// pdp asks the PDP with Skatteetaten's exchanged token.
func (e *altinnTestEnv) pdp(token string, request any) altinnResp {
	e.t.Helper()
	return e.do("POST", "authorization/api/v1/authorize", token, request, "Ocp-Apim-Subscription-Key", PDPSubscriptionKey)
}

// pdpToken is Skatteetaten's Altinn token for the PDP.
func (e *altinnTestEnv) pdpToken() string {
	return e.exchanged(e.mp.orgToken(e.t, OrgSkatteetaten, alScopeAuthorize))
}

// decisionRequest is a system user decision request (§7).
func decisionRequest(systemUserID, resource, party string) map[string]any {
	return map[string]any{"Request": map[string]any{
		"AccessSubject": []any{map[string]any{"Attribute": []any{map[string]any{"AttributeId": "urn:altinn:systemuser:uuid", "Value": systemUserID}}}},
		"Action":        []any{map[string]any{"Attribute": []any{map[string]any{"AttributeId": xacmlActionAttr, "Value": "read"}}}},
		"Resource": []any{map[string]any{"Attribute": []any{
			map[string]any{"AttributeId": "urn:altinn:resource", "Value": resource},
			map[string]any{"AttributeId": "urn:altinn:organization:identifier-no", "Value": party},
		}}},
	}}
}

// decision reads the first decision of a PDP answer.
func decisionOf(t testing.TB, r altinnResp) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("PDP: %d %s", r.status, r.body)
	}
	resp := r.obj(t)["response"].([]any)
	return resp[0].(map[string]any)["decision"].(string)
}

// partyUUID is the party UUID of a seeded org.
func (e *altinnTestEnv) partyUUID(orgNo string) string {
	e.alt.mu.RLock()
	defer e.alt.mu.RUnlock()
	return e.alt.orgs[orgNo].PartyUUID
}
