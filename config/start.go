package config

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

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
}

// Close stops the mocks, if any.
func (s *Session) Close() error {
	if s.Mock != nil {
		return s.Mock.Close()
	}
	return nil
}

// HTTPClient is the client every call goes through: a timeout on every
// call, TLS always verified.
func HTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Timeout: 30 * time.Second, Transport: t}
}

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
	}, HTTPClient())
	s.Settings, err = c.settings()
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Summary is the config's identities for the flow, without keys: enough to
// name and describe the scenarios.
func Summary(c *Config) flow.Settings {
	return flow.Settings{
		Env:               c.Env,
		ServiceOwnerOrgNo: c.ServiceOwner.OrgNo, ServiceOwnerName: c.ServiceOwner.Name,
		Scope: c.ServiceOwner.Scope, Resource: c.ServiceOwner.Resource, RightsPackage: c.Skatteetaten.RightsPackage,
		VendorOrgNo: c.Vendor.OrgNo, VendorName: c.Vendor.Name, SystemID: c.Vendor.SystemID,
		AgentSystemID: c.Vendor.AgentSystemID, AccessPackage: c.Vendor.AccessPackage, ClientID: c.Vendor.ClientID,
		RedirectURL:   c.Vendor.RedirectURL,
		CustomerOrgNo: c.Customer.OrgNo, CustomerName: c.Customer.Name, ExternalRef: c.Customer.ExternalRef,
		EndUserPID: c.Customer.EndUserPID, EndUserName: c.Customer.EndUserName,
		FacilitatorOrgNo: c.Facilitator.OrgNo, FacilitatorName: c.Facilitator.Name,
		ClientAdminPID: c.Facilitator.ClientAdminPID, ClientAdminName: c.Facilitator.ClientAdminName,
		MaskinportenAudience: c.Maskinporten.Audience,
	}
}

// settings turns the config into the flow's identities, loading the key.
func (c *Config) settings() (flow.Settings, error) {
	st := Summary(c)
	if c.Env == "mock" {
		st.ServiceOwnerClientID = mock.SkatteetatenClientID
		st.ServiceOwnerKey = mock.ServiceOwnerKey()
	}
	var err error
	switch {
	case c.Vendor.KeyFile != "":
		st.VendorKey, err = LoadKeyFile(c.Vendor.KeyFile, c.Vendor.KeyID)
	case c.Env == "mock":
		var k *rsa.PrivateKey
		k, err = parsePEMKey(demoKey)
		st.VendorKey = client.SigningKey{Key: k, KeyID: DemoKeyID}
	}
	return st, err
}

// LoadKeyFile reads a PEM private key (PKCS#1 or PKCS#8 RSA) with its kid.
// Errors never quote the file's content.
func LoadKeyFile(path, kid string) (client.SigningKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return client.SigningKey{}, fmt.Errorf("vendor.key_file: %w", err)
	}
	k, err := parsePEMKey(b)
	if err != nil {
		return client.SigningKey{}, fmt.Errorf("vendor.key_file %s: %w", path, err)
	}
	if kid == "" {
		kid = client.Thumbprint(&k.PublicKey)
	}
	return client.SigningKey{Key: k, KeyID: kid}, nil
}

func parsePEMKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block found; expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----")
	}
	switch blk.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#8 key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("a %T key; Maskinporten grants here are signed with RSA", k)
		}
		return rk, nil
	}
	return nil, fmt.Errorf("PEM block %q is not a private key", blk.Type)
}
