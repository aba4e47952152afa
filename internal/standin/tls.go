package standin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// testCA is the stand-in's own certificate authority: the workbench trusts
// it only when handed its PEM through [network] ca_file, the way a company
// proxy's CA or a test CA reaches a client.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	leaf tls.Certificate
}

// newTestCA makes a CA and one leaf certificate for the loopback names the
// servers listen on (127.0.0.1, ::1, localhost) and any extra names. ECDSA P-256 keeps it fast;
// the RSA keys that matter (grants, tokens) are elsewhere.
func newTestCA(now time.Time, extraNames []string) (*testCA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Systembruker Workbench stand-in test CA", Organization: []string{"standin"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("leaf key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     append([]string{"localhost"}, extraNames...),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("leaf certificate: %w", err)
	}
	return &testCA{
		cert: caCert,
		key:  caKey,
		pem:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		leaf: tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey},
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// serverConfig is the TLS configuration of every stand-in host.
func (ca *testCA) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.leaf}, MinVersion: tls.VersionTLS12}
}

// pool is a certificate pool holding only the test CA.
func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// writePEM writes the CA certificate where the workbench's ca_file can
// point at it.
func (ca *testCA) writePEM(dir string) (string, error) {
	path := filepath.Join(dir, "standin-ca.pem")
	if err := os.WriteFile(path, ca.pem, 0o644); err != nil {
		return "", fmt.Errorf("write CA file: %w", err)
	}
	return path, nil
}

// HTTPClient returns a client that trusts the stand-in's CA (and nothing
// else), for tests that call the stand-in with plain net/http. It is one
// client for the World's life.
func (w *World) HTTPClient() *http.Client {
	w.clientOnce.Do(func() {
		w.client = &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{
				TLSClientConfig:   &tls.Config{RootCAs: w.ca.pool(), MinVersion: tls.VersionTLS12},
				ForceAttemptHTTP2: true,
			},
		}
	})
	return w.client
}
