package config

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The keys and secrets the config names: the vendor's key (or the mock
// environment's demo key), the PKCS#12 password and the PDP subscription
// key. They are read when needed, never kept in the Config.

// demoKey is SmartCloud's key in the mock environment: a throwaway key made
// for the workbench, registered nowhere but in the mocks.
//
//go:embed demo/smartcloud-demo-key.pem
var demoKey []byte

// DemoKeyID is the kid of the demo key.
const DemoKeyID = "smartcloud-demo-2026"

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
