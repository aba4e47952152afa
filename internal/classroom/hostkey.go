package classroom

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/systembruker/workbench/internal/safefile"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// DefaultHostKeyFile is where the host key is kept when --host-key is not
// given: classroom_host_key in the user's configuration directory
// (~/.config/workbench on Linux), so that trainees see the same host key
// from one class to the next.
func DefaultHostKeyFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration directory for the host key (give --host-key FILE): %w", err)
	}
	return filepath.Join(dir, "workbench", "classroom_host_key"), nil
}

// HostKey is the server's SSH host key.
type HostKey struct {
	Signer gossh.Signer
	// File is where it is kept; Created says this start made it.
	File    string
	Created bool
	// Warning is set when the file is readable by others.
	Warning string
}

// Fingerprint is the host key's SHA256 fingerprint, as ssh prints it
// (SHA256:...).
func (k HostKey) Fingerprint() string { return gossh.FingerprintSHA256(k.Signer.PublicKey()) }

// LoadOrCreateHostKey reads the host key from file, or, when there is
// none, makes an Ed25519 key and writes it there (mode 0600, its
// directory 0700 when made), in OpenSSH's private key format. The key is
// never printed; only its fingerprint is.
func LoadOrCreateHostKey(file string) (HostKey, error) {
	k := HostKey{File: file}
	b, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k.Signer, err = createHostKey(file)
		k.Created = err == nil
		return k, err
	case err != nil:
		return k, fmt.Errorf("host key: %w", err)
	}
	k.Signer, err = gossh.ParsePrivateKey(b)
	if err != nil {
		var missing *gossh.PassphraseMissingError
		if errors.As(err, &missing) {
			return k, fmt.Errorf("host key %s has a passphrase: give a key without one, or a new FILE to make one", file)
		}
		return k, fmt.Errorf("host key %s is not an SSH private key: %w", file, err)
	}
	if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
		k.Warning = fmt.Sprintf("host key %s can be read by others (mode %04o): chmod 600 %s", file, fi.Mode().Perm(), file)
	}
	return k, nil
}

// createHostKey makes a new Ed25519 host key in file, written whole or
// not at all (a temporary file renamed into place).
func createHostKey(file string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make a host key: %w", err)
	}
	blk, err := gossh.MarshalPrivateKey(priv, "workbench classroom")
	if err != nil {
		return nil, fmt.Errorf("make a host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := writeFileAtomic(file, pem.EncodeToMemory(blk), 0o600); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return gossh.NewSignerFromKey(priv)
}

// writeFileAtomic writes b to file whole or not at all, replacing what is
// there (safefile: a temporary file beside it, synced, renamed over it).
func writeFileAtomic(file string, b []byte, perm os.FileMode) error {
	return safefile.Write(file, b, safefile.Options{Perm: perm, Overwrite: true})
}
