package mock

import (
	"net/http"
	"slices"
	"time"
)

// The system register's change log: every registration, update and delete
// of a system, newest first, at GET systemregister/vendor/{systemId}/changelog
// (Altinn/altinn-authentication at ad4f6f3,
// src/Authentication/Controllers/SystemRegisterController.cs
// GetChangeLogAsync L446-464 and PopulateSystemChangeLog L612-632,
// src/Persistance/RepositoryImplementations/SystemChangeLogRepository.cs
// L31-125, src/Core/Models/SystemRegisters/SystemChangeLog.cs and
// SystemChangeType.cs). Its route is registered with the register's
// (altinn_systems.go).

// The change types as the log writes them (SystemChangeType.cs).
const (
	changeCreate         = "create"
	changeUpdate         = "update"
	changeRights         = "rightsupdate"
	changeAccessPackages = "accesspackageupdate"
	changeDelete         = "delete"
)

// altinnChangeLogEntry is one change of a system. What changed is kept as
// the system's version (create, update; systems are never changed in
// place), or the rights or packages PUT; it is rendered when read.
type altinnChangeLogEntry struct {
	changeType string
	byOrgNo    string // the token's consumer
	clientID   string // the token's client_id, "" when it has none
	created    time.Time
	system     *altinnSystem
	rights     []altinnRight
	packages   []altinnPackage
}

// altinnChangeLogJSON is SystemChangeLog as the API writes it: camelCase
// keys in its order, nulls left out (changedData for a delete, clientId
// for a token without one).
type altinnChangeLogJSON struct {
	SystemInternalID   string `json:"systemInternalId"`
	ChangedByOrgNumber string `json:"changedByOrgNumber,omitempty"`
	ChangeType         string `json:"changeType"`
	ChangedData        any    `json:"changedData,omitempty"`
	ClientID           string `json:"clientId,omitempty"`
	Created            string `json:"created"`
}

// The changed data is the request body as the repository stores it:
// serialized with System.Text.Json's defaults, so with the C# property
// names (PascalCase, nulls written), in a jsonb column, whose keys come
// back ordered by length and then bytewise (the order of these structs;
// Altinn's test data ChangeLogAll.json,
// test/Altinn.Platform.Authentication.Tests/Data/SystemChangeLog/, has
// this shape).
type (
	changeLogRight struct {
		Action   *string          `json:"Action"`
		Resource []altinnAttrPair `json:"Resource"`
	}
	changeLogPackage struct {
		URN string `json:"Urn"`
	}
	changeLogSystem struct {
		ID                  string              `json:"Id"`
		Name                map[string]string   `json:"Name"`
		Rights              []changeLogRight    `json:"Rights"`
		Vendor              struct{ ID string } `json:"Vendor"`
		ClientID            []string            `json:"ClientId"`
		IsVisible           bool                `json:"IsVisible"`
		Description         map[string]string   `json:"Description"`
		AccessPackages      []changeLogPackage  `json:"AccessPackages"`
		AllowedRedirectURLs []string            `json:"AllowedRedirectUrls"`
	}
)

func changeLogRights(rs []altinnRight) []changeLogRight {
	out := make([]changeLogRight, 0, len(rs))
	for _, r := range rs {
		c := changeLogRight{Resource: append([]altinnAttrPair{}, r.Resource...)}
		if r.Action != "" {
			c.Action = &r.Action
		}
		out = append(out, c)
	}
	return out
}

func changeLogPackages(ps []altinnPackage) []changeLogPackage {
	out := make([]changeLogPackage, 0, len(ps))
	for _, p := range ps {
		out = append(out, changeLogPackage{URN: p.URN})
	}
	return out
}

// data is what the entry's changedData holds, or nil.
func (e altinnChangeLogEntry) data() any {
	switch e.changeType {
	case changeCreate, changeUpdate:
		s := e.system
		c := changeLogSystem{
			ID: s.id, Name: s.name, Rights: changeLogRights(s.rights), ClientID: append([]string{}, s.clientIDs...),
			IsVisible: s.visible, Description: s.description, AccessPackages: changeLogPackages(s.packages),
			AllowedRedirectURLs: append([]string{}, s.redirectURLs...),
		}
		c.Vendor.ID = s.vendorID
		return c
	case changeRights:
		return changeLogRights(e.rights)
	case changeAccessPackages:
		return changeLogPackages(e.packages)
	}
	return nil
}

// logChange adds a change of the system (the version before the change
// is before; nil for a new one) to its log, made by the token p. A system
// seeded, not registered over HTTP, has no entry until its first change,
// which first logs its creation, as its registration would have. Callers
// hold a.mu for writing.
func (a *Altinn) logChange(p *altinnPrincipal, before *altinnSystem, e altinnChangeLogEntry) {
	a.own()
	id := e.system.id
	if before != nil && len(a.changeLog[id]) == 0 {
		a.changeLog[id] = append(a.changeLog[id], a.seededCreation(before))
	}
	e.byOrgNo, e.created = p.orgNo, a.now().UTC()
	e.clientID, _ = p.claims["client_id"].(string)
	a.changeLog[id] = append(a.changeLog[id], e)
}

// seededCreation is the creation entry of a system the seed registered.
func (a *Altinn) seededCreation(s *altinnSystem) altinnChangeLogEntry {
	return altinnChangeLogEntry{changeType: changeCreate, byOrgNo: s.vendorOrgNo, created: s.registered, system: s}
}

// handleChangeLog answers a system's change log to its vendor (or an admin
// token): newest first (ORDER BY created DESC); an unknown system is 404
// with the controller's sentence, another vendor's a bare 403.
func (a *Altinn) handleChangeLog(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	id := r.PathValue("systemId")
	s, exists := a.systems[id]
	if !exists {
		writeAltinnText(w, r, http.StatusNotFound, "System with ID "+id+" not found.")
		return
	}
	if !altinnOwnsSystem(p, s.vendorOrgNo) {
		writeAltinnStatus(w, http.StatusForbidden, "the system belongs to "+s.vendorID+", not to the token's organisation "+p.orgNo)
		return
	}
	entries := a.changeLog[id]
	if len(entries) == 0 {
		entries = []altinnChangeLogEntry{a.seededCreation(s)}
	}
	out := make([]altinnChangeLogJSON, 0, len(entries))
	for _, e := range slices.Backward(entries) {
		out = append(out, altinnChangeLogJSON{
			SystemInternalID: s.internalID, ChangedByOrgNumber: e.byOrgNo, ChangeType: e.changeType,
			ChangedData: e.data(), ClientID: e.clientID, Created: e.created.Format("2006-01-02T15:04:05.999999-07:00"),
		})
	}
	writeJSON(w, http.StatusOK, out)
}
