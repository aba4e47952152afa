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
	for _, bad := range []string{"", "<html><body>not xacml</body></html>", "<Policy><Rule>",
		// Found by FuzzAltinnXACMLPolicy: a rule without Effect granted its package.
		`<Policy><Rule><Match><AttributeValue>0<AttributeDesignator AttributeId="urn:altinn:accesspackage"></Policy>`,
		`<Policy><Rule Effect="Allow"></Rule></Policy>`,
		// Found by FuzzAltinnXACMLPolicy: an unclosed AttributeValue ran on into the next element's text.
		`<Policy><Rule Effect="Permit"><Match><AttributeValue>00<AttributeDesignator AttributeId="urn:altinn:accesspackage">0</Policy>`} {
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
