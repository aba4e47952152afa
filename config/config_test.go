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

func TestBadConfigNamesFileLineFieldAndFix(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		field string
		line  int
		want  string // in the message
	}{
		{"unknown field", "env = \"mock\"\n[vendor]\norg_no = \"991825827\"\norgnr = \"1\"\n", "vendor.orgnr", 4, "allowed here:"},
		{"unknown table", "[vendr]\norg_no = \"1\"\n", "vendr", 1, "unknown field"},
		{"bad env", "env = \"production\"\n", "env", 1, "allowed: mock, tt02, prod"},
		{"prod without --allow-prod", "env = \"prod\"\n", "env", 1, "--allow-prod"},
		{"prod host under tt02", "env = \"tt02\"\n[maskinporten]\nurl = \"https://maskinporten.no/\"\n", "maskinporten.url", 3, "production host"},
		{"plain http to a real host", "[altinn]\nurl = \"http://platform.tt02.altinn.no/\"\n", "altinn.url", 2, "plain http"},
		{"bad timeout", "[network]\ntimeout = \"soon\"\n", "network.timeout", 2, "e.g. \"30s\""},
		{"too many retries", "[network]\nretries = 50\n", "network.retries", 2, "GETs only"},
		{"half a service owner", "env = \"tt02\"\n[service_owner]\nclient_id = \"x\"\n", "service_owner.client_id", 3, "go together"},
		{"bad org no", "[customer]\norg_no = \"31090447\"\n", "customer.org_no", 2, "nine digits"},
		{"system id without org", "[vendor]\nsystem_id = \"smartcloud\"\n", "vendor.system_id", 2, "AUTH.VLD-00001"},
		{"http redirect", "[vendor]\nredirect_url = \"http://x/\"\n", "vendor.redirect_url", 2, "https"},
		{"bad url", "[altinn]\nurl = \"platform.tt02.altinn.no\"\n", "altinn.url", 2, "absolute URL"},
		{"tt02 needs credentials", "env = \"tt02\"\n", "vendor.client_id", 0, "Samarbeidsportalen"},
		{"syntax", "env = \"mock\n", "env", 1, "config init"},
		{"wrong type", "[customer]\norg_no = 310904473\n", "customer.org_no", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.text)
			_, err := LoadWith(p, Options{Getenv: noEnv})
			if err == nil {
				t.Fatal("accepted")
			}
			var es Errors
			if !errors.As(err, &es) {
				if tt.name == "wrong type" && strings.Contains(err.Error(), p) {
					return // a decode error names the file
				}
				t.Fatalf("got %T %v", err, err)
			}
			var hit *FieldError
			for i := range es {
				if es[i].Field == tt.field {
					hit = &es[i]
				}
			}
			if hit == nil {
				t.Fatalf("no error for %s in %v", tt.field, err)
			}
			if hit.File != p || (tt.line > 0 && hit.Line != tt.line) {
				t.Errorf("at %s:%d, want %s:%d", hit.File, hit.Line, p, tt.line)
			}
			if !strings.Contains(hit.Error(), tt.want) || !strings.HasPrefix(hit.Error(), p) {
				t.Errorf("message %q lacks %q", hit.Error(), tt.want)
			}
		})
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
