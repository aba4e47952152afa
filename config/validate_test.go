package config

import (
	"errors"
	"strings"
	"testing"
)

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

func TestProdNeedsAllowProd(t *testing.T) {
	p := write(t, `env = "prod"
[vendor]
org_no = "991825827"
system_id = "991825827_x"
agent_system_id = "991825827_y"
client_id = "c"
key_file = "k.pem"
key_id = "k"
redirect_url = "https://x.example/"
`)
	if _, err := LoadWith(p, Options{Getenv: noEnv}); err == nil || !strings.Contains(err.Error(), "--allow-prod") {
		t.Fatalf("prod accepted: %v", err)
	}
	c, err := LoadWith(p, Options{Getenv: noEnv, AllowProd: true})
	if err != nil {
		t.Fatal(err)
	}
	pr := c.Profile()
	if pr.Maskinporten != "https://maskinporten.no/" || pr.Altinn != "https://platform.altinn.no/" || pr.ConfirmUI != "https://am.ui.altinn.no/" || pr.Skatteetaten != "https://kravogbetalinger.api.skatteetaten.no/" {
		t.Errorf("prod profile %+v", pr)
	}
}
