package mock

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The mock Altinn's seed: organisations, persons, roles, resources,
// systems, system users and client delegations.

// Seed loads organisations, persons, roles, resources, systems, system users
// and delegations. Later entries replace earlier ones with the same key.
// Systems go through the system register's own validation.
func (a *Altinn) Seed(s Seed) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range s.Orgs {
		if err := a.seedOrg(o); err != nil {
			return fmt.Errorf("orgs (%s): %w", o.OrgNo, err)
		}
	}
	for _, p := range s.Persons {
		if err := a.seedPerson(p); err != nil {
			return fmt.Errorf("persons (%s): %w", p.PID, err)
		}
	}
	for _, r := range s.Roles {
		if err := a.seedRole(r); err != nil {
			return fmt.Errorf("roles (%s %s for %s): %w", r.From, r.Code, r.To, err)
		}
	}
	for _, r := range s.Resources {
		if err := a.seedResource(r); err != nil {
			return fmt.Errorf("resources (%s): %w", r.Identifier, err)
		}
	}
	for _, sys := range s.Systems {
		if err := a.seedSystem(sys); err != nil {
			return fmt.Errorf("systems (%v): %w", sys["id"], err)
		}
	}
	seeded := map[string]bool{} // system users of this call, by (system, party, externalRef)
	for _, su := range s.SystemUsers {
		if su.ID != "" && !altinnUUIDRE.MatchString(su.ID) {
			// Altinn's system user ids are GUIDs (and equal the request's id).
			return fmt.Errorf("systemUsers (%q): id is not a UUID (8-4-4-4-12 hex digits); leave it out and the mock makes one", su.ID)
		}
		if err := a.seedSystemUser(su, seeded); err != nil {
			return fmt.Errorf("systemUsers (%s for %s): %w", su.SystemID, su.PartyOrgNo, err)
		}
	}
	for _, d := range s.Delegations {
		if err := a.seedDelegation(d); err != nil {
			return fmt.Errorf("clientDelegations (%s to %s): %w", d.ClientOrgNo, d.SystemUserID, err)
		}
	}
	return nil
}

func (a *Altinn) seedOrg(o Org) error {
	if !altinnOrgNoRE.MatchString(o.OrgNo) {
		return errors.New("orgNo must be nine digits")
	}
	if o.Name == "" {
		return errors.New("name is required")
	}
	h := sha1.Sum([]byte("mock-altinn-party:" + o.OrgNo))
	if o.PartyID == 0 {
		o.PartyID = 50000000 + int(binary.BigEndian.Uint32(h[:4])%9000000)
	}
	if o.PartyUUID == "" {
		// Name-based, so the same org gets the same party UUID every run.
		h[6] = h[6]&0x0f | 0x50
		h[8] = h[8]&0x3f | 0x80
		x := hex.EncodeToString(h[:16])
		o.PartyUUID = x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
	}
	for no, other := range a.orgs {
		if no != o.OrgNo && (other.PartyID == o.PartyID || strings.EqualFold(other.PartyUUID, o.PartyUUID)) {
			return fmt.Errorf("partyId %d / partyUuid %s already belongs to %s", o.PartyID, o.PartyUUID, no)
		}
	}
	a.orgs[o.OrgNo] = o
	return nil
}

func (a *Altinn) seedPerson(p Person) error {
	if !altinnPIDRE.MatchString(p.PID) {
		return errors.New("pid must be eleven digits")
	}
	if p.Name == "" {
		return errors.New("name is required")
	}
	for i := range a.persons {
		if a.persons[i].PID == p.PID {
			a.persons[i] = p
			return nil
		}
	}
	a.persons = append(a.persons, p)
	return nil
}

func (a *Altinn) seedRole(r Role) error {
	if _, ok := a.orgs[r.To]; !ok {
		return fmt.Errorf("to: unknown organisation %q", r.To)
	}
	switch {
	case altinnPIDRE.MatchString(r.From):
		if _, ok := a.person(r.From); !ok {
			return fmt.Errorf("from: unknown person %q", r.From)
		}
	case altinnOrgNoRE.MatchString(r.From):
		if _, ok := a.orgs[r.From]; !ok {
			return fmt.Errorf("from: unknown organisation %q", r.From)
		}
	default:
		return fmt.Errorf("from: %q is neither a PID nor an org number", r.From)
	}
	if r.Code == "" {
		return errors.New("code is required")
	}
	if !a.hasRole(r.From, r.To, r.Code) {
		a.roles = append(a.roles, r)
	}
	return nil
}

func (a *Altinn) seedResource(sr SeedResource) error {
	if sr.Identifier == "" {
		return errors.New("identifier is required")
	}
	owner, ok := a.orgs[sr.OwnerOrgNo]
	if !ok {
		return fmt.Errorf("owner_orgno: unknown organisation %q", sr.OwnerOrgNo)
	}
	title := sr.Title
	if title == "" {
		title = sr.Identifier
	}
	body := map[string]any{
		"identifier":  sr.Identifier,
		"title":       map[string]string{"en": title, "nb": title, "nn": title},
		"description": map[string]string{"en": title, "nb": title, "nn": title},
		"status":      "Completed",
		"delegable":   true,
		"visible":     true,
		"hasCompetentAuthority": map[string]string{
			"organization": owner.OrgNo, "orgcode": "", "name": owner.Name,
		},
		"resourceType":   "GenericAccessResource",
		"accessListMode": "Disabled",
	}
	if sr.Scope != "" {
		body["resourceReferences"] = []map[string]string{{
			"referenceSource": "ExternalPlatform", "reference": sr.Scope, "referenceType": "MaskinportenScope",
		}}
	}
	res := &altinnResource{id: sr.Identifier, owner: owner.OrgNo, body: body, delegable: true}
	if len(sr.AccessPackages) > 0 {
		rule := xacmlRule{}
		for _, p := range sr.AccessPackages {
			rule.Packages = append(rule.Packages, altinnPackageURN(p))
		}
		res.rules = []xacmlRule{rule}
	}
	a.resources[sr.Identifier] = res
	return nil
}

func (a *Altinn) seedSystem(raw map[string]any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	req, err := decodeSystemRequest(b)
	if err != nil {
		return err
	}
	replacing := a.systems[req.ID]
	if errs := a.validateSystem(req, replacing); len(errs) > 0 {
		return altinnVldAsError(errs)
	}
	a.storeSystem(req, replacing)
	return nil
}

// altinnVldAsError joins validation errors into one error for a seed.
func altinnVldAsError(errs []altinnVldError) error {
	var parts []string
	for _, e := range errs {
		s := e.Code + " " + e.Title
		if e.Detail != "" {
			s += " (" + e.Detail + ")"
		}
		parts = append(parts, s)
	}
	return errors.New(strings.Join(parts, "; "))
}

// seedSystemUser adds a system user. One with the same (system, party,
// externalRef) as an earlier entry of the same seed is an error; one from an
// earlier Seed call is replaced, keeping its id unless the entry names one.
func (a *Altinn) seedSystemUser(su SeedSystemUser, seeded map[string]bool) error {
	sys, ok := a.systems[su.SystemID]
	if !ok || sys.deleted {
		return fmt.Errorf("systemId: no registered system %q", su.SystemID)
	}
	if _, ok := a.orgs[su.PartyOrgNo]; !ok {
		return fmt.Errorf("partyOrgNo: unknown organisation %q", su.PartyOrgNo)
	}
	u := &altinnSystemUser{
		id: su.ID, integrationTitle: su.IntegrationTitle, systemID: sys.id, partyOrgNo: su.PartyOrgNo,
		externalRef: su.ExternalRef, userType: su.Type, supplierOrgNo: sys.vendorOrgNo, created: a.now().UTC(),
	}
	if u.id == "" {
		u.id = altinnUUID()
	}
	if u.externalRef == "" {
		u.externalRef = su.PartyOrgNo
	}
	if u.integrationTitle == "" {
		u.integrationTitle = altinnLocalized(sys.name)
	}
	switch u.userType {
	case "":
		u.userType = "standard"
	case "standard", "agent":
	default:
		return fmt.Errorf("type %q is neither standard nor agent", su.Type)
	}
	var err error
	if u.rights, err = altinnRemarshal[[]altinnRight](su.Rights); err != nil {
		return fmt.Errorf("rights: %w", err)
	}
	if u.packages, err = altinnRemarshal[[]altinnPackage](su.AccessPackages); err != nil {
		return fmt.Errorf("accessPackages: %w", err)
	}
	if u.userType == "agent" {
		if len(u.rights) > 0 {
			return errors.New("an agent system user has access packages, not rights")
		}
		if len(u.packages) == 0 {
			u.packages = altinnClonePackages(sys.packages)
		}
		if len(u.packages) == 0 {
			return fmt.Errorf("agent system user: system %s has no access packages", sys.id)
		}
		u.clients = map[string]bool{}
	} else if len(u.rights) == 0 && len(u.packages) == 0 {
		u.rights = altinnCloneRights(sys.rights)
		u.packages = altinnClonePackages(sys.packages)
	}
	if !altinnRightsSubset(u.rights, sys.rights) {
		return fmt.Errorf("rights: not a subset of system %s's rights", sys.id)
	}
	if !altinnPackagesSubset(u.packages, sys.packages) {
		return fmt.Errorf("accessPackages: not a subset of system %s's access packages", sys.id)
	}
	key := u.systemID + "\x00" + u.partyOrgNo + "\x00" + u.externalRef
	if seeded[key] {
		return fmt.Errorf("a system user already exists for this system, party and externalRef %q", u.externalRef)
	}
	seeded[key] = true
	if other := a.systemUserByTriple(u.systemID, u.partyOrgNo, u.externalRef); other != nil && other.id != u.id {
		if su.ID != "" {
			return fmt.Errorf("system user %s already exists for this system, party and externalRef %q", other.id, u.externalRef)
		}
		u.id = other.id
	}
	// A replaced agent keeps the clients delegated to it.
	if old, ok := a.systemUsers[u.id]; ok && old.clients != nil && u.clients != nil {
		u.clients = old.clients
	}
	a.systemUsers[u.id] = u
	return nil
}

func (a *Altinn) seedDelegation(d SeedDelegation) error {
	u, ok := a.systemUsers[d.SystemUserID]
	if !ok {
		return fmt.Errorf("systemUserId: no system user %q", d.SystemUserID)
	}
	if u.userType != "agent" {
		return errors.New("systemUserId: not an agent system user")
	}
	if _, ok := a.orgs[d.ClientOrgNo]; !ok {
		return fmt.Errorf("clientOrgNo: unknown organisation %q", d.ClientOrgNo)
	}
	if !a.clientAvailable(u, d.ClientOrgNo) {
		return fmt.Errorf("clientOrgNo: %s holds no role for %s that the system user's access packages map to", u.partyOrgNo, d.ClientOrgNo)
	}
	u.clients[d.ClientOrgNo] = true
	return nil
}

// altinnRemarshal converts seed JSON values (maps) into typed values.
func altinnRemarshal[T any](v any) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}
