package wire_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/internal/cli/wire"
)

// lockedBuffer is a bytes.Buffer the servers' goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The whole flow through one listener with the services under path
// prefixes, as `serve --addr` serves them: the well-known issuer, the
// Locations and confirm URLs, the confirm page's login (its cookie scoped
// to /altinn/accessmanagement/ui/), the knobs, the token and the API.
func TestScenariosUnderPathPrefixes(t *testing.T) {
	var log lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := wire.StartWith(ctx, config.Default(), mock.Options{Addr: "127.0.0.1:0", Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	root := s.Mock.RootURL
	if !strings.HasPrefix(root, "http://127.0.0.1:") || s.Mock.MaskinportenURL != root+"maskinporten/" ||
		s.Mock.AltinnURL != root+"altinn/" || s.Mock.SkatteetatenURL != root+"skatteetaten/api/innkreving/kravogbetalinger/" {
		t.Fatalf("URLs %q %q %q under root %q", s.Mock.MaskinportenURL, s.Mock.AltinnURL, s.Mock.SkatteetatenURL, root)
	}
	// One failure scenario turns the clock knob, one ends in MP-303 after
	// the person rejects on the confirm page.
	for _, name := range []string{"standard", "agent", "token-expired", "rejected", "request-timed-out"} {
		sc, err := flow.Find(s.Settings, name)
		if err != nil {
			t.Fatal(err)
		}
		r := flow.NewEngine(s.Services, s.Settings, sc).RunAll(ctx, nil)
		if !r.OK {
			for i, res := range r.Results {
				t.Logf("%s %s: %s %v", name, r.Scenario.Steps[i].ID, res.Outcome, res.Err)
			}
			t.Fatalf("scenario %s did not end as expected under the prefixes", name)
		}
		for _, res := range r.Results {
			for _, x := range res.Exchanges {
				if !strings.HasPrefix(x.URL, root) {
					t.Errorf("%s: an exchange went to %s, outside %s", name, x.URL, root)
				}
			}
		}
	}
	got := log.String()
	for _, want := range []string{
		"path=/maskinporten/token status=200",
		"path=/altinn/accessmanagement/ui/login status=303",
		"path=/skatteetaten/api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav status=200",
		"path=/maskinporten/mock/clock status=200",
		// the rejected request: Maskinporten's refusal with its code and rule
		"error=invalid_altinn_customer_configuration code=MP-303 rule=\"Altinn found no system user",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the request log lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", got)
	}
}
