package tui

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// tokenView is what a token pane shows, rendered to a width with a clock:
// the verification and expiry, the header, and the claims as a table as
// jwt.io has it (claim, value, meaning, aligned), times as the epoch with
// the date in the local zone and in UTC and how far off it is.
type tokenView struct {
	tok flow.Token
	// grant is the grant this token was issued for, when shown beside it:
	// claims the token adds are marked +, the grant's it drops −.
	grant *flow.Token
	// part is what to show: the whole token, or for a token shown as two
	// panes its header or its claims.
	part tokenPart
	// facts are what the run knows that the claims refer to.
	facts tokenFacts
	// used says a grant was posted to /token, which spends it.
	used bool
}

// tokenFacts are what the run knows beside the tokens: the mocks' clock
// (the services judge expiry by it) and the ids a token's claims repeat.
type tokenFacts struct {
	// clock is how far the steps moved the mocks' clock from the wall
	// clock (flow.State.MockClock); the clock handed to lines has it.
	clock time.Duration
	// requestID is the system user request the vendor made; the system
	// user approved from it has the same id.
	requestID string
	// systemUserID is the system user the vendor's lookup found.
	systemUserID string
}

// tokenPart picks what a token pane shows.
type tokenPart int

const (
	wholeToken tokenPart = iota
	tokenHeader
	tokenClaims
)

// lines renders the token at width w against now, the services' clock;
// dates in loc and in UTC. A token beside its grant is drawn by
// pairLines instead, so that the two line up.
func (v tokenView) lines(w int, st *Styles, now time.Time, loc *time.Location) []string {
	t := v.tok
	kind := kindOf(t)
	if v.part == tokenClaims {
		return flatten(v.table(v.rows(t.Claims, nil, false, 0, kind, now, loc), w, st, true))
	}
	out := v.status(w, st, now)
	if v.part == wholeToken {
		out = append(out, v.headerLine(w)...)
	} else {
		out = append(out, "", st.Title.Render("header"))
		out = append(out, flatten(v.table(v.rows(t.Header, nil, false, 0, kind, now, loc), w, st, false))...)
	}
	if v.part == tokenHeader {
		if t.Raw != "" {
			out = append(out, "", st.Title.Render("compact form")+st.Subtle.Render(" (c copies it)"))
			out = plainLines(t.Raw, w, [2]string{}, out)
		}
		return out
	}
	out = append(out, "", st.Title.Render("claims"))
	return append(out, flatten(v.table(v.rows(t.Claims, nil, false, 0, kind, now, loc), w, st, true))...)
}

// pairLines draws a grant (g) at width wl beside the access token it
// became (t) at width wr, as a side-by-side diff: each claim on the same
// row in both, a claim the token adds (+) beside blank lines, a claim of
// the grant's it drops (−) beside the grant's.
func pairLines(g, t tokenView, wl, wr int, st *Styles, now time.Time, loc *time.Location) (left, right []string) {
	left, right = g.status(wl, st, now), t.status(wr, st, now)
	left, right = padPair(left, right)
	left = append(left, g.headerLine(wl)...)
	right = append(right, t.headerLine(wr)...)
	left, right = padPair(left, right)
	legend := st.Title.Render("claims") + st.Subtle.Render("  ") + st.Success.Render("+") + st.Subtle.Render(" added ") +
		st.Failure.Render("−") + st.Subtle.Render(" the grant's, dropped")
	left = append(left, "", st.Title.Render("claims"))
	right = append(right, "", ansiTruncate(legend, wr))
	lr, rr := t.merge(g.tok.Claims, t.tok.Claims, 0, kindOf(t.tok), g, now, loc)
	// One claim column for both, so that their values line up too.
	nameW := max(nameWidth(lr, min(wl, wr)), nameWidth(rr, min(wl, wr)))
	lb, rb := g.tableWith(lr, wl, nameW, st, true), t.tableWith(rr, wr, nameW, st, true)
	for i := range lb {
		l, r := padPair(lb[i], rb[i])
		left, right = append(left, l...), append(right, r...)
	}
	return left, right
}

// padPair makes two columns of lines as long as each other.
func padPair(l, r []string) ([]string, []string) {
	for len(l) < len(r) {
		l = append(l, "")
	}
	for len(r) < len(l) {
		r = append(r, "")
	}
	return l, r
}

// status is the lines above the header: the signature, the kid, any
// warnings, and the expiry.
func (v tokenView) status(w int, st *Styles, now time.Time) []string {
	t := v.tok
	var out []string
	kid := t.KeyID
	if kid == "" {
		kid = "(none)"
	}
	if t.Verified {
		out = append(out, st.Success.Render("✓ signature verified"))
	} else {
		why := t.VerifyError
		if why == "" {
			why = "not verified"
		}
		out = append(out, proseIndented(st.Warning, "✗ "+why, w, 0)...)
	}
	out = append(out, ansiTruncate("  kid "+kid, w))
	for _, warn := range t.Warnings {
		out = append(out, proseStyled(st.Warning, "! "+warn, w)...)
	}
	if exp, ok := t.Time("exp"); ok {
		out = append(out, v.expiry(exp, now, w, st)...)
	}
	return out
}

// headerLine is the header on one line (it wraps if it must): beside
// another token the lesson is in the claims.
func (v tokenView) headerLine(w int) []string {
	var parts []string
	for _, k := range sortedKeys(v.tok.Header) {
		parts = append(parts, k+" "+scalar(v.tok.Header[k]))
	}
	return hangLines("header: "+strings.Join(parts, " · "), w, 0, 2)
}

// expiry says how long the token has left, or how long ago it expired,
// by the services' clock.
func (v tokenView) expiry(exp, now time.Time, w int, st *Styles) []string {
	text, style := expiresIn(exp, now), st.Bold
	if !now.Before(exp) {
		text, style = "✗ "+text, st.Failure
	}
	if v.facts.clock != 0 {
		text += " by the mocks' clock (" + flow.ClockOffset(v.facts.clock) + ")"
	}
	return proseStyled(style, text, w)
}

// rows are an object's claims as table rows, in flow order. cmp is the
// grant's object at the same place, when there is one to compare with.
func (v tokenView) rows(m, cmp map[string]any, compare bool, depth int, kind tokenKind, now time.Time, loc *time.Location) []claimRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	byRank(keys)
	var out []claimRow
	for _, k := range keys {
		c, inCmp := cmp[k]
		out = append(out, v.claimRows(k, m[k], c, compare, compare && !inCmp, depth, kind, now, loc)...)
	}
	return out
}

// claimRows is one claim's rows: one for a value, a heading and the
// rows of an object's claims for an object.
func (v tokenView) claimRows(k string, val, cmp any, compare, added bool, depth int, kind tokenKind, now time.Time, loc *time.Location) []claimRow {
	r := claimRow{depth: depth, name: k, meaning: meaning(kind, k)}
	if added {
		r.mark = "+"
	}
	switch x := val.(type) {
	case map[string]any:
		if id, ok := orgIDString(x); ok {
			r.value = id
			return []claimRow{r}
		}
		sub, _ := cmp.(map[string]any)
		return append([]claimRow{r}, v.rows(x, sub, compare, depth+1, kind, now, loc)...)
	case []any:
		if objs, ok := objects(x); ok {
			var first map[string]any
			if c, ok := cmp.([]any); ok && len(c) > 0 {
				first, _ = c[0].(map[string]any)
			}
			out := []claimRow{r}
			for _, o := range objs {
				out = append(out, v.rows(o, first, compare, depth+1, kind, now, loc)...)
			}
			return out
		}
		r.value = compact(x)
		if k == "systemuser_id" {
			r.meaning = v.systemUserMeaning(x, r.meaning)
		}
	case float64:
		r.value = compact(x)
		if isTimeClaim(k) {
			r.extra = dateLines(x, now, loc)
		}
	case string:
		r.value = x
	default:
		r.value = compact(x)
	}
	if k == "jti" && kind == kindGrant && v.used {
		r.tag = "used"
		r.meaning = "posted to /token: a grant is good for one token (MP-012)"
	}
	return []claimRow{r}
}

// merge lays a grant's claims (g, drawn by gv) and its token's (t) out
// row for row: the union of the claims in flow order, an object's claims
// merged likewise, a blank row where one of them lacks a claim, except
// that a claim the token drops shows on its side as "−".
func (v tokenView) merge(g, t map[string]any, depth int, kind tokenKind, gv tokenView, now time.Time, loc *time.Location) (left, right []claimRow) {
	keys := make([]string, 0, len(g)+len(t))
	for k := range g {
		keys = append(keys, k)
	}
	for k := range t {
		if _, ok := g[k]; !ok {
			keys = append(keys, k)
		}
	}
	byRank(keys)
	for _, k := range keys {
		gval, inG := g[k]
		tval, inT := t[k]
		var l, r []claimRow
		gm, gObj := asObject(gval)
		tm, tObj := asObject(tval)
		switch {
		case inG && inT && gObj && tObj:
			l = []claimRow{{depth: depth, name: k, meaning: meaning(kindGrant, k)}}
			r = []claimRow{{depth: depth, name: k, meaning: meaning(kind, k)}}
			ml, mr := v.merge(gm, tm, depth+1, kind, gv, now, loc)
			l, r = append(l, ml...), append(r, mr...)
		default:
			if inG {
				l = gv.claimRows(k, gval, nil, false, false, depth, kindGrant, now, loc)
			}
			if inT {
				r = v.claimRows(k, tval, nil, true, !inG, depth, kind, now, loc)
			} else {
				r = []claimRow{dropped(k, gval, depth)}
			}
		}
		for len(l) < len(r) {
			l = append(l, claimRow{blank: true})
		}
		for len(r) < len(l) {
			r = append(r, claimRow{blank: true})
		}
		left, right = append(left, l...), append(right, r...)
	}
	return left, right
}

// asObject is a claim's object, or the first of its array of objects
// (authorization_details has one), to merge claim by claim; an org
// ({authority, ID}) is a value, not an object.
func asObject(val any) (map[string]any, bool) {
	switch x := val.(type) {
	case map[string]any:
		if _, org := orgIDString(x); org {
			return nil, false
		}
		return x, true
	case []any:
		if objs, ok := objects(x); ok && len(objs) == 1 {
			return objs[0], true
		}
	}
	return nil, false
}

// dropped is the row of a grant's claim its token does not carry.
func dropped(k string, gval any, depth int) claimRow {
	why := droppedMeanings[k]
	if why == "" {
		why = "in the grant, not in the token"
	}
	return claimRow{depth: depth, mark: "−", name: k, value: compactValue(gval), meaning: why}
}

// systemUserMeaning says whose id systemuser_id holds: the approved
// request's, where it is (a system user's id is its request's: spec,
// Corrections item 5), or the system user the vendor's lookup found.
func (v tokenView) systemUserMeaning(ids []any, base string) string {
	if len(ids) == 0 {
		return base
	}
	id, _ := ids[0].(string)
	switch {
	case id == "":
		return base
	case id == v.facts.requestID:
		return "the system user: its id is the approved request's; APIs take [0]"
	case id == v.facts.systemUserID:
		return "the system user the vendor's lookup found; APIs take [0]"
	}
	return base
}

// byRank sorts claim names in flow order, the unknown by name.
func byRank(keys []string) {
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := claimRank(keys[i]), claimRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}

// scalar formats a header's value.
func scalar(val any) string {
	if s, ok := val.(string); ok {
		return s
	}
	return compact(val)
}

// compactValue is a value on one line: an org as its ID, a string as it
// is, anything else as compact JSON.
func compactValue(val any) string {
	if m, ok := val.(map[string]any); ok {
		if id, ok := orgIDString(m); ok {
			return id
		}
	}
	return scalar(val)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func ansiTruncate(s string, w int) string { return ansi.Truncate(s, w, "…") }

// orgIDString shows {"authority": ..., "ID": "0192:..."} as its ID.
func orgIDString(m map[string]any) (string, bool) {
	id, ok := m["ID"].(string)
	if !ok {
		id, ok = m["id"].(string)
	}
	if !ok || len(m) > 2 {
		return "", false
	}
	if a, ok := m["authority"].(string); ok && a != "iso6523-actorid-upis" {
		return id + " (" + a + ")", true
	}
	return id, true
}

func objects(list []any) ([]map[string]any, bool) {
	var out []map[string]any
	for _, x := range list {
		o, ok := x.(map[string]any)
		if !ok {
			return nil, false
		}
		out = append(out, o)
	}
	return out, len(out) > 0
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// relative says how far t is from now: "in 1m52s", "12s ago".
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d >= 0 {
		return "in " + shortDuration(d)
	}
	return shortDuration(-d) + " ago"
}

// expiresIn is the token's remaining life in words.
func expiresIn(exp, now time.Time) string {
	d := exp.Sub(now).Round(time.Second)
	if d > 0 {
		return "expires in " + shortDuration(d)
	}
	return "expired " + shortDuration(-d) + " ago"
}

// shortDuration is 1m52s, 45s, 2h3m.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
