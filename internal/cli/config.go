package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/systembruker/workbench/config"
)

const configHelp = `Usage: workbench config init [FILE] [--force]
       workbench config check [FILE] [--online]

  init    writes a commented starter configuration for Altinn tt02 and test
          Maskinporten to FILE (default workbench.toml), mode 0600. Every field
          says what to put there; the ones you must fill in say FILL IN. An
          existing file is never overwritten unless you pass --force.
  check   reads the configuration (FILE, else as every command finds it:
          --config, $WORKBENCH_CONFIG, ./workbench.toml, then workbench.toml in
          your config directory), applies the environment variables, and says
          field by field what is wrong and how to fix it. It also opens the key
          file (exists, parses, permissions, kid) and looks for the
          subscription key's file or variable, without ever showing a secret.
          --online then asks Maskinporten for a vendor token with each client
          id, to prove the client id, key and scopes before any flow. Exit
          status 1 when anything must be fixed.

Environment variables override the file: WORKBENCH_ENV, WORKBENCH_CLIENT_ID,
WORKBENCH_KEY_FILE, WORKBENCH_KEY_ID, WORKBENCH_CUSTOMER_ORG,
WORKBENCH_EXTERNAL_REF; the secrets WORKBENCH_KEY_PASSWORD and
WORKBENCH_SUBSCRIPTION_KEY are read only from the environment or from files.
`

// defaultConfigFile is what `config init` writes and `config check` reads
// when told nothing else.
const defaultConfigFile = "workbench.toml"

func cmdConfig(g globals, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		if len(args) == 0 {
			fmt.Fprintf(stderr, "workbench config: say init or check\n\n%s", configHelp)
			return 2
		}
		fmt.Fprint(stdout, configHelp)
		return 0
	}
	switch args[0] {
	case "init":
		return cmdConfigInit(g, args[1:], stdout, stderr)
	case "check":
		return cmdConfigCheck(g, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "workbench config: unknown subcommand %q (init, check)\n\n%s", args[0], configHelp)
	return 2
}

func cmdConfigInit(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config init", flag.ContinueOnError)
	force := fs.Bool("force", false, "overwrite an existing file")
	pos, code, ok := parse(fs, &g, args, 1, stdout, stderr, configHelp)
	if !ok {
		return code
	}
	path := g.sys.path(defaultConfigFile)
	if len(pos) == 1 {
		path = pos[0]
	}
	if err := config.WriteStarter(path, *force); err != nil {
		fmt.Fprintf(stderr, "workbench config init: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (mode 0600): a starter configuration for Altinn tt02 and test Maskinporten.\n", path)
	fmt.Fprintf(stdout, "Fill in the fields marked FILL IN, then run: workbench config check %s\n", path)
	return 0
}

func cmdConfigCheck(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	online := fs.Bool("online", false, "ask Maskinporten for a vendor token")
	pos, code, ok := parse(fs, &g, args, 1, stdout, stderr, configHelp)
	if !ok {
		return code
	}
	found := g.find()
	if len(pos) == 1 {
		found = config.Found{Path: pos[0], From: "the command line"}
	}
	path := found.Path
	if path == "" {
		fmt.Fprintf(stderr, "workbench config check: no configuration: looked at --config, $WORKBENCH_CONFIG, %s.\n", strings.Join(found.Looked, ", "))
		fmt.Fprintf(stderr, "`workbench config init` writes a commented starter.\n")
		return 1
	}
	r := config.Check(path, config.Options{Getenv: g.sys.getenv, Env: g.env, AllowProd: g.allowProd})
	env := "?"
	if r.Config != nil {
		env = r.Config.Env
	}
	fmt.Fprintf(stdout, "Checking %s (%s; env %s)\n\n", path, found.From, env)
	printFindings(stdout, r.Findings)
	if *online {
		switch {
		case r.Count(config.Problem) > 0:
			fmt.Fprintln(stdout, "\n--online: not asked, as the fields have problems")
		case r.Config != nil:
			fmt.Fprintf(stdout, "\nOnline, at %s:\n", r.Config.Profile().Maskinporten)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			more := config.CheckOnline(ctx, r.Config)
			stop()
			printFindings(stdout, more)
			r.Findings = append(r.Findings, more...)
		}
	}
	problems, warnings := r.Count(config.Problem), r.Count(config.Warning)
	fmt.Fprintln(stdout)
	switch {
	case problems > 0:
		fmt.Fprintf(stdout, "%s, %s. Fix the problems and run `workbench config check %s` again.\n",
			plural(problems, "problem"), plural(warnings, "warning"), path)
		return 1
	case warnings > 0:
		fmt.Fprintf(stdout, "Usable, with %s.\n", plural(warnings, "warning"))
	default:
		fmt.Fprintln(stdout, "No problems.")
	}
	if !*online && r.Config != nil && r.Config.Real() {
		fmt.Fprintf(stdout, "`workbench config check --online %s` asks Maskinporten for a token to prove the client id, key and scopes.\n", path)
	}
	return 0
}

// printFindings prints one finding a line (two with a fix):
//
//	problem  workbench.toml:62  vendor.org_no: not filled in
//	         fix: your organisation's number ...
func printFindings(w io.Writer, fs []config.Finding) {
	for _, f := range fs {
		var b strings.Builder
		fmt.Fprintf(&b, "%-8s ", f.Level)
		if f.Where != "" {
			b.WriteString(f.Where + "  ")
		}
		if f.Field != "" {
			b.WriteString(f.Field + ": ")
		}
		b.WriteString(f.Text)
		fmt.Fprintln(w, b.String())
		for _, l := range strings.Split(f.Excerpt, "\n") {
			if l != "" {
				fmt.Fprintf(w, "%-8s %s\n", "", l)
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "%-8s fix: %s\n", "", f.Fix)
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
