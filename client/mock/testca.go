package mock

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// The mock Maskinporten's test CA: it stands in for the issuers real
// Maskinporten trusts for business certificates (virksomhetssertifikat):
// "Pr. i dag er det Buypass og Commfides som er godkjent av NKOM til
// usteding av virksomhetssertifikater" (felleslosninger/docs
// _docs/Maskinporten/maskinporten_virksomhetssertifikat.md L37-39). How
// Maskinporten validates the chain is not public; the mock trusts a chain
// that ends at this CA or at a CA given in the seed (trustedCAs).
//
// The CA is embedded, not made per world, like the mocks' other test keys
// (testkeys/): `workbench keys new --certificate` issues a certificate in
// one process and `workbench serve` (or a reset world) must trust it in
// another. Its private key is public, in this repository, so it is a
// throwaway: only the mocks trust it, and real Maskinporten never will.
// It was made once with crypto/x509: RSA 2048, self-signed, CA:TRUE with
// pathlen 0 (it issues leaves only), key usage certSign and cRLSign, valid
// 2026-01-01 to 2056-01-01.

// testCA is the parsed test CA, loaded once.
var testCA = sync.OnceValues(func() (*x509.Certificate, error) {
	b, err := testKeys.ReadFile("testkeys/testca-cert.pem")
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("testkeys/testca-cert.pem holds no certificate")
	}
	return x509.ParseCertificate(blk.Bytes)
})

// TestCACertificate is the mock Maskinporten's test CA, which every mock
// world trusts for x5c grants.
func TestCACertificate() *x509.Certificate {
	c, err := testCA()
	if err != nil {
		panic("mock: embedded test CA: " + err.Error())
	}
	return c
}

// testCertValidity is how long an issued test business certificate lives:
// three years, as real ones do (maskinporten_virksomhetssertifikat.md
// L25-27).
const testCertValidity = 3 * 365 * 24 * time.Hour

// IssueBusinessCertificate issues a test business certificate for pub
// from the test CA: subject organizationIdentifier "NTRNO-<orgNo>" (the
// SEID 2.0 profile's place for the organisation number; Digdir does not
// document where Maskinporten reads it) and the organisation's name, valid
// from an hour before now for three years, for digital signatures. It
// returns the certificate and the chain above it (the CA).
func IssueBusinessCertificate(pub *rsa.PublicKey, orgNo, name string, now time.Time) (leaf *x509.Certificate, chain []*x509.Certificate, err error) {
	if !mpOrgNoRE.MatchString(orgNo) {
		return nil, nil, fmt.Errorf("org number %q is not nine digits", orgNo)
	}
	if pub == nil || pub.N.BitLen() < 2048 {
		return nil, nil, errors.New("the key must be RSA of at least 2048 bits")
	}
	if name == "" {
		name = "TEST ORGANISATION " + orgNo
	}
	ca := TestCACertificate()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	ski := sha1.Sum(der)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Country: []string{"NO"}, Organization: []string{name}, CommonName: name,
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: mpOrgIdentifierOID, Value: "NTRNO-" + orgNo}},
		},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(testCertValidity),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SubjectKeyId:   ski[:],
		AuthorityKeyId: ca.SubjectKeyId,
	}
	if tmpl.NotAfter.After(ca.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	raw, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, mustKey("testca"))
	if err != nil {
		return nil, nil, fmt.Errorf("issue the certificate: %w", err)
	}
	leaf, err = x509.ParseCertificate(raw)
	if err != nil {
		return nil, nil, err
	}
	return leaf, []*x509.Certificate{ca}, nil
}

// parseTrustedCAs reads the seed's trustedCAs: each entry PEM text with one
// or more CERTIFICATE blocks, each a CA.
func parseTrustedCAs(entries []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i, e := range entries {
		rest, n := []byte(e), 0
		for {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				return nil, fmt.Errorf("trustedCAs[%d]: a %s block; give CA certificates only (PEM CERTIFICATE), never a key", i, blk.Type)
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("trustedCAs[%d]: certificate %d does not parse: %v", i, n+1, err)
			}
			if !c.BasicConstraintsValid || !c.IsCA {
				return nil, fmt.Errorf("trustedCAs[%d]: %q is not a CA certificate (basicConstraints CA:TRUE is missing)", i, c.Subject.String())
			}
			out = append(out, c)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("trustedCAs[%d]: no PEM CERTIFICATE block (-----BEGIN CERTIFICATE-----)", i)
		}
	}
	return out, nil
}
