package mock

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

// Altinn's access package catalogue: every package Access Management
// knows, with the two flags the authentication API reads. The data file
// restates Altinn/altinn-authorization-tmp
// src/apps/Altinn.AccessManagement/src/Altinn.AccessMgmt.PersistenceEF/
// Constants/PackageConstants.cs at f7ff53bd (223 packages, each with its
// line there), which Access Management seeds into its database
// (Data/StaticDataIngest.cs L144) and serves at
// meta/info/accesspackages/package/urn/{urn}; altinn-authentication asks
// that endpoint for every package it validates
// (src/Integration/AccessManagement/AccessManagementClient.cs
// GetAccessPackage L380-406).
//
// How the flags are used (altinn-authentication at ad4f6f3):
//   - the system register refuses a package that is unknown, or neither
//     delegable nor assignable, with AUTH.VLD-00008
//     (SystemRegisterService.GetInvalidAccessPackageUrnsDetailed L205-254);
//   - a visible system (isVisible true) may hold only assignable packages,
//     else AUTH.VLD-00018 (SystemRegisterController.cs L527-532);
//   - a standard request (and a change request's requiredAccessPackages)
//     only assignable ones, else AUTH-00064; an agent request only
//     delegable ones, else AUTH-00065 (SystemUserService.ValidateAccessPackages
//     L717-729).

//go:embed data/access-packages.json
var accessPackagesJSON []byte

// altinnPackageInfo is one package of the catalogue.
type altinnPackageInfo struct {
	URN          string `json:"urn"`
	Name         string `json:"name"`
	IsDelegable  bool   `json:"isDelegable"`
	IsAssignable bool   `json:"isAssignable"`
	EntityType   string `json:"entityType"`
	Area         string `json:"area"`
	Line         int    `json:"line"`
}

// altinnPackages is the catalogue by lower-case URN: Access Management
// finds a package by its URN without regard to case (PackageService.cs
// L255-268 in altinn-authorization-tmp).
var altinnPackages = sync.OnceValue(func() map[string]altinnPackageInfo {
	var f struct {
		Packages []altinnPackageInfo `json:"packages"`
	}
	if err := json.Unmarshal(accessPackagesJSON, &f); err != nil || len(f.Packages) == 0 {
		panic("mock: the embedded access package catalogue does not read: " + errString(err))
	}
	m := make(map[string]altinnPackageInfo, len(f.Packages))
	for _, p := range f.Packages {
		m[strings.ToLower(p.URN)] = p
	}
	return m
})

func errString(err error) string {
	if err == nil {
		return "no packages"
	}
	return err.Error()
}

// altinnPackage looks a package up in the catalogue.
func altinnPackageOf(urn string) (altinnPackageInfo, bool) {
	p, ok := altinnPackages()[strings.ToLower(strings.TrimSpace(urn))]
	return p, ok
}

// altinnPackageAssignable tells whether a package may be given to a
// standard system user (isAssignable): ValidateAccessPackages L724-729
// refuses the others with AUTH-00064, the client-relation packages among
// them.
func altinnPackageAssignable(urn string) bool {
	p, ok := altinnPackageOf(urn)
	return ok && p.IsAssignable
}

// altinnPackageDelegable tells whether a package may be given to an agent
// system user (isDelegable; ValidateAccessPackages L717-722 refuses the
// others with AUTH-00065: the administrator packages, and those for
// persons).
func altinnPackageDelegable(urn string) bool {
	p, ok := altinnPackageOf(urn)
	return ok && p.IsDelegable
}
