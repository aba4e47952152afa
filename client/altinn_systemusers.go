package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// SystemUsers is a client of the system users: the vendor's lookups and
// list, and the portal's lists, read and delete.
type SystemUsers struct{ Base }

// NewSystemUsers returns a system user client for the Altinn platform at baseURL.
func NewSystemUsers(baseURL string, hc *http.Client) *SystemUsers {
	return &SystemUsers{NewBase("altinn", baseURL, hc)}
}

// SystemUser is the external SystemUser JSON.
type SystemUser struct {
	ID               string `json:"id"`
	IntegrationTitle string `json:"integrationTitle"`
	SystemID         string `json:"systemId"`
	ProductName      string `json:"productName"`
	ReporteeOrgNo    string `json:"reporteeOrgNo"`
	Created          string `json:"created"`
	IsDeleted        bool   `json:"isDeleted"`
	SupplierName     string `json:"supplierName"`
	SupplierOrgNo    string `json:"supplierOrgno"`
	ExternalRef      string `json:"externalRef"`
	UserType         string `json:"userType"`
}

// ByQuery is the vendor's lookup of its system user for a customer.
func (s *SystemUsers) ByQuery(ctx context.Context, token, systemID, orgNo, externalRef string) (SystemUser, error) {
	q := url.Values{"system-id": {systemID}, "orgno": {orgNo}}
	if externalRef != "" {
		q.Set("external-ref", externalRef)
	}
	var out SystemUser
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/vendor/byquery", query: q, bearer: token}, nil, &out)
	return out, err
}

// BySystem lists the vendor's system users of the system, standard and
// agent, following links.next to the last page (at most maxPages): the
// token needs the system register's scope (systemregister.write or
// .admin), not a request scope (altinn-authentication
// SystemUserController.cs L284-326).
func (s *SystemUsers) BySystem(ctx context.Context, token, systemID string) ([]SystemUser, error) {
	return listPages[SystemUser](ctx, s.Base, token, "authentication/api/v1/systemuser/vendor/bysystem/"+url.PathEscape(systemID))
}

// FirstPage is the first page of the vendor's list of the system's
// system users, and the link to the next page ("" on the last).
func (s *SystemUsers) FirstPage(ctx context.Context, token, systemID string) ([]SystemUser, string, error) {
	var p page[SystemUser]
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/vendor/bysystem/" + url.PathEscape(systemID), bearer: token}, nil, &p)
	return p.Data, p.Links.Next, err
}

// PartySystemUser is a system user as the portal's lists answer it
// (SystemUserInternalDTO): the external keys, the owner's party id, the
// packages, and for one read of a standard system user its rights.
type PartySystemUser struct {
	SystemUser
	SystemInternalID string          `json:"systemInternalId"`
	PartyID          string          `json:"partyId"`
	AccessPackages   []AccessPackage `json:"accessPackages"`
	Rights           []Right         `json:"rights,omitempty"`
}

// ForParty lists the party's (party id) standard system users, or its
// agent ones, as the person sees them in the portal.
func (s *SystemUsers) ForParty(ctx context.Context, personToken string, partyID int, agent bool) ([]PartySystemUser, error) {
	p := "authentication/api/v1/systemuser/" + strconv.Itoa(partyID)
	if agent {
		p = "authentication/api/v1/systemuser/agent/" + strconv.Itoa(partyID)
	}
	var out []PartySystemUser
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: p, bearer: personToken}, nil, &out)
	return out, err
}

// Get reads one of the party's system users, with its rights.
func (s *SystemUsers) Get(ctx context.Context, personToken string, partyID int, id string) (PartySystemUser, error) {
	var out PartySystemUser
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id), bearer: personToken}, nil, &out)
	return out, err
}

// Delete is the person's delete of a standard system user of the party:
// 202 (SystemUserController.cs L192-212); the request it was made from is
// deleted with it, so the same system, org and externalRef may be asked
// for again.
func (s *SystemUsers) Delete(ctx context.Context, personToken string, partyID int, id string) error {
	_, err := s.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/systemuser/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id), bearer: personToken})
	return err
}

// DeleteAgent is the person's delete of an agent system user of the
// party, its client delegations with it (SystemUserController.cs
// L617-631); facilitatorID is the party's uuid.
func (s *SystemUsers) DeleteAgent(ctx context.Context, personToken string, partyID int, id, facilitatorID string) error {
	q := url.Values{}
	if facilitatorID != "" {
		q.Set("facilitatorId", facilitatorID)
	}
	_, err := s.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/systemuser/agent/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id), query: q, bearer: personToken})
	return err
}
