package classroom

import (
	"fmt"
	"net"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// A seat is a trainee's live SSH session: the session, the program that
// draws their TUI in it, and where they came from.
type seat struct {
	owner  *trainee
	sess   ssh.Session
	p      *tea.Program
	remote string
	// newWorld says the session started the trainee's world.
	newWorld bool
	// done is closed when the session's end has been handled (the
	// handout written, the world's idle clock started), so a reconnect
	// that takes over waits for it.
	done chan struct{}
}

// rawConnKey holds a connection's net.Conn in its context, set before the
// handshake, so the seat can lift the login deadline.
type rawConnKey struct{}

// onConnect gives a new connection a deadline to log in and open its
// session; the seat lifts it.
func (s *Server) onConnect(ctx ssh.Context, c net.Conn) net.Conn {
	c.SetDeadline(time.Now().Add(s.opts.loginTimeout))
	ctx.SetValue(rawConnKey{}, c)
	return c
}

// refuse tells the session why it gets nothing, and ends it.
func refuse(sess ssh.Session, format string, a ...any) {
	fmt.Fprintf(sess.Stderr(), "classroom: "+format+"\r\n", a...)
	sess.Exit(1)
	sess.Close()
}

// seat is the middleware around the program: it refuses what is not a
// trainee's terminal session, finds (or makes) the trainee's world, runs
// the program (next, the bubbletea middleware), and when the session ends
// keeps the world for the idle time and writes the handout.
func (s *Server) seat(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		// Counted under the lock Close sets closing under, so no session
		// is added while Close waits for them.
		s.mu.Lock()
		closing := s.closing
		if !closing {
			s.sessions.Add(1)
		}
		s.mu.Unlock()
		if closing {
			refuse(sess, "the class has ended")
			return
		}
		defer s.sessions.Done()
		who, ok := identityOf(sess.Context())
		switch {
		case !ok:
			refuse(sess, "not logged in")
			return
		case len(sess.Command()) > 0:
			s.logf(who.name, "refused a command, from %s: nothing but the workbench runs here", hostOf(sess.RemoteAddr()))
			refuse(sess, "this server runs the workbench and nothing else: connect without a command (%s)",
				strings.Replace(s.JoinLine(hostOf(sess.LocalAddr())), "YOURNAME", who.name, 1))
			return
		}
		if _, _, isPty := sess.Pty(); !isPty {
			s.logf(who.name, "refused a session without a terminal, from %s", hostOf(sess.RemoteAddr()))
			refuse(sess, "the workbench needs a terminal: connect with ssh -t (or without -T)")
			return
		}
		if c, ok := sess.Context().Value(rawConnKey{}).(net.Conn); ok {
			c.SetDeadline(time.Time{})
		}
		st, t, err := s.attach(sess, who)
		if err != nil {
			s.logf(who.name, "refused, from %s: %v", hostOf(sess.RemoteAddr()), err)
			refuse(sess, "%v", err)
			return
		}
		stop := make(chan struct{})
		go s.keepAlive(sess, stop)
		next(sess)
		close(stop)
		s.detach(st, t)
		s.mu.Lock()
		ended := s.closing
		s.mu.Unlock()
		if ended {
			fmt.Fprint(sess, "classroom: the class has ended; the trainer has your handout.\r\n")
		}
	}
}

// program is the bubbletea middleware's handler: the trainee's TUI, kept
// from their last session where it can be, drawn for this session's
// terminal.
func (s *Server) program(sess ssh.Session) *tea.Program {
	s.mu.Lock()
	st := s.seats[sess]
	s.mu.Unlock()
	if st == nil {
		return nil
	}
	t := st.owner
	pty, _, _ := sess.Pty()
	env := sessionEnv(sess.Environ(), pty.Term)
	t.term.attach(sess, env)
	m, pending := s.modelFor(t)
	p := tea.NewProgram(seatModel{m: m, keep: func(m seatModel) { s.keep(t, m) }},
		tea.WithInput(sess), tea.WithOutput(sess), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithoutSignalHandler(), tea.WithEnvironment(env))
	s.mu.Lock()
	st.p = p
	s.mu.Unlock()
	if pending != nil {
		go p.Send(*pending)
	}
	return p
}

// keepAlive asks the client for a reply every keepAlive interval and
// closes the connection when none comes within it: a trainee whose Wi-Fi
// dropped is seen to be gone in under a minute, and their world waits for
// them.
func (s *Server) keepAlive(sess ssh.Session, stop <-chan struct{}) {
	conn, ok := sess.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn)
	if !ok {
		return
	}
	tick := time.NewTicker(s.opts.keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-sess.Context().Done():
			return
		case <-tick.C:
		}
		replied := make(chan error, 1)
		go func() {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
			replied <- err
		}()
		select {
		case err := <-replied:
			if err == nil {
				continue
			}
		case <-time.After(s.opts.keepAlive):
		case <-stop:
			return
		}
		conn.Close()
		return
	}
}

// sessionEnv is the session's environment: what the client sent, and the
// pty's TERM.
func sessionEnv(environ []string, term string) []string {
	env := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	return append(env, "TERM="+term)
}
