package mock

import (
	"crypto/rsa"
	"net/http"
)

// SkatteetatenConfig configures the mock Skatteetaten API.
type SkatteetatenConfig struct {
	URL             string
	MaskinportenURL string
	AltinnURL       string
	HTTP            *http.Client
	Clock           *Clock
	ClientID        string // Skatteetaten's own Maskinporten client
	KeyID           string
	Key             *rsa.PrivateKey
	SubscriptionKey string // for the PDP
}

// Skatteetaten is the mock Krav og betalinger API. (Stub: being written.)
type Skatteetaten struct{ http.ServeMux }

// NewSkatteetaten makes the mock Skatteetaten API.
func NewSkatteetaten(cfg SkatteetatenConfig) (*Skatteetaten, error) { return &Skatteetaten{}, nil }

// Seed loads the open claims per organisation.
func (s *Skatteetaten) Seed(seed Seed) error { return nil }
