package flow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/flow"
)

// TestConfirmPageInABrowser plays the end user with a real browser: the flow
// runs as against a real environment (ActAsPeople false), so its review step
// only notes the confirm URL and its approve step polls the request. The
// test opens that URL in headless Chromium, logs in on the page's login
// (the mock's stand-in for ID-porten: the browser keeps its session cookie
// and the form carries its CSRF token), checks what the page tells the
// person and presses Approve (or Reject); the flow must then go on by
// itself.
//
// It needs Chromium or Chrome (.ci/run installs Debian's chromium and sets
// WORKBENCH_BROWSER_TEST=1, which makes a missing browser a failure);
// without one the test skips (see chromiumPath). Set
// WORKBENCH_SCREENSHOTS=DIR to keep the screenshots of the confirm page.
func TestConfirmPageInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser and polls for a few seconds")
	}
	browser, browserLog := headlessChromium(t)
	shots := screenshotDir(t)

	cases := []struct {
		scenario, button, status string
		dark                     bool // also a screenshot in dark mode
	}{
		{scenario: "standard", button: "Approve", status: client.StatusAccepted, dark: true},
		{scenario: "rejected", button: "Reject", status: "Rejected"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("chromium's output:\n%s", browserLog.String())
				}
			}()
			// Every case has its own mock world: an approved request
			// leaves a system user behind that the next request would meet.
			s := session(t)
			st := s.Settings
			st.ActAsPeople = false
			sc, err := flow.Find(st, c.scenario)
			if err != nil {
				t.Fatal(err)
			}
			eng := flow.NewEngine(s.Services, st, sc)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan flow.Report, 1)
			go func() { done <- eng.RunAll(ctx, nil) }()

			confirmURL := waitForConfirmURL(t, eng, done)
			requestID := eng.State().RequestID

			tab, closeTab := chromedp.NewContext(browser)
			defer closeTab()
			tab, stop := context.WithTimeout(tab, 15*time.Second)
			defer stop()
			receipts := fakeVendorReceipt(t, tab, st.RedirectURL)

			// The page stands behind a login, as the real one stands behind
			// ID-porten: the mock's login page offers the test persons. Pick
			// the end user by name, as a person would, and log in.
			if err := chromedp.Do(tab,
				chromedp.Navigate(confirmURL),
				chromedp.WaitVisible(chromedp.CSS("form#login")),
			); err != nil {
				t.Fatalf("open %s: %v", confirmURL, err)
			}
			if login, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main"))); err != nil || !strings.Contains(login, "ID-porten") {
				t.Errorf("the login page does not say what it stands in for (%v):\n%s", err, login)
			}
			shoot(t, tab, filepath.Join(shots, "login-"+c.scenario+".png"))
			pickPerson(t, tab, st.EndUserName, st.EndUserPID)
			if err := chromedp.Do(tab,
				chromedp.Click(`//button[normalize-space()="Log in"]`),
				chromedp.WaitVisible(`//button[normalize-space()="`+c.button+`"]`),
			); err != nil {
				t.Fatalf("log in: %v", err)
			}

			// What the person sees before deciding.
			text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				"SmartCloud", "SMARTCLOUD AS", mock.OrgSmartCloud, // the system and its vendor
				mock.ResourceKravOgBetalinger,             // the right asked for
				"TILFELDIG SUBTIL APE", mock.OrgSubtilApe, // for whom
				"logged in as " + st.EndUserName, // who decides
				"Approve", "Reject", "sent back to " + redirectHost(t, st.RedirectURL),
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the confirm page does not show %q:\n%s", want, text)
				}
			}
			shoot(t, tab, filepath.Join(shots, "confirm-"+c.scenario+".png"))
			if c.dark {
				if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
				}); err != nil {
					t.Fatal(err)
				}
				shoot(t, tab, filepath.Join(shots, "confirm-"+c.scenario+"-dark.png"))
			}

			// Press the button by its label and follow Altinn's 303 to the
			// vendor's redirect URL.
			if err := chromedp.Do(tab,
				chromedp.Click(`//button[normalize-space()="`+c.button+`"]`),
				chromedp.WaitVisible(chromedp.ID("vendor-receipt")),
			); err != nil {
				t.Fatalf("press %s: %v", c.button, err)
			}
			landed, err := chromedp.Run(tab, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(landed)
			if err != nil {
				t.Fatal(err)
			}
			if q := u.Query(); !strings.HasPrefix(landed, st.RedirectURL) || q.Get("status") != c.status || q.Get("id") != requestID {
				t.Errorf("the browser landed on %s; want %s with status=%s and id=%s", landed, st.RedirectURL, c.status, requestID)
			}
			select {
			case got := <-receipts:
				if got != landed {
					t.Errorf("the vendor was asked for %s, the browser shows %s", got, landed)
				}
			default:
				t.Error("the browser never asked the vendor's redirect URL")
			}

			// The flow sees the decision at its next poll and goes on.
			var r flow.Report
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the flow did not finish after the decision")
			}
			if c.scenario == "rejected" {
				// A person who rejects in a real environment ends the
				// flow at the poll, with the two ways on; the token
				// step's MP-303 is the mocks' lesson for a vendor that
				// ignores the status.
				checkRejectedWaysOn(t, eng, r, requestID)
				return
			}
			if !r.OK {
				t.Fatalf("not ok:\n%s", describe(r))
			}
			if got := eng.State().RequestStatus; got != c.status {
				t.Errorf("the flow saw the request %s, want %s", got, c.status)
			}
			switch c.scenario {
			case "standard":
				if x := apiExchange(t, r); x.Status != 200 {
					t.Errorf("API call %s → %d", x.URL, x.Status)
				}
			}
		})
	}
}

// checkRejectedWaysOn: the run stopped at the vendor's poll with the
// rejection and its two ways on; deleting the request and asking again
// gives a new request with a new confirm URL.
func checkRejectedWaysOn(t *testing.T, eng *flow.Engine, r flow.Report, requestID string) {
	t.Helper()
	poll := eng.StepIndex("v-poll")
	var re *flow.RejectedError
	if r.OK || !errors.As(r.Results[poll].Err, &re) || re.Request.ID != requestID || r.Results[poll+1].Outcome != flow.Skipped {
		t.Fatalf("want the run to stop at the poll with the rejection:\n%s", describe(r))
	}
	ways := eng.WaysOn(poll)
	if len(ways) != 2 || ways[0].ID != flow.WayDeleteRequest || ways[1].ID != flow.WayNewExternalRef {
		t.Fatalf("ways on %+v", ways)
	}
	_, res, err := eng.TakeWay(context.Background(), ways[0], nil)
	if err != nil || res.Outcome != flow.Done {
		t.Fatalf("delete and ask again: %v %v", err, res.Err)
	}
	var deleted bool
	for _, x := range res.Exchanges {
		deleted = deleted || (x.Method == "DELETE" && strings.HasSuffix(x.URL, "/request/vendor/"+requestID) && x.Status == 202)
	}
	if st := eng.State(); !deleted || st.RequestID == requestID || st.RequestStatus != client.StatusNew || st.ConfirmURL == "" {
		t.Errorf("after the way on: deleted %v, request %s %s", deleted, st.RequestID, st.RequestStatus)
	}
}

// headlessChromium starts Debian's chromium once for the test, with the
// flags that keep it off the closed network (no background networking,
// component updates, sync or QUIC) and, as chromedp does by default, a
// fresh user data dir of its own that it removes when the browser ends.
func headlessChromium(t *testing.T) (context.Context, *lockedBuffer) {
	t.Helper()
	path := chromiumPath(t)
	out := &lockedBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true), // the pages are on loopback
		chromedp.WindowSize(1000, 800),
		chromedp.CombinedOutput(out),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc,
		chromedp.WithLogf(out.printf), chromedp.WithErrorf(out.printf))
	t.Cleanup(cancelBrowser)
	start, cancel := context.WithTimeout(browser, 20*time.Second)
	defer cancel()
	// Starting the browser within a timeout would tie it to that timeout;
	// so start it on its own context and only bound the wait.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browser) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start %s: %v\n%s", path, err, out.String())
		}
	case <-start.Done():
		t.Fatalf("%s did not start in 20 s:\n%s", path, out.String())
	}
	return browser, out
}

// browserNames are the names Chromium and Chrome go by on PATH: Debian's
// package, Ubuntu's and Alpine's, and Google's.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromiumPath finds the browser: CHROME_PATH when set, else the first of
// browserNames on PATH. WORKBENCH_BROWSER_TEST=1 (which .ci/run sets after
// installing Chromium) makes a missing browser a failure; otherwise the
// test skips, saying how to run it. CI alone does not: an integrator's CI
// (GitHub Actions and GitLab set CI=true) need not have a browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	required := os.Getenv("WORKBENCH_BROWSER_TEST") == "1"
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("CHROME_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const install = "install Chromium (apt-get install chromium) or Chrome, or set CHROME_PATH to one"
	if required {
		t.Fatalf("WORKBENCH_BROWSER_TEST=1 but no browser: none of %s is on PATH and CHROME_PATH is not set; %s",
			strings.Join(browserNames, ", "), install)
	}
	t.Skipf("no browser for the confirm page test: none of %s is on PATH; to run it, %s "+
		"(WORKBENCH_BROWSER_TEST=1 makes a missing browser a failure, as in .ci/run)", strings.Join(browserNames, ", "), install)
	return ""
}

// screenshotDir is where the screenshots go: WORKBENCH_SCREENSHOTS if set
// (kept), else the test's temp dir (removed after the test).
func screenshotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("WORKBENCH_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shoot saves a PNG of the whole page (quality 100 makes chromedp ask for PNG).
func shoot(t *testing.T, tab context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("the screenshot is not a PNG (%d bytes)", len(png))
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the confirm page: %s", path)
}

// pickPerson chooses the person by name in the login page's person
// selector, and checks it is the one the flow expects.
func pickPerson(t *testing.T, tab context.Context, name, pid string) {
	t.Helper()
	type option struct{ Value, Text string }
	opts, err := chromedp.Run(tab, chromedp.Evaluate[[]option](
		`Array.from(document.querySelectorAll('select#pid option'), o => ({Value: o.value, Text: o.textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) == 0 {
		t.Fatal("the login page has no person selector")
	}
	value := ""
	for _, o := range opts {
		if strings.Contains(o.Text, name) {
			value = o.Value
		}
	}
	if value == "" {
		t.Fatalf("the person selector does not offer %s: %v", name, opts)
	}
	if value != pid {
		t.Errorf("%s is offered as %s, want %s", name, value, pid)
	}
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("select#pid"), value)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(tab, chromedp.Value(chromedp.CSS("select#pid"))); err != nil || got != value {
		t.Fatalf("the selector holds %q (%v), want %q", got, err, value)
	}
}

// fakeVendorReceipt answers, inside the browser, the requests for the
// vendor's redirect URL: its host (smartcloud.example) resolves nowhere, so
// the browser gets a small receipt page instead of a DNS error. Each URL
// asked for is sent on the channel.
func fakeVendorReceipt(t *testing.T, tab context.Context, redirectURL string) <-chan string {
	t.Helper()
	u, _ := url.Parse(redirectURL)
	host := redirectHost(t, redirectURL)
	asked := make(chan string, 4)
	paused := chromedp.Events(tab, fetch.RequestPaused) // subscribe before enabling
	go func() {
		for ev, err := range paused {
			if err != nil {
				return // the tab is closed
			}
			// Tell the test before answering, so the URL is there by the
			// time the page shows.
			select {
			case asked <- ev.Request.URL:
			default:
			}
			body := fmt.Sprintf(`<!doctype html><meta charset="utf-8"><title>SmartCloud</title>`+
				`<h1 id="vendor-receipt">SmartCloud got the answer</h1><p>%s</p>`, html.EscapeString(ev.Request.URL))
			_, err := chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID:       ev.RequestID,
				ResponseCode:    200,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
				Body:            []byte(body),
			})
			if err != nil {
				return
			}
		}
	}()
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: u.Scheme + "://" + host + "/*"}},
	}); err != nil {
		t.Fatal(err)
	}
	return asked
}

// redirectHost is the host of the vendor's redirect URL.
func redirectHost(t *testing.T, redirectURL string) string {
	t.Helper()
	u, err := url.Parse(redirectURL)
	if err != nil || u.Host == "" {
		t.Fatalf("redirect URL %q: %v", redirectURL, err)
	}
	return u.Host
}

// waitForConfirmURL waits until the flow has made the request.
func waitForConfirmURL(t *testing.T, eng *flow.Engine, done <-chan flow.Report) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if u := eng.State().ConfirmURL; u != "" {
			return u
		}
		select {
		case r := <-done:
			t.Fatalf("the flow ended before it made a request:\n%s", describe(r))
		case <-deadline:
			t.Fatal("no confirm URL after 10 s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// lockedBuffer collects chromium's output and chromedp's log for a failing
// test; the browser writes to it from its own goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) printf(format string, args ...any) {
	fmt.Fprintf(b, format+"\n", args...)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
