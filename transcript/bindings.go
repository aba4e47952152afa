package transcript

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
)

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
var jqKeyRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

var uuidRE = lazyre.New(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

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
