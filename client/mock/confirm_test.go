package mock

import (
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
