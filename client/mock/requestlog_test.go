package mock

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The log reads each mock's error shape as a client would, and keeps the
// query, the headers and the body out.
func TestRequestLogReadsEachRefusal(t *testing.T) {
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   string
	}{
		{"Maskinporten", func(w http.ResponseWriter) {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Invalid JWT claim aud: aud is x (MP-110)"})
		}, `level=WARN msg=request method=POST path=/token status=400 error=invalid_grant code=MP-110 rule="Invalid JWT claim aud: aud is x" duration=`},
		{"Altinn validation", func(w http.ResponseWriter) {
			writeJSON(w, 400, map[string]any{"code": "STD-00000", "title": "One or more validation errors occurred.",
				"validationErrors": []map[string]any{{"code": "AUTH.VLD-00001", "title": "System id not in the format orgnumber_name"}}})
		}, `code="STD-00000 AUTH.VLD-00001" rule="One or more validation errors occurred.; System id not in the format orgnumber_name"`},
		{"ASP.NET model binding", func(w http.ResponseWriter) {
			writeJSON(w, 400, map[string]any{"title": "One or more validation errors occurred.", "errors": map[string][]string{"id": {"not a GUID"}}})
		}, `rule="One or more validation errors occurred.; id: not a GUID"`},
		{"Skatteetaten", func(w http.ResponseWriter) {
			writeJSON(w, 403, map[string]string{"kode": "KB-005", "melding": "Ingen tilgang", "korrelasjonsid": "x"})
		}, `status=403 code=KB-005 rule="Ingen tilgang"`},
		{"bare 401", func(w http.ResponseWriter) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the token has expired"`)
			w.WriteHeader(401)
		}, `status=401 error=invalid_token rule="the token has expired"`},
		{"a server error", func(w http.ResponseWriter) {
			writeJSON(w, 500, map[string]string{"error": "server_error", "error_description": "Altinn could not be reached"})
		}, `level=ERROR msg=request method=POST path=/token status=500 error=server_error rule="Altinn could not be reached"`},
		{"success", func(w http.ResponseWriter) { writeJSON(w, 200, map[string]string{"access_token": "secret-token"}) },
			`level=INFO msg=request method=POST path=/token status=200 duration=`},
	}
	for _, c := range cases {
		var b strings.Builder
		h := RequestLog(slog.New(slog.NewTextHandler(&b, nil)), "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.answer(w) }))
		req := httptest.NewRequest("POST", "/token?pid=26917599853", strings.NewReader("assertion=secret-grant"))
		req.Header.Set("Authorization", "Bearer secret-bearer")
		h.ServeHTTP(httptest.NewRecorder(), req)
		got := b.String()
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: the log line\n %s\nlacks\n %s", c.name, got, c.want)
		}
		for _, secret := range []string{"26917599853", "secret-grant", "secret-bearer", "secret-token"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s: the log shows %s: %s", c.name, secret, got)
			}
		}
	}
}
