package mock

import (
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestMaskinportenTokenSystemUser(t *testing.T) {
	e := mpStart(t, "")
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != 119.0 || body["scope"] != ScopeKravOgBetalinger {
		t.Errorf("response %v", body)
	}
	hdr, c := mpVerifyIssued(t, e, body["access_token"].(string))
	if hdr["kid"] != mpKeyID {
		t.Errorf("kid %v", hdr["kid"])
	}
	want := []string{"authorization_details", "client_amr", "client_id", "consumer", "exp", "iat", "iss", "jti", "scope", "token_type"}
	if got := mpClaimNames(c); !slices.Equal(got, want) {
		t.Errorf("claims %v, want %v", got, want)
	}
	if c["client_id"] != mpTestClientID || c["client_amr"] != "private_key_jwt" || c["token_type"] != "Bearer" || c["scope"] != ScopeKravOgBetalinger {
		t.Errorf("claims %v", c)
	}
	if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 120 {
		t.Errorf("exp - iat = %v", exp-iat)
	}
	consumer, _ := json.Marshal(c["consumer"])
	if string(consumer) != `{"ID":"0192:991825827","authority":"iso6523-actorid-upis"}` {
		t.Errorf("consumer %s", consumer)
	}
	details, _ := json.Marshal(c["authorization_details"])
	wantDetails := `[{"system_id":"991825827_smartcloud","systemuser_id":["7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f"],` +
		`"systemuser_org":{"ID":"0192:310904473","authority":"iso6523-actorid-upis"},"type":"urn:altinn:systemuser"}]`
	if string(details) != wantDetails {
		t.Errorf("authorization_details\n%s, want\n%s", details, wantDetails)
	}

	// More grants reuse Maskinporten's own token for the lookup.
	for range 3 {
		if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
			t.Fatalf("got %d %v", status, body)
		}
	}
	if n := e.altinn.distinctTokens(); n != 1 {
		t.Errorf("Altinn saw %d different Maskinporten tokens, want 1 (cached)", n)
	}
}

func TestMaskinportenTokenExternalRef(t *testing.T) {
	e := mpStart(t, "")
	// The agent system user of the facilitator, with lower-case id as
	// Altinn's docs write it.
	status, body := e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{
			"type": mpSystemUserType, "externalRef": "smartcloud_demo_agent_test",
			"systemuser_org": map[string]any{"authority": mpAuthority, "id": "0192:" + OrgTiger},
		}}
	})))
	if status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	_, c := mpVerifyIssued(t, e, body["access_token"].(string))
	d := c["authorization_details"].([]any)[0].(map[string]any)
	if d["systemuser_id"].([]any)[0] != "0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f" || d["system_id"] != "991825827_smartcloud_ap" {
		t.Errorf("authorization_details %v", d)
	}
	if so := d["systemuser_org"].(map[string]any); so["ID"] != "0192:"+OrgTiger {
		t.Errorf("systemuser_org %v, want key ID", so)
	}

	// Without the externalRef Altinn looks for the default one and finds none.
	status, body = e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["authorization_details"] = []any{map[string]any{
			"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgTiger},
		}}
	})))
	if status != 400 || mpErrID(body) != "MP-303" || !strings.Contains(body["error_description"].(string), "no externalRef") {
		t.Errorf("got %d %v", status, body)
	}
}

func TestMaskinportenAltinnDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String() + "/"
	l.Close()
	e := mpStart(t, down)
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 500 || body["error"] != "server_error" || !strings.Contains(body["error_description"].(string), "Altinn could not be reached") {
		t.Fatalf("got %d %v", status, body)
	}
}

func TestMaskinportenAltinnRefusesToken(t *testing.T) {
	e := mpStart(t, "")
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	e.altinn.refuse.Store(true)
	status, body := e.post(t, mpForm(e.grant(t, nil)))
	if status != 400 || mpErrID(body) != "MP-303" || !strings.Contains(body["error_description"].(string), "refused Maskinporten's own token") {
		t.Fatalf("got %d %v", status, body)
	}
	// The refused token is dropped: the next lookup carries a new one.
	e.altinn.refuse.Store(false)
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("got %d %v", status, body)
	}
	if n := e.altinn.distinctTokens(); n != 2 {
		t.Errorf("Altinn saw %d Maskinporten tokens, want 2", n)
	}
}
