// Package config reads the workbench's TOML file, fills in the defaults
// (the embedded mock environment and the seed's tt02 test data), applies
// the environment profiles and validates, with errors that name the file,
// line, field and fix. Secrets are never in the TOML: keys are read from
// files.
package config

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration. Field names are the TOML keys.
type Config struct {
	// Env is the environment profile: mock (the embedded mocks) or tt02.
	Env string `toml:"env"`

	Maskinporten MaskinportenConfig `toml:"maskinporten"`
	Altinn       AltinnConfig       `toml:"altinn"`
	Skatteetaten SkatteetatenConfig `toml:"skatteetaten"`
	Vendor       VendorConfig       `toml:"vendor"`
	Customer     CustomerConfig     `toml:"customer"`
	Facilitator  FacilitatorConfig  `toml:"facilitator"`
	ServiceOwner ServiceOwnerConfig `toml:"service_owner"`

	// File is where the config was read from; empty for the defaults.
	File string `toml:"-"`
	// source is the file's text, to find the line of a field.
	source []byte
}

// MaskinportenConfig is where Maskinporten is.
type MaskinportenConfig struct {
	URL string `toml:"url"`
	// SelfServiceURL is Digdir's self-service API (clients, scopes).
	SelfServiceURL string `toml:"self_service_url"`
	// Audience overrides the grant's aud (default: the issuer from well-known).
	Audience string `toml:"audience"`
}

// AltinnConfig is where Altinn is.
type AltinnConfig struct {
	URL string `toml:"url"`
	// ConfirmURL is the access management UI that confirm URLs point at.
	ConfirmURL string `toml:"confirm_url"`
}

// SkatteetatenConfig is where the Krav og betalinger API is.
type SkatteetatenConfig struct {
	URL           string `toml:"url"`
	RightsPackage string `toml:"rights_package"`
}

// VendorConfig is the system vendor (SmartCloud AS).
type VendorConfig struct {
	OrgNo         string `toml:"org_no"`
	Name          string `toml:"name"`
	SystemID      string `toml:"system_id"`
	AgentSystemID string `toml:"agent_system_id"`
	AccessPackage string `toml:"access_package"`
	ClientID      string `toml:"client_id"`
	KeyFile       string `toml:"key_file"`
	KeyID         string `toml:"key_id"`
	RedirectURL   string `toml:"redirect_url"`
}

// CustomerConfig is the end user's organisation and person.
type CustomerConfig struct {
	OrgNo       string `toml:"org_no"`
	Name        string `toml:"name"`
	ExternalRef string `toml:"external_ref"`
	EndUserPID  string `toml:"end_user_pid"`
	EndUserName string `toml:"end_user_name"`
}

// FacilitatorConfig is the auditor and its client administrator.
type FacilitatorConfig struct {
	OrgNo           string `toml:"org_no"`
	Name            string `toml:"name"`
	ClientAdminPID  string `toml:"client_admin_pid"`
	ClientAdminName string `toml:"client_admin_name"`
}

// ServiceOwnerConfig is Skatteetaten's side.
type ServiceOwnerConfig struct {
	OrgNo    string `toml:"org_no"`
	Name     string `toml:"name"`
	Scope    string `toml:"scope"`
	Resource string `toml:"resource"`
}

// Profile is an environment's base URLs.
type Profile struct {
	Maskinporten, SelfService, Altinn, ConfirmUI, Skatteetaten string
}

// Profiles are the known environments. The mock's URLs are filled in when
// the mocks start on their loopback ports.
var Profiles = map[string]Profile{
	"mock": {},
	"tt02": {
		Maskinporten: "https://test.maskinporten.no/",
		SelfService:  "https://api.test.samarbeid.digdir.no/",
		Altinn:       "https://platform.tt02.altinn.no/",
		ConfirmUI:    "https://am.ui.tt02.altinn.no/",
		// Which host serves Krav og betalinger in test is not confirmed;
		// this is the reference client's.
		Skatteetaten: "https://api-test.sits.no/",
	},
}

// Default is the configuration without a file: the embedded mocks and the
// seed's tt02 test data.
func Default() *Config {
	return &Config{
		Env: "mock",
		Skatteetaten: SkatteetatenConfig{
			RightsPackage: "regnskapssystem",
		},
		Vendor: VendorConfig{
			OrgNo: "991825827", Name: "SmartCloud AS",
			SystemID: "991825827_smartcloud", AgentSystemID: "991825827_smartcloud_ap",
			AccessPackage: "urn:altinn:accesspackage:ansvarlig-revisor",
			RedirectURL:   "https://smartcloud.example/receipt",
		},
		Customer: CustomerConfig{
			OrgNo: "310904473", Name: "TILFELDIG SUBTIL APE",
			EndUserPID: "26917599853", EndUserName: "STADIG KONSERT",
		},
		Facilitator: FacilitatorConfig{
			OrgNo: "314250052", Name: "TILBAKEHOLDEN USYMMETRISK TIGER AS",
			ClientAdminPID: "06857897380", ClientAdminName: "DRESS MINST",
		},
		ServiceOwner: ServiceOwnerConfig{
			OrgNo: "974761076", Name: "Skatteetaten",
			Scope: "skatteetaten:kravogbetalinger", Resource: "ske-krav-og-betalinger",
		},
	}
}

// FieldError is one problem with one field.
type FieldError struct {
	File    string
	Line    int
	Field   string // dotted TOML key, e.g. vendor.org_no
	Problem string
	Fix     string
}

func (e FieldError) Error() string {
	loc := e.File
	if loc == "" {
		loc = "config"
	}
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	s := fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Problem)
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Errors is every problem found, in file order.
type Errors []FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads the file at path over the defaults and validates it. An empty
// path means no file: the defaults.
func Load(path string) (*Config, error) {
	c := Default()
	if path == "" {
		return c, c.Validate()
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c.File, c.source = path, src
	md, err := toml.Decode(string(src), c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: path, Line: pe.Position.Line, Field: keyOr(pe.LastKey, "(syntax)"),
				Problem: pe.Message, Fix: "see `workbench config init` for a commented example"}}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs Errors
	for _, k := range md.Undecoded() {
		errs = append(errs, FieldError{
			File: path, Line: c.line(k...), Field: k.String(), Problem: "unknown field",
			Fix: "allowed here: " + strings.Join(allowed(k[:len(k)-1]), ", "),
		})
	}
	if verr := c.Validate(); verr != nil {
		var ve Errors
		if errors.As(verr, &ve) {
			errs = append(errs, ve...)
		} else {
			return nil, verr
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	return c, nil
}

func keyOr(k, def string) string {
	if k == "" {
		return def
	}
	return k
}

// Profile returns the base URLs: the env's profile with the file's
// overrides.
func (c *Config) Profile() Profile {
	p := Profiles[c.Env]
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Maskinporten, c.Maskinporten.URL)
	set(&p.SelfService, c.Maskinporten.SelfServiceURL)
	set(&p.Altinn, c.Altinn.URL)
	set(&p.ConfirmUI, c.Altinn.ConfirmURL)
	set(&p.Skatteetaten, c.Skatteetaten.URL)
	return p
}

// Validate checks every field and returns Errors naming each problem.
func (c *Config) Validate() error {
	var errs Errors
	add := func(field, problem, fix string) {
		path := strings.Split(field, ".")
		errs = append(errs, FieldError{File: c.File, Line: c.line(path...), Field: field, Problem: problem, Fix: fix})
	}
	if _, ok := Profiles[c.Env]; !ok {
		add("env", fmt.Sprintf("%q is not a known environment", c.Env), "allowed: mock, tt02")
	}
	for field, v := range map[string]string{
		"vendor.org_no": c.Vendor.OrgNo, "customer.org_no": c.Customer.OrgNo,
		"facilitator.org_no": c.Facilitator.OrgNo, "service_owner.org_no": c.ServiceOwner.OrgNo,
	} {
		if len(v) != 9 || strings.Trim(v, "0123456789") != "" {
			add(field, fmt.Sprintf("%q is not an organisation number", v), "nine digits, e.g. \"310904473\"")
		}
	}
	for field, id := range map[string]string{"vendor.system_id": c.Vendor.SystemID, "vendor.agent_system_id": c.Vendor.AgentSystemID} {
		if !strings.HasPrefix(id, c.Vendor.OrgNo+"_") || strings.ContainsAny(id, " \t") {
			add(field, fmt.Sprintf("%q does not start with the vendor's org number and _", id),
				fmt.Sprintf("Altinn wants <vendor org no>_<name> without spaces, e.g. %q (AUTH.VLD-00001)", c.Vendor.OrgNo+"_smartcloud"))
		}
	}
	if !strings.HasPrefix(c.Vendor.AccessPackage, "urn:altinn:accesspackage:") {
		add("vendor.access_package", fmt.Sprintf("%q is not an access package URN", c.Vendor.AccessPackage),
			"e.g. \"urn:altinn:accesspackage:ansvarlig-revisor\"")
	}
	if u, err := url.Parse(c.Vendor.RedirectURL); c.Vendor.RedirectURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		add("vendor.redirect_url", fmt.Sprintf("%q is not an absolute https URL", c.Vendor.RedirectURL), "Altinn accepts only https redirect URLs (AUTH.VLD-00005)")
	}
	if !strings.Contains(c.ServiceOwner.Scope, ":") {
		add("service_owner.scope", fmt.Sprintf("%q is not a Maskinporten scope", c.ServiceOwner.Scope), "prefix:name, e.g. \"skatteetaten:kravogbetalinger\"")
	}
	p := c.Profile()
	for field, v := range map[string]string{
		"maskinporten.url": c.Maskinporten.URL, "maskinporten.self_service_url": c.Maskinporten.SelfServiceURL,
		"altinn.url": c.Altinn.URL, "altinn.confirm_url": c.Altinn.ConfirmURL, "skatteetaten.url": c.Skatteetaten.URL,
	} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(field, fmt.Sprintf("%q is not an absolute URL", v), "e.g. \"https://test.maskinporten.no/\"")
		}
	}
	if c.Env != "mock" {
		if c.Vendor.ClientID == "" {
			add("vendor.client_id", "empty", "the client id of your Maskinporten client from Samarbeidsportalen")
		}
		if c.Vendor.KeyFile == "" {
			add("vendor.key_file", "empty", "the path of your private key file (PEM); `workbench keys new` makes one")
		}
		if c.Vendor.KeyID == "" {
			add("vendor.key_id", "empty", "the kid your public key was registered with in Samarbeidsportalen")
		}
		if p.Skatteetaten == "" {
			add("skatteetaten.url", "empty", "the Krav og betalinger test host")
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return errs
	}
	return nil
}

// line finds the line of a key in the file text: the key's own line, or
// failing that its table's header; 0 when not in the file.
func (c *Config) line(path ...string) int {
	if len(c.source) == 0 || len(path) == 0 {
		return 0
	}
	table, key := strings.Join(path[:len(path)-1], "."), path[len(path)-1]
	cur, tableLine := "", 0
	sc := bufio.NewScanner(bytes.NewReader(c.source))
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			cur = strings.Trim(l, "[] ")
			if cur == table {
				tableLine = n
			}
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"`)
		if (cur == table && k == key) || (cur == "" && k == strings.Join(path, ".")) {
			return n
		}
	}
	return tableLine
}

// allowed lists the TOML keys of the table at path.
func allowed(path []string) []string {
	var keys []string
	t := Default()
	m := map[string]any{}
	b := new(bytes.Buffer)
	_ = toml.NewEncoder(b).Encode(t)
	_, _ = toml.Decode(b.String(), &m)
	var cur any = m
	for _, p := range path {
		if mm, ok := cur.(map[string]any); ok {
			cur = mm[p]
		}
	}
	if mm, ok := cur.(map[string]any); ok {
		for k := range mm {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
