package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/systembruker/workbench/internal/safefile"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

// The files serve --demo writes, in its DIR.
const (
	demoKeyFile    = "demo-key.pem"
	demoSeedFile   = "demo-seed.json"
	demoConfigFile = "workbench.toml"
)

// demoWorld is serve --demo's world: the client's key and the seed that
// registers it, and where their files go.
type demoWorld struct {
	dir                           string
	keyPath, seedPath, configPath string
	key                           client.SigningKey
	keptKey                       bool
	seed                          mock.Seed
}

// prepareDemo makes DIR (only its owner may read it) and the client's key,
// or loads the key an earlier run left there.
func prepareDemo(dir string) (*demoWorld, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, err
	}
	d := &demoWorld{dir: abs, keyPath: filepath.Join(abs, demoKeyFile),
		seedPath: filepath.Join(abs, demoSeedFile), configPath: filepath.Join(abs, demoConfigFile)}
	_, err = os.Stat(d.keyPath)
	switch {
	case err == nil:
		d.key, _, err = config.LoadKey(d.keyPath, config.KeyOptions{KeyID: mock.DemoKeyID})
		if err != nil {
			return nil, fmt.Errorf("%s is there but is not a usable key (%v); remove it for a new one", d.keyPath, err)
		}
		d.keptKey = true
	case errors.Is(err, fs.ErrNotExist):
		if d.key, err = config.NewKey(d.keyPath, mock.DemoKeyID, false); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	d.seed = mock.DemoSeed(&d.key.Key.PublicKey)
	return d, nil
}

// write writes the seed and the config for `workbench token`, which names
// the running mocks.
func (d *demoWorld) write(env *mock.Env) error {
	seed, err := json.MarshalIndent(d.seed, "", "  ")
	if err != nil {
		return err
	}
	if err := writeReplacing(d.seedPath, append(seed, '\n')); err != nil {
		return err
	}
	q := strconv.Quote
	toml := "# Written by `workbench serve --demo`: the demo world's vendor client, for\n" +
		"#   workbench --config " + d.configPath + " token\n" +
		"# It names the serve that wrote it; a new serve writes it again.\n" +
		"env = \"mock\"\n\n" +
		"[maskinporten]\nurl = " + q(env.MaskinportenURL) + "\n\n" +
		"[altinn]\nurl = " + q(env.AltinnURL) + "\n\n" +
		"[skatteetaten]\nurl = " + q(env.SkatteetatenURL) + "\n\n" +
		"[vendor]\nclient_id = " + q(mock.DemoClientID) + "\nkey_file = " + q(d.keyPath) + "\nkey_id = " + q(mock.DemoKeyID) +
		"\nsystem_id = " + q(mock.DemoSystemID) + "\n\n" +
		"[customer]\norg_no = " + q(mock.DemoCustomerOrgNo) + "\n"
	return writeReplacing(d.configPath, []byte(toml))
}

// writeReplacing writes b to path whole or not at all, replacing what is
// there (a reader never sees half a file).
func writeReplacing(path string, b []byte) error {
	return safefile.Write(path, b, safefile.Options{Perm: 0o644, Overwrite: true})
}

// describe says on stderr what the files are and how to use them.
func (d *demoWorld) describe(w io.Writer) {
	kept := "new"
	if d.keptKey {
		kept = "kept from an earlier run"
	}
	fmt.Fprintf(w, "workbench serve: the demo world, in %s:\n", d.dir)
	fmt.Fprintf(w, "  %s  the private key (%s) of the vendor client %s, kid %s\n", d.keyPath, kept, mock.DemoClientID, mock.DemoKeyID)
	fmt.Fprintf(w, "  %s  the seed: that client, its system %s and an approved system user for %s\n", d.seedPath, mock.DemoSystemID, mock.DemoCustomerOrgNo)
	fmt.Fprintf(w, "  %s  a config for: workbench --config %s token\n", d.configPath, d.configPath)
}
