package standin

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestWriteConfig(t *testing.T) {
	w := Start(t, Options{})
	path := w.WriteConfig(t, ConfigOptions{
		Set:   map[string]any{"vendor.system_name": "Trial system", "vendor.system_visible": false, "network.retries": 0},
		Unset: []string{"customer.name"},
	})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	var c struct {
		Env          string
		Maskinporten struct{ URL string }
		Altinn       struct{ URL string }
		Skatteetaten struct {
			URL           string
			RightsPackage string `toml:"rights_package"`
		}
		Vendor struct {
			OrgNo         string `toml:"org_no"`
			ClientID      string `toml:"client_id"`
			AgentClientID string `toml:"agent_client_id"`
			KeyFile       string `toml:"key_file"`
			KeyID         string `toml:"key_id"`
			SystemName    string `toml:"system_name"`
			SystemVisible *bool  `toml:"system_visible"`
		}
		Customer struct {
			OrgNo string `toml:"org_no"`
			Name  *string
		}
		Network struct {
			CAFile  string `toml:"ca_file"`
			Retries *int
		}
	}
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "tt02" || c.Maskinporten.URL != w.MaskinportenURL || c.Altinn.URL != w.AltinnURL || c.Skatteetaten.URL != w.SkatteetatenURL {
		t.Errorf("URLs: %+v", c)
	}
	if c.Vendor.OrgNo != w.VendorOrgNo || c.Vendor.ClientID != w.ClientID || c.Vendor.AgentClientID != w.AgentClientID ||
		c.Vendor.KeyFile != w.KeyFile || c.Vendor.KeyID != w.KeyID || c.Network.CAFile != w.CAFile {
		t.Errorf("vendor and network: %+v %+v", c.Vendor, c.Network)
	}
	if c.Vendor.SystemName != "Trial system" || c.Vendor.SystemVisible == nil || *c.Vendor.SystemVisible ||
		c.Network.Retries == nil || *c.Network.Retries != 0 || c.Customer.Name != nil || c.Customer.OrgNo != customer {
		t.Errorf("Set and Unset: %+v %+v %+v", c.Vendor, c.Network, c.Customer)
	}
	if strings.Contains(c.Skatteetaten.URL, "/api/") || !strings.HasSuffix(c.Skatteetaten.URL, "/") {
		t.Errorf("the KB base URL has no prefix by default: %q", c.Skatteetaten.URL)
	}
	if len(md.Undecoded()) == 0 {
		t.Error("the test struct should leave some keys undecoded (names, system ids); is the file complete?")
	}
	if _, err := w.ConfigTOML(ConfigOptions{Set: map[string]any{"nosuch.key": "x"}}); err == nil {
		t.Error("a key in a table the workbench has not: no error")
	}
	if _, err := w.ConfigTOML(ConfigOptions{Set: map[string]any{"vendor.name": 1.5}}); err == nil {
		t.Error("a float value: no error")
	}
}

// TestConfigKeyWorks: the key file WriteConfig names signs grants that the
// stand-in accepts, under the kid it names, for both clients.
func TestConfigKeyWorks(t *testing.T) {
	w := Start(t, Options{})
	for _, id := range []string{w.ClientID, w.AgentClientID} {
		accessToken(t, w, newGrant(w, id, vendorScopes))
	}
	if w.RouteKB() != "GET /v1/{rightsPackage}/{orgNo}/aapnekrav" {
		t.Errorf("route %q", w.RouteKB())
	}
}

// TestKBPrefix: with a prefix, the API answers only under it.
func TestKBPrefix(t *testing.T) {
	w := Start(t, Options{KBPrefix: "/api/innkreving/kravogbetalinger/"})
	if !strings.HasSuffix(w.SkatteetatenURL, "/api/innkreving/kravogbetalinger/") {
		t.Fatalf("base URL %q", w.SkatteetatenURL)
	}
	register(t, w, standardSystem(w))
	vendor := accessToken(t, w, newGrant(w, w.ClientID, vendorScopes))
	r := call(t, w, "POST", w.AltinnURL+"authentication/api/v1/systemuser/request/vendor", vendor, standardRequest(w, customer))
	id, _ := r.json(t)["id"].(string)
	if err := w.Approve(id); err != nil {
		t.Fatal(err)
	}
	tok := accessToken(t, w, newGrant(w, w.ClientID, scopeKB).forOrg(customer, ""))
	if r := call(t, w, "GET", w.SkatteetatenURL+"v1/regnskapssystem/"+customer+"/aapnekrav", tok, nil); r.status != 200 {
		t.Errorf("under the prefix: %d %s", r.status, r.body)
	}
	host := strings.TrimSuffix(w.SkatteetatenURL, "api/innkreving/kravogbetalinger/")
	if r := call(t, w, "GET", host+"v1/regnskapssystem/"+customer+"/aapnekrav", tok, nil); r.status != 404 || r.json(t)["kode"] != "KB-003" {
		t.Errorf("without it: %d %s", r.status, r.body)
	}
	if n := w.Count("GET /api/innkreving/kravogbetalinger/v1/{rightsPackage}/{orgNo}/aapnekrav"); n != 1 {
		t.Errorf("count %d", n)
	}
}

func TestTOMLString(t *testing.T) {
	got, err := tomlValue("a\"b\\c\nd")
	if err != nil || got != `"a\"b\\c\u000Ad"` {
		t.Errorf("%s %v", got, err)
	}
	var v struct{ S string }
	if _, err := toml.Decode("s = "+got, &v); err != nil || v.S != "a\"b\\c\nd" {
		t.Errorf("round trip: %q %v", v.S, err)
	}
}
