// Package config reads the workbench's TOML file, fills in the defaults
// (the embedded mock environment and the seed's tt02 test data), applies
// the environment profiles and validates, with errors that name the file,
// line, field and fix. Environment variables override the file. Secrets
// are never in the TOML: keys and the subscription key are read from files
// or environment variables, and a TOML holding one is refused without
// echoing it.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/systembruker/workbench/client"
)

// Config is the whole configuration. Field names are the TOML keys.
type Config struct {
	// Env is the environment profile: mock (the embedded mocks), tt02 or
	// prod (refused unless AllowProd).
	Env string `toml:"env"`

	Maskinporten MaskinportenConfig `toml:"maskinporten"`
	Altinn       AltinnConfig       `toml:"altinn"`
	Skatteetaten SkatteetatenConfig `toml:"skatteetaten"`
	Vendor       VendorConfig       `toml:"vendor"`
	Customer     CustomerConfig     `toml:"customer"`
	Facilitator  FacilitatorConfig  `toml:"facilitator"`
	ServiceOwner ServiceOwnerConfig `toml:"service_owner"`
	Network      NetworkConfig      `toml:"network"`

	// File is where the config was read from; empty for the defaults.
	File string `toml:"-"`
	// AllowProd lets env be prod: the user said --allow-prod.
	AllowProd bool `toml:"-"`
	// source is the file's text, to find the line of a field.
	source []byte
	// fromEnv maps a field to the environment variable that set it.
	fromEnv map[string]string
	// getenv reads the environment (secrets are read when needed, never
	// kept in the Config, so that printing a Config shows none).
	getenv func(string) string
}

// MaskinportenConfig is where Maskinporten is.
type MaskinportenConfig struct {
	URL string `toml:"url"`
	// SelfServiceURL is Digdir's self-service API (clients, scopes).
	SelfServiceURL string `toml:"self_service_url"`
	// Audience overrides the grant's aud (default: the issuer from well-known).
	Audience string `toml:"audience"`
}

// NetworkConfig is how the workbench talks to the services.
type NetworkConfig struct {
	// Timeout bounds each attempt of a call, e.g. "30s".
	Timeout string `toml:"timeout"`
	// Retries is how often a GET is tried again after a transport error
	// or a 502/503/504 (POSTs never are); 0 means none.
	Retries int `toml:"retries"`
}

// AltinnConfig is where Altinn is.
type AltinnConfig struct {
	URL string `toml:"url"`
	// ConfirmURL is the access management UI that confirm URLs point at.
	ConfirmURL string `toml:"confirm_url"`
	// SubscriptionKeyFile holds the Ocp-Apim-Subscription-Key for Altinn's
	// PDP (WORKBENCH_SUBSCRIPTION_KEY, when set, wins).
	SubscriptionKeyFile string `toml:"subscription_key_file"`
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
	// AgentClientID is the agent system's own client: Altinn lets a
	// client id belong to one system only.
	AgentClientID string `toml:"agent_client_id"`
	KeyFile       string `toml:"key_file"`
	KeyID         string `toml:"key_id"`
	// KeyPasswordFile holds the password of a PKCS#12 key_file
	// (WORKBENCH_KEY_PASSWORD, when set, wins).
	KeyPasswordFile string `toml:"key_password_file"`
	RedirectURL     string `toml:"redirect_url"`
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
	// ClientID, KeyFile and KeyID are the service owner's own Maskinporten
	// client, for running its steps in an environment other than the
	// embedded mocks (you are the service owner, or `serve`'s world).
	ClientID string `toml:"client_id"`
	KeyFile  string `toml:"key_file"`
	KeyID    string `toml:"key_id"`
}

// Profile is an environment's base URLs.
type Profile struct {
	Maskinporten, SelfService, Altinn, ConfirmUI, Skatteetaten string
	// Description says in words what the environment is, for handouts.
	Description string
}

// Profiles are the known environments. The mock's URLs are filled in when
// the mocks start on their loopback ports.
var Profiles = map[string]Profile{
	"mock": {Description: "the workbench's mock services"},
	"tt02": {
		Description:  "Altinn's tt02 and Maskinporten's test environment",
		Maskinporten: "https://test.maskinporten.no/",
		SelfService:  "https://api.test.samarbeid.digdir.no/",
		Altinn:       "https://platform.tt02.altinn.no/",
		ConfirmUI:    "https://am.ui.tt02.altinn.no/",
		// Which host serves Krav og betalinger in test is not confirmed;
		// this is Skatteetaten's generic test host.
		Skatteetaten: "https://api-test.sits.no/",
	},
	"prod": {
		Description:  "the prod environment",
		Maskinporten: "https://maskinporten.no/",
		SelfService:  "https://api.samarbeid.digdir.no/",
		Altinn:       "https://platform.altinn.no/",
		ConfirmUI:    "https://am.ui.altinn.no/",
		Skatteetaten: "https://api.skatteetaten.no/",
	},
}

// prodHosts are production's hosts: a config whose env is not prod may not
// point at them, so that --allow-prod cannot be got round by a URL.
var prodHosts = []string{"maskinporten.no", "api.samarbeid.digdir.no", "platform.altinn.no", "am.ui.altinn.no", "api.skatteetaten.no"}

// EnvVars are the environment variables that override the file, with the
// field each sets. The two secrets have no field: they are read when used.
var EnvVars = []struct{ Name, Field, Help string }{
	{"WORKBENCH_ENV", "env", "environment: mock, tt02 or prod"},
	{"WORKBENCH_CLIENT_ID", "vendor.client_id", "your Maskinporten client's id"},
	{"WORKBENCH_KEY_FILE", "vendor.key_file", "your private key file"},
	{"WORKBENCH_KEY_ID", "vendor.key_id", "the kid registered with the key"},
	{"WORKBENCH_CUSTOMER_ORG", "customer.org_no", "the customer's organisation number"},
	{"WORKBENCH_EXTERNAL_REF", "customer.external_ref", "the system user's externalRef"},
	{"WORKBENCH_KEY_PASSWORD", "", "the password of a PKCS#12 key file (secret)"},
	{"WORKBENCH_SUBSCRIPTION_KEY", "", "Altinn's PDP subscription key (secret)"},
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
		Network: NetworkConfig{Timeout: "30s", Retries: client.DefaultRetries},
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
	s := fmt.Sprintf("%s: %s: %s", e.Where(), e.Field, e.Problem)
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Where is file:line, the environment variable that set the field, or
// "config" for a default.
func (e FieldError) Where() string {
	loc := e.File
	if loc == "" {
		loc = "config"
	}
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	return loc
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

// Options change how a config is loaded.
type Options struct {
	// Getenv reads the environment overrides; nil means os.Getenv.
	Getenv func(string) string
	// AllowProd accepts env = "prod" (the user said --allow-prod).
	AllowProd bool
	// Env, when set, is the environment over the file and WORKBENCH_ENV
	// (the --env flag).
	Env string
}

// Load reads the file at path over the defaults, applies the environment
// variables (see EnvVars) and validates. An empty path means no file: the
// defaults.
func Load(path string) (*Config, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with options.
func LoadWith(path string, o Options) (*Config, error) {
	c, errs, err := Read(path, o)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// Read is Load that also returns the config when fields are wrong, for
// `config check` to go on to the key file. err is a file that could not
// be read or parsed at all.
func Read(path string, o Options) (*Config, Errors, error) {
	c := Default()
	c.getenv, c.AllowProd = o.Getenv, o.AllowProd
	if c.getenv == nil {
		c.getenv = os.Getenv
	}
	var errs Errors
	if path != "" {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("read config: %w", err)
		}
		c.File, c.source = path, src
		if es := secretsIn(path, src); len(es) > 0 {
			// Not decoded at all: a parse error might quote the secret.
			return nil, es, nil
		}
		md, err := toml.Decode(string(src), c)
		if err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, Errors{{File: path, Line: pe.Position.Line, Field: keyOr(pe.LastKey, "(syntax)"),
					Problem: unquoteFound(pe.Message), Fix: "see `workbench config init` for a commented example"}}, nil
			}
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		reported := map[string]bool{}
		for _, k := range md.Undecoded() {
			// A table the file should not have is reported once, not once
			// per key inside it.
			if len(k) > 1 && reported[k[:len(k)-1].String()] {
				reported[k.String()] = true
				continue
			}
			reported[k.String()] = true
			if secret, ok := secretKeys[k[len(k)-1]]; ok {
				errs = append(errs, FieldError{File: path, Line: c.line(k...), Field: k.String(),
					Problem: "a secret does not belong in the config file (its value is not shown here)", Fix: "remove the line; " + secret})
				continue
			}
			errs = append(errs, FieldError{
				File: path, Line: c.line(k...), Field: k.String(), Problem: "unknown field",
				Fix: "allowed here: " + strings.Join(allowed(k[:len(k)-1]), ", "),
			})
		}
	}
	c.applyEnv()
	if o.Env != "" {
		c.Env = o.Env
		if c.fromEnv == nil {
			c.fromEnv = map[string]string{}
		}
		c.fromEnv["env"] = "--env"
	}
	if verr := c.Validate(); verr != nil {
		var ve Errors
		if !errors.As(verr, &ve) {
			return nil, nil, verr
		}
		errs = append(errs, ve...)
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return c, errs, nil
}

// secretKeys are keys someone might put a secret under, with where the
// secret goes instead.
var secretKeys = map[string]string{
	"private_key":      "the private key stays in its own file: set vendor.key_file to its path",
	"key":              "the private key stays in its own file: set vendor.key_file to its path",
	"jwk":              "the private key stays in its own file: set vendor.key_file to its path",
	"subscription_key": "put the subscription key in a file only you can read and set altinn.subscription_key_file, or set WORKBENCH_SUBSCRIPTION_KEY",
	"key_password":     "put the password in a file only you can read and set vendor.key_password_file, or set WORKBENCH_KEY_PASSWORD",
	"password":         "put the password in a file only you can read and set vendor.key_password_file, or set WORKBENCH_KEY_PASSWORD",
	"client_secret":    "Maskinporten clients here authenticate with a key, not a secret: set vendor.key_file",
	"secret":           "secrets go in files or environment variables, never in the config",
}

// secretsIn finds private key material pasted into the file: a PEM key
// block or a JWK's private exponent. It reports the line, never the text.
func secretsIn(path string, src []byte) Errors {
	var errs Errors
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.Contains(l, "PRIVATE KEY-----"):
			errs = append(errs, FieldError{File: path, Line: n, Field: "(private key)",
				Problem: "the file holds a private key (its text is not shown here)",
				Fix:     "remove it: keep the key in its own file (mode 0600) and set vendor.key_file to its path"})
		case strings.Contains(l, `"d"`) && strings.Contains(l, `"kty"`):
			errs = append(errs, FieldError{File: path, Line: n, Field: "(private key)",
				Problem: "the file holds a private JWK (its text is not shown here)",
				Fix:     "remove it: keep the JWK in its own file (mode 0600) and set vendor.key_file to its path"})
		}
		if len(errs) > 0 {
			// One is enough; a PEM block has many lines.
			break
		}
	}
	return errs
}

// applyEnv sets the fields named by the environment variables.
func (c *Config) applyEnv() {
	for _, v := range EnvVars {
		val := c.getenv(v.Name)
		if v.Field == "" || val == "" {
			continue
		}
		switch v.Field {
		case "env":
			c.Env = val
		case "vendor.client_id":
			c.Vendor.ClientID = val
		case "vendor.key_file":
			c.Vendor.KeyFile = val
		case "vendor.key_id":
			c.Vendor.KeyID = val
		case "customer.org_no":
			c.Customer.OrgNo = val
		case "customer.external_ref":
			c.Customer.ExternalRef = val
		}
		if c.fromEnv == nil {
			c.fromEnv = map[string]string{}
		}
		c.fromEnv[v.Field] = v.Name
	}
}

// FromEnv names the environment variable that set the field, or "".
func (c *Config) FromEnv(field string) string { return c.fromEnv[field] }

// Getenv reads the environment the config was loaded with.
func (c *Config) Getenv(name string) string {
	if c.getenv == nil {
		return os.Getenv(name)
	}
	return c.getenv(name)
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

// Real reports whether the env is a real environment (not the mocks).
func (c *Config) Real() bool { return c.Env != "mock" }

// Timeout is network.timeout as a duration (the default when unset or bad).
func (c *Config) Timeout() time.Duration {
	d, err := time.ParseDuration(c.Network.Timeout)
	if err != nil || d <= 0 {
		return client.DefaultTimeout
	}
	return d
}

// HTTPOptions are the network settings for client.NewHTTPClient.
func (c *Config) HTTPOptions() client.HTTPOptions {
	r := c.Network.Retries
	if r == 0 {
		r = -1 // none
	}
	return client.HTTPOptions{Timeout: c.Timeout(), Retries: r}
}

// HTTPClient is the client every call goes through, with the config's
// [network] settings.
func (c *Config) HTTPClient() *http.Client { return client.NewHTTPClient(c.HTTPOptions()) }

// Validate checks every field and returns Errors naming each problem.
func (c *Config) Validate() error {
	var errs Errors
	add := func(field, problem, fix string) {
		path := strings.Split(field, ".")
		fe := FieldError{File: c.File, Line: c.line(path...), Field: field, Problem: problem, Fix: fix}
		if v := c.fromEnv[field]; v != "" {
			fe.File, fe.Line = v, 0
			if strings.HasPrefix(v, "WORKBENCH_") {
				fe.File = "$" + v
			}
		}
		errs = append(errs, fe)
	}
	empty := func(field, fix string) { add(field, "not filled in", fix) }
	switch _, known := Profiles[c.Env]; {
	case !known:
		add("env", fmt.Sprintf("%q is not a known environment", c.Env), "allowed: mock, tt02, prod")
	case c.Env == "prod" && !c.AllowProd:
		add("env", "prod is production: real organisations, real system users, real data",
			"the workbench refuses it unless you pass --allow-prod; for trying things out use tt02")
	}
	orgFix := map[string]string{
		"vendor.org_no":        "your organisation's number (the Maskinporten client's owner), nine digits",
		"customer.org_no":      "the organisation that is to own the system user: in tt02 a synthetic test org (Tenor) whose daglig leder you can log in as",
		"facilitator.org_no":   "the facilitator (e.g. an accountant) for agent system users, nine digits",
		"service_owner.org_no": "the API owner's organisation number (Skatteetaten: 974761076)",
	}
	for _, field := range []string{"vendor.org_no", "customer.org_no", "facilitator.org_no", "service_owner.org_no"} {
		v := map[string]string{"vendor.org_no": c.Vendor.OrgNo, "customer.org_no": c.Customer.OrgNo,
			"facilitator.org_no": c.Facilitator.OrgNo, "service_owner.org_no": c.ServiceOwner.OrgNo}[field]
		switch {
		case v == "":
			empty(field, orgFix[field])
		case len(v) != 9 || strings.Trim(v, "0123456789") != "":
			add(field, fmt.Sprintf("%q is not an organisation number", v), "nine digits, e.g. \"310904473\"")
		}
	}
	for _, field := range []string{"vendor.system_id", "vendor.agent_system_id"} {
		id := c.Vendor.SystemID
		if field == "vendor.agent_system_id" {
			id = c.Vendor.AgentSystemID
		}
		org, name := c.Vendor.OrgNo, "_smartcloud"
		if org == "" {
			org = "991825827"
		}
		if field == "vendor.agent_system_id" {
			name += "_ap"
		}
		example := org + name
		switch {
		case id == "":
			empty(field, fmt.Sprintf("your system's id in Altinn's system register: <vendor org no>_<name>, e.g. %q", example))
		case !strings.HasPrefix(id, c.Vendor.OrgNo+"_") || strings.ContainsAny(id, " \t"):
			add(field, fmt.Sprintf("%q does not start with the vendor's org number and _", id),
				fmt.Sprintf("Altinn wants <vendor org no>_<name> without spaces, e.g. %q (AUTH.VLD-00001)", example))
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
	if c.ServiceOwner.Resource == "" {
		empty("service_owner.resource", "the Altinn resource tied to the scope, e.g. \"ske-krav-og-betalinger\"")
	}
	p := c.Profile()
	for _, field := range []string{"maskinporten.url", "maskinporten.self_service_url", "maskinporten.audience", "altinn.url", "altinn.confirm_url", "skatteetaten.url"} {
		v := map[string]string{
			"maskinporten.url": c.Maskinporten.URL, "maskinporten.self_service_url": c.Maskinporten.SelfServiceURL,
			"maskinporten.audience": c.Maskinporten.Audience,
			"altinn.url":            c.Altinn.URL, "altinn.confirm_url": c.Altinn.ConfirmURL, "skatteetaten.url": c.Skatteetaten.URL,
		}[field]
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			add(field, fmt.Sprintf("%q is not an absolute URL", v), "e.g. \"https://test.maskinporten.no/\"")
		case c.Env != "prod" && slices.Contains(prodHosts, u.Hostname()):
			add(field, fmt.Sprintf("%q is a production host, but env is %q", v, c.Env),
				"remove it to use the env's own host; production only with env = \"prod\" and --allow-prod")
		case u.Scheme == "http" && !Loopback(u.Hostname()):
			add(field, fmt.Sprintf("%q is plain http", v), "real services are https; plain http only for the mocks on this machine (127.0.0.1, localhost)")
		}
	}
	if c.Network.Timeout != "" {
		if d, err := time.ParseDuration(c.Network.Timeout); err != nil || d <= 0 || d > 10*time.Minute {
			add("network.timeout", fmt.Sprintf("%q is not a timeout", c.Network.Timeout), "a duration up to 10m, e.g. \"30s\"")
		}
	}
	if c.Network.Retries < 0 || c.Network.Retries > 10 {
		add("network.retries", fmt.Sprintf("%d retries", c.Network.Retries), "0 (none) to 10; retries are for GETs only")
	}
	if c.Real() {
		if c.Vendor.ClientID == "" {
			empty("vendor.client_id", "the client id of your Maskinporten client in Samarbeidsportalen (a UUID), or set WORKBENCH_CLIENT_ID")
		}
		switch {
		case c.Vendor.KeyFile == "":
			empty("vendor.key_file", "the path of your private key file; `workbench keys new` makes one (or set WORKBENCH_KEY_FILE)")
		case c.Vendor.KeyID == "" && keyNeedsKid(c.Vendor.KeyFile):
			empty("vendor.key_id", "the kid your public key was registered with in Samarbeidsportalen; `workbench keys new` printed it (or set WORKBENCH_KEY_ID)")
		}
		if c.Vendor.RedirectURL == "" {
			empty("vendor.redirect_url", "an https URL of yours where Altinn sends the person after they approve or reject")
		}
		if p.Skatteetaten == "" {
			empty("skatteetaten.url", "the Krav og betalinger host")
		}
		if (c.ServiceOwner.KeyFile == "") != (c.ServiceOwner.ClientID == "") {
			add("service_owner.client_id", "service_owner.client_id and service_owner.key_file go together",
				"set both to run the service owner's steps yourself, or neither to leave them to the service owner")
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return errs
	}
	return nil
}

// keyNeedsKid: a PEM key carries no kid, while a JWK names its own and a
// PKCS#12 certificate goes in the grant as x5c.
func keyNeedsKid(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext != ".json" && ext != ".jwk" && ext != ".jwks" && ext != ".p12" && ext != ".pfx"
}

// Loopback reports whether host is this machine (localhost or a loopback
// address), where plain http is allowed: the mocks.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
			if cur == strings.Join(path, ".") {
				return n // the path is a table
			}
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

var foundRE = regexp.MustCompile(`found "[^"]*"|'[^']*'`)

// unquoteFound drops the text a TOML parse error quotes from the file: a
// value pasted without quotes may be a secret (a key line, a password).
func unquoteFound(msg string) string {
	return foundRE.ReplaceAllString(msg, "found something else")
}
