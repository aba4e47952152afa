// Package lazyre holds regular expressions compiled on first use rather
// than when their package initialises. Go runs every linked package's
// initialisation in every process, and the workbench links them all: a
// pattern compiled at start-up (config's parser messages, the mocks'
// rules, the transcripts' HTML) costs `workbench token` its time though
// it never uses it.
//
// A Regexp has the methods of *regexp.Regexp the workbench calls;
// Patterns lists them all, so that a test can compile each (a broken
// pattern would otherwise panic only when first used).
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled when first used.
type Regexp struct {
	pattern string
	re      func() *regexp.Regexp
}

var (
	mu       sync.Mutex
	patterns []string
)

// New returns the expression for pattern, which must compile (as for
// regexp.MustCompile, which panics on first use if it does not).
func New(pattern string) *Regexp {
	mu.Lock()
	patterns = append(patterns, pattern)
	mu.Unlock()
	return &Regexp{pattern: pattern, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })}
}

// Patterns is every pattern New was given in this process.
func Patterns() []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), patterns...)
}

// Regexp is the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp { return r.re() }

// String is the pattern, without compiling it.
func (r *Regexp) String() string { return r.pattern }

// MatchString is regexp.Regexp's.
func (r *Regexp) MatchString(s string) bool { return r.re().MatchString(s) }

// FindString is regexp.Regexp's.
func (r *Regexp) FindString(s string) string { return r.re().FindString(s) }

// FindStringSubmatch is regexp.Regexp's.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.re().FindStringSubmatch(s) }

// FindAllString is regexp.Regexp's.
func (r *Regexp) FindAllString(s string, n int) []string { return r.re().FindAllString(s, n) }

// FindAllStringSubmatch is regexp.Regexp's.
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.re().FindAllStringSubmatch(s, n)
}

// ReplaceAllString is regexp.Regexp's.
func (r *Regexp) ReplaceAllString(src, repl string) string { return r.re().ReplaceAllString(src, repl) }

// ReplaceAllLiteralString is regexp.Regexp's.
func (r *Regexp) ReplaceAllLiteralString(src, repl string) string {
	return r.re().ReplaceAllLiteralString(src, repl)
}

// ReplaceAllStringFunc is regexp.Regexp's.
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.re().ReplaceAllStringFunc(src, repl)
}
