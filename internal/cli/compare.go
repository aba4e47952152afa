package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/systembruker/workbench/compare"
	"github.com/systembruker/workbench/flow"
)

// comparison is what `run --compare OTHER` compares the run with: a
// scenario to run after it, or a run a file holds.
type comparison struct {
	settings flow.Settings
	scenario flow.Scenario   // to run, when other names a scenario
	file     *flow.RunReport // read, when other names a file
	labelA   string
	labelB   string
}

// comparisonFor is --compare's comparison, nil without the flag; ok
// false means a usage error, said.
func comparisonFor(g globals, set flow.Settings, scenarioA, other string, stderr io.Writer) (*comparison, bool) {
	if other == "" {
		return nil, true
	}
	list, ok := scenarioList(g, set, stderr)
	if !ok {
		return nil, false
	}
	c, err := newComparison(list, set, scenarioA, other)
	if err != nil {
		fmt.Fprintf(stderr, "workbench run: --compare %s: %v\n", other, err)
		return nil, false
	}
	return c, true
}

// newComparison reads what other names: a file written by `run --format
// json` (a name ending in .json or holding a path separator, or a file
// that is there and no scenario), else a scenario. The file is read now,
// before the run, so that a bad one is said at once.
func newComparison(list []flow.Scenario, set flow.Settings, scenarioA, other string) (*comparison, error) {
	c := &comparison{settings: set, labelA: scenarioA}
	isFile := strings.HasSuffix(other, ".json") || strings.ContainsRune(other, os.PathSeparator) || strings.ContainsRune(other, '/')
	sc, err := flow.FindIn(list, other)
	if err != nil && !isFile {
		if _, statErr := os.Stat(other); statErr != nil {
			return nil, fmt.Errorf("neither a file written by run --format json nor a scenario: %w", err)
		}
		isFile = true
	}
	if isFile {
		rep, err := compare.ReadFile(other)
		if err != nil {
			return nil, err
		}
		c.file = &rep
		c.labelB = filepath.Base(other)
	} else {
		c.scenario = sc // an exercise as delivered, as a trainee gets it and run runs it
		c.labelB = sc.Name
	}
	if c.labelA == c.labelB {
		c.labelA, c.labelB = c.labelA+" (this run)", c.labelB+" (again)"
	}
	return c, nil
}

// run runs the other scenario (a file is read already), compares run a
// with it and prints the comparison: exit 0 when the runs differ only in
// what always differs, 1 otherwise.
func (c *comparison) run(ctx context.Context, svc flow.Services, a flow.Report, format string, verbose bool, stdout, stderr io.Writer) int {
	ra, err := compare.FromReport(a)
	if err != nil {
		fmt.Fprintf(stderr, "workbench run: %v\n", err)
		return 1
	}
	var rb flow.RunReport
	if c.file != nil {
		rb = *c.file
	} else {
		b := flow.NewEngine(svc, c.settings, c.scenario).RunAll(ctx, nil)
		if b.StartErr != nil {
			fmt.Fprintf(stderr, "workbench run: --compare %s did not start: %v\n", c.scenario.Name, b.StartErr)
		}
		if rb, err = compare.FromReport(b); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "workbench run: %v\n", err)
		return 1
	}
	res := compare.Runs(compare.Run{Label: c.labelA, Report: ra}, compare.Run{Label: c.labelB, Report: rb})
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
	} else {
		printComparison(stdout, res, verbose)
	}
	if !res.Same {
		return 1
	}
	return 0
}
