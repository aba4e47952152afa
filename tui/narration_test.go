package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	gstyles "github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// The step screen renders the narration when the step or the width
// changes, once, and View only draws it.
func TestNarrationIsRenderedOnceNotInView(t *testing.T) {
	m := newTestModel(t, 100, 30)
	m = keys(m, "5") // the operational phase's token step
	if id := m.sc.Steps[m.cur].ID; id != "op-token" {
		t.Fatalf("at %s", id)
	}
	n := m.narr.renders
	if n == 0 {
		t.Fatal("opening the step rendered no narration")
	}
	for range 5 {
		_ = m.View()
	}
	if m.narr.renders != n {
		t.Fatalf("View rendered the narration (%d renders, was %d)", m.narr.renders, n)
	}
	// New data for the step (its inputs, a clock tick) re-renders the
	// info pane from the cached narration.
	m = update(m, clockMsg{})
	m = keys(m, "e", "esc")
	if m.narr.renders != n {
		t.Errorf("a refresh of the same step and width rendered again (%d, was %d)", m.narr.renders, n)
	}
	// Another width renders once, with a renderer of its own; back at
	// the first width both come from the cache.
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if m.narr.renders != n+1 {
		t.Errorf("a new width: %d renders, want %d", m.narr.renders, n+1)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if m.narr.renders != n+1 || len(m.narr.renderers) != 2 {
		t.Errorf("back to 100 wide: %d renders (want %d), %d renderers (want 2)", m.narr.renders, n+1, len(m.narr.renderers))
	}
	// Scroll down to the facts: they and the references are there.
	m = keys(m, "G")
	v := ansi.Strip(m.View())
	for _, want := range []string{"What to point at", "• authorization_details is an array even for one party",
		"[1] https://docs.digdir.no/docs/Maskinporten/maskinporten_func_systembruker"} {
		if !strings.Contains(v, want) {
			t.Errorf("the info pane lacks %q:\n%s", want, v)
		}
	}
	m = keys(m, "g")
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "What and why") && (i+1 == len(lines) || !strings.HasPrefix(lines[i+1], "  Now the daily work.")) {
			t.Errorf("the narration's paragraph is not under What and why:\n%s", strings.Join(lines, "\n"))
		}
	}
}

// Every narration fits every width, its URLs put back together are the
// links, and glamour's padding is gone, in colour and without.
func TestNarrationLinesFitAndKeepTheLinks(t *testing.T) {
	plain := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme()) // the tests' Ascii profile: notty
	if plain.Markdown.name != gstyles.NoTTYStyle {
		t.Fatalf("style %q under the Ascii profile, want notty", plain.Markdown.name)
	}
	dark := plain
	dark.Markdown = markdownStyle{name: "dark-test", config: markdownConfig(gstyles.DarkStyle, true, false), profile: termenv.TrueColor}
	sc := flow.Scenarios(wire.Summary(config.Default()))
	for _, st := range []*Styles{&plain, &dark} {
		n := newNarrator()
		for _, s := range sc {
			for _, step := range s.Steps {
				md := flow.Narration(step.ID)
				var links []string
				for _, m := range mdLink.FindAllStringSubmatch(md, -1) {
					links = append(links, m[2])
				}
				for _, w := range []int{30, 57, 79, 118, 199} {
					nl := n.lines(step.ID, w, st)
					if len(nl.what) == 0 || len(nl.points) == 0 {
						t.Fatalf("%s at %d (%s): %d lines of what, %d of points", step.ID, w, st.Markdown.name, len(nl.what), len(nl.points))
					}
					for _, l := range append(append([]string{}, nl.what...), nl.points...) {
						if lw := ansi.StringWidth(l); lw > w {
							t.Errorf("%s at %d (%s): line %d wide: %q", step.ID, w, st.Markdown.name, lw, ansi.Strip(l))
						}
						// A code span in colour keeps its own padding space.
						pad := map[bool]string{true: " ", false: "  "}[st == &plain]
						if p := ansi.Strip(l); strings.HasSuffix(p, pad) {
							t.Errorf("%s at %d (%s): padded line %q", step.ID, w, st.Markdown.name, p)
						}
					}
					if got := refURLs(nl.points); strings.Join(got, " ") != strings.Join(links, " ") {
						t.Errorf("%s at %d (%s): references %q, links %q", step.ID, w, st.Markdown.name, got, links)
					}
				}
			}
		}
	}
}

// refURLs puts the URLs of a narration's references back together.
func refURLs(lines []string) []string {
	var out []string
	for _, l := range lines {
		p := strings.TrimSpace(ansi.Strip(l))
		switch {
		case strings.HasPrefix(p, "[") && strings.Contains(p, "] http"):
			_, u, _ := strings.Cut(p, "] ")
			out = append(out, u)
		case len(out) > 0 && strings.HasPrefix(l, "      ") && !strings.Contains(p, " "):
			out[len(out)-1] += p
		}
	}
	return out
}

func TestMarkdownStyleName(t *testing.T) {
	for _, tc := range []struct {
		profile termenv.Profile
		dark    bool
		want    string
	}{
		{termenv.Ascii, true, "notty"},
		{termenv.Ascii, false, "notty"},
		{termenv.ANSI256, true, "dark"},
		{termenv.TrueColor, false, "light"},
	} {
		if got := markdownStyleName(tc.profile, tc.dark); got != tc.want {
			t.Errorf("profile %v dark %v: %q, want %q", tc.profile, tc.dark, got, tc.want)
		}
	}
}

// A list item's lines hang under its text; the padding goes, escape
// sequences and all.
func TestHangItemsAndTrim(t *testing.T) {
	got := hangItems([]string{"  • first line", "  of the item", "", "  a paragraph", "  goes on"})
	want := []string{"  • first line", "    of the item", "", "  a paragraph", "  goes on"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("hangItems = %q", got)
	}
	if got := trimRightANSI("\x1b[1mtext\x1b[0m\x1b[38;5;252m \x1b[0m  "); ansi.Strip(got) != "text" || !strings.HasSuffix(got, "\x1b[0m") {
		t.Errorf("trimRightANSI = %q", got)
	}
	if got := trimRightANSI("plain"); got != "plain" {
		t.Errorf("trimRightANSI(plain) = %q", got)
	}
}
