package config

import (
	"crypto/x509"
	"fmt"
	"os"
)

// What the workbench registers in the system register for this config,
// and the certificate authorities it trusts: new fields, read here so that
// the loading stays as it is.

// The system the mocks' world is about: SmartCloud, as in the design and
// Altinn's guides.
const (
	mockSystemName        = "SmartCloud"
	mockSystemDescription = "SmartCloud er verdens beste system."
)

// SystemName is the system's name in the register (vendor.system_name),
// which the person who approves sees: by default vendor.name, or the org
// number; SmartCloud on the mocks.
func (c *Config) SystemName() string {
	switch {
	case c.Vendor.SystemName != "":
		return c.Vendor.SystemName
	case !c.Real() && c.Vendor.Name == Default().Vendor.Name:
		return mockSystemName
	case c.Vendor.Name != "":
		return c.Vendor.Name
	}
	return c.Vendor.OrgNo
}

// SystemDescription is the system's description in the register
// (vendor.system_description): by default one naming vendor.name and what
// the system is for.
func (c *Config) SystemDescription() string {
	switch {
	case c.Vendor.SystemDescription != "":
		return c.Vendor.SystemDescription
	case !c.Real() && c.Vendor.Name == Default().Vendor.Name:
		return mockSystemDescription
	}
	return fmt.Sprintf("%s: trying Altinn's system user flow with the Systembruker Workbench", c.SystemName())
}

// SystemVisible is the system's isVisible (vendor.system_visible): a
// visible system is offered to every user of the environment, so it is
// false unless set, except on the mocks.
func (c *Config) SystemVisible() bool {
	if c.Vendor.SystemVisible != nil {
		return *c.Vendor.SystemVisible
	}
	return !c.Real()
}

// checkCAFile reads [network] ca_file: it must hold at least one PEM
// certificate.
func checkCAFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return fmt.Errorf("no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
	}
	return nil
}

// rootCAs are the system's roots with [network] ca_file's certificates
// added; nil (the system's) when ca_file is empty. A file that cannot be
// read gives a pool with nothing from it, so TLS fails rather than loosens
// (Validate reports the file).
func (c *Config) rootCAs() *x509.CertPool {
	if c.Network.CAFile == "" {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if b, err := os.ReadFile(c.Network.CAFile); err == nil {
		pool.AppendCertsFromPEM(b)
	}
	return pool
}

// ExternalMocks reports whether env = "mock" names mocks of its own (the
// URLs of a `workbench serve`) instead of the embedded ones.
func (c *Config) ExternalMocks() bool {
	return !c.Real() && (c.Maskinporten.URL != "" || c.Altinn.URL != "" || c.Skatteetaten.URL != "")
}
