package config

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
	"software.sslmate.com/src/go-pkcs12"
)

// Fuzz targets for the config loader and the key loaders, the two readers
// of files a person writes or pastes. Run one for longer with
//
//	go test -run '^$' -fuzz '^FuzzConfigLoad$' -fuzztime 60s ./config

// fuzzSecretRE is what the config fuzzer takes as a secret: a password or
// a piece of a key, letters and digits only, so that neither TOML's
// punctuation nor a config name can be part of it.
var fuzzSecretRE = regexp.MustCompile(`^[A-Za-z0-9]{10,64}$`)

// FuzzConfigLoad loads any text, with a secret put where the text says @@.
// The errors may name the config's own keys and repeat what a known field
// holds (an env, an org number, a URL: none of them secret), but never
// anything else of the file: not the secret under a key that is refused,
// not a value pasted without quotes, not a comment.
func FuzzConfigLoad(f *testing.F) {
	for _, c := range []struct{ text, secret string }{
		{string(Starter()), "hunter2Xq9Zs3cr3t"},
		{"env = \"mock\"\n[vendor]\nkey_password = \"@@\"\n", "hunter2Xq9Zs3cr3t"},
		{"[vendor]\nkey_file = @@\n", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"},
		{"[vendor]\npassword @@\n", "hunter2Xq9Zs3cr3t"},
		{"[vendor\n@@\n", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"},
		{"[altinn]\nsubscription_key = '@@'\n", "0123456789abcdef0123456789abcdef"},
		{"env = \"tt02\"\n[vendor]\nclient_id = \"@@\"\n", "5d3a8d571c0e4c1f9a43"},
		{"env = \"@@\"\n", "mokcmokcmokc"},
		{"[vendor]\nkey_file = \"k.pem\" # @@\n[\n", "hunter2Xq9Zs3cr3t"},
		{"[vendor]\n@@ = 1\n", "hunter2Xq9Zs3cr3t"},
		{"[network]\nretries = @@\n", "1234567890"},
		{"{\"kty\": \"RSA\", \"d\": \"@@\"}\n", "hunter2Xq9Zs3cr3t"},
	} {
		f.Add(c.text, c.secret)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text, secret string) {
		if !fuzzSecretRE.MatchString(secret) || !strings.Contains(text, "@@") || knownNames()[secret] {
			return
		}
		src := strings.ReplaceAll(text, "@@", secret)
		p := filepath.Join(dir, "workbench.toml")
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errs, err := Read(p, Options{Getenv: noEnv})
		var shown strings.Builder
		if err != nil {
			shown.WriteString(err.Error())
		}
		for _, e := range errs {
			if e.Line < 0 {
				t.Fatalf("line %d", e.Line)
			}
			shown.WriteString(e.Error() + "\n")
		}
		msg := strings.ReplaceAll(shown.String(), p, "FILE")
		if !strings.Contains(msg, secret) || fuzzMayShow(src, secret) {
			return
		}
		t.Fatalf("the errors show %q:\n%s\nfrom:\n%s", secret, msg, src)
	})
}

// fuzzMayShow reports whether an error may show secret: it is a key's
// name, or it is in what a known, non-secret field holds.
func fuzzMayShow(src, secret string) bool {
	var tree map[string]any
	if _, err := toml.Decode(src, &tree); err != nil {
		return false // a syntax error shows no text of the file
	}
	known := defaultTree()
	var walk func(have, want map[string]any) bool
	walk = func(have, want map[string]any) bool {
		for k, v := range have {
			if strings.Contains(k, secret) {
				return true
			}
			// The decoder matches the config's keys regardless of case.
			w, isKnown := want[k]
			for wk, wv := range want {
				if !isKnown && strings.EqualFold(wk, k) {
					w, isKnown = wv, true
				}
			}
			switch v := v.(type) {
			case map[string]any:
				if sub, ok := w.(map[string]any); ok && walk(v, sub) {
					return true
				}
				if !isKnown && walk(v, map[string]any{}) {
					return true // keys of an unknown table are named
				}
			default:
				if _, table := w.(map[string]any); isKnown && !table && strings.Contains(fmt.Sprint(v), secret) {
					return true
				}
			}
		}
		return false
	}
	return walk(tree, known)
}

// fuzzKeyMaterialRE is a run that looks like key material: 16 or more
// base64 characters.
var fuzzKeyMaterialRE = regexp.MustCompile(`[A-Za-z0-9+/_=-]{16,}`)

// FuzzLoadKey reads any bytes as a key file, under each of the names a key
// file has. A key that loads is a valid RSA key of at least 2048 bits that
// signs what its public half verifies, named by a kid or a certificate; an
// error is a KeyError that quotes nothing of the file.
func FuzzLoadKey(f *testing.F) {
	demo, err := os.ReadFile("demo/smartcloud-demo-key.pem")
	if err != nil {
		f.Fatal(err)
	}
	blk, _ := pem.Decode(demo)
	parsed, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		f.Fatal(err)
	}
	a := parsed.(*rsa.PrivateKey)
	der, _ := x509.MarshalPKCS8PrivateKey(a)
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a)})
	cert := fuzzBusinessCert(f, a)
	p12, err := pkcs12.Modern.Encode(a, cert, nil, "hemmelig")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []struct {
		ext  uint8
		data []byte
	}{
		{0, pkcs8}, {0, pkcs1}, {0, demo},
		{1, mustJSON(privateJWKJSON(a, "smartcloud-1"))},
		{1, mustJSON(map[string]any{"keys": []any{privateJWKJSON(a, "smartcloud-1")}})},
		{1, mustJSON([]any{privateJWKJSON(a, "")})},
		{2, p12},
		{0, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")},
		{0, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")},
		{1, []byte(`{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB","p":"Aw","q":"BQ"}`)},
		{1, []byte(`{"keys":[]}`)}, {1, []byte(`{"kty":`)}, {3, []byte("not a key")},
	} {
		f.Add(s.ext, s.data)
	}
	exts := []string{".pem", ".json", ".p12", ".key"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, ext uint8, data []byte) {
		p := filepath.Join(dir, "key"+exts[int(ext)%len(exts)])
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		k, info, err := LoadKey(p, KeyOptions{Password: func() (string, error) { return "hemmelig", nil }, Now: fuzzNow})
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("not a KeyError: %T %v", err, err)
			}
			msg := strings.ReplaceAll(err.Error(), p, "FILE")
			kids := fuzzKids(data)
			for _, run := range fuzzKeyMaterialRE.FindAll(data, -1) {
				for i := 0; i+16 <= len(run); i++ {
					w := string(run[i : i+16])
					if strings.ContainsAny(w, "0123456789") && strings.IndexFunc(w, unicode.IsLetter) >= 0 &&
						strings.Contains(msg, w) && !strings.Contains(kids, w) {
						t.Fatalf("the error quotes the file (%q): %s", w, msg)
					}
				}
			}
			return
		}
		if err := k.Key.Validate(); err != nil || k.Key.N.BitLen() < 2048 || info.Bits != k.Key.N.BitLen() {
			t.Fatalf("loaded an unusable key: %v, %d bits", err, k.Key.N.BitLen())
		}
		if k.KeyID == "" && len(k.CertChain) == 0 {
			t.Fatal("a key with neither kid nor certificate")
		}
		sum := sha256.Sum256(data)
		sig, err := rsa.SignPKCS1v15(nil, k.Key, crypto.SHA256, sum[:])
		if err != nil || rsa.VerifyPKCS1v15(&k.Key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
			t.Fatalf("the key does not sign: %v", err)
		}
	})
}

// fuzzKids are the kid values of a JSON file, which errors may name (a
// kid is public: it is registered with the public key).
func fuzzKids(data []byte) string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "kid" {
					b.WriteString(s + "\x00")
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return b.String()
}

// fuzzNow is the key fuzzer's clock: certificates are made valid around it.
var fuzzNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fuzzBusinessCert is a self-signed certificate for k naming SmartCloud's
// org number, valid around fuzzNow.
func fuzzBusinessCert(tb testing.TB, k *rsa.PrivateKey) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "SMARTCLOUD AS TEST", Organization: []string{"SMARTCLOUD AS"}, SerialNumber: "991825827", Country: []string{"NO"}},
		NotBefore:    fuzzNow.Add(-time.Hour), NotAfter: fuzzNow.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
