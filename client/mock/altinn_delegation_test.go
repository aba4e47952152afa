package mock

import (
	"testing"

	"github.com/systembruker/workbench/client"
)

func TestAltinnClientDelegation(t *testing.T) {
	e := newAltinnTestEnv(t, altinnTestSeed(true))
	dress := e.personalToken(PIDDressMinst)
	apeUUID := e.partyUUID(OrgSubtilApe)
	const base = "authentication/api/v1/enduser/systemuser/"
	agentQ := "?agent=" + atAgentUser

	agents := e.do("GET", base+"agents?party="+OrgTiger, dress, nil)
	if agents.status != 200 {
		t.Fatalf("agents: %d %s", agents.status, agents.body)
	}
	list := agents.json(t).([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != atAgentUser || list[0].(map[string]any)["partyUuId"] != "" {
		// partyUuId is never read from the database (SystemUserRepository.cs
		// ConvertFromReaderToSystemUser L392-416): "" on the wire.
		t.Errorf("agents %v", list)
	}
	clients := func(path string) []any {
		t.Helper()
		r := e.do("GET", base+path+agentQ, dress, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		m := r.obj(t)
		info := m["systemUserInformation"].(map[string]any)
		if info["systemUserId"] != atAgentUser || info["systemUserOwnerOrg"] != OrgTiger || m["links"] == nil {
			t.Errorf("%s: %v", path, m)
		}
		return m["data"].([]any)
	}
	// TIGER holds REVI for APE, and the agent has the auditor package.
	avail := clients("clients/available")
	if len(avail) != 1 {
		t.Fatalf("available %v", avail)
	}
	want := map[string]any{"clientId": apeUUID, "clientOrganizationNumber": OrgSubtilApe, "clientOrganizationName": "TILFELDIG SUBTIL APE"}
	for k, v := range want {
		if avail[0].(map[string]any)[k] != v {
			t.Errorf("available %s = %v, want %v", k, avail[0].(map[string]any)[k], v)
		}
	}
	if got := clients("clients"); len(got) != 0 {
		t.Errorf("delegated before delegation: %v", got)
	}

	for _, tc := range []struct {
		name, method, query, token string
		status                     int
		code                       string
	}{
		{"not the owner's daglig leder", "POST", agentQ + "&client=" + apeUUID, e.personalToken(PIDStadigKonsert), 403, ""},
		{"read scope only", "POST", agentQ + "&client=" + apeUUID, e.personalToken(PIDDressMinst, alScopeClientDelegRead), 403, ""},
		{"an organisation's token", "POST", agentQ + "&client=" + apeUUID, e.vendorToken(alScopeClientDelegWrite), 403, ""},
		{"no agent", "POST", "?client=" + apeUUID, dress, 400, "AUTH.VLD-00014"},
		{"unknown agent", "POST", "?agent=" + client.NewUUID() + "&client=" + apeUUID, dress, 400, "AUTH.VLD-00014"},
		{"a standard system user", "POST", "?agent=" + atStandardUser + "&client=" + apeUUID, dress, 400, "AUTH.VLD-00015"},
		{"no client", "POST", agentQ, dress, 400, "AUTH.VLD-00016"},
		// SystemUserService.ValidateClientForAgentSystemUser L936-938.
		{"not a client of the owner", "POST", agentQ + "&client=" + e.partyUUID(OrgSmartCloud), dress, 400, "AUTH-00079"},
		{"unknown client", "POST", agentQ + "&client=" + client.NewUUID(), dress, 400, "AUTH-00079"},
		{"remove before delegating", "DELETE", agentQ + "&client=" + apeUUID, dress, 404, ""},
		{"delegate", "POST", agentQ + "&client=" + apeUUID, dress, 200, ""},
		{"delegate again", "POST", agentQ + "&client=" + apeUUID, dress, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, base+"clients"+tc.query, tc.token, nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" && r.code(t) != tc.code {
				t.Errorf("code %s, want %s: %s", r.code(t), tc.code, r.body)
			}
			if tc.status == 200 {
				m := r.obj(t)
				if m["agent"] != atAgentUser || m["client"] != apeUUID || len(m) != 2 {
					t.Errorf("answer %v", m)
				}
			}
		})
	}
	if got := clients("clients"); len(got) != 1 || got[0].(map[string]any)["clientId"] != apeUUID {
		t.Errorf("delegated %v", got)
	}
	if r := e.do("DELETE", base+"clients"+agentQ+"&client="+apeUUID, dress, nil); r.status != 200 {
		t.Errorf("remove: %d %s", r.status, r.body)
	}
	if got := clients("clients"); len(got) != 0 {
		t.Errorf("after removal %v", got)
	}
}
