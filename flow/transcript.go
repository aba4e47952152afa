package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/systembruker/workbench/client"
)

// TranscriptFormat is the file format of a transcript.
type TranscriptFormat string

// The transcript formats.
const (
	// TranscriptMarkdown is a training handout: the cast, a Mermaid
	// sequence diagram, and every step with its exchanges and tokens.
	TranscriptMarkdown TranscriptFormat = "md"
	// TranscriptCurl is a bash script with one curl command per exchange.
	TranscriptCurl TranscriptFormat = "curl"
	// TranscriptHTTP is an .http file (VS Code REST Client, JetBrains HTTP
	// client) with one request per exchange.
	TranscriptHTTP TranscriptFormat = "http"
)

// TranscriptFormats lists the formats, for help text.
var TranscriptFormats = []TranscriptFormat{TranscriptMarkdown, TranscriptCurl, TranscriptHTTP}

// ParseTranscriptFormat reads a format name: md (or markdown), curl (or
// sh), http.
func ParseTranscriptFormat(s string) (TranscriptFormat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "md", "markdown":
		return TranscriptMarkdown, nil
	case "curl", "sh", "bash":
		return TranscriptCurl, nil
	case "http", "rest":
		return TranscriptHTTP, nil
	}
	return "", fmt.Errorf("transcript format %q: say md, curl or http", s)
}

// TranscriptFormatFor picks the format from a file name's extension: .md,
// .sh or .http.
func TranscriptFormatFor(file string) (TranscriptFormat, error) {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".md", ".markdown":
		return TranscriptMarkdown, nil
	case ".sh", ".bash":
		return TranscriptCurl, nil
	case ".http", ".rest":
		return TranscriptHTTP, nil
	}
	return "", fmt.Errorf("cannot tell the transcript format from %q: name it .md, .sh or .http, or say which format", file)
}

// TranscriptOptions say what a transcript shows.
type TranscriptOptions struct {
	// Settings name the cast (organisations, people, systems). Their keys
	// are never read: private keys appear in no transcript.
	Settings Settings
	// Params are the inputs the run used (Engine.State().Params); nil means
	// the scenario's own inputs over the settings' defaults.
	Params map[Param]string
	// FullTokens shows JWTs (bearer tokens, grants, tokens in bodies) in
	// full instead of shortened to their first 12 and last 6 characters.
	FullTokens bool
	// ShowSecrets shows secret headers (Ocp-Apim-Subscription-Key, cookies,
	// non-bearer Authorization) as the exchange holds them. The client
	// records subscription keys and cookies as "[redacted]" already, so
	// this reveals only what an exchange made elsewhere kept.
	ShowSecrets bool
}

// WriteTranscript writes the run as a transcript in the format. Secrets are
// redacted and tokens shortened unless opts say otherwise.
func WriteTranscript(w io.Writer, rep Report, format TranscriptFormat, opts TranscriptOptions) error {
	t := &transcript{rep: rep, opts: opts}
	switch format {
	case TranscriptMarkdown:
		t.markdown()
	case TranscriptCurl:
		t.curl()
	case TranscriptHTTP:
		t.http()
	default:
		return fmt.Errorf("transcript format %q: say md, curl or http", format)
	}
	if _, err := io.WriteString(w, t.b.String()); err != nil {
		return fmt.Errorf("write transcript: %w", err)
	}
	return nil
}

// transcript is one transcript being written.
type transcript struct {
	rep  Report
	opts TranscriptOptions
	b    strings.Builder
}

func (t *transcript) p(format string, a ...any) { fmt.Fprintf(&t.b, format, a...) }
func (t *transcript) line(s string)             { t.b.WriteString(s + "\n") }

// result is step i's result; a report cut short (the TUI's) may have fewer
// results than steps.
func (t *transcript) result(i int) StepResult {
	if i < len(t.rep.Results) {
		return t.rep.Results[i]
	}
	return StepResult{}
}

// exchanges lists every top-level exchange of the run, in order, with its step.
func (t *transcript) exchanges() []stepExchange {
	var out []stepExchange
	for i := range t.rep.Scenario.Steps {
		for _, x := range t.result(i).Exchanges {
			out = append(out, stepExchange{step: i, x: x})
		}
	}
	return out
}

type stepExchange struct {
	step int
	x    client.Exchange
}

// params are the inputs as run.
func (t *transcript) params() map[Param]string {
	if t.opts.Params != nil {
		return t.opts.Params
	}
	p := defaultParams(t.opts.Settings, t.rep.Scenario.Agent)
	for k, v := range t.rep.Scenario.Params {
		p[k] = v
	}
	return p
}

// recorded is when the run made its first call.
func (t *transcript) recorded() time.Time {
	for _, se := range t.exchanges() {
		if !se.x.Started.IsZero() {
			return se.x.Started
		}
	}
	return time.Time{}
}

func (t *transcript) envName() string {
	switch t.opts.Settings.Env {
	case "":
		return "the services named below"
	case "mock":
		return "the workbench's mock services"
	case "tt02":
		return "Altinn's tt02 and Maskinporten's test environment"
	}
	return "the " + t.opts.Settings.Env + " environment"
}

// verdict says in a few words how the run ended.
func (t *transcript) verdict() string {
	done, failed, skipped := 0, 0, 0
	for i := range t.rep.Scenario.Steps {
		switch t.result(i).Outcome {
		case Done:
			done++
		case Failed:
			failed++
		case Skipped:
			skipped++
		}
	}
	n := len(t.rep.Scenario.Steps)
	switch {
	case t.rep.OK:
		return fmt.Sprintf("ended as expected: %d of %d steps done", done, n)
	case failed > 0:
		return fmt.Sprintf("did NOT end as expected: %d of %d steps done, %d failed, %d skipped", done, n, failed, skipped)
	}
	return fmt.Sprintf("did not finish: %d of %d steps done", done, n)
}

// --- Redaction ---

// jwtRE is a compact JWT (or JWS): three base64url parts, the first a JSON
// object's encoding.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

// secretHeaders are shown as "[redacted]" unless ShowSecrets.
var secretHeaders = map[string]bool{
	"Ocp-Apim-Subscription-Key": true, "Cookie": true, "Set-Cookie": true,
	"Proxy-Authorization": true, "X-Api-Key": true,
}

// secretHeader reports whether a header's value is a credential the
// transcript hides unless ShowSecrets: a bearer token is not (it is
// shortened instead), a Basic password is.
func secretHeader(name, value string) bool {
	name = http.CanonicalHeaderKey(name)
	if name == "Authorization" {
		return !strings.HasPrefix(strings.ToLower(value), "bearer ")
	}
	return secretHeaders[name]
}

// ShortenToken is a token's first 12 and last 6 characters, for display.
func ShortenToken(raw string) string {
	if len(raw) <= 12+6+3 {
		return raw
	}
	return raw[:12] + "…" + raw[len(raw)-6:]
}

// tok shortens every JWT in s, unless FullTokens.
func (t *transcript) tok(s string) string {
	if t.opts.FullTokens {
		return s
	}
	return jwtRE.ReplaceAllStringFunc(s, ShortenToken)
}

// header is a request or response header's value as the transcript shows it.
func (t *transcript) header(name, value string) string {
	name = http.CanonicalHeaderKey(name)
	switch {
	case name == "Authorization":
		scheme, cred, ok := strings.Cut(value, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return scheme + " " + t.tok(cred)
		}
		if !t.opts.ShowSecrets {
			return "[redacted]"
		}
	case secretHeaders[name] && !t.opts.ShowSecrets:
		return "[redacted]"
	}
	return t.tok(value)
}

// headerLines are a header's lines, sorted, as the transcript shows them;
// skip drops noise (Date, Content-Length, User-Agent) that teaches nothing.
func (t *transcript) headerLines(h http.Header, skip bool) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		if skip && (k == "Date" || k == "Content-Length" || k == "User-Agent") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, k+": "+t.header(k, v))
		}
	}
	return out
}

// --- Bodies ---

func contentType(h http.Header) string {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt
}

// formFields splits a form body into its fields, decoded, in order.
func formFields(body string) [][2]string {
	var out [][2]string
	for _, kv := range strings.Split(body, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

func isJSON(ct, body string) bool {
	b := strings.TrimSpace(body)
	return (ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "") && json.Valid([]byte(b)) && b != ""
}

func isHTMLBody(ct, body string) bool {
	if ct == "text/html" {
		return true
	}
	b := strings.ToLower(strings.TrimSpace(body))
	return strings.HasPrefix(b, "<!doctype html") || strings.HasPrefix(b, "<html")
}

// maxBodyLines keeps one huge body from swamping a handout.
const maxBodyLines = 150

// prettyBody is a body for reading: JSON indented, a form one decoded
// field a line, an HTML page as its visible text. Tokens are shortened.
func (t *transcript) prettyBody(h http.Header, body string) string {
	if body == "" {
		return ""
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	ct := contentType(h)
	var out string
	switch {
	case ct == "application/x-www-form-urlencoded":
		var lines []string
		for _, f := range formFields(body) {
			lines = append(lines, f[0]+"="+f[1])
		}
		out = strings.Join(lines, "\n")
	case isJSON(ct, body):
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(strings.TrimSpace(body)), "", "  ") == nil {
			out = buf.String()
		} else {
			out = body
		}
	case isHTMLBody(ct, body):
		out = fmt.Sprintf("‹an HTML page of %d bytes; its visible text:›\n%s", len(body), htmlText(body))
	default:
		out = strings.TrimRight(body, "\n")
	}
	out = t.tok(out)
	if lines := strings.Split(out, "\n"); len(lines) > maxBodyLines {
		out = strings.Join(lines[:maxBodyLines], "\n") + fmt.Sprintf("\n‹… %d more lines›", len(lines)-maxBodyLines)
	}
	return out
}

var (
	htmlDropRE = []*regexp.Regexp{
		regexp.MustCompile(`(?is)<head\b.*?</head\s*>`),
		regexp.MustCompile(`(?is)<style\b.*?</style\s*>`),
		regexp.MustCompile(`(?is)<script\b.*?</script\s*>`),
		regexp.MustCompile(`(?is)<template\b.*?</template\s*>`),
		regexp.MustCompile(`(?s)<!--.*?-->`),
	}
	htmlBlockRE  = regexp.MustCompile(`(?i)</?(p|div|h[1-6]|li|dt|dd|tr|section|fieldset|legend|form|main|header|footer|nav|ul|ol|dl|table|label|select|option|br|hr|title)\b[^>]*>`)
	htmlDefRE    = regexp.MustCompile(`(?i)</dt\s*>\s*<dd\b[^>]*>`)
	htmlItemRE   = regexp.MustCompile(`(?i)<li\b[^>]*>`)
	htmlButtonRE = regexp.MustCompile(`(?is)<button\b[^>]*>(.*?)</button\s*>`)
	htmlTagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	spacesRE     = regexp.MustCompile(`[ \t\r\f\v]+`)
)

// htmlText is the text a browser shows of a page, a line per block, with
// buttons as [Label]: what the person reads, without the markup.
func htmlText(page string) string {
	s := page
	for _, re := range htmlDropRE {
		s = re.ReplaceAllString(s, " ")
	}
	// As a browser does: line breaks in the source are spaces; blocks
	// start new lines.
	s = spacesRE.ReplaceAllString(strings.ReplaceAll(s, "\n", " "), " ")
	s = htmlButtonRE.ReplaceAllString(s, "\n[$1]\n")
	s = htmlDefRE.ReplaceAllString(s, ": ")
	s = htmlItemRE.ReplaceAllString(s, "\n• ")
	s = htmlBlockRE.ReplaceAllString(s, "\n")
	s = htmlTagRE.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(spacesRE.ReplaceAllString(l, " "))
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// origin is a URL's scheme and host.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		return u.Path
	}
	return raw
}

// claimTime renders a NumericDate claim.
func claimTime(d client.DecodedJWT, claim string) (string, bool) {
	tm, ok := d.Time(claim)
	if !ok {
		return "", false
	}
	return tm.UTC().Format("2006-01-02 15:04:05 UTC"), true
}

func indentJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimRight(buf.String(), "\n")
}

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
func (t *transcript) actorsIn() map[Actor]bool {
	m := map[Actor]bool{}
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
	row := func(role, who string, party Party, what string) {
		t.p("| %s | %s | %s | %s |\n", cell(role), cell(who), party, cell(what))
	}
	row("Service owner", orgCell(s.ServiceOwnerName, s.ServiceOwnerOrgNo), PartySkatteetaten,
		fmt.Sprintf("owns the API (Krav og betalinger), its Maskinporten scope `%s` and the Altinn resource `%s`", s.Scope, s.Resource))
	sys := s.SystemID
	if sc.Agent {
		sys = s.AgentSystemID
	}
	row("System vendor", orgCell(s.VendorName, s.VendorOrgNo), PartySmartCloud,
		fmt.Sprintf("makes the accounting system `%s`; in the operational phase its servers call the API", sys))
	if sc.Agent {
		row("Facilitator", orgCell(s.FacilitatorName, s.FacilitatorOrgNo), "—",
			"the auditor that uses SmartCloud for its clients: owns the agent system user")
		if in[ClientAdmin] {
			row("Client administrator", personCell(s.ClientAdminName, orgCell(s.FacilitatorName, "")), PartyPerson,
				"approves the request and delegates clients to the agent system user")
		}
		row("Client", orgCell(s.CustomerName, s.CustomerOrgNo), "—",
			"the facilitator's client, whose tax claims SmartCloud fetches; never a party to the token")
	} else {
		row("Customer", orgCell(s.CustomerName, s.CustomerOrgNo), "—",
			"the company that uses SmartCloud: owns the system user")
		if in[EndUser] {
			row("End user", personCell(s.EndUserName, orgCell(s.CustomerName, "")), PartyPerson,
				"the customer's daglig leder: approves (or rejects) the request")
		}
	}
	row("Maskinporten", "Digdir's token service", PartyMaskinporten, "checks signed grants and issues access tokens")
	row("Altinn", "the Altinn 3 platform", PartyAltinn,
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

func (t *transcript) outcomeWord(s Step, r StepResult) string {
	switch {
	case r.Outcome == Done && s.Expect.Code != "":
		return "✓ failed as expected (" + s.Expect.Code + ")"
	case r.Outcome == Done:
		return "✓ done"
	case r.Outcome == Failed:
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
	for _, p := range Parties {
		kind := "participant"
		if p == PartyPerson {
			kind = "actor"
		}
		fmt.Fprintf(&b, "    %s %s\n", kind, p)
	}
	for i, s := range t.rep.Scenario.Steps {
		r := t.result(i)
		if len(r.Exchanges) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    Note over %s,%s: %s\n", Parties[0], Parties[len(Parties)-1], mermaidText(fmt.Sprintf("%d. %s", i+1, s.Title)))
		from := s.Actor.Party()
		for _, x := range r.Exchanges {
			to := ServiceParty(x.Service)
			if to == "" {
				to = from
			}
			fmt.Fprintf(&b, "    %s%s%s: %s\n", from, arrow(x), to, mermaidText(fmt.Sprintf("%s %s → %s", x.Method, urlPath(x.URL), statusShort(x))))
			for _, bx := range x.Behind {
				bf, bt := ServiceParty(bx.Caller), ServiceParty(bx.Service)
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
	if p := ServiceParty(service); p != "" {
		return string(p)
	}
	return service
}

func (t *transcript) mdStep(i int) {
	s, r := t.rep.Scenario.Steps[i], t.result(i)
	t.p("### %d. %s — %s\n\n", i+1, s.Actor, s.Title)
	if n := Narration(s.ID); n != "" {
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
	if r.Outcome == Skipped || r.Outcome == NotRun {
		if r.Outcome == Skipped {
			t.line("**Skipped:** an earlier step ended the scenario.")
		} else {
			t.line("**Not run.**")
		}
		t.line("")
		return
	}
	if ins := inputs(s, State{Params: t.params()}); len(ins) > 0 {
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

func (t *transcript) verifiedText(tk Token) string {
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
func tokenPlaces(r StepResult) []int {
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
func (t *transcript) mdTokens(toks []Token, at []int, x int) {
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
func grantBefore(before []Token, at Token) (Token, bool) {
	prefix := strings.TrimSuffix(at.Label, "access token")
	if _, ok := at.Claims["authorization_details"]; !ok {
		return Token{}, false
	}
	for i := len(before) - 1; i >= 0; i-- {
		g := before[i]
		if g.Label == prefix+"grant" {
			if _, ok := g.Claims["authorization_details"]; ok {
				return g, true
			}
		}
	}
	return Token{}, false
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
func (t *transcript) compare(g, at Token) {
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

func (t *transcript) mdOutcome(s Step, r StepResult) {
	switch {
	case r.Outcome == Done && s.Expect.Code == "":
		t.line("**Outcome:** ✓ done.")
	case r.Outcome == Done:
		t.p("**Outcome:** ✓ failed as expected, with `%s`.\n", s.Expect.Code)
	case r.Outcome == Failed && r.Err == nil:
		t.p("**Outcome:** ✗ the step succeeded, but the scenario expects it to fail with `%s`.\n", s.Expect.Code)
	case r.Outcome == Failed && s.Expect.Code != "":
		t.p("**Outcome:** ✗ expected `%s`, but it failed otherwise.\n", s.Expect.Code)
	case r.Outcome == Failed:
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

// --- What to remember ---

// remember derives the handout's closing points from what the run showed.
func (t *transcript) remember() []string {
	sc, set := t.rep.Scenario, t.opts.Settings
	var out []string
	for i, s := range sc.Steps {
		if s.Expect.Code != "" && s.Expect.Why != "" {
			out = append(out, fmt.Sprintf("**This scenario's lesson (step %d, %s):** %s", i+1, s.Expect.Code, s.Expect.Why))
		}
	}
	grantOrg, tokenSeen := "", false
	var apiPath, pdpOrg string
	lookup := false
	var expiresIn string
	for i := range sc.Steps {
		r := t.result(i)
		for _, tk := range r.Tokens {
			if d := detail(tk.Claims); d != nil {
				if strings.HasSuffix(tk.Label, "grant") && grantOrg == "" {
					grantOrg = strings.TrimPrefix(compactValue(d["systemuser_org"]), "0192:")
				}
				if strings.HasSuffix(tk.Label, "access token") && tk.Verified {
					tokenSeen = true
				}
			}
		}
		for _, x := range r.Exchanges {
			if x.Service == "skatteetaten" && apiPath == "" {
				apiPath = urlPath(x.URL)
			}
			if x.Service == "maskinporten" && strings.HasSuffix(urlPath(x.URL), "/token") && x.Status == 200 && expiresIn == "" {
				var tr struct {
					ExpiresIn int `json:"expires_in"`
				}
				if json.Unmarshal([]byte(x.ResponseBody), &tr) == nil && tr.ExpiresIn > 0 {
					expiresIn = strconv.Itoa(tr.ExpiresIn)
				}
			}
			for _, bx := range x.Behind {
				if strings.Contains(bx.URL, "/systemuser/byExternalId") {
					lookup = true
				}
				if strings.Contains(bx.URL, "/authorization/api/v1/authorize") && pdpOrg == "" {
					pdpOrg = pdpOrganisation(bx.RequestBody)
				}
			}
		}
	}
	has := func(id string) bool {
		for _, s := range sc.Steps {
			if s.ID == id {
				return true
			}
		}
		return false
	}
	if sc.Agent {
		out = append(out, fmt.Sprintf("In an agent system user's grant, `systemuser_org` is the facilitator, %s, never the client: "+
			"the system user belongs to the facilitator.", orgCell(set.FacilitatorName, set.FacilitatorOrgNo)))
		where := "in the API path"
		if apiPath != "" {
			where += " (`" + apiPath + "`)"
		}
		if pdpOrg != "" {
			where += fmt.Sprintf(" and in the PDP request Skatteetaten sends to Altinn (`urn:altinn:organization:identifier-no` = `%s`)", pdpOrg)
		} else {
			where += " and in the PDP request Skatteetaten sends to Altinn"
		}
		out = append(out, fmt.Sprintf("The client, %s, appears only %s: the token never names it.",
			orgCell(set.CustomerName, set.CustomerOrgNo), where))
		if has("ca-delegate") {
			out = append(out, "Delegating a client (or taking it away) changes nothing in the token: the PDP checks the delegation on every API call.")
		}
		if has("v-system") {
			out = append(out, "An agent system is registered with access packages instead of rights, and must not be visible (`isVisible: false`).")
		}
	} else if grantOrg != "" {
		who := "`" + grantOrg + "`"
		if grantOrg == set.CustomerOrgNo {
			who = orgCell(set.CustomerName, set.CustomerOrgNo)
		}
		line := fmt.Sprintf("`systemuser_org` in the grant is the organisation that approved the request and owns the system user, here %s", who)
		if apiPath != "" {
			line += fmt.Sprintf("; the API call names the same organisation (`%s`)", apiPath)
		}
		out = append(out, line+".")
	}
	if lookup || tokenSeen {
		out = append(out, "SmartCloud stores no system user id: its grant names the owner's org (and externalRef, if any); "+
			"Maskinporten asks Altinn for the system user (`GET /authentication/api/v1/systemuser/byExternalId`) and writes "+
			"`systemuser_id` and `system_id` into the token.")
	}
	if has("v-system") {
		out = append(out, "The system in Altinn's system register must list the Maskinporten client id, or token requests fail with MP-303.")
	}
	if grantOrg != "" {
		life := ""
		if expiresIn != "" {
			life = " (here `expires_in` " + expiresIn + " s)"
		}
		out = append(out, "A grant is good for one token: sign a fresh one, with a new `jti` and at most 120 s between `iat` and `exp`, "+
			"whenever the token expires"+life+".")
	}
	return out
}

// pdpOrganisation finds the organisation a PDP decision request is about.
func pdpOrganisation(body string) string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	var found string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["AttributeId"] == "urn:altinn:organization:identifier-no" {
				if s, ok := x["Value"].(string); ok && found == "" {
					found = s
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return found
}

// --- Values that later calls depend on ---

type bindKind int

const (
	bindID bindKind = iota
	bindToken
	bindGrant
)

// binding is a value of the run that later calls use: a token or id from a
// response, or a grant: the scripts name it instead of repeating it.
type binding struct {
	name  string // SHELL_NAME
	value string
	kind  bindKind
	at    int    // the exchange (index in exchanges()) that defines it
	path  string // jq path in that exchange's response; "" for the whole body
	label string // the token's label, for grants and tokens
}

// camel is a shell name in camelCase, for .http variables.
func camel(name string) string {
	parts := strings.Split(strings.ToLower(name), "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = capitalise(parts[i])
	}
	return strings.Join(parts, "")
}

// jqKeyRE is a key jq takes as .key; others need ["key"].
var jqKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var uuidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// shellName turns a label or key into an upper-case shell name.
func shellName(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) && prevLower:
			b.WriteByte('_')
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	n := strings.Trim(b.String(), "_")
	if n == "" || unicode.IsDigit(rune(n[0])) {
		n = "V_" + n
	}
	return n
}

// candidate is a value in a response that a later call may use.
type candidate struct{ path, key, value string }

// candidates lists the response's tokens and generated ids (UUIDs, URLs
// holding one), with their jq paths, in a stable order.
func candidates(x client.Exchange) []candidate {
	body := strings.TrimSpace(x.ResponseBody)
	if body == "" || x.Status < 200 || x.Status > 299 {
		return nil
	}
	if jwtRE.MatchString(body) && jwtRE.FindString(body) == body {
		return []candidate{{path: "", value: body}}
	}
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return nil
	}
	var out []candidate
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case string:
			if jwtRE.FindString(x) == x || uuidRE.MatchString(x) {
				out = append(out, candidate{path: path, key: key, value: x})
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := path + "." + k
				if !jqKeyRE.MatchString(k) {
					p = path + "[" + strconv.Quote(k) + "]"
				}
				walk(p, k, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), key, e)
			}
		}
	}
	walk("", "", v)
	for i := range out {
		if out[i].path == "" {
			out[i].path = "."
		}
	}
	return out
}

// requestHaystack is everything of a request a value can appear in.
func requestHaystack(x client.Exchange) string {
	var b strings.Builder
	b.WriteString(x.URL + "\n")
	for _, l := range x.RequestHeader {
		b.WriteString(strings.Join(l, "\n") + "\n")
	}
	b.WriteString(x.RequestBody)
	for _, f := range formFields(x.RequestBody) {
		b.WriteString("\n" + f[1])
	}
	return b.String()
}

// idName names an id by its key and the URL it came from.
func idName(key, rawURL string) string {
	switch key {
	case "id", "ID", "Id":
		p := strings.ToLower(urlPath(rawURL))
		switch {
		case strings.Contains(p, "/request"):
			return "REQUEST_ID"
		case strings.Contains(p, "/systemuser"):
			return "SYSTEM_USER_ID"
		case strings.Contains(p, "/systemregister"):
			return "SYSTEM_INTERNAL_ID"
		}
		return shellName(path.Base(p)) + "_ID"
	case "clientId":
		if strings.Contains(rawURL, "/clients") {
			return "CLIENT_PARTY_UUID" // a client organisation of an agent, not a Maskinporten client
		}
	case "client_id":
		return "CLIENT_ID"
	}
	return shellName(key)
}

// tokenName names a token by its label: "SmartCloud access token" is
// SMARTCLOUD_TOKEN, "system user grant" SYSTEM_USER_GRANT.
func tokenName(label string) string {
	l := strings.TrimSuffix(strings.TrimSuffix(label, " access token"), " token")
	return shellName(strings.ReplaceAll(l, "SmartCloud", "Smartcloud")) + "_TOKEN"
}

func grantName(label string) string {
	return shellName(strings.ReplaceAll(strings.TrimSuffix(label, " grant"), "SmartCloud", "Smartcloud")) + "_GRANT"
}

// bindings finds the values later calls depend on, in order.
func (t *transcript) bindings() []binding {
	xs := t.exchanges()
	var out []binding
	bound := map[string]bool{}
	names := map[string]string{} // name → value, for ids: no two values share a name
	tokenLabel := func(step int, raw string) string {
		for _, tk := range t.result(step).Tokens {
			if tk.Raw == raw {
				return tk.Label
			}
		}
		return ""
	}
	for k, se := range xs {
		// A grant posted to /token.
		if contentType(se.x.RequestHeader) == "application/x-www-form-urlencoded" {
			for _, f := range formFields(se.x.RequestBody) {
				if f[0] == "assertion" && !bound[f[1]] {
					label := tokenLabel(se.step, f[1])
					if label == "" {
						label = "grant"
					}
					name := grantName(label)
					if label == "grant" {
						name = "GRANT"
					}
					out = append(out, binding{name: uniqueName(names, name, f[1]), value: f[1], kind: bindGrant, at: k, label: label})
					bound[f[1]] = true
				}
			}
		}
		for _, c := range candidates(se.x) {
			if bound[c.value] {
				continue
			}
			used := false
			for _, later := range xs[k+1:] {
				if strings.Contains(requestHaystack(later.x), c.value) {
					used = true
					break
				}
			}
			if !used {
				continue
			}
			b := binding{value: c.value, at: k, path: c.path, kind: bindID}
			if jwtRE.FindString(c.value) == c.value {
				b.kind, b.label = bindToken, tokenLabel(se.step, c.value)
				name := "TOKEN"
				if b.label != "" {
					name = tokenName(b.label)
				}
				b.name = name // a new token of the same kind replaces the old one
			} else {
				b.name = uniqueName(names, idName(c.key, se.x.URL), c.value)
			}
			out = append(out, b)
			bound[c.value] = true
		}
	}
	return out
}

// uniqueName is name, or name_2, name_3... when name holds another value.
func uniqueName(names map[string]string, name, value string) string {
	n := name
	for i := 2; ; i++ {
		if v, ok := names[n]; !ok || v == value {
			names[n] = value
			return n
		}
		n = fmt.Sprintf("%s_%d", name, i)
	}
}

// segment is a piece of text: literal, or a variable's name.
type segment struct {
	text string
	name string // set for a variable
}

// substitute splits s into literals and the variables of the active
// bindings, longest value first, and the origins of services.
func substitute(s string, active []binding, origins map[string]string) []segment {
	sorted := append([]binding(nil), active...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].value) > len(sorted[j].value) })
	var out []segment
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, segment{text: lit.String()})
			lit.Reset()
		}
	}
	originKeys := make([]string, 0, len(origins))
	for o := range origins {
		originKeys = append(originKeys, o)
	}
	sort.Slice(originKeys, func(i, j int) bool {
		if len(originKeys[i]) != len(originKeys[j]) {
			return len(originKeys[i]) > len(originKeys[j])
		}
		return originKeys[i] < originKeys[j]
	})
next:
	for i := 0; i < len(s); {
		for _, b := range sorted {
			if b.value != "" && strings.HasPrefix(s[i:], b.value) {
				flush()
				out = append(out, segment{name: b.name})
				i += len(b.value)
				continue next
			}
		}
		for _, o := range originKeys {
			if strings.HasPrefix(s[i:], o) {
				flush()
				out = append(out, segment{name: origins[o]})
				i += len(o)
				continue next
			}
		}
		lit.WriteByte(s[i])
		i++
	}
	flush()
	return out
}

// origins names each service's scheme and host: MASKINPORTEN, ALTINN, ...
func (t *transcript) origins() (map[string]string, []string) {
	m := map[string]string{}
	var order []string
	taken := map[string]bool{}
	for _, se := range t.exchanges() {
		o := origin(se.x.URL)
		if o == "" || m[o] != "" {
			continue
		}
		name := shellName(se.x.Service)
		if name == "SELFSERVICE" {
			name = "MASKINPORTEN_SELFSERVICE"
		}
		for i := 2; taken[name]; i++ {
			name = fmt.Sprintf("%s_%d", shellName(se.x.Service), i)
		}
		taken[name] = true
		m[o] = name
		order = append(order, o)
	}
	return m, order
}

// --- curl ---

// shellQuoted renders segments inside double quotes.
func (t *transcript) shellQuoted(segs []segment) string {
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(t.shellRaw(segs))
	b.WriteByte('"')
	return b.String()
}

// shellRaw renders segments for a double-quoted string: literals escaped,
// variables as ${NAME}; tokens shortened.
func (t *transcript) shellRaw(segs []segment) string {
	esc := strings.NewReplacer(`\`, `\\`, `$`, `\$`, "`", "\\`", `"`, `\"`)
	var b strings.Builder
	for _, s := range segs {
		if s.name != "" {
			b.WriteString("${" + s.name + "}")
		} else {
			b.WriteString(esc.Replace(t.tok(s.text)))
		}
	}
	return b.String()
}

// hereDocRaw renders segments for an unquoted here-document.
func (t *transcript) hereDocRaw(segs []segment) string {
	esc := strings.NewReplacer(`\`, `\\`, `$`, `\$`, "`", "\\`")
	var b strings.Builder
	for _, s := range segs {
		if s.name != "" {
			b.WriteString("${" + s.name + "}")
		} else {
			b.WriteString(esc.Replace(t.tok(s.text)))
		}
	}
	return b.String()
}

// comment writes text as wrapped shell comments.
func (t *transcript) comment(prefix, text string) {
	for _, para := range strings.Split(text, "\n") {
		for _, l := range wrap(para, 100-len(prefix)) {
			t.line(strings.TrimRight(prefix+l, " "))
		}
	}
}

func wrap(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var out []string
	cur := words[0]
	for _, w := range words[1:] {
		if len(cur)+1+len(w) > width {
			out = append(out, cur)
			cur = w
			continue
		}
		cur += " " + w
	}
	return append(out, cur)
}

func hasSegmentJWT(segs []segment) bool {
	for _, s := range segs {
		if s.name == "" && jwtRE.MatchString(s.text) {
			return true
		}
	}
	return false
}

func (t *transcript) curl() {
	sc := t.rep.Scenario
	xs := t.exchanges()
	binds := t.bindings()
	origins, order := t.origins()
	t.line("#!/usr/bin/env bash")
	t.comment("# ", fmt.Sprintf("Scenario %s: %s.", sc.Name, strings.TrimSuffix(sc.Summary, ".")))
	rec := ""
	if tm := t.recorded(); !tm.IsZero() {
		rec = " on " + tm.UTC().Format("2006-01-02 15:04 UTC")
	}
	t.comment("# ", fmt.Sprintf("Recorded%s against %s by systembruker workbench %s; the run %s.",
		rec, t.envName(), client.Version, t.verdict()))
	t.line("#")
	t.comment("# ", "One curl command per HTTP call of the run, in order. Tokens and ids that later calls use are "+
		"captured into shell variables. The base URLs are the recorded run's: set MASKINPORTEN, ALTINN and so on "+
		"to other hosts (for instance the URLs `workbench serve` prints) before running.")
	t.line("#")
	t.comment("# ", "Grants are JWTs signed with the vendor's (or service owner's) private key, which this file does "+
		"not hold. A grant is single use and lives at most 120 s: the recorded ones were spent in the run, and "+
		"Maskinporten refuses a grant it has seen before (MP-012). Before running, export a fresh grant in each "+
		"*_GRANT variable (signed with your key, with a new jti), or replace a token call with "+
		"`workbench token`, which signs a fresh grant and prints the system user token.")
	t.line("#")
	t.line("# Needs curl and jq.")
	t.line("")
	t.line("set -euo pipefail")
	t.line("command -v jq >/dev/null || { echo 'this script needs jq' >&2; exit 1; }")
	t.line("")
	for _, o := range order {
		t.p("%s=\"${%s:-%s}\"\n", origins[o], origins[o], o)
		t.p("%s=\"${%s%%/}\"\n", origins[o], origins[o]) // `workbench serve` prints them with a slash
	}
	needTmp := false
	for _, se := range xs {
		if contentType(se.x.RequestHeader) == "multipart/form-data" {
			needTmp = true
		}
	}
	if needTmp {
		t.line("TMP=$(mktemp -d)")
		t.line(`trap 'rm -rf "$TMP"' EXIT`)
	}
	secretVars := t.secretHeaderVars(xs)
	for _, h := range secretVars {
		t.p("# %s is redacted in the transcript: export yours.\n", h)
		t.p("%s=\"${%s:-}\"\n", shellName(h), shellName(h))
	}
	t.line("")

	step := -1
	for k, se := range xs {
		if se.step != step {
			for s := step + 1; s <= se.step; s++ {
				t.curlStepHeader(s)
			}
			step = se.step
		}
		var active, defined []binding
		for _, b := range binds {
			if b.at < k || (b.at == k && b.kind == bindGrant) {
				active = append(active, b)
			}
			if b.at == k && b.kind != bindGrant {
				defined = append(defined, b)
			}
			if b.at == k && b.kind == bindGrant {
				t.curlGrant(b, se)
			}
		}
		t.curlExchange(se, active, defined, origins)
	}
	for s := step + 1; s < len(sc.Steps); s++ {
		t.curlStepHeader(s)
	}
}

// secretHeaderVars lists the redacted headers the workbench's own requests
// carry, which the script takes from the environment.
func (t *transcript) secretHeaderVars(xs []stepExchange) []string {
	seen := map[string]bool{}
	var out []string
	for _, se := range xs {
		for k := range se.x.RequestHeader {
			ck := http.CanonicalHeaderKey(k)
			v := se.x.RequestHeader.Get(k)
			if secretHeader(ck, v) && !seen[ck] && (!t.opts.ShowSecrets || v == "[redacted]") {
				seen[ck] = true
				out = append(out, ck)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (t *transcript) curlStepHeader(i int) {
	s, r := t.rep.Scenario.Steps[i], t.result(i)
	t.line("")
	t.line("# " + strings.Repeat("─", 98))
	t.comment("# ", fmt.Sprintf("Step %d. %s: %s", i+1, s.Actor, s.Title))
	t.comment("#   ", s.Explain)
	switch {
	case r.Outcome == Skipped:
		t.line("#   (skipped in the recorded run: an earlier step ended the scenario)")
	case len(r.Exchanges) == 0:
		t.line("#   (no HTTP calls in this step)")
	}
	if s.Expect.Code != "" {
		t.comment("#   ", fmt.Sprintf("Expected to fail with %s: %s", s.Expect.Code, s.Expect.Why))
	}
	t.line("")
}

func (t *transcript) curlGrant(b binding, se stepExchange) {
	kid := ""
	for _, tk := range t.result(se.step).Tokens {
		if tk.Raw == b.value {
			kid = tk.KeyID
		}
	}
	what := "The grant"
	if kid != "" {
		what = fmt.Sprintf("The grant (signed with kid %s)", kid)
	}
	hint := ""
	if strings.HasPrefix(b.label, "system user") {
		if d := t.grantDetail(se.step, b.value); d != "" {
			hint = " Or skip this call: " + d
		}
	}
	t.comment("# ", fmt.Sprintf("%s: single use, so replaying this recorded one is refused with MP-012; "+
		"export a fresh one as %s.%s", what, b.name, hint))
	t.p("%s=\"${%s:-%s}\"\n", b.name, b.name, t.tok(b.value))
}

// grantDetail is the workbench token command that gets the same system
// user token with a fresh grant.
func (t *transcript) grantDetail(step int, raw string) string {
	for _, tk := range t.result(step).Tokens {
		if tk.Raw != raw {
			continue
		}
		d := detail(tk.Claims)
		if d == nil {
			return ""
		}
		cmd := "SYSTEM_USER_TOKEN=$(workbench token --org " + strings.TrimPrefix(compactValue(d["systemuser_org"]), "0192:")
		if ref, ok := d["externalRef"].(string); ok && ref != "" {
			cmd += " --external-ref " + ref
		}
		return cmd + ")"
	}
	return ""
}

func (t *transcript) curlExchange(se stepExchange, active, defined []binding, origins map[string]string) {
	x := se.x
	sub := func(s string) []segment { return substitute(s, active, origins) }
	t.p("# %s %s → %s (recorded)\n", x.Method, urlPath(x.URL), x.StatusLine())
	for _, bx := range x.Behind {
		caller := bx.Caller
		if caller == "" {
			caller = x.Service
		}
		t.comment("#   ", fmt.Sprintf("behind the scenes: %s → %s %s %s → %s", serviceName(caller), serviceName(bx.Service), bx.Method, urlPath(bx.URL), bx.StatusLine()))
	}
	ok := x.Status >= 200 && x.Status <= 399
	if !ok {
		t.comment("# ", "The recorded run got an error here, as shown; the command does not stop the script on it.")
	}

	var args []string
	flags := "curl -sS"
	if ok {
		flags += " --fail-with-body"
	}
	if x.Method != http.MethodGet || x.RequestBody != "" {
		flags += " -X " + x.Method
	}
	urlSegs := sub(x.URL)
	args = append(args, flags+" "+t.shellQuoted(urlSegs))
	pasteToken := hasSegmentJWT(urlSegs)
	keys := make([]string, 0, len(x.RequestHeader))
	for k := range x.RequestHeader {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ct := contentType(x.RequestHeader)
	for _, k := range keys {
		ck := http.CanonicalHeaderKey(k)
		if ck == "User-Agent" || ck == "Content-Length" || (ck == "Content-Type" && ct == "multipart/form-data") ||
			(ck == "Content-Type" && ct == "application/x-www-form-urlencoded") {
			continue
		}
		for _, v := range x.RequestHeader[k] {
			var segs []segment
			if secretHeader(ck, v) && (!t.opts.ShowSecrets || v == "[redacted]") {
				segs = []segment{{text: ck + ": "}, {name: shellName(ck)}}
			} else {
				segs = sub(ck + ": " + v)
			}
			pasteToken = pasteToken || hasSegmentJWT(segs)
			args = append(args, "-H "+t.shellQuoted(segs))
		}
	}
	var heredoc []string
	switch {
	case x.RequestBody == "":
	case ct == "application/x-www-form-urlencoded":
		for _, f := range formFields(x.RequestBody) {
			segs := sub(f[0] + "=" + f[1])
			pasteToken = pasteToken || hasSegmentJWT(segs)
			args = append(args, "--data-urlencode "+t.shellQuoted(segs))
		}
	case ct == "multipart/form-data":
		parts, files := t.multipartArgs(x, sub)
		args = append(args, parts...)
		for _, f := range files {
			t.p("cat > \"$TMP/%s\" <<'PART'\n%s\nPART\n", f[0], strings.TrimRight(f[1], "\n"))
		}
	default:
		body := x.RequestBody
		if isJSON(ct, body) {
			var buf bytes.Buffer
			if json.Indent(&buf, []byte(strings.TrimSpace(body)), "", "  ") == nil {
				body = buf.String()
			}
		}
		segs := sub(body)
		pasteToken = pasteToken || hasSegmentJWT(segs)
		args = append(args, "--data-binary @-")
		delim := "BODY"
		for strings.Contains(body, delim) {
			delim += "_"
		}
		heredoc = []string{"<<" + delim, t.hereDocRaw(segs), delim}
	}
	if pasteToken && !t.opts.FullTokens {
		t.comment("# ", "A token below comes from outside this transcript and is shortened: paste a full one.")
	}

	cmd := strings.Join(args, " \\\n  ")
	pipe := ""
	var assign []string
	switch {
	case len(defined) == 1:
		b := defined[0]
		if b.path != "" {
			pipe = " | jq -r '" + b.path + "'"
		}
		cmd = b.name + "=$(" + cmd
		t.bindComment(b)
	case len(defined) > 1:
		cmd = "RESPONSE=$(" + cmd
		for _, b := range defined {
			t.bindComment(b)
			if b.path == "" {
				assign = append(assign, b.name+`="$RESPONSE"`)
				continue
			}
			assign = append(assign, fmt.Sprintf("%s=$(jq -r '%s' <<<\"$RESPONSE\")", b.name, b.path))
		}
	}
	if heredoc != nil {
		t.line(cmd + " " + heredoc[0] + pipe)
		t.line(heredoc[1])
		t.line(heredoc[2])
		if len(defined) > 0 {
			t.line(")")
		}
	} else {
		if len(defined) > 0 {
			t.line(cmd + pipe + ")")
		} else {
			t.line(cmd)
		}
	}
	if len(defined) == 0 {
		t.line("echo")
	}
	for _, a := range assign {
		t.line(a)
	}
	for _, b := range defined {
		if b.kind == bindID {
			t.p("echo \"%s=${%s}\"\n", b.name, b.name)
		}
	}
	t.line("")
}

func (t *transcript) bindComment(b binding) {
	switch {
	case b.kind == bindToken && b.label != "":
		t.p("# captures the %s as %s\n", b.label, b.name)
	case b.path == "":
		t.p("# captures the answer as %s\n", b.name)
	default:
		t.p("# captures %s of the answer as %s\n", b.path, b.name)
	}
}

// safeFileRE is what may not be in a here-document's file name.
var safeFileRE = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// multipartArgs turns a multipart body into curl -F arguments, writing its
// file parts to here-documents.
func (t *transcript) multipartArgs(x client.Exchange, sub func(string) []segment) (args []string, files [][2]string) {
	_, params, err := mime.ParseMediaType(x.RequestHeader.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return []string{"--data-binary " + t.shellQuoted(sub(x.RequestBody))}, nil
	}
	mr := multipart.NewReader(strings.NewReader(x.RequestBody), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(p)
		if p.FileName() == "" {
			args = append(args, "-F "+t.shellQuoted(sub(p.FormName()+"="+string(body))))
			continue
		}
		name := safeFileRE.ReplaceAllString(p.FileName(), "_")
		files = append(files, [2]string{name, t.tok(string(body))})
		spec := p.FormName() + "=@${TMP}/" + name
		if ct := p.Header.Get("Content-Type"); ct != "" {
			spec += ";type=" + ct
		}
		args = append(args, "-F \""+strings.NewReplacer(`"`, `\"`, "`", "\\`").Replace(spec)+"\"")
	}
	return args, files
}

// --- .http ---

func (t *transcript) http() {
	sc := t.rep.Scenario
	xs := t.exchanges()
	origins, order := t.origins()
	var vars []binding
	for _, b := range t.bindings() {
		if b.kind != bindID {
			vars = append(vars, b)
		}
	}
	hv := map[string]string{}
	for o, n := range origins {
		hv[o] = camel(n)
	}
	t.comment("# ", fmt.Sprintf("Scenario %s: %s.", sc.Name, strings.TrimSuffix(sc.Summary, ".")))
	rec := ""
	if tm := t.recorded(); !tm.IsZero() {
		rec = " on " + tm.UTC().Format("2006-01-02 15:04 UTC")
	}
	t.comment("# ", fmt.Sprintf("Recorded%s against %s by systembruker workbench %s; the run %s.", rec, t.envName(), client.Version, t.verdict()))
	t.comment("# ", "One request per HTTP call of the run, in order, for the VS Code REST Client or the JetBrains HTTP client. "+
		"Ids are the recorded run's. Tokens and grants are variables below; grants are single use (MP-012 if "+
		"replayed) and tokens live two minutes, so paste fresh ones (`workbench token` prints a system user token).")
	t.line("")
	for _, o := range order {
		t.p("@%s = %s\n", hv[o], o)
	}
	seen := map[string]bool{}
	for _, b := range vars {
		if seen[b.name] {
			continue
		}
		seen[b.name] = true
		t.p("@%s = %s\n", camel(b.name), t.tok(b.value))
	}
	t.line("")
	for k, se := range xs {
		x := se.x
		s := t.rep.Scenario.Steps[se.step]
		var active []binding
		for _, b := range vars {
			if b.at <= k {
				b.name = camel(b.name)
				active = append(active, b)
			}
		}
		render := func(text string) string {
			var b strings.Builder
			for _, seg := range substitute(text, active, hv) {
				if seg.name == "" {
					b.WriteString(t.tok(seg.text))
				} else {
					b.WriteString("{{" + seg.name + "}}")
				}
			}
			return b.String()
		}
		t.p("### %d.%d %s: %s\n", se.step+1, indexInStep(xs, k), s.Actor, s.Title)
		t.p("# %s %s → %s in the recorded run\n", x.Method, urlPath(x.URL), x.StatusLine())
		t.line(x.Method + " " + render(x.URL))
		for _, l := range t.headerLinesRaw(x.RequestHeader) {
			t.line(render(l))
		}
		if x.RequestBody != "" {
			t.line("")
			body := strings.ReplaceAll(x.RequestBody, "\r\n", "\n")
			if isJSON(contentType(x.RequestHeader), body) {
				var buf bytes.Buffer
				if json.Indent(&buf, []byte(strings.TrimSpace(body)), "", "  ") == nil {
					body = buf.String()
				}
			}
			t.line(strings.TrimRight(render(body), "\n"))
		}
		t.line("")
	}
}

// headerLinesRaw are the request headers for a .http block: secrets
// redacted, User-Agent and Content-Length left to the client.
func (t *transcript) headerLinesRaw(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		if k == "User-Agent" || k == "Content-Length" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, v := range h[k] {
			ck := http.CanonicalHeaderKey(k)
			if ck == "Authorization" && strings.HasPrefix(strings.ToLower(v), "bearer ") {
				out = append(out, ck+": "+v) // the token becomes a variable, or render shortens it
				continue
			}
			out = append(out, ck+": "+t.header(ck, v))
		}
	}
	return out
}

// indexInStep is exchange k's number within its step, from 1.
func indexInStep(xs []stepExchange, k int) int {
	n := 1
	for j := k - 1; j >= 0 && xs[j].step == xs[k].step; j-- {
		n++
	}
	return n
}
