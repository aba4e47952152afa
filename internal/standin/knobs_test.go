package standin

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// pendingRequest makes a system and a New request, and returns a vendor
// token and the request's status URL.
func pendingRequest(t *testing.T, w *World) (token, statusURL, id string) {
	t.Helper()
	register(t, w, standardSystem(w))
	token = accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor", token, standardRequest(w, customer))
	id, _ = r.json(t)["id"].(string)
	return token, w.AltinnURL + "authentication/api/v1/systemuser/request/vendor/" + id, id
}

func TestFailStatusReads(t *testing.T) {
	w := Start(t, Options{})
	tok, status, id := pendingRequest(t, w)
	w.FailStatusReads(401)
	byRef := w.AltinnURL + "authentication/api/v1/systemuser/request/vendor/byexternalref/" + w.VendorOrgNo + "_smartcloud/" + customer + "/" + customer
	for i := 0; i < 3; i++ {
		fresh := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes)) // a new token does not help
		for _, u := range []string{status, byRef} {
			if r := call(t, w, "GET", u, fresh, nil); r.status != 401 || len(r.body) != 0 {
				t.Fatalf("read %d of %s: %d %q", i, u, r.status, r.body)
			}
		}
	}
	if n := w.Count(RouteRequestGet); n != 3 {
		t.Errorf("status reads counted: %d", n)
	}
	if n := w.Count(RouteRequestByExtRef); n != 3 {
		t.Errorf("byexternalref reads counted: %d", n)
	}
	if r := call(t, w, "DELETE", status, tok, nil); r.status != 202 {
		t.Errorf("a write is not a status read: %d", r.status)
	}
	w.FailStatusReads(503)
	if r := call(t, w, "GET", status, tok, nil); r.status != 503 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("503: %d %s", r.status, r.header.Get("Content-Type"))
	}
	w.FailStatusReads(0)
	if r := call(t, w, "GET", status, tok, nil); r.status != 404 { // deleted above
		t.Errorf("after the knob: %d %s", r.status, r.body)
	}
	if rate := w.PeakRate("altinn", 10*time.Second); rate < 0.9 || rate > float64(len(w.Calls()))/10 {
		t.Errorf("PeakRate(altinn, 10s) = %v for %d calls", rate, len(w.Calls()))
	}
	if w.PeakRate("skatteetaten", 10*time.Second) != 0 {
		t.Error("PeakRate of a host nobody called")
	}
	calls := w.Calls()
	last := calls[len(calls)-1]
	if last.Route != RouteRequestGet || last.Status != 404 || last.Host != "altinn" || !strings.HasSuffix(last.Path, id) {
		t.Errorf("last call: %+v", last)
	}
}

func TestRespondWith(t *testing.T) {
	w := Start(t, Options{})
	tok, status, _ := pendingRequest(t, w)
	o := w.RespondWith(RouteRequestGet, 429, http.Header{"Retry-After": {"2"}}, "").Times(2)
	for i := 0; i < 2; i++ {
		r := call(t, w, "GET", status, tok, nil)
		if r.status != 429 || r.header.Get("Retry-After") != "2" {
			t.Fatalf("answer %d: %d Retry-After %q", i, r.status, r.header.Get("Retry-After"))
		}
	}
	if r := call(t, w, "GET", status, tok, nil); r.status != 200 {
		t.Errorf("after Times(2): %d", r.status)
	}
	if w.Count(RouteRequestGet) != 3 {
		t.Errorf("overridden requests are counted too: %d", w.Count(RouteRequestGet))
	}
	o.Remove()
	html := w.RespondWith(RouteToken, 503, nil, "<html><body><h1>503 Service Unavailable</h1></body></html>")
	r := tokenReply(t, w, newGrant(w, w.ClientID, vendorScopes).sign(t, w))
	if r.status != 503 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("HTML page: %d %q", r.status, r.header.Get("Content-Type"))
	}
	html.Remove()
	if r := tokenReply(t, w, newGrant(w, w.ClientID, vendorScopes).sign(t, w)); r.status != 200 {
		t.Errorf("after Remove: %d %s", r.status, r.body)
	}
	defer func() {
		if recover() == nil {
			t.Error("RespondWith on a route no host has did not panic")
		}
	}()
	w.RespondWith("GET /no/such/route", 500, nil, "")
}

func TestCountPanicsOnUnknownRoute(t *testing.T) {
	w := Start(t, Options{})
	defer func() {
		if recover() == nil {
			t.Error("Count of a typo did not panic")
		}
	}()
	w.Count("POST /tokens")
}

// TestTLS: the hosts are trusted with the stand-in's CA and with nothing
// else.
func TestTLS(t *testing.T) {
	w := Start(t, Options{})
	for _, base := range []string{w.MaskinportenURL, w.AltinnURL, w.SkatteetatenURL} {
		if !strings.HasPrefix(base, "https://127.0.0.1:") {
			t.Errorf("base URL %q is not https on loopback", base)
		}
	}
	plain := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	_, err := plain.Get(w.MaskinportenURL + "jwk")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("without the CA: %v, want an unknown authority error", err)
	}
	pemBytes, err := os.ReadFile(w.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("CAFile holds no certificate")
	}
	withCA := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, u := range []string{w.MaskinportenURL + "jwk", w.AltinnURL + "authentication/api/v1/systemregister/vendor"} {
		resp, err := withCA.Get(u)
		if err != nil {
			t.Fatalf("with the CA from CAFile: %v", err)
		}
		resp.Body.Close()
		if u == w.AltinnURL+"authentication/api/v1/systemregister/vendor" && resp.StatusCode != 401 {
			t.Errorf("no token: %d", resp.StatusCode)
		}
	}
	localhost := strings.Replace(w.MaskinportenURL, "127.0.0.1", "localhost", 1)
	if resp, err := withCA.Get(localhost + "jwk"); err != nil {
		t.Errorf("localhost: %v", err)
	} else {
		resp.Body.Close()
	}
}
