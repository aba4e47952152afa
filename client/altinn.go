package client

// The Altinn platform's APIs, one small client each. They share a host in
// the real world (platform.tt02.altinn.no) but are separate services with
// separate owners, scopes and error habits.

// Right is one right in a system or request: a resource, optionally an action.
type Right struct {
	Action   string          `json:"action,omitempty"`
	Resource []AttributePair `json:"resource"`
}

// AttributePair is an id/value pair such as urn:altinn:resource.
type AttributePair struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// ResourceRight is the right to one Altinn resource.
func ResourceRight(resource string) Right {
	return Right{Resource: []AttributePair{{ID: "urn:altinn:resource", Value: resource}}}
}

// AccessPackage names an access package.
type AccessPackage struct {
	URN string `json:"urn"`
}
