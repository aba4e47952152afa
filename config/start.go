package config

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/flow"
)

// demoKey is SmartCloud's key in the mock environment: a throwaway key made
// for the workbench, registered nowhere but in the mocks.
//
//go:embed demo/smartcloud-demo-key.pem
var demoKey []byte

// DemoKeyID is the kid of the demo key.
const DemoKeyID = "smartcloud-demo-2026"

// Session is a configured environment, ready for the flow: the clients,
// the identities, and for the mock environment the running mocks.
type Session struct {
	Services flow.Services
	Settings flow.Settings
	// Mock is the running mock environment, nil for a real one.
	Mock *mock.Env
	// Warnings are what is usable but unwise (a key file others can
	// read), for the command to show before it starts.
	Warnings []string
}

// Close stops the mocks, if any.
func (s *Session) Close() error {
	if s.Mock != nil {
		return s.Mock.Close()
	}
	return nil
}

// HTTPClient is the client every call goes through, with the network
// defaults: a timeout on every call, TLS always verified, GETs retried.
func HTTPClient() *http.Client { return client.NewHTTPClient(client.HTTPOptions{}) }

// HTTPClient is the client every call goes through, with the config's
// [network] settings.
func (c *Config) HTTPClient() *http.Client { return client.NewHTTPClient(c.HTTPOptions()) }

// Start makes a session from the config: for env mock it starts the mocks
// on loopback with the base world (no vendor state, no service owner
// setup: the flow does both), which live until ctx ends or Close.
func (c *Config) Start(ctx context.Context) (*Session, error) {
	s := &Session{}
	p := c.Profile()
	var err error
	if c.Env == "mock" {
		s.Mock, err = mock.Start(ctx, mock.BaseSeed())
		if err != nil {
			return nil, fmt.Errorf("start the mock services: %w", err)
		}
		p.Maskinporten, p.SelfService, p.Altinn, p.Skatteetaten = s.Mock.MaskinportenURL, s.Mock.MaskinportenURL, s.Mock.AltinnURL, s.Mock.SkatteetatenURL
	}
	s.Services = flow.NewServices(flow.URLs{
		Maskinporten: p.Maskinporten, SelfService: p.SelfService, Altinn: p.Altinn, Skatteetaten: p.Skatteetaten,
	}, c.HTTPClient())
	s.Settings, s.Warnings, err = c.settings()
	if err != nil {
		s.Close()
		return nil, err
	}
	// The people's steps go through the mock portal when Altinn is a mock:
	// the embedded one, or `workbench serve` on loopback.
	if u, err := url.Parse(p.Altinn); c.Env == "mock" || (err == nil && loopback(u.Hostname())) {
		s.Settings.ActAsPeople = true
	}
	return s, nil
}

// Summary is the config's identities for the flow, without keys: enough to
// name and describe the scenarios.
func Summary(c *Config) flow.Settings {
	// A name left empty in a real env's config shows as the org number.
	nameOr := func(name, orgNo string) string {
		if name == "" {
			return orgNo
		}
		return name
	}
	return flow.Settings{
		Env:               c.Env,
		ServiceOwnerOrgNo: c.ServiceOwner.OrgNo, ServiceOwnerName: c.ServiceOwner.Name,
		Scope: c.ServiceOwner.Scope, Resource: c.ServiceOwner.Resource, RightsPackage: c.Skatteetaten.RightsPackage,
		VendorOrgNo: c.Vendor.OrgNo, VendorName: nameOr(c.Vendor.Name, c.Vendor.OrgNo), SystemID: c.Vendor.SystemID,
		AgentSystemID: c.Vendor.AgentSystemID, AccessPackage: c.Vendor.AccessPackage, ClientID: c.Vendor.ClientID,
		AgentClientID: c.Vendor.AgentClientID,
		RedirectURL:   c.Vendor.RedirectURL,
		CustomerOrgNo: c.Customer.OrgNo, CustomerName: nameOr(c.Customer.Name, c.Customer.OrgNo), ExternalRef: c.Customer.ExternalRef,
		EndUserPID: c.Customer.EndUserPID, EndUserName: c.Customer.EndUserName,
		FacilitatorOrgNo: c.Facilitator.OrgNo, FacilitatorName: nameOr(c.Facilitator.Name, c.Facilitator.OrgNo),
		ClientAdminPID: c.Facilitator.ClientAdminPID, ClientAdminName: c.Facilitator.ClientAdminName,
		MaskinportenAudience: c.Maskinporten.Audience,
	}
}

// settings turns the config into the flow's identities, loading the keys.
func (c *Config) settings() (flow.Settings, []string, error) {
	st := Summary(c)
	var warnings []string
	if c.Env == "mock" {
		st.ServiceOwnerClientID = mock.SkatteetatenClientID
		st.ServiceOwnerKey = mock.ServiceOwnerKey()
	}
	if c.ServiceOwner.KeyFile != "" {
		k, info, err := LoadKey(c.ServiceOwner.KeyFile, KeyOptions{KeyID: c.ServiceOwner.KeyID})
		if err != nil {
			return st, nil, fmt.Errorf("service_owner.key_file: %w", err)
		}
		st.ServiceOwnerClientID, st.ServiceOwnerKey = c.ServiceOwner.ClientID, k
		warnings = append(warnings, prefixed("service_owner.key_file", info.Warnings)...)
	}
	k, info, err := c.VendorKey()
	if err != nil {
		return st, nil, err
	}
	st.VendorKey = k
	warnings = append(warnings, prefixed("vendor.key_file", info.Warnings)...)
	return st, warnings, nil
}

func prefixed(p string, ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = p + ": " + w
	}
	return out
}

// VendorKey loads the vendor's signing key: vendor.key_file with its kid
// and password, or in the mock environment without a key file the demo
// key. Errors name the file, never its content.
func (c *Config) VendorKey() (client.SigningKey, KeyInfo, error) {
	if c.Vendor.KeyFile == "" {
		if c.Env == "mock" {
			k, err := demoSigningKey()
			return k, KeyInfo{Format: FormatPKCS8, KeyID: DemoKeyID, Bits: 2048}, err
		}
		return client.SigningKey{}, KeyInfo{}, errors.New("vendor.key_file: not filled in; `workbench keys new` makes a key")
	}
	k, info, err := LoadKey(c.Vendor.KeyFile, KeyOptions{KeyID: c.Vendor.KeyID, Password: c.keyPassword})
	if err != nil {
		return k, info, fmt.Errorf("vendor.key_file: %w", err)
	}
	return k, info, nil
}

func demoSigningKey() (client.SigningKey, error) {
	blk, _ := pem.Decode(demoKey)
	if blk == nil {
		return client.SigningKey{}, errors.New("the embedded demo key is missing")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if err != nil || !ok {
		return client.SigningKey{}, errors.New("the embedded demo key does not parse")
	}
	return client.SigningKey{Key: rk, KeyID: DemoKeyID}, nil
}

// keyPassword is the PKCS#12 password: WORKBENCH_KEY_PASSWORD, or the
// file vendor.key_password_file names (without a trailing newline).
func (c *Config) keyPassword() (string, error) {
	if v := c.Getenv("WORKBENCH_KEY_PASSWORD"); v != "" {
		return v, nil
	}
	if c.Vendor.KeyPasswordFile == "" {
		return "", nil
	}
	v, err := readSecretFile(c.Vendor.KeyPasswordFile)
	if err != nil {
		return "", fmt.Errorf("vendor.key_password_file: %w", err)
	}
	return v, nil
}

// SubscriptionKey is Altinn's PDP subscription key and where it came
// from: WORKBENCH_SUBSCRIPTION_KEY, or altinn.subscription_key_file. Empty
// when neither is set (it is needed only to call the PDP).
func (c *Config) SubscriptionKey() (key, source string, err error) {
	if v := c.Getenv("WORKBENCH_SUBSCRIPTION_KEY"); v != "" {
		return v, "$WORKBENCH_SUBSCRIPTION_KEY", nil
	}
	if c.Altinn.SubscriptionKeyFile == "" {
		return "", "", nil
	}
	v, err := readSecretFile(c.Altinn.SubscriptionKeyFile)
	if err != nil {
		return "", c.Altinn.SubscriptionKeyFile, fmt.Errorf("altinn.subscription_key_file: %w", err)
	}
	if v == "" {
		return "", c.Altinn.SubscriptionKeyFile, fmt.Errorf("altinn.subscription_key_file: %s is empty", c.Altinn.SubscriptionKeyFile)
	}
	return v, c.Altinn.SubscriptionKeyFile, nil
}

// readSecretFile reads a one-line secret; errors say nothing of the content.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s does not exist", path)
		}
		return "", fmt.Errorf("%s cannot be read", path)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
