package client

import (
	"context"
	"testing"
	"time"
)

func TestContractSystemUserToken(t *testing.T) {
	vendor := SigningKey{Key: key(t), KeyID: "smartcloud-1"}
	mp := newFakeMaskinporten(t, &vendor.Key.PublicKey)
	m := NewMaskinporten(mp.URL+"/", mp.Client())
	ctx := context.Background()
	it, err := m.SystemUserToken(ctx, SystemUserTokenRequest{
		ClientID: "fc9a8287-e7cb-45e5-b90e-123048d32d85", Key: vendor, OrgNo: "310904473",
		ExternalRef: "d5cc6e61-023e-4945-82cc-3f32d8ee28ee", Scopes: []string{"skatteetaten:kravogbetalinger"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if it.Response.ExpiresIn != 599 || it.Response.TokenType != "Bearer" || it.Response.Scope != "skatteetaten:kravogbetalinger" {
		t.Errorf("response %+v", it.Response)
	}
	// The grant as §2.1–2.3 describe it.
	g := mp.lastGrant
	if mp.lastHead["kid"] != "smartcloud-1" || mp.lastHead["x5c"] != nil || mp.lastHead["alg"] != "RS256" {
		t.Errorf("grant header %v", mp.lastHead)
	}
	if g["iss"] != "fc9a8287-e7cb-45e5-b90e-123048d32d85" || g["aud"] != mp.URL+"/" || g["scope"] != "skatteetaten:kravogbetalinger" || g["jti"] == "" {
		t.Errorf("grant claims %v", g)
	}
	if g["exp"].(float64)-g["iat"].(float64) > 120 {
		t.Errorf("grant lives %v s", g["exp"].(float64)-g["iat"].(float64))
	}
	ads := g["authorization_details"].([]any)
	ad := ads[0].(map[string]any)
	org := ad["systemuser_org"].(map[string]any)
	if len(ads) != 1 || ad["type"] != "urn:altinn:systemuser" || org["authority"] != "iso6523-actorid-upis" || org["ID"] != "0192:310904473" ||
		ad["externalRef"] != "d5cc6e61-023e-4945-82cc-3f32d8ee28ee" || len(ad) != 3 {
		t.Errorf("authorization_details %v", ads)
	}
	// The issued token verifies against the key set found via well-known,
	// and its lower-case "id" reads like "ID".
	at, err := m.Verify(ctx, it.Metadata, it.Response.AccessToken, time.Now())
	if err != nil || !at.Verified {
		t.Fatalf("verify: %v", err)
	}
	su, ok := at.SystemUser()
	if !ok || su.SystemUserOrg.OrgNo() != "310904473" || su.SystemUserID[0] != "ebe4a681-0a8c-429e-a36f-8f9ca942b59f" || su.SystemID != "991825827_smartcloud" {
		t.Errorf("system user %+v", su)
	}
	if at.Consumer.OrgNo() != "991825827" || at.ClientID != "fc9a8287-e7cb-45e5-b90e-123048d32d85" {
		t.Errorf("token %+v", at)
	}
}
