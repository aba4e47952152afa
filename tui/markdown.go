package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/systembruker/workbench/internal/lazyre"
)

// The narration's Markdown is rendered here, by a small renderer of our
// own for what the narrations are written in (flow/narration.go and the
// scenario files' narration fields): paragraphs with inline `code`,
// **strong** and *emphasis*, `#` headings, `-` lists, fenced code. Links
// are references before this sees them (renderNarration). Anything else
// comes out as the text of a paragraph, never an error.
//
// A Markdown library (glamour, with goldmark, chroma and bluemonday)
// did this before; its packages' initialisation cost about 12 ms in
// every process the binary starts, `workbench token` among them, for
// a few paragraphs the TUI shows.

// Style names: which palette the narration is in, telling the styles
// apart in the narrator's cache.
const (
	mdDark  = "dark"
	mdLight = "light"
	mdNoTTY = "notty"
)

// markdownStyle is how the narration looks, chosen once with the rest of
// the Styles from the session's renderer: the escape sequences around
// each kind of span.
type markdownStyle struct {
	// name tells the styles apart in the caches: "dark", "light" or
	// "notty", with "+present" for presenter mode.
	name string
	// plain is true without colour: strong and emphasis keep their
	// asterisks, the only sign of them left.
	plain                                  bool
	text, code, strong, emph, heading, pre [2]string
}

// markdownStyleName is the narration's palette for the session's
// terminal: notty where there is no colour (NO_COLOR, a dumb terminal:
// the renderer's profile is Ascii), otherwise dark or light for its
// background.
func markdownStyleName(profile termenv.Profile, dark bool) string {
	switch {
	case profile == termenv.Ascii:
		return mdNoTTY
	case dark:
		return mdDark
	}
	return mdLight
}

// newMarkdownStyle builds the narration's style from the colour profile
// and background of the session's renderer (not the process's terminal);
// present makes it high contrast. The colours are the 256-colour ones
// the narration had in glamour's dark and light styles.
func newMarkdownStyle(r *lipgloss.Renderer, present bool) markdownStyle {
	dark := r.HasDarkBackground()
	name := markdownStyleName(r.ColorProfile(), dark)
	text, head, codeBg, preFg := "234", "27", "254", "242"
	if dark {
		text, head, codeBg, preFg = "252", "39", "236", "244"
	}
	if present {
		// Bright text, bold headings, for a projector.
		text, head = "16", "19"
		if dark {
			text, head = "231", "226"
		}
	}
	fg := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(c)) }
	st := markdownStyle{
		name:    name,
		plain:   name == mdNoTTY,
		text:    escapes(fg(text)),
		code:    escapes(fg("203").Background(lipgloss.Color(codeBg))),
		strong:  escapes(fg(text).Bold(true)),
		emph:    escapes(fg(text).Italic(true)),
		heading: escapes(fg(head).Bold(true)),
		pre:     escapes(fg(preFg)),
	}
	if present {
		st.name += "+present"
	}
	return st
}

// mdBlock is a block of a narration: a paragraph, a heading, a list item
// or a line of a fenced code block.
type mdBlock struct {
	kind   byte   // 'p' paragraph, 'h' heading, 'i' list item, 'c' code line
	marker string // a list item's bullet ("• ", or "3. ")
	level  int    // a list item's nesting, from its indent
	text   string
	// tight: no blank line before this block (a list's items after its
	// first, a code block's lines after its first).
	tight bool
}

var (
	mdHeading = lazyre.New(`^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)
	mdItem    = lazyre.New(`^( *)([-*+]|\d{1,9}[.)])[ \t]+(.*)$`)
	mdFence   = lazyre.New("^ {0,3}(```+|~~~+)")
)

// parseMarkdown cuts Markdown into blocks: lines that follow a paragraph
// or an item without a blank line go on with it.
func parseMarkdown(md string) []mdBlock {
	var (
		blocks []mdBlock
		open   = -1 // the block that text lines go on with
		fence  string
		blank  = true
	)
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		line = strings.ReplaceAll(line, "\t", "    ")
		if fence != "" {
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence, open, blank = "", -1, false
				continue
			}
			first := len(blocks) == 0 || blocks[len(blocks)-1].kind != 'c' || blank
			blocks = append(blocks, mdBlock{kind: 'c', text: strings.TrimRight(line, " "), tight: !first})
			blank = false
			continue
		}
		if strings.TrimSpace(line) == "" {
			open, blank = -1, true
			continue
		}
		if m := mdFence.FindStringSubmatch(line); m != nil {
			fence, open = m[1][:3], -1
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			blocks = append(blocks, mdBlock{kind: 'h', text: m[2]})
			open, blank = -1, false
			continue
		}
		if m := mdItem.FindStringSubmatch(line); m != nil {
			marker := "• "
			if c := m[2][len(m[2])-1]; c == '.' || c == ')' {
				marker = m[2] + " "
			}
			prev := len(blocks) > 0 && blocks[len(blocks)-1].kind == 'i'
			blocks = append(blocks, mdBlock{kind: 'i', marker: marker, level: min(len(m[1])/2, 4), text: m[3], tight: prev && !blank})
			open, blank = len(blocks)-1, false
			continue
		}
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "> "))
		if open >= 0 {
			blocks[open].text += " " + text
		} else {
			blocks = append(blocks, mdBlock{kind: 'p', text: text})
			open = len(blocks) - 1
		}
		blank = false
	}
	return blocks
}

// renderMarkdown renders Markdown to unwrapped, styled lines, each under
// a margin of two, with a blank line between blocks; wrapNarration
// wraps them.
func renderMarkdown(md string, st *markdownStyle) []string {
	var lines []string
	for i, b := range parseMarkdown(md) {
		if i > 0 && !b.tight {
			lines = append(lines, "")
		}
		switch b.kind {
		case 'h':
			lines = append(lines, "  "+st.heading[0]+renderInline(b.text, st, true)+st.heading[1])
		case 'i':
			lines = append(lines, spaces(2+2*b.level)+st.text[0]+b.marker+st.text[1]+renderInline(b.text, st, false))
		case 'c':
			if b.text == "" {
				lines = append(lines, "")
				continue
			}
			lines = append(lines, "    "+st.pre[0]+b.text+st.pre[1])
		default:
			lines = append(lines, "  "+renderInline(b.text, st, false))
		}
	}
	return lines
}

// renderInline styles a paragraph's text: code spans, strong, emphasis,
// backslash escapes; the rest in the text's colour. bare is the text
// alone, without escapes, padding or asterisks: the inside of a heading
// or a strong span, which has one style.
func renderInline(s string, st *markdownStyle, bare bool) string {
	var out, run strings.Builder
	span := func(esc [2]string, text string) {
		switch {
		case text == "":
		case bare:
			out.WriteString(text)
		default:
			out.WriteString(esc[0] + text + esc[1])
		}
	}
	flush := func() { span(st.text, run.String()); run.Reset() }
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			run.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			n := runLen(s[i:], '`')
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				code := strings.TrimSpace(s[i+n : i+n+end])
				flush()
				if !st.plain && !bare {
					code = " " + code + " " // padded inside its background, as it was
				}
				span(st.code, code)
				i += n + end + n
				continue
			}
			run.WriteString(s[i : i+n]) // no closing run: literal backticks
			i += n
			continue
		case c == '*' || c == '_':
			n := min(runLen(s[i:], c), 2)
			delim := s[i : i+n]
			if end := closingDelim(s, i, delim); end > 0 {
				inner := renderInline(s[i+n:end], st, true)
				flush()
				esc, mark := st.emph, "*"
				if n == 2 {
					esc, mark = st.strong, "**"
				}
				if st.plain && !bare {
					inner = mark + inner + mark // the only sign of it left without colour
				}
				span(esc, inner)
				i = end + n
				continue
			}
			run.WriteString(delim)
			i += n
			continue
		}
		run.WriteByte(c)
		i++
	}
	flush()
	return out.String()
}

// closingDelim is where the delimiter delim opening at i is closed, or
// -1: the opener followed by a non-space, the closer after one, and an
// underscore only at a word's edges (client_id is not emphasis).
func closingDelim(s string, i int, delim string) int {
	n := len(delim)
	if i+n >= len(s) || s[i+n] == ' ' || (delim[0] == '_' && i > 0 && isWordByte(s, i-1)) {
		return -1
	}
	for j := i + n + 1; j+n <= len(s); j++ {
		if s[j:j+n] != delim || s[j-1] == ' ' || (j+n < len(s) && s[j+n] == delim[0]) {
			continue
		}
		if delim[0] == '_' && j+n < len(s) && isWordByte(s, j+n) {
			continue
		}
		return j
	}
	return -1
}

func runLen(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// isWordByte reports whether the rune around byte i of s is a letter or
// a digit.
func isWordByte(s string, i int) bool {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}
