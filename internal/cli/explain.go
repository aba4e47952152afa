package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/systembruker/workbench/client"
)

const explainHelp = `Usage: workbench explain CODE...
       workbench explain --list [--json]

Says what an error code means, its usual cause, the fix, and the public
page that documents it. CODE is anything the workbench shows: an MP id
(MP-303), an OAuth error (invalid_grant), an Altinn code (AUTH-00004,
AUTH.VLD-00001), a PDP decision (NotApplicable), a Skatteetaten code
(KB-005) or an HTTP status ("HTTP 403", or just 403).

  --list   every code the explainer knows
  --json   as JSON
`

func cmdExplain(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	list := fs.Bool("list", false, "every known code")
	asJSON := fs.Bool("json", false, "as JSON")
	codes, code, ok := parse(fs, &g, args, anyArgs, stdout, stderr, explainHelp)
	if !ok {
		return code
	}
	if *list {
		codes = client.ExplainedCodes()
	}
	if len(codes) == 0 {
		fmt.Fprint(stderr, explainHelp)
		return 2
	}
	var found []client.Explanation
	var unknown []string
	for _, c := range codes {
		if strings.Trim(c, "0123456789") == "" {
			c = "HTTP " + c
		}
		if e, ok := client.ExplainCode(c); ok {
			found = append(found, e)
		} else {
			unknown = append(unknown, c)
		}
	}
	switch {
	case *asJSON:
		b, _ := json.MarshalIndent(found, "", "  ")
		fmt.Fprintln(stdout, string(b))
	case *list:
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, e := range found {
			fmt.Fprintf(tw, "%s\t%s\n", e.Code, e.Title)
		}
		tw.Flush()
	default:
		for i, e := range found {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			printExplanation(stdout, "", e)
		}
	}
	for _, c := range unknown {
		fmt.Fprintf(stderr, "workbench explain: no explanation for %q; `workbench explain --list` shows the known codes\n", c)
	}
	if len(unknown) > 0 {
		return 1
	}
	return 0
}
