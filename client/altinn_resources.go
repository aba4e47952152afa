package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
)

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
