package lazyre

import (
	"regexp"
	"slices"
	"testing"
)

// A Regexp compiles once, when first used, and answers as
// regexp.Regexp does; Patterns has it.
func TestRegexpCompilesOnFirstUse(t *testing.T) {
	r := New(`^(\d+)-([a-z]+)$`)
	if !slices.Contains(Patterns(), `^(\d+)-([a-z]+)$`) {
		t.Error("Patterns lacks the pattern")
	}
	want := regexp.MustCompile(r.String())
	for _, s := range []string{"12-ab", "x12-ab", "12-"} {
		if r.MatchString(s) != want.MatchString(s) || !slices.Equal(r.FindStringSubmatch(s), want.FindStringSubmatch(s)) {
			t.Errorf("%q: %v %q", s, r.MatchString(s), r.FindStringSubmatch(s))
		}
	}
	if r.Regexp() != r.Regexp() {
		t.Error("compiled twice")
	}
	if got := New(`b+`).ReplaceAllStringFunc("abbcb", func(string) string { return "-" }); got != "a-c-" {
		t.Errorf("ReplaceAllStringFunc: %q", got)
	}
	if got := New(`b+`).ReplaceAllLiteralString("abbc", "$1"); got != "a$1c" {
		t.Errorf("ReplaceAllLiteralString: %q", got)
	}
}

// A pattern that does not compile panics when first used, as
// regexp.MustCompile does, not when declared.
func TestBrokenPatternPanicsOnUse(t *testing.T) {
	r := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	r.MatchString("x")
}
