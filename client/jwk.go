package client

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// JWK is a public RSA key in JSON Web Key form (RFC 7517). It never holds
// private key material.
type JWK struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid,omitempty"`
	Use string   `json:"use,omitempty"`
	Alg string   `json:"alg,omitempty"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c,omitempty"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

var b64 = base64.RawURLEncoding

// PublicJWK returns the public half of an RSA key as a JWK with the given
// kid, marked for signatures with RS256.
func PublicJWK(pub *rsa.PublicKey, kid string) JWK {
	return JWK{
		Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
		N: b64.EncodeToString(pub.N.Bytes()),
		E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of an RSA public key,
// base64url encoded: a kid that follows from the key itself.
func Thumbprint(pub *rsa.PublicKey) string {
	j := PublicJWK(pub, "")
	// Members in lexicographic order, no whitespace, as RFC 7638 requires.
	canon := fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, j.E, j.N)
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:])
}

// PublicKey decodes the RSA public key of the JWK.
func (j JWK) PublicKey() (*rsa.PublicKey, error) {
	if j.Kty != "RSA" {
		return nil, fmt.Errorf("jwk %q: kty %q is not RSA", j.Kid, j.Kty)
	}
	n, err := b64.DecodeString(j.N)
	if err != nil || len(n) == 0 {
		return nil, fmt.Errorf("jwk %q: bad modulus n", j.Kid)
	}
	e, err := b64.DecodeString(j.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, fmt.Errorf("jwk %q: bad exponent e", j.Kid)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("jwk %q: RSA key of %d bits, Maskinporten needs at least 2048", j.Kid, pub.N.BitLen())
	}
	return pub, nil
}

// ErrNoKey is returned when a key set has no key with the asked kid.
var ErrNoKey = errors.New("no key with that kid")

// Key finds the key with the given kid.
func (s JWKS) Key(kid string) (*rsa.PublicKey, error) {
	for _, k := range s.Keys {
		if k.Kid == kid {
			return k.PublicKey()
		}
	}
	return nil, fmt.Errorf("kid %q: %w", kid, ErrNoKey)
}

// MarshalIndent is the key set as indented JSON, ready to paste into a
// self-service portal.
func (s JWKS) MarshalIndent() []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return b
}
