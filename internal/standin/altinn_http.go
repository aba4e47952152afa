package standin

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// problem is one of Altinn's problem descriptors, titles verbatim from AUTHN
// src/Core/Problems/Problem.cs (the line of each is noted).
type problem struct {
	code   string
	status int
	title  string
}

var (
	probReporteeNotFound   = problem{"AUTH-00000", 400, "Can't resolve the Organisation Number from the logged in Reportee PartyId."}                                                 // L16
	probRightsNotFound     = problem{"AUTH-00001", 400, "One or more Right not found or not delegable."}                                                                              // L22
	probSystemUserExists   = problem{"AUTH-00004", 400, "Failed to create new SystemUser, existing SystemUser tied to the given System-Id."}                                          // L41
	probExtIDAccepted      = problem{"AUTH-00006", 400, "The combination of External Ids refer to an already Accepted SystemUser."}                                                   // L53
	probExtIDPending       = problem{"AUTH-00007", 400, "The combination of External Ids refer to a Pending Request, please reuse or delete."}                                        // L59
	probExtIDDenied        = problem{"AUTH-00008", 400, "The combination of External Ids refer to a Denied Request, please delete and renew the Request."}                            // L65
	probExtIDRejected      = problem{"AUTH-00009", 400, "The combination of External Ids refer to a Rejected Request, please delete and renew the Request."}                          // L71
	probRequestNotFound    = problem{"AUTH-00010", 404, "The Id does not refer to a Request in our system."}                                                                          // L77
	probSystemIDNotFound   = problem{"AUTH-00011", 404, "The Id does not refer to a Registered System."}                                                                              // L83
	probStatusNotNew       = problem{"AUTH-00013", 409, "The Status of the Request is not New."}                                                                                      // L95
	probRedirectNotFound   = problem{"AUTH-00021", 400, "The RedirectUri was not found or not valid."}                                                                                // L143
	probVendorNotInToken   = problem{"AUTH-00023", 401, "Can't resolve the Organisation Number for the Vendor from the Token."}                                                       // L155
	probNoRedirectURIs     = problem{"AUTH-00026", 400, "No redirect uris are set for the system"}                                                                                    // L173
	probMissingPackage     = problem{"AUTH-00058", 400, "No AccessPackages found, an Agent SystemUser must have at least one"}                                                        // L360
	probMissingRights      = problem{"AUTH-00059", 400, "No AccessPackages or Single Rights found, a SystemUser must have at least one"}                                              // L366
	probPackageNotFound    = problem{"AUTH-00063", 400, "One or more accesspackage is not found in the referenced system in the System Register."}                                    // L390
	probNotDelegableStd    = problem{"AUTH-00064", 400, "One or more access packages cannot be delegated. Either they are intended for clients or they cannot be delegated further."} // L396
	probNotDelegableAgent  = problem{"AUTH-00065", 400, "One or more access packages cannot be delegated because they are not intended for client relationships"}                     // L402
	probClientNotFound     = problem{"AUTH-00079", 400, "Client not found."}                                                                                                          // L491
	probSystemUserNotFound = problem{"AUTH-00015", 404, "The SystemUser was not found."}                                                                                              // L107
)

func (p problem) Error() string { return p.code + " " + p.title }

// vldError is one entry of validationErrors (UTILS AltinnValidationError.cs:
// code, title, paths, detail, then extension data flattened in).
type vldError struct {
	code, title string
	paths       []string
	ext         map[string]string
}

// Validation error descriptors, AUTHN src/Core/Errors/ValidationErrors.cs.
var (
	vldOrgIdentifier  = vldError{code: "AUTH.VLD-00000", title: "the org number identifier is not valid ISO6523 identifier"}
	vldSystemIDFormat = vldError{code: "AUTH.VLD-00001", title: "The system id does not match the format orgnumber_xxxx..."}
	vldSystemIDExists = vldError{code: "AUTH.VLD-00002", title: "The system id already exists"}
	vldResourceAbsent = vldError{code: "AUTH.VLD-00003", title: "One or more resources specified in rights were not found in Altinn's resource register."}
	vldClientIDExists = vldError{code: "AUTH.VLD-00004", title: "One of the client id is already tagged with an existing system"}
	vldRedirectFormat = vldError{code: "AUTH.VLD-00005", title: "One or more of the redirect urls format is not valid. The valid format is https://xxx.xx"}
	vldDupRights      = vldError{code: "AUTH.VLD-00006", title: "One or more duplicate rights found"}
	vldDupPackages    = vldError{code: "AUTH.VLD-00007", title: "One or more duplicate access package(s) found"}
	vldPackageInvalid = vldError{code: "AUTH.VLD-00008", title: "One or all the accesspackage(s) is not found in altinn's access packages or is not delegable"}
	vldResourceFormat = vldError{code: "AUTH.VLD-00009", title: "One or more resource id is in wrong format. The valid format is urn:altinn:resource"}
	vldDupClientIDs   = vldError{code: "AUTH.VLD-00011", title: "Request contains duplicate client ids"}
	vldSystemIDDiffer = vldError{code: "AUTH.VLD-00012", title: "The system ID in the request body does not match the system ID in the URL"}
	vldSystemIDSpaces = vldError{code: "AUTH.VLD-00013", title: "System ID cannot have spaces in id (leading, trailing or in between the id)"}
	vldVisibleClient  = vldError{code: "AUTH.VLD-00018", title: "Access packages meant for system user for client relations can't be used in combination with the flag isVisible: true"}
)

// Error paths, AUTHN src/Authentication/Constants/ErrorPathConstant.cs.
const (
	pathVendorID     = "/registersystemrequest/vendor/id"
	pathSystemID     = "/registersystemrequest/systemid"
	pathRedirectURLs = "/registersystemrequest/allowedredirecturls"
	pathClientID     = "/registersystemrequest/clientid"
	pathPackages     = "/registersystemrequest/accesspackages"
	pathRights       = "/registersystemrequest/rights/resource"
)

func (v vldError) at(path string) vldError {
	v.paths = []string{path}
	return v
}

func (v vldError) with(key, value string) vldError {
	v.ext = map[string]string{key: value}
	return v
}

// reasonPhrases are UTILS StatusDescriptions (the standard reason phrases)
// for the statuses the stand-in answers.
var reasonPhrases = map[int]string{400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 409: "Conflict", 429: "Too Many Requests", 500: "An error occurred while processing your request.", 503: "Service Unavailable"}

// traceID is a W3C trace id as Activity.Current.Id gives it.
func traceID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return "00-" + h[:32] + "-" + h[32:] + "-01"
}

// writeProblem writes an Altinn problem: keys type, title, status (ASP.NET's
// ProblemDetails), then code, traceId, statusDescription (UTILS
// AltinnProblemDetails.cs, JsonPropertyOrder 0-2); detail is null, so absent.
func writeProblem(w http.ResponseWriter, p problem) { writeProblemExt(w, p, nil) }

// writeProblemExt is writeProblem with the problem instance's extension
// data, which ProblemDetails writes last ([JsonExtensionData]).
func writeProblemExt(w http.ResponseWriter, p problem, ext map[string]string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":%s,"title":%s,"status":%d,"code":%s,"traceId":%s,"statusDescription":%s`,
		q("urn:altinn:error:"+p.code), q(p.title), p.status, q(p.code), q(traceID()), q(reasonPhrases[p.status]))
	for k, v := range ext {
		fmt.Fprintf(&b, `,%s:%s`, q(k), q(v))
	}
	b.WriteByte('}')
	writeRaw(w, p.status, "application/problem+json; charset=utf-8", b.Bytes())
}

// writeValidation writes a validation problem: STD-00000 with the errors in
// validationErrors (UTILS AltinnValidationProblemDetails.cs,
// StdProblemDescriptors.ValidationError).
func writeValidation(w http.ResponseWriter, errs []vldError) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"urn:altinn:error:STD-00000","title":"One or more validation errors occurred.","status":400,`+
		`"code":"STD-00000","traceId":%s,"statusDescription":"Bad Request","validationErrors":[`, q(traceID()))
	for i, e := range errs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"code":%s,"title":%s`, q(e.code), q(e.title))
		if len(e.paths) > 0 {
			pb, _ := json.Marshal(e.paths)
			fmt.Fprintf(&b, `,"paths":%s`, pb)
		}
		for k, v := range e.ext {
			fmt.Fprintf(&b, `,%s:%s`, q(k), q(v))
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	writeRaw(w, 400, "application/problem+json; charset=utf-8", b.Bytes())
}

// rfc9110 are the type links ASP.NET Core puts on the problem it makes for a
// bare status code result (NotFound(), Unauthorized()) in an [ApiController].
var rfc9110 = map[int]string{400: "15.5.1", 401: "15.5.2", 403: "15.5.4", 404: "15.5.5", 405: "15.5.6",
	409: "15.5.10", 429: "15.5.29", 500: "15.6.1", 503: "15.6.4"}

// writeStatusProblem is ASP.NET Core's answer to a bare status code result:
// {type, title, status, traceId}. Altinn's problem library does not replace
// it (UNCONFIRMED on the live API: the gateway may change it).
func writeStatusProblem(w http.ResponseWriter, status int) {
	typ := "https://tools.ietf.org/html/rfc9110#section-" + rfc9110[status]
	if rfc9110[status] == "" {
		typ = "about:blank"
	}
	body := fmt.Sprintf(`{"type":%s,"title":%s,"status":%d,"traceId":%s}`, q(typ), q(reasonPhrases[status]), status, q(traceID()))
	writeRaw(w, status, "application/problem+json; charset=utf-8", []byte(body))
}

// writeText is ASP.NET's answer to NotFound("...") and friends: a string
// result goes out as text/plain.
func writeText(w http.ResponseWriter, status int, text string) {
	writeRaw(w, status, "text/plain; charset=utf-8", []byte(text))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeStatusProblem(w, http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, "application/json; charset=utf-8", b)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// caller is what Altinn reads from a vendor's bearer token.
type caller struct {
	clientID string
	scopes   map[string]bool
	// vendorOrgNo is the consumer's org number ("" when the token has no
	// consumer claim).
	vendorOrgNo string
}

var errNoToken = errors.New("no bearer token")

// authenticate checks the bearer token as Altinn's JwtCookie handler does
// (AUTHN AuthenticationHost.cs L106-126): the signature by a key it trusts
// (here the stand-in Maskinporten's), a required exp, lifetime checked with
// 10 s of clock skew, issuer and audience not checked.
func (w *World) authenticate(r *http.Request) (caller, error) {
	auth := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return caller{}, errNoToken
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(),
		jwt.WithLeeway(10*time.Second), jwt.WithTimeFunc(w.now)).
		ParseWithClaims(strings.TrimSpace(raw), claims, func(*jwt.Token) (any, error) { return &w.mpKey.PublicKey, nil })
	if err != nil {
		return caller{}, err
	}
	c := caller{scopes: map[string]bool{}}
	c.clientID, _ = claims["client_id"].(string)
	if s, ok := claims["scope"].(string); ok {
		for _, sc := range strings.Fields(s) {
			c.scopes[sc] = true
		}
	}
	if cons, ok := claims["consumer"].(map[string]any); ok {
		c.vendorOrgNo = orgFromISO6523(fmt.Sprint(cons["ID"]))
	}
	return c, nil
}

// orgFromISO6523 is the org number of "0192:<orgno>", or "".
func orgFromISO6523(id string) string {
	org, ok := strings.CutPrefix(id, "0192:")
	if !ok {
		return ""
	}
	return org
}

// authorize answers 401 for a missing or bad token and 403 for a token
// without any of the scopes, both with an empty body (the authentication
// handler's challenge; the authorization middleware's forbid). It returns
// false when it answered.
func (w *World) authorize(rw http.ResponseWriter, r *http.Request, anyOf ...string) (caller, bool) {
	c, err := w.authenticate(r)
	if err != nil {
		rw.WriteHeader(http.StatusUnauthorized)
		return c, false
	}
	for _, s := range anyOf {
		if c.scopes[s] {
			return c, true
		}
	}
	rw.WriteHeader(http.StatusForbidden)
	return c, false
}
