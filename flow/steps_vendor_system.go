package flow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The vendor's system in the register: registered as the config describes
// it, and brought in line with the config when it is there already.

func stepVendorSystem() Step {
	return Step{
		ID: "v-system", Actor: SystemVendor, Title: "SmartCloud registers its system in Altinn",
		Explain: "The system register describes SmartCloud's product: its id (org number + name), the " +
			"rights (or, for an agent system, access packages) it will ask customers for, and the " +
			"Maskinporten client ids allowed to act as its system users. Without the client id here, " +
			"Maskinporten answers MP-303 later. A system that is there already is compared with the " +
			"config and updated (PUT) where it differs.",
		run: func(ctx context.Context, r *runCtx) error {
			tok, err := r.altinnToken(ctx)
			if err != nil {
				return err
			}
			want := r.wantedSystem()
			got, err := r.svc.Systems.Get(ctx, tok, want.ID)
			switch {
			case client.Status(err) == 404:
				if err := r.confirmWrite(ctx, r.registerGate(want, nil)); err != nil {
					return err
				}
				id, err := r.svc.Systems.Register(ctx, tok, want)
				if err := r.ignoreExists(err, "system "+want.ID); err != nil {
					return err
				}
				if id != "" {
					r.note("registered; internal id %s", id)
				}
			case err != nil:
				return err
			case got.IsDeleted:
				return fmt.Errorf("system %s is deleted in the register, and Altinn keeps a deleted system's id: registering it "+
					"again answers AUTH.VLD-00002 and an update \"Cannot update a system marked as deleted\"; choose a new id "+
					"(vendor.%s)", want.ID, map[bool]string{false: "system_id", true: "agent_system_id"}[r.state.Agent])
			default:
				merged, changes := mergeSystem(got, want)
				if len(changes) == 0 {
					r.note("system %s is registered as the config describes it; using it", want.ID)
					break
				}
				if err := r.confirmWrite(ctx, r.registerGate(merged, changes)); err != nil {
					return err
				}
				if err := r.svc.Systems.Update(ctx, tok, merged); err != nil {
					return err
				}
				r.note("updated system %s (PUT):\n%s", want.ID, strings.Join(changes, "\n"))
			}
			if got, err = r.svc.Systems.Get(ctx, tok, want.ID); err != nil {
				return err
			}
			if !contains(got.ClientID, r.state.VendorClientID) {
				r.note("warning: the system does not list client %s; tokens will fail with MP-303", r.state.VendorClientID)
			}
			r.state.SystemID = want.ID
			return nil
		},
	}
}

// wantedSystem is the system as the config describes it.
func (r *runCtx) wantedSystem() client.System {
	name, desc := r.set.SystemName, r.set.SystemDescription
	if name == "" {
		name = r.set.VendorName
	}
	if desc == "" {
		desc = name
	}
	sys := client.System{
		ID: r.systemID(), Vendor: client.NewOrgID(r.set.VendorOrgNo),
		Name:        map[string]string{"nb": name, "en": name, "nn": name},
		Description: map[string]string{"nb": desc, "en": desc, "nn": desc},
		ClientID:    []string{r.state.VendorClientID}, IsVisible: r.set.SystemVisible,
		AllowedRedirectURLs: []string{r.set.RedirectURL},
	}
	if r.state.Agent {
		// Client-relation packages may not be on a visible system (AUTH.VLD-00018).
		sys.AccessPackages, sys.IsVisible = []client.AccessPackage{{URN: r.set.AccessPackage}}, false
	} else {
		sys.Rights = []client.Right{client.ResourceRight(r.set.Resource)}
	}
	return sys
}

// registerGate asks before a write to the register: changes nil is a new
// registration, shown whole.
func (r *runCtx) registerGate(sys client.System, changes []string) Gate {
	g := Gate{Key: "register:" + sys.ID, Kind: GateConfirm}
	where := r.set.Env + "'s system register"
	if changes == nil {
		g.Title = fmt.Sprintf("Register %s in %s?", sys.ID, where)
		g.Lines = systemLines(sys)
	} else {
		g.Title = fmt.Sprintf("Update %s in %s (PUT)?", sys.ID, where)
		g.Lines = changes
	}
	if sys.IsVisible {
		g.Lines = append(g.Lines, "isVisible is true: every user of "+r.set.Env+" is offered this system in the portal")
	}
	return g
}

// confirmWrite asks before a write to a shared register; the mocks'
// register is the workbench's own.
func (r *runCtx) confirmWrite(ctx context.Context, g Gate) error {
	if !r.set.ConfirmWrites {
		return nil
	}
	return r.gate(ctx, g)
}

// systemLines shows a system field by field.
func systemLines(s client.System) []string {
	lines := []string{
		"id: " + s.ID,
		"name: " + s.Name["nb"],
		"description: " + s.Description["nb"],
		fmt.Sprintf("isVisible: %v", s.IsVisible),
		"clientId: " + strings.Join(s.ClientID, ", "),
		"allowedRedirectUrls: " + strings.Join(s.AllowedRedirectURLs, ", "),
	}
	if len(s.Rights) > 0 {
		lines = append(lines, "rights: "+strings.Join(rightNames(s.Rights), ", "))
	}
	if len(s.AccessPackages) > 0 {
		lines = append(lines, "accessPackages: "+strings.Join(packageNames(s.AccessPackages), ", "))
	}
	return lines
}

// mergeSystem is the registered system brought in line with the wanted
// one, and what that changes, a line each. Name, description and isVisible
// become the config's; client ids, redirect URLs, rights and packages the
// config needs are added, and what else is there stays (another client, a
// redirect URL or right registered elsewhere may be in use).
func mergeSystem(got, want client.System) (client.System, []string) {
	m := got
	m.ID, m.IsDeleted = want.ID, false
	if m.Vendor.ID == "" {
		m.Vendor = want.Vendor
	}
	var changes []string
	if got.Name["nb"] != want.Name["nb"] || got.Name["en"] != want.Name["en"] || got.Name["nn"] != want.Name["nn"] {
		changes = append(changes, fmt.Sprintf("name: %q → %q", got.Name["nb"], want.Name["nb"]))
		m.Name = want.Name
	}
	if got.Description["nb"] != want.Description["nb"] || got.Description["en"] != want.Description["en"] {
		changes = append(changes, fmt.Sprintf("description: %q → %q", got.Description["nb"], want.Description["nb"]))
		m.Description = want.Description
	}
	if got.IsVisible != want.IsVisible {
		changes = append(changes, fmt.Sprintf("isVisible: %v → %v", got.IsVisible, want.IsVisible))
		m.IsVisible = want.IsVisible
	}
	add := func(field string, have *[]string, need []string) {
		for _, v := range need {
			if v != "" && !slices.Contains(*have, v) {
				*have = append(slices.Clone(*have), v)
				changes = append(changes, fmt.Sprintf("%s: + %s (kept: %s)", field, v, orNone(got, field)))
			}
		}
	}
	add("clientId", &m.ClientID, want.ClientID)
	add("allowedRedirectUrls", &m.AllowedRedirectURLs, want.AllowedRedirectURLs)
	for _, rt := range want.Rights {
		if !slices.ContainsFunc(m.Rights, func(x client.Right) bool { return sameRight(x, rt) }) {
			m.Rights = append(slices.Clone(m.Rights), rt)
			changes = append(changes, "rights: + "+strings.Join(rightNames([]client.Right{rt}), ""))
		}
	}
	for _, p := range want.AccessPackages {
		if !slices.ContainsFunc(m.AccessPackages, func(x client.AccessPackage) bool { return x.URN == p.URN }) {
			m.AccessPackages = append(slices.Clone(m.AccessPackages), p)
			changes = append(changes, "accessPackages: + "+p.URN)
		}
	}
	return m, changes
}

func orNone(s client.System, field string) string {
	var have []string
	switch field {
	case "clientId":
		have = s.ClientID
	case "allowedRedirectUrls":
		have = s.AllowedRedirectURLs
	}
	if len(have) == 0 {
		return "none"
	}
	return strings.Join(have, ", ")
}

func sameRight(a, b client.Right) bool {
	return strings.Join(rightNames([]client.Right{a}), "") == strings.Join(rightNames([]client.Right{b}), "")
}

func rightNames(rs []client.Right) []string {
	var out []string
	for _, r := range rs {
		var vals []string
		for _, a := range r.Resource {
			vals = append(vals, a.Value)
		}
		out = append(out, strings.Join(vals, "+"))
	}
	return out
}

func packageNames(ps []client.AccessPackage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.URN)
	}
	return out
}
