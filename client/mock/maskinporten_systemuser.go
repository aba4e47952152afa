package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// A grant's authorization_details and the system user lookup at Altinn
// that they lead to (steps 14 to 16 of docs/mock-api.md).

// mpSystemUserRequest is what a grant's authorization_details asks for.
type mpSystemUserRequest struct {
	ownerID     string // "0192:<orgno>"
	ownerOrgNo  string
	externalRef string // empty when the grant had none
}

// mpParseAuthorizationDetails checks the grant's authorization_details
// (spec §2.3): one object of type urn:altinn:systemuser with no other
// fields than type, systemuser_org and externalRef.
func mpParseAuthorizationDetails(raw any) (mpSystemUserRequest, *mpTokenError) {
	const code = "invalid_authorization_details"
	var req mpSystemUserRequest
	arr, ok := raw.([]any)
	if !ok {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"authorization_details must be a JSON array holding one object, even for one party; got %s", mpJSONKind(raw))
	}
	if len(arr) != 1 {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"authorization_details has %d entries; exactly one is allowed (a grant asks for one party at a time)", len(arr))
	}
	obj, ok := arr[0].(map[string]any)
	if !ok {
		return req, mpFail(http.StatusBadRequest, code, "MP-301", "authorization_details[0] must be an object; got %s", mpJSONKind(arr[0]))
	}
	if typ, _ := obj["type"].(string); typ != mpSystemUserType {
		return req, mpFail(http.StatusBadRequest, code, "MP-301",
			"Unknown authorization details type %q; the system user type is %s", obj["type"], mpSystemUserType)
	}
	var unknown []string
	for k := range obj {
		if k != "type" && k != "systemuser_org" && k != "externalRef" {
			unknown = append(unknown, k)
		}
	}
	so, isObj := obj["systemuser_org"].(map[string]any)
	for k := range so {
		if k != "authority" && k != "ID" && k != "id" {
			unknown = append(unknown, "systemuser_org."+k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return req, mpFail(http.StatusBadRequest, code, "MP-302",
			"Unknown fields in the authorization details: %s; allowed are type, systemuser_org {authority, ID} and externalRef (note the case)", mpQuoteList(unknown))
	}

	const cfgCode = "invalid_altinn_customer_configuration"
	if !isObj {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"systemuser_org is missing or not an object; it must be {\"authority\": %q, \"ID\": \"0192:<the system user's owner org>\"}", mpAuthority)
	}
	if a, _ := so["authority"].(string); a != mpAuthority {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "systemuser_org.authority is %q; expected %q", so["authority"], mpAuthority)
	}
	id, hasUpper := so["ID"]
	lower, hasLower := so["id"]
	if hasUpper && hasLower {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "systemuser_org has both ID and id; give one, ID")
	}
	if hasLower {
		id = lower
	}
	idStr, _ := id.(string)
	if !mpSystemUserOrgRE.MatchString(idStr) {
		return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"systemuser_org.ID is %q; expected \"0192:\" followed by the nine-digit org number of the system user's owner", id)
	}
	req.ownerID = idStr
	req.ownerOrgNo = strings.TrimPrefix(idStr, "0192:")
	if ref, present := obj["externalRef"]; present {
		s, ok := ref.(string)
		if !ok || s == "" {
			return req, mpFail(http.StatusBadRequest, cfgCode, "MP-303", "externalRef must be a non-empty string; leave it out to use the default (the owner's org number)")
		}
		req.externalRef = s
	}
	return req, nil
}

// mpSystemUser is Altinn's answer to the byExternalId lookup (spec §5).
type mpSystemUser struct {
	ID            string `json:"id"`
	SystemID      string `json:"systemId"`
	ProductName   string `json:"productName"`
	ReporteeOrgNo string `json:"reporteeOrgNo"`
	SupplierOrgNo string `json:"supplierOrgno"`
	ExternalRef   string `json:"externalRef"`
	UserType      string `json:"userType"`
}

// lookupSystemUser asks Altinn, over HTTP and with Maskinporten's own
// token, for the system user the grant names, as the real Maskinporten does.
func (m *Maskinporten) lookupSystemUser(ctx context.Context, cl *mpClient, req mpSystemUserRequest) (*mpSystemUser, *mpTokenError) {
	const cfgCode = "invalid_altinn_customer_configuration"
	if m.altinnURL == "" {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "this Maskinporten has no Altinn URL configured, so it cannot look up system users")
	}
	// The query in the order url.Values.Encode writes it (by key).
	lookupURL := m.altinnURL + "authentication/api/v1/systemuser/byExternalId?clientId=" + url.QueryEscape(cl.ID)
	if req.externalRef != "" {
		lookupURL += "&externalRef=" + url.QueryEscape(req.externalRef)
	}
	lookupURL += "&systemProviderOrgNo=" + url.QueryEscape(cl.OrgNo) + "&systemUserOwnerOrgNo=" + url.QueryEscape(req.ownerOrgNo)
	looked := func() string { // for the errors only
		if req.externalRef == "" {
			return fmt.Sprintf("clientId=%s, systemProviderOrgNo=%s, systemUserOwnerOrgNo=%s and no externalRef (so Altinn uses the owner's org number)", cl.ID, cl.OrgNo, req.ownerOrgNo)
		}
		return fmt.Sprintf("clientId=%s, systemProviderOrgNo=%s, systemUserOwnerOrgNo=%s, externalRef=%s", cl.ID, cl.OrgNo, req.ownerOrgNo, req.externalRef)
	}

	self, auth, err := m.selfToken()
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "could not sign Maskinporten's own token for Altinn: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout) // after the body is read (the defer below runs first)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, lookupURL, nil)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "bad Altinn lookup URL %q: %v", lookupURL, err)
	}
	hreq.Header["Authorization"] = auth
	hreq.Header["Accept"] = []string{"application/json"}
	resp, err := m.http.Do(hreq)
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "",
			"Altinn could not be reached for the system user lookup (GET %s): %v", m.altinnURL+"authentication/api/v1/systemuser/byExternalId", err)
	}
	defer func() {
		// Read to the end so that the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		// Altinn refused our own token: mint a fresh one next time. The
		// vendor cannot fix this; the real service would answer the same
		// error, so the mock does, but says what happened.
		m.dropSelfToken(self)
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn refused Maskinporten's own token for the system user lookup (HTTP %d %s) while looking up %s; the fault is between Maskinporten and Altinn, not in the grant",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"), looked())
	default:
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn found no system user (HTTP %d) for %s. Check that the system user request was approved, that the system in Altinn's system register lists client_id %s, that systemuser_org is the system user's owner (for an agent system user, the facilitator, not a client), and that externalRef matches the request's",
			resp.StatusCode, looked(), cl.ID)
	}
	var su mpSystemUser
	body, err := mpReadBody(resp, 1<<20)
	if err == nil {
		err = json.Unmarshal(body, &su)
	}
	if err != nil {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "Altinn's answer to the system user lookup is not the expected JSON: %v", err)
	}
	if su.ID == "" {
		return nil, mpFail(http.StatusInternalServerError, "server_error", "", "Altinn's answer to the system user lookup has no id")
	}
	if su.SupplierOrgNo != cl.OrgNo {
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn's system user %s belongs to the vendor org %s, not to org %s of client %s", su.ID, su.SupplierOrgNo, cl.OrgNo, cl.ID)
	}
	if su.ReporteeOrgNo != "" && su.ReporteeOrgNo != req.ownerOrgNo {
		return nil, mpFail(http.StatusBadRequest, cfgCode, "MP-303",
			"Altinn's system user %s is owned by org %s, but systemuser_org names %s", su.ID, su.ReporteeOrgNo, req.ownerOrgNo)
	}
	return &su, nil
}

// mpReadBody reads an answer's body of at most limit bytes: into one
// buffer of its length when Altinn sent a Content-Length (net/http does
// for a small answer), instead of io.ReadAll's growing from 512 bytes.
func mpReadBody(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= limit {
		body := make([]byte, n)
		_, err := io.ReadFull(resp.Body, body)
		return body, err
	}
	return io.ReadAll(io.LimitReader(resp.Body, limit))
}

// selfToken is Maskinporten's own token for the lookup at Altinn, minted
// like an issued token for Digdir and kept until shortly before it
// expires, and the Authorization header that carries it (kept with it: a
// kilobyte less to make for every lookup; never changed).
func (m *Maskinporten) selfToken() (string, []string, error) {
	m.selfMu.Lock()
	defer m.selfMu.Unlock()
	now := m.clock.Now()
	// A clock moved backwards would leave the cached token issued in the future.
	if m.self != "" && now.Before(m.selfExp.Add(-mpSelfMargin)) && !now.Before(m.selfIat.Truncate(time.Second)) {
		return m.self, m.selfAuth, nil
	}
	exp := now.Add(mpTokenLifetime)
	tok, err := m.sign(&mpAccessClaims{
		Iss: m.issuer, ClientID: "maskinporten", ClientAmr: "private_key_jwt", TokenType: "Bearer",
		Consumer: mpOrgID{ID: "0192:" + OrgDigdir, Authority: mpAuthority}, Scope: mpLookupScope,
		Iat: now.Unix(), Exp: exp.Unix(), Jti: mpRandomID(),
	})
	if err != nil {
		return "", nil, err
	}
	m.self, m.selfAuth, m.selfIat, m.selfExp = tok, []string{"Bearer " + tok}, now, exp
	return tok, m.selfAuth, nil
}

// dropSelfToken forgets the cached token if it is still tok.
func (m *Maskinporten) dropSelfToken(tok string) {
	m.selfMu.Lock()
	if m.self == tok {
		m.self = ""
	}
	m.selfMu.Unlock()
}
