package flow_test

import (
	"bytes"
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
	"github.com/systembruker/workbench/flow"
)

// longJWT is a JWT longer than its shortened form: "eyJ" and 9 more
// characters, then "…".
var longJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}`)

func transcript(t *testing.T, rep flow.Report, f flow.TranscriptFormat, opts flow.TranscriptOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := flow.WriteTranscript(&b, rep, f, opts); err != nil {
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
	rep, eng := run(t, "agent", nil)
	if !rep.OK {
		t.Fatalf("agent run not ok:\n%s", describe(rep))
	}
	opts := flow.TranscriptOptions{Settings: eng.Settings(), Params: eng.State().Params}
	set := eng.Settings()

	tests := []struct {
		format flow.TranscriptFormat
		check  func(t *testing.T, out string)
	}{
		{flow.TranscriptMarkdown, func(t *testing.T, out string) {
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
			} {
				if !strings.Contains(out, want) {
					t.Errorf("handout lacks %q", want)
				}
			}
			if strings.Contains(out, "<style") || strings.Contains(out, "<form") {
				t.Error("the confirm page's markup is in the handout")
			}
		}},
		{flow.TranscriptCurl, func(t *testing.T, out string) {
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
				`agent=${SYSTEM_USER_ID}&client=${CLIENT_PARTY_UUID}`,
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
		{flow.TranscriptHTTP, func(t *testing.T, out string) {
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
			out := transcript(t, rep, tt.format, opts)
			tt.check(t, out)
			if m := longJWT.FindString(out); m != "" {
				t.Errorf("a JWT in full without FullTokens: %.40s…", m)
			}
			if again := transcript(t, rep, tt.format, opts); again != out {
				t.Error("two transcripts of the same run differ")
			}
			full := transcript(t, rep, tt.format, flow.TranscriptOptions{Settings: set, FullTokens: true})
			if tt.format != flow.TranscriptCurl && !strings.Contains(full, systemUserToken(t, rep)) {
				t.Error("FullTokens does not show the system user token")
			}
			if tt.format == flow.TranscriptCurl {
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
	rep, eng := run(t, "agent-client-org", nil)
	if !rep.OK {
		t.Fatalf("not ok:\n%s", describe(rep))
	}
	out := transcript(t, rep, flow.TranscriptMarkdown, flow.TranscriptOptions{Settings: eng.Settings()})
	ex, _ := client.ExplainCode("MP-303")
	last := rep.Scenario.Steps[len(rep.Scenario.Steps)-1]
	for _, want := range []string{
		"**Outcome:** ✓ failed as expected, with `MP-303`.",
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
	script := transcript(t, rep, flow.TranscriptCurl, flow.TranscriptOptions{Settings: eng.Settings()})
	bashSyntax(t, script)
	calls := regexp.MustCompile(`(?m)^(?:\w+=\$\()?curl .*$`).FindAllString(script, -1)
	if !strings.Contains(script, "Expected to fail with MP-303") || len(calls) == 0 ||
		strings.Contains(calls[len(calls)-1], "--fail-with-body") || !strings.Contains(calls[0], "--fail-with-body") {
		t.Error("the expected failure's call would stop the script, or is not marked")
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

	rep, eng := run(t, "agent", nil)
	set := eng.Settings()
	if set.VendorKey.Key == nil || !set.VendorKey.Key.Equal(demo) {
		t.Fatal("the run did not sign with the demo vendor key: the search would prove nothing")
	}
	keys := []*rsa.PrivateKey{demo, set.ServiceOwnerKey.Key}
	pemRE := regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)
	for _, f := range flow.TranscriptFormats {
		for _, opts := range []flow.TranscriptOptions{
			{Settings: set},
			{Settings: set, FullTokens: true, ShowSecrets: true},
		} {
			out := transcript(t, rep, f, opts)
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
	for _, f := range flow.TranscriptFormats {
		t.Run(string(f), func(t *testing.T) {
			out := transcript(t, rep, f, flow.TranscriptOptions{})
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q shown without ShowSecrets", s)
				}
			}
			if strings.Contains(out, jwt) || !strings.Contains(out, flow.ShortenToken(jwt)) {
				t.Error("the token is not shortened")
			}
			shown := transcript(t, rep, f, flow.TranscriptOptions{ShowSecrets: true, FullTokens: true})
			if !strings.Contains(shown, subKey) {
				t.Error("ShowSecrets hides the subscription key")
			}
			if !strings.Contains(shown, jwt) {
				t.Error("FullTokens hides the token")
			}
			if f == flow.TranscriptCurl {
				bashSyntax(t, out)
				bashSyntax(t, shown)
			}
		})
	}
	md := transcript(t, rep, flow.TranscriptMarkdown, flow.TranscriptOptions{})
	for _, want := range []string{
		"{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}", // pretty JSON, keys as sent
		"grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer\nassertion=" + flow.ShortenToken(jwt),
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
		want flow.TranscriptFormat
		err  bool
	}{
		{"run.md", true, flow.TranscriptMarkdown, false},
		{"RUN.MD", true, flow.TranscriptMarkdown, false},
		{"dir.x/run.sh", true, flow.TranscriptCurl, false},
		{"run.http", true, flow.TranscriptHTTP, false},
		{"run.txt", true, "", true},
		{"run", true, "", true},
		{"md", false, flow.TranscriptMarkdown, false},
		{"curl", false, flow.TranscriptCurl, false},
		{"http", false, flow.TranscriptHTTP, false},
		{"pdf", false, "", true},
	} {
		var got flow.TranscriptFormat
		var err error
		if tt.file {
			got, err = flow.TranscriptFormatFor(tt.in)
		} else {
			got, err = flow.ParseTranscriptFormat(tt.in)
		}
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%q: %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
	if err := flow.WriteTranscript(&bytes.Buffer{}, flow.Report{}, "pdf", flow.TranscriptOptions{}); err == nil {
		t.Error("unknown format written")
	}
	if err := flow.WriteTranscript(failingWriter{}, flow.Report{}, flow.TranscriptMarkdown, flow.TranscriptOptions{}); err == nil {
		t.Error("write error lost")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
