package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/systembruker/workbench/flow"
)

// storyModel is presenter mode on the mocks at w×h with the scenario run
// whole (its events fed to the model as the program would), on the
// story's first view; the pace is long, so nothing moves on by itself.
func storyModel(t *testing.T, w, h int, scenario string) Model {
	t.Helper()
	s := startMocks(t)
	m := New(t.Context(), s.Services, s.Settings, WithScenario(scenario), WithPresenter(time.Hour), WithClock(goldenClock),
		WithLocation(time.UTC), WithClipboard(func(string) error { return nil }))
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = step(m, presentStartMsg{}) // the run it starts is not executed: the events come from RunAll
	var evs []flow.Event
	m.eng.RunAll(t.Context(), func(ev flow.Event) { evs = append(evs, ev) })
	for _, ev := range evs {
		m = update(m, runEventMsg{run: m.run.id, ev: ev})
	}
	m = update(m, runEndedMsg{run: m.run.id, all: true})
	if !m.storyShown() || m.pres.storyAt != 0 {
		t.Fatalf("not on the story's first view: shown %v, at %d", m.storyShown(), m.pres.storyAt)
	}
	return m
}

// toStep moves the story on (→) to step id's view.
func toStep(t *testing.T, m Model, id string) Model {
	t.Helper()
	for range 60 {
		v := storyViews(m.sc)[m.pres.storyAt]
		if !v.diagram && m.sc.Steps[v.step].ID == id {
			return m
		}
		m = keys(m, "right")
	}
	t.Fatalf("the story never reached %s", id)
	return m
}

// TestGoldenStory is the story view on three steps of the standard
// scenario, the request, the approval and the API call, at 80x24 and
// 120x40: the cards, the one arrow, the sentence, the fact.
func TestGoldenStory(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := storyModel(t, size[0], size[1], "standard")
		for _, id := range []string{"v-request", "eu-approve", "op-api"} {
			t.Run(fmt.Sprintf("%dx%d-%s", size[0], size[1], id), func(t *testing.T) {
				m = toStep(t, m, id)
				checkFits(t, m, size[0], size[1])
				v := ansi.Strip(m.View())
				if b := base64Run.FindString(v); b != "" {
					t.Errorf("base64 on screen: %s", b)
				}
				golden.RequireEqual(t, []byte(normalize(v)))
			})
		}
	}
}

// base64Run is what a token, a key or a signature looks like on screen.
var base64Run = regexp.MustCompile(`[A-Za-z0-9_-]{40,}`)

// Every view of the story of every scenario, at 80x24 and 120x40, fits
// and shows no base64: never a raw token.
func TestStoryShowsNoBase64(t *testing.T) {
	for _, sc := range flow.Scenarios(startMocks(t).Settings) {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			m := storyModel(t, size[0], size[1], sc.Name)
			for range 60 {
				checkFits(t, m, size[0], size[1])
				if b := base64Run.FindString(ansi.Strip(m.View())); b != "" {
					t.Errorf("%s %dx%d view %d: base64 on screen: %s", sc.Name, size[0], size[1], m.pres.storyAt+1, b)
				}
				if m.pres.finished {
					break
				}
				m = keys(m, "right")
			}
			if !m.pres.finished || m.pres.storyAt != len(storyViews(m.sc))-1 {
				t.Errorf("%s: → did not reach the story's end (view %d)", sc.Name, m.pres.storyAt+1)
			}
		}
	}
}

// The story's views: each step, the diagram between two actors' parts,
// "view k/N" and the pace's countdown; v goes to the engineer's views and
// back to the same step; ← goes back.
func TestPresenterStory(t *testing.T) {
	m := storyModel(t, 100, 30, "standard")
	vs := storyViews(m.sc)
	if len(vs) != 13+4 || !vs[3].diagram || vs[3].step != 2 || vs[4].step != 3 {
		t.Fatalf("views: %+v", vs)
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"view 1/17 · next in 1h", "SmartCloud AS", "Maskinporten", "Skatteetaten", "TILFELDIG SUBTIL", "the customer",
		"POST /token · 200 OK", "The token's scope", "altinn:resourceregistry/resource.write", "v engineer's view"} {
		if !strings.Contains(v, want) {
			t.Errorf("the first view lacks %q:\n%s", want, v)
		}
	}
	// The countdown counts down with the clock.
	later := goldenClock().Add(90 * time.Second)
	m.common.Now = func() time.Time { return later }
	m = update(m, clockMsg{})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "view 1/17 · next in 58m30s") {
		t.Errorf("no countdown:\n%s", v)
	}
	m = keys(m, "right", "right", "right")
	if v := ansi.Strip(m.View()); m.pres.storyAt != 3 || !strings.Contains(v, "The sequence so far · Service owner's part is done; next: System vendor") ||
		!strings.Contains(v, "POST /resource 201") || !strings.Contains(v, "view 4/17") {
		t.Errorf("the diagram between the parts:\n%s", v)
	}
	m = keys(m, "right")
	if m.cur != 3 || m.pres.storyAt != 4 {
		t.Fatalf("→ after the diagram: step %d view %d", m.cur+1, m.pres.storyAt+1)
	}
	m = keys(m, "v")
	if m.storyShown() || m.step.section != sectionInfo || m.cur != 3 || !strings.Contains(ansi.Strip(m.View()), "Step 4/13") {
		t.Fatalf("v: story %v step %d", m.storyShown(), m.cur+1)
	}
	m = keys(m, "right", "v")
	if !m.storyShown() || m.cur != 3 || m.pres.storyAt != 4 {
		t.Errorf("back with v: story %v step %d view %d", m.storyShown(), m.cur+1, m.pres.storyAt+1)
	}
	m = keys(m, "left", "left")
	if m.pres.storyAt != 2 || m.cur != 2 {
		t.Errorf("← ←: view %d step %d", m.pres.storyAt+1, m.cur+1)
	}
	// esc leaves auto-advance for the engineer's views and their keys; a
	// comes back to the story at the step shown.
	m = keys(m, "esc")
	if m.storyShown() || m.pres.auto {
		t.Error("esc kept the story")
	}
	m = keys(m, "n", "a")
	if !m.storyShown() || m.cur != 3 || m.pres.storyAt != 4 {
		t.Errorf("a: story %v step %d view %d", m.storyShown(), m.cur+1, m.pres.storyAt+1)
	}
}
