package mock

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// How an Env listens. Start gives each service a loopback listener of its
// own, served at its root, as the three real hosts are. StartWith with an
// Addr serves all three on one listener, each under a path prefix of its
// own (the layout of docs/mock-api.md, for containers and CI), with the
// knobs and the health check under /mock/ on the root.

// Options say how StartWith serves the mock world.
type Options struct {
	// Addr is HOST:PORT of one listener for the three services, under
	// /maskinporten/, /altinn/ and /skatteetaten/; port 0 picks a free
	// one. Empty: a loopback listener per service, each at its root.
	Addr string
	// PublicURL is scheme://host[:port] by which other machines or
	// containers reach Addr (e.g. http://workbench:8080): the issuers,
	// audiences, confirm URLs and Locations carry it. Empty: http:// and
	// the listener's address, 127.0.0.1 for an unspecified host.
	PublicURL string
	// Log, when set, gets a record for every request (RequestLog).
	Log *slog.Logger
}

// Prefixes is the path prefix of each service under Options.Addr, in the
// order maskinporten, altinn, skatteetaten.
var Prefixes = [3]string{"/maskinporten/", "/altinn/", "/skatteetaten/"}

// serviceNames are the names serve prints, in the order of Prefixes.
var serviceNames = [3]string{"maskinporten", "altinn", "skatteetaten"}

// listening is what the listeners of an Env are and where the services are.
type listening struct {
	ls   []net.Listener
	urls [3]string // each service's base URL, with a trailing slash
	root string    // the public root URL with a slash, for one listener
	// public and internal: the mocks' own calls to public go to internal,
	// the listener itself (a container need not resolve its own name).
	public, internal string
}

func (l *listening) close() {
	for _, x := range l.ls {
		x.Close()
	}
}

// listen opens the listeners o asks for.
func (o Options) listen() (*listening, error) {
	l := &listening{}
	if o.Addr == "" {
		if o.PublicURL != "" {
			return nil, errors.New("a public URL needs an address to listen on (Addr)")
		}
		for i := range 3 {
			x, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				l.close()
				return nil, fmt.Errorf("listen on loopback: %w", err)
			}
			l.ls = append(l.ls, x)
			l.urls[i] = "http://" + x.Addr().String() + "/"
		}
		return l, nil
	}
	public, err := publicRoot(o.PublicURL)
	if err != nil {
		return nil, err
	}
	x, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	l.ls = []net.Listener{x}
	l.internal = "http://" + dialable(x.Addr()) + "/"
	l.root = l.internal
	if public != "" {
		l.root, l.public = public, public
	}
	for i, p := range Prefixes {
		l.urls[i] = l.root + p[1:]
	}
	return l, nil
}

// publicRoot checks a public URL (scheme and host, no path, query or
// user) and returns it with a trailing slash; "" stays "".
func publicRoot(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("public URL %q: give scheme and host, e.g. http://workbench:8080", s)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("public URL %q: give scheme and host only, e.g. http://workbench:8080 (the services are under /maskinporten/, /altinn/ and /skatteetaten/ of it)", s)
	}
	return u.Scheme + "://" + u.Host + "/", nil
}

// dialable is the listener's address as a client reaches it: an
// unspecified host (0.0.0.0, ::) is reached on loopback.
func dialable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// handlers are the servers' handlers, one per listener.
func (e *Env) handlers(l *listening, log *slog.Logger) []http.Handler {
	wrap := func(service string, h http.Handler) http.Handler {
		if log == nil {
			return h
		}
		return RequestLog(log, service, h)
	}
	if len(l.ls) == 3 {
		var hs []http.Handler
		for i, name := range serviceNames {
			hs = append(hs, wrap(name, e.handler(name, i)))
		}
		return hs
	}
	root := http.NewServeMux()
	for i, p := range Prefixes {
		root.Handle(p, http.StripPrefix(strings.TrimSuffix(p, "/"), e.handler(serviceNames[i], i)))
	}
	// The knobs at the root: the request's age is Altinn's, the rest
	// (reset, clock, inspect, health) Maskinporten's host answers.
	root.Handle("/mock/requests/", e.handler("altinn", 1))
	root.Handle("/mock/", e.handler("maskinporten", 0))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{
			"error": "no service at " + r.URL.Path + ": the mocks are under /maskinporten/, /altinn/ and /skatteetaten/, the knobs under /mock/",
		})
	})
	return []http.Handler{wrap("", root)}
}

// healthKnob answers GET /mock/health, on every host and at the root of
// one listener: 200 with the services' URLs while the world is up. It
// reports whether the request was for it.
func (e *Env) healthKnob(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/mock/health" {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET /mock/health says whether the mocks are up"})
		return true
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "services": map[string]string{
		"maskinporten": e.MaskinportenURL, "altinn": e.AltinnURL, "skatteetaten": e.SkatteetatenURL,
	}})
	return true
}

// rewriteTransport sends the mocks' own calls to the public URL to the
// listener instead, keeping the public Host header: inside a container the
// public name may not resolve, or may lead through a proxy.
type rewriteTransport struct {
	base             http.RoundTripper
	public, internal string
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL.String()
	if !strings.HasPrefix(u, t.public) {
		return t.base.RoundTrip(req)
	}
	to, err := url.Parse(t.internal + strings.TrimPrefix(u, t.public))
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.URL = to
	r.Host = req.URL.Host
	return t.base.RoundTrip(r)
}
