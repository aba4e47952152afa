package client

import (
	"context"
	"net/http"
	"net/url"
)

// ClientDelegation is a client of the client administrator's API for agent
// system users.
type ClientDelegation struct{ Base }

// NewClientDelegation returns a client delegation client for the Altinn platform at baseURL.
func NewClientDelegation(baseURL string, hc *http.Client) *ClientDelegation {
	return &ClientDelegation{NewBase("altinn", baseURL, hc)}
}

// Client is a client organisation of an agent system user.
type Client struct {
	ClientID               string `json:"clientId"`
	ClientOrganizationNo   string `json:"clientOrganizationNumber"`
	ClientOrganizationName string `json:"clientOrganizationName"`
}

// ClientList is the answer of the clients endpoints.
type ClientList struct {
	Data []Client `json:"data"`
}

// Available lists the clients that may be delegated to the agent.
func (c *ClientDelegation) Available(ctx context.Context, token, agent string) (ClientList, error) {
	var out ClientList
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/enduser/systemuser/clients/available", query: url.Values{"agent": {agent}}, bearer: token}, nil, &out)
	return out, err
}

// Delegated lists the clients delegated to the agent.
func (c *ClientDelegation) Delegated(ctx context.Context, token, agent string) (ClientList, error) {
	var out ClientList
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/enduser/systemuser/clients", query: url.Values{"agent": {agent}}, bearer: token}, nil, &out)
	return out, err
}

// Add delegates the client (its party uuid) to the agent.
func (c *ClientDelegation) Add(ctx context.Context, token, agent, client string) error {
	_, err := c.do(ctx, call{method: http.MethodPost, path: "authentication/api/v1/enduser/systemuser/clients", query: url.Values{"agent": {agent}, "client": {client}}, bearer: token})
	return err
}

// Remove takes the client away from the agent.
func (c *ClientDelegation) Remove(ctx context.Context, token, agent, client string) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/enduser/systemuser/clients", query: url.Values{"agent": {agent}, "client": {client}}, bearer: token})
	return err
}
