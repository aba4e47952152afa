package tui

import (
	"strings"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// The scenarios of a system user's later life run whole in the TUI (r)
// on the mocks and end as they expect: the change request's 403 on the
// way is expected and the run goes on to the call that works again; the
// agent delete is refused with AUTH-00035 while a client is delegated, and
// goes through once the client is removed; the deletions end in MP-303. The change request's review step shows the
// change request's confirm URL, not the first request's.
func TestLifecycleScenariosEndAsExpectedInTheTUI(t *testing.T) {
	for name, want := range map[string]map[string]flow.Outcome{
		"change-request":            {"op-api-2": flow.ExpectedFailure, "op-api-3": flow.Done, "eu-change-approve-2": flow.Done},
		"system-user-deleted":       {"eu-delete": flow.Done, "v-users-2": flow.Done, "op-token-deleted": flow.ExpectedFailure},
		"agent-system-user-deleted": {"ca-delete": flow.ExpectedFailure, "ca-remove": flow.Done, "ca-delete-2": flow.Done, "op-token-deleted": flow.ExpectedFailure},
	} {
		t.Run(name, func(t *testing.T) {
			m := pressAndRun(t, newMockModel(t, name), "r")
			if !strings.Contains(m.status, "ended as expected") || strings.Contains(m.status, "NOT") {
				t.Errorf("status %q", m.status)
			}
			seen := 0
			for i, st := range m.sc.Steps {
				if o := m.runs[i].outcome; !o.AsExpected() {
					t.Errorf("%s: %v", st.ID, o)
				}
				if w, ok := want[st.ID]; ok {
					seen++
					if m.runs[i].outcome != w {
						t.Errorf("%s: %v, want %v", st.ID, m.runs[i].outcome, w)
					}
				}
			}
			if seen != len(want) {
				t.Errorf("%d of the %d steps looked for are in the scenario", seen, len(want))
			}
			if name != "change-request" {
				return
			}
			for i, st := range m.sc.Steps {
				want := map[string]string{"eu-review": "/systemuser/request?id=", "eu-change-review": "/systemuser/changerequest?id="}[st.ID]
				if want == "" {
					continue
				}
				m.cur = i
				ci, ok := confirmFor(m.flowView(), m.stepInfo().stateURL, &qrCache{})
				if !ok || !strings.Contains(ci.url, want) {
					t.Errorf("%s shows %q, want a URL with %s", st.ID, ci.url, want)
				}
			}
		})
	}
}
