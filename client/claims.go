package client

// What the claims of grants and tokens mean, in one line each, for the
// kind of JWT they are in: a grant's iss is the client, an access token's
// is Maskinporten; a grant's exp is at most 120 s after its iat, a token's
// is when the API stops taking it. The facts are the spec's (§2.2 the
// grant, §2.5 the issued token, "Token exchange" the Altinn token) and
// maskinporten-facts §3. The TUI's token panes and `workbench inspect`
// explain claims with these tables, and no others.

// ClaimKind is what a JWT is, for what its claims mean.
type ClaimKind int

// The kinds of JWT the workbench explains.
const (
	GrantClaims        ClaimKind = iota // a JWT grant a client signs and posts to /token
	MaskinportenClaims                  // an access token Maskinporten issued
	AltinnClaims                        // an Altinn token exchanged from Maskinporten's
	PersonClaims                        // a person's Altinn token (ID-porten's, exchanged)
)

// TokenClaimKind tells a token's kind from its claims (a grant is told by
// where it comes from, or by its iss: see workbench inspect).
func TokenClaimKind(claims map[string]any) ClaimKind {
	switch {
	case claims["urn:altinn:authenticatemethod"] == "maskinporten":
		return AltinnClaims
	case claims["urn:altinn:authenticatemethod"] != nil || claims["pid"] != nil:
		return PersonClaims
	}
	return MaskinportenClaims
}

// ClaimMeaning is what claim k means in a JWT of the kind; "" when the
// workbench does not know it.
func ClaimMeaning(kind ClaimKind, k string) string {
	switch kind {
	case GrantClaims:
		return grantMeanings[k]
	case AltinnClaims:
		return altinnMeanings[k]
	case PersonClaims:
		return personMeanings[k]
	}
	return maskinportenMeanings[k]
}

// grantMeanings are the claims of a grant (spec §2.2, §2.3; facts §2.4, §3.1).
var grantMeanings = map[string]string{
	"iss":                   "your client_id: the client that signs the grant",
	"aud":                   "Maskinporten's issuer; another is MP-110",
	"scope":                 "the scopes asked for; each registered on the client (MP-200)",
	"iat":                   "when signed; refused if over 10 s in the future",
	"exp":                   "at most 120 s after iat (the server refuses over 180 s)",
	"nbf":                   "not before; Digdir says nothing of it",
	"jti":                   "the grant's id: it is good for one token (MP-012)",
	"sub":                   "your client_id again; Digdir does not ask for it",
	"resource":              "the API audience asked for (none for Skatteetaten)",
	"consumer_org":          "API delegation, never for a system user",
	"iss_onbehalfof":        "API delegation, never for a system user",
	"authorization_details": "asks for a system user token (one party a grant)",
	"type":                  "asks for a system user; another type is MP-301",
	"systemuser_org":        "the system user's owner: the customer, or for an agent the facilitator (MP-303)",
	"externalRef":           "the request's externalRef, when it is not the org number",
}

// maskinportenMeanings are the claims of Maskinporten's access token (spec
// §2.5; facts §3.2).
var maskinportenMeanings = map[string]string{
	"iss":                   "Maskinporten, which issued and signed it",
	"aud":                   "present only when the grant asked for a resource",
	"scope":                 "the scopes granted; the API checks its own",
	"client_id":             "the client that asked for the token",
	"client_amr":            "private_key_jwt: a grant signed with a key on the client",
	"consumer":              "the client's organisation, always present",
	"supplier":              "API delegation: the organisation acting for the consumer",
	"delegation_source":     "API delegation: where the delegation was made",
	"token_type":            "send it as Authorization: Bearer",
	"iat":                   "when Maskinporten issued it",
	"exp":                   "when the API stops taking it: get a new one, with a new grant",
	"nbf":                   "not before",
	"jti":                   "the token's own id, not the grant's",
	"authorization_details": "the system user the token acts as, found at Altinn",
	"type":                  "a system user token",
	"systemuser_id":         "the system user Altinn found; APIs take [0]",
	"systemuser_org":        "the organisation that owns the system user",
	"system_id":             "the vendor's system in Altinn's system register",
	"externalRef":           "the system user's externalRef",
}

// personMeanings are the claims of a person's Altinn token (from the
// test token generator against the mocks, as from an ID-porten login in
// tt02).
var personMeanings = map[string]string{
	"iss":                           "Altinn's authentication, which issued and signed it",
	"iat":                           "when Altinn issued it",
	"nbf":                           "not before: when Altinn issued it",
	"exp":                           "when it expires",
	"jti":                           "the token's id",
	"scope":                         "what it may be used for",
	"urn:altinn:authenticatemethod": "how the person logged in",
	"urn:altinn:authlevel":          "the security level of that login",
	"urn:altinn:userid":             "the person's user id in Altinn",
	"pid":                           "the person's national identity number (test data)",
	"name":                          "the person's name",
}

// altinnMeanings are the claims of an Altinn token made from a
// Maskinporten token: it copies the claims but aud, iss, client_amr and
// sid.
var altinnMeanings = map[string]string{
	"iss":                           "Altinn's authentication, which issued and signed it",
	"iat":                           "when Altinn issued it",
	"nbf":                           "not before: when Altinn issued it",
	"exp":                           "the Maskinporten token's, copied",
	"jti":                           "the token's id",
	"sid":                           "Altinn's session id, new in this token",
	"scope":                         "what it may be used for",
	"urn:altinn:orgNumber":          "the organisation it speaks for: the consumer",
	"urn:altinn:authenticatemethod": "maskinporten: made from a Maskinporten token",
	"urn:altinn:authlevel":          "the security level: 3 for Maskinporten",
	"client_id":                     "copied from the Maskinporten token",
	"consumer":                      "copied from the Maskinporten token",
	"token_type":                    "copied from the Maskinporten token",
	"authorization_details":         "copied from the Maskinporten token: the system user",
	"type":                          "a system user",
	"systemuser_id":                 "the system user (an array: the PDP takes [0])",
	"systemuser_org":                "the organisation that owns the system user",
	"system_id":                     "the vendor's system in Altinn's system register",
}

// ClaimOrder puts the claims in the order a reader follows the flow.
// authorization_details comes first: it is the lesson of the system user
// token.
var ClaimOrder = []string{
	"authorization_details", "type", "systemuser_org", "externalRef", "systemuser_id", "system_id",
	"scope", "iss", "aud", "sub", "client_id", "client_amr", "consumer", "supplier",
	"urn:altinn:orgNumber", "urn:altinn:authenticatemethod", "urn:altinn:authlevel",
	"pid", "name", "urn:altinn:userid",
	"token_type", "iat", "nbf", "exp", "jti", "sid",
}
