package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
)

const inspectHelp = `Usage: workbench inspect [JWT | -] [--jwks FILE] [--against URL]

Paste a grant or a token from your own code (or give - or nothing to read
stdin). inspect tells which it is (a grant's iss is a client id and its aud
Maskinporten; a token's iss is Maskinporten), decodes it and explains its
claims, and checks it:

  a grant   against every rule of Maskinporten's /token that the workbench's
            mock enforces, each broken one with the status, error, MP id and
            description the mock's /token answers with, and the fix. The
            rules that need the server's state (the client and its keys, its
            scopes, the grants it has seen, the system user at Altinn) are
            checked against a running serve (--against, or a config with
            env mock and a maskinporten.url: a serve), else listed as not
            checked. Times are read by the server's clock, or this machine's.
  a token   verified: the signature against the environment's JWKS (or
            --jwks FILE), the issuer, the expiry.

Which Maskinporten: --against URL, else the environment's (--env tt02: test,
https://test.maskinporten.no/; prod: production; a config's maskinporten.url).
With the embedded mocks (env mock and no URL) the issuer is not known: aud is
not checked, and a token is verified with the mocks' key, the same in every
serve.

  --jwks FILE     verify a token with this JWK set (JSON) instead
  --against URL   the maskinporten URL a serve printed: check against its state,
                  clock, keys and issuer (it issues nothing, and uses up no jti)

Exit status 0 when every rule checked holds, 1 when one is broken, 2 when the
input is not a JWT (or for a usage error).
`

// maxInspectInput bounds what inspect reads from stdin.
const maxInspectInput = 1 << 20

// inspectTarget is the Maskinporten a JWT is checked against.
type inspectTarget struct {
	// name says which, for the reader: "test Maskinporten (env tt02)".
	name string
	// issuer is its issuer; empty when not known.
	issuer string
	// mock is a running mock's URL, whose state and keys can be asked.
	mock string
	// jwksFrom is the Maskinporten whose well-known names the token keys;
	// empty with offline: the mocks' embedded key.
	jwksFrom string
	offline  bool
	// env is the environment's word for the hint: "test", "production".
	env string
}

func cmdInspect(g globals, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	jwksFile := fs.String("jwks", "", "verify a token with this JWK set `FILE`")
	against := fs.String("against", "", "a serve's maskinporten `URL`")
	pos, code, ok := parse(fs, &g, args, 1, stdout, stderr, inspectHelp)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "workbench inspect: "+format+"\n", a...)
		return 2
	}
	raw, err := inspectInput(pos, stdin)
	if err != nil {
		return fail("%v", err)
	}
	d, err := client.DecodeJWT(raw)
	if err != nil {
		return fail("%v\n(a JWT is three base64url parts, header.claims.signature, the header and claims JSON objects)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tg, err := inspectTargetFor(ctx, g, *against, stderr)
	if err != nil {
		return fail("%v", err)
	}
	var jwks *client.JWKS
	if *jwksFile != "" {
		s, err := readJWKS(*jwksFile)
		if err != nil {
			return fail("--jwks %s: %v", *jwksFile, err)
		}
		jwks = &s
	}
	p := &inspectPrinter{w: stdout, now: time.Now()}
	var rules []client.GrantRule
	if isToken(d.Claims) {
		p.kind, p.claims = "token", client.TokenClaimKind(d.Claims)
		rules = tg.checkToken(ctx, raw, d, jwks)
	} else {
		p.kind, p.claims = "grant", client.GrantClaims
		rules = tg.checkGrant(ctx, raw, d, stderr)
	}
	return p.print(tg, d, rules)
}

// inspectInput is the JWT from the argument or stdin, without the wrapping
// it may come in: whitespace, quotes, "Bearer ", or a whole token request
// form (assertion=...).
func inspectInput(pos []string, stdin io.Reader) (string, error) {
	var s string
	if len(pos) == 1 && pos[0] != "-" {
		s = pos[0]
	} else {
		b, err := io.ReadAll(io.LimitReader(stdin, maxInspectInput+1))
		if err != nil {
			return "", fmt.Errorf("read stdin: %w", err)
		}
		if len(b) > maxInspectInput {
			return "", fmt.Errorf("stdin holds over %d bytes: not a JWT", maxInspectInput)
		}
		s = string(b)
	}
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	s = strings.TrimSpace(strings.TrimPrefix(s, "Bearer "))
	if strings.Contains(s, "assertion=") {
		if form, err := url.ParseQuery(s); err == nil && form.Get("assertion") != "" {
			s = form.Get("assertion")
		}
	}
	if s == "" {
		return "", errors.New("no JWT given: paste it as the argument, or pipe it in (- reads stdin)")
	}
	return s, nil
}

// isToken tells a token from a grant: a token's iss is Maskinporten (a
// URL), a grant's is a client id; a token also names its client_id.
func isToken(claims map[string]any) bool {
	iss, _ := claims["iss"].(string)
	if u, err := url.Parse(iss); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return true
	}
	_, clientID := claims["client_id"]
	_, consumer := claims["consumer"]
	return clientID && consumer
}

// inspectTargetFor is --against's mock, else the configured environment's
// Maskinporten: with env mock and a maskinporten.url, that serve (the
// environment decides, as for every command). The config's other fields
// do not matter to inspect.
func inspectTargetFor(ctx context.Context, g globals, against string, stderr io.Writer) (inspectTarget, error) {
	if against != "" {
		return mockTarget(ctx, against, "the mock Maskinporten at "+against)
	}
	f := g.find()
	announce(stderr, f, true)
	c, _, err := config.Read(f.Path, config.Options{Getenv: g.sys.getenv, Env: g.env, AllowProd: g.allowProd})
	if err != nil {
		return inspectTarget{}, err
	}
	if c.Env == "prod" && !g.allowProd {
		return inspectTarget{}, errors.New("env prod is production: add --allow-prod to check against it (inspect only reads its keys)")
	}
	mp := c.Profile().Maskinporten
	switch {
	case mp == "":
		return inspectTarget{name: "the embedded mocks (env mock, no maskinporten.url)", offline: true}, nil
	case !c.Real():
		return mockTarget(ctx, mp, "the mock Maskinporten at "+mp+" (the config's maskinporten.url)")
	}
	words := map[string]string{"tt02": "test", "prod": "production"}
	return inspectTarget{name: words[c.Env] + " Maskinporten (" + mp + ", env " + c.Env + ")", issuer: mp, jwksFrom: mp, env: words[c.Env]}, nil
}

// mockTarget is a running mock Maskinporten, its issuer read from its
// well-known document.
func mockTarget(ctx context.Context, base, name string) (inspectTarget, error) {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	md, err := client.NewMaskinporten(base, nil).WellKnown(ctx)
	if err != nil {
		return inspectTarget{}, fmt.Errorf("%s does not answer as a Maskinporten (give the maskinporten URL serve printed): %v", base, err)
	}
	return inspectTarget{name: name, issuer: md.Issuer, mock: base, jwksFrom: base}, nil
}

// checkGrant runs the rules: at the mock when there is one (falling back
// to the grant alone if it has no inspector), else without state.
func (tg inspectTarget) checkGrant(ctx context.Context, raw string, d client.DecodedJWT, stderr io.Writer) []client.GrantRule {
	if tg.mock != "" {
		res, err := client.NewMockControl(tg.mock, "", nil).InspectGrant(ctx, raw)
		if err == nil {
			return res.Rules
		}
		fmt.Fprintf(stderr, "workbench inspect: %s could not check the grant's state (%v); checking the grant alone\n", tg.mock, err)
	}
	return mock.InspectGrant(raw, mock.InspectOptions{Issuer: tg.issuer})
}

// The rules of a token, as an API checks it before it trusts it.
const (
	tokenRuleSignature = "signed by Maskinporten: the signature verifies with the key its kid names in Maskinporten's JWKS"
	tokenRuleIssuer    = "iss is the issuer"
	tokenRuleExpiry    = "not expired: exp, with 10 s of leeway"
)

// checkToken verifies a token: the signature against the JWKS (the file,
// the target's, or the mocks' key), the issuer when known, the expiry.
func (tg inspectTarget) checkToken(ctx context.Context, raw string, d client.DecodedJWT, file *client.JWKS) []client.GrantRule {
	broken := func(rule, desc string) client.GrantRule {
		return client.GrantRule{Rule: rule, Status: client.RuleBroken, HTTPStatus: 401, Error: "invalid_token", Description: desc}
	}
	var out []client.GrantRule
	jwks, from, err := tg.tokenKeys(ctx, file)
	kid, _ := d.Header["kid"].(string)
	switch {
	case err != nil:
		out = append(out, client.GrantRule{Rule: tokenRuleSignature, Status: client.RuleNotChecked, Description: err.Error()})
	case kid == "":
		out = append(out, broken(tokenRuleSignature, "the token's header has no kid, so no key of "+from+" can be chosen"))
	default:
		if pub, kerr := jwks.Key(kid); kerr != nil {
			out = append(out, broken(tokenRuleSignature, fmt.Sprintf("kid %q is not among the keys of %s (%v): not a token of this Maskinporten", kid, from, kerr)))
		} else if _, verr := client.VerifyGrantSignature(raw, pub); verr != nil {
			out = append(out, broken(tokenRuleSignature, fmt.Sprintf("the signature does not verify with key %q of %s: %v", kid, from, verr)))
		} else {
			out = append(out, client.GrantRule{Rule: tokenRuleSignature, Status: client.RuleHolds, Description: "verified with key " + kid + " of " + from})
		}
	}
	iss, _ := d.Claims["iss"].(string)
	switch {
	case tg.issuer == "":
		out = append(out, client.GrantRule{Rule: tokenRuleIssuer, Status: client.RuleNotChecked, Description: "which Maskinporten is not known; its iss is " + iss})
	case iss != tg.issuer:
		out = append(out, broken(tokenRuleIssuer, fmt.Sprintf("iss is %q; %s's issuer is %q", iss, tg.name, tg.issuer)))
	default:
		out = append(out, client.GrantRule{Rule: tokenRuleIssuer, Status: client.RuleHolds})
	}
	exp, ok := d.Time("exp")
	switch {
	case !ok:
		out = append(out, broken(tokenRuleExpiry, "the token has no exp (a number); a Maskinporten token always has one"))
	case time.Now().Add(-10 * time.Second).After(exp):
		out = append(out, broken(tokenRuleExpiry, fmt.Sprintf("it expired at %s, %s ago; get a new token", exp.UTC().Format(time.RFC3339), time.Since(exp).Round(time.Second))))
	default:
		out = append(out, client.GrantRule{Rule: tokenRuleExpiry, Status: client.RuleHolds, Description: client.ExpiresIn(exp, time.Now())})
	}
	return out
}

// tokenKeys is the JWK set a token is verified with, and its name.
func (tg inspectTarget) tokenKeys(ctx context.Context, file *client.JWKS) (client.JWKS, string, error) {
	switch {
	case file != nil:
		return *file, "the --jwks file", nil
	case tg.offline:
		return mock.MaskinportenJWKS(), "the workbench mocks' Maskinporten (the same key in every serve)", nil
	}
	m := client.NewMaskinporten(tg.jwksFrom, nil)
	md, err := m.WellKnown(ctx)
	if err != nil {
		return client.JWKS{}, "", fmt.Errorf("could not read the keys of %s: %v", tg.name, err)
	}
	s, err := m.JWKS(ctx, md.JWKSURI)
	if err != nil {
		return client.JWKS{}, "", fmt.Errorf("could not read the keys of %s: %v", tg.name, err)
	}
	return s, md.JWKSURI, nil
}

// readJWKS reads a JWK set file: {"keys": [...]} or one JWK.
func readJWKS(path string) (client.JWKS, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return client.JWKS{}, err
	}
	var s client.JWKS
	if err := json.Unmarshal(b, &s); err == nil && len(s.Keys) > 0 {
		return s, nil
	}
	var k client.JWK
	if err := json.Unmarshal(bytes.TrimSpace(b), &k); err == nil && k.N != "" {
		return client.JWKS{Keys: []client.JWK{k}}, nil
	}
	return client.JWKS{}, errors.New(`not a JWK set ({"keys": [...]}) or a JWK`)
}
