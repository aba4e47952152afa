// Package config reads the workbench's TOML file, fills in the defaults
// (the embedded mock environment and the seed's tt02 test data), applies
// the environment profiles and validates, with errors that name the file,
// line, field and fix. Environment variables override the file. Secrets
// are never in the TOML: keys and the subscription key are read from files
// or environment variables, and a TOML holding one is refused without
// echoing it.
package config

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

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
	// or a 429/502/503/504 (POSTs never are); 0 means none.
	Retries int `toml:"retries"`
	// CAFile is a PEM file of certificate authorities to trust besides
	// the system's: a company proxy that re-signs TLS, or a test CA.
	CAFile string `toml:"ca_file"`
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
	// SystemName and SystemDescription are what the system register
	// shows the person who approves (see Config.SystemName); empty: from
	// Name.
	SystemName        string `toml:"system_name"`
	SystemDescription string `toml:"system_description"`
	// SystemVisible lists the system for every user of the environment
	// to pick (isVisible); unset: true on the mocks, false elsewhere.
	SystemVisible *bool `toml:"system_visible"`
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
		// Krav og betalinger's own host, which serves /v1/... at its root
		// (Skatteetaten/api-dokumentasjon docs/om/url.md, row "Krav og
		// betalinger API"; the reference vendor app TheTechArch/altinn-systemuser
		// calls it so). The base URL carries the API's base path, if any.
		Skatteetaten: "https://kravogbetalinger.api.skatteetaten-test.no/",
	},
	"prod": {
		Description:  "the prod environment",
		Maskinporten: "https://maskinporten.no/",
		SelfService:  "https://api.samarbeid.digdir.no/",
		Altinn:       "https://platform.altinn.no/",
		ConfirmUI:    "https://am.ui.altinn.no/",
		Skatteetaten: "https://kravogbetalinger.api.skatteetaten.no/", // docs/om/url.md, as for test
	},
}

// prodHosts are production's hosts: a config whose env is not prod may not
// point at them, so that --allow-prod cannot be got round by a URL.
var prodHosts = []string{"maskinporten.no", "api.samarbeid.digdir.no", "platform.altinn.no", "am.ui.altinn.no", "kravogbetalinger.api.skatteetaten.no", "api.skatteetaten.no"}

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
	// Excerpt is the line of a syntax error with a caret under the spot,
	// its words other than the config's names masked; "" for the rest.
	Excerpt string
}

func (e FieldError) Error() string {
	s := fmt.Sprintf("%s: %s: %s", e.Where(), e.Field, e.Problem)
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	if e.Excerpt != "" {
		s += "\n" + e.Excerpt
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

// FromEnv names the environment variable that set the field, or "".
func (c *Config) FromEnv(field string) string { return c.fromEnv[field] }

// Getenv reads the environment the config was loaded with.
func (c *Config) Getenv(name string) string {
	if c.getenv == nil {
		return os.Getenv(name)
	}
	return c.getenv(name)
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
	o := client.HTTPOptions{Timeout: c.Timeout(), Retries: r, RootCAs: c.rootCAs()}
	if c.Real() {
		o.HostLimit = client.RealHostLimit
	}
	return o
}

// HTTPClient is the client every call goes through, with the config's
// [network] settings.
func (c *Config) HTTPClient() *http.Client { return client.NewHTTPClient(c.HTTPOptions()) }

// Loopback reports whether host is this machine (localhost or a loopback
// address), where plain http is allowed: the mocks.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
