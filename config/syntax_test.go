package config

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// loadErrors loads text as a config file and returns its errors.
func loadErrors(t *testing.T, text string, o Options) (string, Errors) {
	t.Helper()
	p := write(t, text)
	if o.Getenv == nil {
		o.Getenv = noEnv
	}
	_, err := LoadWith(p, o)
	if err == nil {
		t.Fatalf("accepted:\n%s", text)
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("not field errors: %T %v", err, err)
	}
	return p, es
}

func TestSyntaxErrorsSayWhatWasExpectedWhere(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		line    int
		field   string
		problem string // in the problem
		shown   string // the excerpt's line, masked
		caret   int    // the caret's column in the shown line, from 1
	}{
		{"table not closed", "env = \"mock\"\n[vendor\norg_no = \"991825827\"\n", 2, "(syntax)",
			"the table name is not closed: expected ']', found the end of the line", "[vendor", 8},
		{"value without quotes", "env = \"mock\"\n[vendor]\nkey_file = ~/keys/my-key.pem\n", 3, "vendor.key_file",
			"expected a value after '=', found '~'", "key_file = ~/***/***.***", 12},
		{"bare word", "env = mock\n", 1, "env", "found a bare word", "env = ***", 7},
		{"string not closed", "[vendor]\nname = \"SmartCloud AS\n", 2, "vendor.name",
			"the string is not closed", "name = \"*** ***", 16},
		{"no equals sign", "[vendor]\nkey_id smartcloud-1\n", 2, "vendor",
			"expected '=' after the key name", "key_id ***", 8},
		{"text after the value", "[customer]\norg_no = \"310904473\" x\n", 2, "customer",
			"expected the end of the line after the value", "org_no = \"***\" ***", 16},
		{"set twice", "[vendor]\norg_no = \"1\"\norg_no = \"2\"\n", 3, "vendor.org_no",
			"set twice", "org_no = \"***\"", 1},
		{"table twice", "[vendor]\nname = \"a\"\n[vendor]\n", 3, "(syntax)", "set twice", "[vendor]", 2},
		{"windows path", "[vendor]\nkey_file = \"C:\\keys\\v.pem\"\n", 2, "vendor.key_file",
			"a backslash in double quotes starts an escape", "key_file = \"***:\\***\\***.***\"", 13},
		{"at the end of the file", "[network]\nretries = [1,\n\n", 2, "network.retries",
			"the file ends where a value was expected", "retries = [***,", 16},
		{"tab before the key", "[vendor]\n\tname = \"x\" y\n", 2, "vendor", "end of the line", "\tname = \"***\" ***", 15},
		{"number for text", "[customer]\norg_no = 310904473\n", 2, "customer.org_no",
			"a whole number where text is expected", "org_no = ***", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, es := loadErrors(t, tt.text, Options{})
			if len(es) != 1 {
				t.Fatalf("%d errors, want 1: %v", len(es), es)
			}
			e := es[0]
			if e.File != p || e.Line != tt.line || e.Field != tt.field {
				t.Errorf("at %s:%d field %q, want %s:%d field %q", e.File, e.Line, e.Field, p, tt.line, tt.field)
			}
			if !strings.Contains(e.Problem, tt.problem) {
				t.Errorf("problem %q lacks %q", e.Problem, tt.problem)
			}
			if !strings.Contains(e.Fix, "config init") && !strings.Contains(e.Fix, "double quotes") {
				t.Errorf("fix %q", e.Fix)
			}
			lines := strings.Split(e.Excerpt, "\n")
			if len(lines) != 2 {
				t.Fatalf("excerpt %q: want the line and the caret", e.Excerpt)
			}
			num, shown, _ := strings.Cut(lines[0], " | ")
			if strings.TrimSpace(num) != strconv.Itoa(tt.line) || shown != tt.shown {
				t.Errorf("excerpt line %q, want %d | %q", lines[0], tt.line, tt.shown)
			}
			_, caret, _ := strings.Cut(lines[1], " | ")
			if col := len([]rune(caret)); !strings.HasSuffix(caret, "^") || col != tt.caret {
				t.Errorf("caret line %q: column %d, want %d", lines[1], col, tt.caret)
			}
			if !strings.Contains(e.Error(), e.Excerpt) {
				t.Errorf("Error() lacks the excerpt: %q", e.Error())
			}
		})
	}
}

// A syntax error meets text the parser cannot read, which is where a value
// pasted without quotes ends up: the message and the excerpt show none of
// it, and none of the line's other words, whatever the mistake.
func TestSyntaxErrorsNeverShowTheValue(t *testing.T) {
	const secret = "hunter2Xq9ZsecretPassw0rd"
	for _, text := range []string{
		"[vendor]\nkey_password = " + secret + "\n",
		"[vendor]\npassword " + secret + "\n",
		"[vendor]\n" + secret + "\n",
		"[vendor]\nkey_file = \"vendor.pem\" " + secret + "\n",
		"[vendor]\nkey_file = \"" + secret + "\" x\n",
		"[vendor]\nkey_file = \"" + secret + "\n",
		"[vendor]\nkey_file = \"x\" # " + secret + " ]]]\n[\n",
		"[vendor\n# " + secret + "\n",
		"[vendor]\nkey_id = \"a\\q" + secret + "\"\n",
		"[vendor]\nretries = 1" + secret + "\n",
		"[vendor." + secret + "\n",
		"[network]\nretries = " + strings.Repeat("9", 30) + "\n",
	} {
		_, es := loadErrors(t, text, Options{})
		for _, e := range es {
			msg := e.Error()
			for _, part := range []string{secret, secret[:8], secret[8:16], "hunter2", "Passw0rd", strings.Repeat("9", 10)} {
				if strings.Contains(msg, part) {
					t.Errorf("%q: the error shows %q:\n%s", text, part, msg)
				}
			}
		}
	}
}

// A misspelt env comes first, with the name it most likely meant, and
// without the knock-on errors of a real environment it is not.
func TestUnknownEnvComesFirstWithASuggestion(t *testing.T) {
	for _, tt := range []struct {
		text, env, want string
	}{
		{"env = \"mokc\"\n[vendor]\norg_no = \"991825827\"\n", "", "did you mean mock?"},
		{"env = \"TT02\"\n", "", "did you mean tt02?"},
		{"env = \"tt2\"\n", "", "did you mean tt02?"},
		{"env = \"production\"\n", "", "did you mean prod?"},
		{"[vendor]\norg_no = \"991825827\"\n", "mokc", "did you mean mock?"},
		{"env = \"staging\"\n", "", "allowed: mock, tt02, prod"},
	} {
		_, es := loadErrors(t, tt.text, Options{Env: tt.env})
		if es[0].Field != "env" || !strings.Contains(es[0].Error(), tt.want) {
			t.Errorf("%q --env %q: first error %v, want env with %q", tt.text, tt.env, es[0], tt.want)
		}
		for _, e := range es[1:] {
			if strings.Contains(e.Problem, "not filled in") {
				t.Errorf("%q: a knock-on error after the env: %v", tt.text, e)
			}
		}
	}
	// A bad field elsewhere is still reported, after the env.
	_, es := loadErrors(t, "[customer]\norg_no = \"1\"\n", Options{Env: "mokc"})
	if len(es) != 2 || es[0].Field != "env" || es[1].Field != "customer.org_no" {
		t.Errorf("env first, then the org number: %v", es)
	}
}

func TestNearestEnv(t *testing.T) {
	for in, want := range map[string]string{
		"mokc": "mock", "mck": "mock", "Mock": "mock", "mocks": "mock", "tt-02": "tt02", "tt03": "tt02",
		"prd": "prod", "Production": "prod", "staging": "", "": "", "test": "",
	} {
		if got := nearestEnv(in); got != want {
			t.Errorf("nearestEnv(%q) = %q, want %q", in, got, want)
		}
	}
}
