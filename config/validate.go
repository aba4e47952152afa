package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Validation: every field checked, each problem an error that names the
// file, the line, the field and the fix.

// Validate checks every field and returns Errors naming each problem.
func (c *Config) Validate() error {
	v := &validation{c: c}
	v.env()
	v.ids()
	v.urls()
	v.network()
	// An unknown env is no real environment to check for: its knock-on
	// "not filled in" would hide the typo.
	if _, known := Profiles[c.Env]; known && c.Real() {
		v.real()
	}
	if len(v.errs) > 0 {
		v.errs.sort()
		return v.errs
	}
	return nil
}

// sort puts the errors in file order, the env first: every other check
// depends on it.
func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if ei, ej := es[i].Field == "env", es[j].Field == "env"; ei != ej {
			return ei
		}
		return es[i].Line < es[j].Line
	})
}

// validation gathers the problems Validate finds.
type validation struct {
	c    *Config
	errs Errors
}

// add records a problem with field, at its line in the file, or naming the
// environment variable or flag that set it.
func (v *validation) add(field, problem, fix string) {
	path := strings.Split(field, ".")
	fe := FieldError{File: v.c.File, Line: v.c.line(path...), Field: field, Problem: problem, Fix: fix}
	if e := v.c.fromEnv[field]; e != "" {
		fe.File, fe.Line = e, 0
		if strings.HasPrefix(e, "WORKBENCH_") {
			fe.File = "$" + e
		}
	}
	v.errs = append(v.errs, fe)
}

// empty records a field that must be filled in.
func (v *validation) empty(field, fix string) { v.add(field, "not filled in", fix) }

// env checks the environment's name.
func (v *validation) env() {
	c := v.c
	switch _, known := Profiles[c.Env]; {
	case !known:
		problem := fmt.Sprintf("%q is not a known environment", c.Env)
		if near := nearestEnv(c.Env); near != "" {
			problem += "; did you mean " + near + "?"
		}
		v.add("env", problem, "allowed: mock, tt02, prod")
	case c.Env == "prod" && !c.AllowProd:
		v.add("env", "prod is production: real organisations, real system users, real data",
			"the workbench refuses it unless you pass --allow-prod; for trying things out use tt02")
	}
}

// nearestEnv is the known environment a mistyped name most likely meant:
// the same but for case, one that starts it ("production"), or one at most
// two edits away (a swap of two letters counting as one); "" when none is.
func nearestEnv(name string) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	best, bestD := "", 3
	for _, env := range []string{"mock", "tt02", "prod"} {
		if lower == env || strings.HasPrefix(lower, env) {
			return env
		}
		if d := editDistance(lower, env); d < bestD {
			best, bestD = env, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours, each one edit.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// ids checks the organisation numbers, system ids, access package, redirect
// URL, scope and resource.
func (v *validation) ids() {
	c := v.c
	orgFix := map[string]string{
		"vendor.org_no":        "your organisation's number (the Maskinporten client's owner), nine digits",
		"customer.org_no":      "the organisation that is to own the system user: in tt02 a synthetic test org (Tenor) whose daglig leder you can log in as",
		"facilitator.org_no":   "the facilitator (e.g. an accountant) for agent system users, nine digits",
		"service_owner.org_no": "the API owner's organisation number (Skatteetaten: 974761076)",
	}
	for _, field := range []string{"vendor.org_no", "customer.org_no", "facilitator.org_no", "service_owner.org_no"} {
		val := map[string]string{"vendor.org_no": c.Vendor.OrgNo, "customer.org_no": c.Customer.OrgNo,
			"facilitator.org_no": c.Facilitator.OrgNo, "service_owner.org_no": c.ServiceOwner.OrgNo}[field]
		switch {
		case val == "":
			v.empty(field, orgFix[field])
		case len(val) != 9 || strings.Trim(val, "0123456789") != "":
			v.add(field, fmt.Sprintf("%q is not an organisation number", val), "nine digits, e.g. \"310904473\"")
		}
	}
	for _, field := range []string{"vendor.system_id", "vendor.agent_system_id"} {
		id := c.Vendor.SystemID
		if field == "vendor.agent_system_id" {
			id = c.Vendor.AgentSystemID
		}
		org, name := c.Vendor.OrgNo, "_smartcloud"
		if org == "" {
			org = "991825827"
		}
		if field == "vendor.agent_system_id" {
			name += "_ap"
		}
		example := org + name
		switch {
		case id == "":
			v.empty(field, fmt.Sprintf("your system's id in Altinn's system register: <vendor org no>_<name>, e.g. %q", example))
		case !strings.HasPrefix(id, c.Vendor.OrgNo+"_") || strings.ContainsAny(id, " \t"):
			v.add(field, fmt.Sprintf("%q does not start with the vendor's org number and _", id),
				fmt.Sprintf("Altinn wants <vendor org no>_<name> without spaces, e.g. %q (AUTH.VLD-00001)", example))
		}
	}
	if !strings.HasPrefix(c.Vendor.AccessPackage, "urn:altinn:accesspackage:") {
		v.add("vendor.access_package", fmt.Sprintf("%q is not an access package URN", c.Vendor.AccessPackage),
			"e.g. \"urn:altinn:accesspackage:ansvarlig-revisor\"")
	}
	if u, err := url.Parse(c.Vendor.RedirectURL); c.Vendor.RedirectURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		v.add("vendor.redirect_url", fmt.Sprintf("%q is not an absolute https URL", c.Vendor.RedirectURL), "Altinn accepts only https redirect URLs (AUTH.VLD-00005)")
	}
	if !strings.Contains(c.ServiceOwner.Scope, ":") {
		v.add("service_owner.scope", fmt.Sprintf("%q is not a Maskinporten scope", c.ServiceOwner.Scope), "prefix:name, e.g. \"skatteetaten:kravogbetalinger\"")
	}
	if c.ServiceOwner.Resource == "" {
		v.empty("service_owner.resource", "the Altinn resource tied to the scope, e.g. \"ske-krav-og-betalinger\"")
	}
}

// urls checks the services' URLs: absolute, no production host outside
// prod, plain http only on loopback.
func (v *validation) urls() {
	c := v.c
	for _, field := range []string{"maskinporten.url", "maskinporten.self_service_url", "maskinporten.audience", "altinn.url", "altinn.confirm_url", "skatteetaten.url"} {
		val := map[string]string{
			"maskinporten.url": c.Maskinporten.URL, "maskinporten.self_service_url": c.Maskinporten.SelfServiceURL,
			"maskinporten.audience": c.Maskinporten.Audience,
			"altinn.url":            c.Altinn.URL, "altinn.confirm_url": c.Altinn.ConfirmURL, "skatteetaten.url": c.Skatteetaten.URL,
		}[field]
		if val == "" {
			continue
		}
		u, err := url.Parse(val)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			v.add(field, fmt.Sprintf("%q is not an absolute URL", val), "e.g. \"https://test.maskinporten.no/\"")
		case c.Env != "prod" && slices.Contains(prodHosts, u.Hostname()):
			v.add(field, fmt.Sprintf("%q is a production host, but env is %q", val, c.Env),
				"remove it to use the env's own host; production only with env = \"prod\" and --allow-prod")
		case u.Scheme == "http" && !Loopback(u.Hostname()):
			v.add(field, fmt.Sprintf("%q is plain http", val), "real services are https; plain http only for the mocks on this machine (127.0.0.1, localhost)")
		}
	}
}

// network checks the [network] settings.
func (v *validation) network() {
	c := v.c
	if c.Network.Timeout != "" {
		if d, err := time.ParseDuration(c.Network.Timeout); err != nil || d <= 0 || d > 10*time.Minute {
			v.add("network.timeout", fmt.Sprintf("%q is not a timeout", c.Network.Timeout), "a duration up to 10m, e.g. \"30s\"")
		}
	}
	if c.Network.CAFile != "" {
		if err := checkCAFile(c.Network.CAFile); err != nil {
			v.add("network.ca_file", err.Error(), "a PEM file of the CA certificates to trust besides the system's (a company proxy's, or a test CA)")
		}
	}
	if c.Network.Retries < 0 || c.Network.Retries > 10 {
		v.add("network.retries", fmt.Sprintf("%d retries", c.Network.Retries), "0 (none) to 10; retries are for GETs only")
	}
}

// real checks what a real environment needs on top: the client, the key,
// the redirect URL, Skatteetaten's host, the service owner's pair.
func (v *validation) real() {
	c := v.c
	p := c.Profile()
	if c.Vendor.ClientID == "" {
		v.empty("vendor.client_id", "the client id of your Maskinporten client in Samarbeidsportalen (a UUID), or set WORKBENCH_CLIENT_ID")
	}
	switch {
	case c.Vendor.KeyFile == "":
		v.empty("vendor.key_file", "the path of your private key file; `workbench keys new` makes one (or set WORKBENCH_KEY_FILE)")
	case c.Vendor.KeyID == "" && keyNeedsKid(c.Vendor.KeyFile):
		v.empty("vendor.key_id", "the kid your public key was registered with in Samarbeidsportalen; `workbench keys new` printed it (or set WORKBENCH_KEY_ID)")
	}
	if c.Vendor.RedirectURL == "" {
		v.empty("vendor.redirect_url", "an https URL of yours where Altinn sends the person after they approve or reject")
	}
	if p.Skatteetaten == "" {
		v.empty("skatteetaten.url", "the Krav og betalinger host")
	}
	if (c.ServiceOwner.KeyFile == "") != (c.ServiceOwner.ClientID == "") {
		v.add("service_owner.client_id", "service_owner.client_id and service_owner.key_file go together",
			"set both to run the service owner's steps yourself, or neither to leave them to the service owner")
	}
}

// keyNeedsKid: a PEM key carries no kid, while a JWK names its own and a
// PKCS#12 certificate goes in the grant as x5c.
func keyNeedsKid(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext != ".json" && ext != ".jwk" && ext != ".jwks" && ext != ".p12" && ext != ".pfx"
}
