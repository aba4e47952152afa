package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

const runHelp = `Usage: workbench run [--scenario NAME] [--format text|json] [-v]
                    [--transcript FILE [--transcript-format md|curl|http]
                     [--full-tokens] [--show-secrets]]

Runs a scenario headless against the configured environment and prints each
step with its actor, exchanges and tokens. Exit status 0 when every step ends
as the scenario expects (including a failure scenario's expected error),
1 otherwise.

  --scenario NAME   the scenario (default standard; see workbench scenarios)
  --format FORMAT   text (default) or json
  -v                text: the decoded tokens' claims in full

Transcripts: the run written to a file, besides the output above.

  --transcript FILE           write the run's transcript to FILE
  --transcript-format FORMAT  md: a training handout (the cast, a Mermaid
                              sequence diagram, every step with its HTTP
                              calls, decoded tokens and outcome, error codes
                              explained, what to remember);
                              curl: a bash script, one curl command per call;
                              http: an .http file for the VS Code REST Client
                              or the JetBrains HTTP client.
                              Default: from FILE's extension (.md, .sh, .http)
  --full-tokens               show tokens and grants in full; by default they
                              are shortened to their first 12 and last 6
                              characters (the file is then made private, 0600)
  --show-secrets              show secret headers (Ocp-Apim-Subscription-Key,
                              cookies) as the exchange holds them. The
                              workbench records those as [redacted] already,
                              so today this shows nothing more. Private keys
                              appear in no transcript.
`

func cmdRun(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	name := fs.String("scenario", "standard", "scenario `NAME`")
	format := fs.String("format", "text", "text or json")
	verbose := fs.Bool("v", false, "verbose")
	file := fs.String("transcript", "", "transcript `FILE`")
	fileFormat := fs.String("transcript-format", "", "md, curl or http")
	fullTokens := fs.Bool("full-tokens", false, "tokens in full in the transcript")
	showSecrets := fs.Bool("show-secrets", false, "secret headers as recorded in the transcript")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, runHelp); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "workbench run: --format %q: say text or json\n", *format)
		return 2
	}
	var tf transcript.Format
	if *file == "" && (*fileFormat != "" || *fullTokens || *showSecrets) {
		fmt.Fprintln(stderr, "workbench run: --transcript-format, --full-tokens and --show-secrets need --transcript FILE")
		return 2
	}
	if *file != "" {
		var err error
		if *fileFormat != "" {
			tf, err = transcript.ParseFormat(*fileFormat)
		} else {
			tf, err = transcript.FormatFor(*file)
		}
		if err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 2
		}
	}
	ctx, s, end, ok := start(g, stderr)
	if !ok {
		return 2
	}
	defer end()
	sc, err := flow.Find(s.Settings, *name)
	if err != nil {
		fmt.Fprintf(stderr, "workbench run: %v\n", err)
		return 2
	}
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	var rep flow.Report
	if *format == "json" {
		rep = eng.RunAll(ctx, nil)
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
	} else {
		p := &printer{w: stdout, scenario: sc, verbose: *verbose}
		p.header()
		rep = eng.RunAll(ctx, p.event)
		p.footer(rep)
	}
	if *file != "" {
		opts := transcript.Options{Settings: s.Settings, Params: eng.State().Params, FullTokens: *fullTokens, ShowSecrets: *showSecrets}
		if err := transcript.WriteFile(*file, rep, tf, opts); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "workbench run: transcript (%s) written to %s\n", tf, *file)
	}
	if !rep.OK {
		return 1
	}
	return 0
}
