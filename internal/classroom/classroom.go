// Package classroom serves the workbench over SSH to a room of trainees:
// each SSH session gets its own TUI on its own mock world (its own
// Maskinporten, Altinn and Skatteetaten), drawn for the trainee's
// terminal, and the trainer's roster shows where every trainee is.
//
// The server is charmbracelet/wish with its bubbletea middleware. A
// trainee comes in with a listed public key or the join code (see
// auth.go); their identity (the key, or the user name they gave with the
// code) finds their world again when they reconnect, until it has been
// left alone for the idle time. Nothing but the workbench runs: no
// shell, no command, no port forwarding.
package classroom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// Defaults of the options.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultMaxSessions = 40
	DefaultIdle        = 30 * time.Minute
	DefaultHandouts    = "handouts"
)

// Options configure a classroom.
type Options struct {
	// Listen is the HOST:PORT to listen on (DefaultListen when empty).
	Listen string
	// HostKeyFile keeps the host key; it is made there when missing.
	HostKeyFile string
	// AuthorizedKeys is an OpenSSH authorized_keys file of trainees'
	// keys, or "" for none.
	AuthorizedKeys string
	// JoinCode is the code trainees type as the SSH password: "" makes
	// one (NewJoinCode); NoJoinCode lets in listed keys only.
	JoinCode   string
	NoJoinCode bool
	// MaxSessions caps the trainees at once, connected or away with their
	// world kept; Idle is how long an away trainee's world is kept.
	MaxSessions int
	Idle        time.Duration
	// Handouts is the folder each trainee's handouts go to, one folder
	// each, and the roster.
	Handouts string
	// Config is what each trainee's world starts from; it must be the
	// mock environment (nil: config.Default()).
	Config *config.Config
	// Scenarios are the trainer's scenario files (--scenarios DIR),
	// offered beside the built-in ones; nil for none.
	Scenarios *flow.ScenarioFiles
	// Log hears the classroom's events as lines ("kari joined with the
	// join code"), never the join code itself; nil discards them.
	Log func(string)

	// For the tests: the pause after a wrong join code, how often a
	// connection is checked for life, and how long a connection may take
	// to log in and open its session.
	wrongCodeDelay, keepAlive, loginTimeout time.Duration
}

// Server is a running classroom.
type Server struct {
	opts    Options
	hostKey HostKey
	keys    *authorizedKeys
	code    string
	ln      net.Listener
	srv     *ssh.Server
	names   []string // the scenarios, for the room's picker

	ctx    context.Context // the worlds live in it
	cancel context.CancelFunc

	mu       sync.Mutex
	trainees map[string]*trainee // by identity
	order    []*trainee          // in the order they joined
	seats    map[ssh.Session]*seat
	room     string // the scenario the trainer sent the room to
	closing  bool
	sessions sync.WaitGroup

	events  eventLog
	changed chan struct{}
}

// New prepares a classroom: the host key (made when missing), the
// authorized keys, the join code, and the listener. Serve serves it.
func New(ctx context.Context, o Options) (*Server, error) {
	o = withDefaults(o)
	if o.Config.Real() {
		return nil, fmt.Errorf("the classroom serves the embedded mocks only (each trainee a world of their own), not env %s", o.Config.Env)
	}
	s := &Server{opts: o, trainees: map[string]*trainee{}, seats: map[ssh.Session]*seat{}, changed: make(chan struct{}, 1)}
	var err error
	if s.hostKey, err = LoadOrCreateHostKey(o.HostKeyFile); err != nil {
		return nil, err
	}
	if o.AuthorizedKeys != "" {
		if s.keys, err = loadAuthorizedKeys(o.AuthorizedKeys); err != nil {
			return nil, err
		}
	}
	switch {
	case o.NoJoinCode && s.keys == nil:
		return nil, errors.New("with no join code, give --authorized-keys: nobody could come in")
	case o.NoJoinCode:
	case o.JoinCode != "":
		s.code = o.JoinCode
	default:
		if s.code, err = NewJoinCode(); err != nil {
			return nil, err
		}
	}
	for _, sc := range flow.Catalog(wire.Summary(o.Config), o.Scenarios) {
		s.names = append(s.names, sc.Name)
	}
	if s.srv, err = s.newSSHServer(); err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", o.Listen); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.Idle <= 0 {
		o.Idle = DefaultIdle
	}
	if o.Handouts == "" {
		o.Handouts = DefaultHandouts
	}
	if o.Config == nil {
		o.Config = config.Default()
	}
	if o.wrongCodeDelay == 0 {
		o.wrongCodeDelay = time.Second
	}
	if o.keepAlive == 0 {
		o.keepAlive = 15 * time.Second
	}
	if o.loginTimeout == 0 {
		o.loginTimeout = time.Minute
	}
	return o
}

// newSSHServer is wish's server with the classroom's middleware: the
// seat (who the trainee is, their world, the refusals) around the
// bubbletea middleware, which runs their program.
func (s *Server) newSSHServer() (*ssh.Server, error) {
	opts := append(s.authOptions(),
		func(srv *ssh.Server) error {
			srv.AddHostKey(s.hostKey.Signer)
			return nil
		},
		wish.WithVersion("OpenSSH_9.0 workbench-classroom"),
		// Middlewares run last to first: the seat, then the program.
		wish.WithMiddleware(bm.MiddlewareWithProgramHandler(s.program, termenv.ANSI256), s.seat),
		func(srv *ssh.Server) error {
			srv.ConnCallback = s.onConnect
			// Nothing but sessions: no direct-tcpip or forwarded-tcpip
			// channels, no tcpip-forward requests, no subsystems (sftp).
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
			srv.RequestHandlers = map[string]ssh.RequestHandler{}
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			return nil
		},
	)
	return wish.NewServer(opts...)
}

// Serve accepts trainees until Close; it returns nil after Close.
func (s *Server) Serve() error {
	s.logf("", "classroom on %s: %d seats; a world waits %s for its trainee to come back", s.Addr(), s.opts.MaxSessions, durationText(s.opts.Idle))
	err := s.srv.Serve(s.ln)
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing || errors.Is(err, ssh.ErrServerClosed) {
		return nil // Close closed the listener
	}
	return err
}

// Close ends the class: no one else comes in, every session ends (and
// writes its handout), every world stops, and the roster is written.
// It returns the roster's file.
func (s *Server) Close() (roster string, err error) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return "", nil
	}
	s.closing = true
	var live []*tea.Program
	for _, st := range s.seats {
		if st.p != nil {
			live = append(live, st.p)
		}
	}
	s.mu.Unlock()
	s.ln.Close() // no one else comes in
	// Each program quits first, so the trainee's terminal is handed back
	// whole (out of the alternate screen) and told why; then the
	// connections close.
	for _, p := range live {
		p.Quit()
	}
	done := make(chan struct{})
	go func() { s.sessions.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	s.srv.Close() // every connection left
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.logf("", "some sessions did not end in 15s; their handouts may be missing")
	}
	s.mu.Lock()
	for _, t := range s.order {
		t.stopWorld()
	}
	s.mu.Unlock()
	s.cancel()
	return s.WriteRoster()
}

// Addr is the address the classroom listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// HostKey is the server's host key (its fingerprint is for the trainees).
func (s *Server) HostKey() HostKey { return s.hostKey }

// JoinCode is the code trainees type as the password, "" when only keys
// let them in. Show it on the trainer's terminal only: never log it.
func (s *Server) JoinCode() string { return s.code }

// Scenarios are the names the room can be sent to.
func (s *Server) Scenarios() []string { return s.names }

// JoinLine is the command a trainee types, for host (the address the
// trainees reach this machine at).
func (s *Server) JoinLine(host string) string {
	_, port, _ := net.SplitHostPort(s.Addr().String())
	if port == "22" {
		return "ssh YOURNAME@" + host
	}
	return "ssh -p " + port + " YOURNAME@" + host
}

// Changes signals (without blocking the classroom) that the roster
// changed: a trainee came, left, or moved on.
func (s *Server) Changes() <-chan struct{} { return s.changed }

func (s *Server) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// hostOf is the host of a remote address, for the log and the roster.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// Loopback reports whether the listen address only takes connections
// from this machine.
func Loopback(listen string) bool {
	h, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
