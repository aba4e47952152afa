package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// codeMeanings says in plain words what the error codes the scenarios run
// into mean. A later issue moves this into an explainer shared with the
// headless runner.
var codeMeanings = map[string]string{
	"MP-303": "Altinn found no system user for the grant: the request was not approved, the system " +
		"does not list this client_id, systemuser_org is wrong (an agent system user belongs to the " +
		"facilitator, not the client), or externalRef does not match.",
	"MP-124":                                "The grant's signature does not verify with the key registered on the client (wrong key, or a kid Maskinporten does not know).",
	"MP-110":                                "The grant's aud is not Maskinporten's issuer.",
	"MP-012":                                "This grant's jti was used before: sign a fresh grant for every token request.",
	"MP-200":                                "The grant asks for a scope the client does not have.",
	"MP-250":                                "The organisation has not been given access to the scope by the scope's owner.",
	"MP-301":                                "Unknown authorization_details type: a system user grant says urn:altinn:systemuser.",
	"MP-302":                                "authorization_details holds fields Maskinporten does not know.",
	"MP-130":                                "The grant has expired: its exp is in the past (check the clock).",
	"invalid_altinn_customer_configuration": "Maskinporten's error for MP-303: Altinn could not find or validate the system user.",
	"invalid_grant":                         "Maskinporten refused the grant (the signed JWT); the MP id says which check failed.",
	"AUTH-00004":                            "A system user already exists for this system, organisation and externalRef.",
	"AUTH-00013":                            "The request is no longer New (already approved, rejected or timed out), so it cannot be answered again.",
	"KB-004":                                "Skatteetaten could not authenticate the call: the token is missing, invalid or expired.",
	"KB-005":                                "Skatteetaten's access check said no: Altinn's PDP does not permit this system user for the organisation.",
	"HTTP 401":                              "Not authenticated: no token, or one the service does not accept.",
	"HTTP 403":                              "Authenticated but not allowed: a scope is missing, or Altinn's PDP did not permit the access.",
	"transport":                             "No HTTP answer at all: the service is down or unreachable.",
}

// codeMeaning is the meaning of a code, if known.
func codeMeaning(code string) (string, bool) {
	m, ok := codeMeanings[code]
	if !ok {
		m, ok = codeMeanings[strings.ToUpper(code)]
	}
	return m, ok
}

// errorBox draws a failed step's error: the codes, the MP/AUTH/KB id and
// what it means, the error itself, and whether the scenario expected it.
func errorBox(e stepError, w int, st *Styles) []string {
	inner := max(10, w-st.ErrorBox.GetHorizontalFrameSize())
	var body []string
	title := "Error"
	body = append(body, st.Failure.Render(title))
	switch {
	case e.expected:
		body = append(body, proseStyled(st.Success, "✓ Expected by the scenario: "+e.why, inner)...)
	case e.expect != "":
		body = append(body, proseStyled(st.Warning, "✗ Not what the scenario expects: it expects "+e.expect, inner)...)
	default:
		body = append(body, proseStyled(st.Warning, "✗ The scenario does not expect this step to fail.", inner)...)
	}
	if len(e.codes) > 0 {
		body = append(body, proseLines("codes: "+strings.Join(e.codes, " · "), inner, 0)...)
	}
	for _, c := range e.codes {
		if m, ok := codeMeaning(c); ok {
			lines := proseLines(c+": "+m, inner, 0)
			lines[0] = st.Bold.Render(c+":") + strings.TrimPrefix(lines[0], c+":")
			body = append(body, lines...)
		}
	}
	if e.message != "" {
		body = append(body, "")
		for _, l := range proseLines(e.message, inner, 0) {
			body = append(body, st.Subtle.Render(l))
		}
	}
	box := st.ErrorBox.Width(w - st.ErrorBox.GetHorizontalBorderSize()).Render(strings.Join(body, "\n"))
	return strings.Split(box, "\n")
}

// stepError is a failed step's error, as the error box shows it.
type stepError struct {
	codes    []string
	message  string
	expected bool   // the scenario expects exactly this failure
	expect   string // the code the scenario expects, if any
	why      string // why the scenario expects it
}

// proseStyled word-wraps text and styles each line.
func proseStyled(s lipgloss.Style, text string, w int) []string {
	return proseIndented(s, text, w, 0)
}

// proseIndented word-wraps text with an indent and styles each line.
func proseIndented(s lipgloss.Style, text string, w, indent int) []string {
	lines := proseLines(text, w, indent)
	for i, l := range lines {
		lines[i] = s.Render(l)
	}
	return lines
}

// visibleWidth is a string's width in cells, escape sequences ignored.
func visibleWidth(s string) int { return ansi.StringWidth(s) }
