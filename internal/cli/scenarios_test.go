package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// wbRun runs the command line in a clean environment.
func wbRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cleanEnv(t)
	var out, errb bytes.Buffer
	code = MainEnv(args, strings.NewReader(""), &out, &errb, testEnv(t))
	return out.String(), errb.String(), code
}

// `workbench scenarios` marks each exercise, and --scenarios DIR lists a
// folder's scenarios after the built-in ones, naming their file.
func TestScenariosMarksExercisesAndListsAFolder(t *testing.T) {
	out, errb, code := wbRun(t, "scenarios")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	exercises := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		name := strings.Fields(l)[0]
		sc, err := flow.Find(flow.Settings{}, name)
		if err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if marked := strings.Contains(l, " exercise: "); marked != (sc.Exercise != nil) {
			t.Errorf("%s: marked %v, exercise %v", name, marked, sc.Exercise != nil)
		}
		if sc.Exercise != nil {
			exercises++
		}
	}
	if exercises < 8 {
		t.Errorf("%d exercises listed", exercises)
	}

	dir := filepath.Join("..", "..", "testdata", "scenarios")
	out2, errb, code := wbRun(t, "scenarios", "--scenarios", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if !strings.HasPrefix(out2, out[:strings.Index(out, "\n")]) {
		t.Error("the built-in scenarios do not come first")
	}
	file := filepath.Join(dir, "class.toml")
	for _, want := range []string{"class-clock-ahead", "exercise: Our integration server's clock", "(" + file + ")", "class-retired-key"} {
		if !strings.Contains(out2, want) {
			t.Errorf("lacks %q:\n%s", want, out2)
		}
	}
	if n, m := strings.Count(out2, "\n"), strings.Count(out, "\n"); n != m+2 {
		t.Errorf("%d lines with the folder, %d without", n, m)
	}
	js, _, _ := wbRun(t, "--scenarios", dir, "scenarios", "--json")
	var items []struct {
		Name     string
		Exercise bool
		File     string
	}
	if err := json.Unmarshal([]byte(js), &items); err != nil {
		t.Fatal(err)
	}
	last := items[len(items)-1]
	if last.Name != "class-retired-key" || last.Exercise || last.File != file || !items[len(items)-2].Exercise {
		t.Errorf("JSON %+v", items[len(items)-2:])
	}
}

// A broken scenario file stops every command that reads the folder, with
// each error's file, line and field.
func TestBrokenScenarioFileNamesFileLineAndField(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "scenarios-broken")
	file := filepath.Join(dir, "broken.toml")
	for _, args := range [][]string{{"scenarios"}, {"run"}, {"run", "--scenario", "standard"}} {
		out, errb, code := wbRun(t, append([]string{"--scenarios", dir}, args...)...)
		if code != 2 || out != "" && args[0] == "scenarios" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
		for _, want := range []string{file + ":10: scenario[1].step[2].step: no built-in step \"op-tokn\"", file + ":15: scenario.step.expct: unknown field"} {
			if !strings.Contains(errb, want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, errb)
			}
		}
	}
	if _, errb, code := wbRun(t, "--scenarios", filepath.Join(dir, "nothing-here"), "scenarios"); code != 2 || !strings.Contains(errb, "nothing-here") {
		t.Errorf("a missing folder: %d %s", code, errb)
	}
}

// run runs an exercise as delivered (exit 1: unsolved, its step failing
// with its code, as the last line says) or with --fix (exit 0: every step
// ok); a trainer's scenario runs by its name; an exercise that does not
// fail as it says is named so.
func TestRunExerciseDeliveredAndFixed(t *testing.T) {
	out, errb, code := wbRun(t, "run", "--scenario", "fix-scope")
	if code != 1 || !strings.Contains(out, "Exercise fix-scope is not solved:") || strings.Contains(out, "failed as expected") ||
		!strings.Contains(out, "Exercise fix-scope as delivered: step op-token fails with MP-200, as the exercise says") {
		t.Errorf("delivered: exit %d\n%s%s", code, out, errb)
	}
	out, errb, code = wbRun(t, "run", "--scenario", "fix-scope", "--format", "json")
	if code != 1 || !strings.Contains(out, `"ok": false`) || !strings.Contains(errb, "as the exercise says") {
		t.Errorf("delivered, JSON: exit %d\n%s%s", code, out, errb)
	}
	out, errb, code = wbRun(t, "run", "--scenario", "fix-scope", "--fix")
	if code != 0 || strings.Contains(out, "failed as expected") || !strings.Contains(out, "its fix (grant_scope = skatteetaten:kravogbetalinger) makes every step end ok") {
		t.Errorf("fixed: exit %d\n%s%s", code, out, errb)
	}
	if _, errb, code := wbRun(t, "run", "--scenario", "standard", "--fix"); code != 2 || !strings.Contains(errb, "no exercise") {
		t.Errorf("--fix on a scenario that is no exercise: %d %s", code, errb)
	}
	dir := filepath.Join("..", "..", "testdata", "scenarios")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--scenario", "class-retired-key"}, 0, "failed as expected with MP-124"},
		{[]string{"--scenario", "class-clock-ahead"}, 1, "step op-token fails with invalid_grant, as the exercise says"},
		{[]string{"--scenario", "class-clock-ahead", "--fix"}, 0, "makes every step end ok"},
	} {
		out, errb, code := wbRun(t, append([]string{"--scenarios", dir, "run"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d\n%s%s", tc.args, code, out, errb)
		}
	}

	// A trainer's exercise that names another code than its step fails
	// with: exit 1 as well, and the last line says what went otherwise.
	mine := t.TempDir()
	src, err := os.ReadFile(filepath.Join(dir, "class.toml"))
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Replace(string(src), `code = "invalid_grant"`, `code = "MP-110"`, 1)
	if wrong == string(src) {
		t.Fatal("class.toml has no code = \"invalid_grant\" to change")
	}
	if err := os.WriteFile(filepath.Join(mine, "class.toml"), []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errb, code = wbRun(t, "--scenarios", mine, "run", "--scenario", "class-clock-ahead")
	if code != 1 || !strings.Contains(out, "Exercise class-clock-ahead does NOT fail as it says (at step op-token, with MP-110): step op-token failed with invalid_grant") {
		t.Errorf("an exercise with the wrong code: exit %d\n%s%s", code, out, errb)
	}
}

// --export prints a built-in scenario's file, which read back from a
// folder under a new name is a scenario of its own.
func TestScenariosExport(t *testing.T) {
	out, errb, code := wbRun(t, "scenarios", "--export", "fix-agent-org")
	if code != 0 || !strings.Contains(out, `name = "fix-agent-org"`) || !strings.Contains(errb, "flow/scenarios/22-fix-agent-org.toml") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	dir := t.TempDir()
	mine := strings.Replace(out, `name = "fix-agent-org"`, `name = "my-agent-org"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "mine.toml"), []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	list, errb, code := wbRun(t, "--scenarios", dir, "scenarios")
	if code != 0 || !strings.Contains(list, "my-agent-org") {
		t.Errorf("exit %d\n%s%s", code, list, errb)
	}
	if _, errb, code := wbRun(t, "--scenarios", dir, "scenarios", "--export", "my-agent-org"); code != 2 || !strings.Contains(errb, "mine.toml already") {
		t.Errorf("export of a folder's scenario: %d %s", code, errb)
	}
	if _, errb, code := wbRun(t, "scenarios", "--export", "nope"); code != 2 || !strings.Contains(errb, `no scenario "nope"`) {
		t.Errorf("export of nothing: %d %s", code, errb)
	}
}
