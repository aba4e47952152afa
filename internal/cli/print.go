package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// printer prints a run as it happens, a few lines a step: the actor and
// title, each exchange, each token's key claims, and the outcome. It is
// `run`'s text view of the engine's events.
type printer struct {
	w        io.Writer
	scenario flow.Scenario
	// verbose adds the decoded tokens' claims in full.
	verbose bool
}

// header prints the scenario's name and summary.
func (p *printer) header() {
	fmt.Fprintf(p.w, "Scenario %s: %s\n\n", p.scenario.Name, p.scenario.Summary)
}

// event prints one engine event.
func (p *printer) event(ev flow.Event) {
	if ev.Step < 0 || ev.Step >= len(p.scenario.Steps) {
		return // ScenarioEnded: the footer says it
	}
	st := p.scenario.Steps[ev.Step]
	if ev.Kind == flow.StepEnded && ev.Result.Outcome == flow.Skipped {
		fmt.Fprintf(p.w, "%2d. [%s] %s (%s): skipped\n", ev.Step+1, st.Actor, st.Title, st.ID)
		return
	}
	switch ev.Kind {
	case flow.StepStarted:
		fmt.Fprintf(p.w, "%2d. [%s] %s (%s)\n", ev.Step+1, st.Actor, st.Title, st.ID)
	case flow.ExchangeDone:
		x := ev.Exchange
		fmt.Fprintf(p.w, "      %s %s → %s (%s)\n", x.Method, x.URL, x.StatusLine(), x.Duration.Round(time.Millisecond/10))
		for _, r := range x.Retries {
			fmt.Fprintf(p.w, "        ↻ %s\n", r)
		}
		for _, b := range x.Behind {
			fmt.Fprintf(p.w, "        ↳ %s: %s %s → %s\n", b.Caller, b.Method, b.URL, b.StatusLine())
		}
	case flow.TokenDecoded:
		p.token(ev.Token)
	case flow.NoteAdded:
		// Every line, indented under the bullet: a note of several lines
		// (a public JWK, a confirm URL) is one thing to read or copy.
		for i, l := range strings.Split(ev.Note, "\n") {
			if i == 0 {
				fmt.Fprintf(p.w, "      · %s\n", l)
			} else {
				fmt.Fprintf(p.w, "        %s\n", l)
			}
		}
	case flow.StepEnded:
		r := ev.Result
		fmt.Fprintf(p.w, "    %s %s\n", outcomeMark(r.Outcome), r.Why(st.Expect))
		if r.Err != nil && r.Outcome == flow.ExpectedFailure {
			fmt.Fprintf(p.w, "      %v\n", r.Err)
		}
		if r.Err != nil {
			if ex := client.ExplainErr(r.Err); len(ex) > 0 {
				printExplanation(p.w, "      ", ex[0])
			}
		}
		fmt.Fprintln(p.w)
	}
}

// token prints a token's header line and the claims that matter; verbose,
// every claim, sorted by name.
func (p *printer) token(t *flow.Token) {
	v := "signature not verified"
	if t.Verified {
		v = "signature verified, kid " + t.KeyID
	}
	fmt.Fprintf(p.w, "      %s: %s\n", t.Label, v)
	for _, w := range t.Warnings {
		fmt.Fprintf(p.w, "        warning: %s\n", w)
	}
	keys := []string{"iss", "scope", "consumer", "authorization_details"}
	if p.verbose {
		keys = nil
		for k := range t.Claims {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	for _, k := range keys {
		if c, ok := t.Claims[k]; ok {
			b, _ := json.Marshal(c)
			fmt.Fprintf(p.w, "        %s: %s\n", k, b)
		}
	}
}

// footer prints the verdict.
func (p *printer) footer(r flow.Report) {
	if r.OK {
		fmt.Fprintf(p.w, "Scenario %s ended as expected.\n", r.Scenario.Name)
		return
	}
	if r.Scenario.Exercise != nil {
		fmt.Fprintf(p.w, "Exercise %s is not solved:\n", r.Scenario.Name)
	} else {
		fmt.Fprintf(p.w, "Scenario %s did NOT end as expected:\n", r.Scenario.Name)
	}
	for i, res := range r.Results {
		s := r.Scenario.Steps[i]
		if res.Outcome == flow.Failed || (s.Expect.Code != "" && res.Outcome != flow.ExpectedFailure) {
			fmt.Fprintf(p.w, "  %s (%s): %s\n", s.ID, res.Outcome, res.Why(s.Expect))
		}
	}
}

// outcomeMark is a step's outcome as one character: ✓ done, ⚑ failed as
// the scenario expects, ✗ otherwise.
func outcomeMark(o flow.Outcome) string {
	switch o {
	case flow.Done:
		return "✓"
	case flow.ExpectedFailure:
		return "⚑"
	}
	return "✗"
}

// printExplanation prints what an error code means, its cause, the fix
// and the page that documents it, each line indented by indent:
//
//	MP-303: title
//	  cause: ...
//	  fix:   ...
//	  see:   https://...
func printExplanation(w io.Writer, indent string, e client.Explanation) {
	fmt.Fprintf(w, "%[1]s%[2]s: %[3]s\n%[1]s  cause: %[4]s\n%[1]s  fix:   %[5]s\n%[1]s  see:   %[6]s\n", indent, e.Code, e.Title, e.Cause, e.Fix, e.Doc)
}
