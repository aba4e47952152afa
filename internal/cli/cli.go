// Package cli is the workbench's command line: it parses the flags, wires
// the configuration, the clients, the mocks and the flow engine together
// (see wire), hands the run to a view (the TUI, the headless printer, a
// transcript) and turns the outcome into an exit status. It holds no flow
// logic of its own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/internal/cli/wire"
	"github.com/systembruker/workbench/tui"
)

const usage = `Systembruker Workbench: the Altinn 3 system user flow with Maskinporten, step by step.

Usage:
  workbench [global flags]                 the terminal UI, on the embedded mocks unless the config says otherwise
  workbench run [--scenario NAME] [--format text|json] [-v] [--transcript FILE]
                [--yes] [--delete-rejected | --external-ref REF] [--fix] [--compare SCENARIO|RUN.json]
                                           the same flow headless; exit 0 when every step ends as expected;
                                           --compare: what differs from another run (exit 0: only what always differs);
                                           --transcript writes a Markdown handout, curl script or .http file;
                                           --yes writes to a real system register without asking;
                                           an exercise runs as delivered, or with --fix its fix applied
  workbench serve [--seed FILE] [--addr HOST:PORT [--public-url URL]] [--log-format text|json] [--demo DIR]
                                           only the mock services, until interrupted; --addr puts
                                           them on one listener under /maskinporten/, /altinn/,
                                           /skatteetaten/; --demo writes a ready client key and seed
  workbench scenarios [--json] [--export NAME]
                                           list the scenarios (exercises marked); --export prints a
                                           built-in scenario's file, to copy and change
  workbench config init [FILE] [--force]   write a commented starter configuration for tt02
  workbench config check [FILE] [--online] say, field by field, what is wrong with a configuration;
                                           --online proves the client ids, key and scopes with Maskinporten
  workbench keys new [--out FILE] [--kid KID]
                                           make a key pair; prints the public JWK to register
  workbench keys new --certificate --org ORGNO [--out FILE] [--password-file FILE] [--force]
                                           a test business certificate (PKCS#12) the mocks trust
  workbench token [--agent] [--decode] [--org ORGNO] [--external-ref REF] [--scope S]
                                           print a system user access token (for curl and scripts)
  workbench cleanup [--yes]                delete what the workbench made in a real environment
  workbench explain CODE... | --list       what an error code means, its usual cause, the fix and the doc page
  workbench inspect [JWT | -] [--jwks FILE] [--against URL]
                                           a grant or token from your code: decoded, explained, and
                                           checked against every rule, with the mock's code and words;
                                           exit 0 all hold, 1 one broken, 2 not a JWT
  workbench classroom [--listen HOST:PORT] [--host-key FILE] [--authorized-keys FILE]
                                           serve the workbench over SSH to a room of trainees, each on
                                           a mock world of their own, with a live roster here

Global flags (before or after the command):
  --config FILE    TOML configuration (else $WORKBENCH_CONFIG, ./workbench.toml, then
                   workbench/workbench.toml in your config directory; none: the embedded
                   mocks and tt02 test data)
  --env mock|tt02|prod
                   environment profile, over the config's env and WORKBENCH_ENV
  --allow-prod     accept env prod (production: real organisations and data)
  --scenarios DIR  a folder of scenario files (*.toml): their scenarios and exercises come
                   beside the built-in ones, in the terminal UI, run and scenarios
  --present        the terminal UI in presenter mode: high contrast, more space, and the
                   scenario runs itself view by view (space pauses, → ← move, + - pace,
                   esc hands back the keys)
  --pace DURATION  how long presenter mode shows each view (default 8s)
  --help           this help
  --version        the version
`

// globals are the flags every command takes, and the command's Env.
type globals struct {
	sys       Env
	stdin     io.Reader
	config    string
	env       string
	allowProd bool
	// present and pace are the terminal UI's presenter mode.
	present bool
	pace    time.Duration
	// scenarios is a folder of a trainer's scenario files, listed beside
	// the built-in ones.
	scenarios string
}

// register adds the global flags to a command's flag set. The defaults are
// the values already parsed, so that a flag given before the command
// survives the command's own parse.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.config, "config", g.config, "TOML configuration `FILE`")
	fs.StringVar(&g.env, "env", g.env, "environment profile: mock, tt02 or prod")
	fs.BoolVar(&g.allowProd, "allow-prod", g.allowProd, "accept env prod")
	fs.StringVar(&g.scenarios, "scenarios", g.scenarios, "a folder of scenario files (`DIR`)")
	pace := g.pace
	if pace == 0 {
		pace = tui.DefaultPace
	}
	fs.BoolVar(&g.present, "present", g.present, "the terminal UI in presenter mode")
	fs.DurationVar(&g.pace, "pace", pace, "presenter mode's time per view")
}

// Main runs the command line with the process's environment (ProcessEnv)
// and returns the exit status: 0 done, 1 the command failed (or a scenario
// did not end as expected), 2 a usage or configuration error. stdin is for
// commands that read their input.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return MainEnv(args, stdin, stdout, stderr, ProcessEnv(stdin))
}

// MainEnv is Main in the given Env.
func MainEnv(args []string, stdin io.Reader, stdout, stderr io.Writer, sys Env) int {
	g := globals{sys: sys, stdin: stdin}
	fs := flag.NewFlagSet("workbench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	version := fs.Bool("version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "workbench: %v\n\n%s", err, usage)
		return 2
	}
	if *version {
		fmt.Fprintf(stdout, "workbench %s\n", versionString())
		return 0
	}
	if g.pace <= 0 {
		fmt.Fprintf(stderr, "workbench: --pace %s: say how long each view shows, e.g. 8s\n", g.pace)
		return 2
	}
	rest := fs.Args()
	cmd := ""
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "":
		return cmdTUI(g, stdout, stderr)
	case "run":
		return cmdRun(g, rest, stdout, stderr)
	case "serve":
		return cmdServe(g, rest, stdout, stderr)
	case "scenarios":
		return cmdScenarios(g, rest, stdout, stderr)
	case "config":
		return cmdConfig(g, rest, stdout, stderr)
	case "keys":
		return cmdKeys(g, rest, stdout, stderr)
	case "token":
		return cmdToken(g, rest, stdout, stderr)
	case "explain":
		return cmdExplain(g, rest, stdout, stderr)
	case "inspect":
		return cmdInspect(g, rest, stdin, stdout, stderr)
	case "cleanup":
		return cmdCleanup(g, rest, stdout, stderr)
	case "classroom":
		return cmdClassroom(g, rest, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "workbench: unknown command %q (commands: run, serve, scenarios, config, keys, token, cleanup, explain, inspect, classroom)\n\n%s", cmd, usage)
	return 2
}

func versionString() string {
	v := client.Version
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return v
}

// loadConfig finds the config as every command does (--config,
// $WORKBENCH_CONFIG, ./workbench.toml, the user's config directory), says
// on stderr which file it uses (and, unless quiet, that there is none), and
// reads it with the global flags (--env, --allow-prod); who names the
// command in the error ("workbench token").
func loadConfig(g globals, who string, stderr io.Writer, quiet bool) (*config.Config, config.Found, bool) {
	f := g.find()
	announce(stderr, f, quiet)
	c, err := config.LoadWith(f.Path, config.Options{Getenv: g.sys.getenv, Env: g.env, AllowProd: g.allowProd})
	if err != nil {
		fmt.Fprintf(stderr, "%s: configuration is not usable:\n%v\n", who, err)
		if f.Path != "" {
			fmt.Fprintf(stderr, "(`workbench config check %s` says more)\n", f.Path)
		}
		return nil, f, false
	}
	return c, f, true
}

// start loads the config and starts its session, which lasts until the
// process is interrupted or end is called; ctx ends with it.
func start(g globals, stderr io.Writer, quiet bool) (ctx context.Context, s *wire.Session, end func(), ok bool) {
	c, _, ok := loadConfig(g, "workbench", stderr, quiet)
	if !ok {
		return nil, nil, nil, false
	}
	return startWith(c, stderr)
}

// startWith starts the session of a loaded config.
func startWith(c *config.Config, stderr io.Writer) (ctx context.Context, s *wire.Session, end func(), ok bool) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	s, err := wire.Start(ctx, c)
	if err != nil {
		stop()
		fmt.Fprintf(stderr, "workbench: %v\n", err)
		return nil, nil, nil, false
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "workbench: warning: %s\n", w)
	}
	return ctx, s, func() { s.Close(); stop() }, true
}
