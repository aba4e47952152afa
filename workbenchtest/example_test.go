package workbenchtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/systembruker/workbench/workbenchtest"
)

// exampleT stands in for the *testing.T your test gets: an Example has
// none. In a test, write workbenchtest.Start(t, nil).
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// A system user token, the way your own code gets one: a grant signed with
// the client's key, posted to Maskinporten's /token; then the API with it.
func Example() {
	t := &exampleT{}
	defer t.done()
	w := workbenchtest.Start(t, nil)

	now := time.Now()
	grant := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   workbenchtest.ClientID,
		"aud":   w.MaskinportenURL,
		"scope": workbenchtest.Scope,
		"iat":   now.Unix(),
		"exp":   now.Add(60 * time.Second).Unix(),
		"jti":   fmt.Sprint(now.UnixNano()),
		"authorization_details": []map[string]any{{
			"type":           "urn:altinn:systemuser",
			"systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + workbenchtest.CustomerOrgNo},
		}},
	})
	grant.Header["kid"] = workbenchtest.KeyID
	assertion, err := grant.SignedString(w.Key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	res, err := http.PostForm(w.MaskinportenURL+"token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		t.Fatalf("token answer: %v", err)
	}
	fmt.Println(res.StatusCode, tok.TokenType, tok.ExpiresIn)

	// Claims, unverified here (verify against w.MaskinportenURL + "jwk").
	var claims struct {
		jwt.RegisteredClaims
		AuthorizationDetails []struct {
			SystemUserOrg struct{ ID string } `json:"systemuser_org"`
			SystemID      string              `json:"system_id"`
		} `json:"authorization_details"`
	}
	if _, _, err := jwt.NewParser().ParseUnverified(tok.AccessToken, &claims); err != nil {
		t.Fatalf("parse: %v", err)
	}
	fmt.Println(claims.AuthorizationDetails[0].SystemUserOrg.ID, claims.AuthorizationDetails[0].SystemID)

	req, _ := http.NewRequest(http.MethodGet, w.SkatteetatenURL+"v1/regnskapssystem/"+workbenchtest.CustomerOrgNo+"/aapnekrav", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	api, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("API: %v", err)
	}
	api.Body.Close()
	fmt.Println("Krav og betalinger:", api.StatusCode)

	// Output:
	// 200 Bearer 119
	// 0192:310904473 991825827_smartcloud
	// Krav og betalinger: 200
}
