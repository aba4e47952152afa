package classroom

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestNothingButTheWorkbench(t *testing.T) {
	srv := startClassroom(t, Options{})
	c, err := dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// A command is refused, with a reason.
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("cat /etc/passwd")
	if _, ok := err.(*gossh.ExitError); !ok || !strings.Contains(string(out), "runs the workbench and nothing else") {
		t.Errorf("a command: %v, %q; want exit 1 and the refusal", err, out)
	}
	// A session without a terminal gets none.
	sess, _ = c.NewSession()
	out, err = sess.CombinedOutput("")
	if _, ok := err.(*gossh.ExitError); !ok || !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("no pty: %v, %q; want exit 1 and the reason", err, out)
	}
	// No subsystem (sftp).
	sess, _ = c.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("the sftp subsystem was granted")
	}
	// No port forwarding, either way.
	if conn, err := c.Dial("tcp", srv.Addr().String()); err == nil {
		conn.Close()
		t.Error("a direct-tcpip channel was opened")
	}
	if l, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
		t.Error("a remote forward was granted")
	}
	if n := len(srv.Roster()); n != 0 {
		t.Errorf("refused sessions made %d trainees", n)
	}
}

func TestIdleWorldIsCleanedUpNotAtTheFirstDisconnect(t *testing.T) {
	// Long enough for the roster to be seen showing her away under load.
	srv := startClassroom(t, Options{Idle: 1500 * time.Millisecond})
	c, err := dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	openScreen(t, c).waitFor("Actors and steps")
	first := worldOf(t, srv, "name:kari")
	c.Close()
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "away" })
	if worldOf(t, srv, "name:kari") != first {
		t.Fatal("the world changed at the disconnect")
	}
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "gone" })
	c, err = dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	openScreen(t, c).waitFor("Actors and steps")
	if w := worldOf(t, srv, "name:kari"); w == first || w.Mock.AltinnURL == first.Mock.AltinnURL {
		t.Fatal("the cleaned-up world came back")
	}
	if n := len(srv.Roster()); n != 1 {
		t.Fatalf("the roster has %d rows for one trainee", n)
	}
}

func TestTheClassIsCapped(t *testing.T) {
	srv := startClassroom(t, Options{MaxSessions: 1})
	c, err := dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	openScreen(t, c).waitFor("Actors and steps")
	c2, err := dial(srv, "ola", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	s := openScreen(t, c2)
	s.waitFor("the class is full (1 trainees)")
	if err := <-s.done; err == nil {
		t.Error("the refused session ended with status 0")
	}
	// Kari keeps her seat while away: she gets back in.
	c.Close()
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "away" })
	c, err = dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	openScreen(t, c).waitFor("Actors and steps")
}

func TestTheSameNameFromAnotherMachineIsSomeoneElse(t *testing.T) {
	srv := startClassroom(t, Options{})
	c, err := dialFrom(srv, "127.0.0.1", "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kari := openScreen(t, c)
	kari.waitFor("Actors and steps")
	other, err := dialFrom(srv, "127.0.0.2", "kari", withCode(testCode))
	if err != nil {
		t.Skipf("cannot dial from 127.0.0.2: %v", err)
	}
	defer other.Close()
	openScreen(t, other).waitFor("someone is connected as kari already, from another machine")
	// From the same machine it is kari again: the new session takes over.
	again, err := dialFrom(srv, "127.0.0.1", "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	openScreen(t, again).waitFor("Actors and steps")
	select {
	case <-kari.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the earlier session did not end")
	}
	rowOf(t, srv, "kari", func(r Row) bool { return r.State == "here" })
}

func TestTrainerSendsTheRoomAndResetsAWorld(t *testing.T) {
	srv := startClassroom(t, Options{})
	c, err := dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kari := openScreen(t, c)
	kari.waitFor("0/13 done")
	kari.press("r")
	kari.waitFor("scenario standard ended as expected")
	w := worldOf(t, srv, "name:kari")

	if err := srv.Reset("name:kari"); err != nil {
		t.Fatal(err)
	}
	kari.waitFor("the trainer, resetting your world, moved you")
	if hasResource(t, w) {
		t.Fatal("the reset left the run's resource in the world")
	}
	rowOf(t, srv, "kari", func(r Row) bool { return r.Status.Ran == 0 && r.Status.Scenario == "standard" })

	if _, err := srv.SendRoom("no-such"); err == nil {
		t.Fatal("the room went to a scenario that does not exist")
	}
	if n, err := srv.SendRoom("agent"); err != nil || n != 1 {
		t.Fatalf("SendRoom: %d connected, %v", n, err)
	}
	kari.waitFor("the trainer moved you to scenario agent")
	rowOf(t, srv, "kari", func(r Row) bool { return r.Status.Scenario == "agent" && r.Status.Step == 1 })
	// A newcomer starts where the room is.
	c2, err := dial(srv, "ola", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	openScreen(t, c2).waitFor("0/16 done")
	rowOf(t, srv, "ola", func(r Row) bool { return r.Status.Scenario == "agent" })
}

func TestHostKeyIsMadeOnceAndKept(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "host_key")
	k1, err := LoadOrCreateHostKey(file)
	if err != nil || !k1.Created {
		t.Fatalf("first start: %v (created %v)", err, k1.Created)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateHostKey(file)
	if err != nil || k2.Created || k2.Fingerprint() != k1.Fingerprint() || !strings.HasPrefix(k1.Fingerprint(), "SHA256:") {
		t.Fatalf("second start: %v, created %v, %s vs %s", err, k2.Created, k2.Fingerprint(), k1.Fingerprint())
	}
	os.Chmod(file, 0o644)
	if k3, _ := LoadOrCreateHostKey(file); !strings.Contains(k3.Warning, "chmod 600") {
		t.Errorf("a key others can read: warning %q", k3.Warning)
	}
	os.WriteFile(file, []byte("not a key"), 0o600)
	if _, err := LoadOrCreateHostKey(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("a file that is no key: %v", err)
	}
}

func TestJoinCodes(t *testing.T) {
	code, err := NewJoinCode()
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 9 || code[4] != '-' || strings.ContainsAny(code, "01OIL") {
		t.Fatalf("join code %q", code)
	}
	for typed, want := range map[string]bool{
		code: true, strings.ToLower(code): true, strings.ReplaceAll(code, "-", " "): true, strings.ReplaceAll(code, "-", ""): true,
		code[:8]: false, "": false, code + "X": false,
	} {
		if got := codeMatches(typed, code); got != want {
			t.Errorf("codeMatches(%q, %q) = %v", typed, code, got)
		}
	}
	if codeMatches("", "") {
		t.Error("an empty code let an empty password in")
	}
}

func TestAuthorizedKeysFileErrorsNameTheLine(t *testing.T) {
	_, line := newKey(t)
	file := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(file, append(append(line, "\n"...), "ssh-ed25519 not-base64\n"...), 0o600)
	_, err := loadAuthorizedKeys(file)
	if err == nil || !strings.Contains(err.Error(), file+":3") {
		t.Fatalf("a bad line: %v, want the file and line 3", err)
	}
}

func TestDisplayNames(t *testing.T) {
	for user, want := range map[string]string{
		"kari": "kari", "Kari Nordmann": "Kari-Nordmann", "../../etc": "etc", "\x1b[31mred": "31mred", "": "trainee",
		strings.Repeat("a", 40): strings.Repeat("a", 32), "ola@laptop": "ola-laptop",
	} {
		if got := displayName(user); got != want {
			t.Errorf("displayName(%q) = %q, want %q", user, got, want)
		}
	}
}

var _ io.Writer = (*screen)(nil)

// freezer is a TCP relay to the classroom that can stop relaying while
// keeping both connections open: a trainee's Wi-Fi gone quiet, with no
// FIN or RST to tell the server.
type freezer struct {
	ln     net.Listener
	frozen chan struct{}
}

func newFreezer(t *testing.T, to string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, frozen: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				return
			}
			t.Cleanup(func() { c.Close(); s.Close() })
			go f.relay(c, s)
			go f.relay(s, c)
		}
	}()
	return f
}

// relay copies until frozen, then reads on and drops what it reads.
func (f *freezer) relay(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-f.frozen:
			continue
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func TestADroppedConnectionIsNoticed(t *testing.T) {
	srv := startClassroom(t, Options{keepAlive: 300 * time.Millisecond})
	f := newFreezer(t, srv.Addr().String())
	d := net.Dialer{Timeout: 5 * time.Second}
	raw, err := d.Dial("tcp", f.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := &gossh.ClientConfig{User: "kari", Auth: []gossh.AuthMethod{withCode(testCode)},
		HostKeyCallback: gossh.FixedHostKey(srv.HostKey().Signer.PublicKey())}
	conn, chans, reqs, err := gossh.NewClientConn(raw, "classroom", cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := gossh.NewClient(conn, chans, reqs)
	defer c.Close()
	openScreen(t, c).waitFor("Actors and steps")
	close(f.frozen)
	r := rowOf(t, srv, "kari", func(r Row) bool { return r.State == "away" })
	if r.Status.Scenario != "standard" {
		t.Fatalf("kari away with %+v", r.Status)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:2222": true, "localhost:2222": true, "[::1]:2222": true, "127.0.0.2:22": true,
		"0.0.0.0:2222": false, ":2222": false, "192.0.2.10:2222": false, "[::]:2222": false, "nonsense": false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestEndingTheClassTellsTheTrainees(t *testing.T) {
	srv := startClassroom(t, Options{})
	c, err := dial(srv, "kari", withCode(testCode))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kari := openScreen(t, c)
	kari.waitFor("0/13 done")
	kari.press("r")
	kari.waitFor("scenario standard ended as expected")
	roster, err := srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	kari.waitFor("the class has ended; the trainer has your handout")
	select {
	case <-kari.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not end with the class")
	}
	b, err := os.ReadFile(roster)
	if err != nil || !strings.Contains(string(b), "| kari | join code | standard |") || !strings.Contains(string(b), "kari/handout-standard.md") {
		t.Fatalf("the roster at the end: %v\n%s", err, b)
	}
	if _, err := dial(srv, "ola", withCode(testCode)); err == nil {
		t.Fatal("a trainee got in after the class ended")
	}
}
