package mock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
)

// scaleEnv is a ScaleSeed world with a daglig leder for the first agent
// system user's owner.
type scaleEnv struct {
	t   *testing.T
	env *Env
}

const scalePID = "01017012345"

func startScale(t *testing.T, n int) *scaleEnv {
	t.Helper()
	seed := ServiceOwnerSeed().Merge(ScaleSeed(n, benchJWKS())).Merge(Seed{
		Persons: []Person{{PID: scalePID, Name: "SKALA LEDER"}},
		Roles:   []Role{{From: scalePID, To: ScaleOrgNo(1), Code: "DAGL"}},
	})
	env, err := Start(context.Background(), seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return &scaleEnv{t: t, env: env}
}

// do answers status and body, the body's JSON without the keys that differ
// from run to run (times, token ids, trace ids).
func (e *scaleEnv) do(method, u, token string, form url.Values) (int, any) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if json.Unmarshal(b, &v) != nil {
		return resp.StatusCode, string(b)
	}
	return resp.StatusCode, scaleStable(v)
}

func scaleStable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"created", "traceId", "access_token"} {
			delete(x, k)
		}
		for k, e := range x {
			x[k] = scaleStable(e)
		}
	case []any:
		for i, e := range x {
			x[i] = scaleStable(e)
		}
	}
	return v
}

// mpToken is a token the mock Maskinporten signs, for org with scope.
func (e *scaleEnv) mpToken(org, scope string) string {
	e.t.Helper()
	now := e.env.Clock.Now()
	e.env.mu.RLock()
	mp := e.env.world.mp
	e.env.mu.RUnlock()
	tok, err := mp.sign(&mpAccessClaims{
		Iss: e.env.MaskinportenURL, ClientID: "scale-test", ClientAmr: "private_key_jwt", TokenType: "Bearer",
		Consumer: mpOrgID{ID: "0192:" + org, Authority: mpAuthority}, Scope: scope,
		Iat: now.Unix(), Exp: now.Add(time.Minute).Unix(), Jti: mpRandomID(),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// answers are what the world answers to the same questions: the system
// user lookups Maskinporten makes, a /token for the standard and for the
// agent system user (its claims), and the agent's delegated clients.
func (e *scaleEnv) answers() map[string]any {
	e.t.Helper()
	out := map[string]any{}
	lookup := e.mpToken(OrgDigdir, alScopeSystemUserLookup)
	for _, q := range []struct{ name, client, owner, ref string }{
		{"standard", ScaleClientID(0), ScaleOrgNo(0), ""},
		{"agent", ScaleClientID(1), ScaleOrgNo(1), ScaleOrgNo(1)},
		{"wrong owner", ScaleClientID(0), ScaleOrgNo(1), ""},
		{"wrong externalRef", ScaleClientID(0), ScaleOrgNo(0), "other"},
	} {
		v := url.Values{"clientId": {q.client}, "systemProviderOrgNo": {OrgSmartCloud}, "systemUserOwnerOrgNo": {q.owner}}
		if q.ref != "" {
			v.Set("externalRef", q.ref)
		}
		status, body := e.do("GET", e.env.AltinnURL+"authentication/api/v1/systemuser/byExternalId?"+v.Encode(), lookup, nil)
		out["lookup "+q.name] = []any{status, body}
	}
	for _, i := range []int{0, 1} {
		out[fmt.Sprintf("token %d", i)] = e.token(i)
	}
	status, body := e.do("GET", e.env.AltinnURL+"authentication/api/v1/enduser/systemuser/clients?agent="+ScaleSystemUserID(1), e.personal(), nil)
	out["clients"] = []any{status, body}
	return out
}

// token is /token's answer to a grant of client i (for an odd i, its agent
// system user): the status, and the error or what the token says about the
// system user.
func (e *scaleEnv) token(i int) []any {
	e.t.Helper()
	form := url.Values{"grant_type": {mpJWTBearer}, "assertion": {benchGrant(e.t, e.env, i)}}
	resp, err := http.PostForm(e.env.MaskinportenURL+"token", form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 {
		return []any{resp.StatusCode, body}
	}
	d, err := client.DecodeJWT(body["access_token"].(string))
	if err != nil {
		e.t.Fatal(err)
	}
	return []any{resp.StatusCode, d.Claims["authorization_details"], d.Claims["consumer"], d.Claims["scope"], d.Claims["client_id"]}
}

func (e *scaleEnv) personal() string {
	e.t.Helper()
	status, body := e.do("GET", e.env.AltinnURL+"testtools/personaltoken?pid="+scalePID, "", nil)
	if status != 200 {
		e.t.Fatalf("personal token: %d %v", status, body)
	}
	return body.(string)
}

// change makes a change of every kind the indexes follow: a system deleted
// (its client id free again), a client delegation removed.
func (e *scaleEnv) change() {
	e.t.Helper()
	vendor := e.mpToken(OrgSmartCloud, alScopeSystemRegisterWrite)
	if status, body := e.do("DELETE", e.env.AltinnURL+"authentication/api/v1/systemregister/vendor/"+ScaleSystemID(0), vendor, nil); status != 200 {
		e.t.Fatalf("delete system: %d %v", status, body)
	}
	client := e.partyUUID(ScaleOrgNo(0))
	if status, body := e.do("DELETE", e.env.AltinnURL+"authentication/api/v1/enduser/systemuser/clients?agent="+ScaleSystemUserID(1)+"&client="+client, e.personal(), nil); status != 200 {
		e.t.Fatalf("remove client: %d %v", status, body)
	}
}

func (e *scaleEnv) partyUUID(orgNo string) string {
	e.env.mu.RLock()
	defer e.env.mu.RUnlock()
	e.env.world.al.mu.RLock()
	defer e.env.world.al.mu.RUnlock()
	return e.env.world.al.orgs[orgNo].PartyUUID
}

func (e *scaleEnv) reset() {
	e.t.Helper()
	if status, body := e.do("POST", e.env.AltinnURL+"mock/reset", "", nil); status != 200 {
		e.t.Fatalf("reset: %d %v", status, body)
	}
}

// TestLargeWorldAnswersAsASmallOne: a world of 20,000 system users (and as
// many clients, systems and delegations) answers the lookup, /token and the
// clients list as a world of four does, before and after a change, and
// after a reset; and the last of its system users is found as the first.
func TestLargeWorldAnswersAsASmallOne(t *testing.T) {
	small, large := startScale(t, 4), startScale(t, 20000)
	compare := func(when string) {
		t.Helper()
		a, b := small.answers(), large.answers()
		if !reflect.DeepEqual(a, b) {
			for k := range a {
				if !reflect.DeepEqual(a[k], b[k]) {
					t.Errorf("%s, %s: small world %v, large %v", when, k, a[k], b[k])
				}
			}
		}
	}
	compare("as seeded")
	first := small.answers()
	if s := first["lookup standard"].([]any); s[0] != 200 || s[1].(map[string]any)["id"] != ScaleSystemUserID(0) {
		t.Fatalf("the lookup of system user 0: %v", s)
	}
	if s := first["token 0"].([]any); s[0] != 200 {
		t.Fatalf("token 0: %v", s)
	}
	for _, e := range []*scaleEnv{small, large} {
		e.change()
	}
	changed := small.answers()
	if s := changed["token 0"].([]any); s[0] != 400 || !strings.Contains(fmt.Sprint(s[1]), "MP-303") {
		t.Errorf("token 0 for a deleted system: %v", s)
	}
	if reflect.DeepEqual(changed["clients"], first["clients"]) {
		t.Errorf("the removed client is still listed: %v", changed["clients"])
	}
	compare("after the change")
	for _, e := range []*scaleEnv{small, large} {
		e.reset()
	}
	if got := small.answers(); !reflect.DeepEqual(got, first) {
		t.Errorf("after a reset: %v, want %v", got, first)
	}
	compare("after a reset")
	// A second change and reset: the seeded world the resets copy is still
	// as seeded.
	large.change()
	large.reset()
	compare("after a second reset")

	last := 20000 - 2 // even: a standard system user
	status, body := large.do("POST", large.env.MaskinportenURL+"token", "",
		url.Values{"grant_type": {mpJWTBearer}, "assertion": {benchGrant(t, large.env, last)}})
	if status != 200 {
		t.Errorf("token for system user %d: %d %v", last, status, body)
	}
}

func TestSeedRefusesTwoOrgsOfOneParty(t *testing.T) {
	for _, tc := range []struct {
		name string
		orgs []Org
		says []string
	}{
		{"the same partyId", []Org{{OrgNo: "810000001", Name: "EN AS", PartyID: 50500001}, {OrgNo: "810000002", Name: "TO AS", PartyID: 50500001}},
			[]string{"orgs (810000002)", "partyId 50500001", "810000001", "EN AS"}},
		{"the same partyUuid", []Org{
			{OrgNo: "810000001", Name: "EN AS", PartyUUID: "5ca1e000-0000-4000-8000-000000000001"},
			{OrgNo: "810000002", Name: "TO AS", PartyUUID: "5CA1E000-0000-4000-8000-000000000001"}},
			[]string{"orgs (810000002)", "partyUuid", "810000001"}},
		{"a partyId the mock derives for another", []Org{{OrgNo: "810000001", Name: "EN AS"}, {OrgNo: "810000002", Name: "TO AS", PartyID: 1_810_000_001}},
			[]string{"orgs (810000002)", "partyId 1810000001", "810000001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(context.Background(), ServiceOwnerSeed().Merge(Seed{Orgs: tc.orgs}))
			if err == nil {
				t.Fatal("seed accepted")
			}
			for _, w := range tc.says {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q: %v", w, err)
				}
			}
		})
	}
	// Derived party ids never collide: one org number, one id.
	a, _ := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
	if err := a.Seed(ServiceOwnerSeed().Merge(ScaleSeed(20000, benchJWKS()))); err != nil {
		t.Fatal(err)
	}
	if o := a.orgs[ScaleOrgNo(7)]; o.PartyID != 1_800_000_007 {
		t.Errorf("derived party id %d", o.PartyID)
	}
}

func TestStartStopsWhileSeeding(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env, err := Start(ctx, ServiceOwnerSeed().Merge(ScaleSeed(4000, benchJWKS())))
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped while seeding") {
		if env != nil {
			env.Close()
		}
		t.Fatalf("Start with an ended context: %v", err)
	}
}

func TestReadSeedFile(t *testing.T) {
	write := func(s string) string {
		p := filepath.Join(t.TempDir(), "seed.json")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	key := client.PublicJWK(&mpVendorKey().PublicKey, "k1")
	jwks, _ := json.Marshal(client.JWKS{Keys: []client.JWK{key}})
	good := `{
  "clients": [{"client_id": "my-client", "client_orgno": "991825827", "scopes": ["skatteetaten:kravogbetalinger"], "jwks": ` + string(jwks) + `}],
  "systems": [{"id": "991825827_smartcloud", "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:991825827"},
    "name": {"nb": "SmartCloud"}, "description": {"nb": "SmartCloud"},
    "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}]}], "clientId": ["my-client"], "isVisible": true}],
  "systemUsers": [{"systemId": "991825827_smartcloud", "partyOrgNo": "310904473"}],
  "orgs": null, "clientDelegations": []
}`
	s, err := ReadSeedFile(write(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Clients) != 1 || len(s.systemsJSON) != 1 || len(s.SystemUsers) != 1 || s.Clients[0].JWKS.Keys[0].N != key.N {
		t.Fatalf("read %+v", s)
	}
	// Merged after systems given as maps, and seeded: the system user's
	// token works.
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(s))
	if err != nil {
		t.Fatal(err)
	}
	env.Close()
	for _, tc := range []struct{ name, file, says string }{
		{"unknown key", `{"clients": [], "sytems": []}`, `unknown field "sytems"`},
		{"unknown key in an entry", `{"clients": [{"client_id": "x", "clientorgno": "1"}]}`, `clients: [0]: json: unknown field "clientorgno"`},
		{"not a list", `{"clients": {}}`, "clients"},
		{"a syntax error", "{\n\"clients\": [\n{\"client_id\": \"x\",,}]}", "seed.json:3"},
		{"more after the object", `{} {}`, "more JSON"},
		{"cut short", "{\n\"clients\": [\n{\"client_id\": \"x\",\n", "seed.json:3: clients: [0]: unexpected end of the file"},
		{"cut short between entries", "{\"clients\": [", "seed.json:1: clients: unexpected end of the file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSeedFile(write(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want one saying %q", err, tc.says)
			}
		})
	}
}

// TestMergeKeepsTheSystemsInOrder: systems read from a file (JSON) and
// given as maps are seeded in the order they were merged.
func TestMergeKeepsTheSystemsInOrder(t *testing.T) {
	m := func(id string) map[string]any { return map[string]any{"id": id} }
	s := Seed{Systems: []map[string]any{m("a")}}.
		Merge(Seed{systemsJSON: []json.RawMessage{json.RawMessage(`{"id":"b"}`)}}).
		Merge(Seed{Systems: []map[string]any{m("c")}})
	var got []string
	for _, sys := range s.Systems {
		got = append(got, sys["id"].(string))
	}
	for _, raw := range s.systemsJSON {
		var sys map[string]any
		json.Unmarshal(raw, &sys)
		got = append(got, sys["id"].(string))
	}
	if strings.Join(got, " ") != "a b c" {
		t.Errorf("systems in the order %v", got)
	}
}

// TestSeedOfAServedWorldLeavesTheSeededOne: Altinn.Seed on the world being
// served (a copy sharing the seeded world's system users) delegates a
// client to a copy of the agent system user, so a reset still gives the
// agent the clients of the seed alone.
func TestSeedOfAServedWorldLeavesTheSeededOne(t *testing.T) {
	e := startScale(t, 4)
	seeded := e.answers()
	e.env.mu.RLock()
	al := e.env.world.al
	e.env.mu.RUnlock()
	if err := al.Seed(Seed{
		Roles:       []Role{{From: ScaleOrgNo(1), To: ScaleOrgNo(3), Code: "REVI"}},
		Delegations: []SeedDelegation{{SystemUserID: ScaleSystemUserID(1), ClientOrgNo: ScaleOrgNo(3)}},
	}); err != nil {
		t.Fatal(err)
	}
	more := e.answers()
	if got := fmt.Sprint(more["clients"]); !strings.Contains(got, ScaleOrgNo(3)) {
		t.Fatalf("the delegated client is not listed: %s", got)
	}
	e.reset()
	if got := e.answers(); !reflect.DeepEqual(got["clients"], seeded["clients"]) {
		t.Errorf("after a reset the agent's clients are %v, want the seed's %v", got["clients"], seeded["clients"])
	}
}
