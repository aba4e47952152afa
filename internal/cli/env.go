package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/systembruker/workbench/config"
)

// Env is what a command reads from around it besides its arguments and
// streams: the environment variables, the working directory, the user's
// config directory, and whether a person answers on stdin. Main hands in
// the process's; the tests hand in their own, so that no test reads a
// developer's configuration.
type Env struct {
	// Getenv reads the environment variables; nil means os.Getenv.
	Getenv func(string) string
	// Dir is the working directory, where ./workbench.toml is looked for
	// and `config init` writes by default; empty means the process's.
	Dir string
	// UserConfigDir is the user's config directory (os.UserConfigDir);
	// nil means none is looked in.
	UserConfigDir func() (string, error)
	// Interactive reports that stdin is a terminal a person answers on:
	// `run` then waits for Enter where a person does their part in the
	// portal.
	Interactive bool
}

// ProcessEnv is the process's own Env.
func ProcessEnv(stdin io.Reader) Env {
	f, ok := stdin.(*os.File)
	return Env{Getenv: os.Getenv, UserConfigDir: os.UserConfigDir, Interactive: ok && term.IsTerminal(f.Fd())}
}

func (e Env) getenv(name string) string {
	if e.Getenv == nil {
		return os.Getenv(name)
	}
	return e.Getenv(name)
}

// path is a file name in the working directory.
func (e Env) path(name string) string {
	if e.Dir == "" {
		return name
	}
	return filepath.Join(e.Dir, name)
}

// find chooses the configuration file as every command does (config.Find).
func (g globals) find() config.Found {
	return config.Find(config.FindOptions{Flag: g.config, Getenv: g.sys.getenv, Dir: g.sys.Dir, UserConfigDir: g.sys.UserConfigDir})
}

// announce says on stderr which configuration a command uses: the file
// and why, or, unless quiet, that there is none.
func announce(w io.Writer, f config.Found, quiet bool) {
	switch {
	case f.Path != "":
		fmt.Fprintf(w, "workbench: config %s (%s)\n", f.Path, f.From)
	case !quiet:
		fmt.Fprintf(w, "workbench: no config file (looked at --config, $WORKBENCH_CONFIG, %s): the defaults, on the embedded mocks\n",
			strings.Join(f.Looked, ", "))
	}
}
