package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// syncBuffer is a buffer the command writes to from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitForMatch waits until the buffer holds a match of re.
func waitForMatch(t *testing.T, b *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(ansi.Strip(b.String())); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s in:\n%s", re, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClassroomCommand starts `workbench classroom` on loopback with its
// stdout a log (not a terminal), lets a trainee in with a listed key,
// and ends the class with an interrupt, as a trainer's Ctrl-C does. It
// has no join code: with one and no terminal on stdout or stderr, the
// command would show it on the controlling terminal, the developer's.
func TestClassroomCommand(t *testing.T) {
	dir := t.TempDir()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	handouts := filepath.Join(dir, "handouts")
	var stdout, stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- Main([]string{"classroom", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "hk"),
			"--authorized-keys", keys, "--no-join-code", "--handouts", handouts, "--idle", "5m"}, nil, &stdout, &stderr)
	}()
	addr := waitForMatch(t, &stdout, regexp.MustCompile(`classroom on (127\.0\.0\.1:\d+)`))[1]
	fp := waitForMatch(t, &stdout, regexp.MustCompile(`host key (SHA256:\S+)`))[1]

	cfg := &gossh.ClientConfig{User: "kari", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, Timeout: 5 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(k); got != fp {
				t.Errorf("the host key is %s, the command printed %s", got, fp)
			}
			return nil
		}}
	c, err := gossh.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := c.NewSession()
	var screen syncBuffer
	sess.Stdout = &screen
	sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{})
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitForMatch(t, &screen, regexp.MustCompile(`Actors and steps`))
	waitForMatch(t, &stdout, regexp.MustCompile(`kari: joined with their key`))
	c.Close()
	waitForMatch(t, &stdout, regexp.MustCompile(`kari: left; their world waits 5m`))

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case got := <-code:
		if got != 0 {
			t.Fatalf("exit %d\nstderr: %s", got, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the class did not end on an interrupt")
	}
	out := stdout.String()
	if !strings.Contains(out, "class ended: the roster is in "+filepath.Join(handouts, "roster.md")) {
		t.Errorf("no word of the roster:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(handouts, "roster.md")); err != nil || !strings.Contains(string(b), "| kari | key |") {
		t.Errorf("roster: %v\n%s", err, b)
	}
	if !strings.Contains(out, "join code: none (--no-join-code)") {
		t.Errorf("the log does not say how trainees get in:\n%s", out)
	}
}

func TestClassroomServesTheMocksOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	got := Main([]string{"classroom", "--env", "tt02", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(t.TempDir(), "hk")}, nil, &stdout, &stderr)
	if got != 2 || !strings.Contains(stderr.String(), "embedded mocks only") {
		t.Fatalf("exit %d, want 2 and why\n%s", got, stderr.String())
	}
	if got := Main([]string{"classroom", "--idle", "0s"}, nil, &stdout, &stderr); got != 2 {
		t.Fatalf("--idle 0s: exit %d, want 2", got)
	}
}
