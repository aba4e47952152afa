package client

import (
	"context"
	"errors"
	"strings"
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
