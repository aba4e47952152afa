package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func noSleep(context.Context, time.Duration) error { return nil }

func TestPollUntilFinal(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string
		want     string
		gets     int32
	}{
		{"accepted after two", []string{"New", "New", "Accepted"}, StatusAccepted, 3},
		{"rejected", []string{"Rejected"}, StatusRejected, 1},
		{"denied", []string{"New", "Denied"}, StatusDenied, 2},
		// timedOut is a flag on a request that is still New and open.
		{"timed out, then approved", []string{"New timedOut", "New timedOut", "Accepted"}, StatusAccepted, 3},
		{"through a 503 page", []string{"New", "HTTP 503", "HTTP 503", "HTTP 503", "Accepted"}, StatusAccepted, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, gets := requestAPI(t, tt.statuses...)
			q := NewRequests(s.URL+"/", NewHTTPClient(HTTPOptions{Retries: -1}))
			var waits []time.Duration
			r, err := q.Poll(context.Background(), "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{
				Interval: time.Second, MaxInterval: 2 * time.Second, Sleep: noSleep,
				OnStatus: func(_ Request, next time.Duration) { waits = append(waits, next) },
			})
			if err != nil || r.Status != tt.want || gets.Load() != tt.gets {
				t.Fatalf("got %q after %d reads, %v", r.Status, gets.Load(), err)
			}
			for i := 1; i < len(waits); i++ {
				if waits[i] < waits[i-1] || waits[i] > 2*time.Second {
					t.Errorf("waits %v do not back off up to the cap", waits)
				}
			}
		})
	}
}

func TestPollDeadlineAndHardErrors(t *testing.T) {
	s, _ := requestAPI(t, "New")
	q := NewRequests(s.URL+"/", s.Client())
	r, err := q.Poll(context.Background(), "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{
		Deadline: time.Now().Add(30 * time.Millisecond), Interval: 10 * time.Millisecond,
	})
	if !errors.Is(err, ErrPollDeadline) || r.Status != StatusNew || !strings.Contains(err.Error(), "still New") {
		t.Errorf("deadline: %+v %v", r, err)
	}
	nf := serve(t, 404, "application/problem+json", `{"title":"The Id does not refer to a Request in our system.","status":404,"code":"AUTH-00010"}`)
	_, err = NewRequests(nf.URL, nf.Client()).Poll(context.Background(), "tok", "x", PollOptions{Sleep: noSleep})
	if !HasCode(err, "AUTH-00010") {
		t.Errorf("404 did not end polling: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Poll(ctx, "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// statusServer answers each status read with the next of answers: a
// status ("New", "Accepted") or an HTTP error status, with a Retry-After
// when written as "429 7"; after the list, Accepted. It keeps the token
// each read carried.
func statusServer(t *testing.T, answers ...string) (*Requests, *[]string) {
	t.Helper()
	var tokens []string
	var mu sync.Mutex
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(tokens)
		tokens = append(tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		mu.Unlock()
		a := StatusAccepted
		if n < len(answers) {
			a = answers[n]
		}
		status, after, _ := strings.Cut(a, " ")
		if code, err := strconv.Atoi(status); err == nil {
			if after != "" {
				w.Header().Set("Retry-After", after)
			}
			w.WriteHeader(code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"x","status":"`+status+`"}`)
	}))
	t.Cleanup(s.Close)
	return NewRequests(s.URL+"/", NewHTTPClient(HTTPOptions{Retries: -1})), &tokens
}

// tokenSource counts the tokens it issues: a new one when asked for a
// fresh one (and the first time).
type tokenSource struct{ issued int }

func (ts *tokenSource) token(_ context.Context, fresh bool) (string, error) {
	if fresh || ts.issued == 0 {
		ts.issued++
	}
	return fmt.Sprint("t", ts.issued), nil
}

// TestPollRefreshesAtMostTwiceInARow: a 401 gets one fresh token, at most
// two in a row; the third 401 ends the poll with a clear error, and every
// read, the refused ones too, is followed by a growing wait.
func TestPollRefreshesAtMostTwiceInARow(t *testing.T) {
	q, tokens := statusServer(t, "401", "401", "401", "401", "401")
	var waits []time.Duration
	var ts tokenSource
	_, err := q.Poll(context.Background(), "", "x", PollOptions{
		Interval: time.Second, Deadline: time.Now().Add(time.Hour), Token: ts.token,
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
	})
	if !errors.Is(err, ErrStillUnauthorized) || !HasCode(err, "HTTP 401") || !strings.Contains(err.Error(), "3 reads in a row") {
		t.Fatalf("err %v", err)
	}
	if strings.Join(*tokens, ",") != "t1,t2,t3" || ts.issued != 3 {
		t.Errorf("reads with %v, %d tokens issued", *tokens, ts.issued)
	}
	if len(waits) != 2 || waits[0] != time.Second || waits[1] != 1500*time.Millisecond {
		t.Errorf("waits after the refused reads %v", waits)
	}

	// A read that a fresh token cures starts the count again.
	q, tokens = statusServer(t, "401", "New", "401", "401", "New")
	ts = tokenSource{}
	r, err := q.Poll(context.Background(), "", "x", PollOptions{Sleep: noSleep, Token: ts.token})
	if err != nil || r.Status != StatusAccepted || strings.Join(*tokens, ",") != "t1,t2,t2,t3,t4,t4" {
		t.Errorf("got %q, %v, reads with %v", r.Status, err, *tokens)
	}

	// Without a token source a 401 ends the poll at once.
	q, tokens = statusServer(t, "401")
	if _, err := q.Poll(context.Background(), "tok", "x", PollOptions{Sleep: noSleep}); !errors.Is(err, ErrStillUnauthorized) || len(*tokens) != 1 {
		t.Errorf("no token source: %v after %d reads", err, len(*tokens))
	}
}

// TestPollHonoursRetryAfter: 429 and 503 wait at least as long as
// Retry-After asks, and a wait past the deadline ends the poll instead.
func TestPollHonoursRetryAfter(t *testing.T) {
	q, tokens := statusServer(t, "New", "429 7", "503 4", "503")
	var waits []time.Duration
	var retried []string
	r, err := q.Poll(context.Background(), "tok", "x", PollOptions{
		Interval: time.Second,
		Sleep:    func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		OnRetry:  func(err error, _ time.Duration) { retried = append(retried, Codes(err)[0]) },
	})
	if err != nil || r.Status != StatusAccepted || len(*tokens) != 5 {
		t.Fatalf("got %q, %v after %d reads", r.Status, err, len(*tokens))
	}
	want := []time.Duration{time.Second, 7 * time.Second, 4 * time.Second, 3375 * time.Millisecond}
	if fmt.Sprint(waits) != fmt.Sprint(want) || strings.Join(retried, ",") != "HTTP 429,HTTP 503,HTTP 503" {
		t.Errorf("waits %v (want %v), retries %v", waits, want, retried)
	}

	q, tokens = statusServer(t, "429 120")
	_, err = q.Poll(context.Background(), "tok", "x", PollOptions{Sleep: noSleep, Deadline: time.Now().Add(time.Minute)})
	if !errors.Is(err, ErrPollDeadline) || !strings.Contains(err.Error(), "asks to wait 2m0s") || len(*tokens) != 1 {
		t.Errorf("a Retry-After past the deadline: %v after %d reads", err, len(*tokens))
	}
}
