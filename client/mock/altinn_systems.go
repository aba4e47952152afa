package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
)

// routeSystems registers the routes of the system register, vendor side.
func (a *Altinn) routeSystems(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/systemregister/vendor", a.handleListSystems)
	m.HandleFunc("POST /authentication/api/v1/systemregister/vendor", a.handleCreateSystem)
	m.HandleFunc("GET /authentication/api/v1/systemregister/vendor/{systemId}", a.handleGetSystem)
	m.HandleFunc("PUT /authentication/api/v1/systemregister/vendor/{systemId}", a.handleUpdateSystem)
	m.HandleFunc("DELETE /authentication/api/v1/systemregister/vendor/{systemId}", a.handleDeleteSystem)
	m.HandleFunc("PUT /authentication/api/v1/systemregister/vendor/{systemId}/rights", a.handleUpdateRights)
	m.HandleFunc("PUT /authentication/api/v1/systemregister/vendor/{systemId}/accesspackages", a.handleUpdatePackages)
	m.HandleFunc("GET /authentication/api/v1/systemregister/vendor/{systemId}/changelog", a.handleChangeLog)
}

// altinnSystemRequest is the system register's RegisterSystemRequest (§3).
// encoding/json matches keys case-insensitively, as ASP.NET does, so
// "allowedredirecturls" fills AllowedRedirectURLs.
type altinnSystemRequest struct {
	ID                  string            `json:"id"`
	Vendor              *altinnVendor     `json:"vendor"`
	Name                map[string]string `json:"name"`
	Description         map[string]string `json:"description"`
	Rights              []altinnRight     `json:"rights"`
	AccessPackages      []altinnPackage   `json:"accessPackages"`
	ClientID            []string          `json:"clientId"`
	IsVisible           *bool             `json:"isVisible"`
	AllowedRedirectURLs []string          `json:"allowedRedirectUrls"`
}

// altinnVendor is VendorInfo: {"authority": "iso6523-actorid-upis", "ID": "0192:<orgno>"}.
type altinnVendor struct {
	Authority string `json:"authority,omitempty"`
	ID        string `json:"ID"`
}

// altinnSystemJSON is RegisteredSystemResponse as GET vendor/{id} answers
// it. Its vendor has no authority: VendorInfo.Authority is a C# field, which
// System.Text.Json does not serialize (§3).
type altinnSystemJSON struct {
	ID                  string            `json:"id"`
	Vendor              altinnVendor      `json:"vendor"`
	Name                map[string]string `json:"name"`
	Description         map[string]string `json:"description"`
	Rights              []altinnRight     `json:"rights"`
	AccessPackages      []altinnPackage   `json:"accessPackages"`
	IsDeleted           bool              `json:"isDeleted"`
	ClientID            []string          `json:"clientId"`
	IsVisible           bool              `json:"isVisible"`
	AllowedRedirectURLs []string          `json:"allowedRedirectUrls"`
}

// altinnSystemDTO is RegisteredSystemDTO, the shape of the vendor's list.
type altinnSystemDTO struct {
	SystemID              string            `json:"systemId"`
	SystemVendorOrgNumber string            `json:"systemVendorOrgNumber"`
	SystemVendorOrgName   string            `json:"systemVendorOrgName"`
	Name                  map[string]string `json:"name"`
	Description           map[string]string `json:"description"`
	Rights                []altinnRight     `json:"rights"`
	AccessPackages        []altinnPackage   `json:"accessPackages"`
	IsVisible             bool              `json:"isVisible"`
}

var altinnVendorIDRE = lazyre.New(`^0192:[0-9]{9}$`)

// decodeSystemRequest reads a RegisterSystemRequest and trims its strings,
// as the controller's TrimStringsActionFilter does.
func decodeSystemRequest(b []byte) (*altinnSystemRequest, error) {
	var req altinnSystemRequest
	if err := json.Unmarshal(b, &req); err != nil {
		return nil, fmt.Errorf("the JSON value could not be read: %w", err)
	}
	req.trim()
	if req.ID == "" {
		return nil, fmt.Errorf("the Id field is required")
	}
	if req.Vendor == nil {
		return nil, fmt.Errorf("the Vendor field is required")
	}
	return &req, nil
}

func (req *altinnSystemRequest) trim() {
	req.ID = strings.TrimSpace(req.ID)
	if req.Vendor != nil {
		req.Vendor.ID = strings.TrimSpace(req.Vendor.ID)
	}
	for i := range req.ClientID {
		req.ClientID[i] = strings.TrimSpace(req.ClientID[i])
	}
	for i := range req.AllowedRedirectURLs {
		req.AllowedRedirectURLs[i] = strings.TrimSpace(req.AllowedRedirectURLs[i])
	}
	for i := range req.AccessPackages {
		req.AccessPackages[i].URN = strings.TrimSpace(req.AccessPackages[i].URN)
	}
}

// vendorOrgNo is the org number in vendor.ID, or "" when it is not a valid
// ISO 6523 "0192:" identifier.
func (req *altinnSystemRequest) vendorOrgNo() string {
	if req.Vendor == nil || !altinnVendorIDRE.MatchString(req.Vendor.ID) {
		return ""
	}
	return req.Vendor.ID[len("0192:"):]
}

// validateSystem runs the system register's validation of a new system, or
// of replacing's replacement (then the id may exist and replacing's client
// ids count as its own). Callers hold a.mu.
func (a *Altinn) validateSystem(req *altinnSystemRequest, replacing *altinnSystem) []altinnVldError {
	vendorOrgNo := req.vendorOrgNo()
	if vendorOrgNo == "" {
		// Checked first, alone: the rest needs the vendor's org number.
		return []altinnVldError{vldOrgIdentifier.at(fmt.Sprintf("vendor.ID %q is not 0192:<nine digits>", altinnVendorIDOf(req)), vldPathVendorID)}
	}
	var errs []altinnVldError
	if strings.Contains(req.ID, " ") {
		errs = append(errs, vldSystemIDSpaces.at("", vldPathSystemID))
	}
	if prefix, name, ok := strings.Cut(req.ID, "_"); !ok || prefix != vendorOrgNo || name == "" {
		errs = append(errs, vldSystemIDFormat.at(fmt.Sprintf("the system id must be %s_<name>", vendorOrgNo), vldPathSystemID))
	}
	if _, exists := a.systems[req.ID]; exists && replacing == nil {
		errs = append(errs, vldSystemIDExists.at("", vldPathSystemID))
	}
	for _, u := range req.AllowedRedirectURLs {
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Scheme != "https" || pu.Host == "" {
			errs = append(errs, vldRedirectURLFormat.at("not an absolute https URL: "+u, vldPathRedirectURLs))
			break
		}
	}
	errs = append(errs, a.validateClientIDs(req.ClientID, replacing)...)
	errs = append(errs, a.validateRights(req.Rights)...)
	errs = append(errs, a.validatePackages(req.AccessPackages)...)
	errs = append(errs, visibleClientPackages(req.IsVisible == nil || *req.IsVisible, req.AccessPackages)...)
	return errs
}

// visibleClientPackages refuses packages that are not assignable (the
// client-relation packages, used through client delegation) on a system
// shown in the portal's list: such a system must be registered with
// isVisible false (SystemRegisterController.cs L527-532; unknown packages
// are AUTH.VLD-00008's).
func visibleClientPackages(visible bool, pkgs []altinnPackage) []altinnVldError {
	if !visible {
		return nil
	}
	var client []string
	for _, p := range pkgs {
		if _, known := altinnPackageOf(p.URN); known && !altinnPackageAssignable(p.URN) {
			client = append(client, p.URN)
		}
	}
	if len(client) == 0 {
		return nil
	}
	return []altinnVldError{vldVisibleClientPkgs.at("client-relation packages: "+strings.Join(client, ", "), vldPathAccessPackages)}
}

func altinnVendorIDOf(req *altinnSystemRequest) string {
	if req.Vendor == nil {
		return ""
	}
	return req.Vendor.ID
}

// validateClientIDs checks that the Maskinporten client ids are unique in
// the request and not tied to another live system.
func (a *Altinn) validateClientIDs(ids []string, replacing *altinnSystem) []altinnVldError {
	var errs []altinnVldError
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[strings.ToLower(id)] {
			errs = append(errs, vldDuplicateClientIDs.at("duplicate client id "+id, vldPathClientID))
			break
		}
		seen[strings.ToLower(id)] = true
	}
	var used []string
	for _, id := range ids {
		if s := a.liveSystemWithClient(id); s != nil && s != replacing {
			used = append(used, id+" (system "+s.id+")")
		}
	}
	if len(used) > 0 {
		errs = append(errs, vldClientIDExists.at(strings.Join(used, " | "), vldPathClientID))
	}
	return errs
}

// validateRights checks that every right names an existing, delegable
// resource by urn:altinn:resource, once.
func (a *Altinn) validateRights(rights []altinnRight) []altinnVldError {
	var badFormat, notFound, notDelegable []string
	for _, r := range rights {
		if len(r.Resource) == 0 {
			badFormat = append(badFormat, "(empty resource)")
		}
		for _, p := range r.Resource {
			switch res, ok := a.resources[p.Value]; {
			case p.ID != "urn:altinn:resource":
				badFormat = append(badFormat, p.ID)
			case !ok:
				notFound = append(notFound, p.Value)
			case !res.delegable:
				notDelegable = append(notDelegable, p.Value)
			}
		}
	}
	var errs []altinnVldError
	if len(badFormat) > 0 {
		errs = append(errs, vldResourceIDFormat.at("Invalid Resource Id Details : "+strings.Join(badFormat, " | "), vldPathRights))
	}
	if len(notFound) > 0 {
		errs = append(errs, vldResourceNotFound.at("ResourceIds Not Found : "+strings.Join(notFound, " | "), vldPathRights))
	}
	if len(notDelegable) > 0 {
		errs = append(errs, vldResourceNotDelegate.at("ResourceIds Not Delegable : "+strings.Join(notDelegable, " | "), vldPathRights))
	}
	seen := map[string]bool{}
	for _, r := range rights {
		var parts []string
		for _, p := range r.Resource {
			parts = append(parts, p.ID+":"+p.Value)
		}
		key := r.Action + ":" + strings.Join(parts, ",")
		if seen[key] {
			errs = append(errs, vldDuplicateRights.at("", vldPathRights))
			break
		}
		seen[key] = true
	}
	return errs
}

// validatePackages checks that every access package is in Altinn's
// catalogue and may be given at all (delegable or assignable), once:
// SystemRegisterService.GetInvalidAccessPackageUrnsDetailed L205-254 (a URN
// of fewer than four ':' parts is malformed) and SystemRegisterController
// L489-518, which names them under "Invalid Urn Details : ".
func (a *Altinn) validatePackages(pkgs []altinnPackage) []altinnVldError {
	var badFormat, notFound, notDelegable []string
	for _, p := range pkgs {
		info, known := altinnPackageOf(p.URN)
		switch {
		case p.URN == "" || len(strings.Split(p.URN, ":")) < 4:
			badFormat = append(badFormat, p.URN)
		case !known:
			notFound = append(notFound, p.URN)
		case !info.IsDelegable && !info.IsAssignable:
			notDelegable = append(notDelegable, p.URN)
		}
	}
	var errs []altinnVldError
	if len(badFormat)+len(notFound)+len(notDelegable) > 0 {
		var parts []string
		if len(badFormat) > 0 {
			parts = append(parts, "Invalid format: "+strings.Join(badFormat, ", "))
		}
		if len(notFound) > 0 {
			parts = append(parts, "Not found: "+strings.Join(notFound, ", "))
		}
		if len(notDelegable) > 0 {
			parts = append(parts, "Not possible to delegate: "+strings.Join(notDelegable, ", "))
		}
		errs = append(errs, vldPackageNotValid.at("Invalid Urn Details : "+strings.Join(parts, " | "), vldPathAccessPackages))
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		if seen[p.URN] {
			errs = append(errs, vldDuplicatePackages.at("", vldPathAccessPackages))
			break
		}
		seen[p.URN] = true
	}
	return errs
}

// storeSystem saves a validated system, replacing the one given.
func (a *Altinn) storeSystem(req *altinnSystemRequest, replacing *altinnSystem) *altinnSystem {
	s := &altinnSystem{
		internalID:   client.NewUUID(),
		id:           req.ID,
		vendorID:     req.Vendor.ID,
		vendorOrgNo:  req.vendorOrgNo(),
		name:         altinnOrEmpty(req.Name),
		description:  altinnOrEmpty(req.Description),
		rights:       altinnCloneRights(req.Rights),
		packages:     altinnClonePackages(req.AccessPackages),
		clientIDs:    append([]string{}, req.ClientID...),
		visible:      req.IsVisible == nil || *req.IsVisible,
		redirectURLs: append([]string{}, req.AllowedRedirectURLs...),
	}
	s.registered = a.now().UTC()
	if replacing != nil {
		s.internalID, s.registered = replacing.internalID, replacing.registered
	}
	a.putSystem(s, replacing)
	return s
}

func altinnOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (s *altinnSystem) json() altinnSystemJSON {
	return altinnSystemJSON{
		ID: s.id, Vendor: altinnVendor{ID: s.vendorID}, Name: s.name, Description: s.description,
		Rights: altinnCloneRights(s.rights), AccessPackages: altinnClonePackages(s.packages), IsDeleted: s.deleted,
		ClientID: append([]string{}, s.clientIDs...), IsVisible: s.visible,
		AllowedRedirectURLs: append([]string{}, s.redirectURLs...),
	}
}

// altinnOwnsSystem tells whether the token may manage the system: its vendor, or
// any org with the admin scope.
func altinnOwnsSystem(p *altinnPrincipal, vendorOrgNo string) bool {
	return p.hasScope(alScopeSystemRegisterAdmin) || (p.orgNo != "" && p.orgNo == vendorOrgNo)
}

// decodeSystemBody reads a RegisterSystemRequest body, answering a
// malformed one with ASP.NET's model problem.
func decodeSystemBody(w http.ResponseWriter, r *http.Request) (*altinnSystemRequest, bool) {
	var raw json.RawMessage
	if !altinnDecodeBody(w, r, &raw) {
		return nil, false
	}
	req, err := decodeSystemRequest(raw)
	if err != nil {
		writeAltinnModelProblem(w, "$", err.Error())
		return nil, false
	}
	return req, true
}

// handleCreateSystem registers a system (POST vendor).
func (a *Altinn) handleCreateSystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	req, ok := decodeSystemBody(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	errs := a.validateSystem(req, nil)
	if len(errs) == 1 && errs[0].Code == vldOrgIdentifier.code {
		writeAltinnValidation(w, errs)
		return
	}
	// The controller checks ownership after validating and before
	// answering the validation errors.
	if !altinnOwnsSystem(p, req.vendorOrgNo()) {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("vendor %s is not the token's organisation %s", req.Vendor.ID, p.orgNo))
		return
	}
	if len(errs) > 0 {
		writeAltinnValidation(w, errs)
		return
	}
	s := a.storeSystem(req, nil)
	a.logChange(p, nil, altinnChangeLogEntry{changeType: changeCreate, system: s})
	writeJSON(w, http.StatusOK, s.internalID)
}

// handleListSystems lists the token's vendor's live systems.
func (a *Altinn) handleListSystems(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	if p.orgNo == "" {
		writeAltinnStatus(w, http.StatusForbidden, "the token has no consumer organisation")
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := []altinnSystemDTO{}
	for _, s := range a.systems {
		if s.deleted || s.vendorOrgNo != p.orgNo {
			continue
		}
		out = append(out, altinnSystemDTO{
			SystemID: s.id, SystemVendorOrgNumber: s.vendorOrgNo, SystemVendorOrgName: a.orgName(s.vendorOrgNo),
			Name: s.name, Description: s.description, Rights: altinnCloneRights(s.rights),
			AccessPackages: altinnClonePackages(s.packages), IsVisible: s.visible,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SystemID < out[j].SystemID })
	writeJSON(w, http.StatusOK, out)
}

// systemForVendor finds the system of the path for its vendor, answering
// 404/403 itself. Callers hold a.mu.
func (a *Altinn) systemForVendor(w http.ResponseWriter, r *http.Request, p *altinnPrincipal) *altinnSystem {
	id := r.PathValue("systemId")
	s, ok := a.systems[id]
	if !ok {
		writeAltinnStatus(w, http.StatusNotFound, fmt.Sprintf("System with ID '%s' not found.", id))
		return nil
	}
	if !altinnOwnsSystem(p, s.vendorOrgNo) {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("the system belongs to %s, not to the token's organisation %s", s.vendorID, p.orgNo))
		return nil
	}
	return s
}

// handleGetSystem answers RegisteredSystemResponse for the system's vendor.
func (a *Altinn) handleGetSystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s := a.systemForVendor(w, r, p); s != nil {
		writeJSON(w, http.StatusOK, s.json())
	}
}

// handleUpdateSystem replaces a whole system (PUT vendor/{systemId}).
func (a *Altinn) handleUpdateSystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	req, ok := decodeSystemBody(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.systemForVendor(w, r, p)
	if cur == nil {
		return
	}
	if req.Vendor.ID != cur.vendorID {
		writeAltinnStatus(w, http.StatusNotFound, fmt.Sprintf("System with ID '%s' not found.", cur.id))
		return
	}
	if req.ID != cur.id {
		writeAltinnValidation(w, []altinnVldError{vldSystemIDMismatch.at("", vldPathSystemID)})
		return
	}
	if cur.deleted {
		writeAltinnStatus(w, http.StatusBadRequest, "Cannot update a system marked as deleted.")
		return
	}
	if errs := a.validateSystem(req, cur); len(errs) > 0 {
		writeAltinnValidation(w, errs)
		return
	}
	a.logChange(p, cur, altinnChangeLogEntry{changeType: changeUpdate, system: a.storeSystem(req, cur)})
	writeJSON(w, http.StatusOK, map[string]bool{"succeeded": true})
}

// handleUpdateRights replaces a system's rights.
func (a *Altinn) handleUpdateRights(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	var rights []altinnRight
	if !altinnDecodeBody(w, r, &rights) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.systemForVendor(w, r, p)
	if s == nil {
		return
	}
	if s.deleted {
		writeAltinnStatus(w, http.StatusBadRequest, "Cannot update a system marked as deleted.")
		return
	}
	if errs := a.validateRights(rights); len(errs) > 0 {
		writeAltinnValidation(w, errs)
		return
	}
	c := a.replaceSystem(s, func(c *altinnSystem) { c.rights = altinnCloneRights(rights) })
	a.logChange(p, s, altinnChangeLogEntry{changeType: changeRights, system: c, rights: altinnCloneRights(rights)})
	writeJSON(w, http.StatusOK, map[string]bool{"succeeded": true})
}

// handleUpdatePackages replaces a system's access packages.
func (a *Altinn) handleUpdatePackages(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	var pkgs []altinnPackage
	if !altinnDecodeBody(w, r, &pkgs) {
		return
	}
	for i := range pkgs {
		pkgs[i].URN = strings.TrimSpace(pkgs[i].URN)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.systemForVendor(w, r, p)
	if s == nil {
		return
	}
	if s.deleted {
		writeAltinnStatus(w, http.StatusBadRequest, "Cannot update a system marked as deleted.")
		return
	}
	if errs := append(a.validatePackages(pkgs), visibleClientPackages(s.visible, pkgs)...); len(errs) > 0 {
		writeAltinnValidation(w, errs)
		return
	}
	c := a.replaceSystem(s, func(c *altinnSystem) { c.packages = altinnClonePackages(pkgs) })
	a.logChange(p, s, altinnChangeLogEntry{changeType: changeAccessPackages, system: c, packages: altinnClonePackages(pkgs)})
	writeJSON(w, http.StatusOK, map[string]bool{"succeeded": true})
}

// handleDeleteSystem marks a system deleted and drops its client ids
// (AUTHN SystemRegisterRepository.SetDeleteRegisteredSystemById: is_deleted,
// and its maskinporten_client rows deleted). Its system users and their
// delegations stay; Maskinporten no longer finds them (MP-303).
func (a *Altinn) handleDeleteSystem(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeSystemRegisterWrite, alScopeSystemRegisterAdmin)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, exists := a.systems[r.PathValue("systemId")]
	if !exists {
		// The controller answers a model-state validation problem here.
		writeAltinnModelProblem(w, "return", "System not found")
		return
	}
	if !altinnOwnsSystem(p, s.vendorOrgNo) {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("the system belongs to %s, not to the token's organisation %s", s.vendorID, p.orgNo))
		return
	}
	a.logChange(p, s, altinnChangeLogEntry{changeType: changeDelete, system: a.deleteSystem(s)})
	writeJSON(w, http.StatusOK, map[string]bool{"succeeded": true})
}

// altinnSystem is a registered system (§3).
type altinnSystem struct {
	internalID   string
	id           string
	vendorID     string // "0192:<orgno>", as registered
	vendorOrgNo  string
	name         map[string]string
	description  map[string]string
	rights       []altinnRight
	packages     []altinnPackage
	clientIDs    []string
	visible      bool
	redirectURLs []string
	deleted      bool
	registered   time.Time // when it was first stored: its creation in the change log
}
