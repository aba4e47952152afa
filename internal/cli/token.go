package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
)

const tokenHelp = `Usage: workbench token [--agent] [--decode] [--org ORGNO] [--external-ref REF] [--scope SCOPE]... [-v]

Gets a system user access token from Maskinporten for the configured vendor
(vendor.client_id and its key) and customer, and prints just the token, for
scripts and tools:

  curl -H "Authorization: Bearer $(workbench token)" https://...

The grant names the system user's owner in authorization_details
(urn:altinn:systemuser, systemuser_org), with externalRef when one is set.

  --agent             a token for the agent system user: signed as the agent
                      system's client (vendor.agent_client_id), for the
                      facilitator (facilitator.org_no) unless --org says
                      otherwise, and without customer.external_ref
  --decode            print the token's header and claims as JSON instead,
                      after verifying it against the keys named by
                      Maskinporten's well-known document
  --org ORGNO         systemuser_org (default customer.org_no); for an agent
                      system user, the facilitator's org, never its client's
  --external-ref REF  the system user's externalRef (default customer.external_ref)
  --scope SCOPE       a scope to ask for; repeat for more (default service_owner.scope)
  -v                  show each HTTP exchange on stderr

Maskinporten's well-known document and key set are kept between runs in
workbench/ under the user's cache directory (WORKBENCH_CACHE_DIR names
another, "off" keeps none) for as long as their cache headers allow, or 24
hours when they say nothing, as Digdir advises; a refused grant or a key
that does not verify makes the next run fetch them again.

Exit status 0 with the token; 1 with Maskinporten's error (code, MP id,
description) on stderr; 2 when the configuration is not usable.
`

// scopeFlags collects repeated --scope values.
type scopeFlags []string

func (s *scopeFlags) String() string { return strings.Join(*s, " ") }
func (s *scopeFlags) Set(v string) error {
	*s = append(*s, strings.Fields(v)...)
	return nil
}

func cmdToken(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	decode := fs.Bool("decode", false, "print header and claims as JSON")
	agent := fs.Bool("agent", false, "the agent system user's token")
	org := fs.String("org", "", "systemuser_org")
	ref := fs.String("external-ref", "", "externalRef")
	verbose := fs.Bool("v", false, "show the exchanges")
	var scopes scopeFlags
	fs.Var(&scopes, "scope", "scope (repeatable)")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, tokenHelp); !ok {
		return code
	}
	c, _, ok := loadConfig(g, "workbench token", stderr, false)
	if !ok {
		return 2
	}
	if !c.Real() && c.Maskinporten.URL == "" {
		fmt.Fprint(stderr, `workbench token: env is mock and no Maskinporten is configured.

`+"`token`"+` asks a running Maskinporten for a token: the real one (env = "tt02"),
or the mocks of `+"`workbench serve --seed seed.json`"+`, whose seed registers your
client (client_id, client_orgno, scopes) with the public key that
`+"`workbench keys new`"+` printed as its "jwks". Then point the config at it:

  env = "mock"
  [maskinporten]
  url = "http://127.0.0.1:PORT/"   # the maskinporten line that serve prints
  [vendor]
  client_id = "..."                # the seed's client_id
  key_file = "vendor-key.pem"
  key_id = "..."                   # the kid keys new printed
`)
		return 2
	}
	req, warnings, err := c.TokenRequest()
	if err != nil {
		fmt.Fprintf(stderr, "workbench token: %v\n", err)
		return 2
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "workbench token: warning: %s: %s\n", c.Vendor.KeyFile, w)
	}
	if *agent {
		// Altinn ties a client id to one system (AUTH.VLD-00004): the
		// agent system has its own client, and its system user belongs
		// to the facilitator, never to a client of it.
		if c.Vendor.AgentClientID == "" {
			fmt.Fprintln(stderr, "workbench token: --agent: vendor.agent_client_id is empty: the agent system's own Maskinporten client "+
				"(Altinn ties a client id to one system), with the same key and scopes as vendor.client_id")
			return 2
		}
		req.ClientID, req.OrgNo, req.ExternalRef = c.Vendor.AgentClientID, c.Facilitator.OrgNo, ""
	}
	if *org != "" {
		req.OrgNo = *org
	}
	if *ref != "" {
		req.ExternalRef = *ref
	}
	if len(scopes) > 0 {
		req.Scopes = scopes
	}

	return getToken(c, req, *decode, *verbose, stdout, stderr)
}

// getToken gets the token req describes from the configured Maskinporten
// and prints it, or with decode its header and claims, verified.
func getToken(c *config.Config, req client.SystemUserTokenRequest, decode, verbose bool, stdout, stderr io.Writer) int {
	// No signal handler: an interrupt ends the process at once, as it
	// should for a command that holds nothing to clean up (the cache is
	// written whole or not at all), and starting the handler costs a
	// plain client's key parse (about 0.15 ms).
	ctx := context.Background()
	if verbose {
		ctx = client.WithRecorder(ctx, func(x client.Exchange) {
			fmt.Fprintf(stderr, "%s %s → %s (%s)\n", x.Method, x.URL, x.StatusLine(), x.Duration.Round(time.Millisecond))
			for _, r := range x.Retries {
				fmt.Fprintf(stderr, "  %s\n", r)
			}
		})
	}
	m := client.NewMaskinporten(c.Profile().Maskinporten, c.HTTPClient())
	if dir := c.CacheDir(); dir != "" {
		m.Docs = &client.DocCache{Dir: dir}
	}
	it, err := m.SystemUserToken(ctx, req)
	if verbose && it.MetadataCached {
		fmt.Fprintf(stderr, "no GET %s: the document kept in %s is fresh\n", c.Profile().Maskinporten+".well-known/oauth-authorization-server", c.CacheDir())
	}
	if err != nil {
		printTokenError(stderr, err)
		return 1
	}
	if !decode {
		fmt.Fprintln(stdout, it.Response.AccessToken)
		return 0
	}
	at, err := m.Verify(ctx, it.Metadata, it.Response.AccessToken, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "workbench token: the token does not verify against Maskinporten's keys (%s): %v\n", it.Metadata.JWKSURI, err)
		return 1
	}
	out := struct {
		Header    map[string]any `json:"header"`
		Claims    map[string]any `json:"claims"`
		Verified  bool           `json:"verified"`
		JWKSURI   string         `json:"jwks_uri"`
		ExpiresIn int            `json:"expires_in"`
	}{at.Header, at.Claims, at.Verified, it.Metadata.JWKSURI, it.Response.ExpiresIn}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}

// printTokenError says what Maskinporten said, and for the usual MP ids
// what usually causes it.
func printTokenError(w io.Writer, err error) {
	var oe *client.OAuthError
	if errors.As(err, &oe) {
		id := ""
		if oe.MPCode != "" {
			id = " (" + oe.MPCode + ")"
		}
		fmt.Fprintf(w, "workbench token: Maskinporten refused the grant: HTTP %d %s%s\n", oe.Status, oe.Code, id)
		if oe.Description != "" {
			fmt.Fprintf(w, "  error_description: %s\n", oe.Description)
		}
		if hint := client.Explain(err); hint != "" {
			fmt.Fprintf(w, "  usual cause: %s\n", hint)
		}
		return
	}
	fmt.Fprintf(w, "workbench token: %v\n", err)
}
