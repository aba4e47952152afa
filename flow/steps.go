package flow

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/systembruker/workbench/client"
)

// The steps of the flow. Each is built by a function so scenarios can vary
// one (its expectation, its inputs) without copying the rest.

// Altinn's scopes the vendor needs for the system register and requests.
var vendorAltinnScopes = []string{
	"altinn:authentication/systemregister.write",
	"altinn:authentication/systemuser.request.write",
	"altinn:authentication/systemuser.request.read",
}

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
	at, verr := client.VerifyAccessToken(res.AccessToken, r.state.JWKS, r.state.Issuer, r.svc.Now())
	r.token(Token{Label: label + " access token", DecodedJWT: at.DecodedJWT})
	if verr != nil {
		return "", fmt.Errorf("Maskinporten's token did not verify against its own key set: %w", verr)
	}
	return res.AccessToken, nil
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
		req, err := r.svc.Requests.Poll(ctx, r.state.VendorToken, r.state.Agent, r.state.RequestID, client.PollOptions{
			Deadline: deadline,
			OnStatus: func(q client.Request, next time.Duration) {
				if !client.Final(q.Status) {
					r.note("still %s; next check in %s", q.Status, next.Round(time.Second))
				}
			},
		})
		if client.Status(err) == 401 {
			if terr := r.vendorToken(ctx); terr != nil {
				return req, terr
			}
			continue
		}
		return req, err
	}
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

func stepServiceOwnerToken() Step {
	return Step{
		ID: "so-token", Actor: ServiceOwner, Title: "Skatteetaten gets a Maskinporten token",
		Explain: "Skatteetaten owns the Krav og betalinger API. To set it up in Altinn it authenticates " +
			"like any organisation: it signs a JWT grant with its own key and trades it at Maskinporten's " +
			"/token for an access token with the resource registry scope.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("its own Maskinporten client and token") {
				return nil
			}
			tok, err := r.getToken(ctx, tokenRequest{
				label: "Skatteetaten", key: r.set.ServiceOwnerKey,
				grant: r.plainGrant(r.set.ServiceOwnerClientID, []string{"altinn:resourceregistry/resource.write"}),
			})
			r.state.ServiceOwnerToken = tok
			return err
		},
	}
}

func stepServiceOwnerScope() Step {
	return Step{
		ID: "so-scope", Actor: ServiceOwner, Title: "Skatteetaten creates the API scope",
		Explain: "An API protected by Maskinporten has a scope. Skatteetaten creates " +
			"skatteetaten:kravogbetalinger and gives SmartCloud's organisation access to it, so " +
			"SmartCloud's client may ask for it.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("the scope " + r.set.Scope + ", open to " + r.set.VendorOrgNo) {
				return nil
			}
			prefix, sub, _ := strings.Cut(r.set.Scope, ":")
			_, err := r.svc.SelfService.CreateScope(ctx, client.Scope{
				Prefix: prefix, Subscope: sub, Description: "Krav og betalinger", OwnerOrgNo: r.set.ServiceOwnerOrgNo,
			})
			if err := r.ignoreExists(err, "scope "+r.set.Scope); err != nil {
				return err
			}
			return r.svc.SelfService.GrantScopeAccess(ctx, r.set.ServiceOwnerOrgNo, r.set.Scope, r.set.VendorOrgNo)
		},
	}
}

func stepServiceOwnerResource() Step {
	return Step{
		ID: "so-resource", Actor: ServiceOwner, Title: "Skatteetaten registers the resource in Altinn",
		Explain: "Altinn decides who may use the API through a resource in its resource registry, tied " +
			"to the Maskinporten scope. Its policy says which rights and access packages give access; " +
			"a system user can only be given rights that exist as resources.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("the resource " + r.set.Resource + " tied to " + r.set.Scope) {
				return nil
			}
			err := r.svc.Resources.Create(ctx, r.state.ServiceOwnerToken, client.Resource{
				Identifier:   r.set.Resource,
				Title:        map[string]string{"nb": "Krav og betalinger", "en": "Claims and payments"},
				Description:  map[string]string{"nb": "Åpne krav, innbetalinger og utbetalinger hos Skatteetaten"},
				ResourceType: "GenericAccessResource", Status: "Completed", Delegable: true, Visible: true,
				HasCompetentAuthority: client.CompetentAuthority{Organization: r.set.ServiceOwnerOrgNo, OrgCode: "skd"},
				ResourceReferences: []client.ResourceReference{{
					ReferenceSource: "ExternalPlatform", Reference: r.set.Scope, ReferenceType: "MaskinportenScope",
				}},
			})
			if err := r.ignoreExists(err, "resource "+r.set.Resource); err != nil {
				return err
			}
			return r.svc.Resources.UploadPolicy(ctx, r.state.ServiceOwnerToken, r.set.Resource, Policy(r.set.Resource, r.set.AccessPackage))
		},
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
		run: func(ctx context.Context, r *runCtx) error {
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
			got, created, err := r.svc.Requests.Create(ctx, r.state.VendorToken, r.state.Agent, req)
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
				r.note("a request for this system, org and externalRef exists already (status %s); Altinn gave it back", got.Status)
			}
			r.state.RequestID, r.state.ConfirmURL, r.state.RequestStatus = got.ID, got.ConfirmURL, got.Status
			r.note("confirmUrl: %s", got.ConfirmURL)
			return nil
		},
	}
}

// person is who acts on the confirm page: the end user, or for an agent
// request the facilitator's client administrator.
func (r *runCtx) person() (pid, name string) {
	if r.state.Agent {
		return r.set.ClientAdminPID, r.set.ClientAdminName
	}
	return r.set.EndUserPID, r.set.EndUserName
}

func stepReview(actor Actor) Step {
	return Step{
		ID: stepPrefix(actor) + "-review", Actor: actor, Title: "Opens the confirm URL", Person: PersonReview,
		Explain: "The vendor sends the person the confirmUrl. Altinn's page shows which system asks, from " +
			"which vendor, and which rights or access packages it wants, for which organisation.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.ConfirmURL == "" {
				if r.state.SystemUserID != "" {
					r.note("nothing to review: the system user exists already")
					return nil
				}
				return errors.New("no confirmUrl yet: run the vendor's request step first")
			}
			if r.real() {
				_, name := r.person()
				r.note("send this to %s, who opens it in a browser and logs in with ID-porten (TestID in tt02):\n%s", name, r.state.ConfirmURL)
				return nil
			}
			page, err := r.svc.Portal.ConfirmPage(ctx, r.state.ConfirmURL)
			if err != nil {
				return err
			}
			if !strings.Contains(page, r.state.SystemID) && !strings.Contains(page, "SmartCloud") {
				r.note("the page does not name the system %s", r.state.SystemID)
			}
			return nil
		},
	}
}

func stepDecide(actor Actor) Step {
	return Step{
		ID: stepPrefix(actor) + "-approve", Actor: actor, Title: "Approves (or rejects) the request", Person: PersonDecide,
		Explain: "The person presses Approve (or Reject). Altinn checks that they may act for the " +
			"organisation (daglig leder, or client administrator at the facilitator) and, on approval, " +
			"creates the system user: from now on SmartCloud's client can get tokens for it.",
		Manual: true, Inputs: []Param{ParamDecision},
		run: func(ctx context.Context, r *runCtx) error {
			pid, name := r.person()
			if r.state.RequestID == "" && r.state.SystemUserID != "" {
				r.note("nothing to decide: the system user exists already")
				return nil
			}
			if r.real() {
				r.note("waiting for %s to approve or reject in the Altinn portal", name)
				req, err := r.waitForDecision(ctx)
				if err != nil {
					return err
				}
				r.state.RequestStatus = req.Status
				r.note("%s answered: %s", name, req.Status)
				return nil
			}
			approve := r.state.Param(ParamDecision) != "reject"
			loc, err := r.svc.Portal.Decide(ctx, client.ConfirmAction{
				ConfirmURL: r.state.ConfirmURL, RequestID: r.state.RequestID, PID: pid, Approve: approve,
			})
			if err != nil {
				return err
			}
			verb := "approved"
			if !approve {
				verb = "rejected"
			}
			r.note("%s %s the request", name, verb)
			if loc != "" {
				r.note("the browser is sent on to %s", loc)
			}
			return nil
		},
	}
}

func stepPrefix(a Actor) string {
	if a == ClientAdmin {
		return "ca"
	}
	return "eu"
}

func stepVendorPoll() Step {
	return Step{
		ID: "v-poll", Actor: SystemVendor, Title: "SmartCloud checks the request and finds the system user",
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
				req, err = r.svc.Requests.Get(ctx, r.state.VendorToken, r.state.Agent, r.state.RequestID)
			}
			if err != nil {
				return err
			}
			r.state.RequestStatus = req.Status
			r.note("request status: %s", req.Status)
			if req.Status != client.StatusAccepted {
				return nil
			}
			su, err := r.svc.SystemUsers.ByQuery(ctx, r.state.VendorToken, r.state.SystemID, req.PartyOrgNo, req.ExternalRef)
			if err != nil {
				return err
			}
			r.state.SystemUserID = su.ID
			r.note("system user %s (%s) owned by %s", su.ID, su.UserType, su.ReporteeOrgNo)
			return nil
		},
	}
}

func stepAdminLogin(s Settings) Step {
	return Step{
		ID: "ca-login", Actor: ClientAdmin, Title: s.ClientAdminName + " logs in to Altinn",
		Explain: "The client administrator at the auditor logs in (ID-porten, then Altinn). Against the " +
			"mocks, Altinn's test token generator stands in for the login and gives a personal Altinn token.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.real() {
				r.note("%s logs in to the Altinn portal with ID-porten (TestID in tt02) and picks %s", r.set.ClientAdminName, r.set.FacilitatorName)
				return nil
			}
			tok, err := r.svc.Portal.PersonalToken(ctx, r.set.ClientAdminPID, []string{
				"altinn:portal/enduser", "altinn:clientdelegations.read", "altinn:clientdelegations.write",
			})
			if err != nil {
				return err
			}
			r.state.PersonToken = tok
			if d, err := client.DecodeJWT(tok); err == nil {
				d.VerifyError = "Altinn's own token; Altinn verifies it"
				r.token(Token{Label: "personal Altinn token", DecodedJWT: d})
			}
			return nil
		},
	}
}

func stepAdminAvailable() Step {
	return Step{
		ID: "ca-clients", Actor: ClientAdmin, Title: "Finds the clients the agent may serve",
		Explain: "An agent system user can act for the facilitator's clients, but only those the " +
			"client administrator delegates to it. Altinn offers the organisations for which the " +
			"auditor holds the role that the access package needs (auditor: REVI).",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.SystemUserID == "" {
				return errors.New("no agent system user yet: the request must be approved first")
			}
			if r.real() {
				r.note("in the Altinn portal: Access management → System access → the agent system user → Add customers; %s (%s) should be offered", r.set.CustomerName, r.set.CustomerOrgNo)
				return nil
			}
			list, err := r.svc.Delegation.Available(ctx, r.state.PersonToken, r.state.SystemUserID)
			if err != nil {
				return err
			}
			for _, c := range list.Data {
				r.note("available: %s %s", c.ClientOrganizationNo, c.ClientOrganizationName)
				if c.ClientOrganizationNo == r.set.CustomerOrgNo {
					r.state.ClientPartyUUID = c.ClientID
				}
			}
			if r.state.ClientPartyUUID == "" {
				return fmt.Errorf("%s (%s) is not among the available clients", r.set.CustomerName, r.set.CustomerOrgNo)
			}
			return nil
		},
	}
}

func stepAdminDelegate(s Settings) Step {
	return Step{
		ID: "ca-delegate", Actor: ClientAdmin, Title: "Delegates " + s.CustomerName + " to the agent",
		Explain: "The client administrator adds the client to the agent system user. Nothing changes " +
			"in SmartCloud's token: the client shows up only when Skatteetaten asks Altinn's PDP.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.real() {
				r.note("%s adds %s to the agent system user in the portal; the API call then shows whether it took", r.set.ClientAdminName, r.set.CustomerName)
				return nil
			}
			if err := r.svc.Delegation.Add(ctx, r.state.PersonToken, r.state.SystemUserID, r.state.ClientPartyUUID); err != nil {
				return err
			}
			_, err := r.svc.Delegation.Delegated(ctx, r.state.PersonToken, r.state.SystemUserID)
			return err
		},
	}
}

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
			return err
		},
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
			"ske-krav-og-betalinger for the org in the path, and returns the outstanding claims.",
		Inputs: []Param{ParamAPIOrg},
		Expect: x,
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.AccessToken == "" {
				return errors.New("no system user token yet: run the token step first")
			}
			claims, err := r.svc.Krav.OpenClaims(ctx, r.state.AccessToken, r.set.RightsPackage, r.state.Param(ParamAPIOrg))
			if err != nil {
				return err
			}
			r.note("%d open claims for %s, balance %.2f NOK", len(claims.Claims), claims.PartyID, claims.TotalOverview.Balance)
			return nil
		},
	}
}

// Policy is a minimal XACML 3.0 policy for the resource: system users with
// the right, and holders of the access package, may read it.
func Policy(resource, accessPackage string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<xacml:Policy xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17" PolicyId="urn:altinn:policyid:%[1]s" Version="1.0" RuleCombiningAlgId="urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:deny-overrides">
  <xacml:Target/>
  <xacml:Rule RuleId="urn:altinn:resource:%[1]s:ruleid:1" Effect="Permit">
    <xacml:Description>Holders of the access package may read %[1]s</xacml:Description>
    <xacml:Target>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">%[2]s</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:accesspackage" Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">%[1]s</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:resource" Category="urn:oasis:names:tc:xacml:3.0:attribute-category:resource" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">read</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:oasis:names:tc:xacml:1.0:action:action-id" Category="urn:oasis:names:tc:xacml:3.0:attribute-category:action" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
    </xacml:Target>
  </xacml:Rule>
</xacml:Policy>
`, xmlEscape(resource), xmlEscape(accessPackage)))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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

func stepTimePasses(days int) Step {
	return Step{
		ID: "eu-wait", Actor: EndUser, Title: fmt.Sprintf("Nobody answers for %d days", days),
		Explain: "A request waits for the customer, but not for ever: Altinn treats a request that is " +
			"still New after 180 days as Timedout. The mock's request is backdated to show it.",
		run: func(ctx context.Context, r *runCtx) error {
			return r.svc.Mock.BackdateRequest(ctx, r.state.RequestID, r.svc.Now().AddDate(0, 0, -days))
		},
	}
}

func stepClock(id string, actor Actor, title string, offset time.Duration) Step {
	return Step{
		ID: id, Actor: actor, Title: title,
		Explain: "The mocks share one clock, which this step moves: the services see time pass " +
			"while the workbench does not wait.",
		run: func(ctx context.Context, r *runCtx) error {
			return r.svc.Mock.SetClock(ctx, offset)
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

func stepAdminRemove(s Settings) Step {
	return Step{
		ID: "ca-remove", Actor: ClientAdmin, Title: "Removes " + s.CustomerName + " from the agent",
		Explain: "The client administrator takes the client away again. SmartCloud's token still " +
			"looks the same and is still valid: the change shows only at the next PDP decision.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			return r.svc.Delegation.Remove(ctx, r.state.PersonToken, r.state.SystemUserID, r.state.ClientPartyUUID)
		},
	}
}

// otherKey is a key Maskinporten has never seen, made once (RSA key
// generation is slow) for the wrong-key scenario.
var otherKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
