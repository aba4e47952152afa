package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// A trainee's session with an exercise, through Update as the program
// runs it: the run fails at the exercise's step, t gives the hints one at
// a time, e fixes the input, the steps run again, the overview says
// solved, and x writes the handout with the failed attempt and the fix.
func TestExerciseSession(t *testing.T) {
	dir := t.TempDir()
	s := startMocks(t)
	var heard Status // what an observer (the classroom's roster) last heard
	m := New(t.Context(), s.Services, s.Settings, WithScenario("fix-wrong-aud"), WithClock(goldenClock), WithLocation(time.UTC),
		WithExportDir(dir), WithClipboard(func(string) error { return nil }), WithObserver(func(st Status) { heard = st }))
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "exercise · 0/13 done") || !strings.Contains(v, "to fix: MP-110") {
		t.Fatalf("the overview does not mark the exercise:\n%s", v)
	}
	m = pressAndRun(t, m, "r")
	const at = 11 // op-token
	if r := m.runs[at]; r.outcome != flow.Failed || !client.HasCode(r.result.Err, "MP-110") || !strings.Contains(m.status, "step 12 fails with MP-110") {
		t.Fatalf("as delivered: %v, status %q", outcomes(m), m.status)
	}

	// t from the overview opens the exercise's step with the first hint.
	m = keys(m, "t")
	hints := m.sc.Exercise.Hints
	if m.screen != screenStep || m.cur != at || !strings.HasPrefix(m.status, "hint 1 of 3: "+hints[0][:20]) {
		t.Fatalf("t: screen %s, step %d, status %q", m.screen, m.cur+1, m.status)
	}
	info := ansi.Strip(strings.Join(m.step.info.lines, "\n"))
	for _, want := range []string{"Exercise", "Hint 1: MP-110 is about one claim", "t gives a hint (2 of 3)", "The exercise: this is what to fix"} {
		if !strings.Contains(strings.Join(strings.Fields(info), " "), want) {
			t.Errorf("the info lacks %q:\n%s", want, info)
		}
	}
	if strings.Contains(info, "Hint 2:") {
		t.Error("a hint not asked for is shown")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Hint 1:") {
		t.Errorf("the new hint is not in view:\n%s", v)
	}
	m = keys(m, "t", "t", "t")
	info = ansi.Strip(strings.Join(m.step.info.lines, "\n"))
	if m.hints != 3 || !strings.Contains(info, "Hint 3:") || !strings.Contains(info, "That was the last hint") || !strings.HasPrefix(m.status, "hint 3 of 3") {
		t.Errorf("after four t: %d hints, status %q", m.hints, m.status)
	}

	// The fix: Grant aud emptied in the form, the step run again.
	m = keys(m, "e", "tab", "tab", "tab", "tab")
	m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	m = keys(m, "enter")
	if v := m.eng.State().Params[flow.ParamGrantAudience]; v != "" {
		t.Fatalf("grant_aud %q after the form", v)
	}
	m = pressAndRun(t, m, "enter")
	if m.runs[at].outcome != flow.Done {
		t.Fatalf("after the fix: %v", m.runs[at].result.Err)
	}
	if _, solved := m.exerciseStatus(); solved || !heard.Exercise || heard.Solved {
		t.Errorf("solved %v while the last step has not run (the observer heard exercise %v, solved %v)", solved, heard.Exercise, heard.Solved)
	}
	m = keys(m, "n")
	m = pressAndRun(t, m, "enter")
	if ex, solved := m.exerciseStatus(); !ex || !solved || !heard.Solved || !strings.Contains(m.status, "exercise fix-wrong-aud solved ✓") {
		t.Fatalf("after every step: exercise %v solved %v (the observer: %v), status %q", ex, solved, heard.Solved, m.status)
	}
	m = keys(m, "esc")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "exercise solved ✓ · 13/13 done") || !strings.Contains(v, "fixed (was MP-110)") {
		t.Errorf("the overview does not mark it solved:\n%s", v)
	}

	// The handout.
	m, cmd := step(m, keyMsg("x"))
	if cmd == nil {
		t.Fatalf("x: %q", m.status)
	}
	update(m, cmd())
	files, _ := filepath.Glob(filepath.Join(dir, "workbench-fix-wrong-aud-*.md"))
	if len(files) != 1 {
		t.Fatalf("handouts %v", files)
	}
	b, _ := os.ReadFile(files[0])
	md := string(b)
	for _, want := range []string{"## The exercise", "**Solved.**", "| 12. SmartCloud gets a system user token | — | failed | MP-110",
		"| 12. SmartCloud gets a system user token | Grant aud emptied | done |", "**The fix that worked:** Grant aud emptied.", "**The rule:** The grant's aud"} {
		if !strings.Contains(md, want) {
			t.Errorf("the handout lacks %q:\n%.3000s", want, md)
		}
	}
}

// The picker marks the exercises;
// t in a scenario that is no exercise says so.
func TestPickerMarksExercises(t *testing.T) {
	m := newTestModel(t, 80, 24)
	m = keys(m, "t")
	if !strings.Contains(m.status, "is no exercise") {
		t.Errorf("t on standard: %q", m.status)
	}
	m = keys(m, "s")
	if v := ansi.Strip(m.View()); strings.Contains(v, "exercise") {
		t.Errorf("a scenario that is no exercise is marked:\n%s", v)
	}
	for i := 0; i < 40 && m.picker.list.SelectedItem().(scenarioItem).sc.Name != "fix-wrong-aud"; i++ {
		m = keys(m, "down")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "▶ fix-wrong-aud · exercise") {
		t.Errorf("the picker:\n%s", v)
	}
}

// A trainer's scenarios (WithScenarios) are in the picker, and a step
// with a narration of its own shows it.
func TestTrainerScenariosAndTheirNarration(t *testing.T) {
	src, err := os.ReadFile("../testdata/scenarios/class.toml")
	if err != nil {
		t.Fatal(err)
	}
	sf, err := flow.ParseScenarioFile("class.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	m0 := newTestModel(t, 80, 24)
	list := flow.Catalog(m0.settings, sf)
	m := newTestModel(t, 100, 30, WithScenarios(list), WithScenario("class-clock-ahead"))
	if m.sc.Name != "class-clock-ahead" || len(m.scenarios) != len(list) {
		t.Fatalf("on %s with %d scenarios", m.sc.Name, len(m.scenarios))
	}
	m = keys(m, "enter")
	for range 11 {
		m = keys(m, "n")
	}
	info := ansi.Strip(strings.Join(m.step.info.lines, "\n"))
	if !strings.Contains(info, "Every night our integration server") || !strings.Contains(info, "timedatectl") {
		t.Errorf("step %d's info lacks the file's narration:\n%s", m.cur+1, info)
	}
}
