package flow

import (
	"regexp"
	"strings"
	"testing"
)

var mdLink = regexp.MustCompile(`\[[^\]]+\]\((https://[^)\s]+)\)`)

// Every step of every scenario has a narration with a paragraph, at least
// one fact to point at and a link to a public page.
func TestEveryStepHasANarration(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range Scenarios(Settings{}) {
		for _, s := range sc.Steps {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			n := Narration(s.ID)
			if n == "" {
				t.Errorf("%s/%s has no narration", sc.Name, s.ID)
				continue
			}
			what, rest, ok := strings.Cut(n, "### "+NarrationHeading+"\n")
			if !ok || strings.TrimSpace(what) == "" {
				t.Errorf("%s: no paragraph before %q:\n%s", s.ID, NarrationHeading, n)
				continue
			}
			if !strings.Contains(rest, "\n- ") {
				t.Errorf("%s: no bullet under %q:\n%s", s.ID, NarrationHeading, n)
			}
			if !mdLink.MatchString(n) {
				t.Errorf("%s: no https link:\n%s", s.ID, n)
			}
		}
	}
	if Narration("no-such-step") != "" {
		t.Error("an unknown step has a narration")
	}
	for id := range narrations {
		if !seen[id] {
			t.Errorf("narration %s is for no step of any scenario", id)
		}
	}
}

// The facts use the names the real services use.
func TestNarrationFactsUseTheRealNames(t *testing.T) {
	for _, tc := range []struct {
		id          string
		want, never []string
	}{
		{"v-request", []string{"altinn:authentication/systemuser.request.write", "confirmUrl", "partyOrgNo", "externalRef", "AUTH-00004"}, []string{"authentication/systemuserrequest."}},
		{"v-client", []string{"altinn:authentication/systemregister.write", "altinn:authentication/systemuser.request.write", "altinn:authentication/systemuser.request.read", "skatteetaten:kravogbetalinger"}, []string{"authentication/systemuserrequest."}},
		{"v-poll", []string{"altinn:authentication/systemuser.request.read", "reporteeOrgNo", "supplierOrgno"}, []string{"partyOrgNo\"", "supplierOrgNo"}},
		{"op-token", []string{"authorization_details", "is an array even for one party", "urn:altinn:systemuser", "systemuser_org.ID", "systemuser_id", "system_id", "120 s", "180 s", "10 s", "jti", "MP-012", "altinn:maskinporten/systemuser.read", "byExternalId"}, []string{"systemuser_org.id"}},
		{"so-token", []string{"application/x-www-form-urlencoded", "https://test.maskinporten.no/", "altinn:resourceregistry/resource.write"}, nil},
		{"so-resource", []string{"ske-krav-og-betalinger", "MaskinportenScope"}, nil},
		{"op-api", []string{"urn:altinn:systemuser:uuid", "urn:altinn:resource", "urn:altinn:organization:identifier-no", "Permit", "NotApplicable", "aapnekrav"}, nil},
		{"ca-delegate", []string{"systemuser_org", "facilitator"}, nil},
		{"ca-login", []string{"altinn:clientdelegations.read", "altinn:clientdelegations.write"}, nil},
		{"op-replay", []string{"MP-012", "jti"}, nil},
		{"eu-wait", []string{"180 days", "timedOut", "New"}, []string{"Timedout"}},
		{"op-token-grace", []string{"10 s", "exp"}, []string{"10 s old"}},
	} {
		n := Narration(tc.id)
		for _, w := range tc.want {
			if !strings.Contains(n, w) {
				t.Errorf("%s lacks %q:\n%s", tc.id, w, n)
			}
		}
		for _, w := range tc.never {
			if strings.Contains(n, w) {
				t.Errorf("%s says %q, a name the real service does not use:\n%s", tc.id, w, n)
			}
		}
	}
}

// TestNarrationSaysToAlwaysSendAJTI: Maskinporten documents jti as
// recommended, and no source says it refuses a second use of a grant
// without one, so the operational token step tells vendors to send one.
func TestNarrationSaysToAlwaysSendAJTI(t *testing.T) {
	n := Narration("op-token")
	for _, w := range []string{"recommended", "without a `jti`", "again", "always send"} {
		if !strings.Contains(n, w) {
			t.Errorf("op-token lacks %q:\n%s", w, n)
		}
	}
}
