package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

const serveHelp = `Usage: workbench serve [--seed FILE] [--addr HOST:PORT [--public-url URL]]
                       [--log-format text|json] [--demo DIR]

Runs only the mock services until interrupted, for your own code and tests.
Prints one line per service: NAME URL, for maskinporten, altinn and
skatteetaten (Krav og betalinger's base URL, its path included: the API is
under URL + "v1/..."). The world starts with the seed's organisations,
persons and roles, Altinn's scopes, and Skatteetaten's scope and resource;
the seed file (JSON, see README.md) adds your clients, systems, system users
and client delegations. Each request is logged on stderr: method, path,
status, and for a refusal the error, its code and the rule in the mock's
words, and the duration.

  --seed FILE         JSON seed file
  --addr HOST:PORT    one listener for all three, under /maskinporten/, /altinn/
                      and /skatteetaten/, the knobs and GET /mock/health under
                      /mock/ on the root (default: a loopback port per service,
                      each at its root). A host other than loopback (0.0.0.0 in
                      a container) is used only when given, with a warning
  --public-url URL    scheme://host[:port] by which others reach --addr, e.g.
                      http://workbench:8080 for other containers: the issuers,
                      audiences and URLs carry it
  --log-format FMT    the request log: text (default) or json
  --demo DIR          write a ready world to DIR and serve it: a vendor client's
                      key (demo-key.pem), the seed (demo-seed.json, with the
                      client, its system and an approved system user) and a
                      config for "workbench --config DIR/workbench.toml token";
                      a key already in DIR is used again
`

// serveFlags are serve's flags.
type serveFlags struct {
	seed, addr, publicURL, logFormat, demo string
}

func cmdServe(g globals, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, g, args, stdout, stderr)
}

// serve is the serve command until ctx ends.
func serve(ctx context.Context, g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f serveFlags
	fs.StringVar(&f.seed, "seed", "", "JSON seed `FILE`")
	fs.StringVar(&f.addr, "addr", "", "one listener at `HOST:PORT`")
	fs.StringVar(&f.publicURL, "public-url", "", "the `URL` others reach --addr by")
	fs.StringVar(&f.logFormat, "log-format", "text", "the request log: text or json")
	fs.StringVar(&f.demo, "demo", "", "write a ready world to `DIR` and serve it")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, serveHelp); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "workbench serve: "+format+"\n", a...)
		return code
	}
	opts, msg := f.options(stderr)
	if msg != "" {
		return fail(2, "%s", msg)
	}
	seed := mock.ServiceOwnerSeed()
	var demo *demoWorld
	if f.demo != "" {
		var err error
		if demo, err = prepareDemo(f.demo); err != nil {
			return fail(2, "--demo %s: %v", f.demo, err)
		}
		seed = seed.Merge(demo.seed)
	}
	if f.seed != "" {
		more, err := mock.ReadSeedFile(f.seed)
		if err != nil {
			return fail(2, "%v", err)
		}
		seed = seed.Merge(more)
	}
	env, err := mock.StartWith(ctx, seed, opts)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer env.Close()
	if demo != nil {
		if err := demo.write(env); err != nil {
			return fail(1, "--demo %s: %v", f.demo, err)
		}
		demo.describe(stderr)
	}
	fmt.Fprintf(stdout, "maskinporten %s\naltinn %s\nskatteetaten %s\n", env.MaskinportenURL, env.AltinnURL, env.SkatteetatenURL)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return 0
}

// options checks the flags and turns them into the mocks' options; msg
// says what is wrong. A bind beyond loopback gets a warning on stderr.
func (f serveFlags) options(stderr io.Writer) (o mock.Options, msg string) {
	var h slog.Handler
	switch f.logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		return o, fmt.Sprintf("--log-format %q: say text or json", f.logFormat)
	}
	o = mock.Options{Addr: f.addr, PublicURL: f.publicURL, Log: slog.New(h)}
	if f.addr == "" {
		if f.publicURL != "" {
			return o, "--public-url names the address others reach --addr by: give --addr HOST:PORT too"
		}
		return o, ""
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return o, fmt.Sprintf("--addr %q: give HOST:PORT, e.g. 127.0.0.1:8080 (0.0.0.0:8080 in a container)", f.addr)
	}
	if !config.Loopback(host) {
		fmt.Fprintf(stderr, "workbench serve: warning: --addr %s listens beyond loopback: anyone who can reach it can use the mocks, "+
			"whose self-service API is open and whose keys are public test keys; use it inside a container or a CI job, never on a shared network\n", f.addr)
		if f.publicURL == "" {
			fmt.Fprintf(stderr, "workbench serve: warning: without --public-url the URLs name 127.0.0.1 (or the bound address); "+
				"other containers need --public-url http://NAME:PORT, the name they reach this one by\n")
		}
	}
	return o, ""
}
