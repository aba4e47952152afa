package compare

import (
	"regexp"
	"slices"
	"strings"
)

// The values that always differ between two runs, however alike the runs
// are: the ids the services make, the times, what is new for every grant
// or call, the signatures over all of those, and the ports the mocks
// happen to listen on. A difference in one of them is shown as "differs as
// expected", never as a finding.

// The reasons a value always differs, as the comparison names them.
const (
	WhyUUID        = "an id made for the run (a UUID)"
	WhyJTI         = "a jti: new in every grant"
	WhyTime        = "a time"
	WhyToken       = "a signed token: its claims are compared where it is decoded"
	WhySignature   = "a signature"
	WhyPort        = "a port on loopback"
	WhyCorrelation = "a korrelasjonsid: new on every call"
	WhyTrace       = "a trace id"
	WhyCSRF        = "a login session's CSRF token"
	WhyBoundary    = "a multipart boundary"
	WhyLength      = "a body's length, which follows its values"
	WhyCookie      = "a browser's cookie, kept from an earlier login"
	WhyCache       = "a service filling its cache (keys, its own token), which an earlier run may have filled"
)

// byName are the fields (claims, JSON keys, headers, form fields) whose
// value always differs, by their name in lower case.
var byName = map[string]string{
	"jti":            WhyJTI,
	"iat":            WhyTime,
	"exp":            WhyTime,
	"nbf":            WhyTime,
	"auth_time":      WhyTime,
	"date":           WhyTime, // the HTTP Date header
	"expires":        WhyTime,
	"last-modified":  WhyTime,
	"content-length": WhyLength,
	"korrelasjonsid": WhyCorrelation, // Skatteetaten's correlation id, header and body
	"traceid":        WhyTrace,       // ASP.NET's problem details
	"traceparent":    WhyTrace,
	"csrf":           WhyCSRF,
	"csrf-token":     WhyCSRF,
}

// byPresence are the fields one run may have and the other not, without
// it mattering: the portal client keeps its cookies like a browser, so a
// login of an earlier run of the process may still be sent (the
// workbench records the cookies as [redacted]).
var byPresence = map[string]string{
	"cookie":     WhyCookie,
	"set-cookie": WhyCookie,
}

// embedded is a kind of value that always differs, found inside a longer
// text (a URL, an error message, a page): what it looks like, why it
// differs, and what it is replaced with to compare the rest.
type embedded struct {
	re   *regexp.Regexp
	why  string
	with string
}

// embeddedValues are searched in this order: a token before the UUIDs in
// its claims could be, a URL's port before the rest.
var embeddedValues = []embedded{
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`), WhyToken, "{token}"},
	{regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`), WhyUUID, "{uuid}"},
	{regexp.MustCompile(`\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]\b`), WhyTrace, "{trace}"},
	{regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?`), WhyTime, "{time}"},
	{regexp.MustCompile(`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\b`), WhyTime, "{time}"},
	{regexp.MustCompile(`(127\.0\.0\.1|localhost|\[::1\]):\d+`), WhyPort, "$1:{port}"},
	// The confirm page's login: the token in its meta tag, its form and
	// the form's post (client/mock/altinn_portal_login.go).
	{regexp.MustCompile(`(?:csrf(?:-token)?"\s+(?:value|content)="|csrf=)[A-Za-z0-9_-]+`), WhyCSRF, "{csrf}"},
	// A jti quoted in a message (MP-012's "already sent a grant with jti").
	{regexp.MustCompile(`(jti[\\" :=]+)[A-Za-z0-9_-]{8,}`), WhyJTI, "${1}{jti}"},
	// How long ago or from now, as the flow says it of a token ("sent 8m1s
	// after it expired", "expires in 1m52s"): the wall clock's.
	{regexp.MustCompile(`\b(sent|expires in) (?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?m?s\b`), WhyTime, "$1 {duration}"},
	{regexp.MustCompile(`boundary=[0-9A-Za-z'()+_,./:=?-]+`), WhyBoundary, "boundary={boundary}"},
}

// AlwaysThere says why a field only one run has may be missing from the
// other without it mattering, or "".
func AlwaysThere(name string) string { return byPresence[strings.ToLower(name)] }

// cacheFills are the calls a service makes behind the scenes to fill a
// cache it keeps between calls: Maskinporten's metadata and key set, and
// the tokens Skatteetaten gets for its own calls (client/mock/jwks_cache.go,
// skatteetaten_pdp.go). Whether a run makes them depends on what an
// earlier run of the process left in the cache.
var cacheFills = []string{"GET /.well-known/oauth-authorization-server", "GET /jwk", "GET /jwks", "POST /token", "GET /exchange/maskinporten"}

// AlwaysMade says why a call made behind the scenes that only one run has
// may be missing from the other, or "" when that is a finding.
func AlwaysMade(call string) string {
	if slices.Contains(cacheFills, call) {
		return WhyCache
	}
	return ""
}

var bareUUID = regexp.MustCompile(`^` + embeddedValues[1].re.String() + `$`)

// Always says why a value that differs between two runs always differs
// (one of the Why constants, several joined by ", "), or "" when the
// difference is a finding. name is the field the values are in (a claim,
// a JSON key, a header, "" for none); a and b are the values as text, not
// equal.
func Always(name, a, b string) string {
	if why, ok := byName[strings.ToLower(name)]; ok {
		return why
	}
	if bareUUID.MatchString(a) && bareUUID.MatchString(b) {
		return WhyUUID
	}
	var whys []string
	for _, e := range embeddedValues {
		ma, mb := e.re.FindAllString(a, -1), e.re.FindAllString(b, -1)
		if len(ma) == 0 && len(mb) == 0 {
			continue
		}
		if !slices.Equal(ma, mb) {
			whys = append(whys, e.why)
		}
		a, b = e.re.ReplaceAllString(a, e.with), e.re.ReplaceAllString(b, e.with)
	}
	if a != b || len(whys) == 0 {
		return ""
	}
	return strings.Join(whys, ", ")
}

// Mask replaces what always differs in a text with a placeholder
// ("{uuid}", "{time}"), so that two texts that differ only there read the
// same; the notes are paired by it.
func Mask(s string) string {
	for _, e := range embeddedValues {
		s = e.re.ReplaceAllString(s, e.with)
	}
	return s
}
