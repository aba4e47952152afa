package transcript

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// --- What to remember ---

// remember derives the handout's closing points from what the run showed.
func (t *transcript) remember() []string {
	sc, set := t.rep.Scenario, t.opts.Settings
	var out []string
	for i, s := range sc.Steps {
		if s.Expect.Code != "" && s.Expect.Why != "" {
			out = append(out, fmt.Sprintf("**This scenario's lesson (step %d, %s):** %s", i+1, s.Expect.Code, s.Expect.Why))
		}
	}
	f := t.facts()
	has := func(id string) bool {
		for _, s := range sc.Steps {
			if s.ID == id {
				return true
			}
		}
		return false
	}
	if sc.Agent {
		out = append(out, fmt.Sprintf("In an agent system user's grant, `systemuser_org` is the facilitator, %s, never the client: "+
			"the system user belongs to the facilitator.", orgCell(set.FacilitatorName, set.FacilitatorOrgNo)))
		where := "in the API path"
		if f.apiPath != "" {
			where += " (`" + f.apiPath + "`)"
		}
		if f.pdpOrg != "" {
			where += fmt.Sprintf(" and in the PDP request Skatteetaten sends to Altinn (`urn:altinn:organization:identifier-no` = `%s`)", f.pdpOrg)
		} else {
			where += " and in the PDP request Skatteetaten sends to Altinn"
		}
		out = append(out, fmt.Sprintf("The client, %s, appears only %s: the token never names it.",
			orgCell(set.CustomerName, set.CustomerOrgNo), where))
		if has("ca-delegate") {
			out = append(out, "Delegating a client (or taking it away) changes nothing in the token: the PDP checks the delegation on every API call.")
		}
		if has("v-system") {
			out = append(out, "An agent system is registered with access packages instead of rights, and must not be visible (`isVisible: false`).")
		}
	} else if f.grantOrg != "" {
		who := "`" + f.grantOrg + "`"
		if f.grantOrg == set.CustomerOrgNo {
			who = orgCell(set.CustomerName, set.CustomerOrgNo)
		}
		line := fmt.Sprintf("`systemuser_org` in the grant is the organisation that approved the request and owns the system user, here %s", who)
		if !f.systemUser {
			// A rejected or unanswered request: nobody owns a system user.
			line = fmt.Sprintf("`systemuser_org` in the grant names the organisation that is to own the system user, here %s; "+
				"it owns one only once it has approved the request, and in this run it has none, so Maskinporten finds none for the grant", who)
		}
		if f.apiPath != "" {
			line += fmt.Sprintf("; the API call names the same organisation (`%s`)", f.apiPath)
		}
		out = append(out, line+".")
	}
	if f.lookup || f.tokenSeen {
		out = append(out, "SmartCloud stores no system user id: its grant names the owner's org (and externalRef, if any); "+
			"Maskinporten asks Altinn for the system user (`GET /authentication/api/v1/systemuser/byExternalId`) and writes "+
			"`systemuser_id` and `system_id` into the token.")
	}
	if f.requestID != "" && strings.EqualFold(f.requestID, f.systemUserID) {
		out = append(out, fmt.Sprintf("The system user's id is its request's id: `systemuser_id[0]` in the token (`%s`) is the `id` Altinn "+
			"answered the request with, so the id SmartCloud got back is also the PDP's subject `urn:altinn:systemuser:uuid`.", f.systemUserID))
	}
	if has("v-system") {
		out = append(out, "The system in Altinn's system register must list the Maskinporten client id, or token requests fail with MP-303.")
	}
	if f.grantOrg != "" {
		life := ""
		if f.expiresIn != "" {
			life = " (here `expires_in` " + f.expiresIn + " s)"
		}
		out = append(out, "A grant is good for one token: sign a fresh one, with a new `jti` and at most 120 s between `iat` and `exp`, "+
			"whenever the token expires"+life+".")
	}
	return out
}

// runFacts are what the run showed that the closing points speak of.
type runFacts struct {
	grantOrg  string // systemuser_org of the first system user grant
	tokenSeen bool   // a verified system user access token
	apiPath   string // the first call to Skatteetaten's API
	pdpOrg    string // the organisation of the first PDP request behind the scenes
	lookup    bool   // Maskinporten asked Altinn for the system user
	expiresIn string // the first token's expires_in
	// requestID is the id of the first system user request created;
	// systemUserID the first systemuser_id[0] of a verified token.
	requestID, systemUserID string
	// systemUser: the run shows a system user exists (a lookup found it,
	// or a token names it).
	systemUser bool
}

// facts reads them from the run's tokens and exchanges.
func (t *transcript) facts() runFacts {
	var f runFacts
	sc := t.rep.Scenario
	for i := range sc.Steps {
		r := t.result(i)
		for _, tk := range r.Tokens {
			if d := detail(tk.Claims); d != nil {
				if strings.HasSuffix(tk.Label, "grant") && f.grantOrg == "" {
					f.grantOrg = strings.TrimPrefix(compactValue(d["systemuser_org"]), "0192:")
				}
				if strings.HasSuffix(tk.Label, "access token") && tk.Verified {
					f.tokenSeen, f.systemUser = true, true
					if ids, _ := d["systemuser_id"].([]any); len(ids) > 0 && f.systemUserID == "" {
						f.systemUserID, _ = ids[0].(string)
					}
				}
			}
		}
		for _, x := range r.Exchanges {
			if strings.Contains(x.URL, "/systemuser/vendor/byquery") && x.Status == 200 {
				f.systemUser = true
			}
			if x.Method == "POST" && strings.Contains(urlPath(x.URL), "/systemuser/request/vendor") && x.Status == 201 && f.requestID == "" {
				var q struct {
					ID string `json:"id"`
				}
				if json.Unmarshal([]byte(x.ResponseBody), &q) == nil {
					f.requestID = q.ID
				}
			}
			if x.Service == "skatteetaten" && f.apiPath == "" {
				f.apiPath = urlPath(x.URL)
			}
			if x.Service == "maskinporten" && strings.HasSuffix(urlPath(x.URL), "/token") && x.Status == 200 && f.expiresIn == "" {
				var tr struct {
					ExpiresIn int `json:"expires_in"`
				}
				if json.Unmarshal([]byte(x.ResponseBody), &tr) == nil && tr.ExpiresIn > 0 {
					f.expiresIn = strconv.Itoa(tr.ExpiresIn)
				}
			}
			for _, bx := range x.Behind {
				if strings.Contains(bx.URL, "/systemuser/byExternalId") {
					f.lookup = true
					f.systemUser = f.systemUser || bx.Status == 200
				}
				if strings.Contains(bx.URL, "/authorization/api/v1/authorize") && f.pdpOrg == "" {
					f.pdpOrg = pdpOrganisation(bx.RequestBody)
				}
			}
		}
	}
	return f
}

// pdpOrganisation finds the organisation a PDP decision request is about.
func pdpOrganisation(body string) string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	var found string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["AttributeId"] == "urn:altinn:organization:identifier-no" {
				if s, ok := x["Value"].(string); ok && found == "" {
					found = s
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return found
}
