package mock

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/systembruker/workbench/client"
)

// The mocks show what they do behind the scenes. A real Maskinporten asks
// Altinn for the system user, and a real Skatteetaten asks Maskinporten and
// Altinn's PDP, where the vendor cannot see it. The mocks record those calls
// and send them back, base64 JSON, in the answer's TraceHeader, so the
// workbench (or an integrator's client of `serve`) can show the whole
// sequence. Real services send nothing like it. The trace is built only
// for a caller that asks with TraceRequestHeader (the workbench's clients do
// where they record the exchange); a client that does not ask pays nothing.

// TraceHeader carries the calls a mock made to answer a request.
const TraceHeader = client.TraceHeader

// TraceRequestHeader asks for TraceHeader.
const TraceRequestHeader = client.TraceRequestHeader

type traceKey struct{}

// traceBuf collects the calls made while one request is served.
type traceBuf struct {
	caller string
	mu     sync.Mutex
	xs     []client.Exchange
}

func (b *traceBuf) add(xs ...client.Exchange) {
	b.mu.Lock()
	b.xs = append(b.xs, xs...)
	b.mu.Unlock()
}

// traced serves h, for a caller that asks for the trace with a trace buffer
// in the request context, and puts what it collected into the answer's
// header.
func traced(caller string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(TraceRequestHeader) == "" {
			h.ServeHTTP(w, r)
			return
		}
		buf := &traceBuf{caller: caller}
		tw := &traceWriter{ResponseWriter: w, buf: buf}
		h.ServeHTTP(tw, r.WithContext(context.WithValue(r.Context(), traceKey{}, buf)))
	})
}

type traceWriter struct {
	http.ResponseWriter
	buf     *traceBuf
	written bool
}

func (w *traceWriter) WriteHeader(status int) {
	if !w.written {
		w.written = true
		w.buf.mu.Lock()
		if len(w.buf.xs) > 0 {
			if b, err := json.Marshal(w.buf.xs); err == nil {
				w.Header().Set(TraceHeader, base64.StdEncoding.EncodeToString(b))
			}
		}
		w.buf.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *traceWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// traceTransport records the calls the mocks make to each other into the
// trace buffer of the request being served, and asks the callee for its own
// trace. Without a buffer (the caller did not ask) it asks for nothing: the
// workbench's clients, which the mock Skatteetaten uses, ask on every call.
type traceTransport struct {
	base  http.RoundTripper
	names map[string]string // base URL → service name
}

func (t *traceTransport) service(u string) string {
	for prefix, name := range t.names {
		if strings.HasPrefix(u, prefix) {
			return name
		}
	}
	return ""
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	buf, _ := req.Context().Value(traceKey{}).(*traceBuf)
	if buf == nil {
		if req.Header.Get(TraceRequestHeader) != "" {
			req = req.Clone(req.Context())
			req.Header.Del(TraceRequestHeader)
		}
		return t.base.RoundTrip(req)
	}
	x := client.Exchange{
		Caller: buf.caller, Service: t.service(req.URL.String()), Method: req.Method, URL: req.URL.String(),
		RequestHeader: client.RedactHeaders(req.Header), Started: time.Now(),
	}
	x.RequestHeader.Del(TraceRequestHeader)
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(body)
			x.RequestBody = string(b)
		}
	}
	if req.Header.Get(TraceRequestHeader) == "" {
		req = req.Clone(req.Context())
		req.Header.Set(TraceRequestHeader, "1")
	}
	res, err := t.base.RoundTrip(req)
	x.Duration = time.Since(x.Started)
	if err != nil {
		x.Err = err.Error()
		buf.add(x)
		return nil, err
	}
	b, rerr := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	x.Status, x.ResponseBody = res.StatusCode, string(b)
	x.ResponseHeader = client.RedactHeaders(res.Header)
	// The callee's own calls follow: they started after this one.
	nested := client.DecodeTrace(res.Header)
	x.ResponseHeader.Del(TraceHeader)
	buf.add(x)
	buf.add(nested...)
	return res, rerr
}
