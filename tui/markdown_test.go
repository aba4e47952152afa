package tui

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// The narrations' Markdown without colour: the marks go (strong and
// emphasis keep their asterisks, the only sign of them left), blocks are
// a blank line apart, a list's items are not, and what the renderer does
// not know comes out as text.
func TestRenderMarkdownPlain(t *testing.T) {
	plain := newMarkdownStyle(lipgloss.NewRenderer(io.Discard), false) // a renderer on no terminal: Ascii
	if plain.name != mdNoTTY {
		t.Fatalf("style %q, want notty", plain.name)
	}
	for _, tc := range []struct{ name, md, want string }{
		{"inline", "Sign with `kid` and **never** *both*; client_id and a_b_c stay, \\*not emphasis\\*.",
			"  Sign with kid and **never** *both*; client_id and a_b_c stay, *not emphasis*."},
		{"underscores", "__strong__ and _emph_ but snake_case_name", "  **strong** and *emph* but snake_case_name"},
		{"unclosed", "a `lone backtick and a * star and 2 * 3", "  a `lone backtick and a * star and 2 * 3"},
		{"double backticks", "``a `quoted` one``", "  a `quoted` one"},
		{"heading and list", "Intro line one\nline two.\n\n### What to point at\n\n- first\n  goes on\n- second `x`\n\nRead more: it",
			"  Intro line one line two.||  What to point at||  • first goes on|  • second x||  Read more: it"},
		{"ordered and nested", "1. one\n2. two\n  - inner", "  1. one|  2. two|    • inner"},
		{"heading marks", "## The `jti` **rule** ##", "  The jti rule"},
		{"fenced code", "Run:\n\n```sh\ntimedatectl\n  status\n```\nafter", "  Run:||    timedatectl|      status||  after"},
		{"quote and rule", "> quoted\n\n---", "  quoted||  ---"},
		{"empty", "", ""},
	} {
		got := strings.Join(renderMarkdown(tc.md, &plain), "|")
		if got != tc.want {
			t.Errorf("%s: %q\n want %q", tc.name, got, tc.want)
		}
	}
}

// In colour a code span is padded inside its background, so that
// wrapANSI does not break in it, and strong text is bold; the heading
// has its own colour; presenter mode's text is brighter.
func TestRenderMarkdownColour(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	dark := newMarkdownStyle(r, false)
	if dark.name != mdDark {
		t.Fatalf("style %q", dark.name)
	}
	lines := renderMarkdown("a `two words` and **b**\n\n### Head", &dark)
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	if got := ansi.Strip(lines[0]); got != "  a  two words  and b" {
		t.Errorf("plain text %q", got)
	}
	for _, want := range []string{"\x1b[38;5;203;48;5;236m two words \x1b[0m", "\x1b[1;38;5;252mb\x1b[0m", "\x1b[38;5;252ma \x1b[0m"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("%q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[2], "38;5;39m") || ansi.Strip(lines[2]) != "  Head" {
		t.Errorf("heading %q", lines[2])
	}
	if got := wrapANSI(lines[0], 12, 12); len(got) != 3 || ansi.Strip(got[1]) != " two words " {
		t.Errorf("wrapped at 12: %q", got)
	}
	present := newMarkdownStyle(r, true)
	if present.name != "dark+present" || !strings.Contains(strings.Join(renderMarkdown("x", &present), ""), "38;5;231m") {
		t.Errorf("presenter style %q: %q", present.name, renderMarkdown("x", &present))
	}
	r.SetHasDarkBackground(false)
	if light := newMarkdownStyle(r, false); light.name != mdLight || !strings.Contains(light.code[0], "48;5;254") {
		t.Errorf("light style %q, code %q", light.name, light.code[0])
	}
}
