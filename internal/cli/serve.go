package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/systembruker/workbench/client/mock"
)

const serveHelp = `Usage: workbench serve [--seed FILE]

Runs only the mock services, on loopback, until interrupted, for your own
code and tests. Prints one line per service: NAME URL, for maskinporten,
altinn and skatteetaten (Krav og betalinger's base URL, its path included:
the API is under URL + "v1/..."). The world starts with the seed's organisations,
persons and roles, Altinn's scopes, and Skatteetaten's scope and resource;
the seed file (JSON, see README.md) adds your clients, systems, system users
and client delegations.

  --seed FILE   JSON seed file
`

func cmdServe(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	seedFile := fs.String("seed", "", "JSON seed `FILE`")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, serveHelp); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Reading and seeding a large world takes seconds: an interrupt then
	// ends serve at once, not when seeding is done.
	type started struct {
		env  *mock.Env
		err  error
		code int
	}
	done := make(chan started, 1)
	go func() {
		seed := mock.ServiceOwnerSeed()
		if *seedFile != "" {
			more, err := mock.ReadSeedFile(*seedFile)
			if err != nil {
				done <- started{err: err, code: 2}
				return
			}
			seed = seed.Merge(more)
		}
		env, err := mock.Start(ctx, seed)
		done <- started{env, err, 1}
	}()
	var s started
	select {
	case s = <-done:
	case <-ctx.Done():
		fmt.Fprintln(stderr, "workbench serve: interrupted while seeding")
		return 1
	}
	if s.err != nil {
		fmt.Fprintf(stderr, "workbench serve: %v\n", s.err)
		return s.code
	}
	env := s.env
	defer env.Close()
	fmt.Fprintf(stdout, "maskinporten %s\naltinn %s\nskatteetaten %s\n", env.MaskinportenURL, env.AltinnURL, env.SkatteetatenURL)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return 0
}
