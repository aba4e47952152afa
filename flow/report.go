package flow

import (
	"encoding/json"
	"io"
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
		if res.Outcome.AsExpected() || res.Outcome == Failed {
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
