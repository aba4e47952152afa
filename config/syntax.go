package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/systembruker/workbench/internal/lazyre"
)

// TOML errors in words: what was expected, at the line where the mistake
// is, with the line shown and a caret under the spot. Neither the message
// nor the line ever holds the file's own text beyond the config's key and
// table names and TOML's punctuation: a value pasted without quotes (a key
// line, a password) is exactly what a syntax error meets.

// syntaxFix is the fix every syntax error ends with.
const syntaxFix = "`workbench config init` writes a commented example"

// syntaxError turns the parser's error into a FieldError at the spot the
// error's byte offset points at. BurntSushi/toml's own Position.Line is
// one too far for an error at the end of a line (a missing ']' is met at
// the newline), and its Message quotes the text it found there.
func syntaxError(path string, src []byte, pe toml.ParseError) FieldError {
	line, col, text := errorSpot(src, pe.Position.Start)
	problem, fix := explainSyntax(pe.Message)
	return FieldError{
		File: path, Line: line, Field: knownKeyOr(pe.LastKey, "(syntax)"),
		Problem: problem, Fix: fix + "; " + syntaxFix, Excerpt: excerpt(line, text, col),
	}
}

// typeErrorRE is a value of the wrong type, which toml.Decode reports as
// a plain error: `toml: line 3 (last key "vendor.org_no"): incompatible
// types: TOML value has type int64; destination has type string`.
var typeErrorRE = lazyre.New(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): incompatible types: TOML value has type ([^;]+); destination has type (.+)$`)

// typeError turns a value of the wrong type into a FieldError; ok is false
// for any other error.
func typeError(path string, src []byte, err error) (FieldError, bool) {
	m := typeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return FieldError{}, false
	}
	line, _ := strconv.Atoi(m[1])
	field := knownKeyOr(m[2], "(value)")
	want := tomlTypeWords(m[4])
	fe := FieldError{File: path, Line: line, Field: field,
		Problem: fmt.Sprintf("%s where %s is expected", tomlTypeWords(m[3]), want)}
	switch want {
	case "text":
		fe.Fix = "put the value in double quotes, e.g. org_no = \"991825827\""
	case "a whole number":
		fe.Fix = "write the number without quotes, e.g. retries = 2"
	default:
		fe.Fix = "see the field's comment in `workbench config init`'s example"
	}
	if text, ok := lineText(src, line); ok {
		col := 0
		if i := strings.IndexByte(text, '='); i >= 0 {
			col = i + 1
			for col < len(text) && (text[col] == ' ' || text[col] == '\t') {
				col++
			}
			col = utf8.RuneCountInString(text[:col]) + 1
		}
		fe.Excerpt = excerpt(line, text, col)
	}
	return fe, true
}

// tomlTypeWords names a type of toml's messages (its fmtType, or the
// destination's kind) for a person.
func tomlTypeWords(t string) string {
	switch t {
	case "string", "primitive (string-like)":
		return "text"
	case "int64", "integer":
		return "a whole number"
	case "float64", "float":
		return "a decimal number"
	case "bool", "boolean":
		return "true or false"
	case "map", "map[string]interface {}", "table":
		return "a table"
	case "slice", "[]interface {}", "[]map[string]interface {}":
		return "a list"
	case "time.Time", "toml.LocalDate", "toml.LocalTime", "toml.LocalDatetime":
		return "a date or time"
	}
	return "a value of another type"
}

// errorSpot is the line (from 1), the column (in runes, from 1) and the
// text of the line the byte offset start points at. An error at the end of
// the file belongs to the last text before it.
func errorSpot(src []byte, start int) (line, col int, text string) {
	start = min(max(start, 0), len(src))
	if len(bytes.TrimSpace(src[start:])) == 0 {
		start = len(bytes.TrimRight(src, " \t\r\n"))
	}
	// The parser stops at the blank before what it cannot read: point at
	// that.
	for start < len(src) && (src[start] == ' ' || src[start] == '\t') {
		start++
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	end := bytes.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += start
	}
	line = bytes.Count(src[:start], []byte("\n")) + 1
	col = utf8.RuneCount(src[lineStart:start]) + 1
	return line, col, strings.TrimRight(string(src[lineStart:end]), "\r")
}

// lineText is the n-th line of src (from 1).
func lineText(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	lines := strings.Split(string(src), "\n")
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// excerpt is the line, masked, with a caret under column col (none when
// col is 0):
//
//	2 | [vendor
//	  |        ^
func excerpt(line int, text string, col int) string {
	masked, at := maskLine(text, col)
	const maxWidth = 100
	if r := []rune(masked); len(r) > maxWidth {
		// Keep the spot in view: cut the front, then the tail.
		from := 0
		if at > maxWidth-20 {
			from = at - (maxWidth - 20)
		}
		to := min(len(r), from+maxWidth)
		masked = string(r[from:to])
		at -= from
		if from > 0 {
			masked, at = "…"+masked, at+1
		}
		if to < len(r) {
			masked += "…"
		}
	}
	num := strconv.Itoa(line)
	s := fmt.Sprintf("%4s | %s", num, masked)
	if col > 0 {
		pad := strings.Map(func(r rune) rune {
			if r == '\t' {
				return '\t'
			}
			return ' '
		}, string([]rune(masked)[:min(at, len([]rune(masked)))]))
		s += fmt.Sprintf("\n%4s | %s^", "", pad)
	}
	return s
}

// maskLine hides the line's words other than the config's key and table
// names: each run of letters, digits, '_' and '-' becomes "***", whatever
// its length. Punctuation and spaces stay, so the line keeps its shape;
// control characters become '?'. at is column col's rune index in the
// masked line.
func maskLine(text string, col int) (masked string, at int) {
	known := knownNames()
	runes := []rune(text)
	var b []rune
	at = -1
	for i := 0; i < len(runes); {
		if i == col-1 {
			at = len(b)
		}
		if !isWordRune(runes[i]) {
			r := runes[i]
			if unicode.IsControl(r) && r != '\t' {
				r = '?'
			}
			b = append(b, r)
			i++
			continue
		}
		j := i
		for j < len(runes) && isWordRune(runes[j]) {
			j++
		}
		word := string(runes[i:j])
		if known[word] {
			if col-1 > i && col-1 < j {
				at = len(b) + (col - 1 - i)
			}
			b = append(b, runes[i:j]...)
		} else {
			if col-1 > i && col-1 < j {
				at = len(b)
			}
			b = append(b, '*', '*', '*')
		}
		i = j
	}
	if at < 0 {
		at = len(b) // at the end of the line
	}
	return string(b), at
}

func isWordRune(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) || (r >= utf8.RuneSelf && !unicode.IsSpace(r) && !unicode.IsPunct(r))
}

// knownNames are the config's table and key names, the only words of the
// file an error may show.
var knownNames = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{"true": true, "false": true}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			names[k] = true
			if mm, ok := v.(map[string]any); ok {
				walk(mm)
			}
		}
	}
	walk(defaultTree())
	return names
})

// defaultTree is the config's defaults as a TOML tree: every table and key.
func defaultTree() map[string]any {
	m := map[string]any{}
	b := new(bytes.Buffer)
	_ = toml.NewEncoder(b).Encode(Default())
	_, _ = toml.Decode(b.String(), &m)
	return m
}

// knownKeyOr is the dotted key when every part of it is a config name,
// else def: a key the parser met may be pasted text.
func knownKeyOr(key, def string) string {
	if key == "" {
		return def
	}
	for _, p := range strings.Split(key, ".") {
		if !knownNames()[p] {
			return def
		}
	}
	return key
}

// syntaxRules explain the parser's messages, first match wins. got is what
// the parser found there, in words.
var syntaxRules = []struct {
	re           *lazyre.Regexp
	problem, fix string // problem may hold %[1]s for what was found
}{
	{lazyre.New(`^expected '\.' or '\]' to end table name, but got (.*) instead$`),
		"the table name is not closed: expected ']', found %[1]s", "a table header is its name in brackets on a line of its own, e.g. [vendor]"},
	{lazyre.New(`^expected end of table array name delimiter '\]', but got (.*) instead$`),
		"the table array name is not closed: expected ']]', found %[1]s", "the config has no arrays of tables: a table header is [name]"},
	{lazyre.New(`^unexpected (end of table name|table separator) \(table names cannot be empty\)$`),
		"the table name is empty", "a table header is its name in brackets, e.g. [vendor]"},
	{lazyre.New(`^unexpected EOF; expected value$`),
		"the file ends where a value was expected", "text goes in double quotes, e.g. key_file = \"vendor-key.pem\""},
	{lazyre.New(`^expected value but found (.*) instead$`),
		"expected a value after '=', found %[1]s", "text goes in double quotes, e.g. key_file = \"vendor-key.pem\"; numbers and true or false go without"},
	{lazyre.New(`^unexpected EOF; expected key separator '='$`),
		"the file ends after a key name: expected '=' and a value", "each setting is key = value on a line of its own"},
	{lazyre.New(`^expected '\.' or '=', but got (.*) instead$`),
		"expected '=' after the key name, found %[1]s", "each setting is key = value on a line of its own, e.g. org_no = \"991825827\""},
	{lazyre.New(`^unexpected '=': key name appears blank$`),
		"a key name is missing before '='", "each setting is key = value, e.g. org_no = \"991825827\""},
	{lazyre.New(`^unexpected '[.=]'$|^unexpected '\.': keys cannot start with a '\.'$`),
		"a key name is broken here", "a key is letters, digits, _ and -, e.g. key_file"},
	{lazyre.New(`^expected a top-level item to end with a newline, comment, or EOF, but got (.*) instead$`),
		"expected the end of the line after the value, found %[1]s", "one setting a line; text goes in double quotes (spaces inside them are fine); a comment starts with #"},
	{lazyre.New(`^strings cannot contain newlines$`),
		"the string is not closed: the line ends before its closing quote", "end the text with a quote on the same line"},
	{lazyre.New(`^unexpected EOF; expected ('|"|'''|""")$`),
		"the file ends inside a string: its closing quote is missing", "end the text with a quote on the same line"},
	{lazyre.New(`^(invalid escape in string|invalid escape:) `),
		"a backslash in double quotes starts an escape (\\n, \\t, \\\\, \\\"), and this one is not one", "for a Windows path write / or \\\\, or use single quotes: 'C:\\keys\\vendor.pem'"},
	{lazyre.New(`^expected (two|four|eight) hexadecimal digits after`),
		"a \\x, \\u or \\U escape without its hexadecimal digits", "write \\\\ for a backslash, or use single quotes"},
	{lazyre.New(`^Escaped character '.*' is not valid UTF-8\.$`),
		"a \\u or \\U escape that is no character", "write the character itself"},
	{lazyre.New(`^Key '(.*)' (has already been defined|was already created)`),
		"set twice: a key (or a [table] header) may appear only once", "keep one of them; all of a table's settings go under its one header"},
	{lazyre.New(`is out of range for |is out of the safe .* range$`),
		"the number is too large", "network.retries is 0 to 10; other numbers go in quotes as text"},
	{lazyre.New(`^expected a comma \(','\) or array terminator \('\]'\), but got (.*)$`),
		"expected ',' or ']' in the list, found %[1]s", "a list is [\"a\", \"b\"] on one line"},
	{lazyre.New(`^unexpected comma$`),
		"a comma with no value before it", "a list is [\"a\", \"b\"]"},
	{lazyre.New(`^expected a comma or an inline table terminator '\}', but got (.*) instead$`),
		"expected ',' or '}' in the inline table, found %[1]s", "an inline table is {a = \"1\", b = \"2\"} on one line, or use a [table]"},
	{lazyre.New(`^newlines not allowed within inline tables$`),
		"an inline table { ... } must be on one line", "use a [table] header with one setting a line instead"},
	{lazyre.New(`^TOML files cannot contain control characters`),
		"a control character (one the editor may not show) is in the line", "retype the line"},
	{lazyre.New(`^invalid UTF-8 byte`),
		"the line is not UTF-8 text", "save the file as UTF-8"},
	{lazyre.New(`^(invalid datetime|Invalid integer|Invalid float|invalid duration|expected a digit)`),
		"not a valid number, date or time", "text goes in double quotes, e.g. timeout = \"30s\""},
	{lazyre.New(`^unexpected EOF$`),
		"the file ends in the middle of a setting", "finish the last line, or remove it"},
}

// explainSyntax is the problem and fix for a parser message, without the
// text it quotes from the file.
func explainSyntax(msg string) (problem, fix string) {
	for _, r := range syntaxRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		got := ""
		if len(m) > 1 {
			got = foundWords(m[1])
		}
		if strings.Contains(r.problem, "%[1]s") {
			return fmt.Sprintf(r.problem, got), r.fix
		}
		return r.problem, r.fix
	}
	return "the TOML is not valid here (" + scrub(msg) + ")", "check the line against TOML's rules"
}

// foundWords says in words what the parser found, as its message quotes
// it (%q of a rune, or of a bare word), showing only punctuation.
func foundWords(q string) string {
	switch q {
	case "end of file", "EOF":
		return "the end of the file"
	}
	s, err := strconv.Unquote(q)
	if err != nil {
		// A rune quoted with single quotes: strconv.Unquote reads those too;
		// anything else is shown as nothing.
		return "other text"
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case s == "":
		return "nothing"
	case size != len(s):
		return "a bare word"
	case r == '\n':
		return "the end of the line"
	case r == '\r':
		return "a carriage return"
	case r == ' ':
		return "a space"
	case r == '\t':
		return "a tab"
	case r < utf8.RuneSelf && unicode.IsPunct(r) || unicode.IsSymbol(r) && r < utf8.RuneSelf:
		return "'" + string(r) + "'"
	}
	return "other text"
}

// scrubRE is what a parser message may quote from the file.
var scrubRE = lazyre.New(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[0-9]{2,}`)

// scrub drops from a message whatever it quotes, and any number, keeping
// the parser's own words.
func scrub(msg string) string {
	return scrubRE.ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) == 3 && (q[0] == '\'' || q[0] == '"') {
			if r := rune(q[1]); r < utf8.RuneSelf && unicode.IsPunct(r) {
				return q
			}
		}
		return "…"
	})
}
