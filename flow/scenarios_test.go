package flow_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// stepExchange is the step's first call with the method whose URL ends
// with suffix.
func stepExchange(t *testing.T, r flow.Report, stepID, method, suffix string) client.Exchange {
	t.Helper()
	for i, s := range r.Scenario.Steps {
		if s.ID != stepID {
			continue
		}
		for _, x := range r.Results[i].Exchanges {
			if x.Method == method && strings.HasSuffix(strings.SplitN(x.URL, "?", 2)[0], suffix) {
				return x
			}
		}
	}
	t.Fatalf("%s made no %s …%s:\n%s", stepID, method, suffix, describe(r))
	return client.Exchange{}
}

// requestBody decodes a request's JSON from an exchange.
func requestBody(t *testing.T, x client.Exchange) client.Request {
	t.Helper()
	var q client.Request
	if err := json.Unmarshal([]byte(x.ResponseBody), &q); err != nil {
		t.Fatalf("%s %s: %v\n%s", x.Method, x.URL, err, x.ResponseBody)
	}
	return q
}

func stepResult(t *testing.T, r flow.Report, stepID string) flow.StepResult {
	t.Helper()
	for i, s := range r.Scenario.Steps {
		if s.ID == stepID {
			return r.Results[i]
		}
	}
	t.Fatalf("no step %s", stepID)
	return flow.StepResult{}
}

// The request-timed-out scenario ends OK: after 181 days the request reads
// timedOut: true with status New, a re-POST gives it back (200, same id),
// the person approves it and the token carries the request's id
// (altinn-authentication RequestRepository.cs L471-476,
// RequestSystemUserController.cs L122-128, RequestSystemUserService.cs
// L538-541, SystemUserService.cs L509; spec Corrections 4 and 5).
func TestRequestTimedOutIsAFlagNotAStatus(t *testing.T) {
	r, _ := run(t, "request-timed-out", nil)
	if !r.OK {
		t.Fatalf("not ok:\n%s", describe(r))
	}
	created := stepExchange(t, r, "v-request", http.MethodPost, "/systemuser/request/vendor")
	id := requestBody(t, created).ID
	if created.Status != http.StatusCreated || id == "" {
		t.Fatalf("create: %d %s", created.Status, created.ResponseBody)
	}
	old := requestBody(t, stepExchange(t, r, "v-poll", http.MethodGet, "/systemuser/request/vendor/"+id))
	if old.Status != client.StatusNew || !old.TimedOut {
		t.Errorf("after 181 days: status %s, timedOut %t", old.Status, old.TimedOut)
	}
	again := stepExchange(t, r, "v-request-2", http.MethodPost, "/systemuser/request/vendor")
	if q := requestBody(t, again); again.Status != http.StatusOK || q.ID != id || !q.TimedOut {
		t.Errorf("re-POST: %d, id %s (want %s), timedOut %t", again.Status, q.ID, id, q.TimedOut)
	}
	if q := requestBody(t, stepExchange(t, r, "v-poll-2", http.MethodGet, "/systemuser/request/vendor/"+id)); q.Status != client.StatusAccepted {
		t.Errorf("after approval: %s", q.Status)
	}
	ad := systemUserDetail(t, accessToken(t, r, "op-token"))
	if ids, _ := ad["systemuser_id"].([]any); len(ids) != 1 || ids[0] != id {
		t.Errorf("systemuser_id %v, want the request id %s", ad["systemuser_id"], id)
	}
	if !strings.Contains(strings.Join(stepResult(t, r, "op-token").Notes, "\n"), "is the id of the request") {
		t.Errorf("the token step does not point out that systemuser_id[0] is the request id: %v", stepResult(t, r, "op-token").Notes)
	}
}

// exp-grace: a grant 5 s past its exp is accepted, one 15 s past refused
// with MP-130 (Maskinporten's validateJwtExpiration, 10 s of skew, quoted in
// Altinn/altinn-studio#19603).
func TestExpGrace(t *testing.T) {
	r, _ := run(t, "exp-grace", nil)
	if !r.OK {
		t.Fatalf("not ok:\n%s", describe(r))
	}
	accessToken(t, r, "op-token-grace")
	late := stepResult(t, r, "op-token-late")
	if !client.HasCode(late.Err, "MP-130") || !client.HasCode(late.Err, "invalid_grant") {
		t.Errorf("15 s past: %v", late.Err)
	}
	for _, id := range []string{"op-token-grace", "op-token-late"} {
		var grant map[string]any
		for _, tok := range stepResult(t, r, id).Tokens {
			if strings.HasSuffix(tok.Label, "grant") {
				grant = tok.Claims
			}
		}
		if grant == nil || grant["exp"].(float64)-grant["iat"].(float64) != 10 {
			t.Errorf("%s: grant %v, want a 10 s lifetime", id, grant)
		}
	}
}

// The system user's id is the id of the request it was made from, standard
// and agent alike, so systemuser_id[0] in the token is the request id
// (altinn-authentication SystemUserService.cs L509, L603-640; Altinn's own
// tt02 test asks the PDP with the request id as the subject,
// SystemIntegrationTests/Tests/SystemUserTests.cs L141-175).
func TestSystemUserIDIsTheRequestID(t *testing.T) {
	for _, name := range []string{"standard", "agent"} {
		r, _ := run(t, name, nil)
		if !r.OK {
			t.Fatalf("%s not ok:\n%s", name, describe(r))
		}
		path := "/systemuser/request/vendor"
		if name == "agent" {
			path += "/agent"
		}
		id := requestBody(t, stepExchange(t, r, "v-request", http.MethodPost, path)).ID
		ad := systemUserDetail(t, accessToken(t, r, "op-token"))
		if ids, _ := ad["systemuser_id"].([]any); len(ids) != 1 || ids[0] != id {
			t.Errorf("%s: systemuser_id %v, want the request id %s", name, ad["systemuser_id"], id)
		}
	}
}
