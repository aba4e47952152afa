package mock

import (
	"reflect"
	"strings"
	"testing"
)

// systemBody is a valid new SmartCloud system; edit changes it.
func systemBody(id string, edit func(map[string]any)) map[string]any {
	b := map[string]any{
		"id":          id,
		"vendor":      map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + OrgSmartCloud},
		"name":        map[string]any{"nb": "Test"},
		"description": map[string]any{"nb": "Test"},
		"rights": []any{map[string]any{"resource": []any{
			map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger},
		}}},
		"clientId":            []any{"client-for-" + id},
		"allowedRedirectUrls": []any{"https://vendor.example/done"},
	}
	if edit != nil {
		edit(b)
	}
	return b
}

func TestAltinnSystemRegisterValidation(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	right := func(id, value string) map[string]any {
		return map[string]any{"resource": []any{map[string]any{"id": id, "value": value}}}
	}
	pkg := func(urn string) map[string]any { return map[string]any{"urn": urn} }
	tests := []struct {
		name   string
		edit   func(map[string]any)
		status int
		codes  []string
	}{
		{"valid", nil, 200, nil},
		{"vendor not 0192", func(b map[string]any) { b["vendor"] = map[string]any{"ID": "9908:" + OrgSmartCloud} }, 400, []string{"AUTH.VLD-00000"}},
		{"vendor without prefix", func(b map[string]any) { b["vendor"] = map[string]any{"ID": OrgSmartCloud} }, 400, []string{"AUTH.VLD-00000"}},
		{"id of another org", func(b map[string]any) { b["id"] = "123456789_test" }, 400, []string{"AUTH.VLD-00001"}},
		{"id without name", func(b map[string]any) { b["id"] = OrgSmartCloud }, 400, []string{"AUTH.VLD-00001"}},
		{"id exists", func(b map[string]any) { b["id"] = atSystem }, 400, []string{"AUTH.VLD-00002"}},
		{"unknown resource", func(b map[string]any) { b["rights"] = []any{right("urn:altinn:resource", "no-such-resource")} }, 400, []string{"AUTH.VLD-00003"}},
		{"client id of another system", func(b map[string]any) { b["clientId"] = []any{atClient} }, 400, []string{"AUTH.VLD-00004"}},
		{"http redirect", func(b map[string]any) { b["allowedRedirectUrls"] = []any{"http://vendor.example/done"} }, 400, []string{"AUTH.VLD-00005"}},
		{"relative redirect", func(b map[string]any) { b["allowedRedirectUrls"] = []any{"/done"} }, 400, []string{"AUTH.VLD-00005"}},
		{"duplicate rights", func(b map[string]any) {
			r := right("urn:altinn:resource", ResourceKravOgBetalinger)
			b["rights"] = []any{r, r}
		}, 400, []string{"AUTH.VLD-00006"}},
		{"duplicate packages", func(b map[string]any) {
			b["accessPackages"] = []any{pkg(atPackageRevisor), pkg(atPackageRevisor)}
			b["isVisible"] = false
		}, 400, []string{"AUTH.VLD-00007"}},
		{"client packages on a visible system", func(b map[string]any) { b["accessPackages"] = []any{pkg(atPackageRevisor)} }, 400, []string{"AUTH.VLD-00018"}},
		{"client packages, isVisible false", func(b map[string]any) {
			b["accessPackages"] = []any{pkg(atPackageRevisor)}
			b["isVisible"] = false
		}, 200, nil},
		{"a directly assignable package on a visible system", func(b map[string]any) { b["accessPackages"] = []any{pkg("urn:altinn:accesspackage:skatt-naering")} }, 200, nil},
		{"unknown package", func(b map[string]any) { b["accessPackages"] = []any{pkg("urn:altinn:accesspackage:no-such-package")} }, 400, []string{"AUTH.VLD-00008"}},
		{"package not a URN", func(b map[string]any) { b["accessPackages"] = []any{pkg("ansvarlig-revisor")} }, 400, []string{"AUTH.VLD-00008"}},
		{"resource id attribute", func(b map[string]any) { b["rights"] = []any{right("urn:altinn:app", ResourceKravOgBetalinger)} }, 400, []string{"AUTH.VLD-00009"}},
		{"duplicate client ids", func(b map[string]any) { b["clientId"] = []any{"c-1", "C-1"} }, 400, []string{"AUTH.VLD-00011"}},
		{"space in id", func(b map[string]any) { b["id"] = OrgSmartCloud + "_smart cloud" }, 400, []string{"AUTH.VLD-00013"}},
		{"several at once", func(b map[string]any) {
			b["id"] = "123456789_a b"
			b["allowedRedirectUrls"] = []any{"ftp://x"}
		}, 400, []string{"AUTH.VLD-00013", "AUTH.VLD-00001", "AUTH.VLD-00005"}},
		{"another vendor", func(b map[string]any) {
			b["vendor"] = map[string]any{"ID": "0192:" + OrgTiger}
			b["id"] = OrgTiger + "_test"
		}, 403, nil},
		{"ownership before validation errors", func(b map[string]any) {
			b["vendor"] = map[string]any{"ID": "0192:" + OrgTiger}
		}, 403, nil},
		{"not JSON", func(b map[string]any) { b["id"] = 12 }, 400, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := systemBody(OrgSmartCloud+"_valid"+strings.Repeat("x", i), tc.edit)
			r := e.do("POST", "authentication/api/v1/systemregister/vendor", e.vendorToken(alScopeSystemRegisterWrite), body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 200 {
				if id, ok := r.json(t).(string); !ok || !altinnUUIDRE.MatchString(id) {
					t.Errorf("answer %s is not the new system's GUID", r.body)
				}
				return
			}
			if tc.codes == nil {
				return
			}
			if got := r.codes(t); !reflect.DeepEqual(got, tc.codes) {
				t.Errorf("codes %v, want %v: %s", got, tc.codes, r.body)
			}
			m := r.obj(t)
			if m["code"] != "STD-00000" || m["title"] != "One or more validation errors occurred." || m["type"] != "urn:altinn:error:STD-00000" {
				t.Errorf("problem %v", m)
			}
			first := m["validationErrors"].([]any)[0].(map[string]any)
			if first["title"] == "" || len(first["paths"].([]any)) == 0 {
				t.Errorf("validation error lacks title or paths: %v", first)
			}
		})
	}
}

func TestAltinnSystemRegisterLifecycle(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	tok := e.vendorToken(alScopeSystemRegisterWrite)
	const base = "authentication/api/v1/systemregister/vendor/"

	got := e.do("GET", base+atSystem, tok, nil)
	if got.status != 200 {
		t.Fatalf("get: %d %s", got.status, got.body)
	}
	sys := got.obj(t)
	if !reflect.DeepEqual(sys["vendor"], map[string]any{"ID": "0192:" + OrgSmartCloud}) {
		t.Errorf("vendor %v: want ID without authority", sys["vendor"])
	}
	for _, k := range []string{"id", "vendor", "name", "description", "rights", "accessPackages", "isDeleted", "clientId", "isVisible", "allowedRedirectUrls"} {
		if _, ok := sys[k]; !ok {
			t.Errorf("key %s missing", k)
		}
	}
	if len(sys) != 10 {
		t.Errorf("%d keys: %v", len(sys), sys)
	}
	if r := e.do("GET", base+atSystem, e.mp.orgToken(t, OrgTiger, alScopeSystemRegisterWrite), nil); r.status != 403 {
		t.Errorf("another vendor: %d", r.status)
	}
	if r := e.do("GET", base+"991825827_nope", tok, nil); r.status != 404 {
		t.Errorf("unknown: %d", r.status)
	}
	list := e.do("GET", "authentication/api/v1/systemregister/vendor", tok, nil).json(t).([]any)
	if len(list) != 2 || list[0].(map[string]any)["systemId"] != atSystem {
		t.Errorf("list %v", list)
	}

	update := systemBody(atSystem, func(b map[string]any) {
		b["clientId"] = []any{atClient, "second-client"}
		b["allowedRedirectUrls"] = []any{atRedirect}
	})
	if r := e.do("PUT", base+atSystem, tok, update); r.status != 200 || r.obj(t)["succeeded"] != true {
		t.Errorf("update: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", base+atAgentSystem, tok, update); r.status != 400 || r.code(t) != "AUTH.VLD-00012" {
		t.Errorf("id mismatch: %d %s", r.status, r.body)
	}
	rights := []any{map[string]any{"action": "read", "resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	if r := e.do("PUT", base+atSystem+"/rights", tok, rights); r.status != 200 {
		t.Errorf("rights: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", base+atSystem+"/rights", tok, []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "nope"}}}}); r.code(t) != "AUTH.VLD-00003" {
		t.Errorf("bad rights: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", base+atAgentSystem+"/accesspackages", tok, []any{map[string]any{"urn": "urn:altinn:accesspackage:x"}}); r.code(t) != "AUTH.VLD-00008" {
		t.Errorf("bad packages: %d %s", r.status, r.body)
	}

	// Soft delete: still there, marked; its system users no longer resolve.
	lookup := func() int {
		return e.do("GET", "authentication/api/v1/systemuser/byExternalId?clientId="+atClient+"&systemProviderOrgNo="+OrgSmartCloud+"&systemUserOwnerOrgNo="+OrgSubtilApe,
			e.mp.orgToken(t, OrgDigdir, alScopeSystemUserLookup), nil).status
	}
	if s := lookup(); s != 200 {
		t.Fatalf("lookup before delete: %d", s)
	}
	if r := e.do("DELETE", base+atSystem, e.mp.orgToken(t, OrgTiger, alScopeSystemRegisterWrite), nil); r.status != 403 {
		t.Errorf("delete by another vendor: %d", r.status)
	}
	if r := e.do("DELETE", base+atSystem, tok, nil); r.status != 200 || r.obj(t)["succeeded"] != true {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", base+"991825827_nope", tok, nil); r.status != 400 {
		t.Errorf("delete unknown: %d %s", r.status, r.body)
	}
	if e.do("GET", base+atSystem, tok, nil).obj(t)["isDeleted"] != true {
		t.Error("not marked deleted")
	}
	if s := lookup(); s != 404 {
		t.Errorf("lookup after delete: %d", s)
	}
	if r := e.do("PUT", base+atSystem, tok, update); r.status != 400 {
		t.Errorf("update deleted: %d %s", r.status, r.body)
	}
	// The id stays taken; the client id is free again.
	if r := e.do("POST", "authentication/api/v1/systemregister/vendor", tok, systemBody(atSystem, nil)); r.code(t) != "AUTH.VLD-00002" {
		t.Errorf("re-register: %s", r.body)
	}
	if r := e.do("POST", "authentication/api/v1/systemregister/vendor", tok, systemBody(OrgSmartCloud+"_new", func(b map[string]any) { b["clientId"] = []any{atClient} })); r.status != 200 {
		t.Errorf("reuse client id of a deleted system: %d %s", r.status, r.body)
	}
	if list := e.do("GET", "authentication/api/v1/systemregister/vendor", tok, nil).json(t).([]any); len(list) != 2 {
		t.Errorf("list after delete: %v", list)
	}
}
