package tui

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// The TUI's budgets (design.md, issue 14): the first frame within 150 ms;
// with a 16 MB JSON body (the recording's cap), the frame that first shows
// it within 50 ms and HeapInuse under 100 MB, and a scroll key handled and
// drawn within 1 ms, allocating at most 20 kB. Run them with
//
//	go test ./tui -run '^$' -bench 'Large|Scroll' -count 5 -benchmem

// bigJSON is a JSON document of about n bytes, shaped like a long list of
// claims, compact as a service sends it.
func bigJSON(n int) string {
	var b strings.Builder
	b.Grow(n + 512)
	b.WriteString(`{"kravOgBetalinger":[`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"kravidentifikator":"%012d","kravbeskrivelse":{"spraakTekst":[{"tekst":"Restskatt for inntektsåret 2023, forfalt og ikke betalt","spraak":"nb"}]},"beloep":%d.50,"forfalt":true,"renter":null}`, i, i%100000)
	}
	b.WriteString(`]}`)
	return b.String()
}

// inColour runs a benchmark with a true colour profile, as on a real
// terminal: the escape sequences are part of the cost.
func inColour(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	b.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
}

// loadLargeBody returns a model at w×h showing body in the focused
// response pane of step 1, and the command the exchanges' first frame
// started, which renders a large body in the background.
func loadLargeBody(tb testing.TB, body string, w, h int) (Model, tea.Cmd) {
	m := newTestModel(tb, w, h)
	x := jsonExchange(body)
	m = runStep(m, 0, 1, []client.Exchange{x}, nil, nil)
	m = keys(m, "enter")
	next, cmd := m.Update(keyMsg("tab")) // the exchange's panes, rendered
	m = keys(next.(Model), "tab")
	if m.step.section != sectionExchanges || m.step.side != 1 {
		tb.Fatalf("not on the response pane: %v/%d", m.step.section, m.step.side)
	}
	return m, cmd
}

// BenchmarkScrollLargeBody measures one key press (scroll down) on the
// response pane holding a 16 MB JSON body (the recording's cap), rendered
// whole: Update, then View.
func BenchmarkScrollLargeBody(b *testing.B) {
	inColour(b)
	m, cmd := loadLargeBody(b, bigJSON(16<<20), 120, 40)
	m = settle(m, cmd)
	if m.step.right.partial {
		b.Fatal("the body is not rendered whole")
	}
	down := tea.KeyMsg{Type: tea.KeyDown}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _ := m.Update(down)
		m = next.(Model)
		_ = m.View()
	}
	if m.step.right.offset == 0 {
		b.Fatal("did not scroll")
	}
}

// BenchmarkFirstFrame measures start to first frame: New, the first
// window size, and View of the overview.
func BenchmarkFirstFrame(b *testing.B) {
	inColour(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := newTestModel(b, 120, 40)
		_ = m.View()
	}
}

// BenchmarkPresenterFirstFrame is presenter mode's first frame: step 1's
// screen, with its narration rendered (the Markdown rendered, wrapped and
// split), in colour.
func BenchmarkPresenterFirstFrame(b *testing.B) {
	inColour(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := New(b.Context(), flow.Services{}, wire.Summary(config.Default()), WithPresenter(DefaultPace))
		next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if v := next.View(); !strings.Contains(ansi.Strip(v), "What and why") {
			b.Fatal("no narration on the first frame")
		}
	}
}

// BenchmarkStartToFirstFrame is what `go run .` does before its first
// frame: start the mocks in-process, build the model, size it, draw.
func BenchmarkStartToFirstFrame(b *testing.B) {
	inColour(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := wire.Start(ctx, config.Default())
		if err != nil {
			b.Fatal(err)
		}
		m := New(b.Context(), s.Services, s.Settings)
		next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = next.View()
		b.StopTimer()
		s.Close()
		cancel()
		b.StartTimer()
	}
}

// BenchmarkFirstFrameLargeBody measures the frame that first shows a
// 16 MB body: the step's events arriving, opening the exchange (the body's
// first screenful rendered, the rest started in the background) and View.
// It reports the heap in use then and once the background render is in
// (HeapInuse after a GC), measured on the first iteration: a render and
// two collections on each would make the benchmark take minutes.
func BenchmarkFirstFrameLargeBody(b *testing.B) {
	inColour(b)
	body := bigJSON(16 << 20)
	var first, whole uint64
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, cmd := loadLargeBody(b, body, 120, 40)
		v := m.View()
		if i > 0 {
			continue
		}
		b.StopTimer()
		if !strings.Contains(v, "kravOgBetalinger") || !m.step.right.partial {
			b.Fatal("the first frame does not show the body's first lines")
		}
		first = heap()
		m = settle(m, cmd)
		if m.step.right.partial {
			b.Fatal("the background render did not arrive")
		}
		whole = heap()
		runtime.KeepAlive(m)
		b.StartTimer()
	}
	b.ReportMetric(float64(first)/(1<<20), "MB-heap-first")
	b.ReportMetric(float64(whole)/(1<<20), "MB-heap-whole")
}

// BenchmarkLargeBodyBackground measures the background render of a 16 MB
// body: pretty-printing, marking and wrapping it whole, and taking the
// lines in. The TUI keeps answering keys meanwhile.
func BenchmarkLargeBodyBackground(b *testing.B) {
	inColour(b)
	body := bigJSON(16 << 20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m, cmd := loadLargeBody(b, body, 120, 40)
		b.StartTimer()
		m = settle(m, cmd)
		if m.step.right.partial {
			b.Fatal("the background render did not arrive")
		}
	}
}

// TestLargeBodyRendersInTheBackground checks a large body's first frame
// shows its first screenful at once with the rest to come, that the
// background render brings it whole, and that scrolling renders nothing
// again.
func TestLargeBodyRendersInTheBackground(t *testing.T) {
	body := bigJSON(1 << 20)
	m, cmd := loadLargeBody(t, body, 120, 40)
	first := m.step.right.lines
	if v := ansi.Strip(m.View()); !m.step.right.partial || cmd == nil || !strings.Contains(v, "1-33/… ") ||
		!strings.Contains(first[len(first)-1], "rendering the rest of the body (1.0 MB)") {
		t.Fatalf("the first frame is not a first screenful with the rest to come:\n%s", v)
	}
	// Keys while the render runs (in a goroutine, as the program runs it:
	// go test -race watches what they share).
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	m = keys(m, "pgdown", "tab", "tab", "tab", "tab", "tab", "tab")
	msg := <-done
	m = settle(m, func() tea.Msg { return msg })
	lines := m.step.right.lines
	if m.step.right.partial || len(lines) < 1000 {
		t.Fatalf("after the background render: partial %v, %d lines", m.step.right.partial, len(lines))
	}
	if m.step.right.offset == 0 {
		t.Error("the page-down made during the render was lost")
	}
	for i := 0; i < 50; i++ {
		m = keys(m, "pgdown")
		_ = m.View()
	}
	if &m.step.right.lines[0] != &lines[0] {
		t.Error("scrolling re-rendered the body")
	}
}

// TestStaleBackgroundRenderIsDropped checks that a body's background
// render is dropped once the pane shows something else.
func TestStaleBackgroundRenderIsDropped(t *testing.T) {
	m := newTestModel(t, 120, 40)
	big, small := jsonExchange(bigJSON(1<<20)), jsonExchange(`{"small":true}`)
	m = runStep(m, 0, 1, []client.Exchange{big, small}, nil, nil)
	m = keys(m, "enter")
	next, cmd := m.Update(keyMsg("tab"))
	m = keys(next.(Model), "tab", "]") // the small exchange, before the big one's render came
	m = settle(m, cmd)
	if v := ansi.Strip(m.View()); !strings.Contains(v, `"small": true`) || strings.Contains(v, "kravOgBetalinger") {
		t.Errorf("the big body's late render replaced the small one:\n%s", v)
	}
}

// TestSearchALargeBody checks a pane too large to search in Update is
// searched in the background, and that the matches stop at maxMatches.
func TestSearchALargeBody(t *testing.T) {
	m, cmd := loadLargeBody(t, bigJSON(1<<20), 120, 40)
	m = settle(m, cmd)
	if len(m.step.right.lines) <= searchNowLines {
		t.Fatalf("only %d lines", len(m.step.right.lines))
	}
	m = keys(m, "/", "b", "e", "l", "o", "e", "p")
	next, cmd := m.Update(keyMsg("enter"))
	m = next.(Model)
	if !m.step.search.busy || cmd == nil || !strings.Contains(ansi.Strip(m.step.tabsLine), "searching…") {
		t.Fatalf("not searching in the background: %+v", m.step.search)
	}
	m = settle(m, cmd)
	if n := len(m.step.right.found); n != maxMatches || !strings.Contains(ansi.Strip(m.step.tabsLine), `"beloep" 1/1000+`) {
		t.Errorf("%d matches, tabs line %q", n, ansi.Strip(m.step.tabsLine))
	}
}

// TestRenderOfAnotherScenarioIsDropped checks that a body's background
// render started before another scenario was picked is dropped, though
// the new scenario's pane, at the same place and size, waits for one too.
func TestRenderOfAnotherScenarioIsDropped(t *testing.T) {
	m, cmd := loadLargeBody(t, bigJSON(1<<20), 120, 40)
	late := cmd() // rendered, not yet delivered
	m = keys(m, "s", "down", "enter")
	other := strings.Replace(bigJSON(1<<20), "kravOgBetalinger", "andreKrav", 1)
	m = runStep(m, 0, 1, []client.Exchange{jsonExchange(other)}, nil, nil)
	m = keys(m, "enter", "tab", "tab")
	m = settle(m, func() tea.Msg { return late })
	if text := strings.Join(paneText(m.step.right.lines), "\n"); !m.step.right.partial || strings.Contains(text, "kravOgBetalinger") {
		t.Errorf("the old scenario's render replaced the new one's pane (partial %v)", m.step.right.partial)
	}
}
