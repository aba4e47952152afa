package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// MockControl turns the knobs of the mock services (see docs/mock-api.md):
// the shared clock and a request's age. Real services have no such
// endpoints; training scenarios that need them run only against the mocks.
type MockControl struct {
	Maskinporten Base
	Altinn       Base
}

// NewMockControl returns a client for the knobs of the mocks at the two
// base URLs.
func NewMockControl(maskinportenURL, altinnURL string, hc *http.Client) *MockControl {
	return &MockControl{NewBase("maskinporten", maskinportenURL, hc), NewBase("altinn", altinnURL, hc)}
}

// SetClock moves the mocks' shared clock by offset from the wall clock.
func (m *MockControl) SetClock(ctx context.Context, offset time.Duration) error {
	_, err := m.Maskinporten.doJSON(ctx, call{method: http.MethodPut, path: "mock/clock"},
		map[string]int64{"offset_seconds": int64(offset / time.Second)}, nil)
	return err
}

// BackdateRequest sets a system user request's creation time.
func (m *MockControl) BackdateRequest(ctx context.Context, requestID string, created time.Time) error {
	_, err := m.Altinn.doJSON(ctx, call{method: http.MethodPut, path: "mock/requests/" + url.PathEscape(requestID) + "/created"},
		map[string]string{"created": created.UTC().Format(time.RFC3339)}, nil)
	return err
}

// Reset puts the whole mock world back to its seed (and the clock right).
func (m *MockControl) Reset(ctx context.Context) error {
	_, err := m.Maskinporten.do(ctx, call{method: http.MethodPost, path: "mock/reset"})
	return err
}
