package mock

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// routeResources registers the routes of the resource registry.
func (a *Altinn) routeResources(m *http.ServeMux) {
	m.HandleFunc("POST /resourceregistry/api/v1/resource", a.handleCreateResource)
	m.HandleFunc("GET /resourceregistry/api/v1/resource/{id}", a.handleGetResource)
	m.HandleFunc("POST /resourceregistry/api/v1/resource/{id}/policy", a.handlePolicy)
	m.HandleFunc("PUT /resourceregistry/api/v1/resource/{id}/policy", a.handlePolicy)
	m.HandleFunc("GET /resourceregistry/api/v1/resource/{id}/policy/subjects", a.handlePolicySubjects)
}

// The XACML attribute ids the mock reads from a policy.
const (
	xacmlPackageAttr = "urn:altinn:accesspackage"
	xacmlActionAttr  = "urn:oasis:names:tc:xacml:1.0:action:action-id"
)

// handleCreateResource registers a ServiceResource (§9).
func (a *Altinn) handleCreateResource(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeResourceWrite)
	if !ok {
		return
	}
	var body map[string]any
	if !altinnDecodeBody(w, r, &body) {
		return
	}
	id, _ := body["identifier"].(string)
	if strings.TrimSpace(id) == "" || strings.ContainsAny(id, " /?#") {
		writeAltinnModelProblem(w, "Identifier", "The Identifier field is required and may not contain spaces or slashes.")
		return
	}
	authority, _ := body["hasCompetentAuthority"].(map[string]any)
	owner, _ := authority["organization"].(string)
	if owner == "" {
		writeAltinnModelProblem(w, "HasCompetentAuthority", "The HasCompetentAuthority field with its organization is required.")
		return
	}
	if owner != p.orgNo {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("hasCompetentAuthority.organization %s is not the token's organisation %s", owner, p.orgNo))
		return
	}
	delegable := true
	if d, ok := body["delegable"].(bool); ok {
		delegable = d
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, exists := a.resources[id]; exists {
		writeAltinnStatus(w, http.StatusConflict, fmt.Sprintf("the resource %s already exists", id))
		return
	}
	a.resources[id] = &altinnResource{id: id, owner: owner, body: body, delegable: delegable}
	w.Header().Set("Location", a.cfg.URL+"resourceregistry/api/v1/resource/"+id)
	writeJSON(w, http.StatusCreated, body)
}

// handleGetResource answers the resource; the registry is open to read.
func (a *Altinn) handleGetResource(w http.ResponseWriter, r *http.Request) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	res, ok := a.resources[r.PathValue("id")]
	if !ok {
		writeAltinnStatus(w, http.StatusNotFound, "")
		return
	}
	writeJSON(w, http.StatusOK, res.body)
}

// handlePolicy takes the resource's XACML policy (multipart field
// policyFile) and keeps what the PDP needs of it: each Permit rule's access
// packages and actions.
func (a *Altinn) handlePolicy(w http.ResponseWriter, r *http.Request) {
	p, ok := a.requireOrg(w, r, alScopeResourceWrite)
	if !ok {
		return
	}
	id := r.PathValue("id")
	a.mu.RLock()
	res, exists := a.resources[id]
	var owner string
	if exists {
		owner = res.owner
	}
	a.mu.RUnlock()
	if !exists {
		writeAltinnStatus(w, http.StatusNotFound, fmt.Sprintf("no resource %s", id))
		return
	}
	if owner != p.orgNo {
		writeAltinnStatus(w, http.StatusForbidden, fmt.Sprintf("the resource %s belongs to %s, not to the token's organisation %s", id, owner, p.orgNo))
		return
	}
	file, _, err := r.FormFile("policyFile")
	if err != nil {
		writeAltinnModelProblem(w, "policyFile", "A multipart/form-data body with the XACML policy in the field policyFile is required.")
		return
	}
	defer file.Close()
	rules, err := parseXACMLPolicy(file)
	if err != nil {
		writeAltinnStatus(w, http.StatusBadRequest, "the policy is not a readable XACML 3.0 policy: "+err.Error())
		return
	}
	a.mu.Lock()
	if res, ok := a.resources[id]; ok {
		res.rules = rules
	}
	a.mu.Unlock()
	w.Header().Set("Location", a.cfg.URL+"resourceregistry/api/v1/resource/"+id+"/policy")
	w.WriteHeader(http.StatusCreated)
}

// handlePolicySubjects lists the access packages the resource's policy
// names, as the registry's policy/subjects endpoint does.
func (a *Altinn) handlePolicySubjects(w http.ResponseWriter, r *http.Request) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	res, ok := a.resources[r.PathValue("id")]
	if !ok {
		writeAltinnStatus(w, http.StatusNotFound, "")
		return
	}
	type subject struct {
		Type  string `json:"type"`
		Value string `json:"value"`
		URN   string `json:"urn"`
	}
	out := []subject{}
	for _, urn := range res.packages() {
		out = append(out, subject{Type: xacmlPackageAttr, Value: strings.TrimPrefix(urn, altinnPackagePrefix), URN: urn})
	}
	writeJSON(w, http.StatusOK, out)
}

// packages lists, sorted and once each, the access packages of the
// resource's rules.
func (res *altinnResource) packages() []string {
	seen := map[string]bool{}
	var out []string
	for _, rule := range res.rules {
		for _, p := range rule.Packages {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// permitsPackage tells whether a rule of the resource gives one of pkgs the
// action.
func (res *altinnResource) permitsPackage(pkgs []altinnPackage, action string) bool {
	for _, rule := range res.rules {
		if !xacmlActionAllowed(rule.Actions, action) {
			continue
		}
		for _, rp := range rule.Packages {
			for _, p := range pkgs {
				if p.URN == rp {
					return true
				}
			}
		}
	}
	return false
}

func xacmlActionAllowed(actions []string, action string) bool {
	if len(actions) == 0 {
		return true
	}
	for _, a := range actions {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// parseXACMLPolicy reads an XACML 3.0 policy, well-formed XML, tolerantly: for each Permit
// rule, the values of its Match elements whose AttributeDesignator is the
// access package attribute or the action id. Namespace prefixes are
// ignored, as is everything else in the policy but a rule's Effect, which
// must be Permit or Deny.
func parseXACMLPolicy(r io.Reader) ([]xacmlRule, error) {
	dec := xml.NewDecoder(r)
	// Strict, as Altinn parses policies with .NET's XmlReader: a policy
	// that is not well-formed XML is refused, not guessed at.
	dec.Strict = true
	var (
		rules     []xacmlRule
		rule      = -1 // index of the rule being read, -1 outside rules
		skipRule  bool // a Deny rule
		sawPolicy bool
		inMatch   bool
		inValue   bool
		value     strings.Builder
		matchVal  string
		matchAttr string
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "Policy", "PolicySet":
				sawPolicy = true
			case "Rule":
				// Effect is required and is Permit or Deny, as Altinn's own
				// parser reads it (Altinn/altinn-authorization-tmp,
				// src/pkgs/Altinn.Authorization.ABAC/src/Altinn.Authorization.ABAC/Utils/XacmlParser.cs,
				// ReadRule: "Wrong XacmlEffectType value"); a rule without
				// one grants nothing.
				switch effect := xacmlXMLAttr(t, "Effect"); {
				case strings.EqualFold(effect, "Permit"):
					skipRule = false
				case strings.EqualFold(effect, "Deny"):
					skipRule = true
				default:
					return nil, fmt.Errorf("rule %d has no Effect Permit or Deny", len(rules)+1)
				}
				rules = append(rules, xacmlRule{})
				rule = len(rules) - 1
			case "Match", "AnyOf", "AllOf":
				if t.Name.Local == "Match" {
					inMatch, matchVal, matchAttr = true, "", ""
				}
			case "AttributeValue":
				if inMatch {
					inValue = true
					value.Reset()
				}
			case "AttributeDesignator":
				if inMatch {
					matchAttr = xacmlXMLAttr(t, "AttributeId")
				}
			}
		case xml.CharData:
			if inValue {
				value.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "AttributeValue":
				if inValue {
					matchVal = strings.TrimSpace(value.String())
					inValue = false
				}
			case "Match":
				inMatch = false
				if rule < 0 || skipRule || matchVal == "" {
					continue
				}
				switch matchAttr {
				case xacmlPackageAttr:
					rules[rule].Packages = xacmlAppendOnce(rules[rule].Packages, altinnPackageURN(matchVal))
				case xacmlActionAttr:
					rules[rule].Actions = xacmlAppendOnce(rules[rule].Actions, matchVal)
				}
			case "Rule":
				if skipRule && rule >= 0 {
					rules = rules[:rule]
				}
				rule, skipRule = -1, false
			}
		}
	}
	if !sawPolicy {
		return nil, errors.New("no Policy element")
	}
	return rules, nil
}

func xacmlXMLAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func xacmlAppendOnce(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// altinnResource is a resource in the resource registry.
type altinnResource struct {
	id        string
	owner     string         // org number of hasCompetentAuthority
	body      map[string]any // the ServiceResource as GET returns it
	delegable bool
	rules     []xacmlRule // from its policy: who gets which actions
}

// xacmlRule is what the mock reads of one rule of a resource's XACML
// policy: the access packages among its subjects and its actions (none
// listed: any action).
type xacmlRule struct {
	Packages []string
	Actions  []string
}
