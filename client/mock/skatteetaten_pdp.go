package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// skePDPClient is Skatteetaten's side of the PDP: it gets a Maskinporten
// token with its own client (a jwt-bearer grant), exchanges it at Altinn,
// keeps the Altinn token until shortly before it expires, and posts
// decision requests with its subscription key.
type skePDPClient struct {
	cfg SkatteetatenConfig

	mu    sync.Mutex // held across a refresh, so concurrent calls refresh once
	token string
	exp   time.Time
}

// skeTokenMargin is how long before its exp a cached Altinn token is
// replaced.
const skeTokenMargin = 20 * time.Second

// decide asks the PDP whether the system user may read the Krav og
// betalinger resource for the organisation, and returns the decision.
func (c *skePDPClient) decide(ctx context.Context, systemUserID, orgNo string) (string, error) {
	ctx, cancel := skeContext(ctx)
	defer cancel()
	body, err := json.Marshal(map[string]any{"Request": map[string]any{
		"ReturnPolicyIdList": false,
		"AccessSubject": []any{map[string]any{"Attribute": []any{
			map[string]string{"AttributeId": pdpSubjectSystemUser, "Value": systemUserID},
		}}},
		"Action": []any{map[string]any{"Attribute": []any{
			map[string]string{"AttributeId": xacmlActionAttr, "Value": "read", "DataType": "http://www.w3.org/2001/XMLSchema#string"},
		}}},
		"Resource": []any{map[string]any{"Attribute": []any{
			map[string]string{"AttributeId": pdpResourceID, "Value": ResourceKravOgBetalinger},
			map[string]string{"AttributeId": pdpPartyOrgNo, "Value": orgNo},
		}}},
	}})
	if err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.altinnToken(ctx)
		if err != nil {
			return "", err
		}
		decision, status, err := c.post(ctx, tok, body)
		if status == http.StatusUnauthorized && attempt == 0 {
			c.forget(tok) // Altinn may have restarted with a new key: get a new token once
			continue
		}
		return decision, err
	}
}

func (c *skePDPClient) post(ctx context.Context, token string, body []byte) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.AltinnURL+"authorization/api/v1/authorize", bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Ocp-Apim-Subscription-Key", c.cfg.SubscriptionKey)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("ask the PDP: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode, fmt.Errorf("ask the PDP: status %d: %s", resp.StatusCode, skeSnippet(b))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return "", resp.StatusCode, fmt.Errorf("ask the PDP: %w", err)
	}
	results := xacmlList(xacmlField(out, "Response"))
	if len(results) == 0 {
		return "", resp.StatusCode, fmt.Errorf("ask the PDP: no decision in %s", skeSnippet(b))
	}
	decision, _ := xacmlField(results[0], "Decision").(string)
	return decision, resp.StatusCode, nil
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
	tok, err := c.exchange(ctx, mp)
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		return "", fmt.Errorf("exchange at Altinn: the answer is not a JWT: %w", err)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return "", fmt.Errorf("exchange at Altinn: the token has no exp")
	}
	c.token, c.exp = tok, exp.Time
	return tok, nil
}

// maskinportenToken gets a token for altinn:authorization/authorize with a
// jwt-bearer grant signed by Skatteetaten's client key.
func (c *skePDPClient) maskinportenToken(ctx context.Context) (string, error) {
	now := c.cfg.Clock.Now()
	grant := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   c.cfg.ClientID,
		"aud":   c.cfg.MaskinportenURL,
		"scope": alScopeAuthorize,
		"iat":   now.Unix(),
		"exp":   now.Add(120 * time.Second).Unix(),
		"jti":   altinnUUID(),
	})
	grant.Header["kid"] = c.cfg.KeyID
	assertion, err := grant.SignedString(c.cfg.Key)
	if err != nil {
		return "", fmt.Errorf("sign the Maskinporten grant: %w", err)
	}
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.MaskinportenURL+"token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("get a Maskinporten token: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get a Maskinporten token: status %d: %s", resp.StatusCode, skeSnippet(b))
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("get a Maskinporten token: no access_token in %s", skeSnippet(b))
	}
	return out.AccessToken, nil
}

// exchange swaps a Maskinporten token for an Altinn token.
func (c *skePDPClient) exchange(ctx context.Context, mpToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.AltinnURL+"authentication/api/v1/exchange/maskinporten", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+mpToken)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("exchange at Altinn: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("exchange at Altinn: status %d: %s %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), skeSnippet(b))
	}
	// The body is the token, plain; some deployments quote it as a JSON string.
	return strings.Trim(strings.TrimSpace(string(b)), `"`), nil
}

// skeSnippet is the start of a body, for an error message.
func skeSnippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
