package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"text/tabwriter"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/tui"
)

func versionString() string {
	v := client.Version
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return v
}

// loadConfig reads the config and applies --env.
func loadConfig(g globals, stderr io.Writer) (*config.Config, bool) {
	c, err := config.LoadWith(g.config, config.Options{Env: g.env, AllowProd: g.allowProd})
	if err != nil {
		fmt.Fprintf(stderr, "workbench: configuration is not usable:\n%v\n", err)
		return nil, false
	}
	return c, true
}

// start loads the config and starts its session until ctx ends.
func start(ctx context.Context, g globals, stderr io.Writer) (*config.Session, bool) {
	c, ok := loadConfig(g, stderr)
	if !ok {
		return nil, false
	}
	s, err := c.Start(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "workbench: %v\n", err)
		return nil, false
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "workbench: warning: %s\n", w)
	}
	return s, true
}

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
	transcript := fs.String("transcript", "", "transcript `FILE`")
	transcriptFormat := fs.String("transcript-format", "", "md, curl or http")
	fullTokens := fs.Bool("full-tokens", false, "tokens in full in the transcript")
	showSecrets := fs.Bool("show-secrets", false, "secret headers as recorded in the transcript")
	if code, ok := parseFlags(fs, &g, args, stdout, stderr, runHelp); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "workbench run: --format %q: say text or json\n", *format)
		return 2
	}
	var tf flow.TranscriptFormat
	if *transcript == "" && (*transcriptFormat != "" || *fullTokens || *showSecrets) {
		fmt.Fprintln(stderr, "workbench run: --transcript-format, --full-tokens and --show-secrets need --transcript FILE")
		return 2
	}
	if *transcript != "" {
		var err error
		if *transcriptFormat != "" {
			tf, err = flow.ParseTranscriptFormat(*transcriptFormat)
		} else {
			tf, err = flow.TranscriptFormatFor(*transcript)
		}
		if err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, ok := start(ctx, g, stderr)
	if !ok {
		return 2
	}
	defer s.Close()
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
		p := &flow.TextPrinter{W: stdout, Scenario: sc, Verbose: *verbose}
		p.Header()
		rep = eng.RunAll(ctx, p.Event)
		p.Footer(rep)
	}
	if *transcript != "" {
		opts := flow.TranscriptOptions{Settings: s.Settings, Params: eng.State().Params, FullTokens: *fullTokens, ShowSecrets: *showSecrets}
		if err := writeTranscript(*transcript, rep, tf, opts); err != nil {
			fmt.Fprintf(stderr, "workbench run: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "workbench run: transcript (%s) written to %s\n", tf, *transcript)
	}
	if !rep.OK {
		return 1
	}
	return 0
}

// writeTranscript writes the run's transcript to file: a script executable,
// and private when it holds full tokens or secrets.
func writeTranscript(file string, rep flow.Report, tf flow.TranscriptFormat, opts flow.TranscriptOptions) error {
	perm := os.FileMode(0o644)
	if opts.FullTokens || opts.ShowSecrets {
		perm = 0o600
	}
	if tf == flow.TranscriptCurl {
		perm |= (perm & 0o444) >> 2 // executable by whoever may read it
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	// An existing file keeps its mode on open: narrow it, so full tokens
	// never land in a file others may read.
	if opts.FullTokens || opts.ShowSecrets {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return fmt.Errorf("transcript %s: %w", file, err)
		}
	}
	if err := flow.WriteTranscript(f, rep, tf, opts); err != nil {
		f.Close()
		return fmt.Errorf("transcript %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("transcript %s: %w", file, err)
	}
	return nil
}

const serveHelp = `Usage: workbench serve [--seed FILE]

Runs only the mock services, on loopback, until interrupted, for your own
code and tests. Prints one line per service: NAME URL, for maskinporten,
altinn and skatteetaten. The world starts with the seed's organisations,
persons and roles, Altinn's scopes, and Skatteetaten's scope and resource;
the seed file (JSON, see README.md) adds your clients, systems, system users
and client delegations.

  --seed FILE   JSON seed file
`

func cmdServe(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	seedFile := fs.String("seed", "", "JSON seed `FILE`")
	if code, ok := parseFlags(fs, &g, args, stdout, stderr, serveHelp); !ok {
		return code
	}
	seed := mock.ServiceOwnerSeed()
	if *seedFile != "" {
		more, err := mock.ReadSeedFile(*seedFile)
		if err != nil {
			fmt.Fprintf(stderr, "workbench serve: %v\n", err)
			return 2
		}
		seed = seed.Merge(more)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := mock.Start(ctx, seed)
	if err != nil {
		fmt.Fprintf(stderr, "workbench serve: %v\n", err)
		return 1
	}
	defer env.Close()
	fmt.Fprintf(stdout, "maskinporten %s\naltinn %s\nskatteetaten %s\n", env.MaskinportenURL, env.AltinnURL, env.SkatteetatenURL)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return 0
}

func cmdScenarios(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "as JSON")
	if code, ok := parseFlags(fs, &g, args, stdout, stderr, "Usage: workbench scenarios [--json]\n\nLists the scenarios, one line each: name and summary.\n"); !ok {
		return code
	}
	c, ok := loadConfig(g, stderr)
	if !ok {
		return 2
	}
	st := config.Summary(c)
	list := flow.Scenarios(st)
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

// cmdTUI opens the terminal UI on the configured environment. When stdout
// is not a terminal (a pipe, CI) it runs the standard scenario headless
// instead.
func cmdTUI(g globals, stdout, stderr io.Writer) int {
	if g.pace <= 0 {
		fmt.Fprintf(stderr, "workbench: --pace %s: say how long each view shows, e.g. 8s\n", g.pace)
		return 2
	}
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		return cmdRun(g, nil, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, ok := start(ctx, g, stderr)
	if !ok {
		return 2
	}
	defer s.Close()
	// The session's renderer draws for this terminal. Ask it for its
	// background before Bubble Tea owns the input, so light and dark
	// themes pick their colours.
	r := lipgloss.NewRenderer(out)
	r.HasDarkBackground()
	opts := []tui.Option{tui.WithRenderer(r), tui.WithOutput(out), tui.WithEnv(os.LookupEnv)}
	if g.present {
		opts = append(opts, tui.WithPresenter(g.pace))
	}
	m := tui.New(ctx, s.Services, s.Settings, opts...)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintf(stderr, "workbench: %v\n", err)
		return 1
	}
	return 0
}
