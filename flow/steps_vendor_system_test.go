package flow

import (
	"strings"
	"testing"

	"github.com/systembruker/workbench/client"
)

// TestMergeSystem: the config's name, description and isVisible replace the
// registered ones; its client id, redirect URL and rights are added to what
// is there, which stays; nothing to change is no change.
func TestMergeSystem(t *testing.T) {
	got := client.System{ID: "991825827_smartcloud", Vendor: client.NewOrgID("991825827"),
		Name: map[string]string{"nb": "Old", "en": "Old", "nn": "Old"}, Description: map[string]string{"nb": "d", "en": "d", "nn": "d"},
		ClientID: []string{"other-client"}, AllowedRedirectURLs: []string{"https://a.example/r"}, IsVisible: true,
		Rights: []client.Right{client.ResourceRight("other-resource")}}
	want := got
	want.Name = map[string]string{"nb": "New", "en": "New", "nn": "New"}
	want.ClientID, want.AllowedRedirectURLs, want.IsVisible = []string{"my-client"}, []string{"https://b.example/r"}, false
	want.Rights = []client.Right{client.ResourceRight("ske-krav-og-betalinger")}
	m, changes := mergeSystem(got, want)
	text := strings.Join(changes, "\n")
	for _, w := range []string{`name: "Old" → "New"`, "isVisible: true → false", "clientId: + my-client (kept: other-client)",
		"allowedRedirectUrls: + https://b.example/r (kept: https://a.example/r)", "rights: + ske-krav-og-betalinger"} {
		if !strings.Contains(text, w) {
			t.Errorf("changes lack %q:\n%s", w, text)
		}
	}
	if len(changes) != 5 || m.Name["nb"] != "New" || m.IsVisible || len(m.ClientID) != 2 || len(m.AllowedRedirectURLs) != 2 || len(m.Rights) != 2 {
		t.Errorf("merged %+v", m)
	}
	if len(got.ClientID) != 1 {
		t.Error("merge changed the registered system's slices")
	}
	if _, again := mergeSystem(m, want); len(again) != 0 {
		t.Errorf("merged system still differs: %v", again)
	}
}

// TestPeopleLabels: without a name a person is named by role, at the
// organisation's name or number.
func TestPeopleLabels(t *testing.T) {
	s := Settings{CustomerOrgNo: "310904473", FacilitatorOrgNo: "314250052"}
	if s.EndUserLabel() != "the daglig leder of 310904473" || s.ClientAdminLabel() != "the client administrator of 314250052" {
		t.Errorf("%q %q", s.EndUserLabel(), s.ClientAdminLabel())
	}
	s.CustomerName, s.EndUserName = "TILFELDIG SUBTIL APE", " "
	if s.EndUserLabel() != "the daglig leder of TILFELDIG SUBTIL APE" || upperFirst(s.EndUserLabel())[:4] != "The " {
		t.Errorf("%q", s.EndUserLabel())
	}
	s.EndUserName = "STADIG KONSERT"
	if s.EndUserLabel() != "STADIG KONSERT" {
		t.Errorf("%q", s.EndUserLabel())
	}
}
