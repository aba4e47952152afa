package client

import (
	"context"
	"net/http"
	"strings"
)

// Authentication is a client of Altinn's token exchange.
type Authentication struct{ Base }

// NewAuthentication returns a token exchange client for the Altinn platform at baseURL.
func NewAuthentication(baseURL string, hc *http.Client) *Authentication {
	return &Authentication{NewBase("altinn", baseURL, hc)}
}

// Exchange swaps a Maskinporten token for an Altinn token.
func (a *Authentication) Exchange(ctx context.Context, maskinportenToken string) (string, error) {
	r, err := a.do(ctx, call{method: http.MethodGet, path: "authentication/api/v1/exchange/maskinporten", bearer: maskinportenToken})
	if err != nil {
		return "", err
	}
	return strings.Trim(strings.TrimSpace(string(r.body)), `"`), nil
}
