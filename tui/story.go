package tui

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// The story view: presenter mode's default, for people who do not read
// JSON. Actor cards across the top (the vendor, Maskinporten, Altinn,
// Skatteetaten, the customer or the auditor), one arrow between the two a
// step is about, one sentence of what happens and why, and the one fact of
// the run that matters, highlighted (flow.StoryOf); between the actors'
// parts the sequence diagram so far, full screen. Never a token: the
// fact is a claim, a field, a decision. The presenter's keys are the
// root's (present.go); v switches to the engineer's views and back.

// storyView is one view of the story: a step's, or the sequence diagram
// after an actor's part (step is then the part's last step).
type storyView struct {
	step    int
	diagram bool
}

// storyViews are the story's views in order: each step, and the diagram
// between two actors' parts.
func storyViews(sc flow.Scenario) []storyView {
	var out []storyView
	for i, s := range sc.Steps {
		out = append(out, storyView{step: i})
		if i+1 < len(sc.Steps) && sc.Steps[i+1].Actor != s.Actor {
			out = append(out, storyView{step: i, diagram: true})
		}
	}
	return out
}

// storyInput is what the story screen draws: the flow, the view, its
// place among the views and the pace's countdown.
type storyInput struct {
	v        flowView
	view     storyView
	at, of   int
	pace     string // "next in 6s", "paused", "running", "the end"
	settings flow.Settings
}

// storyScreen draws the story view. It renders in sync, when the data,
// the view or the size changed, and View joins the lines.
type storyScreen struct {
	outbox
	common Common
	lines  []string
}

func newStoryScreen(c Common) storyScreen { return storyScreen{common: c} }

// SetSize implements Component.
func (s *storyScreen) SetSize(w, h int) { s.common = s.common.sized(w, h) }

// Init implements tea.Model.
func (s *storyScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model. The story has no keys of its own: the
// presenter's (space, → ←, + -, v, esc) are the root's.
func (s *storyScreen) Update(tea.Msg) (tea.Model, tea.Cmd) { return s, nil }

// ShortHelp implements help.KeyMap: v, the engineer's views.
func (s *storyScreen) ShortHelp() []key.Binding {
	return []key.Binding{relabel(s.common.Keys.Story, "engineer's view")}
}

// FullHelp implements help.KeyMap.
func (s *storyScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// View implements tea.Model.
func (s *storyScreen) View() string { return strings.Join(s.lines, "\n") }

// sync renders the view.
func (s *storyScreen) sync(in storyInput) {
	w, h, st := s.common.Width, s.common.Height, s.common.Styles
	var body []string
	if in.view.diagram {
		body = storyDiagram(in, w, h-2, st)
	} else {
		body = storyStep(in, w, st)
	}
	if !in.view.diagram {
		// Some air above the cards on a tall terminal.
		pad := min(4, max(0, (h-1-len(body))/3))
		body = append(make([]string, pad), body...)
	}
	parts := storyParts(in, w, st)
	if len(body)+1+len(parts) > h-1 {
		parts = nil // no room: the view's own lines first
	}
	body = body[:min(len(body), max(0, h-1))]
	for len(body) < h-1-len(parts) {
		body = append(body, "")
	}
	body = append(body, parts...)
	place := fmt.Sprintf("view %d/%d · %s", in.at+1, in.of, in.pace)
	foot := spaces(max(0, w-ansi.StringWidth(place)-1)) + st.Subtle.Render(place)
	s.lines = append(body, ansi.Truncate(foot, w, ""))
}

// storyParts is where the story is: the actors' parts in order, each
// done (✓), told now (▶) or to come, wrapped to w.
func storyParts(in storyInput, w int, st *Styles) []string {
	var items []string
	steps := in.v.sc.Steps
	for i := 0; i < len(steps); {
		j := i
		for j < len(steps) && steps[j].Actor == steps[i].Actor {
			j++
		}
		mark, style := "○ ", st.Subtle
		done := true
		for k := i; k < j; k++ {
			done = done && in.v.runs[k].outcome.AsExpected()
		}
		switch {
		case in.view.step >= i && in.view.step < j && !in.view.diagram:
			mark, style = "▶ ", st.Current
		case done:
			mark = "✓ "
		}
		items = append(items, style.Render(mark+string(steps[i].Actor)))
		i = j
	}
	var out []string
	line := ""
	for _, it := range items {
		sep := st.Subtle.Render(" · ")
		if line == "" {
			sep = "  "
		}
		if ansi.StringWidth(line+sep+it) > w {
			out = append(out, line)
			line, sep = "", "  "
		}
		line += sep + it
	}
	return append(out, line)
}

// storyStep is a step's view: the cards with the arrow, the sentence,
// the fact and the outcome.
func storyStep(in storyInput, w int, st *Styles) []string {
	s, r := in.v.sc.Steps[in.view.step], in.v.runs[in.view.step]
	res := flow.StepResult{Outcome: r.outcome}
	if r.result != nil {
		res = *r.result
	}
	story := flow.StoryOf(s, res, in.settings)
	from, to, label := storyArrow(s, r, in.settings)
	out := storyCards(in, from, to, w, st)
	out = append(out, arrowRows(from, to, label, w, st)...)
	out = append(out, "")
	for _, l := range proseLines(story.Sentence, w-4, 2) {
		out = append(out, st.Bold.Render(l))
	}
	out = append(out, "")
	if story.Fact != "" {
		out = append(out, "  "+st.Subtle.Render(story.FactLabel))
		for _, l := range hardWrap(story.Fact, w-6) {
			out = append(out, "  "+st.Current.Render("▌ "+l))
		}
	} else if r.outcome == flow.NotRun || r.outcome == flow.Running {
		out = append(out, "  "+st.Subtle.Render(story.FactLabel+": when the step has run"))
	}
	if lines := storyOutcome(s, r, w, st); len(lines) > 0 {
		out = append(append(out, ""), lines...)
	}
	return out
}

// storyOutcome says how the step ended, in words: a failure the scenario
// expects with its lesson, wrapped to w.
func storyOutcome(s flow.Step, r stepRun, w int, st *Styles) []string {
	why := ""
	switch r.outcome {
	case flow.NotRun, flow.Running:
		return nil
	case flow.ExpectedFailure:
		why = s.Expect.Why
	case flow.Failed:
		if r.result != nil {
			why = r.result.Why(s.Expect)
		}
	}
	out := []string{"  " + stateWord(r.outcome, s.Expect.Code, "", st)}
	for _, l := range proseLines(why, w-2, 4) {
		out = append(out, st.Subtle.Render(l))
	}
	return out
}

// storyArrow is the step's one arrow: from the party that acts to the
// service of its main call, labelled with the call and its answer; -1s
// for a step that called nobody (its label then says what it did).
func storyArrow(s flow.Step, r stepRun, set flow.Settings) (from, to int, label string) {
	from = partyIndex(s.CallParty(set))
	if r.result != nil && r.result.From != "" {
		from = partyIndex(r.result.From)
	}
	if len(r.calls) == 0 {
		if r.outcome == flow.Running {
			return from, -1, "…"
		}
		return from, -1, "on its own"
	}
	c := r.calls[mainCall(r.calls)]
	if jump, ok := flow.ClockJump(c.x); ok {
		return -1, -1, "⏱ the services' clock moves " + jump
	}
	to = partyIndex(flow.ServiceParty(c.x.Service))
	return from, to, sanitize(c.x.Method+" "+pathLabel(c.x.URL)) + " · " + statusWords(c.x.Status)
}

// statusWords is an answer's status as people read it: "200 OK".
func statusWords(status int) string {
	if status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}

// storyParty is a card: who, and what they are in the flow.
type storyParty struct{ name, role string }

// storyParties are the cards, in the diagram's order (flow.Parties).
func storyParties(sc flow.Scenario, set flow.Settings) []storyParty {
	person := storyParty{set.CustomerName, "the customer"}
	if sc.Agent {
		person = storyParty{set.FacilitatorName, "the auditor"}
	}
	out := make([]storyParty, len(flow.Parties))
	for i, p := range flow.Parties {
		switch p {
		case flow.PartySmartCloud:
			out[i] = storyParty{set.VendorName, "the vendor"}
		case flow.PartyMaskinporten:
			out[i] = storyParty{"Maskinporten", "tokens"}
		case flow.PartyAltinn:
			out[i] = storyParty{"Altinn", "system users"}
		case flow.PartySkatteetaten:
			out[i] = storyParty{set.ServiceOwnerName, "the API"}
		case flow.PartyPerson:
			out[i] = person
		}
		if out[i].name == "" {
			out[i].name = string(p)
		}
	}
	return out
}

// cardWidth is a card's width at w columns, borders included.
func cardWidth(w int) int { return max(10, min(24, (w-2)/len(flow.Parties))) }

// cardCentre is the column of the middle of card i.
func cardCentre(i, w int) int {
	cw := cardWidth(w)
	left := max(0, (w-cw*len(flow.Parties))/2)
	return left + i*cw + cw/2
}

// storyCards draws the cards side by side; from and to stand out.
func storyCards(in storyInput, from, to, w int, st *Styles) []string {
	cw := cardWidth(w)
	parties := storyParties(in.v.sc, in.settings)
	inner := cw - 2
	rows := 1
	for _, p := range parties {
		rows = max(rows, len(hardWrap(p.name, inner)))
	}
	cards := make([]string, len(parties))
	for i, p := range parties {
		name := hardWrap(p.name, inner)
		for len(name) < rows {
			name = append(name, "")
		}
		lines := make([]string, 0, rows+1)
		active := i == from || i == to
		for _, n := range name {
			l := lipgloss.PlaceHorizontal(inner, lipgloss.Center, n)
			if active {
				l = st.Bold.Render(l)
			}
			lines = append(lines, l)
		}
		lines = append(lines, st.Subtle.Render(lipgloss.PlaceHorizontal(inner, lipgloss.Center, ansi.Truncate(p.role, inner, "…"))))
		box := st.Pane.Blurred
		if active {
			box = st.Pane.Focused
		}
		cards[i] = box.Width(inner).Render(strings.Join(lines, "\n"))
	}
	row := lipgloss.JoinHorizontal(lipgloss.Top, cards...)
	left := spaces(max(0, (w-cw*len(parties))/2))
	var out []string
	for _, l := range strings.Split(row, "\n") {
		out = append(out, left+l)
	}
	return out
}

// arrowRows are the label and the arrow between two cards; with no
// target, the label under the acting card (or centred, with no actor).
func arrowRows(from, to int, label string, w int, st *Styles) []string {
	if from < 0 || to < 0 {
		at := w / 2
		if from >= 0 {
			at = cardCentre(from, w)
		}
		text := "◆ " + label
		if from < 0 {
			text = label
		}
		start := min(max(0, at-ansi.StringWidth(text)/2), max(0, w-ansi.StringWidth(text)))
		return []string{"", spaces(start) + st.Warning.Render(ansi.Truncate(text, w, "…"))}
	}
	a, b := cardCentre(from, w), cardCentre(to, w)
	row := []rune(spaces(w))
	if a == b { // a service calling itself
		row[a] = '┼'
	} else {
		drawArrow(row, a, b, false)
	}
	lo, hi := min(a, b), max(a, b)
	label = ansi.Truncate(label, w, "…")
	start := min(max(0, lo+(hi-lo)/2-ansi.StringWidth(label)/2), max(0, w-ansi.StringWidth(label)))
	return []string{spaces(start) + st.Bold.Render(label), st.Current.Render(strings.TrimRight(string(row), " "))}
}

// storyDiagram is the sequence diagram so far, full screen, ending with
// the part just told.
func storyDiagram(in storyInput, w, h int, st *Styles) []string {
	sc := in.v.sc
	s := sc.Steps[in.view.step]
	title := st.Title.Render("The sequence so far") + st.Subtle.Render(" · "+string(s.Actor)+"'s part is done")
	if next := in.view.step + 1; next < len(sc.Steps) {
		title += st.Subtle.Render("; next: " + string(sc.Steps[next].Actor))
	}
	out := []string{ansi.Truncate(title, w, "…"), ""}
	d := sequenceLines(sc, in.settings, in.v.runs, in.view.step, nil, w, st)
	out = append(out, d.head...)
	room := max(1, h-len(out))
	end := len(d.lines)
	if d.first >= 0 {
		end = d.first + d.n
	}
	// From a step's title row, where that leaves the end in sight.
	start := max(0, end-room)
	for _, c := range d.calls {
		if c.pos.call == 0 && c.row-1 >= start {
			start = c.row - 1
			break
		}
	}
	return append(out, d.lines[start:end]...)
}

// hardWrap wraps text at spaces to w cells, a word longer than w cut
// where it must (a URL).
func hardWrap(text string, w int) []string {
	w = max(1, w)
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, w, " /?&"), "\n") {
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}
