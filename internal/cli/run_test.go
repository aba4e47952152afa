package cli

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRunTranscript runs `run --scenario agent --transcript F.md` end to
// end: the run prints as usual, and F holds the handout, redacted.
func TestRunTranscript(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	md := filepath.Join(dir, "agent.md")
	stdout, stderr, code := cli(t, "run", "--scenario", "agent", "--transcript", md)
	if code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Scenario agent ended as expected.") || !strings.Contains(stderr, "transcript (md) written to "+md) {
		t.Errorf("output:\n%s\n%s", stdout, stderr)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{
		"# Scenario agent: ", "## The cast", "```mermaid\nsequenceDiagram", "Maskinporten->>Altinn: ",
		"### 1. Service owner — ", "### 16. Operational phase — SmartCloud fetches the open tax claims",
		"| `system_id` | — | `991825827_smartcloud_ap` ← added |", "## What to remember",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}`).FindString(text); m != "" {
		t.Errorf("a token in full: %.40s…", m)
	}
	pk, _ := pem.Decode(readFileT(t, "../../config/demo/smartcloud-demo-key.pem"))
	k, err := x509.ParsePKCS8PrivateKey(pk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	assertNoKeyMaterial(t, "the transcript", text, k.(*rsa.PrivateKey))

	// The format from the extension, or from the flag; full tokens make
	// the file private.
	sh := filepath.Join(dir, "agent.sh")
	if _, stderr, code := cli(t, "run", "--scenario", "agent", "--transcript", sh, "--full-tokens"); code != 0 {
		t.Fatalf("run --transcript agent.sh: %d %s", code, stderr)
	}
	if st, err := os.Stat(sh); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("script with full tokens: %v, mode %v", err, st.Mode())
	}
	if b := readFileT(t, sh); !strings.HasPrefix(string(b), "#!/usr/bin/env bash\n") || !regexp.MustCompile(`eyJ[A-Za-z0-9_-]{40,}`).Match(b) {
		t.Error("agent.sh is not the script with full tokens")
	}
	txt := filepath.Join(dir, "agent.txt")
	if _, stderr, code := cli(t, "run", "--scenario", "agent", "--transcript", txt, "--transcript-format", "http"); code != 0 ||
		!strings.HasPrefix(string(readFileT(t, txt)), "# Scenario agent") || !strings.Contains(stderr, "transcript (http)") {
		t.Errorf("--transcript-format http: %d %s", code, stderr)
	}

	for _, args := range [][]string{
		{"--transcript", filepath.Join(dir, "x.txt")},      // no format
		{"--transcript", md, "--transcript-format", "pdf"}, // unknown format
		{"--full-tokens"}, // nothing to write
	} {
		if _, stderr, code := cli(t, append([]string{"run", "--scenario", "agent"}, args...)...); code != 2 || stderr == "" {
			t.Errorf("run %v: %d %q, want 2 and a message", args, code, stderr)
		}
	}
}

func readFileT(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunMarksExpectedFailures: a failure the scenario expects has its own
// mark in the text and its own outcome in the JSON, and a note of several
// lines (step 4's public JWK) is printed whole without -v, indented under
// its step.
func TestRunMarksExpectedFailures(t *testing.T) {
	cleanEnv(t)
	stdout, stderr, code := cli(t, "run", "--scenario", "rejected")
	if code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "    ⚑ failed as expected with MP-303: ") || strings.Contains(stdout, "✓ failed as expected") {
		t.Errorf("the expected failure is not marked ⚑:\n%s", stdout)
	}
	if !regexp.MustCompile(`(?m)^ {8}\{\n {10}"keys": \[\n(?: {10,}.*\n)*? {14}"n": "[A-Za-z0-9_-]{300,}",$`).MatchString(stdout) {
		t.Errorf("step 4's JWK is not printed whole, indented under the step:\n%s", stdout)
	}
	stdout, _, code = cli(t, "run", "--scenario", "rejected", "--format", "json")
	var rep struct {
		Steps []struct {
			ID      string `json:"id"`
			Title   string `json:"title"`
			Outcome string `json:"outcome"`
		} `json:"steps"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &rep) != nil || len(rep.Steps) != 12 {
		t.Fatalf("run --format json: %d\n%s", code, stdout)
	}
	if o := rep.Steps[11].Outcome; o != "expected-failure" {
		t.Errorf("step 12's outcome %q, want expected-failure", o)
	}
	if o := rep.Steps[0].Outcome; o != "done" {
		t.Errorf("step 1's outcome %q, want done", o)
	}
	if s := rep.Steps[10]; s.ID != "v-poll" || strings.Contains(s.Title, "finds the system user") {
		t.Errorf("in rejected the poll is titled %q", s.Title)
	}
}
