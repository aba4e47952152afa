package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// The built-in scenarios are files; each loads, and the names are unique.
func TestBuiltinScenarioFilesLoad(t *testing.T) {
	if err := flow.BuiltinErr(); err != nil {
		t.Fatal(err)
	}
	list := flow.Scenarios(flow.Settings{})
	seen := map[string]bool{}
	exercises := 0
	for _, sc := range list {
		if seen[sc.Name] {
			t.Errorf("two scenarios named %s", sc.Name)
		}
		seen[sc.Name] = true
		if sc.File != "" {
			t.Errorf("%s: a built-in scenario with File %q", sc.Name, sc.File)
		}
		file, src, ok := flow.BuiltinScenarioFile(sc.Name)
		if !ok || !strings.HasPrefix(file, "flow/scenarios/") || !strings.Contains(string(src), `name = "`+sc.Name+`"`) {
			t.Errorf("%s: file %q, %d bytes", sc.Name, file, len(src))
		}
		if sc.Exercise != nil {
			exercises++
		}
	}
	if list[0].Name != "standard" || len(list)-exercises < 20 || exercises < 8 {
		t.Errorf("first %s, %d scenarios, %d exercises", list[0].Name, len(list), exercises)
	}
}

var volatile = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|127\.0\.0\.1:\d+`)

// runShape is what a run did, without its ids and times: each step's id,
// title, outcome and codes, its calls (method, path, status) and its
// tokens (label, claim names, lifetime, kid, authorization_details).
func runShape(r flow.Report) []string {
	var out []string
	for i, s := range r.Scenario.Steps {
		res := r.Results[i]
		line := strings.Join([]string{s.ID, string(s.Actor), s.Title, res.Outcome.String(), strings.Join(res.Codes(), ",")}, " · ")
		for _, x := range res.Exchanges {
			line += " | " + x.Method + " " + volatile.ReplaceAllString(strings.SplitN(x.URL, "?", 2)[0], "X") + " " + x.StatusLine()
		}
		for _, tk := range res.Tokens {
			var keys []string
			for k := range tk.Claims {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			line += " | " + tk.Label + " " + strings.Join(keys, ",")
			if exp, ok := tk.Claims["exp"].(float64); ok {
				if iat, ok := tk.Claims["iat"].(float64); ok {
					b, _ := json.Marshal(exp - iat)
					line += " life " + string(b)
				}
			}
			if kid, ok := tk.Header["kid"].(string); ok {
				line += " kid " + kid
			}
			if ad, ok := tk.Claims["authorization_details"]; ok && strings.HasSuffix(tk.Label, "grant") {
				b, _ := json.Marshal(ad)
				line += " " + string(b)
			}
		}
		out = append(out, line)
	}
	return append(out, "ok: "+map[bool]string{true: "yes", false: "no"}[r.OK])
}

func compareRuns(t *testing.T, name string, want, got flow.Report) {
	t.Helper()
	w, g := runShape(want), runShape(got)
	if len(w) != len(g) {
		t.Fatalf("%s: %d steps, the built-in %d:\n%s", name, len(g), len(w), strings.Join(g, "\n"))
	}
	for i := range w {
		if w[i] != g[i] {
			t.Errorf("%s step %d:\nbuilt-in %s\nfile     %s", name, i+1, w[i], g[i])
		}
	}
}

// A scenario file in testdata equal to a built-in one runs to the same
// result.
func TestScenarioFileEqualToABuiltinRunsTheSame(t *testing.T) {
	s := session(t)
	files, _ := filepath.Glob("../testdata/scenarios-equal/*.toml")
	if len(files) < 3 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sf, err := flow.ParseScenarioFile(f, src)
		if err != nil {
			t.Fatal(err)
		}
		got := sf.Scenarios(s.Settings)
		if len(got) != 1 || got[0].File != f {
			t.Fatalf("%s: %d scenarios", f, len(got))
		}
		builtin, err := flow.Find(s.Settings, got[0].Name)
		if err != nil {
			t.Fatal(err)
		}
		want := flow.NewEngine(s.Services, s.Settings, builtin).RunAll(context.Background(), nil)
		run := flow.NewEngine(s.Services, s.Settings, got[0]).RunAll(context.Background(), nil)
		if !want.OK {
			t.Fatalf("%s: the built-in did not end as expected", got[0].Name)
		}
		compareRuns(t, f, want, run)
	}
}

// Every built-in file, copied to a folder under another name, is read by
// ReadScenarioDir into the same scenario: steps, inputs, expectations,
// cleanup and exercise.
func TestEveryBuiltinFileReadFromAFolderIsTheSame(t *testing.T) {
	set := flow.Settings{CustomerOrgNo: "310904473", CustomerName: "TILFELDIG SUBTIL APE", FacilitatorOrgNo: "314250052", Scope: "skatteetaten:kravogbetalinger"}
	dir := t.TempDir()
	builtins := flow.Scenarios(set)
	for _, sc := range builtins {
		_, src, _ := flow.BuiltinScenarioFile(sc.Name)
		src = []byte(strings.Replace(string(src), `name = "`+sc.Name+`"`, `name = "copy-`+sc.Name+`"`, 1))
		if err := os.WriteFile(filepath.Join(dir, sc.Name+".toml"), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sf, err := flow.ReadScenarioDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]flow.Scenario{}
	for _, sc := range sf.Scenarios(set) {
		got[strings.TrimPrefix(sc.Name, "copy-")] = sc
	}
	for _, want := range builtins {
		g, ok := got[want.Name]
		if !ok {
			t.Errorf("%s not read", want.Name)
			continue
		}
		if g.File != filepath.Join(dir, want.Name+".toml") {
			t.Errorf("%s: File %q", want.Name, g.File)
		}
		if a, b := describeScenario(want), describeScenario(g); a != b {
			t.Errorf("%s differs:\nbuilt-in %s\nfile     %s", want.Name, a, b)
		}
	}
}

func describeScenario(sc flow.Scenario) string {
	var b strings.Builder
	j, _ := json.Marshal(map[string]any{"summary": sc.Summary, "agent": sc.Agent, "mock": sc.MockOnly, "params": sc.Params, "exercise": sc.Exercise})
	b.Write(j)
	for _, s := range append(append([]flow.Step{}, sc.Steps...), sc.Cleanup...) {
		j, _ := json.Marshal([]any{s.ID, s.Actor, s.Title, s.Inputs, s.Expect, s.Manual, s.Person, s.Narration()})
		b.Write(j)
	}
	return b.String()
}

// A folder's scenarios come after the built-in ones in the catalog, and
// know their file.
func TestScenarioDirBesideTheBuiltins(t *testing.T) {
	sf, err := flow.ReadScenarioDir("../testdata/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	set := flow.Settings{CustomerName: "TILFELDIG SUBTIL APE", CustomerOrgNo: "310904473"}
	all := flow.Catalog(set, sf)
	n := len(flow.Scenarios(set))
	if len(all) != n+2 || all[n].Name != "class-clock-ahead" || all[n+1].Name != "class-retired-key" {
		t.Fatalf("%d scenarios after %d built-in", len(all)-n, n)
	}
	ex := all[n]
	if ex.Exercise == nil || ex.File != filepath.Join("..", "testdata", "scenarios", "class.toml") {
		t.Errorf("exercise %v, file %q", ex.Exercise, ex.File)
	}
	if !strings.Contains(ex.Summary, "TILFELDIG SUBTIL APE's token") || !strings.Contains(ex.Steps[11].Title, "TILFELDIG SUBTIL APE's system user token") {
		t.Errorf("placeholders not filled in: %q, %q", ex.Summary, ex.Steps[11].Title)
	}
	if n := ex.Steps[11].Narration(); !strings.HasPrefix(n, "Every night our integration server fetches TILFELDIG SUBTIL APE") {
		t.Errorf("narration %q", n)
	}
	if n := ex.Steps[12].Narration(); n != flow.Narration("op-api") {
		t.Error("a step without its own narration lost the built-in one")
	}
	if _, err := flow.FindIn(all, "class-retired-key"); err != nil {
		t.Error(err)
	}
}

// fileErr parses src and returns its one error.
func fileErrs(t *testing.T, src string) flow.FileErrors {
	t.Helper()
	_, err := flow.ParseScenarioFile("my.toml", []byte(src))
	var fe flow.FileErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want FileErrors", err, err)
	}
	return fe
}

const goodHead = "[[scenario]]\nname = \"mine\"\nsummary = \"mine\"\n\n[[scenario.step]]\nstep = \"so-token\"\n\n[[scenario.step]]\n"

// A broken file gets errors that name the file, the line and the field.
func TestScenarioFileErrorsNameFileLineAndField(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		field     string
		problem   string
	}{
		{"syntax", goodHead + "step = \"op-token\n", 9, "scenario.step.step", "newline"},
		{"unknown key", goodHead + "step = \"op-token\"\nexpct = \"MP-110\"\n", 10, "scenario.step.expct", "unknown field"},
		{"unknown key at the top", "[[scenario]]\nname = \"mine\"\nsummary = \"s\"\nagnt = true\n[[scenario.step]]\nstep = \"v-keys\"\n", 4, "scenario.agnt", "unknown field"},
		{"unknown tweak", goodHead + "step = \"op-token\"\ntweak = { kidd = \"x\" }\n", 10, "scenario.step.tweak.kidd", "unknown field"},
		{"unknown step", goodHead + "step = \"op-tokn\"\n", 9, "scenario[1].step[2].step", "no built-in step \"op-tokn\""},
		{"missing name", "[[scenario]]\nsummary = \"s\"\n[[scenario.step]]\nstep = \"v-keys\"\n", 1, "scenario[1].name", "missing"},
		{"bad name", "[[scenario]]\nname = \"My Scenario\"\nsummary = \"s\"\n[[scenario.step]]\nstep = \"v-keys\"\n", 2, "scenario[1].name", "not a scenario name"},
		{"no steps", "[[scenario]]\nname = \"mine\"\nsummary = \"s\"\n", 1, "scenario[1]", "no steps"},
		{"no scenario", "# nothing\n", 0, "scenario", "no [[scenario]]"},
		{"unknown code", goodHead + "step = \"op-token\"\nexpect = \"MP-999\"\nwhy = \"w\"\n", 10, "scenario[1].step[2].expect", "\"MP-999\""},
		{"code without why", goodHead + "step = \"op-token\"\nexpect = \"MP-110\"\n", 10, "scenario[1].step[2].expect", "without a why"},
		{"input of another step", goodHead + "step = \"op-api\"\ninputs = { grant_aud = \"x\" }\n", 10, "scenario[1].step[2].inputs.grant_aud", "does not take grant_aud"},
		{"no such input", goodHead + "step = \"op-token\"\ninputs = { audience = \"x\" }\n", 10, "scenario[1].step[2].inputs.audience", "no such input"},
		{"bad input value", goodHead + "step = \"op-token\"\ninputs = { grant_lifetime = \"soon\" }\n", 10, "scenario[1].step[2].inputs.grant_lifetime", "not a duration"},
		{"number for text", goodHead + "step = \"op-token\"\ninputs = { grant_lifetime = 300 }\n", 10, "scenario.step.inputs.grant_lifetime", "not text"},
		{"two values for an input", goodHead + "step = \"op-api\"\ninputs = { api_org = \"310904473\" }\n\n[[scenario.step]]\nstep = \"op-api\"\nid = \"op-api-2\"\ninputs = { api_org = \"314250052\" }\n", 15, "scenario[1].step[3].inputs.api_org", "one value for every step"},
		{"the same step twice", goodHead + "step = \"so-token\"\n", 9, "scenario[1].step[2].step", "has a step so-token already"},
		{"tweak of another step", goodHead + "step = \"op-api\"\ntweak = { kid = \"k\" }\n", 10, "scenario[1].step[2].tweak.kid", "takes no kid"},
		{"bad tweak", goodHead + "step = \"op-token\"\ntweak = { lifetime = \"long\" }\n", 10, "scenario[1].step[2].tweak.lifetime", "not a duration"},
		{"unknown placeholder", goodHead + "step = \"op-token\"\ntitle = \"For {kunde}\"\n", 10, "scenario[1].step[2].title", "no placeholder {kunde}"},
		{"exercise on no step", goodHead + "step = \"op-token\"\n\n[scenario.exercise]\nstep = \"op-api\"\ncode = \"MP-110\"\nrule = \"r\"\nhints = [\"h\"]\nfix = { grant_aud = \"\" }\n", 12, "scenario[1].exercise.step", "no step \"op-api\""},
		{"exercise without hints", goodHead + "step = \"op-token\"\n\n[scenario.exercise]\nstep = \"op-token\"\ncode = \"MP-110\"\nrule = \"r\"\nfix = { grant_aud = \"\" }\n", 11, "scenario[1].exercise.hints", "no hints"},
		{"exercise fix invalid", goodHead + "step = \"op-token\"\n\n[scenario.exercise]\nstep = \"op-token\"\ncode = \"MP-110\"\nrule = \"r\"\nhints = [\"h\"]\nfix = { grant_org = \"12\" }\n", 16, "scenario[1].exercise.fix.grant_org", "not an organisation number"},
		{"exercise step expects an error", goodHead + "step = \"op-token\"\nexpect = \"MP-110\"\nwhy = \"w\"\n\n[scenario.exercise]\nstep = \"op-token\"\ncode = \"MP-110\"\nrule = \"r\"\nhints = [\"h\"]\nfix = { grant_aud = \"\" }\n", 14, "scenario[1].exercise.step", "must end ok once fixed"},
		{"again_from after the step", goodHead + "step = \"op-token\"\n\n[[scenario.step]]\nstep = \"op-api\"\n\n[scenario.exercise]\nstep = \"op-token\"\ncode = \"MP-110\"\nrule = \"r\"\nhints = [\"h\"]\nfix = { grant_aud = \"\" }\nagain_from = \"op-api\"\n", 20, "scenario[1].exercise.again_from", "not one of the steps up to op-token"},
		{"a key-like line in a narration", goodHead + "step = \"op-token\"\nnarration = \"\"\"\n[[scenario.step]]\nexpect = 1\n\"\"\"\n\n[[scenario.step]]\nstep = \"op-tokn\"\n", 16, "scenario[1].step[3].step", "no built-in step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := fileErrs(t, tc.src)
			var found bool
			for _, e := range errs {
				if e.File == "my.toml" && e.Line == tc.line && e.Field == tc.field && strings.Contains(e.Problem, tc.problem) {
					found = true
				}
			}
			if !found {
				t.Errorf("want my.toml:%d: %s: …%s…; got\n%v", tc.line, tc.field, tc.problem, errs)
			}
			if tc.line > 0 && !strings.HasPrefix(errs.Error(), "my.toml:") {
				t.Errorf("the message does not start with the file: %s", errs.Error())
			}
		})
	}
}

// A folder's files are checked all together: every file's errors, and a
// name a built-in scenario has.
func TestScenarioDirErrors(t *testing.T) {
	_, err := flow.ReadScenarioDir("../testdata/scenarios-broken")
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	f := filepath.Join("..", "testdata", "scenarios-broken", "broken.toml")
	for _, want := range []string{f + ":10: scenario[1].step[2].step: no built-in step \"op-tokn\"", f + ":15: scenario.step.expct: unknown field"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q:\n%s", want, msg)
		}
	}
	dir := t.TempDir()
	_, src, _ := flow.BuiltinScenarioFile("wrong-aud")
	os.WriteFile(filepath.Join(dir, "a.toml"), src, 0o600)
	if _, err := flow.ReadScenarioDir(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "a.toml")+":2: name: \"wrong-aud\" is the built-in scenario's name") {
		t.Errorf("a built-in's name: %v", err)
	}
	for _, d := range []string{t.TempDir(), filepath.Join(dir, "a.toml"), filepath.Join(dir, "none")} {
		if _, err := flow.ReadScenarioDir(d); err == nil {
			t.Errorf("%s: no error", d)
		}
	}
}

// The README's full example of a scenario file is one.
func TestREADMEExampleParses(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Scenario files and exercises")
	_, rest, ok2 := strings.Cut(rest, "```toml\n")
	example, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no TOML example under \"Scenario files and exercises\"")
	}
	sf, err := flow.ParseScenarioFile("README.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	sc := sf.Scenarios(flow.Settings{CustomerName: "C"})
	if len(sc) != 1 || sc[0].Exercise == nil || sc[0].Params[flow.ParamVendorClock] != "30s" || len(sc[0].Exercise.Hints) != 3 {
		t.Errorf("%+v", sc)
	}
}

// BenchmarkParseBuiltinScenarioFiles reads every built-in file, as the
// first call of Scenarios does once a process (part of `workbench run`'s
// cold start, budget 300 ms).
func BenchmarkParseBuiltinScenarioFiles(b *testing.B) {
	var srcs [][]byte
	for _, sc := range flow.Scenarios(flow.Settings{}) {
		_, src, _ := flow.BuiltinScenarioFile(sc.Name)
		srcs = append(srcs, src)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			if _, err := flow.ParseScenarioFile("f.toml", src); err != nil {
				b.Fatal(err)
			}
		}
	}
}
