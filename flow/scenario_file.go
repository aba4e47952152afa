package flow

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
)

// Scenario files: the scenarios as data, in TOML, one or more
// [[scenario]] tables a file. The built-in ones are files too
// (flow/scenarios/*.toml, embedded); a trainer's are read from the folder
// --scenarios names, by the same code. README.md ("Scenario files and
// exercises") documents the format with a full example.

// fileSpec is a scenario file as TOML has it.
type fileSpec struct {
	Scenario []scenarioSpec `toml:"scenario"`
}

// scenarioSpec is one [[scenario]].
type scenarioSpec struct {
	Name     string        `toml:"name"`
	Summary  string        `toml:"summary"`
	Agent    bool          `toml:"agent"`
	MockOnly bool          `toml:"mock_only"`
	Steps    []stepSpec    `toml:"step"`
	Cleanup  []stepSpec    `toml:"cleanup"`
	Exercise *exerciseSpec `toml:"exercise"`

	file   string // where it was read, for errors and the listing
	nameAt int    // the line of its name
}

// stepSpec is one [[scenario.step]] (or [[scenario.cleanup]]).
type stepSpec struct {
	Step      string            `toml:"step"`      // the built-in step (stepCatalog)
	ID        string            `toml:"id"`        // another id, for a step a scenario has twice
	Title     string            `toml:"title"`     // another title
	Inputs    map[string]string `toml:"inputs"`    // the inputs this step starts with
	Expect    string            `toml:"expect"`    // "ok" (or empty), or the error code it must end with
	Why       string            `toml:"why"`       // the lesson of the expected error, in a sentence
	GoOn      bool              `toml:"go_on"`     // after the expected error the scenario goes on
	Narration string            `toml:"narration"` // Markdown over the built-in narration
	Tweak     tweakSpec         `toml:"tweak"`
}

// exerciseSpec is a [scenario.exercise]: the scenario starts broken on
// purpose, and the trainee fixes it.
type exerciseSpec struct {
	Step  string            `toml:"step"`       // the id of the step that fails as delivered
	Code  string            `toml:"code"`       // the error it fails with
	Rule  string            `toml:"rule"`       // the rule it breaks, in a sentence
	Hints []string          `toml:"hints"`      // one at a time
	Fix   map[string]string `toml:"fix"`        // the inputs that make it pass
	From  string            `toml:"again_from"` // the step to run again from once fixed; default step
}

// FileError is a problem in a scenario file: where it is, the field, what
// is wrong and how to put it right.
type FileError struct {
	File    string
	Line    int
	Field   string // the key, with 1-based element numbers: scenario[2].step[12].expect
	Problem string
	Fix     string
}

func (e FileError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	s := loc + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Problem
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// FileErrors is every problem found in scenario files, in file order.
type FileErrors []FileError

func (es FileErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// parseFile reads a scenario file's text; file names it in errors.
func parseFile(file string, src []byte) ([]scenarioSpec, error) {
	ix := indexLines(src)
	var f fileSpec
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		return nil, FileErrors{decodeError(file, err)}
	}
	p := &fileCheck{file: file, ix: ix}
	seen := map[string]bool{}
	for _, k := range md.Undecoded() {
		// A key in every step is undecoded once a step: its lines are
		// reported once.
		if !seen[k.String()] {
			seen[k.String()] = true
			p.unknown(k)
		}
	}
	if len(f.Scenario) == 0 && len(p.errs) == 0 {
		p.add(0, "scenario", "no [[scenario]] in the file", "start each scenario with a [[scenario]] line")
	}
	for i := range f.Scenario {
		f.Scenario[i].file = file
		p.scenario(i, &f.Scenario[i])
	}
	if len(p.errs) > 0 {
		p.sort()
		return nil, p.errs
	}
	return f.Scenario, nil
}

var lastKeyRE = lazyre.New(`line (\d+) \(last key "([^"]*)"\): (.*)`)

// decodeError is a file's TOML syntax or type error, with its line.
func decodeError(file string, err error) FileError {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return FileError{File: file, Line: pe.Position.Line, Field: pe.LastKey, Problem: pe.Message,
			Fix: "see README.md, Scenario files, for the format"}
	}
	if m := lastKeyRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		prob := m[3]
		fix := "see README.md, Scenario files, for each field's type"
		if strings.Contains(prob, "destination has type string") {
			prob, fix = "a value that is not text", `write it in quotes: "300s", "310904473"`
		}
		return FileError{File: file, Line: n, Field: m[2], Problem: prob, Fix: fix}
	}
	return FileError{File: file, Problem: strings.TrimPrefix(err.Error(), "toml: ")}
}

// fileCheck collects a file's problems.
type fileCheck struct {
	file string
	ix   lineIndex
	errs FileErrors
}

func (p *fileCheck) add(line int, field, problem, fix string) {
	p.errs = append(p.errs, FileError{File: p.file, Line: line, Field: field, Problem: problem, Fix: fix})
}

// at adds a problem with the field at path (indexed from 0, as the line
// index has it; shown from 1).
func (p *fileCheck) at(path, problem, fix string) {
	p.add(p.ix.line(path), shownPath(path), problem, fix)
}

func (p *fileCheck) sort() {
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
}

// allowedKeys are the keys each table takes, for the unknown-key errors.
var allowedKeys = map[string]string{
	"":                       "scenario",
	"scenario":               "name, summary, agent, mock_only, step, cleanup, exercise",
	"scenario.step":          "step, id, title, inputs, expect, why, go_on, narration, tweak",
	"scenario.cleanup":       "step, id, title, tweak",
	"scenario.step.tweak":    "kid, other_key, authorization_type, authorization_details_extra, lifetime, expired_by, days, clock",
	"scenario.cleanup.tweak": "clock",
	"scenario.exercise":      "step, code, rule, hints, fix, again_from",
	"scenario.step.inputs":   strings.Join(paramNames(), ", "),
	"scenario.exercise.fix":  strings.Join(paramNames(), ", "),
}

// unknown reports a key the format does not have, at each line it is on.
func (p *fileCheck) unknown(k toml.Key) {
	plain := k.String()
	parent := ""
	if len(k) > 1 {
		parent = k[:len(k)-1].String()
	}
	fix := "allowed here: " + allowedKeys[parent]
	lines := p.ix.lines(plain)
	if len(lines) == 0 {
		lines = []int{0}
	}
	for _, n := range lines {
		p.add(n, plain, "unknown field", fix)
	}
}

// shownPath numbers a path's elements from 1: scenario[0].step[3] is
// shown as scenario[1].step[4].
func shownPath(path string) string {
	var b strings.Builder
	for {
		i := strings.Index(path, "[")
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		j := strings.Index(path[i:], "]")
		if j < 0 {
			b.WriteString(path)
			return b.String()
		}
		n, err := strconv.Atoi(path[i+1 : i+j])
		if err != nil {
			b.WriteString(path[:i+j+1])
		} else {
			b.WriteString(path[:i] + "[" + strconv.Itoa(n+1) + "]")
		}
		path = path[i+j+1:]
	}
}

var nameRE = lazyre.New(`^[a-z0-9][a-z0-9-]*$`)

// scenario checks one [[scenario]].
func (p *fileCheck) scenario(i int, sp *scenarioSpec) {
	at := fmt.Sprintf("scenario[%d]", i)
	sp.nameAt = p.ix.line(at + ".name")
	switch {
	case sp.Name == "":
		p.at(at+".name", "missing", `name the scenario: name = "my-scenario" (lower case, digits and dashes)`)
	case !nameRE.MatchString(sp.Name):
		p.at(at+".name", fmt.Sprintf("%q is not a scenario name", sp.Name), "use lower case letters, digits and dashes, e.g. my-wrong-aud")
	}
	if strings.TrimSpace(sp.Summary) == "" {
		p.at(at+".summary", "missing", "say in a line what the scenario shows")
	}
	p.placeholders(at+".summary", sp.Summary)
	if len(sp.Steps) == 0 {
		p.at(at, "no steps", `add the steps in order, each a [[scenario.step]] with step = "so-token" and so on`)
	}
	ids := map[string]bool{}
	inputs := map[Param]string{}
	inputAt := map[Param]string{}
	for j := range sp.Steps {
		p.step(fmt.Sprintf("%s.step[%d]", at, j), sp.Steps[j], ids, inputs, inputAt, false)
	}
	for j := range sp.Cleanup {
		p.step(fmt.Sprintf("%s.cleanup[%d]", at, j), sp.Cleanup[j], map[string]bool{}, nil, nil, true)
	}
	if sp.Exercise != nil {
		p.exercise(at+".exercise", sp)
	}
}

// step checks one step; ids are the scenario's step ids so far, inputs
// the inputs its steps set (nil for a cleanup step).
func (p *fileCheck) step(at string, st stepSpec, ids map[string]bool, inputs map[Param]string, inputAt map[Param]string, cleanup bool) {
	build, ok := stepCatalog[st.Step]
	switch {
	case st.Step == "":
		p.at(at+".step", "missing: which built-in step", "one of "+strings.Join(stepNames(), ", "))
		return
	case !ok:
		p.at(at+".step", fmt.Sprintf("no built-in step %q", st.Step), "one of "+strings.Join(stepNames(), ", "))
		return
	}
	id := st.Step
	if st.ID != "" {
		if !nameRE.MatchString(st.ID) {
			p.at(at+".id", fmt.Sprintf("%q is not a step id", st.ID), "use lower case letters, digits and dashes, e.g. op-token-2")
		}
		id = st.ID
	}
	if ids[id] {
		p.at(at+".step", fmt.Sprintf("the scenario has a step %s already", id), `give this one its own id = "`+id+`-2"`)
	}
	ids[id] = true
	p.placeholders(at+".title", st.Title)
	p.placeholders(at+".why", st.Why)
	p.placeholders(at+".narration", st.Narration)
	for _, tw := range st.Tweak.set() {
		if ok, which := takesTweak(st.Step, tw); !ok {
			p.at(at+".tweak."+tw, "the "+st.Step+" step takes no "+tw, "only "+which+" does")
		}
	}
	p.placeholders(at+".tweak.kid", st.Tweak.Kid)
	p.placeholders(at+".tweak.authorization_type", st.Tweak.AuthorizationType)
	for k, v := range st.Tweak.DetailsExtra {
		p.placeholders(at+".tweak.authorization_details_extra."+k, v)
	}
	for k, prob := range st.Tweak.check() {
		p.at(at+".tweak."+k, prob, "")
	}
	if cleanup {
		if st.Expect != "" || st.Why != "" || st.GoOn || len(st.Inputs) > 0 || st.Narration != "" {
			p.at(at, "a cleanup step has only step, id, title and tweak", "move the rest to a [[scenario.step]]")
		}
		return
	}
	p.expect(at, st)
	step := build(Settings{}, st.Tweak)
	for k, v := range st.Inputs {
		p.input(at+".inputs."+k, step, Param(k), v, inputs, inputAt)
	}
}

// expect checks a step's expect and why.
func (p *fileCheck) expect(at string, st stepSpec) {
	code := st.Expect
	switch {
	case code == "" || code == "ok":
		if st.Why != "" {
			p.at(at+".why", "a why without an expected error", `say which error the step must end with: expect = "MP-303"`)
		}
		if st.GoOn {
			p.at(at+".go_on", "go_on without an expected error", "a step that ends ok never stops the scenario: leave go_on out")
		}
	case !knownCode(code):
		p.at(at+".expect", fmt.Sprintf("%q is neither ok nor an error code the workbench knows", code),
			"`workbench explain --list` lists the codes; HTTP statuses are written \"HTTP 403\"")
	case strings.TrimSpace(st.Why) == "":
		p.at(at+".expect", "an expected error without a why", "say in a sentence why this error is the lesson: why = \"...\"")
	}
}

// input checks one input a step starts with.
func (p *fileCheck) input(at string, step Step, k Param, v string, inputs map[Param]string, inputAt map[Param]string) {
	if _, ok := paramInfo[k]; !ok {
		p.at(at, "no such input", "inputs are "+strings.Join(paramNames(), ", "))
		return
	}
	if !contains(paramStrings(step.Inputs), string(k)) {
		p.at(at, "the "+step.ID+" step does not take "+string(k), "its inputs: "+noneOr(paramStrings(step.Inputs)))
		return
	}
	p.placeholders(at, v)
	if !strings.Contains(v, "{") {
		if err := ValidateParam(k, v); err != nil {
			p.at(at, err.Error(), paramInfo[k].help)
		}
	}
	if old, ok := inputs[k]; ok && old != v {
		p.at(at, fmt.Sprintf("%s is %q already (%s): the inputs are the scenario's, one value for every step", k, old, shownPath(inputAt[k])),
			"set it once")
		return
	}
	inputs[k], inputAt[k] = v, at
}

// exercise checks a [scenario.exercise].
func (p *fileCheck) exercise(at string, sp *scenarioSpec) {
	x := sp.Exercise
	idx := map[string]int{}
	for j, st := range sp.Steps {
		idx[stepSpecID(st)] = j
	}
	j, ok := idx[x.Step]
	switch {
	case x.Step == "":
		p.at(at+".step", "missing: which step fails as delivered", "the id of one of the scenario's steps, e.g. op-token")
	case !ok:
		p.at(at+".step", fmt.Sprintf("the scenario has no step %q", x.Step), "the id of one of its steps")
	case sp.Steps[j].Expect != "" && sp.Steps[j].Expect != "ok":
		p.at(at+".step", "the step expects "+sp.Steps[j].Expect+": an exercise's step must end ok once fixed",
			"leave expect out of that step; the exercise's code says how it fails as delivered")
	}
	switch {
	case x.Code == "":
		p.at(at+".code", "missing: the error the step fails with as delivered", `e.g. code = "MP-110"`)
	case !knownCode(x.Code):
		p.at(at+".code", fmt.Sprintf("%q is not an error code the workbench knows", x.Code), "`workbench explain --list` lists them")
	}
	if strings.TrimSpace(x.Rule) == "" {
		p.at(at+".rule", "missing: the rule the step breaks", "say it in a sentence")
	}
	p.placeholders(at+".rule", x.Rule)
	if len(x.Hints) == 0 {
		p.at(at+".hints", "no hints", `give at least one, gentlest first: hints = ["...", "..."]`)
	}
	for k, h := range x.Hints {
		p.placeholders(fmt.Sprintf("%s.hints", at), h)
		if strings.TrimSpace(h) == "" {
			p.at(at+".hints", fmt.Sprintf("hint %d is empty", k+1), "")
		}
	}
	if len(x.Fix) == 0 {
		p.at(at+".fix", "no fix", `give the inputs that make it pass: fix = { grant_aud = "" }`)
	}
	for k, v := range x.Fix {
		if _, ok := paramInfo[Param(k)]; !ok {
			p.at(at+".fix."+k, "no such input", "inputs are "+strings.Join(paramNames(), ", "))
			continue
		}
		p.placeholders(at+".fix."+k, v)
		if !strings.Contains(v, "{") {
			if err := ValidateParam(Param(k), v); err != nil {
				p.at(at+".fix."+k, err.Error(), paramInfo[Param(k)].help)
			}
		}
	}
	if f, ok := idx[x.From]; x.From != "" && (!ok || (x.Step != "" && f > idx[x.Step])) {
		p.at(at+".again_from", fmt.Sprintf("%q is not one of the steps up to %s", x.From, x.Step), "leave it out to run the failing step again")
	}
}

// knownCode reports whether the workbench can explain an error code: an
// expected error must be a real one.
func knownCode(code string) bool {
	_, ok := client.ExplainCode(code)
	return ok
}

// stepSpecID is the id a step of the file gets.
func stepSpecID(st stepSpec) string {
	if st.ID != "" {
		return st.ID
	}
	return st.Step
}

func paramNames() []string {
	var out []string
	for p := range paramInfo {
		out = append(out, string(p))
	}
	sort.Strings(out)
	return out
}

func paramStrings(ps []Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func noneOr(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
