package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// The portal's side of system user requests, as the person's access
// management UI calls it with their Altinn token: the requests waiting for
// an organisation, and the escalation of a request the person may not
// approve (altinn-authentication RequestSystemUserController.cs L465-536,
// L671-716).

// Pending lists the standard requests waiting for orgNo (status New), or
// for agent the agent requests waiting that were escalated; partyID is the
// party the person acts for.
func (q *Requests) Pending(ctx context.Context, personToken string, partyID int, orgNo string, agent bool) ([]Request, error) {
	p := "authentication/api/v1/systemuser/request/" + strconv.Itoa(partyID) + "/" + url.PathEscape(orgNo) + "/pending"
	if agent {
		p = "authentication/api/v1/systemuser/request/agent/" + strconv.Itoa(partyID) + "/" + url.PathEscape(orgNo) + "/pending"
	}
	var out []Request
	_, err := q.doJSON(ctx, call{method: http.MethodGet, path: p, bearer: personToken}, nil, &out)
	return out, err
}

// Escalate passes the request on to those who may approve it for the
// party: Altinn answers true, or false when the person has no relation to
// the party or there is no such request (it never fails for one).
func (q *Requests) Escalate(ctx context.Context, personToken string, partyID int, id string, agent bool) (bool, error) {
	p := "authentication/api/v1/systemuser/request/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id) + "/escalate"
	if agent {
		p = "authentication/api/v1/systemuser/request/agent/" + strconv.Itoa(partyID) + "/" + url.PathEscape(id) + "/escalate"
	}
	var out bool
	_, err := q.doJSON(ctx, call{method: http.MethodPost, path: p, bearer: personToken}, nil, &out)
	return out, err
}

// PortalRequest is the portal's read of a request
// (RequestSystemResponseInternal): the party's id and uuid, and whether
// the person may only escalate it.
type PortalRequest struct {
	ID                           string `json:"id"`
	SystemID                     string `json:"systemId"`
	PartyOrgNo                   string `json:"partyOrgNo"`
	PartyID                      int    `json:"partyId"`
	PartyUUID                    string `json:"partyUuid"`
	Status                       string `json:"status"`
	Escalated                    bool   `json:"escalated"`
	UserMayEscalateButNotApprove bool   `json:"userMayEscalateButNotApprove"`
}

// PortalGet is the portal's read of a request by its id alone (the
// Location of a created request; the agent one for agent), with the
// person's token: a vendor's token gets 403 (POLICY_SCOPE_PORTAL).
func (q *Requests) PortalGet(ctx context.Context, personToken, id string, agent bool) (PortalRequest, error) {
	p := "authentication/api/v1/systemuser/request/" + url.PathEscape(id)
	if agent {
		p = "authentication/api/v1/systemuser/request/agent/" + url.PathEscape(id)
	}
	var out PortalRequest
	_, err := q.doJSON(ctx, call{method: http.MethodGet, path: p, bearer: personToken}, nil, &out)
	return out, err
}
