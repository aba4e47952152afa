package client

import (
	"context"
	"net/http"
	"net/url"
)

// SystemUsers is a client of the system user lookups.
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
