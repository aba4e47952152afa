// Package wire is the command line's wiring: from a configuration it starts
// the mock services (when the environment is the mocks), builds a client per
// service and the flow's settings. It is the one package, besides the
// command line's and the tests, that knows the mocks by name: the flow
// reaches them only over HTTP, as it reaches the real services.
//
// It is a package of its own, under internal/cli, so that the TUI's and the
// flow's tests can start a session the way the command line does (they
// cannot import internal/cli, which imports the TUI).
package wire

import (
	"context"
	"fmt"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/client/mock"
	"github.com/systembruker/workbench/config"
	"github.com/systembruker/workbench/flow"
)

// Session is a configured environment, ready for the flow: the clients,
// the identities, and for the mock environment the running mocks.
type Session struct {
	Services flow.Services
	Settings flow.Settings
	// Mock is the running mock environment, nil for a real one.
	Mock *mock.Env
	// Warnings are what is usable but unwise (a key file others can
	// read), for the command to show before it starts.
	Warnings []string
}

// Close stops the mocks, if any.
func (s *Session) Close() error {
	if s.Mock != nil {
		return s.Mock.Close()
	}
	return nil
}

// Start makes a session from the config. The environment decides, never
// the hosts: env = "mock" without URLs starts the mocks on loopback with the
// base world (no vendor state, no service owner setup: the flow does both),
// which live until ctx ends or Close; env = "mock" with URLs uses those
// mocks (a `workbench serve`). Either way the services get the mocks' knobs
// (Services.Mock) and the workbench acts for the people. Any other env is a
// real one, wherever its URLs point (tt02 itself, a contract stand-in or a
// recording proxy on loopback): the people act themselves, and writes to
// the system register are confirmed first.
func Start(ctx context.Context, c *config.Config) (*Session, error) {
	return StartWith(ctx, c, mock.Options{})
}

// StartWith is Start with the mocks served as o says (e.g. all on one
// address under path prefixes, as `serve --addr` serves them).
func StartWith(ctx context.Context, c *config.Config, o mock.Options) (*Session, error) {
	s := &Session{}
	p := c.Profile()
	var err error
	mocks := !c.Real()
	if mocks && !c.ExternalMocks() {
		s.Mock, err = mock.StartWith(ctx, mock.BaseSeed(), o)
		if err != nil {
			return nil, fmt.Errorf("start the mock services: %w", err)
		}
		p.Maskinporten, p.SelfService, p.Altinn, p.Skatteetaten = s.Mock.MaskinportenURL, s.Mock.MaskinportenURL, s.Mock.AltinnURL, s.Mock.SkatteetatenURL
	}
	if mocks && (p.Maskinporten == "" || p.Altinn == "" || p.Skatteetaten == "") {
		return nil, fmt.Errorf("env is mock with some URLs set, so the workbench uses those mocks and starts none: " +
			"set maskinporten.url, altinn.url and skatteetaten.url to the three URLs `workbench serve` prints " +
			"(or none of them, for the embedded mocks)")
	}
	hc := c.HTTPClient()
	s.Services = flow.NewServices(flow.URLs{
		Maskinporten: p.Maskinporten, SelfService: p.SelfService, Altinn: p.Altinn, Skatteetaten: p.Skatteetaten,
	}, hc)
	if mocks {
		s.Services.Mock = client.NewMockControl(p.Maskinporten, p.Altinn, hc)
	}
	s.Settings, s.Warnings, err = settings(c, s.Mock != nil)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Settings.ActAsPeople = mocks
	s.Settings.ConfirmWrites = c.Real()
	s.Settings.PortalURL = p.ConfirmUI
	return s, nil
}

// Summary is the config's identities for the flow, without keys: enough to
// name and describe the scenarios.
func Summary(c *config.Config) flow.Settings {
	// A name left empty in a real env's config shows as the org number.
	nameOr := func(name, orgNo string) string {
		if name == "" {
			return orgNo
		}
		return name
	}
	endUser, clientAdmin := people(c)
	return flow.Settings{
		Env: c.Env, EnvDescription: c.Profile().Description,
		ServiceOwnerOrgNo: c.ServiceOwner.OrgNo, ServiceOwnerName: c.ServiceOwner.Name,
		Scope: c.ServiceOwner.Scope, Resource: c.ServiceOwner.Resource, RightsPackage: c.Skatteetaten.RightsPackage,
		VendorOrgNo: c.Vendor.OrgNo, VendorName: nameOr(c.Vendor.Name, c.Vendor.OrgNo), SystemID: c.Vendor.SystemID,
		AgentSystemID: c.Vendor.AgentSystemID, AccessPackage: c.Vendor.AccessPackage, ClientID: c.Vendor.ClientID,
		AgentClientID: c.Vendor.AgentClientID,
		RedirectURL:   c.Vendor.RedirectURL,
		SystemName:    c.SystemName(), SystemDescription: c.SystemDescription(), SystemVisible: c.SystemVisible(),
		CustomerOrgNo: c.Customer.OrgNo, CustomerName: nameOr(c.Customer.Name, c.Customer.OrgNo), ExternalRef: c.Customer.ExternalRef,
		EndUserPID: c.Customer.EndUserPID, EndUserName: endUser,
		FacilitatorOrgNo: c.Facilitator.OrgNo, FacilitatorName: nameOr(c.Facilitator.Name, c.Facilitator.OrgNo),
		ClientAdminPID: c.Facilitator.ClientAdminPID, ClientAdminName: clientAdmin,
		MaskinportenAudience: c.Maskinporten.Audience,
		PortalURL:            c.Profile().ConfirmUI,
	}
}

// people are the names of the person who approves and the client
// administrator. The defaults are the mocks' test persons: against a real
// environment the workbench does not know who logs in, so it names them by
// their role ("the daglig leder of ..."), unless the config names them.
func people(c *config.Config) (endUser, clientAdmin string) {
	d := config.Default()
	endUser, clientAdmin = c.Customer.EndUserName, c.Facilitator.ClientAdminName
	if c.Real() && endUser == d.Customer.EndUserName {
		endUser = ""
	}
	if c.Real() && clientAdmin == d.Facilitator.ClientAdminName {
		clientAdmin = ""
	}
	return endUser, clientAdmin
}

// settings turns the config into the flow's identities, loading the keys.
// Against the embedded mocks the service owner is Skatteetaten's client in
// the mocks' world, unless the config names one of its own.
func settings(c *config.Config, mocks bool) (flow.Settings, []string, error) {
	st := Summary(c)
	var warnings []string
	if mocks {
		st.ServiceOwnerClientID = mock.SkatteetatenClientID
		st.ServiceOwnerKey = mock.ServiceOwnerKey()
	}
	if c.ServiceOwner.KeyFile != "" {
		k, info, err := config.LoadKey(c.ServiceOwner.KeyFile, config.KeyOptions{KeyID: c.ServiceOwner.KeyID})
		if err != nil {
			return st, nil, fmt.Errorf("service_owner.key_file: %w", err)
		}
		st.ServiceOwnerClientID, st.ServiceOwnerKey = c.ServiceOwner.ClientID, k
		warnings = append(warnings, prefixed("service_owner.key_file", info.Warnings)...)
	}
	k, info, err := c.VendorKey()
	if err != nil {
		return st, nil, err
	}
	st.VendorKey = k
	warnings = append(warnings, prefixed("vendor.key_file", info.Warnings)...)
	return st, warnings, nil
}

func prefixed(p string, ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = p + ": " + w
	}
	return out
}
