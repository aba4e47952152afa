package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestContractPDP(t *testing.T) {
	camel := `{ "response": [ { "decision": "Permit",
    "status": { "statusMessage": null, "statusDetails": null,
                "statusCode": { "value": "urn:oasis:names:tc:xacml:1.0:status:ok", "statusCode": null } },
    "obligations": [ { "id": "urn:altinn:obligation:authenticationLevel1",
        "attributeAssignment": [ { "attributeId": "urn:altinn:obligation-assignment:1", "value": "2",
          "category": "urn:altinn:minimum-authenticationlevel", "dataType": "http://www.w3.org/2001/XMLSchema#integer", "issuer": null } ] } ],
    "associateAdvice": null, "category": null, "policyIdentifierList": null } ] }`
	pascal := `{"Response":[{"Decision":"Deny","Status":{"StatusCode":{"Value":"urn:oasis:names:tc:xacml:1.0:status:ok"}}}]}`
	for body, want := range map[string]string{camel: "Permit", pascal: "Deny", `{"response":[{"decision":"Indeterminate"}]}`: "Indeterminate"} {
		var got map[string]any
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			json.NewDecoder(r.Body).Decode(&got)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, body)
		}))
		d, err := NewPDP(s.URL, s.Client(), "k").Authorize(context.Background(), "tok", SystemUserRequest("ebe4a681-0a8c-429e-a36f-8f9ca942b59f", "read", "ske-krav-og-betalinger", "310904473"))
		s.Close()
		if err != nil || d.Value() != want {
			t.Errorf("want %s, got %q %v", want, d.Value(), err)
		}
		req := got["Request"].(map[string]any)
		subj := req["AccessSubject"].([]any)[0].(map[string]any)["Attribute"].([]any)[0].(map[string]any)
		if subj["AttributeId"] != "urn:altinn:systemuser:uuid" || req["ReturnPolicyIdList"] != false {
			t.Errorf("request %v", got)
		}
	}
	empty := serve(t, 200, "application/json", `{"response":[]}`)
	if _, err := NewPDP(empty.URL, empty.Client(), "").Authorize(context.Background(), "tok", DecisionRequest{}); err == nil {
		t.Error("an answer without a decision was accepted")
	}
}

func TestPDPAcceptsPascalCase(t *testing.T) {
	s := serve(t, 200, "application/json", `{"Response":[{"Decision":"NotApplicable"}]}`)
	d, err := NewPDP(s.URL, s.Client(), "").Authorize(context.Background(), "tok", DecisionRequest{})
	if err != nil || d.Value() != "NotApplicable" {
		t.Fatalf("got %q, %v", d.Value(), err)
	}
}
