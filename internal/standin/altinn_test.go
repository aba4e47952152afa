package standin

import (
	"strings"
	"testing"
)

func TestSystemRegister(t *testing.T) {
	w := Start(t, Options{})
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	base := w.AltinnURL + "authentication/api/v1/systemregister/vendor"
	sys := standardSystem(w)
	if r := call(t, w, "POST", base, tok, sys); r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	got := call(t, w, "GET", base+"/"+w.VendorOrgNo+"_smartcloud", tok, nil)
	if !strings.Contains(string(got.body), `"vendor":{"ID":"0192:`+w.VendorOrgNo+`"}`) ||
		!strings.Contains(string(got.body), `"name":{"en":"SmartCloud","nb":"SmartCloud","nn":"SmartCloud"}`) ||
		!strings.Contains(string(got.body), `"isDeleted":false`) {
		t.Errorf("GET body: %s", got.body)
	}
	cases := []struct {
		name   string
		change func(map[string]any)
		status int
		code   string
	}{
		{"same id", func(map[string]any) {}, 400, "AUTH.VLD-00002"},
		{"not 0192", func(m map[string]any) { m["vendor"] = map[string]string{"ID": "9908:" + w.VendorOrgNo} }, 400, "AUTH.VLD-00000"},
		{"foreign vendor", func(m map[string]any) {
			m["vendor"] = map[string]string{"ID": "0192:313367002"}
			m["id"] = "313367002_x"
		}, 403, ""},
		{"id without the org", func(m map[string]any) { m["id"] = "123_smart"; m["clientId"] = []string{} }, 400, "AUTH.VLD-00001"},
		{"client id taken", func(m map[string]any) { m["id"] = w.VendorOrgNo + "_other" }, 400, "AUTH.VLD-00004"},
		{"http redirect", func(m map[string]any) {
			m["id"] = w.VendorOrgNo + "_other"
			m["clientId"] = []string{}
			m["allowedRedirectUrls"] = []string{"http://smartcloud.example/"}
		}, 400, "AUTH.VLD-00005"},
		{"unknown resource", func(m map[string]any) {
			m["id"] = w.VendorOrgNo + "_other"
			m["clientId"] = []string{}
			m["rights"] = []any{map[string]any{"resource": []any{map[string]string{"id": "urn:altinn:resource", "value": "nope"}}}}
		}, 400, "AUTH.VLD-00003"},
		{"visible with a client package", func(m map[string]any) {
			m["id"] = w.VendorOrgNo + "_other"
			m["clientId"] = []string{}
			m["isVisible"] = true
			m["accessPackages"] = []any{map[string]string{"urn": "urn:altinn:accesspackage:ansvarlig-revisor"}}
		}, 400, "AUTH.VLD-00018"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := standardSystem(w)
			tc.change(body)
			r := call(t, w, "POST", base, tok, body)
			if r.status != tc.status || (tc.code != "" && code(t, r) != tc.code) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if tc.status == 403 && len(r.body) != 0 {
				t.Errorf("403 with a body: %s", r.body)
			}
			if tc.code != "" && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestSystemUpdateAndDelete(t *testing.T) {
	w := Start(t, Options{})
	register(t, w, standardSystem(w))
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	one := w.AltinnURL + "authentication/api/v1/systemregister/vendor/" + w.VendorOrgNo + "_smartcloud"
	reqs := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor"
	changed := standardRequest(w, customer)
	changed["redirectUrl"] = "https://smartcloud.example/new-receipt"
	if r := call(t, w, "POST", reqs, tok, changed); r.status != 400 || code(t, r) != "AUTH-00021" {
		t.Fatalf("unregistered redirect: %d %s", r.status, r.body)
	}
	withQuery := standardRequest(w, customer)
	withQuery["redirectUrl"] = "https://smartcloud.example/receipt?state=1"
	withQuery["externalRef"] = "q"
	if r := call(t, w, "POST", reqs, tok, withQuery); r.status != 201 {
		t.Errorf("a query on an allowed URL: %d %s", r.status, r.body)
	}
	sys := standardSystem(w)
	sys["allowedRedirectUrls"] = []string{"https://smartcloud.example/new-receipt"}
	if r := call(t, w, "PUT", one, tok, sys); r.status != 200 || string(r.body) != `{"succeeded":true}` {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	if r := call(t, w, "POST", reqs, tok, changed); r.status != 201 {
		t.Errorf("after the update: %d %s", r.status, r.body)
	}
	sys["id"] = "other"
	if r := call(t, w, "PUT", one, tok, sys); r.status != 400 || code(t, r) != "AUTH.VLD-00012" {
		t.Errorf("PUT with another id: %d %s", r.status, r.body)
	}
	if r := call(t, w, "PUT", one+"x", tok, standardSystem(w)); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("PUT of an unknown system: %d %s", r.status, r.body)
	}
	if r := call(t, w, "DELETE", one, tok, nil); r.status != 200 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	if r := call(t, w, "GET", one, tok, nil); r.status != 200 || r.json(t)["isDeleted"] != true {
		t.Errorf("GET after delete: %d %s", r.status, r.body)
	}
	if r := call(t, w, "PUT", one, tok, standardSystem(w)); r.status != 400 || string(r.body) != "Cannot update a system marked as deleted." {
		t.Errorf("PUT after delete: %d %s", r.status, r.body)
	}
	other := standardSystem(w)
	other["id"] = w.VendorOrgNo + "_reborn"
	if r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemregister/vendor", tok, other); r.status != 200 {
		t.Errorf("the deleted system's client id is free again: %d %s", r.status, r.body)
	}
	if snap := w.Registered(); len(snap.Systems) != 2 || !snap.Systems[0].Deleted || snap.Systems[1].Deleted {
		t.Errorf("Registered: %+v", snap.Systems)
	}
}

func TestRequestValidation(t *testing.T) {
	w := Start(t, Options{})
	register(t, w, standardSystem(w))
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	reqs := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor"
	cases := []struct {
		name   string
		change func(map[string]any)
		status int
		code   string
	}{
		{"unknown system", func(m map[string]any) { m["systemId"] = w.VendorOrgNo + "_nope" }, 404, "AUTH-00011"},
		{"unknown party", func(m map[string]any) { m["partyOrgNo"] = "999999999" }, 400, "AUTH-00000"},
		{"no rights, no packages", func(m map[string]any) { delete(m, "rights") }, 400, "AUTH-00001"},
		{"both empty", func(m map[string]any) { m["rights"] = []any{}; m["accessPackages"] = []any{} }, 400, "AUTH-00059"},
		{"right not on the system", func(m map[string]any) {
			m["rights"] = []any{map[string]any{"resource": []any{map[string]string{"id": "urn:altinn:resource", "value": "other"}}}}
		}, 400, "AUTH-00001"},
		{"package not on the system", func(m map[string]any) {
			m["accessPackages"] = []any{map[string]string{"urn": "urn:altinn:accesspackage:skatt-naering"}}
		}, 400, "AUTH-00063"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := standardRequest(w, customer)
			tc.change(body)
			if r := call(t, w, "POST", reqs, tok, body); r.status != tc.status || code(t, r) != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}
	writeOnly := accessToken(t, w, newGrant(w, w.ClientID, scopeRequestWrite))
	if r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor/agent", writeOnly,
		map[string]any{"systemId": w.VendorOrgNo + "_smartcloud", "partyOrgNo": customer, "accessPackages": []any{}}); r.status != 400 || code(t, r) != "AUTH-00058" {
		t.Errorf("agent request without packages: %d %s", r.status, r.body)
	}
}

// TestGUIDForms: .NET's Guid binding takes braces and no hyphens, and
// ASP.NET routes a trailing slash (spec Corrections 16).
func TestGUIDForms(t *testing.T) {
	w := Start(t, Options{})
	tok, status, id := pendingRequest(t, w)
	base := strings.TrimSuffix(status, id)
	for _, form := range []string{"{" + id + "}", "%7B" + id + "%7D", strings.ReplaceAll(id, "-", ""), strings.ToUpper(id), id + "/"} {
		if r := call(t, w, "GET", base+form, tok, nil); r.status != 200 || r.json(t)["id"] != id {
			t.Errorf("%s: %d %s", form, r.status, r.body)
		}
	}
	if r := call(t, w, "GET", base+"not-a-guid", tok, nil); r.status != 400 {
		t.Errorf("not a GUID: %d %s", r.status, r.body)
	}
	doubled := strings.Replace(status, "/authentication/", "//authentication/", 1)
	if r := call(t, w, "GET", doubled, tok, nil); r.status != 200 {
		t.Errorf("a doubled slash: %d %s", r.status, r.body)
	}
}

func TestPagedLists(t *testing.T) {
	w := Start(t, Options{PageSize: 2, Orgs: []string{"310904473", "313367002", "311851381", "314961900", "314055403"}})
	register(t, w, standardSystem(w))
	tok := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	reqs := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor"
	for _, org := range []string{"310904473", "313367002", "311851381", "314961900", "314055403"} {
		r := call(t, w, "POST", reqs, tok, standardRequest(w, org))
		id, _ := r.json(t)["id"].(string)
		if err := w.Approve(id); err != nil {
			t.Fatal(err)
		}
	}
	for _, first := range []string{reqs + "/bysystem/" + w.VendorOrgNo + "_smartcloud",
		w.AltinnURL + "authentication/api/v1/systemuser/vendor/bysystem/" + w.VendorOrgNo + "_smartcloud"} {
		seen := map[string]bool{}
		pages := 0
		for next := first; next != ""; pages++ {
			m := call(t, w, "GET", next, tok, nil).json(t)
			data, _ := m["data"].([]any)
			for _, d := range data {
				seen[d.(map[string]any)["id"].(string)] = true
			}
			links, _ := m["links"].(map[string]any)
			next, _ = links["next"].(string)
			if pages > 5 {
				t.Fatal("no end to the pages")
			}
		}
		// The request list loses the first item of every next page, as
		// the real one does; the system user list does not.
		want := map[bool][2]int{true: {4, 2}, false: {5, 3}}[strings.Contains(first, "/request/")]
		if len(seen) != want[0] || pages != want[1] {
			t.Errorf("%s: %d items in %d pages, want %v", first, len(seen), pages, want)
		}
	}
}

// TestForeignSystemRequest: for another vendor's system the re-POST answer
// does not apply, and ValidateExternalRequestId names the existing
// request's status before the vendor check answers AUTH-00011.
func TestForeignSystemRequest(t *testing.T) {
	w := Start(t, Options{Scopes: []string{scopeRegisterAdmin, scopeRequestWrite, scopeRequestRead}})
	admin := accessToken(t, w, newGrant(w, w.ClientID, scopeRegisterAdmin+" "+scopeRequestWrite))
	foreign := standardSystem(w)
	foreign["id"], foreign["vendor"], foreign["clientId"] = "313367002_other", map[string]string{"ID": "0192:313367002"}, []string{}
	if r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemregister/vendor", admin, foreign); r.status != 200 {
		t.Fatalf("admin registers for another vendor: %d %s", r.status, r.body)
	}
	body := standardRequest(w, customer)
	body["systemId"] = "313367002_other"
	reqs := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor"
	if r := call(t, w, "POST", reqs, admin, body); r.status != 404 || code(t, r) != "AUTH-00011" {
		t.Errorf("a request for another vendor's system: %d %s", r.status, r.body)
	}
	w.mu.Lock()
	w.state.requests = append(w.state.requests, &request{id: newGUID(), systemID: "313367002_other", partyOrgNo: customer,
		externalRef: customer, status: StatusNew, created: w.opts.Now()})
	w.mu.Unlock()
	if r := call(t, w, "POST", reqs, admin, body); r.status != 400 || code(t, r) != "AUTH-00007" {
		t.Errorf("with that vendor's request pending: %d %s", r.status, r.body)
	}
}
