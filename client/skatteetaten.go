package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// KravOgBetalinger is a client of Skatteetaten's Krav og betalinger API.
type KravOgBetalinger struct{ Base }

// NewKravOgBetalinger returns a client for the API at baseURL, which
// carries the API's base path when the host has one: today's test host
// serves the API at its root, https://kravogbetalinger.api.skatteetaten-test.no/
// (Skatteetaten/api-dokumentasjon docs/om/url.md), the retired form was
// https://{env}/api/innkreving/kravogbetalinger/. The client adds v1/...
func NewKravOgBetalinger(baseURL string, hc *http.Client) *KravOgBetalinger {
	return &KravOgBetalinger{NewBase("skatteetaten", baseURL, hc)}
}

// OpenClaims is the answer of aapnekrav, kept whole for display with the
// totals read out.
type OpenClaims struct {
	Raw           json.RawMessage   `json:"-"`
	PartyID       string            `json:"partIdentifikator"`
	Claims        []json.RawMessage `json:"aapentKravMedGjenstaaendeBeloep"`
	TotalOverview struct {
		Balance float64 `json:"saldo"`
	} `json:"totalOversikt"`
}

// OpenClaims fetches the org's outstanding claims under the rights package
// (regnskapssystem for system users), with the system user's Maskinporten
// token.
func (k *KravOgBetalinger) OpenClaims(ctx context.Context, token, rightsPackage, orgNo string) (OpenClaims, error) {
	var out OpenClaims
	p := "v1/" + url.PathEscape(rightsPackage) + "/" + url.PathEscape(orgNo) + "/aapnekrav"
	r, err := k.doJSON(ctx, call{method: http.MethodGet, path: p, bearer: token}, nil, &out)
	if r != nil {
		out.Raw = r.body
	}
	return out, err
}
