package mock

import (
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// read calls one of Krav og betalinger's reads (the path after v1/) with
// the token and headers.
func (e *skeTestEnv) read(path, token string, headers ...string) altinnResp {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.skeURL+"v1/"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return altinnResp{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestSkatteetatenPeriodReads: GET .../krav, .../innbetalinger and
// .../utbetalinger with fraOgMed and tilOgMed (Skatteetaten/
// api-dokumentasjon docs/api/kravogbetalinger.md at ff725f2b, "Teknisk
// spesifikasjon" and "Eksempler": "på maks ett år"; the answers' fields
// AlleKrav, Innbetalinger, Utbetalinger of the OpenAPI 1.1.1 models in
// TheTechArch/altinn-systemuser SuperSystem.Server/Models/KravOgBetalinger/):
// 200 with the period; a period that does not validate KB-006; nothing in
// it KB-007; the same checks of token and PDP as aapnekrav.
func TestSkatteetatenPeriodReads(t *testing.T) {
	e := newSkeTestEnv(t, skeSeed(), "")
	tok := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
	const org = "regnskapssystem/" + OrgSubtilApe + "/"
	period := "?fraOgMed=2026-01-01&tilOgMed=2026-12-31"
	for _, tc := range []struct {
		path, list string
		n          int
	}{
		{"krav", "krav", 3},
		{"innbetalinger", "innbetaling", 1},
		{"utbetalinger", "utbetaling", 1},
	} {
		r := e.read(org+tc.path+period, tok)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", tc.path, r.status, r.body)
		}
		if got, want := jsonKeys(t, r.body), []string{"partIdentifikator", "periode", tc.list, "skjermet"}; !slices.Equal(got, want) {
			t.Errorf("%s: keys %v, want %v", tc.path, got, want)
		}
		m := r.obj(t)
		per := m["periode"].(map[string]any)
		if items := m[tc.list].([]any); len(items) != tc.n || per["fraOgMed"] != "2026-01-01" || per["tilOgMed"] != "2026-12-31" {
			t.Errorf("%s: %d items, periode %v", tc.path, len(items), per)
		}
	}
	for _, tc := range []struct {
		name, path string
		status     int
		kode       string
	}{
		{"no period", "krav", 400, "KB-006"},
		{"only fraOgMed", "krav?fraOgMed=2026-01-01", 400, "KB-006"},
		{"not a date", "krav?fraOgMed=2026-01-01&tilOgMed=31.12.2026", 400, "KB-006"},
		{"tilOgMed before fraOgMed", "utbetalinger?fraOgMed=2022-01-01&tilOgMed=2021-12-31", 400, "KB-006"},
		{"more than a year", "innbetalinger?fraOgMed=2025-01-01&tilOgMed=2026-01-02", 400, "KB-006"},
		{"nothing in the period", "krav?fraOgMed=2024-01-01&tilOgMed=2024-12-31", 404, "KB-007"},
	} {
		r := e.read(org+tc.path, tok)
		if r.status != tc.status || r.obj(t)["kode"] != tc.kode {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.kode)
		}
	}
	if r := e.read(org+"krav?fraOgMed=2025-01-01&tilOgMed=2026-01-01", tok); r.status != 404 || r.obj(t)["kode"] != "KB-007" {
		t.Errorf("exactly a year: %d %s (allowed, and empty)", r.status, r.body)
	}
	if r := e.read(org+"krav"+period, ""); r.status != 401 || r.obj(t)["kode"] != "KB-004" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	other := e.mp.systemUserToken(t, OrgSmartCloud, OrgTiger, skeTigerUser, atSystem, ScopeKravOgBetalinger)
	if r := e.read(org+"krav"+period, other); r.status != 403 || r.obj(t)["kode"] != "KB-005" {
		t.Errorf("a system user of another org: %d %s", r.status, r.body)
	}
}

// TestSkatteetatenAccept: JSON is the default, XML on request, anything
// else KB-008 406 ("Kun json eller xml er støttet", docs/api/
// kravogbetalinger.md "Feilkoder"; docs/om/bruk.md "Format"), the error
// itself in XML for an XML client (docs/om/feil.md).
func TestSkatteetatenAccept(t *testing.T) {
	e := newSkeTestEnv(t, skeSeed(), "")
	tok := e.mp.systemUserToken(t, OrgSmartCloud, OrgSubtilApe, atStandardUser, atSystem, ScopeKravOgBetalinger)
	path := "regnskapssystem/" + OrgSubtilApe + "/aapnekrav"
	for _, accept := range []string{"", "application/json", "*/*", "text/html;q=0.5, application/json"} {
		if r := e.read(path, tok, "Accept", accept); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("Accept %q: %d %s", accept, r.status, r.header.Get("Content-Type"))
		}
	}
	x := e.read(path, tok, "Accept", "application/xml")
	var doc struct {
		XMLName           xml.Name
		PartIdentifikator string `xml:"partIdentifikator"`
		Krav              []struct {
			Kravtype string `xml:"kravtype"`
		} `xml:"aapentKravMedGjenstaaendeBeloep"`
	}
	if x.status != 200 || !strings.HasPrefix(x.header.Get("Content-Type"), "application/xml") || xml.Unmarshal(x.body, &doc) != nil ||
		doc.XMLName.Local != "aapneKrav" || doc.PartIdentifikator != OrgSubtilApe || len(doc.Krav) != 2 {
		t.Errorf("XML: %d %+v %s", x.status, doc, x.body)
	}
	for _, accept := range []string{"text/html", "application/json;q=0", "text/csv, text/plain"} {
		r := e.read(path, tok, "Accept", accept)
		if r.status != 406 || !strings.Contains(string(r.body), "KB-008") {
			t.Errorf("Accept %q: %d %s", accept, r.status, r.body)
		}
	}
	bad := e.read(path, "", "Accept", "application/xml")
	var feil struct {
		XMLName xml.Name
		Kode    string `xml:"kode"`
	}
	if bad.status != 401 || xml.Unmarshal(bad.body, &feil) != nil || feil.XMLName.Space != "urn:no:skatteetaten:datasamarbeid:feil:v1" || feil.Kode != "KB-004" {
		t.Errorf("an XML error: %d %s", bad.status, bad.body)
	}
}
