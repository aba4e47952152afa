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
	// OnRetry, if set, sees every failed read that polling goes on after,
	// with the wait before the next one.
	OnRetry func(err error, next time.Duration)
	// Token, if set, gives the bearer token for each read; fresh is true
	// after a 401, when the last token was refused. A caller keeps its
	// token fresh here (a person takes longer than a token lives). Nil
	// means the token given to Poll, and a 401 ends the polling.
	Token func(ctx context.Context, fresh bool) (string, error)
	// Sleep waits; nil means a timer that ctx can cut short. Tests pass
	// one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
}

// MaxFreshTokens is how many fresh tokens in a row a poll tries after 401s
// before it gives up: a token refused right after it was issued will not be
// accepted by the next one either.
const MaxFreshTokens = 2

// ErrPollDeadline is returned when the poll deadline passes while the
// request is still New.
var ErrPollDeadline = errors.New("the request was not answered before the deadline")

// ErrStillUnauthorized is returned when status reads answer 401 even with
// fresh tokens (MaxFreshTokens of them in a row).
var ErrStillUnauthorized = errors.New("the status read was refused (401) even with fresh tokens")

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
// waits grow (2 s, 3 s, 4.5 s, ... up to 30 s) to go easy on Altinn, and
// every read, whatever it answered, is followed by a wait and bounded by
// the deadline. A transport error, a 429 or a 5xx answer is taken as a bad
// moment and polling goes on, no sooner than a Retry-After asks; a 401
// gets one fresh token (with o.Token), at most MaxFreshTokens in a row; any
// other error (403, 404) ends it, as asking again will not help.
func (q *Requests) Poll(ctx context.Context, token, id string, o PollOptions) (Request, error) {
	return poll(ctx, id, token, o, func(ctx context.Context, tok string) (Request, error) { return q.Get(ctx, tok, id) })
}

// PollAgent is Poll for an agent request.
func (q *Requests) PollAgent(ctx context.Context, token, id string, o PollOptions) (Request, error) {
	return poll(ctx, id, token, o, func(ctx context.Context, tok string) (Request, error) { return q.GetAgent(ctx, tok, id) })
}

// poll reads the request with get until its status is final.
func poll(ctx context.Context, id, token string, o PollOptions, get func(context.Context, string) (Request, error)) (Request, error) {
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
	backoff := o.Interval
	var last Request
	fresh, refused := false, 0 // refused: 401s in a row
	for {
		tok := token
		if o.Token != nil {
			var err error
			if tok, err = o.Token(ctx, fresh); err != nil {
				return last, fmt.Errorf("a token to read request %s: %w", id, err)
			}
		}
		r, err := get(ctx, tok)
		wait := backoff
		switch {
		case err == nil:
			last, fresh, refused = r, false, 0
			if Final(r.Status) {
				return r, nil
			}
		case Status(err) == 401:
			refused++
			if o.Token == nil || refused > MaxFreshTokens {
				return last, fmt.Errorf("request %s: %w (%d reads in a row answered 401): %w", id, ErrStillUnauthorized, refused, err)
			}
			fresh = true
		case transient(err):
			if ra, ok := RetryAfter(err); ok {
				wait = max(wait, ra)
			}
		default:
			return last, err
		}
		if !o.Deadline.IsZero() {
			left := time.Until(o.Deadline)
			switch {
			case left <= 0 && err != nil:
				return last, fmt.Errorf("request %s still %s, last read: %v: %w", id, orNew(last.Status), err, ErrPollDeadline)
			case left <= 0:
				return last, fmt.Errorf("request %s still %s: %w", id, orNew(last.Status), ErrPollDeadline)
			case wait > left && err != nil:
				return last, fmt.Errorf("request %s: the service asks to wait %s, past the deadline: %v: %w", id, wait.Round(time.Second), err, ErrPollDeadline)
			}
			wait = min(wait, left)
		}
		switch {
		case err == nil && o.OnStatus != nil:
			o.OnStatus(r, wait)
		case err != nil && o.OnRetry != nil:
			o.OnRetry(err, wait)
		}
		if err := sleep(ctx, wait); err != nil {
			return last, err
		}
		backoff = min(backoff+backoff/2, o.MaxInterval)
	}
}

func orNew(s string) string {
	if s == "" {
		return StatusNew
	}
	return s
}

// transient is an error worth asking again after: no answer, too many
// requests, or a gateway's or server's failure.
func transient(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return Status(err) == 429 || Status(err) >= 500
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
