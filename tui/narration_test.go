package tui

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
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
	// Another width renders once; back at the first width both come
	// from the cache.
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if m.narr.renders != n+1 {
		t.Errorf("a new width: %d renders, want %d", m.narr.renders, n+1)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if m.narr.renders != n+1 {
		t.Errorf("back to 100 wide: %d renders, want %d", m.narr.renders, n+1)
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
// links, and no line is padded, in colour and without.
func TestNarrationLinesFitAndKeepTheLinks(t *testing.T) {
	plain := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme()) // the tests' Ascii profile: notty
	if plain.Markdown.name != mdNoTTY {
		t.Fatalf("style %q under the Ascii profile, want notty", plain.Markdown.name)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	dark := plain
	dark.Markdown = newMarkdownStyle(r, false)
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
func TestWrapNarrationAndTrim(t *testing.T) {
	got := wrapNarration([]string{"  • first line of the item", "", "  a paragraph that goes on"}, 16)
	want := []string{"  • first line", "    of the item", "", "  a paragraph", "  that goes on"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapNarration = %q", got)
	}
	if got := trimRightANSI("\x1b[1mtext\x1b[0m\x1b[38;5;252m \x1b[0m  "); ansi.Strip(got) != "text" || !strings.HasSuffix(got, "\x1b[0m") {
		t.Errorf("trimRightANSI = %q", got)
	}
	if got := trimRightANSI("plain"); got != "plain" {
		t.Errorf("trimRightANSI(plain) = %q", got)
	}
}

// TestNarrationWrapsAroundCodeSpans: in colour, where each inline code
// span opens and closes a style next to a space, every line of a
// narration is as full as its next word allows (a wrap that takes the
// escape sequences for words leaves "and" alone on a line after one), no line is wider than the pane, and
// no id is broken at its hyphens.
func TestNarrationWrapsAroundCodeSpans(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	st := NewStyles(r, DefaultTheme())
	n := newNarrator()
	for _, id := range []string{"op-api", "op-token", "v-request", "v-poll"} {
		for _, w := range []int{60, 76, 97, 118} {
			l := n.lines(id, w, &st)
			lines := append(append([]string{}, l.what...), l.points...)
			for i, line := range lines {
				if lw := ansi.StringWidth(line); lw > w {
					t.Errorf("%s at %d: line %d is %d wide: %q", id, w, i, lw, ansi.Strip(line))
				}
				plain := ansi.Strip(line)
				if strings.HasSuffix(strings.TrimSpace(plain), "ske-krav-og-") || strings.HasPrefix(strings.TrimSpace(plain), "og-betalinger") {
					t.Errorf("%s at %d: an id broken at a hyphen: %q", id, w, plain)
				}
				if i+1 == len(lines) {
					continue
				}
				next := strings.TrimSpace(ansi.Strip(lines[i+1]))
				if next == "" || strings.TrimSpace(plain) == "" || strings.HasPrefix(next, "•") || strings.HasPrefix(next, "[") {
					continue // a paragraph, an item or the references begin
				}
				// The next word, after a space and the right padding of a
				// code span that ends this line (trimmed with the line).
				first := firstWord(lines[i+1])
				if len([]rune(plain))+2+len([]rune(first)) <= w {
					t.Errorf("%s at %d: %q would fit after %q", id, w, first, strings.TrimRight(plain, " "))
				}
			}
		}
	}
}

// firstWord is a styled line's first word after its indent: up to a
// space outside a styled span (a code span's spaces, padding included,
// have a background, and do not break it).
func firstWord(line string) string {
	var active, word strings.Builder
	started := false
	for i := 0; i < len(line); {
		if line[i] == '\x1b' {
			seq, n := escapeAt(line[i:])
			trackSGR(&active, seq)
			i += n
			continue
		}
		c := line[i]
		i++
		if c == ' ' && !hasBackground(active.String()) {
			if started {
				break
			}
			continue
		}
		started = true
		word.WriteByte(c)
	}
	return word.String()
}

// TestMachineStepsAreNotAPersonsWork: the service owner's set-up steps are
// its machines' work, not a person's in a portal; the end user's are a
// person's.
func TestMachineStepsAreNotAPersonsWork(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m = keys(m, "enter") // step 1, the service owner's token
	v := ansi.Strip(m.View())
	if strings.Contains(v, "a person does this") || !strings.Contains(v, "Skatteetaten does this in its own environment") {
		t.Errorf("step 1 says who does it:\n%s", v)
	}
	set := m.settings
	for _, c := range []struct {
		a    flow.Actor
		real bool
		want string
	}{
		{flow.ServiceOwner, false, "does this itself, with its own Maskinporten client"},
		{flow.SystemVendor, false, "Samarbeidsportalen or with Digdir's self-service API"},
		{flow.EndUser, false, "a person does this in a portal"},
		{flow.EndUser, true, "Here a person does this"},
	} {
		s := set
		s.ActAsPeople = !c.real
		if got := elsewhere(c.a, s); !strings.Contains(got, c.want) {
			t.Errorf("%s (real %v): %q, want %q", c.a, c.real, got, c.want)
		}
	}
}

// TestNotesKeepTheirLines: a note's lines after its first (step 4's
// public JWK) keep their indentation, and a line too long for the pane
// goes on under its value, "n": beside the start of the modulus.
func TestNotesKeepTheirLines(t *testing.T) {
	m := newTestModel(t, 80, 24)
	n := strings.Repeat("nhyuLcbBEZdLbAiYtXfvhMyDiZ61", 12)
	note := "kid smartcloud-demo-2026, RSA 2048 bits; public JWK:\n{\n  \"keys\": [\n    {\n      \"kty\": \"RSA\",\n      \"n\": \"" + n + "\",\n      \"e\": \"AQAB\"\n    }\n  ]\n}"
	id := m.run.id
	m = update(m, event(id, flow.Event{Kind: flow.StepStarted, Step: 3, Attempt: 1}))
	m = update(m, event(id, flow.Event{Kind: flow.NoteAdded, Step: 3, Attempt: 1, Note: note}))
	m = update(m, event(id, flow.Event{Kind: flow.StepEnded, Step: 3, Attempt: 1, Result: &flow.StepResult{Outcome: flow.Done, Attempt: 1}}))
	m = keys(m, "2") // the vendor's first step, the key pair
	if m.cur != 3 {
		t.Fatalf("at step %d", m.cur+1)
	}
	var lines []string
	for _, l := range m.step.info.lines {
		lines = append(lines, ansi.Strip(l))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"  · kid smartcloud-demo-2026, RSA 2048 bits; public JWK:",
		"\n    {\n      \"keys\": [\n        {\n          \"kty\": \"RSA\",\n          \"n\": \"nhyu",
		"\n          \"e\": \"AQAB\"\n        }\n      ]\n    }",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notes lack %q:\n%s", want, text)
		}
	}
	// The modulus goes on under itself, whole, each line within the pane.
	var got strings.Builder
	for i, l := range lines {
		if strings.HasPrefix(l, `          "n": "`) {
			got.WriteString(strings.TrimPrefix(l, `          "n": "`))
			for _, c := range lines[i+1:] {
				if !strings.HasPrefix(c, "               ") {
					break
				}
				got.WriteString(strings.TrimSpace(c))
			}
		}
	}
	if got.String() != n+`",` {
		t.Errorf("the modulus is not whole under its key: %q", got.String())
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > m.step.info.innerWidth() {
			t.Errorf("line wider than the pane: %q", l)
		}
	}
}
