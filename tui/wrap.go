package tui

import (
	"strings"
	"unicode/utf8"
)

// Soft wrapping: a value (a URL, a header, a JSON string) goes on its line
// whole when it fits, on the next line when it fits there, and otherwise
// breaks after a space or one of / & - , : ; (the joints of paths,
// queries, lists and URNs); it is cut between two characters only where it
// has none of them.

// breakAfter reports whether a line may break after c.
func breakAfter(c byte) bool {
	switch c {
	case ' ', '/', '&', '-', ',', ':', ';':
		return true
	}
	return false
}

// lastBreak is the index just after the last break opportunity in s, or 0.
func lastBreak(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if breakAfter(s[i]) {
			return i + 1
		}
	}
	return 0
}

// textWidth is the cells s takes (s holds no marks).
func textWidth(s string) int {
	_, w := fit(s, 1<<30)
	return w
}

// room is the cells left on the current line.
func (b *lineBuilder) room() int { return b.w - b.curW }

// atStart reports whether nothing but the indent is on the current line.
func (b *lineBuilder) atStart() bool { return b.curW <= b.contW }

// addWord adds text that should stay whole, with tail cells to follow it
// on its line (a comma): here if it fits, on a fresh continuation line if
// it fits there, else broken at its break opportunities.
func (b *lineBuilder) addWord(text string, esc [2]string, tail int) {
	tw := textWidth(text)
	switch {
	case tw+tail <= b.room():
		b.add(text, esc)
	case !b.atStart() && b.contW+tw+tail <= b.w:
		b.wrap()
		b.add(text, esc)
	default:
		b.addBroken(text, esc, tail)
	}
}

// addBroken adds text from where the line is, breaking it at its last
// break opportunity that fits each line, or hard where there is none.
func (b *lineBuilder) addBroken(text string, esc [2]string, tail int) {
	for text != "" {
		room := b.room()
		n, w := fit(text, room)
		if n == len(text) && w+tail <= room {
			b.add(text, esc)
			return
		}
		if n == len(text) { // it fits, its tail does not: leave a piece for the next line
			n, _ = fit(text, room-tail)
		}
		cut := lastBreak(text[:n])
		if cut == 0 {
			cut = n
		}
		if cut == 0 { // not one character fits
			if !b.atStart() {
				b.wrap()
				continue
			}
			_, cut = utf8.DecodeRuneInString(text) // a wide rune on a narrow line
		}
		b.add(text[:cut], esc)
		text = text[cut:]
		if text != "" {
			b.wrap()
		}
	}
}

// addWords adds text word by word, each word whole where it can be; a
// space where the line breaks is dropped. lead puts a space before the
// first word too.
func (b *lineBuilder) addWords(text string, esc [2]string, lead bool) {
	first := !lead
	for text != "" {
		word, rest, _ := strings.Cut(text, " ")
		text = rest
		if word == "" {
			continue
		}
		ww := textWidth(word)
		switch {
		case first || b.atStart():
		case 1+ww <= b.room():
			b.add(" ", [2]string{})
		case b.contW+ww <= b.w:
			b.wrap()
		case b.room() > 1:
			b.add(" ", [2]string{})
		default:
			b.wrap()
		}
		first = false
		if ww <= b.room() {
			b.add(word, esc)
		} else {
			b.addBroken(word, esc, 0)
		}
	}
}

// note adds what the workbench says about a value after it, subtle: "·
// system user access token · d: decode". Each part stays whole with its
// dot where it fits a line: its words are joined by no-break spaces, which
// show as spaces.
func (b *lineBuilder) note(parts ...string) {
	for _, p := range parts {
		if textWidth(p)+2 <= b.w-b.contW {
			p = strings.ReplaceAll(p, " ", "\u00a0")
		}
		b.addWords("·\u00a0"+p, markEsc(markSubtle), true)
	}
}

// addSpaced adds a space and then text as addWord does; where the text
// goes to the next line, the space is dropped.
func (b *lineBuilder) addSpaced(text string, esc [2]string, tail int) {
	tw := textWidth(text)
	switch {
	case 1+tw+tail <= b.room():
		b.add(" ", [2]string{})
		b.add(text, esc)
	case !b.atStart() && b.contW+tw+tail <= b.w:
		b.wrap()
		b.add(text, esc)
	default:
		if b.room() > 1 {
			b.add(" ", [2]string{})
		}
		b.addBroken(text, esc, tail)
	}
}

// raw appends a line rendered already (marks and all) to the current
// line.
func (b *lineBuilder) raw(s string) {
	b.buf = append(b.buf, s...)
	b.curW += plainWidth(s)
}
