#!/usr/bin/env bash
# Scenario fix-wrong-aud: SmartCloud's system user token is refused with MP-110: make Maskinporten
# accept the grant.
# Recorded on 2026-12-01 10:55 UTC against the workbench's mock services by systembruker workbench
# 0.1.0; the run ended as expected: 13 of 13 steps done.
#
# One curl command per HTTP call of the run, in order. Tokens and ids that later calls use are
# captured into shell variables. The base URLs are the recorded run's: set MASKINPORTEN, ALTINN and
# so on to other hosts (for instance the URLs `workbench serve` prints) before running.
#
# Grants are JWTs signed with the vendor's (or service owner's) private key, which this file does
# not hold. A grant is single use and lives at most 120 s: the recorded ones were spent in the run,
# and Maskinporten refuses a grant it has seen before (MP-012). Before running, export a fresh grant
# in each *_GRANT variable (signed with your key, with a new jti), or replace a token call with
# `workbench token`, which signs a fresh grant and prints the system user token.
#
# Needs curl and jq.

set -euo pipefail
command -v jq >/dev/null || { echo 'this script needs jq' >&2; exit 1; }

MASKINPORTEN="${MASKINPORTEN:-http://127.0.0.1:43033}"
MASKINPORTEN="${MASKINPORTEN%/}"
ALTINN="${ALTINN:-http://127.0.0.1:39137}"
ALTINN="${ALTINN%/}"
SKATTEETATEN="${SKATTEETATEN:-http://127.0.0.1:36631}"
SKATTEETATEN="${SKATTEETATEN%/}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Cookie is redacted in the transcript: export yours.
COOKIE="${COOKIE:-}"


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 1. Service owner: Skatteetaten gets a Maskinporten token
#   Skatteetaten owns the Krav og betalinger API. To set it up in Altinn it authenticates like any
#   organisation: it signs a JWT grant with its own key and trades it at Maskinporten's /token for
#   an access token with the resource registry scope.

# GET /.well-known/oauth-authorization-server → 200 OK (recorded)
curl -sS --fail-with-body "${MASKINPORTEN}/.well-known/oauth-authorization-server" \
  -H "Accept: application/json"
echo

# GET /jwk → 200 OK (recorded)
curl -sS --fail-with-body "${MASKINPORTEN}/jwk" \
  -H "Accept: application/json"
echo

# The grant (signed with kid ske-api-2026): single use, so replaying this recorded one is refused
# with MP-012; export a fresh one as SKATTEETATEN_GRANT.
SKATTEETATEN_GRANT="${SKATTEETATEN_GRANT:-eyJhbGciOiJS…0akrFA}"
# POST /token → 200 OK (recorded)
# captures the Skatteetaten access token as SKATTEETATEN_TOKEN
SKATTEETATEN_TOKEN=$(curl -sS --fail-with-body -X POST "${MASKINPORTEN}/token" \
  -H "Accept: application/json" \
  --data-urlencode "assertion=${SKATTEETATEN_GRANT}" \
  --data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer" | jq -r '.access_token')


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 2. Service owner: Skatteetaten creates the API scope
#   An API protected by Maskinporten has a scope. Skatteetaten creates skatteetaten:kravogbetalinger
#   and gives SmartCloud's organisation access to it, so SmartCloud's client may ask for it.

# POST /api/v1/scopes → 201 Created (recorded)
curl -sS --fail-with-body -X POST "${MASKINPORTEN}/api/v1/scopes" \
  -H "Accept: application/json" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY
{
  "prefix": "skatteetaten",
  "subscope": "kravogbetalinger",
  "description": "Krav og betalinger",
  "owner_orgno": "974761076"
}
BODY
echo

# PUT /api/v1/scopes/access/991825827 → 200 OK (recorded)
curl -sS --fail-with-body -X PUT "${MASKINPORTEN}/api/v1/scopes/access/991825827?owner_orgno=974761076&scope=skatteetaten%3Akravogbetalinger" \
  -H "Accept: application/json"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 3. Service owner: Skatteetaten registers the resource in Altinn
#   Altinn decides who may use the API through a resource in its resource registry, tied to the
#   Maskinporten scope. Its policy says which rights and access packages give access; a system user
#   can only be given rights that exist as resources.

# POST /resourceregistry/api/v1/resource → 201 Created (recorded)
#   behind the scenes: Altinn → Maskinporten GET /jwk → 200 OK
curl -sS --fail-with-body -X POST "${ALTINN}/resourceregistry/api/v1/resource" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SKATTEETATEN_TOKEN}" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY
{
  "identifier": "ske-krav-og-betalinger",
  "title": {
    "en": "Claims and payments",
    "nb": "Krav og betalinger"
  },
  "description": {
    "nb": "Åpne krav, innbetalinger og utbetalinger hos Skatteetaten"
  },
  "status": "Completed",
  "resourceType": "GenericAccessResource",
  "delegable": true,
  "visible": true,
  "hasCompetentAuthority": {
    "organization": "974761076",
    "orgcode": "skd"
  },
  "resourceReferences": [
    {
      "referenceSource": "ExternalPlatform",
      "reference": "skatteetaten:kravogbetalinger",
      "referenceType": "MaskinportenScope"
    }
  ]
}
BODY
echo

# POST /resourceregistry/api/v1/resource/ske-krav-og-betalinger/policy → 201 Created (recorded)
cat > "$TMP/ske-krav-og-betalinger.xml" <<'PART'
<?xml version="1.0" encoding="utf-8"?>
<xacml:Policy xmlns:xacml="urn:oasis:names:tc:xacml:3.0:core:schema:wd-17" PolicyId="urn:altinn:policyid:ske-krav-og-betalinger" Version="1.0" RuleCombiningAlgId="urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:deny-overrides">
  <xacml:Target/>
  <xacml:Rule RuleId="urn:altinn:resource:ske-krav-og-betalinger:ruleid:1" Effect="Permit">
    <xacml:Description>Holders of the access package may read ske-krav-og-betalinger</xacml:Description>
    <xacml:Target>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">urn:altinn:accesspackage:ansvarlig-revisor</xacml:AttributeValue>
          <xacml:AttributeDesignator AttributeId="urn:altinn:accesspackage" Category="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject" DataType="http://www.w3.org/2001/XMLSchema#string" MustBePresent="false"/>
        </xacml:Match>
      </xacml:AllOf></xacml:AnyOf>
      <xacml:AnyOf><xacml:AllOf>
        <xacml:Match MatchId="urn:oasis:names:tc:xacml:1.0:function:string-equal">
          <xacml:AttributeValue DataType="http://www.w3.org/2001/XMLSchema#string">ske-krav-og-betalinger</xacml:AttributeValue>
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
PART
curl -sS --fail-with-body -X POST "${ALTINN}/resourceregistry/api/v1/resource/ske-krav-og-betalinger/policy" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SKATTEETATEN_TOKEN}" \
  -F "policyFile=@${TMP}/ske-krav-og-betalinger.xml;type=application/octet-stream"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 4. System vendor: SmartCloud has a key pair
#   SmartCloud proves who it is by signing grants with a private key that never leaves its servers.
#   The public half, with a key id (kid), is registered on its Maskinporten client.
#   (no HTTP calls in this step)


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 5. System vendor: SmartCloud registers its Maskinporten client
#   In Samarbeidsportalen (or Digdir's self-service API) SmartCloud creates a Maskinporten client
#   with the scopes it needs: Altinn's system register and request scopes and Skatteetaten's API
#   scope, and uploads its public key.

# POST /api/v1/clients → 201 Created (recorded)
# captures .client_id of the answer as CLIENT_ID
CLIENT_ID=$(curl -sS --fail-with-body -X POST "${MASKINPORTEN}/api/v1/clients" \
  -H "Accept: application/json" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY | jq -r '.client_id'
{
  "client_name": "SmartCloud AS – 991825827_smartcloud",
  "client_orgno": "991825827",
  "scopes": [
    "altinn:authentication/systemregister.write",
    "altinn:authentication/systemuser.request.write",
    "altinn:authentication/systemuser.request.read",
    "skatteetaten:kravogbetalinger"
  ],
  "integration_type": "maskinporten",
  "token_endpoint_auth_method": "private_key_jwt",
  "grant_types": [
    "urn:ietf:params:oauth:grant-type:jwt-bearer"
  ]
}
BODY
)
echo "CLIENT_ID=${CLIENT_ID}"

# POST /api/v1/clients/9f3abdc3-8639-458e-bc2c-f26b45721849/jwks → 201 Created (recorded)
curl -sS --fail-with-body -X POST "${MASKINPORTEN}/api/v1/clients/${CLIENT_ID}/jwks" \
  -H "Accept: application/json" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY
{
  "keys": [
    {
      "kty": "RSA",
      "kid": "smartcloud-demo-2026",
      "use": "sig",
      "alg": "RS256",
      "n": "nhyuLcbBEZdLbAiYtXfvhMyDiZ61-bUKhq7SsnvKnmz9ZgX3nhdwigq7UztRTCO_4Ysf0XZRTt3Dqh0ISe3PVdeoRv6f1n76qRVvSLlJazRucqvl_vo61gQpxmlhWU12LnGxNcNPCd1mUDPtD1NzkcTiORfjlxq7OZK7Idn1uVdnFC_GoYECqNunHehCcwx_EPS7NnTQr9ynyFM1cz4T0eYLK-Ok-n0Wv8IrP-3YoT6r7wZ1jLuPc0pWKzPw4r8LZW7C6BaguZ72DXZodyIl2ESKWxu-W3ibBlZh--zpH_0c_vTvRNEbEvznYx-Fu2MMw8PZkb0MNNza2_pTGpI3PQ",
      "e": "AQAB"
    }
  ]
}
BODY
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 6. System vendor: SmartCloud gets a token for Altinn's vendor APIs
#   To register its system and ask customers for system users, SmartCloud needs a plain Maskinporten
#   token (no system user yet) with Altinn's system register and request scopes.

# The grant (signed with kid smartcloud-demo-2026): single use, so replaying this recorded one is
# refused with MP-012; export a fresh one as SMARTCLOUD_GRANT.
SMARTCLOUD_GRANT="${SMARTCLOUD_GRANT:-eyJhbGciOiJS…qO-BgQ}"
# POST /token → 200 OK (recorded)
# captures the SmartCloud access token as SMARTCLOUD_TOKEN
SMARTCLOUD_TOKEN=$(curl -sS --fail-with-body -X POST "${MASKINPORTEN}/token" \
  -H "Accept: application/json" \
  --data-urlencode "assertion=${SMARTCLOUD_GRANT}" \
  --data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer" | jq -r '.access_token')


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 7. System vendor: SmartCloud registers its system in Altinn
#   The system register describes SmartCloud's product: its id (org number + name), the rights (or,
#   for an agent system, access packages) it will ask customers for, and the Maskinporten client ids
#   allowed to act as its system users. Without the client id here, Maskinporten answers MP-303
#   later. A system that is there already is compared with the config and updated (PUT) where it
#   differs.

# GET /authentication/api/v1/systemregister/vendor/991825827_smartcloud → 404 Not Found (recorded)
# The recorded run got an error here, as shown; the command does not stop the script on it.
curl -sS "${ALTINN}/authentication/api/v1/systemregister/vendor/991825827_smartcloud" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}"
echo

# POST /authentication/api/v1/systemregister/vendor → 200 OK (recorded)
curl -sS --fail-with-body -X POST "${ALTINN}/authentication/api/v1/systemregister/vendor" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY
{
  "id": "991825827_smartcloud",
  "vendor": {
    "authority": "iso6523-actorid-upis",
    "ID": "0192:991825827"
  },
  "name": {
    "en": "SmartCloud",
    "nb": "SmartCloud",
    "nn": "SmartCloud"
  },
  "description": {
    "en": "SmartCloud er verdens beste system.",
    "nb": "SmartCloud er verdens beste system.",
    "nn": "SmartCloud er verdens beste system."
  },
  "rights": [
    {
      "resource": [
        {
          "id": "urn:altinn:resource",
          "value": "ske-krav-og-betalinger"
        }
      ]
    }
  ],
  "clientId": [
    "${CLIENT_ID}"
  ],
  "isVisible": true,
  "allowedRedirectUrls": [
    "https://smartcloud.example/receipt"
  ]
}
BODY
echo

# GET /authentication/api/v1/systemregister/vendor/991825827_smartcloud → 200 OK (recorded)
curl -sS --fail-with-body "${ALTINN}/authentication/api/v1/systemregister/vendor/991825827_smartcloud" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 8. System vendor: SmartCloud asks the customer for a system user
#   SmartCloud creates a system user request for the customer's organisation. Altinn answers with a
#   confirmUrl: the customer's daglig leder (or the facilitator's client administrator, for an agent
#   request) opens it to approve. The same system, org and externalRef give back the same request
#   (200) instead of a new one (201), whatever its status.

# POST /authentication/api/v1/systemuser/request/vendor → 201 Created (recorded)
# captures .confirmUrl of the answer as CONFIRM_URL
# captures .id of the answer as REQUEST_ID
# (the system user approved from this request gets the same id: systemuser_id[0] in the token)
RESPONSE=$(curl -sS --fail-with-body -X POST "${ALTINN}/authentication/api/v1/systemuser/request/vendor" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}" \
  -H "Content-Type: application/json" \
  --data-binary @- <<BODY
{
  "systemId": "991825827_smartcloud",
  "partyOrgNo": "310904473",
  "integrationTitle": "SmartCloud for 310904473",
  "rights": [
    {
      "resource": [
        {
          "id": "urn:altinn:resource",
          "value": "ske-krav-og-betalinger"
        }
      ]
    }
  ],
  "redirectUrl": "https://smartcloud.example/receipt"
}
BODY
)
CONFIRM_URL=$(jq -r '.confirmUrl' <<<"$RESPONSE")
REQUEST_ID=$(jq -r '.id' <<<"$RESPONSE")
echo "CONFIRM_URL=${CONFIRM_URL}"
echo "REQUEST_ID=${REQUEST_ID}"


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 9. End user: Opens the confirm URL
#   The vendor sends the person the confirmUrl. Altinn's page shows which system asks, from which
#   vendor, and which rights or access packages it wants, for which organisation.

# GET /accessmanagement/ui/systemuser/request → 200 OK (recorded)
curl -sS --fail-with-body "${CONFIRM_URL}" \
  -H "Accept: text/html"
echo

# POST /accessmanagement/ui/login → 303 See Other (recorded)
curl -sS --fail-with-body -X POST "${ALTINN}/accessmanagement/ui/login" \
  -H "Accept: text/html" \
  -H "Origin: ${ALTINN}" \
  -H "Sec-Fetch-Site: same-origin" \
  --data-urlencode "pid=26917599853" \
  --data-urlencode "returnTo=/accessmanagement/ui/systemuser/request?id=${REQUEST_ID}&DONTCHOOSEREPORTEE=true"
echo

# GET /accessmanagement/ui/systemuser/request → 200 OK (recorded)
curl -sS --fail-with-body "${CONFIRM_URL}" \
  -H "Accept: text/html" \
  -H "Cookie: ${COOKIE}"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 10. End user: Approves (or rejects) the request
#   The person presses Approve (or Reject). Altinn checks that they may act for the organisation
#   (daglig leder, or client administrator at the facilitator) and, on approval, creates the system
#   user: from now on SmartCloud's client can get tokens for it.

# GET /accessmanagement/ui/systemuser/request → 200 OK (recorded)
curl -sS --fail-with-body "${CONFIRM_URL}" \
  -H "Accept: text/html" \
  -H "Cookie: ${COOKIE}"
echo

# POST /accessmanagement/ui/systemuser/request/approve → 303 See Other (recorded)
curl -sS --fail-with-body -X POST "${ALTINN}/accessmanagement/ui/systemuser/request/approve" \
  -H "Accept: text/html" \
  -H "Cookie: ${COOKIE}" \
  -H "Origin: ${ALTINN}" \
  -H "Sec-Fetch-Site: same-origin" \
  --data-urlencode "csrf=SQp_Ut8C8AuuE49yRHWeycm0hxywu10U5wsKhk-xeCU" \
  --data-urlencode "id=${REQUEST_ID}"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 11. System vendor: SmartCloud checks the request and finds the system user
#   SmartCloud polls the request until it is Accepted or Rejected, then looks up the new system
#   user. Nothing about the system user goes into SmartCloud's config: the token request names only
#   the owner's org number (and externalRef).

# GET /authentication/api/v1/systemuser/request/vendor/40c34380-4e40-4102-854a-63c19db87fa0 → 200 OK (recorded)
curl -sS --fail-with-body "${ALTINN}/authentication/api/v1/systemuser/request/vendor/${REQUEST_ID}" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}"
echo

# GET /authentication/api/v1/systemuser/vendor/byquery → 200 OK (recorded)
curl -sS --fail-with-body "${ALTINN}/authentication/api/v1/systemuser/vendor/byquery?external-ref=310904473&orgno=310904473&system-id=991825827_smartcloud" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SMARTCLOUD_TOKEN}"
echo


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 12. Operational phase: SmartCloud gets a system user token
#   Now the daily work: SmartCloud signs a grant whose authorization_details name the system user's
#   owner (type urn:altinn:systemuser, systemuser_org). Maskinporten checks the grant, asks Altinn
#   whether that org has a system user for SmartCloud's system and client, and issues a token
#   carrying systemuser_id, systemuser_org and system_id.

# The grant (signed with kid smartcloud-demo-2026): single use, so replaying this recorded one is
# refused with MP-012; export a fresh one as SYSTEM_USER_GRANT. Or skip this call:
# SYSTEM_USER_TOKEN=$(workbench token --org 310904473)
SYSTEM_USER_GRANT="${SYSTEM_USER_GRANT:-eyJhbGciOiJS…sCvUXA}"
# POST /token → 200 OK (recorded)
#   behind the scenes: Maskinporten → Altinn GET /authentication/api/v1/systemuser/byExternalId
#   → 200 OK
# captures the system user access token as SYSTEM_USER_TOKEN
SYSTEM_USER_TOKEN=$(curl -sS --fail-with-body -X POST "${MASKINPORTEN}/token" \
  -H "Accept: application/json" \
  --data-urlencode "assertion=${SYSTEM_USER_GRANT}" \
  --data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer" | jq -r '.access_token')


# ──────────────────────────────────────────────────────────────────────────────────────────────────
# Step 13. Operational phase: SmartCloud fetches the open tax claims
#   SmartCloud calls Krav og betalinger with the token. Skatteetaten verifies it against
#   Maskinporten's keys, then asks Altinn's PDP whether this system user may read
#   ske-krav-og-betalinger for the org in the path, and returns the outstanding claims.

# GET /api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav → 200 OK (recorded)
#   behind the scenes: Skatteetaten → Maskinporten GET /jwk → 200 OK
#   behind the scenes: Skatteetaten → Maskinporten POST /token → 200 OK
#   behind the scenes: Skatteetaten → Altinn GET /authentication/api/v1/exchange/maskinporten →
#   200 OK
#   behind the scenes: Skatteetaten → Altinn POST /authorization/api/v1/authorize → 200 OK
curl -sS --fail-with-body "${SKATTEETATEN}/api/innkreving/kravogbetalinger/v1/regnskapssystem/310904473/aapnekrav" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer ${SYSTEM_USER_TOKEN}"
echo

