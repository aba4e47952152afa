// An integrator's client of `workbench serve`, written with the jose library
// and only the README's seed format: it registers its own key through the
// seed, gets a system user token, verifies it against the JWKS, calls
// Krav og betalinger, and checks that Maskinporten's rules reject bad grants.
// It also makes a system user request, has the seeded daglig leder approve
// it, and checks the contract of the real services (spec Corrections):
// systemuser_id[0] is the request's id, the server's clock rules, AUTH-00058,
// the request JSON without nulls and with timedOut, statusDescription in a
// problem, and the portal-only Location. It lists its system's system users
// page by page, following links.next to the last one of a seed with more
// than a page holds (the seed's pageSize). Then `serve --addr --demo`: the
// prefixed layout, a token with the demo files, the confirm page's login
// cookie under the prefix, and the request log.
//
// Usage: node client.mjs PATH-TO-WORKBENCH-BINARY
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import * as jose from "jose";

const bin = process.argv[2];
if (!bin) {
  console.error("usage: node client.mjs WORKBENCH-BINARY");
  process.exit(2);
}

const clientId = "interop-" + randomUUID();
const kid = "interop-key-1";
const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, use: "sig", alg: "RS256" };
const right = { resource: [{ id: "urn:altinn:resource", value: "ske-krav-og-betalinger" }] };
const seed = {
  clients: [{
    client_id: clientId, client_orgno: "991825827", jwks: { keys: [publicJwk] },
    scopes: ["skatteetaten:kravogbetalinger", "altinn:authentication/systemuser.request.write", "altinn:authentication/systemuser.request.read",
      "altinn:authentication/systemregister.write"],
  }],
  systems: [{
    id: "991825827_interop", vendor: { authority: "iso6523-actorid-upis", ID: "0192:991825827" },
    name: { nb: "Interop" }, description: { nb: "Interop test" }, rights: [right], clientId: [clientId], isVisible: true,
  }, {
    id: "991825827_interop_ap", vendor: { authority: "iso6523-actorid-upis", ID: "0192:991825827" },
    name: { nb: "Interop agent" }, description: { nb: "Interop test" }, clientId: [clientId + "-agent"], isVisible: false,
    accessPackages: [{ urn: "urn:altinn:accesspackage:ansvarlig-revisor" }],
  }],
  systemUsers: [{ systemId: "991825827_interop", partyOrgNo: "310904473", rights: [right] }],
  // Altinn's lists are paginated; three a page, so eight system users take three pages.
  pageSize: 3,
};
const pagedRefs = Array.from({ length: 7 }, (_, i) => `paged-${i + 1}`);
for (const externalRef of pagedRefs) {
  seed.systemUsers.push({ systemId: "991825827_interop", partyOrgNo: "310904473", externalRef, rights: [right] });
}
const dir = mkdtempSync(join(tmpdir(), "wb-interop-"));
const seedFile = join(dir, "seed.json");
writeFileSync(seedFile, JSON.stringify(seed, null, 2));

// startServe runs `workbench serve ARGS` and waits for its three NAME URL
// lines; its stderr (the request log) is kept, and shown when a check fails.
async function startServe(args) {
  const proc = spawn(bin, ["serve", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const urls = {};
  const log = [];
  createInterface({ input: proc.stderr }).on("line", (line) => log.push(line));
  const lines = createInterface({ input: proc.stdout });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve printed no URLs within 10 s")), 10000);
    proc.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${log.join("\n")}`)));
    lines.on("line", (line) => {
      const [name, url] = line.trim().split(/\s+/);
      urls[name] = url;
      if (urls.maskinporten && urls.altinn && urls.skatteetaten) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { proc, urls, log };
}

const { proc: serve, urls, log: serveLog } = await startServe(["--seed", seedFile]);

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

try {
  const meta = await (await fetch(urls.maskinporten + ".well-known/oauth-authorization-server")).json();
  check(meta.issuer === urls.maskinporten && meta.token_endpoint && meta.jwks_uri, "well-known names issuer, token endpoint and jwks_uri");

  const grant = async (over = {}, key = privateKey, headerKid = kid) => {
    const now = Math.floor(Date.now() / 1000);
    const iat = now + (over.iat ?? 0);
    const claims = {
      scope: "skatteetaten:kravogbetalinger",
      authorization_details: [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:310904473" } }],
      ...over.claims,
    };
    return new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: headerKid })
      .setIssuer(clientId)
      .setAudience(over.aud ?? meta.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(over.exp !== undefined ? now + over.exp : iat + (over.lifetime ?? 120))
      .setJti(randomUUID())
      .sign(key);
  };
  const token = async (assertion) => {
    const res = await fetch(meta.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
    });
    return { status: res.status, body: await res.json() };
  };

  const assertion = await grant();
  const ok = await token(assertion);
  check(ok.status === 200 && ok.body.token_type === "Bearer", `token endpoint answers 200 (${ok.status} ${ok.body.error_description ?? ""})`);

  const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
  const { payload, protectedHeader } = await jose.jwtVerify(ok.body.access_token, jwks, { issuer: meta.issuer });
  const ad = payload.authorization_details?.[0] ?? {};
  check(protectedHeader.alg === "RS256" && protectedHeader.kid, "access token is RS256 with a kid, verified against the JWKS");
  check(ad.type === "urn:altinn:systemuser" && ad.systemuser_org?.ID === "0192:310904473", "token carries the system user for 310904473");
  check(Array.isArray(ad.systemuser_id) && ad.systemuser_id.length === 1 && ad.system_id === "991825827_interop", "systemuser_id array and system_id");
  check(payload.consumer?.ID === "0192:991825827" && payload.client_id === clientId, "consumer and client_id");

  // serve prints Krav og betalinger's base URL, its path included.
  const api = await fetch(urls.skatteetaten + "v1/regnskapssystem/310904473/aapnekrav", {
    headers: { Authorization: "Bearer " + ok.body.access_token },
  });
  const claims = await api.json();
  check(api.status === 200 && Array.isArray(claims.aapentKravMedGjenstaaendeBeloep), `Krav og betalinger answers 200 with claims (${api.status})`);

  const other = (await jose.generateKeyPair("RS256", { modulusLength: 2048 })).privateKey;
  const rules = [
    ["reused grant", () => assertion, "MP-012"],
    ["wrong aud", () => grant({ aud: "https://maskinporten.no/" }), "MP-110"],
    ["wrong key", () => grant({}, other), "MP-124"],
    ["unknown kid", () => grant({}, privateKey, "nope"), "MP-124"],
    ["lifetime 300 s", () => grant({ lifetime: 300 }), "invalid_grant"],
    ["no system user for the org", () => grant({ claims: { authorization_details: [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:314250052" } }] } }), "MP-303"],
    ["unknown authorization_details type", () => grant({ claims: { authorization_details: [{ type: "urn:altinn:nope" }] } }), "MP-301"],
    ["unknown field", () => grant({ claims: { authorization_details: [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:310904473" }, extra: 1 }] } }), "MP-302"],
    ["scope not on the client", () => grant({ claims: { scope: "altinn:authorization/authorize" } }), "MP-200"],
  ];
  for (const [name, make, want] of rules) {
    const r = await token(await make());
    const got = `${r.body.error} ${r.body.error_description ?? ""}`;
    check(r.status >= 400 && got.includes(want), `${name} → ${want} (got ${r.status} ${got})`);
  }

  // Maskinporten's clock rules, as its server applies them (spec Corrections 1).
  const clock = [
    ["an iat 60 s old", { iat: -60, exp: 60 }, 200, ""],
    ["exp 5 s past (10 s of grace)", { iat: -65, exp: -5 }, 200, ""],
    ["exp 15 s past", { iat: -75, exp: -15 }, 400, "MP-130"],
  ];
  for (const [name, over, want, id] of clock) {
    const r = await token(await grant(over));
    const got = `${r.body.error ?? ""} ${r.body.error_description ?? ""}`;
    check(r.status === want && (want === 200 || (r.body.error === "invalid_grant" && got.includes(id))),
      `${name} → ${want} ${id} (got ${r.status} ${got})`);
  }

  // The vendor's system user request, through Altinn's request API.
  const altinn = async (method, path, bearer, body) => {
    const res = await fetch(urls.altinn + path, {
      method,
      headers: { Authorization: "Bearer " + bearer, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      redirect: "manual",
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  };
  // The vendor's list of its system's system users: follow links.next until
  // a page has none. The first page alone misses most of them.
  const registerToken = (await token(await grant({ claims: {
    scope: "altinn:authentication/systemregister.write", authorization_details: undefined,
  } }))).body.access_token;
  let next = urls.altinn + "authentication/api/v1/systemuser/vendor/bysystem/991825827_interop";
  const listed = [];
  let pages = 0;
  let firstPage = 0;
  while (next && pages < 20) {
    const res = await fetch(next, { headers: { Authorization: "Bearer " + registerToken } });
    const page = await res.json();
    if (res.status !== 200 || !Array.isArray(page.data)) {
      check(false, `list page ${pages + 1}: ${res.status} ${JSON.stringify(page)}`);
      break;
    }
    if (pages === 0) firstPage = page.data.length;
    listed.push(...page.data.map((u) => u.externalRef));
    pages++;
    next = page.links?.next;
  }
  check(firstPage === 3 && listed.length === 8 && pages === 3 && listed.at(-1) === pagedRefs.at(-1) && new Set(listed).size === 8,
    `links.next leads to the last system user: ${listed.length} in ${pages} pages, the first page ${firstPage}, the last ${listed.at(-1)}`);

  const vendorToken = (await token(await grant({ claims: {
    scope: "altinn:authentication/systemuser.request.write altinn:authentication/systemuser.request.read", authorization_details: undefined,
  } }))).body.access_token;
  const externalRef = "interop-" + randomUUID();
  const created = await altinn("POST", "authentication/api/v1/systemuser/request/vendor", vendorToken, {
    systemId: "991825827_interop", partyOrgNo: "310904473", externalRef, rights: [right],
  });
  const request = created.body ?? {};
  check(created.status === 201 && request.status === "New", `request created (${created.status})`);
  const nulls = [];
  const findNulls = (v, path) => {
    if (v === null) nulls.push(path);
    else if (typeof v === "object") for (const [k, x] of Object.entries(v)) findNulls(x, `${path}.${k}`);
  };
  findNulls(request, "$");
  check(nulls.length === 0, `no null keys in the request's JSON (${nulls.join(", ") || "none"})`);
  check(request.timedOut === false, `timedOut is on the wire (${request.timedOut})`);
  const location = created.headers.get("location");
  const portal = await fetch(location, { headers: { Authorization: "Bearer " + vendorToken } });
  check(location === urls.altinn + "authentication/api/v1/systemuser/request/" + request.id && portal.status === 403,
    `GET systemuser/request/{id} (the Location, ${location}) with a vendor token → 403 (got ${portal.status})`);

  const agent = await altinn("POST", "authentication/api/v1/systemuser/request/vendor/agent", vendorToken, {
    systemId: "991825827_interop_ap", partyOrgNo: "314250052", accessPackages: [],
  });
  check(agent.status === 400 && agent.body?.code === "AUTH-00058", `agent request with "accessPackages": [] → AUTH-00058 (got ${agent.status} ${agent.body?.code})`);
  check(typeof agent.body?.statusDescription === "string" && agent.body.statusDescription !== "",
    `statusDescription in a problem body (${agent.body?.statusDescription})`);

  // The seeded daglig leder approves; the system user's id is the request's.
  const person = await (await fetch(urls.altinn + "testtools/personaltoken?pid=26917599853")).text();
  const approved = await altinn("POST", `authentication/api/v1/systemuser/request/51390520/${request.id}/approve`, person);
  check(approved.status === 200, `the daglig leder approves (${approved.status} ${approved.text.trim()})`);
  const su = await token(await grant({ claims: {
    authorization_details: [{ type: "urn:altinn:systemuser", externalRef, systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:310904473" } }],
  } }));
  const suClaims = su.status === 200 ? jose.decodeJwt(su.body.access_token) : {};
  const suID = suClaims.authorization_details?.[0]?.systemuser_id?.[0];
  check(suID === request.id, `systemuser_id[0] is the approved request's id (${suID} vs ${request.id})`);
} catch (e) {
  check(false, "unexpected: " + (e.stack ?? e));
} finally {
  serve.kill("SIGINT");
}
if (failures > 0) console.log("serve's request log:\n" + serveLog.join("\n"));

await prefixedLayout();
console.log(failures === 0 ? "interop: all checks passed" : `interop: ${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);

// serve --addr --demo: the three services on one listener under their path
// prefixes, the knobs and the health check on the root, a token with the
// demo files, the confirm page's login cookie under /altinn/, and the
// request log naming a refused grant's code.
async function prefixedLayout() {
  const before = failures;
  const demo = mkdtempSync(join(tmpdir(), "wb-interop-demo-"));
  const { proc, urls, log } = await startServe(["--addr", "127.0.0.1:0", "--demo", demo]);
  try {
    const root = urls.maskinporten.replace(/maskinporten\/$/, "");
    check(root.startsWith("http://127.0.0.1:") && urls.altinn === root + "altinn/" &&
      urls.skatteetaten === root + "skatteetaten/api/innkreving/kravogbetalinger/",
      `--addr: the services under /maskinporten/, /altinn/, /skatteetaten/ of ${root}`);
    const meta = await (await fetch(urls.maskinporten + ".well-known/oauth-authorization-server")).json();
    check(meta.issuer === urls.maskinporten && meta.jwks_uri === urls.maskinporten + "jwk" && meta.token_endpoint === urls.maskinporten + "token",
      `--addr: the issuer, jwks_uri and token endpoint under the prefix (${meta.issuer})`);
    const health = await fetch(root + "mock/health");
    check(health.status === 200, `--addr: GET /mock/health → 200 (${health.status})`);
    const clock = await fetch(root + "mock/clock");
    check(clock.status === 200, `--addr: the clock knob at /mock/clock on the root (${clock.status})`);

    // The demo files: the key serve wrote, the client and kid its seed registers.
    const seed = JSON.parse(readFileSync(join(demo, "demo-seed.json"), "utf8"));
    const client = seed.clients[0];
    const key = await jose.importPKCS8(readFileSync(join(demo, "demo-key.pem"), "utf8"), "RS256");
    const grant = (claims, aud = meta.issuer) => {
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({ scope: "skatteetaten:kravogbetalinger", ...claims })
        .setProtectedHeader({ alg: "RS256", kid: client.jwks.keys[0].kid })
        .setIssuer(client.client_id).setAudience(aud).setIssuedAt(now).setExpirationTime(now + 60).setJti(randomUUID())
        .sign(key);
    };
    const token = async (assertion) => {
      const res = await fetch(meta.token_endpoint, {
        method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      });
      return { status: res.status, body: await res.json() };
    };
    const su = [{ type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: "0192:310904473" } }];
    const tok = await token(await grant({ authorization_details: su }));
    check(tok.status === 200, `--demo: the demo client gets a system user token (${tok.status} ${tok.body.error_description ?? ""})`);
    const { payload } = await jose.jwtVerify(tok.body.access_token, jose.createRemoteJWKSet(new URL(meta.jwks_uri)), { issuer: meta.issuer });
    check(payload.authorization_details?.[0]?.system_id === seed.systems[0].id, "--demo: the token verifies and names the demo system");
    const api = await fetch(urls.skatteetaten + "v1/regnskapssystem/310904473/aapnekrav", { headers: { Authorization: "Bearer " + tok.body.access_token } });
    check(api.status === 200, `--addr: Krav og betalinger under /skatteetaten/ answers 200 (${api.status})`);
    const prod = await token(await grant({ authorization_details: su }, "https://maskinporten.no/"));
    check(prod.status === 400 && prod.body.error_description.includes("MP-110"), `--addr: production's aud → MP-110 (${prod.status})`);

    // A request, and its confirm page's login: the cookie follows /altinn/.
    const vendor = (await token(await grant({ scope: "altinn:authentication/systemuser.request.write" }))).body.access_token;
    const created = await fetch(urls.altinn + "authentication/api/v1/systemuser/request/vendor", {
      method: "POST", headers: { Authorization: "Bearer " + vendor, "Content-Type": "application/json" },
      body: JSON.stringify({ systemId: seed.systems[0].id, partyOrgNo: "310904473", externalRef: "interop-" + randomUUID(), rights: seed.systems[0].rights }),
    });
    const request = await created.json();
    check(created.status === 201 && created.headers.get("location")?.startsWith(urls.altinn) && request.confirmUrl?.startsWith(urls.altinn + "accessmanagement/ui/"),
      `--addr: the request's Location and confirmUrl under /altinn/ (${created.status} ${request.confirmUrl})`);
    const page = await (await fetch(request.confirmUrl)).text();
    const action = page.match(/<form id="login" method="post" action="([^"]+)">/)?.[1];
    const returnTo = page.match(/name="returnTo" value="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    check(action === "/altinn/accessmanagement/ui/login", `--addr: the login form posts to /altinn/accessmanagement/ui/login (${action})`);
    const login = await fetch(new URL(action, root), {
      method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ pid: "26917599853", returnTo }),
    });
    const cookie = login.headers.get("set-cookie") ?? "";
    check(login.status === 303 && /Path=\/altinn\/accessmanagement\/ui\//.test(cookie) && login.headers.get("location")?.startsWith("/altinn/accessmanagement/ui/systemuser/"),
      `--addr: the login's session cookie has Path=/altinn/accessmanagement/ui/ (${login.status} ${cookie.replace(/=[^;]+;/, "=…;")})`);

    await new Promise((r) => setTimeout(r, 50)); // the log lines of the last requests
    check(log.some((l) => l.includes("path=/maskinporten/token") && l.includes("code=MP-110") && l.includes("rule=")),
      "--addr: the request log names the refused grant's code and rule");
  } catch (e) {
    check(false, "unexpected: " + (e.stack ?? e));
  } finally {
    proc.kill("SIGINT");
  }
  if (failures > before) console.log("serve --addr's request log:\n" + log.join("\n"));
}
