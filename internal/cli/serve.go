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
