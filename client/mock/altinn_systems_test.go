package mock

import (
	"bytes"
	"mime/multipart"
	"reflect"
	"strings"
	"testing"
)

// xacmlPolicy is a small Altinn-style XACML 3.0 policy: the auditor
// package may read, a Deny rule that must be ignored.
const xacmlPolicy = `<?xml version="1.0" encoding="utf-8"?>
<xacml:Policy xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17" PolicyId="urn:altinn:policyid:1" RuleCombiningAlgId="urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:deny-overrides" Version="1.0">
  <xacml:Target/>
  <xacml:Rule RuleId="urn:altinn:resource:test:ruleid:1" Effect="Permit">
    <xacml:Target>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:3.0:function:string-equal-ignore-case">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">revisormedarbeider</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:accesspackage" Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">read</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:oasis:names:tc:xacml:1.0:action:action-id" Category="urn:oasis:names:tc:xacml:3.0:attribute-category:action" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
    </xacml:Target>
  </xacml:Rule>
  <xacml:Rule RuleId="urn:altinn:resource:test:ruleid:2" Effect="Deny">
    <xacml:Target><xacml:AnyOf><xacml:AllOf>
      <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
        <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">urn:altinn:accesspackage:toll</xacml:AttributeValue>
        <xacml:AttributeDesignator AttributeId="urn:altinn:accesspackage" Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" DataType="http://www.w3.org/2001/XMLSchema#string"/>
      </xacml:Match>
    </xacml:AllOf></xacml:AnyOf></xacml:Target>
  </xacml:Rule>
</xacml:Policy>`

func TestAltinnXACMLParse(t *testing.T) {
	rules, err := parseXACMLPolicy(strings.NewReader(xacmlPolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := []xacmlRule{{Packages: []string{"urn:altinn:accesspackage:revisormedarbeider"}, Actions: []string{"read"}}}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("rules %+v, want %+v", rules, want)
	}
	for _, bad := range []string{"", "<html><body>not xacml</body></html>", "<Policy><Rule>"} {
		if _, err := parseXACMLPolicy(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func multipartPolicy(t *testing.T, field, content string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "policy.xml")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestAltinnResourceRegistry(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(false))
	ske := e.mp.orgToken(t, OrgSkatteetaten, alScopeResourceWrite)
	resource := func(id, owner string) map[string]any {
		return map[string]any{
			"identifier": id, "title": map[string]any{"nb": "Test"},
			"hasCompetentAuthority": map[string]any{"organization": owner, "orgcode": "skd"},
			"resourceType":          "GenericAccessResource",
		}
	}
	const path = "resourceregistry/api/v1/resource"
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"created", ske, resource("ske-test", OrgSkatteetaten), 201},
		{"exists", ske, resource("ske-test", OrgSkatteetaten), 409},
		{"another org's resource", ske, resource("ske-other", OrgSmartCloud), 403},
		{"no identifier", ske, resource("", OrgSkatteetaten), 400},
		{"no scope", e.mp.orgToken(t, OrgSkatteetaten, alScopeAuthorize), resource("ske-x", OrgSkatteetaten), 403},
		{"no token", "", resource("ske-y", OrgSkatteetaten), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.do("POST", path, tc.token, tc.body); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
	if got := e.do("GET", path+"/ske-test", "", nil); got.status != 200 || got.obj(t)["identifier"] != "ske-test" {
		t.Errorf("get: %d %s", got.status, got.body)
	}
	if got := e.do("GET", path+"/"+ResourceKravOgBetalinger, "", nil).obj(t); got["resourceReferences"] == nil {
		t.Errorf("seeded resource lacks its scope reference: %v", got)
	}
	if got := e.do("GET", path+"/nope", "", nil); got.status != 404 {
		t.Errorf("unknown: %d", got.status)
	}

	post := func(id, field, content, token string) altinnResp {
		body, ctype := multipartPolicy(t, field, content)
		return e.do("POST", path+"/"+id+"/policy", token, body, "Content-Type", ctype)
	}
	for _, tc := range []struct {
		name, id, field, content, token string
		status                          int
	}{
		{"policy", "ske-test", "policyFile", xacmlPolicy, ske, 201},
		{"wrong field", "ske-test", "file", xacmlPolicy, ske, 400},
		{"not XACML", "ske-test", "policyFile", "<html/>", ske, 400},
		{"unknown resource", "nope", "policyFile", xacmlPolicy, ske, 404},
		{"another owner", "ske-test", "policyFile", xacmlPolicy, e.mp.orgToken(t, OrgSmartCloud, alScopeResourceWrite), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := post(tc.id, tc.field, tc.content, tc.token); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
	subjects := e.do("GET", path+"/ske-test/policy/subjects", "", nil).json(t).([]any)
	if len(subjects) != 1 || subjects[0].(map[string]any)["urn"] != "urn:altinn:accesspackage:revisormedarbeider" {
		t.Errorf("subjects %v", subjects)
	}
	// A resource that may not be delegated cannot be a system's right.
	closed := resource("ske-closed", OrgSkatteetaten)
	closed["delegable"] = false
	if r := e.do("POST", path, ske, closed); r.status != 201 {
		t.Fatalf("create undelegable: %d %s", r.status, r.body)
	}
	undelegable := systemBody("991825827_closed", func(b map[string]any) {
		b["rights"] = []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "ske-closed"}}}}
	})
	if r := e.do("POST", "authentication/api/v1/systemregister/vendor", e.vendorToken(alScopeSystemRegisterWrite), undelegable); r.code(t) != "AUTH.VLD-00017" {
		t.Errorf("undelegable resource: %d %s", r.status, r.body)
	}
	// A package named by a policy becomes one a system may list.
	sys := systemBody("991825827_pkg", nil)
	sys["accessPackages"] = []any{map[string]any{"urn": "urn:altinn:accesspackage:revisormedarbeider"}}
	sys["isVisible"] = false
	if r := e.do("POST", "authentication/api/v1/systemregister/vendor", e.vendorToken(alScopeSystemRegisterWrite), sys); r.status != 200 {
		t.Errorf("system with the policy's package: %d %s", r.status, r.body)
	}
}

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

func TestAltinnSeedErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Seed)
		want []string
	}{
		{"invalid system", func(s *Seed) { s.Systems[1]["id"] = "123_x" }, []string{"systems (", "AUTH.VLD-00001"}},
		{"system with unknown resource", func(s *Seed) {
			s.Systems[0]["rights"] = []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": "x"}}}}
		}, []string{"systems (", "AUTH.VLD-00003"}},
		{"system user of an unknown system", func(s *Seed) { s.SystemUsers[0].SystemID = "991825827_nope" }, []string{"systemUsers (", "991825827_nope"}},
		{"system user for an unknown org", func(s *Seed) { s.SystemUsers[1].PartyOrgNo = "999999999" }, []string{"systemUsers (", "999999999"}},
		{"duplicate system user", func(s *Seed) {
			s.SystemUsers = append(s.SystemUsers, SeedSystemUser{SystemID: atSystem, PartyOrgNo: OrgSubtilApe})
		}, []string{"systemUsers (", "already exists"}},
		{"delegation without the role", func(s *Seed) {
			s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSmartCloud}}
		}, []string{"clientDelegations (", "role"}},
		{"role for an unknown org", func(s *Seed) { s.Roles = append(s.Roles, Role{From: PIDDressMinst, To: "123456789", Code: "DAGL"}) }, []string{"roles ("}},
		{"org number of eight digits", func(s *Seed) { s.Orgs = append(s.Orgs, Org{OrgNo: "12345678", Name: "X"}) }, []string{"orgs (", "nine digits"}},
		{"party id taken", func(s *Seed) { s.Orgs = append(s.Orgs, Org{OrgNo: "123456789", Name: "X", PartyID: 51390520}) }, []string{"orgs (", "310904473"}},
		{"person without a name", func(s *Seed) { s.Persons = append(s.Persons, Person{PID: "01010112345"}) }, []string{"persons ("}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := altinnTestSeed(true)
			tc.edit(&s)
			a, err := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Seed(s)
			if err == nil {
				t.Fatal("seed accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// A valid seed with a delegation, and the defaults of a system user.
	s := altinnTestSeed(true)
	s.Delegations = []SeedDelegation{{SystemUserID: atAgentUser, ClientOrgNo: OrgSubtilApe}}
	s.SystemUsers = append(s.SystemUsers, SeedSystemUser{SystemID: atSystem, PartyOrgNo: OrgTiger})
	a, _ := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
	if err := a.Seed(s); err != nil {
		t.Fatalf("seed: %v", err)
	}
	u := a.systemUserByTriple(atSystem, OrgTiger, OrgTiger)
	if u == nil || u.userType != "standard" || !altinnUUIDRE.MatchString(u.id) || len(u.rights) != 1 || u.integrationTitle != "SmartCloud 1" {
		t.Errorf("defaults: %+v", u)
	}
	if !a.systemUsers[atAgentUser].clients[OrgSubtilApe] {
		t.Error("delegation not applied")
	}
	// An org without party ids gets stable ones.
	if err := a.Seed(Seed{Orgs: []Org{{OrgNo: "123456789", Name: "NY AS"}}}); err != nil {
		t.Fatal(err)
	}
	o := a.orgs["123456789"]
	b, _ := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Key: mustKey("altinn")})
	_ = b.Seed(Seed{Orgs: []Org{{OrgNo: "123456789", Name: "NY AS"}}})
	if o.PartyID == 0 || !altinnUUIDRE.MatchString(o.PartyUUID) || b.orgs["123456789"] != o {
		t.Errorf("derived party ids %+v vs %+v", o, b.orgs["123456789"])
	}
	// Seeding again replaces rather than fails.
	if err := a.Seed(s); err != nil {
		t.Errorf("seed twice: %v", err)
	}
}
