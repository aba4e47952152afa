package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
)

// What `run` does at the flow's gates and dead ends: waits for Enter where a
// person works in the portal (on a terminal), and otherwise says what to do
// next, as commands.

// enterWhenDone is run's Asker on a terminal: for a person's task in the
// portal it says what to do and waits for Enter; a write to the register is
// never asked here (--yes says yes).
func enterWhenDone(stdin io.Reader, w io.Writer) flow.Asker {
	lines := bufio.NewReader(stdin)
	return func(ctx context.Context, g flow.Gate) bool {
		if g.Kind != flow.GateDone {
			return false
		}
		fmt.Fprintf(w, "\n  %s\n", g.Title)
		for _, l := range g.Lines {
			fmt.Fprintf(w, "    - %s\n", l)
		}
		fmt.Fprint(w, "  Press Enter when it is done (Ctrl-C stops the run): ")
		got := make(chan error, 1)
		go func() {
			_, err := lines.ReadString('\n')
			got <- err
		}()
		select {
		case err := <-got:
			fmt.Fprintln(w)
			return err == nil
		case <-ctx.Done():
			fmt.Fprintln(w)
			return false
		}
	}
}

// runCommand builds the `workbench run` command lines run suggests: the
// same config (when it was named), environment and scenario.
type runCommand struct {
	found    config.Found
	env      string
	scenario string
	yes      bool // --yes was given: the suggestions keep it
}

func (c runCommand) line(args ...string) string {
	parts := []string{"workbench"}
	if c.found.From == config.FromFlag {
		parts = append(parts, "--config", shellQuote(c.found.Path))
	}
	if c.env != "" {
		parts = append(parts, "--env", c.env)
	}
	parts = append(parts, "run")
	if c.scenario != "" && c.scenario != "standard" {
		parts = append(parts, "--scenario", c.scenario)
	}
	if c.yes && !contains(args, "--yes") {
		parts = append(parts, "--yes")
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// whatNow says how to go on from a run that stopped at a gate or at a
// rejected request.
func whatNow(w io.Writer, rep flow.Report, cmd runCommand) {
	for i, res := range rep.Results {
		var ge *flow.GateError
		var re *flow.RejectedError
		switch {
		case errors.As(res.Err, &ge) && ge.Gate.Kind == flow.GateConfirm:
			fmt.Fprintf(w, "\n%s\n", ge.Gate.Title)
			for _, l := range ge.Gate.Lines {
				fmt.Fprintf(w, "  %s\n", l)
			}
			fmt.Fprintf(w, "To write this, run again with --yes (or change the config first):\n  %s\n", cmd.line("--yes"))
		case errors.As(res.Err, &ge):
			fmt.Fprintf(w, "\n%s\n", ge.Gate.Title)
			for _, l := range ge.Gate.Lines {
				fmt.Fprintf(w, "  %s\n", l)
			}
			fmt.Fprintf(w, "No API shows this to the vendor, so run waits for you to say it is done: run it on a terminal\n"+
				"and press Enter when the person is done:\n  %s\n", cmd.line())
		case errors.As(res.Err, &re):
			fmt.Fprintf(w, "\nStep %s: the request was %s. Two ways on:\n", rep.Scenario.Steps[i].ID, re.Request.Status)
			for n, way := range re.Ways() {
				fmt.Fprintf(w, "  %d. %s:\n       %s\n     %s\n", n+1, way.Title, cmd.line(way.RunArgs...), way.Explain)
			}
		}
	}
}
