package standin

import (
	"net/http"
	"strings"
)

// kbResource is the Altinn resource tied to the API (spec §8).
const kbResource = "ske-krav-og-betalinger"

// routeKB is Krav og betalinger's aapnekrav, /v1/{rettighetspakke}/
// {partIdentifikator}/aapnekrav (Skatteetaten docs/api/kravogbetalinger.md),
// under the base URL's prefix if there is one.
func (w *World) RouteKB() string {
	return "GET " + w.kbPrefix() + "/v1/{rightsPackage}/{orgNo}/aapnekrav"
}

// kbPrefix is Options.KBPrefix as a path: "" or "/a/b".
func (w *World) kbPrefix() string {
	p := strings.Trim(w.opts.KBPrefix, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

func (w *World) kbMux() *http.ServeMux {
	mux := http.NewServeMux()
	w.handle(mux, w.RouteKB(), w.openClaims)
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		writeKB(rw, http.StatusNotFound, "KB-003", "Ukjent url benyttet.")
	})
	return mux
}

// writeKB writes Skatteetaten's error body {kode, melding, korrelasjonsid}
// (TheTechArch/altinn-systemuser SuperSystem.Server Models/KravOgBetalinger/
// Feil.cs, generated from the API's OpenAPI 1.1.1), codes and statuses from
// Skatteetaten/api-dokumentasjon docs/api/kravogbetalinger.md (03d3cefd):
// KB-003 404 unknown URL, KB-004 401 authentication, KB-005 403, KB-006 400
// input. The melding texts are Skatteetaten's table rows; the live texts
// are UNCONFIRMED.
func writeKB(rw http.ResponseWriter, status int, kode, melding string) {
	writeJSON(rw, status, map[string]string{"kode": kode, "melding": melding, "korrelasjonsid": newGUID()})
}

// openClaims verifies the system user token (signature, issuer, expiry,
// scope), asks the world's PDP whether the system user may read the
// resource for the org in the path, and answers a small aapnekrav body.
func (w *World) openClaims(rw http.ResponseWriter, r *http.Request) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		writeKB(rw, http.StatusUnauthorized, "KB-004", "Feil i forbindelse med autentisering.")
		return
	}
	claims, err := w.verifyToken(strings.TrimSpace(raw))
	if err != nil || !strings.Contains(" "+asString(claims["scope"])+" ", " "+scopeKB+" ") {
		writeKB(rw, http.StatusUnauthorized, "KB-004", "Feil i forbindelse med autentisering.")
		return
	}
	pkg, orgNo := r.PathValue("rightsPackage"), r.PathValue("orgNo")
	if pkg != "regnskapssystem" && pkg != "finans" {
		writeKB(rw, http.StatusNotFound, "KB-003", "Ukjent url benyttet.")
		return
	}
	if len(orgNo) != 9 || strings.Trim(orgNo, "0123456789") != "" {
		writeKB(rw, http.StatusBadRequest, "KB-006", "Feil i forbindelse med validering av inputdata.")
		return
	}
	if !w.permit(claims, orgNo) {
		// The PDP said NotApplicable. Which code Skatteetaten answers then
		// is UNCONFIRMED; KB-005 is its documented 403.
		writeKB(rw, http.StatusForbidden, "KB-005", "Feil i forbindelse med samtykketoken.")
		return
	}
	writeJSON(rw, http.StatusOK, openClaimsBody(orgNo))
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// permit is the PDP decision the API asks for (spec §6-7): subject the
// system user (systemuser_id[0]), resource ske-krav-og-betalinger, party
// the org in the path. A standard system user is permitted for its owner
// when it holds the resource's right or an access package; an agent one
// for a client delegated to it. The real policy of the resource is
// UNCONFIRMED (spec §12 item 6).
func (w *World) permit(claims map[string]any, orgNo string) bool {
	details, _ := claims["authorization_details"].([]any)
	if len(details) != 1 {
		return false
	}
	d, _ := details[0].(map[string]any)
	ids, _ := d["systemuser_id"].([]any)
	if len(ids) == 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	u := w.state.user(asString(ids[0]))
	if u == nil || u.systemID != asString(d["system_id"]) {
		return false
	}
	if u.agent {
		for _, c := range u.clients {
			if c == orgNo {
				return true
			}
		}
		return false
	}
	if u.ownerOrgNo != orgNo {
		return false
	}
	for _, rt := range u.rights {
		for _, a := range rt.Resource {
			if a.ID == "urn:altinn:resource" && a.Value == kbResource {
				return true
			}
		}
	}
	return len(u.packages) > 0
}

// openClaimsBody is a small aapnekrav answer in the shape of Skatteetaten's
// example (docs/api/kravogbetalinger.md at ff725f2b): one open claim.
func openClaimsBody(orgNo string) map[string]any {
	tekst := func(s string) map[string]any {
		return map[string]any{"spraakTekst": []any{map[string]string{"tekst": s, "spraak": "nb"}}}
	}
	return map[string]any{
		"partIdentifikator": orgNo,
		"skjermet":          false,
		"aapentKravMedGjenstaaendeBeloep": []any{map[string]any{
			"partIdentifikator": orgNo, "kravidentifikator": "krav-1234", "kravtype": "RESTSKATT",
			"opprinneligBeloep": 10000.0, "gjenstaaendeBeloep": 10000.0, "stipulerteRenter": 200.0,
			"kravforfall": []any{map[string]any{
				"kravforfallsIdentifikator": "93d29b06-6cbd-4999-bd23-b0a13c47da51", "forfallsdato": "2023-02-21",
				"opprinneligBeloep": 10000.0, "gjenstaaendeBeloep": 10000.0,
				"betalingsinformasjon": map[string]any{"konto": map[string]string{"kontonummer": "63450624804"}},
				"plassertInnbetaling":  []any{}, "plassertMotkrav": []any{},
			}},
			"kravbeskrivelse":         tekst("Restskatt"),
			"kravperiode":             map[string]any{"periodeBeskrivelse": tekst("2023/02")},
			"opprettelsesdatoForKrav": "2023-01-30", "kravgruppe": "Skatt", "fastsettingsmaate": "blank",
		}},
		"innbetalingMedUplassertBeloep": []any{},
		"totalOversikt": map[string]float64{"sumStipulerteRenter": 200.0, "sumForfalteKrav": 10000.0,
			"sumIkkeForfalteKrav": 0.0, "sumUplasserteInnbetalinger": 0.0, "saldo": 10200.0},
		"oversiktPerKravgruppe": []any{map[string]any{"kravgruppe": "Skatt", "sumStipulerteRenter": 200.0,
			"sumForfalteKrav": 10000.0, "sumIkkeForfalteKrav": 0.0, "saldo": 10200.0}},
	}
}
