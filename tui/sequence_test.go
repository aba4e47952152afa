package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

func TestPathLabelSaysWhatTheCallDoes(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"http://a/authentication/api/v1/systemuser/request/vendor/9f0c8f4e-2a1b-4c3d-8e5f-0123456789ab", "/systemuser/request/vendor/{id}"},
		{"http://a/authentication/api/v1/systemregister/vendor/991825827_smartcloud", "/systemregister/vendor/{systemId}"},
		{"http://s/api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav", "/regnskapssystem/{orgno}/aapnekrav"},
		{"http://mp/api/v1/clients/9f0c8f4e-2a1b-4c3d-8e5f-0123456789ab/jwks", "/api/v1/clients/{id}/jwks"},
		{"http://mp/api/v1/scopes/access/991825827?owner_orgno=974761076", "/api/v1/scopes/access/{orgno}"},
		{"http://a/resourceregistry/api/v1/resource/ske-krav-og-betalinger/policy", "/resource/ske-krav-og-betalinger/policy"},
		{"http://mp/token", "/token"},
		{"http://a/accessmanagement/ui/systemuser/request?id=x", "/accessmanagement/ui/systemuser/request"},
		// A prefix only where it is the whole first part of the path.
		{"http://a/authentication/api/v1x/y", "/authentication/api/v1x/y"},
	} {
		if got := pathLabel(c.url); got != c.want {
			t.Errorf("pathLabel(%s) = %q, want %q", c.url, got, c.want)
		}
	}
}

// clockRuns is token-expired's last steps: the token, the mocks' clock
// ten minutes on, the API refusing the old token as the scenario expects.
func clockRuns(sc flow.Scenario) []stepRun {
	runs := make([]stepRun, len(sc.Steps))
	runs[11] = withCalls(client.Exchange{Service: "maskinporten", Method: "POST", URL: "http://mp/token", Status: 200})
	runs[12] = withCalls(client.Exchange{Service: "maskinporten", Method: "PUT", URL: "http://mp/mock/clock", Status: 200,
		RequestBody: `{"offset_seconds":600}`})
	runs[13] = withCalls(client.Exchange{Service: "skatteetaten", Method: "GET", Status: 401,
		URL: "http://s/api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav"})
	runs[13].outcome = flow.ExpectedFailure
	return runs
}

// TestSequenceAt120Columns: the diagram's width in a 120-column overview
// has the party names on one row, the clock's jump as a note, and the
// failure the scenario expects marked.
func TestSequenceAt120Columns(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	m := newTestModel(t, 120, 40, WithScenario("token-expired"))
	sc := m.sc
	w := m.ov.seq.innerWidth()
	d := sequenceLines(sc, flow.Settings{}, clockRuns(sc), 13, nil, w, &st)
	if len(d.head) != 2 {
		t.Fatalf("the names take %d rows, want one (and the lifelines):\n%s", len(d.head)-1, strings.Join(d.head, "\n"))
	}
	names := ansi.Strip(d.head[0])
	at := 0
	for _, p := range flow.Parties {
		i := strings.Index(names[at:], string(p))
		if i < 0 {
			t.Fatalf("the names row %q lacks %s, in order", names, p)
		}
		at += i + len(p)
	}
	text := ansi.Strip(strings.Join(d.lines, "\n"))
	for _, want := range []string{
		"⏱ +10 min: the mocks' clock moves",
		"GET /regnskapssystem/{orgno}/aapnekrav ⚑ 401",
		"14 SmartCloud calls the API", "⚑ HTTP 401 as expected",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diagram lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "/mock/clock") {
		t.Errorf("the clock's jump is drawn as a call:\n%s", text)
	}
	for _, l := range append(d.head, d.lines...) {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line of %d cells in a pane of %d: %q", lw, w, ansi.Strip(l))
		}
	}
}

// TestSequenceShortNamesWhenNarrow: where even one row of full names
// does not fit, the short names do.
func TestSequenceShortNamesWhenNarrow(t *testing.T) {
	st := NewStyles(lipgloss.DefaultRenderer(), DefaultTheme())
	g := newSeqGrid(50)
	head := g.head(&st)
	if len(head) != 2 || !strings.Contains(ansi.Strip(head[0]), "Vendor") || !strings.Contains(ansi.Strip(head[0]), "SKE") {
		t.Errorf("at 50 columns: %q", head)
	}
}

// TestSelectACallAndOpenIt: in the diagram, ↓ and ↑ select a call (and
// its step), and enter opens that call's request and response.
func TestSelectACallAndOpenIt(t *testing.T) {
	m := newTestModel(t, 120, 40, WithScenario("token-expired"))
	for i, r := range clockRuns(m.sc) {
		if len(r.calls) > 0 {
			m = runStep(m, i, i+1, r.exchanges, nil, nil)
		}
	}
	m = keys(m, "tab") // the diagram: the selected step's first call
	if m.ov.sel == nil || m.ov.sel.step != m.cur {
		t.Fatalf("no call of step %d selected: %v", m.cur+1, m.ov.sel)
	}
	m.cur = 0
	m = keys(m, "tab", "tab", "down") // from the first call of all to the second
	if s := m.ov.sel; s == nil || *s != (seqPos{12, 0}) || m.cur != 12 {
		t.Fatalf("down selected %v, step %d; want step 13's call", s, m.cur+1)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "› ") || !strings.Contains(v, "enter open call") {
		t.Errorf("the selected call is not marked, or the help does not say enter opens it:\n%s", v)
	}
	m = keys(m, "down", "enter")
	if m.screen != screenStep || m.cur != 13 || m.step.section != sectionExchanges || m.step.exch != 0 {
		t.Fatalf("enter opened screen %v step %d section %v call %d; want step 14's call", m.screen, m.cur+1, m.step.section, m.step.exch)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "aapnekrav → 401") {
		t.Errorf("the call is not shown:\n%s", v)
	}
}
