package mock

// The contract tests of issue 9: one test per numbered item, each against
// the three mocks running as `workbench serve` runs them (Start), called
// over HTTP as an integrator's code would, each citing the real source of
// the rule it checks and asserting the status, the code or error and the
// keys of the body. AUTHN is Altinn/altinn-authentication at ad4f6f3
// (RSUC = src/Authentication/Controllers/RequestSystemUserController.cs,
// RSUS = src/Authentication/Services/RequestSystemUserService.cs,
// SUS = src/Authentication/Services/SystemUserService.cs).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

const (
	ctClient      = "contract-smartcloud"
	ctTigerClient = "contract-tiger"
	ctSystem      = OrgSmartCloud + "_contract"
	ctAgentSystem = OrgSmartCloud + "_contract_ap"
	ctAdminSystem = OrgSmartCloud + "_contract_admin"
	ctAPEParty    = 51390520
	ctTigerParty  = 51457050
)

var ctVendorScopes = []string{alScopeRequestWrite, alScopeRequestRead, alScopeSystemRegisterWrite, ScopeKravOgBetalinger}

// ctEnv is the mocks of an Env with SmartCloud's contract client and
// systems, and a client of the auditor TIGER.
type ctEnv struct {
	t   *testing.T
	env *Env
	hc  *http.Client
}

func startContract(t *testing.T) *ctEnv {
	t.Helper()
	return startContractWith(t, Seed{})
}

// startContractWith is startContract with more seeded after the
// contract's own world.
func startContractWith(t *testing.T, more Seed) *ctEnv {
	t.Helper()
	key := mpVendorKey()
	jwks := client.JWKS{Keys: []client.JWK{client.PublicJWK(&key.PublicKey, "contract-1")}}
	right := []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	pkgs := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"urn": altinnPackagePrefix + n})
		}
		return out
	}
	system := func(id string, visible bool, extra map[string]any) map[string]any {
		s := map[string]any{
			"id": id, "vendor": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
			"name": map[string]any{"nb": id}, "description": map[string]any{"nb": "contract test"},
			"clientId": []any{ctClient + "-" + id}, "isVisible": visible, "allowedRedirectUrls": []any{"https://smartcloud.example/receipt"},
		}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	seed := ServiceOwnerSeed().Merge(Seed{
		Clients: []SeedClient{
			{ClientID: ctClient, OrgNo: OrgSmartCloud, Scopes: ctVendorScopes, JWKS: jwks},
			{ClientID: ctTigerClient, OrgNo: OrgTiger, Scopes: []string{alScopeRequestWrite, alScopeRequestRead}, JWKS: jwks},
		},
		Systems: []map[string]any{
			system(ctSystem, true, map[string]any{"rights": right, "clientId": []any{ctClient}}),
			system(ctAgentSystem, false, map[string]any{"accessPackages": pkgs("ansvarlig-revisor", "regnskapsforer-lonn")}),
			system(ctAdminSystem, true, map[string]any{"accessPackages": pkgs("tilgangsstyrer")}),
		},
	}).Merge(more)
	env, err := Start(context.Background(), seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return &ctEnv{t: t, env: env, hc: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// ctResp is an answer: status, header and raw body.
type ctResp struct {
	status int
	header http.Header
	body   []byte
}

func (r ctResp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body not a JSON object (%v): %s", r.status, err, r.body)
	}
	return m
}

// keys are the body's top-level keys in the order they are written.
func (r ctResp) keys(t *testing.T) []string {
	t.Helper()
	return jsonKeys(t, r.body)
}

func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", b)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func (e *ctEnv) do(method, rawURL, token string, body any) ctResp {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return ctResp{resp.StatusCode, resp.Header, b}
}

func (e *ctEnv) altinn(method, path, token string, body any) ctResp {
	e.t.Helper()
	return e.do(method, e.env.AltinnURL+path, token, body)
}

// grant signs a grant of a client with the contract key; edit changes its
// claims.
func (e *ctEnv) grant(clientID string, scopes []string, edit func(jwt.MapClaims)) string {
	e.t.Helper()
	return e.grantWith(client.SigningKey{Key: mpVendorKey(), KeyID: "contract-1"}, clientID, scopes, edit)
}

func (e *ctEnv) grantWith(key client.SigningKey, clientID string, scopes []string, edit func(jwt.MapClaims)) string {
	e.t.Helper()
	now := e.env.Clock.Now()
	c := jwt.MapClaims{
		"iss": clientID, "aud": e.env.MaskinportenURL, "iat": now.Unix(), "exp": now.Add(120 * time.Second).Unix(),
		"jti": mpRandomID(), "scope": strings.Join(scopes, " "),
	}
	if edit != nil {
		edit(c)
	}
	return mpSign(e.t, jwt.SigningMethodRS256, key.Key, map[string]any{"kid": key.KeyID}, c)
}

func (e *ctEnv) tokenResp(assertion string) ctResp {
	e.t.Helper()
	return e.do("POST", e.env.MaskinportenURL+"token", "", url.Values{"grant_type": {mpJWTBearer}, "assertion": {assertion}})
}

// token is the access token for the grant, or the test fails.
func (e *ctEnv) token(clientID string, scopes []string, edit func(jwt.MapClaims)) string {
	e.t.Helper()
	r := e.tokenResp(e.grant(clientID, scopes, edit))
	if r.status != 200 {
		e.t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.obj(e.t)["access_token"].(string)
}

func (e *ctEnv) vendor(scopes ...string) string { return e.token(ctClient, scopes, nil) }

func (e *ctEnv) personal(pid string) string {
	e.t.Helper()
	r := e.altinn("GET", "testtools/personaltoken?pid="+pid, "", nil)
	if r.status != 200 {
		e.t.Fatalf("personal token: %d %s", r.status, r.body)
	}
	return string(r.body)
}

const ctRequests = "authentication/api/v1/systemuser/request/"

// create posts a request as SmartCloud; agent picks the agent endpoint.
func (e *ctEnv) create(agent bool, body map[string]any) ctResp {
	e.t.Helper()
	path := ctRequests + "vendor"
	if agent {
		path += "/agent"
	}
	return e.altinn("POST", path, e.vendor(alScopeRequestWrite), body)
}

func ctStandardBody(externalRef string) map[string]any {
	return map[string]any{
		"systemId": ctSystem, "partyOrgNo": OrgSubtilApe, "externalRef": externalRef,
		"rights": []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}},
	}
}

// newRequest creates a standard request and returns its id.
func (e *ctEnv) newRequest(externalRef string) string {
	e.t.Helper()
	r := e.create(false, ctStandardBody(externalRef))
	if r.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", r.status, r.body)
	}
	return r.obj(e.t)["id"].(string)
}

func (e *ctEnv) approve(agent bool, party int, id, pid string) ctResp {
	e.t.Helper()
	kind := ""
	if agent {
		kind = "agent/"
	}
	return e.altinn("POST", fmt.Sprintf("%s%s%d/%s/approve", ctRequests, kind, party, id), e.personal(pid), nil)
}

func (e *ctEnv) read(id string) ctResp {
	e.t.Helper()
	return e.altinn("GET", ctRequests+"vendor/"+id, e.vendor(alScopeRequestRead), nil)
}

// wantProblem checks an Altinn problem: the status, the code and the keys
// the problem library writes (Altinn/altinn-authorization-utils
// ProblemDetails 5.4.0 AltinnProblemDetails.cs L19-46: no detail on a bare
// descriptor; statusDescription from StatusDescriptions.cs).
func wantProblem(t *testing.T, r ctResp, status int, code string, ext ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.obj(t)
	want := append([]string{"type", "title", "status", "code", "traceId", "statusDescription"}, ext...)
	if got := r.keys(t); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	if m["code"] != code || m["type"] != "urn:altinn:error:"+code || m["statusDescription"] != http.StatusText(status) {
		t.Errorf("problem %v, want %s", m, code)
	}
}

// ctRequestKeys are RequestSystemResponse's keys on the wire, nulls left
// out (AUTHN src/Core/Models/SystemUsers/RequestSystemResponse.cs;
// AuthenticationHost.cs L76-80).
var ctRequestKeys = []string{"id", "integrationTitle", "externalRef", "systemId", "partyOrgNo", "rights", "accessPackages",
	"status", "confirmUrl", "escalated", "created", "timedOut"}

// Item 1. A request older than 180 days reads timedOut: true and keeps
// status New; a re-POST for the same triple answers 200 with it; it can
// still be approved (AUTHN RequestRepository.cs L471-476; RSUC L122-128;
// RSUS ApproveAndCreateSystemUser L538-541; spec Corrections 4).
func TestContract1RequestTimeoutIsAFlag(t *testing.T) {
	e := startContract(t)
	id := e.newRequest("timeout")
	if r := e.altinn("PUT", "mock/requests/"+id+"/created", "", map[string]any{"created": time.Now().AddDate(0, 0, -181).UTC().Format(time.RFC3339)}); r.status != 200 {
		t.Fatalf("backdate: %d %s", r.status, r.body)
	}
	r := e.read(id)
	if m := r.obj(t); r.status != 200 || m["status"] != "New" || m["timedOut"] != true {
		t.Errorf("after 181 days: %d %v", r.status, m)
	}
	if got := r.keys(t); !slices.Equal(got, ctRequestKeys) {
		t.Errorf("keys %v, want %v", got, ctRequestKeys)
	}
	again := e.create(false, ctStandardBody("timeout"))
	if m := again.obj(t); again.status != http.StatusOK || m["id"] != id || m["timedOut"] != true {
		t.Errorf("re-POST: %d %v", again.status, m)
	}
	if r := e.approve(false, ctAPEParty, id, PIDStadigKonsert); r.status != 200 || string(r.body) != "true\n" {
		t.Errorf("approve: %d %s", r.status, r.body)
	}
	if m := e.read(id).obj(t); m["status"] != "Accepted" {
		t.Errorf("after approval: %v", m)
	}
}

// Item 2. The system user's id is the request's, so systemuser_id[0] in
// the token is the request id (AUTHN SUS L509, L603-640;
// SystemUserRepository.cs L238-290; the tt02 test
// ApproveRequestSystemUserAndVerifyDecisionTest asks the PDP with the
// request id as the subject, SystemIntegrationTests/Tests/SystemUserTests.cs
// L141-175).
func TestContract2SystemUserIDIsTheRequestID(t *testing.T) {
	e := startContract(t)
	id := e.newRequest("su-id")
	if r := e.approve(false, ctAPEParty, id, PIDStadigKonsert); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	r := e.tokenResp(e.grant(ctClient, []string{ScopeKravOgBetalinger}, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{"type": mpSystemUserType, "externalRef": "su-id",
			"systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSubtilApe}}}
	}))
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	if got, want := r.keys(t), []string{"access_token", "token_type", "expires_in", "scope"}; !slices.Equal(got, want) {
		t.Errorf("token answer keys %v, want %v", got, want)
	}
	at, err := client.DecodeJWT(r.obj(t)["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	ad := at.Claims["authorization_details"].([]any)[0].(map[string]any)
	if ids := ad["systemuser_id"].([]any); len(ids) != 1 || ids[0] != id {
		t.Errorf("systemuser_id %v, want [%s]", ids, id)
	}
	// The PDP permits that id as the subject, as Altinn's own test asks it.
	so := e.tokenResp(e.grantWith(ServiceOwnerKey(), SkatteetatenClientID, []string{alScopeAuthorize}, nil))
	if so.status != 200 {
		t.Fatalf("service owner token: %d %s", so.status, so.body)
	}
	ex := e.altinn("GET", "authentication/api/v1/exchange/maskinporten", so.obj(t)["access_token"].(string), nil)
	req, _ := http.NewRequest("POST", e.env.AltinnURL+"authorization/api/v1/authorize",
		bytes.NewReader(mustJSON(decisionRequest(id, ResourceKravOgBetalinger, OrgSubtilApe))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+string(ex.body))
	req.Header.Set("Ocp-Apim-Subscription-Key", PDPSubscriptionKey)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var dec struct {
		Response []struct {
			Decision string `json:"decision"`
		} `json:"response"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&dec); err != nil || len(dec.Response) != 1 || dec.Response[0].Decision != "Permit" {
		t.Errorf("PDP with the request id as the subject: %d %+v %v", resp.StatusCode, dec, err)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Item 3. Maskinporten's clock rules (ClientAuthenticationService.
// validateJwtExpiration, quoted from the server source in
// Altinn/altinn-studio#19603; spec Corrections 1): exp - iat over 180 s is
// refused, an iat more than 10 s ahead is refused, an old iat is not, exp
// has 10 s of grace.
func TestContract3ClockRules(t *testing.T) {
	e := startContract(t)
	now := e.env.Clock.Now()
	at := func(iat, exp time.Duration) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) { c["iat"], c["exp"] = now.Add(iat).Unix(), now.Add(exp).Unix() }
	}
	for _, tc := range []struct {
		name     string
		edit     func(jwt.MapClaims)
		status   int
		err, id  string
		describe string
	}{
		{"iat 60 s old", at(-60*time.Second, 60*time.Second), 200, "", "", ""},
		{"iat 30 s ahead", at(30*time.Second, 90*time.Second), 400, "invalid_grant", "", "Issue time is in the future"},
		{"exp 5 s past", at(-65*time.Second, -5*time.Second), 200, "", "", ""},
		{"exp 15 s past", at(-75*time.Second, -15*time.Second), 400, "invalid_grant", "MP-130", "JWT has expired"},
		{"lifetime 181 s", at(0, 181*time.Second), 400, "invalid_grant", "", "JWT has too long lifetime"},
		{"lifetime 180 s", at(0, 180*time.Second), 200, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.tokenResp(e.grant(ctClient, []string{alScopeRequestRead}, tc.edit))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 200 {
				return
			}
			m := r.obj(t)
			desc, _ := m["error_description"].(string)
			if got := r.keys(t); !slices.Equal(got, []string{"error", "error_description"}) {
				t.Errorf("keys %v", got)
			}
			if m["error"] != tc.err || mpErrID(m) != tc.id || !strings.Contains(desc, tc.describe) {
				t.Errorf("got %v %q, want %s %q %q", m["error"], desc, tc.err, tc.id, tc.describe)
			}
		})
	}
}

// Item 4. The Location of a created request, GET request/{id}, is the
// portal's read: POLICY_SCOPE_PORTAL only (AUTHN RSUC L381-392), so a
// vendor's token gets 403 and the vendor reads vendor/{id}; a person who
// may not manage access for the party gets AUTH-00066 (RSUS
// ValidateAndVerifyRequest L907-953).
func TestContract4LocationIsThePortalsRead(t *testing.T) {
	e := startContract(t)
	created := e.create(false, ctStandardBody("location"))
	id := created.obj(t)["id"].(string)
	loc := created.header.Get("Location")
	if loc != e.env.AltinnURL+ctRequests+id {
		t.Fatalf("Location %q", loc)
	}
	if r := e.do("GET", loc, e.vendor(alScopeRequestRead, alScopeRequestWrite), nil); r.status != http.StatusForbidden {
		t.Errorf("vendor on the Location: %d %s", r.status, r.body)
	} else if m := r.obj(t); m["code"] != nil {
		t.Errorf("a policy refusal carries no Altinn code: %v", m)
	}
	if r := e.read(id); r.status != 200 || r.obj(t)["id"] != id {
		t.Errorf("vendor/{id}: %d %s", r.status, r.body)
	}
	r := e.do("GET", loc, e.personal(PIDStadigKonsert), nil)
	want := []string{"id", "externalRef", "systemId", "partyOrgNo", "partyId", "partyUuid", "rights", "accessPackages", "status",
		"escalated", "userMayEscalateButNotApprove", "created"}
	if r.status != 200 || !slices.Equal(r.keys(t), want) {
		t.Errorf("the party's daglig leder: %d %v, want keys %v", r.status, r.keys(t), want)
	}
	wantProblem(t, e.do("GET", loc, e.personal(PIDDressMinst), nil), http.StatusForbidden, "AUTH-00066")
}

// Item 5. The request validation codes (AUTHN src/Core/Problems/Problem.cs;
// RSUS CreateRequest L93-132, CreateAgentRequest L209-218; SUS
// ValidateAccessPackages L682-757; not found on the vendor GETs RSUS
// L340-343, L370-374, L401-405, L856-861; client delegation SUS
// DelegateToAgentSystemUser L831-947; ValidationErrors.cs L37).
func TestContract5ValidationCodes(t *testing.T) {
	e := startContract(t)
	pkg := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"urn": altinnPackagePrefix + n})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		agent  bool
		body   map[string]any
		status int
		code   string
		ext    []string
	}{
		{"agent, accessPackages []", true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger, "accessPackages": []any{}}, 400, "AUTH-00058", nil},
		{"rights and packages empty", false, map[string]any{"systemId": ctSystem, "partyOrgNo": OrgSubtilApe, "externalRef": "e", "rights": []any{}, "accessPackages": []any{}}, 400, "AUTH-00059", nil},
		{"rights and packages missing", false, map[string]any{"systemId": ctSystem, "partyOrgNo": OrgSubtilApe, "externalRef": "m"}, 400, "AUTH-00001", nil},
		{"package not in the system", true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger, "accessPackages": pkg("skattegrunnlag")}, 400, "AUTH-00063", []string{"NotFoundPackages"}},
		{"client package on a standard request", false, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger, "accessPackages": pkg("ansvarlig-revisor")}, 400, "AUTH-00064", []string{"NotDelegablePackages"}},
		{"administrator package on an agent request", true, map[string]any{"systemId": ctAdminSystem, "partyOrgNo": OrgTiger, "accessPackages": pkg("tilgangsstyrer")}, 400, "AUTH-00065", []string{"NotDelegablePackages"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, e.create(tc.agent, tc.body), tc.status, tc.code, tc.ext...)
		})
	}
	// Without the key accessPackages an agent request fails model binding
	// ([Required], CreateAgentRequestSystemUser.cs L48-50), not AUTH-00058.
	r := e.create(true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger})
	if got := r.keys(t); r.status != 400 || !slices.Equal(got, []string{"type", "title", "status", "errors", "traceId"}) {
		t.Errorf("agent without accessPackages: %d %v", r.status, got)
	}
	// AUTH-00010 on every vendor GET, the agent ones included.
	read := e.vendor(alScopeRequestRead)
	for _, path := range []string{"vendor/" + client.NewUUID(), "vendor/agent/" + client.NewUUID(),
		"vendor/byexternalref/" + ctSystem + "/" + OrgSubtilApe + "/nope", "vendor/agent/byexternalref/" + ctAgentSystem + "/" + OrgTiger + "/nope"} {
		t.Run("GET "+path, func(t *testing.T) { wantProblem(t, e.altinn("GET", ctRequests+path, read, nil), 404, "AUTH-00010") })
	}
	// AUTH.VLD-00003 has today's title.
	reg := e.altinn("POST", "authentication/api/v1/systemregister/vendor", e.vendor(alScopeSystemRegisterWrite), map[string]any{
		"id": OrgSmartCloud + "_vld3", "vendor": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
		"name": map[string]any{"nb": "x"}, "description": map[string]any{"nb": "x"}, "clientId": []any{"vld3-client"},
		"rights": []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "finnes-ikke"}}}},
	})
	if reg.status != 400 || !slices.Equal(reg.keys(t), []string{"type", "title", "status", "code", "traceId", "statusDescription", "validationErrors"}) {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	vld := reg.obj(t)["validationErrors"].([]any)[0].(map[string]any)
	if vld["code"] != "AUTH.VLD-00003" || vld["title"] != "One or more resources specified in rights were not found in Altinn's resource register." {
		t.Errorf("validation error %v", vld)
	}

	// Client delegation: the agent system user has two packages; TIGER is
	// APE's auditor (REVI) but not its accountant (REGN).
	created := e.create(true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger, "accessPackages": pkg("ansvarlig-revisor", "regnskapsforer-lonn")})
	if created.status != 201 {
		t.Fatalf("agent request: %d %s", created.status, created.body)
	}
	agentID := created.obj(t)["id"].(string)
	if r := e.approve(true, ctTigerParty, agentID, PIDDressMinst); r.status != 200 {
		t.Fatalf("agent approve: %d %s", r.status, r.body)
	}
	dress := e.personal(PIDDressMinst)
	delegate := func(clientUUID string) ctResp {
		return e.altinn("POST", "authentication/api/v1/enduser/systemuser/clients?agent="+agentID+"&client="+clientUUID, dress, nil)
	}
	e.env.mu.RLock()
	apeUUID := e.env.world.al.orgs[OrgSubtilApe].PartyUUID
	e.env.mu.RUnlock()
	wantProblem(t, delegate(client.NewUUID()), 400, "AUTH-00079")
	wantProblem(t, delegate(apeUUID), 400, "AUTH-00080")
}

// Item 6. An unknown scope is invalid_scope with no MP id: Digdir's MP-201
// is a scope not allowed for the client's integration type
// (felleslosninger/docs _docs/Maskinporten/maskinporten_feilsoking.md
// L94-98) and no source gives an id for an unknown one (RFC 6749 section
// 5.2); a scope not on the client is MP-200 (L88-90).
func TestContract6UnknownScopeHasNoMPID(t *testing.T) {
	e := startContract(t)
	for _, tc := range []struct {
		name, scope, id string
	}{
		{"unknown scope", "skatteetaten:finnesikke", ""},
		{"scope not on the client", alScopeAuthorize, "MP-200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.tokenResp(e.grant(ctClient, []string{tc.scope}, nil))
			m := r.obj(t)
			if r.status != 400 || m["error"] != "invalid_scope" || mpErrID(m) != tc.id || !slices.Equal(r.keys(t), []string{"error", "error_description"}) {
				t.Errorf("%d %v, want 400 invalid_scope %q", r.status, m, tc.id)
			}
			if tc.id == "" && strings.Contains(m["error_description"].(string), "MP-") {
				t.Errorf("an MP id no source gives: %v", m["error_description"])
			}
		})
	}
}

// Item 7. Wire shapes: null keys are omitted and timedOut is written (AUTHN
// src/Authentication/AuthenticationHost.cs L76-80), problems carry
// statusDescription (UTILS AltinnProblemDetails.cs), request ids are GUIDs
// as .NET parses them, braced ones included (the tt02 helper sends them so,
// SystemIntegrationTests/Tests/SystemUserTests.cs L483-487), and a list
// writes links before data (src/Authentication/Model/Paginated.cs; the tt02
// test reads the second key, SystemUserTests.cs L530-541).
func TestContract7WireShapes(t *testing.T) {
	e := startContract(t)
	// No redirectUrl and no integrationTitle in the request body.
	created := e.create(false, map[string]any{"systemId": ctSystem, "partyOrgNo": OrgSubtilApe, "externalRef": "wire",
		"rights": []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}})
	if created.status != 201 {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	if bytes.Contains(created.body, []byte("null")) {
		t.Errorf("a null in %s", created.body)
	}
	if got := created.keys(t); !slices.Equal(got, ctRequestKeys) {
		t.Errorf("keys %v, want %v", got, ctRequestKeys)
	}
	id := created.obj(t)["id"].(string)
	read := e.vendor(alScopeRequestRead)
	for _, form := range []string{"{" + id + "}", "%7B" + id + "%7D", strings.ToUpper(id), strings.ReplaceAll(id, "-", ""), "(" + id + ")"} {
		r := e.altinn("GET", ctRequests+"vendor/"+form, read, nil)
		if r.status != 200 || r.obj(t)["id"] != id {
			t.Errorf("GET vendor/%s: %d %s", form, r.status, r.body)
		}
	}
	if r := e.altinn("GET", ctRequests+"vendor/not-a-guid", read, nil); r.status != 400 || r.obj(t)["errors"] == nil {
		t.Errorf("a non-GUID id: %d %s", r.status, r.body)
	}
	wantProblem(t, e.altinn("GET", ctRequests+"vendor/"+client.NewUUID(), read, nil), 404, "AUTH-00010")
	list := e.altinn("GET", ctRequests+"vendor/bysystem/"+ctSystem, read, nil)
	if got := list.keys(t); list.status != 200 || !slices.Equal(got, []string{"links", "data"}) {
		t.Errorf("list: %d keys %v", list.status, got)
	}
	item := list.obj(t)["data"].([]any)[0].(map[string]any)
	if _, ok := item["confirmUrl"]; ok || item["timedOut"] != false {
		t.Errorf("list item %v", item)
	}
}

// Item 8. Krav og betalinger's base URL carries its path: the mock serves
// the API under SkatteetatenBasePath, and nothing at the host's /v1 (today's
// host serves /v1 at its root, Skatteetaten/api-dokumentasjon
// docs/om/url.md; the old /api/innkreving/kravogbetalinger form,
// docs/api/kravogbetalinger.md). Errors are {kode, melding,
// korrelasjonsid} (TheTechArch/altinn-systemuser
// Models/KravOgBetalinger/Feil.cs, from the API's OpenAPI 1.1.1).
func TestContract8KravBaseURLCarriesItsPath(t *testing.T) {
	e := startContract(t)
	if !strings.HasSuffix(e.env.SkatteetatenURL, SkatteetatenBasePath) {
		t.Fatalf("SkatteetatenURL %s", e.env.SkatteetatenURL)
	}
	id := e.newRequest("krav")
	if r := e.approve(false, ctAPEParty, id, PIDStadigKonsert); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	tok := e.token(ctClient, []string{ScopeKravOgBetalinger}, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{"type": mpSystemUserType, "externalRef": "krav",
			"systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSubtilApe}}}
	})
	const path = "v1/regnskapssystem/" + OrgSubtilApe + "/aapnekrav"
	ok := e.do("GET", e.env.SkatteetatenURL+path, tok, nil)
	if ok.status != 200 || !slices.Contains(ok.keys(t), "aapentKravMedGjenstaaendeBeloep") {
		t.Errorf("under the base URL: %d %s", ok.status, ok.body)
	}
	host := strings.TrimSuffix(e.env.SkatteetatenURL, SkatteetatenBasePath[1:])
	miss := e.do("GET", host+path, tok, nil)
	if m := miss.obj(t); miss.status != 404 || m["kode"] != "KB-003" || !slices.Equal(miss.keys(t), []string{"kode", "melding", "korrelasjonsid"}) {
		t.Errorf("at the host's root: %d %s", miss.status, miss.body)
	}
}

// Item 9. Where the mock stands in for what it cannot have, and where the
// real service is looser than one might think: DELETE request/vendor/{id}
// checks only the write scope, no owner (AUTHN RSUC L748-759,
// RequestRepository.cs L689-712), 202 for a live request and 404
// AUTH-00010 for an unknown or deleted one (RSUS L818-827); the portal's
// PDP check on the party (AuthenticationHost.cs L254-280) is stood in for
// by the DAGL role, answering a bare 403.
func TestContract9WhereTheMockStandsIn(t *testing.T) {
	e := startContract(t)
	id := e.newRequest("delete")
	tiger := e.token(ctTigerClient, []string{alScopeRequestWrite}, nil)
	if r := e.altinn("DELETE", ctRequests+"vendor/"+id, tiger, nil); r.status != http.StatusAccepted || len(r.body) != 0 {
		t.Errorf("another vendor's delete: %d %s", r.status, r.body)
	}
	wantProblem(t, e.altinn("DELETE", ctRequests+"vendor/"+id, tiger, nil), 404, "AUTH-00010")
	wantProblem(t, e.altinn("DELETE", ctRequests+"vendor/"+client.NewUUID(), tiger, nil), 404, "AUTH-00010")
	wantProblem(t, e.read(id), 404, "AUTH-00010")

	other := e.newRequest("pdp")
	r := e.approve(false, ctAPEParty, other, PIDDressMinst)
	if r.status != http.StatusForbidden {
		t.Fatalf("approve without DAGL: %d %s", r.status, r.body)
	}
	if m := r.obj(t); m["code"] != nil || m["status"] != 403.0 {
		t.Errorf("the PDP's refusal carries no Altinn code: %v", m)
	}
}
