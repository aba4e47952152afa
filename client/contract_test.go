package client

// Contract tests: httptest servers that answer exactly as the examples in
// ../shared/spec/altinn-maskinporten.md show (section numbers below are
// that file's), quirks included, so that the real environments' answers
// are known to decode before anyone reaches them.

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The well-known document of test Maskinporten, verbatim as quoted (§1).
const wellKnownTest = `{
  "authorization_details_types_supported": ["urn:altinn:systemuser", "urn:altinn:consent"],
  "grant_types_supported": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
  "issuer": "https://test.maskinporten.no/",
  "jwks_uri": "https://test.maskinporten.no/jwk",
  "token_endpoint": "https://test.maskinporten.no/token",
  "token_endpoint_auth_methods_supported": ["private_key_jwt"],
  "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512"]
}`

func TestContractWellKnownVerbatim(t *testing.T) {
	s := serve(t, 200, "application/json;charset=UTF-8", wellKnownTest)
	md, err := NewMaskinporten(s.URL, s.Client()).WellKnown(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if md.Issuer != "https://test.maskinporten.no/" || md.JWKSURI != "https://test.maskinporten.no/jwk" ||
		md.TokenEndpoint != "https://test.maskinporten.no/token" {
		t.Errorf("metadata %+v", md)
	}
	if strings.Join(md.AuthorizationDetailsTypes, ",") != "urn:altinn:systemuser,urn:altinn:consent" ||
		strings.Join(md.TokenEndpointSigningAlgs, ",") != "RS256,RS384,RS512" || md.GrantTypesSupported[0] != GrantTypeJWTBearer {
		t.Errorf("metadata lists %+v", md)
	}
}

// fakeMaskinporten is test Maskinporten's contract: the well-known
// document in its verbatim shape (with this server's URL), /jwk, and
// /token, which checks the grant as §2 describes and issues a token shaped
// like Altinn's tt02 example (§2.5), with systemuser_org's "id" in lower
// case as that doc page shows.
type fakeMaskinporten struct {
	*httptest.Server
	mpKey     SigningKey
	clientKey *rsa.PublicKey
	grants    atomic.Int32
	// fail, when set, is the error answer of /token.
	fail string
	// expiresIn is the raw JSON value of expires_in.
	expiresIn string
	lastGrant jwt.MapClaims
	lastHead  map[string]any
}

func newFakeMaskinporten(t *testing.T, clientKey *rsa.PublicKey) *fakeMaskinporten {
	t.Helper()
	f := &fakeMaskinporten{mpKey: SigningKey{Key: key(t), KeyID: "mp-test-2026"}, clientKey: clientKey, expiresIn: "599"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, strings.ReplaceAll(wellKnownTest, "https://test.maskinporten.no/", f.URL+"/"))
	})
	mux.HandleFunc("GET /jwk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(f.mpKey.PublicJWKS().MarshalIndent())
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		f.grants.Add(1)
		oauthErr := func(status int, code, desc string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			oauthErr(400, "invalid_request", "Content-Type "+ct)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != GrantTypeJWTBearer {
			oauthErr(400, "unsupported_grant_type", "grant_type")
			return
		}
		claims := jwt.MapClaims{}
		tok, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*jwt.Token) (any, error) { return f.clientKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(f.URL+"/"), jwt.WithIssuedAt())
		if err != nil {
			oauthErr(400, "invalid_grant", "Invalid assertion. Client authentication failed. (MP-124) "+err.Error())
			return
		}
		f.lastGrant, f.lastHead = claims, tok.Header
		if f.fail != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, f.fail)
			return
		}
		ad := claims["authorization_details"].([]any)[0].(map[string]any)
		org := ad["systemuser_org"].(map[string]any)
		now := time.Now()
		access := Grant{ClientID: "x", IssuedAt: now, Lifetime: 120 * time.Second, Extra: map[string]any{
			"iss": f.URL + "/", "client_id": claims["iss"], "client_amr": "private_key_jwt", "token_type": "Bearer",
			"scope": claims["scope"], "consumer": map[string]string{"authority": OrgAuthority, "ID": "0192:991825827"},
			"authorization_details": []map[string]any{{
				"type":           AuthorizationTypeSystemUser,
				"systemuser_org": map[string]string{"authority": OrgAuthority, "id": org["ID"].(string)},
				"systemuser_id":  []string{"ebe4a681-0a8c-429e-a36f-8f9ca942b59f"},
				"system_id":      "991825827_smartcloud",
			}},
		}}
		signed, err := access.Sign(f.mpKey)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":%s,"scope":%q}`, signed, f.expiresIn, claims["scope"])
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func TestContractSystemUserToken(t *testing.T) {
	vendor := SigningKey{Key: key(t), KeyID: "smartcloud-1"}
	mp := newFakeMaskinporten(t, &vendor.Key.PublicKey)
	m := NewMaskinporten(mp.URL+"/", mp.Client())
	ctx := context.Background()
	it, err := m.SystemUserToken(ctx, SystemUserTokenRequest{
		ClientID: "fc9a8287-e7cb-45e5-b90e-123048d32d85", Key: vendor, OrgNo: "310904473",
		ExternalRef: "d5cc6e61-023e-4945-82cc-3f32d8ee28ee", Scopes: []string{"skatteetaten:kravogbetalinger"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if it.Response.ExpiresIn != 599 || it.Response.TokenType != "Bearer" || it.Response.Scope != "skatteetaten:kravogbetalinger" {
		t.Errorf("response %+v", it.Response)
	}
	// The grant as §2.1–2.3 describe it.
	g := mp.lastGrant
	if mp.lastHead["kid"] != "smartcloud-1" || mp.lastHead["x5c"] != nil || mp.lastHead["alg"] != "RS256" {
		t.Errorf("grant header %v", mp.lastHead)
	}
	if g["iss"] != "fc9a8287-e7cb-45e5-b90e-123048d32d85" || g["aud"] != mp.URL+"/" || g["scope"] != "skatteetaten:kravogbetalinger" || g["jti"] == "" {
		t.Errorf("grant claims %v", g)
	}
	if g["exp"].(float64)-g["iat"].(float64) > 120 {
		t.Errorf("grant lives %v s", g["exp"].(float64)-g["iat"].(float64))
	}
	ads := g["authorization_details"].([]any)
	ad := ads[0].(map[string]any)
	org := ad["systemuser_org"].(map[string]any)
	if len(ads) != 1 || ad["type"] != "urn:altinn:systemuser" || org["authority"] != "iso6523-actorid-upis" || org["ID"] != "0192:310904473" ||
		ad["externalRef"] != "d5cc6e61-023e-4945-82cc-3f32d8ee28ee" || len(ad) != 3 {
		t.Errorf("authorization_details %v", ads)
	}
	// The issued token verifies against the key set found via well-known,
	// and its lower-case "id" reads like "ID".
	at, err := m.Verify(ctx, it.Metadata, it.Response.AccessToken, time.Now())
	if err != nil || !at.Verified {
		t.Fatalf("verify: %v", err)
	}
	su, ok := at.SystemUser()
	if !ok || su.SystemUserOrg.OrgNo() != "310904473" || su.SystemUserID[0] != "ebe4a681-0a8c-429e-a36f-8f9ca942b59f" || su.SystemID != "991825827_smartcloud" {
		t.Errorf("system user %+v", su)
	}
	if at.Consumer.OrgNo() != "991825827" || at.ClientID != "fc9a8287-e7cb-45e5-b90e-123048d32d85" {
		t.Errorf("token %+v", at)
	}
}

func TestContractExpiresInValues(t *testing.T) {
	for raw, want := range map[string]int{"599": 599, "119": 119, "120.0": 120, `"599"`: 599, "null": 0} {
		var tr TokenResponse
		err := json.Unmarshal([]byte(`{"access_token":"IxC0B76vlWl3fiQhAwZUmD0hr_PPwC9hSIXRdoUslPU=","token_type":"Bearer","expires_in":`+raw+`,"scope":"difitest:test1"}`), &tr)
		if err != nil || tr.ExpiresIn != want || tr.AccessToken != "IxC0B76vlWl3fiQhAwZUmD0hr_PPwC9hSIXRdoUslPU=" || tr.Scope != "difitest:test1" {
			t.Errorf("expires_in %s: %+v %v", raw, tr, err)
		}
	}
	var tr TokenResponse
	if err := json.Unmarshal([]byte(`{"access_token":"x","expires_in":"soon"}`), &tr); err == nil {
		t.Error("expires_in \"soon\" accepted")
	}
}

func TestContractMaskinportenRefusal(t *testing.T) {
	vendor := SigningKey{Key: key(t), KeyID: "smartcloud-1"}
	mp := newFakeMaskinporten(t, &vendor.Key.PublicKey)
	mp.fail = `{"error":"invalid_altinn_customer_configuration","error_description":"Altinn could not find a system user for the customer (MP-303)"}`
	_, err := NewMaskinporten(mp.URL+"/", mp.Client()).SystemUserToken(context.Background(), SystemUserTokenRequest{
		ClientID: "c", Key: vendor, OrgNo: "314250052", Scopes: []string{"skatteetaten:kravogbetalinger"},
	})
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.MPCode != "MP-303" || oe.Code != "invalid_altinn_customer_configuration" || oe.Status != 400 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(Explain(err), "not approved") {
		t.Errorf("explain: %q", Explain(err))
	}
	if mp.grants.Load() != 1 {
		t.Errorf("the token POST was sent %d times; a POST is never retried", mp.grants.Load())
	}
}

func TestContractSystemRegister(t *testing.T) {
	var posted map[string]any
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authentication/api/v1/systemregister/vendor", func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&posted)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `"6eeac941-8685-49ad-a195-e60542e72d45"`) // §3: the new internal GUID as a JSON string
	})
	mux.HandleFunc("GET /authentication/api/v1/systemregister/vendor/991825827_smartcloud", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// §3: vendor comes back without authority.
		io.WriteString(w, `{"id":"991825827_smartcloud","vendor":{"ID":"0192:991825827"},"name":{"nb":"SmartCloud 1","en":"SmartCloud 1","nn":"Smart SKY"},
		"description":{"nb":"SmartCloud er verdens beste system.","en":"SmartCloud Rocks.","nn":"SmartSky er vestlandets beste system"},
		"rights":[{"resource":[{"id":"urn:altinn:resource","value":"ske-krav-og-betalinger"}]}],"accessPackages":[],"isDeleted":false,
		"clientId":["fc9a8287-e7cb-45e5-b90e-123048d32d85"],"isVisible":true,"allowedRedirectUrls":["https://smartcloudxxxx/receipt"]}`)
	})
	mux.HandleFunc("POST /authentication/api/v1/systemregister/vendor/", func(w http.ResponseWriter, r *http.Request) {})
	s := httptest.NewServer(mux)
	defer s.Close()
	reg := NewSystemRegister(s.URL+"/", s.Client())
	ctx := context.Background()
	id, err := reg.Register(ctx, "tok", System{ID: "991825827_smartcloud", Vendor: NewOrgID("991825827"),
		Rights: []Right{ResourceRight("ske-krav-og-betalinger")}, ClientID: []string{"fc9a8287-e7cb-45e5-b90e-123048d32d85"}, IsVisible: true})
	if err != nil || id != "6eeac941-8685-49ad-a195-e60542e72d45" {
		t.Fatalf("register: %q %v", id, err)
	}
	if v := posted["vendor"].(map[string]any); v["authority"] != "iso6523-actorid-upis" || v["ID"] != "0192:991825827" {
		t.Errorf("posted vendor %v", v)
	}
	sys, err := reg.Get(ctx, "tok", "991825827_smartcloud")
	if err != nil {
		t.Fatal(err)
	}
	if sys.Vendor.OrgNo() != "991825827" || sys.Vendor.Authority != "" || sys.ClientID[0] != "fc9a8287-e7cb-45e5-b90e-123048d32d85" ||
		sys.Rights[0].Resource[0].Value != "ske-krav-og-betalinger" || sys.AllowedRedirectURLs[0] != "https://smartcloudxxxx/receipt" {
		t.Errorf("system %+v", sys)
	}
}

func TestContractProblemDetails(t *testing.T) {
	// §11, as AltinnValidationProblemDetails serialises it.
	body := `{"type":"urn:altinn:error:STD-00000","title":"One or more validation errors occurred.","status":400,
	"detail":null,"code":"STD-00000","traceId":"00-5c0a8e5f0c1b2a3d4e5f60718293a4b5-1a2b3c4d5e6f7a8b-00","statusDescription":"Bad Request",
	"validationErrors":[{"code":"AUTH.VLD-00001","title":"The system id does not match the format orgnumber_xxxx...","paths":["/registersystemrequest/systemid"]},
	{"code":"AUTH.VLD-00005","title":"One or more of the redirect urls are invalid","paths":["/registersystemrequest/allowedredirecturls"],"detail":"http://x/"}]}`
	s := serve(t, 400, "application/problem+json; charset=utf-8", body)
	_, err := NewSystemRegister(s.URL, s.Client()).Register(context.Background(), "tok", System{ID: "smartcloud"})
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("got %T %v", err, err)
	}
	if pe.Code != "STD-00000" || pe.Status != 400 || len(pe.ValidationErrors) != 2 || pe.ValidationErrors[1].Detail != "http://x/" || pe.TraceID == "" {
		t.Errorf("problem %+v", pe)
	}
	if got := strings.Join(Codes(err), ","); got != "STD-00000,AUTH.VLD-00001,AUTH.VLD-00005,HTTP 400" {
		t.Errorf("codes %s", got)
	}
	for _, want := range []string{"/registersystemrequest/systemid", "AUTH.VLD-00005"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

// requestAPI is the vendor request API (§4): 201 with Location for a new
// request, 200 with the same request again, and GETs that walk the
// statuses given.
func requestAPI(t *testing.T, statuses ...string) (*httptest.Server, *atomic.Int32) {
	var gets atomic.Int32
	const id = "505f8488-3d48-4c15-8e21-35cb9432f815"
	var posts atomic.Int32
	answer := func(status string) string {
		return `{"id":"` + id + `","externalRef":"d5cc6e61-023e-4945-82cc-3f32d8ee28ee","systemId":"991825827_smartcloud","partyOrgNo":"310904473",
		"rights":[{"resource":[{"id":"urn:altinn:resource","value":"ske-krav-og-betalinger"}]}],"status":"` + status + `",
		"redirectUrl":"https://smartcloudxxxxxxx/receipt","confirmUrl":"https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=` + id + `"}`
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /authentication/api/v1/systemuser/request/vendor", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if posts.Add(1) == 1 {
			w.Header().Set("Location", "https://platform.tt02.altinn.no/authentication/api/v1/systemuser/request/"+id)
			w.WriteHeader(http.StatusCreated)
		}
		io.WriteString(w, answer("New"))
	})
	mux.HandleFunc("GET /authentication/api/v1/systemuser/request/vendor/"+id, func(w http.ResponseWriter, r *http.Request) {
		n := int(gets.Add(1)) - 1
		st := statuses[min(n, len(statuses)-1)]
		if strings.HasPrefix(st, "HTTP ") {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			io.WriteString(w, "<html><title>503 Service Temporarily Unavailable</title></html>")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, answer(st))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, &gets
}

func TestContractRequests(t *testing.T) {
	s, _ := requestAPI(t, "New")
	q := NewRequests(s.URL+"/", s.Client())
	ctx := context.Background()
	body := CreateRequest{ExternalRef: "d5cc6e61-023e-4945-82cc-3f32d8ee28ee", SystemID: "991825827_smartcloud", PartyOrgNo: "310904473",
		Rights: []Right{ResourceRight("ske-krav-og-betalinger")}, RedirectURL: "https://smartcloudxxxxxxx/receipt"}
	r, created, err := q.Create(ctx, "tok", body)
	if err != nil || !created || r.Status != StatusNew || !strings.HasPrefix(r.ConfirmURL, "https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=") {
		t.Fatalf("first: %+v %v %v", r, created, err)
	}
	r2, created, err := q.Create(ctx, "tok", body)
	if err != nil || created || r2.ID != r.ID {
		t.Errorf("second: %+v created=%v %v", r2, created, err)
	}
}

func noSleep(context.Context, time.Duration) error { return nil }

func TestPollUntilFinal(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string
		want     string
		gets     int32
	}{
		{"accepted after two", []string{"New", "New", "Accepted"}, StatusAccepted, 3},
		{"rejected", []string{"Rejected"}, StatusRejected, 1},
		{"denied", []string{"New", "Denied"}, StatusDenied, 2},
		{"timed out", []string{"Timedout"}, StatusTimedout, 1},
		{"through a 503 page", []string{"New", "HTTP 503", "HTTP 503", "HTTP 503", "Accepted"}, StatusAccepted, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, gets := requestAPI(t, tt.statuses...)
			q := NewRequests(s.URL+"/", NewHTTPClient(HTTPOptions{Retries: -1}))
			var waits []time.Duration
			r, err := q.Poll(context.Background(), "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{
				Interval: time.Second, MaxInterval: 2 * time.Second, Sleep: noSleep,
				OnStatus: func(_ Request, next time.Duration) { waits = append(waits, next) },
			})
			if err != nil || r.Status != tt.want || gets.Load() != tt.gets {
				t.Fatalf("got %q after %d reads, %v", r.Status, gets.Load(), err)
			}
			for i := 1; i < len(waits); i++ {
				if waits[i] < waits[i-1] || waits[i] > 2*time.Second {
					t.Errorf("waits %v do not back off up to the cap", waits)
				}
			}
		})
	}
}

func TestPollDeadlineAndHardErrors(t *testing.T) {
	s, _ := requestAPI(t, "New")
	q := NewRequests(s.URL+"/", s.Client())
	r, err := q.Poll(context.Background(), "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{
		Deadline: time.Now().Add(30 * time.Millisecond), Interval: 10 * time.Millisecond,
	})
	if !errors.Is(err, ErrPollDeadline) || r.Status != StatusNew || !strings.Contains(err.Error(), "still New") {
		t.Errorf("deadline: %+v %v", r, err)
	}
	nf := serve(t, 404, "application/problem+json", `{"title":"The Id does not refer to a Request in our system.","status":404,"code":"AUTH-00010"}`)
	_, err = NewRequests(nf.URL, nf.Client()).Poll(context.Background(), "tok", "x", PollOptions{Sleep: noSleep})
	if !HasCode(err, "AUTH-00010") {
		t.Errorf("404 did not end polling: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Poll(ctx, "tok", "505f8488-3d48-4c15-8e21-35cb9432f815", PollOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestContractSystemUserJSON(t *testing.T) {
	// §5: byExternalId's doc example, with keys the current DTO no longer
	// has (systemInternalId, partyId), which must be ignored.
	s := serve(t, 200, "application/json", `{ "id": "704013ee-e82a-433e-83c5-a40e6e00d746", "integrationTitle": "SmartCloud", "systemId": "991825827_smartcloud",
  "productName": "991825827_smartcloud", "systemInternalId": "6eeac941-8685-49ad-a195-e60542e72d45", "partyId": "51655537",
  "reporteeOrgNo": "313775429", "created": "2024-11-15T09:36:50.451886Z", "isDeleted": false, "supplierName": "",
  "supplierOrgno": "991825827", "externalRef": "313775429" }`)
	su, err := NewSystemUsers(s.URL, s.Client()).ByQuery(context.Background(), "tok", "991825827_smartcloud", "313775429", "")
	if err != nil || su.ID != "704013ee-e82a-433e-83c5-a40e6e00d746" || su.ReporteeOrgNo != "313775429" || su.SupplierOrgNo != "991825827" || su.ExternalRef != "313775429" {
		t.Fatalf("%+v %v", su, err)
	}
}

func TestContractPDP(t *testing.T) {
	camel := `{ "response": [ { "decision": "Permit",
    "status": { "statusMessage": null, "statusDetails": null,
                "statusCode": { "value": "urn:oasis:names:tc:xacml:1.0:status:ok", "statusCode": null } },
    "obligations": [ { "id": "urn:altinn:obligation:authenticationLevel1",
        "attributeAssignment": [ { "attributeId": "urn:altinn:obligation-assignment:1", "value": "2",
          "category": "urn:altinn:minimum-authenticationlevel", "dataType": "http://www.w3.org/2001/XMLSchema#integer", "issuer": null } ] } ],
    "associateAdvice": null, "category": null, "policyIdentifierList": null } ] }`
	pascal := `{"Response":[{"Decision":"Deny","Status":{"StatusCode":{"Value":"urn:oasis:names:tc:xacml:1.0:status:ok"}}}]}`
	for body, want := range map[string]string{camel: "Permit", pascal: "Deny", `{"response":[{"decision":"Indeterminate"}]}`: "Indeterminate"} {
		var got map[string]any
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			json.NewDecoder(r.Body).Decode(&got)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, body)
		}))
		d, err := NewPDP(s.URL, s.Client(), "k").Authorize(context.Background(), "tok", SystemUserRequest("ebe4a681-0a8c-429e-a36f-8f9ca942b59f", "read", "ske-krav-og-betalinger", "310904473"))
		s.Close()
		if err != nil || d.Value() != want {
			t.Errorf("want %s, got %q %v", want, d.Value(), err)
		}
		req := got["Request"].(map[string]any)
		subj := req["AccessSubject"].([]any)[0].(map[string]any)["Attribute"].([]any)[0].(map[string]any)
		if subj["AttributeId"] != "urn:altinn:systemuser:uuid" || req["ReturnPolicyIdList"] != false {
			t.Errorf("request %v", got)
		}
	}
	empty := serve(t, 200, "application/json", `{"response":[]}`)
	if _, err := NewPDP(empty.URL, empty.Client(), "").Authorize(context.Background(), "tok", DecisionRequest{}); err == nil {
		t.Error("an answer without a decision was accepted")
	}
}

func TestContractTokenExchangeIsAPlainString(t *testing.T) {
	s := serve(t, 200, "text/plain; charset=utf-8", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln")
	tok, err := NewAuthentication(s.URL, s.Client()).Exchange(context.Background(), "mp")
	if err != nil || tok != "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln" {
		t.Fatalf("%q %v", tok, err)
	}
	q := serve(t, 200, "application/json", `"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln"`)
	if tok, _ := NewAuthentication(q.URL, q.Client()).Exchange(context.Background(), "mp"); tok != "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln" {
		t.Errorf("quoted: %q", tok)
	}
}

func TestContractKravOgBetalinger(t *testing.T) {
	var path string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{ "partIdentifikator": "212201782", "skjermet": false,
  "aapentKravMedGjenstaaendeBeloep": [ { "partIdentifikator": "212201782", "kravidentifikator": "krav-1234", "kravtype": "RESTSKATT",
      "opprinneligBeloep": 10000.0, "gjenstaaendeBeloep": 10000.0, "stipulerteRenter": 200.0 } ],
  "innbetalingMedUplassertBeloep": [],
  "totalOversikt": { "sumStipulerteRenter": 400.0, "sumForfalteKrav": 20000.0, "sumIkkeForfalteKrav": 0.0, "sumUplasserteInnbetalinger": 0.0, "saldo": 20400.0 } }`)
	}))
	defer s.Close()
	oc, err := NewKravOgBetalinger(s.URL+"/", s.Client()).OpenClaims(context.Background(), "tok", "regnskapssystem", "212201782")
	if err != nil || oc.PartyID != "212201782" || len(oc.Claims) != 1 || oc.TotalOverview.Balance != 20400 {
		t.Fatalf("%+v %v", oc, err)
	}
	if path != "/api/innkreving/kravogbetalinger/v1/regnskapssystem/212201782/aapnekrav" {
		t.Errorf("path %s", path)
	}
}

// Network behaviour.

func TestRetriesOnlyIdempotentGETs(t *testing.T) {
	tests := []struct {
		name     string
		fails    []int // status of each answer before a 200
		post     bool
		wantHits int32
		wantErr  bool
	}{
		{"GET through 503 and 502", []int{503, 502}, false, 3, false},
		{"GET through 504", []int{504}, false, 2, false},
		{"GET gives up after the retries", []int{503, 503, 503, 503}, false, 3, true},
		{"GET does not retry 500", []int{500}, false, 1, true},
		{"GET does not retry 404", []int{404}, false, 1, true},
		{"POST is never retried", []int{503}, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(hits.Add(1)) - 1
				if n < len(tt.fails) {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(tt.fails[n])
					return
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, wellKnownTest)
			}))
			defer s.Close()
			hc := NewHTTPClient(HTTPOptions{Retries: 2, Backoff: time.Millisecond})
			var xs []Exchange
			ctx := WithRecorder(context.Background(), func(x Exchange) { xs = append(xs, x) })
			m := NewMaskinporten(s.URL, hc)
			var err error
			if tt.post {
				_, err = m.Token(ctx, "", "a.b.c")
			} else {
				_, err = m.WellKnown(ctx)
			}
			if (err != nil) != tt.wantErr || hits.Load() != tt.wantHits {
				t.Fatalf("%d requests, err %v", hits.Load(), err)
			}
			if len(xs) != 1 || len(xs[0].Retries) != int(tt.wantHits)-1 {
				t.Fatalf("exchanges %d, retries %v", len(xs), xs[0].Retries)
			}
			if tt.wantHits > 1 && !strings.Contains(xs[0].Retries[0], "attempt 1: "+fmt.Sprint(tt.fails[0])) {
				t.Errorf("retry note %q", xs[0].Retries[0])
			}
		})
	}
}

func TestRetryAfterTransportError(t *testing.T) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			// Drop the connection without an answer.
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, wellKnownTest)
	}))
	defer s.Close()
	var xs []Exchange
	ctx := WithRecorder(context.Background(), func(x Exchange) { xs = append(xs, x) })
	_, err := NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Backoff: time.Millisecond})).WellKnown(ctx)
	if err != nil || hits.Load() != 2 || len(xs[0].Retries) != 1 || !strings.Contains(xs[0].Retries[0], "closed") {
		t.Fatalf("err %v, hits %d, retries %v", err, hits.Load(), xs[0].Retries)
	}
	// The same dropped connection on a POST is reported, not repeated.
	hits.Store(0)
	_, err = NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Backoff: time.Millisecond})).Token(context.Background(), "", "a.b.c")
	var te *TransportError
	if !errors.As(err, &te) || hits.Load() != 1 || !strings.Contains(te.Hint, "closed before a complete answer") {
		t.Errorf("POST: %v after %d requests", err, hits.Load())
	}
}

func TestNetworkFailuresSayWhatHappened(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	slowHeaders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer slowHeaders.Close()
	slowBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":`)
		w.(http.Flusher).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	defer slowBody.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	hc := NewHTTPClient(HTTPOptions{Timeout: 100 * time.Millisecond, Retries: -1})
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"timeout before the headers", slowHeaders.URL, "no complete answer within 100ms ([network] timeout"},
		{"timeout in the body", slowBody.URL, "no complete answer within 100ms"},
		{"self-signed TLS is refused", tlsSrv.URL, "TLS certificate not trusted"},
		{"https to a plain HTTP server", strings.Replace(plain.URL, "http://", "https://", 1), "does not speak TLS"},
		{"no such host", "https://platform.tt02.altinn.invalid/", "no such host; check the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := NewMaskinporten(tt.url, hc).WellKnown(context.Background())
			var te *TransportError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %T %v, want %q", err, err, tt.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
}

func TestUnreadableAnswersAreExplained(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string
	}{
		{"login page with 200", 200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Logg inn</title></head></html>", "got an HTML page: does the base URL point at the API host"},
		{"empty 200", 200, "application/json", "", "got an empty body"},
		{"cut-off JSON", 200, "application/json", `{"issuer": "https://test.maskinporten.no/", "jwks_uri": `, "not valid JSON"},
		{"XML", 200, "application/xml", "<?xml version=\"1.0\"?><a/>", "expected a JSON body"},
		{"gateway HTML 502", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head></html>", "HTML page instead of an API answer"},
		{"API gateway JSON", 401, "application/json", `{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }`, "the API gateway answered: Access denied due to missing subscription key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, tt.status, tt.contentType, tt.body)
			_, err := NewMaskinporten(s.URL, NewHTTPClient(HTTPOptions{Retries: -1})).WellKnown(context.Background())
			var he *HTTPError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.want) || he.Status != tt.status {
				t.Fatalf("got %T %v, want %q", err, err, tt.want)
			}
		})
	}
}

func TestUserAgentOnEveryCall(t *testing.T) {
	var ua []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = append(ua, r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer s.Close()
	hc := NewHTTPClient(HTTPOptions{})
	ctx := context.Background()
	NewMaskinporten(s.URL, hc).Token(ctx, "", "a.b.c")
	NewRequests(s.URL, hc).Get(ctx, "t", "x")
	NewPDP(s.URL, hc, "").Authorize(ctx, "t", DecisionRequest{})
	NewKravOgBetalinger(s.URL, hc).OpenClaims(ctx, "t", "regnskapssystem", "310904473")
	for _, u := range ua {
		if u != "systembruker-workbench/"+Version {
			t.Errorf("User-Agent %q", u)
		}
	}
	if len(ua) != 4 {
		t.Errorf("%d calls", len(ua))
	}
}

func TestExplainNamesTheUsualCauses(t *testing.T) {
	for code, want := range map[string]string{"MP-100": "client_id", "MP-124": "key", "MP-303": "clientId", "MP-200": "scope"} {
		err := &OAuthError{Status: 400, Code: "invalid_grant", MPCode: code}
		if !strings.Contains(Explain(err), want) {
			t.Errorf("%s: %q", code, Explain(err))
		}
	}
	if Explain(errors.New("x")) != "" || Explain(&OAuthError{Code: "invalid_grant"}) != "" {
		t.Error("explained the unexplainable")
	}
}
