package cli

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
)

const keysHelp = `Usage: workbench keys new [--out FILE] [--kid KID] [--format jwks|jwk|pem] [--force]

Makes an RSA 2048 key pair for your Maskinporten client.

The private key goes to FILE (default vendor-key.pem) as PKCS#8 PEM with
mode 0600; an existing file is never overwritten unless you pass --force.
It is never printed.

The public key goes to stdout, to register on your client in
Samarbeidsportalen (or to paste into a seed for ` + "`workbench serve`" + `):
  --format jwks   a JWK set, {"keys": [...]} (default; what a seed's "jwks" takes)
  --format jwk    the one JWK
  --format pem    a PEM public key

The kid is the key's RFC 7638 thumbprint unless --kid names one; put it in
the config as vendor.key_id. What to do next is printed on stderr.

workbench keys new --certificate --org ORGNO makes a test business
certificate instead (see workbench keys new --certificate --help).
`

func cmdKeys(g globals, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "new" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
			fmt.Fprint(stdout, keysHelp)
			return 0
		}
		fmt.Fprintf(stderr, "workbench keys: say new\n\n%s", keysHelp)
		return 2
	}
	if wantsCertificate(args[1:]) {
		return cmdKeysCertificate(g, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("keys new", flag.ContinueOnError)
	out := fs.String("out", "vendor-key.pem", "private key `FILE`")
	kid := fs.String("kid", "", "key id (default: the RFC 7638 thumbprint)")
	format := fs.String("format", "jwks", "public key format: jwks, jwk or pem")
	force := fs.Bool("force", false, "replace an existing key file")
	if _, code, ok := parse(fs, &g, args[1:], 0, stdout, stderr, keysHelp); !ok {
		return code
	}
	if *format != "jwks" && *format != "jwk" && *format != "pem" {
		fmt.Fprintf(stderr, "workbench keys new: --format %q: say jwks, jwk or pem\n", *format)
		return 2
	}
	sk, err := config.NewKey(*out, *kid, *force)
	if err != nil {
		fmt.Fprintf(stderr, "workbench keys new: %v\n", err)
		return 1
	}
	k, id := sk.Key, sk.KeyID
	switch *format {
	case "jwks":
		stdout.Write(append(sk.PublicJWKS().MarshalIndent(), '\n'))
	case "jwk":
		b, _ := json.MarshalIndent(client.PublicJWK(&k.PublicKey, id), "", "  ")
		stdout.Write(append(b, '\n'))
	case "pem":
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		stdout.Write(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	fmt.Fprintf(stderr, `
Wrote the private key to %[1]s (PKCS#8 PEM, mode 0600). It stays with you:
never paste it anywhere, and never put it in the config itself.

kid: %[2]s

Next:
  1. Register the public key above on your Maskinporten client: in
     Samarbeidsportalen (test environment), open the client, add a key and paste
     the JWK (in a JWK set, the object inside "keys"); or for `+"`workbench serve`"+`,
     paste the JWK set as the client's "jwks" in the seed.
  2. In the config:
       [vendor]
       key_file = %[1]q
       key_id = %[2]q
  3. workbench config check
`, *out, id)
	return 0
}
