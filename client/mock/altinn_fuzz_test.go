package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Fuzz targets for what the mock Altinn reads from outside (the JSON and
// form bodies of its handlers, XACML policies) and for the seed file. See
// maskinporten_fuzz_test.go for how to run them.

// fuzzAltinnRoutes are Altinn's handlers that read a body, with the token
// each needs: 0 the vendor's, 1 Skatteetaten's (exchanged, for the PDP
// and the resource registry), 2 the person's session cookie (the login
// and confirm pages' forms, posted from the portal's own origin).
var fuzzAltinnRoutes = []struct {
	method, path string
	token        int
	form         bool
}{
	{"POST", "authentication/api/v1/systemregister/vendor", 0, false},
	{"PUT", "authentication/api/v1/systemregister/vendor/" + atSystem, 0, false},
	{"PUT", "authentication/api/v1/systemregister/vendor/" + atSystem + "/rights", 0, false},
	{"PUT", "authentication/api/v1/systemregister/vendor/" + atAgentSystem + "/accesspackages", 0, false},
	{"POST", "authentication/api/v1/systemuser/request/vendor", 0, false},
	{"POST", "authentication/api/v1/systemuser/request/vendor/agent", 0, false},
	{"POST", "authorization/api/v1/authorize", 1, false},
	{"POST", "resourceregistry/api/v1/resource", 1, false},
	{"POST", "accessmanagement/ui/systemuser/request/approve", 2, true},
	{"POST", "accessmanagement/ui/login", 2, true},
}

// FuzzAltinnBodies sends any body to Altinn's handlers that read one, with
// a token they accept: never a 5xx, and an answer that says it is JSON is
// JSON. The world is one per fuzzing process, so state builds up as it
// would in a long `serve`.
func FuzzAltinnBodies(f *testing.F) {
	e := newAltinnTestEnv(f, altinnTestSeed(true))
	pinClock(e.clock)
	long := func(orgNo string, scopes ...string) string {
		return e.mp.token(f, jwt.MapClaims{
			"consumer": map[string]any{"authority": "iso6523-actorid-upis", "ID": "0192:" + orgNo},
			"scope":    strings.Join(scopes, " "), "exp": fuzzNow.Add(24 * time.Hour).Unix(),
		})
	}
	vendor := long(OrgSmartCloud, alScopeSystemRegisterWrite, alScopeRequestWrite, alScopeRequestRead)
	ske := e.exchanged(long(OrgSkatteetaten, alScopeAuthorize, alScopeResourceWrite))
	j := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	system := altinnTestSeed(false).Systems[0]
	f.Add(uint8(0), j(map[string]any{"id": "991825827_fuzz", "vendor": system["vendor"], "name": system["name"], "description": system["description"], "rights": system["rights"], "clientId": []any{"fuzz-client"}, "allowedredirecturls": []any{atRedirect}, "isVisible": true}))
	f.Add(uint8(1), j(system))
	f.Add(uint8(2), j(system["rights"]))
	f.Add(uint8(3), []byte(`[{"urn":"`+atPackageRevisor+`"}]`))
	f.Add(uint8(4), j(standardRequestBody(map[string]any{"externalRef": "fuzz-1"})))
	f.Add(uint8(5), j(map[string]any{"systemId": atAgentSystem, "partyOrgNo": OrgTiger, "externalRef": "fuzz-agent", "accessPackages": []any{map[string]any{"urn": atPackageRevisor}}}))
	f.Add(uint8(6), j(decisionRequest(atStandardUser, ResourceKravOgBetalinger, OrgSubtilApe)))
	f.Add(uint8(6), []byte(`{"Request":{"AccessSubject":[{"Attribute":[{"AttributeId":"urn:altinn:systemuser:uuid","Value":1e999}]}]}}`))
	f.Add(uint8(7), []byte(`{"identifier":"fuzz-resource","title":{"nb":"x"},"hasCompetentAuthority":{"orgcode":"skd","organization":"974761076"},"resourceType":"GenericAccessResource","delegable":true}`))
	// The person logs in on a request's confirm page: the session's cookie
	// and CSRF token go with the form routes.
	r := e.createRequest(false, standardRequestBody(map[string]any{"externalRef": "fuzz-confirm"}))
	if r.status != http.StatusCreated {
		f.Fatalf("a request to confirm: %d %s", r.status, r.body)
	}
	id, _ := r.obj(f)["id"].(string)
	confirm, _ := url.Parse(r.obj(f)["confirmUrl"].(string))
	person := e.browser()
	m := csrfRE.FindStringSubmatch(person.login(confirm.RequestURI(), PIDStadigKonsert))
	if m == nil {
		f.Fatal("the confirm page has no CSRF token")
	}
	portal, _ := url.Parse(e.url + "accessmanagement/ui/systemuser/request/approve")
	cookies := person.jar.Cookies(portal)
	if len(cookies) == 0 {
		f.Fatal("no session cookie after the login")
	}
	f.Add(uint8(8), []byte("id="+url.QueryEscape(id)+"&csrf="+url.QueryEscape(m[1])))
	f.Add(uint8(8), []byte("id=00000000-0000-0000-0000-000000000000&csrf="+url.QueryEscape(m[1])))
	f.Add(uint8(9), []byte("pid="+PIDStadigKonsert+"&returnTo="+url.QueryEscape(confirm.RequestURI())))
	f.Add(uint8(9), []byte("pid=00000000000&returnTo=https://evil.example/"))
	f.Add(uint8(8), []byte("id=%zz"))
	f.Add(uint8(0), []byte(`{"id":`))
	f.Add(uint8(4), []byte(`null`))
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		pinClock(e.clock)
		rt := fuzzAltinnRoutes[int(route)%len(fuzzAltinnRoutes)]
		req := httptest.NewRequest(rt.method, e.url+rt.path, bytes.NewReader(body))
		if rt.form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		switch rt.token {
		case 2:
			req.Header.Set("Origin", strings.TrimSuffix(e.url, "/"))
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			for _, c := range cookies {
				req.AddCookie(c)
			}
		case 0:
			req.Header.Set("Authorization", "Bearer "+vendor)
		case 1:
			req.Header.Set("Authorization", "Bearer "+ske)
			req.Header.Set("Ocp-Apim-Subscription-Key", PDPSubscriptionKey)
		}
		rec := httptest.NewRecorder()
		e.alt.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code == http.StatusUnauthorized {
			// 401 would mean the fuzzer tests nothing past the token.
			t.Fatalf("%s %s: %d %s", rt.method, rt.path, rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Header().Get("Content-Type"), "json") && rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: %d, a JSON answer that is not JSON: %q", rt.method, rt.path, rec.Code, rec.Body.String())
		}
	})
}

// FuzzAltinnXACMLPolicy parses any text as a resource's XACML policy. What
// it reads is deterministic, comes from Permit rules only, and names only
// access packages and actions written in the policy.
func FuzzAltinnXACMLPolicy(f *testing.F) {
	f.Add([]byte(xacmlPolicy))
	f.Add([]byte(`<Policy><Rule Effect="Permit"><Target><AnyOf><AllOf><Match><AttributeValue>urn:altinn:accesspackage:ansvarlig-revisor</AttributeValue><AttributeDesignator AttributeId="urn:altinn:accesspackage"/></Match></AllOf></AnyOf></Target></Rule></Policy>`))
	f.Add([]byte(`<Policy><Rule Effect="Deny"><Match><AttributeValue>x</AttributeValue><AttributeDesignator AttributeId="urn:altinn:accesspackage"/></Match></Rule></Policy>`))
	f.Add([]byte(`<Policy><Rule Effect="Permit"><Rule Effect="Deny"></Rule><Match><AttributeValue>a</AttributeValue><AttributeDesignator AttributeId="urn:altinn:accesspackage"/></Match></Rule></Policy>`))
	f.Add([]byte(`<PolicySet><Policy/></PolicySet>`))
	f.Add([]byte(`<html><body>not xacml</body></html>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, policy []byte) {
		rules, err := parseXACMLPolicy(bytes.NewReader(policy))
		again, err2 := parseXACMLPolicy(bytes.NewReader(policy))
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(rules, again) {
			t.Fatalf("not deterministic: %v %v / %v %v", rules, err, again, err2)
		}
		if err != nil {
			return
		}
		lower := strings.ToLower(string(policy))
		granting := false
		for _, r := range rules {
			for _, p := range r.Packages {
				name, ok := strings.CutPrefix(p, altinnPackagePrefix)
				if !ok || name == "" || !strings.Contains(lower, strings.ToLower(name)) {
					t.Fatalf("package %q is not in the policy", p)
				}
				granting = true
			}
			for _, a := range r.Actions {
				if a == "" || !strings.Contains(string(policy), a) {
					t.Fatalf("action %q is not in the policy", a)
				}
			}
		}
		if granting && !strings.Contains(lower, "permit") {
			t.Fatalf("a policy with no Permit rule grants %v", rules)
		}
	})
}

// FuzzSeed reads any text as a `serve --seed` file. What is read writes
// back to a file that reads the same; seeding the services with it never
// panics; and every client the mock Maskinporten took is the seed's.
func FuzzSeed(f *testing.F) {
	for _, s := range []Seed{mpTestSeed(), altinnTestSeed(true), {}} {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"clients":[{"client_id":"my-client","client_orgno":"991825827","scopes":["skatteetaten:kravogbetalinger"],"jwks":{"keys":[]}}]}`,
		`{"systemUsers":[{"id":"not-a-uuid","systemId":"991825827_smartcloud","partyOrgNo":"310904473"}]}`,
		`{"clients":[{"client_id":"a","client_orgno":"991825827","jwks":{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQ"}]}}]}`,
		`{"orgs":[{"orgNo":"1","name":"x"}],"roles":[{"from":"x","to":"y","code":"DAGL"}]}`,
		`{"unknown":1}`, `[`, `null`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "seed.json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := ReadSeedFile(p)
		if err != nil {
			return
		}
		once, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("a seed read cannot be written: %v", err)
		}
		if err := os.WriteFile(p, once, 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := ReadSeedFile(p)
		if err != nil {
			t.Fatalf("a seed written does not read back: %v\n%s", err, once)
		}
		if twice, _ := json.Marshal(back); !bytes.Equal(once, twice) {
			t.Fatalf("the seed changes on a round trip:\n%s\n%s", once, twice)
		}
		clock := &Clock{}
		pinClock(clock)
		mp, err := NewMaskinporten(MaskinportenConfig{Issuer: "http://mp.test/", AltinnURL: "http://altinn.test/", Clock: clock, Key: mustKey("maskinporten")})
		if err != nil {
			t.Fatal(err)
		}
		if mp.Seed(ServiceOwnerSeed().Merge(s)) == nil {
			for _, c := range s.Clients {
				got := mp.client(c.ClientID)
				if got == nil {
					t.Fatalf("client %q is not there after seeding", c.ClientID)
				}
				mine := false
				for _, sc := range s.Clients {
					mine = mine || (sc.ClientID == got.ID && sc.OrgNo == got.OrgNo)
				}
				if !mine {
					t.Fatalf("client %q belongs to %s, which no seed entry says", got.ID, got.OrgNo)
				}
			}
		}
		al, err := NewAltinn(AltinnConfig{URL: "http://altinn.test/", MaskinportenURL: "http://mp.test/", Clock: clock, Key: mustKey("altinn")})
		if err != nil {
			t.Fatal(err)
		}
		_ = al.Seed(ServiceOwnerSeed().Merge(s))
	})
}
