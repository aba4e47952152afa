package compare

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// CallName is a call as the comparison names it: the method and the
// path, the services' API prefixes left out and the ids made for the run
// as {id} ("POST /systemuser/request/vendor", "GET
// /systemuser/request/vendor/{id}"). Two calls with the same name do the
// same thing.
func CallName(x client.Exchange) string {
	p := x.URL
	if u, err := url.Parse(x.URL); err == nil {
		p = u.Path
	}
	for _, pre := range apiPrefixes {
		if rest, ok := strings.CutPrefix(p, pre); ok && (rest == "" || rest[0] == '/') {
			p = rest
			break
		}
	}
	p = uuidPath.ReplaceAllString(p, "{id}")
	if p == "" {
		p = "/"
	}
	return x.Method + " " + p
}

// apiPrefixes are the paths under which the services keep their APIs
// (as the TUI's sequence diagram leaves them out too).
var apiPrefixes = []string{
	"/authentication/api/v1", "/resourceregistry/api/v1", "/authorization/api/v1",
	"/api/innkreving/kravogbetalinger/v1", "/kravogbetalinger/v1",
}

var uuidPath = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// exchanges pairs two steps' calls by name (between two pairs, calls of
// the same method pair up one to one: a path that changed) and compares
// each pair; a call only one step made is a finding. within is the call
// the calls were made to answer, "" for the step's own.
func (d *differ) exchanges(within string, a, b []client.Exchange) {
	pairs := align(len(a), len(b),
		func(i, j int) bool { return CallName(a[i]) == CallName(b[j]) },
		func(i, j int) bool { return a[i].Method == b[j].Method })
	for _, p := range pairs {
		switch {
		case p.b < 0:
			d.onlyCall(within, a[p.a], true)
		case p.a < 0:
			d.onlyCall(within, b[p.b], false)
		default:
			d.exchange(within, a[p.a], b[p.b])
		}
	}
}

// where names a call for Diff.Where: "POST /token", or for a call made
// behind the scenes "POST /token ↳ GET /systemuser/byExternalId".
func where(within string, x client.Exchange) string {
	if within == "" {
		return CallName(x)
	}
	return within + " ↳ " + CallName(x)
}

// onlyCall is a call only one run's step made.
func (d *differ) onlyCall(within string, x client.Exchange, inA bool) {
	v := quote(CallName(x) + " → " + x.StatusLine())
	df := Diff{Section: SectionRequest, Where: where(within, x), Path: "call", A: v}
	if !inA {
		df.A, df.B = nil, v
	}
	if within != "" {
		df.Expected = AlwaysMade(CallName(x))
	}
	d.out = append(d.out, df)
}

// exchange compares a pair of calls: the request (URL, query, headers,
// body), then the response (status, headers, body), then the calls made
// behind the scenes to answer it.
func (d *differ) exchange(within string, a, b client.Exchange) {
	w := where(within, a) // a changed path shows as the url's difference
	ua, ub := splitURL(a.URL), splitURL(b.URL)
	d.leaf(SectionRequest, w, "url", "", quote(ua.base), quote(ub.base))
	d.values(SectionRequest, w, "query", ua.query, ub.query)
	d.headers(SectionRequest, w, a.RequestHeader, b.RequestHeader)
	d.body(SectionRequest, w, a.RequestBody, b.RequestBody, a.RequestHeader, b.RequestHeader)
	d.leaf(SectionResponse, w, "status", "", statusOf(a), statusOf(b))
	d.leaf(SectionResponse, w, "error", "", quoteEmpty(a.Err), quoteEmpty(b.Err))
	d.headers(SectionResponse, w, a.ResponseHeader, b.ResponseHeader)
	d.body(SectionResponse, w, a.ResponseBody, b.ResponseBody, a.ResponseHeader, b.ResponseHeader)
	d.exchanges(w, a.Behind, b.Behind)
}

func statusOf(x client.Exchange) *string {
	s := x.StatusLine()
	if x.Status == 0 {
		s = "no response"
	}
	return quote(s)
}

// urlParts is a URL without its query, and the query's values.
type urlParts struct {
	base  string
	query url.Values
}

func splitURL(raw string) urlParts {
	u, err := url.Parse(raw)
	if err != nil {
		return urlParts{base: raw}
	}
	q := u.Query()
	u.RawQuery = ""
	return urlParts{base: u.String(), query: q}
}

// values compares query or form values, name by name.
func (d *differ) values(sec Section, w, kind string, a, b url.Values) {
	for _, k := range keys(a, b) {
		d.leaf(sec, w, kind+" "+k, k, joinValues(a, k), joinValues(b, k))
	}
}

// headers compares two header sets, name by name.
func (d *differ) headers(sec Section, w string, a, b http.Header) {
	for _, k := range keys(a, b) {
		d.leaf(sec, w, "header "+k, k, joinValues(a, k), joinValues(b, k))
	}
}

// keys are the names in either map, sorted.
func keys[M ~map[string][]string](a, b M) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []M{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func joinValues[M ~map[string][]string](m M, k string) *string {
	vs, ok := m[k]
	if !ok {
		return nil
	}
	return quote(strings.Join(vs, ", "))
}

// body compares two bodies: JSON leaf by leaf, a form field by field,
// other text line by line; a multipart body with its boundary set aside.
func (d *differ) body(sec Section, w, a, b string, ha, hb http.Header) {
	if a == b {
		return
	}
	if ba, bb := boundary(ha), boundary(hb); ba != "" && bb != "" && ba != bb {
		a, b = strings.ReplaceAll(a, ba, "{boundary}"), strings.ReplaceAll(b, bb, "{boundary}")
		if a == b {
			d.out = append(d.out, Diff{Section: sec, Where: w, Path: "body", A: quote("…"), B: quote("…"), Expected: WhyBoundary})
			return
		}
	}
	ja, okA := parseJSON(a)
	jb, okB := parseJSON(b)
	if okA && okB {
		d.compareJSON(sec, w, "body", ja, jb)
		return
	}
	if isForm(ha) && isForm(hb) {
		fa, errA := url.ParseQuery(a)
		fb, errB := url.ParseQuery(b)
		if errA == nil && errB == nil {
			d.values(sec, w, "form", fa, fb)
			return
		}
	}
	d.text(sec, w, a, b)
}

// text compares two texts (an HTML page) line by line, pairing the lines
// by their text with what always differs masked.
func (d *differ) text(sec Section, w, a, b string) {
	la, lb := lines(a), lines(b)
	pairs := align(len(la), len(lb), func(i, j int) bool { return Mask(la[i]) == Mask(lb[j]) },
		func(int, int) bool { return true })
	for _, p := range pairs {
		d.leaf(sec, w, "body line", "", at(la, p.a), at(lb, p.b))
	}
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// boundary is a multipart body's boundary, from its Content-Type.
func boundary(h http.Header) string {
	ct := h.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/") {
		return ""
	}
	_, b, ok := strings.Cut(ct, "boundary=")
	if !ok {
		return ""
	}
	b, _, _ = strings.Cut(b, ";")
	return strings.Trim(b, `"`)
}

func isForm(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// tokens pairs two steps' tokens by label and compares each pair: the
// header, the claims, whether the signature was verified, the warnings;
// the signature itself always differs.
func (d *differ) tokens(a, b []flow.Token) {
	pairs := align(len(a), len(b), func(i, j int) bool { return a[i].Label == b[j].Label }, nil)
	for _, p := range pairs {
		switch {
		case p.b < 0:
			d.out = append(d.out, Diff{Section: tokenSection(a[p.a].Label), Where: a[p.a].Label, Path: "token", A: quote(a[p.a].Label)})
		case p.a < 0:
			d.out = append(d.out, Diff{Section: tokenSection(b[p.b].Label), Where: b[p.b].Label, Path: "token", B: quote(b[p.b].Label)})
		default:
			d.token(a[p.a], b[p.b])
		}
	}
}

func (d *differ) token(a, b flow.Token) {
	sec, w := tokenSection(a.Label), a.Label
	d.compareJSON(sec, w, "header", mapAny(a.Header), mapAny(b.Header))
	d.compareJSON(sec, w, "claims", mapAny(a.Claims), mapAny(b.Claims))
	d.leaf(sec, w, "verified", "", quote(verified(a)), quote(verified(b)))
	d.leaf(sec, w, "warnings", "", quoteEmpty(strings.Join(a.Warnings, "; ")), quoteEmpty(strings.Join(b.Warnings, "; ")))
	if sa, sb := signature(a.Raw), signature(b.Raw); sa != sb {
		d.out = append(d.out, Diff{Section: sec, Where: w, Path: "signature", A: quote(sa), B: quote(sb), Expected: WhySignature})
	}
}

// mapAny keeps a nil map from reading as JSON null beside an empty one.
func mapAny(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func verified(t flow.Token) string {
	if t.Verified {
		return "verified, kid " + t.KeyID
	}
	return "not verified"
}

// signature is a compact JWT's third segment.
func signature(raw string) string {
	if i := strings.LastIndexByte(raw, '.'); i >= 0 {
		return raw[i+1:]
	}
	return ""
}

// tokenSection is the grant's section for a grant, the token's otherwise.
func tokenSection(label string) Section {
	if strings.HasSuffix(label, "grant") {
		return SectionGrant
	}
	return SectionToken
}
