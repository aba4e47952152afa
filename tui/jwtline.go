package tui

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/systembruker/workbench/flow"
)

// A JWT in a header, a form field or a body is some 800 characters of
// base64: wrapped at 38 columns it fills twenty lines before the body
// starts. The panes show it as one line instead, its first 8 and last 6
// characters with what the token is and the key that decodes it:
//
//	Authorization: Bearer eyJhbGci…wxPCVw · system user access token · d: decode
//
// d expands every token of the pane in place: the whole token, then its
// header and claims pretty-printed under it. c still copies the body as
// it was sent.

// jwtView says how a pane's JWTs show, and what the run calls them.
type jwtView struct {
	expand bool
	names  []namedJWT
}

// namedJWT is a token the run knows by name ("system user access token").
type namedJWT struct{ raw, name string }

// isJWT reports whether s is a compact JWT: three base64url parts, the
// first starting as a JSON object's encoding does.
func isJWT(s string) bool {
	if len(s) < 24 || !strings.HasPrefix(s, "eyJ") {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '=':
		default:
			return false
		}
	}
	return dots == 2
}

// shortJWT is a token's first 8 and last 6 characters.
func shortJWT(raw string) string {
	if len(raw) <= 8+6+3 {
		return raw
	}
	return raw[:8] + "…" + raw[len(raw)-6:]
}

// name is what the token is: the run's name for it, or what its claims
// say.
func (v *jwtView) name(raw string) string {
	for _, n := range v.names {
		if n.raw == raw {
			return n.name
		}
	}
	return describeJWT(raw)
}

// describeJWT names a token the run has no name for by its claims: a
// system user grant or token by its authorization_details, a grant by its
// audience (a token has a client_id, a grant does not), a Maskinporten or
// Altinn token by its issuer.
func describeJWT(raw string) string {
	_, claims := jwtJSON(raw)
	var c struct {
		Iss      string `json:"iss"`
		Aud      any    `json:"aud"`
		ClientID string `json:"client_id"`
		Details  []struct {
			Type string `json:"type"`
		} `json:"authorization_details"`
	}
	if claims == "" || json.Unmarshal([]byte(claims), &c) != nil {
		return "JWT"
	}
	for _, d := range c.Details {
		if d.Type == "urn:altinn:systemuser" {
			if c.ClientID == "" {
				return "system user grant"
			}
			return "system user token"
		}
	}
	switch {
	case c.ClientID == "" && c.Aud != nil:
		return "JWT grant"
	case strings.Contains(c.Iss, "maskinporten"):
		return "Maskinporten token"
	case strings.Contains(c.Iss, "/authentication/api/"):
		return "Altinn token"
	}
	return "JWT"
}

// jwtJSON is a token's header and claims as the JSON they encode, "" for
// a part that is not base64url.
func jwtJSON(raw string) (header, claims string) {
	parts := strings.SplitN(raw, ".", 3)
	dec := func(i int) string {
		if i >= len(parts) {
			return ""
		}
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil || !json.Valid(b) {
			return ""
		}
		return string(b)
	}
	return dec(0), dec(1)
}

// jwtNames are the tokens a step's panes can name: every token the run
// decoded, by its label, and the tokens the services handed out in the
// step's calls (an access_token in a JSON answer, or an answer that is a
// token), as "Maskinporten token" or "Altinn token". Small answers only:
// the names are looked for before a pane renders.
func jwtNames(runs []stepRun, calls []call) []namedJWT {
	var out []namedJWT
	for _, r := range runs {
		for _, t := range r.tokens {
			if t.Raw != "" {
				out = append(out, namedJWT{t.Raw, t.Label})
			}
		}
	}
	for _, c := range calls {
		body := strings.TrimSpace(c.x.ResponseBody)
		if len(body) > 64<<10 || c.x.Status >= 400 {
			continue
		}
		party := string(flow.ServiceParty(c.x.Service))
		if party == "" {
			party = c.x.Service
		}
		raw := body
		if !isJWT(raw) {
			var t struct {
				AccessToken string `json:"access_token"`
			}
			if !strings.HasPrefix(body, "{") || json.Unmarshal([]byte(body), &t) != nil || !isJWT(t.AccessToken) {
				continue
			}
			raw = t.AccessToken
		}
		out = append(out, namedJWT{raw, party + " token"})
	}
	return out
}

// addJWT adds a token where a value goes, in quotes when quote (JSON),
// with tail (a comma) after it. Collapsed it is the short form and a note
// with its name; expanded, the whole token, the note, and its header and
// claims decoded under it, indent cells in.
func (b *lineBuilder) addJWT(raw string, esc [2]string, quote bool, tail string, v *jwtView, indent int, spaced bool) {
	text := raw
	if !v.expand {
		text = shortJWT(raw)
	}
	if quote {
		text = `"` + text + `"`
	}
	switch {
	case spaced:
		b.addSpaced(text, esc, len(tail))
	case v.expand:
		b.addBroken(text, esc, len(tail))
	default:
		b.addWord(text, esc, len(tail))
	}
	if tail != "" {
		b.add(tail, [2]string{})
	}
	if !v.expand {
		b.note(v.name(raw), "d: decode")
		return
	}
	b.note(v.name(raw), "d: collapse")
	header, claims := jwtJSON(raw)
	indent = min(indent, b.w/2)
	for _, part := range [...][2]string{{"header", header}, {"claims", claims}} {
		if part[1] == "" {
			continue
		}
		b.newline()
		b.add(spaces(indent), [2]string{})
		b.add(part[0], markEsc(markSubtle))
		lines, _ := jsonLines(part[1], max(1, b.w-indent), jsonMarks, nil)
		for _, l := range lines {
			b.newline()
			b.add(spaces(indent), [2]string{})
			b.raw(l)
		}
	}
}
