package mock

import (
	"strings"
	"testing"
	"time"
)

func TestAltinnByExternalID(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	if err := e.alt.Seed(Seed{SystemUsers: []SeedSystemUser{{SystemID: atSystem, PartyOrgNo: OrgTiger, ExternalRef: "kunde-42"}}}); err != nil {
		t.Fatal(err)
	}
	mp := e.mp.orgToken(t, OrgDigdir, alScopeSystemUserLookup)
	q := func(clientID, vendor, owner, ext string) string {
		s := "authentication/api/v1/systemuser/byExternalId?clientId=" + clientID + "&systemProviderOrgNo=" + vendor + "&systemUserOwnerOrgNo=" + owner
		if ext != "" {
			s += "&externalRef=" + ext
		}
		return s
	}
	for _, tc := range []struct {
		name, path, token string
		status            int
	}{
		{"found", q(atClient, OrgSmartCloud, OrgSubtilApe, ""), mp, 200},
		{"externalRef = owner by default", q(atClient, OrgSmartCloud, OrgSubtilApe, OrgSubtilApe), mp, 200},
		{"own externalRef", q(atClient, OrgSmartCloud, OrgTiger, "kunde-42"), mp, 200},
		{"own externalRef missing", q(atClient, OrgSmartCloud, OrgTiger, ""), mp, 404},
		{"agent for its owner", q(atAgentClient, OrgSmartCloud, OrgTiger, ""), mp, 200},
		{"agent named by a client org", q(atAgentClient, OrgSmartCloud, OrgSubtilApe, ""), mp, 404},
		{"client id of another system", q(atAgentClient, OrgSmartCloud, OrgTiger, "kunde-42"), mp, 404},
		{"unknown client id", q("nope", OrgSmartCloud, OrgSubtilApe, ""), mp, 404},
		{"wrong vendor", q(atClient, OrgTiger, OrgSubtilApe, ""), mp, 404},
		{"missing owner", q(atClient, OrgSmartCloud, "", ""), mp, 400},
		{"wrong scope", q(atClient, OrgSmartCloud, OrgSubtilApe, ""), e.mp.orgToken(t, OrgDigdir, alScopeRequestRead), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", tc.path, tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 200 && !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
				t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
			}
		})
	}
	u := e.do("GET", q(atClient, OrgSmartCloud, OrgSubtilApe, ""), mp, nil).obj(t)
	// supplierName is never filled (SystemUserRepository.cs L392-416);
	// productName is the system id on this route only (SUC L182-183).
	want := map[string]any{
		"id": atStandardUser, "integrationTitle": "SmartCloud 1", "systemId": atSystem, "productName": atSystem,
		"reporteeOrgNo": OrgSubtilApe, "isDeleted": false, "supplierName": "", "supplierOrgno": OrgSmartCloud,
		"externalRef": OrgSubtilApe, "userType": "standard",
	}
	for k, v := range want {
		if u[k] != v {
			t.Errorf("%s = %v, want %v", k, u[k], v)
		}
	}
	if len(u) != 11 {
		t.Errorf("keys %v: want exactly the 11 of SystemUserExternalDTO", u)
	}
	if _, err := time.Parse(time.RFC3339Nano, u["created"].(string)); err != nil {
		t.Errorf("created: %v", err)
	}

	byQuery := "authentication/api/v1/systemuser/vendor/byquery?system-id=" + atSystem + "&orgno=" + OrgSubtilApe
	if r := e.do("GET", byQuery, e.vendorToken(alScopeRequestWrite), nil); r.status != 200 || r.obj(t)["id"] != atStandardUser {
		t.Errorf("byquery: %d %s", r.status, r.body)
	}
	if r := e.do("GET", byQuery, e.mp.orgToken(t, OrgTiger, alScopeRequestWrite), nil); r.status != 404 {
		t.Errorf("byquery by another vendor: %d", r.status)
	}
	if r := e.do("GET", byQuery+"&external-ref=nope", e.vendorToken(alScopeRequestWrite), nil); r.status != 404 {
		t.Errorf("byquery, other ref: %d", r.status)
	}
}
