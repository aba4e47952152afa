package classroom

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/internal/cli/wire"
	gossh "golang.org/x/crypto/ssh"
)

// These tests start a classroom on loopback and connect to it as trainees
// do, with golang.org/x/crypto/ssh clients that ask for a pty, and read
// the screens their TUIs draw.

const testCode = "TEST-CODE"

// startClassroom serves a classroom on a free loopback port until the
// test ends.
func startClassroom(t *testing.T, o Options) *Server {
	t.Helper()
	o.Listen = "127.0.0.1:0"
	if o.HostKeyFile == "" {
		o.HostKeyFile = filepath.Join(t.TempDir(), "host_key")
	}
	if o.Handouts == "" {
		o.Handouts = t.TempDir()
	}
	if o.JoinCode == "" && !o.NoJoinCode {
		o.JoinCode = testCode
	}
	// A keepalive that waits too little would close a busy test's
	// sessions (the race detector on two cores is slow to answer).
	o.wrongCodeDelay = time.Millisecond
	if o.keepAlive == 0 {
		o.keepAlive = 5 * time.Second
	}
	o.Log = func(line string) {
		t.Log(line)
		// The join code is never logged, nor what a stranger typed.
		if strings.Contains(line, testCode) || strings.Contains(strings.ToUpper(line), "WRONG-CODE") {
			t.Errorf("a log line holds a code: %s", line)
		}
	}
	srv, err := New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		if _, err := srv.Close(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv
}

// dial logs in to the classroom as user, checking its host key.
func dial(srv *Server, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return dialFrom(srv, "", user, auth...)
}

// dialFrom dials from a local address (another loopback address stands
// for another machine); "" lets the system choose.
func dialFrom(srv *Server, from, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", srv.Addr().String())
	if err != nil {
		return nil, err
	}
	cfg := &gossh.ClientConfig{User: user, Auth: auth, HostKeyCallback: gossh.FixedHostKey(srv.HostKey().Signer.PublicKey()), Timeout: 5 * time.Second}
	conn, chans, reqs, err := gossh.NewClientConn(c, srv.Addr().String(), cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	return gossh.NewClient(conn, chans, reqs), nil
}

func withCode(code string) gossh.AuthMethod { return gossh.Password(code) }

// screen is a trainee's terminal: what the TUI drew, and the keys.
type screen struct {
	t    *testing.T
	sess *gossh.Session
	keys interface{ Write([]byte) (int, error) }
	mu   sync.Mutex
	out  bytes.Buffer
	done chan error
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// text is what was drawn since the last mark, without the escape codes.
func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.out.String())
}

// mark forgets what was drawn so far.
func (s *screen) mark() {
	s.mu.Lock()
	s.out.Reset()
	s.mu.Unlock()
}

// waitFor waits until the screen shows want.
func (s *screen) waitFor(want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.text(), want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q; it showed:\n%s", want, s.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *screen) press(k string) {
	s.t.Helper()
	if _, err := s.keys.Write([]byte(k)); err != nil {
		s.t.Fatalf("press %q: %v", k, err)
	}
}

// openScreen asks for a 100x30 xterm pty and the shell, which is the
// workbench.
func openScreen(t *testing.T, c *gossh.Client) *screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s := &screen{t: t, sess: sess, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = s, s
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.keys = in
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- sess.Wait() }()
	return s
}

// rowOf waits until the roster has a row for name that ok accepts.
func rowOf(t *testing.T, srv *Server, name string, ok func(Row) bool) Row {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, r := range srv.Roster() {
			if r.Name == name && ok(r) {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the roster never showed %s as wanted: %+v", name, srv.Roster())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// worldOf is the trainee's world.
func worldOf(t *testing.T, srv *Server, id string) *wire.Session {
	t.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	tr := srv.trainees[id]
	if tr == nil || tr.world == nil {
		t.Fatalf("%s has no world", id)
	}
	return tr.world
}

// hasResource asks a world's Altinn whether the service owner's resource
// is registered: the standard scenario's step 3 registers it.
func hasResource(t *testing.T, w *wire.Session) bool {
	t.Helper()
	resp, err := http.Get(w.Mock.AltinnURL + "resourceregistry/api/v1/resource/" + w.Settings.Resource)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// newKey is a trainee's key pair, and its authorized_keys line.
func newKey(t *testing.T) (gossh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, gossh.MarshalAuthorizedKey(signer.PublicKey())
}

func TestTwoTraineesEachInAWorldOfTheirOwn(t *testing.T) {
	olaKey, olaLine := newKey(t)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(keys, append([]byte("# the room's keys\n"), olaLine...), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startClassroom(t, Options{AuthorizedKeys: keys})

	kariConn, err := dial(srv, "kari", withCode("test-code")) // typed in lower case
	if err != nil {
		t.Fatalf("kari with the join code: %v", err)
	}
	olaConn, err := dial(srv, "ola", gossh.PublicKeys(olaKey))
	if err != nil {
		t.Fatalf("ola with a listed key: %v", err)
	}
	kari, ola := openScreen(t, kariConn), openScreen(t, olaConn)
	kari.waitFor("Actors and steps")
	ola.waitFor("Actors and steps")
	kari.waitFor("0/13 done")
	ola.waitFor("0/13 done")
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "here" && r.How == "join code" && r.Status.Step == 1 })
	olaRow := rowOf(t, srv, "ola", func(r Row) bool { return r.State == "here" && r.How == "key" && r.Status.Step == 1 })

	// Kari runs the standard scenario; Ola's world does not change.
	kari.press("r")
	kari.waitFor("scenario standard ended as expected")
	rowOf(t, srv, "kari", func(r Row) bool { return r.Status.Finished && r.Status.AsExpected && r.Status.Step == 13 })
	kariWorld, olaWorld := worldOf(t, srv, "name:kari"), worldOf(t, srv, olaRow.ID)
	if kariWorld == olaWorld || kariWorld.Mock.AltinnURL == olaWorld.Mock.AltinnURL {
		t.Fatal("kari and ola share a world")
	}
	if !hasResource(t, kariWorld) {
		t.Fatal("kari's run did not register the resource in kari's world")
	}
	if hasResource(t, olaWorld) {
		t.Fatal("kari's run changed ola's world")
	}
	if r := rowOf(t, srv, "ola", func(Row) bool { return true }); r.Status.Ran != 0 {
		t.Fatalf("ola's TUI shows %d steps run; ola ran none", r.Status.Ran)
	}

	// The roster shows both, with their step.
	roster := RosterMarkdown(srv.Roster(), time.Now())
	for _, want := range []string{"| kari | join code | standard |", "standard, step 13/13 op-api ✓", "| ola | key | — |", "standard, step 1/13 so-token ○"} {
		if !strings.Contains(roster, want) {
			t.Errorf("the roster lacks %q:\n%s", want, roster)
		}
	}

	// Kari drops and comes back: the same world, the TUI as she left it.
	kariConn.Close()
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "away" && r.Handout != "" })
	handout, err := os.ReadFile(filepath.Join(srv.opts.Handouts, "kari", "handout-standard.md"))
	if err != nil || !bytes.Contains(handout, []byte("standard")) {
		t.Fatalf("kari's handout: %v\n%s", err, handout)
	}
	kariConn, err = dial(srv, "Kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	kari = openScreen(t, kariConn)
	kari.waitFor("13/13 done")
	if w := worldOf(t, srv, "name:kari"); w != kariWorld || !hasResource(t, w) {
		t.Fatal("kari came back to another world")
	}
	// Ola comes back from another account with the same key: the same world.
	olaConn.Close()
	rowOf(t, srv, "ola", func(r Row) bool { return r.State == "away" })
	olaConn, err = dial(srv, "ola-laptop", gossh.PublicKeys(olaKey))
	if err != nil {
		t.Fatal(err)
	}
	openScreen(t, olaConn).waitFor("0/13 done")
	if w := worldOf(t, srv, olaRow.ID); w != olaWorld {
		t.Fatal("ola's key found another world")
	}
	if n := len(srv.Roster()); n != 2 {
		t.Fatalf("the roster has %d trainees, want 2", n)
	}
}

func TestStrangersAreRefused(t *testing.T) {
	_, listed := newKey(t)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(keys, listed, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startClassroom(t, Options{AuthorizedKeys: keys})
	stranger, _ := newKey(t)
	for name, auth := range map[string][]gossh.AuthMethod{
		"an unlisted key":   {gossh.PublicKeys(stranger)},
		"a wrong join code": {withCode("WRONG-CODE")},
		"both":              {gossh.PublicKeys(stranger), withCode("")},
		"keyboard-interactive with a wrong code": {gossh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			return make([]string, len(qs)), nil
		})},
		"no auth at all": nil,
	} {
		if c, err := dial(srv, "mallory", auth...); err == nil {
			c.Close()
			t.Errorf("%s got in", name)
		} else if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v, want an authentication failure", name, err)
		}
	}
	if n := len(srv.Roster()); n != 0 {
		t.Fatalf("refused clients made %d trainees", n)
	}
	// The code works at the keyboard-interactive prompt too.
	c, err := dial(srv, "kari", gossh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
		if len(qs) != 1 || !strings.Contains(qs[0], "Join code") {
			t.Errorf("the prompt asked %q", qs)
		}
		return []string{testCode}, nil
	}))
	if err != nil {
		t.Fatalf("keyboard-interactive with the code: %v", err)
	}
	c.Close()
}
