package tui

import (
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
)

// What a claim means depends on the token it is in (client/claims.go holds
// the tables): a grant's iss is the client, an access token's is
// Maskinporten.

// tokenKind is what a token is, for what its claims mean: the client
// package's kinds, whose tables `workbench inspect` reads too.
type tokenKind = client.ClaimKind

const (
	kindGrant        = client.GrantClaims        // a JWT grant a client signs and posts to /token
	kindMaskinporten = client.MaskinportenClaims // an access token Maskinporten issued
	kindAltinn       = client.AltinnClaims       // an Altinn token exchanged from Maskinporten's
	kindPerson       = client.PersonClaims       // a person's Altinn token (ID-porten's, exchanged)
)

// claimOrder puts the claims in the order a reader follows the flow.
var claimOrder = client.ClaimOrder

// kindOf tells a token's kind from its label and claims.
func kindOf(t flow.Token) tokenKind {
	switch {
	case isGrant(t.Label):
		return kindGrant
	case strings.Contains(t.Label, "Altinn token") && t.Claims["urn:altinn:authenticatemethod"] != "maskinporten":
		return kindPerson
	}
	return client.TokenClaimKind(t.Claims)
}

// droppedMeanings say why a grant's claim is not in the token it became.
var droppedMeanings = map[string]string{
	"aud":         "the grant's audience, Maskinporten; a token has aud only for a resource",
	"sub":         "the grant's subject; the token names the client in client_id",
	"externalRef": "the grant's externalRef: the token names the system user by its id",
}

// meaning is what claim k means in a token of the kind.
func meaning(kind tokenKind, k string) string { return client.ClaimMeaning(kind, k) }

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
