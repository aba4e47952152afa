package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// stepInfo is what the info pane shows besides the step's run.
type stepInfo struct {
	inputs  []flow.Input
	pending []int // earlier steps not done yet
	version int
	// stateURL is the confirm URL in the engine's state, asked only of a
	// step that shows one.
	stateURL func(flow.Step) string
	// confirm is the confirm URL the step shows, if any.
	confirm *confirmInfo
	height  int // the info pane's
	// narr renders the step's narration (cached per step, width and
	// style).
	narr *narrator
	// exercise is the scenario's exercise, nil for a scenario that shows.
	exercise *exerciseInfo
	// tokens are what the engine's state says beside the tokens.
	tokens tokenFacts
}

// infoPage builds the info pane's lines, section by section, at width w.
type infoPage struct {
	v   flowView
	s   flow.Step
	r   stepRun
	in  stepInfo
	w   int
	st  *Styles
	out []string
}

// infoLines is the info pane: what the step does and why, its inputs, what
// the scenario expects, the outcome with the error box, notes, and a list
// of the calls and tokens.
func infoLines(v flowView, s flow.Step, r stepRun, in stepInfo, w int) []string {
	p := &infoPage{v: v, s: s, r: r, in: in, w: w, st: v.st}
	if in.confirm != nil {
		p.add(confirmLines(*in.confirm, w, in.height, p.st)...)
	}
	// Before a run the step's explanation comes first; after it, the
	// outcome and any error, which is what the reader came back for.
	if r.outcome != flow.NotRun {
		p.outcome()
	}
	p.exercise(v.cur)
	narration := in.narr.forStep(s, w, p.st)
	p.whatAndWhy(narration)
	p.inputs()
	if s.Expect.Code != "" {
		p.section("The lesson")
		p.add(proseIndented(p.st.Warning, "This step is meant to fail with "+s.Expect.Code+".", w, 2)...)
		p.add(proseLines(s.Expect.Why, w, 2)...)
	}
	if r.outcome == flow.NotRun {
		p.outcome()
	}
	p.notes()
	p.calls()
	p.tokens()
	// The narration's facts come last: before a run right after how to
	// run the step, after it below what the run did.
	if len(narration.points) > 0 {
		p.section(flow.NarrationHeading)
		p.add(narration.points...)
	}
	return p.out
}

func (p *infoPage) add(lines ...string) { p.out = append(p.out, lines...) }

// subtle adds lines in the subtle style.
func (p *infoPage) subtle(lines ...string) {
	for _, l := range lines {
		p.add(p.st.Subtle.Render(l))
	}
}

// section starts a section: blank lines after the one before, its title.
func (p *infoPage) section(title string) {
	if len(p.out) > 0 {
		for range max(1, p.st.SectionGap) {
			p.add("")
		}
	}
	p.add(p.st.Title.Render(title))
}

// outcome is how the step ended, with the error box when it failed.
func (p *infoPage) outcome() {
	st, r, w := p.st, p.r, p.w
	p.section("Outcome")
	switch {
	case r.outcome == flow.NotRun:
		p.add("  " + stateWord(r.outcome, p.s.Expect.Code, "", st) + " · press enter to run it")
		if len(p.in.pending) > 0 {
			p.add(proseIndented(st.Warning, fmt.Sprintf(
				"Earlier steps have not run yet (%s); this step needs what they make. r runs the whole scenario.",
				stepNumbers(p.in.pending)), w, 2)...)
		}
	case r.outcome == flow.Running:
		p.add("  " + stateWord(r.outcome, p.s.Expect.Code, "", st))
	case r.outcome == flow.Skipped:
		why := "an earlier step ended the run"
		if r.result != nil && r.result.Err != nil {
			why = r.result.Err.Error()
		}
		p.add("  " + stateWord(r.outcome, p.s.Expect.Code, "", st))
		p.add(proseIndented(st.Subtle, why, w, 4)...)
	default:
		line := "  " + stateWord(r.outcome, p.s.Expect.Code, "", st)
		if r.result != nil {
			why := r.result.Why(p.s.Expect)
			if r.outcome == flow.ExpectedFailure && p.s.Expect.Why != "" {
				why = p.s.Expect.Why // the word says it failed as expected
			}
			line += st.Subtle.Render(fmt.Sprintf(" in %s · ", fmtDuration(r.result.Duration))) + why
		}
		p.add(ansi.Truncate(line, w, "…"))
	}
	if e := stepErr(p.s, r); e != nil {
		e.exercise = p.in.exercise != nil && p.in.exercise.at == p.v.cur && !e.expected
		p.add(errorBox(*e, w, st)...)
	}
	p.waiting()
}

// whatAndWhy is the narration's text, or the step's explanation where it
// has none, and for a step a person does, who does it where.
func (p *infoPage) whatAndWhy(narration narrationLines) {
	p.section("What and why")
	if len(narration.what) > 0 {
		p.add(narration.what...)
	} else {
		p.add(proseLines(p.s.Explain, p.w, 2)...)
	}
	if p.s.Manual {
		p.subtle(proseLines(elsewhere(p.s.Actor, p.v.settings), p.w, 2)...)
	}
}

// elsewhere says who does a step in a real environment, and how: the
// service owner's and the vendor's set-up are their machines' work (an
// API, a self-service portal), not a person's in Altinn's portal.
func elsewhere(a flow.Actor, set flow.Settings) string {
	real := !set.ActAsPeople
	switch a {
	case flow.ServiceOwner:
		if !real {
			return "In a real environment " + set.ServiceOwnerName + " does this itself, with its own Maskinporten client and key; against the mocks the workbench does it over HTTP, with a key of its own."
		}
		if set.ServiceOwnerKey.Key != nil {
			return "Here the workbench does this with the service owner's key from the config, over HTTP like the rest."
		}
		return "Here " + set.ServiceOwnerName + " does this in its own environment: the workbench notes it and goes on."
	case flow.SystemVendor:
		if !real {
			return "In a real environment " + set.VendorName + " does this once, in Samarbeidsportalen or with Digdir's self-service API; against the mocks the workbench does it over HTTP."
		}
		return "Here the workbench uses the client named in the config, or makes one with Digdir's self-service API."
	}
	if real {
		return "Here a person does this in a portal or a browser: the workbench shows what to do and, where the flow needs it, waits for it."
	}
	return "In a real environment a person does this in a portal or a browser; against the mocks it runs over HTTP like the rest."
}

// inputs lists the step's inputs with their values and help.
func (p *infoPage) inputs() {
	st, w := p.st, p.w
	p.section("Inputs")
	if len(p.in.inputs) == 0 {
		p.subtle("  This step takes no inputs.")
		return
	}
	lw := 0
	for _, i := range p.in.inputs {
		lw = max(lw, lipgloss.Width(i.Label))
	}
	for _, i := range p.in.inputs {
		val := i.Value
		if val == "" {
			val = "(empty)"
		}
		label := st.Label.Render(fmt.Sprintf("  %-*s", lw, i.Label))
		p.add(ansi.Truncate(label+"  "+sanitize(val), w, "…"))
		p.subtle(proseLines(i.Help, w, lw+4)...)
	}
	p.subtle("  e edits them before you run the step.")
}

// notes are what the run noted, a bullet each.
func (p *infoPage) notes() {
	if len(p.r.notes) == 0 {
		return
	}
	p.section("Notes")
	for _, n := range p.r.notes {
		// The first line is prose; the lines after it (a public JWK, a
		// URL) keep their own indentation and breaks.
		first, rest, _ := strings.Cut(n, "\n")
		lines := proseLines(first, p.w, 4)
		if len(lines) > 0 {
			lines[0] = "  · " + strings.TrimPrefix(lines[0], "    ")
		}
		p.add(lines...)
		if rest != "" {
			for _, l := range strings.Split(rest, "\n") {
				p.add(preformatted(l, p.w, 4)...)
			}
		}
	}
}

// preformatted is a line of a note as it was written, at an indent: a
// line too long for the pane (a key's modulus, a URL) goes on where it
// was cut, under its own text, so a JSON key keeps its value beside it.
func preformatted(l string, w, indent int) []string {
	l = strings.TrimRight(sanitize(l), " ")
	text := strings.TrimLeft(l, " ")
	lead := indent + len(l) - len(text)
	if lead+ansi.StringWidth(text) <= w {
		return []string{spaces(lead) + text}
	}
	if lead > w/2 {
		lead = w / 2
	}
	if strings.HasPrefix(text, "http://") || strings.HasPrefix(text, "https://") {
		var out []string
		for _, piece := range wrapURL(text, max(1, w-lead)) {
			out = append(out, spaces(lead)+piece)
		}
		return out
	}
	// The lines it wraps onto hang under the start of its value.
	hang := lead + 2
	if i := strings.Index(text, ": "); i > 0 && lead+i+2 < w*2/3 {
		hang = lead + i + 2
	}
	var out []string
	line, room := spaces(lead), w-lead
	for text != "" {
		n, _ := fit(text, max(1, room))
		out = append(out, line+text[:n])
		text = text[n:]
		line, room = spaces(hang), w-hang
	}
	return out
}

// calls lists the run's calls, those behind the scenes indented under the
// call that caused them.
func (p *infoPage) calls() {
	st, r, w := p.st, p.r, p.w
	if len(r.calls) == 0 {
		return
	}
	title := "Calls · tab shows request | response"
	if len(r.calls) > len(r.exchanges) {
		title += ", ] the next call"
	}
	p.section(title)
	nw := len(fmt.Sprint(len(r.calls)))
	for i, c := range r.calls {
		x := c.x
		// The call's path gives way before its status does.
		head := fmt.Sprintf("  %*d. ", nw, i+1)
		if c.behind() {
			head += strings.Repeat("  ", c.depth-1) + "↳ " + sanitize(c.caller+" → "+x.Service) + ": "
		}
		tail := " → " + statusStyle(x.Status, st).Render(x.StatusLine())
		if d := c.decision; d != "" {
			tail += " " + decisionStyle(d, st).Render(sanitize(d))
		}
		room := max(1, w-lipgloss.Width(head)-lipgloss.Width(tail))
		call := ansi.Truncate(sanitize(x.Method+" "+shortPath(x.URL)), room, "…")
		if c.behind() {
			head, call = st.Subtle.Render(head), st.Subtle.Render(call)
		}
		p.add(ansi.Truncate(head+call+tail, w, "…"))
	}
}

// tokens lists the run's tokens and whether each was verified.
func (p *infoPage) tokens() {
	st := p.st
	if len(p.r.tokens) == 0 {
		return
	}
	p.section("Tokens · tab on to see them decoded")
	for _, t := range p.r.tokens {
		ver := st.Success.Render("verified, kid " + t.KeyID)
		if !t.Verified {
			ver = st.Warning.Render("not verified")
		}
		p.add(ansi.Truncate("  "+t.Label+": "+ver, p.w, "…"))
	}
}

// stepNumbers lists step indexes as 1-based numbers: "1, 2, 4".
func stepNumbers(idx []int) string {
	var s []string
	for i, n := range idx {
		if i == 6 {
			s = append(s, "…")
			break
		}
		s = append(s, fmt.Sprint(n+1))
	}
	return strings.Join(s, ", ")
}
