package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// The system vendor's steps: SmartCloud's key, client, system, request
// for a system user and the look-up of the system user it gets.

// Altinn's scopes the vendor needs for the system register and requests.
var vendorAltinnScopes = []string{
	"altinn:authentication/systemregister.write",
	"altinn:authentication/systemuser.request.write",
	"altinn:authentication/systemuser.request.read",
}

// vendorToken gets (again) SmartCloud's token for Altinn's vendor APIs.
func (r *runCtx) vendorToken(ctx context.Context) error {
	tok, err := r.getToken(ctx, tokenRequest{
		label: "SmartCloud", key: r.set.VendorKey, grant: r.plainGrant(r.state.VendorClientID, vendorAltinnScopes),
	})
	if err == nil {
		r.state.VendorToken, r.state.VendorTokenExpires = tok, r.issuedExpires
	}
	return err
}

// tokenMargin is how long before its expiry a token is replaced: a call
// made with a token about to expire may reach the service after it has.
const tokenMargin = 30 * time.Second

// altinnToken is the vendor token for the next call to Altinn: the one
// the flow has, or a new one when there is none or less than tokenMargin
// of it is left (Maskinporten's tokens live about two minutes; the steps
// of a real flow, and a person's approval, take longer).
func (r *runCtx) altinnToken(ctx context.Context) (string, error) {
	exp := r.state.VendorTokenExpires
	if r.state.VendorToken == "" || (!exp.IsZero() && exp.Sub(r.svc.Now()) < tokenMargin) {
		if r.state.VendorToken != "" {
			r.note("the vendor token expires in %s: getting a new one", exp.Sub(r.svc.Now()).Round(time.Second))
		}
		if err := r.vendorToken(ctx); err != nil {
			return "", err
		}
	}
	return r.state.VendorToken, nil
}

// decisionWait bounds the wait for a person's answer.
const decisionWait = 15 * time.Minute

// waitForDecision polls the request, with growing pauses, until the person
// has answered (or decisionWait passes). The token stays fresh: a new one
// before the old expires, and one after a 401, at most
// client.MaxFreshTokens in a row; then it gives up with what that means.
func (r *runCtx) waitForDecision(ctx context.Context) (client.Request, error) {
	o := client.PollOptions{
		Deadline: r.svc.Now().Add(decisionWait),
		OnStatus: func(q client.Request, next time.Duration) {
			if !client.Final(q.Status) {
				r.note("still %s%s; next check in %s", q.Status, timedOutNote(q), next.Round(time.Second))
			}
		},
		OnRetry: func(err error, next time.Duration) {
			r.note("the status read failed (%s); next try in %s", strings.Join(client.Codes(err), ", "), next.Round(time.Second))
		},
		Token: func(ctx context.Context, fresh bool) (string, error) {
			if fresh {
				r.note("Altinn answered 401: getting a fresh vendor token")
				if err := r.vendorToken(ctx); err != nil {
					return "", err
				}
			}
			return r.altinnToken(ctx)
		},
	}
	poll := r.svc.Requests.Poll
	if r.state.Agent {
		poll = r.svc.Requests.PollAgent
	}
	req, err := poll(ctx, r.state.VendorToken, r.state.RequestID, o)
	if errors.Is(err, client.ErrStillUnauthorized) {
		// A 401 is Altinn's authentication refusing the token before any
		// scope policy (a missing scope is a 403): AUTHN
		// AuthenticationHost.cs L106-126 (altinn-facts.md §1.2).
		return req, fmt.Errorf("Altinn did not accept the vendor token even fresh from Maskinporten, so it is not an expired "+
			"token: Altinn takes tokens only from the Maskinporten of its own environment (tt02: test.maskinporten.no), so check "+
			"that maskinporten.url and altinn.url are of the same environment, and that nothing between (a proxy) strips the "+
			"Authorization header: %w", err)
	}
	return req, err
}

func stepVendorKeys() Step {
	return Step{
		ID: "v-keys", Actor: SystemVendor, Title: "SmartCloud has a key pair",
		Explain: "SmartCloud proves who it is by signing grants with a private key that never leaves " +
			"its servers. The public half, with a key id (kid), is registered on its Maskinporten client.",
		run: func(ctx context.Context, r *runCtx) error {
			k := r.set.VendorKey
			if k.Key == nil {
				return errors.New("no vendor key loaded: set vendor.key_file in the config (workbench keys new makes one)")
			}
			if len(k.CertChain) > 0 {
				r.note("a business certificate, RSA %d bits: the grant carries its chain (x5c), %d certificate(s), and no kid", k.Key.N.BitLen(), len(k.CertChain))
				return nil
			}
			r.note("kid %s, RSA %d bits; public JWK:\n%s", k.KeyID, k.Key.N.BitLen(), k.PublicJWKS().MarshalIndent())
			return nil
		},
	}
}

func stepVendorClient() Step {
	return Step{
		ID: "v-client", Actor: SystemVendor, Title: "SmartCloud registers its Maskinporten client",
		Explain: "In Samarbeidsportalen (or Digdir's self-service API) SmartCloud creates a Maskinporten " +
			"client with the scopes it needs: Altinn's system register and request scopes and " +
			"Skatteetaten's API scope, and uploads its public key.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			id := r.set.ClientID
			if r.state.Agent && r.set.AgentClientID != "" {
				// Altinn ties a client id to one system (AUTH.VLD-00004).
				id = r.set.AgentClientID
			}
			if id != "" {
				r.state.VendorClientID = id
				r.note("using the client made in Samarbeidsportalen: %s", id)
				return nil
			}
			c, err := r.svc.SelfService.CreateClient(ctx, client.OIDCClient{
				ClientName: r.set.VendorName + " – " + r.set.SystemID, ClientOrgNo: r.set.VendorOrgNo,
				Scopes: append(append([]string{}, vendorAltinnScopes...), r.set.Scope),
			})
			if err != nil {
				return err
			}
			r.state.VendorClientID = c.ClientID
			r.note("client_id %s", c.ClientID)
			if len(r.set.VendorKey.CertChain) > 0 {
				// A client with a registered key must sign with its kid
				// (Digdir oidc_api_admin.md L172): one that uses a
				// business certificate registers none.
				r.note("no key registered: SmartCloud signs with its business certificate (x5c)")
				return nil
			}
			return r.svc.SelfService.UploadJWKS(ctx, c.ClientID, r.set.VendorKey.PublicJWKS())
		},
	}
}

func stepVendorToken() Step {
	return Step{
		ID: "v-token", Actor: SystemVendor, Title: "SmartCloud gets a token for Altinn's vendor APIs",
		Explain: "To register its system and ask customers for system users, SmartCloud needs a plain " +
			"Maskinporten token (no system user yet) with Altinn's system register and request scopes.",
		run: func(ctx context.Context, r *runCtx) error { return r.vendorToken(ctx) },
	}
}

func (r *runCtx) systemID() string {
	if r.state.Agent {
		return r.set.AgentSystemID
	}
	return r.set.SystemID
}

func stepVendorRequest() Step {
	return Step{
		ID: "v-request", Actor: SystemVendor, Title: "SmartCloud asks the customer for a system user",
		Explain: "SmartCloud creates a system user request for the customer's organisation. Altinn " +
			"answers with a confirmUrl: the customer's daglig leder (or the facilitator's client " +
			"administrator, for an agent request) opens it to approve. The same system, org and " +
			"externalRef give back the same request (200) instead of a new one (201), whatever its status.",
		Inputs: []Param{ParamCustomerOrg, ParamExternalRef},
		run:    func(ctx context.Context, r *runCtx) error { return r.createRequest(ctx) },
	}
}

// stepVendorRequestAgain posts the same request again, after time has
// passed: Altinn gives the existing request back (200), timed out or not.
func stepVendorRequestAgain() Step {
	return Step{
		ID: "v-request-2", Actor: SystemVendor, Title: "SmartCloud asks again for the same system user",
		Explain: "SmartCloud posts the same request again: the same system, org and externalRef. " +
			"Altinn answers 200 with the request it has, the same id, even one older than 180 days.",
		Inputs: []Param{ParamCustomerOrg, ParamExternalRef},
		run: func(ctx context.Context, r *runCtx) error {
			before := r.state.RequestID
			if err := r.createRequest(ctx); err != nil {
				return err
			}
			if before != "" && r.state.RequestID != before {
				return fmt.Errorf("Altinn made a new request %s instead of giving back %s", r.state.RequestID, before)
			}
			return nil
		},
	}
}

// createRequest posts the system user request of the scenario, standard
// or agent, and keeps what Altinn answers. A request Altinn gives back
// rejected ends the step with the ways on; with ParamRenew "delete" it is
// deleted and asked for again.
func (r *runCtx) createRequest(ctx context.Context) error {
	tok, err := r.altinnToken(ctx)
	if err != nil {
		return err
	}
	req := client.CreateRequest{
		SystemID: r.state.SystemID, PartyOrgNo: r.state.Param(ParamCustomerOrg),
		ExternalRef: r.state.Param(ParamExternalRef), RedirectURL: r.set.RedirectURL,
		IntegrationTitle: r.set.SystemName + " for " + r.state.Param(ParamCustomerOrg),
	}
	if r.state.Agent {
		req.AccessPackages = []client.AccessPackage{{URN: r.set.AccessPackage}}
	} else {
		req.Rights = []client.Right{client.ResourceRight(r.set.Resource)}
	}
	create := r.svc.Requests.Create
	if r.state.Agent {
		create = r.svc.Requests.CreateAgent
	}
	got, created, err := create(ctx, tok, req)
	if client.HasCode(err, "AUTH-00004") {
		// The customer approved an earlier request: the system
		// user exists, and the flow can go on with it.
		su, lerr := r.svc.SystemUsers.ByQuery(ctx, tok, r.state.SystemID, req.PartyOrgNo, req.ExternalRef)
		if lerr != nil {
			return err
		}
		r.state.SystemUserID, r.state.RequestStatus = su.ID, client.StatusAccepted
		r.note("the system user exists already (%s): nothing to approve", su.ID)
		return nil
	}
	if err != nil {
		return err
	}
	if !created && turnedDown(got.Status) && r.state.Param(ParamRenew) == RenewDelete {
		// The first way on: delete it, then ask again.
		if err := r.svc.Requests.Delete(ctx, tok, got.ID); err != nil {
			return fmt.Errorf("delete the %s request %s: %w", got.Status, got.ID, err)
		}
		r.note("deleted the %s request %s; asking again", got.Status, got.ID)
		if got, created, err = create(ctx, tok, req); err != nil {
			return err
		}
	}
	if !created {
		r.note("a request for this system, org and externalRef exists already (id %s, status %s%s); Altinn gave it back with 200",
			got.ID, got.Status, timedOutNote(got))
		if turnedDown(got.Status) {
			return r.rejected(got)
		}
	}
	r.state.RequestID, r.state.ConfirmURL, r.state.RequestStatus = got.ID, got.ConfirmURL, got.Status
	r.note("confirmUrl: %s", got.ConfirmURL)
	return nil
}

// timedOutNote says that a request reads timedOut, or nothing.
func timedOutNote(q client.Request) string {
	if q.TimedOut {
		return ", timedOut: true"
	}
	return ""
}

func stepVendorPoll() Step {
	return stepVendorCheck("v-poll", "SmartCloud checks the request and finds the system user")
}

// stepVendorCheck reads the request (against a real Altinn: polls it
// until someone has decided) and, once it is Accepted, looks up the system
// user.
func stepVendorCheck(id, title string) Step {
	return Step{
		ID: id, Actor: SystemVendor, Title: title,
		Explain: "SmartCloud polls the request until it is Accepted or Rejected, then looks up the new " +
			"system user. Nothing about the system user goes into SmartCloud's config: the token " +
			"request names only the owner's org number (and externalRef).",
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.RequestID == "" && r.state.SystemUserID != "" {
				r.note("system user %s (made before)", r.state.SystemUserID)
				return nil
			}
			var req client.Request
			var err error
			if r.real() {
				req, err = r.waitForDecision(ctx)
			} else {
				get := r.svc.Requests.Get
				if r.state.Agent {
					get = r.svc.Requests.GetAgent
				}
				var tok string
				if tok, err = r.altinnToken(ctx); err == nil {
					req, err = get(ctx, tok, r.state.RequestID)
				}
			}
			if err != nil {
				return err
			}
			r.state.RequestStatus = req.Status
			r.note("request status: %s, timedOut: %t", req.Status, req.TimedOut)
			if req.TimedOut && req.Status == client.StatusNew {
				r.note("timedOut is a flag, not a status: the request is older than 180 days, still New, and can still be approved")
			}
			if r.real() && turnedDown(req.Status) {
				// Against the mocks the rejected scenario goes on to show
				// what a vendor who ignores the status meets (MP-303).
				return r.rejected(req)
			}
			if req.Status != client.StatusAccepted {
				return nil
			}
			tok, err := r.altinnToken(ctx)
			if err != nil {
				return err
			}
			su, err := r.svc.SystemUsers.ByQuery(ctx, tok, r.state.SystemID, req.PartyOrgNo, req.ExternalRef)
			if err != nil {
				return err
			}
			r.state.SystemUserID = su.ID
			r.note("system user %s (%s) owned by %s", su.ID, su.UserType, su.ReporteeOrgNo)
			if su.ID == req.ID {
				r.note("the system user's id is the request's id: Altinn made the system user from the request")
			}
			return nil
		},
	}
}

func stepVendorDeleteSystem() Step {
	return Step{
		ID: "v-delete", Actor: SystemVendor, Title: "SmartCloud deletes its system from the register",
		Explain: "Deleting a system from the register (a soft delete) takes its system users with it: " +
			"Maskinporten no longer finds them, and Altinn's PDP no longer permits them.",
		run: func(ctx context.Context, r *runCtx) error {
			tok, err := r.altinnToken(ctx)
			if err != nil {
				return err
			}
			return r.svc.Systems.Delete(ctx, tok, r.state.SystemID)
		},
	}
}
