package mock

import (
	"fmt"
	"net/http"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
)

// routeSystemUsers registers the routes of the system user lookups.
func (a *Altinn) routeSystemUsers(m *http.ServeMux) {
	m.HandleFunc("GET /authentication/api/v1/systemuser/byExternalId", a.handleByExternalID)
	m.HandleFunc("GET /authentication/api/v1/systemuser/vendor/byquery", a.handleByQuery)
}

// altinnSystemUserJSON is SystemUserExternalDTO (§5), keys as it names them:
// reporteeOrgNo is the owner, supplierOrgno (lower-case "no") the vendor.
type altinnSystemUserJSON struct {
	ID               string `json:"id"`
	IntegrationTitle string `json:"integrationTitle"`
	SystemID         string `json:"systemId"`
	ProductName      string `json:"productName"`
	ReporteeOrgNo    string `json:"reporteeOrgNo"`
	Created          string `json:"created"`
	IsDeleted        bool   `json:"isDeleted"`
	SupplierName     string `json:"supplierName"`
	SupplierOrgno    string `json:"supplierOrgno"`
	ExternalRef      string `json:"externalRef"`
	UserType         string `json:"userType"`
}

// altinnSystemUserInternalJSON is the internal SystemUser DTO the end-user
// endpoints answer: the external keys plus the party and packages.
type altinnSystemUserInternalJSON struct {
	altinnSystemUserJSON
	SystemInternalID string          `json:"systemInternalId"`
	PartyID          string          `json:"partyId"`
	PartyUUID        string          `json:"partyUuId"`
	AccessPackages   []altinnPackage `json:"accessPackages"`
}

var altinnUUIDRE = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// systemUserJSON renders a system user. productName is the system id: the
// "temporary fix until Maskinporten changes their integration" of
// SystemUserController. Callers hold a.mu.
func (a *Altinn) systemUserJSON(u *altinnSystemUser) altinnSystemUserJSON {
	return altinnSystemUserJSON{
		ID: u.id, IntegrationTitle: u.integrationTitle, SystemID: u.systemID, ProductName: u.systemID,
		ReporteeOrgNo: u.partyOrgNo, Created: u.created.UTC().Format(time.RFC3339Nano), IsDeleted: u.deleted,
		SupplierName: a.orgName(u.supplierOrgNo), SupplierOrgno: u.supplierOrgNo, ExternalRef: u.externalRef,
		UserType: u.userType,
	}
}

func (a *Altinn) systemUserInternalJSON(u *altinnSystemUser) altinnSystemUserInternalJSON {
	out := altinnSystemUserInternalJSON{altinnSystemUserJSON: a.systemUserJSON(u), AccessPackages: altinnClonePackages(u.packages)}
	if s, ok := a.systems[u.systemID]; ok {
		out.SystemInternalID = s.internalID
	}
	if o, ok := a.orgs[u.partyOrgNo]; ok {
		out.PartyID = fmt.Sprint(o.PartyID)
		out.PartyUUID = o.PartyUUID
	}
	return out
}

// handleByExternalID is Maskinporten's lookup (§5): the system user whose
// (live) system lists the client id and belongs to the vendor, owned by the
// org, with that externalRef.
func (a *Altinn) handleByExternalID(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.requireOrg(w, r, alScopeSystemUserLookup); !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")
	q := r.URL.Query()
	clientID, vendor, owner, ext := q.Get("clientId"), q.Get("systemProviderOrgNo"), q.Get("systemUserOwnerOrgNo"), q.Get("externalRef")
	if clientID == "" || vendor == "" || owner == "" {
		writeAltinnStatus(w, http.StatusBadRequest, "clientId, systemProviderOrgNo and systemUserOwnerOrgNo are required")
		return
	}
	if ext == "" {
		ext = owner
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	// A client id belongs to one live system at most (the register refuses
	// a second, AUTH.VLD-00004), and a triple to one live system user.
	if sys := a.liveSystemWithClient(clientID); sys != nil && sys.vendorOrgNo == vendor {
		if u := a.systemUserByTriple(sys.id, owner, ext); u != nil {
			writeJSON(w, http.StatusOK, a.systemUserJSON(u))
			return
		}
	}
	writeAltinnStatus(w, http.StatusNotFound, "")
}

// handleByQuery is the vendor's lookup of a system user by system, owner
// and externalRef (§5); other vendors' system users are not found.
func (a *Altinn) handleByQuery(w http.ResponseWriter, r *http.Request) {
	p, ok := a.vendorOrg(w, r, alScopeRequestWrite)
	if !ok {
		return
	}
	q := r.URL.Query()
	systemID, orgNo, ext := q.Get("system-id"), q.Get("orgno"), q.Get("external-ref")
	if systemID == "" || orgNo == "" {
		writeAltinnStatus(w, http.StatusBadRequest, "system-id and orgno are required")
		return
	}
	if ext == "" {
		ext = orgNo
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	u := a.systemUserByTriple(systemID, orgNo, ext)
	if u == nil || u.supplierOrgNo != p.orgNo {
		writeAltinnStatus(w, http.StatusNotFound, "")
		return
	}
	writeJSON(w, http.StatusOK, a.systemUserJSON(u))
}

type altinnClientInfo struct {
	ClientID                 string `json:"clientId"`
	ClientOrganizationNumber string `json:"clientOrganizationNumber"`
	ClientOrganizationName   string `json:"clientOrganizationName"`
}

// altinnSystemUser is a system user (§5), standard or agent.
type altinnSystemUser struct {
	id               string
	integrationTitle string
	systemID         string
	partyOrgNo       string
	externalRef      string
	userType         string // "standard" or "agent"
	supplierOrgNo    string
	rights           []altinnRight
	packages         []altinnPackage
	created          time.Time
	deleted          bool
	clients          map[string]bool // agent: org numbers of delegated clients
}
