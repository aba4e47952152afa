package transcript_test

import (
	"context"
	"strings"
	"testing"

	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

// An exercise's handout says how the run stands: as delivered (a headless
// run, the exercise's fix given for the trainer), not solved yet (a
// trainee's attempts, the fix kept back), or solved (the fix that worked
// beside the exercise's own).
func TestTranscriptExercise(t *testing.T) {
	rep, eng := run(t, "fix-scope")
	if rep.OK {
		t.Fatalf("fix-scope as delivered ended ok:\n%s", describe(rep))
	}
	set := eng.Settings()
	md := render(t, rep, transcript.Markdown, transcript.Options{Settings: set, Params: eng.State().Params})
	for _, want := range []string{"## The exercise", "As delivered, step 12 (", ") fails with MP-200.",
		"**As delivered:** this run shows the failure the trainee is to fix.",
		"**The exercise's own fix:** Scope = `skatteetaten:kravogbetalinger`.", "**The rule:** A client may ask only"} {
		if !strings.Contains(md, want) {
			t.Errorf("as delivered, the handout lacks %q", want)
		}
	}
	if strings.Contains(md, "### What was run") {
		t.Error("a headless run's handout lists attempts")
	}

	// A trainee who ran it and exported before fixing it.
	opts := transcript.Options{Settings: set, Params: eng.State().Params, Attempts: eng.Attempts()}
	md = render(t, rep, transcript.Markdown, opts)
	for _, want := range []string{"**Not solved yet.**", "### What was run", "| 12. SmartCloud gets a system user token | — | failed | MP-200"} {
		if !strings.Contains(md, want) {
			t.Errorf("not solved, the handout lacks %q", want)
		}
	}
	if strings.Contains(md, "own fix") || strings.Contains(md, "fix that worked") {
		t.Error("the handout of an exercise not solved gives the fix away")
	}

	// The trainee's fix, and the steps run again.
	sc := rep.Scenario
	at := eng.StepIndex(sc.Exercise.Step)
	if err := eng.SetParam(flow.ParamGrantScope, set.Scope); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := at; i < len(sc.Steps); i++ {
		eng.RunStep(ctx, i, nil)
	}
	solved := flow.Report{Scenario: sc}
	for i := range sc.Steps {
		solved.Results = append(solved.Results, eng.Result(i))
	}
	solved.OK = sc.Verdict(solved.Results)
	if !solved.OK || !eng.Solved() {
		t.Fatalf("after the fix:\n%s", describe(solved))
	}
	md = render(t, solved, transcript.Markdown, transcript.Options{Settings: set, Params: eng.State().Params, Attempts: eng.Attempts()})
	for _, want := range []string{"**Solved.**", "| 12. SmartCloud gets a system user token | Scope = `skatteetaten:kravogbetalinger` | done |",
		"**The fix that worked:** Scope = `skatteetaten:kravogbetalinger`.", "**The exercise's own fix:**"} {
		if !strings.Contains(md, want) {
			t.Errorf("solved, the handout lacks %q", want)
		}
	}
}
