package mock

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMaskinportenClockKnob(t *testing.T) {
	e := mpStart(t, "")
	if status, _ := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("before: %d", status)
	}
	if status, body := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset_seconds": 3600}); status != 200 || body["offset_seconds"] != 3600.0 {
		t.Fatalf("PUT /mock/clock: %d %v", status, body)
	}
	if status, body := e.do(t, http.MethodGet, "mock/clock", nil); status != 200 || body["offset_seconds"] != 3600.0 {
		t.Fatalf("GET /mock/clock: %d %v", status, body)
	}
	// A vendor on the wall clock is an hour behind Maskinporten now: its
	// grant's exp has passed by Maskinporten's clock.
	wall := time.Now()
	status, body := e.post(t, mpForm(e.grant(t, func(c jwt.MapClaims) {
		c["iat"], c["exp"] = wall.Unix(), wall.Add(120*time.Second).Unix()
	})))
	if status != 400 || !regexp.MustCompile(`JWT has expired: exp \S+ is more than 10 s before Maskinporten's clock`).MatchString(body["error_description"].(string)) {
		t.Fatalf("wall-clock grant: %d %v", status, body)
	}
	// On Maskinporten's time the grant passes, and the lookup token cached
	// an hour ago has expired, so Maskinporten mints a new one.
	if status, body := e.post(t, mpForm(e.grant(t, nil))); status != 200 {
		t.Fatalf("mock-clock grant: %d %v", status, body)
	}
	if n := e.altinn.distinctTokens(); n != 2 {
		t.Errorf("Altinn saw %d Maskinporten tokens, want 2", n)
	}
	if status, body := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset": 5}); status != 400 || body["error"] != "invalid_client_metadata" {
		t.Errorf("PUT without offset_seconds: %d %v", status, body)
	}
	if status, _ := e.do(t, http.MethodPut, "mock/clock", map[string]any{"offset_seconds": 0}); status != 200 {
		t.Errorf("reset: %d", status)
	}
}
