package standin

import (
	"fmt"
	"net/http"
	"strings"
)

// Override is a canned answer a route gives instead of its own, for the
// failures a real host or its gateway produces (429 with Retry-After, 503,
// an HTML error page). The request is still counted and logged.
type Override struct {
	w      *World
	route  string
	status int
	header http.Header
	body   string
	left   int // answers left; < 0: every one
}

// RespondWith makes route answer status, header and body to every request
// from now on, until the Override is removed or its Times run out. route is
// a pattern as Count takes it; it panics on one no host has.
func (w *World) RespondWith(route string, status int, header http.Header, body string) *Override {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.known(route) {
		panic(fmt.Sprintf("standin: no route %q (see World.Routes)", route))
	}
	o := &Override{w: w, route: route, status: status, header: header.Clone(), body: body, left: -1}
	w.overrides = append(w.overrides, o)
	return o
}

// Times limits the override to the next n requests; after them the route
// answers as itself again.
func (o *Override) Times(n int) *Override {
	o.w.mu.Lock()
	o.left = n
	o.w.mu.Unlock()
	return o
}

// Remove ends the override.
func (o *Override) Remove() {
	o.w.mu.Lock()
	defer o.w.mu.Unlock()
	o.removeLocked()
}

func (o *Override) removeLocked() {
	for i, x := range o.w.overrides {
		if x == o {
			o.w.overrides = append(o.w.overrides[:i], o.w.overrides[i+1:]...)
			return
		}
	}
}

// statusReads are the routes a vendor reads a request's status on.
var statusReads = map[string]bool{
	RouteRequestGet:           true,
	RouteAgentRequestGet:      true,
	RouteRequestByExtRef:      true,
	RouteAgentRequestByExtRef: true,
}

// FailStatusReads makes every read of a request's status (vendor/{id},
// vendor/agent/{id} and the byexternalref lookups) answer status from now
// on, whatever the token; 0 turns it off. 401 and 403 come with an empty
// body, as the authentication handler's challenge and ASP.NET's Forbid give
// them (AUTHN AuthenticationHost.cs L106-126 AddJwtCookie; an
// [Authorize(Policy=...)] failure); other statuses with ASP.NET's problem
// body for a bare status code.
func (w *World) FailStatusReads(status int) {
	w.mu.Lock()
	w.failStatus = status
	w.mu.Unlock()
}

// answerKnob answers from an override or a failure knob, if one applies.
func (w *World) answerKnob(rw http.ResponseWriter, route string) bool {
	w.mu.Lock()
	var o *Override
	for _, x := range w.overrides {
		if x.route == route && x.left != 0 {
			o = x
			break
		}
	}
	if o != nil && o.left > 0 {
		o.left--
	}
	fail := 0
	if statusReads[route] {
		fail = w.failStatus
	}
	w.mu.Unlock()
	switch {
	case o != nil:
		for k, vs := range o.header {
			for _, v := range vs {
				rw.Header().Add(k, v)
			}
		}
		if rw.Header().Get("Content-Type") == "" && strings.HasPrefix(strings.TrimSpace(o.body), "<") {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		rw.WriteHeader(o.status)
		_, _ = rw.Write([]byte(o.body))
		return true
	case fail == http.StatusUnauthorized || fail == http.StatusForbidden:
		rw.WriteHeader(fail)
		return true
	case fail != 0:
		writeStatusProblem(rw, fail)
		return true
	}
	return false
}
