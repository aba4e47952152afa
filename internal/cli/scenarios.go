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

const scenariosHelp = "Usage: workbench scenarios [--json]\n\nLists the scenarios, one line each: name and summary.\n"

func cmdScenarios(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "as JSON")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, scenariosHelp); !ok {
		return code
	}
	c, _, ok := loadConfig(g, "workbench", stderr, true)
	if !ok {
		return 2
	}
	list := flow.Scenarios(wire.Summary(c))
	if *asJSON {
		type item struct{ Name, Summary string }
		var out []item
		for _, s := range list {
			out = append(out, item{s.Name, s.Summary})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Summary)
	}
	tw.Flush()
	return 0
}
