package client

import (
	"context"
	"net/http"
	"net/url"
)

// Requests is a client of the vendor's system user request API.
type Requests struct{ Base }

// NewRequests returns a system user request client for the Altinn platform at baseURL.
func NewRequests(baseURL string, hc *http.Client) *Requests {
	return &Requests{NewBase("altinn", baseURL, hc)}
}

// CreateRequest is a request for a system user (standard: rights; agent:
// access packages).
type CreateRequest struct {
	ExternalRef      string          `json:"externalRef,omitempty"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	IntegrationTitle string          `json:"integrationTitle,omitempty"`
	Rights           []Right         `json:"rights,omitempty"`
	AccessPackages   []AccessPackage `json:"accessPackages,omitempty"`
	RedirectURL      string          `json:"redirectUrl,omitempty"`
}

// Request is a system user request as the API answers it.
type Request struct {
	ID               string          `json:"id"`
	ExternalRef      string          `json:"externalRef"`
	SystemID         string          `json:"systemId"`
	PartyOrgNo       string          `json:"partyOrgNo"`
	IntegrationTitle string          `json:"integrationTitle,omitempty"`
	Rights           []Right         `json:"rights,omitempty"`
	AccessPackages   []AccessPackage `json:"accessPackages,omitempty"`
	Status           string          `json:"status"`
	RedirectURL      string          `json:"redirectUrl,omitempty"`
	ConfirmURL       string          `json:"confirmUrl,omitempty"`
	Created          string          `json:"created,omitempty"`
	// TimedOut is set on a request older than 180 days. It is a flag, not a
	// status: the status stays New and the request can still be approved
	// (altinn-authentication RequestRepository.cs L471-476).
	TimedOut bool `json:"timedOut"`
}

// The request statuses Altinn writes. Its enum also has Denied and
// Timedout, but no code sets them (RequestStatus.cs; spec Corrections 4);
// Denied is kept so that a client recognises it as an end state.
const (
	StatusNew      = "New"
	StatusAccepted = "Accepted"
	StatusRejected = "Rejected"
	StatusDenied   = "Denied"
)

// Create posts a standard request (rights); created is false when the API
// answered 200 with an existing request for the same system, party and
// externalRef.
func (q *Requests) Create(ctx context.Context, token string, req CreateRequest) (out Request, created bool, err error) {
	r, err := q.doJSON(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemuser/request/vendor", bearer: token}, req, &out)
	return out, err == nil && r.status == http.StatusCreated, err
}

// CreateAgent posts an agent request (access packages, for a facilitator
// that serves clients); created as for Create.
func (q *Requests) CreateAgent(ctx context.Context, token string, req CreateRequest) (out Request, created bool, err error) {
	r, err := q.doJSON(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemuser/request/vendor/agent", bearer: token}, req, &out)
	return out, err == nil && r.status == http.StatusCreated, err
}

// Get reads a standard request's status.
func (q *Requests) Get(ctx context.Context, token, id string) (Request, error) {
	var out Request
	_, err := q.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/request/vendor/" + url.PathEscape(id), bearer: token}, nil, &out)
	return out, err
}

// GetAgent reads an agent request's status.
func (q *Requests) GetAgent(ctx context.Context, token, id string) (Request, error) {
	var out Request
	_, err := q.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemuser/request/vendor/agent/" + url.PathEscape(id), bearer: token}, nil, &out)
	return out, err
}

// Delete soft-deletes a request (standard or agent: the route has no type
// filter). Altinn answers 202, or 404 AUTH-00010 for an id that is unknown
// or deleted already (RequestSystemUserService L818-827); there is no
// ownership check (altinn-facts.md §3.12).
func (q *Requests) Delete(ctx context.Context, token, id string) error {
	_, err := q.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/systemuser/request/vendor/" + url.PathEscape(id), bearer: token})
	return err
}

// maxPages bounds how many pages of a list are followed: Altinn's change
// request list repeats its first page for ever (altinn-facts.md §1.5).
const maxPages = 20

// page is Altinn's paginated list: {"links": {"next": URL}, "data": [...]}.
type page[T any] struct {
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
	Data []T `json:"data"`
}

// BySystem lists the system's live standard requests, every status,
// following links.next (at most maxPages pages).
func (q *Requests) BySystem(ctx context.Context, token, systemID string) ([]Request, error) {
	return listPages[Request](ctx, q.Base, token, "authentication/api/v1/systemuser/request/vendor/bysystem/"+url.PathEscape(systemID))
}

// AgentBySystem lists the system's live agent requests.
func (q *Requests) AgentBySystem(ctx context.Context, token, systemID string) ([]Request, error) {
	return listPages[Request](ctx, q.Base, token, "authentication/api/v1/systemuser/request/vendor/agent/bysystem/"+url.PathEscape(systemID))
}

func listPages[T any](ctx context.Context, b Base, token, path string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	for n := 0; path != "" && n < maxPages && !seen[path]; n++ {
		seen[path] = true
		var p page[T]
		if _, err := b.doJSON(ctx, call{method: http.MethodGet, path: path, bearer: token}, nil, &p); err != nil {
			return all, err
		}
		all = append(all, p.Data...)
		path = p.Links.Next
	}
	return all, nil
}
