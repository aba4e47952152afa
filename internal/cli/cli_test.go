package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestGlobalFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{[]string{"--version"}, 0, "workbench ", ""},
		{[]string{"--help"}, 0, "workbench run", ""},
		{[]string{"--present", "--pace", "2s", "scenarios"}, 0, "standard", ""},
		{[]string{"--pace", "0s", "scenarios"}, 2, "", "pace"},
		{[]string{"--pace", "soon", "scenarios"}, 2, "", "pace"},
		{[]string{"nonsense"}, 2, "", `unknown command "nonsense"`},
		{[]string{"run", "--format", "xml"}, 2, "", "text or json"},
		{[]string{"run", "--scenario", "nope"}, 2, "", "choose one of"},
		{[]string{"--env", "staging", "scenarios"}, 2, "", "env"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := MainEnv(tt.args, strings.NewReader(""), &out, &errb, testEnv(t))
			if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errb.String(), tt.err) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
		})
	}
}

func TestScenariosListsEveryScenarioOnALine(t *testing.T) {
	var out, errb bytes.Buffer
	if code := MainEnv([]string{"scenarios"}, strings.NewReader(""), &out, &errb, testEnv(t)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 14 {
		t.Fatalf("%d scenarios", len(lines))
	}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) < 3 {
			t.Errorf("line %q lacks name and summary", l)
		}
	}
}
