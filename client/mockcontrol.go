package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// MockControl turns the knobs of the mock services (see docs/mock-api.md):
// the shared clock and a request's age, and asks the mock Maskinporten to
// check a grant (InspectGrant). Real services have no such
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

// RuleStatus is how a rule came out on a grant: it holds, it is broken,
// or it was not checked (what it needs is not at hand).
type RuleStatus string

// The statuses of a GrantRule.
const (
	RuleHolds      RuleStatus = "ok"
	RuleBroken     RuleStatus = "broken"
	RuleNotChecked RuleStatus = "not checked"
)

// GrantRule is one of Maskinporten's rules for a grant at /token, checked
// on one grant: what /token answers when it is broken (status, error, MP
// id, the mock's error_description), or why it was not checked.
type GrantRule struct {
	Rule   string     `json:"rule"`
	Status RuleStatus `json:"status"`
	// NeedsState marks a rule that needs the server's state (the client,
	// its keys and scopes, the grants seen, the system user at Altinn).
	NeedsState  bool   `json:"needsState,omitempty"`
	HTTPStatus  int    `json:"httpStatus,omitempty"`
	Error       string `json:"error,omitempty"`
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
}

// InspectedGrant is a mock Maskinporten's verdict on a grant, rule by rule,
// against its own state and clock.
type InspectedGrant struct {
	Issuer string      `json:"issuer"`
	Now    string      `json:"now"`
	Rules  []GrantRule `json:"rules"`
}

// InspectGrant asks the mock Maskinporten to check a grant against every
// rule of its /token, with its state (the client, its keys and scopes, the
// grants it has seen, the system user at Altinn) and its clock. It issues
// no token and does not use up the grant's jti.
func (m *MockControl) InspectGrant(ctx context.Context, assertion string) (InspectedGrant, error) {
	var out InspectedGrant
	r, err := m.Maskinporten.do(ctx, call{method: http.MethodPost, path: "mock/inspect",
		body: []byte(url.Values{"assertion": {assertion}}.Encode()), contentType: "application/x-www-form-urlencoded"})
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return out, fmt.Errorf("the mock's answer to mock/inspect: %w", err)
	}
	return out, nil
}
