package mock

import (
	"crypto/rsa"
	"net/http"
)

// AltinnConfig configures the mock Altinn platform.
type AltinnConfig struct {
	URL             string // the mock's own URL, with trailing slash
	MaskinportenURL string // issuer whose JWKS verifies bearer tokens
	HTTP            *http.Client
	Clock           *Clock
	Key             *rsa.PrivateKey // signs Altinn tokens
}

// Altinn is the mock Altinn platform. (Stub: being written.)
type Altinn struct{ http.ServeMux }

// NewAltinn makes the mock Altinn platform.
func NewAltinn(cfg AltinnConfig) (*Altinn, error) { return &Altinn{}, nil }

// Seed loads organisations, persons, roles, resources, systems, system users and delegations.
func (a *Altinn) Seed(s Seed) error { return nil }
