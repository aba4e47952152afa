//go:build linux || darwin

package termguard

import (
	"strings"
	"syscall"
	"time"
)

func init() { guard(syscall.Stdout, Timeout) }

// guard asks the terminal on fd, unless termenv would not (not a
// terminal, CI, screen, tmux, dumb, a background process), and makes a
// silent one dumb until Restore.
func guard(fd int, timeout time.Duration) {
	term, _ := syscall.Getenv("TERM")
	if ci, _ := syscall.Getenv("CI"); ci != "" || strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") ||
		strings.HasPrefix(term, "dumb") || !isTerminal(fd) || !foreground(fd) {
		return
	}
	a := ask(fd, fd, timeout)
	state.mu.Lock()
	defer state.mu.Unlock()
	state.asked, state.answered, state.known, state.dark = true, a.answered, a.known, a.dark
	if !a.answered {
		state.term, state.changed = term, true
		_ = syscall.Setenv("TERM", "dumb")
	}
}

// ask sends OSC 11 and DSR to out and reads the replies from in for at
// most timeout. Every terminal answers DSR, after OSC 11 if it answers
// that, so the DSR reply ends the wait. The terminal is put out of echo
// and line mode meanwhile, as termenv does.
func ask(in, out int, timeout time.Duration) answer {
	if restore, err := noEcho(in); err == nil {
		defer restore()
	}
	if _, err := syscall.Write(out, []byte("\x1b]11;?\x1b\\\x1b[6n")); err != nil {
		return answer{}
	}
	var got []byte
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 256)
	for len(got) < 4096 {
		left := time.Until(deadline)
		if left <= 0 || !readable(in, left) {
			break
		}
		n, err := syscall.Read(in, buf)
		if err == syscall.EINTR || err == syscall.EAGAIN {
			continue
		}
		if n <= 0 || err != nil {
			break
		}
		got = append(got, buf[:n]...)
		if dsrReply(got) {
			break
		}
	}
	a := answer{answered: len(got) > 0}
	if rgb, ok := oscReply(got); ok {
		a.known, a.dark = true, isDark(rgb)
	}
	return a
}
