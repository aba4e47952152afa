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
	if Explain(errors.New("x")) != "" || Explain(&OAuthError{Code: "no_such_error"}) != "" {
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

// TestExplainWithoutAnMPID: Maskinporten's ids are only "often" in the
// answer; the error value alone still explains it, and an MP-303 without
// its id names the client id as a cause.
func TestExplainWithoutAnMPID(t *testing.T) {
	for code, want := range map[string]string{
		"invalid_altinn_customer_configuration": "vendor.agent_client_id", "invalid_grant": "error_description",
		"invalid_client": "vendor.client_id", "invalid_scope": "Samarbeidsportalen",
	} {
		got := Explain(&OAuthError{Status: 400, Code: code})
		if !strings.Contains(got, want) || strings.Contains(got, "See MP-") {
			t.Errorf("%s: %q", code, got)
		}
	}
	if got := Explain(&OAuthError{Code: "invalid_grant", MPCode: "MP-100"}); !strings.Contains(got, "WORKBENCH_CLIENT_ID") || strings.Contains(got, "iss,") {
		t.Errorf("MP-100's fix: %q", got)
	}
}
