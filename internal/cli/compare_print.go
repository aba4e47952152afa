package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/systembruker/workbench/compare"
	"github.com/systembruker/workbench/transcript"
)

// printComparison is `run --compare`'s text: the two runs, then step by
// step what differs, each value under its call or token with the two
// runs' values one under the other; steps the same in both folded into
// one line; what always differs counted at the end (verbose: listed
// under its step, with why).
func printComparison(w io.Writer, res compare.Result, verbose bool) {
	la, lb := res.A.Label, res.B.Label
	width := max(len(la), len(lb))
	fmt.Fprintf(w, "Comparing %s with %s\n", la, lb)
	for _, s := range []compare.Side{res.A, res.B} {
		what := s.Scenario + ": "
		if strings.HasPrefix(s.Label, s.Scenario) {
			what = ""
		}
		fmt.Fprintf(w, "  %-*s  %s%d steps, %s\n", width, s.Label, what, s.Steps, verdict(s.OK))
	}
	var same []compare.Step
	onlyBefore := false
	for _, s := range res.Steps {
		if s.Same() && !verbose {
			same = append(same, s)
			continue
		}
		// Steps only one run has follow each other without a blank line.
		if !onlyBefore || s.Only() == "" || len(same) > 0 {
			printSame(w, same)
			fmt.Fprintln(w)
		}
		same = nil
		onlyBefore = s.Only() != ""
		printStep(w, s, la, lb, width, verbose)
	}
	printSame(w, same)
	fmt.Fprintln(w)
	expected := fmt.Sprintf("%d values differ as expected (ids, times, signatures, ports)", res.Expected)
	if !verbose && res.Expected > 0 {
		expected += "; -v lists them"
	}
	if res.Same {
		fmt.Fprintf(w, "The runs are the same but for what always differs: %s.\n", expected)
		return
	}
	steps := 0
	for _, s := range res.Steps {
		if !s.Same() {
			steps++
		}
	}
	fmt.Fprintf(w, "The runs differ: %s in %s; %s.\n", plural(res.Findings, "finding"), plural(steps, "step"), expected)
}

func verdict(ok bool) string {
	if ok {
		return "ended as expected"
	}
	return "did NOT end as expected"
}

// printSame folds steps the same in both runs into one line.
func printSame(w io.Writer, steps []compare.Step) {
	switch len(steps) {
	case 0:
		return
	case 1:
		fmt.Fprintf(w, "\n  = %s: the same in both, but for what always differs\n", steps[0].ID)
	default:
		fmt.Fprintf(w, "\n  = %s … %s (%d steps): the same in both, but for what always differs\n",
			steps[0].ID, steps[len(steps)-1].ID, len(steps))
	}
}

// printStep prints a step's differences, grouped by the call or token
// they are in.
func printStep(w io.Writer, s compare.Step, la, lb string, width int, verbose bool) {
	fmt.Fprintf(w, "%s  %s · %s", stepNumbers(s), s.ID, s.Title)
	switch s.Only() {
	case "a":
		fmt.Fprintf(w, ": only in %s (%s)\n", la, s.OutcomeA)
		return
	case "b":
		fmt.Fprintf(w, ": only in %s (%s)\n", lb, s.OutcomeB)
		return
	}
	fmt.Fprintln(w)
	// The differences in order, a group for each call or token in turn
	// (a step may make the same call twice).
	type group struct {
		where string
		diffs []compare.Diff
	}
	var groups []group
	for _, d := range s.Diffs {
		k := d.Where
		if k == "" && d.Section == compare.SectionNotes {
			k = "notes"
		}
		if n := len(groups); n == 0 || groups[n-1].where != k {
			groups = append(groups, group{where: k})
		}
		groups[len(groups)-1].diffs = append(groups[len(groups)-1].diffs, d)
	}
	for _, g := range groups {
		if !verbose && !hasFinding(g.diffs) {
			// A grant or token alike in both is said so: it rules the
			// token out as the difference.
			if sec := g.diffs[0].Section; sec == compare.SectionGrant || sec == compare.SectionToken {
				fmt.Fprintf(w, "    %s: the same in both, but for what always differs\n", g.where)
			}
			continue
		}
		indent := "    "
		if g.where != "" {
			fmt.Fprintf(w, "    %s\n", g.where)
			indent = "      "
		}
		for _, d := range g.diffs {
			if d.Expected != "" && !verbose {
				continue
			}
			path := string(d.Section) + " " + d.Path
			if d.Section == compare.SectionStep || d.Section == compare.SectionGrant || d.Section == compare.SectionToken || d.Section == compare.SectionNotes {
				path = d.Path
			}
			if d.Expected != "" {
				fmt.Fprintf(w, "%s%s: differs as expected, %s\n", indent, path, d.Expected)
				continue
			}
			fmt.Fprintf(w, "%s%s\n", indent, path)
			printValue(w, indent, width, la, d.A)
			printValue(w, indent, width, lb, d.B)
		}
	}
}

func hasFinding(ds []compare.Diff) bool {
	for _, d := range ds {
		if d.Expected == "" {
			return true
		}
	}
	return false
}

// stepNumbers is a step's number in each run, "–" in the run without it.
func stepNumbers(s compare.Step) string {
	n := func(i int) string {
		if i == 0 {
			return "–"
		}
		return fmt.Sprint(i)
	}
	return fmt.Sprintf("%2s | %-2s", n(s.A), n(s.B))
}

// jwtRE is a compact JWT inside a value.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// The room a value gets: an object or array longer than inlineJSON
// characters is shown indented, at most maxJSONLines lines of it; a value
// longer than maxShown is cut.
const (
	inlineJSON   = 100
	maxJSONLines = 24
	maxShown     = 2000
)

// showValue is a value as the text shows it, in lines: tokens shortened
// as the transcripts have them, a long object or array indented, none as
// "(none)".
func showValue(v *string) []string {
	if v == nil {
		return []string{"(none)"}
	}
	s := jwtRE.ReplaceAllStringFunc(*v, transcript.ShortenToken)
	if len(s) > inlineJSON && (s[0] == '{' || s[0] == '[') {
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(s), "", "  ") == nil {
			lines := strings.Split(buf.String(), "\n")
			if len(lines) > maxJSONLines {
				lines = append(lines[:maxJSONLines], fmt.Sprintf("… (%d more lines)", len(lines)-maxJSONLines))
			}
			return lines
		}
	}
	if r := []rune(s); len(r) > maxShown {
		s = string(r[:maxShown]) + fmt.Sprintf("… (%d more characters)", len(r)-maxShown)
	}
	return []string{s}
}

// printValue prints a run's value under its label, the lines after the
// first indented under it.
func printValue(w io.Writer, indent string, width int, label string, v *string) {
	for i, l := range showValue(v) {
		if i == 0 {
			fmt.Fprintf(w, "%s  %-*s  %s\n", indent, width, label, l)
			continue
		}
		fmt.Fprintf(w, "%s  %-*s  %s\n", indent, width, "", l)
	}
}
