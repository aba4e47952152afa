package client

import (
	"sort"
	"strings"
)

// Explanation says what an error code means, its likely cause, the fix,
// and the public page that documents it.
type Explanation struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Cause string `json:"cause"`
	Fix   string `json:"fix"`
	Doc   string `json:"doc"`
}

// The public documentation pages the explanations and the narration
// point at.
const (
	DocMPErrors      = "https://docs.digdir.no/docs/Maskinporten/maskinporten_feilsoking"
	DocMPGrant       = "https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant"
	DocMPToken       = "https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token"
	DocMPSystemUser  = "https://docs.digdir.no/docs/Maskinporten/maskinporten_func_systembruker"
	DocMPWellKnown   = "https://docs.digdir.no/docs/Maskinporten/maskinporten_func_wellknown"
	DocMP303         = "https://docs.altinn.studio/authorization/guides/system-vendor/system-user/troubleshooting/errors/mp-303-error/"
	DocUseToken      = "https://docs.altinn.studio/authorization/guides/system-vendor/system-user/usetoken/"
	DocSystemUser    = "https://docs.altinn.studio/authorization/guides/system-vendor/system-user/"
	DocSystemReg     = "https://docs.altinn.studio/api/authentication/systemuserapi/systemregister/create/"
	DocRequests      = "https://docs.altinn.studio/api/authentication/systemuserapi/systemuserrequest/external/"
	DocSystemUserAPI = "https://docs.altinn.studio/api/authentication/systemuserapi/systemuser/external/"
	DocDelegation    = "https://docs.altinn.studio/api/authentication/systemuserapi/clientdelegation/"
	DocDelegate      = "https://docs.altinn.studio/authorization/guides/end-user/system-user/delegate-clients/"
	DocPDP           = "https://docs.altinn.studio/authorization/guides/resource-owner/"
	DocKrav          = "https://skatteetaten.github.io/api-dokumentasjon/api/kravogbetalinger"
	DocResourceReg   = "https://github.com/Altinn/altinn-resource-registry"
)

// The MP-303 explanation, shared with its error value: Maskinporten may
// send either without the other.
const (
	mp303Cause = "Altinn found no system user for the grant: the request is not approved yet (or was rejected); " +
		"the grant's client (iss: vendor.client_id, or vendor.agent_client_id for the agent system, `token --agent`) " +
		"is not one the system in the register lists; systemuser_org is not the owner (for an agent system user " +
		"it must be the facilitator, not the client); or externalRef does not match the request's."
	mp303Fix = "Check the request's status; sign with the client id the system lists (clientId in the register); " +
		"put the owner's org in systemuser_org; send the externalRef the request was made with."
)

var explanations = func() map[string]Explanation {
	list := []Explanation{
		// Maskinporten.
		{"MP-011", "Invalid parameter value in the grant", "The token request or the grant has a malformed value: no assertion, a claim of the wrong type, a resource that is not a string or list.", "Post grant_type and assertion form-encoded; check each claim's type against the grant documentation.", DocMPGrant},
		{"MP-012", "Grant is used before", "The grant's jti was seen before: the same signed grant was posted twice (a retry, a cached assertion). Maskinporten remembers a grant by its jti, which Digdir documents as recommended, not required: a grant without a jti is not refused, and so can be replayed (posted again) until it expires; only the jti stops that.", "Sign a fresh grant, with a new random jti, for every token request; always send a jti.", DocMPErrors},
		{"MP-100", "Client not found / client authentication failed", "The grant's iss is not a Maskinporten client in this environment: a typo in the client id, or a test client used against production (or the reverse).", "Set vendor.client_id (or WORKBENCH_CLIENT_ID; vendor.agent_client_id for the agent system) to the client id Samarbeidsportalen shows for your client: the workbench puts it in the grant's iss. Send the grant to the Maskinporten where the client was made (test.maskinporten.no for a test client).", DocMPErrors},
		{"MP-110", "Invalid aud", "The grant's aud is neither the issuer nor the token endpoint of the Maskinporten it was sent to (often production's in a grant sent to test, or the reverse).", "Set aud to the issuer from the well-known document, e.g. https://test.maskinporten.no/ for test (its token endpoint, https://test.maskinporten.no/token, is accepted too).", DocMPGrant},
		{"MP-120", "Signed with an invalid certificate", "The business certificate in x5c is expired or not yet valid, or its chain does not end at an issuer Maskinporten trusts. A certificate proves an organisation only through that chain: a self-signed one, or one from any other CA, can name any org number, so it proves nothing. Maskinporten trusts business certificates from Buypass and Commfides (test certificates in test, production ones in production); the workbench's mocks trust their own test CA and the seed's trustedCAs instead.", "Use a valid business certificate of the right environment (for the mocks: workbench keys new --certificate --org ORGNO issues one from the test CA), or register a key (kid) on the client instead.", DocMPErrors},
		{"MP-121", "Expired key", "The registered key has expired (keys live a year).", "Make a new key pair, register its public key on the client, and sign with it.", DocMPErrors},
		{"MP-122", "Org number does not match the certificate", "The business certificate belongs to another organisation than the client (its org number, in the subject's organizationIdentifier NTRNO-<orgno> or serialNumber, is not the client's).", "Sign with the certificate of the organisation that owns the client.", DocMPErrors},
		{"MP-123", "Invalid x5c header", "The x5c header is not a JSON array of base64 DER certificates.", "Put the certificate chain in x5c as an array, leaf first.", DocMPGrant},
		{"MP-124", "Invalid JWT signature", "The grant does not verify with the key registered under its kid: signed with another key, or a kid the client does not have.", "Sign with the private half of a key registered on the client, and put that key's kid in the header.", DocMPErrors},
		{"MP-130", "JWT is expired", "The grant's exp is more than 10 s in the past by Maskinporten's clock: it was made too early, posted late, or the clock is wrong.", "Make the grant right before posting it, with exp = iat + at most 120 s, on a clock kept by NTP.", DocMPErrors},
		{"MP-200", "Invalid scopes for the client", "The grant asks for a scope that is not registered on the client.", "Add the scope to the client in Samarbeidsportalen (or the self-service API), or ask only for the client's scopes.", DocMPErrors},
		{"MP-201", "Token request contains scopes not allowed for maskinporten", "The client is set up with an integration type that the scope does not accept (Digdir's troubleshooting page).", "Make a new client with the right integration type (maskinporten).", DocMPErrors},
		{"MP-250", "Consumer has not been granted access to the scope", "The scope's owner has not given your organisation access to it (error forbidden).", "Ask the API owner (here Skatteetaten) to give your organisation access to the scope.", DocMPErrors},
		{"MP-251", "Consumer has not delegated the scope to the supplier", "An API delegation grant names a consumer that has not delegated the scope to you.", "System users do not use consumer_org; drop it, or have the consumer delegate the scope in Altinn.", DocMPErrors},
		{"MP-301", "Unknown authorization_details type", "The grant's authorization_details has a type Maskinporten does not know.", `Use "type": "urn:altinn:systemuser" for a system user.`, DocMPSystemUser},
		{"MP-302", "Unknown fields in authorization_details", "authorization_details holds a field Maskinporten does not know (misspelt, or wrong case).", "Use only type, systemuser_org {authority, ID} and externalRef, spelt exactly so.", DocMPSystemUser},
		{"MP-303", "Invalid authorization details values (invalid_altinn_customer_configuration)", mp303Cause, mp303Fix, DocMP303},
		{"invalid_grant", "Maskinporten refused the grant", "One of the grant's checks failed: the client (iss, MP-100), the key or signature (kid, MP-124), aud (MP-110), the times (exp more than 10 s past: MP-130; an iat more than 10 s ahead of Maskinporten's clock and exp - iat over 180 s carry no documented MP id), a reused jti (MP-012).", "Read error_description (and the MP id in it or in error_uri, when there is one): it names the check. Keep exp - iat at most 120 s, clocks on NTP, a fresh jti per grant, and vendor.client_id and vendor.key_id as registered in Samarbeidsportalen.", DocMPGrant},
		{"invalid_scope", "Maskinporten refused a scope", "A scope the grant asks for is missing, does not exist, or is not registered on the client (MP-200).", "Ask for scopes that exist and are on the client: add the scope to the client in Samarbeidsportalen, and check its spelling with the API owner.", DocMPErrors},
		{"invalid_request", "Malformed token request", "The POST to /token is missing grant_type or assertion, sends one of them twice (RFC 6749 §3.2: a parameter must not be included more than once), or is not form-encoded.", "POST application/x-www-form-urlencoded grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>, each once.", DocMPToken},
		{"invalid_client", "Client authentication failed", "The OAuth error for a client the server does not know or cannot authenticate (RFC 6749 §5.2); Maskinporten itself answers that case with invalid_grant (MP-100).", "Check vendor.client_id (or WORKBENCH_CLIENT_ID) against Samarbeidsportalen, and that the grant goes to the Maskinporten where the client was made.", DocMPErrors},
		{"unsupported_grant_type", "Unsupported grant type", "grant_type has another value than the JWT bearer type (a missing one is invalid_request).", "Send grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, form-encoded.", DocMPToken},
		{"invalid_authorization_details", "Invalid authorization_details", "authorization_details is not an array of one system user object, or has unknown types or fields.", "See MP-301 / MP-302.", DocMPSystemUser},
		{"invalid_altinn_customer_configuration", "Altinn could not find or validate the system user (MP-303)", mp303Cause, mp303Fix, DocMP303},
		{"access_denied", "The self-service API refused", "The scope's prefix belongs to another organisation, or only the scope's owner may give access to it (the mock's self-service answer; Digdir's real error body is not documented).", "Act as the organisation that owns the scope's prefix.", DocMPErrors},
		{"forbidden", "Maskinporten forbids the scope", "Maskinporten's error for MP-250 and MP-251: the organisation has not been given access to the scope.", "Ask the API owner (here Skatteetaten) to give your organisation access to the scope; an API delegation (MP-251) needs the consumer to delegate it.", DocMPErrors},
		{"invalid_token", "The bearer token was not accepted", "The token's signature, issuer or expiry did not check out (WWW-Authenticate says which).", "Get a fresh token from the right Maskinporten (or exchange it, for Altinn's PDP).", DocUseToken},
		{"invalid_client_metadata", "The client registration is not valid", "The self-service API refused the client or key: a scope that does not exist, a key under 2048 bits, a missing kid, or private key members in the upload.", "Register only the public key (kty, kid, n, e) of an RSA key of at least 2048 bits, and existing scopes.", DocMPErrors},
		{"server_error", "Maskinporten could not finish", "Maskinporten could not reach Altinn to look up the system user, or failed itself.", "Try again; if it persists, check Digdir's status page.", DocMPErrors},
		// Altinn problems.
		{"AUTH-00000", "Reportee org number not valid", "The request names an organisation Altinn does not know.", "Check partyOrgNo: nine digits, an organisation in this environment's test data.", DocRequests},
		{"AUTH-00001", "One or more Right not found or not delegable", "A requested right is not among the system's rights, or the request has neither rights nor accessPackages.", "Ask only for rights the system in the register has.", DocRequests},
		{"AUTH-00004", "The system user already exists", "A system user already exists for this system, organisation and externalRef.", "Use it (look it up with byquery), or make a new request with another externalRef.", DocRequests},
		{"AUTH-00010", "The Id does not refer to a Request in our system", "There is no live request with that id (deleted, or of the other kind: standard vs agent), or none for that system, org and externalRef.", "Use the id from the create answer, on the matching endpoint (vendor/{id} or vendor/agent/{id}).", DocRequests},
		{"AUTH-00011", "System not found", "The request names a system id that is not in the register.", "Register the system first, or fix the systemId.", DocSystemReg},
		{"AUTH-00013", "The Status of the Request is not New", "The request was approved or rejected already, so it cannot be decided again (a request that reads timedOut is still New and can be).", "Check the request's status; delete a rejected request and make a new one.", DocRequests},
		{"AUTH-00015", "System user not found", "No system user matches the lookup.", "Check that the request was approved, and the system, org and externalRef of the lookup.", DocSystemUser},
		{"AUTH-00016", "DelegationCheck failed: no access by a delegation of role in ER or Altinn", "Altinn's rights delegation check (altinn-authentication DelegationHelper.cs, Problem.cs DelegationRightMissingRoleAccess) found that the person delegating rights to the system user does not hold, through a role in the Central Coordinating Register (ER) or in Altinn, the rights being delegated. (A person who may not manage access for the party at all gets a bare 403 without a code instead.)", "Have someone approve who holds the rights the system user asks for, e.g. the organisation's daglig leder (DAGL), or ask for rights the person can delegate.", DocSystemUser},
		{"AUTH-00025", "Not an agent request", "The id belongs to a standard request, used on an agent endpoint.", "Use the standard request endpoints (or confirm page) for it.", DocRequests},
		{"AUTH-00028", "Customer not given or not valid", "A client delegation call lacks the client, or names one that is not valid.", "Give the client's party UUID from the list of available clients.", DocDelegation},
		{"AUTH-00058", "No AccessPackages found, an Agent SystemUser must have at least one", "An agent request has \"accessPackages\": [] (without the key at all it fails model validation instead).", "Name at least one of the agent system's access packages.", DocRequests},
		{"AUTH-00059", "No AccessPackages or Single Rights found, a SystemUser must have at least one", "A standard request has empty rights and empty accessPackages.", "Ask for at least one right or access package of the system.", DocRequests},
		{"AUTH-00063", "Access package not in the system", "A requested access package is not among the system's accessPackages (the answer's NotFoundPackages names it), or the agent system user being delegated a client has none.", "Ask only for packages the system in the register has; add the package to the system first.", DocRequests},
		{"AUTH-00064", "Access package cannot be delegated (standard)", "A standard request asks for a package meant for client relations (e.g. ansvarlig-revisor) or one that cannot be delegated further (NotDelegablePackages names it).", "Use an agent request for client-relation packages.", DocRequests},
		{"AUTH-00065", "Access package not for client relationships (agent)", "An agent request asks for a package that cannot be delegated to clients, e.g. an administrator package (NotDelegablePackages names it).", "Ask an agent system user only for packages that work through client delegation.", DocRequests},
		{"AUTH-00066", "The request requires logged in user to have accessmanager write", "The person reading the request in the portal may not manage access for its organisation, nor has a relation to it.", "Log in as the organisation's daglig leder or an access manager.", DocRequests},
		{"AUTH-00079", "Client not found", "The client is not among the facilitator's clients for the agent system user's access packages.", "Pick a client from clients/available for the agent.", DocDelegation},
		{"AUTH-00080", "Client does not have the access packages the agent system user requires", "The facilitator holds a client role for the client, but not for every access package of the agent system user.", "Delegate the client to an agent system user whose packages match the client relation.", DocDelegation},
		{"AUTH-00041", "Party does not match the request", "The party in the approve/reject path is not the organisation the request is for.", "Decide the request as the organisation it names (partyOrgNo).", DocRequests},
		{"AUTH-00042", "Party does not match the agent request", "The party in the agent approve/reject path is not the facilitator the request is for.", "Decide the agent request as the facilitator it names.", DocRequests},
		{"AUTH-00051", "The delegation of access package to the system user failed", "At approval Altinn could not delegate an access package to the new system user.", "Try again; if it persists, check the package with Altinn.", DocRequests},
		{"AUTH-00021", "Redirect URL not valid", "The request's redirectUrl is not one of the system's allowedRedirectUrls.", "Use one of the system's allowed redirect URLs, or add it to the system.", DocRequests},
		{"AUTH-00023", "Vendor org number not in the token", "The token has no consumer claim (it is not a Maskinporten token of an organisation).", "Call with a Maskinporten token of the vendor.", DocRequests},
		{"AUTH-00026", "The system has no redirect URLs", "The request has a redirectUrl but the system has no allowedRedirectUrls.", "Add allowedRedirectUrls to the system, or leave redirectUrl out.", DocRequests},
		{"AUTH-00030", "Agent request not found", "The portal's approve or reject of an agent request names an id that is no live agent request (the vendor's agent reads answer AUTH-00010 instead).", "Open the agent request's own confirmUrl (…/agentrequest?id=<id>) with the id from the agent create answer.", DocRequests},
		{"STD-00000", "One or more validation errors occurred", "The body failed validation; validationErrors lists each problem with its path.", "Fix each listed field (see the AUTH.VLD codes).", DocSystemReg},
		{"AUTH.VLD-00000", "Vendor org number not valid", "vendor.ID does not start with 0192: and a nine-digit org number.", `Write the vendor as {"authority": "iso6523-actorid-upis", "ID": "0192:<orgno>"}.`, DocSystemReg},
		{"AUTH.VLD-00001", "System id not in the format orgnumber_name", "The system id does not start with the vendor's org number and an underscore.", "Name the system <vendor org no>_<name>, e.g. 991825827_smartcloud.", DocSystemReg},
		{"AUTH.VLD-00002", "The system id already exists", "A system with this id is registered (perhaps by an earlier run).", "Use the existing system (PUT to update it) or choose another id.", DocSystemReg},
		{"AUTH.VLD-00003", "One or more resources specified in rights were not found in Altinn's resource register", "A right names a resource that is not in the resource registry.", "Use resource ids from the resource registry, e.g. ske-krav-og-betalinger.", DocSystemReg},
		{"AUTH.VLD-00004", "Client id already used", "A Maskinporten client id is already tied to another system.", "Use a client per system, or remove it from the other system.", DocSystemReg},
		{"AUTH.VLD-00005", "Redirect URL not valid", "An allowed redirect URL is not an absolute https URL.", "Use absolute https URLs.", DocSystemReg},
		{"AUTH.VLD-00006", "Duplicate rights", "The same right is listed twice.", "List each right once.", DocSystemReg},
		{"AUTH.VLD-00007", "Duplicate access packages", "The same access package is listed twice.", "List each access package once.", DocSystemReg},
		{"AUTH.VLD-00008", "Access package not found or not delegable", "An access package URN is unknown, or cannot be delegated.", "Use a URN from Altinn's list of access packages, e.g. urn:altinn:accesspackage:ansvarlig-revisor.", DocSystemReg},
		{"AUTH.VLD-00009", "Resource id in the wrong format", "A right's resource attribute id is not urn:altinn:resource.", `Write rights as {"resource": [{"id": "urn:altinn:resource", "value": "<resource id>"}]}.`, DocSystemReg},
		{"AUTH.VLD-00011", "Duplicate client ids", "The system's clientId list has the same id twice.", "List each client id once.", DocSystemReg},
		{"AUTH.VLD-00012", "System id in body and URL differ", "An update names another system in the body than in the URL.", "Use the same system id in both.", DocSystemReg},
		{"AUTH.VLD-00014", "Agent missing or not found", "The agent query parameter is missing, or names no system user.", "Pass agent=<the agent system user's id>.", DocDelegation},
		{"AUTH.VLD-00015", "Not an agent system user", "Clients can be delegated only to a system user of type agent.", "Use the agent system user (made from an agent request with access packages).", DocDelegation},
		{"AUTH.VLD-00016", "Client missing or not valid", "The client query parameter is missing or invalid.", "Pass client=<the client's party UUID> from the available clients.", DocDelegation},
		{"AUTH.VLD-00017", "Resource not delegable", "A right names a resource whose type cannot be delegated to a system user.", "Ask the resource's owner, or choose a delegable resource.", DocSystemReg},
		{"AUTH.VLD-00013", "System id has spaces", "The system id contains whitespace.", "Remove the spaces.", DocSystemReg},
		{"AUTH.VLD-00018", "Client-relation access packages on a visible system", "An agent (client) system with access packages for client relations must not be visible.", `Set "isVisible": false on agent systems.`, DocSystemReg},
		// PDP decisions.
		{"Permit", "The PDP permits the access", "The system user has the right for the organisation.", "Nothing to fix.", DocUseToken},
		{"NotApplicable", "No policy rule applies", "The system user has no right for this resource and organisation: a standard system user asked for another org, or an agent system user for a client that is not delegated to it, or without the access package.", "Check the org in the API call; for an agent system user, have the client administrator delegate the client.", DocDelegation},
		{"Deny", "The PDP denies the access", "A rule denies the access.", "Check the resource's policy with its owner.", DocPDP},
		{"Indeterminate", "The PDP could not decide", "The decision request is malformed (e.g. more than one subject for a system user).", "Send one AccessSubject with urn:altinn:systemuser:uuid.", DocPDP},
	}
	list = append(list, systemUserCodes...)
	list = append(list, skatteetatenAndHTTP...)
	m := make(map[string]Explanation, len(list))
	for _, e := range list {
		m[strings.ToUpper(e.Code)] = e
	}
	return m
}()

// systemUserCodes explain the codes of a system user's later life: its
// deletion and change requests (altinn-authentication at ad4f6f3,
// src/Core/Problems/Problem.cs; SystemUserService.cs, ChangeRequestSystemUserService.cs).
var systemUserCodes = []Explanation{
	{"AUTH-00024", "you don't have rights to delete this systemuser", "The party in the delete's path is not the system user's owner (SystemUserService.SetDeleteFlagOnSystemUser, DeleteAgentSystemUser).", "Delete it as its owner: the party id of the organisation that approved it.", DocSystemUserAPI},
	{"AUTH-00034", "The system user is not an agent", "A client delegation call, or the agent delete route, names a standard system user.", "Use DELETE systemuser/{party}/{id} for a standard system user; delegate clients only to an agent one.", DocDelegation},
	{"AUTH-00035", "The system user has delegations from customer. Remove the delegations before deleting the system user", "The agent system user being deleted still has clients delegated to it: Altinn refuses the delete (400) while a delegation is left (its problem AgentSystemUser_HasDelegations, code 35).", "Remove each client first (the client administrator's DELETE enduser/systemuser/clients?agent=...&client=..., or in the portal), then delete the agent system user again.", DocDelegate},
	{"AUTH-00036", "The system user is not a standard one", "DELETE systemuser/{party}/{id} names an agent system user.", "Delete an agent system user with DELETE systemuser/agent/{party}/{id}?facilitatorId=<the party's uuid>.", DocSystemUserAPI},
	{"AUTH-00012", "An error occured when storing the Request", "Altinn could not store a new system user request (it answers 404, oddly). (A change request that cannot be stored is a 500 instead.)", "Try again; if it persists, report it to Altinn with the traceId.", DocRequests},
	{"AUTH-00061", "The change request is no longer New", "The change request's correlation-id is the id of another vendor's change request that was already approved or rejected (Altinn checks the id's status before it stores a new one). The same vendor's correlation-id gives its change request back with 200 instead.", "Generate a new correlation-id (a fresh UUID) for each new change request.", DocSystemUserAPI},
	{"AUTH-00007", "The id refers to a pending request", "A change request's correlation-id is the id of another vendor's change request that is still New: Altinn's status check of the id refuses it.", "Generate a new correlation-id (a fresh UUID, RFC 4122) for each change request.", DocSystemUserAPI},
	{"NoChangeNeeded", "The change request asks for nothing", "A change request with all four lists empty: Altinn answers 200 with status NoChangeNeeded and stores nothing; there is nothing to confirm.", "Name the rights or access packages to add (required) or take away (unwanted).", DocSystemUserAPI},
}

// skatteetatenAndHTTP explain Krav og betalinger's codes and the bare
// HTTP failures.
var skatteetatenAndHTTP = []Explanation{
	// Skatteetaten: the titles are its table's (Feilkoder, Skatteetaten/api-dokumentasjon
	// docs/api/kravogbetalinger.md), in English.
	{"KB-001", "Unexpected error in the service", "Krav og betalinger failed itself.", "Try again later; give Skatteetaten the korrelasjonsid if it persists.", DocKrav},
	{"KB-002", "Unexpected error in a back-end system", "A system behind the API failed (the mock answers it when Altinn's PDP cannot be reached).", "Try again later; give Skatteetaten the korrelasjonsid if it persists.", DocKrav},
	{"KB-003", "Unknown URL", "The path is not an endpoint of the API, often a base URL without or with a path it should not have.", "Check the base URL and the path: {base}v1/{rettighetspakke}/{orgno}/aapnekrav.", DocKrav},
	{"KB-004", "Authentication error", "The bearer token is missing, not from Maskinporten, expired, or lacks the API's issuer.", "Send a fresh Maskinporten system user token as Authorization: Bearer.", DocKrav},
	{"KB-005", "Error with the consent token", "Documented for the consent token of the finans package; the mock also answers it when a system user token lacks the scope or the system user, or Altinn's PDP did not permit the system user for the organisation (which code the real API gives then is not documented).", "Ask for skatteetaten:kravogbetalinger with the system user; for an agent, delegate the client.", DocKrav},
	{"KB-006", "Input validation error", "A value in the request did not validate: a malformed organisation number, or for /krav, /innbetalinger and /utbetalinger a missing or malformed fraOgMed or tilOgMed, a tilOgMed before fraOgMed, or a period longer than a year (which code the real API gives for these is not documented: the mock answers KB-006).", "Check the path and query: nine-digit org number; fraOgMed and tilOgMed as YYYY-MM-DD, at most a year apart.", DocKrav},
	{"KB-007", "No claims or payments found for the identifier and period", "Nothing of the kind read lies in the period for the organisation.", "Check the period and the org; try a wider period (at most a year).", DocKrav},
	{"KB-008", "Data format error: only JSON or XML is supported", "The Accept header asks for another format than JSON or XML (status 406).", "Send Accept: application/json or application/xml, or none (JSON).", DocKrav},
	{"KB-009", "No match for the identifier", "The party or rights package identifier is not known (the mock answers it for a rights package other than regnskapssystem).", "Use regnskapssystem for system users, and a known organisation.", DocKrav},
	// HTTP and transport.
	{"HTTP 401", "Not authenticated", "No token, or one the service does not accept (expired, wrong issuer, not exchanged).", "Send a valid token of the kind the service wants.", DocUseToken},
	{"HTTP 403", "Not allowed", "The token is valid but lacks a scope, belongs to another org, or the PDP said no.", "Check the token's scope and consumer, and the system user's rights.", DocUseToken},
	{"HTTP 404", "Not found", "The URL or the object does not exist.", "Check the id and the base URL.", DocSystemUser},
	{"HTTP 409", "Conflict", "The object's state does not allow this (e.g. a request that is no longer New).", "Read the code in the answer; start from a fresh object.", DocRequests},
	{"transport", "No HTTP answer", "The service could not be reached: DNS, refused connection, timeout or TLS.", "Check the URL, the network, and that the service (or workbench serve) runs.", DocSystemUser},
}

// ExplainCode returns the explanation of a code (case-insensitive).
func ExplainCode(code string) (Explanation, bool) {
	e, ok := explanations[strings.ToUpper(strings.TrimSpace(code))]
	return e, ok
}

// ExplainErr returns the explanations of every code the error carries,
// most specific first.
func ExplainErr(err error) []Explanation {
	var out []Explanation
	for _, c := range Codes(err) {
		if e, ok := ExplainCode(c); ok {
			out = append(out, e)
		}
	}
	return out
}

// ExplainedCodes lists every code with an explanation, sorted.
func ExplainedCodes() []string {
	var codes []string
	for _, e := range explanations {
		codes = append(codes, e.Code)
	}
	sort.Strings(codes)
	return codes
}
