package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/systembruker/workbench/client"
)

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
