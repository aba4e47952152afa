package mock

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Krav og betalinger's reads of a period: /krav, /innbetalinger and
// /utbetalinger with fraOgMed and tilOgMed, "innen et gitt tidsrom ... på
// maks ett år" (Skatteetaten/api-dokumentasjon docs/api/kravogbetalinger.md
// at ff725f2b, "Teknisk spesifikasjon", with the example
// .../krav?fraOgMed=2023-01-01&tilOgMed=2023-09-01); dates are YYYY-MM-DD
// in every example and in the answers' periode. The field names are the
// page's "Feltbeskrivelser" and those of the OpenAPI 1.1.1 models generated
// into TheTechArch/altinn-systemuser (SuperSystem.Server/Models/
// KravOgBetalinger/AlleKrav.cs, Innbetalinger.cs, Utbetalinger.cs, ...).
//
// The codes, statuses and texts are the page's "Feilkoder" table at
// ff725f2b: KB-006 400 "Feil i forbindelse med validering av inputdata",
// KB-007 404 "Fant ingen krav/betalinger på angitt identifikator og
// periode", KB-008 406 "Feil tilknyttet dataformat. Kun json eller xml er
// støttet" ("Feilmeldingen vil kunne variere", so the mock adds what is
// wrong). What the page does not say, and the mock chooses
// (docs/mock-api.md): both dates are required; a malformed date, a
// tilOgMed before fraOgMed or a period longer than a year (tilOgMed after
// fraOgMed plus one year) is KB-006, the code for input that does not
// validate, not KB-007, which the table keeps for a period with nothing in
// it.

// skeRead is one of the period reads.
type skeRead int

const (
	skeReadKrav skeRead = iota
	skeReadInnbetalinger
	skeReadUtbetalinger
)

// skeFormat is the answer's format: JSON (the default) or XML.
type skeFormat int

const (
	skeJSON skeFormat = iota
	skeXML
)

// skeFormatOf reads the request's Accept: "data på formatene JSON
// (default) og XML. Dersom man ikke spesifiserer ønsket format får man
// JSON" (docs/om/bruk.md, "Format"), and anything else is KB-008, "Kun
// json eller xml er støttet". Of several types the one with the highest
// q wins, the first of equals.
func skeFormatOf(r *http.Request) (skeFormat, bool) {
	accept := strings.TrimSpace(r.Header.Get("Accept"))
	if accept == "" {
		return skeJSON, true
	}
	best, bestQ := skeJSON, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		var f skeFormat
		switch mt {
		case "application/json", "application/*", "*/*":
			f = skeJSON
		case "application/xml":
			f = skeXML
		default:
			continue
		}
		if q > 0 && q > bestQ {
			best, bestQ = f, q
		}
	}
	return best, bestQ > 0
}

// skeWrite answers v in the format: JSON, or XML whose elements are the
// JSON's names under root (a list's items each an element of the list's
// name). The XML form of the answers is not published; the error's is
// (<feil xmlns="urn:no:skatteetaten:datasamarbeid:feil:v1">, docs/om/feil.md).
func skeWrite(w http.ResponseWriter, f skeFormat, status int, root string, v any) {
	if f == skeJSON {
		writeJSON(w, status, v)
		return
	}
	b, _ := json.Marshal(v)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	ns := ""
	if root == "feil" {
		ns = "urn:no:skatteetaten:datasamarbeid:feil:v1"
	}
	if err := skeJSONToXML(&buf, json.NewDecoder(bytes.NewReader(b)), root, ns); err != nil {
		http.Error(w, "render XML: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// skeJSONToXML writes the next JSON value of dec as the element name.
func skeJSONToXML(buf *bytes.Buffer, dec *json.Decoder, name, ns string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	open := "<" + name
	if ns != "" {
		open += ` xmlns="` + ns + `"`
	}
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			for dec.More() {
				if err := skeJSONToXML(buf, dec, name, ""); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		buf.WriteString(open + ">")
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			if err := skeJSONToXML(buf, dec, k.(string), ""); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	case nil:
		buf.WriteString(open + "/>")
		return nil
	default:
		buf.WriteString(open + ">")
		_ = xml.EscapeText(buf, []byte(fmt.Sprint(v)))
	}
	buf.WriteString("</" + name + ">")
	return nil
}

// skePeriode is a read's period.
type skePeriode struct {
	FraOgMed string `json:"fraOgMed"`
	TilOgMed string `json:"tilOgMed"`
}

// period reads fraOgMed and tilOgMed, answering KB-006 itself.
func (s *Skatteetaten) period(w http.ResponseWriter, r *http.Request, corr string) (from, to time.Time, ok bool) {
	q := r.URL.Query()
	f, t := q.Get("fraOgMed"), q.Get("tilOgMed")
	if f == "" || t == "" {
		s.fail(w, r, http.StatusBadRequest, "KB-006", "Feil i forbindelse med validering av inputdata: fraOgMed og tilOgMed må oppgis (YYYY-MM-DD)", corr)
		return from, to, false
	}
	from, errF := time.Parse(time.DateOnly, f)
	to, errT := time.Parse(time.DateOnly, t)
	switch {
	case errF != nil || errT != nil:
		s.fail(w, r, http.StatusBadRequest, "KB-006", fmt.Sprintf("Feil i forbindelse med validering av inputdata: fraOgMed %q og tilOgMed %q må være datoer på formen YYYY-MM-DD", f, t), corr)
	case to.Before(from):
		s.fail(w, r, http.StatusBadRequest, "KB-006", fmt.Sprintf("Feil i forbindelse med validering av inputdata: tilOgMed %s er før fraOgMed %s", t, f), corr)
	case to.After(from.AddDate(1, 0, 0)):
		s.fail(w, r, http.StatusBadRequest, "KB-006", fmt.Sprintf("Feil i forbindelse med validering av inputdata: perioden %s til %s er lengre enn maks ett år", f, t), corr)
	default:
		return from, to, true
	}
	return from, to, false
}

// handlePeriodRead answers one of the period reads to a system user the
// PDP permits.
func (s *Skatteetaten) handlePeriodRead(read skeRead) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		corr := skeCorrelationID(w, r)
		orgNo, ok := s.authorize(w, r, corr)
		if !ok {
			return
		}
		from, to, ok := s.period(w, r, corr)
		if !ok || !s.known(w, r, orgNo, corr) {
			return
		}
		per := skePeriode{FraOgMed: from.Format(time.DateOnly), TilOgMed: to.Format(time.DateOnly)}
		var root string
		var body any
		var n int
		switch read {
		case skeReadKrav:
			b := skeAlleKrav{PartIdentifikator: orgNo, Periode: per,
				Krav: skeInPeriod(skeAllClaimsFor(orgNo), func(k skeKrav) string { return k.OpprettelsesdatoForKrav }, from, to)}
			root, body, n = "alleKrav", b, len(b.Krav)
		case skeReadInnbetalinger:
			b := skeInnbetalinger{PartIdentifikator: orgNo, Periode: per,
				Innbetaling: skeInPeriod(skePaymentsFor(orgNo), func(p skeInnbetaling) string { return p.Innbetalingsdato }, from, to)}
			root, body, n = "innbetalinger", b, len(b.Innbetaling)
		default:
			b := skeUtbetalinger{PartIdentifikator: orgNo, Periode: per,
				Utbetaling: skeInPeriod(skePayoutsFor(orgNo), func(p skeUtbetaling) string { return p.Utbetaltdato }, from, to)}
			root, body, n = "utbetalinger", b, len(b.Utbetaling)
		}
		if n == 0 {
			s.fail(w, r, http.StatusNotFound, "KB-007", fmt.Sprintf("Fant ingen krav/betalinger på angitt identifikator %s og periode %s til %s", orgNo, per.FraOgMed, per.TilOgMed), corr)
			return
		}
		format, _ := skeFormatOf(r)
		skeWrite(w, format, http.StatusOK, root, body)
	}
}

// skeInPeriod is the items whose date (YYYY-MM-DD) is in the period from
// to to, both days included; [] when there are none.
func skeInPeriod[T any](items []T, date func(T) string, from, to time.Time) []T {
	out := []T{}
	for _, it := range items {
		if d, err := time.Parse(time.DateOnly, date(it)); err == nil && !d.Before(from) && !d.After(to) {
			out = append(out, it)
		}
	}
	return out
}

// The answers of the period reads (AlleKrav, Innbetalinger, Utbetalinger).
type (
	skeAlleKrav struct {
		PartIdentifikator string     `json:"partIdentifikator"`
		Periode           skePeriode `json:"periode"`
		Krav              []skeKrav  `json:"krav"`
		Skjermet          bool       `json:"skjermet"`
	}
	skeInnbetalinger struct {
		PartIdentifikator string           `json:"partIdentifikator"`
		Periode           skePeriode       `json:"periode"`
		Innbetaling       []skeInnbetaling `json:"innbetaling"`
		Skjermet          bool             `json:"skjermet"`
	}
	skeUtbetalinger struct {
		PartIdentifikator string          `json:"partIdentifikator"`
		Periode           skePeriode      `json:"periode"`
		Utbetaling        []skeUtbetaling `json:"utbetaling"`
		Skjermet          bool            `json:"skjermet"`
	}
	skeInnbetaling struct {
		PartIdentifikator         string           `json:"partIdentifikator"`
		Innbetalingsidentifikator string           `json:"innbetalingsidentifikator"`
		Innbetalingsdato          string           `json:"innbetalingsdato"`
		InnbetaltBeloep           float64          `json:"innbetaltBeloep"`
		UplassertBeloep           float64          `json:"uplassertBeloep"`
		MottakersKontonummer      skeKonto         `json:"mottakersKontonummer"`
		InnbetaltFra              skeBetalingsinfo `json:"innbetaltFra"`
		Innbetalingstype          string           `json:"innbetalingstype"`
	}
	skeUtbetaling struct {
		PartIdentifikator        string           `json:"partIdentifikator"`
		Utbetalingsidentifikator string           `json:"utbetalingsidentifikator"`
		Utbetaltdato             string           `json:"utbetaltdato"`
		UtbetaltBeloep           float64          `json:"utbetaltBeloep"`
		BetaltTil                skeBetalingsinfo `json:"betaltTil"`
		Utbetalingstatus         string           `json:"utbetalingstatus"`
	}
	skeKonto struct {
		Kontonummer string `json:"kontonummer"`
	}
)

// skeAllClaimsFor is every claim of the organisation, open or paid: the
// open ones of aapnekrav and, for the example company, one paid in full.
func skeAllClaimsFor(orgNo string) []skeKrav {
	all := skeClaimsFor(orgNo).AapentKravMedGjenstaaendeBeloep
	if orgNo == OrgSubtilApe {
		paid := skeKrav{
			PartIdentifikator: orgNo, Kravidentifikator: "krav-" + orgNo + "-0", Kravtype: "FORSKUDDSSKATT",
			OpprinneligBeloep: 12500, GjenstaaendeBeloep: 0,
			Kravforfall: []skeForfal{{
				KravforfallsIdentifikator: skeStableID(orgNo, "FORSKUDDSSKATT", "2026 termin 1"), Forfallsdato: "2026-03-15",
				OpprinneligBeloep: 12500, PlassertInnbetaling: []any{}, PlassertMotkrav: []any{},
			}},
			Kravbeskrivelse:         skeTekst{SpraakTekst: []skeSpraakTekst{{Tekst: "Forskuddsskatt", Spraak: "nb"}}},
			Kravperiode:             skeKravperio{PeriodeBeskrivelse: skeTekst{SpraakTekst: []skeSpraakTekst{{Tekst: "2026 termin 1", Spraak: "nb"}}}},
			OpprettelsesdatoForKrav: "2026-01-20", Kravgruppe: "Skatt", Fastsettingsmaate: "egenfastsatt",
		}
		paid.Kravforfall[0].Betalingsinformasjon.Konto.Kontonummer = "63450624804"
		all = append([]skeKrav{paid}, all...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].OpprettelsesdatoForKrav < all[j].OpprettelsesdatoForKrav })
	return all
}

// skePaymentsFor is the organisation's payments: the one that paid the
// example company's paid claim.
func skePaymentsFor(orgNo string) []skeInnbetaling {
	if orgNo != OrgSubtilApe {
		return nil
	}
	p := skeInnbetaling{
		PartIdentifikator: orgNo, Innbetalingsidentifikator: skeStableID(orgNo, "innbetaling", "2026-03-14"),
		Innbetalingsdato: "2026-03-14", InnbetaltBeloep: 12500, Innbetalingstype: "innbetaling",
		MottakersKontonummer: skeKonto{Kontonummer: "63450624804"},
	}
	p.InnbetaltFra.Konto.Kontonummer = "15030612345"
	return []skeInnbetaling{p}
}

// skePayoutsFor is the organisation's payouts: a VAT refund for the
// example company.
func skePayoutsFor(orgNo string) []skeUtbetaling {
	if orgNo != OrgSubtilApe {
		return nil
	}
	u := skeUtbetaling{
		PartIdentifikator: orgNo, Utbetalingsidentifikator: skeStableID(orgNo, "utbetaling", "2026-05-02"),
		Utbetaltdato: "2026-05-02", UtbetaltBeloep: 3120, Utbetalingstatus: "bekreftet",
	}
	u.BetaltTil.Konto.Kontonummer = "15030612345"
	return []skeUtbetaling{u}
}
