package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestExplainCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := MainEnv([]string{"explain", "MP-303", "403", "kb-005"}, strings.NewReader(""), &out, &errb, testEnv(t)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"MP-303:", "cause:", "fix:", "see:   https://", "HTTP 403", "KB-005"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := MainEnv([]string{"explain", "MP-999"}, strings.NewReader(""), &out, &errb, testEnv(t)); code != 1 || !strings.Contains(errb.String(), "--list") {
		t.Errorf("unknown code: exit %d, %q", code, errb.String())
	}
	if code := MainEnv([]string{"explain"}, strings.NewReader(""), &out, &errb, testEnv(t)); code != 2 {
		t.Errorf("no code: exit %d", code)
	}
}

// Every error code the mock services can answer with has an explanation:
// a trainer can always ask `workbench explain` about what the screen shows.
func TestEveryMockCodeIsExplained(t *testing.T) {
	files, _ := filepath.Glob("../../client/mock/*.go")
	re := regexp.MustCompile(`"(MP-\d{3}|AUTH(\.VLD)?-\d{5}|KB-\d{3}|STD-\d{5}|invalid_[a-z_]+|unsupported_grant_type|access_denied|forbidden|server_error)`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) < 30 {
		t.Fatalf("found only %d codes in the mocks; is the pattern right?", len(seen))
	}
	for c := range seen {
		var out, errb bytes.Buffer
		if code := MainEnv([]string{"explain", c}, strings.NewReader(""), &out, &errb, testEnv(t)); code != 0 {
			t.Errorf("%s: %s", c, strings.TrimSpace(errb.String()))
		}
	}
}
