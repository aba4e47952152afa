package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/compare"
	"github.com/systembruker/workbench/transcript"
)

// compareEntry is a line of the compare screen's list: a step pair, a
// step only one run has, or steps the same in both folded into one.
type compareEntry struct {
	steps []compare.Step // one, or the folded ones
	same  bool
}

// compareEntries folds the steps the same in both runs, in a row, into
// one entry each.
func compareEntries(res compare.Result) []compareEntry {
	var out []compareEntry
	for _, s := range res.Steps {
		if n := len(out); s.Same() && n > 0 && out[n-1].same {
			out[n-1].steps = append(out[n-1].steps, s)
			continue
		}
		out = append(out, compareEntry{steps: []compare.Step{s}, same: s.Same()})
	}
	return out
}

// sectionTitles name the sections as the detail heads them.
var sectionTitles = map[compare.Section]string{
	compare.SectionStep: "The step", compare.SectionGrant: "The grant", compare.SectionToken: "The token",
	compare.SectionRequest: "The request", compare.SectionResponse: "The response", compare.SectionNotes: "Notes",
}

// detailOrder is the order the detail shows the sections in: the grant,
// the token, the request and the response, then the step and its notes.
var detailOrder = []compare.Section{compare.SectionGrant, compare.SectionToken, compare.SectionRequest,
	compare.SectionResponse, compare.SectionStep, compare.SectionNotes}

// render draws the panes' lines for the state, the selection and the
// size; it runs on every change (the lines are a few hundred at most).
func (s *compareScreen) render() {
	st := s.common.Styles
	w, h := s.common.Width, s.common.Height
	switch s.state {
	case compareChoosing:
		s.detail.title = "Compare with"
		s.detail.setSize(w, h)
		s.detail.setLines(s.choiceLines())
		return
	case compareRunning:
		s.detail.title = "Compare with"
		s.detail.setSize(w, h)
		s.detail.setLines([]string{"", "  " + st.State.Running.Render("Running "+s.waiting+" to compare with…")})
		return
	}
	lw := min(34, max(26, w/4))
	s.list.setSize(lw, h)
	s.detail.setSize(w-lw, h)
	s.list.title = fmt.Sprintf("Steps · %d differ", s.differing())
	var lines []string
	for i, e := range s.entries {
		lines = append(lines, s.entryLine(e, i == s.sel, s.list.innerWidth()))
	}
	lines = append(lines, "", st.Subtle.Render(" = same  ≠ differs (n)"), st.Subtle.Render(" A only in this run"),
		st.Subtle.Render(" B only in the other"))
	s.list.setLines(lines)
	if len(s.entries) == 0 {
		s.detail.setLines(nil)
		return
	}
	e := s.entries[min(s.sel, len(s.entries)-1)]
	s.detail.title = entryTitle(e)
	s.detail.setLines(s.detailLines(e, s.detail.innerWidth()))
}

// subheader is the line under the header: the two runs and how they
// differ.
func (s *compareScreen) subheader() string {
	st := s.common.Styles
	switch s.state {
	case compareChoosing:
		return st.Subtle.Render("Pick a run to put beside this one; esc goes back.")
	case compareRunning:
		return st.Subtle.Render("Running " + s.waiting + "…")
	}
	r := s.res
	line := st.Title.Render(r.A.Label) + st.Subtle.Render(" ⇄ ") + st.Title.Render(r.B.Label) + st.Subtle.Render(" · ")
	if r.Same {
		return line + st.Success.Render("the same but for what always differs")
	}
	return line + st.Warning.Render(fmt.Sprintf("%d %s in %d steps", r.Findings,
		map[bool]string{true: "difference", false: "differences"}[r.Findings == 1], s.differing()))
}

// differing counts the entries that are not the same in both runs.
func (s *compareScreen) differing() int {
	n := 0
	for _, e := range s.entries {
		if !e.same {
			n++
		}
	}
	return n
}

// choiceLines are the runs to compare with.
func (s *compareScreen) choiceLines() []string {
	st := s.common.Styles
	w := s.detail.innerWidth()
	out := proseIndented(st.Subtle, "Put a second run beside this one: an earlier run of this session, or a scenario "+
		"run now on the same services (it starts the mock world afresh, so the scenario on screen starts afresh too).", w, 1)
	out = append(out, "")
	for i, c := range s.choices {
		mark, title := "  ", st.Bold.Render(c.title)
		if i == s.choice {
			mark, title = st.Current.Render("▶ "), st.Selected.Render(c.title)
		}
		out = append(out, ansi.Truncate(mark+title+st.Subtle.Render(" · "+c.desc), w, "…"))
	}
	return out
}

// entryLine is an entry in the list: = the same, ≠ what differs and how
// many, A or B a step only one run has.
func (s *compareScreen) entryLine(e compareEntry, selected bool, w int) string {
	st := s.common.Styles
	first := e.steps[0]
	var mark, text string
	switch {
	case e.same && len(e.steps) > 1:
		mark, text = st.Success.Render("="), first.ID+" … "+e.steps[len(e.steps)-1].ID
	case e.same:
		mark, text = st.Success.Render("="), first.ID
	case first.Only() == "a":
		mark, text = st.Warning.Render("A"), first.ID
	case first.Only() == "b":
		mark, text = st.Warning.Render("B"), first.ID
	default:
		mark, text = st.Failure.Render("≠"), fmt.Sprintf("%s (%d)", first.ID, len(first.Findings()))
	}
	text = fmt.Sprintf("%s %s", pairNumbers(first), text)
	if selected {
		text = st.Selected.Render(ansi.Truncate(text, w-4, "…"))
	}
	cursor := "  "
	if selected {
		cursor = st.Current.Render("▶ ")
	}
	return ansi.Truncate(cursor+mark+" "+text, w, "…")
}

// pairNumbers is a step's number in each run, – in the one without it.
func pairNumbers(s compare.Step) string {
	n := func(i int) string {
		if i == 0 {
			return "–"
		}
		return fmt.Sprint(i)
	}
	return n(s.A) + "|" + n(s.B)
}

// entryTitle is the detail pane's title for an entry.
func entryTitle(e compareEntry) string {
	s := e.steps[0]
	if len(e.steps) > 1 {
		return fmt.Sprintf("%d steps the same", len(e.steps))
	}
	return s.ID + " · " + s.Title
}

// detailLines is an entry's detail: for a pair, what differs section by
// section, the two runs side by side.
func (s *compareScreen) detailLines(e compareEntry, w int) []string {
	st := s.common.Styles
	la, lb := s.res.A.Label, s.res.B.Label
	first := e.steps[0]
	var out []string
	switch {
	case len(e.steps) > 1 || e.same:
		n := 0
		for _, step := range e.steps {
			n += len(step.Diffs)
		}
		out = proseIndented(st.Success, fmt.Sprintf("The same in both runs, but for what always differs (%d %s: ids, times, signatures, ports).",
			n, map[bool]string{true: "value", false: "values"}[n == 1]), w, 1)
		if !s.all {
			return append(out, "", st.Subtle.Render(" i shows them."))
		}
	case first.Only() == "a":
		return proseLines(fmt.Sprintf("Only in %s, as its step %d: %s. %s has no step %s.", la, first.A, first.OutcomeA, lb, first.ID), w, 1)
	case first.Only() == "b":
		return proseLines(fmt.Sprintf("Only in %s, as its step %d: %s. %s has no step %s.", lb, first.B, first.OutcomeB, la, first.ID), w, 1)
	}
	col := max(8, (w-3)/2)
	out = append(out, " "+st.Bold.Render(padRight(ansi.Truncate(la, col-1, "…"), col-1))+" "+st.Subtle.Render("│")+" "+st.Bold.Render(ansi.Truncate(lb, col, "…")))
	for _, step := range e.steps {
		if len(e.steps) > 1 {
			out = append(out, "", " "+st.Title.Render(step.ID))
		}
		out = append(out, s.sectionLines(step, col, w)...)
	}
	return out
}

// sectionLines are a step's differences by section; a section where only
// what always differs differs is one folded line.
func (s *compareScreen) sectionLines(step compare.Step, col, w int) []string {
	st := s.common.Styles
	var out []string
	for _, sec := range detailOrder {
		var ds []compare.Diff
		expected := 0
		for _, d := range step.Diffs {
			if d.Section != sec {
				continue
			}
			if d.Expected != "" {
				expected++
				if !s.all {
					continue
				}
			}
			ds = append(ds, d)
		}
		if len(ds) == 0 {
			if expected > 0 {
				out = append(out, "", " "+st.Subtle.Render(fmt.Sprintf("%s: the same, but for what always differs (%d)", sectionTitles[sec], expected)))
			}
			continue
		}
		out = append(out, "", " "+st.Title.Render(sectionTitles[sec]))
		where := "\x00"
		for _, d := range ds {
			if d.Where != where && d.Where != "" {
				out = append(out, " "+st.Bold.Render(ansi.Truncate(d.Where, w-1, "…")))
			}
			where = d.Where
			out = append(out, s.diffLines(d, col, w)...)
		}
	}
	return out
}

// diffLines are one difference: its path, marked, and the two values side
// by side, wrapped to their columns; what always differs says why.
func (s *compareScreen) diffLines(d compare.Diff, col, w int) []string {
	st := s.common.Styles
	if d.Expected != "" {
		return proseIndented(st.Subtle, "≈ "+d.Path+": differs as expected, "+d.Expected, w, 2)
	}
	out := []string{"  " + st.Warning.Render("≠ ") + ansi.Truncate(d.Path, w-4, "…")}
	a, b := compareValueLines(d.A, col-3), compareValueLines(d.B, col-2)
	for i := range max(len(a), len(b)) {
		var l, r string
		if i < len(a) {
			l = a[i]
		}
		if i < len(b) {
			r = b[i]
		}
		out = append(out, "   "+padRight(l, col-3)+" "+st.Subtle.Render("│")+" "+r)
	}
	return out
}

// tokenRun is a compact JWT in a value: shown shortened, as transcripts
// do.
var tokenRun = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// maxValueLines is how many lines of its column a value gets.
const maxValueLines = 12

// compareValueLines is a value in lines of w cells: a token shortened, an object
// or array indented, none as —.
func compareValueLines(v *string, w int) []string {
	if v == nil {
		return []string{"—"}
	}
	s := sanitize(tokenRun.ReplaceAllStringFunc(*v, transcript.ShortenToken))
	var lines []string
	var buf bytes.Buffer
	if len(s) > w && (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Indent(&buf, []byte(s), "", " ") == nil {
		for _, l := range strings.Split(buf.String(), "\n") {
			lines = append(lines, hardWrap(l, w)...)
		}
	} else {
		lines = hardWrap(s, w)
	}
	if len(lines) > maxValueLines {
		lines = append(lines[:maxValueLines-1], fmt.Sprintf("… %d more lines", len(lines)-maxValueLines+1))
	}
	return lines
}

// padRight pads s with spaces to w cells.
func padRight(s string, w int) string { return s + spaces(max(0, w-ansi.StringWidth(s))) }
