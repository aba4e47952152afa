package mock

// Issue 16's contract tests of the portal's request routes, the register's
// change log, the PDP's decision endpoint, the access package catalogue
// and the routing (AUTHN = Altinn/altinn-authentication at ad4f6f3).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

// TestContract16PortalRequestReads: GET request/{party}/{requestId} and
// request/agent/{party}/{requestId} (RSUC L363-374, L399-410; RSUS
// L451-521): the request without confirmUrl, escalated and timedOut
// false; another party's AUTH-00010. GET request/agent/{requestId} (RSUC
// L417-428, RSUS L873-905): the agent request's portal read, with
// systemUserType "Agent".
func TestContract16PortalRequestReads(t *testing.T) {
	e := startContract(t)
	id := e.newRequest("portal")
	stadig, dress := e.personal(PIDStadigKonsert), e.personal(PIDDressMinst)
	r := e.altinn("GET", fmt.Sprintf("%s%d/%s", ctRequests, ctAPEParty, id), stadig, nil)
	want := []string{"id", "integrationTitle", "externalRef", "systemId", "partyOrgNo", "rights", "accessPackages", "status", "escalated", "created", "timedOut"}
	if r.status != 200 || !slices.Equal(r.keys(t), want) {
		t.Errorf("{party}/{id}: %d %v, want %v", r.status, r.keys(t), want)
	}
	wantProblem(t, e.altinn("GET", fmt.Sprintf("%s%d/%s", ctRequests, ctTigerParty, id), dress, nil), 404, "AUTH-00010")
	agent := e.create(true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": altinnPackagePrefix + "ansvarlig-revisor"}}}).obj(t)["id"].(string)
	a := e.altinn("GET", ctRequests+"agent/"+agent, dress, nil)
	if m := a.obj(t); a.status != 200 || m["systemUserType"] != "Agent" || len(m["rights"].([]any)) != 0 || m["userMayEscalateButNotApprove"] != false {
		t.Errorf("agent/{id}: %d %v", a.status, m)
	}
	wantProblem(t, e.altinn("GET", ctRequests+"agent/"+id, stadig, nil), 404, "AUTH-00010")
	if r := e.altinn("GET", fmt.Sprintf("%sagent/%d/%s", ctRequests, ctTigerParty, agent), dress, nil); r.status != 200 || slices.Contains(r.keys(t), "rights") {
		t.Errorf("agent/{party}/{id}: %d %v", r.status, r.keys(t))
	}
}

// TestContract16PendingAndEscalate: GET request/{party}/{orgno}/pending and
// request/agent/{party}/{orgno}/pending (RSUC L671-716; RR L567-605: New;
// L648-686: New and escalated), POST request/{party}/{id}/escalate and the
// agent one (RSUC L465-536, RSUS EscalateApprovalSystemUser L1029-1050):
// true for a person related to the party, false otherwise or for an
// unknown id, never an error.
func TestContract16PendingAndEscalate(t *testing.T) {
	e := startContractWith(t, Seed{
		Persons: []Person{{PID: "01017012345", Name: "REGNSKAPSFØRER RASK"}},
		Roles:   []Role{{From: "01017012345", To: OrgTiger, Code: "REGN"}},
	})
	std := e.newRequest("pending")
	dress := e.personal(PIDDressMinst)
	pending := func(agent bool) []any {
		t.Helper()
		kind := ""
		if agent {
			kind = "agent/"
		}
		r := e.altinn("GET", fmt.Sprintf("%s%s%d/%s/pending", ctRequests, kind, ctTigerParty, map[bool]string{false: OrgSubtilApe, true: OrgTiger}[agent]), dress, nil)
		if r.status != 200 {
			t.Fatalf("pending: %d %s", r.status, r.body)
		}
		var out []any
		_ = json.Unmarshal(r.body, &out)
		return out
	}
	if got := pending(false); len(got) != 1 || got[0].(map[string]any)["id"] != std {
		t.Errorf("standard pending %v (orgno is not checked against the party)", got)
	}
	agent := e.create(true, map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": altinnPackagePrefix + "ansvarlig-revisor"}}}).obj(t)["id"].(string)
	if got := pending(true); len(got) != 0 {
		t.Errorf("agent pending before escalation %v", got)
	}
	rask := e.personal("01017012345")
	esc := func(tok, id string) ctResp {
		return e.altinn("POST", fmt.Sprintf("%sagent/%d/%s/escalate", ctRequests, ctTigerParty, id), tok, nil)
	}
	if r := esc(rask, agent); r.status != 200 || strings.TrimSpace(string(r.body)) != "true" {
		t.Fatalf("escalate: %d %s", r.status, r.body)
	}
	if got := pending(true); len(got) != 1 || got[0].(map[string]any)["escalated"] != true {
		t.Errorf("agent pending after escalation %v", got)
	}
	if r := esc(rask, client.NewUUID()); r.status != 200 || strings.TrimSpace(string(r.body)) != "false" {
		t.Errorf("an unknown request: %d %s", r.status, r.body)
	}
	if r := esc(e.personal(PIDStadigKonsert), agent); r.status != 200 || strings.TrimSpace(string(r.body)) != "false" {
		t.Errorf("a person without a relation to the party: %d %s", r.status, r.body)
	}
	if r := e.altinn("GET", fmt.Sprintf("%s%d/%s/pending", ctRequests, ctTigerParty, OrgTiger), rask, nil); r.status != 403 {
		t.Errorf("pending for a person who may not approve: %d", r.status)
	}
	if r := e.altinn("GET", fmt.Sprintf("%s%d/%s/elsewhere", ctRequests, ctTigerParty, OrgTiger), dress, nil); r.status != 404 {
		t.Errorf("another list: %d", r.status)
	}
}

// TestContract16ChangeLog: GET systemregister/vendor/{systemId}/changelog
// (SRC GetChangeLogAsync L446-464, PopulateSystemChangeLog L612-632;
// SystemChangeLogRepository.cs L31-125; SystemChangeLog.cs,
// SystemChangeType.cs): newest first; changedData the body with C#
// names in jsonb's key order (test/.../Data/SystemChangeLog/ChangeLogAll.json);
// a seeded system's creation; 404 with the sentence, 403 for another vendor.
func TestContract16ChangeLog(t *testing.T) {
	e := startContract(t)
	tok := e.vendor(alScopeSystemRegisterWrite)
	const sys = OrgSmartCloud + "_changelog"
	body := map[string]any{
		"id": sys, "vendor": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
		"name": map[string]any{"nb": "Logg"}, "description": map[string]any{"nb": "Logg"}, "rights": ctKravRight(),
		"clientId": []any{"changelog-client"}, "isVisible": true,
	}
	base := "authentication/api/v1/systemregister/vendor/"
	if r := e.altinn("POST", base, tok, body); r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	body["name"] = map[string]any{"nb": "Logg 2"}
	if r := e.altinn("PUT", base+sys, tok, body); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if r := e.altinn("PUT", base+sys+"/rights", tok, ctKravRight()); r.status != 200 {
		t.Fatalf("rights: %d %s", r.status, r.body)
	}
	if r := e.altinn("PUT", base+sys+"/accesspackages", tok, []any{map[string]any{"urn": altinnPackagePrefix + "jordbruk"}}); r.status != 200 {
		t.Fatalf("packages: %d %s", r.status, r.body)
	}
	if r := e.altinn("DELETE", base+sys, tok, nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r := e.altinn("GET", base+sys+"/changelog", tok, nil)
	if r.status != 200 {
		t.Fatalf("changelog: %d %s", r.status, r.body)
	}
	var entries []json.RawMessage
	_ = json.Unmarshal(r.body, &entries)
	var types []string
	for _, raw := range entries {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		types = append(types, m["changeType"].(string))
		if m["changedByOrgNumber"] != OrgSmartCloud || m["clientId"] != ctClient || !strings.HasSuffix(m["created"].(string), "+00:00") {
			t.Errorf("entry %v", m)
		}
	}
	if want := []string{"delete", "accesspackageupdate", "rightsupdate", "update", "create"}; !slices.Equal(types, want) {
		t.Errorf("change types %v, want %v (newest first)", types, want)
	}
	if got := jsonKeys(t, entries[0]); !slices.Equal(got, []string{"systemInternalId", "changedByOrgNumber", "changeType", "clientId", "created"}) {
		t.Errorf("a delete's keys %v: no changedData", got)
	}
	var create struct{ ChangedData json.RawMessage }
	_ = json.Unmarshal(entries[4], &create)
	if got, want := jsonKeys(t, create.ChangedData), []string{"Id", "Name", "Rights", "Vendor", "ClientId", "IsVisible", "Description", "AccessPackages", "AllowedRedirectUrls"}; !slices.Equal(got, want) {
		t.Errorf("changedData keys %v, want %v", got, want)
	}
	if !bytes.Contains(create.ChangedData, []byte(`"Rights":[{"Action":null,"Resource":[{"id":"urn:altinn:resource","value":"ske-krav-og-betalinger"}]}]`)) ||
		!bytes.Contains(create.ChangedData, []byte(`"Vendor":{"ID":"0192:991825827"}`)) {
		t.Errorf("changedData %s", create.ChangedData)
	}
	var pkgs struct{ ChangedData json.RawMessage }
	_ = json.Unmarshal(entries[1], &pkgs)
	if string(pkgs.ChangedData) != `[{"Urn":"urn:altinn:accesspackage:jordbruk"}]` {
		t.Errorf("accesspackageupdate's changedData %s", pkgs.ChangedData)
	}
	seeded := e.altinn("GET", base+ctSystem+"/changelog", tok, nil)
	var s []map[string]any
	_ = json.Unmarshal(seeded.body, &s)
	if seeded.status != 200 || len(s) != 1 || s[0]["changeType"] != "create" {
		t.Errorf("a seeded system's log: %d %s", seeded.status, seeded.body)
	}
	if r := e.altinn("GET", base+OrgSmartCloud+"_nope/changelog", tok, nil); r.status != 404 || string(r.body) != "System with ID "+OrgSmartCloud+"_nope not found." {
		t.Errorf("unknown: %d %q", r.status, r.body)
	}
	other := e.token(ctTigerClient, []string{alScopeRequestWrite}, nil)
	if r := e.altinn("GET", base+ctSystem+"/changelog", other, nil); r.status != 403 {
		t.Errorf("without the register's scope: %d", r.status)
	}
}

// TestContract16Decision: POST authorization/api/v1/decision beside
// /authorize (altinn-authorization-tmp src/apps/Altinn.Authorization/src/
// Altinn.Authorization/Controllers/DecisionController.cs Post: no
// [Authorize]; XacmlJsonResult.cs: nulls written): the subscription key
// alone, as Altinn's tt02 tests call it (AUTHN SystemIntegrationTests/
// Clients/AccessManagementClient.cs L14-31); Indeterminate with
// syntax-error for what it cannot read.
func TestContract16Decision(t *testing.T) {
	e := startContract(t)
	su := e.approvedUser("decision")
	post := func(ctype, key string, body []byte) ctResp {
		req, _ := http.NewRequest("POST", e.env.AltinnURL+"authorization/api/v1/decision", bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if key != "" {
			req.Header.Set("Ocp-Apim-Subscription-Key", key)
		}
		resp, err := e.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return ctResp{resp.StatusCode, resp.Header, b.Bytes()}
	}
	req := mustJSON(decisionRequest(su, ResourceKravOgBetalinger, OrgSubtilApe))
	r := post("application/json", PDPSubscriptionKey, req)
	if r.status != 200 || !strings.Contains(string(r.body), `"decision":"Permit"`) {
		t.Fatalf("decision: %d %s", r.status, r.body)
	}
	var resp struct{ Response []json.RawMessage }
	_ = json.Unmarshal(r.body, &resp)
	if got, want := jsonKeys(t, resp.Response[0]), []string{"decision", "status", "obligations", "associateAdvice", "category", "policyIdentifierList"}; !slices.Equal(got, want) {
		t.Errorf("result keys %v, want %v", got, want)
	}
	if r := post("application/json", "", req); r.status != 401 {
		t.Errorf("no subscription key: %d", r.status)
	}
	for name, body := range map[string][]byte{
		"not JSON":            []byte("{"),
		"an unknown resource": mustJSON(decisionRequest(su, "no-such-resource", OrgSubtilApe)),
		"a person's id": mustJSON(map[string]any{"Request": map[string]any{"AccessSubject": []any{map[string]any{"Attribute": []any{
			map[string]any{"AttributeId": "urn:altinn:person:identifier-no", "Value": "26917599853"}}}}}}),
	} {
		r := post("application/json; charset=utf-8", PDPSubscriptionKey, body)
		if r.status != 200 || !strings.Contains(string(r.body), `"decision":"Indeterminate"`) || !strings.Contains(string(r.body), pdpStatusSyntaxError) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := post("application/xml", PDPSubscriptionKey, []byte("<Request/>")); r.status != 200 || !strings.Contains(string(r.body), "Indeterminate") {
		t.Errorf("XML: %d %s", r.status, r.body)
	}
}

// TestContract16AccessPackageCatalogue: the register knows every package
// of Access Management's catalogue (altinn-authorization-tmp
// PackageConstants.cs at f7ff53bd, data/access-packages.json) with its
// flags: the tt02 tests' packages are accepted
// (SystemIntegrationTests/Tests/SystemRegisterTests.cs L333-381,
// ClientDelegationFixture.cs L21-71); unknown or neither flag is
// AUTH.VLD-00008 (SystemRegisterService L205-254); a visible system with a
// package that is not assignable AUTH.VLD-00018 (SRC L527-532); standard
// requests need assignable (AUTH-00064), agent ones delegable (AUTH-00065),
// so an ordinary package is fine on an agent request (SUS
// ValidateAccessPackages L717-729).
func TestContract16AccessPackageCatalogue(t *testing.T) {
	e := startContract(t)
	tok := e.vendor(alScopeSystemRegisterWrite)
	pkgs := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"urn": altinnPackagePrefix + n})
		}
		return out
	}
	register := func(id string, visible bool, names ...string) ctResp {
		return e.altinn("POST", "authentication/api/v1/systemregister/vendor", tok, map[string]any{
			"id": OrgSmartCloud + "_" + id, "vendor": map[string]any{"ID": "0192:" + OrgSmartCloud},
			"name": map[string]any{"nb": id}, "description": map[string]any{"nb": id}, "isVisible": visible,
			"clientId": []any{"cat-" + id}, "accessPackages": pkgs(names...),
		})
	}
	tt02 := []string{"dokumentbasert-tilsyn", "infrastruktur", "patent-varemerke-design", "tilskudd-stotte-erstatning", "mine-sider-kommune",
		"politi-og-domstol", "rapportering-statistikk", "forskning", "folkeregister", "maskinporten-scopes", "maskinlesbare-hendelser",
		"maskinporten-scopes-nuf", "renovasjon", "jordbruk", "krav-og-utlegg", "skattegrunnlag"}
	if r := register("tt02", false, tt02...); r.status != 200 {
		t.Errorf("the tt02 tests' packages: %d %s", r.status, r.body)
	}
	clientPkgs := []string{"regnskapsforer-med-signeringsrettighet", "regnskapsforer-uten-signeringsrettighet", "regnskapsforer-lonn",
		"ansvarlig-revisor", "revisormedarbeider", "skattegrunnlag", "forretningsforer-eiendom"}
	if r := register("agentpkgs", false, clientPkgs...); r.status != 200 {
		t.Errorf("the client delegation fixture's packages: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		name    string
		visible bool
		pkgs    []string
		code    string
	}{
		{"neither delegable nor assignable", false, []string{"eksplisitt"}, "AUTH.VLD-00008"},
		{"a person's guardianship package", false, []string{"vergemal-post-til-virksomhet"}, "AUTH.VLD-00008"},
		{"not in the catalogue", false, []string{"no-such-package"}, "AUTH.VLD-00008"},
		{"a client package on a visible system", true, []string{"ansvarlig-revisor"}, "AUTH.VLD-00018"},
	} {
		if r := register(strings.ReplaceAll(tc.name, " ", ""), tc.visible, tc.pkgs...); r.status != 400 || !slices.Contains(ctCodes(t, r), tc.code) {
			t.Errorf("%s: %d %s, want %s", tc.name, r.status, r.body, tc.code)
		}
	}
	std := func(names ...string) ctResp {
		return e.create(false, map[string]any{"systemId": OrgSmartCloud + "_agentpkgs", "partyOrgNo": OrgSubtilApe, "accessPackages": pkgs(names...)})
	}
	wantProblem(t, std("regnskapsforer-lonn"), 400, "AUTH-00064", "NotDelegablePackages")
	if r := e.create(true, map[string]any{"systemId": OrgSmartCloud + "_agentpkgs", "partyOrgNo": OrgTiger, "accessPackages": pkgs("skattegrunnlag")}); r.status != 201 {
		t.Errorf("an ordinary package on an agent request: %d %s", r.status, r.body)
	}
	if r := e.create(true, map[string]any{"systemId": OrgSmartCloud + "_tt02", "partyOrgNo": OrgTiger, "accessPackages": pkgs("maskinporten-scopes")}); r.status != 400 || r.obj(t)["code"] != "AUTH-00065" {
		t.Errorf("an administrator package on an agent request: %d %s", r.status, r.body)
	}
	if n := len(altinnPackages()); n != 223 {
		t.Errorf("the catalogue has %d packages, want the source's 223", n)
	}
}

// ctCodes lists a validation problem's codes.
func ctCodes(t *testing.T, r ctResp) []string {
	t.Helper()
	var out []string
	errs, _ := r.obj(t)["validationErrors"].([]any)
	for _, x := range errs {
		out = append(out, x.(map[string]any)["code"].(string))
	}
	return out
}

// TestContract16TrailingSlash: a path with one trailing slash, or with
// "//", reaches the same route, as ASP.NET Core's routing does (AUTHN
// test/Altinn.Platform.Authentication.Tests/Controllers/
// SystemRegisterControllerTests.cs L1149, L1260, L1430: vendor/ and
// vendor/{id}/; the tt02 tests send every path after "//",
// SystemIntegrationTests/Clients/PlatformAuthenticationClient.cs L78), not
// Go's 301 to the cleaned path.
func TestContract16TrailingSlash(t *testing.T) {
	e := startContract(t)
	tok := e.vendor(alScopeSystemRegisterWrite)
	const sys = OrgSmartCloud + "_slash"
	body := map[string]any{
		"id": sys, "vendor": map[string]any{"ID": "0192:" + OrgSmartCloud}, "name": map[string]any{"nb": "Slash"},
		"description": map[string]any{"nb": "Slash"}, "rights": ctKravRight(), "clientId": []any{"slash-client"}, "isVisible": true,
	}
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"POST", "authentication/api/v1/systemregister/vendor/", body, 200},
		{"GET", "authentication/api/v1/systemregister/vendor/" + sys + "/", nil, 200},
		{"PUT", "authentication/api/v1/systemregister/vendor/" + sys + "/", body, 200},
		{"GET", "/authentication//api/v1/systemregister/vendor/" + sys, nil, 200},
		{"DELETE", "authentication/api/v1/systemregister/vendor/" + sys + "/", nil, 200},
	} {
		if r := e.altinn(tc.method, tc.path, tok, tc.body); r.status != tc.status {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.status, r.body)
		}
	}
	id := e.newRequest("slash")
	if r := e.altinn("GET", ctRequests+"vendor/{"+id+"}/", e.vendor(alScopeRequestRead), nil); r.status != 200 {
		t.Errorf("a braced id with a trailing slash: %d", r.status)
	}

}
