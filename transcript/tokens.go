package transcript

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/systembruker/workbench/flow"
)

func (t *transcript) verifiedText(tk flow.Token) string {
	switch {
	case tk.Verified && strings.HasSuffix(tk.Label, "grant"):
		return fmt.Sprintf("signature verified with the signer's registered public key, kid `%s`, as Maskinporten will check it", tk.KeyID)
	case tk.Verified:
		return fmt.Sprintf("signature verified against Maskinporten's published keys, kid `%s`", tk.KeyID)
	case tk.VerifyError != "":
		return "signature not verified (" + t.tok(tk.VerifyError) + ")"
	}
	return "signature not verified"
}

// tokenPlaces says, for each token of the result, the index of the first
// exchange that carried it, or -1.
func tokenPlaces(r flow.StepResult) []int {
	at := make([]int, len(r.Tokens))
	for k, tk := range r.Tokens {
		at[k] = -1
		for j, x := range r.Exchanges {
			if tk.Raw != "" && (strings.Contains(x.RequestBody, tk.Raw) || strings.Contains(x.ResponseBody, tk.Raw)) {
				at[k] = j
				break
			}
		}
	}
	return at
}

// lifetime is a token's exp - iat in words.
func lifetime(d time.Duration) string {
	if d >= 5*time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d s", int(d.Seconds()))
}

// mdTokens shows the tokens placed at exchange x (-1: at none), decoded.
func (t *transcript) mdTokens(toks []flow.Token, at []int, x int) {
	for k, tk := range toks {
		if at[k] != x {
			continue
		}
		t.p("**Decoded: the %s** · %s\n\n", tk.Label, t.verifiedText(tk))
		for _, w := range tk.Warnings {
			t.line("> ⚠ " + w)
			t.line("")
		}
		var times []string
		iat, okI := claimTime(tk.DecodedJWT, "iat")
		exp, okE := claimTime(tk.DecodedJWT, "exp")
		if okI {
			times = append(times, "issued "+iat)
		}
		if okE {
			times = append(times, "expires "+exp)
		}
		if a, okA := tk.Time("iat"); okA {
			if e, okB := tk.Time("exp"); okB {
				times = append(times, "lives "+lifetime(e.Sub(a)))
			}
		}
		t.line("Header:")
		t.line("")
		t.fence("json", indentJSON(tk.Header))
		t.line("Claims:")
		t.line("")
		t.fence("json", indentJSON(tk.Claims))
		if len(times) > 0 {
			t.line(capitalise(strings.Join(times, ", ")) + ".")
			t.line("")
		}
		short := " (shortened)"
		if t.opts.FullTokens {
			short = ""
		}
		t.p("As sent: `%s`%s\n\n", t.tok(tk.Raw), short)
		if strings.HasSuffix(tk.Label, "access token") {
			if g, ok := grantBefore(toks[:k], tk); ok {
				t.compare(g, tk)
			}
		}
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// grantBefore finds the grant an access token was issued for: the last
// grant before it with the same label prefix and authorization_details.
func grantBefore(before []flow.Token, at flow.Token) (flow.Token, bool) {
	prefix := strings.TrimSuffix(at.Label, "access token")
	if _, ok := at.Claims["authorization_details"]; !ok {
		return flow.Token{}, false
	}
	for i := len(before) - 1; i >= 0; i-- {
		g := before[i]
		if g.Label == prefix+"grant" {
			if _, ok := g.Claims["authorization_details"]; ok {
				return g, true
			}
		}
	}
	return flow.Token{}, false
}

// detail is the first authorization_details entry of a claim set.
func detail(claims map[string]any) map[string]any {
	ads, _ := claims["authorization_details"].([]any)
	if len(ads) == 0 {
		return nil
	}
	m, _ := ads[0].(map[string]any)
	return m
}

// compactValue renders a claim value in one line: strings bare, org ids
// as their ID, anything else as JSON.
func compactValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case map[string]any:
		if id, ok := x["ID"].(string); ok {
			return id
		}
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, compactValue(e))
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// compare sets the grant's authorization_details beside the token's, so
// the reader sees what Maskinporten added.
func (t *transcript) compare(g, at flow.Token) {
	gd, td := detail(g.Claims), detail(at.Claims)
	t.line("**The grant asked, the token answers.** SmartCloud's grant names only the system user's owner; " +
		"Maskinporten found the system user in Altinn and added who it is:")
	t.line("")
	t.line("| authorization_details | in the grant (SmartCloud asks) | in the token (Maskinporten answers) |")
	t.line("|---|---|---|")
	keys := []string{"type", "systemuser_org", "externalRef", "systemuser_id", "system_id"}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	var extra []string
	for _, m := range []map[string]any{gd, td} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	for _, k := range append(keys, extra...) {
		gv, gok := gd[k]
		tv, tok := td[k]
		if !gok && !tok {
			continue
		}
		show := func(v any, ok bool) string {
			if !ok {
				return "—"
			}
			return "`" + compactValue(v) + "`"
		}
		mark := ""
		if !gok && tok {
			mark = " ← added"
		}
		t.p("| `%s` | %s | %s%s |\n", k, cell(show(gv, gok)), cell(show(tv, tok)), mark)
	}
	t.line("")
	if c, ok := at.Claims["consumer"]; ok {
		t.p("The token's `consumer` is `%s`, the vendor that owns the Maskinporten client; `systemuser_org` is the "+
			"organisation that owns the system user.", compactValue(c))
		if set := t.opts.Settings; t.rep.Scenario.Agent && set.CustomerOrgNo != "" {
			t.p(" For this agent system user that is the facilitator; the client, %s, is nowhere in the token: "+
				"it comes only in the API call.", orgCell(set.CustomerName, set.CustomerOrgNo))
		}
		t.line("")
		t.line("")
	}
}
