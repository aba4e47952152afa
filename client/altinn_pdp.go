package client

import (
	"context"
	"errors"
	"net/http"
)

// PDP is a client of Altinn Authorization's decision point.
type PDP struct {
	Base
	// SubscriptionKey is sent as Ocp-Apim-Subscription-Key; Altinn gives
	// one to each service owner.
	SubscriptionKey string
}

// NewPDP returns a PDP client for the Altinn platform at baseURL.
func NewPDP(baseURL string, hc *http.Client, subscriptionKey string) *PDP {
	return &PDP{Base: NewBase("altinn", baseURL, hc), SubscriptionKey: subscriptionKey}
}

// Attribute is an XACML JSON attribute.
type Attribute struct {
	AttributeID string `json:"AttributeId"`
	Value       string `json:"Value"`
	DataType    string `json:"DataType,omitempty"`
}

type attributeSet struct {
	Attribute []Attribute `json:"Attribute"`
}

// DecisionRequest is an XACML JSON request.
type DecisionRequest struct {
	Request struct {
		ReturnPolicyIDList bool           `json:"ReturnPolicyIdList"`
		AccessSubject      []attributeSet `json:"AccessSubject"`
		Action             []attributeSet `json:"Action"`
		Resource           []attributeSet `json:"Resource"`
	} `json:"Request"`
}

// SystemUserRequest asks whether the system user may do action on the
// resource for the party org.
func SystemUserRequest(systemUserID, action, resource, partyOrgNo string) DecisionRequest {
	var r DecisionRequest
	r.Request.AccessSubject = []attributeSet{{Attribute: []Attribute{{AttributeID: "urn:altinn:systemuser:uuid", Value: systemUserID}}}}
	r.Request.Action = []attributeSet{{Attribute: []Attribute{{
		AttributeID: "urn:oasis:names:tc:xacml:1.0:action:action-id", Value: action,
		DataType: "http://www.w3.org/2001/XMLSchema#string",
	}}}}
	r.Request.Resource = []attributeSet{{Attribute: []Attribute{
		{AttributeID: "urn:altinn:resource", Value: resource},
		{AttributeID: "urn:altinn:organization:identifier-no", Value: partyOrgNo},
	}}}
	return r
}

// Decision is the first result of a PDP answer. Go's JSON decoding matches
// keys case-insensitively, so both the camelCase answer of /authorize and
// the PascalCase one in Altinn's guide read the same.
type Decision struct {
	Response []struct {
		Decision string `json:"decision"`
	} `json:"response"`
}

// Value is the decision of the first result: Permit, Deny, NotApplicable or
// Indeterminate.
func (d Decision) Value() string {
	if len(d.Response) == 0 {
		return ""
	}
	return d.Response[0].Decision
}

// Authorize asks the PDP for a decision, with an Altinn token.
func (p *PDP) Authorize(ctx context.Context, altinnToken string, req DecisionRequest) (Decision, error) {
	var d Decision
	h := http.Header{}
	if p.SubscriptionKey != "" {
		h.Set("Ocp-Apim-Subscription-Key", p.SubscriptionKey)
	}
	_, err := p.doJSON(ctx, call{method: http.MethodPost, path: "authorization/api/v1/authorize", header: h, bearer: altinnToken}, req, &d)
	if err == nil && d.Value() == "" {
		err = errors.New("pdp answer has no decision")
	}
	return d, err
}

// Decision asks the PDP's internal decision endpoint, which Altinn's own
// client delegation tests call with only the subscription key and no token
// (altinn-authentication SystemIntegrationTests/Clients/
// AccessManagementClient.cs L14-31). It answers any request it cannot read
// with Indeterminate, not an error.
func (p *PDP) Decision(ctx context.Context, req DecisionRequest) (Decision, error) {
	var d Decision
	h := http.Header{}
	if p.SubscriptionKey != "" {
		h.Set("Ocp-Apim-Subscription-Key", p.SubscriptionKey)
	}
	_, err := p.doJSON(ctx, call{method: http.MethodPost, path: "authorization/api/v1/decision", header: h}, req, &d)
	if err == nil && d.Value() == "" {
		err = errors.New("pdp answer has no decision")
	}
	return d, err
}
