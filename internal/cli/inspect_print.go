package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
)

// inspectPrinter writes what inspect found: what the JWT is, its header
// and claims with what they mean, and its rules.
type inspectPrinter struct {
	w    io.Writer
	now  time.Time
	kind string // "grant" or "token"
	// claims is the kind whose meanings explain the claims.
	claims client.ClaimKind
}

// print writes the report and returns the exit status.
func (p *inspectPrinter) print(tg inspectTarget, d client.DecodedJWT, rules []client.GrantRule) int {
	iss, _ := d.Claims["iss"].(string)
	if p.kind == "grant" {
		fmt.Fprintf(p.w, "A grant: its iss %q is a client id, and its aud %s names the Maskinporten it is for.\n", iss, compactJSON(d.Claims["aud"]))
	} else {
		fmt.Fprintf(p.w, "A token: its iss %q is the Maskinporten that issued it.\n", iss)
	}
	fmt.Fprintf(p.w, "Checked against %s.\n", tg.name)
	if p.kind == "grant" && tg.mock == "" {
		fmt.Fprintln(p.w, "The rules that need the server's state are not checked: only a running mock's state can be read (--against URL, the maskinporten URL serve printed). Times are by this machine's clock.")
	}
	if p.kind == "grant" && tg.issuer == "" {
		fmt.Fprintln(p.w, "aud is not checked: say which Maskinporten the grant is for (--env tt02 for test, --env prod --allow-prod, or --against URL).")
	}

	fmt.Fprintln(p.w, "\nHeader")
	p.fields(d.Header, true)
	fmt.Fprintln(p.w, "\nClaims")
	p.fields(d.Claims, false)

	if p.kind == "grant" {
		fmt.Fprintln(p.w, "\nRules (Maskinporten's /token, in the order it checks them)")
	} else {
		fmt.Fprintln(p.w, "\nRules (what an API checks before it trusts the token)")
	}
	var broken, held, unchecked []string
	for _, r := range rules {
		switch r.Status {
		case client.RuleBroken:
			broken = append(broken, cmpOr(r.Code, r.Error))
			p.brokenRule(tg, d, r)
		case client.RuleHolds:
			held = append(held, r.Rule)
			p.rule("ok", r.Rule, r.Description)
		default:
			unchecked = append(unchecked, r.Rule)
			p.rule("not checked", r.Rule, p.notCheckedWhy(tg, d, r))
		}
	}
	fmt.Fprintf(p.w, "\n%s broken%s, %d hold, %d not checked.\n", plural(len(broken), "rule"), codeList(broken), len(held), len(unchecked))
	if len(broken) > 0 {
		return 1
	}
	return 0
}

func codeList(codes []string) string {
	var named []string
	for _, c := range codes {
		if c != "" && !slices.Contains(named, c) {
			named = append(named, c)
		}
	}
	if len(named) == 0 {
		return ""
	}
	return " (" + strings.Join(named, ", ") + ")"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// rule writes one rule: its verdict, its words, and a note under it.
func (p *inspectPrinter) rule(verdict, rule, note string) {
	fmt.Fprintf(p.w, "  %-11s  %s\n", verdict, rule)
	if note != "" {
		fmt.Fprintf(p.w, "  %-11s    %s\n", "", note)
	}
}

// brokenRule writes a broken rule with what the service answers, the hint
// for a grant meant for another environment, and the code's explanation.
func (p *inspectPrinter) brokenRule(tg inspectTarget, d client.DecodedJWT, r client.GrantRule) {
	who := "/token answers"
	if p.kind == "token" {
		who = "an API answers"
	}
	p.rule("BROKEN", r.Rule, strings.TrimSpace(fmt.Sprintf("%s %d %s", who, r.HTTPStatus, r.Error))+": "+r.Description)
	if hint := audHint(tg, d, r); hint != "" {
		p.note(hint)
	}
	code := cmpOr(r.Code, r.Error)
	if e, ok := client.ExplainCode(code); ok && code != "invalid_grant" {
		p.note(fmt.Sprintf("%s, %s. Fix: %s (%s)", e.Code, e.Title, e.Fix, e.Doc))
	}
}

// note writes one more line under a rule.
func (p *inspectPrinter) note(s string) {
	fmt.Fprintf(p.w, "  %-11s    %s\n", "", s)
}

// otherIssuers names the real Maskinporten issuers, for the hint.
func otherIssuers() map[string]string {
	return map[string]string{config.Profiles["prod"].Maskinporten: "production", config.Profiles["tt02"].Maskinporten: "test"}
}

// audHint says in words which environment a wrong aud belongs to, as the
// flow's wrong-aud scenario teaches it: "your grant's aud is production's
// issuer while the token goes to test".
func audHint(tg inspectTarget, d client.DecodedJWT, r client.GrantRule) string {
	aud, _ := d.Claims["aud"].(string)
	if r.Code != "MP-110" || aud == "" {
		return ""
	}
	goesTo := tg.env
	if goesTo == "" {
		goesTo = tg.name
	}
	for iss, env := range otherIssuers() {
		switch aud {
		case iss:
			return fmt.Sprintf("Your grant's aud is %s's issuer while the token goes to %s: MP-110.", env, goesTo)
		case strings.TrimSuffix(iss, "/"):
			return fmt.Sprintf("Your grant's aud is %s's issuer without its trailing slash: MP-110.", env)
		}
	}
	return ""
}

// notCheckedWhy is the rule's reason, with what aud would mean when the
// target is not known.
func (p *inspectPrinter) notCheckedWhy(tg inspectTarget, d client.DecodedJWT, r client.GrantRule) string {
	aud, _ := d.Claims["aud"].(string)
	if env, ok := otherIssuers()[aud]; ok && tg.issuer == "" && p.kind == "grant" && strings.HasPrefix(r.Rule, "aud ") {
		return r.Description + "; aud " + aud + " is " + env + "'s issuer, right only for a grant sent to " + env + " Maskinporten"
	}
	return r.Description
}

// fields writes a header's or the claims' members in the flow's order,
// each with its value and, for claims, what it means.
func (p *inspectPrinter) fields(m map[string]any, header bool) {
	keys := make([]string, 0, len(m))
	width := 0
	for k := range m {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	rank := func(k string) int {
		if i := slices.Index(client.ClaimOrder, k); i >= 0 && !header {
			return i
		}
		return len(client.ClaimOrder)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(p.w, "  %-*s  %s\n", width, k, p.value(k, m[k], header))
		if header {
			continue
		}
		if mean := client.ClaimMeaning(p.claims, k); mean != "" {
			fmt.Fprintf(p.w, "  %-*s    ↳ %s\n", width, "", mean)
		}
		if k == "authorization_details" {
			p.details(m[k], width)
		}
	}
}

// details writes each member of authorization_details' objects with what
// it means.
func (p *inspectPrinter) details(v any, width int) {
	arr, _ := v.([]any)
	for i, e := range arr {
		obj, ok := e.(map[string]any)
		if !ok {
			continue
		}
		keys, sub := make([]string, 0, len(obj)), 0
		for k := range obj {
			keys = append(keys, fmt.Sprintf("[%d].%s", i, k))
			sub = max(sub, len(keys[len(keys)-1]))
		}
		sort.Strings(keys)
		for _, path := range keys {
			k := path[strings.Index(path, ".")+1:]
			fmt.Fprintf(p.w, "  %-*s    %-*s  %s\n", width, "", sub, path, compactJSON(obj[k]))
			if mean := client.ClaimMeaning(p.claims, k); mean != "" {
				fmt.Fprintf(p.w, "  %-*s    %-*s    ↳ %s\n", width, "", sub, "", mean)
			}
		}
	}
}

// value is a member's value on one line; times with their date and how
// far from now; an x5c chain by its size.
func (p *inspectPrinter) value(k string, v any, header bool) string {
	if header && k == "x5c" {
		if arr, ok := v.([]any); ok {
			return fmt.Sprintf("[%d certificate(s), leaf first]", len(arr))
		}
	}
	if f, ok := v.(float64); ok && !header && (k == "iat" || k == "exp" || k == "nbf") {
		t := time.Unix(int64(f), 0)
		rel := "from now"
		d := t.Sub(p.now)
		if d < 0 {
			rel, d = "ago", -d
		}
		return fmt.Sprintf("%d  (%s, %s %s)", int64(f), t.UTC().Format(time.RFC3339), d.Round(time.Second), rel)
	}
	if k == "authorization_details" {
		if arr, ok := v.([]any); ok {
			return fmt.Sprintf("[%d object(s)]", len(arr))
		}
	}
	return compactJSON(v)
}

// compactJSON is v as JSON on one line, a string as itself.
func compactJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return "(none)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
