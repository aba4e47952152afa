package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

const keysCertificateHelp = `Usage: workbench keys new --certificate --org ORGNO [--name NAME] [--out FILE]
                          [--password-file FILE] [--force]

Makes an RSA 2048 key and a test business certificate (virksomhetssertifikat)
for it, issued by the workbench's test CA to the organisation ORGNO, and
writes both, with the CA, as a PKCS#12 file (the format business
certificates come in) to FILE (default vendor-certificate.p12), mode 0600.
An existing file is never overwritten without --force.

Only the workbench's mocks trust the test CA (workbench serve and the
embedded mocks). Real Maskinporten, in test as in production, trusts
business certificates from Buypass and Commfides only.

The file is locked with a password, read from --password-file FILE (a file
only you can read; a trailing newline is ignored) or else from
WORKBENCH_KEY_PASSWORD, which is also what opens the file later. The
password is never taken on the command line and never printed.

The certificate (public) goes to stdout as PEM; what to do next, on stderr.

  --org ORGNO           the organisation's nine-digit number (in the
                        certificate's organizationIdentifier, NTRNO-ORGNO)
  --name NAME           the organisation's name (default TEST ORGANISATION ORGNO)
  --out FILE            the PKCS#12 file
  --password-file FILE  the password that locks it
  --force               replace an existing FILE
`

// wantsCertificate reports whether `keys new` was asked for a certificate.
func wantsCertificate(args []string) bool {
	for _, a := range args {
		if a == "--certificate" || a == "-certificate" || strings.HasPrefix(a, "--certificate=") || strings.HasPrefix(a, "-certificate=") {
			return true
		}
	}
	return false
}

func cmdKeysCertificate(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keys new --certificate", flag.ContinueOnError)
	cert := fs.Bool("certificate", false, "make a test business certificate")
	org := fs.String("org", "", "the organisation number `ORGNO`")
	name := fs.String("name", "", "the organisation's `NAME`")
	out := fs.String("out", "vendor-certificate.p12", "the PKCS#12 `FILE`")
	pwFile := fs.String("password-file", "", "the password `FILE`")
	force := fs.Bool("force", false, "replace an existing file")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, keysCertificateHelp); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "workbench keys new --certificate: "+format+"\n", a...)
		return code
	}
	if !*cert {
		return fail(2, "--certificate=false makes no certificate; leave it out for a plain key pair")
	}
	if len(*org) != 9 || strings.Trim(*org, "0123456789") != "" {
		return fail(2, "--org %q: give the organisation's nine-digit number, e.g. --org 991825827", *org)
	}
	password, source, err := config.CertificatePassword(*pwFile, os.Getenv)
	if err != nil {
		return fail(2, "%v", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fail(1, "make the key: %v", err)
	}
	leaf, chain, err := mock.IssueBusinessCertificate(&key.PublicKey, *org, *name, time.Now())
	if err != nil {
		return fail(1, "%v", err)
	}
	if err := config.WriteCertificate(*out, key, leaf, chain, password, *force); err != nil {
		return fail(1, "%v", err)
	}
	stdout.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	fmt.Fprintf(stderr, `
Wrote the key and its test business certificate to %[1]s (PKCS#12, mode 0600),
locked with the password from %[2]s. The key stays with you: never paste it
anywhere, and never put the password in the config itself.

certificate: %[3]s, org %[4]s, valid until %[5]s
issued by:   %[6]s
Only the workbench's mocks trust this CA. Real Maskinporten needs a test
business certificate from Buypass or Commfides.

Next:
  1. A Maskinporten client of org %[4]s without a registered key (a client
     with a key must sign with its kid, not x5c): for `+"`workbench serve`"+`, a
     seed client with no "jwks"; against the embedded mocks the workbench
     registers one itself.
  2. In the config, and no key_id, so that the grant carries the
     certificate (x5c):
       [vendor]
       org_no = %[4]q
       key_file = %[1]q
       key_password_file = "FILE WITH THE PASSWORD"   (or WORKBENCH_KEY_PASSWORD)
  3. workbench config check
`, *out, source, leaf.Subject.CommonName, *org, leaf.NotAfter.UTC().Format("2006-01-02"), chain[0].Subject.CommonName)
	return 0
}
