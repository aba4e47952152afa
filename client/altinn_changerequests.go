package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// ChangeRequests is a client of the change requests of a system user: the
// vendor asks for more (or fewer) rights or access packages on a standard
// system user that exists, and the person approves or rejects
// (altinn-authentication ChangeRequestSystemUserController.cs).
type ChangeRequests struct{ Base }

// NewChangeRequests returns a change request client for the Altinn
// platform at baseURL.
func NewChangeRequests(baseURL string, hc *http.Client) *ChangeRequests {
	return &ChangeRequests{NewBase("altinn", baseURL, hc)}
}

// ChangeRequestBody is what a change request asks for (ChangeRequestSystemUser).
type ChangeRequestBody struct {
	RequiredRights         []Right         `json:"requiredRights"`
	UnwantedRights         []Right         `json:"unwantedRights"`
	RequiredAccessPackages []AccessPackage `json:"requiredAccessPackages"`
	UnwantedAccessPackages []AccessPackage `json:"unwantedAccessPackages"`
	RedirectURL            string          `json:"redirectUrl,omitempty"`
}

// ChangeRequest is a change request as the API answers it
// (ChangeRequestResponse).
type ChangeRequest struct {
	ID                     string          `json:"id"`
	ExternalRef            string          `json:"externalRef"`
	SystemID               string          `json:"systemId"`
	SystemUserID           string          `json:"systemUserId"`
	PartyOrgNo             string          `json:"partyOrgNo"`
	RequiredRights         []Right         `json:"requiredRights"`
	UnwantedRights         []Right         `json:"unwantedRights"`
	RequiredAccessPackages []AccessPackage `json:"requiredAccessPackages"`
	UnwantedAccessPackages []AccessPackage `json:"unwantedAccessPackages"`
	Status                 string          `json:"status"`
	RedirectURL            string          `json:"redirectUrl,omitempty"`
	ConfirmURL             string          `json:"confirmUrl,omitempty"`
	Created                string          `json:"created,omitempty"`
	TimedOut               bool            `json:"timedOut"`
}

// StatusNoChangeNeeded is the status of the answer to a change request
// that asks for nothing: it is not stored.
const StatusNoChangeNeeded = "NoChangeNeeded"

// Create posts a change request for the system user; correlationID is a
// new UUID of the vendor's that names the change request from then on
// (not the system user's id). created is false when Altinn answered 200:
// a change request with that correlation id exists (it comes back), or
// the body asks for nothing (StatusNoChangeNeeded).
func (c *ChangeRequests) Create(ctx context.Context, token, correlationID, systemUserID string, body ChangeRequestBody) (out ChangeRequest, created bool, err error) {
	for _, l := range []*[]Right{&body.RequiredRights, &body.UnwantedRights} {
		if *l == nil {
			*l = []Right{}
		}
	}
	for _, l := range []*[]AccessPackage{&body.RequiredAccessPackages, &body.UnwantedAccessPackages} {
		if *l == nil {
			*l = []AccessPackage{}
		}
	}
	q := url.Values{"correlation-id": {correlationID}, "system-user-id": {systemUserID}}
	r, err := c.doJSON(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemuser/changerequest/vendor", query: q, bearer: token}, body, &out)
	return out, err == nil && r.status == http.StatusCreated, err
}

// Get reads a change request's status.
func (c *ChangeRequests) Get(ctx context.Context, token, id string) (ChangeRequest, error) {
	var out ChangeRequest
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/changerequest/vendor/" + url.PathEscape(id), bearer: token}, nil, &out)
	return out, err
}

// ByExternalRef reads a change request by the system, the owner and the
// system user's externalRef. Altinn leaves the package lists out of this
// answer ([]).
func (c *ChangeRequests) ByExternalRef(ctx context.Context, token, systemID, orgNo, externalRef string) (ChangeRequest, error) {
	var out ChangeRequest
	p := "authentication/api/v1/systemuser/changerequest/vendor/byexternalref/" + url.PathEscape(systemID) + "/" + url.PathEscape(orgNo) + "/" + url.PathEscape(externalRef)
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: p, bearer: token}, nil, &out)
	return out, err
}

// BySystem lists the system's change requests, following links.next (at
// most maxPages pages, and never one page twice: Altinn's own list
// answers its first page again and again, altinn-facts.md §1.5).
func (c *ChangeRequests) BySystem(ctx context.Context, token, systemID string) ([]ChangeRequest, error) {
	return listPages[ChangeRequest](ctx, c.Base, token, "authentication/api/v1/systemuser/changerequest/vendor/bysystem/"+url.PathEscape(systemID))
}

// Delete deletes a change request: 202, or 404 AUTH-00010 for one that is
// unknown or deleted already.
func (c *ChangeRequests) Delete(ctx context.Context, token, id string) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/systemuser/changerequest/vendor/" + url.PathEscape(id), bearer: token})
	return err
}

// Approve is the person's approval of the change request for the party
// (party id), through the portal's API; Reject turns it down.
func (c *ChangeRequests) Approve(ctx context.Context, personToken string, partyID int, id string) error {
	_, err := c.do(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemuser/changerequest/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id) + "/approve", bearer: personToken})
	return err
}

// Reject is the person's rejection of the change request.
func (c *ChangeRequests) Reject(ctx context.Context, personToken string, partyID int, id string) error {
	_, err := c.do(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemuser/changerequest/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id) + "/reject", bearer: personToken})
	return err
}

// ForParty is the portal's read of the change request for the party.
func (c *ChangeRequests) ForParty(ctx context.Context, personToken string, partyID int, id string) (ChangeRequest, error) {
	var out ChangeRequest
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/changerequest/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id), bearer: personToken}, nil, &out)
	return out, err
}

// Poll reads the change request until the person has decided (Accepted or
// Rejected), as Requests.Poll reads a request: growing waits, a deadline,
// a fresh token after a 401.
func (c *ChangeRequests) Poll(ctx context.Context, token, id string, o PollOptions) (ChangeRequest, error) {
	var last ChangeRequest
	_, err := poll(ctx, id, token, o, func(ctx context.Context, tok string) (Request, error) {
		cr, err := c.Get(ctx, tok, id)
		if err == nil {
			last = cr
		}
		return Request{ID: cr.ID, Status: cr.Status, SystemID: cr.SystemID, PartyOrgNo: cr.PartyOrgNo}, err
	})
	return last, err
}
