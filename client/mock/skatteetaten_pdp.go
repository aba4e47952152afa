package mock

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/systembruker/workbench/client"
)

// skePDPClient is Skatteetaten's side of the PDP: it gets a Maskinporten
// token with its own client (a jwt-bearer grant), exchanges it at Altinn,
// keeps the Altinn token until shortly before it expires, and posts
// decision requests with its subscription key. It makes those calls with
// the workbench's own clients, as any service owner's code would: the mock
// asks what client.PDP asks, over HTTP.
type skePDPClient struct {
	cfg  SkatteetatenConfig
	mp   *client.Maskinporten
	auth *client.Authentication
	pdp  *client.PDP

	mu    sync.Mutex // held across a refresh, so concurrent calls refresh once
	token string
	exp   time.Time
}

// skeTokenMargin is how long before its exp a cached Altinn token is
// replaced.
const skeTokenMargin = 20 * time.Second

func newSkePDPClient(cfg SkatteetatenConfig) *skePDPClient {
	return &skePDPClient{
		cfg:  cfg,
		mp:   client.NewMaskinporten(cfg.MaskinportenURL, cfg.HTTP),
		auth: client.NewAuthentication(cfg.AltinnURL, cfg.HTTP),
		pdp:  client.NewPDP(cfg.AltinnURL, cfg.HTTP, cfg.SubscriptionKey),
	}
}

// decide asks the PDP whether the system user may read the Krav og
// betalinger resource for the organisation, and returns the decision.
func (c *skePDPClient) decide(ctx context.Context, systemUserID, orgNo string) (string, error) {
	ctx, cancel := skeContext(ctx)
	defer cancel()
	req := client.SystemUserRequest(systemUserID, "read", ResourceKravOgBetalinger, orgNo)
	for attempt := 0; ; attempt++ {
		tok, err := c.altinnToken(ctx)
		if err != nil {
			return "", err
		}
		d, err := c.pdp.Authorize(ctx, tok, req)
		if client.Status(err) == http.StatusUnauthorized && attempt == 0 {
			c.forget(tok) // Altinn may have restarted with a new key: get a new token once
			continue
		}
		if err != nil {
			return "", fmt.Errorf("ask the PDP: %w", err)
		}
		return d.Value(), nil
	}
}

// forget drops the cached token if it is still tok.
func (c *skePDPClient) forget(tok string) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// altinnToken returns the cached Altinn token or gets a new one.
func (c *skePDPClient) altinnToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.cfg.Clock.Now().Before(c.exp.Add(-skeTokenMargin)) {
		return c.token, nil
	}
	mp, err := c.maskinportenToken(ctx)
	if err != nil {
		return "", err
	}
	tok, err := c.auth.Exchange(ctx, mp)
	if err != nil {
		return "", fmt.Errorf("exchange at Altinn: %w", err)
	}
	d, err := client.DecodeJWT(tok)
	if err != nil {
		return "", fmt.Errorf("exchange at Altinn: the answer is not a JWT: %w", err)
	}
	exp, ok := d.Time("exp")
	if !ok {
		return "", fmt.Errorf("exchange at Altinn: the token has no exp")
	}
	c.token, c.exp = tok, exp
	return tok, nil
}

// maskinportenToken gets a token for altinn:authorization/authorize with a
// jwt-bearer grant signed by Skatteetaten's client key.
func (c *skePDPClient) maskinportenToken(ctx context.Context) (string, error) {
	g := client.Grant{
		ClientID: c.cfg.ClientID, Audience: c.cfg.MaskinportenURL, Scopes: []string{alScopeAuthorize},
		IssuedAt: c.cfg.Clock.Now(), Lifetime: 120 * time.Second,
	}
	assertion, err := g.Sign(client.SigningKey{Key: c.cfg.Key, KeyID: c.cfg.KeyID})
	if err != nil {
		return "", fmt.Errorf("sign the Maskinporten grant: %w", err)
	}
	res, err := c.mp.Token(ctx, "", assertion)
	if err != nil {
		return "", fmt.Errorf("get a Maskinporten token: %w", err)
	}
	return res.AccessToken, nil
}
