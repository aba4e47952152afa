package flow

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// StepReport is one step of a run as `run --format json` prints it.
type StepReport struct {
	Actor     Actor                `json:"actor"`
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Outcome   Outcome              `json:"outcome"`
	Expected  string               `json:"expected,omitempty"` // the error code the scenario expects
	Error     string               `json:"error,omitempty"`
	Codes     []string             `json:"codes,omitempty"`
	Explained []client.Explanation `json:"explanations,omitempty"`
	Why       string               `json:"why,omitempty"`
	Notes     []string             `json:"notes,omitempty"`
	Exchanges []client.Exchange    `json:"exchanges"`
	Tokens    []Token              `json:"tokens"`
	Duration  time.Duration        `json:"durationNs"`
}

// RunReport is a whole run as JSON.
type RunReport struct {
	Scenario string       `json:"scenario"`
	Summary  string       `json:"summary"`
	OK       bool         `json:"ok"`
	Steps    []StepReport `json:"steps"`
}

// JSON is the report in its JSON form.
func (r Report) JSON() RunReport {
	out := RunReport{Scenario: r.Scenario.Name, Summary: r.Scenario.Summary, OK: r.OK}
	for i, s := range r.Scenario.Steps {
		res := r.Results[i]
		sr := StepReport{
			Actor: s.Actor, ID: s.ID, Title: s.Title, Outcome: res.Outcome, Expected: s.Expect.Code,
			Notes: res.Notes, Exchanges: res.Exchanges, Tokens: res.Tokens, Duration: res.Duration,
		}
		if sr.Exchanges == nil {
			sr.Exchanges = []client.Exchange{}
		}
		if sr.Tokens == nil {
			sr.Tokens = []Token{}
		}
		if res.Err != nil {
			sr.Error, sr.Codes, sr.Explained = res.Err.Error(), res.Codes(), client.ExplainErr(res.Err)
		}
		if res.Outcome == Done || res.Outcome == Failed {
			sr.Why = res.Why(s.Expect)
		}
		out.Steps = append(out.Steps, sr)
	}
	return out
}

// WriteJSON prints the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}

// TextPrinter prints a run as it happens, a few lines a step: the actor and
// title, each exchange, each token's key claims, and the outcome.
type TextPrinter struct {
	W        io.Writer
	Scenario Scenario
	// Verbose adds the decoded tokens' claims in full.
	Verbose bool
}

// Header prints the scenario's name and summary.
func (p *TextPrinter) Header() {
	fmt.Fprintf(p.W, "Scenario %s: %s\n\n", p.Scenario.Name, p.Scenario.Summary)
}

// Event prints one engine event.
func (p *TextPrinter) Event(ev Event) {
	if ev.Step < 0 || ev.Step >= len(p.Scenario.Steps) {
		return // ScenarioEnded: the footer says it
	}
	st := p.Scenario.Steps[ev.Step]
	if ev.Kind == StepEnded && ev.Result.Outcome == Skipped {
		fmt.Fprintf(p.W, "%2d. [%s] %s (%s): skipped\n", ev.Step+1, st.Actor, st.Title, st.ID)
		return
	}
	switch ev.Kind {
	case StepStarted:
		fmt.Fprintf(p.W, "%2d. [%s] %s (%s)\n", ev.Step+1, st.Actor, st.Title, st.ID)
	case ExchangeDone:
		x := ev.Exchange
		fmt.Fprintf(p.W, "      %s %s → %s (%s)\n", x.Method, x.URL, x.StatusLine(), x.Duration.Round(time.Millisecond/10))
		for _, b := range x.Behind {
			fmt.Fprintf(p.W, "        ↳ %s: %s %s → %s\n", b.Caller, b.Method, b.URL, b.StatusLine())
		}
	case TokenDecoded:
		p.token(ev.Token)
	case NoteAdded:
		for i, l := range strings.Split(ev.Note, "\n") {
			if i == 0 {
				fmt.Fprintf(p.W, "      · %s\n", l)
			} else if p.Verbose {
				fmt.Fprintf(p.W, "        %s\n", l)
			}
		}
	case StepEnded:
		r := ev.Result
		mark := "✓"
		if r.Outcome != Done {
			mark = "✗"
		}
		fmt.Fprintf(p.W, "    %s %s\n", mark, r.Why(st.Expect))
		if r.Err != nil && r.Outcome == Done {
			fmt.Fprintf(p.W, "      %v\n", r.Err)
		}
		if r.Err != nil {
			if ex := client.ExplainErr(r.Err); len(ex) > 0 {
				e := ex[0]
				fmt.Fprintf(p.W, "      %s: %s\n        cause: %s\n        fix:   %s\n        see:   %s\n", e.Code, e.Title, e.Cause, e.Fix, e.Doc)
			}
		}
		fmt.Fprintln(p.W)
	}
}

// token prints a token's header line and the claims that matter.
func (p *TextPrinter) token(t *Token) {
	v := "signature not verified"
	if t.Verified {
		v = "signature verified, kid " + t.KeyID
	}
	fmt.Fprintf(p.W, "      %s: %s\n", t.Label, v)
	for _, w := range t.Warnings {
		fmt.Fprintf(p.W, "        warning: %s\n", w)
	}
	keys := []string{"iss", "scope", "consumer", "authorization_details"}
	if p.Verbose {
		keys = nil
		for k := range t.Claims {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if c, ok := t.Claims[k]; ok {
			b, _ := json.Marshal(c)
			fmt.Fprintf(p.W, "        %s: %s\n", k, b)
		}
	}
}

// Footer prints the verdict.
func (p *TextPrinter) Footer(r Report) {
	if r.OK {
		fmt.Fprintf(p.W, "Scenario %s ended as expected.\n", r.Scenario.Name)
		return
	}
	fmt.Fprintf(p.W, "Scenario %s did NOT end as expected:\n", r.Scenario.Name)
	for i, res := range r.Results {
		s := r.Scenario.Steps[i]
		if res.Outcome == Failed || (s.Expect.Code != "" && res.Outcome != Done) {
			fmt.Fprintf(p.W, "  %s (%s): %s\n", s.ID, res.Outcome, res.Why(s.Expect))
		}
	}
}
