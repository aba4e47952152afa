package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

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
	// The base URL carries the host's base path, if any: none on today's
	// test host, the retired prefix on the old one (docs/om/url.md).
	for base, want := range map[string]string{
		s.URL + "/": "/v1/regnskapssystem/212201782/aapnekrav",
		s.URL + "/api/innkreving/kravogbetalinger/": "/api/innkreving/kravogbetalinger/v1/regnskapssystem/212201782/aapnekrav",
	} {
		oc, err := NewKravOgBetalinger(base, s.Client()).OpenClaims(context.Background(), "tok", "regnskapssystem", "212201782")
		if err != nil || oc.PartyID != "212201782" || len(oc.Claims) != 1 || oc.TotalOverview.Balance != 20400 {
			t.Fatalf("%+v %v", oc, err)
		}
		if path != want {
			t.Errorf("base %s: path %s, want %s", base, path, want)
		}
	}
}
