package mock

// Issue 16's contract tests of change requests (CRC =
// src/Authentication/Controllers/ChangeRequestSystemUserController.cs,
// CRS = src/Authentication/Services/ChangeRequestSystemUserService.cs,
// CRR = src/Persistance/RepositoryImplementations/ChangeRequestRepository.cs,
// DTOs src/Core/Models/SystemUsers/ChangeRequestSystemUser.cs,
// ChangeRequestResponse.cs, ChangeRequestResponseInternal.cs; AUTHN at
// ad4f6f3), and of the PDP decisions that follow them.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

const ctChanges = "authentication/api/v1/systemuser/changerequest/"

// ctKravRight is the right on Krav og betalinger, as a request body has it.
func ctKravRight() []any {
	return []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
}

// approvedUser makes and approves a standard request, returning the
// system user's id (the request's).
func (e *ctEnv) approvedUser(ext string) string {
	e.t.Helper()
	id := e.newRequest(ext)
	if r := e.approve(false, ctAPEParty, id, PIDStadigKonsert); r.status != 200 {
		e.t.Fatalf("approve: %d %s", r.status, r.body)
	}
	return id
}

// change posts a change request as SmartCloud.
func (e *ctEnv) change(corr, systemUserID string, body map[string]any) ctResp {
	e.t.Helper()
	q := "?correlation-id=" + corr + "&system-user-id=" + systemUserID
	return e.altinn("POST", ctChanges+"vendor"+q, e.vendor(alScopeRequestWrite), body)
}

// decide asks the PDP with the subscription key alone (the decision
// endpoint) whether the system user may read the resource for APE.
func (e *ctEnv) decide(systemUserID string) string {
	e.t.Helper()
	pdp := client.NewPDP(e.env.AltinnURL, e.hc, PDPSubscriptionKey)
	d, err := pdp.Decision(context.Background(), client.SystemUserRequest(systemUserID, "read", ResourceKravOgBetalinger, OrgSubtilApe))
	if err != nil {
		e.t.Fatalf("decision: %v", err)
	}
	return d.Value()
}

// TestContract16CreateChangeRequest: POST changerequest/vendor?correlation-id=
// &system-user-id= (CRC CreateChangeRequest L81-167, CRS L58-94,
// ValidateChangeRequest L515-569): 201 with Location and confirmUrl; the
// same correlation-id 200 with it; a body that asks for nothing 200
// NoChangeNeeded, not stored; the controller's own refusals as text.
func TestContract16CreateChangeRequest(t *testing.T) {
	e := startContractWith(t, Seed{SystemUsers: []SeedSystemUser{{ID: "7a1c0b52-4444-4c5a-9a3e-0d6f2c1b7a04", SystemID: ctAgentSystem, PartyOrgNo: OrgTiger, Type: "agent"}}})
	su := e.approvedUser("cr")
	corr := client.NewUUID()
	r := e.change(corr, su, map[string]any{"unwantedRights": ctKravRight()})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.obj(t)
	if got := r.keys(t); !slices.Equal(got, ctChangeKeys) {
		t.Errorf("keys %v, want %v", got, ctChangeKeys)
	}
	if m["id"] != corr || m["systemUserId"] != su || m["status"] != "New" || m["externalRef"] != "cr" || m["partyOrgNo"] != OrgSubtilApe ||
		r.header.Get("Location") != e.env.AltinnURL+ctChanges+corr ||
		m["confirmUrl"] != e.env.AltinnURL+"accessmanagement/ui/systemuser/changerequest?id="+corr+"&DONTCHOOSEREPORTEE=true" {
		t.Errorf("created %v, Location %q", m, r.header.Get("Location"))
	}
	if again := e.change(corr, su, map[string]any{"requiredRights": ctKravRight()}); again.status != 200 || again.obj(t)["unwantedRights"] == nil ||
		len(again.obj(t)["requiredRights"].([]any)) != 0 {
		t.Errorf("the same correlation-id: %d %s, want 200 with the first body's change", again.status, again.body)
	}
	empty := e.change(client.NewUUID(), su, map[string]any{})
	if me := empty.obj(t); empty.status != 200 || me["status"] != "NoChangeNeeded" || me["confirmUrl"] != "" || me["created"] != "0001-01-01T00:00:00" {
		t.Errorf("nothing asked: %d %v", empty.status, me)
	} else if r := e.altinn("GET", ctChanges+"vendor/"+me["id"].(string), e.vendor(alScopeRequestRead), nil); r.status != 404 {
		t.Errorf("the NoChangeNeeded answer was stored: %d", r.status)
	}
	for _, tc := range []struct {
		name, corr, su string
		body           map[string]any
		status         int
		code, text     string
	}{
		{"no correlation-id", "", su, map[string]any{"unwantedRights": ctKravRight()}, 400, "", "Missing or invalid QueryParameter: correlation-id"},
		{"the system user's own id", su, su, map[string]any{"unwantedRights": ctKravRight()}, 400, "", "should not be the same as the system-user-id"},
		{"an unknown system user", client.NewUUID(), client.NewUUID(), map[string]any{"unwantedRights": ctKravRight()}, 404, "AUTH-00015", ""},
		{"an agent system user", client.NewUUID(), "7a1c0b52-4444-4c5a-9a3e-0d6f2c1b7a04", map[string]any{"unwantedRights": ctKravRight()}, 404, "AUTH-00015", ""},
		{"a right the system has not", client.NewUUID(), su, map[string]any{"requiredRights": []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "other"}}}}}, 400, "AUTH-00001", ""},
		{"a package the system has not", client.NewUUID(), su, map[string]any{"requiredAccessPackages": []any{map[string]any{"urn": altinnPackagePrefix + "jordbruk"}}}, 400, "AUTH-00063", ""},
		{"a redirect URL the system has not", client.NewUUID(), su, map[string]any{"unwantedRights": ctKravRight(), "redirectUrl": "https://elsewhere.example/"}, 400, "AUTH-00021", ""},
	} {
		r := e.change(tc.corr, tc.su, tc.body)
		switch {
		case tc.code != "":
			wantProblem(t, r, tc.status, tc.code, extKeys(r)...)
		case r.status != tc.status || !strings.Contains(string(r.body), tc.text) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain"):
			t.Errorf("%s: %d %q %s, want %d text %q", tc.name, r.status, r.header.Get("Content-Type"), r.body, tc.status, tc.text)
		}
	}
	if r := e.altinn("POST", ctChanges+"vendor?correlation-id="+client.NewUUID()+"&system-user-id="+su, e.token(ctTigerClient, []string{alScopeRequestWrite}, nil),
		map[string]any{"unwantedRights": ctKravRight()}); r.status != 401 {
		t.Errorf("another vendor: %d %s, want the bare 401", r.status, r.body)
	}
}

// extKeys are the extension keys a problem carries (AUTH-00063's
// NotFoundPackages).
func extKeys(r ctResp) []string {
	if strings.Contains(string(r.body), `"NotFoundPackages"`) {
		return []string{"NotFoundPackages"}
	}
	return nil
}

// TestContract16ChangeRequestReads: GET changerequest/vendor/{id} (CRC
// L205-228), .../vendor/byexternalref/{systemId}/{orgNo}/{externalRef}
// (L240-271, CRS L192-220: no package lists), .../{party}/{id} (L277-288),
// .../{id} (L294-305, CRS L890-962: ChangeRequestResponseInternal), and
// DELETE .../vendor/{id} (L413-423: 202, then AUTH-00010).
func TestContract16ChangeRequestReads(t *testing.T) {
	e := startContract(t)
	su := e.approvedUser("reads")
	corr := client.NewUUID()
	if r := e.change(corr, su, map[string]any{"unwantedRights": ctKravRight()}); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	read := e.vendor(alScopeRequestRead)
	if r := e.altinn("GET", ctChanges+"vendor/"+corr, read, nil); r.status != 200 || !slices.Equal(r.keys(t), ctChangeKeys) || r.obj(t)["timedOut"] != false {
		t.Errorf("vendor/{id}: %d %v", r.status, r.keys(t))
	}
	wantProblem(t, e.altinn("GET", ctChanges+"vendor/"+client.NewUUID(), read, nil), 404, "AUTH-00010")
	wantProblem(t, e.altinn("GET", ctChanges+"vendor/"+corr, e.token(ctTigerClient, []string{alScopeRequestRead}, nil), nil), 404, "AUTH-00011")
	byRef := e.altinn("GET", ctChanges+"vendor/byexternalref/"+ctSystem+"/"+OrgSubtilApe+"/reads", read, nil)
	if m := byRef.obj(t); byRef.status != 200 || m["id"] != corr || len(m["unwantedRights"].([]any)) != 1 || len(m["unwantedAccessPackages"].([]any)) != 0 {
		t.Errorf("byexternalref: %d %v", byRef.status, m)
	}
	stadig, dress := e.personal(PIDStadigKonsert), e.personal(PIDDressMinst)
	party := e.altinn("GET", ctChanges+strconv.Itoa(ctAPEParty)+"/"+corr, stadig, nil)
	if party.status != 200 || slices.Contains(party.keys(t), "confirmUrl") {
		t.Errorf("{party}/{id}: %d %v", party.status, party.keys(t))
	}
	internal := e.altinn("GET", ctChanges+corr, stadig, nil)
	want := []string{"id", "externalRef", "systemId", "systemUserId", "partyOrgNo", "partyId", "partyUuid", "requiredRights",
		"unwantedRights", "requiredAccessPackages", "unwantedAccessPackages", "status"}
	if internal.status != 200 || !slices.Equal(internal.keys(t), want) {
		t.Errorf("{id}: %d %v, want %v", internal.status, internal.keys(t), want)
	}
	wantProblem(t, e.altinn("GET", ctChanges+corr, dress, nil), 403, "AUTH-00066")
	if r := e.altinn("DELETE", ctChanges+"vendor/"+corr, e.vendor(alScopeRequestWrite), nil); r.status != 202 || len(r.body) != 0 {
		t.Errorf("delete: %d %q", r.status, r.body)
	}
	wantProblem(t, e.altinn("DELETE", ctChanges+"vendor/"+corr, e.vendor(alScopeRequestWrite), nil), 404, "AUTH-00010")
	wantProblem(t, e.altinn("GET", ctChanges+"vendor/"+corr, read, nil), 404, "AUTH-00010")
}

// TestContract16ChangeRequestDecisions: POST changerequest/{party}/{id}/
// approve and /reject (CRC L314-331, L390-407; CRS
// ApproveAndDelegateChangeOnSystemUser L311-447, RejectChangeOnSystemUser
// L450-464): approval changes what the system user may do, so the PDP's
// next decision follows, the token unchanged; a decided one is 409
// AUTH-00013; the confirm page decides the same way.
func TestContract16ChangeRequestDecisions(t *testing.T) {
	e := startContract(t)
	su := e.approvedUser("decide")
	if d := e.decide(su); d != pdpPermit {
		t.Fatalf("before: %s", d)
	}
	stadig := e.personal(PIDStadigKonsert)
	fewer := client.NewUUID()
	if r := e.change(fewer, su, map[string]any{"unwantedRights": ctKravRight()}); r.status != 201 {
		t.Fatal(r.status)
	}
	approve := func(id string) ctResp {
		return e.altinn("POST", fmt.Sprintf("%s%d/%s/approve", ctChanges, ctAPEParty, id), stadig, nil)
	}
	if r := approve(fewer); r.status != 200 || strings.TrimSpace(string(r.body)) != "true" {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if d := e.decide(su); d != pdpNotApplicable {
		t.Errorf("after the right was taken away: %s", d)
	}
	wantProblem(t, approve(fewer), 409, "AUTH-00013")
	if r := e.altinn("GET", ctChanges+"vendor/"+fewer, e.vendor(alScopeRequestRead), nil); r.obj(t)["status"] != "Accepted" {
		t.Errorf("status %v", r.obj(t)["status"])
	}
	rejected := client.NewUUID()
	if r := e.change(rejected, su, map[string]any{"requiredRights": ctKravRight()}); r.status != 201 {
		t.Fatal(r.status)
	}
	if r := e.altinn("POST", fmt.Sprintf("%s%d/%s/reject", ctChanges, ctAPEParty, rejected), stadig, nil); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if d := e.decide(su); d != pdpNotApplicable {
		t.Errorf("after a rejected change: %s", d)
	}
	if r := e.altinn("POST", fmt.Sprintf("%s%d/%s/approve", ctChanges, ctAPEParty, rejected), e.personal(PIDDressMinst), nil); r.status != 403 {
		t.Errorf("a person who is not DAGL: %d", r.status)
	}
	// The confirm page, as the person's browser uses it.
	more := client.NewUUID()
	cr := e.change(more, su, map[string]any{"requiredRights": ctKravRight()}).obj(t)
	portal := client.NewPortal(e.env.AltinnURL, e.hc)
	page, err := portal.ConfirmPage(context.Background(), cr["confirmUrl"].(string), PIDStadigKonsert)
	if err != nil || !strings.Contains(page, "right "+ResourceKravOgBetalinger) {
		t.Fatalf("confirm page: %v %s", err, page)
	}
	if _, err := portal.Decide(context.Background(), client.ConfirmAction{ConfirmURL: cr["confirmUrl"].(string), RequestID: more, PID: PIDStadigKonsert, Approve: true}); err != nil {
		t.Fatalf("approve on the page: %v", err)
	}
	if d := e.decide(su); d != pdpPermit {
		t.Errorf("after the right was asked for again: %s", d)
	}
}

// TestContract16ChangeRequestsBySystem: GET changerequest/vendor/bysystem/
// {systemId} (CRC L340-381, CRS L467-488) pages by id past the first page
// (the real one ignores its token and repeats its first page).
func TestContract16ChangeRequestsBySystem(t *testing.T) {
	e := startContract(t)
	su := e.approvedUser("list")
	var made []string
	for range 7 {
		corr := client.NewUUID()
		if r := e.change(corr, su, map[string]any{"unwantedRights": ctKravRight()}); r.status != 201 {
			t.Fatal(r.status)
		}
		made = append(made, corr)
	}
	items, pages := e.walk(ctChanges+"vendor/bysystem/"+ctSystem, e.vendor(alScopeRequestRead))
	var got []string
	for _, it := range items {
		got = append(got, it.(map[string]any)["id"].(string))
	}
	slices.Sort(made)
	if !slices.Equal(got, made) || pages != 2 {
		t.Errorf("%d pages %v, want %v", pages, got, made)
	}
	wantProblem(t, e.altinn("GET", ctChanges+"vendor/bysystem/"+OrgTiger+"_x", e.vendor(alScopeRequestRead), nil), 404, "AUTH-00011")
}

// TestContract16ChangeRequestBodyAndIDs: an explicit null list is MVC's
// implicit [Required] refusal (ChangeRequestSystemUser.cs L26-54, lists
// non-nullable under <Nullable>enable</Nullable>); a correlation-id of
// another vendor's live change request is ValidateStatus's AUTH-00007
// while it is New and AUTH-00061 once decided (CRS L105-119, L517);
// redirectUrl is trimmed (TrimStringsActionFilter, CRC L83) and "" is
// answered as "" (only null is left out).
func TestContract16ChangeRequestBodyAndIDs(t *testing.T) {
	e := startContract(t)
	su := e.approvedUser("ids")
	r := e.change(client.NewUUID(), su, map[string]any{"requiredRights": nil, "unwantedRights": ctKravRight()})
	if m := r.obj(t); r.status != 400 || m["title"] != "One or more validation errors occurred." ||
		!strings.Contains(fmt.Sprint(m["errors"]), "RequiredRights:[The RequiredRights field is required.]") {
		t.Errorf("a null list: %d %s, want the validation problem naming RequiredRights", r.status, r.body)
	}
	if r := e.change(client.NewUUID(), su, map[string]any{"unwantedRights": ctKravRight()}); r.status != 201 {
		t.Errorf("a list left out is []: %d %s", r.status, r.body)
	}

	corr := client.NewUUID()
	if r := e.change(corr, su, map[string]any{"unwantedRights": ctKravRight(), "redirectUrl": ""}); r.status != 201 || !strings.Contains(string(r.body), `"redirectUrl":""`) {
		t.Fatalf("redirectUrl \"\": %d %s, want it answered as \"\"", r.status, r.body)
	}
	// The change request becomes another vendor's.
	setChange := func(f func(c *altinnChangeRequest)) {
		e.env.mu.RLock()
		defer e.env.mu.RUnlock()
		a := e.env.world.al
		a.mu.Lock()
		defer a.mu.Unlock()
		f(a.changeRequests[corr])
	}
	setChange(func(c *altinnChangeRequest) { c.vendorOrgNo = OrgTiger })
	wantProblem(t, e.change(corr, su, map[string]any{"unwantedRights": ctKravRight()}), 400, "AUTH-00007")
	setChange(func(c *altinnChangeRequest) { c.status = reqStatusAccepted })
	wantProblem(t, e.change(corr, su, map[string]any{"unwantedRights": ctKravRight()}), 409, "AUTH-00061")

	empty := e.change(client.NewUUID(), su, map[string]any{"redirectUrl": "  https://smartcloud.example/receipt  "})
	if empty.obj(t)["redirectUrl"] != "https://smartcloud.example/receipt" {
		t.Errorf("NoChangeNeeded's redirectUrl: %s, want it trimmed", empty.body)
	}
}
