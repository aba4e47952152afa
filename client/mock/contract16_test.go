package mock

// The contract tests of issue 16: one test per endpoint (or pair of
// endpoints that share a controller action), against the three mocks as
// `workbench serve` runs them, over HTTP, each citing its source and
// asserting the status, the codes and the body's keys. AUTHN is
// Altinn/altinn-authentication at ad4f6f3: SUC =
// src/Authentication/Controllers/SystemUserController.cs, CRC =
// .../ChangeRequestSystemUserController.cs, RSUC =
// .../RequestSystemUserController.cs, SRC = .../SystemRegisterController.cs;
// the DTOs are under src/Core/Models/.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/systembruker/workbench/client"
)

// ctJWKS is the contract key's public half, as startContract registers it.
func ctJWKS() client.JWKS {
	return client.JWKS{Keys: []client.JWK{client.PublicJWK(&mpVendorKey().PublicKey, "contract-1")}}
}

// ctExternalKeys are SystemUserExternalDTO's keys, in order
// (src/Core/Models/SystemUserExternalDTO.cs L20-89).
var ctExternalKeys = []string{"id", "integrationTitle", "systemId", "productName", "reporteeOrgNo", "created", "isDeleted",
	"supplierName", "supplierOrgno", "externalRef", "userType"}

// ctInternalKeys are SystemUserInternalDTO's (SystemUserInternalDTO.cs
// L22-119).
var ctInternalKeys = []string{"id", "integrationTitle", "systemId", "productName", "systemInternalId", "partyId", "partyUuId",
	"reporteeOrgNo", "created", "isDeleted", "supplierName", "supplierOrgno", "externalRef", "userType", "accessPackages"}

// ctChangeKeys are ChangeRequestResponse's (ChangeRequestResponse.cs
// L17-121), redirectUrl left out when null.
var ctChangeKeys = []string{"id", "externalRef", "systemId", "systemUserId", "partyOrgNo", "requiredRights", "unwantedRights",
	"requiredAccessPackages", "unwantedAccessPackages", "status", "confirmUrl", "created", "timedOut"}

// ctUsers seeds n standard system users of the contract's system for APE,
// externalRefs u1..un.
func ctUsers(n int) []SeedSystemUser {
	var out []SeedSystemUser
	for i := 1; i <= n; i++ {
		out = append(out, SeedSystemUser{SystemID: ctSystem, PartyOrgNo: OrgSubtilApe, ExternalRef: "u" + strconv.Itoa(i)})
	}
	return out
}

// ctItemKeys are the keys, in order, of the i-th item of a JSON array or
// of a page's data.
func ctItemKeys(t *testing.T, body []byte, i int) []string {
	t.Helper()
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		var p struct{ Data []json.RawMessage }
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("neither a list nor a page: %s", body)
		}
		items = p.Data
	}
	if i >= len(items) {
		t.Fatalf("no item %d in %s", i, body)
	}
	return jsonKeys(t, items[i])
}

// page reads a paginated list: its keys, data and next.
func ctPage(t *testing.T, r ctResp) ([]any, string) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if got := r.keys(t); !slices.Equal(got, []string{"links", "data"}) {
		t.Fatalf("keys %v: links must come before data (Paginated.cs; the tt02 helper reads the second key)", got)
	}
	m := r.obj(t)
	links := m["links"].(map[string]any)
	next, _ := links["next"].(string)
	if next == "" && len(links) != 0 {
		t.Errorf("links %v on the last page, want {}", links)
	}
	return m["data"].([]any), next
}

// walk follows links.next from path, returning every item and the pages.
func (e *ctEnv) walk(path, token string) (items []any, pages int) {
	e.t.Helper()
	url := e.env.AltinnURL + path
	for url != "" && pages < 50 {
		data, next := ctPage(e.t, e.do("GET", url, token, nil))
		items = append(items, data...)
		pages++
		url = next
	}
	return items, pages
}

// TestContract16VendorSystemUsersBySystem: GET systemuser/vendor/bysystem/
// {systemId} (SUC GetAllSystemUsersByVendorSystem L284-326, SUS L286-314,
// SUR GetAllSystemUsersByVendorSystem L419-461; Paginated.cs, Opaque.cs,
// Page.cs L35-48): the register scope, every live system user by sequence
// number, a page at a time, next an absolute URL with the sequence number
// of the next page's first item as base64url JSON.
func TestContract16VendorSystemUsersBySystem(t *testing.T) {
	e := startContractWith(t, Seed{SystemUsers: ctUsers(12)})
	path := "authentication/api/v1/systemuser/vendor/bysystem/" + ctSystem
	tok := e.vendor(alScopeSystemRegisterWrite)

	firstResp := e.altinn("GET", path, tok, nil)
	first, next := ctPage(t, firstResp)
	if len(first) != AltinnDefaultPageSize || !strings.HasPrefix(next, e.env.AltinnURL+path+"?token=") {
		t.Fatalf("first page: %d items, next %q", len(first), next)
	}
	if got := ctItemKeys(t, firstResp.body, 0); !slices.Equal(got, ctExternalKeys) {
		t.Errorf("item keys %v, want %v", got, ctExternalKeys)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(next, "?token=", 2)[1])
	if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
		t.Errorf("token %q is not base64url of a sequence number's JSON", raw)
	}
	// A client that reads only the first page misses most of them.
	all, pages := e.walk(path, tok)
	seen := map[string]bool{}
	for _, it := range all {
		m := it.(map[string]any)
		seen[m["externalRef"].(string)] = true
		if m["productName"] != "" || m["supplierName"] != "" || m["userType"] != "standard" {
			t.Errorf("item %v", m)
		}
	}
	if len(all) != 12 || len(seen) != 12 || pages != 3 {
		t.Errorf("following next: %d items (%d distinct) in %d pages, want 12 in 3: no gap, no repeat", len(all), len(seen), pages)
	}
	for _, tc := range []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"a request scope is not the register's", path, e.vendor(alScopeRequestRead, alScopeRequestWrite), 403, ""},
		{"another vendor's system", "authentication/api/v1/systemuser/vendor/bysystem/" + OrgTiger + "_x", tok, 404, "AUTH-00011"},
		{"a token that does not decode", path + "?token=!!", tok, 400, ""},
	} {
		r := e.altinn("GET", tc.path, tc.token, nil)
		if tc.code != "" {
			wantProblem(t, r, tc.status, tc.code)
		} else if r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
}

// TestContract16PageSizeIsASeedSetting: the seed's pageSize sets the
// lists' page (the real one's is PaginationOptions:Size, 50 in
// src/Authentication/appsettings.json L69-71).
func TestContract16PageSizeIsASeedSetting(t *testing.T) {
	e := startContractWith(t, Seed{SystemUsers: ctUsers(7), PageSize: 2})
	items, pages := e.walk("authentication/api/v1/systemuser/vendor/bysystem/"+ctSystem, e.vendor(alScopeSystemRegisterWrite))
	if len(items) != 7 || pages != 4 {
		t.Errorf("pageSize 2: %d items in %d pages, want 7 in 4", len(items), pages)
	}
	if _, err := Start(t.Context(), ServiceOwnerSeed().Merge(Seed{PageSize: -1})); err == nil || !strings.Contains(err.Error(), "pageSize") {
		t.Errorf("pageSize -1: %v", err)
	}
}

// TestContract16RequestListsPage: GET request/vendor/bysystem/{systemId}
// and .../vendor/agent/bysystem/{systemId} (RSUC L545-636, RSUS L756-815,
// RR GetAllRequestsBySystem L525-564: ORDER BY id) page by id, every
// request once across the pages (the real standard list loses one at each
// page boundary, and the agent one has no order: docs/mock-api.md).
func TestContract16RequestListsPage(t *testing.T) {
	e := startContract(t)
	var made []string
	for i := range 11 {
		made = append(made, e.newRequest("page-"+strconv.Itoa(i)))
	}
	items, pages := e.walk(ctRequests+"vendor/bysystem/"+ctSystem, e.vendor(alScopeRequestRead))
	var got []string
	for _, it := range items {
		m := it.(map[string]any)
		if _, ok := m["confirmUrl"]; ok {
			t.Errorf("a list item has confirmUrl: %v", m)
		}
		got = append(got, m["id"].(string))
	}
	slices.Sort(made)
	if !slices.Equal(got, made) || pages != 3 {
		t.Errorf("pages %d, ids %v, want by id %v", pages, got, made)
	}
	first := e.altinn("GET", ctRequests+"vendor/bysystem/"+ctSystem, e.vendor(alScopeRequestRead), nil)
	_, next := ctPage(t, first)
	raw, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(next, "?token=", 2)[1])
	if string(raw) != `"`+made[AltinnDefaultPageSize]+`"` {
		t.Errorf("token is %s, want the JSON string of the next page's first id %s", raw, made[AltinnDefaultPageSize])
	}
	for i := range 6 {
		body := map[string]any{"systemId": ctAgentSystem, "partyOrgNo": OrgTiger, "externalRef": "ap-" + strconv.Itoa(i),
			"accessPackages": []any{map[string]any{"urn": altinnPackagePrefix + "ansvarlig-revisor"}}}
		if r := e.create(true, body); r.status != 201 {
			t.Fatalf("agent request: %d %s", r.status, r.body)
		}
	}
	if items, pages := e.walk(ctRequests+"vendor/agent/bysystem/"+ctAgentSystem, e.vendor(alScopeRequestRead)); len(items) != 6 || pages != 2 {
		t.Errorf("agent list: %d items in %d pages", len(items), pages)
	}
}

// TestContract16PartySystemUsers: GET systemuser/{party} (SUC L77-84),
// GET systemuser/agent/{party} (L90-97) and GET systemuser/{party}/{id}
// (L122-136, PopulateSystemUserDetail L713-730): the party's standard, or
// agent, system users as SystemUserInternalDTO; one with its rights
// (SystemUserDetailInternalDTO.cs); the PDP policies stood in for by
// DAGL, a bare 403 otherwise; another party's system user a plain 404.
func TestContract16PartySystemUsers(t *testing.T) {
	e := startContractWith(t, Seed{SystemUsers: []SeedSystemUser{
		{SystemID: ctSystem, PartyOrgNo: OrgSubtilApe},
		{SystemID: ctAgentSystem, PartyOrgNo: OrgTiger, Type: "agent"},
	}})
	stadig, dress := e.personal(PIDStadigKonsert), e.personal(PIDDressMinst)
	base := "authentication/api/v1/systemuser/"
	list := func(path, tok string) []any {
		t.Helper()
		r := e.altinn("GET", base+path, tok, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var out []any
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	std := list(strconv.Itoa(ctAPEParty), stadig)
	if len(std) != 1 {
		t.Fatalf("APE's standard system users %v", std)
	}
	if got := ctItemKeys(t, e.altinn("GET", base+strconv.Itoa(ctAPEParty), stadig, nil).body, 0); !slices.Equal(got, ctInternalKeys) {
		t.Errorf("keys %v, want %v", got, ctInternalKeys)
	}
	u := std[0].(map[string]any)
	if u["partyId"] != strconv.Itoa(ctAPEParty) || u["partyUuId"] != "" || u["userType"] != "standard" {
		t.Errorf("system user %v", u)
	}
	if agents := list("agent/"+strconv.Itoa(ctTigerParty), dress); len(agents) != 1 || agents[0].(map[string]any)["userType"] != "agent" {
		t.Errorf("TIGER's agents %v", agents)
	}
	if none := list(strconv.Itoa(ctTigerParty), dress); len(none) != 0 {
		t.Errorf("TIGER's standard ones %v: the list has no agents", none)
	}
	one := e.altinn("GET", base+strconv.Itoa(ctAPEParty)+"/"+u["id"].(string), stadig, nil)
	if one.status != 200 {
		t.Fatalf("one: %d %s", one.status, one.body)
	}
	if got := one.keys(t); !slices.Equal(got, append(slices.Clone(ctInternalKeys), "rights")) {
		t.Errorf("one's keys %v", got)
	}
	for _, tc := range []struct {
		name, path, token string
		status            int
	}{
		{"not DAGL for the party", base + strconv.Itoa(ctAPEParty), dress, 403},
		{"an unknown party", base + "12345", stadig, 403},
		{"a vendor's token", base + strconv.Itoa(ctAPEParty), e.vendor(alScopeRequestRead), 403},
		{"another party's system user", base + strconv.Itoa(ctTigerParty) + "/" + u["id"].(string), dress, 404},
		{"not a GUID", base + strconv.Itoa(ctAPEParty) + "/nope", stadig, 400},
	} {
		if r := e.altinn("GET", tc.path, tc.token, nil); r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
}

// ctSystemUserToken asks Maskinporten for the system user of owner
// (with externalRef ext when not "").
func (e *ctEnv) ctSystemUserToken(clientID, owner, ext string) ctResp {
	e.t.Helper()
	return e.tokenResp(e.grant(clientID, []string{ScopeKravOgBetalinger}, func(c jwt.MapClaims) {
		d := map[string]any{"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + owner}}
		if ext != "" {
			d["externalRef"] = ext
		}
		c["authorization_details"] = []any{d}
	}))
}

// TestContract16DeleteSystemUser: DELETE systemuser/{party}/{id} (SUC
// SetDeleteFlagOnSystemUser L192-212, SUS L165-247): 202 with the body 1,
// then 404 with 0; the request goes with it (SUC L671-679), so the vendor
// reads 404 AUTH-00010 and may ask for the same triple again (201); the
// next token is MP-303; another party's is AUTH-00024, an agent AUTH-00036.
func TestContract16DeleteSystemUser(t *testing.T) {
	e := startContractWith(t, Seed{SystemUsers: []SeedSystemUser{{SystemID: ctAgentSystem, PartyOrgNo: OrgTiger, Type: "agent",
		ID: "7a1c0b52-1111-4c5a-9a3e-0d6f2c1b7a01"}}})
	id := e.newRequest("del")
	if r := e.approve(false, ctAPEParty, id, PIDStadigKonsert); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := e.ctSystemUserToken(ctClient, OrgSubtilApe, "del"); r.status != 200 {
		t.Fatalf("token before: %d %s", r.status, r.body)
	}
	stadig, dress := e.personal(PIDStadigKonsert), e.personal(PIDDressMinst)
	path := fmt.Sprintf("authentication/api/v1/systemuser/%d/%s", ctAPEParty, id)
	wantProblem(t, e.altinn("DELETE", fmt.Sprintf("authentication/api/v1/systemuser/%d/%s", ctTigerParty, id), dress, nil), 403, "AUTH-00024")
	wantProblem(t, e.altinn("DELETE", fmt.Sprintf("authentication/api/v1/systemuser/%d/7a1c0b52-1111-4c5a-9a3e-0d6f2c1b7a01", ctTigerParty), dress, nil), 400, "AUTH-00036")
	if r := e.altinn("DELETE", path, stadig, nil); r.status != 202 || strings.TrimSpace(string(r.body)) != "1" {
		t.Fatalf("delete: %d %q, want 202 1", r.status, r.body)
	}
	if r := e.altinn("DELETE", path, stadig, nil); r.status != 404 || strings.TrimSpace(string(r.body)) != "0" {
		t.Errorf("delete again: %d %q, want 404 0", r.status, r.body)
	}
	wantProblem(t, e.read(id), 404, "AUTH-00010")
	if r := e.ctSystemUserToken(ctClient, OrgSubtilApe, "del"); r.status != 400 || !strings.Contains(string(r.body), "MP-303") {
		t.Errorf("token after: %d %s", r.status, r.body)
	}
	if r := e.create(false, ctStandardBody("del")); r.status != 201 || r.obj(t)["id"] == id {
		t.Errorf("the same triple again: %d %s", r.status, r.body)
	}
}

// TestContract16DeleteAgentSystemUser: DELETE systemuser/agent/{party}/{id}
// ?facilitatorId= (SUC DeleteAgentSystemUser L617-631, SUS L1076-1110):
// refused with 400 AUTH-00035 (Problem.cs L222) while a client is
// delegated, as the spec's correction 10 says (the repository at ad4f6f3
// cascades instead, since 191cce12); the client administrator removes the
// delegation (DELETE enduser/systemuser/clients), then the delete is 200
// with no body and the next token MP-303; not found AUTH-00015, a standard
// one AUTH-00034, another party's AUTH-00024.
func TestContract16DeleteAgentSystemUser(t *testing.T) {
	const agent = "7a1c0b52-2222-4c5a-9a3e-0d6f2c1b7a02"
	e := startContractWith(t, Seed{
		Clients: []SeedClient{{ClientID: ctClient + "-" + ctAgentSystem, OrgNo: OrgSmartCloud, Scopes: ctVendorScopes,
			JWKS: ctJWKS()}},
		SystemUsers: []SeedSystemUser{
			{ID: agent, SystemID: ctAgentSystem, PartyOrgNo: OrgTiger, Type: "agent"},
			{ID: "7a1c0b52-3333-4c5a-9a3e-0d6f2c1b7a03", SystemID: ctSystem, PartyOrgNo: OrgTiger},
		},
		Delegations: []SeedDelegation{{SystemUserID: agent, ClientOrgNo: OrgSubtilApe}},
	})
	dress, stadig := e.personal(PIDDressMinst), e.personal(PIDStadigKonsert)
	if r := e.ctSystemUserToken(ctClient+"-"+ctAgentSystem, OrgTiger, ""); r.status != 200 {
		t.Fatalf("agent token before: %d %s", r.status, r.body)
	}
	del := func(party int, id, tok string) ctResp {
		return e.altinn("DELETE", fmt.Sprintf("authentication/api/v1/systemuser/agent/%d/%s?facilitatorId=%s", party, id, e.partyUUID(OrgTiger)), tok, nil)
	}
	wantProblem(t, del(ctTigerParty, "7a1c0b52-3333-4c5a-9a3e-0d6f2c1b7a03", dress), 400, "AUTH-00034")
	wantProblem(t, del(ctAPEParty, agent, stadig), 403, "AUTH-00024")
	r := del(ctTigerParty, agent, dress)
	wantProblem(t, r, 400, "AUTH-00035")
	if m := r.obj(t); m["title"] != "The system user has delegations from customer. Remove the delegations before deleting the system user" {
		t.Errorf("AUTH-00035's title: %v", m["title"])
	}
	if r := e.ctSystemUserToken(ctClient+"-"+ctAgentSystem, OrgTiger, ""); r.status != 200 {
		t.Fatalf("agent token after the refused delete: %d %s (it is not deleted)", r.status, r.body)
	}
	remove := "authentication/api/v1/enduser/systemuser/clients?agent=" + agent + "&client=" + e.partyUUID(OrgSubtilApe)
	if r := e.altinn("DELETE", remove, dress, nil); r.status != 200 {
		t.Fatalf("remove the client: %d %s", r.status, r.body)
	}
	if r := del(ctTigerParty, agent, dress); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("delete without clients: %d %q, want 200 and no body", r.status, r.body)
	}
	wantProblem(t, del(ctTigerParty, agent, dress), 404, "AUTH-00015")
	if r := e.ctSystemUserToken(ctClient+"-"+ctAgentSystem, OrgTiger, ""); r.status != 400 || !strings.Contains(string(r.body), "MP-303") {
		t.Errorf("agent token after: %d %s", r.status, r.body)
	}
	if r := e.altinn("GET", "authentication/api/v1/enduser/systemuser/clients?agent="+agent, dress, nil); r.status != 400 {
		t.Errorf("its clients after: %d %s (the agent is gone: AUTH.VLD-00014)", r.status, r.body)
	}
}

// partyUUID is a seeded org's party UUID in the env's current world.
func (e *ctEnv) partyUUID(orgNo string) string {
	e.env.mu.RLock()
	defer e.env.mu.RUnlock()
	a := e.env.world.al
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.orgs[orgNo].PartyUUID
}
