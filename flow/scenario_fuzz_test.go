package flow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// FuzzScenarioFile: whatever a trainer writes, reading it never panics; it
// gives scenarios that build, or errors that name the file; a line an
// error names is one of the file's.
func FuzzScenarioFile(f *testing.F) {
	for _, sc := range flow.Scenarios(flow.Settings{}) {
		if _, src, ok := flow.BuiltinScenarioFile(sc.Name); ok && len(src) < 4000 {
			f.Add(string(src))
		}
	}
	f.Add("[[scenario]]\nname = \"x\"\nsummary = \"{customer\"\n[[scenario.step]]\nstep = \"op-token\"\ntweak = { expired_by = \"-1s\", lifetime = \"1ns\" }\n")
	f.Add("[[scenario]]\n[scenario.exercise]\nfix = { decision = \"maybe\" }\nagain_from = \"\"\"\n[[x]]\n\"\"\"\n")
	f.Add("[[scenario.step]]\n[[scenario]]\n[scenario]\n")
	f.Fuzz(func(t *testing.T, src string) {
		sf, err := flow.ParseScenarioFile("f.toml", []byte(src))
		if err != nil {
			var fe flow.FileErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("error %v (%T), want FileErrors", err, err)
			}
			lines := strings.Count(src, "\n") + 1
			for _, e := range fe {
				if e.File != "f.toml" || e.Line < 0 || e.Line > lines {
					t.Fatalf("%+v in a file of %d lines", e, lines)
				}
			}
			return
		}
		for _, sc := range sf.Scenarios(flow.Settings{CustomerOrgNo: "310904473"}) {
			if sc.Name == "" || len(sc.Steps) == 0 {
				t.Fatalf("a scenario without a name or steps: %+v", sc)
			}
		}
	})
}
