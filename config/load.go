package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Loading: the file over the defaults, then the environment variables and
// the flags; unknown fields and secrets in the file are refused, with the
// line.

// Options change how a config is loaded.
type Options struct {
	// Getenv reads the environment overrides; nil means os.Getenv.
	Getenv func(string) string
	// AllowProd accepts env = "prod" (the user said --allow-prod).
	AllowProd bool
	// Env, when set, is the environment over the file and WORKBENCH_ENV
	// (the --env flag).
	Env string
}

// Load reads the file at path over the defaults, applies the environment
// variables (see EnvVars) and validates. An empty path means no file: the
// defaults.
func Load(path string) (*Config, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with options.
func LoadWith(path string, o Options) (*Config, error) {
	c, errs, err := Read(path, o)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// Read is Load that also returns the config when fields are wrong, for
// `config check` to go on to the key file. err is a file that could not
// be read or parsed at all.
func Read(path string, o Options) (*Config, Errors, error) {
	c := Default()
	c.getenv, c.AllowProd = o.Getenv, o.AllowProd
	if c.getenv == nil {
		c.getenv = os.Getenv
	}
	var errs Errors
	if path != "" {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("read config: %w", err)
		}
		c.File, c.source = path, src
		if es := secretsIn(path, src); len(es) > 0 {
			// Not decoded at all: a parse error might quote the secret.
			return nil, es, nil
		}
		md, err := toml.Decode(string(src), c)
		if err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, Errors{syntaxError(path, src, pe)}, nil
			}
			if fe, ok := typeError(path, src, err); ok {
				return nil, Errors{fe}, nil
			}
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		reported := map[string]bool{}
		for _, k := range md.Undecoded() {
			// A table the file should not have is reported once, not once
			// per key inside it.
			if len(k) > 1 && reported[k[:len(k)-1].String()] {
				reported[k.String()] = true
				continue
			}
			reported[k.String()] = true
			if secret, ok := secretKeys[k[len(k)-1]]; ok {
				errs = append(errs, FieldError{File: path, Line: c.line(k...), Field: k.String(),
					Problem: "a secret does not belong in the config file (its value is not shown here)", Fix: "remove the line; " + secret})
				continue
			}
			errs = append(errs, FieldError{
				File: path, Line: c.line(k...), Field: k.String(), Problem: "unknown field",
				Fix: "allowed here: " + strings.Join(allowed(k[:len(k)-1]), ", "),
			})
		}
	}
	c.applyEnv()
	if o.Env != "" {
		c.Env = o.Env
		if c.fromEnv == nil {
			c.fromEnv = map[string]string{}
		}
		c.fromEnv["env"] = "--env"
	}
	if verr := c.Validate(); verr != nil {
		var ve Errors
		if !errors.As(verr, &ve) {
			return nil, nil, verr
		}
		errs = append(errs, ve...)
	}
	errs.sort()
	return c, errs, nil
}

// secretKeys are keys someone might put a secret under, with where the
// secret goes instead.
var secretKeys = map[string]string{
	"private_key":      "the private key stays in its own file: set vendor.key_file to its path",
	"key":              "the private key stays in its own file: set vendor.key_file to its path",
	"jwk":              "the private key stays in its own file: set vendor.key_file to its path",
	"subscription_key": "put the subscription key in a file only you can read and set altinn.subscription_key_file, or set WORKBENCH_SUBSCRIPTION_KEY",
	"key_password":     "put the password in a file only you can read and set vendor.key_password_file, or set WORKBENCH_KEY_PASSWORD",
	"password":         "put the password in a file only you can read and set vendor.key_password_file, or set WORKBENCH_KEY_PASSWORD",
	"client_secret":    "Maskinporten clients here authenticate with a key, not a secret: set vendor.key_file",
	"secret":           "secrets go in files or environment variables, never in the config",
}

// secretsIn finds private key material pasted into the file: a PEM key
// block or a JWK's private exponent. It reports the line, never the text.
func secretsIn(path string, src []byte) Errors {
	var errs Errors
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.Contains(l, "PRIVATE KEY-----"):
			errs = append(errs, FieldError{File: path, Line: n, Field: "(private key)",
				Problem: "the file holds a private key (its text is not shown here)",
				Fix:     "remove it: keep the key in its own file (mode 0600) and set vendor.key_file to its path"})
		case strings.Contains(l, `"d"`) && strings.Contains(l, `"kty"`):
			errs = append(errs, FieldError{File: path, Line: n, Field: "(private key)",
				Problem: "the file holds a private JWK (its text is not shown here)",
				Fix:     "remove it: keep the JWK in its own file (mode 0600) and set vendor.key_file to its path"})
		}
		if len(errs) > 0 {
			// One is enough; a PEM block has many lines.
			break
		}
	}
	return errs
}

// applyEnv sets the fields named by the environment variables.
func (c *Config) applyEnv() {
	for _, v := range EnvVars {
		val := c.getenv(v.Name)
		if v.Field == "" || val == "" {
			continue
		}
		switch v.Field {
		case "env":
			c.Env = val
		case "vendor.client_id":
			c.Vendor.ClientID = val
		case "vendor.key_file":
			c.Vendor.KeyFile = val
		case "vendor.key_id":
			c.Vendor.KeyID = val
		case "customer.org_no":
			c.Customer.OrgNo = val
		case "customer.external_ref":
			c.Customer.ExternalRef = val
		}
		if c.fromEnv == nil {
			c.fromEnv = map[string]string{}
		}
		c.fromEnv[v.Field] = v.Name
	}
}

// line finds the line of a key in the file text: the key's own line, or
// failing that its table's header; 0 when not in the file.
func (c *Config) line(path ...string) int {
	if len(c.source) == 0 || len(path) == 0 {
		return 0
	}
	table, key := strings.Join(path[:len(path)-1], "."), path[len(path)-1]
	cur, tableLine := "", 0
	sc := bufio.NewScanner(bytes.NewReader(c.source))
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			cur = strings.Trim(l, "[] ")
			if cur == strings.Join(path, ".") {
				return n // the path is a table
			}
			if cur == table {
				tableLine = n
			}
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"`)
		if (cur == table && k == key) || (cur == "" && k == strings.Join(path, ".")) {
			return n
		}
	}
	return tableLine
}

// allowed lists the TOML keys of the table at path.
func allowed(path []string) []string {
	var keys []string
	t := Default()
	m := map[string]any{}
	b := new(bytes.Buffer)
	_ = toml.NewEncoder(b).Encode(t)
	_, _ = toml.Decode(b.String(), &m)
	var cur any = m
	for _, p := range path {
		if mm, ok := cur.(map[string]any); ok {
			cur = mm[p]
		}
	}
	if mm, ok := cur.(map[string]any); ok {
		for k := range mm {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
