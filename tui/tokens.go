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

// claimMeanings says in one line what each known claim is for.
var claimMeanings = map[string]string{
	"iss":                   "who issued the token: in a grant the client_id, in a token Maskinporten",
	"aud":                   "who the token is for: a grant's aud must be Maskinporten's issuer",
	"scope":                 "what the token may be used for, space separated",
	"client_id":             "the Maskinporten client that asked for the token",
	"client_amr":            "how the client authenticated: private_key_jwt is a grant signed with its key",
	"consumer":              "the organisation the client belongs to, as 0192:orgno",
	"supplier":              "the organisation acting on the consumer's behalf, when delegated",
	"authorization_details": "rich authorization: the system user the token acts as",
	"systemuser_id":         "the system user Altinn found, whose id is its request's id (new in the token)",
	"systemuser_org":        "the organisation that owns the system user",
	"system_id":             "the vendor's system in Altinn's system register (new in the token)",
	"jti":                   "the token's unique id: a grant may be used only once",
	"iat":                   "issued at",
	"exp":                   "expires at: a grant lives at most 120 s",
	"nbf":                   "not valid before",
	"token_type":            "Bearer: send it as Authorization: Bearer <token>",
	"externalRef":           "the vendor's own reference for the system user; defaults to the org number",
	"type":                  "urn:altinn:systemuser asks for a system user token",
	"pid":                   "the person's national identity number (test data)",
	"sub":                   "the subject the token is about",
}

// claimOrder puts the claims in the order a reader follows the flow.
// authorization_details comes first: it is the lesson of the system user
// token.
var claimOrder = []string{
	"authorization_details", "type", "systemuser_org", "externalRef", "systemuser_id", "system_id",
	"scope", "iss", "aud", "client_id", "client_amr", "consumer", "supplier",
	"token_type", "iat", "nbf", "exp", "jti",
}

func claimRank(k string) int {
	for i, c := range claimOrder {
		if c == k {
			return i
		}
	}
	return len(claimOrder)
}

// tokenView is what a token pane shows, rendered to a width with a clock.
type tokenView struct {
	tok flow.Token
	// grant is the grant this token was issued for, when shown beside it:
	// fields absent from the grant are marked as new.
	grant *flow.Token
	// part is what to show: the whole token, or for a token shown as two
	// panes its header or its claims.
	part tokenPart
}

// tokenPart picks what a token pane shows.
type tokenPart int

const (
	wholeToken tokenPart = iota
	tokenHeader
	tokenClaims
)

// lines renders the token: verification, header, then each claim with its
// meaning; times as dates with how long until they expire.
func (v tokenView) lines(w int, st *Styles, now time.Time, loc *time.Location) []string {
	t := v.tok
	var out []string
	if v.part == tokenClaims {
		return v.object(t.Claims, nil, w, st, now, loc, 0)
	}
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
		out = append(out, proseStyled(st.Bold, expiresIn(exp, now), w)...)
	}
	if v.part == wholeToken {
		// Beside another token, the header is one line: the lesson is in
		// the claims.
		var parts []string
		for _, k := range sortedKeys(t.Header) {
			parts = append(parts, k+" "+v.scalar(k, t.Header[k], now, loc))
		}
		out = append(out, hangLines("header: "+strings.Join(parts, " · "), w, 0, 2)...)
	} else {
		out = append(out, "", st.Title.Render("header"))
		out = append(out, v.fields(t.Header, nil, w, st, now, loc, 0, true)...)
	}
	if v.part == tokenHeader {
		if t.Raw != "" {
			out = append(out, "", st.Title.Render("compact form")+st.Subtle.Render(" (c copies it)"))
			out = plainLines(t.Raw, w, [2]string{}, out)
		}
		return out
	}
	claims := st.Title.Render("claims")
	var grantClaims map[string]any
	if v.grant != nil {
		// The legend shares the title's line, so the claims of the two
		// tokens start on the same row.
		grantClaims = v.grant.Claims
		claims += st.Subtle.Render("  + not in the grant")
	}
	out = append(out, "", claims)
	out = append(out, v.object(t.Claims, grantClaims, w, st, now, loc, 0)...)
	return out
}

// object renders a JSON object's fields, sorted, each with its meaning.
// Fields missing from the object it is compared with are marked "+".
func (v tokenView) object(m, cmp map[string]any, w int, st *Styles, now time.Time, loc *time.Location, indent int) []string {
	return v.fields(m, cmp, w, st, now, loc, indent, false)
}

// fields renders an object's fields; a header's fields go without
// meanings, which would only repeat what alg, kid and typ say.
func (v tokenView) fields(m, cmp map[string]any, w int, st *Styles, now time.Time, loc *time.Location, indent int, header bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := claimRank(keys[i]), claimRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	var out []string
	pad := strings.Repeat(" ", indent)
	for _, k := range keys {
		mark := "  "
		if cmp != nil {
			if _, ok := cmp[k]; !ok {
				mark = st.Success.Render("+ ")
			}
		}
		meaning := func() {
			if mean, ok := claimMeanings[k]; ok && indent < 8 && !header {
				for _, l := range hangLines("↳ "+mean, w, indent+4, 2) {
					out = append(out, st.Subtle.Render(l))
				}
			}
		}
		val := m[k]
		head := pad + mark + st.Label.Render(k)
		switch x := val.(type) {
		case map[string]any:
			if orgID, ok := orgIDString(x); ok {
				out = append(out, keyValue(head, orgID, indent+4, w)...)
				meaning()
				continue
			}
			out = append(out, head)
			meaning()
			var sub map[string]any
			if c, ok := cmp[k].(map[string]any); ok {
				sub = c
			}
			out = append(out, v.fields(x, sub, w, st, now, loc, indent+2, header)...)
		case []any:
			objs, ok := objects(x)
			if !ok {
				out = append(out, keyValue(head, compact(x), indent+4, w)...)
				meaning()
				continue
			}
			out = append(out, head)
			meaning()
			var first map[string]any
			if c, ok := cmp[k].([]any); ok && len(c) > 0 {
				first, _ = c[0].(map[string]any)
			}
			if cmp != nil && first == nil {
				first = map[string]any{}
			}
			for _, o := range objs {
				out = append(out, v.fields(o, first, w, st, now, loc, indent+2, header)...)
			}
		default:
			out = append(out, keyValue(head, v.scalar(k, val, now, loc), indent+4, w)...)
			meaning()
		}
	}
	return out
}

// scalar formats a value; NumericDate claims as local dates.
func (v tokenView) scalar(k string, val any, now time.Time, loc *time.Location) string {
	if f, ok := val.(float64); ok && (k == "iat" || k == "exp" || k == "nbf") {
		t := time.Unix(int64(f), 0).In(loc)
		return t.Format("2006-01-02 15:04:05") + " (" + relative(t, now) + ")"
	}
	if s, ok := val.(string); ok {
		return s
	}
	return compact(val)
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

// keyValue puts a value after its key when it fits, else on the lines
// below, wrapped with an indent.
func keyValue(head, value string, indent, w int) []string {
	value = sanitize(value)
	hw := visibleWidth(head)
	if hw+2+len([]rune(value)) <= w {
		return []string{head + "  " + value}
	}
	out := []string{head}
	b := newLineBuilder(w, len(value)+16)
	// A single word (an id, a URL) moves left rather than break, if that
	// lets it fit on its line.
	if n := len([]rune(value)); !strings.Contains(value, " ") && indent+n > w {
		indent = max(2, w-n)
	}
	pad := strings.Repeat(" ", min(indent, w/2))
	b.add(pad, [2]string{})
	b.setContinuation(len(pad))
	b.add(value, [2]string{})
	return b.lines(out)
}

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
