//go:build linux || darwin

package termguard

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestOSCReply(t *testing.T) {
	for _, tt := range []struct {
		in       string
		ok, dark bool
	}{
		{"\x1b]11;rgb:0000/0000/0000\x1b\\", true, true},
		{"\x1b]11;rgb:ffff/ffff/ffff\x07", true, false},
		{"\x1b]11;rgb:ff/ff/ff\x1b\\\x1b[24;1R", true, false},
		{"\x1b]11;rgb:1e1e/1e1e/2e2e\x1b\\", true, true},
		{"\x1b]11;rgb:fdf6/f6f6/e3e3\x1b\\", true, false}, // solarized light
		{"\x1b]11;rgba:0000/0000/0000/ffff\x07", true, true},
		{"noise\x1b]11;rgb:f/f/f\x07", true, false},
		{"\x1b]11;rgb:0000/0000\x07", false, false},
		{"\x1b]11;rgb:zzzz/0000/0000\x07", false, false},
		{"\x1b]11;rgb:00000/0000/0000\x07", false, false},
		{"\x1b]11;rgb:0000/0000/0000", false, false}, // not ended yet
		{"\x1b[24;1R", false, false},
		{"", false, false},
	} {
		rgb, ok := oscReply([]byte(tt.in))
		if ok != tt.ok || (ok && isDark(rgb) != tt.dark) {
			t.Errorf("%q: ok %v dark %v, want %v %v", tt.in, ok, isDark(rgb), tt.ok, tt.dark)
		}
	}
}

func TestDSRReply(t *testing.T) {
	for in, want := range map[string]bool{
		"\x1b[24;1R": true, "\x1b]11;rgb:0/0/0\x07\x1b[1;1R": true, "\x1b[R": false, "\x1b[24;1": false,
		"\x1b[A\x1b[3;4R": true, "": false, "24;1R": false,
	} {
		if got := dsrReply([]byte(in)); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func TestColorFGBG(t *testing.T) {
	for v, dark := range map[string]bool{"": true, "15;0": true, "0;15": false, "0;7": false, "7;default;0": true, "x": true, "0;x": true} {
		t.Setenv("COLORFGBG", v)
		if got := colorFGBGDark(); got != dark {
			t.Errorf("COLORFGBG=%q: dark %v, want %v", v, got, dark)
		}
	}
}

// fakeTerminal plays a terminal on pipes: it reads the query and writes
// reply (nothing for a silent one) in chunks.
func fakeTerminal(t *testing.T, reply ...string) (in, out int) {
	t.Helper()
	toProg, fromTerm, err := os.Pipe() // the terminal writes, the program reads
	if err != nil {
		t.Fatal(err)
	}
	fromProg, toTerm, err := os.Pipe() // the program writes, the terminal reads
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { toProg.Close(); fromTerm.Close(); fromProg.Close(); toTerm.Close() })
	go func() {
		q := make([]byte, 64)
		n, _ := fromProg.Read(q)
		if !bytes.Contains(q[:n], []byte("\x1b]11;?")) || !bytes.Contains(q[:n], []byte("\x1b[6n")) {
			t.Errorf("the query is %q", q[:n])
		}
		for _, r := range reply {
			fromTerm.Write([]byte(r))
			time.Sleep(time.Millisecond)
		}
	}()
	return int(toProg.Fd()), int(toTerm.Fd())
}

func TestAsk(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply []string
		want  answer
	}{
		{"light, in pieces", []string{"\x1b]11;rgb:ff", "ff/ffff/ffff\x1b\\", "\x1b[12;", "1R"}, answer{answered: true, known: true, dark: false}},
		{"dark", []string{"\x1b]11;rgb:1c1c/1c1c/1c1c\x07\x1b[1;1R"}, answer{answered: true, known: true, dark: true}},
		{"no OSC 11, only DSR", []string{"\x1b[5;1R"}, answer{answered: true}},
		{"silent", nil, answer{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, out := fakeTerminal(t, tt.reply...)
			if got := ask(in, out, 300*time.Millisecond); got != tt.want {
				t.Errorf("%+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDarkAndRestore(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	asked, answered, known, dark, term, changed := state.asked, state.answered, state.known, state.dark, state.term, state.changed
	t.Cleanup(func() {
		state.asked, state.answered, state.known, state.dark, state.term, state.changed = asked, answered, known, dark, term, changed
	})
	state.asked, state.answered, state.known, state.dark = false, false, false, false
	if _, asked := Dark(); asked {
		t.Error("asked, though nothing was")
	}
	state.asked, state.answered, state.known, state.dark = true, true, true, false
	if dark, asked := Dark(); dark || !asked || Silent() {
		t.Errorf("a light terminal: dark %v asked %v silent %v", dark, asked, Silent())
	}
	// A silent terminal: dumb until Restore, then as it was; dark.
	state.asked, state.answered, state.known = true, false, false
	state.term, state.changed = "xterm-256color", true
	os.Setenv("TERM", "dumb")
	if dark, asked := Dark(); !dark || !asked || !Silent() {
		t.Errorf("a silent terminal: dark %v asked %v silent %v", dark, asked, Silent())
	}
	Restore()
	if got := os.Getenv("TERM"); got != "xterm-256color" {
		t.Errorf("TERM is %q after Restore", got)
	}
	Restore() // twice is harmless
	if got := os.Getenv("TERM"); got != "xterm-256color" {
		t.Errorf("TERM is %q after a second Restore", got)
	}
}
