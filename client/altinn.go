package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The Altinn platform's APIs, one small client each. They share a host in
// the real world (platform.tt02.altinn.no) but are separate services with
// separate owners, scopes and error habits.

// Right is one right in a system or request: a resource, optionally an action.
type Right struct {
	Action   string          `json:"action,omitempty"`
	Resource []AttributePair `json:"resource"`
}

// AttributePair is an id/value pair such as urn:altinn:resource.
type AttributePair struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// ResourceRight is the right to one Altinn resource.
func ResourceRight(resource string) Right {
	return Right{Resource: []AttributePair{{ID: "urn:altinn:resource", Value: resource}}}
}

// AccessPackage names an access package.
type AccessPackage struct {
	URN string `json:"urn"`
}

// ResourceRegistry is a client of Altinn's resource registry.
type ResourceRegistry struct{ Base }

// NewResourceRegistry returns a resource registry client for the Altinn platform at baseURL.
func NewResourceRegistry(baseURL string, hc *http.Client) *ResourceRegistry {
	return &ResourceRegistry{NewBase("altinn", baseURL, hc)}
}

// Resource is the part of a ServiceResource the workbench writes.
type Resource struct {
	Identifier            string              `json:"identifier"`
	Title                 map[string]string   `json:"title"`
	Description           map[string]string   `json:"description,omitempty"`
	RightDescription      map[string]string   `json:"rightDescription,omitempty"`
	Status                string              `json:"status,omitempty"`
	ResourceType          string              `json:"resourceType"`
	Delegable             bool                `json:"delegable"`
	Visible               bool                `json:"visible"`
	HasCompetentAuthority CompetentAuthority  `json:"hasCompetentAuthority"`
	ResourceReferences    []ResourceReference `json:"resourceReferences,omitempty"`
}

// CompetentAuthority is the service owner of a resource.
type CompetentAuthority struct {
	Organization string            `json:"organization"`
	OrgCode      string            `json:"orgcode,omitempty"`
	Name         map[string]string `json:"name,omitempty"`
}

// ResourceReference ties a resource to e.g. a Maskinporten scope.
type ResourceReference struct {
	ReferenceSource string `json:"referenceSource"`
	Reference       string `json:"reference"`
	ReferenceType   string `json:"referenceType"`
}

// Create registers a resource.
func (r *ResourceRegistry) Create(ctx context.Context, token string, res Resource) error {
	_, err := r.doJSON(ctx, call{method: http.MethodPost, path: "resourceregistry/api/v1/resource", bearer: token}, res, nil)
	return err
}

// Get reads a resource.
func (r *ResourceRegistry) Get(ctx context.Context, id string) (json.RawMessage, error) {
	var out json.RawMessage
	_, err := r.doJSON(ctx, call{method: http.MethodGet, path: "resourceregistry/api/v1/resource/" + url.PathEscape(id)}, nil, &out)
	return out, err
}

// UploadPolicy sets the resource's XACML policy (multipart policyFile).
func (r *ResourceRegistry) UploadPolicy(ctx context.Context, token, id string, xacml []byte) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("policyFile", id+".xml")
	if err == nil {
		_, err = fw.Write(xacml)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return fmt.Errorf("build policy upload: %w", err)
	}
	_, err = r.do(ctx, call{
		method: http.MethodPost, path: "resourceregistry/api/v1/resource/" + url.PathEscape(id) + "/policy",
		bearer: token, body: buf.Bytes(), contentType: mw.FormDataContentType(),
	})
	return err
}

// SystemRegister is a client of Altinn's system register (vendor side).
type SystemRegister struct{ Base }

// NewSystemRegister returns a system register client for the Altinn platform at baseURL.
func NewSystemRegister(baseURL string, hc *http.Client) *SystemRegister {
	return &SystemRegister{NewBase("altinn", baseURL, hc)}
}

// System is a system in the register (RegisterSystemRequest and
// RegisteredSystemResponse share these fields).
type System struct {
	ID                  string            `json:"id"`
	Vendor              OrgID             `json:"vendor"`
	Name                map[string]string `json:"name"`
	Description         map[string]string `json:"description"`
	Rights              []Right           `json:"rights,omitempty"`
	AccessPackages      []AccessPackage   `json:"accessPackages,omitempty"`
	ClientID            []string          `json:"clientId"`
	IsVisible           bool              `json:"isVisible"`
	IsDeleted           bool              `json:"isDeleted,omitempty"`
	AllowedRedirectURLs []string          `json:"allowedRedirectUrls,omitempty"`
}

// Register creates a system and returns its internal id.
func (s *SystemRegister) Register(ctx context.Context, token string, sys System) (string, error) {
	r, err := s.doJSON(ctx, call{method: http.MethodPost, path: "authentication/api/v1/systemregister/vendor", bearer: token}, sys, nil)
	if err != nil {
		return "", err
	}
	var id string
	if json.Unmarshal(r.body, &id) != nil {
		id = strings.Trim(string(r.body), "\" \n")
	}
	return id, nil
}

// Get reads a system.
func (s *SystemRegister) Get(ctx context.Context, token, systemID string) (System, error) {
	var out System
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemregister/vendor/" + url.PathEscape(systemID), bearer: token}, nil, &out)
	return out, err
}

// Delete soft-deletes a system.
func (s *SystemRegister) Delete(ctx context.Context, token, systemID string) error {
	_, err := s.do(ctx, call{method: http.MethodDelete, path: "authentication/api/v1/systemregister/vendor/" + url.PathEscape(systemID), bearer: token})
	return err
}

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
	ConfirmURL       string          `json:"confirmUrl"`
}

// The request statuses.
const (
	StatusNew      = "New"
	StatusAccepted = "Accepted"
	StatusRejected = "Rejected"
	StatusDenied   = "Denied"
	StatusTimedout = "Timedout"
)

func requestPath(agent bool) string {
	if agent {
		return "authentication/api/v1/systemuser/request/vendor/agent"
	}
	return "authentication/api/v1/systemuser/request/vendor"
}

// Create posts a request; created is false when the API answered 200 with
// an existing request for the same system, party and externalRef.
func (q *Requests) Create(ctx context.Context, token string, agent bool, req CreateRequest) (out Request, created bool, err error) {
	r, err := q.doJSON(ctx, call{method: http.MethodPost, path: requestPath(agent), bearer: token}, req, &out)
	return out, err == nil && r.status == http.StatusCreated, err
}

// Get reads a request's status.
func (q *Requests) Get(ctx context.Context, token string, agent bool, id string) (Request, error) {
	var out Request
	_, err := q.doJSON(ctx, call{method: http.MethodGet, path: requestPath(agent) + "/" + url.PathEscape(id), bearer: token}, nil, &out)
	return out, err
}

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

// Portal is what a person does in the Altinn portal, reached over HTTP: log
// in (Altinn's test token generator stands in for ID-porten), open the
// confirm page, approve or reject a request.
type Portal struct{ Base }

// NewPortal returns a portal client for the Altinn platform at baseURL.
func NewPortal(baseURL string, hc *http.Client) *Portal {
	return &Portal{NewBase("altinn", baseURL, hc)}
}

// PersonalToken logs a test person in and returns their Altinn token.
func (p *Portal) PersonalToken(ctx context.Context, pid string, scopes []string) (string, error) {
	q := url.Values{"pid": {pid}}
	if len(scopes) > 0 {
		q.Set("scopes", strings.Join(scopes, " "))
	}
	r, err := p.do(ctx, call{method: http.MethodGet, path: "testtools/personaltoken", query: q})
	if err != nil {
		return "", err
	}
	return strings.Trim(strings.TrimSpace(string(r.body)), `"`), nil
}

// ConfirmPage fetches the page behind a confirmUrl, as the end user's browser would.
func (p *Portal) ConfirmPage(ctx context.Context, confirmURL string) (string, error) {
	r, err := p.do(ctx, call{method: http.MethodGet, path: confirmURL, header: http.Header{"Accept": {"text/html"}}})
	if err != nil {
		return "", err
	}
	return string(r.body), nil
}

// ConfirmAction is what the person on the confirm page does.
type ConfirmAction struct {
	// ConfirmURL is the page; its form posts beside it.
	ConfirmURL string
	RequestID  string
	// PID is the person acting (the page's "logged in as").
	PID     string
	Approve bool
}

// Decide presses Approve or Reject on the confirm page: a form post, as the
// browser sends it. The page answers with a redirect to the vendor's
// redirectUrl (not followed) or a receipt page; the redirect's Location is
// returned.
func (p *Portal) Decide(ctx context.Context, d ConfirmAction) (string, error) {
	u, err := url.Parse(d.ConfirmURL)
	if err != nil {
		return "", fmt.Errorf("confirm URL %q: %w", d.ConfirmURL, err)
	}
	verb := "reject"
	if d.Approve {
		verb = "approve"
	}
	u.RawQuery = ""
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + verb
	form := url.Values{"id": {d.RequestID}, "pid": {d.PID}}
	r, err := p.do(ctx, call{
		method: http.MethodPost, path: u.String(), body: []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded", noRedirect: true,
		header: http.Header{"Accept": {"text/html"}},
	})
	if err != nil {
		return "", pageProblem(err, r)
	}
	return r.header.Get("Location"), nil
}

// ClientDelegation is a client of the client administrator's API for agent
// system users.
type ClientDelegation struct{ Base }

// NewClientDelegation returns a client delegation client for the Altinn platform at baseURL.
func NewClientDelegation(baseURL string, hc *http.Client) *ClientDelegation {
	return &ClientDelegation{NewBase("altinn", baseURL, hc)}
}

const delegationPath = "authentication/api/v1/enduser/systemuser/"

// Client is a client organisation of an agent system user.
type Client struct {
	ClientID               string `json:"clientId"`
	ClientOrganizationNo   string `json:"clientOrganizationNumber"`
	ClientOrganizationName string `json:"clientOrganizationName"`
}

// ClientList is the answer of the clients endpoints.
type ClientList struct {
	Data []Client `json:"data"`
}

// Available lists the clients that may be delegated to the agent.
func (c *ClientDelegation) Available(ctx context.Context, token, agent string) (ClientList, error) {
	var out ClientList
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: delegationPath + "clients/available", query: url.Values{"agent": {agent}}, bearer: token}, nil, &out)
	return out, err
}

// Delegated lists the clients delegated to the agent.
func (c *ClientDelegation) Delegated(ctx context.Context, token, agent string) (ClientList, error) {
	var out ClientList
	_, err := c.doJSON(ctx, call{method: http.MethodGet, path: delegationPath + "clients", query: url.Values{"agent": {agent}}, bearer: token}, nil, &out)
	return out, err
}

// Add delegates the client (its party uuid) to the agent.
func (c *ClientDelegation) Add(ctx context.Context, token, agent, client string) error {
	_, err := c.do(ctx, call{method: http.MethodPost, path: delegationPath + "clients", query: url.Values{"agent": {agent}, "client": {client}}, bearer: token})
	return err
}

// Remove takes the client away from the agent.
func (c *ClientDelegation) Remove(ctx context.Context, token, agent, client string) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: delegationPath + "clients", query: url.Values{"agent": {agent}, "client": {client}}, bearer: token})
	return err
}

// Authentication is a client of Altinn's token exchange.
type Authentication struct{ Base }

// NewAuthentication returns a token exchange client for the Altinn platform at baseURL.
func NewAuthentication(baseURL string, hc *http.Client) *Authentication {
	return &Authentication{NewBase("altinn", baseURL, hc)}
}

// Exchange swaps a Maskinporten token for an Altinn token.
func (a *Authentication) Exchange(ctx context.Context, maskinportenToken string) (string, error) {
	r, err := a.do(ctx, call{method: http.MethodGet, path: "authentication/api/v1/exchange/maskinporten", bearer: maskinportenToken})
	if err != nil {
		return "", err
	}
	return strings.Trim(strings.TrimSpace(string(r.body)), `"`), nil
}

var authCodeRE = regexp.MustCompile(`\b(AUTH|STD)(\.VLD)?-\d{5}\b`)

// pageProblem reads an Altinn portal error page (the portal answers a
// browser with HTML, not problem+json) into a ProblemError with the code
// the page shows.
func pageProblem(err error, r *response) error {
	if r == nil || !isHTML(r.header.Get("Content-Type"), r.body) {
		return err
	}
	return &ProblemError{
		Service: "altinn", Status: r.status, Code: authCodeRE.FindString(string(r.body)),
		Title: "the portal page says: " + pageText(r.body),
	}
}

var headRE = regexp.MustCompile(`(?is)<head.*?</head>|<script.*?</script>|<style.*?</style>`)

// pageText is the visible text of an HTML page, shortened.
func pageText(b []byte) string {
	s := headRE.ReplaceAllString(string(b[:min(len(b), 16384)]), " ")
	s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
