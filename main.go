// Command workbench walks through the Altinn 3 system user flow with
// Maskinporten: as a terminal UI, headless, or as mock services for an
// integrator's own tests. The command line lives in internal/cli.
package main

import (
	"os"

	"github.com/systembruker/workbench/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
