package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// Level is how much a finding of `config check` matters.
type Level int

// The levels, least first.
const (
	OK      Level = iota // checked and fine
	Info                 // worth knowing
	Warning              // works, but unwise
	Problem              // must be fixed
)

func (l Level) String() string { return [...]string{"ok", "info", "warning", "problem"}[l] }

// Finding is one line of `config check`.
type Finding struct {
	Level Level
	// Where is file:line, $VARIABLE, or a file the config names.
	Where string
	Field string
	Text  string
	Fix   string
	// Excerpt is a syntax error's line with a caret under the spot.
	Excerpt string
}

// CheckResult is every finding, in order: the fields, then the files the
// config names.
type CheckResult struct {
	Config   *Config // nil when the file could not be read at all
	Findings []Finding
}

// Count is how many findings have the level.
func (r CheckResult) Count(l Level) int {
	n := 0
	for _, f := range r.Findings {
		if f.Level == l {
			n++
		}
	}
	return n
}

// Check reads the config at path and checks it field by field, then the
// key files (exist, parse, permissions, kid) and the subscription key's
// source. It never reads a secret into a finding.
func Check(path string, o Options) CheckResult {
	var r CheckResult
	add := func(f Finding) { r.Findings = append(r.Findings, f) }
	c, errs, err := Read(path, o)
	if err != nil {
		where := path
		if where == "" {
			where = "config"
		}
		add(Finding{Level: Problem, Where: where, Text: err.Error(),
			Fix: "`workbench config init " + path + "` writes a commented starter"})
		return r
	}
	for _, e := range errs {
		add(Finding{Level: Problem, Where: e.Where(), Field: e.Field, Text: e.Problem, Fix: e.Fix, Excerpt: e.Excerpt})
	}
	if c == nil {
		return r
	}
	r.Config = c
	for _, v := range EnvVars {
		if v.Field != "" && c.FromEnv(v.Field) == v.Name {
			add(Finding{Level: Info, Where: "$" + v.Name, Field: v.Field, Text: "set from the environment, over the file"})
		}
	}
	if _, ok := Profiles[c.Env]; ok {
		p := c.Profile()
		if c.Env == "mock" {
			text := "the workbench starts its own mock services"
			if c.ExternalMocks() {
				text = fmt.Sprintf("the mocks at Maskinporten %s, Altinn %s, Skatteetaten %s (a `workbench serve`); "+
					"the workbench acts for the people there", orDash(p.Maskinporten), orDash(p.Altinn), orDash(p.Skatteetaten))
			}
			if c.Maskinporten.URL == "" {
				text += "; `workbench token` needs maskinporten.url (a running `workbench serve`)"
			}
			add(Finding{Level: Info, Field: "env", Text: "mock: " + text})
		} else {
			add(Finding{Level: OK, Field: "env", Text: fmt.Sprintf("%s: Maskinporten %s, Altinn %s, confirm pages %s, Skatteetaten %s",
				c.Env, p.Maskinporten, p.Altinn, p.ConfirmUI, p.Skatteetaten)})
		}
	}
	checkKravURL(c, add)
	checkKey(c, add)
	checkScenarios(c, add)
	if c.ServiceOwner.KeyFile != "" {
		_, info, err := LoadKey(c.ServiceOwner.KeyFile, KeyOptions{KeyID: c.ServiceOwner.KeyID})
		keyFindings("service_owner.key_file", c.ServiceOwner.KeyFile, info, err, add)
	}
	checkSecretFile(c.Vendor.KeyPasswordFile, "vendor.key_password_file", add)
	checkSubscriptionKey(c, add)
	return r
}

// kravOldHosts are the hosts of the retired Krav og betalinger URLs
// https://{env}/api/innkreving/kravogbetalinger/v1/... (the examples of
// Skatteetaten/api-dokumentasjon docs/api/kravogbetalinger.md; docs/om/url.md:
// "De gamle URL-ene saneres 17. oktober 2024").
var kravOldHosts = []string{"api-test.sits.no", "api.sits.no", "api.skatteetaten.no", "api-test.skatteetaten.no"}

// kravOldPath is the base path of the retired Krav og betalinger URLs.
const kravOldPath = "/api/innkreving/kravogbetalinger"

// checkKravURL warns about a configured skatteetaten.url in the retired
// form: an old host, or the old path on the new host. A loopback URL is
// left alone (the mock, `workbench serve`, keeps that path on purpose).
func checkKravURL(c *Config, add func(Finding)) {
	raw := c.Skatteetaten.URL
	u, err := url.Parse(raw)
	if raw == "" || err != nil || Loopback(u.Hostname()) {
		return
	}
	host := strings.ToLower(u.Hostname())
	old := slices.Contains(kravOldHosts, host)
	if strings.HasPrefix(host, "kravogbetalinger.api.") && strings.HasPrefix(strings.ToLower(u.Path), kravOldPath) {
		old = true
	}
	if !old {
		return
	}
	want := Profiles["tt02"].Skatteetaten
	if c.Env == "prod" {
		want = Profiles["prod"].Skatteetaten
	}
	add(Finding{Level: Warning, Where: FieldError{File: c.File, Line: c.line("skatteetaten", "url")}.Where(), Field: "skatteetaten.url",
		Text: fmt.Sprintf("%q looks like the retired form https://{env}%s/ (removed on 17 October 2024)", raw, kravOldPath),
		Fix:  fmt.Sprintf("use the API's own host, which serves /v1/... at its root: %s (or leave url empty)", want)})
}

func checkKey(c *Config, add func(Finding)) {
	if c.Vendor.KeyFile == "" {
		if c.Env == "mock" {
			add(Finding{Level: Info, Field: "vendor.key_file", Text: "empty: the mocks use the workbench's demo key (kid " + DemoKeyID + ")"})
		}
		return // a real env's empty key_file is already a field problem
	}
	_, info, err := c.VendorKey()
	keyFindings("vendor.key_file", c.Vendor.KeyFile, info, err, add)
	if err != nil {
		return
	}
	if info.Certificate != nil {
		if org := OrgNo(info.Certificate); org != "" && org != c.Vendor.OrgNo && c.Vendor.OrgNo != "" {
			add(Finding{Level: Problem, Where: c.Vendor.KeyFile, Field: "vendor.key_file",
				Text: fmt.Sprintf("the certificate is for organisation %s, but vendor.org_no is %s", org, c.Vendor.OrgNo),
				Fix:  "Maskinporten refuses a certificate of another org than the client's (MP-122)"})
		}
	}
	if info.Format == FormatPKCS1 || info.Format == FormatPKCS8 {
		if c.Vendor.KeyID == "" {
			add(Finding{Level: Info, Field: "vendor.key_id", Text: "empty: the grant's kid is the key's thumbprint " + info.Thumbprint,
				Fix: "that is what `keys new` registers by default; set key_id if you registered another kid"})
		}
	}
}

// keyFindings turns a key load into findings.
func keyFindings(field, path string, info KeyInfo, err error, add func(Finding)) {
	if err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			add(Finding{Level: Problem, Where: path, Field: field, Text: ke.Problem, Fix: ke.Fix})
		} else {
			add(Finding{Level: Problem, Where: path, Field: field, Text: err.Error()})
		}
		return
	}
	text := fmt.Sprintf("%s, RSA %d bits, ", info.Format, info.Bits)
	switch {
	case info.Certificate != nil && info.KeyID == "":
		cert := info.Certificate
		text += fmt.Sprintf("business certificate %q (org %s), valid until %s; the grant carries it as x5c",
			cert.Subject.CommonName, orDash(OrgNo(cert)), cert.NotAfter.Format(time.DateOnly))
	default:
		text += "kid " + info.KeyID
		if len(info.KeyIDs) > 1 {
			text += " (of " + strings.TrimPrefix(listKids(info.KeyIDs), "kid ") + ")"
		}
	}
	add(Finding{Level: OK, Where: path, Field: field, Text: text})
	for _, w := range info.Warnings {
		add(Finding{Level: Warning, Where: path, Field: field, Text: w})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkSecretFile checks a file holding a secret without reading it into
// any finding.
func checkSecretFile(path, field string, add func(Finding)) {
	if path == "" {
		return
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		add(Finding{Level: Problem, Where: path, Field: field, Text: "does not exist or cannot be read", Fix: "check the path (relative paths are from where you run the workbench)"})
		return
	case st.IsDir():
		add(Finding{Level: Problem, Where: path, Field: field, Text: "is a directory", Fix: "name the file holding the secret"})
		return
	case st.Size() == 0:
		add(Finding{Level: Problem, Where: path, Field: field, Text: "is empty"})
		return
	}
	add(Finding{Level: OK, Where: path, Field: field, Text: "present (its content is not shown)"})
	if st.Mode().Perm()&0o077 != 0 {
		add(Finding{Level: Warning, Where: path, Field: field, Text: fmt.Sprintf("readable by group or others (mode %04o): chmod 600 %s", st.Mode().Perm(), path)})
	}
}

func checkSubscriptionKey(c *Config, add func(Finding)) {
	if c.Getenv("WORKBENCH_SUBSCRIPTION_KEY") != "" {
		add(Finding{Level: OK, Where: "$WORKBENCH_SUBSCRIPTION_KEY", Field: "subscription key", Text: "set (its value is not shown)"})
		return
	}
	if c.Altinn.SubscriptionKeyFile != "" {
		checkSecretFile(c.Altinn.SubscriptionKeyFile, "altinn.subscription_key_file", add)
		return
	}
	add(Finding{Level: Info, Field: "subscription key", Text: "not set; only a service owner calling Altinn's PDP needs one (altinn.subscription_key_file or WORKBENCH_SUBSCRIPTION_KEY)"})
}
