package flow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// Every exercise fails as delivered, with its code at its step, and ends
// as it should after its documented fix, applied as the trainee applies
// it: the inputs edited, then the steps from again_from run again.
func TestEveryExerciseFailsAsDeliveredAndPassesWithItsFix(t *testing.T) {
	s := session(t)
	ctx := context.Background()
	n := 0
	for _, sc := range flow.Scenarios(s.Settings) {
		x := sc.Exercise
		if x == nil {
			continue
		}
		n++
		t.Run(sc.Name, func(t *testing.T) {
			if len(x.Hints) == 0 || x.Rule == "" || len(x.Fix) == 0 {
				t.Fatalf("hints %d, rule %q, fix %v", len(x.Hints), x.Rule, x.Fix)
			}
			if _, ok := client.ExplainCode(x.Code); !ok {
				t.Errorf("no explanation for %s", x.Code)
			}
			eng := flow.NewEngine(s.Services, s.Settings, sc)
			rep := eng.RunAll(ctx, nil)
			at, from := eng.StepIndex(x.Step), eng.StepIndex(x.From)
			if rep.OK || eng.Solved() || at < 0 || from < 0 || from > at {
				t.Fatalf("as delivered: ok %v, solved %v, step %d, from %d:\n%s", rep.OK, eng.Solved(), at, from, describe(rep))
			}
			for i, r := range rep.Results {
				switch {
				case i < at && r.Outcome != flow.Done:
					t.Errorf("step %s before the exercise's: %v %v", sc.Steps[i].ID, r.Outcome, r.Err)
				case i == at && (r.Outcome != flow.Failed || !client.HasCode(r.Err, x.Code)):
					t.Errorf("step %s as delivered: %v %v, want it to fail with %s", x.Step, r.Outcome, r.Err, x.Code)
				case i > at && r.Outcome != flow.Skipped:
					t.Errorf("step %s after it: %v", sc.Steps[i].ID, r.Outcome)
				}
			}
			// The trainee's way: edit the inputs, run again from the step.
			for p, v := range x.Fix {
				if err := eng.SetParam(p, v); err != nil {
					t.Fatal(err)
				}
			}
			for i := from; i < len(sc.Steps); i++ {
				if eng.Solved() {
					t.Fatalf("solved before step %s ran again", sc.Steps[i].ID)
				}
				if r := eng.RunStep(ctx, i, nil); r.Outcome != flow.Done {
					t.Fatalf("after the fix (%s), step %s: %v %v", x.FixText(), sc.Steps[i].ID, r.Outcome, r.Err)
				}
			}
			if !eng.Solved() {
				t.Error("every step done, but not solved")
			}
			// The handout's history: the failed attempt, then the one that
			// worked with the fix in its inputs.
			var failed, fixed bool
			for _, a := range eng.Attempts() {
				if a.StepID != x.Step {
					continue
				}
				if a.Outcome == flow.Failed && contains(a.Codes, x.Code) {
					failed = true
				}
				if a.Outcome == flow.Done && failed {
					fixed = true
					for p, v := range x.Fix {
						if a.Params[p] != v {
							t.Errorf("the attempt that worked had %s = %q, the fix %q", p, a.Params[p], v)
						}
					}
				}
			}
			if !failed || !fixed {
				t.Errorf("attempts: failed %v, then fixed %v", failed, fixed)
			}
		})
	}
	if n < 8 {
		t.Errorf("%d exercises, want at least 8", n)
	}
}

// Headless, an exercise runs as delivered (as it is: its step fails with
// its code, where AsDelivered says it should) or with its fix from the
// start (--fix: every step ok). AsDelivered names what went otherwise.
func TestExerciseDeliveredAndFixedRuns(t *testing.T) {
	s := session(t)
	ctx := context.Background()
	for _, name := range []string{"fix-wrong-aud", "fix-rejected", "fix-customer-org"} {
		sc, err := flow.Find(s.Settings, name)
		if err != nil {
			t.Fatal(err)
		}
		r := flow.NewEngine(s.Services, s.Settings, sc).RunAll(ctx, nil)
		if r.OK || sc.AsDelivered(r.Results) != nil {
			t.Errorf("%s as delivered: ok %v, %v:\n%s", name, r.OK, sc.AsDelivered(r.Results), describe(r))
		}
		fixed := flow.NewEngine(s.Services, s.Settings, sc.Fixed()).RunAll(ctx, nil)
		if !fixed.OK {
			t.Errorf("%s fixed:\n%s", name, describe(fixed))
		}
		if err := sc.AsDelivered(fixed.Results); err == nil || !strings.Contains(err.Error(), "ended ok as delivered") {
			t.Errorf("%s: a run that passes is taken for the exercise as delivered: %v", name, err)
		}
		if sc.Params[flow.ParamDecision] == "approve" || sc.Params[flow.ParamCustomerOrg] == s.Settings.CustomerOrgNo {
			t.Errorf("%s: Fixed changed the scenario itself", name)
		}
	}

	// An exercise whose file names the wrong code, or a step after the
	// one that breaks: AsDelivered says what happened instead.
	sc, _ := flow.Find(s.Settings, "fix-wrong-aud")
	r := flow.NewEngine(s.Services, s.Settings, sc).RunAll(ctx, nil)
	wrongCode := sc
	x := *sc.Exercise
	x.Code = "MP-303"
	wrongCode.Exercise = &x
	if err := wrongCode.AsDelivered(r.Results); err == nil || !strings.Contains(err.Error(), "failed with MP-110 (invalid_grant, HTTP 400) as delivered; it is to fail with MP-303") {
		t.Errorf("the wrong code: %v", err)
	}
	later := sc
	y := *sc.Exercise
	y.Step = "op-api"
	later.Exercise = &y
	if err := later.AsDelivered(r.Results); err == nil || !strings.Contains(err.Error(), "step op-token, before the exercise's step op-api, failed") {
		t.Errorf("a step before the exercise's failed: %v", err)
	}
	plain, _ := flow.Find(s.Settings, "wrong-aud")
	if err := plain.AsDelivered(r.Results); err == nil || !strings.Contains(err.Error(), "no exercise") {
		t.Errorf("a scenario that is no exercise: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
