package flow

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// Where each key of a scenario file is: BurntSushi/toml's MetaData names
// the keys but not which element of an array of tables ([[scenario]],
// [[scenario.step]]) a key is in, nor its line, so the file's errors find
// them here. The scan knows as much TOML as a key's place needs: table
// and array headers, keys at the start of a line, and the strings,
// comments and brackets that may hide either.

// lineIndex maps a key, with the index of each array element in it
// ("scenario[0].step[3].expect"), to its line; a table or an element maps
// to its header's line. plain maps the same keys without the indexes
// ("scenario.step.expect") to every line they are on.
type lineIndex struct {
	at    map[string]int
	plain map[string][]int
}

// indexLines scans a TOML file's text.
func indexLines(src []byte) lineIndex {
	ix := lineIndex{at: map[string]int{}, plain: map[string][]int{}}
	count := map[string]int{}   // array path with indexes → elements seen
	last := map[string]string{} // plain path → indexed path of its latest instance
	cur := ""                   // the current table, indexed
	var lx tomlLexer
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if lx.busy() { // inside a multi-line string or a value's brackets
			lx.scan(line)
			continue
		}
		t := strings.TrimSpace(line)
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		case strings.HasPrefix(t, "["):
			array := strings.HasPrefix(t, "[[")
			name := strings.TrimSpace(strings.Trim(stripComment(t), "[] \t"))
			parts := strings.Split(name, ".")
			parent := ""
			if len(parts) > 1 {
				pp := strings.Join(parts[:len(parts)-1], ".")
				parent = last[pp]
				if parent == "" {
					parent = pp
				}
				parent += "."
			}
			path := parent + parts[len(parts)-1]
			if array {
				i := count[path]
				count[path]++
				path += "[" + strconv.Itoa(i) + "]"
			}
			last[name] = path
			cur = path
			ix.add(path, name, n)
			continue
		}
		k, rest, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		path := k
		if cur != "" {
			path = cur + "." + k
		}
		ix.add(path, unindexed(path), n)
		lx.scan(rest)
	}
	return ix
}

func (ix lineIndex) add(path, plain string, n int) {
	if _, ok := ix.at[path]; !ok {
		ix.at[path] = n
	}
	ix.plain[plain] = append(ix.plain[plain], n)
}

// line is the line of the key, else of the nearest table or key above it
// in the path ("scenario[0].step[3].tweak.kid" falls back to the tweak's
// line, then the step's header); 0 when none is in the file.
func (ix lineIndex) line(path string) int {
	for path != "" {
		if n, ok := ix.at[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
	return 0
}

// lines are the lines of a key without indexes (as MetaData.Undecoded
// names it), else of the nearest key above it.
func (ix lineIndex) lines(plain string) []int {
	for plain != "" {
		if ns, ok := ix.plain[plain]; ok {
			return ns
		}
		i := strings.LastIndex(plain, ".")
		if i < 0 {
			return nil
		}
		plain = plain[:i]
	}
	return nil
}

// unindexed drops the element indexes from a path.
func unindexed(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripComment cuts a header line's comment.
func stripComment(s string) string {
	if i := strings.Index(s, "#"); i >= 0 {
		return s[:i]
	}
	return s
}

// tomlLexer follows a value over lines: whether a multi-line string or a
// bracket is still open.
type tomlLexer struct {
	multi string // the open multi-line string's delimiter
	depth int    // open [ and {
}

func (lx *tomlLexer) busy() bool { return lx.multi != "" || lx.depth > 0 }

// scan reads a line (or a key's value) and keeps what stays open.
func (lx *tomlLexer) scan(s string) {
	for i := 0; i < len(s); i++ {
		if lx.multi != "" {
			j := strings.Index(s[i:], lx.multi)
			if j < 0 {
				return
			}
			i += j + len(lx.multi) - 1
			lx.multi = ""
			continue
		}
		switch c := s[i]; c {
		case '#':
			return
		case '[', '{':
			lx.depth++
		case ']', '}':
			lx.depth = max(0, lx.depth-1)
		case '"', '\'':
			delim := string(c)
			if strings.HasPrefix(s[i:], strings.Repeat(delim, 3)) {
				lx.multi = strings.Repeat(delim, 3)
				i += 2
				continue
			}
			i = closeString(s, i+1, c)
		}
	}
}

// closeString is the index of the quote that ends a one-line string begun
// before from (a basic string's escapes skipped), or the end of the line.
func closeString(s string, from int, q byte) int {
	for i := from; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q:
			return i
		}
	}
	return len(s)
}
