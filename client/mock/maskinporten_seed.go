package mock

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// The mock Maskinporten's seed: its clients and scopes.

// Seed loads trusted CAs, clients and scopes. Scopes are loaded first, so
// the seed's clients may name them; a later entry with the same client_id
// or scope name replaces an earlier one. A seed with an invalid entry
// changes nothing.
func (m *Maskinporten) Seed(s Seed) error { return m.seed(context.Background(), s) }

// seed is Seed, stopping with ctx's error when ctx ends.
func (m *Maskinporten) seed(ctx context.Context, s Seed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	cas, err := parseTrustedCAs(s.TrustedCAs)
	if err != nil {
		return err
	}
	trust := m.trust.Clone()
	for _, ca := range cas {
		trust.AddCert(ca)
	}
	clients := maps.Clone(m.clients)
	scopes := maps.Clone(m.scopes)
	prefixes := maps.Clone(m.prefixes)
	for _, ss := range s.Scopes {
		sc, err := mpSeedScope(ss, now)
		if err != nil {
			return fmt.Errorf("scope (%q): %w", ss.Name, err)
		}
		if owner, ok := prefixes[sc.Prefix]; ok && owner != sc.Owner && mpPrefixHasOthers(scopes, sc.Prefix, sc.Name) {
			return fmt.Errorf("scope (%q): prefix %q belongs to org %s, not to the scope's owner %s", ss.Name, sc.Prefix, owner, sc.Owner)
		}
		scopes[sc.Name] = sc
		prefixes[sc.Prefix] = sc.Owner
	}
	keySets := map[string]*mpClient{} // the clients' key sets, each kept once
	for i, sc := range s.Clients {
		if stopped(ctx, i) {
			return ctx.Err()
		}
		c, err := mpSeedClient(sc, scopes, now)
		if err != nil {
			return fmt.Errorf("client (%q): %w", sc.ClientID, err)
		}
		mpShareKeys(c, keySets)
		clients[c.ID] = c
	}
	m.clients, m.scopes, m.prefixes, m.trust = clients, scopes, prefixes, trust
	return nil
}

// mpPrefixHasOthers reports whether some scope other than name uses prefix.
func mpPrefixHasOthers(scopes map[string]*mpScope, prefix, name string) bool {
	for n, sc := range scopes {
		if sc.Prefix == prefix && n != name {
			return true
		}
	}
	return false
}

func mpSeedScope(ss SeedScope, now time.Time) (*mpScope, error) {
	prefix, subscope, err := mpSplitScope(ss.Name)
	if err != nil {
		return nil, err
	}
	if !mpOrgNoRE.MatchString(ss.OwnerOrgNo) {
		return nil, fmt.Errorf("owner_orgno %q is not a nine-digit org number", ss.OwnerOrgNo)
	}
	sc := &mpScope{Name: ss.Name, Prefix: prefix, Subscope: subscope, Owner: ss.OwnerOrgNo, Description: ss.Description, Access: map[string]bool{}, Created: now}
	for _, a := range ss.Access {
		if a != "*" && !mpOrgNoRE.MatchString(a) {
			return nil, fmt.Errorf("access entry %q is neither a nine-digit org number nor \"*\" (everyone)", a)
		}
		sc.Access[a] = true
	}
	return sc, nil
}

func mpSeedClient(sc SeedClient, scopes map[string]*mpScope, now time.Time) (*mpClient, error) {
	if sc.ClientID == "" {
		return nil, errors.New("client_id is missing")
	}
	if !mpOrgNoRE.MatchString(sc.OrgNo) {
		return nil, fmt.Errorf("client_orgno %q is not a nine-digit org number", sc.OrgNo)
	}
	names, err := mpCheckClientScopes(sc.Scopes, scopes)
	if err != nil {
		return nil, err
	}
	// A scope the org may not use would start fine and fail at the first
	// token request (MP-250): refuse it here, where the mistake is.
	for _, name := range names {
		if scope := scopes[name]; !scope.allows(sc.OrgNo) {
			return nil, fmt.Errorf("scope %q is not open to org %s (its owner, org %s, has not given it access), so every token request for it would fail with MP-250; add the org to the scope's access list in the seed", name, sc.OrgNo, scope.Owner)
		}
	}
	keys, err := mpParseJWKS(sc.JWKS.Keys)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return &mpClient{
		ID: sc.ClientID, OrgNo: sc.OrgNo, Name: sc.Name, Scopes: names,
		JWKS: client.JWKS{Keys: append([]client.JWK{}, sc.JWKS.Keys...)}, keys: keys, Created: now, Updated: now,
	}, nil
}

// mpShareKeys gives c the key set of an earlier client in seen with the
// same keys, or adds c's: a seed of many clients sharing one key (a load
// test's) then holds the key once. Key sets are never changed in place.
func mpShareKeys(c *mpClient, seen map[string]*mpClient) {
	var id strings.Builder
	for _, k := range c.JWKS.Keys {
		fmt.Fprintf(&id, "%q %q %q %q %q %q %q\n", k.Kty, k.Kid, k.Use, k.Alg, k.N, k.E, k.X5c)
	}
	if other, ok := seen[id.String()]; ok {
		c.JWKS, c.keys = other.JWKS, other.keys
		return
	}
	seen[id.String()] = c
}
