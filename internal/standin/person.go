package standin

import "fmt"

// The people of the world act here, as Go calls, where the real ones use
// Altinn's portal (the confirm page, client administration). The portal's
// own rules still hold: only a New request can be decided, the system user
// takes the request's id, only an agent system user gets clients.

// find is the live request of either kind with the id.
func (w *World) find(id string) (*request, error) {
	canon, ok := parseGUID(id)
	if !ok {
		return nil, fmt.Errorf("standin: %q is not a request id", id)
	}
	if x := w.state.request(canon, false); x != nil {
		return x, nil
	}
	if x := w.state.request(canon, true); x != nil {
		return x, nil
	}
	return nil, probRequestNotFound
}

// Approve is the person with access management approving the request in
// the portal: it must be New (else AUTH-00013), and the new system user
// gets the request's id (RequestSystemUserService.ApproveAndCreateSystemUser
// L524-557, ApproveAndCreateAgentSystemUser L560-609; spec Corrections 5).
// A request older than 180 days can still be approved (Corrections 4).
func (w *World) Approve(requestID string) error {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	x, err := w.find(requestID)
	if err != nil {
		return err
	}
	if x.status != StatusNew {
		return probStatusNotNew
	}
	s := w.state.system(x.systemID)
	if s == nil {
		return probSystemIDNotFound
	}
	if w.state.userByRef(x.systemID, x.partyOrgNo, x.externalRef) != nil {
		return probSystemUserExists
	}
	title := x.title
	if title == "" {
		title = s.name["nb"]
	}
	w.state.seq++
	w.state.users = append(w.state.users, &systemUser{id: x.id, title: title, systemID: x.systemID,
		ownerOrgNo: x.partyOrgNo, supplierOrgNo: s.vendorOrgNo, externalRef: x.externalRef, agent: x.agent,
		created: now, seq: w.state.seq, rights: x.rights, packages: x.packages})
	x.status = StatusAccepted
	return nil
}

// Reject is the person rejecting the request in the portal: New becomes
// Rejected (RequestSystemUserService.RejectSystemUser L612-632,
// RequestRepository.RejectSystemUser L408-428).
func (w *World) Reject(requestID string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	x, err := w.find(requestID)
	if err != nil {
		return err
	}
	if x.status != StatusNew {
		return probStatusNotNew
	}
	x.status = StatusRejected
	return nil
}

// Deny sets a request's status to Denied. No code path in AUTHN at
// ad4f6f3 writes Denied for a system user request (it is in the enum and in
// ValidateExternalRequestId); this knob exists to see how a client treats
// the value.
func (w *World) Deny(requestID string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	x, err := w.find(requestID)
	if err != nil {
		return err
	}
	x.status = StatusDenied
	return nil
}

// DelegateClient is the facilitator's client administrator giving a client
// to an agent system user in the portal (SystemUserService.
// DelegateToAgentSystemUser ~L831-943): the system user must be an agent
// one (AUTH-00034) with access packages (AUTH-00063), and the client among
// the facilitator's clients (AUTH-00079 "Client not found.").
func (w *World) DelegateClient(systemUserID, clientOrgNo string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, _ := parseGUID(systemUserID)
	u := w.state.user(id)
	if u == nil {
		return probSystemUserNotFound
	}
	if !u.agent {
		return problem{"AUTH-00034", 400, "The system user type of the provided system user GUID is not an agent."}
	}
	if len(u.packages) == 0 {
		return probPackageNotFound
	}
	known := false
	for _, c := range w.state.facClients[u.ownerOrgNo] {
		known = known || c == clientOrgNo
	}
	if !known {
		return probClientNotFound
	}
	for _, c := range u.clients {
		if c == clientOrgNo {
			return nil
		}
	}
	u.clients = append(u.clients, clientOrgNo)
	return nil
}

// RemoveClient takes a delegated client away from an agent system user.
func (w *World) RemoveClient(systemUserID, clientOrgNo string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, _ := parseGUID(systemUserID)
	u := w.state.user(id)
	if u == nil {
		return probSystemUserNotFound
	}
	for i, c := range u.clients {
		if c == clientOrgNo {
			u.clients = append(u.clients[:i], u.clients[i+1:]...)
			return nil
		}
	}
	return problem{"AUTH-00038", 400, "Delegation not found"}
}

// DeleteSystemUser is the owner deleting a system user in the portal (a
// vendor cannot: see the 403 of DELETE systemuser/{party}/{id}). Its
// request for the same triple is soft-deleted too, so a new request for it
// is a 201 (SystemUserController L192-212, L617-631, L671-695). An agent
// system user's clients go with it: the AUTH-00035 check was removed in
// AUTHN 191cce12 (cascade delete, 2025-10-14), so HEAD deletes with clients
// delegated (altinn-facts.md §4.6).
func (w *World) DeleteSystemUser(systemUserID string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, _ := parseGUID(systemUserID)
	u := w.state.user(id)
	if u == nil {
		return probSystemUserNotFound
	}
	u.deleted, u.clients = true, nil
	if x := w.state.requestByRef(u.systemID, u.ownerOrgNo, u.externalRef, u.agent); x != nil {
		x.deleted = true
	}
	return nil
}
