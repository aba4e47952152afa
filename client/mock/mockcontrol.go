package mock

import (
	"net/http"
	"time"
)

// The knobs of the mocks (docs/mock-api.md), the counterpart of
// client/mockcontrol.go. No real service has these endpoints.

// routeKnobs registers the knob of the Altinn host: a request's age.
func (a *Altinn) routeKnobs(m *http.ServeMux) {
	m.HandleFunc("PUT /mock/requests/{id}/created", a.handleBackdateRequest)
}

// routeKnobs registers the knob of the Maskinporten host: the clock. PUT
// /mock/clock with {"offset_seconds": N} moves the mock clock N seconds
// from the wall clock (negative is into the past), and GET /mock/clock shows
// it. In an Env all three services share the clock, so this makes the mock
// world's time disagree with the vendor's, as a skewed server clock would:
// grants then fail the iat and exp checks.
func (m *Maskinporten) routeKnobs(mux *http.ServeMux) {
	mux.HandleFunc("GET /mock/clock", m.handleGetClock)
	mux.HandleFunc("PUT /mock/clock", m.handleSetClock)
	// POST /mock/inspect checks a grant against every rule of /token
	// (maskinporten_inspect.go), for `workbench inspect --against`.
	mux.HandleFunc("POST /mock/inspect", m.handleInspect)
}

// resetKnob answers POST /mock/reset, the knob of every host of an Env,
// and reports whether the request was for it.
func (e *Env) resetKnob(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/mock/reset" {
		return false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST /mock/reset resets the mock world"})
		return true
	}
	if err := e.Reset(); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return true
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "the mock world is back to its seed"})
	return true
}

// handleBackdateRequest is a knob of the mock: it moves a request's created
// time, so a scenario can show a request that has timed out.
func (a *Altinn) handleBackdateRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Created string `json:"created"`
	}
	if !altinnDecodeBody(w, r, &in) {
		return
	}
	t, err := time.Parse(time.RFC3339, in.Created)
	if err != nil {
		writeAltinnModelProblem(w, "created", "created must be an RFC 3339 time: "+err.Error())
		return
	}
	id, _ := altinnParseGUID(r.PathValue("id"))
	a.mu.Lock()
	defer a.mu.Unlock()
	req, ok := a.requests[id]
	if !ok {
		writeAltinnProblem(w, probRequestNotFound)
		return
	}
	req.created = t.UTC()
	writeJSON(w, http.StatusOK, a.requestJSON(req))
}

// mpClockBody is the clock knob's body and answer.
type mpClockBody struct {
	OffsetSeconds *int64 `json:"offset_seconds"`
	Now           string `json:"now,omitempty"`
}

func (m *Maskinporten) clockBody() mpClockBody {
	now := m.clock.Now()
	off := int64(now.Sub(time.Now()).Round(time.Second) / time.Second)
	return mpClockBody{OffsetSeconds: &off, Now: now.UTC().Format(time.RFC3339)}
}

func (m *Maskinporten) handleGetClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, m.clockBody())
}

func (m *Maskinporten) handleSetClock(w http.ResponseWriter, r *http.Request) {
	var b mpClockBody
	if !mpDecodeBody(w, r, &b) {
		return
	}
	if b.OffsetSeconds == nil {
		mpInvalidMetadata(w, `offset_seconds is missing; send {"offset_seconds": N}, N whole seconds from the wall clock (0 resets)`)
		return
	}
	m.clock.SetOffset(time.Duration(*b.OffsetSeconds) * time.Second)
	writeJSON(w, http.StatusOK, m.clockBody())
}
