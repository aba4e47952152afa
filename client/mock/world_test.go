package mock

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

// strictSeed is a seed file with one entry of each kind that the
// tests below spoil one at a time.
func strictSeed() map[string]any {
	key := client.PublicJWK(&mpVendorKey().PublicKey, "k1")
	right := []any{map[string]any{"resource": []any{map[string]any{"id": "urn:altinn:resource", "value": ResourceKravOgBetalinger}}}}
	return map[string]any{
		"clients": []any{map[string]any{"client_id": "my-client", "client_orgno": OrgSmartCloud,
			"scopes": []any{ScopeKravOgBetalinger}, "jwks": map[string]any{"keys": []any{key}}}},
		"systems": []any{map[string]any{"id": "991825827_smartcloud", "vendor": map[string]any{"authority": mpAuthority, "ID": "0192:" + OrgSmartCloud},
			"name": map[string]any{"nb": "SmartCloud"}, "description": map[string]any{"nb": "SmartCloud"},
			"rights": right, "clientId": []any{"my-client"}, "isVisible": true}},
		"systemUsers": []any{map[string]any{"id": "7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f", "systemId": "991825827_smartcloud", "partyOrgNo": OrgSubtilApe}},
	}
}

// startSeed writes the seed to a file, reads it as `serve --seed` does and
// starts the world from it; the error is the first of the two.
func startSeed(t *testing.T, seed map[string]any) (*Env, error) {
	t.Helper()
	b, _ := json.MarshalIndent(seed, "", "  ")
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSeedFile(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := Start(ctx, ServiceOwnerSeed().Merge(s))
	if err == nil {
		t.Cleanup(func() { env.Close() })
	}
	return env, err
}

func TestStrictSeedsAreRefused(t *testing.T) {
	if _, err := startSeed(t, strictSeed()); err != nil {
		t.Fatalf("the good seed: %v", err)
	}
	exponentOne := client.PublicJWK(&mpVendorKey().PublicKey, "k1")
	exponentOne.E = "AQ" // e = 1: every "signature" is the message itself
	cases := []struct {
		name  string
		spoil func(s map[string]any)
		says  []string
	}{
		{"a scope not open to the client's org", func(s map[string]any) {
			s["clients"].([]any)[0].(map[string]any)["client_orgno"] = OrgTiger
		}, []string{`client ("my-client")`, ScopeKravOgBetalinger, "not open to org " + OrgTiger, "MP-250"}},
		{"an RSA key with exponent 1", func(s map[string]any) {
			s["clients"].([]any)[0].(map[string]any)["jwks"] = map[string]any{"keys": []any{exponentOne}}
		}, []string{`client ("my-client")`, "exponent", "RFC 8017"}},
		{"a system user id that is not a UUID", func(s map[string]any) {
			s["systemUsers"].([]any)[0].(map[string]any)["id"] = "system-user-1"
		}, []string{`systemUsers ("system-user-1")`, "not a UUID"}},
		{"two clients with one id", func(s map[string]any) {
			s["clients"] = append(s["clients"].([]any), s["clients"].([]any)[0])
		}, []string{`clients[1] ("my-client")`, "clients[0]"}},
		{"two systems with one id", func(s map[string]any) {
			s["systems"] = append(s["systems"].([]any), s["systems"].([]any)[0])
		}, []string{`systems[1] ("991825827_smartcloud")`, "systems[0]"}},
		{"two system users with one id", func(s map[string]any) {
			other := map[string]any{"id": "7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f", "systemId": "991825827_smartcloud", "partyOrgNo": OrgTiger}
			s["systemUsers"] = append(s["systemUsers"].([]any), other)
		}, []string{`systemUsers[1] ("7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f")`, "systemUsers[0]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := strictSeed()
			tc.spoil(s)
			_, err := startSeed(t, s)
			if err == nil {
				t.Fatal("the seed was accepted")
			}
			for _, want := range tc.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q: %v", want, err)
				}
			}
		})
	}
}

// TestSeedReplacesBuiltIn: an entry with the id of one of the built-in
// world's replaces it (the README says so).
func TestSeedReplacesBuiltIn(t *testing.T) {
	s := strictSeed()
	s["clients"] = append(s["clients"].([]any), map[string]any{"client_id": SkatteetatenClientID, "client_orgno": OrgSkatteetaten,
		"client_name": "replaced", "scopes": []any{}})
	env, err := startSeed(t, s)
	if err != nil {
		t.Fatal(err)
	}
	status, body := getJSON(t, env.MaskinportenURL+"api/v1/clients/"+SkatteetatenClientID)
	if status != 200 || body["client_name"] != "replaced" {
		t.Errorf("the built-in client: %d %v", status, body)
	}
}

func getJSON(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	resp, err := (&http.Client{}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
