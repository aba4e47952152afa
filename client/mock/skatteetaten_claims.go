package mock

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strconv"
)

// The aapnekrav answer (§8): an organisation's open claims with what is
// left to pay, unplaced payments, and sums in total and per claim group.
type skeAapneKrav struct {
	PartIdentifikator               string      `json:"partIdentifikator"`
	Skjermet                        bool        `json:"skjermet"`
	AapentKravMedGjenstaaendeBeloep []skeKrav   `json:"aapentKravMedGjenstaaendeBeloep"`
	InnbetalingMedUplassertBeloep   []any       `json:"innbetalingMedUplassertBeloep"`
	TotalOversikt                   skeTotal    `json:"totalOversikt"`
	OversiktPerKravgruppe           []skeGruppe `json:"oversiktPerKravgruppe"`
}

type skeKrav struct {
	PartIdentifikator       string       `json:"partIdentifikator"`
	Kravidentifikator       string       `json:"kravidentifikator"`
	Kravtype                string       `json:"kravtype"`
	OpprinneligBeloep       float64      `json:"opprinneligBeloep"`
	GjenstaaendeBeloep      float64      `json:"gjenstaaendeBeloep"`
	Kravforfall             []skeForfal  `json:"kravforfall"`
	StipulerteRenter        float64      `json:"stipulerteRenter"`
	Kravbeskrivelse         skeTekst     `json:"kravbeskrivelse"`
	Kravperiode             skeKravperio `json:"kravperiode"`
	OpprettelsesdatoForKrav string       `json:"opprettelsesdatoForKrav"`
	Kravgruppe              string       `json:"kravgruppe"`
	Fastsettingsmaate       string       `json:"fastsettingsmaate"`
}

type skeForfal struct {
	KravforfallsIdentifikator string           `json:"kravforfallsIdentifikator"`
	Forfallsdato              string           `json:"forfallsdato"`
	OpprinneligBeloep         float64          `json:"opprinneligBeloep"`
	GjenstaaendeBeloep        float64          `json:"gjenstaaendeBeloep"`
	Betalingsinformasjon      skeBetalingsinfo `json:"betalingsinformasjon"`
	PlassertInnbetaling       []any            `json:"plassertInnbetaling"`
	PlassertMotkrav           []any            `json:"plassertMotkrav"`
}

type skeBetalingsinfo struct {
	Konto struct {
		Kontonummer string `json:"kontonummer"`
	} `json:"konto"`
}

type skeTekst struct {
	SpraakTekst []skeSpraakTekst `json:"spraakTekst"`
}

type skeSpraakTekst struct {
	Tekst  string `json:"tekst"`
	Spraak string `json:"spraak"`
}

type skeKravperio struct {
	PeriodeBeskrivelse skeTekst `json:"periodeBeskrivelse"`
}

type skeTotal struct {
	SumStipulerteRenter        float64 `json:"sumStipulerteRenter"`
	SumForfalteKrav            float64 `json:"sumForfalteKrav"`
	SumIkkeForfalteKrav        float64 `json:"sumIkkeForfalteKrav"`
	SumUplasserteInnbetalinger float64 `json:"sumUplasserteInnbetalinger"`
	Saldo                      float64 `json:"saldo"`
}

type skeGruppe struct {
	Kravgruppe          string  `json:"kravgruppe"`
	SumStipulerteRenter float64 `json:"sumStipulerteRenter"`
	SumForfalteKrav     float64 `json:"sumForfalteKrav"`
	SumIkkeForfalteKrav float64 `json:"sumIkkeForfalteKrav"`
	Saldo               float64 `json:"saldo"`
}

// skeClaim is one seeded open claim, paid into one account, due once and
// overdue (the sums count it as forfalt).
type skeClaim struct {
	kravtype, beskrivelse, periode, gruppe string
	opprettet, forfall, konto              string
	beloep, renter                         float64
}

// skeSeedClaims are the open claims of the seed's example company,
// TILFELDIG SUBTIL APE: last year's residual tax and a VAT term.
var skeSeedClaims = map[string][]skeClaim{
	OrgSubtilApe: {
		{kravtype: "RESTSKATT", beskrivelse: "Restskatt", periode: "2025", gruppe: "Skatt",
			opprettet: "2026-06-24", forfall: "2026-08-20", konto: "63450624804", beloep: 48213, renter: 612.40},
		{kravtype: "MERVERDIAVGIFT", beskrivelse: "Merverdiavgift", periode: "2026 termin 4", gruppe: "Merverdiavgift",
			opprettet: "2026-10-10", forfall: "2026-10-12", konto: "70580603303", beloep: 18750, renter: 96.20},
	},
}

// skeClaimsFor builds the aapnekrav answer for an organisation.
func skeClaimsFor(orgNo string) skeAapneKrav {
	out := skeAapneKrav{
		PartIdentifikator:               orgNo,
		AapentKravMedGjenstaaendeBeloep: []skeKrav{},
		InnbetalingMedUplassertBeloep:   []any{},
		OversiktPerKravgruppe:           []skeGruppe{},
	}
	groups := map[string]int{}
	for i, c := range skeSeedClaims[orgNo] {
		id := skeStableID(orgNo, c.kravtype, c.periode)
		forfal := skeForfal{
			KravforfallsIdentifikator: id, Forfallsdato: c.forfall,
			OpprinneligBeloep: c.beloep, GjenstaaendeBeloep: c.beloep,
			PlassertInnbetaling: []any{}, PlassertMotkrav: []any{},
		}
		forfal.Betalingsinformasjon.Konto.Kontonummer = c.konto
		out.AapentKravMedGjenstaaendeBeloep = append(out.AapentKravMedGjenstaaendeBeloep, skeKrav{
			PartIdentifikator: orgNo, Kravidentifikator: "krav-" + orgNo + "-" + strconv.Itoa(i+1),
			Kravtype: c.kravtype, OpprinneligBeloep: c.beloep, GjenstaaendeBeloep: c.beloep,
			Kravforfall: []skeForfal{forfal}, StipulerteRenter: c.renter,
			Kravbeskrivelse:         skeTekst{SpraakTekst: []skeSpraakTekst{{Tekst: c.beskrivelse, Spraak: "nb"}}},
			Kravperiode:             skeKravperio{PeriodeBeskrivelse: skeTekst{SpraakTekst: []skeSpraakTekst{{Tekst: c.periode, Spraak: "nb"}}}},
			OpprettelsesdatoForKrav: c.opprettet, Kravgruppe: c.gruppe, Fastsettingsmaate: "blank",
		})
		gi, ok := groups[c.gruppe]
		if !ok {
			gi = len(out.OversiktPerKravgruppe)
			groups[c.gruppe] = gi
			out.OversiktPerKravgruppe = append(out.OversiktPerKravgruppe, skeGruppe{Kravgruppe: c.gruppe})
		}
		g := &out.OversiktPerKravgruppe[gi]
		g.SumStipulerteRenter = skeRound(g.SumStipulerteRenter + c.renter)
		g.SumForfalteKrav = skeRound(g.SumForfalteKrav + c.beloep)
		g.Saldo = skeRound(g.SumStipulerteRenter + g.SumForfalteKrav + g.SumIkkeForfalteKrav)
		t := &out.TotalOversikt
		t.SumStipulerteRenter = skeRound(t.SumStipulerteRenter + c.renter)
		t.SumForfalteKrav = skeRound(t.SumForfalteKrav + c.beloep)
		t.Saldo = skeRound(t.SumStipulerteRenter + t.SumForfalteKrav + t.SumIkkeForfalteKrav - t.SumUplasserteInnbetalinger)
	}
	return out
}

// skeRound rounds to øre, so sums print as the amounts they are.
func skeRound(x float64) float64 { return math.Round(x*100) / 100 }

// skeStableID is a UUID-shaped id derived from its parts, the same every
// run.
func skeStableID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
