package workbenchtest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/workbenchtest"
)

// token gets a system user token for the demo client with the workbench's
// own client package.
func token(t *testing.T, w *workbenchtest.World, req client.SystemUserTokenRequest) (client.IssuedToken, error) {
	t.Helper()
	return client.NewMaskinporten(w.MaskinportenURL, http.DefaultClient).SystemUserToken(context.Background(), req)
}

func TestStartSeedResetAndCleanup(t *testing.T) {
	// A seed adds a client of the integrator's own, with its own key.
	own, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(client.SigningKey{Key: own, KeyID: "own-1"}.PublicJWKS())
	seed := fmt.Sprintf(`{"clients": [{"client_id": "own-client", "client_orgno": "991825827",
		"scopes": ["skatteetaten:kravogbetalinger"], "jwks": %s}]}`, jwks)

	var w *workbenchtest.World
	t.Run("world", func(t *testing.T) {
		w = workbenchtest.Start(t, []byte(seed))
		it, err := token(t, w, client.SystemUserTokenRequest{ClientID: workbenchtest.ClientID, Key: w.SigningKey(),
			OrgNo: workbenchtest.CustomerOrgNo, Scopes: []string{workbenchtest.Scope}})
		if err != nil {
			t.Fatalf("the demo client's token: %v", err)
		}
		at, err := client.NewMaskinporten(w.MaskinportenURL, http.DefaultClient).Verify(context.Background(), it.Metadata, it.Response.AccessToken, time.Now())
		if su, ok := at.SystemUser(); err != nil || !ok || su.SystemID != workbenchtest.SystemID {
			t.Fatalf("the token does not verify, or has no system user: %v %+v", err, at.AuthorizationDetails)
		}
		// The seed's client is there: a plain token (no system user).
		if _, err := token(t, w, client.SystemUserTokenRequest{ClientID: "own-client", Key: client.SigningKey{Key: own, KeyID: "own-1"},
			OrgNo: workbenchtest.CustomerOrgNo, Scopes: []string{workbenchtest.Scope}}); !client.HasCode(err, "MP-303") {
			t.Fatalf("the seed's client, without a system: %v, want MP-303 (known client, no system user)", err)
		}
		// The clock knob: ten minutes ahead, a fresh grant's iat lies far in the past, which is allowed,
		// but its exp too: MP-130.
		w.SetClock(10 * time.Minute)
		if _, err := token(t, w, client.SystemUserTokenRequest{ClientID: workbenchtest.ClientID, Key: w.SigningKey(),
			OrgNo: workbenchtest.CustomerOrgNo, Scopes: []string{workbenchtest.Scope}}); !client.HasCode(err, "MP-130") {
			t.Fatalf("with the clock 10 min ahead: %v, want MP-130", err)
		}
		w.Reset(t)
		if _, err := token(t, w, client.SystemUserTokenRequest{ClientID: workbenchtest.ClientID, Key: w.SigningKey(),
			OrgNo: workbenchtest.CustomerOrgNo, Scopes: []string{workbenchtest.Scope}}); err != nil {
			t.Fatalf("after Reset the clock is right again: %v", err)
		}
	})
	// The subtest's end stopped the world.
	if _, err := http.Get(w.MaskinportenURL + ".well-known/oauth-authorization-server"); err == nil {
		t.Error("the world still answers after its test ended")
	}
}

// fatalT records Fatalf instead of ending the test.
type fatalT struct {
	testing.TB
	msg string
}

func (t *fatalT) Helper()                   {}
func (t *fatalT) Cleanup(func())            {}
func (t *fatalT) Fatalf(f string, a ...any) { t.msg = fmt.Sprintf(f, a...); panic(t) }

func TestStartRefusesABadSeed(t *testing.T) {
	for _, c := range []struct{ seed, want string }{
		{`{"clients": [`, "seedJSON:1: clients: unexpected end of the file"},
		{`{"clients": [}`, "seedJSON:1"},
		{`{"client": []}`, "unknown field"},
		{`{"clients": [{"client_id": "x", "client_orgno": "991825827", "scopes": ["nope:nope"]}]}`, "nope:nope"},
	} {
		ft := &fatalT{}
		func() {
			defer func() {
				if r := recover(); r != nil && r != any(ft) {
					panic(r)
				}
			}()
			workbenchtest.Start(ft, []byte(c.seed))
		}()
		if !strings.Contains(ft.msg, c.want) {
			t.Errorf("seed %s: Fatalf %q, want it to name %q", c.seed, ft.msg, c.want)
		}
	}
}
