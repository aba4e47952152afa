// Command plainclient is the yardstick of the token benchmark: a plain
// jwt-bearer client that reads a PKCS#8 key, signs a system user grant and
// posts it to Maskinporten's /token, printing the access token.
//
//	plainclient TOKEN_URL CLIENT_ID KID KEY_FILE ORGNO SCOPE
package main

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	tokenURL, clientID, kid, keyFile, orgNo, scope := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6]
	b, err := os.ReadFile(keyFile)
	check(err)
	blk, _ := pem.Decode(b)
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	check(err)
	jti := make([]byte, 16)
	rand.Read(jti)
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": clientID, "aud": strings.TrimSuffix(tokenURL, "token"), "scope": scope,
		"iat": now.Unix(), "exp": now.Add(120 * time.Second).Unix(), "jti": hex.EncodeToString(jti),
		"authorization_details": []any{map[string]any{"type": "urn:altinn:systemuser",
			"systemuser_org": map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + orgNo}}},
	})
	t.Header["kid"] = kid
	grant, err := t.SignedString(key)
	check(err)
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {grant}})
	check(err)
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	check(json.NewDecoder(resp.Body).Decode(&out))
	if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		check(fmt.Errorf("token: HTTP %d", resp.StatusCode))
	}
	fmt.Println(out.AccessToken)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "plainclient:", err)
		os.Exit(1)
	}
}
