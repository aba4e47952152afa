package tui

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGoldenPDPExchange is the PDP call behind Skatteetaten's answer (the
// API step's fifth call) at 80x24 and 120x40: the Altinn token in its
// header is one line and the headers come after the body, so the XACML
// request starts within the pane's first 6 lines.
func TestGoldenPDPExchange(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm := newGoldenModel(t, size[0], size[1], "standard")
			waitFor(t, tm, "Actors and steps")
			press(tm, "r")
			waitFor(t, tm, "ended as expected")
			press(tm, "5", "n", "tab", "]", "]", "]", "]")
			waitFor(t, tm, "5/5")
			view := maskBodies(finalView(t, tm))
			rows := paneRows(string(view), "Request · skatteetaten")
			if len(rows) < 6 || !strings.Contains(strings.Join(rows[:2], ""), "authorization/api/v1/authorize") {
				t.Fatalf("not the PDP request:\n%s", view)
			}
			if at := indexOf(rows[:6], "{"); at < 0 || !strings.Contains(strings.Join(rows[at:at+3], ""), `"Request"`) {
				t.Errorf("the XACML body does not start within the pane's first 6 lines:\n%s", view)
			}
			golden.RequireEqual(t, view)
		})
	}
}

// What changes from run to run in a body or its headers besides what
// normalize masks, masked keeping the width: a UUID, or the part of one a
// wrapped line cut; an HTTP date.
var (
	splitID  = regexp.MustCompile(`[0-9a-f]{4,12}(?:-[0-9a-f]{1,12})+-?`)
	httpDate = regexp.MustCompile(`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT`)
)

func maskBodies(view []byte) []byte {
	view = splitID.ReplaceAllFunc(view, func(b []byte) []byte { return bytes.Repeat([]byte("x"), len(b)) })
	return httpDate.ReplaceAll(view, []byte("Ddd, DD Mmm YYYY hh:mm:ss GMT"))
}

// paneRows are the lines of the focused pane (heavy border) whose title
// starts with title, between its borders.
func paneRows(view, title string) []string {
	var rows []string
	in := false
	for _, l := range strings.Split(view, "\n") {
		switch {
		case !in && strings.Contains(l, "▶ "+title):
			in = true
		case in && strings.HasPrefix(l, "┗"):
			return rows
		case in:
			if parts := strings.SplitN(l, "┃", 3); len(parts) == 3 {
				rows = append(rows, parts[1])
			}
		}
	}
	return rows
}

// TestGoldenPickerFiltered is the picker after / rej at 80x24 and 120x40:
// rejected first (its name starts with rej), where the selection is, and
// each scenario's expected code.
func TestGoldenPickerFiltered(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm := newGoldenModel(t, size[0], size[1], "standard")
			waitFor(t, tm, "Actors and steps")
			press(tm, "s", "/", "r", "e", "j")
			waitFor(t, tm, "Filter (1/3 of")
			view := finalView(t, tm)
			if r, j := strings.Index(string(view), "▶ rejected"), strings.Index(string(view), "reused-jti"); r < 0 || j < r {
				t.Errorf("rejected is not first:\n%s", view)
			}
			golden.RequireEqual(t, view)
		})
	}
}
