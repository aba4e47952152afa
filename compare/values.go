package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// A JSON value is compared leaf by leaf: each string, number, bool and
// null at its path (".a.b[0].c"). What only one side has (a key, an
// array's item) is one difference holding the whole of it, and two
// objects with no key in common (a token beside an error) are one
// difference, the two objects whole.

// compareJSON compares two JSON values, each path under prefix ("body",
// "claims").
func (d *differ) compareJSON(sec Section, where, prefix string, a, b any) {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if okA && okB && len(ma) > 0 && len(mb) > 0 && !shareKey(ma, mb) {
		d.leaf(sec, where, prefix, "", compact(a), compact(b))
		return
	}
	d.walkJSON(sec, where, prefix, "", "", a, b)
}

// walkJSON compares a and b at path; name is the key they are under.
func (d *differ) walkJSON(sec Section, where, prefix, path, name string, a, b any) {
	switch va := a.(type) {
	case map[string]any:
		if vb, ok := b.(map[string]any); ok {
			for _, k := range mapKeys(va, vb) {
				ea, inA := va[k]
				eb, inB := vb[k]
				switch {
				case inA && inB:
					d.walkJSON(sec, where, prefix, path+"."+k, k, ea, eb)
				case inA:
					d.leaf(sec, where, prefix+" "+path+"."+k, k, compact(ea), nil)
				default:
					d.leaf(sec, where, prefix+" "+path+"."+k, k, nil, compact(eb))
				}
			}
			return
		}
	case []any:
		if vb, ok := b.([]any); ok {
			for i := range max(len(va), len(vb)) {
				p := fmt.Sprintf("%s[%d]", path, i)
				switch {
				case i < len(va) && i < len(vb):
					d.walkJSON(sec, where, prefix, p, name, va[i], vb[i])
				case i < len(va):
					d.leaf(sec, where, prefix+" "+p, name, compact(va[i]), nil)
				default:
					d.leaf(sec, where, prefix+" "+p, name, nil, compact(vb[i]))
				}
			}
			return
		}
	}
	d.leaf(sec, where, strings.TrimSuffix(prefix+" "+path, " "), name, compact(a), compact(b))
}

func shareKey(a, b map[string]any) bool {
	for k := range a {
		if _, ok := b[k]; ok {
			return true
		}
	}
	return false
}

// mapKeys are the keys of either map, sorted.
func mapKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{a, b} {
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

// compact is a JSON value in compact JSON form.
func compact(v any) *string {
	s, err := jsonValue(v)
	if err != nil {
		s = fmt.Sprint(v)
	}
	return &s
}

// parseJSON reads a body as JSON; ok is false for anything else.
func parseJSON(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] != '{' && s[0] != '[' {
		return nil, false
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// jsonValue is a leaf in JSON form.
func jsonValue(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// jsonString is s as a JSON string.
func jsonString(s string) (string, error) { return jsonValue(s) }

// unquote is a JSON string's text, or the value as it is (a number, a
// bool).
func unquote(v string) string {
	if strings.HasPrefix(v, `"`) {
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
		var s string
		if json.Unmarshal([]byte(v), &s) == nil {
			return s
		}
	}
	return v
}
