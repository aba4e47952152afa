package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

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
