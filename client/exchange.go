// Package client holds one small client per real service of the system user
// flow: Maskinporten (and its self-service API), the Altinn platform's
// resource registry, system register, system user requests, system users,
// client delegation and PDP, and Skatteetaten's Krav og betalinger. Each
// takes a base URL and an *http.Client; every call is recorded as an
// Exchange for display, and failures come back as typed errors.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Version is the workbench version, sent in the User-Agent.
var Version = "0.1.0"

// Exchange is one HTTP request and its response, as the workbench shows it.
type Exchange struct {
	Service        string        `json:"service"`
	Method         string        `json:"method"`
	URL            string        `json:"url"`
	RequestHeader  http.Header   `json:"requestHeaders,omitempty"`
	RequestBody    string        `json:"requestBody,omitempty"`
	Status         int           `json:"status,omitempty"`
	ResponseHeader http.Header   `json:"responseHeaders,omitempty"`
	ResponseBody   string        `json:"responseBody,omitempty"`
	Started        time.Time     `json:"started"`
	Duration       time.Duration `json:"durationNs"`
	Err            string        `json:"error,omitempty"`
	// Caller names who made the call when it is not the workbench: a
	// mock service calling another, behind the scenes.
	Caller string `json:"caller,omitempty"`
	// Behind are the calls the service made to answer this one, as the
	// mocks report them (see TraceHeader).
	Behind []Exchange `json:"behind,omitempty"`
	// Retries says what went wrong with earlier attempts of a GET that
	// was tried again (see NewHTTPClient).
	Retries []string `json:"retries,omitempty"`
}

// StatusLine is "200 OK" style text for the response, or the transport error.
func (e Exchange) StatusLine() string {
	if e.Status == 0 {
		return "no response: " + e.Err
	}
	return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
}

type recorderKey struct{}

// WithRecorder returns a context under which every call made by the clients
// in this package is passed to rec when it ends.
func WithRecorder(ctx context.Context, rec func(Exchange)) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

// recording reports whether ctx has a recorder for the exchanges.
func recording(ctx context.Context) bool {
	rec, ok := ctx.Value(recorderKey{}).(func(Exchange))
	return ok && rec != nil
}

func record(ctx context.Context, x Exchange) {
	if rec, ok := ctx.Value(recorderKey{}).(func(Exchange)); ok && rec != nil {
		rec(x)
	}
}

// secretHeaders are credentials that are not part of what the flow
// teaches: exchanges record them as "[redacted]", and transcripts never
// show them. Bearer tokens stay visible, as the tokens are what the
// workbench is for.
var secretHeaders = []string{"Ocp-Apim-Subscription-Key", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key"}

// SecretHeader reports whether the header (any case) is a credential the
// workbench shows as "[redacted]".
func SecretHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	for _, k := range secretHeaders {
		if k == name {
			return true
		}
	}
	return false
}

// maxRecordedBody keeps a runaway response from filling memory; the
// workbench shows bodies, it does not archive them.
const maxRecordedBody = 16 << 20

// Base is what every service client has: where the service is and how to
// reach it.
type Base struct {
	// URL is the service's base URL, e.g. https://platform.tt02.altinn.no/.
	URL string
	// HTTP does the calls; nil means NewHTTPClient's defaults (30 s a
	// try, GETs retried).
	HTTP *http.Client
	// Service names the service in recorded exchanges.
	Service string
}

// NewBase returns a Base for the named service.
func NewBase(service, baseURL string, hc *http.Client) Base {
	return Base{URL: baseURL, HTTP: hc, Service: service}
}

// defaultHTTPClient is the client of a Base without one: built once, as
// its connections are worth keeping.
var defaultHTTPClient = sync.OnceValue(func() *http.Client { return NewHTTPClient(HTTPOptions{}) })

// call is one request to a service.
type call struct {
	method      string
	path        string // relative to the base URL, or absolute
	query       url.Values
	header      http.Header
	body        []byte
	contentType string
	bearer      string
	// noRedirect answers a 3xx as it is instead of following it, as a
	// browser form post's redirect leaves the API's world.
	noRedirect bool
	// notModified takes a 304 as an answer (to a conditional GET).
	notModified bool
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (b Base) resolve(path string) (string, error) {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path, nil
	}
	base, err := url.Parse(b.URL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return "", fmt.Errorf("%s base URL %q is not an absolute URL", b.Service, b.URL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	ref, err := url.Parse(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", err
	}
	return base.ResolveReference(ref).String(), nil
}

// do sends c and records the exchange. A non-2xx answer is returned as a
// typed error (see decodeError) together with the response.
func (b Base) do(ctx context.Context, c call) (*response, error) {
	u, err := b.resolve(c.path)
	if err != nil {
		return nil, err
	}
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", c.method, u, err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", "systembruker-workbench/"+Version)

	x := Exchange{
		Service: b.Service, Method: c.method, URL: u,
		RequestHeader: redact(req.Header), RequestBody: string(c.body), Started: time.Now(),
	}
	if recording(ctx) {
		// Only a recorded exchange shows what the mock did behind it;
		// unasked, the mock builds no trace (and a token costs less).
		req.Header.Set(TraceRequestHeader, "1")
	}
	hc := b.HTTP
	if hc == nil {
		hc = defaultHTTPClient()
	}
	if c.noRedirect {
		nc := *hc
		nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &nc
	}
	actx, attempts := withAttemptLog(req.Context())
	res, err := hc.Do(req.WithContext(actx))
	x.Retries = attempts.list()
	if err != nil {
		terr := newTransportError(c.method, u, err)
		x.Duration = time.Since(x.Started)
		x.Err = terr.Error()
		record(ctx, x)
		return nil, terr
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxRecordedBody))
	x.Duration = time.Since(x.Started)
	x.Status = res.StatusCode
	x.ResponseHeader = redact(res.Header)
	behind(&x)
	x.ResponseBody = string(raw)
	if err != nil {
		terr := newTransportError(c.method, u, err)
		x.Err = terr.Error()
		record(ctx, x)
		return nil, terr
	}
	record(ctx, x)
	r := &response{status: res.StatusCode, header: res.Header, body: raw}
	ok := res.StatusCode >= 200 && res.StatusCode <= 299
	if (c.noRedirect && res.StatusCode >= 300 && res.StatusCode <= 399) || (c.notModified && res.StatusCode == http.StatusNotModified) {
		ok = true
	}
	if !ok {
		return r, withRetryAfter(decodeError(b.Service, c.method, u, r), res.Header)
	}
	return r, nil
}

// doJSON sends in (if not nil) as JSON and decodes a 2xx answer into out
// (if not nil).
func (b Base) doJSON(ctx context.Context, c call, in, out any) (*response, error) {
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s body: %w", c.path, err)
		}
		c.body = body
		c.contentType = "application/json"
	}
	r, err := b.do(ctx, c)
	if err != nil {
		return r, err
	}
	if out != nil {
		if err := decodeBody(b.Service, r, out); err != nil {
			return r, err
		}
	}
	return r, nil
}

// decodeBody decodes a JSON body, turning anything else into a clear error.
func decodeBody(service string, r *response, out any) error {
	ct := r.header.Get("Content-Type")
	switch {
	case isHTML(ct, r.body):
		return &HTTPError{Service: service, Status: r.status, ContentType: ct, Snippet: snippet(r.body),
			Reason: "expected a JSON body, got an HTML page: does the base URL point at the API host, not a web page, login or proxy page?"}
	case len(r.body) == 0:
		return &HTTPError{Service: service, Status: r.status, ContentType: ct, Reason: "expected a JSON body, got an empty body"}
	case !looksJSON(ct, r.body):
		return &HTTPError{Service: service, Status: r.status, ContentType: ct,
			Snippet: snippet(r.body), Reason: "expected a JSON body"}
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		reason := "the JSON body does not have the expected shape: " + err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || err.Error() == "unexpected end of JSON input" {
			reason = "the body is not valid JSON (" + err.Error() + "); cut off, or not JSON at all"
		}
		return &HTTPError{Service: service, Status: r.status, ContentType: ct, Snippet: snippet(r.body), Reason: reason}
	}
	return nil
}

func redact(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range secretHeaders {
		if _, ok := out[http.CanonicalHeaderKey(k)]; ok {
			out.Set(k, "[redacted]")
		}
	}
	return out
}
