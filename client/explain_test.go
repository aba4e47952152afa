package client

import (
	"errors"
	"strings"
	"testing"
)

func TestExplainNamesTheUsualCauses(t *testing.T) {
	for code, want := range map[string]string{"MP-100": "client_id", "MP-124": "key", "MP-303": "clientId", "MP-200": "scope"} {
		err := &OAuthError{Status: 400, Code: "invalid_grant", MPCode: code}
		if !strings.Contains(Explain(err), want) {
			t.Errorf("%s: %q", code, Explain(err))
		}
	}
	if Explain(errors.New("x")) != "" || Explain(&OAuthError{Code: "invalid_grant"}) != "" {
		t.Error("explained the unexplainable")
	}
}

// TestExplainSaysWhyGrantsAreRefusedOrNot: the explanations of issue 10's
// rules say why, not only what.
func TestExplainSaysWhyGrantsAreRefusedOrNot(t *testing.T) {
	for code, wants := range map[string][]string{
		// A certificate is trusted only through its chain to an approved
		// issuer; the mock's stand-in for Buypass and Commfides is its test CA.
		"MP-120": {"chain", "Buypass", "Commfides", "self-signed", "test CA", "keys new --certificate"},
		// jti is recommended, not required; without one a grant can be
		// posted again while it lives.
		"MP-012": {"without a jti", "recommended", "replayed", "always send"},
		// RFC 6749 §3.2: a parameter sent twice.
		"invalid_request": {"twice", "RFC 6749"},
		"MP-122":          {"organizationIdentifier", "NTRNO-"},
	} {
		e, ok := ExplainCode(code)
		if !ok {
			t.Fatalf("%s is not explained", code)
		}
		text := e.Title + " " + e.Cause + " " + e.Fix
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not say %q: %s", code, w, text)
			}
		}
	}
}
