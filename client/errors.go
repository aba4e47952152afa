package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
)

// OAuthError is an OAuth 2.0 error answer, as Maskinporten gives it:
// error, error_description (often naming an MP-nnn id) and error_uri.
type OAuthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	URI         string `json:"error_uri,omitempty"`
	// MPCode is the MP-nnn id found in the description, if any.
	MPCode string `json:"-"`
}

func (e *OAuthError) Error() string {
	s := fmt.Sprintf("maskinporten: %d %s", e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// ValidationError is one entry of an Altinn validation problem.
type ValidationError struct {
	Code   string   `json:"code"`
	Title  string   `json:"title"`
	Paths  []string `json:"paths,omitempty"`
	Detail string   `json:"detail,omitempty"`
}

// ProblemError is an Altinn problem details answer (RFC 7807 with Altinn's
// code and validationErrors).
type ProblemError struct {
	Service          string            `json:"-"`
	Status           int               `json:"status"`
	Type             string            `json:"type,omitempty"`
	Title            string            `json:"title,omitempty"`
	Detail           string            `json:"detail,omitempty"`
	Code             string            `json:"code,omitempty"`
	TraceID          string            `json:"traceId,omitempty"`
	ValidationErrors []ValidationError `json:"validationErrors,omitempty"`
}

func (e *ProblemError) Error() string {
	s := fmt.Sprintf("%s: %d", e.Service, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Title != "" {
		s += ": " + e.Title
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	for _, v := range e.ValidationErrors {
		s += fmt.Sprintf("; %s %s", v.Code, v.Title)
		if len(v.Paths) > 0 {
			s += " at " + strings.Join(v.Paths, ", ")
		}
	}
	return s
}

// APIError is Skatteetaten's error answer: a KB-nnn code and a message.
type APIError struct {
	Service       string `json:"-"`
	Status        int    `json:"-"`
	Code          string `json:"kode"`
	Message       string `json:"melding"`
	CorrelationID string `json:"korrelasjonsid,omitempty"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.Service, e.Status, e.Code, e.Message)
}

// HTTPError is an answer the workbench could not read as the service's own
// error shape: an HTML error page from a proxy, an empty 502, plain text.
type HTTPError struct {
	Service     string
	Status      int
	ContentType string
	Snippet     string
	Reason      string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s: %d", e.Service, e.Status)
	if e.Reason != "" {
		s += ", " + e.Reason
	}
	if e.ContentType != "" {
		s += fmt.Sprintf(" (got %s)", e.ContentType)
	}
	if e.Snippet != "" {
		s += ": " + e.Snippet
	}
	return s
}

// TransportError is a call that got no HTTP answer: DNS, refused
// connection, timeout, TLS.
type TransportError struct {
	Method string
	URL    string
	Err    error
	// Hint says in plain words what probably happened and what to do.
	Hint string
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Hint)
}

func (e *TransportError) Unwrap() error { return e.Err }

func newTransportError(method, u string, err error) *TransportError {
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		unkAuth  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invErr   x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		attErr   errAttemptTimeout
		opErr    *net.OpError
		hint     = err.Error()
		errText  = err.Error()
		isProxy  = strings.Contains(errText, "proxyconnect")
		plainTLS = strings.Contains(errText, "server gave HTTP response to HTTPS client")
	)
	switch {
	case errors.Is(err, context.Canceled):
		hint = "cancelled"
	case errors.As(err, &attErr):
		hint = "timed out: " + attErr.Error() + "; the service may be slow, down or unreachable from here"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		hint = "timed out waiting for an answer; the service may be down or unreachable from here"
	case isProxy:
		hint = "the proxy refused or failed (" + errText + "); check HTTPS_PROXY/NO_PROXY"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		hint = fmt.Sprintf("cannot resolve host %q: no such host; check the URL in the config for a typo, and that this machine has a network and DNS that reach it", dnsErr.Name)
	case errors.As(err, &dnsErr):
		hint = fmt.Sprintf("cannot resolve host %q: the DNS lookup failed (%v); check your network/DNS", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		hint = "connection refused: nothing listens at that address; is the service (or `workbench serve`) running, and is the URL right?"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		hint = "the connection was closed before a complete answer came (" + errText + "); a proxy or firewall in between, or the service restarting?"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		hint = "no route to the host: no network from here, or a firewall in between"
	case plainTLS, errors.As(err, &recErr):
		hint = "the server does not speak TLS at that address: use http:// only for local mocks, or check the port"
	case errors.As(err, &invErr) && invErr.Reason == x509.Expired:
		hint = "TLS certificate expired or not yet valid: " + errText + " (check this machine's clock; the workbench always verifies TLS)"
	case errors.As(err, &certErr), errors.As(err, &unkAuth), errors.As(err, &hostErr), errors.As(err, &invErr):
		hint = "TLS certificate not trusted: " + errText + " (the workbench always verifies TLS; behind a company proxy that " +
			"re-signs TLS, or against a test CA, put its CA certificate in a PEM file and set [network] ca_file to its path)"
	case errors.As(err, &opErr):
		hint = "network error: " + errText
	}
	return &TransportError{Method: method, URL: u, Err: err, Hint: hint}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

var mpCodeRE = lazyre.New(`MP-\d{3}`)

// decodeError reads a non-2xx answer into the service's typed error.
func decodeError(service, method, u string, r *response) error {
	ct := r.header.Get("Content-Type")
	if looksJSON(ct, r.body) {
		var probe map[string]json.RawMessage
		if json.Unmarshal(r.body, &probe) == nil {
			switch {
			case probe["error"] != nil:
				e := &OAuthError{Status: r.status}
				if json.Unmarshal(r.body, e) == nil && e.Code != "" {
					// Digdir: the id is "often" in error_description
					// (maskinporten_feilsoking.md L26); the one real body
					// with an id seen (2025) had it only in error_uri
					// (https://maskinporten.no/errors/MP-121).
					e.MPCode = mpCodeRE.FindString(e.Description)
					if e.MPCode == "" {
						e.MPCode = mpCodeRE.FindString(e.URI)
					}
					return e
				}
			case probe["kode"] != nil:
				e := &APIError{Service: service, Status: r.status}
				if json.Unmarshal(r.body, e) == nil {
					return e
				}
			case probe["title"] != nil || probe["code"] != nil || probe["type"] != nil:
				e := &ProblemError{Service: service}
				if json.Unmarshal(r.body, e) == nil {
					if e.Status == 0 {
						e.Status = r.status
					}
					return e
				}
			case probe["message"] != nil:
				// Azure API Management, in front of Altinn's platform,
				// answers for itself: {"statusCode": 401, "message":
				// "Access denied due to missing subscription key. ..."}.
				var m struct {
					Message string `json:"message"`
				}
				if json.Unmarshal(r.body, &m) == nil && m.Message != "" {
					return &HTTPError{Service: service, Status: r.status, ContentType: ct,
						Reason: "the API gateway answered: " + m.Message}
				}
			}
		}
	}
	e := &HTTPError{Service: service, Status: r.status, ContentType: ct, Snippet: snippet(r.body)}
	switch {
	case isHTML(ct, r.body):
		e.Reason = "an HTML page instead of an API answer (a proxy or gateway error page?)"
	case len(r.body) == 0:
		e.Reason = "an empty body"
	}
	if w := r.header.Get("WWW-Authenticate"); w != "" {
		e.Reason = strings.TrimSpace(e.Reason + " WWW-Authenticate: " + w)
	}
	return e
}

func isHTML(contentType string, body []byte) bool {
	t := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 64)])))
	return strings.Contains(contentType, "html") || strings.HasPrefix(t, "<!doctype html") || strings.HasPrefix(t, "<html")
}

func looksJSON(contentType string, body []byte) bool {
	if strings.Contains(contentType, "json") {
		return true
	}
	t := strings.TrimSpace(string(body[:min(len(body), 64)]))
	return contentType == "" && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["))
}

var tagRE = lazyre.New(`<[^>]*>`)

// snippet is a short, one-line, tag-free start of a body for an error
// message.
func snippet(body []byte) string {
	s := string(body[:min(len(body), 4096)])
	if i := strings.Index(strings.ToLower(s), "<title>"); i >= 0 {
		if j := strings.Index(strings.ToLower(s[i:]), "</title>"); j > 0 {
			return "page title: " + strings.TrimSpace(s[i+7:i+j])
		}
	}
	s = tagRE.ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Codes lists the identifiers an error carries, most specific first: the
// MP id, the OAuth error, Altinn's validation and problem codes,
// Skatteetaten's KB code, and "HTTP nnn". Scenario expectations match on
// any of them.
func Codes(err error) []string {
	var (
		oe *OAuthError
		pe *ProblemError
		ae *APIError
		he *HTTPError
		te *TransportError
	)
	var codes []string
	switch {
	case errors.As(err, &oe):
		if oe.MPCode != "" {
			codes = append(codes, oe.MPCode)
		}
		codes = append(codes, oe.Code, fmt.Sprintf("HTTP %d", oe.Status))
	case errors.As(err, &pe):
		// The validation errors say what is wrong; STD-00000 only that
		// something is.
		for _, v := range pe.ValidationErrors {
			codes = append(codes, v.Code)
		}
		if pe.Code != "" {
			codes = append(codes, pe.Code)
		}
		codes = append(codes, fmt.Sprintf("HTTP %d", pe.Status))
	case errors.As(err, &ae):
		codes = append(codes, ae.Code, fmt.Sprintf("HTTP %d", ae.Status))
	case errors.As(err, &he):
		codes = append(codes, fmt.Sprintf("HTTP %d", he.Status))
	case errors.As(err, &te):
		codes = append(codes, "transport")
	}
	return codes
}

// HasCode reports whether err carries the given code (see Codes).
func HasCode(err error, code string) bool {
	for _, c := range Codes(err) {
		if strings.EqualFold(c, code) {
			return true
		}
	}
	return false
}

// retryAfterError is an error answer that said how long to wait before
// asking again (a Retry-After header, with 429 or 503).
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (the service asks to wait %s before asking again: Retry-After)", e.err, e.after.Round(time.Second))
}

func (e *retryAfterError) Unwrap() error { return e.err }

// withRetryAfter keeps the answer's Retry-After with its error.
func withRetryAfter(err error, h http.Header) error {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), time.Now()); ok {
		return &retryAfterError{err: err, after: d}
	}
	return err
}

// RetryAfter is the wait an error answer asked for with Retry-After.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *retryAfterError
	if errors.As(err, &ra) {
		return ra.after, true
	}
	return 0, false
}
