package mock

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/client"
)

func TestAltinnRequestCreate(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	// A system without redirect URLs, and a seeded system user for another
	// externalRef, for the error cases.
	if r := e.do("POST", "authentication/api/v1/systemregister/vendor", e.vendorToken(alScopeSystemRegisterWrite),
		systemBody(OrgSmartCloud+"_noredirect", func(b map[string]any) { delete(b, "allowedRedirectUrls") })); r.status != 200 {
		t.Fatalf("register: %s", r.body)
	}
	if err := e.alt.Seed(Seed{SystemUsers: []SeedSystemUser{{SystemID: atSystem, PartyOrgNo: OrgSubtilApe, ExternalRef: "exists"}}}); err != nil {
		t.Fatal(err)
	}

	r := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "ref-1"}))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	req := r.obj(t)
	id := req["id"].(string)
	if loc := r.header.Get("Location"); loc != e.url+"authentication/api/v1/systemuser/request/"+id {
		t.Errorf("Location %q", loc)
	}
	wantConfirm := e.url + "accessmanagement/ui/systemuser/request?id=" + id + "&DONTCHOOSEREPORTEE=true"
	if req["confirmUrl"] != wantConfirm || req["status"] != "New" || req["externalRef"] != "ref-1" || req["partyOrgNo"] != OrgSubtilApe {
		t.Errorf("request %v", req)
	}
	for _, k := range []string{"id", "externalRef", "systemId", "partyOrgNo", "rights", "accessPackages", "status", "redirectUrl", "confirmUrl", "created"} {
		if _, ok := req[k]; !ok {
			t.Errorf("key %s missing", k)
		}
	}
	again := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "ref-1"}))
	if again.status != http.StatusOK || again.obj(t)["id"] != id {
		t.Errorf("same request again: %d %s", again.status, again.body)
	}
	// externalRef defaults to the party's org number.
	if r := e.createRequest(false, standardRequestBody(nil)); r.status != 201 || r.obj(t)["externalRef"] != OrgSubtilApe {
		t.Errorf("default externalRef: %d %s", r.status, r.body)
	}

	right := func(v string) []any {
		return []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": v}}}}
	}
	pkgs := func(urns ...string) []any {
		var out []any
		for _, u := range urns {
			out = append(out, map[string]any{"urn": u})
		}
		return out
	}
	tests := []struct {
		name   string
		agent  bool
		token  string
		body   map[string]any
		status int
		code   string
	}{
		{"system user exists", false, "", standardRequestBody(map[string]any{"externalRef": "exists"}), 400, "AUTH-00004"},
		{"rights beyond the system's", false, "", standardRequestBody(map[string]any{"externalRef": "r2", "rights": right("other-resource")}), 400, "AUTH-00001"},
		{"no rights", false, "", standardRequestBody(map[string]any{"externalRef": "r3", "rights": nil}), 400, "AUTH-00001"},
		{"redirect not allowed", false, "", standardRequestBody(map[string]any{"externalRef": "r4", "redirectUrl": "https://smartcloud.example/other"}), 400, "AUTH-00021"},
		{"redirect with a query is fine", false, "", standardRequestBody(map[string]any{"externalRef": "r5", "redirectUrl": atRedirect + "?x=1"}), 201, ""},
		{"system without redirect URLs", false, "", standardRequestBody(map[string]any{"externalRef": "r6", "systemId": OrgSmartCloud + "_noredirect"}), 400, "AUTH-00026"},
		{"unknown system", false, "", standardRequestBody(map[string]any{"systemId": "991825827_nope"}), 404, "AUTH-00011"},
		{"another vendor's system", false, e.mp.orgToken(t, OrgTiger, alScopeRequestWrite), standardRequestBody(map[string]any{"externalRef": "r7"}), 404, "AUTH-00011"},
		{"unknown party", false, "", standardRequestBody(map[string]any{"partyOrgNo": "999999999"}), 400, "AUTH-00000"},
		{"missing systemId", false, "", standardRequestBody(map[string]any{"systemId": nil}), 400, ""},
		{"token without consumer", false, e.mp.token(t, jwt.MapClaims{"scope": alScopeRequestWrite}), standardRequestBody(nil), 401, "AUTH-00023"},
		{"read scope only", false, e.vendorToken(alScopeRequestRead), standardRequestBody(nil), 403, ""},
		{"agent", true, "", map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger, "accessPackages": pkgs(atPackageRevisor)}, 201, ""},
		// accessPackages is [Required] (CreateAgentRequestSystemUser.cs L48-50):
		// without it model binding answers, with [] AUTH-00058 (RSUS L209-212).
		{"agent without packages", true, "", map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger, "externalRef": "a2"}, 400, ""},
		{"agent with no packages", true, "", map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger, "externalRef": "a2", "accessPackages": []any{}}, 400, "AUTH-00058"},
		// SystemUserService.ValidateAccessPackages L691-745.
		{"agent package not on the system", true, "", map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger, "externalRef": "a3",
			"accessPackages": pkgs("urn:altinn:accesspackage:regnskapsforer-lonn")}, 400, "AUTH-00063"},
		{"agent request for a standard system", true, "", map[string]any{"systemId": atSystem, "partyOrgNo": OrgTiger,
			"accessPackages": pkgs(atPackageRevisor)}, 400, "AUTH-00063"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := "authentication/api/v1/systemuser/request/vendor"
			if tc.agent {
				path += "/agent"
			}
			tok := tc.token
			if tok == "" {
				tok = e.vendorToken(alScopeRequestWrite)
			}
			r := e.do("POST", path, tok, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" {
				m := r.obj(t)
				if m["code"] != tc.code || m["type"] != "urn:altinn:error:"+tc.code || m["title"] == "" || m["traceId"] == "" {
					t.Errorf("problem %v, want %s", m, tc.code)
				}
			}
			if tc.agent && tc.status == 201 {
				m := r.obj(t)
				if _, ok := m["rights"]; ok {
					t.Error("agent request has rights")
				}
				if !strings.Contains(m["confirmUrl"].(string), "/accessmanagement/ui/systemuser/agentrequest?id=") {
					t.Errorf("agent confirmUrl %v", m["confirmUrl"])
				}
			}
		})
	}
}

func TestAltinnRequestRead(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	id := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "ref-9"})).obj(t)["id"].(string)
	agentID := e.createRequest(true, map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}).obj(t)["id"].(string)
	read := e.vendorToken(alScopeRequestRead)
	other := e.mp.orgToken(t, OrgTiger, alScopeRequestRead)
	const base = "authentication/api/v1/systemuser/request/"
	for _, tc := range []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"by id", "vendor/" + id, read, 200, ""},
		{"agent by id", "vendor/agent/" + agentID, read, 200, ""},
		{"agent id on the standard path", "vendor/" + agentID, read, 404, "AUTH-00010"},
		{"standard id on the agent path", "vendor/agent/" + id, read, 404, "AUTH-00010"},
		{"unknown id", "vendor/" + client.NewUUID(), read, 404, "AUTH-00010"},
		{"another vendor", "vendor/" + id, other, 404, "AUTH-00011"},
		{"write scope is not read", "vendor/" + id, e.vendorToken(alScopeRequestWrite), 403, ""},
		{"by external ref", "vendor/byexternalref/" + atSystem + "/" + OrgSubtilApe + "/ref-9", read, 200, ""},
		{"by unknown external ref", "vendor/byexternalref/" + atSystem + "/" + OrgSubtilApe + "/nope", read, 404, "AUTH-00010"},
		{"agent by external ref", "vendor/agent/byexternalref/" + atAgentSystem + "/" + OrgTiger + "/" + OrgTiger, read, 200, ""},
		{"by system", "vendor/bysystem/" + atSystem, read, 200, ""},
		{"by another vendor's system", "vendor/bysystem/" + atSystem, other, 404, "AUTH-00011"},
		// The Location is the portal's read (POLICY_SCOPE_PORTAL, RSUC L381-392).
		{"Location with the vendor's token", id, read, 403, ""},
		{"Location for the party's daglig leder", id, e.personalToken(PIDStadigKonsert), 200, ""},
		{"Location for someone else", id, e.personalToken(PIDDressMinst), 403, "AUTH-00066"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", base+tc.path, tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" && r.code(t) != tc.code {
				t.Errorf("code %s, want %s", r.code(t), tc.code)
			}
		})
	}
	page := e.do("GET", base+"vendor/bysystem/"+atSystem, read, nil).obj(t)
	if data := page["data"].([]any); len(data) != 1 || page["links"] == nil {
		t.Errorf("page %v", page)
	}
	if r := e.do("DELETE", base+"vendor/"+id, e.vendorToken(alScopeRequestWrite), nil); r.status != http.StatusAccepted {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r := e.do("GET", base+"vendor/"+id, read, nil); r.status != 404 {
		t.Errorf("deleted request: %d", r.status)
	}
}

// A request older than 180 days reads timedOut: true, its status New; a
// re-POST gives it back with 200 and it can still be approved
// (RequestRepository.cs L471-476, RequestSystemUserController.cs L122-128,
// RequestSystemUserService.ApproveAndCreateSystemUser L538-541).
func TestAltinnRequestTimeout(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	id := e.createRequest(false, standardRequestBody(nil)).obj(t)["id"].(string)
	read := func(id string) map[string]any {
		// A fresh token each time: the mock clock moves.
		return e.do("GET", "authentication/api/v1/systemuser/request/vendor/"+id, e.vendorToken(alScopeRequestRead), nil).obj(t)
	}
	// 179 days on, by the mock clock: not timed out.
	e.clock.SetOffset(179 * 24 * time.Hour)
	if m := read(id); m["status"] != "New" || m["timedOut"] != false {
		t.Errorf("after 179 days: %v", m)
	}
	e.clock.SetOffset(0)
	// Backdated past 180 days with the knob: timedOut, still New.
	created := time.Now().Add(-181 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if r := e.do("PUT", "mock/requests/"+id+"/created", "", map[string]any{"created": created}); r.status != 200 || r.obj(t)["timedOut"] != true {
		t.Fatalf("backdate: %d %s", r.status, r.body)
	}
	if m := read(id); m["status"] != "New" || m["timedOut"] != true {
		t.Errorf("backdated: %v", m)
	}
	for _, tc := range []struct {
		body   any
		status int
	}{{map[string]any{"created": "yesterday"}, 400}, {"x", 400}} {
		if r := e.do("PUT", "mock/requests/"+id+"/created", "", tc.body); r.status != tc.status {
			t.Errorf("bad knob body %v: %d", tc.body, r.status)
		}
	}
	if r := e.do("PUT", "mock/requests/"+client.NewUUID()+"/created", "", map[string]any{"created": created}); r.status != 404 {
		t.Errorf("knob on unknown request: %d", r.status)
	}
	if r := e.createRequest(false, standardRequestBody(nil)); r.status != 200 || r.obj(t)["id"] != id {
		t.Errorf("re-POST of a timed-out request: %d %s", r.status, r.body)
	}
	approve := e.do("POST", fmt.Sprintf("authentication/api/v1/systemuser/request/%d/%s/approve", 51390520, id), e.personalToken(PIDStadigKonsert), nil)
	if approve.status != 200 {
		t.Errorf("approve timed out: %d %s", approve.status, approve.body)
	}
	if m := read(id); m["status"] != "Accepted" || m["timedOut"] != true {
		t.Errorf("approved: %v", m)
	}
}
