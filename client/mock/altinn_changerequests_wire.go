package mock

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The change requests' wire types: the vendor's body and the answers
// (AUTHN ad4f6f3 src/Core/Models/SystemUsers/ChangeRequestSystemUser.cs,
// ChangeRequestResponse.cs, ChangeRequestResponseInternal.cs).

// altinnChangeRequestBody is ChangeRequestSystemUser
// (ChangeRequestSystemUser.cs L16-61): a list left out is [] (its
// initialiser). The lists are non-nullable in a project with
// <Nullable>enable</Nullable> (Altinn.Platform.Authentication.Core.csproj
// L6), so MVC's implicit [Required] for non-nullable reference types
// refuses an explicit null before the action runs: a validation problem
// naming the property. nulls lists those sent as null.
type altinnChangeRequestBody struct {
	RequiredRights         []altinnRight   `json:"requiredRights"`
	UnwantedRights         []altinnRight   `json:"unwantedRights"`
	RequiredAccessPackages []altinnPackage `json:"requiredAccessPackages"`
	UnwantedAccessPackages []altinnPackage `json:"unwantedAccessPackages"`
	RedirectURL            *string         `json:"redirectUrl"`
	nulls                  []string
}

// UnmarshalJSON reads the body and notes the lists sent as null (keys in
// any case, as System.Text.Json matches them in ASP.NET's web defaults).
func (b *altinnChangeRequestBody) UnmarshalJSON(data []byte) error {
	type plain altinnChangeRequestBody
	if err := json.Unmarshal(data, (*plain)(b)); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for _, name := range []string{"RequiredRights", "UnwantedRights", "RequiredAccessPackages", "UnwantedAccessPackages"} {
		for k, v := range raw {
			if strings.EqualFold(k, name) && string(bytes.TrimSpace(v)) == "null" {
				b.nulls = append(b.nulls, name)
			}
		}
	}
	return nil
}

// altinnChangeRequestJSON is ChangeRequestResponse (ChangeRequestResponse.cs
// L17-121), keys in its order; the four lists are always there.
type altinnChangeRequestJSON struct {
	ID                     string          `json:"id"`
	ExternalRef            string          `json:"externalRef"`
	SystemID               string          `json:"systemId"`
	SystemUserID           string          `json:"systemUserId"`
	PartyOrgNo             string          `json:"partyOrgNo"`
	RequiredRights         []altinnRight   `json:"requiredRights"`
	UnwantedRights         []altinnRight   `json:"unwantedRights"`
	RequiredAccessPackages []altinnPackage `json:"requiredAccessPackages"`
	UnwantedAccessPackages []altinnPackage `json:"unwantedAccessPackages"`
	Status                 string          `json:"status"`
	RedirectURL            *string         `json:"redirectUrl,omitempty"`
	ConfirmURL             *string         `json:"confirmUrl,omitempty"`
	Created                string          `json:"created"`
	TimedOut               bool            `json:"timedOut"`
}

// altinnChangeRequestInternalJSON is ChangeRequestResponseInternal, the
// portal's read (CRS CheckUserAuthorizationAndGetRequest L890-962): the
// party's id and uuid, no created ([JsonIgnore]) and no timedOut.
type altinnChangeRequestInternalJSON struct {
	ID                     string          `json:"id"`
	ExternalRef            string          `json:"externalRef"`
	SystemID               string          `json:"systemId"`
	SystemUserID           string          `json:"systemUserId"`
	PartyOrgNo             string          `json:"partyOrgNo"`
	PartyID                int             `json:"partyId"`
	PartyUUID              string          `json:"partyUuid"`
	RequiredRights         []altinnRight   `json:"requiredRights"`
	UnwantedRights         []altinnRight   `json:"unwantedRights"`
	RequiredAccessPackages []altinnPackage `json:"requiredAccessPackages"`
	UnwantedAccessPackages []altinnPackage `json:"unwantedAccessPackages"`
	Status                 string          `json:"status"`
	RedirectURL            *string         `json:"redirectUrl,omitempty"`
}
