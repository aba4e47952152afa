package flow_test

import (
	"regexp"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// Every step of every scenario has a story: one sentence, and the label
// of the fact that matters on it.
func TestEveryStepHasAStory(t *testing.T) {
	for _, sc := range flow.Scenarios(flow.Settings{}) {
		for _, s := range sc.Steps {
			if !flow.HasStory(s.ID) {
				t.Errorf("%s/%s has no story", sc.Name, s.ID)
				continue
			}
			st := flow.StoryOf(s, flow.StepResult{}, flow.Settings{})
			if st.FactLabel == "" || st.Fact != "" {
				t.Errorf("%s before its run: label %q, fact %q", s.ID, st.FactLabel, st.Fact)
			}
			// One sentence: a capital first, one full stop, at the end.
			if !regexp.MustCompile(`^[A-Z][^.]*[a-z)]\.$`).MatchString(st.Sentence) {
				t.Errorf("%s: %q is not one sentence", s.ID, st.Sentence)
			}
		}
	}
}

// The fact of each step, from real runs on the mocks: the confirm URL,
// the owner, systemuser_org (for the agent-client-org lesson, the client's
// org where the facilitator's belongs), the PDP's Permit and the claims;
// never a token.
func TestStoryFacts(t *testing.T) {
	token := regexp.MustCompile(`[A-Za-z0-9_-]{40,}`)
	want := map[string]map[string]*regexp.Regexp{
		"standard": {
			"so-token":    regexp.MustCompile(`^altinn:resourceregistry/resource\.write$`),
			"so-scope":    regexp.MustCompile(`^skatteetaten:kravogbetalinger$`),
			"so-resource": regexp.MustCompile(`^ske-krav-og-betalinger$`),
			"v-keys":      regexp.MustCompile(`^smartcloud-demo-2026$`),
			"v-client":    regexp.MustCompile(`^[0-9a-f-]{36}$`),
			"v-system":    regexp.MustCompile(`^991825827_smartcloud$`),
			"v-request":   regexp.MustCompile(`^http://127\.0\.0\.1:\d+/accessmanagement/ui/systemuser/request\?id=[0-9a-f-]{36}&DONTCHOOSEREPORTEE=true$`),
			"eu-review":   regexp.MustCompile(`^STADIG KONSERT$`),
			"eu-approve":  regexp.MustCompile(`^Accepted$`),
			"v-poll":      regexp.MustCompile(`^standard, owned by TILFELDIG SUBTIL APE \(310904473\)$`),
			"op-token":    regexp.MustCompile(`^0192:310904473 \(TILFELDIG SUBTIL APE\)$`),
			"op-api":      regexp.MustCompile(`^Altinn's PDP: Permit · 2 open claims for 310904473, balance [\d.]+ NOK$`),
		},
		"rejected": {
			"eu-approve": regexp.MustCompile(`^Rejected$`),
			"v-poll":     regexp.MustCompile(`^none: the request is Rejected$`),
		},
		"agent-client-org": {
			"ca-clients": regexp.MustCompile(`^310904473 TILFELDIG SUBTIL APE$`),
			"op-token":   regexp.MustCompile(`^0192:310904473 \(TILFELDIG SUBTIL APE\)$`),
			"v-poll":     regexp.MustCompile(`^agent, owned by TILBAKEHOLDEN USYMMETRISK TIGER AS \(314250052\)$`),
		},
		"agent-not-delegated": {
			"op-api": regexp.MustCompile(`^Altinn's PDP: NotApplicable · 403 Forbidden$`),
		},
		"token-expired": {
			"op-wait": regexp.MustCompile(`^\+10 min$`),
		},
		"change-request": {
			"v-change":            regexp.MustCompile(`^http://127\.0\.0\.1:\d+/accessmanagement/ui/systemuser/changerequest\?id=[0-9a-f-]{36}&DONTCHOOSEREPORTEE=true$`),
			"eu-change-approve":   regexp.MustCompile(`^approved$`),
			"v-change-poll":       regexp.MustCompile(`^Accepted$`),
			"op-api-2":            regexp.MustCompile(`^Altinn's PDP: NotApplicable · 403 Forbidden$`),
			"eu-change-approve-2": regexp.MustCompile(`^approved$`),
			"op-api-3":            regexp.MustCompile(`^Altinn's PDP: Permit · `),
		},
		"system-user-deleted": {
			"v-users":   regexp.MustCompile(`^1 live system user of 991825827_smartcloud$`),
			"eu-delete": regexp.MustCompile(`^[0-9a-f-]{36} deleted$`),
			"v-users-2": regexp.MustCompile(`^0 live system users of 991825827_smartcloud$`),
		},
		"agent-system-user-deleted": {
			"ca-delete":        regexp.MustCompile(`^400 Bad Request · AUTH-00035$`),
			"ca-delete-2":      regexp.MustCompile(`^[0-9a-f-]{36} deleted$`),
			"op-token-deleted": regexp.MustCompile(`^0192:314250052 \(TILBAKEHOLDEN USYMMETRISK TIGER AS\)$`),
		},
	}
	for name, facts := range want {
		t.Run(name, func(t *testing.T) {
			rep, eng := run(t, name, nil)
			set := eng.Settings()
			for i, s := range rep.Scenario.Steps {
				st := flow.StoryOf(s, rep.Results[i], set)
				if m := token.FindString(st.Sentence + st.Fact); m != "" {
					t.Errorf("%s: a token or key in the story: %s", s.ID, m)
				}
				if re, ok := facts[s.ID]; ok && !re.MatchString(st.Fact) {
					t.Errorf("%s: fact %q (%s), want %s", s.ID, st.Fact, st.FactLabel, re)
				}
				if st.Fact == "" && rep.Results[i].Outcome == flow.Done {
					t.Errorf("%s ran but has no fact", s.ID)
				}
			}
		})
	}
}
