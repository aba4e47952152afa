package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

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

// Update replaces a system's registration (PUT, the whole body): name,
// description, isVisible, rights, access packages, client ids and redirect
// URLs may change, the id not (SystemRegisterController
// UpdateWholeRegisteredSystem L158-225; altinn-facts.md §7.1). Altinn
// answers 200 {"succeeded": true}.
func (s *SystemRegister) Update(ctx context.Context, token string, sys System) error {
	_, err := s.doJSON(ctx, call{method: http.MethodPut, path: "authentication/api/v1/systemregister/vendor/" + url.PathEscape(sys.ID), bearer: token}, sys, nil)
	return err
}

// ChangeLogEntry is one change of a system in the register (SystemChangeLog):
// create, update, rightsupdate, accesspackageupdate or delete, by which
// organisation and client, and what was sent (changedData, with the C#
// property names: Id, Name, Rights, ...).
type ChangeLogEntry struct {
	SystemInternalID   string          `json:"systemInternalId"`
	ChangedByOrgNumber string          `json:"changedByOrgNumber"`
	ChangeType         string          `json:"changeType"`
	ChangedData        json.RawMessage `json:"changedData,omitempty"`
	ClientID           string          `json:"clientId,omitempty"`
	Created            string          `json:"created"`
}

// ChangeLog reads the system's change log, newest first
// (SystemRegisterController.cs L446-464).
func (s *SystemRegister) ChangeLog(ctx context.Context, token, systemID string) ([]ChangeLogEntry, error) {
	var out []ChangeLogEntry
	_, err := s.doJSON(ctx, call{method: http.MethodGet, path: "authentication/api/v1/systemregister/vendor/" + url.PathEscape(systemID) + "/changelog", bearer: token}, nil, &out)
	return out, err
}
