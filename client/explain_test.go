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
