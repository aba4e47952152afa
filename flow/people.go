package flow

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The people of the flow, named by what is known of them: a configured
// name (the mocks' test persons), else their role at the organisation,
// which is what the workbench knows against a real Altinn.

// EndUserLabel names who approves a standard request: the configured
// person, else "the daglig leder of <customer>".
func (s Settings) EndUserLabel() string {
	if strings.TrimSpace(s.EndUserName) != "" {
		return s.EndUserName
	}
	return "the daglig leder of " + orgLabel(s.CustomerName, s.CustomerOrgNo)
}

// ClientAdminLabel names the facilitator's client administrator: the
// configured person, else "the client administrator of <facilitator>".
func (s Settings) ClientAdminLabel() string {
	if strings.TrimSpace(s.ClientAdminName) != "" {
		return s.ClientAdminName
	}
	return "the client administrator of " + orgLabel(s.FacilitatorName, s.FacilitatorOrgNo)
}

// CustomerLabel names the customer: its name, else its org number.
func (s Settings) CustomerLabel() string { return orgLabel(s.CustomerName, s.CustomerOrgNo) }

func orgLabel(name, orgNo string) string {
	switch {
	case strings.TrimSpace(name) != "":
		return name
	case orgNo != "":
		return orgNo
	}
	return "the organisation"
}

// upperFirst starts a sentence with a label ("The daglig leder of ...").
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
