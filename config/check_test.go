package config

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEnvironmentOverridesTheFile(t *testing.T) {
	p := write(t, "env = \"mock\"\n[vendor]\nclient_id = \"from-file\"\n[customer]\norg_no = \"310904473\"\n")
	c, err := LoadWith(p, Options{Getenv: envOf(map[string]string{
		"WORKBENCH_CLIENT_ID": "from-env", "WORKBENCH_CUSTOMER_ORG": "313367002", "WORKBENCH_EXTERNAL_REF": "ref-1",
		"WORKBENCH_KEY_ID": "kid-1", "WORKBENCH_KEY_FILE": "/k.pem",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Vendor.ClientID != "from-env" || c.Customer.OrgNo != "313367002" || c.Customer.ExternalRef != "ref-1" || c.Vendor.KeyID != "kid-1" || c.Vendor.KeyFile != "/k.pem" {
		t.Errorf("%+v %+v", c.Vendor, c.Customer)
	}
	if c.FromEnv("vendor.client_id") != "WORKBENCH_CLIENT_ID" {
		t.Errorf("source %q", c.FromEnv("vendor.client_id"))
	}
	// A bad value from the environment is blamed on the variable.
	_, err = LoadWith(p, Options{Getenv: envOf(map[string]string{"WORKBENCH_CUSTOMER_ORG": "12", "WORKBENCH_ENV": "tt02"})})
	if err == nil || !strings.Contains(err.Error(), "$WORKBENCH_CUSTOMER_ORG: customer.org_no:") {
		t.Errorf("got %v", err)
	}
	// WORKBENCH_ENV=prod is refused like the file's.
	if _, err := LoadWith(p, Options{Getenv: envOf(map[string]string{"WORKBENCH_ENV": "prod"})}); err == nil || !strings.Contains(err.Error(), "--allow-prod") {
		t.Errorf("prod from env: %v", err)
	}
}

func TestSecretsInTheFileAreRefusedWithoutEchoing(t *testing.T) {
	a, _ := testKeys(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(a)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	jwk := string(mustJSON(privateJWKJSON(a, "k")))
	tests := []struct {
		name, text, field, secret string
	}{
		{"PEM in a multi-line string", "[vendor]\nkey_file = \"\"\"\n" + pemText + "\"\"\"\n", "(private key)", pemText[40:80]},
		{"PEM pasted bare", "[vendor]\n" + pemText, "(private key)", pemText[40:80]},
		{"private JWK", "[vendor]\nkey_file = '" + jwk + "'\n", "(private key)", jwk[len(jwk)-60 : len(jwk)-20]},
		{"subscription key value", "[altinn]\nsubscription_key = \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"\n", "altinn.subscription_key", "9f8e7d6c5b4a"},
		{"password value", "[vendor]\nkey_password = \"hemmelig-passord\"\n", "vendor.key_password", "hemmelig"},
		{"private_key value", "[vendor]\nprivate_key = \"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\"\n", "vendor.private_key", "MIIEvQIBADAN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.text)
			_, err := LoadWith(p, Options{Getenv: noEnv})
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("got %T %v", err, err)
			}
			found := false
			for _, e := range es {
				if e.Field == tt.field && strings.Contains(e.Problem, "not shown") && e.Line > 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("no refusal for %s in %v", tt.field, err)
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("the secret is echoed: %v", err)
			}
			assertNoSecret(t, err.Error(), a)
			r := Check(p, Options{Getenv: noEnv})
			for _, f := range r.Findings {
				if strings.Contains(f.Text+f.Fix+f.Where, tt.secret) {
					t.Fatalf("check echoes the secret: %+v", f)
				}
			}
		})
	}
}

func TestStarterDocumentsEveryField(t *testing.T) {
	var m map[string]any
	if _, err := toml.Decode(string(Starter()), &m); err != nil {
		t.Fatal(err)
	}
	// Every key of the Config is in the starter, with a comment right above
	// it or above the group it belongs to.
	var want []string
	var walk func(prefix string, v map[string]any)
	walk = func(prefix string, v map[string]any) {
		for k, x := range v {
			if sub, ok := x.(map[string]any); ok {
				walk(prefix+k+".", sub)
			} else {
				want = append(want, prefix+k)
			}
		}
	}
	var def map[string]any
	b := new(bytes.Buffer)
	toml.NewEncoder(b).Encode(Default())
	toml.Decode(b.String(), &def)
	walk("", def)
	// Fields whose defaults are empty are not encoded: add them by hand.
	want = append(want, "maskinporten.url", "maskinporten.self_service_url", "maskinporten.audience", "altinn.url", "altinn.confirm_url",
		"altinn.subscription_key_file", "skatteetaten.url", "vendor.client_id", "vendor.key_file", "vendor.key_id", "vendor.key_password_file",
		"customer.external_ref", "service_owner.client_id", "service_owner.key_file", "service_owner.key_id",
		"vendor.system_name", "vendor.system_description", "vendor.system_visible", "network.ca_file")
	sort.Strings(want)
	lines := strings.Split(string(Starter()), "\n")
	table := ""
	documented := map[string]bool{}
	for i, l := range lines {
		if strings.HasPrefix(l, "[") {
			table = strings.Trim(l, "[]") + "."
			continue
		}
		k, _, ok := strings.Cut(l, " = ")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		for j := i - 1; j >= 0 && !strings.HasPrefix(lines[j], "["); j-- {
			if strings.HasPrefix(lines[j], "#") {
				documented[table+k] = true
				break
			}
			if strings.TrimSpace(lines[j]) == "" {
				break
			}
		}
	}
	for _, k := range want {
		if !documented[k] {
			t.Errorf("%s is not in the starter with a comment", k)
		}
	}
}

func TestInitThenCheckSaysWhatToFillIn(t *testing.T) {
	p := filepath.Join(t.TempDir(), "workbench.toml")
	if err := WriteStarter(p, false); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", st.Mode().Perm())
	}
	if err := WriteStarter(p, false); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwrote: %v", err)
	}
	os.Chmod(p, 0o644)
	os.WriteFile(p, []byte("mine"), 0o644)
	if err := WriteStarter(p, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("forced: mode %o", st.Mode().Perm())
	}
	r := Check(p, Options{Getenv: noEnv})
	var got []string
	for _, f := range r.Findings {
		if f.Level == Problem {
			got = append(got, f.Field)
			if f.Text != "not filled in" || f.Fix == "" || !strings.HasPrefix(f.Where, p+":") {
				t.Errorf("finding %+v", f)
			}
		}
	}
	want := []string{"vendor.org_no", "vendor.system_id", "vendor.agent_system_id", "vendor.client_id", "vendor.key_file", "vendor.redirect_url", "customer.org_no"}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("problems %v, want %v", got, want)
	}
	// Every FILL IN in the starter is one of them.
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(Starter()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "FILL IN:") {
			n++
		}
	}
	if n != len(want) {
		t.Errorf("%d FILL IN marks for %d problems", n, len(want))
	}
}

func TestCheckLooksAtTheFiles(t *testing.T) {
	a, b := testKeys(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(a)
	dir := t.TempDir()
	keyPEM := filepath.Join(dir, "k.pem")
	os.WriteFile(keyPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o644)
	keyJWKS := filepath.Join(dir, "k.json")
	os.WriteFile(keyJWKS, mustJSON(map[string]any{"keys": []any{privateJWKJSON(b, "old"), privateJWKJSON(a, "new")}}), 0o600)
	sub := filepath.Join(dir, "sub")
	os.WriteFile(sub, []byte("9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"), 0o640)
	base := "env = \"tt02\"\n[vendor]\norg_no = \"991825827\"\nsystem_id = \"991825827_x\"\nagent_system_id = \"991825827_y\"\nclient_id = \"c\"\nredirect_url = \"https://x.example/\"\n"
	tests := []struct {
		name  string
		toml  string
		env   map[string]string
		want  []string // "level field: text" fragments
		clean bool     // no problems
	}{
		{"PEM readable by others", base + "key_file = \"" + keyPEM + "\"\nkey_id = \"k1\"\n", nil,
			[]string{"ok vendor.key_file: PEM (PKCS#8), RSA 2048 bits, kid k1", "warning vendor.key_file: readable by group or others (mode 0644)"}, true},
		{"JWKS with the kid", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n", nil,
			[]string{"ok vendor.key_file: JWKS, RSA 2048 bits, kid new (of \"old\", \"new\")"}, true},
		{"JWKS with another kid", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"gone\"\n", nil,
			[]string{`problem vendor.key_file: no key with kid "gone"; the file has kid "old", "new"`}, false},
		{"key file missing", base + "key_file = \"" + filepath.Join(dir, "nope.pem") + "\"\nkey_id = \"k1\"\n", nil,
			[]string{"problem vendor.key_file: does not exist"}, false},
		{"subscription key file", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n[altinn]\nsubscription_key_file = \"" + sub + "\"\n", nil,
			[]string{"ok altinn.subscription_key_file: present (its content is not shown)", "warning altinn.subscription_key_file: readable by group or others"}, true},
		{"subscription key from env", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n", map[string]string{"WORKBENCH_SUBSCRIPTION_KEY": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
			[]string{"ok subscription key: set (its value is not shown)"}, true},
		{"no subscription key", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n", nil,
			[]string{"info subscription key: not set"}, true},
		{"subscription key file missing", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n[altinn]\nsubscription_key_file = \"/nope\"\n", nil,
			[]string{"problem altinn.subscription_key_file: does not exist"}, false},
		{"env overrides shown", base + "key_file = \"" + keyJWKS + "\"\nkey_id = \"new\"\n", map[string]string{"WORKBENCH_CLIENT_ID": "x"},
			[]string{"info vendor.client_id: set from the environment"}, true},
		{"mock without maskinporten.url", "env = \"mock\"\n", nil,
			[]string{"info env: mock: the workbench starts its own mock services; `workbench token` needs maskinporten.url"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(write(t, tt.toml), Options{Getenv: envOf(tt.env)})
			var all []string
			for _, f := range r.Findings {
				all = append(all, f.Level.String()+" "+f.Field+": "+f.Text)
			}
			text := strings.Join(all, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("findings lack %q:\n%s", w, text)
				}
			}
			if (r.Count(Problem) == 0) != tt.clean {
				t.Errorf("%d problems:\n%s", r.Count(Problem), text)
			}
			if strings.Contains(text, "9f8e7d6c5b4a") {
				t.Error("subscription key shown")
			}
			assertNoSecret(t, text, a)
		})
	}
}

// A Krav og betalinger URL in the retired form is warned about: an old host,
// or the old path on the new host (Skatteetaten/api-dokumentasjon
// docs/om/url.md); today's host, and a loopback mock, are not.
func TestCheckWarnsAboutTheRetiredKravURL(t *testing.T) {
	for url, warn := range map[string]bool{
		"https://api-test.sits.no/":                                                          true,
		"https://api-test.sits.no/api/innkreving/kravogbetalinger/":                          true,
		"https://kravogbetalinger.api.skatteetaten-test.no/api/innkreving/kravogbetalinger/": true,
		"https://kravogbetalinger.api.skatteetaten-test.no/":                                 false,
		"http://127.0.0.1:8443/api/innkreving/kravogbetalinger/":                             false,
	} {
		r := Check(write(t, "env = \"mock\"\n[skatteetaten]\nurl = \""+url+"\"\n"), Options{Getenv: noEnv})
		var got *Finding
		for i, f := range r.Findings {
			if f.Field == "skatteetaten.url" && f.Level == Warning {
				got = &r.Findings[i]
			}
		}
		if (got != nil) != warn {
			t.Errorf("%s: warning %v, want %v (%+v)", url, got != nil, warn, r.Findings)
			continue
		}
		if got != nil && (!strings.Contains(got.Fix, "https://kravogbetalinger.api.skatteetaten-test.no/") || !strings.HasSuffix(got.Where, ":3")) {
			t.Errorf("%s: %+v", url, *got)
		}
	}
}
