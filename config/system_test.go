package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tmpFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSystemFieldsDefault: the register gets the vendor's own name, and a
// system no one else is offered, unless the config says otherwise; on the
// mocks the design's SmartCloud, visible.
func TestSystemFieldsDefault(t *testing.T) {
	mockCfg := Default()
	if mockCfg.SystemName() != "SmartCloud" || !mockCfg.SystemVisible() || !strings.Contains(mockCfg.SystemDescription(), "SmartCloud") {
		t.Errorf("mocks: %q %q %v", mockCfg.SystemName(), mockCfg.SystemDescription(), mockCfg.SystemVisible())
	}
	real := Default()
	real.Env, real.Vendor.Name = "tt02", "Regnskap AS"
	if real.SystemName() != "Regnskap AS" || real.SystemVisible() || !strings.HasPrefix(real.SystemDescription(), "Regnskap AS: ") {
		t.Errorf("tt02: %q %q %v", real.SystemName(), real.SystemDescription(), real.SystemVisible())
	}
	real.Vendor.Name = ""
	if real.SystemName() != real.Vendor.OrgNo {
		t.Errorf("no name: %q", real.SystemName())
	}
	cfg := tmpFile(t, "w.toml", "env = \"mock\"\n[vendor]\nsystem_name = \"Mitt system\"\nsystem_description = \"Om systemet\"\nsystem_visible = false\n")
	c, err := Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.SystemName() != "Mitt system" || c.SystemDescription() != "Om systemet" || c.SystemVisible() {
		t.Errorf("from the file: %q %q %v", c.SystemName(), c.SystemDescription(), c.SystemVisible())
	}
}

// TestCAFile: [network] ca_file must hold a PEM certificate; its CA is
// trusted besides the system's.
func TestCAFile(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := tmpFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	c, err := Load(tmpFile(t, "w.toml", "[network]\nca_file = \""+ca+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	pool := c.HTTPOptions().RootCAs
	if pool == nil {
		t.Fatal("no root pool")
	}
	cert, _ := x509.ParseCertificate(der)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("the ca_file's CA is not trusted: %v", err)
	}
	for _, bad := range []string{filepath.Join(t.TempDir(), "missing.pem"), tmpFile(t, "x.pem", "not a certificate")} {
		_, err := Load(tmpFile(t, "w.toml", "[network]\nca_file = \""+bad+"\"\n"))
		if err == nil || !strings.Contains(err.Error(), "network.ca_file") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if Default().HTTPOptions().RootCAs != nil {
		t.Error("without ca_file the system's roots")
	}
}

// TestFindConfig: --config, then $WORKBENCH_CONFIG, then ./workbench.toml,
// then the user's config directory; nothing found is the defaults.
func TestFindConfig(t *testing.T) {
	dir, cfgDir := t.TempDir(), t.TempDir()
	env := map[string]string{}
	o := FindOptions{Getenv: func(k string) string { return env[k] }, Dir: dir,
		UserConfigDir: func() (string, error) { return cfgDir, nil }}
	if f := Find(o); f.Path != "" || len(f.Looked) != 2 || f.Looked[1] != filepath.Join(cfgDir, "workbench", FileName) {
		t.Errorf("nothing: %+v", f)
	}
	os.MkdirAll(filepath.Join(cfgDir, "workbench"), 0o700)
	user := filepath.Join(cfgDir, "workbench", FileName)
	os.WriteFile(user, []byte("env = \"mock\"\n"), 0o600)
	if f := Find(o); f.Path != user || f.From != FromConfigDir {
		t.Errorf("user dir: %+v", f)
	}
	here := filepath.Join(dir, FileName)
	os.WriteFile(here, []byte("env = \"mock\"\n"), 0o600)
	if f := Find(o); f.Path != here || f.From != FromDir {
		t.Errorf("working dir: %+v", f)
	}
	env["WORKBENCH_CONFIG"] = "/from/env.toml"
	if f := Find(o); f.Path != "/from/env.toml" || f.From != FromEnv {
		t.Errorf("env: %+v", f)
	}
	o.Flag = "/from/flag.toml"
	if f := Find(o); f.Path != "/from/flag.toml" || f.From != FromFlag {
		t.Errorf("flag: %+v", f)
	}
}

// TestCheckWarnsAboutTheAgentScenario: a tt02 config without an agent
// client is usable for the standard scenario, and config check says what
// the agent scenario lacks.
func TestCheckWarnsAboutTheAgentScenario(t *testing.T) {
	key := tmpFile(t, "k.pem", string(demoKeyPEM(t)))
	cfg := tmpFile(t, "w.toml", `env = "tt02"
[vendor]
org_no = "991825827"
system_id = "991825827_smartcloud"
agent_system_id = "991825827_smartcloud_ap"
client_id = "c1"
key_file = "`+key+`"
key_id = "k"
redirect_url = "https://x.example/r"
`)
	r := Check(cfg, Options{Getenv: func(string) string { return "" }})
	if r.Count(Problem) != 0 {
		t.Fatalf("problems: %+v", r.Findings)
	}
	var found bool
	for _, f := range r.Findings {
		found = found || (f.Level == Warning && f.Field == "vendor.agent_client_id" && strings.Contains(f.Text, "AUTH.VLD-00004"))
	}
	if !found {
		t.Errorf("no warning about vendor.agent_client_id: %+v", r.Findings)
	}
}

func demoKeyPEM(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("demo/smartcloud-demo-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
