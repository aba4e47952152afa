package compare

import (
	"context"
	"strings"
	"testing"

	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// TestAlways is the recogniser of what always differs: each kind of value
// it knows, and values that look alike but differ in what matters.
func TestAlways(t *testing.T) {
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"", "5312a2ec-b803-4cc2-bd4e-17e9b947bbee", "0c1d8803-8dcc-4ec0-9b4d-59d2594ce74f", WhyUUID},
		{"jti", "MvnkJy8EfsvSxOdDWdUTKMPb", "qN5Xqc9ZPC9nTuVGy4q-Kj89", WhyJTI},
		{"iat", "1796122000", "1796122004", WhyTime},
		{"exp", "1796122120", "1796122124", WhyTime},
		{"nbf", "1796122000", "1796122001", WhyTime},
		{"Date", "Tue, 01 Dec 2026 10:46:40 GMT", "Tue, 01 Dec 2026 10:46:41 GMT", WhyTime},
		{"Korrelasjonsid", "e65fa390-0037-4882-99ac-00158fb87269", "corr-2", WhyCorrelation},
		{"created", "2026-12-01T10:46:40.821663624Z", "2026-12-01T10:46:41.8256164Z", WhyTime},
		{"traceId", "00-295f6669722fc8409c6df8cf41be185e-38649ee7e01daa13-00", "00-c8114cd36acf0bdf5a3da7d4e07f6bd9-fe8371706bd4730c-00", WhyTrace},
		{"Content-Length", "542", "547", WhyLength},
		{"aud", "http://127.0.0.1:36471/", "http://127.0.0.1:40205/", WhyPort},
		{"url", "http://localhost:8080/token", "http://localhost:9090/token", WhyPort},
		{"Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJhIn0.c2lnMQ", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJiIn0.c2lnMg", WhyToken},
		{"confirmUrl", "http://127.0.0.1:41613/ui/request?id=3a49ceb3-2db5-4d56-9da6-ff23b277c628", "http://127.0.0.1:44099/ui/request?id=828993cb-e447-4fdf-a06c-719ac33cab23", WhyUUID + ", " + WhyPort},
		{"body line", `<input type="hidden" name="csrf" value="d1KG0Wx6FJ_YMeki4KRWU1iz9RvLcT">`, `<input type="hidden" name="csrf" value="x9Q2abc">`, WhyCSRF},
		{"Content-Type", "multipart/form-data; boundary=8f184a8c99", "multipart/form-data; boundary=03ea1047db", WhyBoundary},
		{"error_description", `already sent a grant with jti "ORrw0NGxF4GFoO7b-kRqksRi"`, `already sent a grant with jti "Yjm2xQQKcglWfuRvOS1n3o2x"`, WhyJTI},
		{"warnings", "sent 8m1s after it expired", "sent 8m0s after it expired", WhyTime},
		// Findings: what the flow chose, not what the run made.
		{"systemuser_org.ID", "0192:310904473", "0192:314250052", ""},
		{"partyOrgNo", "310904473", "314250052", ""},
		{"url", "http://127.0.0.1:1/systemuser/request/vendor", "http://127.0.0.1:2/systemuser/request/vendor/agent", ""},
		{"url", "https://test.maskinporten.no/token", "https://maskinporten.no/token", ""},
		{"url", "https://example.org:8443/token", "https://example.org:9443/token", ""}, // not loopback
		{"scope", "skatteetaten:kravogbetalinger", "altinn:authorization/authorize", ""},
		{"status", "200 OK", "400 Bad Request", ""},
		{"note", "grant lifetime 120s", "grant lifetime 300s", ""},
		{"id", "3a49ceb3-2db5-4d56-9da6-ff23b277c628", "not-a-uuid", ""},
	} {
		if got := Always(tc.name, tc.a, tc.b); got != tc.want {
			t.Errorf("Always(%q, %q, %q) = %q, want %q", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
	if AlwaysThere("Cookie") != WhyCookie || AlwaysThere("Authorization") != "" {
		t.Error("AlwaysThere: a cookie may be missing, a bearer token may not")
	}
	if AlwaysMade("GET /jwk") != WhyCache || AlwaysMade("POST /authorize") != "" {
		t.Error("AlwaysMade: a cache fill may be missing, a PDP call may not")
	}
}

func TestAlign(t *testing.T) {
	a := []string{"so-token", "v-request", "eu-review", "eu-approve", "v-poll", "op-token", "op-api"}
	b := []string{"so-token", "v-request", "ca-login", "ca-review", "v-poll", "ca-delegate", "op-token"}
	got := align(len(a), len(b), func(i, j int) bool { return a[i] == b[j] }, nil)
	var s []string
	for _, p := range got {
		switch {
		case p.a < 0:
			s = append(s, "+"+b[p.b])
		case p.b < 0:
			s = append(s, "-"+a[p.a])
		default:
			s = append(s, a[p.a])
		}
	}
	want := "so-token v-request -eu-review -eu-approve +ca-login +ca-review v-poll +ca-delegate op-token -op-api"
	if strings.Join(s, " ") != want {
		t.Errorf("align:\n got %s\nwant %s", strings.Join(s, " "), want)
	}
	// Between two matches, what gap allows pairs up one to one.
	got = align(3, 3, func(i, j int) bool { return i == 0 && j == 0 }, func(i, j int) bool { return i == j })
	if len(got) != 3 || got[1] != (pair{1, 1}) || got[2] != (pair{2, 2}) {
		t.Errorf("align with gap: %v", got)
	}
}

// runOn runs scenarios on one embedded mock world, one after the other,
// as run --compare does, and returns their JSON forms.
func runOn(t *testing.T, names ...string) []flow.RunReport {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := wire.Start(ctx, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var out []flow.RunReport
	for _, n := range names {
		sc, err := flow.Find(s.Settings, n)
		if err != nil {
			t.Fatal(err)
		}
		rep := flow.NewEngine(s.Services, s.Settings, sc).RunAll(ctx, nil)
		if !rep.OK {
			t.Fatalf("%s did not end as expected", n)
		}
		r, err := FromReport(rep)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// A run compared with itself differs in nothing at all; compared with
// another run of the same scenario, only in what always differs.
func TestARunWithItself(t *testing.T) {
	runs := runOn(t, "agent", "agent")
	self := Runs(Run{"a", runs[0]}, Run{"a", runs[0]})
	if !self.Same || self.Findings != 0 || self.Expected != 0 || len(self.Steps) != len(runs[0].Steps) {
		t.Errorf("a run with itself: same %v, %d findings, %d expected, %d steps", self.Same, self.Findings, self.Expected, len(self.Steps))
	}
	again := Runs(Run{"a", runs[0]}, Run{"b", runs[1]})
	if !again.Same || again.Findings != 0 || again.Expected == 0 {
		t.Fatalf("two runs of agent: same %v, %d findings, %d expected", again.Same, again.Findings, again.Expected)
	}
	whys := map[string]bool{}
	for _, s := range again.Steps {
		if !s.Same() {
			t.Errorf("step %s differs: %+v", s.ID, s.Findings())
		}
		for _, d := range s.Diffs {
			whys[d.Expected] = true
		}
	}
	for _, why := range []string{WhyUUID, WhyJTI, WhyTime, WhySignature, WhyToken} {
		if !whys[why] {
			t.Errorf("no value differed as %q", why)
		}
	}
}

// agent-client-org beside agent: the one grant claim that makes the
// difference, the outcome, and the lookup Maskinporten made at Altinn.
func TestAgentClientOrgBesideAgent(t *testing.T) {
	runs := runOn(t, "agent-client-org", "agent")
	res := Runs(Run{"agent-client-org", runs[0]}, Run{"agent", runs[1]})
	if res.Same {
		t.Fatal("the runs are the same")
	}
	var tok *Step
	for i, s := range res.Steps {
		switch {
		case s.ID == "op-token":
			tok = &res.Steps[i]
		case s.ID == "op-api":
			if s.Only() != "b" || s.B != 16 {
				t.Errorf("op-api: only %q, number %d", s.Only(), s.B)
			}
		case !s.Same():
			t.Errorf("step %s differs: %+v", s.ID, s.Findings())
		}
	}
	if tok == nil {
		t.Fatal("no op-token pair")
	}
	want := map[string][2]string{
		"grant claims .authorization_details[0].systemuser_org.ID": {`"0192:310904473"`, `"0192:314250052"`},
		"step outcome":                       {`"expected-failure MP-303"`, `"done"`},
		"request query systemUserOwnerOrgNo": {`"310904473"`, `"314250052"`},
	}
	for _, d := range tok.Findings() {
		k := string(d.Section) + " " + d.Path
		if w, ok := want[k]; ok {
			if d.A == nil || d.B == nil || *d.A != w[0] || *d.B != w[1] {
				t.Errorf("%s: %v | %v, want %s | %s", k, d.A, d.B, w[0], w[1])
			}
			delete(want, k)
		}
	}
	for k := range want {
		t.Errorf("no finding %s", k)
	}
}

func TestReadRefusesWhatIsNoRun(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "not a run",
		"{":                "not a run",
		"<html>":           "not JSON",
		`{"scenario":"x"}`: "no scenario and steps",
		`{"steps":[]}`:     "no scenario and steps",
		`{"scenario":"x","steps":[{"title":"t"}]}`:                "step 1 has no id",
		`{"scenario":"x","steps":[{"id":"a","outcome":"maybe"}]}`: "unknown outcome",
	} {
		_, err := Read(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%q) = %v, want %q", in, err, want)
		}
	}
	if _, err := Read(strings.NewReader(`{"scenario":"x","ok":true,"steps":[{"id":"a","outcome":"done","exchanges":[],"tokens":[]}]}`)); err != nil {
		t.Errorf("a run: %v", err)
	}
}
