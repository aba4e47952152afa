package tui

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// OpenBrowser opens a web address in the desktop's browser with the
// platform's opener: xdg-open, open (macOS) or rundll32 (Windows). It
// returns an error when the address is not http or https, when there is
// no opener, or when the opener fails within a few seconds; an opener
// still running then (some start the browser in the foreground) is left
// to it.
//
// The opener gets no terminal: its input and output go nowhere, so a
// browser that would draw in the terminal cannot garble the workbench.
func OpenBrowser(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not a web address", raw)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u.String())
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u.String())
	default:
		cmd = exec.Command("xdg-open", u.String())
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("%s is not installed", cmd.Args[0])
		}
		return fmt.Errorf("%s: %w", cmd.Args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			// xdg-open says what it tried, one line each, and last why it
			// gave up: the last line is the one to show.
			msg := lastLine(strings.ReplaceAll(stderr.String(), u.String(), "it"))
			if msg == "" {
				msg = err.Error()
			}
			if !strings.HasPrefix(msg, cmd.Args[0]) {
				msg = cmd.Args[0] + ": " + msg
			}
			return errors.New(msg)
		}
	case <-time.After(3 * time.Second):
		// Still running: the browser itself, most likely. The goroutine
		// reaps it when it ends.
	}
	return nil
}

// lastLine is the last line of s that is not blank.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
