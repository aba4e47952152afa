package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "workbench.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNoFileMeansMocksAndSeedData(t *testing.T) {
	c, err := LoadWith("", Options{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "mock" || c.Vendor.SystemID != "991825827_smartcloud" || c.Customer.OrgNo != "310904473" || c.Facilitator.OrgNo != "314250052" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestFileOverridesDefaults(t *testing.T) {
	p := write(t, `
env = "mock"
[customer]
org_no = "313367002"
external_ref = "my-ref"
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Customer.OrgNo != "313367002" || c.Customer.ExternalRef != "my-ref" || c.Vendor.OrgNo != "991825827" {
		t.Errorf("got %+v", c.Customer)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "nope.toml") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadKeyPEM(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(p, demoKey, 0o600); err != nil {
		t.Fatal(err)
	}
	k, _, err := LoadKey(p, KeyOptions{})
	if err != nil || k.Key == nil || k.KeyID == "" {
		t.Fatalf("%v %v", k, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600)
	if _, _, err := LoadKey(bad, KeyOptions{KeyID: "x"}); err == nil || !strings.Contains(err.Error(), "holds no private key") {
		t.Errorf("certificate accepted as key: %v", err)
	}
}

func TestParseErrorsDoNotQuoteTheValue(t *testing.T) {
	secret := "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC"
	p := write(t, "[vendor]\nkey_id = "+secret+"\n")
	_, err := Load(p)
	if err == nil {
		t.Fatal("accepted")
	}
	if strings.Contains(err.Error(), secret[:12]) {
		t.Errorf("the error quotes the value: %v", err)
	}
	if !strings.Contains(err.Error(), ":2:") {
		t.Errorf("no line: %v", err)
	}
}

func TestUnknownTableIsReportedOnce(t *testing.T) {
	p := write(t, "[vendor.extra]\na = \"1\"\nb = \"2\"\n")
	_, err := Load(p)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("got %v", err)
	}
	n := 0
	for _, e := range es {
		if strings.HasPrefix(e.Field, "vendor.extra") {
			n++
			if strings.HasSuffix(e.Fix, ": ") {
				t.Errorf("empty fix: %v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("vendor.extra reported %d times: %v", n, err)
	}
}
