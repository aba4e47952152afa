package flow

import (
	"context"
	"fmt"
	"strings"

	"github.com/systembruker/workbench/client"
)

// The service owner's steps: Skatteetaten sets up its API in Maskinporten
// and Altinn.

func stepServiceOwnerToken() Step {
	return Step{
		ID: "so-token", Actor: ServiceOwner, Title: "Skatteetaten gets a Maskinporten token",
		Explain: "Skatteetaten owns the Krav og betalinger API. To set it up in Altinn it authenticates " +
			"like any organisation: it signs a JWT grant with its own key and trades it at Maskinporten's " +
			"/token for an access token with the resource registry scope.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("its own Maskinporten client and token") {
				return nil
			}
			tok, err := r.getToken(ctx, tokenRequest{
				label: "Skatteetaten", key: r.set.ServiceOwnerKey,
				grant: r.plainGrant(r.set.ServiceOwnerClientID, []string{"altinn:resourceregistry/resource.write"}),
			})
			r.state.ServiceOwnerToken = tok
			return err
		},
	}
}

func stepServiceOwnerScope() Step {
	return Step{
		ID: "so-scope", Actor: ServiceOwner, Title: "Skatteetaten creates the API scope",
		Explain: "An API protected by Maskinporten has a scope. Skatteetaten creates " +
			"skatteetaten:kravogbetalinger and gives SmartCloud's organisation access to it, so " +
			"SmartCloud's client may ask for it.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("the scope " + r.set.Scope + ", open to " + r.set.VendorOrgNo) {
				return nil
			}
			prefix, sub, _ := strings.Cut(r.set.Scope, ":")
			_, err := r.svc.SelfService.CreateScope(ctx, client.Scope{
				Prefix: prefix, Subscope: sub, Description: "Krav og betalinger", OwnerOrgNo: r.set.ServiceOwnerOrgNo,
			})
			if err := r.ignoreExists(err, "scope "+r.set.Scope); err != nil {
				return err
			}
			return r.svc.SelfService.GrantScopeAccess(ctx, r.set.ServiceOwnerOrgNo, r.set.Scope, r.set.VendorOrgNo)
		},
	}
}

func stepServiceOwnerResource() Step {
	return Step{
		ID: "so-resource", Actor: ServiceOwner, Title: "Skatteetaten registers the resource in Altinn",
		Explain: "Altinn decides who may use the API through a resource in its resource registry, tied " +
			"to the Maskinporten scope. Its policy says which rights and access packages give access; " +
			"a system user can only be given rights that exist as resources.",
		Manual: true,
		run: func(ctx context.Context, r *runCtx) error {
			if r.serviceOwnerElsewhere("the resource " + r.set.Resource + " tied to " + r.set.Scope) {
				return nil
			}
			err := r.svc.Resources.Create(ctx, r.state.ServiceOwnerToken, client.Resource{
				Identifier:   r.set.Resource,
				Title:        map[string]string{"nb": "Krav og betalinger", "en": "Claims and payments"},
				Description:  map[string]string{"nb": "Åpne krav, innbetalinger og utbetalinger hos Skatteetaten"},
				ResourceType: "GenericAccessResource", Status: "Completed", Delegable: true, Visible: true,
				HasCompetentAuthority: client.CompetentAuthority{Organization: r.set.ServiceOwnerOrgNo, OrgCode: "skd"},
				ResourceReferences: []client.ResourceReference{{
					ReferenceSource: "ExternalPlatform", Reference: r.set.Scope, ReferenceType: "MaskinportenScope",
				}},
			})
			if err := r.ignoreExists(err, "resource "+r.set.Resource); err != nil {
				return err
			}
			return r.svc.Resources.UploadPolicy(ctx, r.state.ServiceOwnerToken, r.set.Resource, Policy(r.set.Resource, r.set.AccessPackage))
		},
	}
}

// Policy is a minimal XACML 3.0 policy for the resource: system users with
// the right, and holders of the access package, may read it.
func Policy(resource, accessPackage string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<xacml:Policy xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17" PolicyId="urn:altinn:policyid:%[1]s" Version="1.0" RuleCombiningAlgId="urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:deny-overrides">
  <xacml:Target/>
  <xacml:Rule RuleId="urn:altinn:resource:%[1]s:ruleid:1" Effect="Permit">
    <xacml:Description>Holders of the access package may read %[1]s</xacml:Description>
    <xacml:Target>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">%[2]s</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:accesspackage" Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">%[1]s</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:resource" Category="urn:oasis:names:tc:xacml:3.0:attribute-category:resource" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">read</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:oasis:names:tc:xacml:1.0:action:action-id" Category="urn:oasis:names:tc:xacml:3.0:attribute-category:action" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
    </xacml:Target>
  </xacml:Rule>
</xacml:Policy>
`, xmlEscape(resource), xmlEscape(accessPackage)))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
