package cli

import (
	"regexp"
	"testing"

	"github.com/systembruker/workbench/internal/lazyre"
)

// TestEveryLazyPatternCompiles: the packages' regular expressions are
// compiled on first use (internal/lazyre), not at start-up, so a broken
// one would not panic until some command used it. This package links
// every package that declares one: each compiles here.
func TestEveryLazyPatternCompiles(t *testing.T) {
	ps := lazyre.Patterns()
	if len(ps) < 60 { // config's parser messages alone are 27
		t.Fatalf("%d patterns registered: is a package not linked?", len(ps))
	}
	for _, p := range ps {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}
