package standin

import (
	"strings"
	"testing"
	"time"
)

const customer = "310904473"

// TestStandardFlow walks the whole standard flow as a vendor would: the
// metadata, a vendor token, the system, the request, the person's approval,
// the system user token and the API.
func TestStandardFlow(t *testing.T) {
	w := Start(t, Options{})
	wk := call(t, w, "GET", w.MaskinportenURL+".well-known/oauth-authorization-server", "", nil).json(t)
	if wk["issuer"] != w.MaskinportenURL || wk["token_endpoint"] != w.MaskinportenURL+"token" || wk["jwks_uri"] != w.MaskinportenURL+"jwk" {
		t.Fatalf("well-known: %v", wk)
	}
	vendor := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	vc := claimsOf(t, vendor)
	if cons, _ := vc["consumer"].(map[string]any); cons["ID"] != "0192:"+w.VendorOrgNo || vc["client_id"] != w.ClientID {
		t.Fatalf("vendor token claims: %v", vc)
	}
	reg := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemregister/vendor", vendor, standardSystem(w))
	if reg.status != 200 || !strings.HasPrefix(string(reg.body), `"`) {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	created := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor", vendor, standardRequest(w, customer))
	if created.status != 201 {
		t.Fatalf("request: %d %s", created.status, created.body)
	}
	req := created.json(t)
	id, _ := req["id"].(string)
	if created.header.Get("Location") != w.AltinnURL+"authentication/api/v1/systemuser/request/"+id {
		t.Errorf("Location %q", created.header.Get("Location"))
	}
	wantConfirm := "https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=" + id + "&DONTCHOOSEREPORTEE=true"
	if req["status"] != "New" || req["confirmUrl"] != wantConfirm || req["externalRef"] != customer {
		t.Errorf("request body: %s", created.body)
	}
	status := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor/" + id
	got := call(t, w, "GET", status, vendor, nil)
	if m := got.json(t); got.status != 200 || m["status"] != "New" || m["timedOut"] != false || m["escalated"] != false || m["created"] == nil {
		t.Fatalf("status read: %d %s", got.status, got.body)
	}
	if err := w.Approve(id); err != nil {
		t.Fatal(err)
	}
	if m := call(t, w, "GET", status, vendor, nil).json(t); m["status"] != "Accepted" {
		t.Fatalf("after approval: %v", m)
	}
	su := call(t, w, "GET", w.AltinnURL+"authentication/api/v1/systemuser/vendor/byquery?system-id="+w.VendorOrgNo+"_smartcloud&orgno="+customer, vendor, nil)
	if m := su.json(t); su.status != 200 || m["id"] != id || m["userType"] != "standard" || m["supplierOrgno"] != w.VendorOrgNo {
		t.Fatalf("byquery: %d %s", su.status, su.body)
	}
	tok := accessToken(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(customer, ""))
	details, _ := claimsOf(t, tok)["authorization_details"].([]any)
	d, _ := details[0].(map[string]any)
	ids, _ := d["systemuser_id"].([]any)
	org, _ := d["systemuser_org"].(map[string]any)
	if len(ids) != 1 || ids[0] != id || d["system_id"] != w.VendorOrgNo+"_smartcloud" || org["ID"] != "0192:"+customer {
		t.Fatalf("system user token: %v", d)
	}
	api := call(t, w, "GET", w.SkatteetatenURL+"v1/regnskapssystem/"+customer+"/aapnekrav", tok, nil)
	if m := api.json(t); api.status != 200 || m["partIdentifikator"] != customer {
		t.Fatalf("aapnekrav: %d %s", api.status, api.body)
	}
	if other := call(t, w, "GET", w.SkatteetatenURL+"v1/regnskapssystem/313367002/aapnekrav", tok, nil); other.status != 403 {
		t.Errorf("another org's claims: %d %s", other.status, other.body)
	}
	for route, want := range map[string]int{
		"POST /token": 2, RouteRequestGet: 2, RouteRequestCreate: 1, RouteSystemCreate: 1, w.RouteKB(): 2,
	} {
		if n := w.Count(route); n != want {
			t.Errorf("Count(%q) = %d, want %d", route, n, want)
		}
	}
	snap := w.Registered()
	if len(snap.Systems) != 1 || len(snap.Requests) != 1 || len(snap.SystemUsers) != 1 || snap.SystemUsers[0].ID != id {
		t.Errorf("Registered: %+v", snap)
	}
}

// TestRepostAndWaysOn: a re-POST of the same triple answers 200 with the
// existing request whatever its status; after a rejection the two ways on
// are deleting the request or asking with a new externalRef; after an
// approval the re-POST is AUTH-00004.
func TestRepostAndWaysOn(t *testing.T) {
	w := Start(t, Options{})
	register(t, w, standardSystem(w))
	vendor := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	post := func(body map[string]any) reply {
		return call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor", vendor, body)
	}
	first := post(standardRequest(w, customer))
	id, _ := first.json(t)["id"].(string)
	if err := w.Reject(id); err != nil {
		t.Fatal(err)
	}
	if err := w.Approve(id); err == nil || !strings.Contains(err.Error(), "AUTH-00013") {
		t.Errorf("approving a rejected request: %v", err)
	}
	again := post(standardRequest(w, customer))
	if m := again.json(t); again.status != 200 || m["id"] != id || m["status"] != "Rejected" {
		t.Fatalf("re-POST after rejection: %d %s", again.status, again.body)
	}
	if r := tokenReply(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(customer, "").sign(t, w)); r.status != 400 ||
		r.json(t)["error"] != "invalid_altinn_customer_configuration" {
		t.Errorf("token without a system user: %d %s", r.status, r.body)
	}
	withRef := standardRequest(w, customer)
	withRef["externalRef"] = "second-try"
	if r := post(withRef); r.status != 201 || r.json(t)["externalRef"] != "second-try" {
		t.Errorf("a new externalRef: %d %s", r.status, r.body)
	}
	del := call(t, w, "DELETE", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/"+id, vendor, nil)
	if del.status != 202 || len(del.body) != 0 {
		t.Fatalf("delete: %d %s", del.status, del.body)
	}
	if r := call(t, w, "DELETE", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/"+id, vendor, nil); r.status != 404 || code(t, r) != "AUTH-00010" {
		t.Errorf("second delete: %d %s", r.status, r.body)
	}
	fresh := post(standardRequest(w, customer))
	newID, _ := fresh.json(t)["id"].(string)
	if fresh.status != 201 || newID == id {
		t.Fatalf("after delete: %d %s", fresh.status, fresh.body)
	}
	if err := w.Approve(newID); err != nil {
		t.Fatal(err)
	}
	if r := post(standardRequest(w, customer)); r.status != 400 || code(t, r) != "AUTH-00004" {
		t.Errorf("re-POST after approval: %d %s", r.status, r.body)
	}
	accessToken(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(customer, ""))
	if r := tokenReply(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(customer, "second-try").sign(t, w)); r.status != 400 {
		t.Errorf("token for the still pending externalRef: %d %s", r.status, r.body)
	}
}

// TestAgentFlow: the agent system, the facilitator's approval, the token
// naming the facilitator, and the API only for a delegated client.
func TestAgentFlow(t *testing.T) {
	const facilitator, client = "314250052", "310904473"
	w := Start(t, Options{})
	register(t, w, agentSystem(w))
	vendor := accessToken(t, w, newGrant(w, w.AgentClientID, vendorScopes))
	body := map[string]any{"systemId": w.VendorOrgNo + "_smartcloud_ap", "partyOrgNo": facilitator,
		"accessPackages": []any{map[string]string{"urn": "urn:altinn:accesspackage:ansvarlig-revisor"}},
		"redirectUrl":    "https://smartcloud.example/receipt"}
	created := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/agent", vendor, body)
	m := created.json(t)
	id, _ := m["id"].(string)
	if created.status != 201 || !strings.Contains(m["confirmUrl"].(string), "/systemuser/agentrequest?id="+id) || m["rights"] != nil {
		t.Fatalf("agent request: %d %s", created.status, created.body)
	}
	if r := call(t, w, "GET", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/"+id, vendor, nil); r.status != 404 || code(t, r) != "AUTH-00010" {
		t.Errorf("agent request read as a standard one: %d %s", r.status, r.body)
	}
	agentRead := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor/agent/" + id
	if r := call(t, w, "GET", agentRead, vendor, nil); r.status != 200 || r.json(t)["status"] != "New" {
		t.Fatalf("agent read: %d %s", r.status, r.body)
	}
	if err := w.Approve(id); err != nil {
		t.Fatal(err)
	}
	if err := w.DelegateClient(id, "999999999"); err == nil || !strings.Contains(err.Error(), "AUTH-00079") {
		t.Errorf("delegating an unknown client: %v", err)
	}
	tok := accessToken(t, w, newGrant(w, w.AgentClientID, scopeKB).forOrg(facilitator, ""))
	api := w.SkatteetatenURL + "v1/regnskapssystem/" + client + "/aapnekrav"
	if r := call(t, w, "GET", api, tok, nil); r.status != 403 {
		t.Errorf("before delegation: %d %s", r.status, r.body)
	}
	if err := w.DelegateClient(id, client); err != nil {
		t.Fatal(err)
	}
	if r := call(t, w, "GET", api, tok, nil); r.status != 200 {
		t.Errorf("after delegation: %d %s", r.status, r.body)
	}
	if r := tokenReply(t, w, newGrant(w, w.AgentClientID, scopeKB).forOrg(client, "").sign(t, w)); r.status != 400 ||
		r.json(t)["error"] != "invalid_altinn_customer_configuration" {
		t.Errorf("a grant naming the client, not the facilitator: %d %s", r.status, r.body)
	}
	if r := tokenReply(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(facilitator, "").sign(t, w)); r.status != 400 {
		t.Errorf("the standard client for the agent system user: %d %s", r.status, r.body)
	}
	if snap := w.Registered(); len(snap.SystemUsers) != 1 || !snap.SystemUsers[0].Agent || snap.SystemUsers[0].Clients[0] != client {
		t.Errorf("Registered: %+v", snap.SystemUsers)
	}
	// The vendor cannot delete it; its owner can, clients and all.
	if r := call(t, w, "DELETE", w.AltinnURL+"authentication/api/v1/systemuser/agent/51457050/"+id, vendor, nil); r.status != 403 {
		t.Errorf("vendor deletes the system user: %d %s", r.status, r.body)
	}
	if err := w.DeleteSystemUser(id); err != nil {
		t.Fatalf("deleting with a client delegated: %v", err)
	}
	if r := call(t, w, "GET", agentRead, vendor, nil); r.status != 404 {
		t.Errorf("its request after the delete: %d %s", r.status, r.body)
	}
	if r := call(t, w, "GET", api, tok, nil); r.status != 403 {
		t.Errorf("the old token after the delete: %d %s", r.status, r.body)
	}
	if r := tokenReply(t, w, newGrant(w, w.AgentClientID, scopeKB).forOrg(facilitator, "").sign(t, w)); r.status != 400 {
		t.Errorf("a token after the delete: %d %s", r.status, r.body)
	}
}

// TestOldRequest: after 180 days a request reads timedOut true, keeps its
// status New, comes back on a re-POST and can still be approved (spec
// Corrections 4).
func TestOldRequest(t *testing.T) {
	w := Start(t, Options{})
	_, status, id := pendingRequest(t, w)
	w.Advance(181 * 24 * time.Hour)
	vendor := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	if m := call(t, w, "GET", status, vendor, nil).json(t); m["timedOut"] != true || m["status"] != "New" {
		t.Errorf("after 181 days: %v", m)
	}
	again := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor", vendor, standardRequest(w, customer))
	if again.status != 200 || again.json(t)["id"] != id {
		t.Errorf("re-POST: %d %s", again.status, again.body)
	}
	if err := w.Approve(id); err != nil {
		t.Errorf("approving an old request: %v", err)
	}
	if r := call(t, w, "GET", w.AltinnURL+"authentication/api/v1/systemuser/request/"+id, vendor, nil); r.status != 403 {
		t.Errorf("the Location target with a vendor token: %d %s", r.status, r.body)
	}
}
