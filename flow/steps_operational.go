package flow

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"sync"

	"github.com/systembruker/workbench/client"
)

// The operational steps: the daily system user token and the API call with
// it, and the ways they fail.

// tokenVariant changes the operational token step for a scenario.
type tokenVariant struct {
	id, title string
	tweak     func(*client.Grant, *client.SigningKey)
}

func stepOperationalToken(x Expect, v ...tokenVariant) Step {
	var tw tokenVariant
	if len(v) > 0 {
		tw = v[0]
	}
	id, title := "op-token", "SmartCloud gets a system user token"
	if tw.id != "" {
		id = tw.id
	}
	if tw.title != "" {
		title = tw.title
	}
	return Step{
		ID: id, Actor: Operational, Title: title,
		Explain: "Now the daily work: SmartCloud signs a grant whose authorization_details name the " +
			"system user's owner (type urn:altinn:systemuser, systemuser_org). Maskinporten checks the " +
			"grant, asks Altinn whether that org has a system user for SmartCloud's system and client, " +
			"and issues a token carrying systemuser_id, systemuser_org and system_id.",
		Inputs: []Param{ParamGrantOrg, ParamExternalRef, ParamGrantScope, ParamGrantLifetime, ParamGrantAudience, ParamVendorClock},
		Expect: x,
		run: func(ctx context.Context, r *runCtx) error {
			// The same request `workbench token` makes, from the inputs.
			req := client.SystemUserTokenRequest{
				ClientID: r.state.VendorClientID, Key: r.set.VendorKey,
				OrgNo: r.state.Param(ParamGrantOrg), ExternalRef: r.state.Param(ParamExternalRef),
				Scopes: client.ScopeList(r.state.Param(ParamGrantScope)), Audience: r.state.Param(ParamGrantAudience),
				Lifetime: r.state.duration(ParamGrantLifetime),
			}
			if req.Audience == "" {
				req.Audience = r.set.MaskinportenAudience
			}
			tok, err := r.getToken(ctx, tokenRequest{
				label: "system user", key: req.Key, tweak: tw.tweak,
				grant: func(issuer string) client.Grant {
					req.Now = r.svc.Now().Add(r.state.duration(ParamVendorClock)) // the vendor's clock
					return req.Grant(issuer)
				},
			})
			r.state.AccessToken = tok
			if err == nil {
				r.noteSystemUserID(tok)
			}
			return err
		},
	}
}

// noteSystemUserID says that the token's systemuser_id[0] is the id of the
// request SmartCloud made: Altinn gives the system user its request's id
// (altinn-authentication SystemUserService.cs L509; spec Corrections 5).
func (r *runCtx) noteSystemUserID(tok string) {
	at, err := client.VerifyAccessToken(tok, r.state.JWKS, r.state.Issuer, r.svc.Now())
	su, ok := at.SystemUser()
	if err != nil || !ok || len(su.SystemUserID) == 0 || r.state.RequestID == "" {
		return
	}
	if id := su.SystemUserID[0]; strings.EqualFold(id, r.state.RequestID) {
		r.note("systemuser_id[0] %s is the id of the request SmartCloud made: the system user has its request's id", id)
	} else {
		r.note("systemuser_id[0] %s is not the id of this run's request %s: the system user was made from another request (an earlier run's)", id, r.state.RequestID)
	}
}

func stepOperationalAPI(x Expect) Step {
	return stepAPI("op-api", "SmartCloud fetches the open tax claims", x)
}

func stepAPI(id, title string, x Expect) Step {
	return Step{
		ID: id, Actor: Operational, Title: title,
		Explain: "SmartCloud calls Krav og betalinger with the token. Skatteetaten verifies it against " +
			"Maskinporten's keys, then asks Altinn's PDP whether this system user may read " +
			"ske-krav-og-betalinger for the org in the path, and answers: the outstanding claims (aapnekrav), " +
			"or every claim, payment in or payment out of a period of at most a year (krav, innbetalinger, utbetalinger).",
		Inputs: []Param{ParamAPIOrg, ParamAPIRead, ParamAPIFrom, ParamAPITo, ParamAPIAccept},
		Expect: x,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.AccessToken == "" {
				return errors.New("no system user token yet: run the token step first")
			}
			r.sentToken("system user access token", r.state.AccessToken)
			org, read := r.state.Param(ParamAPIOrg), r.state.Param(ParamAPIRead)
			if read == "" {
				read = client.ReadOpenClaims
			}
			got, err := r.svc.Krav.Read(ctx, r.state.AccessToken, r.set.RightsPackage, org, read,
				r.state.Param(ParamAPIFrom), r.state.Param(ParamAPITo), r.state.Param(ParamAPIAccept))
			if r.real() && r.state.Agent {
				r.delegationProof(org, err)
			}
			if err != nil {
				return err
			}
			switch {
			case got.XML:
				r.note("%s for %s answered in XML, %d bytes", read, org, len(got.Raw))
			case read == client.ReadOpenClaims:
				r.note("%d open claims for %s, balance %.2f NOK", got.Items, org, got.Balance)
			default:
				r.note("%s for %s from %s to %s: %d", read, org, r.state.Param(ParamAPIFrom), r.state.Param(ParamAPITo), got.Items)
			}
			return nil
		},
	}
}

// delegationProof says what the API's answer shows about a client
// delegation made in the portal, which no vendor API can read: a 200 is
// Altinn's PDP permitting the agent system user for the client; a 403 is
// Skatteetaten's answer when it did not (NotApplicable when no rule
// applies: the client is not delegated, not yet, or without the package).
func (r *runCtx) delegationProof(org string, err error) {
	switch {
	case err == nil:
		r.note("200: Altinn's PDP permitted the agent system user for %s, so the delegation took", org)
	case client.Status(err) == 403:
		r.note("403: Skatteetaten asked Altinn's PDP whether the agent system user %s may read %s for %s, and it did not "+
			"permit it (NotApplicable when no rule applies): the client is not delegated to the system user (or not yet), "+
			"or the client administrator added another customer; check the system access in the portal and run this step again",
			r.state.SystemUserID, r.set.Resource, org)
	}
}

func stepReplayGrant(x Expect) Step {
	return Step{
		ID: "op-replay", Actor: Operational, Title: "SmartCloud sends the same grant again",
		Explain: "A grant is good for one token: Maskinporten remembers each grant's jti until it " +
			"expires and refuses it the second time. Make a fresh grant, with a new jti, for every token request.",
		Expect: x,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.Grant == "" {
				return errors.New("no grant yet: run the token step first")
			}
			if d, err := client.DecodeJWT(r.state.Grant); err == nil {
				r.token(Token{Label: "replayed grant", DecodedJWT: d})
			}
			_, err := r.postGrant(ctx, "replayed", r.state.Grant)
			return err
		},
	}
}

// otherKey is a key Maskinporten has never seen, made once (RSA key
// generation is slow) for the wrong-key scenario.
var otherKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
