package config

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/systembruker/workbench/internal/safefile"
	"software.sslmate.com/src/go-pkcs12"
)

// A business certificate in a file: what `workbench keys new
// --certificate` writes and LoadKey reads back (PKCS#12, the format
// business certificates come in).

// CertificatePassword is the password that locks a new PKCS#12 file, and
// where it came from: the file passwordFile names (without a trailing
// newline), or else WORKBENCH_KEY_PASSWORD, the variable LoadKey opens the
// file with. Never a command-line argument. Errors say nothing of the
// content.
func CertificatePassword(passwordFile string, getenv func(string) string) (password, source string, err error) {
	if passwordFile != "" {
		pw, err := readSecretFile(passwordFile)
		if err != nil {
			return "", "", fmt.Errorf("--password-file: %w", err)
		}
		if pw == "" {
			return "", "", fmt.Errorf("--password-file: %s is empty", passwordFile)
		}
		return pw, passwordFile, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if pw := getenv("WORKBENCH_KEY_PASSWORD"); pw != "" {
		return pw, "$WORKBENCH_KEY_PASSWORD", nil
	}
	return "", "", errors.New("no password for the PKCS#12 file: give --password-file FILE (a file only you can read) or set WORKBENCH_KEY_PASSWORD; a password is never taken on the command line")
}

// WriteCertificate writes key, its certificate and the chain above it as a
// PKCS#12 file locked with password, readable only by its owner. The file
// appears whole or not at all (internal/safefile, as every file the
// workbench writes); an existing file is left alone unless force.
func WriteCertificate(path string, key *rsa.PrivateKey, leaf *x509.Certificate, chain []*x509.Certificate, password string, force bool) error {
	if password == "" {
		return errors.New("the PKCS#12 file needs a password")
	}
	der, err := pkcs12.Modern.Encode(key, leaf, chain, password)
	if err != nil {
		return fmt.Errorf("encode the PKCS#12 file: %w", err)
	}
	err = safefile.Write(path, der, safefile.Options{Perm: 0o600, Overwrite: force})
	if errors.Is(err, ErrExists) {
		return fmt.Errorf("%s exists already; the workbench never overwrites a key or certificate without --force", path)
	}
	return err
}
