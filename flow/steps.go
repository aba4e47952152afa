package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// The steps of the flow. Each is built by a function so scenarios can vary
// one (its expectation, its inputs) without copying the rest.
// One file per actor: steps_serviceowner.go (Skatteetaten), steps_vendor.go
// (SmartCloud), steps_enduser.go (the customer's daglig leder, and the
// confirm page the client administrator uses too), steps_clientadmin.go
// (the facilitator's client administrator), steps_operational.go (the
// daily token and API call). This file holds what they share.

// discover reads Maskinporten's well-known document and key set once per run.
func (r *runCtx) discover(ctx context.Context) error {
	if r.state.Issuer != "" && len(r.state.JWKS.Keys) > 0 {
		return nil
	}
	md, err := r.svc.Maskinporten.WellKnown(ctx)
	if err != nil {
		return fmt.Errorf("read Maskinporten's metadata: %w", err)
	}
	jwks, err := r.svc.Maskinporten.JWKS(ctx, md.JWKSURI)
	if err != nil {
		return fmt.Errorf("read Maskinporten's keys: %w", err)
	}
	r.state.Issuer, r.state.TokenEndpoint, r.state.JWKS = md.Issuer, md.TokenEndpoint, jwks
	return nil
}

// tokenRequest is what getToken needs.
type tokenRequest struct {
	label string // who asks, for the token labels
	key   client.SigningKey
	// grant makes the grant to sign once Maskinporten's issuer is known.
	grant func(issuer string) client.Grant
	// tweak changes the grant or key before signing, for the training
	// scenarios that break a rule on purpose.
	tweak func(*client.Grant, *client.SigningKey)
}

// plainGrant is a grant for the client's own token, without a system user:
// aud the configured audience, else the issuer.
func (r *runCtx) plainGrant(clientID string, scopes []string) func(string) client.Grant {
	return func(issuer string) client.Grant {
		aud := r.set.MaskinportenAudience
		if aud == "" {
			aud = issuer
		}
		return client.Grant{ClientID: clientID, Audience: aud, Scopes: scopes, IssuedAt: r.svc.Now()}
	}
}

// getToken signs a grant, shows it, posts it to /token, and verifies and
// shows the access token.
func (r *runCtx) getToken(ctx context.Context, tr tokenRequest) (string, error) {
	if err := r.discover(ctx); err != nil {
		return "", err
	}
	g := tr.grant(r.state.Issuer)
	systemUser := len(g.AuthorizationDetails) > 0
	key := tr.key
	if tr.tweak != nil {
		tr.tweak(&g, &key)
	}
	assertion, err := g.Sign(key)
	if err != nil {
		return "", err
	}
	// The grant is shown verified against the vendor's own public key: the
	// check Maskinporten is about to make.
	gd, _ := client.DecodeJWT(assertion)
	if _, err := client.VerifyGrantSignature(assertion, &tr.key.Key.PublicKey); err == nil {
		gd.Verified, gd.VerifyError = true, ""
	} else {
		gd.VerifyError = err.Error()
	}
	if systemUser {
		r.state.Grant = assertion
	}
	r.token(Token{Label: tr.label + " grant", DecodedJWT: gd, Warnings: g.Warnings()})
	return r.postGrant(ctx, tr.label, assertion)
}

// postGrant trades a signed grant for an access token at /token and
// verifies and shows the token.
func (r *runCtx) postGrant(ctx context.Context, label, assertion string) (string, error) {
	res, err := r.svc.Maskinporten.Token(ctx, r.state.TokenEndpoint, assertion)
	if err != nil {
		return "", err
	}
	r.issuedExpires = time.Time{}
	if res.ExpiresIn > 0 {
		r.issuedExpires = r.svc.Now().Add(time.Duration(res.ExpiresIn) * time.Second)
	}
	at, verr := client.VerifyAccessToken(res.AccessToken, r.state.JWKS, r.state.Issuer, r.svc.Now())
	r.token(Token{Label: label + " access token", DecodedJWT: at.DecodedJWT})
	if verr != nil {
		return "", fmt.Errorf("Maskinporten's token did not verify against its own key set: %w", verr)
	}
	return res.AccessToken, nil
}

// sentToken shows the token a step sends as its bearer token: when the
// API refuses it (it expired, say) that token is the lesson. Its signature
// and issuer are checked against Maskinporten's keys as of its own iat, so
// an expired token still shows a good signature; whether it has expired
// the views judge by the services' clock (State.MockClock).
func (r *runCtx) sentToken(label, raw string) {
	d, err := client.DecodeJWT(raw)
	if err != nil {
		return // not a JWT: the exchange shows what was sent
	}
	if iat, ok := d.Time("iat"); ok && len(r.state.JWKS.Keys) > 0 {
		at, err := client.VerifyAccessToken(raw, r.state.JWKS, r.state.Issuer, iat)
		d = at.DecodedJWT
		if err != nil && d.VerifyError == "" {
			d.VerifyError = err.Error()
		}
	}
	t := Token{Label: label, DecodedJWT: d}
	now := r.svc.Now().Add(r.state.MockClock) // the services' clock
	if exp, ok := d.Time("exp"); ok && now.After(exp) {
		late := now.Sub(exp).Round(time.Second)
		clock := ""
		if r.state.MockClock != 0 {
			clock = " (the mocks' clock is " + ClockOffset(r.state.MockClock) + ")"
		}
		t.Warnings = append(t.Warnings, fmt.Sprintf("sent %s after it expired%s", late, clock))
	}
	r.token(t)
}

// real reports whether the flow runs against a real environment, where a
// person's steps happen elsewhere (a portal, a browser) and the workbench
// waits for their effect instead of doing them.
func (r *runCtx) real() bool { return !r.set.ActAsPeople }

// serviceOwnerElsewhere ends a service owner step that Skatteetaten does
// itself in a real environment (the workbench has its key only in the mocks,
// or when the config names one).
func (r *runCtx) serviceOwnerElsewhere(what string) bool {
	if r.set.ServiceOwnerKey.Key != nil {
		return false
	}
	r.note("done by %s in its own environment: %s", r.set.ServiceOwnerName, what)
	return true
}

// ignoreExists treats "already exists" as done, so steps can run against a
// world where the thing was made before (a real environment, a second run).
func (r *runCtx) ignoreExists(err error, what string) error {
	if err == nil {
		return nil
	}
	if client.Status(err) == 409 || client.HasCode(err, "AUTH.VLD-00002") {
		r.note("%s exists already; using it", what)
		return nil
	}
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func stepClock(id string, actor Actor, title string, offset time.Duration) Step {
	return Step{
		ID: id, Actor: actor, Title: title,
		Explain: "The mocks share one clock, which this step moves: the services see time pass " +
			"while the workbench does not wait.",
		run: func(ctx context.Context, r *runCtx) error {
			if err := r.svc.Mock.SetClock(ctx, offset); err != nil {
				return err
			}
			r.state.MockClock = offset
			return nil
		},
	}
}

// ClockJump reports whether x moved the mocks' shared clock (the clock
// step's PUT {maskinporten}mock/clock), and where to, as ClockOffset says
// it: the views show it as a note, not as a call, since nobody makes it
// against the real services.
func ClockJump(x client.Exchange) (string, bool) {
	if x.Method != http.MethodPut || !strings.HasSuffix(strings.SplitN(x.URL, "?", 2)[0], "/mock/clock") {
		return "", false
	}
	var body struct {
		Offset *int64 `json:"offset_seconds"`
	}
	if json.Unmarshal([]byte(x.RequestBody), &body) != nil || body.Offset == nil {
		return "", false
	}
	return ClockOffset(time.Duration(*body.Offset) * time.Second), true
}

// ClockOffset says how far the mocks' clock is from the wall clock:
// "+10 min", "−30 s", or "set right" for none.
func ClockOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	switch {
	case d == 0:
		return "set right"
	case d%time.Hour == 0 && d >= 2*time.Hour:
		return fmt.Sprintf("%s%d h", sign, d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%s%d min", sign, d/time.Minute)
	}
	return fmt.Sprintf("%s%d s", sign, d/time.Second)
}
