package standin

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestServeForTrying is not a test: it runs the stand-in for a person to try
// the workbench against, and is skipped unless STANDIN_SERVE is set:
//
//	STANDIN_SERVE=1 go test ./internal/standin -run TestServeForTrying -v -timeout 0 &
//	go run . --config <the printed path> run --yes
//
// It prints the config's path on stderr and plays the people until
// STANDIN_FOR passes (default 10m) or it is interrupted:
//
//	STANDIN_PERSON  approve (default), reject or none: what the daglig leder
//	                (or the client administrator) does with a new request,
//	                STANDIN_DELAY (default 3s) after it appears
//	STANDIN_FAIL    an HTTP status every status read answers (e.g. 401)
//	STANDIN_MPIDS   uri (default), description or none: where MP ids appear
//	STANDIN_KBPREFIX  a path Krav og betalinger is under (default none, as
//	                on today's test host), carried by skatteetaten.url
//
// An approved agent system user gets the customer 310904473 delegated
// STANDIN_DELAY after its approval.
func TestServeForTrying(t *testing.T) {
	if os.Getenv("STANDIN_SERVE") == "" {
		t.Skip("set STANDIN_SERVE=1 to run the stand-in for trying the workbench by hand")
	}
	w := Start(t, Options{KBPrefix: os.Getenv("STANDIN_KBPREFIX")})
	cfg := w.WriteConfig(t, ConfigOptions{})
	fmt.Fprintf(os.Stderr, "standin: config %s\nstandin: try: go run . --config %s run --yes\n", cfg, cfg)
	if s, err := strconv.Atoi(os.Getenv("STANDIN_FAIL")); err == nil {
		w.FailStatusReads(s)
	}
	switch os.Getenv("STANDIN_MPIDS") {
	case "description":
		w.SetMPIDs(MPIDInDescription)
	case "none":
		w.SetMPIDs(MPIDNone)
	}
	delay := envDuration("STANDIN_DELAY", 3*time.Second)
	end := time.Now().Add(envDuration("STANDIN_FOR", 10*time.Minute))
	seen := map[string]time.Time{}
	for time.Now().Before(end) {
		time.Sleep(200 * time.Millisecond)
		snap := w.Registered()
		for _, r := range snap.Requests {
			if r.Deleted || r.Status != StatusNew {
				continue
			}
			if _, ok := seen[r.ID]; !ok {
				seen[r.ID] = time.Now()
				fmt.Fprintf(os.Stderr, "standin: request %s for %s is New\n", r.ID, r.PartyOrgNo)
			}
			if time.Since(seen[r.ID]) < delay {
				continue
			}
			switch os.Getenv("STANDIN_PERSON") {
			case "", "approve":
				fmt.Fprintf(os.Stderr, "standin: the person approves %s: %v\n", r.ID, w.Approve(r.ID))
			case "reject":
				fmt.Fprintf(os.Stderr, "standin: the person rejects %s: %v\n", r.ID, w.Reject(r.ID))
			}
		}
		for _, u := range snap.SystemUsers {
			key := "delegate:" + u.ID
			if !u.Agent || u.Deleted || len(u.Clients) > 0 {
				continue
			}
			if _, ok := seen[key]; !ok {
				seen[key] = time.Now()
			}
			if time.Since(seen[key]) >= delay {
				fmt.Fprintf(os.Stderr, "standin: the client administrator delegates 310904473 to %s: %v\n", u.ID, w.DelegateClient(u.ID, "310904473"))
			}
		}
	}
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
