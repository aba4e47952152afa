package flow

import (
	"embed"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/systembruker/workbench/internal/lazyre"
)

// The scenarios are data: the built-in ones are the files in scenarios/
// (embedded; numbered for their order in the list), a trainer's are the
// files of the folder --scenarios names, both read by parseFile
// (scenario_file.go) and built for the settings here.

//go:embed scenarios/*.toml
var builtinFS embed.FS

// builtinFile is an embedded scenario file.
type builtinFile struct {
	name  string // scenarios/01-standard.toml
	src   []byte
	specs []scenarioSpec
}

// builtins parses the embedded files once; TestBuiltinScenarioFilesLoad
// keeps them free of errors.
var builtins = sync.OnceValues(func() ([]builtinFile, error) {
	entries, err := builtinFS.ReadDir("scenarios")
	if err != nil {
		return nil, err
	}
	var out []builtinFile
	var errs FileErrors
	for _, e := range entries { // ReadDir sorts by name
		name := path.Join("scenarios", e.Name())
		src, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		specs, err := parseFile("flow/"+name, src)
		if err != nil {
			errs = append(errs, asFileErrors(err)...)
			continue
		}
		out = append(out, builtinFile{name: name, src: src, specs: specs})
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
})

// BuiltinErr reports a problem in the embedded scenario files (none in a
// tested build).
func BuiltinErr() error {
	_, err := builtins()
	return err
}

// Scenarios lists the built-in scenarios for the settings, happy ones
// first, the exercises last.
func Scenarios(s Settings) []Scenario {
	files, _ := builtins()
	var out []Scenario
	for _, f := range files {
		for _, sp := range f.specs {
			out = append(out, sp.build(s, ""))
		}
	}
	return out
}

// BuiltinScenarioFile is the embedded file that holds the built-in
// scenario with the name (its path in the repository, under flow/, and its
// text), for a trainer to copy.
func BuiltinScenarioFile(name string) (file string, src []byte, ok bool) {
	files, _ := builtins()
	for _, f := range files {
		for _, sp := range f.specs {
			if sp.Name == name {
				return "flow/" + f.name, f.src, true
			}
		}
	}
	return "", nil, false
}

// Find returns the built-in scenario with the name, or an error listing
// the names.
func Find(s Settings, name string) (Scenario, error) { return FindIn(Scenarios(s), name) }

// FindIn returns the scenario of the list with the name, or an error
// listing the names.
func FindIn(list []Scenario, name string) (Scenario, error) {
	var names []string
	for _, sc := range list {
		if sc.Name == name {
			return sc, nil
		}
		names = append(names, sc.Name)
	}
	return Scenario{}, fmt.Errorf("no scenario %q; choose one of: %s", name, strings.Join(names, ", "))
}

// ScenarioFiles are a trainer's scenario files, read and checked.
type ScenarioFiles struct {
	specs []scenarioSpec
}

// ReadScenarioDir reads every *.toml file in dir (not its subfolders).
// The errors name each file, line and field (FileErrors); a name a
// built-in scenario has, or another file's, is one of them.
func ReadScenarioDir(dir string) (*ScenarioFiles, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("scenarios: %s is not a folder: --scenarios names the folder that holds the *.toml files", dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("scenarios: no scenario files (*.toml) in %s", dir)
	}
	sort.Strings(files)
	sf := &ScenarioFiles{}
	var errs FileErrors
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		specs, err := parseFile(f, src)
		if err != nil {
			errs = append(errs, asFileErrors(err)...)
			continue
		}
		sf.specs = append(sf.specs, specs...)
	}
	errs = append(errs, sf.clashes()...)
	if len(errs) > 0 {
		return nil, errs
	}
	return sf, nil
}

// ParseScenarioFile reads one scenario file's text; file names it in
// errors and in the scenarios' File.
func ParseScenarioFile(file string, src []byte) (*ScenarioFiles, error) {
	specs, err := parseFile(file, src)
	if err != nil {
		return nil, err
	}
	return &ScenarioFiles{specs: specs}, nil
}

// clashes are the names taken twice: by a built-in scenario, or by two of
// the files' scenarios.
func (sf *ScenarioFiles) clashes() FileErrors {
	taken := map[string]string{}
	files, _ := builtins()
	for _, f := range files {
		for _, sp := range f.specs {
			taken[sp.Name] = "the built-in scenario's"
		}
	}
	var errs FileErrors
	for _, sp := range sf.specs {
		if by, ok := taken[sp.Name]; ok {
			errs = append(errs, FileError{File: sp.file, Line: sp.nameAt, Field: "name",
				Problem: fmt.Sprintf("%q is %s name", sp.Name, by), Fix: "give the scenario a name of its own"})
			continue
		}
		taken[sp.Name] = "the name of a scenario in " + sp.file + ", so it is another"
	}
	return errs
}

// Scenarios are the files' scenarios for the settings, in file order.
func (sf *ScenarioFiles) Scenarios(s Settings) []Scenario {
	if sf == nil {
		return nil
	}
	var out []Scenario
	for _, sp := range sf.specs {
		out = append(out, sp.build(s, sp.file))
	}
	return out
}

// Catalog is every scenario for the settings: the built-in ones, then the
// files' (nil for none).
func Catalog(s Settings, files *ScenarioFiles) []Scenario {
	return append(Scenarios(s), files.Scenarios(s)...)
}

func asFileErrors(err error) FileErrors {
	if fe, ok := err.(FileErrors); ok {
		return fe
	}
	return FileErrors{{Problem: err.Error()}}
}

// build makes the scenario for the settings; file is where a trainer's
// scenario came from ("" for a built-in).
func (sp scenarioSpec) build(s Settings, file string) Scenario {
	sc := Scenario{Name: sp.Name, Summary: expand(sp.Summary, s), Agent: sp.Agent, MockOnly: sp.MockOnly, File: file}
	params := map[Param]string{}
	for _, st := range sp.Steps {
		sc.Steps = append(sc.Steps, st.build(s))
		for k, v := range st.Inputs {
			params[Param(k)] = expand(v, s)
		}
	}
	if len(params) > 0 {
		sc.Params = params
	}
	for _, st := range sp.Cleanup {
		sc.Cleanup = append(sc.Cleanup, st.build(s))
	}
	if x := sp.Exercise; x != nil {
		ex := &Exercise{Step: x.Step, Code: x.Code, Rule: expand(x.Rule, s), Fix: map[Param]string{}, From: x.From}
		for _, h := range x.Hints {
			ex.Hints = append(ex.Hints, expand(h, s))
		}
		for k, v := range x.Fix {
			ex.Fix[Param(k)] = expand(v, s)
		}
		if ex.From == "" {
			ex.From = ex.Step
		}
		sc.Exercise = ex
	}
	return sc
}

// build makes the step for the settings.
func (st stepSpec) build(s Settings) Step {
	step := stepCatalog[st.Step](s, st.Tweak.expanded(s))
	step.base = st.Step
	if st.ID != "" {
		step.ID = st.ID
	}
	if st.Title != "" {
		step.Title = expand(st.Title, s)
	}
	if st.Expect != "" && st.Expect != "ok" {
		step.Expect = Expect{Code: st.Expect, Why: expand(st.Why, s), GoOn: st.GoOn}
	}
	if st.Narration != "" {
		step.narration = expand(st.Narration, s)
	}
	return step
}

// placeholders are the words a scenario file's text may hold in braces,
// filled in from the settings: the same file works with any config.
var placeholders = map[string]func(Settings) string{
	"customer":        Settings.CustomerLabel,
	"customer_org":    func(s Settings) string { return s.CustomerOrgNo },
	"facilitator":     func(s Settings) string { return orgLabel(s.FacilitatorName, s.FacilitatorOrgNo) },
	"facilitator_org": func(s Settings) string { return s.FacilitatorOrgNo },
	"vendor":          func(s Settings) string { return s.VendorName },
	"vendor_org":      func(s Settings) string { return s.VendorOrgNo },
	"end_user":        Settings.EndUserLabel,
	"client_admin":    Settings.ClientAdminLabel,
	"scope":           func(s Settings) string { return s.Scope },
	"resource":        func(s Settings) string { return s.Resource },
	"system":          func(s Settings) string { return s.SystemID },
	"agent_system":    func(s Settings) string { return s.AgentSystemID },
}

var placeholderRE = lazyre.New(`\{([a-z_]+)\}`)

// expand fills in the placeholders.
func expand(text string, s Settings) string {
	if !strings.Contains(text, "{") {
		return text
	}
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		if f, ok := placeholders[m[1:len(m)-1]]; ok {
			return f(s)
		}
		return m
	})
}

// placeholders reports the unknown placeholders in a text.
func (p *fileCheck) placeholders(at, text string) {
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if _, ok := placeholders[m[1]]; !ok {
			var known []string
			for k := range placeholders {
				known = append(known, "{"+k+"}")
			}
			sort.Strings(known)
			p.at(at, fmt.Sprintf("no placeholder {%s}", m[1]), "known: "+strings.Join(known, ", "))
		}
	}
}
