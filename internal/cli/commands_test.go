package cli

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

// cli runs the workbench's command line in-process, in a testEnv.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = MainEnv(args, strings.NewReader(""), &out, &errb, testEnv(t))
	return out.String(), errb.String(), code
}

// testEnv is the process's environment variables (cleanEnv clears the
// workbench's) and working directory (a test that needs one chdirs to its
// own), with an empty user config directory of the test's own: no test
// finds a developer's workbench.toml.
func testEnv(t *testing.T) Env {
	t.Helper()
	cfgDir := t.TempDir()
	return Env{Getenv: os.Getenv, UserConfigDir: func() (string, error) { return cfgDir, nil }}
}

// cleanEnv keeps the caller's WORKBENCH_* variables out of the tests.
func cleanEnv(t *testing.T) {
	for _, v := range []string{"WORKBENCH_CONFIG", "WORKBENCH_ENV", "WORKBENCH_CLIENT_ID", "WORKBENCH_KEY_FILE", "WORKBENCH_KEY_ID",
		"WORKBENCH_CUSTOMER_ORG", "WORKBENCH_EXTERNAL_REF", "WORKBENCH_KEY_PASSWORD", "WORKBENCH_SUBSCRIPTION_KEY"} {
		t.Setenv(v, "")
	}
}

// keysNew runs `keys new` and returns the public JWK set as printed, its
// kid, and the private key read back from the file (for the leak search).
func keysNew(t *testing.T, out string) (jwks []byte, kid string, key *rsa.PrivateKey, printed string) {
	t.Helper()
	stdout, stderr, code := cli(t, "keys", "new", "--out", out)
	if code != 0 {
		t.Fatalf("keys new: %d %s", code, stderr)
	}
	var set client.JWKS
	if err := json.Unmarshal([]byte(stdout), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("keys new printed %q: %v", stdout, err)
	}
	kid = set.Keys[0].Kid
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, mode %v", err, st.Mode())
	}
	b, _ := os.ReadFile(out)
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		t.Fatalf("not PKCS#8 PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key = k.(*rsa.PrivateKey)
	if kid != client.Thumbprint(&key.PublicKey) {
		t.Errorf("kid %q is not the thumbprint", kid)
	}
	if !strings.Contains(stderr, "kid: "+kid) || !strings.Contains(stderr, "key_id = \""+kid+"\"") || !strings.Contains(stderr, "mode 0600") {
		t.Errorf("keys new guidance:\n%s", stderr)
	}
	return []byte(stdout), kid, key, stdout + stderr
}

// pemKeyRE is a PEM private key block with content.
var pemKeyRE = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16}`)

// assertNoKeyMaterial searches text for the private key: a PEM block, and
// the private exponent and primes in base64url, standard base64 and decimal.
func assertNoKeyMaterial(t *testing.T, what, text string, keys ...*rsa.PrivateKey) {
	t.Helper()
	if pemKeyRE.MatchString(text) {
		t.Fatalf("%s shows a PEM private key", what)
	}
	for _, k := range keys {
		for _, n := range append([]*rsa.PrivateKey{k}[0].Primes, k.D) {
			for _, form := range []string{
				base64.RawURLEncoding.EncodeToString(n.Bytes()), base64.StdEncoding.EncodeToString(n.Bytes()), n.String(),
			} {
				if strings.Contains(text, form[:32]) {
					t.Fatalf("%s shows private key material (%s...)", what, form[:8])
				}
			}
		}
	}
}

// fill sets key = value in the table of a TOML text written by config init.
func fill(t *testing.T, text, table, key, value string) string {
	t.Helper()
	i := strings.Index(text, "["+table+"]")
	j := strings.Index(text[i:], "\n"+key+" = ")
	if i < 0 || j < 0 {
		t.Fatalf("no %s.%s in the starter", table, key)
	}
	j += i + 1
	k := strings.Index(text[j:], "\n") + j
	return text[:j] + key + " = " + value + text[k:]
}

// TestAcceptanceRealEnvironmentFlow is the issue's acceptance, end to end:
// keys new; its JWK set pasted into a seed, served by the mocks the way
// `serve --seed` serves it; config init, then config check explaining
// what to fill in; the filled-in tt02 config pointed at those services;
// config check clean; run and token working (env = "mock" with serve's URLs,
// so that the workbench acts for the people); and no private key material
// in anything printed.
func TestAcceptanceRealEnvironmentFlow(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	var printed strings.Builder

	keyFile := filepath.Join(dir, "vendor-key.pem")
	jwks, kid, vendorKey, out := keysNew(t, keyFile)
	printed.WriteString(out)
	if _, stderr, code := cli(t, "keys", "new", "--out", keyFile); code != 1 || !strings.Contains(stderr, "exists already") {
		t.Errorf("keys new overwrote: %d %s", code, stderr)
	}

	// The seed an integrator writes for `workbench serve --seed`: the
	// client with the JWK set exactly as keys new printed it.
	seedFile := filepath.Join(dir, "seed.json")
	seed := `{"clients": [{"client_id": "smartcloud-test", "client_orgno": "991825827", "scopes": [
		"altinn:authentication/systemregister.write", "altinn:authentication/systemuser.request.write",
		"altinn:authentication/systemuser.request.read", "skatteetaten:kravogbetalinger"], "jwks": ` + string(jwks) + `}]}`
	os.WriteFile(seedFile, []byte(seed), 0o600)
	s, err := mock.ReadSeedFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, err := mock.Start(ctx, mock.ServiceOwnerSeed().Merge(s)) // what cmdServe does
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	// The service owner's steps run with Skatteetaten's own key in the
	// mocks' world (in tt02 they are Skatteetaten's, done elsewhere).
	soKey := mock.ServiceOwnerKey()
	der, _ := x509.MarshalPKCS8PrivateKey(soKey.Key)
	soFile := filepath.Join(dir, "skatteetaten.pem")
	os.WriteFile(soFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)

	cfg := filepath.Join(dir, "workbench.toml")
	stdout, stderr, code := cli(t, "config", "init", cfg)
	if code != 0 || !strings.Contains(stdout, "FILL IN") {
		t.Fatalf("config init: %d %s %s", code, stdout, stderr)
	}
	stdout, _, code = cli(t, "config", "check", cfg)
	printed.WriteString(stdout)
	if code != 1 {
		t.Errorf("config check of the starter: exit %d", code)
	}
	for _, field := range []string{"vendor.org_no", "vendor.system_id", "vendor.client_id", "vendor.key_file", "vendor.redirect_url", "customer.org_no"} {
		if !regexp.MustCompile(`problem +` + regexp.QuoteMeta(cfg) + `:\d+  ` + regexp.QuoteMeta(field) + `: not filled in\n +fix: \S`).MatchString(stdout) {
			t.Errorf("config check does not explain %s:\n%s", field, stdout)
		}
	}

	text, _ := os.ReadFile(cfg)
	toml := string(text)
	for _, f := range [][3]string{
		{"maskinporten", "url", env.MaskinportenURL}, {"maskinporten", "self_service_url", env.MaskinportenURL},
		{"altinn", "url", env.AltinnURL}, {"altinn", "confirm_url", env.AltinnURL}, {"skatteetaten", "url", env.SkatteetatenURL},
		{"vendor", "org_no", "991825827"}, {"vendor", "name", "SmartCloud AS"},
		{"vendor", "system_id", "991825827_smartcloud"}, {"vendor", "agent_system_id", "991825827_smartcloud_ap"},
		{"vendor", "client_id", "smartcloud-test"}, {"vendor", "key_file", keyFile}, {"vendor", "key_id", kid},
		{"vendor", "redirect_url", "https://smartcloud.example/receipt"},
		{"customer", "org_no", "310904473"}, {"customer", "end_user_pid", mock.PIDStadigKonsert},
		{"service_owner", "client_id", mock.SkatteetatenClientID}, {"service_owner", "key_file", soFile}, {"service_owner", "key_id", mock.SkatteetatenKeyID},
	} {
		toml = fill(t, toml, f[0], f[1], `"`+f[2]+`"`)
	}
	// The environment decides, not the hosts: these are mocks (a `serve`),
	// where the workbench acts for the people; a tt02 config pointed at
	// loopback would wait for real people (see realmode_test.go).
	toml = strings.Replace(toml, `env = "tt02"`, `env = "mock"`, 1)
	os.WriteFile(cfg, []byte(toml), 0o600)
	stdout, stderr, code = cli(t, "config", "check", cfg)
	printed.WriteString(stdout + stderr)
	if code != 0 || !strings.Contains(stdout, "No problems.") || !strings.Contains(stdout, "kid "+kid) {
		t.Fatalf("config check of the filled-in file: %d\n%s%s", code, stdout, stderr)
	}

	stdout, stderr, code = cli(t, "--config", cfg, "run")
	printed.WriteString(stdout + stderr)
	if code != 0 || !strings.Contains(stdout, "ended as expected") {
		t.Fatalf("run: %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = cli(t, "--config", cfg, "token")
	printed.WriteString(stdout + stderr)
	if code != 0 || strings.Count(stdout, "\n") != 1 || strings.Count(stdout, ".") != 2 || stderr != "workbench: config "+cfg+" (--config)\n" {
		t.Fatalf("token: %d %q %q", code, stdout, stderr)
	}
	d, err := client.DecodeJWT(strings.TrimSpace(stdout))
	if err != nil {
		t.Fatal(err)
	}
	ad := d.Claims["authorization_details"].([]any)[0].(map[string]any)
	if ad["systemuser_org"].(map[string]any)["ID"] != "0192:310904473" || d.Claims["client_id"] != "smartcloud-test" {
		t.Errorf("token claims %v", d.Claims)
	}

	stdout, stderr, code = cli(t, "token", "--config", cfg, "--decode")
	printed.WriteString(stdout + stderr)
	var decoded struct {
		Header   map[string]any `json:"header"`
		Claims   map[string]any `json:"claims"`
		Verified bool           `json:"verified"`
		JWKSURI  string         `json:"jwks_uri"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &decoded) != nil || !decoded.Verified || decoded.JWKSURI != env.MaskinportenURL+"jwk" || decoded.Claims["scope"] != "skatteetaten:kravogbetalinger" {
		t.Fatalf("token --decode: %d %s %s", code, stdout, stderr)
	}

	// A grant naming an externalRef the system user was not made with: MP-303.
	stdout, stderr, code = cli(t, "token", "--config", cfg, "--org", "310904473", "--external-ref", "no-such-ref")
	printed.WriteString(stdout + stderr)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "invalid_altinn_customer_configuration (MP-303)") ||
		!strings.Contains(stderr, "error_description: ") || !strings.Contains(stderr, "usual cause: ") {
		t.Errorf("refused token: %d %q %q", code, stdout, stderr)
	}

	// The same run as JSON, with every exchange and token, in a fresh
	// world (in this one the system user exists now: AUTH-00004).
	env2, err := mock.Start(ctx, mock.ServiceOwnerSeed().Merge(s))
	if err != nil {
		t.Fatal(err)
	}
	defer env2.Close()
	toml = strings.NewReplacer(env.MaskinportenURL, env2.MaskinportenURL, env.AltinnURL, env2.AltinnURL, env.SkatteetatenURL, env2.SkatteetatenURL).Replace(toml)
	os.WriteFile(cfg, []byte(toml), 0o600)
	stdout, stderr, code = cli(t, "run", "--config", cfg, "--format", "json")
	printed.WriteString(stdout + stderr)
	if code != 0 || !json.Valid([]byte(stdout)) || !strings.Contains(stdout, `"system user access token"`) {
		t.Fatalf("run --format json: %d\n%s", code, stderr)
	}

	assertNoKeyMaterial(t, "the workbench's output", printed.String(), vendorKey, soKey.Key)
}

// TestKeysNewOutputLetsServeIssueTokens: the JWK set keys new prints,
// pasted into a seed with a system and an approved system user, is all
// the mocks need to issue system user tokens to that key.
func TestKeysNewOutputLetsServeIssueTokens(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "k.pem")
	jwks, kid, key, printed := keysNew(t, keyFile)
	seed := `{
  "clients": [{"client_id": "my-client", "client_orgno": "991825827", "scopes": ["skatteetaten:kravogbetalinger"], "jwks": ` + string(jwks) + `}],
  "systems": [{"id": "991825827_smartcloud", "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:991825827"},
    "name": {"nb": "SmartCloud"}, "description": {"nb": "SmartCloud"},
    "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}]}], "clientId": ["my-client"], "isVisible": true}],
  "systemUsers": [{"systemId": "991825827_smartcloud", "partyOrgNo": "310904473",
    "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}]}]}]
}`
	seedFile := filepath.Join(dir, "seed.json")
	os.WriteFile(seedFile, []byte(seed), 0o600)
	s, err := mock.ReadSeedFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env, err := mock.Start(ctx, mock.ServiceOwnerSeed().Merge(s))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	cfg := filepath.Join(dir, "mock.toml")
	os.WriteFile(cfg, []byte("env = \"mock\"\n[maskinporten]\nurl = \""+env.MaskinportenURL+"\"\n[vendor]\nclient_id = \"my-client\"\nkey_file = \""+keyFile+"\"\nkey_id = \""+kid+"\"\n"), 0o600)
	stdout, stderr, code := cli(t, "token", "--decode", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, `"verified": true`) || !strings.Contains(stdout, `"system_id": "991825827_smartcloud"`) {
		t.Fatalf("token: %d %s %s", code, stdout, stderr)
	}
	// Environment variables stand in for the file.
	os.WriteFile(cfg, []byte("env = \"mock\"\n[maskinporten]\nurl = \""+env.MaskinportenURL+"\"\n"), 0o600)
	t.Setenv("WORKBENCH_CLIENT_ID", "my-client")
	t.Setenv("WORKBENCH_KEY_FILE", keyFile)
	t.Setenv("WORKBENCH_KEY_ID", kid)
	t.Setenv("WORKBENCH_CUSTOMER_ORG", "310904473")
	t.Setenv("WORKBENCH_CONFIG", cfg)
	stdout2, stderr2, code := cli(t, "token")
	if code != 0 || strings.Count(stdout2, ".") != 2 {
		t.Fatalf("token from the environment: %d %s %s", code, stdout2, stderr2)
	}
	// A key readable by others still works, with a warning.
	os.Chmod(keyFile, 0o644)
	_, stderr3, code := cli(t, "token")
	if code != 0 || !strings.Contains(stderr3, "warning") || !strings.Contains(stderr3, "chmod 600") {
		t.Errorf("world-readable key: %d %q", code, stderr3)
	}
	assertNoKeyMaterial(t, "the output", printed+stdout+stderr+stdout2+stderr2+stderr3, key)
}

func TestTokenSaysItNeedsAMaskinporten(t *testing.T) {
	cleanEnv(t)
	stdout, stderr, code := cli(t, "token")
	if code != 2 || stdout != "" {
		t.Fatalf("%d %q", code, stdout)
	}
	for _, want := range []string{"env is mock and no Maskinporten is configured", "workbench serve --seed", "[maskinporten]", "url = ", "keys new"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestProdIsRefusedWithoutAllowProd(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "k.pem")
	_, kid, key, printed := keysNew(t, keyFile)
	cfg := filepath.Join(dir, "prod.toml")
	os.WriteFile(cfg, []byte(`env = "prod"
[vendor]
org_no = "991825827"
system_id = "991825827_smartcloud"
agent_system_id = "991825827_smartcloud_ap"
client_id = "c"
key_file = "`+keyFile+`"
key_id = "`+kid+`"
redirect_url = "https://smartcloud.example/receipt"
[customer]
org_no = "310904473"
`), 0o600)
	stdout, _, code := cli(t, "config", "check", cfg)
	if code != 1 || !strings.Contains(stdout, "env: prod is production") || !strings.Contains(stdout, "--allow-prod") {
		t.Errorf("without --allow-prod: %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"--allow-prod", "config", "check", cfg}, {"config", "check", cfg, "--allow-prod"}} {
		stdout, _, code = cli(t, args...)
		if code != 0 || !strings.Contains(stdout, "env: prod: Maskinporten https://maskinporten.no/, Altinn https://platform.altinn.no/, confirm pages https://am.ui.altinn.no/, Skatteetaten https://kravogbetalinger.api.skatteetaten.no/") {
			t.Errorf("%v: %d\n%s", args, code, stdout)
		}
	}
	_, stderr, code := cli(t, "token", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "--allow-prod") {
		t.Errorf("token in prod: %d %s", code, stderr)
	}
	// --env prod over a tt02 file is refused the same way.
	os.WriteFile(cfg, []byte("env = \"tt02\"\n"), 0o600)
	stdout, _, code = cli(t, "--env", "prod", "config", "check", cfg)
	if code != 1 || !strings.Contains(stdout, "--env  env: prod is production") {
		t.Errorf("--env prod: %d\n%s", code, stdout)
	}
	assertNoKeyMaterial(t, "keys new", printed, key)
}

func TestKeysNewFormatsAndKid(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	stdout, _, code := cli(t, "keys", "new", "--out", filepath.Join(dir, "a.pem"), "--kid", "smartcloud-2026-01", "--format", "jwk")
	var j client.JWK
	if code != 0 || json.Unmarshal([]byte(stdout), &j) != nil || j.Kid != "smartcloud-2026-01" || j.Kty != "RSA" || j.Alg != "RS256" {
		t.Errorf("jwk: %d %s", code, stdout)
	}
	if strings.Contains(stdout, `"d"`) {
		t.Error("the JWK has a private member")
	}
	stdout, _, code = cli(t, "keys", "new", "--out", filepath.Join(dir, "b.pem"), "--format", "pem")
	if code != 0 || !strings.HasPrefix(stdout, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("pem: %d %s", code, stdout)
	}
	if _, stderr, code := cli(t, "keys", "new", "--format", "x5c", "--out", filepath.Join(dir, "c.pem")); code != 2 || !strings.Contains(stderr, "jwks, jwk or pem") {
		t.Errorf("bad format: %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.pem")); err == nil {
		t.Error("a key was written for a refused command")
	}
	if _, stderr, code := cli(t, "keys"); code != 2 || !strings.Contains(stderr, "say new") {
		t.Errorf("keys: %d %s", code, stderr)
	}
}

func TestConfigCommandUsage(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if _, stderr, code := cli(t, "config", "check"); code != 1 || !strings.Contains(stderr, "config init") {
		t.Errorf("check without a file: %d %s", code, stderr)
	}
	if stdout, _, code := cli(t, "config", "init"); code != 0 || !strings.Contains(stdout, "wrote workbench.toml") {
		t.Errorf("init: %d %s", code, stdout)
	}
	if _, stderr, code := cli(t, "config", "init"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("init again: %d %s", code, stderr)
	}
	if _, _, code := cli(t, "config", "init", "--force"); code != 0 {
		t.Errorf("init --force: %d", code)
	}
	if stdout, _, code := cli(t, "config", "check"); code != 1 || !strings.Contains(stdout, "Checking workbench.toml (the current directory; env tt02)") {
		t.Errorf("check: %d %s", code, stdout)
	}
	if _, stderr, code := cli(t, "config", "frobnicate"); code != 2 || !strings.Contains(stderr, "init, check") {
		t.Errorf("unknown: %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, "config", "init", "a.toml", "b.toml"); code != 2 || !strings.Contains(stderr, `"b.toml"`) {
		t.Errorf("two files: %d %s", code, stderr)
	}
}

// TestDefaultRunShowsNoKeyMaterial: the embedded mocks' run, with every
// exchange and decoded token in JSON and the verbose text, never shows the
// demo key or Skatteetaten's.
func TestDefaultRunShowsNoKeyMaterial(t *testing.T) {
	cleanEnv(t)
	c, err := config.LoadWith("", config.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	demo, _, err := c.VendorKey()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, args := range [][]string{{"run", "--format", "json"}, {"run", "-v"}, {"run", "--scenario", "agent", "--format", "json"}, {"config", "check", "--help"}} {
		stdout, stderr, code := cli(t, args...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, stderr)
		}
		all.WriteString(stdout + stderr)
	}
	assertNoKeyMaterial(t, "run", all.String(), demo.Key, mock.ServiceOwnerKey().Key)
}
