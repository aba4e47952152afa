package mock

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/systembruker/workbench/client"
)

func TestAltinnPDP(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	tok := e.pdpToken()
	dress := e.personalToken(PIDDressMinst)
	delegation := "authentication/api/v1/enduser/systemuser/clients?agent=" + atAgentUser + "&client=" + e.partyUUID(OrgSubtilApe)
	decide := func(req any) string { return decisionOf(t, e.pdp(tok, req)) }

	twoSubjects := decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe)
	twoSubjects["Request"].(map[string]any)["AccessSubject"] = []any{map[string]any{"Attribute": []any{
		map[string]any{"AttributeId": "urn:altinn:systemuser:uuid", "Value": atStandardUser},
		map[string]any{"AttributeId": "urn:altinn:systemuser:uuid", "Value": atAgentUser},
	}}}
	lower := map[string]any{"request": map[string]any{
		"accessSubject": []any{map[string]any{"attribute": []any{map[string]any{"attributeId": "urn:altinn:systemuser:uuid", "value": atStandardUser}}}},
		"action":        map[string]any{"attribute": map[string]any{"attributeId": xacmlActionAttr, "value": "read"}},
		"resource": []any{map[string]any{"attribute": []any{
			map[string]any{"attributeId": "urn:altinn:resource", "value": ResourceKravOgBetalinger},
			map[string]any{"attributeId": "urn:altinn:organization:identifier-no", "value": OrgSubtilApe},
		}}},
	}}
	byPartyID := decisionRequest(atStandardUser, ResourceKravOgBetalinger, "")
	byPartyID["Request"].(map[string]any)["Resource"] = []any{map[string]any{"Attribute": []any{
		map[string]any{"AttributeId": "urn:altinn:resource", "Value": ResourceKravOgBetalinger},
		map[string]any{"AttributeId": "urn:altinn:partyid", "Value": 51390520},
	}}}

	steps := []struct {
		name   string
		before func()
		req    any
		want   string
	}{
		{"standard, its owner", nil, decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe), "Permit"},
		{"keys in any case", nil, lower, "Permit"},
		{"party by party id", nil, byPartyID, "Permit"},
		{"standard, another party", nil, decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgTiger), "NotApplicable"},
		{"standard, another resource", nil, decisionRequest(atStandardUser, "other-resource", OrgSubtilApe), "NotApplicable"},
		{"unknown system user", nil, decisionRequest(client.NewUUID(), ResourceKravOgBetalinger, OrgSubtilApe), "NotApplicable"},
		{"two subjects", nil, twoSubjects, "Indeterminate"},
		{"agent before delegation", nil, decisionRequest(atAgentUser, ResourceKravOgBetalinger, OrgSubtilApe), "NotApplicable"},
		{"agent after delegation", func() {
			if r := e.do("POST", delegation, dress, nil); r.status != 200 {
				t.Fatalf("delegate: %d %s", r.status, r.body)
			}
		}, decisionRequest(atAgentUser, ResourceKravOgBetalinger, OrgSubtilApe), "Permit"},
		{"agent, for its owner", nil, decisionRequest(atAgentUser, ResourceKravOgBetalinger, OrgTiger), "NotApplicable"},
		{"agent, a resource without its package", nil, decisionRequest(atAgentUser, "other-resource", OrgSubtilApe), "NotApplicable"},
		{"agent after removal", func() {
			if r := e.do("DELETE", delegation, dress, nil); r.status != 200 {
				t.Fatalf("remove: %d %s", r.status, r.body)
			}
		}, decisionRequest(atAgentUser, ResourceKravOgBetalinger, OrgSubtilApe), "NotApplicable"},
		// Deleting the system leaves its system users and their rights
		// (AUTHN SystemRegisterRepository.SetDeleteRegisteredSystemById):
		// the PDP still permits; only Maskinporten stops (MP-303).
		{"standard, system deleted", func() {
			if r := e.do("DELETE", "authentication/api/v1/systemregister/vendor/"+atSystem, e.vendorToken(alScopeSystemRegisterWrite), nil); r.status != 200 {
				t.Fatalf("delete system: %d %s", r.status, r.body)
			}
		}, decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe), "Permit"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before()
			}
			if got := decide(s.req); got != s.want {
				t.Errorf("decision %s, want %s", got, s.want)
			}
		})
	}

	// The answer's shape (§7).
	r := e.pdp(tok, decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe))
	res := r.obj(t)["response"].([]any)[0].(map[string]any)
	status := res["status"].(map[string]any)
	if status["statusCode"].(map[string]any)["value"] != "urn:oasis:names:tc:xacml:1.0:status:ok" {
		t.Errorf("status %v", status)
	}
	for _, k := range []string{"decision", "status", "obligations", "associateAdvice", "category", "policyIdentifierList"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result lacks %s", k)
		}
	}
}

func TestAltinnPDPAccess(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	req := decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe)
	mpTok := e.mp.orgToken(t, OrgSkatteetaten, alScopeAuthorize)
	for _, tc := range []struct {
		name, token, key string
		status           int
		message          string
	}{
		{"no subscription key", e.pdpToken(), "", 401, "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."},
		{"wrong subscription key", e.pdpToken(), "nope", 401, "invalid subscription key"},
		{"no token", "", PDPSubscriptionKey, 401, ""},
		{"a Maskinporten token, not exchanged", mpTok, PDPSubscriptionKey, 401, ""},
		{"without the authorize scope", e.exchanged(e.mp.orgToken(t, OrgSkatteetaten, alScopeResourceWrite)), PDPSubscriptionKey, 403, ""},
		{"a person's token", e.personalToken(PIDStadigKonsert), PDPSubscriptionKey, 403, ""},
		{"ok", e.pdpToken(), PDPSubscriptionKey, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.key != "" {
				hdr = []string{"Ocp-Apim-Subscription-Key", tc.key}
			}
			r := e.do("POST", "authorization/api/v1/authorize", tc.token, req, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.message != "" {
				m := r.obj(t)
				if m["statusCode"] != float64(401) || !strings.Contains(m["message"].(string), tc.message) {
					t.Errorf("body %v", m)
				}
			}
		})
	}
	if r := e.pdp(e.pdpToken(), map[string]any{"nothing": true}); r.status != 400 {
		t.Errorf("no Request: %d", r.status)
	}
	if r := e.pdp(e.pdpToken(), strings.NewReader("{")); r.status != 400 {
		t.Errorf("broken JSON: %d", r.status)
	}
}

// TestAltinnConcurrent runs the vendor, end-user and PDP paths at once,
// for the race detector.
func TestAltinnConcurrent(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	pdpTok, stadig := e.pdpToken(), e.personalToken(PIDStadigKonsert)
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ref := fmt.Sprintf("c-%d", i)
			r := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": ref}))
			if r.status != http.StatusCreated {
				errs <- fmt.Sprintf("create %s: %d %s", ref, r.status, r.body)
				return
			}
			id := r.obj(t)["id"].(string)
			if r := e.do("POST", "authentication/api/v1/systemuser/request/51390520/"+id+"/approve", stadig, nil); r.status != 200 {
				errs <- fmt.Sprintf("approve %s: %d %s", ref, r.status, r.body)
			}
			if d := decisionOf(t, e.pdp(pdpTok, decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe))); d != "Permit" {
				errs <- "decision " + d
			}
			e.do("GET", "authentication/api/v1/systemregister/vendor", e.vendorToken(alScopeSystemRegisterWrite), nil)
		}(i)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// TestAltinnPolicyFeedsPDP replaces the seeded resource's package rule with
// an uploaded policy: the agent's package no longer grants the resource.
func TestAltinnPolicyFeedsPDP(t *testing.T) {
	s := altinnTestSeed(true)
	s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSubtilApe}}
	e := newAltinnTestEnv(t, s)
	tok := e.pdpToken()
	req := decisionRequest(atAgentUser, ResourceKravOgBetalinger, OrgSubtilApe)
	if d := decisionOf(t, e.pdp(tok, req)); d != "Permit" {
		t.Fatalf("seeded package rule: %s", d)
	}
	body, ctype := multipartPolicy(t, "policyFile", xacmlPolicy) // revisormedarbeider, read
	r := e.do("PUT", "resourceregistry/api/v1/resource/"+ResourceKravOgBetalinger+"/policy", e.mp.orgToken(t, OrgSkatteetaten, alScopeResourceWrite), body, "Content-Type", ctype)
	if r.status != 201 {
		t.Fatalf("policy: %d %s", r.status, r.body)
	}
	if d := decisionOf(t, e.pdp(tok, req)); d != "NotApplicable" {
		t.Errorf("after the policy: %s", d)
	}
}
