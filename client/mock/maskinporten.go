package mock

import (
	"crypto/rsa"
	"net/http"
)

// MaskinportenConfig configures the mock Maskinporten.
type MaskinportenConfig struct {
	Issuer    string // the mock's own URL, with trailing slash
	AltinnURL string // where the system user lookup goes, with trailing slash
	HTTP      *http.Client
	Clock     *Clock
	Key       *rsa.PrivateKey // signs issued tokens
}

// Maskinporten is the mock Maskinporten. (Stub: being written.)
type Maskinporten struct{ http.ServeMux }

// NewMaskinporten makes the mock Maskinporten.
func NewMaskinporten(cfg MaskinportenConfig) (*Maskinporten, error) { return &Maskinporten{}, nil }

// Seed loads clients and scopes.
func (m *Maskinporten) Seed(s Seed) error { return nil }
