package flow

import (
	"context"
	"errors"
	"fmt"
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
		r.state.VendorToken = tok
	}
	return err
}

// waitForDecision polls the request, with growing pauses, until the person
// has answered (or 15 minutes pass), getting a fresh vendor token when the
// old one expires: a person takes longer than a token lives.
func (r *runCtx) waitForDecision(ctx context.Context) (client.Request, error) {
	deadline := r.svc.Now().Add(15 * time.Minute)
	for {
		o := client.PollOptions{
			Deadline: deadline,
			OnStatus: func(q client.Request, next time.Duration) {
				if !client.Final(q.Status) {
					r.note("still %s%s; next check in %s", q.Status, timedOutNote(q), next.Round(time.Second))
				}
			},
		}
		poll := r.svc.Requests.Poll
		if r.state.Agent {
			poll = r.svc.Requests.PollAgent
		}
		req, err := poll(ctx, r.state.VendorToken, r.state.RequestID, o)
		if client.Status(err) == 401 {
			if terr := r.vendorToken(ctx); terr != nil {
				return req, terr
			}
			continue
		}
		return req, err
	}
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

func stepVendorSystem() Step {
	return Step{
		ID: "v-system", Actor: SystemVendor, Title: "SmartCloud registers its system in Altinn",
		Explain: "The system register describes SmartCloud's product: its id (org number + name), the " +
			"rights (or, for an agent system, access packages) it will ask customers for, and the " +
			"Maskinporten client ids allowed to act as its system users. Without the client id here, " +
			"Maskinporten answers MP-303 later.",
		run: func(ctx context.Context, r *runCtx) error {
			sys := client.System{
				ID: r.systemID(), Vendor: client.NewOrgID(r.set.VendorOrgNo),
				Name:        map[string]string{"nb": "SmartCloud", "en": "SmartCloud", "nn": "SmartSky"},
				Description: map[string]string{"nb": "SmartCloud er verdens beste system.", "en": "SmartCloud rocks."},
				ClientID:    []string{r.state.VendorClientID}, IsVisible: true,
				AllowedRedirectURLs: []string{r.set.RedirectURL},
			}
			if r.state.Agent {
				// Client-relation packages may not be on a visible system (AUTH.VLD-00018).
				sys.AccessPackages, sys.IsVisible = []client.AccessPackage{{URN: r.set.AccessPackage}}, false
			} else {
				sys.Rights = []client.Right{client.ResourceRight(r.set.Resource)}
			}
			id, err := r.svc.Systems.Register(ctx, r.state.VendorToken, sys)
			if err := r.ignoreExists(err, "system "+sys.ID); err != nil {
				return err
			}
			if id != "" {
				r.note("internal id %s", id)
			}
			got, err := r.svc.Systems.Get(ctx, r.state.VendorToken, sys.ID)
			if err != nil {
				return err
			}
			if !contains(got.ClientID, r.state.VendorClientID) {
				r.note("warning: the system does not list client %s; tokens will fail with MP-303", r.state.VendorClientID)
			}
			r.state.SystemID = sys.ID
			return nil
		},
	}
}

func stepVendorRequest() Step {
	return Step{
		ID: "v-request", Actor: SystemVendor, Title: "SmartCloud asks the customer for a system user",
		Explain: "SmartCloud creates a system user request for the customer's organisation. Altinn " +
			"answers with a confirmUrl: the customer's daglig leder (or the facilitator's client " +
			"administrator, for an agent request) opens it to approve. The same system, org and " +
			"externalRef give back the same request (200) instead of a new one (201).",
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
// or agent, and keeps what Altinn answers.
func (r *runCtx) createRequest(ctx context.Context) error {
	req := client.CreateRequest{
		SystemID: r.state.SystemID, PartyOrgNo: r.state.Param(ParamCustomerOrg),
		ExternalRef: r.state.Param(ParamExternalRef), RedirectURL: r.set.RedirectURL,
		IntegrationTitle: "SmartCloud for " + r.state.Param(ParamCustomerOrg),
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
	got, created, err := create(ctx, r.state.VendorToken, req)
	if client.HasCode(err, "AUTH-00004") {
		// The customer approved an earlier request: the system
		// user exists, and the flow can go on with it.
		su, lerr := r.svc.SystemUsers.ByQuery(ctx, r.state.VendorToken, r.state.SystemID, req.PartyOrgNo, req.ExternalRef)
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
	if !created {
		r.note("a request for this system, org and externalRef exists already (id %s, status %s%s); Altinn gave it back with 200",
			got.ID, got.Status, timedOutNote(got))
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
				req, err = get(ctx, r.state.VendorToken, r.state.RequestID)
			}
			if err != nil {
				return err
			}
			r.state.RequestStatus = req.Status
			r.note("request status: %s, timedOut: %t", req.Status, req.TimedOut)
			if req.TimedOut && req.Status == client.StatusNew {
				r.note("timedOut is a flag, not a status: the request is older than 180 days, still New, and can still be approved")
			}
			if req.Status != client.StatusAccepted {
				return nil
			}
			su, err := r.svc.SystemUsers.ByQuery(ctx, r.state.VendorToken, r.state.SystemID, req.PartyOrgNo, req.ExternalRef)
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
			return r.svc.Systems.Delete(ctx, r.state.VendorToken, r.state.SystemID)
		},
	}
}
