package standin

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
)

// The vendor's system user routes (AUTHN src/Authentication/Controllers/
// SystemUserController.cs, route authentication/api/v1/systemuser).
const (
	RouteUserByQuery  = "GET " + apiBase + "systemuser/vendor/byquery"
	RouteUserBySystem = "GET " + apiBase + "systemuser/vendor/bysystem/{systemId}"
	// The owner's deletes: a portal user's routes, listed so that a
	// vendor's attempt is answered as the real one is.
	RouteUserDelete      = "DELETE " + apiBase + "systemuser/{party}/{systemUserId}"
	RouteAgentUserDelete = "DELETE " + apiBase + "systemuser/agent/{party}/{systemUserId}"
)

// systemUserWire is SystemUserExternalDTO (AUTHN src/Core/Models/
// SystemUserExternalDTO.cs); userType is "standard" or "agent"
// (src/Core/Enums/SystemUserType.cs).
type systemUserWire struct {
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

// page is the paginated list shape {links: {next?}, data} (spec §4).
type page[T any] struct {
	Links struct {
		Next string `json:"next,omitempty"`
	} `json:"links"`
	Data []T `json:"data"`
}

func (w *World) userRoutes(mux *http.ServeMux) {
	w.handle(mux, RouteUserByQuery, w.userByQuery)
	w.handle(mux, RouteUserBySystem, w.usersBySystem)
	w.handle(mux, RouteUserDelete, w.ownerOnly)
	w.handle(mux, RouteAgentUserDelete, w.ownerOnly)
}

// ownerOnly answers the owner's routes for a vendor: they need
// POLICY_ACCESS_MANAGEMENT_WRITE, a PDP permit to write
// altinn_access_management for {party} (SystemUserController L192-212,
// L617-631; AuthenticationHost.cs L258-259), which a vendor's Maskinporten
// token does not have: 401 without a token, else a bare 403. (What the PDP
// answers an organisation's token here is UNCONFIRMED; nothing the
// vendor could do permits it.) The stand-in's person deletes with
// World.DeleteSystemUser.
func (w *World) ownerOnly(rw http.ResponseWriter, r *http.Request) {
	if _, err := w.authenticate(r); err != nil {
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	rw.WriteHeader(http.StatusForbidden)
}

func wireUser(u *systemUser) systemUserWire {
	t := "standard"
	if u.agent {
		t = "agent"
	}
	return systemUserWire{ID: u.id, IntegrationTitle: u.title, SystemID: u.systemID, ReporteeOrgNo: u.ownerOrgNo,
		Created: dotnetTime(u.created), IsDeleted: u.deleted, SupplierOrgNo: u.supplierOrgNo,
		ExternalRef: u.externalRef, UserType: t}
}

// userByQuery is GetSingleSystemUserForVendor (L245-275): scope
// systemuser.request.write (sic), the vendor must be the system user's
// supplier, else 404.
func (w *World) userByQuery(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRequestWrite)
	if !ok {
		return
	}
	if c.vendorOrgNo == "" {
		writeStatusProblem(rw, http.StatusUnauthorized)
		return
	}
	qv := r.URL.Query()
	orgNo := qv.Get("orgno")
	ref := orgNo
	if qv.Has("external-ref") {
		ref = qv.Get("external-ref")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.state.userByRef(qv.Get("system-id"), orgNo, ref)
	if u == nil || u.supplierOrgNo != c.vendorOrgNo {
		writeStatusProblem(rw, http.StatusNotFound)
		return
	}
	writeJSON(rw, http.StatusOK, wireUser(u))
}

// usersBySystem is GetAllSystemUsersByVendorSystem (L284-326) with
// SystemUserService (L286-314): the system's live system users by
// sequence number, a page at a time, ?token= to go on.
func (w *World) usersBySystem(rw http.ResponseWriter, r *http.Request) {
	c, ok := w.authorize(rw, r, scopeRegisterAdmin, scopeRegisterWrite)
	if !ok {
		return
	}
	if c.vendorOrgNo == "" {
		writeStatusProblem(rw, http.StatusUnauthorized)
		return
	}
	systemID := r.PathValue("systemId")
	from := int64(0)
	if tok := r.URL.Query().Get("token"); tok != "" {
		var n int64
		if !readOpaque(tok, &n) {
			writeModelProblem(rw, "token", "The value '"+tok+"' is not valid.")
			return
		}
		from = n
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.state.system(systemID); s == nil || s.vendorOrgNo != c.vendorOrgNo {
		writeProblem(rw, probSystemIDNotFound)
		return
	}
	// Page.Create: the token is the key of the first item of the next
	// page, and the query takes sequence_no >= token (AUTHN src/Core/
	// Models/Page.cs L35-48, SystemUserRepository.cs L419-455).
	var out page[systemUserWire]
	out.Data = []systemUserWire{}
	for _, u := range w.state.users { // made in sequence order
		if u.systemID != systemID || u.deleted || u.seq < from {
			continue
		}
		if len(out.Data) == w.opts.PageSize {
			out.Links.Next = w.AltinnURL + "authentication/api/v1/systemuser/vendor/bysystem/" + url.PathEscape(systemID) +
				"?token=" + opaque(u.seq)
			break
		}
		out.Data = append(out.Data, wireUser(u))
	}
	writeJSON(rw, http.StatusOK, out)
}

// opaque is Opaque<T>'s token: base64url without padding of the value's
// JSON (AUTHN src/Authentication/Model/Opaque.cs L88-89, L130-166).
func opaque(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func readOpaque(tok string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil && json.Unmarshal(b, v) == nil
}

// listRequests is GetAllRequestsForVendor / GetAllAgentRequestsForVendor
// (controller L545-636, service L756-815): the system's live requests of
// the kind, ordered by id, a page at a time.
func (w *World) listRequests(rw http.ResponseWriter, r *http.Request, agent bool) {
	c, ok := w.authorize(rw, r, scopeRequestRead)
	if !ok {
		return
	}
	if c.vendorOrgNo == "" {
		writeStatusProblem(rw, http.StatusUnauthorized)
		return
	}
	systemID := r.PathValue("systemId")
	from := ""
	if tok := r.URL.Query().Get("token"); tok != "" {
		var raw string
		id, okID := "", readOpaque(tok, &raw)
		if okID {
			id, okID = parseGUID(raw)
		}
		if !okID {
			writeModelProblem(rw, "token", "The value '"+tok+"' is not valid.")
			return
		}
		from = id
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.state.system(systemID); s == nil || s.vendorOrgNo != c.vendorOrgNo {
		writeProblem(rw, probSystemIDNotFound)
		return
	}
	var list []*request
	for _, x := range w.state.requests {
		if x.systemID == systemID && x.agent == agent && !x.deleted && x.id > from {
			list = append(list, x)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	// As the real lists do: the token is the id of the first item of the
	// next page, and the query takes id > token, so that item is never
	// listed (RequestRepository.cs L525-564 with Page.Create): one request
	// is lost at every page boundary. The real agent list has no ORDER BY
	// (L608-645); here it is ordered by id too.
	var out page[requestWire]
	out.Data = []requestWire{}
	for i, x := range list {
		if i == w.opts.PageSize {
			route := "vendor/bysystem/"
			if agent {
				route = "vendor/agent/bysystem/"
			}
			out.Links.Next = w.AltinnURL + "authentication/api/v1/systemuser/request/" + route + url.PathEscape(systemID) +
				"?token=" + opaque(x.id)
			break
		}
		out.Data = append(out.Data, w.wireRequest(x, now))
	}
	writeJSON(rw, http.StatusOK, out)
}
