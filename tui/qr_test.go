package tui

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/systembruker/workbench/flow"
)

// fixedConfirmURL is a confirm URL as tt02 gives it, fixed for the tests.
const fixedConfirmURL = "https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=505f8488-3d48-4c15-8e21-35cb9432f815&DONTCHOOSEREPORTEE=true"

// No decoder is at hand, so the tests check what can be checked without
// one: the size, the finder patterns where the standard puts them, the
// quiet zone, and that the same URL always makes the same code.
func TestQRBitmapIsAWellFormedCode(t *testing.T) {
	bits, err := qrBitmap(fixedConfirmURL)
	if err != nil {
		t.Fatal(err)
	}
	n := len(bits)
	if n < 21 || (n-21)%4 != 0 {
		t.Fatalf("%d modules a side: not a QR code version's size", n)
	}
	for y, row := range bits {
		if len(row) != n {
			t.Fatalf("row %d has %d modules, want %d", y, len(row), n)
		}
	}
	// A finder pattern: a dark 7x7 ring, a light ring, a dark 3x3 centre.
	finder := func(x0, y0 int) {
		t.Helper()
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				ring := max(abs(x-3), abs(y-3))
				if want := ring != 2; bits[y0+y][x0+x] != want {
					t.Fatalf("finder at (%d,%d): module (%d,%d) is %v", x0, y0, x, y, !want)
				}
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	again, _ := qrBitmap(fixedConfirmURL)
	if !reflect.DeepEqual(bits, again) {
		t.Error("the same URL made another code")
	}
	other, _ := qrBitmap(strings.Replace(fixedConfirmURL, "505f", "606f", 1))
	if reflect.DeepEqual(bits, other) {
		t.Error("another URL made the same code")
	}
}

func abs(x int) int { return max(x, -x) }

func TestQRLinesQuietZoneAndHalfBlocks(t *testing.T) {
	bits, _ := qrBitmap(fixedConfirmURL)
	n := len(bits)
	for _, quiet := range []int{1, 2, 4} {
		size := n + 2*quiet
		for _, inkLight := range []bool{true, false} {
			lines := qrLines(bits, quiet, inkLight)
			if len(lines) != qrRows(n, quiet) || len(lines) != (size+1)/2 {
				t.Fatalf("quiet %d: %d rows, want %d", quiet, len(lines), (size+1)/2)
			}
			// Put the modules back from the half blocks.
			got := make([][]bool, 2*len(lines))
			for i, l := range lines {
				if w := utf8.RuneCountInString(l); w != size || ansi.StringWidth(l) != size {
					t.Fatalf("quiet %d: row %d is %d wide, want %d", quiet, i, w, size)
				}
				for _, r := range l {
					top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
					got[2*i] = append(got[2*i], top)
					got[2*i+1] = append(got[2*i+1], bottom)
				}
			}
			for y := 0; y < size; y++ {
				for x := 0; x < size; x++ {
					dark := false
					if x >= quiet && x < quiet+n && y >= quiet && y < quiet+n {
						dark = bits[y-quiet][x-quiet]
					}
					// On a dark terminal the characters are the light
					// modules (the quiet zone among them).
					if want := dark != inkLight; got[y][x] != want {
						t.Fatalf("quiet %d inkLight %v: module (%d,%d) drawn %v, want %v", quiet, inkLight, x, y, got[y][x], want)
					}
				}
			}
			if size%2 == 1 { // the half row below the code is not drawn
				for x, ink := range got[size] {
					if ink {
						t.Fatalf("quiet %d: the half row below the code is drawn at %d", quiet, x)
					}
				}
			}
		}
	}
}

func TestQRQuietZoneFitsTheRoom(t *testing.T) {
	for _, c := range []struct {
		n, rows, cols, quiet int
		ok                   bool
	}{
		{41, 40, 80, 4, true},  // the standard's 4 modules
		{41, 24, 80, 3, true},  // (41+6+1)/2 = 24 rows
		{41, 22, 80, 1, true},  // (41+2+1)/2 = 22 rows
		{41, 21, 80, 1, false}, // not even with 1
		{45, 40, 48, 1, true},  // narrow: 45+2 columns
	} {
		q, ok := qrQuiet(c.n, c.rows, c.cols)
		if q != c.quiet || ok != c.ok {
			t.Errorf("qrQuiet(%d, %d, %d) = %d, %v; want %d, %v", c.n, c.rows, c.cols, q, ok, c.quiet, c.ok)
		}
	}
}

// realReviewModel is the standard scenario in a real environment (tt02)
// at w×h, with the review step run: its note holds the fixed confirm URL.
func realReviewModel(t *testing.T, w, h int, opts ...Option) Model {
	t.Helper()
	m := newTestModel(t, w, h, opts...)
	m.settings.ActAsPeople, m.settings.Env = false, "tt02"
	review := -1
	for i, s := range m.sc.Steps {
		if s.ID == "eu-review" {
			review = i
		}
	}
	id := m.run.id
	res := flow.StepResult{Outcome: flow.Done, Attempt: 7}
	note := "send this to " + m.settings.EndUserName + ", who opens it in a browser and logs in with ID-porten (TestID in tt02):\n" + fixedConfirmURL
	m = update(m,
		event(id, flow.Event{Kind: flow.StepStarted, Step: review, Attempt: 7}),
		event(id, flow.Event{Kind: flow.NoteAdded, Step: review, Attempt: 7, Note: note}),
		event(id, flow.Event{Kind: flow.StepEnded, Step: review, Attempt: 7, Result: &res}))
	m = keys(m, "3") // the end user's first step: the review
	if m.cur != review || !m.step.hasConfirm || m.step.confirm.url != fixedConfirmURL {
		t.Fatalf("at step %d, confirm %v %q", m.cur+1, m.step.hasConfirm, m.step.confirm.url)
	}
	return m
}

func TestGoldenReviewStepReal(t *testing.T) {
	m := realReviewModel(t, 120, 40)
	v := m.View()
	if !strings.Contains(v, "▀") || !strings.Contains(v, "o opens it in the browser") {
		t.Errorf("no QR code or keys:\n%s", v)
	}
	golden.RequireEqual(t, []byte(v))
}

// At 80x24 the code does not fit under the header: the step says z shows
// it full screen, where it does fit.
func TestGoldenReviewStepRealSmall(t *testing.T) {
	m := realReviewModel(t, 80, 24)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "z shows it full screen.") {
		t.Errorf("no word of the full-screen code:\n%s", v)
	}
	m = keys(m, "z")
	v := m.View()
	if !m.zoom || lineCount(v) != 24 {
		t.Fatalf("zoom %v, %d lines", m.zoom, lineCount(v))
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("line %d wide: %q", w, l)
		}
	}
	golden.RequireEqual(t, []byte(v))
	if m = keys(m, "esc"); m.zoom || m.screen != screenStep {
		t.Error("esc did not leave the full-screen code")
	}
}

func TestConfirmURLKeys(t *testing.T) {
	var opened, copied string
	var openErr error
	m := realReviewModel(t, 100, 30, WithOpener(func(u string) error { opened = u; return openErr }),
		WithClipboard(func(s string) error { copied = s; return nil }))
	run := func(m Model, k string) Model {
		next, cmd := m.Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s did nothing", k)
		}
		return update(next.(Model), cmd())
	}
	m = run(m, "o")
	if opened != fixedConfirmURL || !strings.Contains(m.status, "opened the confirm URL") {
		t.Errorf("o opened %q, status %q", opened, m.status)
	}
	m = run(m, "c")
	if copied != fixedConfirmURL || !strings.Contains(m.status, "sent the confirm URL") {
		t.Errorf("c copied %q, status %q", copied, m.status)
	}
	// A browser that cannot be opened is a word in the status line.
	openErr = errors.New("xdg-open is not installed")
	m = run(m, "o")
	if !m.statusBad || !strings.Contains(m.status, "xdg-open is not installed") {
		t.Errorf("status %q", m.status)
	}
	if h := helpText(m); !strings.Contains(h, "open URL") || !strings.Contains(h, "copy URL") {
		t.Errorf("help lacks the URL's keys: %s", h)
	}
}

func TestOpenBrowserRefusesWhatIsNotAWebAddress(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "-h", "javascript:alert(1)", "https://"} {
		if err := OpenBrowser(u); err == nil || !strings.Contains(err.Error(), "not a web address") {
			t.Errorf("OpenBrowser(%q) = %v", u, err)
		}
	}
}

// The mock's review step shows the URL, for trainers, but no code: a
// phone cannot reach the mocks.
func TestMockReviewStepShowsTheURLWithoutQR(t *testing.T) {
	m := realReviewModel(t, 120, 40)
	m.settings.ActAsPeople = true
	m.version++ // settings do not change in a session: say the data did
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Confirm URL") || !strings.Contains(v, "accessmanagement/ui/systemuser/") || strings.Contains(v, "▀") {
		t.Errorf("want the URL without a code:\n%s", v)
	}
	if m.step.confirm.qr != nil {
		t.Error("a code was made for the mock")
	}
}

// When zbarimg (Debian's zbar-tools) is installed, the drawn code is put
// back into an image, as a terminal shows it on a dark and on a light
// background with the narrowest quiet zone, and decoded.
func TestQRDecodesWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	bits, _ := qrBitmap(fixedConfirmURL)
	for _, inkLight := range []bool{true, false} {
		lines := qrLines(bits, 1, inkLight)
		const margin, scale = 6, 6 // terminal cells around the code; pixels a module
		var rows [][]bool          // true where a character's ink is
		for _, l := range lines {
			var top, bottom []bool
			for _, r := range l {
				top, bottom = append(top, r == '█' || r == '▀'), append(bottom, r == '█' || r == '▄')
			}
			rows = append(rows, top, bottom)
		}
		w, h := len(rows[0])+2*margin, len(rows)+2*margin
		img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
		bg, ink := color.Gray{Y: 255}, color.Gray{Y: 0}
		if inkLight {
			bg, ink = ink, bg
		}
		for y := range h * scale {
			for x := range w * scale {
				mx, my := x/scale-margin, y/scale-margin
				c := bg
				if my >= 0 && my < len(rows) && mx >= 0 && mx < len(rows[my]) && rows[my][mx] {
					c = ink
				}
				img.SetGray(x, y, c)
			}
		}
		file := filepath.Join(t.TempDir(), "qr.png")
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "-q", "--raw", file).Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != fixedConfirmURL {
			t.Errorf("inkLight %v: zbarimg read %q (%v)", inkLight, got, err)
		}
	}
}

// In a real environment the approve step waits for the person: the
// status line says so, and the step shows the confirm URL the review
// step noted.
func TestRealApproveStepWaitsWithTheURL(t *testing.T) {
	m := realReviewModel(t, 120, 40)
	approve := m.cur + 1
	m = update(m, event(m.run.id, flow.Event{Kind: flow.StepStarted, Step: approve, Attempt: 8}))
	if want := "waiting for " + m.settings.EndUserName + " to approve"; !strings.Contains(m.status, want) {
		t.Errorf("status %q, want %q", m.status, want)
	}
	m = keys(m, "n")
	if m.cur != approve || !m.step.hasConfirm || m.step.confirm.url != fixedConfirmURL || m.step.confirm.qr == nil {
		t.Errorf("approve step: confirm %v %q, code %v", m.step.hasConfirm, m.step.confirm.url, m.step.confirm.qr != nil)
	}
	// Against the mocks the approve step is done over HTTP: no URL there.
	m.settings.ActAsPeople = true
	m = keys(m, "p", "n")
	if m.step.hasConfirm {
		t.Error("the mock's approve step shows the confirm URL")
	}
}

// TestRealReviewNamesThePersonByRole: a real environment's config that
// names no one: the confirm URL goes to the daglig leder of the customer,
// never to an empty name.
func TestRealReviewNamesThePersonByRole(t *testing.T) {
	m := newTestModel(t, 120, 40)
	m.settings.EndUserName = ""
	m.setScenario(m.sc)
	m.settings.ActAsPeople, m.settings.Env = false, "tt02"
	review := -1
	for i, s := range m.sc.Steps {
		if s.ID == "eu-review" {
			review = i
		}
	}
	id := m.run.id
	res := flow.StepResult{Outcome: flow.Done, Attempt: 1}
	m = update(m,
		event(id, flow.Event{Kind: flow.StepStarted, Step: review, Attempt: 1}),
		event(id, flow.Event{Kind: flow.NoteAdded, Step: review, Attempt: 1, Note: "send this to the daglig leder of TILFELDIG SUBTIL APE, who opens it:\n" + fixedConfirmURL}),
		event(id, flow.Event{Kind: flow.StepEnded, Step: review, Attempt: 1, Result: &res}))
	m = keys(m, "3")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Send it to the daglig leder of TILFELDIG SUBTIL APE") || strings.Contains(v, "to , ") {
		t.Errorf("the confirm URL's person:\n%s", v)
	}
}
