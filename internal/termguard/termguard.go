// Package termguard keeps the workbench from waiting on a terminal that
// does not answer queries.
//
// Bubble Tea v1 asks the terminal for its background colour while it is
// initialised, before main runs: its tea_init.go calls
// lipgloss.HasDarkBackground, which sends OSC 11 and a cursor position
// request (DSR) through termenv and waits up to termenv.OSCTimeout, five
// seconds, for a terminal that answers neither. This package asks first,
// waiting at most Timeout. A terminal that answers is left alone (termenv
// asks again and has its answer at once). One that answers nothing is
// silent: TERM is "dumb" until Restore, so that termenv, which does not
// ask a dumb terminal, takes its dark default at once.
//
// The order matters, and Go fixes it: packages are initialised in the
// order of their import paths among those whose imports are initialised.
// This package imports only packages that golang.org/x/sys/unix imports
// too, and github.com/systembruker sorts before golang.org/x, so it is
// initialised before x/sys/unix and so before termenv, which needs it
// (TestGuardRunsBeforeTermenv in internal/cli checks this). internal/cli,
// which imports Bubble Tea and so is initialised after it, calls Restore
// in its init. Keep the imports to that list: bytes, errors, strconv,
// strings, sync, syscall, time, unsafe.
package termguard

import (
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Timeout bounds the wait for the terminal's answer. A terminal answers
// in a few milliseconds, over SSH in a round trip. It is what a silent
// terminal costs the first frame, whose budget is 150 ms (design.md), so
// it leaves room for the rest of the start.
const Timeout = 100 * time.Millisecond

var state struct {
	mu       sync.Mutex
	asked    bool   // the terminal was asked
	answered bool   // it answered something (OSC 11 or DSR)
	known    bool   // it told its background colour
	dark     bool   // that colour is dark
	term     string // TERM before it was set to dumb
	changed  bool   // TERM is dumb until Restore
}

// Restore puts TERM back as it was before the guard made it dumb.
func Restore() {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.changed {
		_ = syscall.Setenv("TERM", state.term)
		state.changed = false
	}
}

// Dark is the terminal's background as asked at start-up: dark, and
// asked false when the terminal was not asked (then lipgloss's own
// detection does not wait either). A terminal that did not tell its
// colour counts as dark unless COLORFGBG says otherwise, as termenv's
// default; asking it again would wait for nothing.
func Dark() (dark, asked bool) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if !state.asked {
		return false, false
	}
	if state.known {
		return state.dark, true
	}
	return colorFGBGDark(), true
}

// Silent reports whether the terminal answered nothing at start-up.
func Silent() bool {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.asked && !state.answered
}

// colorFGBGDark reads COLORFGBG ("fg;bg", ANSI colour numbers), which
// some terminals set: a background of 7 (light grey) or 9 to 15 is light.
func colorFGBGDark() bool {
	v, _ := syscall.Getenv("COLORFGBG")
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return true
	}
	bg, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return true
	}
	return !(bg == 7 || (bg >= 9 && bg <= 15))
}

// answer is what the terminal said.
type answer struct {
	answered bool // anything: the OSC 11 reply or the DSR reply
	known    bool // the OSC 11 reply, with a colour
	dark     bool
}

// dsrReply reports whether b holds a cursor position report: ESC [ n ; m R.
func dsrReply(b []byte) bool {
	s := string(b)
	for i := strings.Index(s, "\x1b["); i >= 0; {
		j := i + 2
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
			j++
		}
		if j < len(s) && s[j] == 'R' && j > i+2 {
			return true
		}
		k := strings.Index(s[i+2:], "\x1b[")
		if k < 0 {
			break
		}
		i += 2 + k
	}
	return false
}

// oscReply finds the OSC 11 reply in b, "ESC ] 11 ; rgb:RRRR/GGGG/BBBB"
// ended by BEL or ST, and returns its colour as three fractions.
func oscReply(b []byte) ([3]float64, bool) {
	s := string(b)
	i := strings.Index(s, "\x1b]11;")
	if i < 0 {
		return [3]float64{}, false
	}
	s = s[i+len("\x1b]11;"):]
	end := strings.IndexAny(s, "\x07\x1b")
	if end < 0 {
		return [3]float64{}, false
	}
	spec, ok := strings.CutPrefix(s[:end], "rgb:")
	if !ok {
		spec, ok = strings.CutPrefix(s[:end], "rgba:")
	}
	parts := strings.Split(spec, "/")
	if !ok || len(parts) < 3 {
		return [3]float64{}, false
	}
	var rgb [3]float64
	for k := range 3 {
		p := parts[k]
		v, err := strconv.ParseUint(p, 16, 16)
		if err != nil || len(p) == 0 || len(p) > 4 {
			return [3]float64{}, false
		}
		rgb[k] = float64(v) / float64(uint64(1)<<(4*len(p))-1)
	}
	return rgb, true
}

// isDark is termenv's rule: an HSL lightness below one half.
func isDark(rgb [3]float64) bool {
	hi := max(rgb[0], rgb[1], rgb[2])
	lo := min(rgb[0], rgb[1], rgb[2])
	return (hi+lo)/2 < 0.5
}
