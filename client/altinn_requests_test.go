package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// requestAPI is the vendor request API (§4): 201 with Location for a new
// request, 200 with the same request again, and GETs that walk the
// statuses given.
func requestAPI(t *testing.T, statuses ...string) (*httptest.Server, *atomic.Int32) {
	var gets atomic.Int32
	const id = "505f8488-3d48-4c15-8e21-35cb9432f815"
	var posts atomic.Int32
	// A status "New timedOut" answers status New with timedOut true.
	answer := func(status string) string {
		st, timedOut := strings.CutSuffix(status, " timedOut")
		return `{"id":"` + id + `","externalRef":"d5cc6e61-023e-4945-82cc-3f32d8ee28ee","systemId":"991825827_smartcloud","partyOrgNo":"310904473",
		"rights":[{"resource":[{"id":"urn:altinn:resource","value":"ske-krav-og-betalinger"}]}],"status":"` + st + `",
		"redirectUrl":"https://smartcloudxxxxxxx/receipt","confirmUrl":"https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=` + id + `",
		"escalated":false,"created":"2026-05-01T09:36:50.451886Z","timedOut":` + fmt.Sprint(timedOut) + `}`
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
