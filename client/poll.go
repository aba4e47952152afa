package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PollOptions says how often and how long to ask for a request's status.
type PollOptions struct {
	// Interval is the first wait between two reads; zero means 2 s. It
	// grows by half each time, up to MaxInterval.
	Interval time.Duration
	// MaxInterval caps the wait; zero means 30 s.
	MaxInterval time.Duration
	// Deadline ends the polling with ErrPollDeadline; zero means none
	// (until ctx ends).
	Deadline time.Time
	// OnStatus, if set, sees every answer, e.g. to show "still New, next
	// check in 4s".
	OnStatus func(r Request, next time.Duration)
	// Sleep waits; nil means a timer that ctx can cut short. Tests pass
	// one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrPollDeadline is returned when the poll deadline passes while the
// request is still New.
var ErrPollDeadline = errors.New("the request was not answered before the deadline")

// Final reports whether a request status is an end state: Accepted,
// Rejected or Denied. A request that reads timedOut is still New, and
// still open.
func Final(status string) bool {
	switch status {
	case StatusAccepted, StatusRejected, StatusDenied:
		return true
	}
	return false
}

// Poll reads the request until its status is final (see Final) and
// returns it. A person approves in a browser at their own pace, so the
// waits grow (2 s, 3 s, 4.5 s, ... up to 30 s) to go easy on Altinn. A
// transport error or a 5xx answer is taken as a bad moment and polling
// goes on; any other error (401, 404) ends it, as asking again will not
// help.
func (q *Requests) Poll(ctx context.Context, token, id string, o PollOptions) (Request, error) {
	return poll(ctx, id, o, func(ctx context.Context) (Request, error) { return q.Get(ctx, token, id) })
}

// PollAgent is Poll for an agent request.
func (q *Requests) PollAgent(ctx context.Context, token, id string, o PollOptions) (Request, error) {
	return poll(ctx, id, o, func(ctx context.Context) (Request, error) { return q.GetAgent(ctx, token, id) })
}

// poll reads the request with get until its status is final.
func poll(ctx context.Context, id string, o PollOptions, get func(context.Context) (Request, error)) (Request, error) {
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = 30 * time.Second
	}
	sleep := o.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	wait := o.Interval
	var last Request
	for {
		r, err := get(ctx)
		switch {
		case err == nil:
			last = r
			if Final(r.Status) {
				return r, nil
			}
		case !transient(err):
			return last, err
		}
		if !o.Deadline.IsZero() {
			left := time.Until(o.Deadline)
			if left <= 0 {
				return last, fmt.Errorf("request %s still %s: %w", id, orNew(last.Status), ErrPollDeadline)
			}
			wait = min(wait, left)
		}
		if o.OnStatus != nil && err == nil {
			o.OnStatus(r, wait)
		}
		if err := sleep(ctx, wait); err != nil {
			return last, err
		}
		wait = min(wait+wait/2, o.MaxInterval)
	}
}

func orNew(s string) string {
	if s == "" {
		return StatusNew
	}
	return s
}

// transient is an error worth asking again after: no answer, or a
// gateway's or server's failure.
func transient(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return Status(err) >= 500
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
