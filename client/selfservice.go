package client

import (
	"context"
	"net/http"
	"net/url"
)

// SelfService is a client of Digdir's self-service API for Maskinporten
// clients and scopes (what Samarbeidsportalen does in a browser).
type SelfService struct{ Base }

// NewSelfService returns a client for the self-service API at baseURL.
func NewSelfService(baseURL string, hc *http.Client) *SelfService {
	return &SelfService{NewBase("selfservice", baseURL, hc)}
}

// OIDCClient is a Maskinporten client registration.
type OIDCClient struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientName              string   `json:"client_name"`
	ClientOrgNo             string   `json:"client_orgno"`
	Description             string   `json:"description,omitempty"`
	Scopes                  []string `json:"scopes"`
	IntegrationType         string   `json:"integration_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
}

// CreateClient registers a Maskinporten client and returns it with its
// client_id.
func (s *SelfService) CreateClient(ctx context.Context, c OIDCClient) (OIDCClient, error) {
	if c.IntegrationType == "" {
		c.IntegrationType = "maskinporten"
	}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = "private_key_jwt"
	}
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{GrantTypeJWTBearer}
	}
	var out OIDCClient
	_, err := s.doJSON(ctx, call{method: http.MethodPost, path: "api/v1/clients"}, c, &out)
	return out, err
}

// UploadJWKS sets the client's public keys.
func (s *SelfService) UploadJWKS(ctx context.Context, clientID string, keys JWKS) error {
	_, err := s.doJSON(ctx, call{method: http.MethodPost, path: "api/v1/clients/" + url.PathEscape(clientID) + "/jwks"}, keys, nil)
	return err
}

// Scope is a Maskinporten API scope.
type Scope struct {
	Name        string   `json:"name,omitempty"`
	Prefix      string   `json:"prefix"`
	Subscope    string   `json:"subscope"`
	Description string   `json:"description,omitempty"`
	OwnerOrgNo  string   `json:"owner_orgno"`
	Access      []string `json:"access,omitempty"`
}

// CreateScope creates an API scope. A scope that exists already is
// reported as a *OAuthError or *HTTPError with status 409.
func (s *SelfService) CreateScope(ctx context.Context, sc Scope) (Scope, error) {
	var out Scope
	_, err := s.doJSON(ctx, call{method: http.MethodPost, path: "api/v1/scopes"}, sc, &out)
	return out, err
}

// GrantScopeAccess gives the consumer org access to the owner's scope.
func (s *SelfService) GrantScopeAccess(ctx context.Context, ownerOrgNo, scope, consumerOrgNo string) error {
	_, err := s.doJSON(ctx, call{
		method: http.MethodPut, path: "api/v1/scopes/access/" + url.PathEscape(consumerOrgNo),
		query: url.Values{"scope": {scope}, "owner_orgno": {ownerOrgNo}},
	}, nil, nil)
	return err
}
