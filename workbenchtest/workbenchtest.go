// Package workbenchtest runs the workbench's mock world (Maskinporten,
// Altinn with the confirm page, Skatteetaten's Krav og betalinger) in the
// test's own process, for integrators who write Go: Start gives a test the
// three base URLs and a key registered on a ready vendor client, and stops
// the world when the test ends.
//
// The world is the one `workbench serve --demo` serves: SmartCloud's client
// DemoClientID with the vendor scopes and skatteetaten:kravogbetalinger,
// its system in the register, and a system user that TILFELDIG SUBTIL APE
// (CustomerOrgNo) has approved. A seed, in the JSON format of `workbench
// serve --seed` (README.md, "Seed file"), adds to it. Every exchange is real
// HTTP on loopback and every token is really signed: your own client code
// talks to the World's URLs exactly as to the real hosts.
package workbenchtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
)

// The demo world's names, for a grant: iss ClientID, kid KeyID,
// systemuser_org 0192:CustomerOrgNo, scope Scope.
const (
	ClientID      = mock.DemoClientID
	KeyID         = mock.DemoKeyID
	SystemID      = mock.DemoSystemID
	CustomerOrgNo = mock.DemoCustomerOrgNo
	Scope         = mock.ScopeKravOgBetalinger
)

// World is a running mock world.
type World struct {
	// MaskinportenURL is Maskinporten's issuer, the grant's aud and the
	// base of /token, /jwk and /.well-known/oauth-authorization-server.
	MaskinportenURL string
	// AltinnURL stands in for https://platform.tt02.altinn.no/.
	AltinnURL string
	// SkatteetatenURL is Krav og betalinger's base URL: the API is
	// SkatteetatenURL + "v1/regnskapssystem/{orgno}/aapnekrav".
	SkatteetatenURL string
	// Key is the private key registered on ClientID under KeyID; sign
	// your grants with it.
	Key *rsa.PrivateKey

	env *mock.Env
}

// Start seeds the demo world and seedJSON (nil for none) and serves it on
// loopback until the test ends. A seed the mocks refuse fails the test.
func Start(t testing.TB, seedJSON []byte) *World {
	t.Helper()
	key, err := demoKey()
	if err != nil {
		t.Fatalf("workbenchtest: make the client's key: %v", err)
	}
	seed := mock.ServiceOwnerSeed().Merge(mock.DemoSeed(&key.PublicKey))
	if len(seedJSON) > 0 {
		more, err := mock.ParseSeed("seedJSON", seedJSON)
		if err != nil {
			t.Fatalf("workbenchtest: %v", err)
		}
		seed = seed.Merge(more)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := mock.Start(ctx, seed)
	if err != nil {
		cancel()
		t.Fatalf("workbenchtest: start the mocks: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		env.Close()
	})
	return &World{MaskinportenURL: env.MaskinportenURL, AltinnURL: env.AltinnURL, SkatteetatenURL: env.SkatteetatenURL, Key: key, env: env}
}

// SigningKey is Key with its kid, for the workbench's own client package.
func (w *World) SigningKey() client.SigningKey {
	return client.SigningKey{Key: w.Key, KeyID: KeyID}
}

// Reset puts the world back to its seed: everything made since (clients,
// systems, requests, system users, used grant ids) is gone, and the clock
// is right again.
func (w *World) Reset(t testing.TB) {
	t.Helper()
	if err := w.env.Reset(); err != nil {
		t.Fatalf("workbenchtest: reset: %v", err)
	}
}

// SetClock moves the clock the three mocks share by offset from the wall
// clock (negative is into the past), as a skewed server clock would.
func (w *World) SetClock(offset time.Duration) {
	w.env.Clock.SetOffset(offset)
}

// The client's key is made once per test binary: an RSA key takes tens of
// milliseconds, and every World registers it afresh.
var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

func demoKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return key, keyErr
}
