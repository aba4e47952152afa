package transcript_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
	"github.com/systembruker/workbench/transcript"
)

// run runs the scenario on the embedded mocks, as `workbench run` does.
func run(t *testing.T, name string) (flow.Report, *flow.Engine) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := wire.Start(ctx, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	sc, err := flow.Find(s.Settings, name)
	if err != nil {
		t.Fatal(err)
	}
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	return eng.RunAll(ctx, nil), eng
}

// describe is each step's outcome, for a failure message.
func describe(r flow.Report) string {
	var b strings.Builder
	for i, s := range r.Scenario.Steps {
		fmt.Fprintf(&b, "%s: %s %v\n", s.ID, r.Results[i].Outcome, r.Results[i].Err)
	}
	return b.String()
}

// longJWT is a JWT longer than its shortened form: "eyJ" and 9 more
// characters, then "…".
var longJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}`)

func render(t *testing.T, rep flow.Report, f transcript.Format, opts transcript.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := transcript.Write(&b, rep, f, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// exchangeCount is the number of calls the workbench made in the run.
func exchangeCount(rep flow.Report) int {
	n := 0
	for _, r := range rep.Results {
		n += len(r.Exchanges)
	}
	return n
}

// systemUserToken is the raw system user access token of the run.
func systemUserToken(t *testing.T, rep flow.Report) string {
	t.Helper()
	for _, r := range rep.Results {
		for _, tk := range r.Tokens {
			if tk.Label == "system user access token" {
				return tk.Raw
			}
		}
	}
	t.Fatal("no system user access token in the run")
	return ""
}

func TestTranscriptAgent(t *testing.T) {
	rep, eng := run(t, "agent")
	if !rep.OK {
		t.Fatalf("agent run not ok:\n%s", describe(rep))
	}
	opts := transcript.Options{Settings: eng.Settings(), Params: eng.State().Params}
	set := eng.Settings()

	tests := []struct {
		format transcript.Format
		check  func(t *testing.T, out string)
	}{
		{transcript.Markdown, func(t *testing.T, out string) {
			for i, s := range rep.Scenario.Steps {
				if h := fmt.Sprintf("\n### %d. %s — %s\n", i+1, s.Actor, s.Title); !strings.Contains(out, h) {
					t.Errorf("no heading %q", h)
				}
				// The handout tells each step with its narration (its
				// first paragraph and facts), or the short explanation.
				want := s.Explain
				if n := flow.Narration(s.ID); n != "" {
					want, _, _ = strings.Cut(n, "\n")
				}
				if !strings.Contains(out, want) {
					t.Errorf("step %s: no narration or explanation", s.ID)
				}
			}
			m := regexp.MustCompile("(?s)```mermaid\nsequenceDiagram\n(.*?)```").FindStringSubmatch(out)
			if m == nil {
				t.Fatal("no mermaid sequenceDiagram block")
			}
			for _, want := range []string{
				"participant SmartCloud", "participant Maskinporten", "participant Altinn", "participant Skatteetaten", "actor Person",
				"SmartCloud->>Maskinporten: POST /token → 200",
				"Maskinporten->>Altinn: GET /authentication/api/v1/systemuser/byExternalId → 200", // behind the scenes
				"Skatteetaten->>Altinn: POST /authorization/api/v1/authorize → 200",               // the PDP
				"Person->>Altinn: POST /accessmanagement/ui/systemuser/agentrequest/approve → 303",
				"SmartCloud->>Skatteetaten: GET /api/innkreving/kravogbetalinger/v1/regnskapssystem/" + set.CustomerOrgNo + "/aapnekrav → 200",
			} {
				if !strings.Contains(m[1], want) {
					t.Errorf("diagram lacks %q", want)
				}
			}
			if got, want := strings.Count(m[1], "Note over"), 15; got != want { // every step but the key pair makes calls
				t.Errorf("%d step notes in the diagram, want %d", got, want)
			}
			// The grant beside the token: what Maskinporten added.
			for _, want := range []string{
				"| authorization_details | in the grant (SmartCloud asks) | in the token (Maskinporten answers) |",
				"| `systemuser_org` | `0192:" + set.FacilitatorOrgNo + "` | `0192:" + set.FacilitatorOrgNo + "` |",
				"| `systemuser_id` | — | `",
				"| `system_id` | — | `" + set.AgentSystemID + "` ← added |",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("no grant/token comparison row %q", want)
				}
			}
			for _, want := range []string{
				"## The cast", set.FacilitatorName, set.ClientAdminName, set.CustomerName, set.VendorName,
				"assertion=eyJ", // form body, a field a line
				"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer",
				"‹an HTML page of", // the confirm page as its visible text
				"[Approve]",
				"signature verified with the signer's registered public key, kid `smartcloud-demo-2026`",
				"\"systemuser_id\": [", // decoded claims
				"## What to remember",
				"`systemuser_org` is the facilitator, " + set.FacilitatorName,
				"appears only in the API path (`/api/innkreving/kravogbetalinger/v1/regnskapssystem/" + set.CustomerOrgNo + "/aapnekrav`) and in the PDP request",
				"The system user's id is its request's id: `systemuser_id[0]` in the token", // spec Corrections 5
			} {
				if !strings.Contains(out, want) {
					t.Errorf("handout lacks %q", want)
				}
			}
			if strings.Contains(out, "<style") || strings.Contains(out, "<form") {
				t.Error("the confirm page's markup is in the handout")
			}
		}},
		{transcript.Curl, func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "#!/usr/bin/env bash\n") || !strings.Contains(out, "\nset -euo pipefail\n") {
				t.Error("not a strict bash script")
			}
			if got, want := len(regexp.MustCompile(`(?m)^(\w+=\$\()?curl `).FindAllString(out, -1)), exchangeCount(rep); got != want {
				t.Errorf("%d curl commands, want %d", got, want)
			}
			for _, want := range []string{
				"SKATTEETATEN_TOKEN=$(curl ", "| jq -r '.access_token')",
				"SYSTEM_USER_TOKEN=$(curl ", `-H "Authorization: Bearer ${SYSTEM_USER_TOKEN}"`,
				`CLIENT_ID=$(curl `, `"${MASKINPORTEN}/api/v1/clients/${CLIENT_ID}/jwks"`,
				`REQUEST_ID=$(jq -r '.id' <<<"$RESPONSE")`, `curl -sS --fail-with-body "${CONFIRM_URL}"`,
				// The agent system user's id is its request's id.
				`agent=${REQUEST_ID}&client=${CLIENT_PARTY_UUID}`, "the system user approved from this request gets the same id",
				`--data-urlencode "assertion=${SYSTEM_USER_GRANT}"`, "MP-012", "workbench token --org " + set.FacilitatorOrgNo,
				"# Step 16. Operational phase: SmartCloud fetches the open tax claims",
				"behind the scenes: Maskinporten → Altinn GET /authentication/api/v1/systemuser/byExternalId",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("script lacks %q", want)
				}
			}
			bashSyntax(t, out)
		}},
		{transcript.HTTP, func(t *testing.T, out string) {
			blocks := regexp.MustCompile(`(?m)^### .*\n(?:#.*\n)*([A-Z]+) (\S+)\n`).FindAllStringSubmatch(out, -1)
			if got, want := len(blocks), exchangeCount(rep); got != want || strings.Count(out, "\n### ") != want {
				t.Fatalf("%d blocks (%d ### lines), want one per exchange: %d", got, strings.Count(out, "\n### "), want)
			}
			k := 0
			for _, r := range rep.Results {
				for _, x := range r.Exchanges {
					if blocks[k][1] != x.Method {
						t.Errorf("block %d: %s, exchange %s", k+1, blocks[k][1], x.Method)
					}
					k++
				}
			}
			for _, want := range []string{"@maskinporten = http://", "Authorization: Bearer {{systemUserToken}}", "assertion={{systemUserGrant}}&grant_type="} {
				if !strings.Contains(out, want) {
					t.Errorf(".http lacks %q", want)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			out := render(t, rep, tt.format, opts)
			tt.check(t, out)
			if m := longJWT.FindString(out); m != "" {
				t.Errorf("a JWT in full without FullTokens: %.40s…", m)
			}
			if again := render(t, rep, tt.format, opts); again != out {
				t.Error("two transcripts of the same run differ")
			}
			full := render(t, rep, tt.format, transcript.Options{Settings: set, FullTokens: true})
			if tt.format != transcript.Curl && !strings.Contains(full, systemUserToken(t, rep)) {
				t.Error("FullTokens does not show the system user token")
			}
			if tt.format == transcript.Curl {
				bashSyntax(t, full)
			}
		})
	}
}

// bashSyntax checks a script with bash -n.
func bashSyntax(t *testing.T, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	f := filepath.Join(t.TempDir(), "t.sh")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
}

func TestTranscriptFailureScenario(t *testing.T) {
	rep, eng := run(t, "agent-client-org")
	if !rep.OK {
		t.Fatalf("not ok:\n%s", describe(rep))
	}
	out := render(t, rep, transcript.Markdown, transcript.Options{Settings: eng.Settings()})
	ex, _ := client.ExplainCode("MP-303")
	last := rep.Scenario.Steps[len(rep.Scenario.Steps)-1]
	for _, want := range []string{
		"**Outcome:** ⚑ failed as expected, with `MP-303`: the scenario's lesson.",
		": ⚑ MP-303 as expected\n",             // at a glance
		last.Title + " ⚑ MP-303 as expected\n", // the sequence diagram's note
		"> **`MP-303`: " + ex.Title + "**",
		"> *Cause:* " + ex.Cause,
		"> *Fix:* " + ex.Fix,
		"> *Documentation:* <" + ex.Doc + ">",
		"**The lesson:** " + last.Expect.Why,
		"**This scenario's lesson (step 15, MP-303):** " + last.Expect.Why,
		"Maskinporten-xAltinn: GET /authentication/api/v1/systemuser/byExternalId → 404", // the lookup that failed
		"| systemuser_org | `" + eng.Settings().CustomerOrgNo + "` |",                    // the wrong input
	} {
		if !strings.Contains(out, want) {
			t.Errorf("handout lacks %q", want)
		}
	}
	script := render(t, rep, transcript.Curl, transcript.Options{Settings: eng.Settings()})
	bashSyntax(t, script)
	calls := regexp.MustCompile(`(?m)^(?:\w+=\$\()?curl .*$`).FindAllString(script, -1)
	if !strings.Contains(script, "Expected to fail with MP-303") || len(calls) == 0 ||
		strings.Contains(calls[len(calls)-1], "--fail-with-body") || !strings.Contains(calls[0], "--fail-with-body") {
		t.Error("the expected failure's call would stop the script, or is not marked")
	}
}

// TestTranscriptLessonsFollowTheRun: in rejected nobody owns a system
// user, and the handout says so rather than that the customer owns one;
// the poll's title says what it found.
func TestTranscriptLessonsFollowTheRun(t *testing.T) {
	rep, eng := run(t, "rejected")
	if !rep.OK {
		t.Fatalf("not ok:\n%s", describe(rep))
	}
	out := render(t, rep, transcript.Markdown, transcript.Options{Settings: eng.Settings()})
	_, remember, ok := strings.Cut(out, "## What to remember")
	if !ok {
		t.Fatal("no What to remember")
	}
	if strings.Contains(remember, "owns the system user") || !strings.Contains(remember, "in this run it has none") {
		t.Errorf("What to remember speaks of a system user the rejected run has not:\n%s", remember)
	}
	if strings.Contains(out, "finds the system user") || !strings.Contains(out, "finds it rejected") {
		t.Error("the poll's title says it finds a system user")
	}
	rep, eng = run(t, "standard")
	out = render(t, rep, transcript.Markdown, transcript.Options{Settings: eng.Settings()})
	if !strings.Contains(out, "approved the request and owns the system user") {
		t.Error("the standard run's handout does not say who owns the system user")
	}
}

// keyForms are the private parts of a key as text, in the encodings a leak
// would take: base64url (JWK), standard base64, decimal.
func keyForms(k *rsa.PrivateKey) []string {
	var out []string
	for _, n := range append(append([]*big.Int{}, k.Primes...), k.D) {
		for _, f := range []string{base64.RawURLEncoding.EncodeToString(n.Bytes()), base64.StdEncoding.EncodeToString(n.Bytes()), n.String()} {
			out = append(out, f[:32])
		}
	}
	return out
}

func TestTranscriptHasNoPrivateKey(t *testing.T) {
	b, err := os.ReadFile("../config/demo/smartcloud-demo-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("demo key is not PEM")
	}
	pk, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	demo := pk.(*rsa.PrivateKey)

	rep, eng := run(t, "agent")
	set := eng.Settings()
	if set.VendorKey.Key == nil || !set.VendorKey.Key.Equal(demo) {
		t.Fatal("the run did not sign with the demo vendor key: the search would prove nothing")
	}
	keys := []*rsa.PrivateKey{demo, set.ServiceOwnerKey.Key}
	pemRE := regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)
	for _, f := range transcript.Formats {
		for _, opts := range []transcript.Options{
			{Settings: set},
			{Settings: set, FullTokens: true, ShowSecrets: true},
		} {
			out := render(t, rep, f, opts)
			if pemRE.MatchString(out) || strings.Contains(out, "PRIVATE KEY") {
				t.Errorf("%s (full %v): a PEM private key header", f, opts.FullTokens)
			}
			for _, k := range keys {
				for _, form := range keyForms(k) {
					if strings.Contains(out, form) {
						t.Errorf("%s (full %v): private key material %s…", f, opts.FullTokens, form[:8])
					}
				}
			}
		}
	}
}

// TestTranscriptRedaction runs a made-up report through every format:
// secrets are redacted unless ShowSecrets, tokens shortened unless
// FullTokens, bodies made readable.
func TestTranscriptRedaction(t *testing.T) {
	const (
		subKey = "0123456789abcdef0123456789abcdef"
		cookie = "session=s3cr3t-cookie-value"
		basic  = "Basic dXNlcjpwYXNzd29yZC1zZWNyZXQ="
	)
	jwt := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("eyJzdWIiOiJ4In0", 4) + "." + strings.Repeat("c2lnbmF0dXJl", 8)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	rep := flow.Report{
		Scenario: flow.Scenario{Name: "made-up", Summary: "A made-up run", Steps: []flow.Step{
			{ID: "a", Actor: flow.SystemVendor, Title: "Calls with secrets", Explain: "Secrets go over the wire."},
			{ID: "b", Actor: flow.Operational, Title: "Never runs", Explain: "Skipped."},
		}},
		Results: []flow.StepResult{{
			Outcome: flow.Failed,
			Err:     &client.OAuthError{Status: 400, Code: "invalid_grant", Description: "bad (MP-012)", MPCode: "MP-012"},
			Exchanges: []client.Exchange{{
				Service: "altinn", Method: "POST", URL: "https://platform.tt02.altinn.no/authorization/api/v1/authorize",
				RequestHeader: h("Authorization", "Bearer "+jwt, "Ocp-Apim-Subscription-Key", subKey, "Cookie", cookie, "Content-Type", "application/json"),
				RequestBody:   `{"b":1,"a":[2]}`, Status: 200, Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
				ResponseHeader: h("Content-Type", "text/html", "Set-Cookie", cookie),
				ResponseBody:   "<html><head><title>T</title><style>body{}</style></head><body><p>Hello\n  <b>you</b></p><button>Go</button></body></html>",
			}, {
				Service: "maskinporten", Method: "POST", URL: "https://test.maskinporten.no/token",
				RequestHeader: h("Content-Type", "application/x-www-form-urlencoded", "Proxy-Authorization", basic, "Authorization", basic),
				RequestBody:   "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + jwt,
				Status:        400, ResponseHeader: h("Content-Type", "application/json"),
				ResponseBody: `{"error":"invalid_grant","error_description":"bad (MP-012)"}`,
			}},
		}, {Outcome: flow.Skipped}},
	}
	secrets := []string{subKey, "s3cr3t-cookie-value", "dXNlcjpwYXNzd29yZC1zZWNyZXQ="}
	for _, f := range transcript.Formats {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, rep, f, transcript.Options{})
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q shown without ShowSecrets", s)
				}
			}
			if strings.Contains(out, jwt) || !strings.Contains(out, transcript.ShortenToken(jwt)) {
				t.Error("the token is not shortened")
			}
			shown := render(t, rep, f, transcript.Options{ShowSecrets: true, FullTokens: true})
			if !strings.Contains(shown, subKey) {
				t.Error("ShowSecrets hides the subscription key")
			}
			if !strings.Contains(shown, jwt) {
				t.Error("FullTokens hides the token")
			}
			if f == transcript.Curl {
				bashSyntax(t, out)
				bashSyntax(t, shown)
			}
		})
	}
	md := render(t, rep, transcript.Markdown, transcript.Options{})
	for _, want := range []string{
		"{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}", // pretty JSON, keys as sent
		"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer\nassertion=" + transcript.ShortenToken(jwt),
		"its visible text:›\nHello you\n[Go]\n```",
		"Ocp-Apim-Subscription-Key: [redacted]", "Cookie: [redacted]", "Set-Cookie: [redacted]", "Authorization: [redacted]",
		"### 2. Operational phase — Never runs", "**Skipped:**",
		"**Outcome:** ✗ failed.", "> **`MP-012`: ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestTranscriptFormatNames(t *testing.T) {
	for _, tt := range []struct {
		in   string
		file bool
		want transcript.Format
		err  bool
	}{
		{"run.md", true, transcript.Markdown, false},
		{"RUN.MD", true, transcript.Markdown, false},
		{"dir.x/run.sh", true, transcript.Curl, false},
		{"run.http", true, transcript.HTTP, false},
		{"run.txt", true, "", true},
		{"run", true, "", true},
		{"md", false, transcript.Markdown, false},
		{"curl", false, transcript.Curl, false},
		{"http", false, transcript.HTTP, false},
		{"pdf", false, "", true},
	} {
		var got transcript.Format
		var err error
		if tt.file {
			got, err = transcript.FormatFor(tt.in)
		} else {
			got, err = transcript.ParseFormat(tt.in)
		}
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%q: %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
	if err := transcript.Write(&bytes.Buffer{}, flow.Report{}, "pdf", transcript.Options{}); err == nil {
		t.Error("unknown format written")
	}
	if err := transcript.Write(failingWriter{}, flow.Report{}, transcript.Markdown, transcript.Options{}); err == nil {
		t.Error("write error lost")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
