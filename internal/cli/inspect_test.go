package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

// inspect runs `workbench inspect` in-process with stdin, in a testEnv.
func inspect(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = MainEnv(append([]string{"inspect"}, args...), strings.NewReader(stdin), &out, &errb, testEnv(t))
	return out.String(), errb.String(), code
}

// demoGrant is a system user grant of serve's demo client for aud, for
// the org, signed with the demo key in dir.
func demoGrant(t *testing.T, dir, aud, org string) string {
	t.Helper()
	key, _, err := config.LoadKey(filepath.Join(dir, demoKeyFile), config.KeyOptions{KeyID: mock.DemoKeyID})
	if err != nil {
		t.Fatal(err)
	}
	g, err := client.Grant{ClientID: mock.DemoClientID, Audience: aud, Scopes: []string{mock.ScopeKravOgBetalinger},
		Lifetime: 60 * time.Second, AuthorizationDetails: []client.AuthorizationDetail{{
			Type: client.AuthorizationTypeSystemUser, SystemUserOrg: &client.OrgID{Authority: client.OrgAuthority, ID: "0192:" + org}}},
	}.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestInspectNotAJWT(t *testing.T) {
	cleanEnv(t)
	for _, in := range []string{"hello", "a.b", "a.b.c", "e30.bnVsbA.x", "W10.e30.x", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0", "....", "\x00\xff.\x00.\x00", strings.Repeat("a.", 5000)} {
		out, errOut, code := inspect(t, "", in)
		if code != 2 || out != "" || !strings.Contains(errOut, "not a JWT") {
			t.Errorf("inspect %.20q: %d, stdout %q, stderr %q; want 2 and \"not a JWT\"", in, code, out, errOut)
		}
	}
	if _, errOut, code := inspect(t, "hello\n", "-"); code != 2 || !strings.Contains(errOut, "not a JWT") {
		t.Errorf("inspect - with hello on stdin: %d %s", code, errOut)
	}
	if _, errOut, code := inspect(t, ""); code != 2 || !strings.Contains(errOut, "no JWT given") {
		t.Errorf("inspect with nothing on stdin: %d %s", code, errOut)
	}
}

// A grant for production's issuer, checked for test: MP-110, the mock's
// words, the hint and the fix, and exit 1; the rules that need the
// server's state are listed as not checked.
func TestInspectGrantWithProductionsAudForTest(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	if _, err := prepareDemo(dir); err != nil {
		t.Fatal(err)
	}
	g := demoGrant(t, dir, "https://maskinporten.no/", mock.DemoCustomerOrgNo)
	out, errOut, code := inspect(t, "", "--env", "tt02", g)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, out, errOut)
	}
	mp110, _ := client.ExplainCode("MP-110")
	for _, want := range []string{
		`A grant: its iss "smartcloud-demo" is a client id`,
		"Checked against test Maskinporten (https://test.maskinporten.no/, env tt02)",
		"BROKEN       aud is the issuer",
		`/token answers 400 invalid_grant: Invalid JWT claim aud: aud is "https://maskinporten.no/"; expected the issuer "https://test.maskinporten.no/"`,
		"Your grant's aud is production's issuer while the token goes to test: MP-110.",
		"Fix: " + mp110.Fix,
		"not checked  iss is a known client",
		"needs the server's state",
		"ok           iat and exp present",
		"↳ " + client.ClaimMeaning(client.GrantClaims, "aud"),
		"1 rule broken (MP-110)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect's report lacks %q:\n%s", want, out)
		}
	}
	// The same grant for test's issuer breaks nothing it can check.
	ok := demoGrant(t, dir, "https://test.maskinporten.no/", mock.DemoCustomerOrgNo)
	if out, _, code := inspect(t, "", "--env", "tt02", ok); code != 0 || strings.Contains(out, "BROKEN") {
		t.Errorf("a grant for test: exit %d\n%s", code, out)
	}
	// From stdin, as a pasted request body.
	form := url.Values{"grant_type": {client.GrantTypeJWTBearer}, "assertion": {g}}.Encode()
	if _, _, code := inspect(t, form, "--env", "tt02", "-"); code != 1 {
		t.Errorf("the grant in a form on stdin: exit %d, want 1", code)
	}
}

// Against serve: a grant is checked with the server's state (exit 0 when
// all hold, MP-303 for an org without a system user), the inspection uses
// up nothing, and serve's token verifies and is explained.
func TestInspectAgainstServe(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "demo")
	w := startServe(t, "--addr", "127.0.0.1:0", "--demo", dir)
	mp := w.urls["maskinporten"]
	cfg := filepath.Join(dir, demoConfigFile)

	good := demoGrant(t, dir, mp, mock.DemoCustomerOrgNo)
	out, errOut, code := inspect(t, "", "--against", mp, good)
	if code != 0 || strings.Contains(out, "BROKEN") || strings.Contains(out, "not checked  iss") || !strings.Contains(out, "ok           Altinn finds the system user") {
		t.Fatalf("a good grant against serve: exit %d\n%s%s", code, out, errOut)
	}
	res, err := http.PostForm(mp+"token", url.Values{"grant_type": {client.GrantTypeJWTBearer}, "assertion": {good}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("the inspected grant at /token: %d (the inspection must not use up its jti)", res.StatusCode)
	}
	if out, _, code := inspect(t, "", "--against", mp, good); code != 1 || !strings.Contains(out, "MP-012") {
		t.Errorf("the used grant: exit %d\n%s", code, out)
	}
	// The config of serve --demo names serve: no --against needed.
	other := demoGrant(t, dir, mp, mock.OrgTiger)
	out, _, code = inspect(t, "", "--config", cfg, other)
	if code != 1 || !strings.Contains(out, "/token answers 400 invalid_altinn_customer_configuration: Altinn found no system user") ||
		!strings.Contains(out, "Checked against the mock Maskinporten at "+mp) {
		t.Errorf("a grant for an org without a system user: exit %d\n%s", code, out)
	}

	tok, _, code := cli(t, "--config", cfg, "token")
	tok = strings.TrimSpace(tok)
	if code != 0 {
		t.Fatal("no token from serve")
	}
	for _, args := range [][]string{{"--config", cfg, tok}, {"--against", mp, tok}, {tok}} {
		out, errOut, code := inspect(t, "", args...)
		if code != 0 {
			t.Errorf("inspect %v of serve's token: exit %d\n%s%s", args[:len(args)-1], code, out, errOut)
			continue
		}
		for _, want := range []string{
			"A token: its iss \"" + mp + "\" is the Maskinporten that issued it",
			"ok           signed by Maskinporten", "verified with key mock-maskinporten-1",
			"ok           not expired",
			"[0].systemuser_id", "↳ " + client.ClaimMeaning(client.MaskinportenClaims, "systemuser_id"),
			"↳ " + client.ClaimMeaning(client.MaskinportenClaims, "consumer"),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("inspect %v of serve's token lacks %q:\n%s", args[:len(args)-1], want, out)
			}
		}
		if len(args) > 1 && !strings.Contains(out, "ok           iss is the issuer") {
			t.Errorf("with serve named, the issuer is checked:\n%s", out)
		}
	}
	// Bearer-prefixed on stdin; and a JWK set that does not hold the key.
	if _, _, code := inspect(t, "Bearer "+tok+"\n", "--config", cfg); code != 0 {
		t.Errorf("a Bearer header on stdin: exit %d", code)
	}
	other2, _ := json.Marshal(mock.ServiceOwnerKey().PublicJWKS())
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(jwks, other2, 0o600)
	if out, _, code := inspect(t, "", "--jwks", jwks, tok); code != 1 || !strings.Contains(out, "is not among the keys of the --jwks file") {
		t.Errorf("a JWK set without the token's key: exit %d\n%s", code, out)
	}
	if _, errOut, code := inspect(t, "", "--against", "http://127.0.0.1:1/", tok); code != 2 || !strings.Contains(errOut, "does not answer as a Maskinporten") {
		t.Errorf("--against nothing: exit %d %s", code, errOut)
	}
}

// An expired token is broken: an API refuses it.
func TestInspectExpiredToken(t *testing.T) {
	cleanEnv(t)
	d, err := client.DecodeJWT(signedToken(t, time.Now().Add(-10*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := inspect(t, "", d.Raw)
	if code != 1 || !strings.Contains(out, "BROKEN       not expired") || !strings.Contains(out, "get a new token") {
		t.Errorf("an expired token: exit %d\n%s", code, out)
	}
}

// signedToken is a token the mocks' Maskinporten issued at iat, from a
// world whose clock is set back.
func signedToken(t *testing.T, iat time.Time) string {
	t.Helper()
	dir := t.TempDir()
	w := startServe(t, "--demo", dir)
	c := client.NewMockControl(w.urls["maskinporten"], w.urls["altinn"], nil)
	if err := c.SetClock(t.Context(), time.Until(iat)); err != nil {
		t.Fatal(err)
	}
	key, _, err := config.LoadKey(filepath.Join(dir, demoKeyFile), config.KeyOptions{KeyID: mock.DemoKeyID})
	if err != nil {
		t.Fatal(err)
	}
	it, err := client.NewMaskinporten(w.urls["maskinporten"], nil).SystemUserToken(t.Context(), client.SystemUserTokenRequest{
		ClientID: mock.DemoClientID, Key: key, OrgNo: mock.DemoCustomerOrgNo, Scopes: []string{mock.ScopeKravOgBetalinger}, Now: iat})
	if err != nil {
		t.Fatal(err)
	}
	return it.Response.AccessToken
}
