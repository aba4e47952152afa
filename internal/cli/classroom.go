package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/classroom"
)

const classroomHelp = `Usage: workbench classroom [--listen HOST:PORT] [--host-key FILE] [--authorized-keys FILE]
                          [--no-join-code] [--max-sessions N] [--idle DURATION] [--handouts DIR]

Serves the workbench over SSH to a room of trainees. Each trainee types
  ssh -p PORT THEIRNAME@HOST
and the join code from your screen as the password (or comes in with a key in
--authorized-keys), and gets the terminal UI on a mock world of their own: their
own Maskinporten, Altinn and Skatteetaten, drawn for their own terminal. Nothing
else runs for them: no shell, no command, no port forwarding. A trainee who drops
and comes back with the same name (or key) finds their world as they left it; a
world is cleaned up once its trainee has been away --idle.

On a terminal, the roster runs here: every trainee's scenario, step, last error
and solved exercise, live; s sends the room to a scenario, R resets a trainee's
world, e writes the roster as Markdown, q ends the class. Otherwise stdout gets
one log line per event, and the join code goes to the terminal only.

When a trainee's session ends, their handout (the Markdown transcript of their
run) is written to DIR/THEIRNAME/; at the end, the roster to DIR/roster.md.

  --listen HOST:PORT       where to listen (default 127.0.0.1:2222: this machine only;
                           give 0.0.0.0:2222, or this machine's address, for a room)
  --host-key FILE          the SSH host key, made once and kept (default
                           classroom_host_key in your configuration directory)
  --authorized-keys FILE   trainees' public keys, one a line (OpenSSH authorized_keys)
  --no-join-code           let in the listed keys only
  --max-sessions N         at most N trainees at once, connected or away (default 40)
  --idle DURATION          how long an away trainee's world is kept (default 30m)
  --handouts DIR           where the handouts and the roster go (default ./handouts)

The global --scenarios DIR offers a folder's scenarios and exercises beside the
built-in ones, in each trainee's picker and in the room's.
`

func cmdClassroom(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("classroom", flag.ContinueOnError)
	o := classroom.Options{}
	fs.StringVar(&o.Listen, "listen", classroom.DefaultListen, "`HOST:PORT` to listen on")
	fs.StringVar(&o.HostKeyFile, "host-key", "", "the SSH host key `FILE`")
	fs.StringVar(&o.AuthorizedKeys, "authorized-keys", "", "trainees' public keys `FILE`")
	fs.BoolVar(&o.NoJoinCode, "no-join-code", false, "let in the listed keys only")
	fs.IntVar(&o.MaxSessions, "max-sessions", classroom.DefaultMaxSessions, "at most `N` trainees at once")
	fs.DurationVar(&o.Idle, "idle", classroom.DefaultIdle, "how long an away trainee's world is kept")
	fs.StringVar(&o.Handouts, "handouts", classroom.DefaultHandouts, "`DIR` for handouts and the roster")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, classroomHelp); !ok {
		return code
	}
	if o.MaxSessions < 1 || o.Idle <= 0 {
		fmt.Fprintf(stderr, "workbench classroom: --max-sessions must be 1 or more and --idle a duration such as 30m\n")
		return 2
	}
	if g.env != "" && g.env != "mock" {
		fmt.Fprintf(stderr, "workbench classroom: the classroom serves the embedded mocks only (each trainee a world of their own), not env %s\n", g.env)
		return 2
	}
	c, _, ok := loadConfig(g, "workbench classroom", stderr, false)
	if !ok {
		return 2
	}
	o.Config = c
	if g.scenarios != "" {
		files, err := flow.ReadScenarioDir(g.scenarios)
		if err != nil {
			fmt.Fprintf(stderr, "workbench classroom: the scenario files in %s are not usable:\n%v\n", g.scenarios, err)
			return 2
		}
		o.Scenarios = files
	}
	if o.HostKeyFile == "" {
		f, err := classroom.DefaultHostKeyFile()
		if err != nil {
			fmt.Fprintf(stderr, "workbench classroom: %v\n", err)
			return 2
		}
		o.HostKeyFile = f
	}
	if !classroom.Loopback(o.Listen) {
		fmt.Fprintf(stderr, "workbench classroom: warning: listening on %s, beyond this machine: whoever reaches it with the join code or a listed key gets a workbench\n", o.Listen)
	}
	out, isTerm := stdout.(*os.File)
	isTerm = isTerm && term.IsTerminal(out.Fd())
	if !isTerm {
		o.Log = func(line string) { fmt.Fprintln(stdout, line) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := classroom.New(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "workbench classroom: %v\n", err)
		return 2
	}
	if w := srv.HostKey().Warning; w != "" {
		fmt.Fprintf(stderr, "workbench classroom: warning: %s\n", w)
	}
	if !isTerm {
		announceClass(srv, o, stdout, stderr) // before Serve logs its first line
	}
	go srv.Serve()
	if isTerm {
		err = runRoster(ctx, srv, out)
	} else {
		<-ctx.Done()
	}
	roster, cerr := srv.Close()
	if err = errors.Join(err, cerr); err != nil {
		fmt.Fprintf(stderr, "workbench classroom: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "class ended: the roster is in %s, the handouts in %s\n", roster, o.Handouts)
	return 0
}

// runRoster runs the roster on the trainer's terminal until q (or an
// interrupt).
func runRoster(ctx context.Context, srv *classroom.Server, out *os.File) error {
	r := lipgloss.NewRenderer(out)
	r.HasDarkBackground()
	m := classroom.NewRosterModel(srv, r, srv.JoinLine(joinHost(srv.Addr())))
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// announceClass prints how to join, for a classroom whose stdout is no
// terminal (a log file, a pipe). The join code goes to the terminal only:
// stderr when it is one, else the controlling terminal, else nowhere.
func announceClass(srv *classroom.Server, o classroom.Options, stdout, stderr io.Writer) {
	k := srv.HostKey()
	made := ""
	if k.Created {
		made = ", made now"
	}
	fmt.Fprintf(stdout, "host key %s (%s%s)\n", k.Fingerprint(), k.File, made)
	fmt.Fprintf(stdout, "join: %s\n", srv.JoinLine(joinHost(srv.Addr())))
	code := srv.JoinCode()
	if code == "" {
		fmt.Fprintln(stdout, "join code: none (--no-join-code): the keys in "+o.AuthorizedKeys+" only")
		return
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprintf(stderr, "join code (the password): %s\n", code)
		return
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintf(tty, "workbench classroom: join code (the password): %s\n", code)
		tty.Close()
		fmt.Fprintln(stdout, "join code: shown on the terminal")
		return
	}
	fmt.Fprintln(stdout, "join code: not shown (no terminal to show it on, and it is never logged): run on a terminal, or use --authorized-keys")
}

// joinHost is the address trainees reach the classroom at: the listen
// address, or for a wildcard one this machine's first address beyond
// loopback.
func joinHost(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsUnspecified() {
		return host
	}
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		if n, ok := ad.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return "THIS-MACHINE"
}
