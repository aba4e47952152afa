package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

const scenariosHelp = `Usage: workbench scenarios [--json] [--export NAME] [--scenarios DIR]

Lists the scenarios, one line each: name and summary. An exercise (a
scenario that starts broken, for a trainee to fix) says so on its line, and a
scenario read from --scenarios DIR names its file.

  --json          as JSON
  --export NAME   print the file of the built-in scenario NAME, to copy into
                  a folder of your own and change (the built-in files are
                  also in the repository, under flow/scenarios/)
`

func cmdScenarios(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "as JSON")
	export := fs.String("export", "", "print a built-in scenario's file")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, scenariosHelp); !ok {
		return code
	}
	if *export != "" {
		return exportScenario(g, *export, stdout, stderr)
	}
	c, _, ok := loadConfig(g, "workbench", stderr, true)
	if !ok {
		return 2
	}
	list, ok := scenarioList(g, wire.Summary(c), stderr)
	if !ok {
		return 2
	}
	if *asJSON {
		type item struct {
			Name, Summary string
			Exercise      bool   `json:",omitempty"`
			File          string `json:",omitempty"`
		}
		var out []item
		for _, s := range list {
			out = append(out, item{s.Name, s.Summary, s.Exercise != nil, s.File})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, scenarioLine(s))
	}
	tw.Flush()
	return 0
}

// scenarioLine is a scenario's summary as the list shows it: an exercise
// says so first, a trainer's scenario names its file last.
func scenarioLine(s flow.Scenario) string {
	line := s.Summary
	if s.Exercise != nil {
		line = "exercise: " + line
	}
	if s.File != "" {
		line += " (" + s.File + ")"
	}
	return line
}

// exportScenario prints a built-in scenario's file.
func exportScenario(g globals, name string, stdout, stderr io.Writer) int {
	file, src, ok := flow.BuiltinScenarioFile(name)
	if !ok {
		if list, ok := scenarioList(g, flow.Settings{}, io.Discard); ok {
			if sc, err := flow.FindIn(list, name); err == nil && sc.File != "" {
				fmt.Fprintf(stderr, "workbench scenarios: %s is in %s already: copy that file\n", name, sc.File)
				return 2
			}
		}
		_, err := flow.Find(flow.Settings{}, name)
		fmt.Fprintf(stderr, "workbench scenarios: --export: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "workbench scenarios: %s (%s); save it as a .toml file in your --scenarios folder and give it a name of its own\n", name, file)
	if _, err := stdout.Write(src); err != nil {
		return 1
	}
	return 0
}

// scenarioList is every scenario for the settings: the built-in ones, and
// the files' of --scenarios DIR. A folder that cannot be read, or a file
// with errors, is said on stderr (each error with its file, line and
// field), and ok is false.
func scenarioList(g globals, set flow.Settings, stderr io.Writer) ([]flow.Scenario, bool) {
	if g.scenarios == "" {
		return flow.Scenarios(set), true
	}
	files, err := flow.ReadScenarioDir(g.scenarios)
	if err != nil {
		fmt.Fprintf(stderr, "workbench: the scenario files in %s are not usable:\n%v\n", g.scenarios, err)
		return nil, false
	}
	return flow.Catalog(set, files), true
}
