package mock

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestAltinnConfirmPage(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	req := e.createRequest(false, standardRequestBody(nil)).obj(t)
	id := req["id"].(string)
	confirm, _ := url.Parse(req["confirmUrl"].(string))

	page := e.do("GET", strings.TrimPrefix(confirm.RequestURI(), "/"), "", nil)
	if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", page.status, page.header.Get("Content-Type"))
	}
	html := string(page.body)
	for _, want := range []string{
		"SmartCloud 1", "SmartCloud er verdens beste system.", "SMARTCLOUD AS", OrgSmartCloud,
		"TILFELDIG SUBTIL APE", OrgSubtilApe, ResourceKravOgBetalinger, "Krav og betalinger",
		`<option value="` + PIDStadigKonsert + `" selected>`, "DRESS MINST",
		`action="/accessmanagement/ui/systemuser/request/approve"`, `formaction="/accessmanagement/ui/systemuser/request/reject"`,
		`<label for="pid">`, `lang="en"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "<script") {
		t.Error("page loads external assets or scripts")
	}

	decide := func(kind, decision, id, pid string) altinnResp {
		return e.do("POST", "accessmanagement/ui/systemuser/"+kind+"/"+decision, "", url.Values{"id": {id}, "pid": {pid}})
	}
	for _, tc := range []struct {
		name, kind, id, pid string
		status              int
		code                string
	}{
		{"DRESS MINST may not approve for APE", "request", id, PIDDressMinst, 403, "AUTH-00016"},
		{"unknown person", "request", id, "01010112345", 403, "AUTH-00016"},
		{"unknown request", "request", altinnUUID(), PIDStadigKonsert, 404, "AUTH-00010"},
		{"standard request on the agent page", "agentrequest", id, PIDStadigKonsert, 404, "AUTH-00030"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := decide(tc.kind, "approve", tc.id, tc.pid)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), tc.code) || !strings.Contains(string(r.body), `role="alert"`) {
				t.Errorf("error page lacks %s: %s", tc.code, r.body)
			}
		})
	}

	// STADIG KONSERT approves: 303 back to the vendor, and Maskinporten's
	// lookup now finds the system user.
	r := decide("request", "approve", id, PIDStadigKonsert)
	if r.status != 303 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	loc, _ := url.Parse(r.header.Get("Location"))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != atRedirect || loc.Query().Get("id") != id || loc.Query().Get("status") != "Accepted" {
		t.Errorf("redirect to %s", loc)
	}
	lookup := e.do("GET", "authentication/api/v1/systemuser/byExternalId?clientId="+atClient+"&systemProviderOrgNo="+OrgSmartCloud+"&systemUserOwnerOrgNo="+OrgSubtilApe,
		e.mp.orgToken(t, OrgDigdir, alScopeSystemUserLookup), nil)
	if lookup.status != 200 || lookup.obj(t)["reporteeOrgNo"] != OrgSubtilApe {
		t.Fatalf("byExternalId after approval: %d %s", lookup.status, lookup.body)
	}
	// Decided: the page says so and has no form; deciding again is 409.
	if html := string(e.do("GET", strings.TrimPrefix(confirm.RequestURI(), "/"), "", nil).body); strings.Contains(html, "<form") || !strings.Contains(html, "Accepted") {
		t.Errorf("decided page still offers the form")
	}
	if r := decide("request", "reject", id, PIDStadigKonsert); r.status != 409 || !strings.Contains(string(r.body), "AUTH-00013") {
		t.Errorf("decide twice: %d", r.status)
	}

	// Without a redirectUrl the page shows a receipt.
	noRedirect := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "plain", "redirectUrl": nil})).obj(t)["id"].(string)
	if r := decide("request", "reject", noRedirect, PIDStadigKonsert); r.status != 200 || !strings.Contains(string(r.body), "Request rejected") {
		t.Errorf("receipt: %d %s", r.status, r.body)
	}

	// The agent page lists the packages; DRESS MINST is preselected for TIGER.
	agent := e.createRequest(true, map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}).obj(t)
	agentURL, _ := url.Parse(agent["confirmUrl"].(string))
	html = string(e.do("GET", strings.TrimPrefix(agentURL.RequestURI(), "/"), "", nil).body)
	for _, want := range []string{"SmartCloud Regnskap", atPackageRevisor, "TILBAKEHOLDEN USYMMETRISK TIGER AS", `<option value="` + PIDDressMinst + `" selected>`} {
		if !strings.Contains(html, want) {
			t.Errorf("agent page lacks %q", want)
		}
	}
	if r := decide("agentrequest", "approve", agent["id"].(string), PIDDressMinst); r.status != 200 || !strings.Contains(string(r.body), "agent system user") {
		t.Errorf("agent approve: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "accessmanagement/ui/systemuser/request?id=nope", "", nil); r.status != 404 || !strings.Contains(string(r.body), "AUTH-00010") {
		t.Errorf("unknown id page: %d", r.status)
	}
	if r := e.do("GET", "accessmanagement/ui/systemuser/agentrequest?id="+id, "", nil); r.status != 404 || !strings.Contains(string(r.body), "a standard request") {
		t.Errorf("standard request on the agent page: %d %s", r.status, r.body)
	}
	if r := decide("request", "maybe", id, PIDStadigKonsert); r.status != 404 {
		t.Errorf("unknown decision: %d", r.status)
	}
}

func TestAltinnPortalDecision(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	ape, tiger := 51390520, 51457050 // party ids of the seed's orgs
	stdID := e.createRequest(false, standardRequestBody(nil)).obj(t)["id"].(string)
	rejID := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "to-reject"})).obj(t)["id"].(string)
	agentID := e.createRequest(true, map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger,
		"accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}).obj(t)["id"].(string)
	stadig, dress := e.personalToken(PIDStadigKonsert), e.personalToken(PIDDressMinst)
	path := func(agent bool, party int, id, decision string) string {
		p := "authentication/api/v1/systemuser/request/"
		if agent {
			p += "agent/"
		}
		return fmt.Sprintf("%s%d/%s/%s", p, party, id, decision)
	}
	for _, tc := range []struct {
		name   string
		path   string
		token  string
		status int
		code   string
	}{
		// The PDP policy on {party} answers a bare 403 (AuthenticationHost.cs L254-280).
		{"a person without DAGL for the party", path(false, ape, stdID, "approve"), dress, 403, ""},
		{"the party does not match", path(false, tiger, stdID, "approve"), dress, 403, "AUTH-00041"},
		{"unknown party", path(false, 1, stdID, "approve"), stadig, 400, "AUTH-00000"},
		{"unknown request", path(false, ape, altinnUUID(), "approve"), stadig, 404, "AUTH-00010"},
		{"an organisation's token", path(false, ape, stdID, "approve"), e.vendorToken(alScopeRequestWrite), 403, ""},
		{"without the portal scope", path(false, ape, stdID, "approve"), e.personalToken(PIDStadigKonsert, alScopeClientDelegRead), 403, ""},
		{"approve", path(false, ape, stdID, "approve"), stadig, 200, ""},
		{"approve again", path(false, ape, stdID, "approve"), stadig, 409, "AUTH-00013"},
		{"reject", path(false, ape, rejID, "reject"), stadig, 200, ""},
		{"agent request on the standard path", path(false, tiger, agentID, "approve"), dress, 404, "AUTH-00010"},
		{"standard request on the agent path", path(true, ape, stdID, "approve"), stadig, 400, "AUTH-00025"},
		{"agent, party mismatch", path(true, ape, agentID, "approve"), stadig, 403, "AUTH-00042"},
		{"agent approve", path(true, tiger, agentID, "approve"), dress, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", tc.path, tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" && r.code(t) != tc.code {
				t.Errorf("code %s, want %s", r.code(t), tc.code)
			}
			if tc.status == 200 && string(r.body) != "true\n" {
				t.Errorf("body %q", r.body)
			}
		})
	}
	read := e.vendorToken(alScopeRequestRead)
	for id, want := range map[string]string{stdID: "Accepted", rejID: "Rejected"} {
		if got := e.do("GET", "authentication/api/v1/systemuser/request/vendor/"+id, read, nil).obj(t)["status"]; got != want {
			t.Errorf("status of %s: %v, want %s", id, got, want)
		}
	}
	// The approved request made a system user; asking again is AUTH-00004.
	if r := e.createRequest(false, standardRequestBody(nil)); r.code(t) != "AUTH-00004" {
		t.Errorf("request after approval: %d %s", r.status, r.body)
	}
	// A rejected request is returned as it is (200), not recreated.
	if r := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "to-reject"})); r.status != 200 || r.obj(t)["status"] != "Rejected" {
		t.Errorf("request again after rejection: %d %s", r.status, r.body)
	}
	q := "authentication/api/v1/systemuser/vendor/byquery?system-id=" + atAgentSystem + "&orgno=" + OrgTiger
	if u := e.do("GET", q, e.vendorToken(alScopeRequestWrite), nil).obj(t); u["userType"] != "agent" {
		t.Errorf("agent system user: %v", u)
	}
}

func TestAltinnPersonalToken(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	tok := e.personalToken(PIDDressMinst)
	claims, err := e.alt.verifyOwn(tok)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if claims["pid"] != PIDDressMinst || claims["urn:altinn:userid"] != "341895" || claims["urn:altinn:authlevel"] != float64(3) {
		t.Errorf("claims %v", claims)
	}
	if claims["scope"] != altinnDefaultPersonalScopes {
		t.Errorf("scope %q", claims["scope"])
	}
	claims, _ = e.alt.verifyOwn(e.personalToken(PIDStadigKonsert, "altinn:portal/enduser"))
	if claims["scope"] != "altinn:portal/enduser" {
		t.Errorf("scopes from the query: %q", claims["scope"])
	}
	r := e.do("GET", "testtools/personaltoken?pid=01010112345", "", nil)
	if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("unknown pid: %d %s", r.status, r.body)
	}
}
