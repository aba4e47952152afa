package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestListsFollowNextAndStop: the vendor's lists follow links.next to
// the last page, and stop at a page they have seen (Altinn's change
// request list answers its first page again: altinn-facts.md §1.5).
func TestListsFollowNextAndStop(t *testing.T) {
	var srv *httptest.Server
	calls := 0
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(r.URL.Path, "/systemuser/vendor/bysystem/") && r.URL.Query().Get("token") == "":
			fmt.Fprintf(w, `{"links":{"next":"%s%s?token=Mw"},"data":[{"id":"a"},{"id":"b"}]}`, srv.URL, r.URL.Path)
		case strings.Contains(r.URL.Path, "/systemuser/vendor/bysystem/"):
			fmt.Fprint(w, `{"links":{},"data":[{"id":"c"}]}`)
		default: // the change request list's bug: next is always page one
			fmt.Fprintf(w, `{"links":{"next":"%s%s"},"data":[{"id":"x"}]}`, srv.URL, r.URL.Path)
		}
	}))
	t.Cleanup(srv.Close)
	users, err := NewSystemUsers(srv.URL+"/", srv.Client()).BySystem(context.Background(), "tok", "991825827_smartcloud")
	if err != nil || len(users) != 3 || users[2].ID != "c" {
		t.Fatalf("%+v %v", users, err)
	}
	calls = 0
	crs, err := NewChangeRequests(srv.URL+"/", srv.Client()).BySystem(context.Background(), "tok", "991825827_smartcloud")
	if err != nil || calls > 2 {
		t.Errorf("a repeating next: %d calls, %d items, %v", calls, len(crs), err)
	}
}

// TestContractChangeRequestCreate: the ids go in the query, the four lists
// are always sent (ChangeRequestSystemUser defaults them to []), 201 is
// created and 200 is not (ChangeRequestSystemUserController.cs L81-167).
func TestContractChangeRequestCreate(t *testing.T) {
	var query string
	var body map[string]any
	status := http.StatusCreated
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, `{"id":"c0","status":"New","confirmUrl":"https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/changerequest?id=c0"}`)
	}))
	t.Cleanup(srv.Close)
	c := NewChangeRequests(srv.URL+"/", srv.Client())
	cr, created, err := c.Create(context.Background(), "tok", "c0", "su", ChangeRequestBody{UnwantedRights: []Right{ResourceRight("r")}})
	if err != nil || !created || cr.ConfirmURL == "" || query != "correlation-id=c0&system-user-id=su" {
		t.Fatalf("%+v %v %v %q", cr, created, err, query)
	}
	for _, k := range []string{"requiredRights", "unwantedRights", "requiredAccessPackages", "unwantedAccessPackages"} {
		if _, ok := body[k].([]any); !ok {
			t.Errorf("%s not sent as a list: %v", k, body)
		}
	}
	status = http.StatusOK
	if _, created, err := c.Create(context.Background(), "tok", "c0", "su", ChangeRequestBody{}); err != nil || created {
		t.Errorf("200: created %v, %v", created, err)
	}
}

// TestContractDecisionAndReads: the PDP's decision endpoint takes the
// subscription key and no token; Krav og betalinger's period reads send
// fraOgMed and tilOgMed, and the Accept asked for.
func TestContractDecisionAndReads(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/decision") {
			fmt.Fprint(w, `{"response":[{"decision":"Permit"}]}`)
			return
		}
		fmt.Fprint(w, `{"partIdentifikator":"310904473","krav":[{},{}]}`)
	}))
	t.Cleanup(srv.Close)
	d, err := NewPDP(srv.URL+"/", srv.Client(), "key").Decision(context.Background(), SystemUserRequest("su", "read", "r", "310904473"))
	if err != nil || d.Value() != "Permit" || got.Header.Get("Authorization") != "" || got.Header.Get("Ocp-Apim-Subscription-Key") != "key" {
		t.Fatalf("decision: %v %v %v", d, err, got.Header)
	}
	k := NewKravOgBetalinger(srv.URL+"/api/", srv.Client())
	r, err := k.Read(context.Background(), "tok", "regnskapssystem", "310904473", ReadClaims, "2026-01-01", "2026-12-31", "application/xml")
	if err != nil || r.Items != 2 || got.URL.Path != "/api/v1/regnskapssystem/310904473/krav" ||
		got.URL.RawQuery != "fraOgMed=2026-01-01&tilOgMed=2026-12-31" || got.Header.Get("Accept") != "application/xml" {
		t.Errorf("read: %+v %v %s?%s %v", r, err, got.URL.Path, got.URL.RawQuery, got.Header)
	}
	if _, err := k.Read(context.Background(), "tok", "regnskapssystem", "310904473", "nope", "", "", ""); err == nil {
		t.Error("an unknown read was sent")
	}
}
