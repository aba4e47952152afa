package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/systembruker/workbench/client"
	"software.sslmate.com/src/go-pkcs12"
)

var (
	keysOnce sync.Once
	keyA     *rsa.PrivateKey
	keyB     *rsa.PrivateKey
)

func testKeys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if keyA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keyB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return keyA, keyB
}

func writeFile(t *testing.T, name string, b []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

var b64u = base64.RawURLEncoding

// privateJWKJSON is the key as a JWK with its private members.
func privateJWKJSON(k *rsa.PrivateKey, kid string) map[string]any {
	j := client.PublicJWK(&k.PublicKey, kid)
	return map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": j.N, "e": j.E,
		"d": b64u.EncodeToString(k.D.Bytes()), "p": b64u.EncodeToString(k.Primes[0].Bytes()), "q": b64u.EncodeToString(k.Primes[1].Bytes()),
		"dp": b64u.EncodeToString(k.Precomputed.Dp.Bytes()), "dq": b64u.EncodeToString(k.Precomputed.Dq.Bytes()), "qi": b64u.EncodeToString(k.Precomputed.Qinv.Bytes()),
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// businessCert is a self-signed stand-in for a Norwegian business
// certificate: the org number in the subject's serialNumber.
func businessCert(t *testing.T, k *rsa.PrivateKey, orgNo string, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "SMARTCLOUD AS TEST", Organization: []string{"SMARTCLOUD AS"}, SerialNumber: orgNo, Country: []string{"NO"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secretForms are the texts by which private key material could show up:
// the private exponent and a prime, base64url and decimal.
func secretForms(k *rsa.PrivateKey) []string {
	return []string{b64u.EncodeToString(k.D.Bytes())[:24], k.D.String()[:24], b64u.EncodeToString(k.Primes[0].Bytes())[:24], k.Primes[0].String()[:24]}
}

// pemKeyRE is a PEM private key block with content.
var pemKeyRE = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16}`)

func assertNoSecret(t *testing.T, text string, k *rsa.PrivateKey) {
	t.Helper()
	if pemKeyRE.MatchString(text) {
		t.Fatalf("a PEM private key in %q", text)
	}
	for _, s := range secretForms(k) {
		if strings.Contains(text, s) {
			t.Fatalf("private key material (%q...) in %q", s[:8], text)
		}
	}
}

func TestLoadKeyFormats(t *testing.T) {
	a, b := testKeys(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(a)
	cert := businessCert(t, a, "991825827", time.Now().Add(365*24*time.Hour))
	p12, err := pkcs12.Modern.Encode(a, cert, nil, "hemmelig")
	if err != nil {
		t.Fatal(err)
	}
	twoKeys := mustJSON(map[string]any{"keys": []any{privateJWKJSON(b, "old-2025"), privateJWKJSON(a, "new-2026")}})
	tests := []struct {
		name     string
		file     string
		content  []byte
		kid      string
		password string
		format   string
		wantKid  string
		x5c      bool
	}{
		{"PKCS#1 PEM", "k.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a)}), "kid-1", "", FormatPKCS1, "kid-1", false},
		{"PKCS#8 PEM, kid from the thumbprint", "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), "", "", FormatPKCS8, client.Thumbprint(&a.PublicKey), false},
		{"PEM with a certificate before the key", "k.pem", append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...), "kid-1", "", FormatPKCS8, "kid-1", false},
		{"JWK", "k.json", mustJSON(privateJWKJSON(a, "jwk-1")), "", "", FormatJWK, "jwk-1", false},
		{"JWK, kid matches", "k.json", mustJSON(privateJWKJSON(a, "jwk-1")), "jwk-1", "", FormatJWK, "jwk-1", false},
		{"JWK set chosen by kid", "k.json", twoKeys, "new-2026", "", FormatJWKS, "new-2026", false},
		{"JWK set of one", "k.json", mustJSON(map[string]any{"keys": []any{privateJWKJSON(a, "only")}}), "", "", FormatJWKS, "only", false},
		{"bare array of JWKs (Altinn JWKS tool)", "k.json", mustJSON([]any{privateJWKJSON(a, "arr")}), "arr", "", FormatJWKS, "arr", false},
		{"PKCS#12 business certificate", "k.p12", p12, "", "hemmelig", FormatPKCS12, "", true},
		{"PKCS#12 with a kid", "k.p12", p12, "registered-kid", "hemmelig", FormatPKCS12, "registered-kid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.file, tt.content, 0o600)
			k, info, err := LoadKey(p, KeyOptions{KeyID: tt.kid, Password: func() (string, error) { return tt.password, nil }})
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tt.format || k.KeyID != tt.wantKid || info.KeyID != tt.wantKid || info.Bits != 2048 || len(info.Warnings) != 0 {
				t.Errorf("info %+v, kid %q", info, k.KeyID)
			}
			if (len(k.CertChain) > 0) != tt.x5c {
				t.Errorf("cert chain %d", len(k.CertChain))
			}
			if k.Key.N.Cmp(a.N) != 0 || k.Key.D.Cmp(a.D) != 0 {
				t.Error("not the key in the file")
			}
			// The loaded key signs a grant Maskinporten would check.
			g := client.Grant{ClientID: "c", Audience: "https://test.maskinporten.no/", Scopes: []string{"a:b"}}
			s, err := g.Sign(k)
			if err != nil {
				t.Fatal(err)
			}
			d, err := client.VerifyGrantSignature(s, &a.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if tt.x5c {
				x5c, _ := d.Header["x5c"].([]any)
				if len(x5c) != 1 || d.Header["kid"] != nil || x5c[0] != base64.StdEncoding.EncodeToString(cert.Raw) {
					t.Errorf("header %v", d.Header)
				}
				if OrgNo(info.Certificate) != "991825827" {
					t.Errorf("org %q", OrgNo(info.Certificate))
				}
			} else if d.Header["kid"] != tt.wantKid {
				t.Errorf("header %v", d.Header)
			}
		})
	}
}

func TestLoadKeyRefusesClearly(t *testing.T) {
	a, b := testKeys(t)
	cert := businessCert(t, a, "991825827", time.Now().Add(365*24*time.Hour))
	p12, _ := pkcs12.Modern.Encode(a, cert, nil, "hemmelig")
	expired := businessCert(t, a, "991825827", time.Now().Add(-time.Minute))
	p12old, _ := pkcs12.Modern.Encode(a, expired, nil, "hemmelig")
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	public := privateJWKJSON(a, "pub")
	delete(public, "d")
	twoKeys := mustJSON(map[string]any{"keys": []any{privateJWKJSON(b, "old-2025"), privateJWKJSON(a, "new-2026")}})
	broken := privateJWKJSON(a, "broken")
	broken["d"] = b64u.EncodeToString(b.D.Bytes())
	tests := []struct {
		name     string
		file     string
		content  []byte
		kid      string
		password string
		want     []string
	}{
		{"JWK set, kid not there", "k.json", twoKeys, "gone-2024", "", []string{`no key with kid "gone-2024"`, `"old-2025", "new-2026"`, "vendor.key_id"}},
		{"JWK set, no kid chosen", "k.json", twoKeys, "", "", []string{"2 keys and no kid chosen", `"old-2025", "new-2026"`}},
		{"JWK, kid mismatch", "k.json", mustJSON(privateJWKJSON(a, "jwk-1")), "jwk-2", "", []string{`no key with kid "jwk-2"`, `"jwk-1"`}},
		{"public JWK", "k.json", mustJSON(public), "", "", []string{`no private member "d"`, "public key"}},
		{"private members that do not fit", "k.json", mustJSON(broken), "", "", []string{"do not form a valid RSA key"}},
		{"bad JSON", "k.json", []byte(`{"kty": "RSA", "d": "` + b64u.EncodeToString(a.D.Bytes()) + `"`), "", "", []string{"not valid JSON", "byte"}},
		{"PKCS#12 wrong password", "k.p12", p12, "", "feil", []string{"wrong password", "WORKBENCH_KEY_PASSWORD"}},
		{"PKCS#12 without password", "k.p12", p12, "", "", []string{"needs a password", "WORKBENCH_KEY_PASSWORD", "key_password_file"}},
		{"PKCS#12 expired", "k.p12", p12old, "", "hemmelig", []string{"expired"}},
		{"not a key at all", "k.pem", []byte("hello\n"), "", "", []string{"not a key file"}},
		{"public key PEM", "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&a.PublicKey)}), "", "", []string{"holds no private key"}},
		{"encrypted PEM", "k.pem", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"), "", "", []string{"encrypted PEM", "PKCS#12"}},
		{"EC key", "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), "", "", []string{"ECDSA key, not RSA"}},
		{"1024 bits", "k.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}), "", "", []string{"1024 bits", "at least 2048"}},
		{"empty", "k.pem", nil, "", "", []string{"is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.file, tt.content, 0o600)
			_, _, err := LoadKey(p, KeyOptions{KeyID: tt.kid, Password: func() (string, error) { return tt.password, nil }})
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("got %T %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("%q does not name the file", err)
			}
			assertNoSecret(t, err.Error(), a)
			assertNoSecret(t, err.Error(), b)
		})
	}
	if _, _, err := LoadKey(filepath.Join(t.TempDir(), "nope.pem"), KeyOptions{}); err == nil || !strings.Contains(err.Error(), "keys new --out") {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := LoadKey(t.TempDir(), KeyOptions{}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}

func TestKeyReadableByOthersIsWarned(t *testing.T) {
	a, _ := testKeys(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(a)
	p := writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o644)
	_, info, err := LoadKey(p, KeyOptions{KeyID: "k"})
	if err != nil || len(info.Warnings) != 1 || !strings.Contains(info.Warnings[0], "mode 0644") || !strings.Contains(info.Warnings[0], "chmod 600") {
		t.Fatalf("%v %v", info.Warnings, err)
	}
}

func TestKeyPasswordFromFileOrEnv(t *testing.T) {
	a, _ := testKeys(t)
	cert := businessCert(t, a, "991825827", time.Now().Add(365*24*time.Hour))
	p12, _ := pkcs12.Modern.Encode(a, cert, nil, "hemmelig")
	kp := writeFile(t, "k.p12", p12, 0o600)
	pw := writeFile(t, "pw", []byte("hemmelig\n"), 0o600)
	base := "env = \"tt02\"\n[vendor]\norg_no = \"991825827\"\nsystem_id = \"991825827_x\"\nagent_system_id = \"991825827_y\"\nclient_id = \"c\"\nredirect_url = \"https://x.example/\"\nkey_file = \"" + kp + "\"\n"
	for name, tc := range map[string]struct {
		toml string
		env  map[string]string
		ok   bool
	}{
		"file":             {base + "key_password_file = \"" + pw + "\"\n", nil, true},
		"env":              {base, map[string]string{"WORKBENCH_KEY_PASSWORD": "hemmelig"}, true},
		"env wins":         {base + "key_password_file = \"" + pw + "\"\n", map[string]string{"WORKBENCH_KEY_PASSWORD": "feil"}, false},
		"missing password": {base, nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := LoadWith(write(t, tc.toml), Options{Getenv: func(k string) string { return tc.env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			k, _, err := c.VendorKey()
			if (err == nil) != tc.ok {
				t.Fatalf("err %v", err)
			}
			if tc.ok && len(k.CertChain) != 1 {
				t.Errorf("chain %d", len(k.CertChain))
			}
			if err != nil && strings.Contains(err.Error(), "hemmelig") {
				t.Errorf("password in the error: %v", err)
			}
		})
	}
}

// TestLoadKeyBoundsPKCS12Work: a PKCS#12 file that asks for billions of
// MAC iterations is refused at once instead of hanging the loader (found
// by FuzzLoadKey). The file is a real one with its iteration count raised.
func TestLoadKeyBoundsPKCS12Work(t *testing.T) {
	a, _ := testKeys(t)
	p12, err := pkcs12.Modern.Encode(a, businessCert(t, a, "991825827", time.Now().Add(time.Hour)), nil, "hemmelig")
	if err != nil {
		t.Fatal(err)
	}
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			MacSalt    []byte
			Iterations int `asn1:"optional,default:1"`
		} `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(p12, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 2_000_000_000
	raised, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vendor.p12")
	if err := os.WriteFile(path, raised, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := LoadKey(path, KeyOptions{Password: func() (string, error) { return "hemmelig", nil }})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "MAC iterations") {
			t.Fatalf("err = %v, want the iteration count refused", err)
		}
	case <-time.After(20 * time.Second): // the refusal takes microseconds; this only ends a hang
		t.Fatal("the loader is still deriving the MAC key")
	}
}
