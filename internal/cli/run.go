package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

const runHelp = `Usage: workbench run [--scenario NAME] [--format text|json] [-v] [--yes]
                    [--delete-rejected | --external-ref REF] [--fix]
                    [--compare SCENARIO|RUN.json]
                    [--transcript FILE [--transcript-format md|curl|http]
                     [--full-tokens] [--show-secrets]]

Runs a scenario headless against the configured environment and prints each
step with its actor, exchanges and tokens. Exit status 0 when every step ends
as the scenario expects (including a failure scenario's expected error),
1 otherwise; an exercise as delivered is unsolved, so 1.

  --scenario NAME   the scenario (default standard; see workbench scenarios)
  --format FORMAT   text (default) or json
  -v                text: the decoded tokens' claims in full
  --fix             an exercise with its documented fix applied: every step
                    is then to end ok (exit 0). Without it an exercise runs
                    as delivered, as a trainee gets it: its step fails with
                    the exercise's code (exit 1), and the last line says
                    whether it failed where and how the exercise says

--scenarios DIR (a global flag) adds the scenarios of a folder of scenario
files to the ones --scenario may name.

Spot the difference:

  --compare OTHER   compare the run with another: a scenario (run after it,
                    on the same services) or a file written by run --format
                    json. Prints the comparison instead of the run, step by
                    step (steps pair up by id; a step only one run has says
                    so), text or, with --format json, as data; -v lists what
                    always differs too. Values that always differ (ids, jti,
                    times, signatures, loopback ports, korrelasjonsid) are
                    "differs as expected", never a finding. Exit status 0
                    when the runs differ only in those, 1 otherwise

In a real environment (tt02):

  --yes             write to the system register without asking: register
                    the system, or update it where the config changed. Without
                    it, run shows what it would write and exits 1
  --delete-rejected when Altinn gives back a rejected request, delete it
                    (202) and ask again
  --external-ref REF
                    ask for the system user with this externalRef (a new one
                    after a rejection); tokens must then name it too

Where a person does their part in the Altinn portal and no API shows it (the
client administrator delegating a client), run waits for Enter on a terminal;
without a terminal it says what to do and exits 1.

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

// transcriptFlags says what --transcript and its flags ask for: a file
// and its format, or nothing; ok false means a usage error, said.
func transcriptFlags(file, fileFormat string, fullTokens, showSecrets bool, stderr io.Writer) (tf transcript.Format, ok bool) {
	if file == "" {
		if fileFormat != "" || fullTokens || showSecrets {
			fmt.Fprintln(stderr, "workbench run: --transcript-format, --full-tokens and --show-secrets need --transcript FILE")
			return tf, false
		}
		return tf, true
	}
	var err error
	if fileFormat != "" {
		tf, err = transcript.ParseFormat(fileFormat)
	} else {
		tf, err = transcript.FormatFor(file)
	}
	if err != nil {
		fmt.Fprintf(stderr, "workbench run: %v\n", err)
		return tf, false
	}
	return tf, true
}

func cmdRun(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	name := fs.String("scenario", "standard", "scenario `NAME`")
	format := fs.String("format", "text", "text or json")
	verbose := fs.Bool("v", false, "verbose")
	file := fs.String("transcript", "", "transcript `FILE`")
	fileFormat := fs.String("transcript-format", "", "md, curl or http")
	fullTokens := fs.Bool("full-tokens", false, "tokens in full in the transcript")
	showSecrets := fs.Bool("show-secrets", false, "secret headers as recorded in the transcript")
	yes := fs.Bool("yes", false, "write to the system register without asking")
	deleteRejected := fs.Bool("delete-rejected", false, "delete a rejected request and ask again")
	externalRef := fs.String("external-ref", "", "the request's externalRef")
	fix := fs.Bool("fix", false, "run an exercise with its fix applied")
	other := fs.String("compare", "", "a scenario `NAME` or a `RUN.json` to compare the run with")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, runHelp); !ok {
		return code
	}
	if *externalRef != "" && *deleteRejected {
		fmt.Fprintln(stderr, "workbench run: --delete-rejected and --external-ref are the two ways on after a rejection: say one")
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "workbench run: --format %q: say text or json\n", *format)
		return 2
	}
	tf, ok := transcriptFlags(*file, *fileFormat, *fullTokens, *showSecrets, stderr)
	if !ok {
		return 2
	}
	c, found, ok := loadConfig(g, "workbench", stderr, false)
	if !ok {
		return 2
	}
	ctx, s, end, ok := startWith(c, stderr)
	if !ok {
		return 2
	}
	defer end()
	s.Settings.Yes = *yes
	sc, ok := runScenario(g, s.Settings, *name, *fix, stderr)
	if !ok {
		return 2
	}
	cmp, ok := comparisonFor(g, s.Settings, sc.Name, *other, stderr)
	if !ok {
		return 2
	}
	eng := flow.NewEngine(s.Services, s.Settings, sc)
	for p, v := range map[flow.Param]string{flow.ParamExternalRef: *externalRef, flow.ParamRenew: map[bool]string{true: flow.RenewDelete}[*deleteRejected]} {
		if v == "" {
			continue
		}
		if err := eng.SetParam(p, v); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 2
		}
	}
	if g.sys.Interactive {
		eng.SetAsker(enterWhenDone(g.stdin, stderr))
	}
	cmd := runCommand{found: found, env: g.env, scenario: *name, yes: *yes}
	var rep flow.Report
	code := 0
	switch {
	case cmp != nil:
		rep = eng.RunAll(ctx, nil)
		whatNow(stderr, rep, cmd)
		code = cmp.run(ctx, s.Services, rep, *format, *verbose, stdout, stderr)
	case *format == "json":
		rep = eng.RunAll(ctx, nil)
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
		exerciseNote(stderr, rep, *fix)
		whatNow(stderr, rep, cmd)
	default:
		p := &printer{w: stdout, scenario: sc, verbose: *verbose}
		p.header()
		rep = eng.RunAll(ctx, p.event)
		p.footer(rep)
		exerciseNote(stdout, rep, *fix)
		whatNow(stdout, rep, cmd)
	}
	if *file != "" {
		opts := transcript.Options{Settings: s.Settings, Params: eng.State().Params, FullTokens: *fullTokens, ShowSecrets: *showSecrets}
		if err := transcript.WriteFile(*file, rep, tf, opts); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "workbench run: transcript (%s) written to %s\n", tf, *file)
	}
	if cmp == nil && (!rep.OK || (sc.Exercise != nil && !*fix)) {
		return 1
	}
	return code
}

// runScenario is the scenario run runs: the named one of the built-in and
// --scenarios ones; an exercise as delivered (as it is: its step fails, as
// in the terminal UI) or, with fix, fixed.
func runScenario(g globals, set flow.Settings, name string, fix bool, stderr io.Writer) (flow.Scenario, bool) {
	list, ok := scenarioList(g, set, stderr)
	if !ok {
		return flow.Scenario{}, false
	}
	sc, err := flow.FindIn(list, name)
	if err != nil {
		fmt.Fprintf(stderr, "workbench run: %v\n", err)
		return flow.Scenario{}, false
	}
	switch {
	case fix && sc.Exercise == nil:
		fmt.Fprintf(stderr, "workbench run: --fix: %s is no exercise\n", sc.Name)
		return flow.Scenario{}, false
	case fix:
		return sc.Fixed(), true
	}
	return sc, true
}

// exerciseNote says what a headless run of an exercise showed: as
// delivered, that its step fails where and how the exercise says (or what
// happened instead, for a trainer checking a file); with --fix, whether
// the fix works.
func exerciseNote(w io.Writer, rep flow.Report, fixed bool) {
	x := rep.Scenario.Exercise
	switch {
	case x == nil:
	case fixed && rep.OK:
		fmt.Fprintf(w, "Exercise %s: its fix (%s) makes every step end ok.\n", rep.Scenario.Name, x.FixText())
	case fixed:
		fmt.Fprintf(w, "Exercise %s: its fix (%s) does NOT make every step end ok: the exercise's fix is to be corrected.\n", rep.Scenario.Name, x.FixText())
	default:
		if err := rep.Scenario.AsDelivered(rep.Results); err != nil {
			fmt.Fprintf(w, "Exercise %s does NOT fail as it says (at step %s, with %s): %v.\n", rep.Scenario.Name, x.Step, x.Code, err)
			return
		}
		fmt.Fprintf(w, "Exercise %s as delivered: step %s fails with %s, as the exercise says, until a trainee fixes it in "+
			"the terminal UI (e edits the inputs, t gives a hint); exit 1, as it is unsolved. run --fix applies the documented fix.\n",
			rep.Scenario.Name, x.Step, x.Code)
	}
}
