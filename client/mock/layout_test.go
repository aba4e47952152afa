package mock

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// With a public URL (a container's name, which need not resolve where the
// mocks run) the issuers and URLs carry it, and the mocks' own calls to
// each other still reach the listener: a system user token needs
// Maskinporten to ask Altinn.
func TestPublicURLNamesEverythingAndTheMocksStillReachEachOther(t *testing.T) {
	log := &lockedWriter{w: &strings.Builder{}}
	env, err := StartWith(context.Background(), ServiceOwnerSeed().Merge(DemoSeed(&mpVendorKey().PublicKey)),
		Options{Addr: "127.0.0.1:0", PublicURL: "http://workbench.invalid:8080", Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if env.MaskinportenURL != "http://workbench.invalid:8080/maskinporten/" || env.RootURL != "http://workbench.invalid:8080/" ||
		env.SkatteetatenURL != "http://workbench.invalid:8080/skatteetaten/api/innkreving/kravogbetalinger/" {
		t.Fatalf("URLs %s %s %s", env.MaskinportenURL, env.AltinnURL, env.SkatteetatenURL)
	}
	at := func(public string) string {
		return strings.Replace(public, "http://workbench.invalid:8080/", env.internal, 1)
	}
	res, err := http.Get(at(env.MaskinportenURL) + ".well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	json.NewDecoder(res.Body).Decode(&md)
	res.Body.Close()
	if md["issuer"] != env.MaskinportenURL || md["token_endpoint"] != env.MaskinportenURL+"token" {
		t.Fatalf("well-known %v", md)
	}
	now := env.Clock.Now()
	g := mpSign(t, jwt.SigningMethodRS256, mpVendorKey(), map[string]any{"kid": DemoKeyID}, jwt.MapClaims{
		"iss": DemoClientID, "aud": env.MaskinportenURL, "iat": now.Unix(), "exp": now.Unix() + 60, "jti": mpRandomID(),
		"scope": ScopeKravOgBetalinger, "authorization_details": []any{map[string]any{
			"type": mpSystemUserType, "systemuser_org": map[string]any{"authority": mpAuthority, "ID": "0192:" + DemoCustomerOrgNo}}},
	})
	res, err = http.PostForm(at(env.MaskinportenURL)+"token", url.Values{"grant_type": {mpJWTBearer}, "assertion": {g}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("a system user token behind a public URL: %d %s", res.StatusCode, b)
	}
	// Its lookup at Altinn went through the listener, under /altinn/, and
	// the trace names the public URL the mock called.
	if !strings.Contains(log.String(), "path=/altinn/authentication/api/v1/systemuser/byExternalId status=200") {
		t.Errorf("the lookup at Altinn is not in the log:\n%s", log.String())
	}
	if tr := res.Header.Get(TraceHeader); tr == "" {
		t.Error("no trace of the lookup")
	}
	// Health and an unknown path at the root.
	res, _ = http.Get(env.internal + "mock/health")
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET /mock/health: %d", res.StatusCode)
	}
	res, _ = http.Get(env.internal + "nothing/here")
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(b), "/maskinporten/") {
		t.Errorf("an unknown path at the root: %d %s", res.StatusCode, b)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, o := range []Options{
		{PublicURL: "http://workbench:8080"},
		{Addr: "127.0.0.1:0", PublicURL: "http://workbench:8080/prefix/"},
		{Addr: "127.0.0.1:0", PublicURL: "ftp://workbench"},
		{Addr: "127.0.0.1:0", PublicURL: "http://user@workbench"},
		{Addr: "256.0.0.1:0"},
	} {
		if env, err := StartWith(context.Background(), BaseSeed(), o); err == nil {
			env.Close()
			t.Errorf("%+v: started", o)
		}
	}
}

// lockedWriter lets the servers' goroutines write to a test's builder.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
