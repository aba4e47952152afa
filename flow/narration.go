package flow

import (
	"strings"

	"github.com/systembruker/workbench/client"
)

// The narration: each step told to a newcomer, with the facts a trainer
// points at while the step runs. Every fact comes from the researched
// spec (shared/spec/altinn-maskinporten.md); the links are the public pages
// of its sources (docs.digdir.no for Digdir's, docs.altinn.studio for
// Altinn's, Skatteetaten's API documentation, the resource registry's
// repository).

// NarrationHeading is the heading above a narration's facts.
const NarrationHeading = "What to point at"

// narration is one step's story: what happens and why, the facts to point
// at, and where to read more.
type narration struct {
	what   string
	points []string
	links  [][2]string // title, URL
}

// markdown renders the narration as Markdown.
func (n narration) markdown() string {
	var b strings.Builder
	b.WriteString(n.what)
	b.WriteString("\n\n### " + NarrationHeading + "\n\n")
	for _, p := range n.points {
		b.WriteString("- " + p + "\n")
	}
	b.WriteString("\nRead more: ")
	for i, l := range n.links {
		if i > 0 {
			b.WriteString(" · ")
		}
		b.WriteString("[" + l[0] + "](" + l[1] + ")")
	}
	b.WriteString("\n")
	return b.String()
}

// Narration is the Markdown narration of the step with the id: a short
// paragraph on what happens and why, the facts to point at, and a link to
// the public documentation. It is empty for an unknown id.
func Narration(stepID string) string {
	n, ok := narrations[stepID]
	if !ok {
		return ""
	}
	return n.markdown()
}

// Narration is the step's narration in Markdown: the scenario file's own
// (a step's narration field), else the built-in one for its id, else the
// one of the built-in step it is made from (a step a trainer gave an id
// of their own).
func (st Step) Narration() string {
	if st.narration != "" {
		return st.narration
	}
	if n := Narration(st.ID); n != "" || st.base == "" {
		return n
	}
	return Narration(st.base)
}

// lifetimePoint and jtiPoint are facts several token steps point at.
const (
	lifetimePoint = "Lifetime: `exp - iat` at most 120 s as documented; the server itself refuses " +
		"more than 180 s. Its clock: an `iat` more than 10 s ahead is refused, an old `iat` is not, " +
		"and `exp` has 10 s of grace."
	jtiPoint = "`jti` is single use: Maskinporten refuses a grant it has seen before " +
		"(MP-012 \"Grant is used before\"), so every token request needs a fresh grant."
)

var narrations = map[string]narration{
	"so-token": {
		what: "Skatteetaten owns the Krav og betalinger API. To set it up in Altinn it first " +
			"authenticates like any organisation: it signs a JWT grant with its own private key and " +
			"trades it at Maskinporten's `/token` for an access token with the resource registry's scope.",
		points: []string{
			"The workbench first reads Maskinporten's `/.well-known/oauth-authorization-server`: " +
				"`issuer`, `token_endpoint`, `jwks_uri`, and the one grant type " +
				"`urn:ietf:params:oauth:grant-type:jwt-bearer`.",
			"The POST to `/token` is `application/x-www-form-urlencoded`: `grant_type` and " +
				"`assertion` (the signed grant). There is no other client authentication.",
			"The grant: `iss` is the client_id, `aud` is Maskinporten's issuer " +
				"(`https://test.maskinporten.no/` in test, trailing slash included), `scope` " +
				"`altinn:resourceregistry/resource.write`.",
			lifetimePoint,
		},
		links: [][2]string{{"Maskinporten: the token request", client.DocMPToken}, {"the JWT grant", client.DocMPGrant}},
	},
	"so-scope": {
		what: "An API protected by Maskinporten has a scope. Skatteetaten creates " +
			"`skatteetaten:kravogbetalinger` and opens it to SmartCloud's organisation, so that " +
			"SmartCloud's client may ask for it.",
		points: []string{
			"The scope is `prefix:subscope`: `skatteetaten:kravogbetalinger`.",
			"A client may ask only for scopes registered on it (MP-200 \"invalid scopes for client\"), " +
				"and its organisation must have been given access (MP-250).",
			"There is no central check that a system's scopes match the rights its system users " +
				"were given: the API must check both, the token's scope and (through Altinn) the rights.",
			"Against the mocks Digdir's self-service API does this; in tt02 Skatteetaten does it in its own environment.",
		},
		links: [][2]string{{"Maskinporten: system users", client.DocMPSystemUser}, {"Krav og betalinger", client.DocKrav}},
	},
	"so-resource": {
		what: "Altinn decides who may use the API through a resource in its resource registry, tied " +
			"to the Maskinporten scope. The resource's policy says which rights and access packages " +
			"give access; a system can only ask for rights that exist as resources.",
		points: []string{
			"The resource id is `ske-krav-og-betalinger`, created at `resourceregistry/api/v1/resource` " +
				"with the scope `altinn:resourceregistry/resource.write`.",
			"`resourceReferences` ties it to the scope: `referenceType` `MaskinportenScope`, " +
				"`reference` `skatteetaten:kravogbetalinger`.",
			"The workbench's policy (XACML, uploaded to `/{id}/policy`) permits `read` to holders of the access package.",
			"The workbench registers it as a `GenericAccessResource` (an assumption: the live definition is not public).",
		},
		links: [][2]string{{"Altinn resource registry", client.DocResourceReg}, {"Altinn: resource owner guide", client.DocPDP}},
	},
	"v-keys": {
		what: "SmartCloud proves who it is by signing grants with a private key that never leaves its " +
			"servers. The public half, with a key id (`kid`), is registered on its Maskinporten client.",
		points: []string{
			"The grant's header has `alg` (`RS256`, `RS384` or `RS512`) and either `kid` (a key " +
				"registered on the client) or `x5c` (a business certificate chain), never both.",
			"Maskinporten checks the signature with the public key registered under that `kid`: " +
				"another key, or an unknown `kid`, is MP-124 \"invalid JWT signature\".",
			"A client with a registered key must use `kid`. A business certificate in `x5c` counts only from an " +
				"approved issuer (Buypass or Commfides; the mocks trust their own test CA instead): a self-signed one " +
				"is MP-120 \"signed with an invalid certificate\".",
			"Registered keys expire after a year (MP-121 \"expired key\").",
		},
		links: [][2]string{{"Maskinporten: the JWT grant", client.DocMPGrant}, {"error codes", client.DocMPErrors}},
	},
	"v-client": {
		what: "In Samarbeidsportalen (or Digdir's self-service API) SmartCloud creates a Maskinporten " +
			"client with the scopes it needs, and uploads its public key.",
		points: []string{
			"Altinn's scopes: `altinn:authentication/systemregister.write`, " +
				"`altinn:authentication/systemuser.request.write` and " +
				"`altinn:authentication/systemuser.request.read`; the API's: `skatteetaten:kravogbetalinger`.",
			"The client_id goes into every grant's `iss`; an unknown one is MP-100 \"client not found\".",
			"The client authenticates with `private_key_jwt`: the signed grant is the authentication.",
			"Altinn ties a client id to one system: client ids must be unique across systems (AUTH.VLD-00004).",
		},
		links: [][2]string{{"Maskinporten: system users", client.DocMPSystemUser}, {"well-known metadata", client.DocMPWellKnown}},
	},
	"v-token": {
		what: "To register its system and ask customers for system users, SmartCloud needs a plain " +
			"Maskinporten token, as itself: no system user yet, just Altinn's vendor scopes.",
		points: []string{
			"No `authorization_details` in this grant: SmartCloud acts for its own organisation.",
			"The token's `consumer` is `{\"authority\": \"iso6523-actorid-upis\", \"ID\": \"0192:<orgno>\"}`; " +
				"Altinn takes the vendor from it (401 AUTH-00023 when it is missing).",
			"`scope` in the token is one space-separated string.",
			"Altinn's system register and request APIs take this raw Maskinporten token; no exchange to an Altinn token is needed.",
		},
		links: [][2]string{{"Maskinporten: the token", client.DocMPToken}, {"Altinn: system user requests", client.DocRequests}},
	},
	"v-system": {
		what: "The system register describes SmartCloud's product: its id, the rights (or, for an " +
			"agent system, access packages) it will ask customers for, and the Maskinporten client " +
			"ids that may act as its system users.",
		points: []string{
			"`POST authentication/api/v1/systemregister/vendor` with scope `altinn:authentication/systemregister.write`; " +
				"409 when the system exists.",
			"`id` is `<vendor orgno>_<name>`, e.g. `991825827_smartcloud` (agent: `991825827_smartcloud_ap`); " +
				"`vendor.ID` starts with `0192:`.",
			"`rights` name resources (`urn:altinn:resource` = `ske-krav-og-betalinger`); an agent system " +
				"lists `accessPackages` instead; with a client-relation package it may not be `isVisible: true` (AUTH.VLD-00018).",
			"`clientId` lists the allowed clients: without SmartCloud's client id here, Maskinporten answers MP-303 later.",
			"A GET gives `vendor` back without `authority`, only `ID`: a quirk of the real API.",
		},
		links: [][2]string{{"Altinn: register a system", client.DocSystemReg}},
	},
	"v-request": {
		what: "SmartCloud asks the customer for a system user: it creates a request for the " +
			"customer's organisation, and Altinn answers with a `confirmUrl` for the person who may approve it.",
		points: []string{
			"`POST authentication/api/v1/systemuser/request/vendor` (an agent request: `/vendor/agent`) " +
				"with scope `altinn:authentication/systemuser.request.write`.",
			"The body: `systemId`, `partyOrgNo`, `rights` (agent: `accessPackages`), `externalRef` " +
				"(defaults to `partyOrgNo`), `redirectUrl` (one of the system's allowed URLs, else AUTH-00021).",
			"201 Created for a new request; the same system, org and `externalRef` give back the " +
				"existing request with 200, whatever its age. A system user that exists already is 400 AUTH-00004.",
			"`status` starts as `New`, `timedOut` as `false`; `confirmUrl` is `https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=<id>&DONTCHOOSEREPORTEE=true` " +
				"in tt02 (agent: `.../agentrequest?id=<id>&DONTCHOOSEREPORTEE=true`). Keys without a value are left out of the JSON.",
			"The answer's `Location` (`.../systemuser/request/<id>`) is the portal's read: a vendor's token " +
				"gets 403 there, and reads `.../request/vendor/<id>` instead.",
			"An agent request without `accessPackages` fails validation; with `\"accessPackages\": []` it is 400 AUTH-00058.",
			"`DELETE .../request/vendor/<id>` deletes any live request, whichever vendor made it (Altinn checks only " +
				"the write scope); an unknown or deleted id is 404 AUTH-00010.",
		},
		links: [][2]string{{"Altinn: system user requests", client.DocRequests}, {"system user guide", client.DocSystemUser}},
	},
	"eu-review": {
		what: "The vendor sends the customer's daglig leder the `confirmUrl`. Altinn's page shows " +
			"which system asks, from which vendor, and which rights it wants, for which organisation.",
		points: []string{
			"The person logs in with ID-porten (TestID in tt02) and sees the request; nothing is created yet.",
			"The request stays `New` until someone decides; one older than 180 days reads `timedOut: true`, still `New`.",
			"Today's `confirmUrl` ends in `&DONTCHOOSEREPORTEE=true`; older examples in the docs leave it out.",
			"Against the mocks a login page with a choice of test person stands in for ID-porten; like the real " +
				"page it keeps a session cookie and takes a decision only from its own form, never from another site.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}, {"system user requests", client.DocRequests}},
	},
	"ca-review": {
		what: "An agent request goes to the facilitator, here an auditor, not to each client: its " +
			"client administrator opens the `confirmUrl` and sees the access package the system asks for.",
		points: []string{
			"The agent `confirmUrl` is `.../accessmanagement/ui/systemuser/agentrequest?id=<id>`.",
			"An agent request carries `accessPackages`, e.g. `urn:altinn:accesspackage:ansvarlig-revisor`, and no `rights`.",
			"`partyOrgNo` is the facilitator's org: the agent system user will be the facilitator's, not a client's.",
		},
		links: [][2]string{{"Altinn: delegate clients", client.DocDelegate}, {"system user guide", client.DocSystemUser}},
	},
	"eu-approve": {
		what: "The person presses Approve (or Reject). Altinn checks that they may act for the " +
			"organisation and, on approval, creates the system user: from now on SmartCloud's client " +
			"can get tokens for it.",
		points: []string{
			"Approve and reject are portal calls (`.../request/{party}/{requestId}/approve` or `/reject`), not vendor APIs.",
			"The request becomes `Accepted` (or `Rejected`); the browser is then sent to the `redirectUrl`.",
			"Only a `New` request can be decided: anything else is 409 AUTH-00013.",
			"The new system user is `userType` `standard`, owned by the customer (`reporteeOrgNo`); its `id` is the request's `id`.",
			"Altinn lets the person decide after a PDP check (`altinn_access_management` for the organisation); " +
				"against the mocks the DAGL role stands in for it, and without it the answer is 403.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}, {"system user requests", client.DocRequests}},
	},
	"ca-approve": {
		what: "The client administrator approves the agent request. Altinn creates an agent system " +
			"user owned by the facilitator; it can act for no client yet.",
		points: []string{
			"The portal call is `.../request/agent/{party}/{requestId}/approve` (or `/reject`).",
			"The system user is `userType` `agent`; `reporteeOrgNo` is the facilitator's org.",
			"Request statuses: `New`, `Accepted`, `Rejected` (the enum also has `Denied` and `Timedout`, but nothing sets them).",
		},
		links: [][2]string{{"Altinn: delegate clients", client.DocDelegate}, {"system user requests", client.DocRequests}},
	},
	"v-poll": {
		what: "SmartCloud checks the request until it is Accepted or Rejected, then looks up the new " +
			"system user. Nothing about the system user goes into SmartCloud's config: the token " +
			"request names only the owner's org number (and `externalRef`).",
		points: []string{
			"`GET authentication/api/v1/systemuser/request/vendor/{requestId}` with scope " +
				"`altinn:authentication/systemuser.request.read`.",
			"The answer has `timedOut`: `true` on a request older than 180 days, a flag beside `status`, not a status.",
			"The lookup `GET .../systemuser/vendor/byquery?system-id=&orgno=&external-ref=` answers 404 " +
				"unless SmartCloud is the system user's vendor. The system user's `id` is the request's `id`.",
			"The system user's JSON says `reporteeOrgNo` (the owner) and `supplierOrgno` (the vendor, " +
				"lower-case `no`), with `userType` `standard` or `agent`.",
		},
		links: [][2]string{{"Altinn: system user requests", client.DocRequests}, {"the system user API", client.DocSystemUserAPI}},
	},
	"ca-login": {
		what: "The client administrator at the auditor logs in (ID-porten, then Altinn). Against the " +
			"mocks, Altinn's test token generator stands in for the login and gives a personal Altinn token.",
		points: []string{
			"The client delegation API wants an Altinn token: an ID-porten token exchanged at " +
				"`GET authentication/api/v1/exchange/id-porten`.",
			"Its scopes are `altinn:clientdelegations.read` and `altinn:clientdelegations.write`.",
			"The person also needs rights on the resource `altinn_client_administration` for the facilitator: Altinn's PDP checks.",
		},
		links: [][2]string{{"Altinn: client delegation API", client.DocDelegation}, {"delegate clients", client.DocDelegate}},
	},
	"ca-clients": {
		what: "An agent system user can act for the facilitator's clients, but only those the client " +
			"administrator delegates to it. Altinn offers the organisations for which the auditor holds " +
			"the role that the access package needs.",
		points: []string{
			"`GET authentication/api/v1/enduser/systemuser/clients/available?agent=<system user id>`.",
			"Packages map to client roles: `ansvarlig-revisor` and `revisormedarbeider` to revisor (REVI), " +
				"`regnskapsforer-*` to regnskapsfører (REGN), `forretningsforer-eiendom` to forretningsfører.",
			"The answer names the owner (`systemUserInformation.systemUserOwnerOrg`) and each client's " +
				"`clientId` (a party UUID), `clientOrganizationNumber` and `clientOrganizationName`.",
		},
		links: [][2]string{{"Altinn: client delegation API", client.DocDelegation}},
	},
	"ca-delegate": {
		what: "The client administrator adds the client to the agent system user. Nothing changes in " +
			"SmartCloud's token: the client shows up only when Skatteetaten asks Altinn's PDP.",
		points: []string{
			"`POST authentication/api/v1/enduser/systemuser/clients?agent=<uuid>&client=<uuid>` answers `{agent, client}`.",
			"The token is still asked for with `systemuser_org` = the facilitator; `systemuser_id` is the agent system user.",
			"In the PDP request the subject is the system user and the party is the client's org number.",
		},
		links: [][2]string{{"Altinn: client delegation API", client.DocDelegation}, {"MP-303 and agent system users", client.DocMP303}},
	},
	"op-token": {
		what: "Now the daily work. SmartCloud signs a grant whose `authorization_details` name the " +
			"system user's owner. Maskinporten checks the grant, asks Altinn whether that organisation " +
			"has a system user for SmartCloud's system and client, and issues a token that says so.",
		points: []string{
			"`authorization_details` is an array even for one party: " +
				"`[{\"type\": \"urn:altinn:systemuser\", \"systemuser_org\": {\"authority\": \"iso6523-actorid-upis\", \"ID\": \"0192:<orgno>\"}}]`; one party per grant.",
			"`systemuser_org.ID` is the owner: the customer, or for an agent system user the facilitator. " +
				"A client's org there is MP-303.",
			"Behind the scenes Maskinporten calls Altinn's `GET .../systemuser/byExternalId` (scope " +
				"`altinn:maskinporten/systemuser.read`); `externalRef` defaults to the owner's org number.",
			"The token adds `systemuser_id` (an array: take element 0, the system user's id, which is the id " +
				"of the request it was made from) and `system_id`, keeps `systemuser_org`; `consumer` is the vendor.",
			lifetimePoint,
			jtiPoint,
			"`jti` is recommended, not required: a grant without a `jti` is accepted, and nothing stops " +
				"it being posted again (by you, or by whoever copied it) until it expires. So always send a fresh `jti`.",
		},
		links: [][2]string{{"Maskinporten: system users", client.DocMPSystemUser}, {"Altinn: use the token", client.DocUseToken}},
	},
	"op-token-2": {
		what: "SmartCloud asks for a token again, exactly as before, with a fresh grant. But its " +
			"system is gone from the register, and with it the system users Maskinporten looks for.",
		points: []string{
			"The answer is `invalid_altinn_customer_configuration` (MP-303): Altinn could not find or " +
				"validate the system user for the grant.",
			"The same error comes from a system without the client in `clientId`, a wrong " +
				"`systemuser_org`, or a missing `externalRef`.",
			jtiPoint,
		},
		links: [][2]string{{"Altinn: MP-303", client.DocMP303}, {"Maskinporten: error codes", client.DocMPErrors}},
	},
	"op-replay": {
		what: "A grant is good for one token: Maskinporten remembers each grant's `jti` and refuses it " +
			"the second time. Here SmartCloud posts the very same signed grant again.",
		points: []string{
			"The second POST is refused with MP-012 \"Grant is used before\".",
			"The fix is a fresh grant, with a new `jti` (and new `iat` and `exp`), for every token request.",
			lifetimePoint,
		},
		links: [][2]string{{"Maskinporten: the JWT grant", client.DocMPGrant}, {"error codes", client.DocMPErrors}},
	},
	"op-api": {
		what: "SmartCloud calls Krav og betalinger with the token. Skatteetaten verifies the token " +
			"against Maskinporten's keys, asks Altinn's PDP whether this system user may read " +
			"`ske-krav-og-betalinger` for the organisation in the path, and returns the outstanding claims.",
		points: []string{
			"`GET .../kravogbetalinger/v1/regnskapssystem/{orgno}/aapnekrav` with `Authorization: Bearer` " +
				"and the raw Maskinporten token.",
			"The PDP request (`POST authorization/api/v1/authorize`): subject `urn:altinn:systemuser:uuid` = " +
				"`systemuser_id[0]`, resource `urn:altinn:resource` = `ske-krav-og-betalinger`, party " +
				"`urn:altinn:organization:identifier-no` = the org in the path, action `read`.",
			"`Permit` gives the claims; `NotApplicable` or `Deny` gives 403.",
			"For an agent system user the org in the path is a client: the PDP permits only delegated clients.",
			"The other reads, `/krav`, `/innbetalinger` and `/utbetalinger`, take `fraOgMed` and `tilOgMed` " +
				"(YYYY-MM-DD, at most a year apart); JSON is the default, XML on `Accept: application/xml`, anything else KB-008 (406).",
		},
		links: [][2]string{{"Krav og betalinger", client.DocKrav}, {"Altinn: PDP for resource owners", client.DocPDP}},
	},
	"op-api-2": {
		what: "SmartCloud calls the API again with the same token, after the client was taken from " +
			"the agent system user. The token has not changed and is still valid, but the PDP decides " +
			"on every call.",
		points: []string{
			"The PDP now answers `NotApplicable` for the client's org, and Skatteetaten answers 403.",
			"Nothing in the token names the client: only the PDP knows about the delegation.",
		},
		links: [][2]string{{"Altinn: PDP for resource owners", client.DocPDP}, {"client delegation API", client.DocDelegation}},
	},
	"op-wait": {
		what: "Time passes before SmartCloud uses its token. The mocks share one clock, which this " +
			"step moves ten minutes on: the services see the time pass while the workbench does not wait.",
		points: []string{
			"The token's `exp` is now in the past, so the API answers 401.",
			"The mock's tokens live two minutes; the real lifetime depends on the scope " +
				"(Digdir's example says `expires_in: 599`).",
			"The fix is a new token, from a fresh grant, when the old one expires.",
		},
		links: [][2]string{{"Maskinporten: the token", client.DocMPToken}, {"Krav og betalinger", client.DocKrav}},
	},
	"eu-wait": {
		what: "A request waits for the customer. Altinn marks one older than 180 days `timedOut`, " +
			"but that is all it does: the status stays `New`. The mock's request is backdated to show it.",
		points: []string{
			"After 180 days the request reads `timedOut: true`; its `status` is still `New`.",
			"A re-POST for the same system, org and `externalRef` gives the same request back (200, same id).",
			"The person can still approve it: approval checks only that the status is `New`.",
		},
		links: [][2]string{{"Altinn: system user requests", client.DocRequests}},
	},
	"v-request-2": {
		what: "SmartCloud asks again for the same system user, as a vendor does that lost track of its " +
			"request. Altinn answers 200 with the request it already has: the same id, the same `confirmUrl`.",
		points: []string{
			"`POST authentication/api/v1/systemuser/request/vendor` with the same `systemId`, `partyOrgNo` and `externalRef`.",
			"200, not 201: the existing request, even one that reads `timedOut: true`.",
			"So a vendor never needs to delete and remake a request just because it is old.",
		},
		links: [][2]string{{"Altinn: system user requests", client.DocRequests}},
	},
	"v-poll-2": {
		what: "SmartCloud checks the request again: the person approved the old request, and the " +
			"system user exists.",
		points: []string{
			"`status` is `Accepted`; `timedOut` is still `true`, since the request is as old as before.",
			"The system user's `id` is the request's `id`.",
		},
		links: [][2]string{{"Altinn: system user requests", client.DocRequests}, {"the system user API", client.DocSystemUserAPI}},
	},
	"op-token-grace": {
		what: "SmartCloud's grant lives 10 s, as the reference vendor app's do, and reaches Maskinporten " +
			"5 s after its `exp`. Maskinporten still accepts it: it allows `exp` 10 s of clock skew.",
		points: []string{
			"The server refuses a grant only when its clock minus 10 s is past `exp`.",
			"An old `iat` is not refused either: only one more than 10 s ahead of Maskinporten's clock is.",
			lifetimePoint,
		},
		links: [][2]string{{"Maskinporten: the JWT grant", client.DocMPGrant}, {"error codes", client.DocMPErrors}},
	},
	"op-token-late": {
		what: "The same grant, 15 s after its `exp`: past the 10 s of grace, so Maskinporten refuses it.",
		points: []string{
			"The answer is `invalid_grant`, MP-130 \"JWT is expired\".",
			"The fix is a fresh grant right before each token request, on a clock kept by NTP; a short " +
				"lifetime leaves little room for a slow network or a clock that lags.",
		},
		links: [][2]string{{"Maskinporten: error codes", client.DocMPErrors}, {"the JWT grant", client.DocMPGrant}},
	},
	"v-delete": {
		what: "SmartCloud deletes its system from the register. It is a soft delete: the system is marked " +
			"deleted and its Maskinporten client ids are removed, so Maskinporten no longer finds its system users.",
		points: []string{
			"`DELETE authentication/api/v1/systemregister/vendor/{systemId}` marks the system deleted (`isDeleted`).",
			"The next token request for its system users ends in MP-303.",
		},
		links: [][2]string{{"Altinn: system register", client.DocSystemReg}, {"MP-303", client.DocMP303}},
	},
	"ca-remove": {
		what: "The client administrator takes the client away from the agent system user again. " +
			"SmartCloud's token looks the same and is still valid: the change shows only at the next PDP decision.",
		points: []string{
			"`DELETE authentication/api/v1/enduser/systemuser/clients?agent=<uuid>&client=<uuid>`.",
			"Tokens issued before keep working until they expire; every API call is a new PDP decision.",
		},
		links: [][2]string{{"Altinn: client delegation API", client.DocDelegation}, {"delegate clients", client.DocDelegate}},
	},
	"v-change": {
		what: "SmartCloud asks to change what the system user may do: rights (or access packages) to add, " +
			"or to take away. The person approves the change as they approved the system user; until then nothing changes.",
		points: []string{
			"`POST authentication/api/v1/systemuser/changerequest/vendor?correlation-id=<new uuid>&system-user-id=<id>` " +
				"with `requiredRights`, `unwantedRights`, `requiredAccessPackages`, `unwantedAccessPackages`.",
			"The correlation-id is the vendor's own new UUID and becomes the change request's id; the same one " +
				"again gives back the change request (200), and a body that asks for nothing answers `NoChangeNeeded`, stored nowhere.",
			"Only a standard system user can be changed: an agent one is AUTH-00015.",
			"A required right must be one of the system's (AUTH-00001); the unwanted ones are not checked.",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}, {"system user guide", client.DocSystemUser}},
	},
	"v-change-undo": {
		what: "SmartCloud asks for the right it gave up, back: a change request the other way round, " +
			"with a new correlation-id, which the person approves again.",
		points: []string{
			"The same endpoint, the right now in `requiredRights`.",
			"Approval delegates the right to the system user again; its token does not change.",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}},
	},
	"v-change-poll": {
		what: "SmartCloud reads the change request: `Accepted` once the person approved it.",
		points: []string{
			"`GET authentication/api/v1/systemuser/changerequest/vendor/{id}`, with the request read scope.",
			"The system user's tokens carry no rights: what changed shows at the next PDP decision, the same token or a new one.",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}},
	},
	"eu-change-review": {
		what: "The person opens the change request's confirmUrl, on Altinn's access management pages, and sees " +
			"which system user would get or lose which rights.",
		points: []string{
			"The confirm URL is `.../accessmanagement/ui/systemuser/changerequest?id=<id>&DONTCHOOSEREPORTEE=true`.",
			"As for the first request, the person logs in (ID-porten) and must be allowed to manage access for the organisation.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}},
	},
	"eu-change-approve": {
		what: "The person approves the change (or rejects it). Altinn makes it at once in the system user's " +
			"delegations: rights are given or taken away, and so are access packages.",
		points: []string{
			"The portal's calls are `.../changerequest/{party}/{id}/approve` and `/reject`; a change request no longer New is 409 AUTH-00013.",
			"The token SmartCloud has is not changed or revoked: the PDP decides on every call with what the system user may do now.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}, {"Altinn: PDP for resource owners", client.DocPDP}},
	},
	"eu-login": {
		what: "The customer's daglig leder logs in to the Altinn portal, where the organisation's system users are listed.",
		points: []string{
			"In tt02 the login is ID-porten with a TestID person; the mocks' test token generator stands in for it.",
			"The portal's lists are `GET authentication/api/v1/systemuser/{party}` (standard) and `.../systemuser/agent/{party}`, by party id.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}},
	},
	"eu-delete": {
		what: "The organisation deletes the system user. Maskinporten finds it no more, so SmartCloud's next " +
			"token request is refused; the request it was made from is deleted too, so the same may be asked for again.",
		points: []string{
			"`DELETE authentication/api/v1/systemuser/{party}/{id}` answers 202 with the body `1` (404 with `0` when there is none).",
			"Another party's system user is AUTH-00024; an agent one has its own route (AUTH-00036).",
			"A token issued before stays valid until it expires, but the PDP no longer permits the deleted system user.",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}, {"MP-303", client.DocMP303}},
	},
	"ca-delete": {
		what: "The auditor's daglig leder, who may manage its access, deletes the agent system user in the portal " +
			"(the route asks for access management rights, not client administration). While a client " +
			"is still delegated to it, Altinn refuses: the client delegations must be removed first.",
		points: []string{
			"`DELETE authentication/api/v1/systemuser/agent/{party}/{id}?facilitatorId=<party uuid>` answers 400 " +
				"AUTH-00035 \"The system user has delegations from customer. Remove the delegations before deleting the system user\" " +
				"while a client is delegated; without clients, 200 with no body.",
			"The system user and its client stay, and SmartCloud's tokens still work. But the agent request it was made " +
				"from is gone: Altinn's controller deletes it before it asks whether it may delete the system user.",
			"The workbench follows the researched spec here; Altinn's source at ad4f6f3 (since altinn-authentication " +
				"#1552) deletes the delegations with the system user instead, so check what tt02 does before relying on either.",
		},
		links: [][2]string{{"Altinn: delegate clients", client.DocDelegate}, {"Altinn: client delegation API", client.DocDelegation}},
	},
	"ca-delete-2": {
		what: "The client is removed, so the delete goes through: Altinn deletes the agent system user, and " +
			"Maskinporten finds it no more. SmartCloud's next token request is MP-303.",
		points: []string{
			"The same `DELETE authentication/api/v1/systemuser/agent/{party}/{id}?facilitatorId=<party uuid>` now answers 200 with no body.",
			"The agent request it was made from is deleted too, so SmartCloud may ask for the same again.",
		},
		links: [][2]string{{"Altinn: client delegation API", client.DocDelegation}, {"MP-303", client.DocMP303}},
	},
	"op-token-deleted": {
		what: "SmartCloud asks for a token again, exactly as before, with a fresh grant. But the system user is " +
			"deleted, so Maskinporten finds none for the grant's `systemuser_org`.",
		points: []string{
			"The answer is `invalid_altinn_customer_configuration` (MP-303): Altinn could not find or " +
				"validate the system user for the grant.",
			"SmartCloud's client and system are as they were: only the customer's system user is gone. A new request, " +
				"approved again, gives a new one.",
			jtiPoint,
		},
		links: [][2]string{{"Altinn: MP-303", client.DocMP303}, {"Maskinporten: error codes", client.DocMPErrors}},
	},
	"v-users": {
		what: "SmartCloud lists the system users of its system, page by page: each page's `links.next` leads to the " +
			"next, until a page has none.",
		points: []string{
			"`GET authentication/api/v1/systemuser/vendor/bysystem/{systemId}` takes the system register's scope, not a request scope.",
			"`{\"links\": {\"next\": \"...?token=...\"}, \"data\": [...]}`: a client that reads only `data` of the first page misses the rest.",
			"Altinn's shipped settings page by 50 (its `appsettings.json`; tt02's own value is not public); the mocks' page is small on purpose (`pageSize` in the seed).",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}},
	},
	"eu-change-review-2": {
		what: "The person opens the second change request's confirmUrl: this time the system user would get the right back.",
		points: []string{
			"Each change request has an id of its own, the correlation-id the vendor made, and a confirm URL of its own.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}},
	},
	"eu-change-approve-2": {
		what: "The person approves the second change: the system user has the right again.",
		points: []string{
			"The delegation is made at once; SmartCloud needs no new token.",
		},
		links: [][2]string{{"Altinn: system user guide", client.DocSystemUser}},
	},
	"op-api-3": {
		what: "The same token once more: the PDP permits the system user again, as it has the right again.",
		points: []string{
			"Nothing in the token changed in all three calls: the rights live in Altinn, and the PDP reads them on every call.",
		},
		links: [][2]string{{"Altinn: PDP for resource owners", client.DocPDP}},
	},
	"v-users-2": {
		what: "SmartCloud lists its system users again: the deleted one is gone from the list.",
		points: []string{
			"The list has live system users only; a deleted one is not shown with `isDeleted: true`, it is left out.",
		},
		links: [][2]string{{"Altinn: system user API", client.DocSystemUserAPI}},
	},
}
