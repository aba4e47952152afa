package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/systembruker/workbench/flow"
)

// The confirm URL is where the person who approves the system user goes:
// the vendor sends it, the person opens it in a browser and logs in. In a
// real environment the workbench cannot do that for them, so the review
// step shows the URL prominently, with a QR code for a phone, o to open it
// here and c to copy it; so does the approve step, which waits for the
// person. Against the mocks the review step shows the URL too (without the
// code, as a phone cannot reach the mocks), for trainers to show the page.

// confirmInfo is what a step shows of the confirm URL.
type confirmInfo struct {
	url     string
	realEnv bool   // a real environment: a person opens it, so a QR code too
	who     string // who is to open it
	// qr is the code's modules when real (nil if it could not be made,
	// qrErr says why); inkLight is how to draw it (see qrLines).
	qr       [][]bool
	qrErr    error
	inkLight bool
}

// qrCache keeps the last code made, as a step screen re-renders often and
// the URL seldom changes.
type qrCache struct {
	url  string
	bits [][]bool
	err  error
}

// get returns the code of url, making it if it is not the cached one.
func (c *qrCache) get(url string) ([][]bool, error) {
	if c.url != url || (c.bits == nil && c.err == nil) {
		c.url = url
		c.bits, c.err = qrBitmap(url)
	}
	return c.bits, c.err
}

// showsConfirmURL reports whether a step shows the confirm URL: the
// review step, and in a real environment the approve step, which waits
// for the person to use it.
//
// The steps are known by their ids ("eu-review", "ca-approve"); the
// engine has no field saying which steps hand a URL to a person.
func showsConfirmURL(s flow.Step, realEnv bool) bool {
	return s.Person == flow.PersonReview || realEnv && waitsForPerson(s)
}

// waitsForPerson reports whether a step is the one that, in a real
// environment, waits for the person to approve or reject the request.
func waitsForPerson(s flow.Step) bool { return s.Person == flow.PersonDecide }

// urlIn is the first http(s) URL in the notes, or "".
func urlIn(notes []string) string {
	for _, n := range notes {
		for _, f := range strings.Fields(n) {
			if strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "http://") {
				return strings.TrimRight(f, ".,;)")
			}
		}
	}
	return ""
}

// confirmFor is the confirm URL the selected step shows, if it shows one:
// in a real environment the review step notes it; otherwise (and before
// the review step ran) it is the one the vendor's request (or change
// request, for a change request's step) got, in the engine's state
// (stateURL).
func confirmFor(v flowView, stateURL func(flow.Step) string, cache *qrCache) (confirmInfo, bool) {
	i := v.cur
	s := v.sc.Steps[i]
	realEnv := !v.settings.ActAsPeople
	if !showsConfirmURL(s, realEnv) {
		return confirmInfo{}, false
	}
	url := ""
	for j := i; j >= 0 && url == ""; j-- {
		if v.sc.Steps[j].Person == flow.PersonReview {
			url = urlIn(v.runs[j].notes)
		}
	}
	if url == "" && stateURL != nil {
		url = stateURL(s)
	}
	if url == "" {
		return confirmInfo{}, false
	}
	// Named by role when the config names no one ("the daglig leder of
	// ..."): against a real Altinn the workbench does not know who logs in.
	ci := confirmInfo{url: url, realEnv: realEnv, who: v.settings.EndUserLabel(), inkLight: v.st.QRInkLight}
	if s.Actor == flow.ClientAdmin {
		ci.who = v.settings.ClientAdminLabel()
	}
	if realEnv {
		ci.qr, ci.qrErr = cache.get(url)
	}
	return ci, true
}

// confirmLines is the info pane's confirm URL block in a w×h pane: the
// URL, the keys, and in a real environment the QR code beside the text
// (or under it) when the whole code fits the pane, else a word that z
// shows it full screen.
func confirmLines(ci confirmInfo, w, h int, st *Styles) []string {
	const gap = 2
	text := func(tw int) []string {
		out := []string{st.Title.Render("Confirm URL")}
		what := "The mock portal's page for the request; in tt02 " + ci.who + " opens it in a browser."
		if ci.realEnv {
			what = "Send it to " + ci.who + ", who opens it in a browser (or scans the code) and logs in with ID-porten."
		}
		for _, l := range proseLines(what, tw, 2) {
			out = append(out, st.Subtle.Render(l))
		}
		out = append(out, "")
		for _, l := range wrapURL(sanitize(ci.url), max(1, tw-4)) {
			out = append(out, "    "+st.URL.Render(l))
		}
		out = append(out, "")
		keys := "  " + st.Key.Render("o") + " opens it in the browser · " + st.Key.Render("c") + " copies it"
		if ci.realEnv && ci.qr != nil {
			keys += " · " + st.Key.Render("z") + " shows the QR code full screen"
		}
		out = append(out, hangStyled(keys, tw)...)
		return out
	}
	if !ci.realEnv {
		return text(w)
	}
	if ci.qr == nil {
		out := text(w)
		if ci.qrErr != nil {
			out = append(out, proseIndented(st.Warning, "No QR code: "+ci.qrErr.Error(), w, 0)...)
		}
		return out
	}
	n := len(ci.qr)
	// Beside the text when there is room for both, else under it.
	const minText = 30
	if quiet, ok := qrQuietMax(n, h, w-gap-minText, 2); ok {
		code := qrStyled(ci.qr, quiet, ci.inkLight, st)
		cw := n + 2*quiet
		tl := text(w - cw - gap)
		out := make([]string, max(len(code), len(tl)))
		for i := range out {
			left := spaces(cw)
			if i < len(code) {
				left = code[i]
			}
			right := ""
			if i < len(tl) {
				right = tl[i]
			}
			out[i] = left + spaces(gap) + right
		}
		return out
	}
	out := text(w)
	if quiet, ok := qrQuietMax(n, h-len(out)-1, w, 2); ok {
		return append(append(out, ""), qrStyled(ci.qr, quiet, ci.inkLight, st)...)
	}
	note := fmt.Sprintf("No room for the QR code here (it needs %d rows): z shows it full screen.", qrRows(n, 1))
	return append(out, proseIndented(st.Warning, note, w, 2)...)
}

// hangStyled wraps a line of styled keys, indented by two: whole on wide
// panes, cut into plain words on narrow ones.
func hangStyled(s string, w int) []string {
	if lipgloss.Width(s) <= w {
		return []string{s}
	}
	return proseLines(strings.TrimSpace(ansi.Strip(s)), w, 2)
}

// qrStyled draws the code in the QR style (black and white where the
// terminal has colours).
func qrStyled(bits [][]bool, quiet int, inkLight bool, st *Styles) []string {
	lines := qrLines(bits, quiet, inkLight)
	for i, l := range lines {
		lines[i] = st.QR.Render(l)
	}
	return lines
}

// qrScreen is the confirm URL's QR code full screen, for a phone to scan:
// o and c act on its URL, any other key goes back (q quits, as the root
// sees to first).
type qrScreen struct {
	outbox
	common Common
	ci     confirmInfo
	text   string // the screen, rendered when the code or the size changes
}

func newQRScreen(c Common) qrScreen { return qrScreen{common: c} }

// SetSize implements Component: the whole terminal.
func (q *qrScreen) SetSize(w, h int) {
	q.common = q.common.sized(w, h)
	q.render()
}

// show puts a confirm URL's code on the screen.
func (q *qrScreen) show(ci confirmInfo) {
	q.ci = ci
	q.render()
}

func (q *qrScreen) render() {
	if q.ci.qr == nil {
		q.text = ""
		return
	}
	q.text = zoomView(q.ci, q.common.Width, q.common.Height, q.common.Styles)
}

// Init implements tea.Model.
func (q *qrScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (q *qrScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return q, nil
	}
	k := q.common.Keys
	switch {
	case key.Matches(km, k.OpenURL):
		return q, openCmd(q.common.Open, q.ci.url)
	case key.Matches(km, k.Copy):
		return q, copyCmd(q.common.Copy, "confirm URL", q.ci.url)
	}
	q.ask(zoomOut{})
	return q, nil
}

// View implements tea.Model.
func (q *qrScreen) View() string { return q.text }

// ShortHelp implements help.KeyMap.
func (q *qrScreen) ShortHelp() []key.Binding {
	k := q.common.Keys
	return []key.Binding{relabel(k.OpenURL, "open"), relabel(k.Copy, "copy"), k.Back}
}

// FullHelp implements help.KeyMap.
func (q *qrScreen) FullHelp() [][]key.Binding { return [][]key.Binding{q.ShortHelp()} }

// zoomView is the full-screen QR code: as large a quiet zone as fits, a
// caption above and the URL below when there is room, exactly w×h.
func zoomView(ci confirmInfo, w, h int, st *Styles) string {
	n := len(ci.qr)
	caption := st.Title.Render("Confirm URL") + st.Subtle.Render(" · scan it with a phone · ") +
		st.Key.Render("o") + st.Subtle.Render(" open · ") + st.Key.Render("c") + st.Subtle.Render(" copy · ") +
		st.Key.Render("esc") + st.Subtle.Render(" back")
	var lines []string
	quiet, ok := qrQuiet(n, h-2, w)
	switch {
	case ok:
		lines = append(lines, caption)
		lines = append(lines, qrStyled(ci.qr, quiet, ci.inkLight, st)...)
		lines = append(lines, st.Subtle.Render(ansi.Truncate(sanitize(ci.url), w, "…")))
	default:
		if quiet, ok = qrQuiet(n, h, w); !ok {
			lines = append(lines, st.Warning.Render(fmt.Sprintf("The QR code needs %d rows: make the terminal taller.", qrRows(n, 1))))
		}
		lines = append(lines, qrStyled(ci.qr, quiet, ci.inkLight, st)...)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	// Centre each line, and the block, in exactly w×h.
	out := make([]string, 0, h)
	for range (h - len(lines)) / 2 {
		out = append(out, spaces(w))
	}
	for _, l := range lines {
		l = ansi.Truncate(l, w, "")
		gap := w - lipgloss.Width(l)
		out = append(out, spaces(gap/2)+l+spaces(gap-gap/2))
	}
	for len(out) < h {
		out = append(out, spaces(w))
	}
	return strings.Join(out, "\n")
}
