package cli

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

const certPassword = "korrekt hest batteri"

// certificateNew runs keys new --certificate with the password in a file
// and returns the key read back from the PKCS#12 file and what was printed.
func certificateNew(t *testing.T, out string, extra ...string) (*rsa.PrivateKey, *x509.Certificate, string) {
	t.Helper()
	pwFile := filepath.Join(filepath.Dir(out), "p12-password")
	os.WriteFile(pwFile, []byte(certPassword+"\n"), 0o600)
	args := append([]string{"keys", "new", "--certificate", "--org", mock.OrgSmartCloud, "--name", "SMARTCLOUD AS", "--out", out, "--password-file", pwFile}, extra...)
	stdout, stderr, code := cli(t, args...)
	if code != 0 {
		t.Fatalf("keys new --certificate: %d %s", code, stderr)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the PKCS#12 file: %v, mode %v", err, st.Mode())
	}
	sk, info, err := config.LoadKey(out, config.KeyOptions{Password: func() (string, error) { return certPassword, nil }})
	if err != nil {
		t.Fatalf("the PKCS#12 file does not load: %v", err)
	}
	if info.Format != config.FormatPKCS12 || len(sk.CertChain) != 2 || sk.KeyID != "" || config.OrgNo(info.Certificate) != mock.OrgSmartCloud {
		t.Errorf("loaded %s, chain %d, kid %q, org %q", info.Format, len(sk.CertChain), sk.KeyID, config.OrgNo(info.Certificate))
	}
	blk, _ := pem.Decode([]byte(stdout))
	if blk == nil || blk.Type != "CERTIFICATE" || !bytes.Equal(blk.Bytes, info.Certificate.Raw) {
		t.Errorf("stdout is not the certificate as PEM:\n%s", stdout)
	}
	for _, want := range []string{out, "mode 0600", "p12-password", "org " + mock.OrgSmartCloud, "Only the workbench's mocks trust this CA", "Buypass or Commfides", "no key_id", "key_file = "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the guidance lacks %q:\n%s", want, stderr)
		}
	}
	return sk.Key, info.Certificate, stdout + stderr
}

// testCAKey is the mocks' embedded test CA key, for the leak search.
func testCAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	blk, _ := pem.Decode(readFileT(t, "../../client/mock/testkeys/testca.pem"))
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func TestKeysNewCertificate(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "smartcloud.p12")
	key, cert, printed := certificateNew(t, out)
	if cert.Issuer.CommonName != mock.TestCACertificate().Subject.CommonName {
		t.Errorf("issued by %s", cert.Issuer)
	}
	if strings.Contains(printed, certPassword) {
		t.Error("the password is printed")
	}

	// Never overwritten without --force; with it, replaced whole.
	before := readFileT(t, out)
	_, stderr, code := cli(t, "keys", "new", "--certificate", "--org", mock.OrgSmartCloud, "--out", out, "--password-file", filepath.Join(dir, "p12-password"))
	if code != 1 || !strings.Contains(stderr, "exists already") || !strings.Contains(stderr, "--force") || !bytes.Equal(readFileT(t, out), before) {
		t.Errorf("again without --force: %d %s", code, stderr)
	}
	key2, _, printed2 := certificateNew(t, out, "--force")
	if bytes.Equal(readFileT(t, out), before) || key2.Equal(key) {
		t.Error("--force did not replace the file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The password from the environment, never from the command line.
	t.Setenv("WORKBENCH_KEY_PASSWORD", certPassword)
	env := filepath.Join(dir, "env.p12")
	if _, stderr, code := cli(t, "keys", "new", "--certificate", "--org", mock.OrgTiger, "--out", env); code != 0 || !strings.Contains(stderr, "$WORKBENCH_KEY_PASSWORD") {
		t.Errorf("password from the environment: %d %s", code, stderr)
	}
	t.Setenv("WORKBENCH_KEY_PASSWORD", "")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--org", mock.OrgSmartCloud}, "WORKBENCH_KEY_PASSWORD"},
		{[]string{"--org", mock.OrgSmartCloud, "--password", certPassword}, "flag provided but not defined: -password"},
		{[]string{"--org", "12345", "--password-file", filepath.Join(dir, "p12-password")}, "nine-digit"},
		{[]string{"--password-file", filepath.Join(dir, "p12-password")}, "nine-digit"},
		{[]string{"--org", mock.OrgSmartCloud, "--password-file", filepath.Join(dir, "missing")}, "does not exist"},
	} {
		refused := filepath.Join(dir, "refused.p12")
		stdout, stderr, code := cli(t, append([]string{"keys", "new", "--certificate", "--out", refused}, tc.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.says) || strings.Contains(stderr, certPassword) {
			t.Errorf("%v: %d %q", tc.args, code, stderr)
		}
		if _, err := os.Stat(refused); err == nil {
			t.Errorf("%v: a file was written", tc.args)
		}
	}
	if stdout, _, code := cli(t, "keys", "new", "--certificate", "--help"); code != 0 || !strings.Contains(stdout, "--password-file FILE") || !strings.Contains(stdout, "never taken on the command line") {
		t.Errorf("help: %d %s", code, stdout)
	}
	assertNoKeyMaterial(t, "keys new --certificate", printed+printed2, key, key2, testCAKey(t))
}

// TestCertificateRunsTheFlow: the certificate keys new makes signs the
// vendor's grants in the embedded mocks (x5c, a client without a key) and
// in `serve` with a seed client without jwks, and nothing printed holds a
// private key.
func TestCertificateRunsTheFlow(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	p12 := filepath.Join(dir, "smartcloud.p12")
	key, _, printed := certificateNew(t, p12)
	t.Setenv("WORKBENCH_KEY_PASSWORD", certPassword)
	cfg := filepath.Join(dir, "mock.toml")
	os.WriteFile(cfg, []byte("env = \"mock\"\n[vendor]\nkey_file = \""+p12+"\"\n"), 0o600)

	stdout, stderr, code := cli(t, "run", "--config", cfg, "--format", "json")
	if code != 0 {
		t.Fatalf("run with the certificate: %d\n%s", code, stderr)
	}
	var rep struct {
		OK    bool `json:"ok"`
		Steps []struct {
			ID    string   `json:"id"`
			Notes []string `json:"notes"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || !rep.OK {
		t.Fatalf("run: %v ok=%v", err, rep.OK)
	}
	if !strings.Contains(stdout, `"client_amr": "virksomhetssertifikat"`) || !strings.Contains(stdout, `"x5c"`) || !strings.Contains(stdout, "no key registered") {
		t.Error("the run's grants did not carry the certificate")
	}

	// serve, with a seed client of the org that has no key.
	seed := filepath.Join(dir, "seed.json")
	os.WriteFile(seed, []byte(`{
  "clients": [{"client_id": "cert-client", "client_orgno": "991825827", "scopes": ["skatteetaten:kravogbetalinger"]}],
  "systems": [{"id": "991825827_smartcloud", "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:991825827"},
    "name": {"nb": "SmartCloud"}, "description": {"nb": "SmartCloud"},
    "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "ske-krav-og-betalinger"}]}], "clientId": ["cert-client"], "isVisible": true}],
  "systemUsers": [{"systemId": "991825827_smartcloud", "partyOrgNo": "310904473"}]
}`), 0o600)
	s, err := mock.ReadSeedFile(seed)
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
	serveCfg := filepath.Join(dir, "serve.toml")
	os.WriteFile(serveCfg, []byte("env = \"mock\"\n[maskinporten]\nurl = \""+env.MaskinportenURL+"\"\n[vendor]\nclient_id = \"cert-client\"\nkey_file = \""+p12+"\"\n"), 0o600)
	tok, tokErr, code := cli(t, "token", "--decode", "--config", serveCfg)
	if code != 0 || !strings.Contains(tok, `"client_amr": "virksomhetssertifikat"`) || !strings.Contains(tok, `"verified": true`) {
		t.Fatalf("token with the certificate: %d %s %s", code, tok, tokErr)
	}
	assertNoKeyMaterial(t, "the certificate's run", printed+stdout+stderr+tok+tokErr, key, testCAKey(t))
}
