package transcript_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

// fuzzSecretHeaders are where a credential sits in an exchange: the
// header (in any case, as a server may send it), the value's scheme, and
// whether it is a response header.
var fuzzSecretHeaders = []struct {
	name, scheme string
	response     bool
}{
	{"Ocp-Apim-Subscription-Key", "", false},
	{"ocp-apim-subscription-key", "", false},
	{"Cookie", "session=", false},
	{"Set-Cookie", "session=", true},
	{"set-cookie", "", true},
	{"Authorization", "Basic ", false},
	{"authorization", "Digest username=", false},
	{"Authorization", "", false},
	{"Proxy-Authorization", "Basic ", false},
	{"X-Api-Key", "", false},
	{"X-API-KEY", "", true},
}

// fuzzJWT is a system user token, long enough to be shortened.
const fuzzJWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im1vY2stbWFza2lucG9ydGVuLTEifQ." +
	"eyJzY29wZSI6InNrYXR0ZWV0YXRlbjprcmF2b2diZXRhbGluZ2VyIiwiY29uc3VtZXIiOnsiSUQiOiIwMTkyOjk5MTgyNTgyNyJ9fQ." +
	"c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1zaWduZWQtYnktbWFza2lucG9ydGVu"

// fuzzReport is a run of one step with one exchange: the secret in the
// header that which picks, the token as its bearer and inside the body
// at pos.
func fuzzReport(which uint8, secret, body, ctype string, pos uint16) flow.Report {
	h := fuzzSecretHeaders[int(which)%len(fuzzSecretHeaders)]
	req := http.Header{"Content-Type": {ctype}, "Authorization": {"Bearer " + fuzzJWT}}
	resp := http.Header{"Content-Type": {ctype}}
	target := req
	if h.response {
		target = resp
	}
	if strings.EqualFold(h.name, "Authorization") {
		delete(req, "Authorization")
	}
	target[h.name] = append(target[h.name], h.scheme+secret)
	at := int(pos) % (len(body) + 1)
	withToken := body[:at] + fuzzJWT + body[at:]
	return flow.Report{
		Scenario: flow.Scenario{Name: "fuzz", Summary: "A made-up run", Steps: []flow.Step{
			{ID: "a", Actor: flow.ServiceOwner, Title: "A call with a secret", Explain: "Secrets go over the wire."},
		}},
		Results: []flow.StepResult{{
			Outcome: flow.Done,
			Exchanges: []client.Exchange{{
				Service: "altinn", Method: "POST", URL: "https://platform.tt02.altinn.no/authorization/api/v1/authorize",
				RequestHeader: req, RequestBody: withToken, Status: 200, Started: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
				ResponseHeader: resp, ResponseBody: withToken,
			}},
		}},
	}
}

// FuzzTranscriptRedaction renders a run whose exchange carries a secret
// header and a token, with any body around them, in every format. The
// transcript does not depend on the secret at all (the same run with
// another secret of the same length renders byte for byte the same), and
// the token is never there whole.
func FuzzTranscriptRedaction(f *testing.F) {
	f.Add(uint8(0), "0123456789abcdef0123456789abcdef", `{"a":[1,2],"token":"x"}`, "application/json", uint16(20))
	f.Add(uint8(2), "s3cr3t-cookie-value", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", "application/x-www-form-urlencoded", uint16(200))
	f.Add(uint8(3), "abc; Path=/; HttpOnly", "<html><body><p>Hi &amp; <b>you</b></p><button>Go</button></body></html>", "text/html", uint16(9))
	f.Add(uint8(5), "dXNlcjpwYXNzd29yZC1zZWNyZXQ=", "plain text\nwith lines\r\n", "text/plain", uint16(0))
	f.Add(uint8(7), "not bearer but a secret", "", "", uint16(0))
	f.Add(uint8(9), "key'with\"quotes$(rm -rf /)`x`", "--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--x--", "multipart/form-data; boundary=x", uint16(3))
	f.Add(uint8(10), "line\nbreak", strings.Repeat("x\n", 200), "text/plain", uint16(150))
	f.Fuzz(func(t *testing.T, which uint8, secret, body, ctype string, pos uint16) {
		if len(secret) < 8 || len(body) > 1<<14 {
			return
		}
		h := fuzzSecretHeaders[int(which)%len(fuzzSecretHeaders)]
		if h.scheme == "" && strings.EqualFold(h.name, "Authorization") && strings.HasPrefix(strings.ToLower(secret), "bearer ") {
			return // a bearer token: shown (shortened), as the workbench is for tokens
		}
		other := strings.Repeat("Z", len(secret))
		if other == secret {
			other = strings.Repeat("Y", len(secret))
		}
		for _, format := range transcript.Formats {
			var a, b bytes.Buffer
			if err := transcript.Write(&a, fuzzReport(which, secret, body, ctype, pos), format, transcript.Options{}); err != nil {
				t.Fatal(err)
			}
			if err := transcript.Write(&b, fuzzReport(which, other, body, ctype, pos), format, transcript.Options{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: the transcript depends on the %s header's value:\n%s", format, h.name, firstDiff(a.String(), b.String()))
			}
			if strings.Contains(a.String(), fuzzJWT) {
				t.Fatalf("%s: the token is there whole", format)
			}
		}
	})
}

// firstDiff is the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "< " + al[i] + "\n> " + bl[i]
		}
	}
	return "(one is longer)"
}
