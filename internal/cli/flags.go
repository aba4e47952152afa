package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// anyArgs is parse's max for a command that takes any number of
// arguments, all after its flags (explain's codes).
const anyArgs = -1

// parse parses a command's flags and the globals. Flags may come before or
// after up to max positional arguments, which it returns; with anyArgs the
// first argument ends the flags, and it and the rest are the arguments. It
// prints the help (exit 0) or the error with the help (exit 2) itself:
// ok false means return code.
func parse(fs *flag.FlagSet, g *globals, args []string, max int, stdout, stderr io.Writer, help string) (pos []string, code int, ok bool) {
	g.register(fs)
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, help)
				return nil, 0, false
			}
			fmt.Fprintf(stderr, "workbench %s: %v\n\n%s", fs.Name(), err, help)
			return nil, 2, false
		}
		switch {
		case fs.NArg() == 0:
			return pos, 0, true
		case max == anyArgs:
			return fs.Args(), 0, true
		case len(pos) == max:
			fmt.Fprintf(stderr, "workbench %s: unexpected argument %q\n\n%s", fs.Name(), strings.Join(fs.Args(), " "), help)
			return nil, 2, false
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
