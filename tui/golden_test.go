package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// TestMain pins the colour profile (golden files hold plain text) and the
// background (nothing asks the terminal), once, before any test runs.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

// startMocks starts the embedded mock services in-process, as `go run .`
// does, for the life of the test.
func startMocks(t *testing.T) *wire.Session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := wire.Start(ctx, config.Default())
	if err != nil {
		t.Fatalf("start the mocks: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// goldenClock is the TUI's clock in the golden tests. The mocks issue
// tokens on the wall clock, so the times shown are masked anyway; the
// fixed clock keeps everything the TUI itself computes from changing
// between frames.
var goldenClock = func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

// newGoldenModel starts the workbench on the mocks at a fixed size.
func newGoldenModel(t *testing.T, w, h int, scenario string) *teatest.TestModel {
	t.Helper()
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithScenario(scenario), WithClock(goldenClock),
		WithLocation(time.UTC), WithClipboard(func(string) error { return nil }))
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
}

// waitFor waits until the screen shows text.
func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// press sends keys, one message each.
func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case "tab":
			tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		case "esc":
			tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
		default:
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

// finalView quits and returns the last frame, normalised.
func finalView(t *testing.T, tm *teatest.TestModel) []byte {
	t.Helper()
	tm.Quit()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	return []byte(normalize(fm.View()))
}

// The values that differ from run to run, and what normalize puts in
// their place. Every replacement keeps the width, so the layout in the
// golden file is the layout on screen:
//
//   - relative times, "(in 1m57s)", "(3s ago)", "expires in 1m52s", with the
//     padding after them up to the pane's border: the mocks issue tokens on
//     the wall clock;
//   - dates, "2026-11-26 00:20:43", and NumericDates, "1772445600": the same;
//   - UUIDs (client ids, request ids, system user ids): random per run;
//   - 127.0.0.1 ports: the mocks listen on random ports;
//   - call durations, "  4.3ms";
//   - base64url runs of 24 or more characters mixing cases or digits (a
//     jti, JWT pieces): random per run;
//   - the hex part of a UUID cut by a "…": the sequence diagram shortens
//     long paths from the middle ("…" then hex), the calls list from the
//     end ("/" then hex, then "…"). A word that merely starts with a hex
//     letter after a "…" is masked too; that is stable, so harmless.
var masks = []struct {
	re   *regexp.Regexp
	with func(string) string
}{
	{regexp.MustCompile(`\((?:in [0-9hmsd]+|[0-9hmsd]+ ago)\) *`), padTo("(REL)")},
	{regexp.MustCompile(`(?:expires in|expired) [0-9hmsd]+(?: ago)? *`), padTo("expires in REL")},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`), padTo("YYYY-MM-DD hh:mm:ss")},
	{regexp.MustCompile(`\b1[6-9]\d{8}\b`), padTo("EPOCH#####")}, // a NumericDate
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), padTo("00000000-0000-0000-0000-000000000000")},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), func(s string) string { return "127.0.0.1:" + strings.Repeat("#", len(s)-10) }},
	{regexp.MustCompile(`[ \d]{3}\.\dms`), padTo("###.#ms")},
	{regexp.MustCompile(`[A-Za-z0-9_.\-]{24,}`), maskRandom},
	{regexp.MustCompile(`…[0-9a-f-]+`), func(s string) string { return "…" + strings.Repeat("x", len(s)-len("…")) }},
	{regexp.MustCompile(`/[0-9a-f-]+…`), func(s string) string { return "/" + strings.Repeat("x", len(s)-1-len("…")) + "…" }},
	// The head of a UUID a line break cut (a wrapped URL in the notes);
	// its tail on the next line is masked as a random run.
	{regexp.MustCompile(`(?m)=[0-9a-f]{8}-[0-9a-f-]*( *)$`), func(s string) string {
		t := strings.TrimRight(s, " ")
		return "=" + strings.Repeat("x", len(t)-1) + s[len(t):]
	}},
}

// padTo replaces a match with label, padded with spaces to its width.
func padTo(label string) func(string) string {
	return func(s string) string {
		n := len([]rune(s))
		if len(label) >= n {
			return label[:n]
		}
		return label + strings.Repeat(" ", n-len(label))
	}
}

// maskRandom masks a long run that looks random (two of upper case, lower
// case and digits); a long plain word is kept.
func maskRandom(s string) string {
	var upper, lower, digit int
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= '0' && r <= '9':
			digit = 1
		}
	}
	if upper+lower+digit < 2 {
		return s
	}
	return strings.Repeat("x", len(s))
}

// normalize masks the volatile values of a screen (see masks).
func normalize(view string) string {
	for _, m := range masks {
		view = m.re.ReplaceAllStringFunc(view, m.with)
	}
	return view
}

func TestNormalize(t *testing.T) {
	in := "│  exp  2026-11-26 00:22:43 (in 1m57s)     │\n" +
		"  /request?id=7aea8e23-a  \n" +
		"POST http://127.0.0.1:38433/token ·   4.3ms\n" +
		"client 5312a2ec-b803-4cc2-bd4e-17e9b947bbee jti MvnkJy8EfsvSxOdDWdUTKMPb skatteetaten:kravogbetalinger"
	want := "│  exp  YYYY-MM-DD hh:mm:ss (REL)          │\n" +
		"  /request?id=xxxxxxxxxx  \n" +
		"POST http://127.0.0.1:#####/token · ###.#ms\n" +
		"client 00000000-0000-0000-0000-000000000000 jti xxxxxxxxxxxxxxxxxxxxxxxx skatteetaten:kravogbetalinger"
	if got := normalize(in); got != want {
		t.Errorf("normalize:\n got %q\nwant %q", got, want)
	}
}

func TestGoldenOverview(t *testing.T) {
	tm := newGoldenModel(t, 120, 36, "standard")
	waitFor(t, tm, "Actors and steps")
	press(tm, "r")
	waitFor(t, tm, "ended as expected")
	golden.RequireEqual(t, finalView(t, tm))
}

// TestGoldenFailureOverview is a failure scenario's overview after its
// run: the step that failed as the scenario expects has its own mark,
// in the list, in the summary line and, at 120 columns, in the diagram.
func TestGoldenFailureOverview(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm := newGoldenModel(t, size[0], size[1], "rejected")
			waitFor(t, tm, "Actors and steps")
			press(tm, "r")
			waitFor(t, tm, "ended as expected")
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// TestGoldenSequence is the diagram at 120 columns, focused, on
// token-expired's last steps: the party names on one row, the labels by
// what the calls do, the mocks' clock moving as a note, the expected 401
// marked, its call selected (enter would open it).
func TestGoldenSequence(t *testing.T) {
	tm := newGoldenModel(t, 120, 40, "token-expired")
	waitFor(t, tm, "Actors and steps")
	press(tm, "r")
	waitFor(t, tm, "ended as expected")
	press(tm, "tab")
	waitFor(t, tm, "open call")
	golden.RequireEqual(t, finalView(t, tm))
}

func TestGoldenOverviewNotRun(t *testing.T) {
	tm := newGoldenModel(t, 80, 24, "standard")
	waitFor(t, tm, "Actors and steps")
	golden.RequireEqual(t, finalView(t, tm))
}

func TestGoldenVendorStep(t *testing.T) {
	tm := newGoldenModel(t, 80, 24, "standard")
	waitFor(t, tm, "Actors and steps")
	press(tm, "r")
	waitFor(t, tm, "ended as expected")
	// 2 jumps to the vendor's first step; n n n n is its request step.
	press(tm, "2", "n", "n", "n", "n")
	waitFor(t, tm, "Step 8/13")
	golden.RequireEqual(t, finalView(t, tm))
}

// TestGoldenTokenStep is the operational token step's Tokens pane: the
// grant beside the access token, claim beside claim, each claim's meaning
// written for the token it is in.
func TestGoldenTokenStep(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		// The top, and the bottom with the times and ids (G scrolls both
		// panes, which move together).
		for _, end := range []string{"top", "bottom"} {
			t.Run(fmt.Sprintf("%dx%d-%s", size[0], size[1], end), func(t *testing.T) {
				tm := newGoldenModel(t, size[0], size[1], "standard")
				waitFor(t, tm, "Actors and steps")
				press(tm, "r")
				waitFor(t, tm, "ended as expected")
				// 5 opens the operational phase's token step; tab tab tab
				// reaches the grant beside the access token.
				press(tm, "5", "tab", "tab", "tab")
				waitFor(t, tm, "system user access token")
				if end == "bottom" {
					press(tm, "G")
					waitFor(t, tm, "the token's own id")
				}
				golden.RequireEqual(t, finalView(t, tm))
			})
		}
	}
}

func TestGoldenErrorStep(t *testing.T) {
	tm := newGoldenModel(t, 80, 24, "rejected")
	waitFor(t, tm, "Actors and steps")
	press(tm, "r")
	waitFor(t, tm, "ended as expected")
	press(tm, "5")
	waitFor(t, tm, "MP-303")
	golden.RequireEqual(t, finalView(t, tm))
}

// TestGoldenNarrationStep is the token step before it runs: the
// narration's paragraph under What and why, the inputs, and, further down,
// the facts to point at with the references to the links.
func TestGoldenNarrationStep(t *testing.T) {
	tm := newGoldenModel(t, 120, 40, "standard")
	waitFor(t, tm, "Actors and steps")
	press(tm, "5", "pgdown")
	waitFor(t, tm, "What to point at")
	golden.RequireEqual(t, finalView(t, tm))
}

// TestGoldenPresenter is presenter mode's engineer's views (v) on the
// mocks: at 80x24 step 1's info after its run, at 120x40 its grant beside
// its access token. The
// pace is long, so nothing moves on while the test looks.
func TestGoldenPresenter(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		keys []string
		want string
	}{
		{80, 24, nil, ""},
		{120, 40, []string{"n", "n"}, "Skatteetaten grant → Skatteetaten access token"},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			s := startMocks(t)
			m := New(t.Context(), s.Services, s.Settings, WithPresenter(time.Hour), WithClock(goldenClock),
				WithLocation(time.UTC), WithClipboard(func(string) error { return nil }))
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(tc.w, tc.h))
			waitFor(t, tm, "✓ done") // step 1 ran, on the story
			press(tm, "v")           // the engineer's views (the story is TestGoldenStory's)
			waitFor(t, tm, "done in")
			if len(tc.keys) > 0 { // waitFor drained what is on screen already
				press(tm, tc.keys...)
				waitFor(t, tm, tc.want)
			}
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

func TestGoldenTooSmall(t *testing.T) {
	tm := newGoldenModel(t, 60, 20, "standard")
	waitFor(t, tm, "too small")
	golden.RequireEqual(t, finalView(t, tm))
}

// TestEveryScenarioEveryScreen runs every scenario on the mocks, feeds the
// engine's events to the model as the program would, then visits every
// step's every section at 80x24: nothing panics, every frame fits, and a
// failed step shows its codes.
func TestEveryScenarioEveryScreen(t *testing.T) {
	s := startMocks(t)
	for _, sc := range flow.Scenarios(s.Settings) {
		t.Run(sc.Name, func(t *testing.T) {
			m := New(t.Context(), s.Services, s.Settings, WithScenario(sc.Name), WithClock(goldenClock), WithLocation(time.UTC))
			m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
			var evs []flow.Event
			m.eng.RunAll(context.Background(), func(ev flow.Event) { evs = append(evs, ev) })
			for _, ev := range evs {
				m = update(m, runEventMsg{run: m.run.id, ev: ev})
			}
			m = keys(m, "enter")
			for i := range sc.Steps {
				for _, k := range []string{"tab", "tab", "tab", "tab", "tab", "]", "pgdown"} {
					m = keys(m, k)
					checkFits(t, m, 80, 24)
				}
				if r := m.runs[i]; r.result != nil && r.result.Err != nil {
					m = keys(m, "esc", "enter")
					for range 6 {
						if m.step.section == sectionInfo {
							break
						}
						m = keys(m, "tab")
					}
					v := keys(m, "g").View()
					if code := r.result.Codes(); len(code) > 0 && !strings.Contains(v, code[0]) {
						t.Errorf("step %d failed with %v, not on screen:\n%s", i+1, code, v)
					}
				}
				m = keys(m, "n")
			}
		})
	}
}

func checkFits(t *testing.T, m Model, w, h int) {
	t.Helper()
	v := m.View()
	if n := strings.Count(v, "\n") + 1; n != h {
		t.Errorf("step %d: %d lines", m.cur+1, n)
	}
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) > w {
			t.Errorf("step %d: line wider than %d: %q", m.cur+1, w, ansi.Strip(l))
		}
	}
}
