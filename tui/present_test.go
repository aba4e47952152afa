package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// newPresenterModel is the workbench in presenter mode at w×h, without
// services: runs are made up with runStep.
func newPresenterModel(t testing.TB, w, h int, pace time.Duration) Model {
	t.Helper()
	m := New(t.Context(), flow.Services{}, wire.Summary(config.Default()), WithPresenter(pace),
		WithClock(func() time.Time { return testClock }), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil }))
	return update(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// step sends msg and returns the model and the Cmd it asked for.
func step(m Model, msg tea.Msg) (Model, tea.Cmd) {
	next, cmd := m.Update(msg)
	return next.(Model), cmd
}

// finishRun ends the running step i with an exchange (and tokens), as the
// engine would, and returns the Cmd the end asked for.
func finishRun(t *testing.T, m Model, i int, toks []flow.Token) (Model, tea.Cmd) {
	t.Helper()
	if !m.run.running || m.run.step != i {
		t.Fatalf("step %d is not running (running %v, step %d)", i+1, m.run.running, m.run.step+1)
	}
	meta := client.Exchange{Service: "maskinporten", Method: "GET", URL: "http://127.0.0.1:4000/.well-known/oauth-authorization-server", Status: 200}
	m = runStep(m, i, i+1, []client.Exchange{meta, jsonExchange(`{"access_token":"x"}`)}, toks, nil)
	return step(m, runEndedMsg{run: m.run.id})
}

func TestPresenterAutoAdvance(t *testing.T) {
	m := newPresenterModel(t, 100, 30, 8*time.Second)
	if m.screen != screenStep || m.pres.auto {
		t.Fatalf("before Init: screen %v auto %v", m.screen, m.pres.auto)
	}
	m, cmd := step(m, presentStartMsg{})
	if !m.pres.auto || !m.pres.playing || !m.run.running || m.run.step != 0 || cmd == nil {
		t.Fatalf("start: auto %v playing %v running %v step %d", m.pres.auto, m.pres.playing, m.run.running, m.run.step+1)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "▶ playing · 8s") {
		t.Errorf("no playing indicator:\n%s", v)
	}
	// The story is the default; v gives the engineer's views, which this
	// test walks (TestPresenterStory walks the story).
	if !m.pres.story {
		t.Fatal("--present does not start on the story")
	}
	m = keys(m, "v")
	if m.pres.story || !m.pres.auto || m.storyShown() {
		t.Fatal("v did not switch to the engineer's views")
	}
	// While the step runs there is no tick; its end starts one.
	grant, tok := grantAndToken()
	m, cmd = finishRun(t, m, 0, []flow.Token{grant, tok})
	if cmd == nil || m.step.section != sectionInfo {
		t.Fatalf("after the run: cmd %v, section %v", cmd != nil, m.step.section)
	}
	gen := m.pres.gen

	// A tick of an older generation is dropped; the current one moves on
	// to the step's main exchange (the POST, not the metadata GET).
	m, _ = step(m, presentTickMsg{gen: gen - 1})
	if m.step.section != sectionInfo {
		t.Fatal("a stale tick moved the view")
	}
	// Below the calls and tokens of the run, the facts to point at are
	// out of sight: they get a view of their own.
	m, cmd = step(m, presentTickMsg{gen: gen})
	if m.step.section != sectionInfo || !m.pres.factsView || cmd == nil {
		t.Fatalf("tick 1: section %v facts %v cmd %v", m.step.section, m.pres.factsView, cmd != nil)
	}
	if m.pres.gen == gen {
		t.Fatal("the move did not start a new generation")
	}
	m, _ = step(m, presentTickMsg{gen: m.pres.gen})
	if m.step.section != sectionExchanges || m.step.exch != 1 {
		t.Fatalf("tick 2: section %v exchange %d", m.step.section, m.step.exch)
	}
	m, _ = step(m, presentTickMsg{gen: m.pres.gen})
	if m.step.section != sectionTokens || !strings.Contains(ansi.Strip(m.View()), "system user grant → system user access token") {
		t.Fatalf("tick 3: section %v:\n%s", m.step.section, ansi.Strip(m.View()))
	}
	// The last view of a step gives way to the next step, which runs.
	old := m.run.id
	m, cmd = step(m, presentTickMsg{gen: m.pres.gen})
	if m.cur != 1 || m.step.section != sectionInfo || !m.run.running || m.run.id == old || cmd == nil {
		t.Fatalf("tick 4: step %d section %v running %v", m.cur+1, m.step.section, m.run.running)
	}
	m, _ = finishRun(t, m, 1, nil)

	// Pause: the pending tick is dropped, the header says so.
	gen = m.pres.gen
	m, cmd = step(m, keyMsg(" "))
	if m.pres.playing || cmd != nil {
		t.Fatalf("space did not pause (playing %v)", m.pres.playing)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "⏸ paused · 8s") {
		t.Errorf("no paused indicator:\n%s", v)
	}
	m, _ = step(m, presentTickMsg{gen: gen})
	if m.cur != 1 || m.step.section != sectionInfo {
		t.Fatal("a tick moved a paused presentation")
	}
	// Resume: a new tick.
	m, cmd = step(m, keyMsg(" "))
	if !m.pres.playing || cmd == nil || m.pres.gen == gen {
		t.Fatalf("space did not resume (playing %v, cmd %v)", m.pres.playing, cmd != nil)
	}

	// The pace: + slower, - faster, along the steps; the view's time
	// starts again with it.
	gen = m.pres.gen
	m, cmd = step(m, keyMsg("+"))
	if m.pres.pace != 10*time.Second || cmd == nil || m.pres.gen == gen {
		t.Fatalf("+: pace %v, cmd %v", m.pres.pace, cmd != nil)
	}
	m = keys(m, "-", "-")
	if m.pres.pace != 6*time.Second || !strings.Contains(ansi.Strip(m.View()), "▶ playing · 6s") {
		t.Fatalf("- -: pace %v", m.pres.pace)
	}
	for range 20 {
		m = keys(m, "-")
	}
	if m.pres.pace != time.Second || !strings.Contains(m.status, "fastest") {
		t.Errorf("the fastest pace: %v, status %q", m.pres.pace, m.status)
	}

	// Back and forth by hand: ← goes to the previous view, → on.
	m = keys(m, "left")
	if m.cur != 0 || m.step.section != sectionTokens {
		t.Fatalf("←: step %d section %v", m.cur+1, m.step.section)
	}
	m = keys(m, "p", "p", "p")
	if m.cur != 0 || m.step.section != sectionInfo || m.pres.factsView {
		t.Fatalf("p p p: step %d section %v", m.cur+1, m.step.section)
	}
	m = keys(m, "right", "n", "n", "n")
	if m.cur != 1 || m.run.running {
		t.Fatalf("→ n n: step %d running %v (step 2 has run: not again)", m.cur+1, m.run.running)
	}

	// esc leaves auto-advance: ticks do nothing, the usual keys are back.
	m = keys(m, "esc")
	if m.pres.auto || m.pres.playing || m.pres.indicator() != "" {
		t.Fatal("esc did not leave auto-advance")
	}
	m, _ = step(m, presentTickMsg{gen: m.pres.gen})
	if m.cur != 1 {
		t.Error("a tick moved the view after esc")
	}
	m = keys(m, "n")
	if m.cur != 2 || m.screen != screenStep || m.run.running {
		t.Errorf("n by hand: step %d running %v", m.cur+1, m.run.running)
	}
	// a turns it back on, and runs the step shown, which has not run.
	m, cmd = step(m, keyMsg("a"))
	if !m.pres.auto || !m.pres.playing || !m.run.running || m.run.step != 2 || cmd == nil {
		t.Errorf("a: auto %v playing %v running %v", m.pres.auto, m.pres.playing, m.run.running)
	}
}

// → while a step runs moves on as soon as it ends; a step that fails
// unexpectedly pauses the presentation.
func TestPresenterSkipWhileRunningAndPauseOnFailure(t *testing.T) {
	m := newPresenterModel(t, 100, 30, 8*time.Second)
	m, _ = step(m, presentStartMsg{})
	m = keys(m, "v", "right") // the engineer's views
	if !m.pres.skipPending || m.cur != 0 || !strings.Contains(m.status, "still running") {
		t.Fatalf("→ while running: pending %v step %d status %q", m.pres.skipPending, m.cur+1, m.status)
	}
	m, cmd := finishRun(t, m, 0, nil)
	if m.pres.skipPending || m.step.section != sectionExchanges || cmd == nil {
		t.Fatalf("after the run: pending %v section %v", m.pres.skipPending, m.step.section)
	}
	// Onto step 2, which fails where the scenario expects success.
	m = keys(m, "right")
	if !m.run.running || m.cur != 1 {
		t.Fatalf("→: step %d running %v", m.cur+1, m.run.running)
	}
	m = runStep(m, 1, 2, nil, nil, errResetFailed)
	m, cmd = step(m, runEndedMsg{run: m.run.id})
	if m.pres.playing || cmd != nil || !m.pres.auto {
		t.Errorf("after a failed step: playing %v auto %v cmd %v", m.pres.playing, m.pres.auto, cmd != nil)
	}
}

// Keys that take over by hand leave auto-advance first.
func TestPresenterManualKeysLeaveAuto(t *testing.T) {
	m := newPresenterModel(t, 100, 30, 8*time.Second)
	m, _ = step(m, presentStartMsg{})
	m, _ = finishRun(t, m, 0, nil)
	m = keys(m, "3")
	if m.pres.auto || m.sc.Steps[m.cur].Actor != flow.EndUser {
		t.Errorf("3: auto %v, at %s", m.pres.auto, m.sc.Steps[m.cur].ID)
	}
	// Picking a scenario in presenter mode starts it, auto-advancing.
	m = keys(m, "s", "down")
	m, cmd := step(m, keyMsg("enter"))
	if m.sc.Name != "agent" || !m.pres.auto || !m.pres.playing || !m.run.running || m.cur != 0 || cmd == nil {
		t.Errorf("picked %s: auto %v playing %v running %v step %d", m.sc.Name, m.pres.auto, m.pres.playing, m.run.running, m.cur+1)
	}
}

// The whole standard scenario runs itself on the mocks at a quick pace,
// from a reset world to the end, every step done.
func TestPresenterRunsTheScenarioOnTheMocks(t *testing.T) {
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithPresenter(time.Millisecond), WithClock(goldenClock), WithLocation(time.UTC),
		WithClipboard(func(string) error { return nil }), WithOpener(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = drive(t, m, func() tea.Msg { return presentStartMsg{} })
	if !m.pres.finished || m.pres.playing || !allDone(m) || m.cur != len(m.sc.Steps)-1 {
		t.Fatalf("finished %v playing %v step %d: %v (status %q)", m.pres.finished, m.pres.playing, m.cur+1, outcomes(m), m.status)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "■ end · space plays again") || !strings.Contains(v, "scenario standard ended as expected") {
		t.Errorf("the end is not said:\n%s", v)
	}
	checkFits(t, m, 80, 24)
	// space plays it again, from a fresh start.
	m, _ = step(m, keyMsg(" "))
	if m.pres.finished || !m.pres.playing || m.cur != 0 || !m.run.running || m.runs[1].outcome != flow.NotRun {
		t.Errorf("space at the end: finished %v playing %v step %d running %v", m.pres.finished, m.pres.playing, m.cur+1, m.run.running)
	}
}

func TestPresenterStylesDiffer(t *testing.T) {
	d, p := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme()), NewPresenterStyles(lipgloss.DefaultRenderer(), PresenterTheme())
	if DefaultTheme().Text == PresenterTheme().Text || DefaultTheme().Accent == PresenterTheme().Accent {
		t.Error("the presenter palette is the default one")
	}
	if d.Pane.Blurred.GetBorderStyle() == p.Pane.Blurred.GetBorderStyle() ||
		d.Pane.Focused.GetBorderStyle() == p.Pane.Focused.GetBorderStyle() {
		t.Error("presenter panes have the default borders")
	}
	if p.Pane.Blurred.GetBorderStyle() != lipgloss.ThickBorder() {
		t.Error("presenter panes are not thick")
	}
	if p.Tab.Active.GetPaddingLeft() <= d.Tab.Active.GetPaddingLeft() || !p.App.GetBold() || !p.Title.GetBold() {
		t.Error("presenter tabs or text are not bolder and wider")
	}
	if p.Gap <= d.Gap || p.SectionGap <= d.SectionGap || p.PanePad <= d.PanePad || !p.Presenter || d.Presenter {
		t.Errorf("spacing: gap %d/%d, sections %d/%d, pad %d/%d", d.Gap, p.Gap, d.SectionGap, p.SectionGap, d.PanePad, p.PanePad)
	}
	if p.Markdown.name == d.Markdown.name {
		t.Error("the narration has the same style in presenter mode")
	}
}

// Presenter mode fits every size from 80x24 up, in every view.
func TestPresenterViewsFit(t *testing.T) {
	grant, tok := grantAndToken()
	for _, size := range [][2]int{{80, 24}, {81, 25}, {100, 30}, {120, 40}, {160, 48}, {200, 60}} {
		w, h := size[0], size[1]
		m := newPresenterModel(t, w, h, 8*time.Second)
		checkFits(t, m, w, h)
		m, _ = step(m, presentStartMsg{})
		m, _ = finishRun(t, m, 0, []flow.Token{grant, tok})
		for _, ks := range [][]string{nil, {"n"}, {"n", "n"}, {"?"}, {"n", "?"}, {" "}, {"esc"}, {"esc", "esc"}, {"esc", "5"}, {"n", "tab", "pgdown"}} {
			checkFits(t, keys(m, ks...), w, h)
		}
	}
}

// Every scenario's every view in presenter mode fits 80x24.
func TestPresenterEveryScenarioFits(t *testing.T) {
	s := startMocks(t)
	for _, sc := range flow.Scenarios(s.Settings) {
		t.Run(sc.Name, func(t *testing.T) {
			m := New(t.Context(), s.Services, s.Settings, WithScenario(sc.Name), WithPresenter(time.Hour), WithClock(goldenClock), WithLocation(time.UTC))
			m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
			m, _ = step(m, presentStartMsg{}) // the run it starts is not executed: the events come from RunAll
			var evs []flow.Event
			m.eng.RunAll(t.Context(), func(ev flow.Event) { evs = append(evs, ev) })
			for _, ev := range evs {
				m = update(m, runEventMsg{run: m.run.id, ev: ev})
			}
			m = update(m, runEndedMsg{run: m.run.id, all: true})
			for range 200 { // enough presses for the longest scenario (change-request, 22 steps)
				checkFits(t, m, 80, 24)
				if m.pres.finished {
					break
				}
				m = keys(m, "n")
			}
			if !m.pres.finished {
				t.Errorf("→ did not reach the end (step %d)", m.cur+1)
			}
		})
	}
}

func TestExportWritesTheThreeTranscripts(t *testing.T) {
	dir := t.TempDir()
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithClock(goldenClock), WithLocation(time.UTC), WithExportDir(dir),
		WithClipboard(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if _, cmd := step(m, keyMsg("x")); cmd != nil {
		t.Fatal("x exported before anything ran")
	}
	m = pressAndRun(t, m, "r")
	if !allDone(m) {
		t.Fatalf("the run: %v", outcomes(m))
	}
	m, cmd := step(m, keyMsg("x"))
	if cmd == nil {
		t.Fatalf("x gave no Cmd; status %q", m.status)
	}
	m = update(m, cmd())
	base := filepath.Join(dir, "workbench-standard-20260302T100000Z")
	if !strings.Contains(m.status, "wrote workbench-standard-20260302T100000Z.{md,sh,http} in "+dir) {
		t.Errorf("status %q", m.status)
	}
	for ext, want := range map[string]*regexp.Regexp{
		".md":   regexp.MustCompile(`(?s)standard.*sequenceDiagram.*POST .*/token`),
		".sh":   regexp.MustCompile(`(?s)^#!.*curl `),
		".http": regexp.MustCompile(`(?s)POST .*/token`),
	} {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			t.Errorf("%s: %v", ext, err)
			continue
		}
		if !want.Match(b) {
			t.Errorf("%s does not match %s:\n%.400s", ext, want, b)
		}
	}
	if fi, err := os.Stat(base + ".sh"); err == nil && fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("the curl script is not executable: %v", fi.Mode())
	}
	// An export that cannot write says so on the status line.
	m.exportDir = filepath.Join(dir, "no", "such", "dir")
	m, cmd = step(m, keyMsg("x"))
	m = update(m, cmd())
	if !m.statusBad || !strings.Contains(m.status, "export failed") {
		t.Errorf("status %q (bad %v)", m.status, m.statusBad)
	}
}

// On a small terminal the facts to point at get a view of their own: the
// info scrolled to them, before the exchanges.
func TestPresenterShowsTheFactsOnASmallTerminal(t *testing.T) {
	m := newPresenterModel(t, 80, 24, 8*time.Second)
	m, _ = step(m, presentStartMsg{})
	m = keys(m, "v") // the engineer's views
	m, _ = finishRun(t, m, 0, nil)
	if m.step.info.offset != 0 {
		t.Fatalf("the info starts scrolled to %d", m.step.info.offset)
	}
	m, _ = step(m, presentTickMsg{gen: m.pres.gen})
	if m.step.section != sectionInfo || !m.pres.factsView || m.step.info.offset == 0 {
		t.Fatalf("tick: section %v facts %v offset %d", m.step.section, m.pres.factsView, m.step.info.offset)
	}
	v := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.HasPrefix(v[4], " What to point at") && !strings.HasPrefix(v[5], " What to point at") {
		t.Errorf("the facts are not at the top of the info pane:\n%s", strings.Join(v, "\n"))
	}
	m, _ = step(m, presentTickMsg{gen: m.pres.gen})
	if m.step.section != sectionExchanges {
		t.Fatalf("second tick: section %v", m.step.section)
	}
	// Back: the facts again, then the info from its top.
	m = keys(m, "left")
	if !m.pres.factsView || m.step.info.offset == 0 {
		t.Errorf("←: facts %v offset %d", m.pres.factsView, m.step.info.offset)
	}
	m = keys(m, "left")
	if m.pres.factsView || m.step.info.offset != 0 {
		t.Errorf("← ←: facts %v offset %d", m.pres.factsView, m.step.info.offset)
	}
}

// Auto-advance keeps its keys on one line where they fit, at 80 columns
// without esc (which the full help keeps), wider with it.
func TestPresenterKeysOnOneLine(t *testing.T) {
	for _, tc := range []struct {
		w   int
		esc bool
	}{{80, false}, {120, true}} {
		m := newPresenterModel(t, tc.w, 24, 8*time.Second)
		m, _ = step(m, presentStartMsg{})
		last := strings.Split(ansi.Strip(m.View()), "\n")
		line := last[len(last)-1]
		if !strings.Contains(line, "space pause") || !strings.Contains(line, "q quit") {
			t.Errorf("%d columns: the keys are not on the last line: %q", tc.w, line)
		}
		if got := strings.Contains(line, "esc manual"); got != tc.esc {
			t.Errorf("%d columns: esc manual shown %v, want %v: %q", tc.w, got, tc.esc, line)
		}
		if full := ansi.Strip(keys(m, "?").View()); !strings.Contains(full, "manual") {
			t.Errorf("%d columns: the full help lacks esc manual:\n%s", tc.w, full)
		}
	}
}
