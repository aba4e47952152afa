package tui

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"
)

// search is a search in the focused pane of the step screen. / opens a
// prompt on the tabs line; enter searches and moves to the first match
// from the top of the pane down; while the search is on, n and N move
// between the matches (n moves to the next step again once it is over),
// the matches are highlighted, and esc ends it. The search follows the
// focus and the content: another pane, another exchange, a re-wrap or a
// body's background render is searched again. Letters match either case.
type search struct {
	typing bool   // the prompt is open
	input  string // what is typed in it
	term   string // what is searched for
	active bool

	// on is the pane searched (paneID), and first and n its lines then:
	// when any changes, the search runs again.
	on    int
	first *string
	n     int
	ran   string // the term it ran with
	gen   int    // counts the runs, so a stale background run is dropped
	busy  bool   // a background run is going on
	// capped says there were more matches than maxMatches.
	capped bool
}

const (
	// maxMatches is the most matches kept; the status says "1000+".
	maxMatches = 1000
	// searchNowLines is the most lines searched in Update; a larger pane
	// (a large body) is searched in a command.
	searchNowLines = 20000
)

// searchDoneMsg is a background search's matches.
type searchDoneMsg struct {
	gen    int
	found  []match
	capped bool
}

// searchKey handles the keys of the search: every key while the prompt is
// open; n, N and esc while a search is on; / to start one.
func (s *stepScreen) searchKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	se, k := &s.search, s.common.Keys
	if se.typing {
		switch msg.Type {
		case tea.KeyEnter:
			se.typing = false
			if se.input == "" {
				s.endSearch()
				break
			}
			se.term, se.active, se.ran = se.input, true, ""
		case tea.KeyEsc:
			se.typing = false
		case tea.KeyBackspace:
			if _, n := utf8.DecodeLastRuneInString(se.input); n > 0 {
				se.input = se.input[:len(se.input)-n]
			}
		case tea.KeyCtrlU:
			se.input = ""
		case tea.KeySpace:
			se.input += " "
		case tea.KeyRunes:
			se.input += sanitizeLine(string(msg.Runes))
		}
		return nil, true
	}
	switch {
	case key.Matches(msg, k.Search):
		se.typing, se.input = true, ""
	case se.active && key.Matches(msg, k.NextMatch):
		s.moveMatch(1)
	case se.active && key.Matches(msg, k.PrevMatch):
		s.moveMatch(-1)
	case se.active && key.Matches(msg, k.Back):
		s.endSearch()
	default:
		return nil, false
	}
	return nil, true
}

// sanitizeLine keeps a typed (or pasted) text to one line of plain text.
func sanitizeLine(s string) string {
	b := []byte(sanitize(s))
	for i, c := range b {
		if c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// endSearch ends the search and takes its highlights away.
func (s *stepScreen) endSearch() {
	if p := s.paneByID(s.search.on); p != nil {
		p.found = nil
	}
	s.search = search{gen: s.search.gen}
}

// The panes of the step screen by number, for what must outlive the
// model's copies (a pointer into one copy would not): 1 the info, 2 the
// left, 3 the right; 0 none.
func (s *stepScreen) paneByID(id int) *pane {
	switch id {
	case 1:
		return &s.info
	case 2:
		return &s.left
	case 3:
		return &s.right
	}
	return nil
}

// focusedID is the focused pane's number.
func (s *stepScreen) focusedID() int {
	switch {
	case s.section == sectionInfo:
		return 1
	case s.side == 0:
		return 2
	}
	return 3
}

// syncSearch runs the search again where the focused pane or its lines
// changed: at once on a small pane, in a command on a large one.
func (s *stepScreen) syncSearch() tea.Cmd {
	se := &s.search
	if !se.active {
		return nil
	}
	id := s.focusedID()
	p := s.paneByID(id)
	first := firstLine(p.lines)
	if se.on == id && se.first == first && se.n == len(p.lines) && se.ran == se.term {
		return nil
	}
	if old := s.paneByID(se.on); old != nil && se.on != id {
		old.found = nil
	}
	se.on, se.first, se.n, se.ran = id, first, len(p.lines), se.term
	se.gen++
	if len(p.lines) <= searchNowLines {
		found, capped := findMatches(p.lines, se.term)
		s.applySearch(found, capped)
		return nil
	}
	se.busy = true
	lines, term, gen := p.lines, se.term, se.gen
	return func() tea.Msg {
		found, capped := findMatches(lines, term)
		return searchDoneMsg{gen: gen, found: found, capped: capped}
	}
}

func firstLine(lines []string) *string {
	if len(lines) == 0 {
		return nil
	}
	return &lines[0]
}

// searchDone takes a background search's matches, unless the search has
// run again since.
func (s *stepScreen) searchDone(msg searchDoneMsg) {
	if msg.gen != s.search.gen || !s.search.active || s.search.on == 0 {
		return
	}
	s.applySearch(msg.found, msg.capped)
}

// applySearch puts the matches in the searched pane and moves to the
// first at or below its top.
func (s *stepScreen) applySearch(found []match, capped bool) {
	se := &s.search
	p := s.paneByID(se.on)
	se.busy, se.capped = false, capped
	p.found, p.cur = found, 0
	for i, m := range found {
		if m.line >= p.offset {
			p.cur = i
			break
		}
	}
	if len(found) > 0 {
		scrollTo(p, found[p.cur])
	}
}

// moveMatch moves to the next (d 1) or previous (d -1) match.
func (s *stepScreen) moveMatch(d int) {
	p := s.paneByID(s.search.on)
	if p == nil || len(p.found) == 0 {
		s.ask(say{text: fmt.Sprintf("no match for %q in this pane", s.search.term)})
		return
	}
	p.cur = (p.cur + d + len(p.found)) % len(p.found)
	scrollTo(p, p.found[p.cur])
}

// scrollTo scrolls a pane so that a match shows: its line a third down
// the pane when it was out of sight, and, unwrapped, its columns.
func scrollTo(p *pane, m match) {
	ih := p.innerHeight()
	if m.line < p.offset || m.line >= p.offset+ih {
		p.offset = m.line - ih/3
		p.clamp()
	}
	if iw := p.innerWidth(); p.nowrap && (m.from < p.xoff || m.to > p.xoff+iw) {
		p.xoff = max(0, m.from-iw/4)
	}
}

// searchStatus is the search's part of the tabs line: the prompt while
// typing, then the term and where the match is.
func (s *stepScreen) searchStatus() string {
	se := &s.search
	p := s.paneByID(se.on)
	switch {
	case se.typing:
		return "/" + se.input + "█"
	case !se.active:
		return ""
	case se.busy:
		return fmt.Sprintf("%q searching…", se.term)
	case p == nil || len(p.found) == 0:
		return fmt.Sprintf("%q no match", se.term)
	}
	total := fmt.Sprint(len(p.found))
	if se.capped {
		total += "+"
	}
	return fmt.Sprintf("%q %d/%s", se.term, p.cur+1, total)
}

// findMatches finds term in the lines as shown (marks and escape
// sequences left out), letters in either case; at most maxMatches.
func findMatches(lines []string, term string) ([]match, bool) {
	t := foldASCII(nil, term)
	if len(t) == 0 {
		return nil, false
	}
	var out []match
	var buf []byte
	for i, l := range lines {
		if len(l) < len(t) {
			continue
		}
		buf = visibleFolded(buf[:0], l)
		for from := 0; from <= len(buf)-len(t); {
			j := bytes.Index(buf[from:], t)
			if j < 0 {
				break
			}
			at := from + j
			col := cellWidth(buf[:at])
			out = append(out, match{line: i, from: col, to: col + cellWidth(buf[at:at+len(t)])})
			if len(out) >= maxMatches {
				return out, true
			}
			from = at + len(t)
		}
	}
	return out, false
}

// foldASCII appends s with its ASCII letters in lower case.
func foldASCII(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return out
}

// visibleFolded appends the text of a pane line as shown, folded: no
// marks, no escape sequences.
func visibleFolded(out []byte, l string) []byte {
	for i := 0; i < len(l); {
		c := l[i]
		switch {
		case c == 0x1b:
			i += escLen(l[i:])
			continue
		case c < 0x20:
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		default:
			out = append(out, c)
		}
		i++
	}
	return out
}

// cellWidth is the cells of plain text.
func cellWidth(b []byte) int {
	w := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			w++
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		w += runewidth.RuneWidth(r)
		i += n
	}
	return w
}

// searchHelp is the short help while a search is on (nil otherwise): its
// keys come first.
func (s *stepScreen) searchHelp() []key.Binding {
	k := s.common.Keys
	switch {
	case s.search.typing:
		return []key.Binding{relabel(k.Choose, "search"), relabel(k.Back, "cancel")}
	case s.search.active:
		return []key.Binding{joined(k.NextMatch, k.PrevMatch, "match"), relabel(k.Back, "end search"), relabel(k.Search, "new search")}
	}
	return nil
}
