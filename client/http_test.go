package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Network behaviour.

func TestRetriesOnlyIdempotentGETs(t *testing.T) {
	tests := []struct {
		name     string
		fails    []int // status of each answer before a 200
		post     bool
		wantHits int32
		wantErr  bool
	}{
		{"GET through 503 and 502", []int{503, 502}, false, 3, false},
		{"GET through 504", []int{504}, false, 2, false},
		{"GET gives up after the retries", []int{503, 503, 503, 503}, false, 3, true},
		{"GET does not retry 500", []int{500}, false, 1, true},
		{"GET does not retry 404", []int{404}, false, 1, true},
		{"POST is never retried", []int{503}, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(hits.Add(1)) - 1
				if n < len(tt.fails) {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(tt.fails[n])
					return
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, wellKnownTest)
			}))
			defer s.Close()
			hc := NewHTTPClient(HTTPOptions{Retries: 2, Backoff: time.Millisecond})
			var xs []Exchange
			ctx := WithRecorder(context.Background(), func(x Exchange) { xs = append(xs, x) })
			m := NewMaskinporten(s.URL, hc)
			var err error
			if tt.post {
				_, err = m.Token(ctx, "", "a.b.c")
			} else {
				_, err = m.WellKnown(ctx)
			}
			if (err != nil) != tt.wantErr || hits.Load() != tt.wantHits {
				t.Fatalf("%d requests, err %v", hits.Load(), err)
			}
			if len(xs) != 1 || len(xs[0].Retries) != int(tt.wantHits)-1 {
				t.Fatalf("exchanges %d, retries %v", len(xs), xs[0].Retries)
			}
			if tt.wantHits > 1 && !strings.Contains(xs[0].Retries[0], "attempt 1: "+fmt.Sprint(tt.fails[0])) {
				t.Errorf("retry note %q", xs[0].Retries[0])
			}
		})
	}
}

func TestRetryAfterTransportError(t *testing.T) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			// Drop the connection without an answer.
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, wellKnownTest)
	}))
	defer s.Close()
	var xs []Exchange
	ctx := WithRecorder(context.Background(), func(x Exchange) { xs = append(xs, x) })
	_, err := NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Backoff: time.Millisecond})).WellKnown(ctx)
	if err != nil || hits.Load() != 2 || len(xs[0].Retries) != 1 || !strings.Contains(xs[0].Retries[0], "closed") {
		t.Fatalf("err %v, hits %d, retries %v", err, hits.Load(), xs[0].Retries)
	}
	// The same dropped connection on a POST is reported, not repeated.
	hits.Store(0)
	_, err = NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Backoff: time.Millisecond})).Token(context.Background(), "", "a.b.c")
	var te *TransportError
	if !errors.As(err, &te) || hits.Load() != 1 || !strings.Contains(te.Hint, "closed before a complete answer") {
		t.Errorf("POST: %v after %d requests", err, hits.Load())
	}
}

func TestNetworkFailuresSayWhatHappened(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	slowHeaders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer slowHeaders.Close()
	slowBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":`)
		w.(http.Flusher).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer slowBody.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	hc := NewHTTPClient(HTTPOptions{Timeout: 100 * time.Millisecond, Retries: -1})
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"timeout before the headers", slowHeaders.URL, "no complete answer within 100ms ([network] timeout"},
		{"timeout in the body", slowBody.URL, "no complete answer within 100ms"},
		{"self-signed TLS is refused", tlsSrv.URL, "TLS certificate not trusted"},
		{"https to a plain HTTP server", strings.Replace(plain.URL, "http://", "https://", 1), "does not speak TLS"},
		{"no such host", "https://platform.tt02.altinn.invalid/", "no such host; check the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := NewMaskinporten(tt.url, hc).WellKnown(context.Background())
			var te *TransportError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %T %v, want %q", err, err, tt.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
}

func TestUnreadableAnswersAreExplained(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string
	}{
		{"login page with 200", 200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Logg inn</title></head></html>", "got an HTML page: does the base URL point at the API host"},
		{"empty 200", 200, "application/json", "", "got an empty body"},
		{"cut-off JSON", 200, "application/json", `{"issuer": "https://test.maskinporten.no/", "jwks_uri": `, "not valid JSON"},
		{"XML", 200, "application/xml", "<?xml version=\"1.0\"?><a/>", "expected a JSON body"},
		{"gateway HTML 502", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head></html>", "HTML page instead of an API answer"},
		{"API gateway JSON", 401, "application/json", `{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }`, "the API gateway answered: Access denied due to missing subscription key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, tt.status, tt.contentType, tt.body)
			_, err := NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Retries: -1})).WellKnown(context.Background())
			var he *HTTPError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.want) || he.Status != tt.status {
				t.Fatalf("got %T %v, want %q", err, err, tt.want)
			}
		})
	}
}

func TestUserAgentOnEveryCall(t *testing.T) {
	var ua []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = append(ua, r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer s.Close()
	hc := NewHTTPClient(HTTPOptions{})
	ctx := context.Background()
	NewMaskinporten(s.URL, hc).Token(ctx, "", "a.b.c")
	NewRequests(s.URL, hc).Get(ctx, "t", "x")
	NewPDP(s.URL, hc, "").Authorize(ctx, "t", DecisionRequest{})
	NewKravOgBetalinger(s.URL, hc).OpenClaims(ctx, "t", "regnskapssystem", "310904473")
	for _, u := range ua {
		if u != "systembruker-workbench/"+Version {
			t.Errorf("User-Agent %q", u)
		}
	}
	if len(ua) != 4 {
		t.Errorf("%d calls", len(ua))
	}
}

// TestTransportHonoursRetryAfter: a GET answered 429 or 503 is retried no
// sooner than Retry-After asks; a longer wait than a retry may take is left
// to the caller, with the wait on the error.
func TestTransportHonoursRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		status         int
		retryAfter     string
		hits, wantHits int32
		wantRetryAfter time.Duration
		wantErr, sawRA bool
	}{
		{status: 429, retryAfter: "0", wantHits: 2},
		{status: 429, retryAfter: "", wantHits: 2},
		{status: 503, retryAfter: "60", wantHits: 1, wantErr: true, sawRA: true, wantRetryAfter: time.Minute},
		{status: 503, retryAfter: "1", wantHits: 2},
		{status: 429, retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), wantHits: 1, wantErr: true, sawRA: true, wantRetryAfter: time.Hour},
	} {
		var hits atomic.Int32
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hits.Add(1) == 1 {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, wellKnownTest)
		}))
		_, err := NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Retries: 2, Backoff: time.Millisecond})).WellKnown(context.Background())
		s.Close()
		ra, ok := RetryAfter(err)
		if hits.Load() != tt.wantHits || (err != nil) != tt.wantErr || ok != tt.sawRA ||
			(ok && (ra > tt.wantRetryAfter || ra < tt.wantRetryAfter-2*time.Second)) || (ok && Status(err) != tt.status) {
			t.Errorf("%d Retry-After %q: %d requests, err %v, Retry-After %s %v", tt.status, tt.retryAfter, hits.Load(), err, ra, ok)
		}
	}
}

// countingTransport records when each request left.
type countingTransport struct {
	mu   sync.Mutex
	sent []time.Time
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.sent = append(c.sent, time.Now())
	c.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(wellKnownTest)), Request: r}, nil
}

// TestHostLimitBoundsEveryWindow: with a limit of N per window no window
// holds more than N requests to a host, and the first N go at once.
func TestHostLimitBoundsEveryWindow(t *testing.T) {
	ct := &countingTransport{}
	lim := Limit{N: 4, Per: 100 * time.Millisecond}
	m := NewMaskinporten("http://mp.test/", NewHTTPClient(HTTPOptions{HostLimit: lim, Transport: ct}))
	for i := 0; i < 10; i++ {
		if _, err := m.WellKnown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The turns are taken right before each request goes; the transport
	// here sees them a moment later, so allow a millisecond.
	for i := lim.N; i < len(ct.sent); i++ {
		if gap := ct.sent[i].Sub(ct.sent[i-lim.N]); gap < lim.Per-time.Millisecond {
			t.Errorf("requests %d and %d are %s apart: %d in less than %s", i-lim.N, i, gap, lim.N+1, lim.Per)
		}
	}
	if len(ct.sent) != 10 {
		t.Errorf("%d requests", len(ct.sent))
	}
}
