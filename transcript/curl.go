package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/lazyre"
)

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
	case r.Outcome == flow.Skipped:
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

// curlCall is one curl command: its arguments, a here-document for the
// body, and whether a shortened token from outside the transcript is in it.
type curlCall struct {
	args       []string
	heredoc    []string // "<<DELIM", the body, "DELIM"; nil without a body to pipe in
	pasteToken bool
}

// curlExchange writes the exchange as a curl command with what it
// captures for later calls (defined), using the values bound so far.
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

	c := t.curlArgs(x, ok, sub)
	if c.pasteToken && !t.opts.FullTokens {
		t.comment("# ", "A token below comes from outside this transcript and is shortened: paste a full one.")
	}
	t.curlCommand(c, defined)
}

// curlArgs are the command's arguments: the URL, the headers (secrets as
// variables) and the body. A multipart body's files are written first, as
// here-documents.
func (t *transcript) curlArgs(x client.Exchange, ok bool, sub func(string) []segment) curlCall {
	var c curlCall
	flags := "curl -sS"
	if ok {
		flags += " --fail-with-body"
	}
	if x.Method != http.MethodGet || x.RequestBody != "" {
		flags += " -X " + x.Method
	}
	urlSegs := sub(x.URL)
	c.args = append(c.args, flags+" "+t.shellQuoted(urlSegs))
	c.pasteToken = hasSegmentJWT(urlSegs)
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
			c.pasteToken = c.pasteToken || hasSegmentJWT(segs)
			c.args = append(c.args, "-H "+t.shellQuoted(segs))
		}
	}
	switch {
	case x.RequestBody == "":
	case ct == "application/x-www-form-urlencoded":
		for _, f := range formFields(x.RequestBody) {
			segs := sub(f[0] + "=" + f[1])
			c.pasteToken = c.pasteToken || hasSegmentJWT(segs)
			c.args = append(c.args, "--data-urlencode "+t.shellQuoted(segs))
		}
	case ct == "multipart/form-data":
		parts, files := t.multipartArgs(x, sub)
		c.args = append(c.args, parts...)
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
		c.pasteToken = c.pasteToken || hasSegmentJWT(segs)
		c.args = append(c.args, "--data-binary @-")
		delim := "BODY"
		for strings.Contains(body, delim) {
			delim += "_"
		}
		c.heredoc = []string{"<<" + delim, t.hereDocRaw(segs), delim}
	}
	return c
}

// curlCommand writes the command, capturing what later calls use.
func (t *transcript) curlCommand(c curlCall, defined []binding) {
	cmd := strings.Join(c.args, " \\\n  ")
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
	if c.heredoc != nil {
		t.line(cmd + " " + c.heredoc[0] + pipe)
		t.line(c.heredoc[1])
		t.line(c.heredoc[2])
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
	if b.name == "REQUEST_ID" {
		// altinn-authentication SystemUserService.cs L509: approval gives
		// the system user the request's id.
		t.line("# (the system user approved from this request gets the same id: systemuser_id[0] in the token)")
	}
}

// safeFileRE is what may not be in a here-document's file name.
var safeFileRE = lazyre.New(`[^A-Za-z0-9._-]`)

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
