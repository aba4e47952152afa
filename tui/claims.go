package tui

import (
	"strings"

	"github.com/systembruker/workbench/flow"
)

// What a claim means depends on the token it is in: a grant's iss is the
// client, an access token's is Maskinporten; a grant's exp is at most
// 120 s after its iat, a token's is when the API stops taking it. The
// facts are the spec's (§2.2 the grant, §2.5 the issued token, "Token
// exchange" the Altinn token) and maskinporten-facts §3.

// tokenKind is what a token is, for what its claims mean.
type tokenKind int

const (
	kindGrant        tokenKind = iota // a JWT grant a client signs and posts to /token
	kindMaskinporten                  // an access token Maskinporten issued
	kindAltinn                        // an Altinn token exchanged from Maskinporten's
	kindPerson                        // a person's Altinn token (ID-porten's, exchanged)
)

// kindOf tells a token's kind from its label and claims.
func kindOf(t flow.Token) tokenKind {
	switch {
	case isGrant(t.Label):
		return kindGrant
	case t.Claims["urn:altinn:authenticatemethod"] == "maskinporten":
		return kindAltinn
	case t.Claims["urn:altinn:authenticatemethod"] != nil || t.Claims["pid"] != nil ||
		strings.Contains(t.Label, "Altinn token"):
		return kindPerson
	}
	return kindMaskinporten
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

// droppedMeanings say why a grant's claim is not in the token it became.
var droppedMeanings = map[string]string{
	"aud":         "the grant's audience, Maskinporten; a token has aud only for a resource",
	"sub":         "the grant's subject; the token names the client in client_id",
	"externalRef": "the grant's externalRef: the token names the system user by its id",
}

// meaning is what claim k means in a token of the kind.
func meaning(kind tokenKind, k string) string {
	switch kind {
	case kindGrant:
		return grantMeanings[k]
	case kindAltinn:
		return altinnMeanings[k]
	case kindPerson:
		return personMeanings[k]
	}
	return maskinportenMeanings[k]
}

// claimOrder puts the claims in the order a reader follows the flow.
// authorization_details comes first: it is the lesson of the system user
// token.
var claimOrder = []string{
	"authorization_details", "type", "systemuser_org", "externalRef", "systemuser_id", "system_id",
	"scope", "iss", "aud", "sub", "client_id", "client_amr", "consumer", "supplier",
	"urn:altinn:orgNumber", "urn:altinn:authenticatemethod", "urn:altinn:authlevel",
	"pid", "name", "urn:altinn:userid",
	"token_type", "iat", "nbf", "exp", "jti", "sid",
}

func claimRank(k string) int {
	for i, c := range claimOrder {
		if c == k {
			return i
		}
	}
	return len(claimOrder)
}

// isTimeClaim reports whether a claim is a NumericDate.
func isTimeClaim(k string) bool { return k == "iat" || k == "exp" || k == "nbf" }
