package standin

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The system register's vendor routes (AUTHN src/Authentication/Controllers/
// SystemRegisterController.cs, route authentication/api/v1/systemregister).
const (
	apiBase             = "/authentication/api/v1/"
	RouteSystemCreate   = "POST " + apiBase + "systemregister/vendor"
	RouteSystemList     = "GET " + apiBase + "systemregister/vendor"
	RouteSystemGet      = "GET " + apiBase + "systemregister/vendor/{systemId}"
	RouteSystemUpdate   = "PUT " + apiBase + "systemregister/vendor/{systemId}"
	RouteSystemDelete   = "DELETE " + apiBase + "systemregister/vendor/{systemId}"
	accessPackagePrefix = "urn:altinn:accesspackage:"
)

// lookupPackage is Access Management's package lookup, case-insensitive
// (Altinn/altinn-authorization-tmp PackageService.cs L255-268, per the
// research note altinn-facts.md §9).
func lookupPackage(urn string) (packageFlags, bool) {
	f, ok := packageCatalogue[strings.ToLower(urn)]
	return f, ok
}

// registerSystemRequest is AUTHN src/Core/Models/SystemRegisters/
// RegisterSystemRequest.cs. Binding is case-insensitive (ASP.NET's web
// defaults; encoding/json matches keys so too): the docs' allowedredirecturls
// binds. vendor.authority is a C# field, not a property, so it is ignored.
type registerSystemRequest struct {
	ID     *string `json:"id"`
	Vendor *struct {
		ID string `json:"ID"`
	}
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description"`
	Rights      json.RawMessage   `json:"rights"`
	Packages    json.RawMessage   `json:"accessPackages"`
	ClientID    []string          `json:"clientId"`
	IsVisible   *bool             `json:"isVisible"`
	Redirects   []string          `json:"allowedRedirectUrls"`
}

// registeredSystem is RegisteredSystemResponse on the wire: vendor has only
// ID (its Authority is a field System.Text.Json skips), a null rights or
// accessPackages list is omitted (WhenWritingNull).
type registeredSystem struct {
	ID     string `json:"id"`
	Vendor struct {
		ID string `json:"ID"`
	} `json:"vendor"`
	Name        json.RawMessage `json:"name"`
	Description json.RawMessage `json:"description"`
	Rights      []right         `json:"rights,omitempty"`
	Packages    []accessPackage `json:"accessPackages,omitempty"`
	IsDeleted   bool            `json:"isDeleted"`
	ClientID    []string        `json:"clientId"`
	IsVisible   bool            `json:"isVisible"`
	Redirects   []string        `json:"allowedRedirectUrls"`
}

func (w *World) registerRoutes(mux *http.ServeMux) {
	w.handle(mux, RouteSystemCreate, w.createSystem)
	w.handle(mux, RouteSystemList, w.listSystems)
	w.handle(mux, RouteSystemGet, w.getSystem)
	w.handle(mux, RouteSystemUpdate, w.updateSystem)
	w.handle(mux, RouteSystemDelete, w.deleteSystem)
}

// readSystem decodes a register body; false when it answered 400. C#
// `required` properties (id, vendor, name, description) must be there.
func readSystem(rw http.ResponseWriter, r *http.Request) (registerSystemRequest, []right, []accessPackage, bool) {
	var in registerSystemRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ID == nil || in.Vendor == nil || in.Name == nil || in.Description == nil {
		writeModelProblem(rw, "$", "JSON deserialization for type 'RegisterSystemRequest' was missing required properties or could not be read.")
		return in, nil, nil, false
	}
	*in.ID = strings.TrimSpace(*in.ID) // TrimStringsActionFilter
	rights := []right{}
	if len(in.Rights) > 0 {
		rights = nil // JSON null stays null
		if err := json.Unmarshal(in.Rights, &rights); err != nil {
			writeModelProblem(rw, "$.rights", "The JSON value could not be converted to System.Collections.Generic.List`1[Right].")
			return in, nil, nil, false
		}
	}
	pkgs := []accessPackage{}
	if len(in.Packages) > 0 {
		pkgs = nil
		if err := json.Unmarshal(in.Packages, &pkgs); err != nil {
			writeModelProblem(rw, "$.accessPackages", "The JSON value could not be converted to System.Collections.Generic.List`1[AccessPackage].")
			return in, nil, nil, false
		}
	}
	if in.ClientID == nil {
		in.ClientID = []string{}
	}
	if in.Redirects == nil {
		in.Redirects = []string{}
	}
	return in, rights, pkgs, true
}

// writeModelProblem is ASP.NET's automatic 400 for a body that does not bind
// ([ApiController] ValidationProblemDetails; UNCONFIRMED whether Altinn's
// problem library rewrites it into STD-00000 on the live API).
func writeModelProblem(w http.ResponseWriter, key, msg string) {
	body := fmt.Sprintf(`{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.",`+
		`"status":400,"errors":{%s:[%s]},"traceId":%s}`, q(key), q(msg), q(traceID()))
	writeRaw(w, 400, "application/problem+json; charset=utf-8", []byte(body))
}

// createSystem is CreateRegisteredSystem (controller L280-330).
func (w *World) createSystem(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	in, rights, pkgs, ok := readSystem(rw, r)
	if !ok {
		return
	}
	// An identifier that is not 0192 fails alone and first (L288-298).
	if strings.Split(in.Vendor.ID, ":")[0] != "0192" {
		writeValidation(rw, []vldError{vldOrgIdentifier.at(pathVendorID)})
		return
	}
	vendorOrg, okOrg := vendorOrgNo(in.Vendor.ID)
	if !okOrg {
		// GetOrgNumber indexes past the end; the catch answers 500 (L324-328).
		writeText(rw, http.StatusInternalServerError, "Index was outside the bounds of the array.")
		return
	}
	visible := in.IsVisible == nil || *in.IsVisible
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []vldError
	errs = append(errs, w.validateNewSystem(*in.ID, vendorOrg, in.ClientID, in.Redirects)...)
	errs = append(errs, w.validateRights(rights)...)
	errs = append(errs, validatePackages(pkgs, visible)...)
	// The write access check comes after validation but answers first
	// (L306-314): a foreign vendor gets 403 even for a bad body.
	if !c.scopes[scopeRegisterAdmin] && c.vendorOrgNo != vendorOrg {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	if len(errs) > 0 {
		writeValidation(rw, errs)
		return
	}
	s := &system{id: *in.ID, internalID: newGUID(), vendorOrgNo: vendorOrg, name: in.Name, description: in.Description,
		rights: rights, packages: pkgs, clientIDs: in.ClientID, redirectURLs: in.Redirects, visible: visible}
	w.state.systems = append(w.state.systems, s)
	writeJSON(rw, http.StatusOK, s.internalID) // Ok(Guid): a JSON string
}

// vendorOrgNo is AuthenticationHelper.GetOrgNumber: the part after 0192:.
func vendorOrgNo(id string) (string, bool) {
	parts := strings.Split(id, ":")
	if len(parts) < 2 {
		return "", false
	}
	return parts[1], true
}

// validateNewSystem is ValidateRegisteredSystem (controller L570-610).
func (w *World) validateNewSystem(id, vendorOrg string, clientIDs, redirects []string) []vldError {
	var errs []vldError
	if strings.Contains(id, " ") {
		errs = append(errs, vldSystemIDSpaces.at(pathSystemID))
	}
	if strings.Split(id, "_")[0] != vendorOrg {
		errs = append(errs, vldSystemIDFormat.at(pathSystemID))
	}
	if w.state.system(id) != nil { // deleted systems keep their id
		errs = append(errs, vldSystemIDExists.at(pathSystemID))
	}
	for _, u := range redirects {
		if !httpsAbsolute(u) {
			errs = append(errs, vldRedirectFormat.at(pathRedirectURLs))
			break
		}
	}
	for _, id := range clientIDs {
		if w.clientUsedBy(id, "") {
			errs = append(errs, vldClientIDExists.at(pathClientID))
			break
		}
	}
	return errs
}

// clientUsedBy reports whether a live system other than except lists the
// client id (client ids are compared case-insensitively, controller L466).
func (w *World) clientUsedBy(clientID, except string) bool {
	for _, s := range w.state.systems {
		if s.deleted || s.id == except {
			continue
		}
		for _, c := range s.clientIDs {
			if strings.EqualFold(c, clientID) {
				return true
			}
		}
	}
	return false
}

func httpsAbsolute(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.IsAbs() && u.Scheme == "https" && u.Host != ""
}

// validateRights is ValidateRights (controller L469-487) with
// GetInvalidResourceIdsDetailed (SystemRegisterService.cs L154-185).
func (w *World) validateRights(rights []right) []vldError {
	var badFormat, notFound []string
	seen := map[string]bool{}
	dup := false
	for _, rt := range rights {
		key, _ := json.Marshal(rt.Resource)
		if seen[string(key)] {
			dup = true
		}
		seen[string(key)] = true
		for _, a := range rt.Resource {
			switch {
			case a.ID != "urn:altinn:resource":
				badFormat = append(badFormat, a.Value)
			case !w.state.resources[a.Value]:
				notFound = append(notFound, a.Value)
			}
		}
	}
	var errs []vldError
	if len(badFormat) > 0 {
		errs = append(errs, vldResourceFormat.at(pathRights).with("Invalid Resource Id Details : ", strings.Join(badFormat, " | ")))
	}
	if len(notFound) > 0 {
		errs = append(errs, vldResourceAbsent.at(pathRights).with("ResourceIds Not Found : ", strings.Join(notFound, " | ")))
	}
	if dup {
		errs = append(errs, vldDupRights.at(pathRights))
	}
	return errs
}

// validatePackages is ValidateAccessPackages (controller L489-535) with
// GetInvalidAccessPackageUrnsDetailed (SystemRegisterService.cs L205-254):
// a package must exist and be delegable or assignable (AUTH.VLD-00008), a
// visible system may not have one that is not assignable (AUTH.VLD-00018:
// the client packages).
func validatePackages(pkgs []accessPackage, visible bool) []vldError {
	var badFormat, notFound, notDelegable, nonAssignable []string
	seen := map[string]bool{}
	dup := false
	for _, p := range pkgs {
		u := p.urn()
		if seen[u] {
			dup = true
		}
		seen[u] = true
		if u == "" || len(strings.Split(u, ":")) < 4 {
			badFormat = append(badFormat, u)
			continue
		}
		f, ok := lookupPackage(u)
		switch {
		case !ok:
			notFound = append(notFound, u)
			continue
		case !f.delegable && !f.assignable:
			notDelegable = append(notDelegable, u)
		}
		if !f.assignable {
			nonAssignable = append(nonAssignable, u)
		}
	}
	var errs []vldError
	var details []string
	for _, d := range []struct {
		label string
		urns  []string
	}{{"Invalid format: ", badFormat}, {"Not found: ", notFound}, {"Not possible to delegate: ", notDelegable}} {
		if len(d.urns) > 0 {
			details = append(details, d.label+strings.Join(d.urns, ", "))
		}
	}
	if len(details) > 0 {
		errs = append(errs, vldPackageInvalid.at(pathPackages).with("Invalid Urn Details : ", strings.Join(details, " | ")))
	}
	if dup {
		errs = append(errs, vldDupPackages.at(pathPackages))
	}
	if visible && len(nonAssignable) > 0 {
		errs = append(errs, vldVisibleClient.at(pathPackages))
	}
	return errs
}

// owns is AuthenticationHelper.HasWriteAccess: the admin scope, or the
// token's consumer is the system's vendor.
func owns(c caller, s *system) bool {
	return c.scopes[scopeRegisterAdmin] || c.vendorOrgNo == s.vendorOrgNo
}

func (w *World) wire(s *system) registeredSystem {
	out := registeredSystem{ID: s.id, Name: jsonbObject(s.name), Description: jsonbObject(s.description),
		Rights: s.rights, Packages: s.packages, IsDeleted: s.deleted, ClientID: s.clientIDs,
		IsVisible: s.visible, Redirects: s.redirectURLs}
	out.Vendor.ID = "0192:" + s.vendorOrgNo
	return out
}

// registeredSystemDTO is the list item (AUTHN src/Core/Models/
// SystemRegisters/RegisteredSystemDTO.cs, mapped by AuthenticationHelper.
// MapRegisteredSystemToRegisteredSystemDTO L498-511).
type registeredSystemDTO struct {
	SystemID      string          `json:"systemId"`
	VendorOrgNo   string          `json:"systemVendorOrgNumber"`
	VendorOrgName string          `json:"systemVendorOrgName"`
	Name          json.RawMessage `json:"name"`
	Description   json.RawMessage `json:"description"`
	Rights        []right         `json:"rights,omitempty"`
	Packages      []accessPackage `json:"accessPackages,omitempty"`
	IsVisible     bool            `json:"isVisible"`
}

// listSystems is GetListOfRegisteredSystemsForVendor (L71-102): the live
// systems of the token's vendor (SystemRegisterRepository.cs L82-100).
func (w *World) listSystems(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	if c.vendorOrgNo == "" {
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := []registeredSystemDTO{}
	for _, s := range w.state.systems {
		if !s.deleted && s.vendorOrgNo == c.vendorOrgNo {
			out = append(out, registeredSystemDTO{SystemID: s.id, VendorOrgNo: s.vendorOrgNo, Name: jsonbObject(s.name),
				Description: jsonbObject(s.description), Rights: s.rights, Packages: s.packages, IsVisible: s.visible})
		}
	}
	writeJSON(rw, http.StatusOK, out)
}

// getSystem is GetRegisteredSystemInfo (L132-149); a deleted system is still
// found, with isDeleted true (SystemRegisterRepository.GetRegisteredSystemById
// has no is_deleted filter, L245-282).
func (w *World) getSystem(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.state.system(r.PathValue("systemId"))
	switch {
	case s == nil:
		writeStatusProblem(rw, http.StatusNotFound)
	case !owns(c, s):
		rw.WriteHeader(http.StatusForbidden)
	default:
		writeJSON(rw, http.StatusOK, w.wire(s))
	}
}

// deleteSystem is SetDeleteOnRegisteredSystem (L414-438): a soft delete that
// also frees the system's client ids (SystemRegisterRepository.cs L311-323).
func (w *World) deleteSystem(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.state.system(r.PathValue("systemId"))
	switch {
	case s == nil:
		writeModelProblem(rw, "return", "System not found")
	case !owns(c, s):
		rw.WriteHeader(http.StatusForbidden)
	default:
		s.deleted = true
		writeJSON(rw, http.StatusOK, map[string]bool{"succeeded": true})
	}
}

// updateSystem is UpdateWholeRegisteredSystem (L158-225).
func (w *World) updateSystem(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	id := r.PathValue("systemId")
	// Model binding runs before the action: a body that does not bind is
	// a 400 whatever the system.
	in, rights, pkgs, ok := readSystem(rw, r)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.state.system(id)
	if s == nil {
		writeText(rw, http.StatusNotFound, fmt.Sprintf("System with ID '%s' not found.", id))
		return
	}
	if !owns(c, s) { // before the body's vendor, so ids cannot be probed (L174-180)
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	if in.Vendor.ID != "0192:"+s.vendorOrgNo {
		writeText(rw, http.StatusNotFound, fmt.Sprintf("System with ID '%s' not found.", id))
		return
	}
	if *in.ID != id {
		writeValidation(rw, []vldError{vldSystemIDDiffer.at(pathSystemID)})
		return
	}
	if s.deleted {
		writeText(rw, http.StatusBadRequest, "Cannot update a system marked as deleted.")
		return
	}
	visible := in.IsVisible == nil || *in.IsVisible
	errs := append(w.validateRights(rights), validatePackages(pkgs, visible)...)
	errs = append(errs, w.validateClientIDs(s, in.ClientID)...)
	if len(errs) > 0 {
		writeValidation(rw, errs)
		return
	}
	s.name, s.description, s.rights, s.packages = in.Name, in.Description, rights, pkgs
	s.clientIDs, s.redirectURLs, s.visible = in.ClientID, in.Redirects, visible
	writeJSON(rw, http.StatusOK, map[string]bool{"succeeded": true})
}

// validateClientIDs is the controller's ValidateClientIds (L537-568). The
// update checks no redirect URL format: ValidateRegisteredSystem is only
// called on create.
func (w *World) validateClientIDs(s *system, ids []string) []vldError {
	var errs []vldError
	seen := map[string]bool{}
	for _, id := range ids {
		k := strings.ToLower(id)
		if seen[k] {
			errs = append(errs, vldDupClientIDs.at(pathClientID))
			break
		}
		seen[k] = true
	}
	for _, id := range ids {
		if w.clientUsedBy(id, s.id) {
			errs = append(errs, vldClientIDExists.at(pathClientID))
		}
	}
	return errs
}

func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
