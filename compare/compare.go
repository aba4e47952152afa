// Package compare spots the difference between two runs: two reports of
// the flow (a run of this process, or one `run --format json` wrote),
// step by step. Steps pair up by their id; within a pair the calls pair
// up by what they do, the tokens by their label, and every value of the
// step, its calls, its tokens and its notes is compared. A value that
// always differs between runs (an id, a time, a signature, a port: see
// Always) is "differs as expected"; any other difference is a finding.
// The package only computes: the command line and the TUI render it.
package compare

import (
	"fmt"

	"github.com/systembruker/workbench/flow"
)

// Section is the part of a step a difference is in.
type Section string

// The sections, in the order a step's differences are listed.
const (
	SectionStep     Section = "step"     // the outcome, the title, the error
	SectionGrant    Section = "grant"    // a grant the step signed
	SectionToken    Section = "token"    // a token it got (or used)
	SectionRequest  Section = "request"  // a call's request
	SectionResponse Section = "response" // a call's response
	SectionNotes    Section = "notes"    // what the step noted
)

// Sections lists the sections in order.
var Sections = []Section{SectionStep, SectionGrant, SectionToken, SectionRequest, SectionResponse, SectionNotes}

// Run is one side of a comparison: a name to show it by ("standard",
// "run.json") and the run in its JSON form.
type Run struct {
	Label  string
	Report flow.RunReport
}

// Result is the comparison of run A with run B.
type Result struct {
	A Side `json:"a"`
	B Side `json:"b"`
	// Same is true when the runs differ only in what always differs.
	Same bool `json:"same"`
	// Findings counts the differences that matter; Expected the values
	// that differ as expected.
	Findings int    `json:"findings"`
	Expected int    `json:"expected"`
	Steps    []Step `json:"steps"`
}

// Side says which run a side is.
type Side struct {
	Label    string `json:"label"`
	Scenario string `json:"scenario"`
	OK       bool   `json:"ok"` // the run ended as its scenario expects
	Steps    int    `json:"steps"`
}

// Step is a step of both runs (the same id), or of one only.
type Step struct {
	ID    string     `json:"id"`
	Title string     `json:"title"` // A's, or B's when only B has the step
	Actor flow.Actor `json:"actor"`
	// A and B are the step's number in each run, 0 in the run without it.
	A int `json:"a"`
	B int `json:"b"`
	// OutcomeA and OutcomeB are how it ended in each ("done",
	// "expected-failure MP-303"), empty in the run without it.
	OutcomeA string `json:"outcomeA,omitempty"`
	OutcomeB string `json:"outcomeB,omitempty"`
	Diffs    []Diff `json:"diffs,omitempty"`
}

// Only is "a" or "b" for a step only that run has, "" for a pair.
func (s Step) Only() string {
	switch {
	case s.A == 0:
		return "b"
	case s.B == 0:
		return "a"
	}
	return ""
}

// Findings are the step's differences that matter.
func (s Step) Findings() []Diff {
	var out []Diff
	for _, d := range s.Diffs {
		if d.Expected == "" {
			out = append(out, d)
		}
	}
	return out
}

// Same reports whether the step is in both runs and differs only in what
// always differs.
func (s Step) Same() bool { return s.Only() == "" && len(s.Findings()) == 0 }

// Diff is one value that differs between the runs.
type Diff struct {
	Section Section `json:"section"`
	// Where is the call or token it is in ("POST /token", "system user
	// grant"), and for a call made behind the scenes the call it answered
	// ("POST /token ↳ GET /systemuser/byExternalId"); empty for the step.
	Where string `json:"where,omitempty"`
	// Path is the value's place there: "status", "url", "query orgno",
	// "header Location", "body .partyOrgNo", "claims
	// .authorization_details[0].systemuser_org.ID", "outcome", "call".
	Path string `json:"path"`
	// A and B are the values (JSON values in JSON form, a string quoted),
	// nil where the run has none.
	A *string `json:"a"`
	B *string `json:"b"`
	// Expected says why the value always differs; empty for a finding.
	Expected string `json:"expected,omitempty"`
}

// Runs compares run a with run b.
func Runs(a, b Run) Result {
	ra, rb := a.Report, b.Report
	res := Result{
		A: Side{Label: a.Label, Scenario: ra.Scenario, OK: ra.OK, Steps: len(ra.Steps)},
		B: Side{Label: b.Label, Scenario: rb.Scenario, OK: rb.OK, Steps: len(rb.Steps)},
	}
	pairs := align(len(ra.Steps), len(rb.Steps),
		func(i, j int) bool { return ra.Steps[i].ID == rb.Steps[j].ID }, nil)
	for _, p := range pairs {
		var s Step
		switch {
		case p.b < 0:
			s = onlyStep(ra.Steps[p.a], p.a+1, 0)
		case p.a < 0:
			s = onlyStep(rb.Steps[p.b], 0, p.b+1)
		default:
			s = compareSteps(ra.Steps[p.a], rb.Steps[p.b], p.a+1, p.b+1)
		}
		for _, d := range s.Diffs {
			if d.Expected == "" {
				res.Findings++
			} else {
				res.Expected++
			}
		}
		if s.Only() != "" {
			res.Findings++
		}
		res.Steps = append(res.Steps, s)
	}
	res.Same = res.Findings == 0
	return res
}

// onlyStep is a step one run has: a or b is its number there.
func onlyStep(s flow.StepReport, a, b int) Step {
	st := Step{ID: s.ID, Title: s.Title, Actor: s.Actor, A: a, B: b}
	if a > 0 {
		st.OutcomeA = outcome(s)
	} else {
		st.OutcomeB = outcome(s)
	}
	return st
}

// outcome is how a step ended, with the code of a failure.
func outcome(s flow.StepReport) string {
	o := s.Outcome.String()
	switch {
	case s.Outcome == flow.ExpectedFailure && s.Expected != "":
		o += " " + s.Expected
	case (s.Outcome == flow.ExpectedFailure || s.Outcome == flow.Failed) && len(s.Codes) > 0:
		o += " " + s.Codes[0]
	}
	return o
}

// compareSteps compares a pair of steps with the same id.
func compareSteps(a, b flow.StepReport, na, nb int) Step {
	st := Step{ID: a.ID, Title: a.Title, Actor: a.Actor, A: na, B: nb, OutcomeA: outcome(a), OutcomeB: outcome(b)}
	d := &differ{}
	d.leaf(SectionStep, "", "outcome", "", quote(st.OutcomeA), quote(st.OutcomeB))
	d.leaf(SectionStep, "", "title", "", quote(a.Title), quote(b.Title))
	d.leaf(SectionStep, "", "actor", "", quote(string(a.Actor)), quote(string(b.Actor)))
	d.leaf(SectionStep, "", "expects", "", quoteEmpty(a.Expected), quoteEmpty(b.Expected))
	d.leaf(SectionStep, "", "error", "", quoteEmpty(a.Error), quoteEmpty(b.Error))
	d.tokens(a.Tokens, b.Tokens)
	d.exchanges("", a.Exchanges, b.Exchanges)
	d.notes(a.Notes, b.Notes)
	st.Diffs = d.out
	return st
}

// differ collects a step's differences.
type differ struct{ out []Diff }

// leaf compares one value; name is the field it is in, for Always. nil
// stands for a value the run does not have.
func (d *differ) leaf(sec Section, where, path, name string, a, b *string) {
	if a == nil && b == nil || a != nil && b != nil && *a == *b {
		return
	}
	df := Diff{Section: sec, Where: where, Path: path, A: a, B: b}
	if a != nil && b != nil {
		df.Expected = Always(name, unquote(*a), unquote(*b))
	} else {
		df.Expected = AlwaysThere(name)
	}
	d.out = append(d.out, df)
}

// notes pairs the notes by their text with what always differs masked,
// and compares each pair.
func (d *differ) notes(a, b []string) {
	pairs := align(len(a), len(b), func(i, j int) bool { return Mask(a[i]) == Mask(b[j]) },
		func(int, int) bool { return true })
	for _, p := range pairs {
		d.leaf(SectionNotes, "", "note", "", at(a, p.a), at(b, p.b))
	}
}

// at is s[i] quoted, or nil for i < 0.
func at(s []string, i int) *string {
	if i < 0 {
		return nil
	}
	return quote(s[i])
}

// quote is s as a JSON string.
func quote(s string) *string {
	q := fmt.Sprintf("%q", s)
	if b, err := jsonString(s); err == nil {
		q = b
	}
	return &q
}

// quoteEmpty is quote, or nil for "".
func quoteEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return quote(s)
}

// pair is an index in A and one in B, -1 where a side has none.
type pair struct{ a, b int }

// align pairs the items of two lists in order: the longest run of
// matching pairs (same), and between two matches the items left over on
// both sides paired one to one where gap allows it (nil: never), the rest
// alone. The pairs come in the order of both lists.
func align(na, nb int, same func(i, j int) bool, gap func(i, j int) bool) []pair {
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, na+1)
	for i := range lcs {
		lcs[i] = make([]int, nb+1)
	}
	for i := na - 1; i >= 0; i-- {
		for j := nb - 1; j >= 0; j-- {
			switch {
			case same(i, j):
				lcs[i][j] = lcs[i+1][j+1] + 1
			default:
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []pair
	var ga, gb []int // the items since the last match
	flush := func() {
		k := 0
		for ; gap != nil && k < len(ga) && k < len(gb) && gap(ga[k], gb[k]); k++ {
			out = append(out, pair{ga[k], gb[k]})
		}
		for _, i := range ga[k:] {
			out = append(out, pair{i, -1})
		}
		for _, j := range gb[k:] {
			out = append(out, pair{-1, j})
		}
		ga, gb = nil, nil
	}
	i, j := 0, 0
	for i < na && j < nb {
		switch {
		case same(i, j) && lcs[i][j] == lcs[i+1][j+1]+1:
			flush()
			out = append(out, pair{i, j})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			ga = append(ga, i)
			i++
		default:
			gb = append(gb, j)
			j++
		}
	}
	for ; i < na; i++ {
		ga = append(ga, i)
	}
	for ; j < nb; j++ {
		gb = append(gb, j)
	}
	flush()
	return out
}
