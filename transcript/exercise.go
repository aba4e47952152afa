package transcript

import (
	"fmt"
	"sort"
	"strings"

	"github.com/systembruker/workbench/flow"
)

// The trainee's handout: for an exercise, the Markdown transcript starts
// with what the trainee was to fix, every step they ran (Options.Attempts,
// the engine's history) with the inputs they had changed and how it ended,
// and the fix that worked beside the exercise's own.

// exercise writes the exercise's section, if the run is of one.
func (t *transcript) exercise() {
	sc := t.rep.Scenario
	x := sc.Exercise
	if x == nil {
		return
	}
	at := -1
	for i, s := range sc.Steps {
		if s.ID == x.Step {
			at = i
		}
	}
	if at < 0 {
		return
	}
	// As delivered: a run that broke as the exercise says, with no history
	// of a trainee's attempts (`run --transcript` without --fix). Solved:
	// every step ended as it should.
	delivered := !t.rep.OK && len(t.opts.Attempts) == 0 && sc.AsDelivered(t.rep.Results) == nil
	solved := t.rep.OK
	t.line("## The exercise")
	t.line("")
	t.p("As delivered, step %d (%s) fails with %s. The task: find out why from the error and its explanation, "+
		"change the inputs, and run the step again until every step ends as it should.\n\n", at+1, sc.Steps[at].Title, x.Code)
	switch {
	case solved:
		t.line("**Solved.** Every step ends as it should.")
	case delivered:
		t.line("**As delivered:** this run shows the failure the trainee is to fix.")
	default:
		t.line("**Not solved yet.**")
	}
	t.line("")
	start := sc.StartParams(t.opts.Settings)
	if len(t.opts.Attempts) > 0 {
		t.attempts(start)
	}
	if solved {
		if fix := t.workingFix(at, start); fix != "" {
			t.p("**The fix that worked:** %s.\n\n", fix)
		}
	}
	if solved || delivered {
		t.p("**The exercise's own fix:** %s.\n\n", mdFix(x.Fix))
	}
	t.p("**The rule:** %s\n\n", x.Rule)
}

// attempts is the table of every step the trainee ran.
func (t *transcript) attempts(start map[flow.Param]string) {
	sc := t.rep.Scenario
	t.line("### What was run")
	t.line("")
	t.line("| # | Step | Inputs changed from the start | Outcome | Codes |")
	t.line("|---|---|---|---|---|")
	for n, a := range t.opts.Attempts {
		title := a.StepID
		if a.Step >= 0 && a.Step < len(sc.Steps) {
			title = fmt.Sprintf("%d. %s", a.Step+1, sc.Steps[a.Step].Title)
		}
		changed := changedText(changedParams(start, a.Params))
		if changed == "" {
			changed = "—"
		}
		t.p("| %d | %s | %s | %s | %s |\n", n+1, cell(title), cell(changed), a.Outcome, cell(strings.Join(a.Codes, ", ")))
	}
	t.line("")
}

// workingFix is the inputs changed from the start in the last run of the
// exercise's step that ended as it should, after one that failed.
func (t *transcript) workingFix(at int, start map[flow.Param]string) string {
	failed := false
	fix := ""
	for _, a := range t.opts.Attempts {
		if a.Step != at {
			continue
		}
		switch {
		case a.Outcome == flow.Failed:
			failed = true
		case a.Outcome == flow.Done && failed:
			fix = changedText(changedParams(start, a.Params))
		}
	}
	return fix
}

// changedParams are the inputs whose value differs from the start.
func changedParams(start, now map[flow.Param]string) map[flow.Param]string {
	out := map[flow.Param]string{}
	for p, v := range now {
		if start[p] != v {
			out[p] = v
		}
	}
	return out
}

// changedText writes inputs as `name` = `value`, in name order.
func changedText(m map[flow.Param]string) string {
	var ps []string
	for p := range m {
		ps = append(ps, string(p))
	}
	sort.Strings(ps)
	var parts []string
	for _, p := range ps {
		v, label := m[flow.Param(p)], flow.ParamLabel(flow.Param(p))
		if v == "" {
			parts = append(parts, label+" emptied")
			continue
		}
		parts = append(parts, label+" = `"+v+"`")
	}
	return strings.Join(parts, ", ")
}

func mdFix(fix map[flow.Param]string) string {
	if s := changedText(fix); s != "" {
		return s
	}
	return "—"
}
