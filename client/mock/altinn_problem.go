package mock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// altinnProblem is one of Altinn's problem descriptors: a code, the HTTP
// status it carries and its title, verbatim from altinn-authentication's
// src/Core/Problems/Problem.cs at ad4f6f3 (the lines are
// in docs/mock-api.md and altinn-facts.md §2).
type altinnProblem struct {
	code   string
	status int
	title  string
}

var (
	probReporteeNotFound         = altinnProblem{"AUTH-00000", 400, "Can't resolve the Organisation Number from the logged in Reportee PartyId."}
	probRightsNotFound           = altinnProblem{"AUTH-00001", 400, "One or more Right not found or not delegable."}
	probSystemUserExists         = altinnProblem{"AUTH-00004", 400, "Failed to create new SystemUser, existing SystemUser tied to the given System-Id."}
	probRequestNotFound          = altinnProblem{"AUTH-00010", 404, "The Id does not refer to a Request in our system."}
	probSystemIDNotFound         = altinnProblem{"AUTH-00011", 404, "The Id does not refer to a Registered System."}
	probStatusNotNew             = altinnProblem{"AUTH-00013", 409, "The Status of the Request is not New."}
	probExternalRequestIDPending = altinnProblem{"AUTH-00007", 400, "The combination of External Ids refer to a Pending Request, please reuse or delete."}
	probChangeStatusNotNew       = altinnProblem{"AUTH-00061", 409, "The Status of the Request is not New. Please generate a new CorrellationId for a new Change Request"}
	probSystemUserNotFound       = altinnProblem{"AUTH-00015", 404, "The SystemUser was not found."}
	// probAccessForbidden is the portal's bare 403: approving, rejecting and
	// delegating are authorised by a PDP check on altinn_access_management /
	// altinn_client_administration for the party before the action runs
	// (AUTHN AuthenticationHost.cs L254-280; spec Corrections 12), which
	// answers 403 without a problem code. (AUTH-00016, "DelegationCheck
	// failed", is the rights delegation check of DelegationHelper.cs L215,
	// a different thing.)
	probAccessForbidden      = altinnProblem{"", 403, "Forbidden"}
	probRedirectURINotFound  = altinnProblem{"AUTH-00021", 400, "The RedirectUri was not found or not valid."}
	probVendorOrgNotInToken  = altinnProblem{"AUTH-00023", 401, "Can't resolve the Organisation Number for the Vendor from the Token."}
	probDeleteNotOwned       = altinnProblem{"AUTH-00024", 403, "you don't have rights to delete this systemuser"}
	probNotAnAgentRequest    = altinnProblem{"AUTH-00025", 400, "The request id is valid but its not a valid request for creating an agent system user"}
	probNoRedirectURIs       = altinnProblem{"AUTH-00026", 400, "No redirect uris are set for the system"}
	probAgentRequestNotFound = altinnProblem{"AUTH-00030", 404, "The Id does not refer to an AgentRequest in our system."}
	probExpectedAgentUser    = altinnProblem{"AUTH-00034", 400, "The system user type of the provided system user GUID is not an agent."}
	probAgentHasDelegations  = altinnProblem{"AUTH-00035", 400, "The system user has delegations from customer. Remove the delegations before deleting the system user"}
	probExpectedStandardUser = altinnProblem{"AUTH-00036", 400, "The system user type of the provided system user GUID is not standard."}
	probPartyRequestMismatch = altinnProblem{"AUTH-00041", 403, "Party does not match request's orgno"}
	probPartyAgentMismatch   = altinnProblem{"AUTH-00042", 403, "Party does not match agent request's orgno"}
	probMissingPackage       = altinnProblem{"AUTH-00058", 400, "No AccessPackages found, an Agent SystemUser must have at least one"}
	probMissingRightsOrPkgs  = altinnProblem{"AUTH-00059", 400, "No AccessPackages or Single Rights found, a SystemUser must have at least one"}
	probPackageNotFound      = altinnProblem{"AUTH-00063", 400, "One or more accesspackage is not found in the referenced system in the System Register."}
	probPackageNotDelegStd   = altinnProblem{"AUTH-00064", 400, "One or more access packages cannot be delegated. Either they are intended for clients or they cannot be delegated further."}
	probPackageNotDelegAgent = altinnProblem{"AUTH-00065", 400, "One or more access packages cannot be delegated because they are not intended for client relationships"}
	probNotAccessManager     = altinnProblem{"AUTH-00066", 403, "The request requires logged in user to have accessmanager write."}
	probClientNotFound       = altinnProblem{"AUTH-00079", 400, "Client not found."}
	probClientLacksPackages  = altinnProblem{"AUTH-00080", 400, "Client does not have the accesspackages the agent system user requires"}
)

// altinnValidation is one of Altinn's validation error descriptors
// (ValidationErrors.cs): AUTH.VLD-nnnnn with its title.
type altinnValidation struct {
	code  string
	title string
}

var (
	vldOrgIdentifier       = altinnValidation{"AUTH.VLD-00000", "the org number identifier is not valid ISO6523 identifier"}
	vldSystemIDFormat      = altinnValidation{"AUTH.VLD-00001", "The system id does not match the format orgnumber_xxxx..."}
	vldSystemIDExists      = altinnValidation{"AUTH.VLD-00002", "The system id already exists"}
	vldResourceNotFound    = altinnValidation{"AUTH.VLD-00003", "One or more resources specified in rights were not found in Altinn's resource register."}
	vldClientIDExists      = altinnValidation{"AUTH.VLD-00004", "One of the client id is already tagged with an existing system"}
	vldRedirectURLFormat   = altinnValidation{"AUTH.VLD-00005", "One or more of the redirect urls format is not valid. The valid format is https://xxx.xx"}
	vldDuplicateRights     = altinnValidation{"AUTH.VLD-00006", "One or more duplicate rights found"}
	vldDuplicatePackages   = altinnValidation{"AUTH.VLD-00007", "One or more duplicate access package(s) found"}
	vldPackageNotValid     = altinnValidation{"AUTH.VLD-00008", "One or all the accesspackage(s) is not found in altinn's access packages or is not delegable"}
	vldResourceIDFormat    = altinnValidation{"AUTH.VLD-00009", "One or more resource id is in wrong format. The valid format is urn:altinn:resource"}
	vldDuplicateClientIDs  = altinnValidation{"AUTH.VLD-00011", "Request contains duplicate client ids"}
	vldSystemIDMismatch    = altinnValidation{"AUTH.VLD-00012", "The system ID in the request body does not match the system ID in the URL"}
	vldSystemIDSpaces      = altinnValidation{"AUTH.VLD-00013", "System ID cannot have spaces in id (leading, trailing or in between the id)"}
	vldAgentMissing        = altinnValidation{"AUTH.VLD-00014", "The agent query parameter is missing or invalid"}
	vldAgentNotFound       = altinnValidation{"AUTH.VLD-00014", "System user not found"}
	vldNotAgent            = altinnValidation{"AUTH.VLD-00015", "SystemUser is not a valid system user of type agent"}
	vldClientMissing       = altinnValidation{"AUTH.VLD-00016", "The client query parameter is missing or invalid"}
	vldResourceNotDelegate = altinnValidation{"AUTH.VLD-00017", "One or more resources specified in rights is of resource type which is not delegable."}
	vldVisibleClientPkgs   = altinnValidation{"AUTH.VLD-00018", "Access packages meant for system user for client relations can't be used in combination with the flag isVisible: true"}
)

// The error paths of the system register's validation errors
// (ErrorPathConstant.cs).
const (
	vldPathVendorID       = "/registersystemrequest/vendor/id"
	vldPathSystemID       = "/registersystemrequest/systemid"
	vldPathRedirectURLs   = "/registersystemrequest/allowedredirecturls"
	vldPathClientID       = "/registersystemrequest/clientid"
	vldPathAccessPackages = "/registersystemrequest/accesspackages"
	vldPathRights         = "/registersystemrequest/rights/resource"
)

// altinnVldError is one entry of a validation problem's validationErrors.
type altinnVldError struct {
	Code   string   `json:"code"`
	Title  string   `json:"title"`
	Paths  []string `json:"paths"`
	Detail string   `json:"detail,omitempty"`
}

func (v altinnValidation) at(detail string, paths ...string) altinnVldError {
	return altinnVldError{Code: v.code, Title: v.title, Paths: paths, Detail: detail}
}

// altinnProblemBody is an Altinn problem details document, keys in the order
// the ProblemDetails library writes them: type, title, status (ASP.NET's
// ProblemDetails), then code, traceId and statusDescription
// (Altinn/altinn-authorization-utils ProblemDetails 5.4.0,
// AltinnProblemDetails.cs L19-46: JsonPropertyOrder), then
// validationErrors (AltinnValidationProblemDetails.cs L86-88). detail is
// written only when set: no AUTH problem of the request and system user flows
// sets one (they are made from the bare descriptor, altinn-authentication
// src/Core/Problems/Problem.cs), so the mock's coded problems have none.
type altinnProblemBody struct {
	Type              string           `json:"type"`
	Title             string           `json:"title"`
	Status            int              `json:"status"`
	Detail            string           `json:"detail,omitempty"`
	Code              string           `json:"code,omitempty"`
	TraceID           string           `json:"traceId"`
	StatusDescription string           `json:"statusDescription,omitempty"`
	ValidationErrors  []altinnVldError `json:"validationErrors,omitempty"`
}

const altinnProblemJSON = "application/problem+json; charset=utf-8"

// altinnStatusDescription is the problem library's statusDescription for a
// status (ProblemDetails StatusDescriptions.cs L11-56).
func altinnStatusDescription(status int) string {
	switch status {
	case http.StatusInternalServerError:
		return "An error occurred while processing your request."
	}
	return http.StatusText(status)
}

// writeAltinnProblem answers with one of Altinn's coded problems, as a
// descriptor without extension data gives it.
func writeAltinnProblem(w http.ResponseWriter, p altinnProblem) {
	writeAltinnProblemExt(w, p, "", "")
}

// writeAltinnProblemExt is writeAltinnProblem with one extension key, which
// the library flattens into the body after the standard keys (SUS
// ValidateAccessPackages L738-754: NotFoundPackages, NotDelegablePackages,
// the URNs joined with ", "). An empty key writes none.
func writeAltinnProblemExt(w http.ResponseWriter, p altinnProblem, key, value string) {
	body := altinnProblemBody{
		Type: "urn:altinn:error:" + p.code, Title: p.title, Status: p.status,
		Code: p.code, TraceID: altinnTraceID(), StatusDescription: altinnStatusDescription(p.status),
	}
	if key == "" {
		writeJSONType(w, altinnProblemJSON, p.status, body)
		return
	}
	std, _ := json.Marshal(body)
	ext, _ := json.Marshal(map[string]string{key: value})
	writeJSONType(w, altinnProblemJSON, p.status, json.RawMessage(append(std[:len(std)-1], append([]byte{','}, ext[1:]...)...)))
}

// writeAltinnValidation answers 400 with Altinn's validation problem
// (STD-00000) listing errs.
func writeAltinnValidation(w http.ResponseWriter, errs []altinnVldError) {
	writeJSONType(w, altinnProblemJSON, http.StatusBadRequest, altinnProblemBody{
		Type: "urn:altinn:error:STD-00000", Title: "One or more validation errors occurred.",
		Status: http.StatusBadRequest, Code: "STD-00000", TraceID: altinnTraceID(),
		StatusDescription: altinnStatusDescription(http.StatusBadRequest), ValidationErrors: errs,
	})
}

// altinnASPNetStatus holds the RFC 9110 section ASP.NET Core links a bare status
// result's problem to.
var altinnASPNetStatus = map[int]struct{ section, title string }{
	400: {"15.5.1", "Bad Request"},
	401: {"15.5.2", "Unauthorized"},
	403: {"15.5.4", "Forbidden"},
	404: {"15.5.5", "Not Found"},
	409: {"15.5.10", "Conflict"},
}

// writeAltinnStatus answers with the problem ASP.NET Core writes for a
// bare status result (NotFound(), Forbid(), BadRequest("...")): no Altinn
// code, just the status with an optional detail.
func writeAltinnStatus(w http.ResponseWriter, status int, detail string) {
	s, ok := altinnASPNetStatus[status]
	if !ok {
		s.title = http.StatusText(status)
	}
	typ := "about:blank"
	if s.section != "" {
		typ = "https://tools.ietf.org/html/rfc9110#section-" + s.section
	}
	writeJSONType(w, altinnProblemJSON, status, altinnProblemBody{
		Type: typ, Title: s.title, Status: status, Detail: detail, TraceID: altinnTraceID(),
	})
}

// writeAltinnModelProblem answers 400 the way ASP.NET Core's model binding does
// when a body cannot be read or lacks a required field: a
// ValidationProblemDetails, keys type, title, status, errors, traceId (the
// exact message texts are the framework's and not confirmed).
func writeAltinnModelProblem(w http.ResponseWriter, field, message string) {
	writeJSONType(w, altinnProblemJSON, http.StatusBadRequest, struct {
		Type    string              `json:"type"`
		Title   string              `json:"title"`
		Status  int                 `json:"status"`
		Errors  map[string][]string `json:"errors"`
		TraceID string              `json:"traceId"`
	}{
		"https://tools.ietf.org/html/rfc9110#section-15.5.1", "One or more validation errors occurred.",
		http.StatusBadRequest, map[string][]string{field: {message}}, altinnTraceID(),
	})
}

// writeBearerChallenge answers a missing or invalid bearer token the way
// ASP.NET Core's JWT bearer handler does: 401, no body, the reason in
// WWW-Authenticate.
func writeBearerChallenge(w http.ResponseWriter, description string) {
	if description == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	} else {
		desc := strings.ReplaceAll(description, `"`, "'")
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description=%q`, desc))
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// altinnTraceID is a W3C traceparent, as Altinn's traceId is.
func altinnTraceID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-00"
}

// writeAltinnText answers a string result (BadRequest("..."),
// Conflict("...")) as ASP.NET Core's content negotiation writes one: the
// string as JSON to a client that asks for JSON, else text/plain (which
// formatter a real client meets depends on its Accept, altinn-facts.md
// §1.3; not confirmed against the live service).
func writeAltinnText(w http.ResponseWriter, r *http.Request, status int, text string) {
	if strings.Contains(r.Header.Get("Accept"), "json") {
		writeJSON(w, status, text)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}
