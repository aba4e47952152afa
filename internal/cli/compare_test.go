package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// compareMasks are what differs from one run of the test to the next in
// run --compare's text: the mocks' ports, the ids and times they make, a
// token's random tail, the count of what differed as expected.
var compareMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "TIME"},
	{regexp.MustCompile(`00-[0-9a-f]{32}-[0-9a-f]{16}-00`), "TRACE"},
	{regexp.MustCompile(`(eyJ[A-Za-z0-9_-]{9})…[A-Za-z0-9_-]{6}`), "${1}…TOKEN"},
	{regexp.MustCompile(`\d+ values differ as expected`), "N values differ as expected"},
}

func maskCompare(s string) string {
	for _, m := range compareMasks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// TestRunCompare is run --compare: the standard scenario beside
// agent-client-org (which asks the agent's token with the client's org)
// and agent-client-org beside agent (which asks it right), as goldens of
// the text; the finding the trainer points at; exit 1 when the runs
// differ.
func TestRunCompare(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"standard-vs-agent-client-org", []string{"--compare", "agent-client-org"}, []string{
			" 8 | 8   v-request · SmartCloud asks the customer for a system user",
			"      request body .partyOrgNo\n        standard          \"310904473\"\n        agent-client-org  \"314250052\"\n",
			"    system user grant: the same in both, but for what always differs\n",
			" – | 9   ca-login · ",
		}},
		{"agent-client-org-vs-agent", []string{"--scenario", "agent-client-org", "--compare", "agent"}, []string{
			"    system user grant\n      claims .authorization_details[0].systemuser_org.ID\n" +
				"        agent-client-org  \"0192:310904473\"\n        agent             \"0192:314250052\"\n",
			" – | 16  op-api · SmartCloud fetches the open tax claims: only in agent (done)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := cli(t, append([]string{"run"}, tc.args...)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (the runs differ)\n%s\n%s", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("the text lacks %q", w)
				}
			}
			if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{40,}`).FindString(stdout); m != "" {
				t.Errorf("a token in full: %.40s…", m)
			}
			golden.RequireEqual(t, []byte(maskCompare(stdout)))
		})
	}
}

// A run compared with a file of an earlier run of the same scenario
// differs only in what always differs: exit 0, in text and in JSON.
func TestRunCompareWithItsOwnFile(t *testing.T) {
	cleanEnv(t)
	file := filepath.Join(t.TempDir(), "agent.json")
	stdout, stderr, code := cli(t, "run", "--scenario", "agent", "--format", "json")
	if code != 0 {
		t.Fatalf("run --format json: %d %s", code, stderr)
	}
	if err := os.WriteFile(file, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = cli(t, "run", "--scenario", "agent", "--compare", file)
	if code != 0 || !strings.Contains(stdout, "  = so-token … op-api (16 steps): the same in both, but for what always differs\n") ||
		!strings.Contains(stdout, "The runs are the same but for what always differs: ") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, code = cli(t, "run", "--scenario", "agent", "--compare", file, "--format", "json", "-v")
	var res struct {
		A, B     struct{ Label, Scenario string }
		Same     bool
		Findings int
		Expected int
		Steps    []struct {
			ID    string
			A, B  int
			Diffs []struct {
				Section, Path, Expected string
				A, B                    *string
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 {
		t.Fatalf("--format json: %d %v\n%.400s", code, err, stdout)
	}
	if !res.Same || res.Findings != 0 || res.Expected == 0 || len(res.Steps) != 16 || res.A.Label != "agent" || res.B.Label != "agent.json" || res.B.Scenario != "agent" {
		t.Errorf("the comparison: %+v", res)
	}
	for _, s := range res.Steps {
		for _, d := range s.Diffs {
			if d.Expected == "" || d.A == nil && d.B == nil {
				t.Errorf("%s %s %s: a finding in a run beside its own file", s.ID, d.Section, d.Path)
			}
		}
	}
}

func TestRunCompareRefusesWhatItCannotRead(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	notRun := filepath.Join(dir, "notes.json")
	if err := os.WriteFile(notRun, []byte(`{"hello": "world"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ other, want string }{
		{"no-such-scenario", `neither a file written by run --format json nor a scenario: no scenario "no-such-scenario"`},
		{filepath.Join(dir, "missing.json"), "no such file"},
		{notRun, "not a run written by run --format json"},
	} {
		stdout, stderr, code := cli(t, "run", "--compare", tc.other)
		if code != 2 || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("--compare %s: exit %d, stderr %q, want 2 and %q", tc.other, code, stderr, tc.want)
		}
	}
}
