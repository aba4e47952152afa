package tui

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
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
	// calls are the exchanges with the calls the services made behind the
	// scenes to answer them, each after the call that caused it: what the
	// step screen's exchanges section walks through.
	calls  []call
	tokens []flow.Token
	notes  []string
	result *flow.StepResult // set when the step ended
	// version counts the changes, so the panes know when to re-render.
	version int
}

// apply adds an event to the step's run. It returns false for an event of
// an older attempt.
func (r *stepRun) apply(ev flow.Event) bool {
	switch {
	case ev.Kind == flow.StepStarted:
		*r = stepRun{attempt: ev.Attempt, outcome: flow.Running, version: r.version + 1}
		return true
	case ev.Kind == flow.StepEnded && ev.Result != nil && ev.Result.Outcome == flow.Skipped:
		// A step RunAll skipped never started, so it has no attempt of
		// its own: it replaces whatever the step showed.
		res := *ev.Result
		*r = stepRun{outcome: flow.Skipped, result: &res, version: r.version + 1}
		return true
	case ev.Attempt != r.attempt:
		return false
	}
	switch ev.Kind {
	case flow.ExchangeDone:
		r.exchanges = append(r.exchanges, *ev.Exchange)
		r.calls = appendCalls(r.calls, *ev.Exchange, "", 0)
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
	case res.Outcome == flow.Skipped:
		return nil // the outcome line says why
	case waitOf(r).gate != nil:
		return nil // no error: the step waits for the user (see waiting)
	case res.Err != nil:
		return &stepError{
			codes:     res.Codes(),
			explained: client.ExplainErr(res.Err),
			message:   res.Err.Error(),
			expected:  res.Outcome == flow.ExpectedFailure,
			expect:    st.Expect.Code,
			why:       st.Expect.Why,
			behind:    behindFindings(r.calls),
		}
	case res.Outcome == flow.Failed:
		return &stepError{
			message: res.Why(st.Expect),
			expect:  st.Expect.Code,
		}
	}
	return nil
}

// call is one entry of a step's calls: an exchange of the workbench's
// own, or one a service made behind the scenes to answer it.
type call struct {
	x client.Exchange
	// caller is who made a behind-the-scenes call (a service name), empty
	// for the workbench's own calls.
	caller string
	depth  int // 0 the workbench's call, 1 a call made to answer it, ...
	// decision is what Altinn's PDP answered, for a call to it.
	decision string
}

// behind reports whether a service made the call, not the workbench.
func (c call) behind() bool { return c.depth > 0 }

// appendCalls appends x and, after it, the calls made to answer it,
// depth first. A behind-the-scenes call without a Caller was made by the
// service that was called.
func appendCalls(out []call, x client.Exchange, caller string, depth int) []call {
	if depth > 0 && x.Caller != "" {
		caller = x.Caller
	}
	out = append(out, call{x: x, caller: caller, depth: depth, decision: pdpDecision(x)})
	for _, b := range x.Behind {
		out = appendCalls(out, b, x.Service, depth+1)
	}
	return out
}

// behindFindings are the behind-the-scenes calls that explain a failure:
// those that failed, and decisions of Altinn's PDP other than Permit
// (NotApplicable behind a 403 is the lesson of an undelegated client).
func behindFindings(calls []call) []call {
	var out []call
	for _, c := range calls {
		if !c.behind() {
			continue
		}
		if d := c.decision; c.x.Status != 0 && c.x.Status < 400 && (d == "" || d == "Permit") {
			continue
		}
		out = append(out, c)
	}
	return out
}

// pdpDecision is the decision in an answer of Altinn's PDP (a call to
// .../authorize), or "".
func pdpDecision(x client.Exchange) string {
	if !strings.HasSuffix(pathOnly(x.URL), "/authorize") || x.ResponseBody == "" {
		return ""
	}
	var d client.Decision
	if json.Unmarshal([]byte(x.ResponseBody), &d) != nil {
		return ""
	}
	return d.Value()
}

// decisionStyle is how a PDP decision shows: Permit as a success, any
// other as a warning, as it is what a 403 comes from.
func decisionStyle(d string, st *Styles) lipgloss.Style {
	if d == "Permit" {
		return st.Success
	}
	return st.Warning
}

// statusText is a call's status code, or "—" when there was no answer.
func statusText(status int) string {
	if status == 0 {
		return "—"
	}
	return strconv.Itoa(status)
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

// posted reports whether one of the step's own calls posted the grant to
// a token endpoint, which spends it.
func posted(grant string, calls []call) bool {
	for _, c := range calls {
		if grant != "" && !c.behind() && c.x.Method == "POST" && strings.HasSuffix(pathOnly(c.x.URL), "/token") &&
			strings.Contains(c.x.RequestBody, grant) {
			return true
		}
	}
	return false
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
