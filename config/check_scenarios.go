package config

import "fmt"

// checkScenarios warns about what a scenario beyond the standard one needs
// that the config does not give: `config check` should not say "No
// problems." about a config the agent scenario fails with.
func checkScenarios(c *Config, add func(Finding)) {
	if !c.Real() {
		return // the mocks make their own clients
	}
	switch {
	case c.Vendor.AgentClientID == "":
		add(Finding{Level: Warning, Field: "vendor.agent_client_id",
			Text: fmt.Sprintf("empty: the agent scenario would register %s with vendor.client_id, which %s lists already, "+
				"and Altinn ties a client id to one system: AUTH.VLD-00004", orDash(c.Vendor.AgentSystemID), orDash(c.Vendor.SystemID)),
			Fix: "make a second Maskinporten client with the same scopes and key in Samarbeidsportalen and put its id here " +
				"(only the agent scenario and `token --agent` need it)"})
	case c.Vendor.AgentClientID == c.Vendor.ClientID:
		add(Finding{Level: Warning, Field: "vendor.agent_client_id",
			Text: "the same as vendor.client_id: Altinn ties a client id to one system (AUTH.VLD-00004)",
			Fix:  "use a second Maskinporten client for the agent system"})
	}
	if c.Vendor.AgentSystemID != "" && c.Vendor.AgentSystemID == c.Vendor.SystemID {
		add(Finding{Level: Warning, Field: "vendor.agent_system_id",
			Text: "the same as vendor.system_id: the agent system asks for access packages, the standard one for rights",
			Fix:  "give the agent system its own id, e.g. " + c.Vendor.OrgNo + "_smartcloud_ap"})
	}
	if c.Facilitator.OrgNo == c.Customer.OrgNo && c.Customer.OrgNo != "" {
		add(Finding{Level: Warning, Field: "facilitator.org_no",
			Text: "the same as customer.org_no: in the agent scenario the facilitator serves the customer as its client",
			Fix:  "a facilitator (an accountant or auditor) that has the customer as a client in this environment"})
	}
}
