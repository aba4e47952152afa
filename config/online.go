package config

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// VendorScopes are the scopes the vendor's token for Altinn's APIs asks
// for: registering the system, and asking for and reading system user
// requests.
var VendorScopes = []string{
	"altinn:authentication/systemregister.write",
	"altinn:authentication/systemuser.request.write",
	"altinn:authentication/systemuser.request.read",
}

// CheckOnline proves what only Maskinporten can: that the client ids, the
// key and the vendor's scopes are registered as the config says. It reads
// the well-known document and gets one vendor token per client (the same
// token the flow's first vendor step gets), and nothing else. It is `config
// check --online`, for a config whose fields are fine.
func CheckOnline(ctx context.Context, c *Config) []Finding {
	var out []Finding
	add := func(f Finding) { out = append(out, f) }
	mp := client.NewMaskinporten(c.Profile().Maskinporten, c.HTTPClient())
	md, err := mp.WellKnown(ctx)
	if err != nil {
		add(Finding{Level: Problem, Field: "maskinporten.url", Where: "online", Text: err.Error(),
			Fix: "the Maskinporten of the environment must answer its well-known document"})
		return out
	}
	jwks, err := mp.JWKS(ctx, md.JWKSURI)
	if err != nil {
		add(Finding{Level: Problem, Field: "maskinporten.url", Where: "online", Text: err.Error()})
		return out
	}
	add(Finding{Level: OK, Field: "maskinporten.url", Where: "online", Text: "issuer " + md.Issuer + ", token endpoint " + md.TokenEndpoint})
	key, _, err := c.VendorKey()
	if err != nil {
		add(Finding{Level: Problem, Field: "vendor.key_file", Where: "online", Text: err.Error()})
		return out
	}
	for _, cl := range []struct{ field, id string }{{"vendor.client_id", c.Vendor.ClientID}, {"vendor.agent_client_id", c.Vendor.AgentClientID}} {
		if cl.id == "" {
			continue
		}
		out = append(out, checkVendorToken(ctx, c, mp, md, jwks, key, cl.field, cl.id)...)
	}
	add(Finding{Level: Info, Field: "service_owner.scope", Where: "online",
		Text: c.ServiceOwner.Scope + " is proved with the first system user token (it needs a system user)"})
	return out
}

// checkVendorToken gets a vendor token for one client and says what it
// proves.
func checkVendorToken(ctx context.Context, c *Config, mp *client.Maskinporten, md client.Metadata, jwks client.JWKS,
	key client.SigningKey, field, clientID string) []Finding {
	aud := c.Maskinporten.Audience
	if aud == "" {
		aud = md.Issuer
	}
	assertion, err := client.Grant{ClientID: clientID, Audience: aud, Scopes: VendorScopes, IssuedAt: time.Now()}.Sign(key)
	if err != nil {
		return []Finding{{Level: Problem, Field: "vendor.key_file", Where: "online", Text: err.Error()}}
	}
	res, err := mp.Token(ctx, md.TokenEndpoint, assertion)
	if err != nil {
		f := Finding{Level: Problem, Field: field, Where: "online", Text: "Maskinporten refused a token for " + clientID + ": " + err.Error()}
		var oe *client.OAuthError
		if errors.As(err, &oe) {
			f.Fix = client.Explain(err)
		}
		return []Finding{f}
	}
	at, err := client.VerifyAccessToken(res.AccessToken, jwks, md.Issuer, time.Now())
	if err != nil {
		return []Finding{{Level: Problem, Field: field, Where: "online", Text: "the token does not verify against Maskinporten's keys: " + err.Error()}}
	}
	var out []Finding
	have := strings.Fields(at.Scope)
	var missing []string
	for _, s := range VendorScopes {
		if !contains(have, s) {
			missing = append(missing, s)
		}
	}
	out = append(out, Finding{Level: OK, Field: field, Where: "online",
		Text: fmt.Sprintf("Maskinporten issued client %s a token (key %s, consumer %s, scope %s)", clientID, keyName(key), at.Consumer.ID, at.Scope)})
	if len(missing) > 0 {
		out = append(out, Finding{Level: Problem, Field: field, Where: "online",
			Text: "the token lacks " + strings.Join(missing, ", "), Fix: "add the scopes to the client in Samarbeidsportalen"})
	}
	if org := strings.TrimPrefix(at.Consumer.ID, "0192:"); org != "" && c.Vendor.OrgNo != "" && org != c.Vendor.OrgNo {
		out = append(out, Finding{Level: Problem, Field: "vendor.org_no", Where: "online",
			Text: fmt.Sprintf("client %s belongs to organisation %s, but vendor.org_no is %s", clientID, org, c.Vendor.OrgNo),
			Fix:  "Altinn takes the vendor from the token's consumer: set vendor.org_no (and the system ids) to " + org})
	}
	return out
}

func keyName(k client.SigningKey) string {
	if k.KeyID != "" {
		return "kid " + k.KeyID
	}
	return "certificate"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
