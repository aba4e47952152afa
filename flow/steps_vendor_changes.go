package flow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/systembruker/workbench/client"
)

// The vendor's steps in a system user's later life: a change request for
// more or fewer rights (the person approves it, steps_enduser.go), and the
// list of its system users.

func checkRead(s string) error {
	if !contains(client.Reads, s) {
		return fmt.Errorf("%q: say one of %s", s, strings.Join(client.Reads, ", "))
	}
	return nil
}

func checkDate(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%q is not a date such as 2026-01-31", s)
	}
	return nil
}

func stepVendorChange() Step {
	return Step{
		ID: "v-change", Actor: SystemVendor, Title: "SmartCloud asks to change the system user",
		Explain: "A system user keeps the rights it was approved with. To get more, or to give some up, the vendor " +
			"sends a change request for the system user, with a correlation-id of its own; the customer's daglig " +
			"leder approves it at its confirmUrl, as the first request. Until then nothing changes.",
		Inputs: []Param{ParamChangeAdd, ParamChangeRemove},
		run: func(ctx context.Context, r *runCtx) error {
			return r.changeRequest(ctx, strings.Fields(r.state.Param(ParamChangeAdd)), strings.Fields(r.state.Param(ParamChangeRemove)))
		},
	}
}

// stepVendorChangeUndo asks for the opposite of the last change request:
// what it gave up, back; what it got, given up.
func stepVendorChangeUndo() Step {
	return Step{
		ID: "v-change-undo", Actor: SystemVendor, Title: "SmartCloud asks for what it gave up, back",
		Explain: "The same kind of change request, the other way round: the rights the last change took away are " +
			"asked for again (requiredRights), with a new correlation-id. The person approves it as before.",
		run: func(ctx context.Context, r *runCtx) error {
			if len(r.state.ChangeAdd)+len(r.state.ChangeRemove) == 0 {
				return errors.New("no change to undo: run the change step first")
			}
			return r.changeRequest(ctx, r.state.ChangeRemove, r.state.ChangeAdd)
		},
	}
}

// changeItems makes a change request's lists from words: an access
// package URN is a package, anything else a resource id.
func changeItems(words []string) ([]client.Right, []client.AccessPackage) {
	rights, pkgs := []client.Right{}, []client.AccessPackage{}
	for _, w := range words {
		if strings.HasPrefix(w, "urn:altinn:accesspackage:") {
			pkgs = append(pkgs, client.AccessPackage{URN: w})
		} else {
			rights = append(rights, client.ResourceRight(w))
		}
	}
	return rights, pkgs
}

// changeRequest posts a change request for the flow's system user.
func (r *runCtx) changeRequest(ctx context.Context, add, remove []string) error {
	if r.state.SystemUserID == "" {
		return errors.New("no system user yet: the request must be approved, and SmartCloud's check find the system user, first")
	}
	tok, err := r.altinnToken(ctx)
	if err != nil {
		return err
	}
	var body client.ChangeRequestBody
	body.RequiredRights, body.RequiredAccessPackages = changeItems(add)
	body.UnwantedRights, body.UnwantedAccessPackages = changeItems(remove)
	body.RedirectURL = r.set.RedirectURL
	corr := newCorrelationID()
	cr, created, err := r.svc.Changes.Create(ctx, tok, corr, r.state.SystemUserID, body)
	if err != nil {
		return err
	}
	r.state.ChangeAdd, r.state.ChangeRemove, r.state.ChangeStatus = add, remove, cr.Status
	if cr.Status == client.StatusNoChangeNeeded {
		r.state.ChangeRequestID, r.state.ChangeConfirmURL = "", ""
		r.note("nothing to change: Altinn answers %s and stores nothing (name rights to add or take away)", cr.Status)
		return nil
	}
	r.state.ChangeRequestID, r.state.ChangeConfirmURL = cr.ID, cr.ConfirmURL
	if !created {
		r.note("a change request with correlation-id %s exists already (status %s); Altinn gave it back with 200", cr.ID, cr.Status)
	} else {
		r.note("change request %s (the correlation-id SmartCloud made), status %s", cr.ID, cr.Status)
	}
	if len(add) > 0 {
		r.note("asks for: %s", strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		r.note("gives up: %s", strings.Join(remove, ", "))
	}
	r.note("confirmUrl: %s", cr.ConfirmURL)
	return nil
}

// newCorrelationID is a random UUID: a change request's id is the vendor's
// (ChangeRequestSystemUserController.cs: "A new UUID (RFC 4122) generated
// by the Vendor").
func newCorrelationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func stepVendorChangeCheck() Step {
	return Step{
		ID: "v-change-poll", Actor: SystemVendor, Title: "SmartCloud checks the change request",
		Explain: "SmartCloud reads the change request's status. An approved change is made at once in Altinn: the " +
			"system user's tokens look the same, and the next decision of Altinn's PDP follows it.",
		run: func(ctx context.Context, r *runCtx) error {
			if r.state.ChangeRequestID == "" {
				r.note("no change request to check")
				return nil
			}
			tok, err := r.altinnToken(ctx)
			if err != nil {
				return err
			}
			cr, err := r.svc.Changes.Get(ctx, tok, r.state.ChangeRequestID)
			if err != nil {
				return err
			}
			r.state.ChangeStatus = cr.Status
			r.note("change request status: %s", cr.Status)
			if cr.Status == client.StatusAccepted {
				r.note("the change is made: the same token now gets what the system user may do after it")
			}
			return nil
		},
	}
}

// waitForChange polls the change request, with growing pauses and a fresh
// token when one is needed, until the person has decided (or decisionWait
// passes).
func (r *runCtx) waitForChange(ctx context.Context) (client.ChangeRequest, error) {
	tok, err := r.altinnToken(ctx)
	if err != nil {
		return client.ChangeRequest{}, err
	}
	return r.svc.Changes.Poll(ctx, tok, r.state.ChangeRequestID, client.PollOptions{
		Deadline: r.svc.Now().Add(decisionWait),
		OnStatus: func(q client.Request, next time.Duration) {
			if !client.Final(q.Status) {
				r.note("still %s; next check in %s", q.Status, next.Round(time.Second))
			}
		},
		Token: func(ctx context.Context, fresh bool) (string, error) {
			if fresh {
				if err := r.vendorToken(ctx); err != nil {
					return "", err
				}
			}
			return r.altinnToken(ctx)
		},
	})
}

func stepVendorSystemUsers() Step {
	return Step{
		ID: "v-users", Actor: SystemVendor, Title: "SmartCloud lists its system users",
		Explain: "The vendor's list of a system's system users is paginated: a page at a time, links.next leading " +
			"to the next (with ?token=), until a page has none. A client that reads only the first page misses the rest.",
		run: func(ctx context.Context, r *runCtx) error {
			tok, err := r.altinnToken(ctx)
			if err != nil {
				return err
			}
			users, err := r.svc.SystemUsers.BySystem(ctx, tok, r.state.SystemID)
			if err != nil {
				return err
			}
			r.note("%s of %s, every page read", count(len(users), "live system user"), r.state.SystemID)
			if r.state.SystemUserID == "" {
				return nil
			}
			for _, u := range users {
				if u.ID == r.state.SystemUserID {
					r.note("system user %s (%s) is among them", u.ID, u.ReporteeOrgNo)
					return nil
				}
			}
			r.note("system user %s is not among them: it is deleted", r.state.SystemUserID)
			return nil
		},
	}
}

// count says n things: "1 system user", "3 system users".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
