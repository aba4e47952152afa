package transcript

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// --- Markdown ---

// fence writes a fenced code block, with a fence longer than any run of
// backticks in the text.
func (t *transcript) fence(lang, text string) {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	t.line(f + lang)
	t.line(strings.TrimRight(text, "\n"))
	t.line(f)
	t.line("")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func (t *transcript) markdown() {
	sc := t.rep.Scenario
	t.p("# Scenario %s: the system user flow, step by step\n\n", sc.Name)
	t.p("**%s.**\n\n", strings.TrimSuffix(sc.Summary, "."))
	rec := "when the run made no calls"
	if tm := t.recorded(); !tm.IsZero() {
		rec = tm.UTC().Format("2006-01-02 15:04 UTC")
	}
	t.p("Recorded %s against %s by systembruker workbench %s (`workbench run --scenario %s`). "+
		"The run %s.\n\n", rec, t.envName(), client.Version, sc.Name, t.verdict())
	tokens := "shortened to their first 12 and last 6 characters"
	if t.opts.FullTokens {
		tokens = "shown in full"
	}
	t.p("Each step says who acts and why, then shows every HTTP call as it went over the wire (tokens %s, "+
		"subscription keys and cookies redacted), the tokens decoded, and how the step ended. "+
		"The calls the services made to each other to answer are shown as *behind the scenes*: "+
		"against the mocks they are recorded too.\n\n", tokens)

	t.exercise()
	t.cast()
	t.glance()
	t.sequence()
	t.line("## The steps")
	t.line("")
	for i := range sc.Steps {
		t.mdStep(i)
	}
	if rem := t.remember(); len(rem) > 0 {
		t.line("## What to remember")
		t.line("")
		for _, r := range rem {
			t.line("- " + r)
		}
		t.line("")
	}
	if t.rep.CleanupErr != nil {
		t.p("*Cleaning up after the run failed: %s*\n", t.tok(t.rep.CleanupErr.Error()))
	}
}

// actorsIn lists the actors the scenario's steps use, in flow order.
func (t *transcript) actorsIn() map[flow.Actor]bool {
	m := map[flow.Actor]bool{}
	for _, s := range t.rep.Scenario.Steps {
		m[s.Actor] = true
	}
	return m
}

func orgCell(name, orgNo string) string {
	switch {
	case name == "" && orgNo == "":
		return "—"
	case name == "" || name == orgNo:
		return "org. no. " + orgNo
	case orgNo == "":
		return name
	}
	return fmt.Sprintf("%s (org. no. %s)", name, orgNo)
}

func personCell(name, org string) string {
	if name == "" {
		return "a person at " + org
	}
	return name + ", at " + org
}

func (t *transcript) cast() {
	s, sc, in := t.opts.Settings, t.rep.Scenario, t.actorsIn()
	t.line("## The cast")
	t.line("")
	t.line("| Role | Who | In the diagram | What they do here |")
	t.line("|---|---|---|---|")
	row := func(role, who string, party flow.Party, what string) {
		t.p("| %s | %s | %s | %s |\n", cell(role), cell(who), party, cell(what))
	}
	row("Service owner", orgCell(s.ServiceOwnerName, s.ServiceOwnerOrgNo), flow.PartySkatteetaten,
		fmt.Sprintf("owns the API (Krav og betalinger), its Maskinporten scope `%s` and the Altinn resource `%s`", s.Scope, s.Resource))
	sys := s.SystemID
	if sc.Agent {
		sys = s.AgentSystemID
	}
	row("System vendor", orgCell(s.VendorName, s.VendorOrgNo), flow.PartySmartCloud,
		fmt.Sprintf("makes the accounting system `%s`; in the operational phase its servers call the API", sys))
	if sc.Agent {
		row("Facilitator", orgCell(s.FacilitatorName, s.FacilitatorOrgNo), "—",
			"the auditor that uses SmartCloud for its clients: owns the agent system user")
		if in[flow.ClientAdmin] {
			row("Client administrator", personCell(s.ClientAdminName, orgCell(s.FacilitatorName, "")), flow.PartyPerson,
				"approves the request and delegates clients to the agent system user")
		}
		row("Client", orgCell(s.CustomerName, s.CustomerOrgNo), "—",
			"the facilitator's client, whose tax claims SmartCloud fetches; never a party to the token")
	} else {
		row("Customer", orgCell(s.CustomerName, s.CustomerOrgNo), "—",
			"the company that uses SmartCloud: owns the system user")
		if in[flow.EndUser] {
			row("End user", personCell(s.EndUserName, orgCell(s.CustomerName, "")), flow.PartyPerson,
				"the customer's daglig leder: approves (or rejects) the request")
		}
	}
	row("Maskinporten", "Digdir's token service", flow.PartyMaskinporten, "checks signed grants and issues access tokens")
	row("Altinn", "the Altinn 3 platform", flow.PartyAltinn,
		"resource registry, system register, system user requests and system users, client delegation, and the PDP that decides access")
	t.line("")
}

// glance lists the steps in one place, with their outcomes.
func (t *transcript) glance() {
	t.line("## The steps at a glance")
	t.line("")
	for i, s := range t.rep.Scenario.Steps {
		t.p("%d. %s — %s: %s\n", i+1, s.Actor, s.Title, t.outcomeWord(s, t.result(i)))
	}
	t.line("")
}

func (t *transcript) outcomeWord(s flow.Step, r flow.StepResult) string {
	switch {
	case r.Outcome == flow.ExpectedFailure:
		return "⚑ " + s.Expect.Code + " as expected"
	case r.Outcome == flow.Done:
		return "✓ done"
	case r.Outcome == flow.Failed:
		return "✗ failed"
	}
	return r.Outcome.String()
}

// mermaidText keeps a message from breaking Mermaid's syntax.
func mermaidText(s string) string {
	return strings.NewReplacer(";", "#59;", "#", "#35;", "\n", " ", "%%", "%").Replace(s)
}

func arrow(x client.Exchange) string {
	if x.Status >= 200 && x.Status < 400 {
		return "->>"
	}
	return "-x"
}

func statusShort(x client.Exchange) string {
	if x.Status == 0 {
		return "no answer"
	}
	return strconv.Itoa(x.Status)
}

func (t *transcript) sequence() {
	t.line("## The sequence")
	t.line("")
	t.line("Who calls whom, one arrow per call (a cross marks an error answer). The arrows between " +
		"services are the calls they make behind the scenes.")
	t.line("")
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for _, p := range flow.Parties {
		kind := "participant"
		if p == flow.PartyPerson {
			kind = "actor"
		}
		fmt.Fprintf(&b, "    %s %s\n", kind, p)
	}
	for i, s := range t.rep.Scenario.Steps {
		r := t.result(i)
		if len(r.Exchanges) == 0 {
			continue
		}
		title := fmt.Sprintf("%d. %s", i+1, s.Title)
		if r.Outcome == flow.ExpectedFailure {
			title += " ⚑ " + s.Expect.Code + " as expected"
		}
		fmt.Fprintf(&b, "    Note over %s,%s: %s\n", flow.Parties[0], flow.Parties[len(flow.Parties)-1], mermaidText(title))
		from := r.Party(s) // a real person's step polls as the vendor
		for _, x := range r.Exchanges {
			if jump, ok := flow.ClockJump(x); ok {
				// Not a call anyone makes in real life: the mocks' clock
				// moving is a note.
				fmt.Fprintf(&b, "    Note over %s,%s: %s\n", flow.Parties[0], flow.Parties[len(flow.Parties)-1], mermaidText("⏱ the mocks' clock "+jump))
				continue
			}
			to := flow.ServiceParty(x.Service)
			if to == "" {
				to = from
			}
			fmt.Fprintf(&b, "    %s%s%s: %s\n", from, arrow(x), to, mermaidText(fmt.Sprintf("%s %s → %s", x.Method, urlPath(x.URL), statusShort(x))))
			for _, bx := range x.Behind {
				bf, bt := flow.ServiceParty(bx.Caller), flow.ServiceParty(bx.Service)
				if bf == "" {
					bf = to
				}
				if bt == "" {
					bt = bf
				}
				fmt.Fprintf(&b, "    %s%s%s: %s\n", bf, arrow(bx), bt, mermaidText(fmt.Sprintf("%s %s → %s", bx.Method, urlPath(bx.URL), statusShort(bx))))
			}
		}
	}
	t.fence("mermaid", b.String())
}

// behindWhy says in a sentence what a call behind the scenes is for.
func behindWhy(caller string, x client.Exchange) string {
	who := serviceName(caller)
	p := urlPath(x.URL)
	switch {
	case strings.HasSuffix(p, "/systemuser/byExternalId"):
		return "Maskinporten asks Altinn for the system user that the grant's client, vendor and systemuser_org (and externalRef) point to; " +
			"a 404 here is what Maskinporten answers as MP-303"
	case strings.HasSuffix(p, "/jwk"):
		return who + " fetches Maskinporten's public keys to verify the bearer token it was sent"
	case strings.HasSuffix(p, "/token"):
		return who + " gets a Maskinporten token of its own, for its call to Altinn"
	case strings.HasSuffix(p, "/exchange/maskinporten"):
		return who + " exchanges its Maskinporten token for an Altinn token"
	case strings.HasSuffix(p, "/authorization/api/v1/authorize"):
		return who + " asks Altinn's PDP whether the system user may use the resource for the organisation in the API path; " +
			"anything but Permit means no access"
	}
	return ""
}

// serviceName is a service's name for prose.
func serviceName(service string) string {
	switch service {
	case "selfservice":
		return "Maskinporten's self-service API"
	case "":
		return "?"
	}
	if p := flow.ServiceParty(service); p != "" {
		return string(p)
	}
	return service
}

func (t *transcript) mdStep(i int) {
	s, r := t.rep.Scenario.Steps[i], t.result(i)
	t.p("### %d. %s — %s\n\n", i+1, s.Actor, s.Title)
	if n := flow.Narration(s.ID); n != "" {
		// The narration's own heading sits one level under the step's.
		t.line(strings.TrimSpace(strings.ReplaceAll(n, "\n### ", "\n#### ")))
	} else {
		t.line(s.Explain)
	}
	t.line("")
	if s.Manual && t.opts.Settings.ActAsPeople {
		t.line("*In a real environment the workbench does not do this step: the organisation or person does it in their own systems, a portal or a browser. Against the mocks the workbench does it over HTTP, as shown.*")
		t.line("")
	}
	if r.Outcome == flow.Skipped || r.Outcome == flow.NotRun {
		if r.Outcome == flow.Skipped {
			t.line("**Skipped:** an earlier step ended the scenario.")
		} else {
			t.line("**Not run.**")
		}
		t.line("")
		return
	}
	if ins := s.InputsWith(t.params()); len(ins) > 0 {
		t.line("**Inputs**")
		t.line("")
		t.line("| Input | Value | Meaning |")
		t.line("|---|---|---|")
		for _, in := range ins {
			v := "*(empty)*"
			if in.Value != "" {
				v = "`" + in.Value + "`"
			}
			t.p("| %s | %s | %s |\n", cell(in.Label), cell(v), cell(in.Help))
		}
		t.line("")
	}
	if len(r.Exchanges) == 0 {
		t.line("*No HTTP calls in this step.*")
		t.line("")
	}
	// Each token is shown under the call that carried it: a grant under
	// the call that sent it, a token under the call that answered with it.
	at := tokenPlaces(r)
	for k, x := range r.Exchanges {
		t.mdExchange(fmt.Sprintf("%d.%d", i+1, k+1), x)
		t.mdTokens(r.Tokens, at, k)
	}
	t.mdTokens(r.Tokens, at, -1)
	if len(r.Notes) > 0 {
		t.line("**What the workbench noted**")
		t.line("")
		for _, n := range r.Notes {
			first, rest, _ := strings.Cut(t.tok(n), "\n")
			t.line("- " + first)
			if rest != "" {
				t.line("")
				t.p("  ```\n")
				for _, l := range strings.Split(rest, "\n") {
					t.line("  " + l)
				}
				t.p("  ```\n")
			}
		}
		t.line("")
	}
	t.mdOutcome(s, r)
}

func (t *transcript) mdExchange(n string, x client.Exchange) {
	t.p("**Call %s** · %s · `%s %s` → **%s**\n\n", n, serviceName(x.Service), x.Method, urlPath(x.URL), x.StatusLine())
	t.fence("http", t.requestText(x, true))
	if x.Status != 0 {
		t.fence("http", t.responseText(x))
	}
	if len(x.Retries) > 0 {
		t.line("Tried again after: " + t.tok(strings.Join(x.Retries, "; ")))
		t.line("")
	}
	for k, bx := range x.Behind {
		caller := bx.Caller
		if caller == "" {
			caller = x.Service
		}
		t.p("*Behind the scenes %s.%d:* %s → %s · `%s %s` → **%s**", n, k+1,
			serviceName(caller), serviceName(bx.Service), bx.Method, urlPath(bx.URL), bx.StatusLine())
		if why := behindWhy(caller, bx); why != "" {
			t.p(". %s.", why)
		}
		t.line("")
		t.line("")
		t.fence("http", t.requestText(bx, true))
		if bx.Status != 0 {
			t.fence("http", t.responseText(bx))
		}
	}
}

// requestText is a request as the .http format writes it: request line
// with the full URL, headers, a blank line and the body.
func (t *transcript) requestText(x client.Exchange, pretty bool) string {
	var b strings.Builder
	b.WriteString(x.Method + " " + t.tok(x.URL) + "\n")
	for _, l := range t.headerLines(x.RequestHeader, pretty) {
		b.WriteString(l + "\n")
	}
	if x.RequestBody != "" {
		b.WriteString("\n")
		if pretty {
			b.WriteString(t.prettyBody(x.RequestHeader, x.RequestBody))
		} else {
			b.WriteString(t.tok(x.RequestBody))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (t *transcript) responseText(x client.Exchange) string {
	var b strings.Builder
	b.WriteString("HTTP/1.1 " + x.StatusLine() + "\n")
	for _, l := range t.headerLines(x.ResponseHeader, true) {
		b.WriteString(l + "\n")
	}
	if x.ResponseBody != "" {
		b.WriteString("\n" + t.prettyBody(x.ResponseHeader, x.ResponseBody) + "\n")
	}
	return b.String()
}

func (t *transcript) mdOutcome(s flow.Step, r flow.StepResult) {
	switch {
	case r.Outcome == flow.Done:
		t.line("**Outcome:** ✓ done.")
	case r.Outcome == flow.ExpectedFailure:
		t.p("**Outcome:** ⚑ failed as expected, with `%s`: the scenario's lesson.\n", s.Expect.Code)
	case r.Outcome == flow.Failed && r.Err == nil:
		t.p("**Outcome:** ✗ the step succeeded, but the scenario expects it to fail with `%s`.\n", s.Expect.Code)
	case r.Outcome == flow.Failed && s.Expect.Code != "":
		t.p("**Outcome:** ✗ expected `%s`, but it failed otherwise.\n", s.Expect.Code)
	case r.Outcome == flow.Failed:
		t.line("**Outcome:** ✗ failed.")
	default:
		t.p("**Outcome:** %s.\n", r.Outcome)
	}
	t.line("")
	if r.Err != nil {
		t.fence("text", t.tok(r.Err.Error()))
		for _, e := range client.ExplainErr(r.Err) {
			t.p("> **`%s`: %s**  \n", e.Code, e.Title)
			t.p("> *Cause:* %s  \n", e.Cause)
			t.p("> *Fix:* %s  \n", e.Fix)
			t.p("> *Documentation:* <%s>\n\n", e.Doc)
		}
	}
	if s.Expect.Code != "" && s.Expect.Why != "" {
		t.p("**The lesson:** %s\n\n", s.Expect.Why)
	}
}
