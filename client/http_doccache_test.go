package client

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

func TestDocFreshness(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header map[string]string
		fresh  time.Duration // from now
		keep   bool
	}{
		{"nothing said: Digdir's 24 hours", nil, DefaultDocLifetime, true},
		{"max-age", map[string]string{"Cache-Control": "public, max-age=600"}, 600 * time.Second, true},
		{"max-age less Age", map[string]string{"Cache-Control": "max-age=600", "Age": "100"}, 500 * time.Second, true},
		{"max-age over Expires", map[string]string{"Cache-Control": "max-age=60", "Expires": "Tue, 01 Dec 2026 13:00:00 GMT"}, 60 * time.Second, true},
		{"no-cache: ask every time", map[string]string{"Cache-Control": "no-cache"}, -1, true},
		{"no-store: keep nothing", map[string]string{"Cache-Control": "max-age=60, no-store"}, -1, false},
		{"Expires against Date", map[string]string{"Date": "Tue, 01 Dec 2026 10:00:00 GMT", "Expires": "Tue, 01 Dec 2026 10:30:00 GMT"}, 30 * time.Minute, true},
		{"an invalid Expires is stale", map[string]string{"Expires": "0"}, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			until, keep := docFreshness(h, now)
			if keep != tc.keep {
				t.Fatalf("keep %v, want %v", keep, tc.keep)
			}
			if tc.fresh < 0 {
				if until.After(now) {
					t.Errorf("fresh until %s, want stale", until)
				}
			} else if !until.Equal(now.Add(tc.fresh)) {
				t.Errorf("fresh until %s, want %s", until, now.Add(tc.fresh))
			}
		})
	}
}

// TestDocCacheBetweenRuns: a second client with the same cache directory
// (a second run of `workbench token`) reads the well-known document without
// a request while it is fresh, asks again with its ETag once stale, keeps
// it on a 304, and keeps nothing the server says not to store.
func TestDocCacheBetweenRuns(t *testing.T) {
	var gets, conditional atomic.Int32
	cacheControl := "max-age=60"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", cacheControl)
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer": %q, "jwks_uri": %q, "token_endpoint": %q}`, srv.URL+"/", srv.URL+"/jwk", srv.URL+"/token")
	}))
	defer srv.Close()
	dir := t.TempDir()
	now := time.Now()
	run := func() (Metadata, bool) {
		t.Helper()
		m := NewMaskinporten(srv.URL+"/", srv.Client())
		m.Docs = &DocCache{Dir: dir, Now: func() time.Time { return now }}
		md, cached, err := m.wellKnown(context.Background())
		if err != nil || md.Issuer != srv.URL+"/" {
			t.Fatalf("well-known: %+v %v", md, err)
		}
		return md, cached
	}
	if _, cached := run(); cached || gets.Load() != 1 {
		t.Fatalf("first run: cached %v, %d GETs", cached, gets.Load())
	}
	if _, cached := run(); !cached || gets.Load() != 1 {
		t.Fatalf("second run within max-age: cached %v, %d GETs", cached, gets.Load())
	}
	now = now.Add(61 * time.Second)
	if _, cached := run(); cached || gets.Load() != 2 || conditional.Load() != 1 {
		t.Fatalf("stale: cached %v, %d GETs, %d conditional", cached, gets.Load(), conditional.Load())
	}
	if _, cached := run(); !cached || gets.Load() != 2 {
		t.Fatalf("renewed by the 304: cached %v, %d GETs", cached, gets.Load())
	}
	// no-store: the kept copy goes, and every run asks.
	now = now.Add(61 * time.Second)
	cacheControl = "no-store"
	run()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("kept %d files after no-store", len(files))
	}
	run()
	if gets.Load() != 4 {
		t.Errorf("%d GETs, want 4", gets.Load())
	}
}

// TestVerifyRefetchesRotatedKeys: a key set kept from an earlier run that
// lacks the token's key is fetched again, once, before the token is refused.
func TestVerifyRefetchesRotatedKeys(t *testing.T) {
	old, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	current := SigningKey{Key: old, KeyID: "old"}
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(current.PublicJWKS().MarshalIndent())
	}))
	defer srv.Close()
	m := NewMaskinporten(srv.URL+"/", srv.Client())
	m.Docs = &DocCache{Dir: t.TempDir()}
	md := Metadata{Issuer: "https://mp/", JWKSURI: srv.URL + "/jwk"}
	token := func(k SigningKey) string {
		s, err := Grant{ClientID: "x", Extra: map[string]any{"iss": "https://mp/"}}.Sign(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := m.Verify(context.Background(), md, token(current), time.Now()); err != nil || fetches.Load() != 1 {
		t.Fatalf("first: %v, %d fetches", err, fetches.Load())
	}
	current = SigningKey{Key: key(t), KeyID: "new"}
	if at, err := m.Verify(context.Background(), md, token(current), time.Now()); err != nil || !at.Verified || fetches.Load() != 2 {
		t.Fatalf("rotated: %v, %d fetches", err, fetches.Load())
	}
	// A token no published key signed: fetched once more, then refused.
	stranger := SigningKey{Key: old, KeyID: "new"}
	if _, err := m.Verify(context.Background(), md, token(stranger), time.Now()); err == nil || fetches.Load() != 3 {
		t.Fatalf("bad signature: %v, %d fetches", err, fetches.Load())
	}
}
