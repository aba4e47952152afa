package mock

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

// TestTraceOnlyWhenAsked: /token answers X-Mock-Trace, with Maskinporten's
// lookup at Altinn, only to a caller that sends X-Mock-Trace-Request (as the
// workbench's clients do); the trace's own recorded headers leave the ask
// out.
func TestTraceOnlyWhenAsked(t *testing.T) {
	env, err := Start(context.Background(), ServiceOwnerSeed().Merge(ScaleSeed(2, benchJWKS())))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	post := func(ask bool) *http.Response {
		form := url.Values{"grant_type": {mpJWTBearer}, "assertion": {benchGrant(t, env, 0)}}
		req, _ := http.NewRequest("POST", env.MaskinportenURL+"token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if ask {
			req.Header.Set(TraceRequestHeader, "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("token: %d", resp.StatusCode)
		}
		return resp
	}
	if h := post(false).Header.Get(TraceHeader); h != "" {
		t.Errorf("a trace nobody asked for: %.40s...", h)
	}
	xs := client.DecodeTrace(post(true).Header)
	if len(xs) != 1 || !strings.Contains(xs[0].URL, "/authentication/api/v1/systemuser/byExternalId?") || xs[0].Status != 200 || xs[0].Caller != "maskinporten" {
		t.Fatalf("trace: %+v", xs)
	}
	if xs[0].RequestHeader.Get(TraceRequestHeader) != "" || xs[0].RequestHeader.Get("Authorization") == "" {
		t.Errorf("the lookup's recorded headers: %v", xs[0].RequestHeader)
	}
}
