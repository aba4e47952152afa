package config

import (
	"errors"

	"github.com/systembruker/workbench/client"
)

// TokenRequest is the system user token the config describes: the vendor's
// Maskinporten client and key, the customer's org number and externalRef,
// the service owner's scope and Maskinporten's audience. The key's
// warnings (a file others can read) come back for the caller to show.
func (c *Config) TokenRequest() (client.SystemUserTokenRequest, []string, error) {
	if c.Vendor.ClientID == "" {
		return client.SystemUserTokenRequest{}, nil, errors.New("vendor.client_id is empty: the client id of your Maskinporten client (or set WORKBENCH_CLIENT_ID)")
	}
	key, info, err := c.VendorKey()
	if err != nil {
		return client.SystemUserTokenRequest{}, nil, err
	}
	return client.SystemUserTokenRequest{
		ClientID: c.Vendor.ClientID, Key: key, Audience: c.Maskinporten.Audience,
		OrgNo: c.Customer.OrgNo, ExternalRef: c.Customer.ExternalRef, Scopes: client.ScopeList(c.ServiceOwner.Scope),
	}, info.Warnings, nil
}
