package tui

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// The TUI's budgets (design.md): a key press on a pane holding a 5 MB JSON
// body handled and drawn in 5 ms; the first frame within 150 ms; under
// 100 MB with the body loaded.

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

// loadLargeBody returns a model at w×h showing a 5 MB response in the
// focused response pane of step 1.
func loadLargeBody(tb testing.TB, body string, w, h int) Model {
	m := newTestModel(tb, w, h)
	x := jsonExchange(body)
	m = runStep(m, 0, 1, []client.Exchange{x}, nil, nil)
	m = keysRun(m, "enter", "tab", "tab")
	if m.step.section != sectionExchanges || m.step.side != 1 {
		tb.Fatalf("not on the response pane: %v/%d", m.step.section, m.step.side)
	}
	return m
}

// BenchmarkScrollLargeBody measures one key press (scroll down) on the
// response pane holding a 5 MB JSON body: Update, then View.
func BenchmarkScrollLargeBody(b *testing.B) {
	inColour(b)
	body := bigJSON(5 << 20)
	m := loadLargeBody(b, body, 120, 40)
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
// screen, with its narration rendered by glamour (a renderer built for the
// width, the Markdown rendered, wrapped and split), in colour.
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

// BenchmarkFirstFrameLargeBody measures the frame that first shows a 5 MB
// body: the step's events arriving, opening the response pane (where the
// body is pretty-printed, coloured and wrapped once) and View. It reports
// the heap in use with the body loaded.
func BenchmarkFirstFrameLargeBody(b *testing.B) {
	inColour(b)
	body := bigJSON(5 << 20)
	var heap uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := loadLargeBody(b, body, 120, 40)
		_ = m.View()
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapInuse)
		runtime.KeepAlive(m)
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "MB-heap")
}

// TestLargeBodyRendersOnce checks the work is done on load, not per
// frame: after the first frame a scroll renders no body again.
func TestLargeBodyRendersOnce(t *testing.T) {
	body := bigJSON(1 << 20)
	m := loadLargeBody(t, body, 120, 40)
	lines := m.step.right.lines
	start := time.Now()
	for i := 0; i < 50; i++ {
		m = keys(m, "pgdown")
		_ = m.View()
	}
	if &m.step.right.lines[0] != &lines[0] {
		t.Error("scrolling re-rendered the body")
	}
	t.Logf("50 page-downs on a 1 MB body: %v", time.Since(start))
	if len(lines) < 1000 {
		t.Errorf("only %d lines for a 1 MB body", len(lines))
	}
}
