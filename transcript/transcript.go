// Package transcript renders a finished run of the flow as a file: a
// Markdown training handout (the cast, a Mermaid sequence diagram, every
// step with its HTTP calls, decoded tokens and outcome), a curl script, or
// an .http file for the VS Code REST Client and the JetBrains HTTP client.
// It is the third view of a run, beside the TUI and the headless printer:
// it reads a flow.Report and renders it, with secrets redacted and tokens
// shortened unless told otherwise. It runs nothing.
package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/lazyre"
	"github.com/systembruker/workbench/internal/safefile"
)

// Format is the file format of a transcript.
type Format string

// The transcript formats.
const (
	// Markdown is a training handout: the cast, a Mermaid
	// sequence diagram, and every step with its exchanges and tokens.
	Markdown Format = "md"
	// Curl is a bash script with one curl command per exchange.
	Curl Format = "curl"
	// HTTP is an .http file (VS Code REST Client, JetBrains HTTP
	// client) with one request per exchange.
	HTTP Format = "http"
)

// Formats lists the formats, for help text.
var Formats = []Format{Markdown, Curl, HTTP}

// ParseFormat reads a format name: md (or markdown), curl (or
// sh), http.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "md", "markdown":
		return Markdown, nil
	case "curl", "sh", "bash":
		return Curl, nil
	case "http", "rest":
		return HTTP, nil
	}
	return "", fmt.Errorf("transcript format %q: say md, curl or http", s)
}

// FormatFor picks the format from a file name's extension: .md,
// .sh or .http.
func FormatFor(file string) (Format, error) {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".md", ".markdown":
		return Markdown, nil
	case ".sh", ".bash":
		return Curl, nil
	case ".http", ".rest":
		return HTTP, nil
	}
	return "", fmt.Errorf("cannot tell the transcript format from %q: name it .md, .sh or .http, or say which format", file)
}

// Options say what a transcript shows.
type Options struct {
	// Settings name the cast (organisations, people, systems). Their keys
	// are never read: private keys appear in no transcript.
	Settings flow.Settings
	// Params are the inputs the run used (Engine.State().Params); nil means
	// the scenario's own inputs over the settings' defaults.
	Params map[flow.Param]string
	// FullTokens shows JWTs (bearer tokens, grants, tokens in bodies) in
	// full instead of shortened to their first 12 and last 6 characters.
	FullTokens bool
	// Attempts are the steps as they were run, failed attempts among them
	// (Engine.Attempts): an exercise's handout lists them, with the inputs
	// changed and the fix that worked. Nil lists none.
	Attempts []flow.Attempt
	// ShowSecrets shows secret headers (Ocp-Apim-Subscription-Key, cookies,
	// non-bearer Authorization) as the exchange holds them. The client
	// records subscription keys and cookies as "[redacted]" already, so
	// this reveals only what an exchange made elsewhere kept.
	ShowSecrets bool
}

// Write writes the run as a transcript in the format. Secrets are
// redacted and tokens shortened unless opts say otherwise.
func Write(w io.Writer, rep flow.Report, format Format, opts Options) error {
	b, err := render(rep, format, opts)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write transcript: %w", err)
	}
	return nil
}

// WriteFile writes the run's transcript to file, the one way every view
// saves one: private (0600) when it holds full tokens or secrets, a curl
// script executable by whoever may read it. An existing file is replaced
// whole (a new file renamed onto it), so a failed write leaves it as it
// was, and it takes the new mode. Nothing is written when the format is
// unknown.
func WriteFile(file string, rep flow.Report, format Format, opts Options) error {
	b, err := render(rep, format, opts)
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if opts.FullTokens || opts.ShowSecrets {
		perm = 0o600
	}
	if format == Curl {
		perm |= (perm & 0o444) >> 2 // executable by whoever may read it
	}
	if err := safefile.Write(file, b, safefile.Options{Perm: perm, Overwrite: true}); err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	return nil
}

// render is the transcript's text.
func render(rep flow.Report, format Format, opts Options) ([]byte, error) {
	t := &transcript{rep: rep, opts: opts}
	switch format {
	case Markdown:
		t.markdown()
	case Curl:
		t.curl()
	case HTTP:
		t.http()
	default:
		return nil, fmt.Errorf("transcript format %q: say md, curl or http", format)
	}
	return []byte(t.b.String()), nil
}

// transcript is one transcript being written.
type transcript struct {
	rep  flow.Report
	opts Options
	b    strings.Builder
}

func (t *transcript) p(format string, a ...any) { fmt.Fprintf(&t.b, format, a...) }
func (t *transcript) line(s string)             { t.b.WriteString(s + "\n") }

// result is step i's result; a report cut short (the TUI's) may have fewer
// results than steps.
func (t *transcript) result(i int) flow.StepResult {
	if i < len(t.rep.Results) {
		return t.rep.Results[i]
	}
	return flow.StepResult{}
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
func (t *transcript) params() map[flow.Param]string {
	if t.opts.Params != nil {
		return t.opts.Params
	}
	return t.rep.Scenario.StartParams(t.opts.Settings)
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

// envName says what the run was against.
func (t *transcript) envName() string {
	if d := t.opts.Settings.EnvDescription; d != "" {
		return d
	}
	return "the services named below"
}

// verdict says in a few words how the run ended.
func (t *transcript) verdict() string {
	done, failed, skipped, expected := 0, 0, 0, 0
	for i := range t.rep.Scenario.Steps {
		switch t.result(i).Outcome {
		case flow.Done:
			done++
		case flow.ExpectedFailure:
			expected++
		case flow.Failed:
			failed++
		case flow.Skipped:
			skipped++
		}
	}
	n := len(t.rep.Scenario.Steps)
	switch {
	case t.rep.OK && expected > 0:
		return fmt.Sprintf("ended as expected: %d of %d steps done, %d failed as the scenario expects", done, n, expected)
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
var jwtRE = lazyre.New(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

// secretHeader reports whether a header's value is a credential the
// transcript hides unless ShowSecrets: a bearer token is not (it is
// shortened instead), a Basic password is.
func secretHeader(name, value string) bool {
	name = http.CanonicalHeaderKey(name)
	if name == "Authorization" {
		return !strings.HasPrefix(strings.ToLower(value), "bearer ")
	}
	return client.SecretHeader(name)
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
	case client.SecretHeader(name) && !t.opts.ShowSecrets:
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
	htmlDropRE = []*lazyre.Regexp{
		lazyre.New(`(?is)<head\b.*?</head\s*>`),
		lazyre.New(`(?is)<style\b.*?</style\s*>`),
		lazyre.New(`(?is)<script\b.*?</script\s*>`),
		lazyre.New(`(?is)<template\b.*?</template\s*>`),
		lazyre.New(`(?s)<!--.*?-->`),
	}
	htmlBlockRE  = lazyre.New(`(?i)</?(p|div|h[1-6]|li|dt|dd|tr|section|fieldset|legend|form|main|header|footer|nav|ul|ol|dl|table|label|select|option|br|hr|title)\b[^>]*>`)
	htmlDefRE    = lazyre.New(`(?i)</dt\s*>\s*<dd\b[^>]*>`)
	htmlItemRE   = lazyre.New(`(?i)<li\b[^>]*>`)
	htmlButtonRE = lazyre.New(`(?is)<button\b[^>]*>(.*?)</button\s*>`)
	htmlTagRE    = lazyre.New(`(?s)<[^>]*>`)
	spacesRE     = lazyre.New(`[ \t\r\f\v]+`)
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
