package client

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/systembruker/workbench/internal/safefile"
)

// Network defaults: what a call gets when the config says nothing.
const (
	DefaultTimeout = 30 * time.Second
	DefaultRetries = 2
	// DefaultBackoff is the wait before the first retry; it doubles for
	// each one after, up to MaxBackoff.
	DefaultBackoff = 250 * time.Millisecond
	MaxBackoff     = 5 * time.Second
	// MaxRetryAfter is the longest Retry-After the transport waits out
	// itself before a retry; a longer one is left to the caller.
	MaxRetryAfter = 30 * time.Second
)

// HTTPOptions are the network settings of the workbench's HTTP client.
type HTTPOptions struct {
	// Timeout bounds each attempt of a call, from sending the request to
	// reading the last byte of the answer; zero means DefaultTimeout.
	Timeout time.Duration
	// Retries is how often an idempotent GET is tried again after a
	// transport error or a 502, 503 or 504; negative means none, zero
	// means DefaultRetries.
	Retries int
	// Backoff is the wait before the first retry; zero means DefaultBackoff.
	Backoff time.Duration
	// RootCAs are the certificate authorities TLS trusts; nil means the
	// system's. [network] ca_file adds a company proxy's or a test CA to
	// the system's roots here; verification itself is never turned off.
	RootCAs *x509.CertPool
	// HostLimit bounds the requests (attempts) to any one host: at most
	// N in any window of Per; a request that would break it waits for its
	// turn. Zero means no bound. The workbench's real environments use
	// RealHostLimit: no rate limit is documented for Maskinporten or
	// Altinn, so the bound is the workbench's own.
	HostLimit Limit
	// Transport is the underlying transport; nil means a clone of
	// http.DefaultTransport (which honours HTTPS_PROXY). Its TLS settings
	// are never loosened.
	Transport http.RoundTripper
}

// Limit is a number of requests per window.
type Limit struct {
	N   int
	Per time.Duration
}

// RealHostLimit is 2 requests a second averaged over 10 s, per host: what
// the workbench allows itself against a real service.
var RealHostLimit = Limit{N: 20, Per: 10 * time.Second}

// NewHTTPClient returns the client every call of the workbench goes
// through: TLS always verified (TLS 1.2 or newer, the system's roots),
// a timeout on every attempt, and retries with exponential backoff for
// GETs only. A POST is never repeated: creating a system user request or
// spending a grant's jti twice is not for the transport to decide.
func NewHTTPClient(o HTTPOptions) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	rt := o.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs}
		t.TLSHandshakeTimeout = min(o.Timeout, 10*time.Second)
		rt = t
	}
	t := &retryTransport{next: rt, timeout: o.Timeout, retries: o.Retries, backoff: o.Backoff}
	if o.HostLimit.N > 0 && o.HostLimit.Per > 0 {
		t.limit = &hostLimiter{limit: o.HostLimit, sent: map[string][]time.Time{}}
	}
	return &http.Client{Transport: t}
}

// hostLimiter keeps, per host, the times of the last N requests, and makes
// a request wait until the oldest of them is Per old: then no window of
// Per holds more than N.
type hostLimiter struct {
	limit Limit
	mu    sync.Mutex
	sent  map[string][]time.Time
}

// wait takes a turn for host, waiting for it unless ctx ends first. A
// turn is taken (its time kept) only when the request goes, so a waiter
// that wakes late counts from when it really went.
func (l *hostLimiter) wait(ctx context.Context, host string) error {
	for {
		l.mu.Lock()
		now := time.Now()
		times := l.sent[host]
		if len(times) < l.limit.N || now.Sub(times[len(times)-l.limit.N]) >= l.limit.Per {
			times = append(times, now)
			if len(times) > l.limit.N {
				times = times[len(times)-l.limit.N:]
			}
			l.sent[host] = times
			l.mu.Unlock()
			return nil
		}
		d := times[len(times)-l.limit.N].Add(l.limit.Per).Sub(now)
		l.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryTransport gives each attempt its own deadline and retries what is
// safe to retry.
type retryTransport struct {
	next    http.RoundTripper
	timeout time.Duration
	retries int
	backoff time.Duration
	limit   *hostLimiter // nil: none
}

type attemptsKey struct{}

// attemptLog collects what went wrong with the attempts before the last,
// for the recorded exchange.
type attemptLog struct {
	mu    sync.Mutex
	notes []string
}

func (l *attemptLog) add(s string) {
	l.mu.Lock()
	l.notes = append(l.notes, s)
	l.mu.Unlock()
}

func (l *attemptLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.notes...)
}

func withAttemptLog(ctx context.Context) (context.Context, *attemptLog) {
	l := &attemptLog{}
	return context.WithValue(ctx, attemptsKey{}, l), l
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	idempotent := (req.Method == http.MethodGet || req.Method == http.MethodHead) && (req.Body == nil || req.Body == http.NoBody)
	log, _ := req.Context().Value(attemptsKey{}).(*attemptLog)
	for attempt := 0; ; attempt++ {
		res, err := t.once(req)
		last := !idempotent || attempt >= t.retries || req.Context().Err() != nil
		if last || !retryable(res, err) {
			return res, err
		}
		wait, ok := t.wait(attempt, res)
		if !ok {
			// The server asks for a longer wait than a retry here may
			// take: the caller decides (a poll waits, bounded by its
			// deadline); the answer carries the Retry-After.
			return res, err
		}
		what := ""
		if err != nil {
			what = newTransportError(req.Method, req.URL.String(), err).Hint
		} else {
			what = res.Status
			io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
		}
		if log != nil {
			log.add(fmt.Sprintf("attempt %d: %s; retried after %s", attempt+1, what, wait))
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait):
		}
	}
}

// once is one attempt under its own deadline, which lasts until the body
// is closed.
func (t *retryTransport) once(req *http.Request) (*http.Response, error) {
	if t.limit != nil {
		if err := t.limit.wait(req.Context(), req.URL.Host); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.timeout, errAttemptTimeout{t.timeout})
	res, err := t.next.RoundTrip(req.Clone(ctx))
	if err != nil {
		if ctx.Err() != nil && req.Context().Err() == nil {
			err = errAttemptTimeout{t.timeout}
		}
		cancel()
		return nil, err
	}
	res.Body = &cancelBody{ReadCloser: res.Body, cancel: cancel, ctx: ctx, parent: req.Context(), timeout: t.timeout}
	return res, nil
}

// errAttemptTimeout is an attempt that ran past the configured timeout.
type errAttemptTimeout struct{ d time.Duration }

func (e errAttemptTimeout) Error() string {
	return fmt.Sprintf("no complete answer within %s ([network] timeout in the config)", e.d)
}
func (errAttemptTimeout) Timeout() bool   { return true }
func (errAttemptTimeout) Temporary() bool { return true }

type cancelBody struct {
	io.ReadCloser
	cancel  context.CancelFunc
	ctx     context.Context
	parent  context.Context
	timeout time.Duration
}

func (b *cancelBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.ctx.Err() != nil && b.parent.Err() == nil {
		err = errAttemptTimeout{b.timeout}
	}
	return n, err
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryable is what may be different a moment later: a gateway that had
// no upstream, too many requests, a dropped or refused connection, a
// timeout. A certificate that does not verify or a host that does not
// exist will not change.
func retryable(res *http.Response, err error) bool {
	if err == nil {
		switch res.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unkAuth x509.UnknownAuthorityError
		hostErr x509.HostnameError
		recErr  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &dnsErr):
		return !dnsErr.IsNotFound
	case errors.As(err, &certErr), errors.As(err, &unkAuth), errors.As(err, &hostErr), errors.As(err, &recErr):
		return false
	}
	return true
}

// wait is the backoff before retry number attempt+1: exponential with
// jitter, or the server's Retry-After (RFC 9110 §10.2.3, sent with 429 and
// 503). ok is false when Retry-After asks for more than MaxRetryAfter: the
// transport does not retry sooner than asked, and leaves a longer wait to
// its caller. No rate limit or Retry-After is documented for Maskinporten
// or Altinn; the bounds here are the workbench's own.
func (t *retryTransport) wait(attempt int, res *http.Response) (d time.Duration, ok bool) {
	d = t.backoff << attempt
	if d > MaxBackoff || d <= 0 {
		d = MaxBackoff
	}
	// Up to a quarter less, so that many clients do not retry in step.
	d -= time.Duration(rand.Int64N(int64(d)/4 + 1))
	if res != nil {
		if ra, found := parseRetryAfter(res.Header.Get("Retry-After"), time.Now()); found {
			if ra > MaxRetryAfter {
				return 0, false
			}
			d = max(d, ra)
		}
	}
	return d, true
}

// parseRetryAfter reads a Retry-After header: a number of seconds or an
// HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// DefaultDocLifetime is how long a cached metadata document or key set
// stays fresh when its answer says nothing about caching: Digdir advises
// caching ID-porten's metadata "typisk ... 24 timer" (felleslosninger/docs
// _docs/idporten/oidc/oidc_func_wellknown.md L24) and Maskinporten's
// signing keys "for say 24 hours" (_docs/Maskinporten/
// maskinporten_protocol_token.md L172).
const DefaultDocLifetime = 24 * time.Hour

// DocCache keeps GET answers (a well-known document, a key set) between
// runs of the workbench, one file per URL in Dir, and tells when they may
// be used as they are: as the answer's cache headers say (RFC 9111:
// Cache-Control no-store, no-cache and max-age, less Age; else Expires
// against Date), and DefaultDocLifetime when they say nothing. A stale one
// is asked for again with its ETag or Last-Modified, so that a 304 renews
// it. A nil *DocCache keeps nothing.
type DocCache struct {
	Dir string
	Now func() time.Time // nil: time.Now
}

// cachedDoc is one file of a DocCache.
type cachedDoc struct {
	URL          string          `json:"url"`
	Body         json.RawMessage `json:"body"`
	ETag         string          `json:"etag,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	FreshUntil   time.Time       `json:"freshUntil"`
}

func (c *DocCache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *DocCache) file(url string) string {
	h := sha256.Sum256([]byte(url))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:12])+".json")
}

// load is the cached answer for url, if any.
func (c *DocCache) load(url string) (cachedDoc, bool) {
	var d cachedDoc
	if c == nil {
		return d, false
	}
	b, err := os.ReadFile(c.file(url))
	if err != nil || json.Unmarshal(b, &d) != nil || d.URL != url || !json.Valid(d.Body) {
		return cachedDoc{}, false
	}
	return d, true
}

// Forget drops the cached answer for url: the next use fetches it again.
func (c *DocCache) Forget(url string) {
	if c != nil {
		os.Remove(c.file(url))
	}
}

// store keeps body, the answer to url with header h, unless h forbids it.
// A cache that cannot be written is no error: the next run fetches again.
func (c *DocCache) store(url string, h http.Header, body []byte) {
	if c == nil {
		return
	}
	fresh, keep := docFreshness(h, c.now())
	if !keep || !json.Valid(body) {
		c.Forget(url)
		return
	}
	b, err := json.Marshal(cachedDoc{URL: url, Body: body, ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified"), FreshUntil: fresh})
	if err != nil || os.MkdirAll(c.Dir, 0o700) != nil {
		return
	}
	// Whole or not at all, as every file the workbench writes: a run that
	// stops halfway never leaves half a file.
	_ = safefile.Write(c.file(url), b, safefile.Options{Perm: 0o600, Overwrite: true})
}

// docFreshness is until when an answer with header h, received at now, may
// be used without asking again, and whether it may be kept at all.
func docFreshness(h http.Header, now time.Time) (time.Time, bool) {
	maxAge, hasMaxAge := -1, false
	for _, d := range strings.Split(strings.Join(h.Values("Cache-Control"), ","), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store":
			return time.Time{}, false
		case "no-cache":
			return time.Time{}, true
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n >= 0 {
				maxAge, hasMaxAge = n, true
			}
		}
	}
	if hasMaxAge {
		age, _ := strconv.Atoi(h.Get("Age"))
		return now.Add(time.Duration(maxAge-max(age, 0)) * time.Second), true
	}
	if e := h.Get("Expires"); e != "" {
		exp, err := http.ParseTime(e)
		if err != nil {
			return time.Time{}, true // an invalid Expires is already stale
		}
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			return now.Add(exp.Sub(date)), true
		}
		return exp, true
	}
	return now.Add(DefaultDocLifetime), true
}
