package flow

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/lazyre"
)

// The story: each step told to people who do not read JSON (presenter
// mode's story view), in one sentence of what happens and why, with the
// one fact of the run that matters on it: the confirm URL, the
// systemuser_org the grant names, the PDP's decision, the claims that
// come back. A fact is never a token: it is a claim, a field, a decision
// or what a step noted. The sentences restate the narration
// (narration.go), whose facts come from the researched spec.

// Story is a step as the story view tells it.
type Story struct {
	// Sentence says what happens and why.
	Sentence string
	// FactLabel and Fact are the one thing of the run that matters
	// ("systemuser_org", "0192:310904473 (TILFELDIG SUBTIL APE)"); Fact
	// is empty before the step ran, or when its run has not got it.
	FactLabel string
	Fact      string
}

// story is a step's sentence, and how to find its fact in a result.
type story struct {
	sentence string
	label    string
	fact     func(r StepResult, set Settings) string
}

// StoryOf tells the step with its latest result (the zero result before
// it ran); a step without a story of its own is told by its title.
func StoryOf(st Step, r StepResult, set Settings) Story {
	s, ok := stories[st.ID]
	if !ok {
		return Story{Sentence: st.Title + "."}
	}
	out := Story{Sentence: s.sentence, FactLabel: s.label}
	if s.fact != nil && r.Outcome != NotRun && r.Outcome != Running && r.Outcome != Skipped {
		out.Fact = sanitizeFact(s.fact(r, set))
	}
	return out
}

// HasStory reports whether a step id has a story of its own.
func HasStory(id string) bool {
	_, ok := stories[id]
	return ok
}

// stories are the steps' stories by id.
var stories = map[string]story{
	"so-token": {"Skatteetaten proves who it is to Maskinporten with a signed grant and gets a token, so that it may set up its API in Altinn.",
		"The token's scope", tokenClaim("access token", "scope")},
	"so-scope": {"Skatteetaten creates its API's scope at Maskinporten and opens it to SmartCloud, so that SmartCloud's client may ask for it.",
		"The scope", scopeCreated},
	"so-resource": {"Skatteetaten registers the API as a resource in Altinn, tied to the scope, so that Altinn can decide who may use it.",
		"The resource", bodyField("POST", "/resource", "identifier")},
	"v-keys": {"SmartCloud has a key pair: the private key signs its grants and never leaves its servers, the public half goes to Maskinporten.",
		"The key's id", notePrefix("kid ", ",")},
	"v-client": {"SmartCloud creates its Maskinporten client with the scopes it needs, and uploads its public key to it.",
		"The client", notePrefix("client_id ", "")},
	"v-token": {"SmartCloud gets a token as itself, with Altinn's vendor scopes, to register its system and ask customers for access.",
		"The token's scope", tokenClaim("access token", "scope")},
	"v-system": {"SmartCloud describes its product in Altinn's system register: what it will ask customers for, and the client that acts for it.",
		"The system", bodyField("POST", "/systemregister/vendor", "id")},
	"v-request": {"SmartCloud asks the customer for a system user, and Altinn answers with a link for the person who may approve it.",
		"The confirm URL", notePrefix("confirmUrl: ", "")},
	"eu-review": {"The customer's daglig leder opens the link, logs in, and sees which system asks for which rights: nothing is created yet.",
		"Who looks", notePrefix("", " logged in")},
	"ca-review": {"An agent request goes to the auditor, not to each client: its client administrator opens the link and sees the access package asked for.",
		"Who looks", notePrefix("", " logged in")},
	"eu-approve": {"The person approves or rejects; on approval Altinn creates the system user, and SmartCloud can get tokens for it.",
		"The request", decided},
	"ca-approve": {"The client administrator approves, and Altinn creates an agent system user owned by the auditor, for no client yet.",
		"The request", decided},
	"v-poll": {"SmartCloud checks the request, and once it is accepted looks up the system user Altinn made; only the owner's organisation goes in its token requests.",
		"The system user", systemUserOwner},
	"v-poll-2": {"SmartCloud checks the request again: the person approved the old request, and the system user is there.",
		"The system user", systemUserOwner},
	"ca-login": {"The client administrator logs in to Altinn, whose client delegation wants a person's token.",
		"Who logs in", func(_ StepResult, set Settings) string {
			return join(set.ClientAdminLabel(), " at ", set.FacilitatorName)
		}},
	"ca-clients": {"Altinn lists the clients the agent may serve: those for which the auditor holds the role the access package needs.",
		"The clients offered", notePrefix("available: ", "")},
	"ca-delegate": {"The client administrator gives the agent system user a client; SmartCloud's token does not change, only Altinn's answer to Skatteetaten.",
		"The client", func(_ StepResult, set Settings) string { return orgNamed(set, set.CustomerOrgNo) }},
	"ca-remove": {"The client administrator takes the client away again; SmartCloud's token looks the same, the next decision does not.",
		"The client", func(_ StepResult, set Settings) string { return orgNamed(set, set.CustomerOrgNo) }},
	"op-token": {"SmartCloud signs a grant naming the system user's owner; Maskinporten asks Altinn whether that system user exists, and issues a token that says so.",
		"systemuser_org", grantOrg},
	"op-token-2": {"SmartCloud asks for a token again, as before, but its system is gone from the register and its system users with it.",
		"systemuser_org", grantOrg},
	"op-token-grace": {"SmartCloud's grant reaches Maskinporten 5 seconds after it expired, and is still accepted: Maskinporten allows 10 seconds of clock skew.",
		"systemuser_org", grantOrg},
	"op-token-late": {"The same kind of grant, 15 seconds after it expired: past the 10 seconds of grace, so Maskinporten refuses it.",
		"systemuser_org", grantOrg},
	"op-replay": {"SmartCloud sends the very same grant again; Maskinporten remembers every grant and refuses it the second time.",
		"systemuser_org", grantOrg},
	"op-api": {"SmartCloud calls Skatteetaten's API with the token; Skatteetaten checks it, asks Altinn's PDP whether this system user may see these claims, and answers.",
		"What comes back", apiAnswer},
	"op-api-2": {"SmartCloud calls the API again with the same token, after the client was taken away: the PDP decides on every call.",
		"What comes back", apiAnswer},
	"op-wait": {"Time passes before SmartCloud uses its token: the services' clock moves on while nobody waits.",
		"The clock", clockMoved},
	"eu-wait": {"Nobody answers the request for half a year: Altinn marks it timed out, but it stays open.",
		"The request was made", bodyField("PUT", "/created", "created")},
	"v-request-2": {"SmartCloud asks again for the same system user, and Altinn gives back the request it has, with the same link.",
		"The confirm URL", notePrefix("confirmUrl: ", "")},
	"v-delete": {"SmartCloud deletes its system from the register, and Maskinporten no longer finds its system users.",
		"The system", systemDeleted},
	"v-change": {"SmartCloud asks to change what the system user may do, and Altinn answers with a link for the person who may approve the change.",
		"The confirm URL", notePrefix("confirmUrl: ", "")},
	"v-change-undo": {"SmartCloud asks for what it gave up, back, with a change request of its own and a link of its own.",
		"The confirm URL", notePrefix("confirmUrl: ", "")},
	"eu-change-review": {"The daglig leder opens the change request's link and sees what the system user would get and lose: nothing changes yet.",
		"Who looks", notePrefix("", " logged in")},
	"eu-change-review-2": {"The daglig leder opens the second change request's link: this time the system user would get its right back.",
		"Who looks", notePrefix("", " logged in")},
	"eu-change-approve": {"The person approves the change, and Altinn makes it at once; SmartCloud's token stays as it is.",
		"The change", changeDecided},
	"eu-change-approve-2": {"The person approves the second change, and the system user has its right again.",
		"The change", changeDecided},
	"v-change-poll": {"SmartCloud checks the change request and finds it accepted: the change is made in Altinn, not in any token.",
		"The change request", notePrefix("change request status: ", "")},
	"op-api-3": {"SmartCloud calls the API once more with the same token, and the PDP permits it again: the rights live in Altinn.",
		"What comes back", apiAnswer},
	"v-users": {"SmartCloud lists its system's system users page by page, following each page's link to the next.",
		"The list", notePrefix("", ", every page read")},
	"v-users-2": {"SmartCloud lists its system users again, and the deleted one is no longer among them.",
		"The list", notePrefix("", ", every page read")},
	"eu-login": {"The customer's daglig leder logs in to the Altinn portal, where the organisation's system users are listed.",
		"Who logs in", func(_ StepResult, set Settings) string {
			return join(upperFirst(set.EndUserLabel()), " at ", set.CustomerName)
		}},
	"eu-delete": {"The organisation deletes the system user in the portal; Maskinporten will find it no more.",
		"The system user", deletedUser},
	"ca-delete": {"The auditor's daglig leder tries to delete the agent system user, but a client is still delegated to it, so Altinn refuses.",
		"What Altinn answers", failedCall},
	"ca-delete-2": {"With the client removed, the daglig leder deletes the agent system user, and Altinn lets it go.",
		"The system user", deletedUser},
	"op-token-deleted": {"SmartCloud asks for a token as before, but the system user is deleted, so Maskinporten finds none for the grant.",
		"systemuser_org", grantOrg},
}

// tokenClaim is a claim of the step's token whose label ends in label.
func tokenClaim(label, claim string) func(StepResult, Settings) string {
	return func(r StepResult, _ Settings) string {
		for _, t := range r.Tokens {
			if strings.HasSuffix(t.Label, label) {
				if v, ok := t.Claims[claim].(string); ok {
					return v
				}
			}
		}
		return ""
	}
}

// grantOrg is the systemuser_org the step's grant names, with the
// organisation's name.
func grantOrg(r StepResult, set Settings) string {
	for _, t := range r.Tokens {
		if !strings.HasSuffix(t.Label, "grant") {
			continue
		}
		ads, _ := t.Claims["authorization_details"].([]any)
		for _, ad := range ads {
			m, _ := ad.(map[string]any)
			org, _ := m["systemuser_org"].(map[string]any)
			if id, ok := org["ID"].(string); ok {
				_, no, _ := strings.Cut(id, ":")
				if name := orgName(set, no); name != "" {
					return id + " (" + name + ")"
				}
				return id
			}
		}
	}
	return ""
}

// bodyField is a string field of the JSON body the step sent with its
// first call of the method whose path ends in suffix.
func bodyField(method, suffix, field string) func(StepResult, Settings) string {
	return func(r StepResult, _ Settings) string {
		for _, x := range r.Exchanges {
			if x.Method != method || !strings.HasSuffix(pathOf(x.URL), suffix) {
				continue
			}
			var m map[string]any
			if json.Unmarshal([]byte(x.RequestBody), &m) == nil {
				if v, ok := m[field].(string); ok {
					return v
				}
			}
		}
		return ""
	}
}

// scopeCreated is the scope so-scope created, prefix:subscope.
func scopeCreated(r StepResult, set Settings) string {
	p := bodyField("POST", "/scopes", "prefix")(r, set)
	s := bodyField("POST", "/scopes", "subscope")(r, set)
	if p == "" || s == "" {
		return ""
	}
	return p + ":" + s
}

// notePrefix is the rest of the first note that starts with prefix, cut
// before until (when it is not empty).
func notePrefix(prefix, until string) func(StepResult, Settings) string {
	return func(r StepResult, _ Settings) string {
		for _, n := range r.Notes {
			rest, ok := strings.CutPrefix(n, prefix)
			if !ok {
				continue
			}
			if until != "" {
				var found bool
				if rest, _, found = strings.Cut(rest, until); !found {
					continue
				}
			}
			first, _, _ := strings.Cut(rest, "\n")
			return first
		}
		return ""
	}
}

// decided is how the person decided: the status the portal sent the
// browser on with, to the vendor's redirect URL.
func decided(r StepResult, _ Settings) string {
	for _, x := range r.Exchanges {
		if loc := x.ResponseHeader.Get("Location"); loc != "" {
			if u, err := url.Parse(loc); err == nil && u.Query().Get("status") != "" {
				return u.Query().Get("status")
			}
		}
	}
	return ""
}

var ownedBy = lazyre.New(`^system user \S+ \((\w+)\) owned by (\d{9})$`)

// systemUserOwner is who owns the system user the step found; or the
// request's status when there is none.
func systemUserOwner(r StepResult, set Settings) string {
	status := ""
	for _, n := range r.Notes {
		if m := ownedBy.FindStringSubmatch(n); m != nil {
			return m[1] + ", owned by " + orgNamed(set, m[2])
		}
		if rest, ok := strings.CutPrefix(n, "request status: "); ok {
			status, _, _ = strings.Cut(rest, ",")
		}
	}
	if status != "" {
		return "none: the request is " + status
	}
	return ""
}

// apiAnswer is what the API's call came to: Altinn's PDP's decision, and
// the claims the step noted.
func apiAnswer(r StepResult, _ Settings) string {
	decision := ""
	var walk func(xs []client.Exchange)
	walk = func(xs []client.Exchange) {
		for _, x := range xs {
			if strings.HasSuffix(pathOf(x.URL), "/authorize") && decision == "" {
				var d client.Decision
				if json.Unmarshal([]byte(x.ResponseBody), &d) == nil {
					decision = d.Value()
				}
			}
			walk(x.Behind)
		}
	}
	walk(r.Exchanges)
	var parts []string
	if decision != "" {
		parts = append(parts, "Altinn's PDP: "+decision)
	}
	for _, n := range r.Notes {
		if strings.Contains(n, "open claim") {
			parts = append(parts, n)
		}
	}
	for _, x := range r.Exchanges {
		if x.Status >= 400 && len(parts) < 2 {
			parts = append(parts, x.StatusLine())
		}
	}
	return strings.Join(parts, " · ")
}

// changeDecided is how the person decided the change request, as the
// step noted it ("... approved the change").
func changeDecided(r StepResult, _ Settings) string {
	for _, n := range r.Notes {
		for _, v := range []string{"approved", "rejected"} {
			if strings.HasSuffix(n, " "+v+" the change") {
				return v
			}
		}
	}
	return ""
}

// deletedUser is the system user the step deleted.
func deletedUser(r StepResult, _ Settings) string {
	for _, n := range r.Notes {
		if _, id, ok := strings.Cut(n, " deleted system user "); ok {
			return id + " deleted"
		}
	}
	return ""
}

// failedCall is the status line of the step's first refused call, with
// the problem's code when the body has one.
func failedCall(r StepResult, _ Settings) string {
	for _, x := range r.Exchanges {
		if x.Status < 400 {
			continue
		}
		var p struct {
			Code string `json:"code"`
		}
		if json.Unmarshal([]byte(x.ResponseBody), &p) == nil && p.Code != "" {
			return x.StatusLine() + " · " + p.Code
		}
		return x.StatusLine()
	}
	return ""
}

// clockMoved is how far the step moved the mocks' clock.
func clockMoved(r StepResult, _ Settings) string {
	for _, x := range r.Exchanges {
		if j, ok := ClockJump(x); ok {
			return j
		}
	}
	return ""
}

// systemDeleted is the system a DELETE took from the register.
func systemDeleted(r StepResult, _ Settings) string {
	for _, x := range r.Exchanges {
		if x.Method == "DELETE" && x.Status >= 200 && x.Status < 300 {
			p := pathOf(x.URL)
			return p[strings.LastIndexByte(p, '/')+1:] + " deleted"
		}
	}
	return ""
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// orgName is the name of an organisation of the flow, "" for another.
func orgName(set Settings, orgNo string) string {
	switch orgNo {
	case "":
		return ""
	case set.CustomerOrgNo:
		return set.CustomerName
	case set.FacilitatorOrgNo:
		return set.FacilitatorName
	case set.VendorOrgNo:
		return set.VendorName
	case set.ServiceOwnerOrgNo:
		return set.ServiceOwnerName
	}
	return ""
}

// orgNamed is an organisation by name and number: "TILFELDIG SUBTIL APE
// (310904473)".
func orgNamed(set Settings, orgNo string) string {
	if name := orgName(set, orgNo); name != "" && orgNo != "" {
		return name + " (" + orgNo + ")"
	}
	return orgNo
}

func join(a, sep, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + sep + b
}

// longRun is a run of characters a token or a key is made of, long
// enough to be one: the story shows none.
var longRun = lazyre.New(`[A-Za-z0-9_-]{40,}`)

// sanitizeFact keeps a token or a key out of a fact, whatever a note held.
func sanitizeFact(s string) string {
	return longRun.ReplaceAllStringFunc(s, func(m string) string { return m[:8] + "…" })
}
