package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestContractProblemDetails(t *testing.T) {
	// §11, as AltinnValidationProblemDetails serialises it.
	body := `{"type":"urn:altinn:error:STD-00000","title":"One or more validation errors occurred.","status":400,
	"detail":null,"code":"STD-00000","traceId":"00-5c0a8e5f0c1b2a3d4e5f60718293a4b5-1a2b3c4d5e6f7a8b-00","statusDescription":"Bad Request",
	"validationErrors":[{"code":"AUTH.VLD-00001","title":"The system id does not match the format orgnumber_xxxx...","paths":["/registersystemrequest/systemid"]},
	{"code":"AUTH.VLD-00005","title":"One or more of the redirect urls are invalid","paths":["/registersystemrequest/allowedredirecturls"],"detail":"http://x/"}]}`
	s := serve(t, 400, "application/problem+json; charset=utf-8", body)
	_, err := NewSystemRegister(s.URL, s.Client()).Register(context.Background(), "tok", System{ID: "smartcloud"})
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("got %T %v", err, err)
	}
	if pe.Code != "STD-00000" || pe.Status != 400 || len(pe.ValidationErrors) != 2 || pe.ValidationErrors[1].Detail != "http://x/" || pe.TraceID == "" {
		t.Errorf("problem %+v", pe)
	}
	if got := strings.Join(Codes(err), ","); got != "AUTH.VLD-00001,AUTH.VLD-00005,STD-00000,HTTP 400" {
		t.Errorf("codes %s", got)
	}
	for _, want := range []string{"/registersystemrequest/systemid", "AUTH.VLD-00005"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}
