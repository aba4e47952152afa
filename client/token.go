package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SystemUserTokenRequest is what a system user token takes: the vendor's
// Maskinporten client and key, and the organisation that owns the system
// user.
type SystemUserTokenRequest struct {
	ClientID string
	Key      SigningKey
	// OrgNo is systemuser_org: the org that owns the system user (for an
	// agent system user the facilitator, never its client).
	OrgNo string
	// ExternalRef is needed when the system user was made with one other
	// than the owner's org number.
	ExternalRef string
	Scopes      []string
	// Audience is the grant's aud; empty means the issuer from the
	// well-known document.
	Audience string
	// Lifetime is exp - iat; zero means 120 s.
	Lifetime time.Duration
	// Now is iat; zero means the clock now.
	Now time.Time
}

// IssuedToken is a token with how it was got.
type IssuedToken struct {
	Metadata Metadata
	// MetadataCached is true when Metadata came from the client's DocCache
	// without a request.
	MetadataCached bool
	// Grant is the signed grant that was spent (single use, 2 minutes; it
	// holds no secret).
	Grant    string
	Response TokenResponse
}

// Grant is the grant the request asks for: iss the client, aud the
// request's Audience or else issuer (Maskinporten's, from its well-known
// document), and authorization_details naming the system user's owner
// (type urn:altinn:systemuser, systemuser_org, externalRef when set).
// Maskinporten finds the system user from these; the grant never names it.
func (req SystemUserTokenRequest) Grant(issuer string) Grant {
	aud := req.Audience
	if aud == "" {
		aud = issuer
	}
	org := NewOrgID(req.OrgNo)
	return Grant{
		ClientID: req.ClientID, Audience: aud, Scopes: req.Scopes, IssuedAt: req.Now, Lifetime: req.Lifetime,
		AuthorizationDetails: []AuthorizationDetail{{Type: AuthorizationTypeSystemUser, SystemUserOrg: &org, ExternalRef: req.ExternalRef}},
	}
}

// SystemUserToken reads Maskinporten's well-known document, signs a grant
// with authorization_details for the system user and trades it at the
// token endpoint. A refusal comes back as *OAuthError, with the MP id.
func (m *Maskinporten) SystemUserToken(ctx context.Context, req SystemUserTokenRequest) (IssuedToken, error) {
	var it IssuedToken
	switch {
	case req.ClientID == "":
		return it, errors.New("system user token: no client_id (vendor.client_id)")
	case req.Key.Key == nil:
		return it, errors.New("system user token: no private key (vendor.key_file)")
	case req.OrgNo == "":
		return it, errors.New("system user token: no org number for systemuser_org (customer.org_no)")
	case len(req.Scopes) == 0:
		return it, errors.New("system user token: no scope; a system user grant must ask for at least one")
	}
	md, cached, err := m.wellKnown(ctx)
	if err != nil {
		return it, fmt.Errorf("read Maskinporten's metadata: %w", err)
	}
	it.Metadata, it.MetadataCached = md, cached
	if it.Grant, err = req.Grant(md.Issuer).Sign(req.Key); err != nil {
		return it, err
	}
	it.Response, err = m.Token(ctx, md.TokenEndpoint, it.Grant)
	if err != nil {
		// A kept document may be what is wrong (an issuer or endpoint
		// since changed): the next run reads it again.
		m.Docs.Forget(m.docURL(wellKnownPath))
	}
	return it, err
}

// Verify checks an access token against the key set named by the
// metadata's jwks_uri and its issuer. A key set kept in m.Docs that does
// not verify the token (the keys since rotated) is fetched again, once.
func (m *Maskinporten) Verify(ctx context.Context, md Metadata, raw string, now time.Time) (AccessToken, error) {
	jwks, cached, err := m.jwks(ctx, md.JWKSURI)
	if err != nil {
		d, _ := DecodeJWT(raw)
		return AccessToken{DecodedJWT: d}, fmt.Errorf("read Maskinporten's keys: %w", err)
	}
	at, err := VerifyAccessToken(raw, jwks, md.Issuer, now)
	if err != nil && cached {
		m.Docs.Forget(m.docURL(md.JWKSURI))
		return m.Verify(ctx, md, raw, now)
	}
	return at, err
}

// Explain says in a sentence or two what usually causes a Maskinporten
// error and how to fix it: from the MP id (in error_description or
// error_uri), else from the error value, as Digdir's ids are only "often"
// there (maskinporten_feilsoking.md L26); empty when neither is known.
func Explain(err error) string {
	var oe *OAuthError
	if !errors.As(err, &oe) {
		return ""
	}
	for _, code := range []string{oe.MPCode, oe.Code} {
		if e, ok := ExplainCode(code); ok && code != "" {
			return e.Cause + " " + e.Fix
		}
	}
	return ""
}
