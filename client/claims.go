package client

// What the claims of grants and tokens mean, in one line each: the TUI's
// token panes and `workbench inspect` explain claims with this one table.

// ClaimMeanings says in one line what each known claim is for.
var ClaimMeanings = map[string]string{
	"iss":                   "who issued the token: in a grant the client_id, in a token Maskinporten",
	"aud":                   "who the token is for: a grant's aud must be Maskinporten's issuer",
	"scope":                 "what the token may be used for, space separated",
	"client_id":             "the Maskinporten client that asked for the token",
	"client_amr":            "how the client authenticated: private_key_jwt is a grant signed with its key",
	"consumer":              "the organisation the client belongs to, as 0192:orgno",
	"supplier":              "the organisation acting on the consumer's behalf, when delegated",
	"authorization_details": "rich authorization: the system user the token acts as",
	"systemuser_id":         "the system user Altinn found, whose id is its request's id (new in the token)",
	"systemuser_org":        "the organisation that owns the system user",
	"system_id":             "the vendor's system in Altinn's system register (new in the token)",
	"jti":                   "the token's unique id: a grant may be used only once",
	"iat":                   "issued at",
	"exp":                   "expires at: a grant lives at most 120 s",
	"nbf":                   "not valid before",
	"token_type":            "Bearer: send it as Authorization: Bearer <token>",
	"externalRef":           "the vendor's own reference for the system user; defaults to the org number",
	"type":                  "urn:altinn:systemuser asks for a system user token",
	"pid":                   "the person's national identity number (test data)",
	"sub":                   "the subject the token is about",
}

// ClaimOrder puts the claims in the order a reader follows the flow.
// authorization_details comes first: it is the lesson of the system user
// token.
var ClaimOrder = []string{
	"authorization_details", "type", "systemuser_org", "externalRef", "systemuser_id", "system_id",
	"scope", "iss", "aud", "client_id", "client_amr", "consumer", "supplier",
	"token_type", "iat", "nbf", "exp", "jti",
}
