package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/systembruker/workbench/client"
	"github.com/systembruker/workbench/config"
)

const cleanupHelp = `Usage: workbench cleanup [--yes]

Lists what the workbench made in the real environment for this configuration
(the requests of vendor.system_id and vendor.agent_system_id, the system users
they made, the two systems), and after you say yes deletes what a vendor may
delete: the requests (DELETE systemuser/request/vendor/{id}) and the systems
(DELETE systemregister/vendor/{id}). A system user is its owner's: a vendor
token gets 403 on DELETE systemuser/{party}/{id}, so cleanup says who deletes
it in the Altinn portal, and where.

Deleting a system is for good: Altinn keeps its id, and registering the same
id again answers AUTH.VLD-00002. A next trial needs a new vendor.system_id.

  --yes   delete without asking (without a terminal, cleanup only lists
          unless --yes is given)

Exit status 0 when everything listed for deletion is gone, 1 otherwise.
`

func cmdCleanup(g globals, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cleanup", flag.ContinueOnError)
	yes := fs.Bool("yes", false, "delete without asking")
	if _, code, ok := parse(fs, &g, args, 0, stdout, stderr, cleanupHelp); !ok {
		return code
	}
	c, _, ok := loadConfig(g, "workbench cleanup", stderr, false)
	if !ok {
		return 2
	}
	if !c.Real() && !c.ExternalMocks() {
		fmt.Fprintln(stdout, "Nothing to clean up: the embedded mocks start from their seed every time.")
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cl, err := newCleaner(ctx, c)
	if err != nil {
		fmt.Fprintf(stderr, "workbench cleanup: %v\n", err)
		return 1
	}
	plan, err := cl.survey(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "workbench cleanup: %v\n", err)
		return 1
	}
	plan.print(stdout, c)
	if len(plan.requests) == 0 && len(plan.systems) == 0 {
		fmt.Fprintln(stdout, "\nNothing for the vendor to delete.")
		return 0
	}
	switch {
	case *yes:
	case g.sys.Interactive:
		fmt.Fprint(stdout, "\nDelete these? Type yes: ")
		line, _ := bufio.NewReader(g.stdin).ReadString('\n')
		if strings.TrimSpace(strings.ToLower(line)) != "yes" {
			fmt.Fprintln(stdout, "Nothing deleted.")
			return 1
		}
	default:
		fmt.Fprintln(stdout, "\nNothing deleted: no terminal to ask on. Run `workbench cleanup --yes` to delete them.")
		return 1
	}
	if !cl.remove(ctx, stdout, plan) {
		return 1
	}
	return 0
}

// cleaner holds cleanup's clients and vendor token.
type cleaner struct {
	systems  *client.SystemRegister
	requests *client.Requests
	users    *client.SystemUsers
	token    string
	ids      []string // the config's system ids
	portal   string
}

func newCleaner(ctx context.Context, c *config.Config) (*cleaner, error) {
	hc := c.HTTPClient() // at most 2 requests a second to a host (client.RealHostLimit)
	p := c.Profile()
	req, _, err := c.TokenRequest()
	if err != nil {
		return nil, err
	}
	mp := client.NewMaskinporten(p.Maskinporten, hc)
	md, err := mp.WellKnown(ctx)
	if err != nil {
		return nil, fmt.Errorf("read Maskinporten's metadata: %w", err)
	}
	aud := c.Maskinporten.Audience
	if aud == "" {
		aud = md.Issuer
	}
	grant, err := client.Grant{ClientID: req.ClientID, Audience: aud, Scopes: config.VendorScopes}.Sign(req.Key)
	if err != nil {
		return nil, err
	}
	tok, err := mp.Token(ctx, md.TokenEndpoint, grant)
	if err != nil {
		if hint := client.Explain(err); hint != "" {
			err = fmt.Errorf("%w\n  usual cause: %s", err, hint)
		}
		return nil, fmt.Errorf("a vendor token: %w", err)
	}
	cl := &cleaner{systems: client.NewSystemRegister(p.Altinn, hc), requests: client.NewRequests(p.Altinn, hc),
		users: client.NewSystemUsers(p.Altinn, hc), token: tok.AccessToken, portal: p.ConfirmUI}
	for _, id := range []string{c.Vendor.SystemID, c.Vendor.AgentSystemID} {
		if id != "" && !contains(cl.ids, id) {
			cl.ids = append(cl.ids, id)
		}
	}
	return cl, nil
}

// cleanupPlan is what there is: the live requests and systems to delete,
// the system users their owners delete, and what is not there.
type cleanupPlan struct {
	systems  []client.System
	requests []client.Request
	users    []client.SystemUser
	notes    []string
}

// survey lists what exists for the config's systems.
func (cl *cleaner) survey(ctx context.Context) (cleanupPlan, error) {
	var p cleanupPlan
	for _, id := range cl.ids {
		sys, err := cl.systems.Get(ctx, cl.token, id)
		switch {
		case client.Status(err) == 404:
			p.notes = append(p.notes, "system "+id+": not in the register")
			continue
		case err != nil:
			return p, fmt.Errorf("read system %s: %w", id, err)
		case sys.IsDeleted:
			p.notes = append(p.notes, "system "+id+": deleted already")
		default:
			p.systems = append(p.systems, sys)
		}
		for _, list := range []func(context.Context, string, string) ([]client.Request, error){cl.requests.BySystem, cl.requests.AgentBySystem} {
			reqs, err := list(ctx, cl.token, id)
			if err != nil {
				return p, fmt.Errorf("list the requests of %s: %w", id, err)
			}
			p.requests = append(p.requests, reqs...)
		}
	}
	for _, r := range p.requests {
		if r.Status != client.StatusAccepted {
			continue
		}
		su, err := cl.users.ByQuery(ctx, cl.token, r.SystemID, r.PartyOrgNo, r.ExternalRef)
		if err == nil && !su.IsDeleted {
			p.users = append(p.users, su)
		}
	}
	return p, nil
}

func (p cleanupPlan) print(w io.Writer, c *config.Config) {
	fmt.Fprintf(w, "In %s, for vendor %s:\n", c.Env, c.Vendor.OrgNo)
	for _, n := range p.notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	if len(p.requests) > 0 {
		fmt.Fprintf(w, "\nSystem user requests (the vendor deletes them):\n")
		for _, r := range p.requests {
			fmt.Fprintf(w, "  %s  %-8s  system %s, org %s, externalRef %s\n", r.ID, r.Status, r.SystemID, r.PartyOrgNo, r.ExternalRef)
		}
	}
	if len(p.systems) > 0 {
		fmt.Fprintf(w, "\nSystems (the vendor deletes them; the id stays taken: registering it again answers AUTH.VLD-00002):\n")
		for _, s := range p.systems {
			fmt.Fprintf(w, "  %s  %q, clients %s\n", s.ID, s.Name["nb"], strings.Join(s.ClientID, ", "))
		}
	}
	if len(p.users) > 0 {
		overview := strings.TrimSuffix(c.Profile().ConfirmUI, "/") + "/accessmanagement/ui/systemuser/overview"
		fmt.Fprintf(w, "\nSystem users (their owners delete them, not the vendor: a vendor token gets 403 on DELETE systemuser/{party}/{id}):\n")
		for _, u := range p.users {
			fmt.Fprintf(w, "  %s  %s system user of %s for system %s\n", u.ID, u.UserType, u.ReporteeOrgNo, u.SystemID)
		}
		fmt.Fprintf(w, "  To delete one, someone with the Tilgangsstyrer (access manager) role at its owner, e.g. the daglig\n"+
			"  leder, logs in to the Altinn portal for the owner, opens the overview of system accesses,\n"+
			"    %s\n"+
			"  picks the system access and deletes it (Altinn's guide asks to remove an agent system access's\n"+
			"  customers first). Until then it stays in the owner's list, also after its system is deleted,\n"+
			"  though Maskinporten then issues no tokens for it.\n", overview)
	}
}

// remove deletes the plan's requests, then its systems, and says how each
// went; false when one could not be deleted.
func (cl *cleaner) remove(ctx context.Context, w io.Writer, p cleanupPlan) bool {
	ok := true
	fmt.Fprintln(w)
	for _, r := range p.requests {
		err := cl.requests.Delete(ctx, cl.token, r.ID)
		switch {
		case err == nil:
			fmt.Fprintf(w, "deleted request %s (202)\n", r.ID)
		case client.HasCode(err, "AUTH-00010"):
			fmt.Fprintf(w, "request %s: gone already (404 AUTH-00010)\n", r.ID)
		default:
			ok = false
			fmt.Fprintf(w, "request %s: not deleted: %v\n", r.ID, err)
		}
	}
	for _, s := range p.systems {
		if err := cl.systems.Delete(ctx, cl.token, s.ID); err != nil {
			ok = false
			fmt.Fprintf(w, "system %s: not deleted: %v\n", s.ID, err)
			continue
		}
		fmt.Fprintf(w, "deleted system %s\n", s.ID)
	}
	if ok {
		fmt.Fprintln(w, "Done: what the vendor may delete is gone.")
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
