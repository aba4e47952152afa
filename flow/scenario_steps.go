package flow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// The built-in steps a scenario file names, by the id each has by default,
// and the tweaks they take: what a step does beyond its inputs to break a
// rule on purpose (sign with another key, name an unregistered kid), or
// how much time it makes pass.

// stepBuilder makes a built-in step for the settings, with its tweaks.
type stepBuilder func(s Settings, tw tweakSpec) Step

var stepCatalog = map[string]stepBuilder{
	"so-token":          func(Settings, tweakSpec) Step { return stepServiceOwnerToken() },
	"so-scope":          func(Settings, tweakSpec) Step { return stepServiceOwnerScope() },
	"so-resource":       func(Settings, tweakSpec) Step { return stepServiceOwnerResource() },
	"v-keys":            func(Settings, tweakSpec) Step { return stepVendorKeys() },
	"v-client":          func(Settings, tweakSpec) Step { return stepVendorClient() },
	"v-token":           func(Settings, tweakSpec) Step { return stepVendorToken() },
	"v-system":          func(Settings, tweakSpec) Step { return stepVendorSystem() },
	"v-request":         func(Settings, tweakSpec) Step { return stepVendorRequest() },
	"v-request-2":       func(Settings, tweakSpec) Step { return stepVendorRequestAgain() },
	"v-poll":            func(Settings, tweakSpec) Step { return stepVendorPoll() },
	"v-delete":          func(Settings, tweakSpec) Step { return stepVendorDeleteSystem() },
	"v-change":          func(Settings, tweakSpec) Step { return stepVendorChange() },
	"v-change-undo":     func(Settings, tweakSpec) Step { return stepVendorChangeUndo() },
	"v-change-poll":     func(Settings, tweakSpec) Step { return stepVendorChangeCheck() },
	"v-users":           func(Settings, tweakSpec) Step { return stepVendorSystemUsers() },
	"eu-login":          func(s Settings, _ tweakSpec) Step { return stepEndUserLogin(s) },
	"eu-change-review":  func(Settings, tweakSpec) Step { return stepChangeReview() },
	"eu-change-approve": func(Settings, tweakSpec) Step { return stepChangeDecide() },
	"eu-delete":         func(Settings, tweakSpec) Step { return stepDeleteSystemUser(EndUser) },
	"ca-delete":         func(Settings, tweakSpec) Step { return stepDeleteSystemUser(ClientAdmin) },
	"eu-review":         func(Settings, tweakSpec) Step { return stepReview(EndUser) },
	"eu-approve":        func(Settings, tweakSpec) Step { return stepDecide(EndUser) },
	"eu-wait":           func(_ Settings, tw tweakSpec) Step { return stepTimePasses(tw.days()) },
	"ca-login":          func(s Settings, _ tweakSpec) Step { return stepAdminLogin(s) },
	"ca-review":         func(Settings, tweakSpec) Step { return stepReview(ClientAdmin) },
	"ca-approve":        func(Settings, tweakSpec) Step { return stepDecide(ClientAdmin) },
	"ca-clients":        func(Settings, tweakSpec) Step { return stepAdminAvailable() },
	"ca-delegate":       func(s Settings, _ tweakSpec) Step { return stepAdminDelegate(s) },
	"ca-remove":         func(s Settings, _ tweakSpec) Step { return stepAdminRemove(s) },
	"op-token": func(_ Settings, tw tweakSpec) Step {
		return stepOperationalToken(Expect{}, tokenVariant{tweak: tw.grantTweak()})
	},
	"op-replay": func(Settings, tweakSpec) Step { return stepReplayGrant(Expect{}) },
	"op-api":    func(Settings, tweakSpec) Step { return stepOperationalAPI(Expect{}) },
	"op-wait": func(_ Settings, tw tweakSpec) Step {
		return stepClock("op-wait", Operational, "Time passes", tw.clock(10*time.Minute))
	},
	"clock-reset": func(_ Settings, tw tweakSpec) Step {
		return stepClock("clock-reset", Operational, "The clock is set right again", tw.clock(0))
	},
}

// stepNames lists the built-in steps' names, sorted.
func stepNames() []string {
	var names []string
	for n := range stepCatalog {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// tweakSpec is a step's tweak table. Each field is for one kind of step
// (tweakSteps).
type tweakSpec struct {
	// The system user token step's grant and key.
	Kid               string            `toml:"kid"`                         // the kid in the grant's header
	OtherKey          bool              `toml:"other_key"`                   // sign with a key Maskinporten has never seen
	AuthorizationType string            `toml:"authorization_type"`          // authorization_details' type
	DetailsExtra      map[string]string `toml:"authorization_details_extra"` // fields added to authorization_details
	Lifetime          string            `toml:"lifetime"`                    // exp - iat, over the grant_lifetime input
	ExpiredBy         string            `toml:"expired_by"`                  // posted this long after its exp
	// eu-wait: the days nobody answers.
	Days int `toml:"days"`
	// op-wait and clock-reset: where the mocks' clock is set, from now.
	Clock string `toml:"clock"`
}

// tweakSteps says which steps take each tweak.
var tweakSteps = map[string][]string{
	"kid": {"op-token"}, "other_key": {"op-token"}, "authorization_type": {"op-token"},
	"authorization_details_extra": {"op-token"}, "lifetime": {"op-token"}, "expired_by": {"op-token"},
	"days": {"eu-wait"}, "clock": {"op-wait", "clock-reset"},
}

// expanded is the tweak with the placeholders in its texts filled in.
func (tw tweakSpec) expanded(s Settings) tweakSpec {
	tw.Kid, tw.AuthorizationType = expand(tw.Kid, s), expand(tw.AuthorizationType, s)
	if len(tw.DetailsExtra) > 0 {
		m := make(map[string]string, len(tw.DetailsExtra))
		for k, v := range tw.DetailsExtra {
			m[k] = expand(v, s)
		}
		tw.DetailsExtra = m
	}
	return tw
}

// set lists the tweaks given, by their TOML names.
func (tw tweakSpec) set() []string {
	var out []string
	add := func(on bool, name string) {
		if on {
			out = append(out, name)
		}
	}
	add(tw.Kid != "", "kid")
	add(tw.OtherKey, "other_key")
	add(tw.AuthorizationType != "", "authorization_type")
	add(len(tw.DetailsExtra) > 0, "authorization_details_extra")
	add(tw.Lifetime != "", "lifetime")
	add(tw.ExpiredBy != "", "expired_by")
	add(tw.Days != 0, "days")
	add(tw.Clock != "", "clock")
	return out
}

// check says what is wrong with a tweak's value, by its TOML name.
func (tw tweakSpec) check() map[string]string {
	bad := map[string]string{}
	if tw.Lifetime != "" {
		if d, err := time.ParseDuration(tw.Lifetime); err != nil || d <= 0 {
			bad["lifetime"] = fmt.Sprintf("%q is not a duration such as 10s or 2m", tw.Lifetime)
		}
	}
	if tw.ExpiredBy != "" {
		if _, err := time.ParseDuration(tw.ExpiredBy); err != nil {
			bad["expired_by"] = fmt.Sprintf("%q is not a duration such as 5s or 15s", tw.ExpiredBy)
		}
	}
	if tw.Clock != "" {
		if _, err := time.ParseDuration(tw.Clock); err != nil {
			bad["clock"] = fmt.Sprintf("%q is not a duration such as 10m or 0s", tw.Clock)
		}
	}
	if tw.Days < 0 {
		bad["days"] = "days cannot be negative"
	}
	for k := range tw.DetailsExtra {
		if k == "" {
			bad["authorization_details_extra"] = "a field needs a name"
		}
	}
	return bad
}

func (tw tweakSpec) days() int {
	if tw.Days == 0 {
		return 181
	}
	return tw.Days
}

func (tw tweakSpec) clock(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(tw.Clock); err == nil {
		return d
	}
	return def
}

// grantTweak changes the system user grant and its key as the tweaks say;
// nil when none does.
func (tw tweakSpec) grantTweak() func(*client.Grant, *client.SigningKey) {
	if tw.Kid == "" && !tw.OtherKey && tw.AuthorizationType == "" && len(tw.DetailsExtra) == 0 &&
		tw.Lifetime == "" && tw.ExpiredBy == "" {
		return nil
	}
	life, _ := time.ParseDuration(tw.Lifetime)
	late, lateErr := time.ParseDuration(tw.ExpiredBy)
	return func(g *client.Grant, k *client.SigningKey) {
		if tw.OtherKey {
			if other, err := otherKey(); err == nil {
				k.Key = other
			}
		}
		if tw.Kid != "" {
			k.KeyID = tw.Kid
		}
		if tw.AuthorizationType != "" {
			for i := range g.AuthorizationDetails {
				g.AuthorizationDetails[i].Type = tw.AuthorizationType
			}
		}
		if life > 0 {
			g.Lifetime = life
		}
		if tw.ExpiredBy != "" && lateErr == nil {
			// Made so that its exp passed late ago when it is posted.
			l := g.Lifetime
			if l == 0 {
				l = 120 * time.Second
			}
			g.IssuedAt = g.IssuedAt.Add(-l - late)
		}
		if len(tw.DetailsExtra) > 0 {
			addDetailFields(g, tw.DetailsExtra)
		}
	}
}

// addDetailFields writes the grant's authorization_details with extra
// fields, Maskinporten's unknown ones among them (MP-302).
func addDetailFields(g *client.Grant, extra map[string]string) {
	var out []map[string]any
	for _, d := range g.AuthorizationDetails {
		m := map[string]any{}
		if b, err := json.Marshal(d); err == nil && json.Unmarshal(b, &m) == nil {
			for k, v := range extra {
				m[k] = v
			}
			out = append(out, m)
		}
	}
	if g.Extra == nil {
		g.Extra = map[string]any{}
	}
	g.Extra["authorization_details"] = out
}

// takesTweak reports whether the step takes the tweak, and if not which
// steps do.
func takesTweak(step, tweak string) (bool, string) {
	steps := tweakSteps[tweak]
	for _, s := range steps {
		if s == step {
			return true, ""
		}
	}
	return false, strings.Join(steps, " and ")
}
