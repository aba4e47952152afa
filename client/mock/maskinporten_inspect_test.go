package mock

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

// inspectEnv is the demo world as serve runs it, with the grants of its
// client.
type inspectEnv struct {
	t   *testing.T
	env *Env
}

func startInspect(t *testing.T) *inspectEnv {
	t.Helper()
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(DemoSeed(&mpVendorKey().PublicKey)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return &inspectEnv{t, env}
}

// claims is a valid system user grant of the demo client.
func (e *inspectEnv) claims() jwt.MapClaims {
	now := e.env.Clock.Now()
	return jwt.MapClaims{
		"iss": DemoClientID, "aud": e.env.MaskinportenURL, "iat": now.Unix(), "exp": now.Add(60 * time.Second).Unix(),
		"jti": mpRandomID(), "scope": ScopeKravOgBetalinger,
		"authorization_details": []any{map[string]any{
			"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + DemoCustomerOrgNo},
		}},
	}
}

func (e *inspectEnv) grant(edit func(h map[string]any, c jwt.MapClaims)) string {
	h, c := map[string]any{"kid": DemoKeyID}, e.claims()
	if edit != nil {
		edit(h, c)
	}
	return mpSign(e.t, jwt.SigningMethodRS256, mpVendorKey(), h, c)
}

func (e *inspectEnv) post(path, assertion string) (int, []byte) {
	e.t.Helper()
	res, err := http.PostForm(e.env.MaskinportenURL+path, url.Values{"grant_type": {mpJWTBearer}, "assertion": {assertion}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (e *inspectEnv) inspect(assertion string) []client.GrantRule {
	e.t.Helper()
	status, b := e.post("mock/inspect", assertion)
	var out client.InspectedGrant
	if status != 200 || json.Unmarshal(b, &out) != nil || out.Issuer != e.env.MaskinportenURL {
		e.t.Fatalf("POST mock/inspect: %d %s", status, b)
	}
	return out.Rules
}

func firstBroken(rules []client.GrantRule) *client.GrantRule {
	for i := range rules {
		if rules[i].Status == client.RuleBroken {
			return &rules[i]
		}
	}
	return nil
}

// The same rule code serves the mock and the inspector: for each broken
// grant, the first rule the running mock's inspection finds broken is
// what /token then answers, status, error, MP id and description alike;
// and inspecting used nothing up (a good grant inspected, then posted,
// gets its token).
func TestInspectAgreesWithTheTokenEndpoint(t *testing.T) {
	e := startInspect(t)
	e.env.Clock.SetOffset(0)
	cert := func() string {
		leaf, _, err := IssueBusinessCertificate(&mpVendorKey().PublicKey, OrgSmartCloud, "SmartCloud", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(leaf.Raw)
	}()
	cases := []struct {
		name  string
		edit  func(h map[string]any, c jwt.MapClaims)
		raw   string // instead of a grant
		codes string // want: error and MP id
	}{
		{"production's aud", func(h map[string]any, c jwt.MapClaims) { c["aud"] = "https://maskinporten.no/" }, "", "invalid_grant MP-110"},
		{"no trailing slash", func(h map[string]any, c jwt.MapClaims) { c["aud"] = strings.TrimSuffix(e.env.MaskinportenURL, "/") }, "", "invalid_grant MP-110"},
		{"unknown client", func(h map[string]any, c jwt.MapClaims) { c["iss"] = "nobody" }, "", "invalid_grant MP-100"},
		{"unknown kid", func(h map[string]any, c jwt.MapClaims) { h["kid"] = "other" }, "", "invalid_grant MP-124"},
		{"x5c on a client with a key", func(h map[string]any, c jwt.MapClaims) { h["kid"] = nil; h["x5c"] = []string{cert} }, "", "invalid_grant "},
		{"both kid and x5c", func(h map[string]any, c jwt.MapClaims) { h["x5c"] = []string{cert} }, "", "invalid_grant "},
		{"lifetime 300 s", func(h map[string]any, c jwt.MapClaims) { c["exp"] = c["iat"].(int64) + 300 }, "", "invalid_grant "},
		{"iat a minute ahead", func(h map[string]any, c jwt.MapClaims) {
			c["iat"] = c["iat"].(int64) + 60
			c["exp"] = c["iat"].(int64) + 60
		}, "", "invalid_grant "},
		{"expired", func(h map[string]any, c jwt.MapClaims) {
			c["iat"] = c["iat"].(int64) - 600
			c["exp"] = c["iat"].(int64) + 60
		}, "", "invalid_grant MP-130"},
		{"nbf ahead", func(h map[string]any, c jwt.MapClaims) { c["nbf"] = c["iat"].(int64) + 60 }, "", "invalid_grant "},
		{"jti a number", func(h map[string]any, c jwt.MapClaims) { c["jti"] = 7 }, "", "invalid_grant "},
		{"no scope", func(h map[string]any, c jwt.MapClaims) { delete(c, "scope") }, "", "invalid_scope "},
		{"unknown scope", func(h map[string]any, c jwt.MapClaims) { c["scope"] = "nope:nope" }, "", "invalid_scope "},
		{"scope not on the client", func(h map[string]any, c jwt.MapClaims) { c["scope"] = "altinn:authorization/authorize" }, "", "invalid_scope MP-200"},
		{"unknown type", func(h map[string]any, c jwt.MapClaims) {
			c["authorization_details"].([]any)[0].(map[string]any)["type"] = "urn:altinn:systembruker"
		}, "", "invalid_authorization_details MP-301"},
		{"unknown field", func(h map[string]any, c jwt.MapClaims) {
			c["authorization_details"].([]any)[0].(map[string]any)["externalref"] = "x"
		}, "", "invalid_authorization_details MP-302"},
		{"no system user for the org", func(h map[string]any, c jwt.MapClaims) {
			c["authorization_details"].([]any)[0].(map[string]any)["systemuser_org"] = map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgTiger}
		}, "", "invalid_altinn_customer_configuration MP-303"},
		{"bad resource", func(h map[string]any, c jwt.MapClaims) { c["resource"] = 5 }, "", "invalid_request MP-011"},
		{"signed with another key", nil, mpSign(t, jwt.SigningMethodRS256, mustKey("skatteetaten"), map[string]any{"kid": DemoKeyID}, e.claims()), "invalid_grant MP-124"},
		{"alg HS256", nil, mpSign(t, jwt.SigningMethodHS256, []byte("secret"), map[string]any{"kid": DemoKeyID}, e.claims()), "invalid_grant "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.raw
			if g == "" {
				g = e.grant(c.edit)
			}
			b := firstBroken(e.inspect(g))
			status, body := e.post("token", g)
			var answer map[string]string
			_ = json.Unmarshal(body, &answer)
			if b == nil {
				t.Fatalf("the inspection finds nothing broken; /token says %d %s", status, body)
			}
			if got := b.Error + " " + b.Code; got != c.codes {
				t.Errorf("inspection: %s %q (%s), want %s", got, b.Description, b.Rule, c.codes)
			}
			if b.HTTPStatus != status || b.Error != answer["error"] || b.Description != answer["error_description"] {
				t.Errorf("the inspection and /token disagree:\n inspect %d %s %q\n /token  %d %s %q", b.HTTPStatus, b.Error, b.Description, status, answer["error"], answer["error_description"])
			}
		})
	}

	// A good grant: every rule holds (the request's form is not the
	// grant's), the inspection leaves it usable, and once used it is MP-012.
	g := e.grant(nil)
	for _, r := range e.inspect(g) {
		if r.Status != client.RuleHolds && r.Rule != ruleRequest {
			t.Errorf("a good grant: %s %s %s", r.Rule, r.Status, r.Description)
		}
	}
	if status, body := e.post("token", g); status != 200 {
		t.Fatalf("the inspected grant: %d %s", status, body)
	}
	if b := firstBroken(e.inspect(g)); b == nil || b.Code != "MP-012" {
		t.Errorf("a used grant: %+v, want MP-012", b)
	}
}

// Without a server: what the grant shows is checked in the mock's words,
// the rest is not checked and says it needs the server's state.
func TestInspectGrantWithoutState(t *testing.T) {
	e := startInspect(t)
	byRule := func(rules []client.GrantRule) map[string]client.GrantRule {
		m := map[string]client.GrantRule{}
		for _, r := range rules {
			m[r.Rule] = r
		}
		return m
	}
	good := byRule(InspectGrant(e.grant(nil), InspectOptions{Issuer: e.env.MaskinportenURL}))
	for rule, want := range map[string]client.RuleStatus{
		ruleJWT: client.RuleHolds, ruleHeader: client.RuleHolds, ruleAudience: client.RuleHolds, ruleTimes: client.RuleHolds,
		ruleNotBefore: client.RuleHolds, ruleDetails: client.RuleHolds, ruleResource: client.RuleHolds,
		ruleClient: client.RuleNotChecked, ruleKey: client.RuleNotChecked, ruleSignature: client.RuleNotChecked,
		ruleJTI: client.RuleNotChecked, ruleScopes: client.RuleNotChecked, ruleSystemUser: client.RuleNotChecked,
	} {
		if got := good[rule]; got.Status != want {
			t.Errorf("%s: %s (%s), want %s", rule, got.Status, got.Description, want)
		}
	}
	for _, rule := range []string{ruleClient, ruleKey, ruleJTI, ruleScopes, ruleSystemUser} {
		if !good[rule].NeedsState || !strings.Contains(good[rule].Description, "server's state") {
			t.Errorf("%s is not marked as needing the server's state: %+v", rule, good[rule])
		}
	}

	prod := e.grant(func(h map[string]any, c jwt.MapClaims) { c["aud"] = "https://maskinporten.no/" })
	r := byRule(InspectGrant(prod, InspectOptions{Issuer: "https://test.maskinporten.no/"}))[ruleAudience]
	if r.Status != client.RuleBroken || r.Code != "MP-110" || r.HTTPStatus != 400 ||
		!strings.Contains(r.Description, `aud is "https://maskinporten.no/"; expected the issuer "https://test.maskinporten.no/"`) {
		t.Errorf("production's aud for test: %+v", r)
	}
	if r := byRule(InspectGrant(prod, InspectOptions{}))[ruleAudience]; r.Status != client.RuleNotChecked {
		t.Errorf("aud without an issuer: %+v", r)
	}
	// An x5c grant's signature needs no state: the leaf carries the key.
	leaf, _, err := IssueBusinessCertificate(&mpVendorKey().PublicKey, OrgSmartCloud, "SmartCloud", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	x5c := e.grant(func(h map[string]any, c jwt.MapClaims) {
		h["kid"] = nil
		h["x5c"] = []string{base64.StdEncoding.EncodeToString(leaf.Raw)}
	})
	if r := byRule(InspectGrant(x5c, InspectOptions{}))[ruleSignature]; r.Status != client.RuleHolds {
		t.Errorf("x5c signature: %+v", r)
	}
	// A grant from a clock a minute ahead, by the inspector's clock.
	skew := byRule(InspectGrant(e.grant(nil), InspectOptions{Now: time.Now().Add(-time.Minute)}))[ruleTimes]
	if skew.Status != client.RuleBroken || !strings.Contains(skew.Description, "Issue time is in the future") {
		t.Errorf("iat ahead of the inspector's clock: %+v", skew)
	}
	// Not a JWT: one broken rule, never a panic.
	for _, in := range []string{"hello", "", "a.b.c", "e30.e30", "...", "eyJhbGciOiJub25lIn0.bnVsbA.", strings.Repeat(".", 1000)} {
		rules := InspectGrant(in, InspectOptions{Issuer: "https://test.maskinporten.no/"})
		if b := firstBroken(rules); b == nil {
			t.Errorf("%q: nothing broken", in)
		}
	}
}
