// Package flow holds the system user flow: the actors, their steps, the
// typed state the steps pass on, the scenarios, and an engine that runs
// steps and emits events. It knows nothing of terminals: the TUI and the
// headless runner are two views of it.
package flow

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// Actor is who performs a step.
type Actor string

// The actors of the flow, in the order they appear.
const (
	ServiceOwner Actor = "Service owner"
	SystemVendor Actor = "System vendor"
	EndUser      Actor = "End user"
	ClientAdmin  Actor = "Client administrator"
	Operational  Actor = "Operational phase"
)

// Actors lists the actors in flow order.
var Actors = []Actor{ServiceOwner, SystemVendor, EndUser, ClientAdmin, Operational}

// Party is a column of the sequence diagram.
type Party string

// The parties of the sequence diagram.
const (
	PartySmartCloud   Party = "SmartCloud"
	PartyMaskinporten Party = "Maskinporten"
	PartyAltinn       Party = "Altinn"
	PartySkatteetaten Party = "Skatteetaten"
	PartyPerson       Party = "Person"
)

// Parties lists the sequence diagram's columns, left to right.
var Parties = []Party{PartySmartCloud, PartyMaskinporten, PartyAltinn, PartySkatteetaten, PartyPerson}

// Party is the sequence diagram column from which the actor's calls start.
func (a Actor) Party() Party {
	switch a {
	case ServiceOwner:
		return PartySkatteetaten
	case EndUser, ClientAdmin:
		return PartyPerson
	}
	return PartySmartCloud
}

// ServiceParty is the column of a service named in an exchange (its
// Service, or a behind-the-scenes Caller).
func ServiceParty(service string) Party {
	switch service {
	case "maskinporten", "selfservice":
		return PartyMaskinporten
	case "altinn":
		return PartyAltinn
	case "skatteetaten":
		return PartySkatteetaten
	}
	return ""
}

// Settings are the identities and addresses a flow runs with: the seed's
// tt02 test data by default (see config).
type Settings struct {
	Env string // mock, tt02: the environment's name, for display
	// EnvDescription says in words what the environment is, for handouts
	// ("the workbench's mock services").
	EnvDescription string
	// ActAsPeople lets the workbench do the people's steps (log in,
	// approve, delegate) over HTTP, through the mock portal and test
	// token tools. Only the mocks have those; against a real Altinn the
	// workbench shows what to do and waits for the person instead.
	ActAsPeople bool
	// ConfirmWrites asks the user before the first write to the system
	// register (a shared one: every user of tt02 sees what is there);
	// Yes says yes in advance (`run --yes`).
	ConfirmWrites bool
	Yes           bool
	// PortalURL is Altinn's access management UI (https://am.ui.tt02.altinn.no/),
	// where the people approve, delegate clients and delete system users.
	PortalURL string

	// Service owner (Skatteetaten).
	ServiceOwnerOrgNo    string
	ServiceOwnerName     string
	ServiceOwnerClientID string
	ServiceOwnerKey      client.SigningKey
	Scope                string // skatteetaten:kravogbetalinger
	Resource             string // ske-krav-og-betalinger
	RightsPackage        string // the API's rettighetspakke: regnskapssystem

	// System vendor (SmartCloud AS).
	VendorOrgNo   string
	VendorName    string
	SystemID      string // 991825827_smartcloud
	AgentSystemID string // 991825827_smartcloud_ap
	AccessPackage string // urn:altinn:accesspackage:ansvarlig-revisor
	ClientID      string // set for a client made elsewhere (tt02); empty: the flow makes one
	AgentClientID string // the agent system's client, when it has its own (Altinn ties a client to one system)
	VendorKey     client.SigningKey
	RedirectURL   string
	// SystemName, SystemDescription and SystemVisible are what the system
	// register gets: the name and description the person who approves
	// reads, and whether every user of the environment is offered it.
	SystemName        string
	SystemDescription string
	SystemVisible     bool

	// End user's company and person.
	CustomerOrgNo string
	CustomerName  string
	ExternalRef   string
	EndUserPID    string
	EndUserName   string

	// Facilitator (auditor) and its client administrator.
	FacilitatorOrgNo string
	FacilitatorName  string
	ClientAdminPID   string
	ClientAdminName  string

	// MaskinportenAudience is the grant's aud (Maskinporten's issuer).
	MaskinportenAudience string
}

// Services are the clients the steps use, one per real service.
type Services struct {
	Maskinporten *client.Maskinporten
	SelfService  *client.SelfService
	Resources    *client.ResourceRegistry
	Systems      *client.SystemRegister
	Requests     *client.Requests
	SystemUsers  *client.SystemUsers
	Changes      *client.ChangeRequests
	Portal       *client.Portal
	Delegation   *client.ClientDelegation
	Krav         *client.KravOgBetalinger
	// Mock turns the mocks' knobs (clock, request age, reset), for the
	// training scenarios that run only against the mocks. It is set only
	// when the session runs the mocks (the command line's wiring decides);
	// nil means a real environment.
	Mock *client.MockControl
	// Now is the workbench's clock.
	Now func() time.Time
}

// URLs are the base URLs of the real hosts.
type URLs struct {
	Maskinporten string
	SelfService  string
	Altinn       string
	Skatteetaten string
}

// NewServices builds a client per real service from the base URLs, sharing
// hc. Mock stays nil: only the wiring that started the mocks sets it.
func NewServices(u URLs, hc *http.Client) Services {
	if u.SelfService == "" {
		u.SelfService = u.Maskinporten
	}
	return Services{
		Maskinporten: client.NewMaskinporten(u.Maskinporten, hc),
		SelfService:  client.NewSelfService(u.SelfService, hc),
		Resources:    client.NewResourceRegistry(u.Altinn, hc),
		Systems:      client.NewSystemRegister(u.Altinn, hc),
		Requests:     client.NewRequests(u.Altinn, hc),
		SystemUsers:  client.NewSystemUsers(u.Altinn, hc),
		Changes:      client.NewChangeRequests(u.Altinn, hc),
		Portal:       client.NewPortal(u.Altinn, hc),
		Delegation:   client.NewClientDelegation(u.Altinn, hc),
		Krav:         client.NewKravOgBetalinger(u.Skatteetaten, hc),
		Now:          time.Now,
	}
}

// Param names a step input the user may change before running.
type Param string

// The step inputs.
const (
	ParamCustomerOrg   Param = "customer_org"   // the org the request is for
	ParamExternalRef   Param = "external_ref"   // the request's externalRef
	ParamGrantOrg      Param = "grant_org"      // systemuser_org in the grant
	ParamAPIOrg        Param = "api_org"        // the org in the API path
	ParamGrantLifetime Param = "grant_lifetime" // exp - iat of the grant
	ParamGrantScope    Param = "grant_scope"    // scope of the system user grant
	ParamDecision      Param = "decision"       // approve or reject
	ParamGrantAudience Param = "grant_aud"      // aud of the grant; empty: Maskinporten's issuer
	ParamVendorClock   Param = "vendor_clock"   // how far the vendor's clock is off
	// ParamRenew says what the request step does when Altinn gives back a
	// rejected request: "delete" deletes it and asks again (see WayOn).
	ParamRenew Param = "renew"
	// The API step's read (aapnekrav, krav, innbetalinger, utbetalinger),
	// its period (fraOgMed, tilOgMed) and its Accept.
	ParamAPIRead   Param = "api_read"
	ParamAPIFrom   Param = "api_from"
	ParamAPITo     Param = "api_to"
	ParamAPIAccept Param = "api_accept"
	// The change request: the rights (resource ids) or access packages
	// (URNs) to add and to take away, space separated, and the person's
	// decision on it.
	ParamChangeAdd      Param = "change_add"
	ParamChangeRemove   Param = "change_remove"
	ParamChangeDecision Param = "change_decision"
)

// paramInfo describes each input.
var paramInfo = map[Param]struct {
	label, help string
	check       func(string) error
}{
	ParamCustomerOrg:    {"Customer org no", "the organisation that is to own the system user", checkOrgNo},
	ParamExternalRef:    {"externalRef", "the vendor's own reference; defaults to the customer's org number", nil},
	ParamGrantOrg:       {"systemuser_org", "the org that owns the system user (the facilitator for an agent system user)", checkOrgNo},
	ParamAPIOrg:         {"API org no", "whose claims to fetch: the customer, or for an agent system user a delegated client", checkOrgNo},
	ParamGrantLifetime:  {"Grant lifetime", "exp - iat; documented maximum 120s, the server refuses above 180s", checkDuration},
	ParamGrantScope:     {"Scope", "space separated scopes of the system user grant", nil},
	ParamDecision:       {"Decision", "approve or reject", checkDecision},
	ParamGrantAudience:  {"Grant aud", "Maskinporten's issuer; empty: as its well-known document says", nil},
	ParamVendorClock:    {"Vendor clock", "how far SmartCloud's clock is off (iat); Maskinporten refuses an iat over 10s ahead", checkOffset},
	ParamRenew:          {"After a rejection", "delete: delete the rejected request and ask again", checkRenew},
	ParamAPIRead:        {"Read", "aapnekrav (open claims), krav, innbetalinger or utbetalinger (of a period)", checkRead},
	ParamAPIFrom:        {"fraOgMed", "the period's first day, YYYY-MM-DD (krav, innbetalinger, utbetalinger)", checkDate},
	ParamAPITo:          {"tilOgMed", "the period's last day, YYYY-MM-DD; at most a year after fraOgMed", checkDate},
	ParamAPIAccept:      {"Accept", "the format asked for: application/json (default) or application/xml", nil},
	ParamChangeAdd:      {"Add", "rights (resource ids) or access packages (urn:altinn:accesspackage:...) to ask for, space separated", nil},
	ParamChangeRemove:   {"Take away", "rights or access packages to give up, space separated", nil},
	ParamChangeDecision: {"Decision", "approve or reject the change", checkDecision},
}

func checkRenew(s string) error {
	if s != RenewDelete {
		return fmt.Errorf("%q: say %s, or leave it empty", s, RenewDelete)
	}
	return nil
}

// RenewDelete is ParamRenew's value that deletes a rejected request and
// asks again.
const RenewDelete = "delete"

func checkOffset(s string) error {
	if _, err := time.ParseDuration(s); err != nil {
		return fmt.Errorf("%q is not a duration such as 0s, -30s or 1m", s)
	}
	return nil
}

func checkOrgNo(s string) error {
	if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return fmt.Errorf("%q is not an organisation number: nine digits, e.g. 310904473", s)
	}
	return nil
}

func checkDuration(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a duration such as 120s or 2m", s)
	}
	return nil
}

func checkDecision(s string) error {
	if s != "approve" && s != "reject" {
		return fmt.Errorf("%q: say approve or reject", s)
	}
	return nil
}

// Input is one step input, for display and editing.
type Input struct {
	Param Param
	Label string
	Value string
	Help  string
}

// State is what the steps hand on to each other. The engine keeps it;
// steps work on a copy and the engine keeps the copy when the step ends.
type State struct {
	Params map[Param]string

	ServiceOwnerToken string
	VendorClientID    string
	VendorToken       string // Maskinporten token for Altinn's vendor APIs
	// VendorTokenExpires is when VendorToken expires (from expires_in);
	// zero when Maskinporten did not say.
	VendorTokenExpires time.Time
	JWKS               client.JWKS
	Issuer             string
	TokenEndpoint      string
	SystemID           string
	Agent              bool
	RequestID          string
	ConfirmURL         string
	RequestStatus      string
	PersonToken        string
	PartyID            int
	// PartyUUID and PartyOrgNo are the system user's owner as the portal
	// read them with PartyID (the delete steps).
	PartyUUID       string
	PartyOrgNo      string
	SystemUserID    string
	ClientPartyUUID string
	// The change request of the system user: its id (the correlation-id
	// SmartCloud made), confirm URL and status, and what it asked for.
	ChangeRequestID  string
	ChangeConfirmURL string
	ChangeStatus     string
	ChangeAdd        []string
	ChangeRemove     []string
	Grant            string
	AccessToken      string
	// Passed are the gates the user has passed (Gate.Key).
	Passed map[string]bool
	// MockClock is how far the steps moved the mocks' shared clock from
	// the wall clock (a cleanup that sets it right is not a step): the
	// views judge a token's expiry by the services' clock.
	MockClock time.Duration
}

func (s State) clone() State {
	p := make(map[Param]string, len(s.Params))
	for k, v := range s.Params {
		p[k] = v
	}
	s.Params = p
	g := make(map[string]bool, len(s.Passed))
	for k, v := range s.Passed {
		g[k] = v
	}
	s.Passed = g
	return s
}

// Param returns the value of an input.
func (s State) Param(p Param) string { return s.Params[p] }

func (s State) duration(p Param) time.Duration {
	d, _ := time.ParseDuration(s.Params[p])
	return d
}

// Expect is how a step is meant to end: Code empty for success, otherwise
// an error code (MP-303, invalid_grant, HTTP 403, ...) the step must fail with.
type Expect struct {
	Code string `json:"code,omitempty"`
	// Why says in one sentence why this failure is the lesson.
	Why string `json:"why,omitempty"`
	// GoOn lets the scenario go on after the expected failure (a lesson on
	// the way); without it the expected failure ends the scenario.
	GoOn bool `json:"goOn,omitempty"`
}

// Step is one thing an actor does.
type Step struct {
	ID      string
	Actor   Actor
	Title   string
	Explain string // a few plain sentences for a new integrator
	// Manual marks a step a person does elsewhere in a real environment
	// (a portal, a browser); against the mocks it runs over HTTP like the rest.
	Manual bool
	// Person marks the steps where a person takes over: the one that hands
	// them the confirm URL and the one that waits for their answer.
	Person PersonRole
	Inputs []Param
	Expect Expect
	run    func(ctx context.Context, r *runCtx) error
	// base is the built-in step it was made from (its default id), and
	// narration the scenario's own narration of it, if any (Narration).
	base, narration string
	// change marks the steps of a change request, whose confirm URL is
	// the change request's (ConfirmURL).
	change bool
}

// PersonRole is a step's part in handing the flow to a person.
type PersonRole int

// Person roles.
const (
	NoPerson     PersonRole = iota
	PersonReview            // the person opens the confirm URL (State.ConfirmURL)
	PersonDecide            // the person approves or rejects; in a real environment the step waits
)

// Token is a JWT shown by a step.
type Token struct {
	Label string `json:"label"` // "grant", "access token", ...
	client.DecodedJWT
	Warnings []string `json:"warnings,omitempty"`
}

// Outcome is a step's state.
type Outcome int

// Step outcomes. ExpectedFailure comes last so the others keep their
// values.
const (
	NotRun  Outcome = iota
	Running         // in progress
	Done            // succeeded, as the scenario expects
	Failed          // ended otherwise than the scenario expects
	Skipped         // not run because an earlier step ended the scenario
	// ExpectedFailure: failed with the error the scenario expects (its
	// Expect.Code), which is the scenario's lesson.
	ExpectedFailure
)

func (o Outcome) String() string {
	if o < NotRun || o > ExpectedFailure {
		return fmt.Sprintf("outcome(%d)", int(o))
	}
	return [...]string{"not run", "running", "done", "failed", "skipped", "expected-failure"}[o]
}

// AsExpected reports whether a step ended as its scenario expects: done,
// or failed with the expected error.
func (o Outcome) AsExpected() bool { return o == Done || o == ExpectedFailure }

// MarshalText makes outcomes readable in JSON.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an outcome back from JSON.
func (o *Outcome) UnmarshalText(b []byte) error {
	for i := NotRun; i <= ExpectedFailure; i++ {
		if i.String() == string(b) {
			*o = i
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q", b)
}

// StepResult is what a run of a step produced.
type StepResult struct {
	Outcome   Outcome           `json:"outcome"`
	Attempt   int               `json:"attempt"`
	Err       error             `json:"-"`
	Exchanges []client.Exchange `json:"exchanges"`
	Tokens    []Token           `json:"tokens,omitempty"`
	Notes     []string          `json:"notes,omitempty"`
	Duration  time.Duration     `json:"durationNs"`
	// From is the party the step's calls came from when it is not the
	// actor's: against a real Altinn the person's decision happens in a
	// browser, and what the step does is the vendor's polling.
	From Party `json:"from,omitempty"`
}

// CallParty is the sequence diagram column a step's calls start from: its
// actor's, except for a person's decision against a real Altinn, where the
// person decides in a browser and the step's calls are the vendor's
// polling (the step records it as StepResult.From).
func (st Step) CallParty(set Settings) Party {
	if st.Person == PersonDecide && !set.ActAsPeople {
		return PartySmartCloud
	}
	return st.Actor.Party()
}

// Party is the sequence diagram column the result's calls start from: From,
// or the step's actor's.
func (r StepResult) Party(s Step) Party {
	if r.From != "" {
		return r.From
	}
	return s.Actor.Party()
}

// Codes are the error codes of the result's error.
func (r StepResult) Codes() []string { return client.Codes(r.Err) }

// EventKind says what an event reports.
type EventKind int

// Event kinds.
const (
	StepStarted EventKind = iota
	ExchangeDone
	TokenDecoded
	NoteAdded
	StepEnded
	ScenarioEnded // RunAll's last event, with the report
)

// Event is what the engine emits while it runs a step. Attempt is the
// attempt of the step's run; a step RunAll skipped has attempt 0.
type Event struct {
	Kind     EventKind
	Step     int // index in the scenario
	Attempt  int
	Exchange *client.Exchange
	Token    *Token
	Note     string
	Result   *StepResult // StepEnded
	Report   *Report     // ScenarioEnded
}

// Scenario is a named sequence of steps with the outcome each must have.
type Scenario struct {
	Name    string
	Summary string
	Agent   bool
	Steps   []Step
	// Params are the scenario's starting inputs, over the defaults.
	Params map[Param]string
	// MockOnly marks a scenario that turns the mocks' knobs (clock, request
	// age); it cannot run against a real environment.
	MockOnly bool
	// Cleanup undoes what the scenario changed in the mocks' shared state
	// (the clock); RunAll runs it at the end, the TUI when leaving.
	Cleanup []Step
	// Exercise makes it an exercise: it starts broken on purpose and the
	// trainee fixes it (exercise.go); nil for a scenario that shows.
	Exercise *Exercise
	// File is the scenario file a trainer's scenario was read from; empty
	// for a built-in one.
	File string
}

// defaultParams are the inputs every scenario starts from.
func defaultParams(s Settings, agent bool) map[Param]string {
	p := map[Param]string{
		ParamCustomerOrg:   s.CustomerOrgNo,
		ParamExternalRef:   s.ExternalRef,
		ParamGrantOrg:      s.CustomerOrgNo,
		ParamAPIOrg:        s.CustomerOrgNo,
		ParamGrantLifetime: "120s",
		ParamGrantScope:    s.Scope,
		ParamDecision:      "approve",
		ParamVendorClock:   "0s",
		// The mocks' payments and claims are of 2026; against tt02 pick
		// the period to read.
		ParamAPIRead:        client.ReadOpenClaims,
		ParamAPIFrom:        "2026-01-01",
		ParamAPITo:          "2026-12-31",
		ParamAPIAccept:      "application/json",
		ParamChangeDecision: "approve",
	}
	if agent {
		p[ParamCustomerOrg] = s.FacilitatorOrgNo
		p[ParamGrantOrg] = s.FacilitatorOrgNo
		p[ParamExternalRef] = ""
	}
	return p
}

// StartParams are the inputs the scenario starts from with the settings:
// the defaults, with the scenario's own over them.
func (sc Scenario) StartParams(s Settings) map[Param]string {
	p := defaultParams(s, sc.Agent)
	for k, v := range sc.Params {
		p[k] = v
	}
	return p
}

// InputsWith lists the step's inputs with their values in params.
func (st Step) InputsWith(params map[Param]string) []Input {
	var in []Input
	for _, p := range st.Inputs {
		info := paramInfo[p]
		in = append(in, Input{Param: p, Label: info.label, Value: params[p], Help: info.help})
	}
	return in
}

// ValidateParam checks a value for an input.
func ValidateParam(p Param, v string) error {
	info, ok := paramInfo[p]
	if !ok {
		return fmt.Errorf("unknown input %q", p)
	}
	if info.check != nil && v != "" {
		return info.check(v)
	}
	return nil
}
