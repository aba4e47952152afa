package client

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func key(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		testKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	return testKey
}

func serve(t *testing.T, status int, contentType, body string, hdr ...string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestErrorsAreTyped(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantCodes   []string
		wantIn      string
	}{
		{"oauth error with MP id", 400, "application/json", `{"error":"invalid_altinn_customer_configuration","error_description":"No system user found (MP-303)"}`,
			[]string{"MP-303", "invalid_altinn_customer_configuration", "HTTP 400"}, "No system user found"},
		{"oauth error without id", 400, "application/json;charset=UTF-8", `{"error":"invalid_grant","error_description":"too long"}`,
			[]string{"invalid_grant", "HTTP 400"}, "too long"},
		{"problem details with validation errors", 400, "application/problem+json",
			`{"type":"urn:altinn:error:STD-00000","title":"One or more validation errors occurred.","status":400,"code":"STD-00000","validationErrors":[{"code":"AUTH.VLD-00001","title":"The system id does not match the format orgnumber_xxxx...","paths":["/registersystemrequest/systemid"]}]}`,
			[]string{"AUTH.VLD-00001", "STD-00000", "HTTP 400"}, "/registersystemrequest/systemid"},
		{"oauth error with the id only in error_uri", 400, "application/json", `{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. Expired key. (trace_id: 5d5d)","error_uri":"https://maskinporten.no/errors/MP-121"}`,
			[]string{"MP-121", "invalid_grant", "HTTP 400"}, "Expired key"},
		{"problem without status in body", 404, "application/problem+json", `{"title":"Request not found","code":"AUTH-00010"}`,
			[]string{"AUTH-00010", "HTTP 404"}, "Request not found"},
		{"skatteetaten", 403, "application/json", `{"kode":"KB-005","melding":"Ingen tilgang"}`,
			[]string{"KB-005", "HTTP 403"}, "Ingen tilgang"},
		{"html error page", 502, "text/html", `<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>`,
			[]string{"HTTP 502"}, "HTML page"},
		{"empty body", 503, "", ``, []string{"HTTP 503"}, "empty body"},
		{"plain text", 500, "text/plain", "upstream connect error", []string{"HTTP 500"}, "upstream connect error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, tt.status, tt.contentType, tt.body)
			m := NewMaskinporten(s.URL, s.Client())
			_, err := m.Token(context.Background(), "", "x.y.z")
			if err == nil {
				t.Fatal("no error")
			}
			got := Codes(err)
			if strings.Join(got, ",") != strings.Join(tt.wantCodes, ",") {
				t.Errorf("codes %v, want %v", got, tt.wantCodes)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q lacks %q", err, tt.wantIn)
			}
			if Status(err) != tt.status {
				t.Errorf("status %d, want %d", Status(err), tt.status)
			}
		})
	}
}

func TestNonJSONSuccessIsAClearError(t *testing.T) {
	s := serve(t, 200, "text/html", "<html><title>Login</title></html>")
	_, err := NewMaskinporten(s.URL, s.Client()).WellKnown(context.Background())
	var he *HTTPError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "expected a JSON body") || !strings.Contains(err.Error(), "Login") {
		t.Fatalf("got %v", err)
	}
}

func TestTransportErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	tls := httptest.NewTLSServer(http.NotFoundHandler())
	defer tls.Close()

	tests := []struct {
		name string
		url  string
		hc   *http.Client
		want string
	}{
		{"refused", "http://" + addr + "/", nil, "connection refused"},
		{"timeout", slow.URL, &http.Client{Timeout: 50 * time.Millisecond}, "timed out"},
		{"untrusted TLS", tls.URL, &http.Client{}, "TLS certificate not trusted"},
		{"dns", "http://no-such-host.invalid/", nil, "cannot resolve host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Exchange
			ctx := WithRecorder(context.Background(), func(x Exchange) { got = append(got, x) })
			_, err := NewMaskinporten(tt.url, tt.hc).WellKnown(ctx)
			var te *TransportError
			if !errors.As(err, &te) {
				t.Fatalf("got %T %v, want *TransportError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if len(got) != 1 || got[0].Err == "" || got[0].Status != 0 {
				t.Errorf("recorded %+v, want one exchange with the error", got)
			}
		})
	}
}

func TestExchangeRecordsAndRedacts(t *testing.T) {
	s := serve(t, 200, "application/json", `{"response":[{"decision":"Permit"}]}`)
	var got []Exchange
	ctx := WithRecorder(context.Background(), func(x Exchange) { got = append(got, x) })
	p := NewPDP(s.URL+"/", s.Client(), "secret-subscription-key")
	d, err := p.Authorize(ctx, "tok", SystemUserRequest("su", "read", "res", "310904473"))
	if err != nil || d.Value() != "Permit" {
		t.Fatalf("decision %q, %v", d.Value(), err)
	}
	if len(got) != 1 {
		t.Fatalf("%d exchanges", len(got))
	}
	x := got[0]
	if x.Method != "POST" || !strings.HasSuffix(x.URL, "/authorization/api/v1/authorize") || x.Status != 200 {
		t.Errorf("exchange %s %s %d", x.Method, x.URL, x.Status)
	}
	if v := x.RequestHeader.Get("Ocp-Apim-Subscription-Key"); v != "[redacted]" {
		t.Errorf("subscription key shown as %q", v)
	}
	if !strings.Contains(x.RequestBody, "urn:altinn:systemuser:uuid") || !strings.Contains(x.ResponseBody, "Permit") {
		t.Errorf("bodies not recorded: %q / %q", x.RequestBody, x.ResponseBody)
	}
	if !strings.HasPrefix(x.RequestHeader.Get("User-Agent"), "systembruker-workbench/") {
		t.Errorf("user agent %q", x.RequestHeader.Get("User-Agent"))
	}
}

func TestOrgIDAcceptsBothCasings(t *testing.T) {
	for _, in := range []string{`{"authority":"iso6523-actorid-upis","ID":"0192:310904473"}`, `{"authority":"iso6523-actorid-upis","id":"0192:310904473"}`} {
		var o OrgID
		if err := o.UnmarshalJSON([]byte(in)); err != nil || o.OrgNo() != "310904473" || o.Authority != OrgAuthority {
			t.Errorf("%s → %+v, %v", in, o, err)
		}
	}
}

func TestGrantSignAndVerify(t *testing.T) {
	k := SigningKey{Key: key(t), KeyID: "k1"}
	org := NewOrgID("310904473")
	g := Grant{ClientID: "c", Audience: "https://test.maskinporten.no/", Scopes: []string{"a:b", "c:d"},
		AuthorizationDetails: []AuthorizationDetail{{Type: AuthorizationTypeSystemUser, SystemUserOrg: &org, ExternalRef: "ref"}}}
	s, err := g.Sign(k)
	if err != nil {
		t.Fatal(err)
	}
	d, err := VerifyGrantSignature(s, &k.Key.PublicKey)
	if err != nil || !d.Verified || d.KeyID != "k1" {
		t.Fatalf("verify: %+v %v", d, err)
	}
	if d.Claims["scope"] != "a:b c:d" || d.Claims["iss"] != "c" {
		t.Errorf("claims %v", d.Claims)
	}
	ad := d.Claims["authorization_details"].([]any)[0].(map[string]any)
	if ad["type"] != AuthorizationTypeSystemUser || ad["externalRef"] != "ref" || ad["systemuser_org"].(map[string]any)["ID"] != "0192:310904473" {
		t.Errorf("authorization_details %v", ad)
	}
	exp, _ := d.Time("exp")
	iat, _ := d.Time("iat")
	if exp.Sub(iat) != 120*time.Second {
		t.Errorf("lifetime %s", exp.Sub(iat))
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, err := VerifyGrantSignature(s, &other.PublicKey); err == nil {
		t.Error("verified with the wrong key")
	}
	if _, err := (Grant{}).Sign(SigningKey{Key: k.Key}); err == nil || !strings.Contains(err.Error(), "kid") {
		t.Errorf("no kid: %v", err)
	}
}

func TestSigningKeyNeverPrintsTheKey(t *testing.T) {
	k := SigningKey{Key: key(t), KeyID: "k1"}
	d := k.Key.D.String()[:20]
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, d) {
			t.Fatalf("private exponent printed: %s", s)
		}
	}
}

func TestVerifyAccessToken(t *testing.T) {
	k := SigningKey{Key: key(t), KeyID: "mp"}
	jwks := k.PublicJWKS()
	now := time.Now()
	mk := func(iss string, exp time.Time) string {
		g := Grant{ClientID: "x", IssuedAt: exp.Add(-2 * time.Minute), Lifetime: 2 * time.Minute,
			Extra: map[string]any{"iss": iss, "client_id": "cid", "consumer": NewOrgID("991825827")}}
		s, err := g.Sign(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	at, err := VerifyAccessToken(mk("https://mp/", now.Add(time.Minute)), jwks, "https://mp/", now)
	if err != nil || !at.Verified || at.ClientID != "cid" || at.Consumer.OrgNo() != "991825827" {
		t.Fatalf("good token: %+v %v", at, err)
	}
	for name, tok := range map[string]string{
		"wrong issuer": mk("https://other/", now.Add(time.Minute)),
		"expired":      mk("https://mp/", now.Add(-time.Minute)),
		"garbage":      "a.b.c",
	} {
		at, err := VerifyAccessToken(tok, jwks, "https://mp/", now)
		if err == nil || at.Verified {
			t.Errorf("%s: verified", name)
		}
	}
	if _, err := VerifyAccessToken(mk("https://mp/", now.Add(time.Minute)), JWKS{}, "https://mp/", now); !errors.Is(err, ErrNoKey) {
		t.Errorf("empty key set: %v", err)
	}
}

func TestDecodeJWTRejectsMalformed(t *testing.T) {
	for _, in := range []string{"", "abc", "a.b", "!!!.e30.x", "e30.bm90anNvbg.x"} {
		if _, err := DecodeJWT(in); err == nil {
			t.Errorf("%q decoded", in)
		}
	}
	// "not" decodes to the bytes 9e 8b 6d: the error says so in words and
	// quotes none of them (inspect prints it to a terminal).
	_, err := DecodeJWT("not.a.jwt")
	if err == nil || !strings.Contains(err.Error(), "part 1 is base64url, but of binary data") || strings.ContainsAny(err.Error(), "\u009e\u008b") || strings.Contains(err.Error(), `\u`) {
		t.Errorf("not.a.jwt: %v", err)
	}
}

func TestJWKRejectsSmallKeys(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := PublicJWK(&small.PublicKey, "s").PublicKey(); err == nil {
		t.Error("1024-bit key accepted")
	}
	j := PublicJWK(&key(t).PublicKey, "k")
	pub, err := j.PublicKey()
	if err != nil || pub.N.Cmp(key(t).N) != 0 || pub.E != key(t).E {
		t.Errorf("round trip: %v", err)
	}
	if Thumbprint(&key(t).PublicKey) == "" {
		t.Error("empty thumbprint")
	}
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = DecodeJWT(s) // must not panic
	})
}

// TestClientsAskTheMocksForTheirTrace: a recorded call sends TraceRequestHeader,
// and, like the trace it asks for, the recorded exchange leaves it out.
func TestClientsAskTheMocksForTheirTrace(t *testing.T) {
	var asked string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.Header.Get(TraceRequestHeader)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer": "x", "jwks_uri": "y"}`)
	}))
	t.Cleanup(s.Close)
	var got []Exchange
	ctx := WithRecorder(context.Background(), func(x Exchange) { got = append(got, x) })
	if _, err := NewMaskinporten(s.URL+"/", s.Client()).WellKnown(ctx); err != nil {
		t.Fatal(err)
	}
	if asked != "1" {
		t.Errorf("%s: %q, want 1", TraceRequestHeader, asked)
	}
	if len(got) != 1 || got[0].RequestHeader.Get(TraceRequestHeader) != "" || got[0].RequestHeader.Get("User-Agent") == "" {
		t.Errorf("recorded request headers: %+v", got)
	}
}

// TestUnrecordedCallsAskForNoTrace: a call whose exchange nobody records
// (a plain workbench token) does not ask the mocks to build a trace that
// no one would see.
func TestUnrecordedCallsAskForNoTrace(t *testing.T) {
	asked := "unset"
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.Header.Get(TraceRequestHeader)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issuer": "x", "jwks_uri": "y"}`)
	}))
	t.Cleanup(s.Close)
	if _, err := NewMaskinporten(s.URL+"/", s.Client()).WellKnown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if asked != "" {
		t.Errorf("%s: %q without a recorder, want none", TraceRequestHeader, asked)
	}
}

func TestNewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		u := NewUUID()
		if !re.MatchString(u) {
			t.Fatalf("%q is not a version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("%q twice", u)
		}
		seen[u] = true
	}
}
