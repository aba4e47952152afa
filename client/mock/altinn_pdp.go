package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// routePDP registers the routes of the PDP.
func (a *Altinn) routePDP(m *http.ServeMux) {
	m.HandleFunc("POST /authorization/api/v1/authorize", a.handleAuthorize)
	m.HandleFunc("POST /authorization/api/v1/decision", a.handleDecision)
}

// XACML attribute ids of a system user decision request (§7).
const (
	pdpSubjectSystemUser = "urn:altinn:systemuser:uuid"
	pdpResourceID        = "urn:altinn:resource"
	pdpPartyOrgNo        = "urn:altinn:organization:identifier-no"
	pdpPartyOrgNoLegacy  = "urn:altinn:organizationnumber"
	pdpPartyID           = "urn:altinn:partyid"
	pdpPartyUUID         = "urn:altinn:party:uuid"
	pdpStatusOK          = "urn:oasis:names:tc:xacml:1.0:status:ok"
	pdpStatusSyntaxError = "urn:oasis:names:tc:xacml:1.0:status:syntax-error"
	pdpPersonID          = "urn:altinn:person:identifier-no"
)

// PDP decisions.
const (
	pdpPermit        = "Permit"
	pdpNotApplicable = "NotApplicable"
	pdpIndeterminate = "Indeterminate"
)

type pdpResponse struct {
	Response []pdpResult `json:"response"`
}

type pdpResult struct {
	Decision             string    `json:"decision"`
	Status               pdpStatus `json:"status"`
	Obligations          []any     `json:"obligations"`
	AssociateAdvice      any       `json:"associateAdvice"`
	Category             any       `json:"category"`
	PolicyIdentifierList any       `json:"policyIdentifierList"`
}

type pdpStatus struct {
	StatusMessage *string       `json:"statusMessage"`
	StatusDetails any           `json:"statusDetails"`
	StatusCode    pdpStatusCode `json:"statusCode"`
}

type pdpStatusCode struct {
	Value      string `json:"value"`
	StatusCode any    `json:"statusCode"`
}

// pdpAttr is one XACML attribute of a request category.
type pdpAttr struct{ id, value string }

// subscriptionKey is API Management's check in front of the PDP: the
// Ocp-Apim-Subscription-Key, answered with its own 401 body. It reports
// whether to go on.
func (a *Altinn) subscriptionKey(w http.ResponseWriter, r *http.Request) bool {
	switch key := r.Header.Get("Ocp-Apim-Subscription-Key"); {
	case key == "":
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401,
			"message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."})
		return false
	case key != a.cfg.SubscriptionKey:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401,
			"message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."})
		return false
	}
	return true
}

// handleAuthorize is the PDP (§7). API Management checks the subscription
// key first; then the Altinn token with the authorize scope.
func (a *Altinn) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if !a.subscriptionKey(w, r) {
		return
	}
	p, reason, ok := a.authenticate(r)
	if !ok {
		writeBearerChallenge(w, reason)
		return
	}
	if !p.fromAltinn {
		writeBearerChallenge(w, "the PDP takes an Altinn token: exchange the Maskinporten token at "+a.cfg.URL+"authentication/api/v1/exchange/maskinporten first")
		return
	}
	if !p.hasScope(alScopeAuthorize, alScopeAuthorizeAdmin) {
		writeAltinnStatus(w, http.StatusForbidden, "the token's scope does not include "+alScopeAuthorize)
		return
	}
	var body map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber() // a party id stays 51390520, not 5.139052e+07
	if err := dec.Decode(&body); err != nil {
		writeAltinnModelProblem(w, "$", "The JSON value could not be read: "+err.Error())
		return
	}
	req, _ := xacmlField(body, "Request").(map[string]any)
	if req == nil {
		writeAltinnModelProblem(w, "Request", "The Request field is required.")
		return
	}
	decision, why := a.decideXACML(req)
	result := pdpResult{Decision: decision, Status: pdpStatus{StatusCode: pdpStatusCode{Value: pdpStatusOK}}, Obligations: []any{}}
	if decision == pdpIndeterminate {
		result.Status.StatusMessage = &why
	}
	writeJSON(w, http.StatusOK, pdpResponse{Response: []pdpResult{result}})
}

// handleDecision is the PDP's internal decision endpoint, which Altinn's
// own client delegation tests call with only a subscription key (Altinn/
// altinn-authentication SystemIntegrationTests/Clients/
// AccessManagementClient.cs L14-31): DecisionController.Post in
// Altinn/altinn-authorization-tmp (src/apps/Altinn.Authorization/src/
// Altinn.Authorization/Controllers/DecisionController.cs) has no
// [Authorize], reads the body as JSON when the Content-Type says
// application/json and as XACML XML otherwise, and answers any failure
// (a body it cannot read, a person's id in the request, a resource without
// a policy) with 200 and one Indeterminate result with the status
// syntax-error. The mock reads no XACML XML: such a body gets that answer
// in XML.
func (a *Altinn) handleDecision(w http.ResponseWriter, r *http.Request) {
	if !a.subscriptionKey(w, r) {
		return
	}
	if !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-16"?><xacml:Response xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17"><xacml:Result><xacml:Decision>Indeterminate</xacml:Decision><xacml:Status><xacml:StatusCode Value="` + pdpStatusSyntaxError + `" /></xacml:Status></xacml:Result></xacml:Response>`))
		return
	}
	indeterminate := func() {
		writeJSON(w, http.StatusOK, pdpResponse{Response: []pdpResult{{
			Decision: pdpIndeterminate, Status: pdpStatus{StatusCode: pdpStatusCode{Value: pdpStatusSyntaxError}},
		}}})
	}
	var body map[string]any
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		indeterminate()
		return
	}
	req, _ := xacmlField(body, "Request").(map[string]any)
	if req == nil {
		indeterminate()
		return
	}
	// The context handler refuses a person's id in the internal request
	// (ContextHandler.cs L200-205, L370-375 in Altinn/altinn-authorization).
	for _, at := range append(xacmlAttrs(req, "AccessSubject"), xacmlAttrs(req, "Resource")...) {
		if strings.EqualFold(at.id, pdpPersonID) {
			indeterminate()
			return
		}
	}
	for _, at := range xacmlAttrs(req, "Resource") {
		if strings.EqualFold(at.id, pdpResourceID) {
			a.mu.RLock()
			_, known := a.resources[at.value]
			a.mu.RUnlock()
			if !known {
				indeterminate() // "Policy not found for resource"
				return
			}
		}
	}
	decision, why := a.decideXACML(req)
	result := pdpResult{Decision: decision, Status: pdpStatus{StatusCode: pdpStatusCode{Value: pdpStatusOK}}, Obligations: []any{}}
	if decision == pdpIndeterminate {
		result.Status.StatusMessage = &why
	}
	writeJSON(w, http.StatusOK, pdpResponse{Response: []pdpResult{result}})
}

// decideXACML decides a system user request: Permit for a standard system
// user acting for its owner on a resource among its rights (or covered by
// its packages), and for an agent system user acting for a delegated client
// on a resource whose policy names one of its packages.
func (a *Altinn) decideXACML(req map[string]any) (string, string) {
	subjects := xacmlAttrs(req, "AccessSubject")
	if len(subjects) > 1 {
		return pdpIndeterminate, "more than one subject attribute"
	}
	if len(subjects) == 0 || !strings.EqualFold(subjects[0].id, pdpSubjectSystemUser) {
		return pdpNotApplicable, "no system user subject"
	}
	var resourceID, party, partyRef, action string
	for _, at := range xacmlAttrs(req, "Resource") {
		switch strings.ToLower(at.id) {
		case pdpResourceID:
			resourceID = at.value
		case pdpPartyOrgNo, pdpPartyOrgNoLegacy:
			party = at.value
		case pdpPartyID, pdpPartyUUID:
			partyRef = at.value
		}
	}
	for _, at := range xacmlAttrs(req, "Action") {
		if strings.EqualFold(at.id, xacmlActionAttr) {
			action = at.value
		}
	}

	a.mu.RLock()
	defer a.mu.RUnlock()
	if party == "" && partyRef != "" {
		if o, ok := a.resolveParty(partyRef); ok {
			party = o.OrgNo
		}
	}
	u, ok := a.systemUsers[strings.ToLower(subjects[0].value)]
	if !ok {
		u, ok = a.systemUsers[subjects[0].value]
	}
	// A deleted system does not change the decision: deleting it marks it
	// deleted and removes its Maskinporten client ids, leaving its system
	// users and their delegations (AUTHN SystemRegisterRepository
	// SetDeleteRegisteredSystemById). Its users get no new token (MP-303).
	if !ok || u.deleted || resourceID == "" || party == "" {
		return pdpNotApplicable, ""
	}
	res := a.resources[resourceID]
	switch u.userType {
	case "agent":
		if u.clients[party] && res != nil && res.permitsPackage(u.packages, action) {
			return pdpPermit, ""
		}
	default:
		if party != u.partyOrgNo {
			return pdpNotApplicable, ""
		}
		for _, right := range u.rights {
			if right.Action != "" && !strings.EqualFold(right.Action, action) {
				continue
			}
			for _, id := range altinnResourceIDs([]altinnRight{right}) {
				if id == resourceID {
					return pdpPermit, ""
				}
			}
		}
		if res != nil && len(u.packages) > 0 && res.permitsPackage(u.packages, action) {
			return pdpPermit, ""
		}
	}
	return pdpNotApplicable, ""
}

// xacmlField reads a JSON object member case-insensitively: the PDP binds
// its input that way, so "Request" and "request" are the same.
func xacmlField(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// xacmlList reads a member that may be one object or an array of them.
func xacmlList(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// xacmlAttrs collects the attributes of every entry of a request category.
func xacmlAttrs(req map[string]any, category string) []pdpAttr {
	var out []pdpAttr
	for _, entry := range xacmlList(xacmlField(req, category)) {
		for _, at := range xacmlList(xacmlField(entry, "Attribute")) {
			id, _ := xacmlField(at, "AttributeId").(string)
			var value string
			switch v := xacmlField(at, "Value").(type) {
			case string:
				value = v
			case float64:
				value = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				value = fmt.Sprint(v)
			}
			out = append(out, pdpAttr{id: id, value: value})
		}
	}
	return out
}
