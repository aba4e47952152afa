package tui

import (
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// stepRun is what the TUI knows of a step's latest attempt, built from the
// engine's events as they arrive (so a running step shows its exchanges
// before it ends).
type stepRun struct {
	attempt   int
	outcome   flow.Outcome
	exchanges []client.Exchange
	tokens    []flow.Token
	notes     []string
	result    *flow.StepResult // set when the step ended
	// version counts the changes, so the panes know when to re-render.
	version int
}

// apply adds an event to the step's run. It returns false for an event of
// an older attempt.
func (r *stepRun) apply(ev flow.Event) bool {
	if ev.Kind == flow.StepStarted {
		*r = stepRun{attempt: ev.Attempt, outcome: flow.Running, version: r.version + 1}
		return true
	}
	if ev.Attempt != r.attempt {
		return false
	}
	switch ev.Kind {
	case flow.ExchangeDone:
		r.exchanges = append(r.exchanges, *ev.Exchange)
	case flow.TokenDecoded:
		r.tokens = append(r.tokens, *ev.Token)
	case flow.NoteAdded:
		r.notes = append(r.notes, ev.Note)
	case flow.StepEnded:
		res := *ev.Result
		r.result = &res
		r.outcome = res.Outcome
	}
	r.version++
	return true
}

// stepErr is the error box's content for a step's result, or nil.
func stepErr(st flow.Step, r stepRun) *stepError {
	if r.result == nil || r.result.Outcome == flow.Running {
		return nil
	}
	res := r.result
	switch {
	case res.Err != nil:
		return &stepError{
			codes:    res.Codes(),
			message:  res.Err.Error(),
			expected: res.Outcome == flow.Done && st.Expect.Code != "",
			expect:   st.Expect.Code,
			why:      st.Expect.Why,
		}
	case res.Outcome == flow.Failed:
		return &stepError{
			message: res.Why(st.Expect),
			expect:  st.Expect.Code,
		}
	}
	return nil
}

// tokenPair is what the token section shows at once: a grant beside the
// access token it became, or one token's header beside its claims.
type tokenPair struct {
	left, right *flow.Token
}

// split is true when one token is shown as header | claims.
func (p tokenPair) split() bool { return p.right == nil }

// tokenPairs groups a step's tokens: each grant followed by its access
// token is a pair; any other token stands alone.
func tokenPairs(toks []flow.Token) []tokenPair {
	var out []tokenPair
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if isGrant(t.Label) && i+1 < len(toks) && strings.HasSuffix(toks[i+1].Label, "access token") {
			out = append(out, tokenPair{left: t, right: &toks[i+1]})
			i++
			continue
		}
		out = append(out, tokenPair{left: t})
	}
	return out
}

func isGrant(label string) bool { return strings.HasSuffix(label, "grant") }

// actorParty is the sequence diagram column an actor acts from.
func actorParty(a flow.Actor) flow.Party {
	switch a {
	case flow.ServiceOwner:
		return flow.PartySkatteetaten
	case flow.EndUser, flow.ClientAdmin:
		return flow.PartyPerson
	}
	return flow.PartySmartCloud
}

// serviceParty is the column of the service an exchange went to.
func serviceParty(service string) flow.Party {
	switch service {
	case "maskinporten", "selfservice":
		return flow.PartyMaskinporten
	case "skatteetaten":
		return flow.PartySkatteetaten
	}
	return flow.PartyAltinn
}

// actorWho names who acts, from the settings.
func actorWho(a flow.Actor, s flow.Settings) string {
	switch a {
	case flow.ServiceOwner:
		return s.ServiceOwnerName
	case flow.SystemVendor:
		return s.VendorName
	case flow.EndUser:
		return join(s.EndUserName, " for ", s.CustomerName)
	case flow.ClientAdmin:
		return join(s.ClientAdminName, " at ", s.FacilitatorName)
	case flow.Operational:
		return join(s.VendorName, ", ", "every day")
	}
	return ""
}

func join(a, sep, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + sep + b
}
