package client

import (
	"context"
	"testing"
)

func TestContractSystemUserJSON(t *testing.T) {
	// §5: byExternalId's doc example, with keys the current DTO no longer
	// has (systemInternalId, partyId), which must be ignored.
	s := serve(t, 200, "application/json", `{ "id": "704013ee-e82a-433e-83c5-a40e6e00d746", "integrationTitle": "SmartCloud", "systemId": "991825827_smartcloud",
  "productName": "991825827_smartcloud", "systemInternalId": "6eeac941-8685-49ad-a195-e60542e72d45", "partyId": "51655537",
  "reporteeOrgNo": "313775429", "created": "2024-11-15T09:36:50.451886Z", "isDeleted": false, "supplierName": "",
  "supplierOrgno": "991825827", "externalRef": "313775429" }`)
	su, err := NewSystemUsers(s.URL, s.Client()).ByQuery(context.Background(), "tok", "991825827_smartcloud", "313775429", "")
	if err != nil || su.ID != "704013ee-e82a-433e-83c5-a40e6e00d746" || su.ReporteeOrgNo != "313775429" || su.SupplierOrgNo != "991825827" || su.ExternalRef != "313775429" {
		t.Fatalf("%+v %v", su, err)
	}
}
