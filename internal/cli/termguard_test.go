//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/charmbracelet/lipgloss"

	"github.com/systembruker/workbench/internal/termguard"
)

// The start-up never waits on a terminal that does not answer (see
// internal/termguard): these tests run this test binary again on a
// pseudo-terminal and play the terminal.

// TestGuardRunsBeforeTermenv: termguard must be initialised before
// termenv, whose first query (from Bubble Tea's init) it forestalls.
func TestGuardRunsBeforeTermenv(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	order := map[string]int{}
	for i, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "init" {
			if _, seen := order[f[1]]; !seen {
				order[f[1]] = i
			}
		}
	}
	guard, ok1 := order["github.com/systembruker/workbench/internal/termguard"]
	termenv, ok2 := order["github.com/muesli/termenv"]
	tea, ok3 := order["github.com/charmbracelet/bubbletea"]
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("inittrace lacks termguard (%v), termenv (%v) or bubbletea (%v):\n%s", ok1, ok2, ok3, out)
	}
	if guard > termenv || guard > tea {
		t.Errorf("termguard is initialised after termenv or Bubble Tea (lines %d, %d, %d): it must ask first", guard, termenv, tea)
	}
}

// openPTY opens a pseudo-terminal pair.
func openPTY(t testing.TB) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	const tiocgptn, tiocsptlck = 0x80045430, 0x40045431
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), tiocsptlck, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlock pty: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), tiocgptn, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("pty number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pty: %v", err)
	}
	ws := [4]uint16{24, 80, 0, 0} // rows, columns: the TUI's smallest
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		t.Skipf("pty size: %v", e)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// onPTY runs this test binary's TestTermguardChild in mode (guard: report
// what the guard found; tui: the workbench's TUI) on a pseudo-terminal
// whose terminal answers each OSC 11 query with osc and each DSR with a
// cursor position when answer, and nothing when not. It returns what the
// child wrote, and when it first wrote marker (then it sends q).
func onPTY(tb testing.TB, mode string, answer bool, osc, marker string) (string, time.Duration) {
	tb.Helper()
	master, slave := openPTY(tb)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTermguardChild$", "-test.v")
	cmd.Env = append(os.Environ(), "WORKBENCH_TERMGUARD_CHILD="+mode, "TERM=xterm-256color", "CI=", "COLORFGBG=",
		"WORKBENCH_CONFIG=", "WORKBENCH_ENV=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	slave.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var out bytes.Buffer
	var first time.Duration
	buf := make([]byte, 4096)
	timedOut := false
	watchdog := time.AfterFunc(30*time.Second, func() { timedOut = true; cmd.Process.Kill() })
	defer watchdog.Stop()
	for {
		n, err := master.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			out.Write(chunk)
			if answer {
				for range bytes.Count(chunk, []byte("\x1b]11;?")) {
					master.Write([]byte(osc))
				}
				for range bytes.Count(chunk, []byte("\x1b[6n")) {
					master.Write([]byte("\x1b[1;1R"))
				}
			}
			if marker != "" && first == 0 && bytes.Contains(out.Bytes(), []byte(marker)) {
				first = time.Since(start)
				master.Write([]byte("q"))
			}
		}
		if err != nil {
			break // the child is gone: EIO
		}
	}
	err := <-done
	if timedOut {
		tb.Fatalf("the child did not end in 30 s:\n%q", out.String())
	}
	if err != nil {
		tb.Fatalf("child: %v\n%q", err, out.String())
	}
	return out.String(), first
}

// TestTermguardChild is the child of the pty tests: it reports what the
// guard found, what TERM is once internal/cli is initialised, and what
// lipgloss thinks, without asking the terminal again.
func TestTermguardChild(t *testing.T) {
	switch os.Getenv("WORKBENCH_TERMGUARD_CHILD") {
	case "guard":
	case "tui":
		if code := Main(nil, os.Stdin, os.Stdout, os.Stderr); code != 0 {
			t.Fatalf("exit %d", code)
		}
		return
	default:
		t.Skip("the child of the pty tests")
	}
	dark, asked := termguard.Dark()
	fmt.Printf("GUARD asked=%v silent=%v dark=%v term=%s lipgloss-dark=%v\n",
		asked, termguard.Silent(), dark, os.Getenv("TERM"), lipgloss.HasDarkBackground())
}

// A terminal that answers nothing is asked once, by the guard: Bubble
// Tea's init, which would wait five seconds for it, does not ask; TERM is
// as it was once the program runs; the background is taken as dark.
func TestSilentTerminalIsAskedOnce(t *testing.T) {
	out, _ := onPTY(t, "guard", false, "", "")
	if n := strings.Count(out, "\x1b]11;?"); n != 1 {
		t.Errorf("the terminal was asked %d times, want once (the guard's):\n%q", n, out)
	}
	if !strings.Contains(out, "GUARD asked=true silent=true dark=true term=xterm-256color lipgloss-dark=true") {
		t.Errorf("the child says:\n%q", out)
	}
}

// A terminal that answers is left to termenv, which asks again and gets
// its answer; the guard's answer is the same. (charmbracelet/log, which
// wish brings in for the classroom, makes its default logger at init with
// termenv's colour cache, which asks too: a third question, answered.)
func TestAnsweringTerminalIsLeftAlone(t *testing.T) {
	out, _ := onPTY(t, "guard", true, "\x1b]11;rgb:ffff/ffff/ffff\x1b\\", "")
	if n := strings.Count(out, "\x1b]11;?"); n < 2 || n > 3 {
		t.Errorf("the terminal was asked %d times, want two or three (the guard, then termenv in Bubble Tea's init, and charmbracelet/log's colour cache):\n%q", n, out)
	}
	if !strings.Contains(out, "GUARD asked=true silent=false dark=false term=xterm-256color lipgloss-dark=false") {
		t.Errorf("the child says:\n%q", out)
	}
}

// BenchmarkFirstFrameSilentTerminal starts the TUI (the process, its mocks
// and all) on a terminal that answers no query and measures the time to
// its first frame; BenchmarkFirstFrameAnsweringTerminal on one that
// answers. Before the guard the silent one took about ten seconds: five
// for Bubble Tea's init, five for the session renderer's own query.
func BenchmarkFirstFrameSilentTerminal(b *testing.B) { benchFirstFrame(b, false) }

// BenchmarkFirstFrameAnsweringTerminal: see BenchmarkFirstFrameSilentTerminal.
func BenchmarkFirstFrameAnsweringTerminal(b *testing.B) { benchFirstFrame(b, true) }

func benchFirstFrame(b *testing.B, answer bool) {
	var total time.Duration
	for range b.N {
		out, first := onPTY(b, "tui", answer, "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\", "SmartCloud")
		if first == 0 {
			b.Fatalf("no first frame:\n%q", out)
		}
		total += first
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-frame")
}
