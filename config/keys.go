package config

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/internal/safefile"
	"software.sslmate.com/src/go-pkcs12"
)

// Key file formats.
const (
	FormatPKCS8  = "PEM (PKCS#8)"
	FormatPKCS1  = "PEM (PKCS#1)"
	FormatJWK    = "JWK"
	FormatJWKS   = "JWKS"
	FormatPKCS12 = "PKCS#12"
)

// KeyOptions says which key of a file to use and how to open it.
type KeyOptions struct {
	// KeyID is the kid the key was registered with. For a JWK set it picks
	// the key; for PEM it names the key (empty: the RFC 7638 thumbprint,
	// what `keys new` uses); for PKCS#12 it makes the grant carry kid
	// instead of the certificate chain (x5c).
	KeyID string
	// Password opens a PKCS#12 file; nil means no password.
	Password func() (string, error)
	// Now is the clock for certificate validity; zero means now.
	Now time.Time
}

// KeyInfo describes a loaded key without anything secret in it, for
// `config check` and the screens.
type KeyInfo struct {
	Path   string
	Format string
	// KeyID is the kid the grant will carry ("" for x5c).
	KeyID string
	// KeyIDs are the kids found in a JWK or JWK set.
	KeyIDs     []string
	Bits       int
	Thumbprint string
	// Mode is the file's permission bits.
	Mode fs.FileMode
	// Certificate is the business certificate of a PKCS#12 file.
	Certificate *x509.Certificate
	// Warnings are what is usable but unwise, e.g. a key readable by others.
	Warnings []string
}

// KeyError is a key file that cannot be used. Its text names the file and
// what is wrong, never the file's content.
type KeyError struct {
	Path    string
	Problem string
	Fix     string
	Err     error
}

func (e *KeyError) Error() string {
	s := "key file " + e.Path + ": " + e.Problem
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *KeyError) Unwrap() error { return e.Err }

// NewKey makes an RSA 2048 key pair for a Maskinporten client and writes
// the private key as PKCS#8 PEM to a file only its owner can read (0600),
// whole or not at all. An existing file is left alone unless force is set.
// The key's kid is kid, or when empty its RFC 7638 thumbprint (what
// Samarbeidsportalen shows).
func NewKey(path, kid string, force bool) (client.SigningKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return client.SigningKey{}, fmt.Errorf("make the key: %w", err)
	}
	if kid == "" {
		kid = client.Thumbprint(&k.PublicKey)
	}
	if err := writePrivateKey(path, k, force); err != nil {
		return client.SigningKey{}, err
	}
	return client.SigningKey{Key: k, KeyID: kid}, nil
}

// writePrivateKey writes the key as PKCS#8 PEM, mode 0600; an existing
// file is replaced only when force is set.
func writePrivateKey(path string, k *rsa.PrivateKey, force bool) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return fmt.Errorf("encode the key: %w", err)
	}
	err = safefile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), safefile.Options{Perm: 0o600, Overwrite: force})
	if errors.Is(err, ErrExists) {
		return fmt.Errorf("%s %w; the workbench does not overwrite a key unless you pass --force (a key registered on a Maskinporten client stops working when its file is replaced: choose another --out unless you are sure)", path, ErrExists)
	}
	return err
}

// LoadKey reads a private key from a PEM (PKCS#1 or PKCS#8), JWK, JWK set
// or PKCS#12 file, chosen by its content. Errors never quote the file.
func LoadKey(path string, o KeyOptions) (client.SigningKey, KeyInfo, error) {
	info := KeyInfo{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return client.SigningKey{}, info, keyFileError(path, err)
	}
	if st.IsDir() {
		return client.SigningKey{}, info, &KeyError{Path: path, Problem: "is a directory", Fix: "name the private key file itself"}
	}
	info.Mode = st.Mode().Perm()
	if info.Mode&0o077 != 0 {
		info.Warnings = append(info.Warnings, fmt.Sprintf("readable by group or others (mode %04o): chmod 600 %s", info.Mode, path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return client.SigningKey{}, info, keyFileError(path, err)
	}
	var k client.SigningKey
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0:
		return k, info, &KeyError{Path: path, Problem: "is empty", Fix: "`workbench keys new` makes a key"}
	case bytes.HasPrefix(t, []byte("-----BEGIN")):
		k, err = pemKey(path, b, &info)
		if err == nil {
			k.KeyID = o.KeyID
		}
	case t[0] == '{' || t[0] == '[':
		k, err = jwkKey(path, t, o.KeyID, &info)
	case t[0] == 0x30 || isPKCS12Name(path):
		k, err = pkcs12Key(path, b, o, &info)
	default:
		return k, info, &KeyError{Path: path, Problem: "is not a key file this workbench reads",
			Fix: "use a PEM private key (PKCS#1 or PKCS#8), a JWK or JWK set with the private members, or a PKCS#12 (.p12) business certificate"}
	}
	if err != nil {
		return client.SigningKey{}, info, err
	}
	info.Bits = k.Key.N.BitLen()
	info.Thumbprint = client.Thumbprint(&k.Key.PublicKey)
	if info.Bits < 2048 {
		return client.SigningKey{}, info, &KeyError{Path: path, Problem: fmt.Sprintf("an RSA key of %d bits", info.Bits), Fix: "Maskinporten needs at least 2048; `workbench keys new` makes one"}
	}
	if len(k.CertChain) == 0 && k.KeyID == "" {
		k.KeyID = info.Thumbprint
	}
	info.KeyID = k.KeyID
	return k, info, nil
}

func keyFileError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &KeyError{Path: path, Problem: "does not exist", Fix: "check vendor.key_file (relative paths are from where you run the workbench), or make one with `workbench keys new --out " + path + "`", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &KeyError{Path: path, Problem: "cannot be read (permission denied)", Fix: "run as the file's owner", Err: err}
	}
	return &KeyError{Path: path, Problem: "cannot be read", Err: err}
}

func isPKCS12Name(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".p12" || ext == ".pfx"
}

// pemKey reads the first private key block; certificates beside it are
// skipped (a PEM key signs with its kid).
func pemKey(path string, b []byte, info *KeyInfo) (client.SigningKey, error) {
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return client.SigningKey{}, &KeyError{Path: path, Problem: "holds no private key",
				Fix: "expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----; a certificate or public key is not enough"}
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			info.Format = FormatPKCS1
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return client.SigningKey{}, &KeyError{Path: path, Problem: "the RSA PRIVATE KEY block does not parse as PKCS#1", Err: err}
			}
			return client.SigningKey{Key: k}, nil
		case "PRIVATE KEY":
			info.Format = FormatPKCS8
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return client.SigningKey{}, &KeyError{Path: path, Problem: "the PRIVATE KEY block does not parse as PKCS#8", Err: err}
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return client.SigningKey{}, &KeyError{Path: path, Problem: fmt.Sprintf("a %s key, not RSA", keyType(k)), Fix: "Maskinporten grants here are signed with RSA (RS256); `workbench keys new` makes one"}
			}
			return client.SigningKey{Key: rk}, nil
		case "ENCRYPTED PRIVATE KEY":
			return client.SigningKey{}, &KeyError{Path: path, Problem: "the key is encrypted PEM, which the workbench does not open",
				Fix: "keep it in a PKCS#12 file with a password instead (openssl pkcs12 -export -inkey KEY -in CERT -out key.p12), or decrypt it to a file only you can read"}
		case "EC PRIVATE KEY", "OPENSSH PRIVATE KEY":
			return client.SigningKey{}, &KeyError{Path: path, Problem: "a " + strings.TrimSuffix(blk.Type, " PRIVATE KEY") + " key, not RSA", Fix: "Maskinporten grants here are signed with RSA (RS256); `workbench keys new` makes one"}
		}
	}
}

func keyType(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA"
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k)
}

// privateJWK is a JWK with its private members (RFC 7518 §6.3.2).
type privateJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	D   string `json:"d"`
	P   string `json:"p"`
	Q   string `json:"q"`
}

// jwkKey reads a JWK, a JWK set ({"keys": [...]}) or a bare array of JWKs
// (as the Altinn JWKS tool exports), choosing by kid.
func jwkKey(path string, b []byte, kid string, info *KeyInfo) (client.SigningKey, error) {
	var keys []privateJWK
	var set struct {
		Keys *[]privateJWK `json:"keys"`
	}
	var err error
	switch {
	case b[0] == '[':
		info.Format = FormatJWKS
		err = json.Unmarshal(b, &keys)
	default:
		if err = json.Unmarshal(b, &set); err == nil && set.Keys != nil {
			info.Format = FormatJWKS
			keys = *set.Keys
		} else if err == nil {
			info.Format = FormatJWK
			var one privateJWK
			err = json.Unmarshal(b, &one)
			keys = []privateJWK{one}
		}
	}
	if err != nil {
		return client.SigningKey{}, &KeyError{Path: path, Problem: "is not valid JSON for a JWK or JWK set", Fix: jsonWhere(err)}
	}
	for _, k := range keys {
		info.KeyIDs = append(info.KeyIDs, k.Kid)
	}
	var pick *privateJWK
	switch {
	case len(keys) == 0:
		return client.SigningKey{}, &KeyError{Path: path, Problem: "the JWK set has no keys"}
	case kid != "" && len(keys) == 1 && keys[0].Kid == "":
		// A lone key without a kid takes the configured one.
		pick = &keys[0]
	case kid != "":
		for i := range keys {
			if keys[i].Kid == kid {
				pick = &keys[i]
			}
		}
		if pick == nil {
			return client.SigningKey{}, &KeyError{Path: path, Problem: fmt.Sprintf("no key with kid %q; the file has %s", kid, listKids(info.KeyIDs)),
				Fix: "set vendor.key_id (or WORKBENCH_KEY_ID) to the kid registered on your Maskinporten client"}
		}
	case len(keys) == 1:
		pick = &keys[0]
	default:
		return client.SigningKey{}, &KeyError{Path: path, Problem: fmt.Sprintf("%d keys and no kid chosen; the file has %s", len(keys), listKids(info.KeyIDs)),
			Fix: "set vendor.key_id (or WORKBENCH_KEY_ID) to the one registered on your Maskinporten client"}
	}
	k, err := pick.private()
	if err != nil {
		return client.SigningKey{}, &KeyError{Path: path, Problem: fmt.Sprintf("key %q: %v", pick.Kid, err), Err: err}
	}
	id := pick.Kid
	if id == "" {
		id = kid
	}
	return client.SigningKey{Key: k, KeyID: id}, nil
}

func listKids(kids []string) string {
	q := make([]string, len(kids))
	for i, k := range kids {
		if k == "" {
			q[i] = "(no kid)"
		} else {
			q[i] = fmt.Sprintf("%q", k)
		}
	}
	return "kid " + strings.Join(q, ", ")
}

// jsonWhere turns a JSON error into a position, without the text around it.
func jsonWhere(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("member %q has the wrong type", te.Field)
	}
	return "check that it is a JWK or JWK set"
}

func (j privateJWK) private() (*rsa.PrivateKey, error) {
	switch j.Kty {
	case "RSA":
	case "EC", "OKP", "oct": // the other key types of RFC 7518 and 8037: safe to name
		return nil, fmt.Errorf("kty %q is not RSA", j.Kty)
	default: // anything else is the file's own text, which an error never quotes
		return nil, errors.New("kty is not RSA")
	}
	if j.D == "" {
		return nil, errors.New("has no private member \"d\": this is a public key; key_file must be the private one, which stays with you")
	}
	num := func(name, s string) (*big.Int, error) {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("member %q is not base64url", name)
		}
		return new(big.Int).SetBytes(b), nil
	}
	n, err := num("n", j.N)
	if err != nil {
		return nil, err
	}
	e, err := num("e", j.E)
	if err != nil || !e.IsInt64() || e.Int64() > 1<<31 {
		return nil, errors.New("member \"e\" is not a usable exponent")
	}
	d, err := num("d", j.D)
	if err != nil {
		return nil, err
	}
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d}
	if j.P != "" && j.Q != "" {
		p, err := num("p", j.P)
		if err != nil {
			return nil, err
		}
		q, err := num("q", j.Q)
		if err != nil {
			return nil, err
		}
		k.Primes = []*big.Int{p, q}
	} else {
		return nil, errors.New("has no primes \"p\" and \"q\"; export the key with all its private members")
	}
	if err := k.Validate(); err != nil {
		return nil, errors.New("the private members do not form a valid RSA key")
	}
	k.Precompute()
	return k, nil
}

// pkcs12Key opens a business certificate: the key, the certificate and
// its chain. Without a kid the grant carries the chain (x5c).
func pkcs12Key(path string, b []byte, o KeyOptions, info *KeyInfo) (client.SigningKey, error) {
	info.Format = FormatPKCS12
	pw := ""
	if o.Password != nil {
		var err error
		if pw, err = o.Password(); err != nil {
			return client.SigningKey{}, &KeyError{Path: path, Problem: "the password could not be read: " + err.Error(), Err: err}
		}
	}
	if err := pkcs12Bounded(b); err != nil {
		return client.SigningKey{}, &KeyError{Path: path, Problem: err.Error(), Err: err}
	}
	key, cert, chain, err := pkcs12.DecodeChain(b, pw)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) && pw == "":
		return client.SigningKey{}, &KeyError{Path: path, Problem: "the PKCS#12 file needs a password",
			Fix: "set WORKBENCH_KEY_PASSWORD, or vendor.key_password_file to a file holding it", Err: err}
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return client.SigningKey{}, &KeyError{Path: path, Problem: "wrong password for the PKCS#12 file",
			Fix: "check WORKBENCH_KEY_PASSWORD or the file named by vendor.key_password_file (a trailing newline is ignored)", Err: err}
	case err != nil:
		return client.SigningKey{}, &KeyError{Path: path, Problem: "is not a PKCS#12 file this workbench can open (" + err.Error() + ")",
			Fix: "a .p12/.pfx business certificate with its private key and chain", Err: err}
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return client.SigningKey{}, &KeyError{Path: path, Problem: fmt.Sprintf("a %s key, not RSA", keyType(key)), Fix: "Maskinporten grants here are signed with RSA"}
	}
	info.Certificate = cert
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	switch {
	case now.After(cert.NotAfter):
		return client.SigningKey{}, &KeyError{Path: path, Problem: "the certificate expired on " + cert.NotAfter.Format("2006-01-02"), Fix: "order a new business certificate"}
	case now.Before(cert.NotBefore):
		return client.SigningKey{}, &KeyError{Path: path, Problem: "the certificate is valid only from " + cert.NotBefore.Format("2006-01-02"), Fix: "check this machine's clock"}
	case cert.NotAfter.Sub(now) < 30*24*time.Hour:
		info.Warnings = append(info.Warnings, "the certificate expires on "+cert.NotAfter.Format("2006-01-02"))
	}
	k := client.SigningKey{Key: rk, KeyID: o.KeyID}
	if o.KeyID == "" {
		k.CertChain = [][]byte{cert.Raw}
		for _, c := range chain {
			if !slices.Equal(c.Raw, cert.Raw) {
				k.CertChain = append(k.CertChain, c.Raw)
			}
		}
	}
	return k, nil
}

// OrgNo is the organisation number a Norwegian business certificate names
// (subject serialNumber, or organizationIdentifier NTRNO-<orgno>), or "".
func OrgNo(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	if sn := cert.Subject.SerialNumber; len(sn) == 9 && strings.Trim(sn, "0123456789") == "" {
		return sn
	}
	for _, n := range cert.Subject.Names {
		// 2.5.4.97 organizationIdentifier
		if n.Type.String() == "2.5.4.97" {
			if s, ok := n.Value.(string); ok && strings.HasPrefix(s, "NTRNO-") {
				return strings.TrimPrefix(s, "NTRNO-")
			}
		}
	}
	return ""
}

// maxPKCS12MACIterations bounds the work a PKCS#12 file may ask for before
// its password is checked. Real files ask for 1 to a few hundred thousand
// (OpenSSL's default is 2048); a damaged or hostile file could ask for
// billions, and the MAC is computed, key derivation and all, before
// anything else is known (found by FuzzLoadKey: the loader hung).
const maxPKCS12MACIterations = 10_000_000

// pkcs12Bounded refuses a PKCS#12 file whose MAC asks for more iterations
// than maxPKCS12MACIterations. It reads only the outer PFX structure
// (RFC 7292 §4); anything it cannot read is left to the decoder's own
// errors.
func pkcs12Bounded(b []byte) error {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			MacSalt    []byte
			Iterations int `asn1:"optional,default:1"`
		} `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(b, &pfx); err != nil {
		var se asn1.StructuralError
		if errors.As(err, &se) && strings.Contains(se.Msg, "integer too large") {
			return errors.New("the PKCS#12 file asks for an impossible number of MAC iterations: it is damaged")
		}
		return nil
	}
	if pfx.MacData.Iterations > maxPKCS12MACIterations {
		return fmt.Errorf("the PKCS#12 file asks for %d MAC iterations (more than %d): it is damaged, or not a business certificate", pfx.MacData.Iterations, maxPKCS12MACIterations)
	}
	return nil
}
