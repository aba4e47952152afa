package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
)

// The request log of `workbench serve`: one record per request the mocks
// answer, with what refused it. The handlers know nothing of it: it reads
// the answer as a client would, in the error shapes of docs/mock-api.md.

// logBodyLimit is how much of a refusal's body the log reads.
const logBodyLimit = 16 << 10

// RequestLog serves h and logs each request to log: method, path, status,
// for a refusal the error, the code (MP-nnn, AUTH-nnnnn, KB-nnn) and the
// rule in the mock's own words, and the duration. service, when not
// empty, names the mock (one listener per service). It never logs a query,
// a header or a body beyond those fields, so no token or key reaches it.
func RequestLog(log *slog.Logger, service string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w}
		path := r.URL.Path // before a prefix is stripped
		h.ServeHTTP(lw, r)
		if lw.status == 0 {
			lw.status = http.StatusOK
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", path), slog.Int("status", lw.status)}
		if service != "" {
			attrs = append(attrs, slog.String("service", service))
		}
		level := slog.LevelInfo
		if lw.status >= 400 {
			level = slog.LevelWarn
			if lw.status >= 500 {
				level = slog.LevelError
			}
			attrs = append(attrs, refusal(lw.status, lw.Header(), lw.body.Bytes()).attrs()...)
		}
		attrs = append(attrs, slog.Duration("duration", time.Since(start).Round(time.Microsecond)))
		log.LogAttrs(context.Background(), level, "request", attrs...)
	})
}

// logWriter keeps the status and the start of a refusal's body.
type logWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *logWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 400 && w.body.Len() < logBodyLimit {
		w.body.Write(p[:min(len(p), logBodyLimit-w.body.Len())])
	}
	return w.ResponseWriter.Write(p)
}

// refused is what a refusal says: the OAuth error, the code and the rule.
type refused struct{ err, code, rule string }

func (f refused) attrs() []slog.Attr {
	var out []slog.Attr
	for _, a := range []struct{ k, v string }{{"error", f.err}, {"code", f.code}, {"rule", f.rule}} {
		if a.v != "" {
			out = append(out, slog.String(a.k, a.v))
		}
	}
	return out
}

var (
	logMPIDRE    = lazyre.New(`\s*\((MP-\d{3})\)$`)
	logChallenge = lazyre.New(`(error|error_description)="([^"]*)"`)
)

// refusal reads a refusal in the shapes the mocks answer with:
// Maskinporten's {error, error_description (MP-nnn)}, Altinn's problem
// details {code, title, detail, validationErrors} and ASP.NET's {title,
// errors}, Skatteetaten's {kode, melding}, or a bare 401 with its
// WWW-Authenticate challenge.
func refusal(status int, h http.Header, body []byte) refused {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Code        string `json:"code"`
		Title       string `json:"title"`
		Detail      string `json:"detail"`
		Validation  []struct {
			Code  string `json:"code"`
			Title string `json:"title"`
		} `json:"validationErrors"`
		Errors  map[string][]string `json:"errors"`
		Kode    string              `json:"kode"`
		Melding string              `json:"melding"`
	}
	var f refused
	if json.Unmarshal(body, &b) == nil {
		switch {
		case b.Error != "":
			f.err, f.rule = b.Error, b.Description
			if m := logMPIDRE.FindStringSubmatch(b.Description); m != nil {
				f.code, f.rule = m[1], strings.TrimSuffix(b.Description, m[0])
			}
		case b.Kode != "":
			f.code, f.rule = b.Kode, b.Melding
		case b.Code != "" || b.Title != "":
			f.code, f.rule = b.Code, strings.TrimSpace(b.Title+" "+b.Detail)
			for _, v := range b.Validation {
				f.code = strings.TrimSpace(f.code + " " + v.Code)
				f.rule += "; " + v.Title
			}
			for _, field := range slices.Sorted(maps.Keys(b.Errors)) {
				f.rule += "; " + field + ": " + strings.Join(b.Errors[field], " ")
			}
		}
	}
	if f.err == "" && f.rule == "" {
		for _, m := range logChallenge.FindAllStringSubmatch(h.Get("WWW-Authenticate"), -1) {
			if m[1] == "error" {
				f.err = m[2]
			} else {
				f.rule = m[2]
			}
		}
	}
	if f.rule == "" && status == http.StatusUnauthorized && h.Get("WWW-Authenticate") != "" {
		f.rule = "no bearer token (WWW-Authenticate: " + h.Get("WWW-Authenticate") + ")"
	}
	return f
}
