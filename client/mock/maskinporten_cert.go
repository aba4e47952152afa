package mock

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/systembruker/workbench/internal/lazyre"
)

// The x5c half of check 5 of docs/mock-api.md: a grant signed with a
// business certificate (virksomhetssertifikat) instead of a registered key.

// certificateKey checks the certificate chain of an x5c grant and returns
// the leaf's key and the client_amr the token will carry.
func (m *Maskinporten) certificateKey(cl *mpClient, chain []*x509.Certificate, now time.Time) (*rsa.PublicKey, string, *mpTokenError) {
	// "Ved klient-autentisering mot /token-endepunktet, og ved bruk av
	// JWT bearer grants, må klienter som har registrert en nøkkel bruke
	// kid-parameteren i jwt-headeren istedenfor x5c" (felleslosninger/docs
	// _docs/idporten/oidc/oidc_api_admin.md L172, oidc_func_clientreg.md
	// L177). The id Maskinporten answers with is not documented.
	if len(cl.keys) > 0 {
		return nil, "", mpInvalidGrant("",
			"the grant's header has x5c, but client %s has registered keys (%s): a client with a registered key must use kid instead of x5c; put the key's kid in the header", cl.ID, strings.Join(mpSortedKeys(cl.keys), ", "))
	}
	leaf := chain[0]
	if terr := m.checkCertificate(chain, now); terr != nil {
		return nil, "", terr
	}
	// "Klienten bruker et gyldig virksomhetssertifikat fra Buypass eller
	// Commfides. Organisasjonsnummeret i sertifikatet må stemme med
	// klient-registreringa" (felleslosninger/docs _docs/idporten/oidc/
	// oidc_func_clientreg.md L77; MP-122, maskinporten_feilsoking.md
	// L126-130). Where in the certificate Maskinporten reads the number is
	// not documented; mpCertOrgNo follows the certificate profiles.
	org := mpCertOrgNo(leaf.Subject)
	if org == "" {
		return nil, "", mpInvalidGrant("MP-122", mpTextMP122+
			": found no organisation number in the certificate's subject %q (looked in serialNumber, organizationIdentifier NTRNO-<orgno> and for nine digits); client %s belongs to %s", mpSubject(leaf.Subject), cl.ID, cl.OrgNo)
	}
	if org != cl.OrgNo {
		return nil, "", mpInvalidGrant("MP-122", mpTextMP122+
			": the certificate belongs to org %s (subject %q) but client %s belongs to org %s; use the business certificate of the client's org", org, mpSubject(leaf.Subject), cl.ID, cl.OrgNo)
	}
	return leaf.PublicKey.(*rsa.PublicKey), "virksomhetssertifikat", nil
}

// Digdir's texts of MP-120 and MP-122 (felleslosninger/docs
// _docs/Maskinporten/maskinporten_feilsoking.md L60, L126).
const (
	mpTextMP120 = "Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate."
	mpTextMP122 = "Invalid JWT. Invalid organization number for client. Does not match certificate orgno"
)

// checkCertificate checks the x5c chain (leaf first): the leaf is valid
// now, and the chain ends at a CA of the trust store (the mock's test CA
// and the seed's trustedCAs), which stands in for "a business certificate
// from Buypass or Commfides". The leaf alone is enough when a trusted CA
// issued it (real clients send only the leaf: oslokommune/okdata-
// maskinporten-api jwt_client.py _jws_headers); intermediates may follow
// it. Revocation is not checked.
func (m *Maskinporten) checkCertificate(chain []*x509.Certificate, now time.Time) *mpTokenError {
	leaf := chain[0]
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return mpInvalidGrant("MP-120", mpTextMP120+
			" The certificate is valid from %s to %s, and Maskinporten's clock says %s.",
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	m.mu.RLock()
	roots := m.trust
	m.mu.RUnlock()
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err == nil {
		return nil
	}
	why := "its chain does not end at a CA this Maskinporten trusts"
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case bytes.Equal(leaf.RawIssuer, leaf.RawSubject) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil:
		why = "it is self-signed, so anyone can make one with any organisation number"
	case errors.As(err, &unknown):
		why = fmt.Sprintf("it is issued by %q, which is not a CA this Maskinporten trusts", mpSubject(leaf.Issuer))
	case errors.As(err, &invalid):
		why = fmt.Sprintf("%q in the chain is not valid (%v)", mpSubject(invalid.Cert.Subject), err)
	}
	return mpInvalidGrant("MP-120", mpTextMP120+
		" The certificate %q is not trusted: %s. Real Maskinporten trusts business certificates from Buypass and Commfides (test certificates in test); the mock trusts its own test CA (workbench keys new --certificate) and the seed's trustedCAs.",
		mpSubject(leaf.Subject), why)
}

var mpOrgIdentifierHexRE = lazyre.New(`2\.5\.4\.97=#[0-9a-f]+`)

// mpSubject is a certificate name as text, with organizationIdentifier
// spelt out (pkix.Name.String shows an attribute it does not know as the
// hex of its DER).
func mpSubject(n pkix.Name) string {
	s := n.String()
	for _, a := range n.Names {
		if v, ok := a.Value.(string); ok && a.Type.Equal(mpOrgIdentifierOID) {
			s = mpOrgIdentifierHexRE.ReplaceAllLiteralString(s, "organizationIdentifier="+v)
		}
	}
	return s
}

// mpCertOrgNo is the organisation number in a business certificate's
// subject: its serialNumber (older Buypass and Commfides certificates),
// its organizationIdentifier "NTRNO-<orgno>" (newer ones, the SEID 2.0
// profile), or else any nine digits in the subject; the places a third
// party reads them from (digipost/sdp-shared api-commons
// OrgnummerExtractor.java: SEID2_PATTERN, BUYPASS_PATTERN, CN_PATTERN), as
// Digdir does not say.
func mpCertOrgNo(subject pkix.Name) string {
	if mpOrgNoRE.MatchString(subject.SerialNumber) {
		return subject.SerialNumber
	}
	for _, n := range subject.Names {
		if s, ok := n.Value.(string); ok && n.Type.Equal(mpOrgIdentifierOID) {
			if org, ok := strings.CutPrefix(s, "NTRNO-"); ok && mpOrgNoRE.MatchString(org) {
				return org
			}
		}
	}
	if m := mpNineDigitsRE.FindStringSubmatch(subject.String()); m != nil {
		return m[1]
	}
	return ""
}
