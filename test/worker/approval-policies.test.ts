import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { GateView } from "../../src/approvals/gate-view";
import { toBase64Url } from "../../src/lib/crypto";
import {
  adminAuth,
  bearer,
  call,
  callJson,
  slackClick as clickInSlack,
  createToken,
  expectError,
  fakeCluster,
  putCluster,
  receiver,
} from "./helpers";

// Approval policies people ask for: a quorum of distinct people across channels, no
// self-approval, change windows, break-glass overrides, Cloudflare Access identities, and the
// audit of every attempt.

const NS = "policies";
const SLACK_KEY = "policies-slack";
const SIGNING_SECRET = "policies-signing-secret";
const BOT_TOKEN = "xoxb-policies";
const TEAM = `${(env as unknown as { RECEIVER_URL: string }).RECEIVER_URL}/access/hookline-team`;
const AUDIENCE = "hookline-test-audience";

async function put(path: string, body: unknown) {
  const response = await callJson(`/api/v1/${path}`, "PUT", body);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
}

async function readGate(id: string): Promise<GateView> {
  const response = await call(`/api/v1/namespaces/${NS}/approvals/${id}`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return (await response.json()) as GateView;
}

async function createGate(policy: string, extra: Record<string, unknown> = {}): Promise<GateView> {
  const response = await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy, ...extra });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as GateView;
}

async function audit(id: string) {
  const response = await call(`/api/v1/namespaces/${NS}/approvals/${id}/audit`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return (
    (await response.json()) as {
      items: Array<{ at: string; by: string; via: string; action: string; counted: boolean; reason: string }>;
    }
  ).items;
}

/** A token with approvals:decide (its console identity is `console:<name>`), made anew. */
async function decider(name: string): Promise<string> {
  await call(`/api/v1/tokens/${name}`, { method: "DELETE", headers: adminAuth });
  return createToken({ name, namespaces: [NS], scopes: ["approvals:decide", "approvals:read"] });
}

function decide(id: string, token: string, body: Record<string, unknown>) {
  return callJson(`/api/v1/namespaces/${NS}/approvals/${id}/decision`, "POST", body, bearer(token));
}

/** The Slack app the policies send their requests through (bot token: users.info reads emails). */
async function slackApp(emails: Record<string, string> = {}) {
  await receiver.behave(SLACK_KEY, { secret: BOT_TOKEN, slackEmails: emails });
  await put("notifications/services/policies-slack", {
    type: "slack",
    token: BOT_TOKEN,
    apiUrl: `${receiver.url}/slackapi/${SLACK_KEY}/api`,
    signingSecret: SIGNING_SECRET,
  });
}

async function buttonValue(gate: string): Promise<string> {
  return vi.waitFor(
    async () => {
      for (const request of await receiver.requests(SLACK_KEY)) {
        if (!request.path.endsWith("/chat.postMessage") || !request.body.includes(gate)) continue;
        const message = JSON.parse(request.body) as {
          blocks: Array<{ type: string; elements?: Array<{ value?: string }> }>;
        };
        const value = message.blocks.find((block) => block.type === "actions")?.elements?.[0]?.value;
        if (value) return value;
      }
      throw new Error(`request not posted yet: ${JSON.stringify((await readGate(gate)).messages)}`);
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** A signed Slack click; resolves with hookline's answer to the clicker. */
const slackClick = (value: string, user: string, approve = true) =>
  clickInSlack(SLACK_KEY, SIGNING_SECRET, { value, user, approve });

// Cloudflare Access: a team key pair, its JWKS served by the receiver, assertions signed with it.
const keyPair = crypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true,
  ["sign", "verify"],
) as Promise<CryptoKeyPair>;
const otherPair = crypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true,
  ["sign", "verify"],
) as Promise<CryptoKeyPair>;

async function publishKeys(): Promise<void> {
  const jwk = (await crypto.subtle.exportKey("jwk", (await keyPair).publicKey)) as JsonWebKey;
  await receiver.behave("hookline-team", {
    jwks: { keys: [{ kid: "team-key-1", kty: "RSA", alg: "RS256", n: jwk.n, e: jwk.e }] },
  });
}

const encode = (value: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));

/** An Access assertion for `email`, signed as Access signs it (overrides for the refusal cases). */
async function accessJwt(
  email: string,
  overrides: { aud?: string; exp?: number; kid?: string; key?: CryptoKey; iss?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const head = encode({ alg: "RS256", kid: overrides.kid ?? "team-key-1", typ: "JWT" });
  const claims = encode({
    aud: [overrides.aud ?? AUDIENCE],
    email,
    exp: overrides.exp ?? now + 3600,
    iat: now - 10,
    nbf: now - 10,
    iss: overrides.iss ?? TEAM,
    sub: `sub-${email}`,
    type: "app",
  });
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    overrides.key ?? (await keyPair).privateKey,
    new TextEncoder().encode(`${head}.${claims}`),
  );
  return `${head}.${claims}.${toBase64Url(new Uint8Array(signature))}`;
}

/** A console page with an Access assertion (no cookie). */
function consolePage(path: string, jwt: string, init: RequestInit = {}) {
  return call(path, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), "cf-access-jwt-assertion": jwt },
  });
}

/** Decides a gate in the console as an Access identity: its page's CSRF token, then the form. */
async function consoleDecide(id: string, jwt: string, fields: Record<string, string>): Promise<Response> {
  const pageHtml = await (await consolePage(`/ui/namespaces/${NS}/approvals/${id}`, jwt)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(pageHtml)?.[1] ?? "";
  return consolePage(`/ui/namespaces/${NS}/approvals/${id}/decision`, jwt, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://hookline.test" },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    redirect: "manual",
  });
}

/** Runs the gate's alarms (each as if its time had come) until `done` holds. */
async function driveAlarms(id: string, done: (gate: GateView) => boolean): Promise<GateView> {
  const stub = env.APPROVAL_GATE.getByName(id);
  for (let i = 0; i < 20; i++) {
    const gate = await readGate(id);
    if (done(gate)) return gate;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gate ${id} did not get there: ${JSON.stringify(await readGate(id))}`);
}

/** A deny window open now (it started this minute, in UTC) for an hour. */
function freezeNow() {
  const now = new Date();
  return { kind: "deny", schedule: `${now.getUTCMinutes()} ${now.getUTCHours()} * * *`, duration: "1h" };
}

describe("quorum: distinct people, across channels", () => {
  it("a Slack click and a console decision make a quorum of 2; the node is set once", async () => {
    await slackApp();
    await putCluster("default", "argo-server");
    await fakeCluster.control("POST", "workflows", NS, {
      name: "release-9",
      labels: {},
      annotations: {},
      parameters: [],
      template: { kind: "WorkflowTemplate", name: "release" },
      via: "argo-server",
    });
    await put(`namespaces/${NS}/approvalpolicies/two-people`, {
      manual: {
        required: true,
        quorum: 2,
        approvers: ["slack:U0ALICE", "console:bob"],
        channels: [{ service: "policies-slack", recipients: ["releases"] }],
      },
    });
    const gate = await createGate("two-people", {
      subject: { cluster: "default", workflow: "release-9", node: "approve" },
    });
    expect(await slackClick(await buttonValue(gate.id), "U0ALICE")).toContain("Approvals: 1 of 2");
    const pending = await readGate(gate.id);
    expect(pending.status).toBe("pending");
    expect(pending.manual.approvals.map((approval) => approval.by)).toEqual(["slack:U0ALICE"]);
    const approved = await decide(gate.id, await decider("bob"), { approve: true, message: "second pair of eyes" });
    expect(approved.status).toBe(200);
    const done = await vi.waitFor(
      async () => {
        const view = await readGate(gate.id);
        if (view.node?.phase !== "set") throw new Error("node not set yet");
        return view;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(done.status).toBe("approved");
    const { sets } = (await fakeCluster.control("GET", "sets", NS)) as { sets: Array<{ name: string }> };
    expect(sets.filter((set) => set.name === "release-9")).toHaveLength(1);
  });

  it("the same person through Slack and the console (Access) counts once: still pending", async () => {
    await publishKeys();
    await slackApp({ U0ALICE: "alice@example.com" });
    await put(`namespaces/${NS}/approvalpolicies/two-emails`, {
      manual: {
        required: true,
        quorum: 2,
        approvers: ["email:*@example.com"],
        channels: [{ service: "policies-slack", recipients: ["releases"] }],
      },
    });
    const gate = await createGate("two-emails");
    expect(await slackClick(await buttonValue(gate.id), "U0ALICE")).toContain("Approvals: 1 of 2");
    const again = await consoleDecide(gate.id, await accessJwt("Alice@example.com"), { approve: "true", message: "" });
    expect(again.status).toBe(303);
    const view = await readGate(gate.id);
    expect(view.status).toBe("pending");
    expect(view.manual.approvals).toHaveLength(1);
    expect((await audit(gate.id)).at(-1)).toMatchObject({
      by: "email:alice@example.com",
      counted: false,
      reason: "already counted for alice@example.com",
    });
    // Another person of the domain completes it.
    expect((await consoleDecide(gate.id, await accessJwt("dan@example.com"), { approve: "true" })).status).toBe(303);
    expect((await readGate(gate.id)).status).toBe("approved");
  });

  it("any approver's rejection rejects", async () => {
    await put(`namespaces/${NS}/approvalpolicies/three`, {
      manual: { required: true, quorum: 3, approvers: ["console:r1", "console:r2", "console:r3"] },
    });
    const gate = await createGate("three");
    await decide(gate.id, await decider("r1"), { approve: true });
    const rejected = await decide(gate.id, await decider("r2"), { approve: false, message: "not this one" });
    expect(rejected.status).toBe(200);
    expect((await readGate(gate.id)).decision).toMatchObject({ status: "rejected", by: "token:r2" });
  });
});

describe("no self-approval", () => {
  it("the requester's approval is refused (403) and audited; another approver's counts", async () => {
    await publishKeys();
    await put(`namespaces/${NS}/approvalpolicies/four-eyes`, {
      manual: { required: true, approvers: ["email:*@example.com"], forbidRequester: true },
    });
    const gate = await createGate("four-eyes", { requestedBy: { email: "carol@example.com", github: "carol" } });
    expect(gate.requestedBy).toEqual({ email: "carol@example.com", github: "carol" });
    const refused = await consoleDecide(gate.id, await accessJwt("carol@example.com"), { approve: "true" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("the requester cannot approve");
    expect((await readGate(gate.id)).status).toBe("pending");
    expect((await audit(gate.id)).at(-1)).toMatchObject({
      by: "email:carol@example.com",
      action: "approve",
      counted: false,
      reason: "the requester cannot approve",
    });
    expect((await consoleDecide(gate.id, await accessJwt("erin@example.com"), { approve: "true" })).status).toBe(303);
    expect((await readGate(gate.id)).status).toBe("approved");
  });
});

describe("change windows and break-glass", () => {
  it("a deny window holds an approved gate until it ends, then it completes", async () => {
    await put(`namespaces/${NS}/approvalpolicies/frozen`, {
      manual: { required: true, approvers: ["console:ops"] },
      windows: [freezeNow()],
    });
    const gate = await createGate("frozen");
    const answer = await decide(gate.id, await decider("ops"), { approve: true });
    expect(answer.status).toBe(200);
    const held = await readGate(gate.id);
    expect(held.status).toBe("pending");
    expect(held.hold?.reason).toContain("deny window");
    const until = Date.parse(held.hold?.until ?? "");
    expect(until).toBeGreaterThan(Date.now() + 55 * 60_000);
    // The alarm comes at the window's end (run now, as if its time had come): approved.
    const done = await driveAlarms(gate.id, (view) => view.status !== "pending");
    expect(done.status).toBe("approved");
    expect(done.hold).toBeNull();
    expect((await audit(gate.id)).map((entry) => [entry.action, entry.counted])).toEqual([
      ["approve", true],
      ["hold", true],
      ["release", true],
    ]);
  });

  it("an override with a reason approves past the window and is announced; without a reason 400, by others 403", async () => {
    await put("notifications/services/policies-overrides", {
      type: "webhook",
      url: receiver.hook("policies-overrides"),
    });
    await put("notifications/subscriptions/policies-overrides", {
      selector: `app.namespace = "${NS}"`,
      triggers: ["on-approval-overridden"],
      destinations: [{ service: "policies-overrides" }],
    });
    await put(`namespaces/${NS}/approvalpolicies/glass`, {
      manual: { required: true, approvers: ["console:ops"] },
      windows: [freezeNow()],
      override: { approvers: ["console:oncall"] },
    });
    const gate = await createGate("glass");
    const oncall = await decider("oncall");
    await expectError(await decide(gate.id, oncall, { approve: true, override: {} }), 400, "invalid_argument");
    await expectError(
      await decide(gate.id, oncall, { approve: false, override: { reason: "x" } }),
      400,
      "invalid_argument",
    );
    const ops = await decider("ops");
    await expectError(
      await decide(gate.id, ops, { approve: true, override: { reason: "I am not on call" } }),
      403,
      "permission_denied",
    );
    const overridden = await decide(gate.id, oncall, { approve: true, override: { reason: "incident 42: hotfix" } });
    expect(overridden.status).toBe(200);
    const view = await readGate(gate.id);
    expect(view.decision).toMatchObject({
      status: "approved",
      by: "token:oncall",
      reason: "overridden: incident 42: hotfix",
    });
    const [announced] = await vi.waitFor(
      async () => {
        const requests = await receiver.requests("policies-overrides");
        if (requests.length === 0) throw new Error("not announced yet");
        return requests;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(announced?.body).toContain("incident 42: hotfix");
    expect(announced?.body).toContain("Change window overridden");
    // Outside any window there is nothing to override: 409.
    await put(`namespaces/${NS}/approvalpolicies/glass-open`, {
      manual: { required: true, approvers: ["console:ops"] },
      override: { approvers: ["console:oncall"] },
    });
    const open = await createGate("glass-open");
    await expectError(
      await decide(open.id, oncall, { approve: true, override: { reason: "just because" } }),
      409,
      "aborted",
    );
  });
});

describe("Cloudflare Access identities in the console", () => {
  it("a valid assertion signs in as email:<addr>; wrong audience, expired, unknown key, wrong signature or issuer do not", async () => {
    await publishKeys();
    const ok = await consolePage(`/ui/namespaces/${NS}/approvals`, await accessJwt("ana@example.com"));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("ana@example.com");
    const refused: Array<[string, string]> = [
      ["wrong audience", await accessJwt("ana@example.com", { aud: "another-app" })],
      ["expired", await accessJwt("ana@example.com", { exp: Math.floor(Date.now() / 1000) - 120 })],
      ["unknown key", await accessJwt("ana@example.com", { kid: "not-a-team-key" })],
      ["wrong signature", await accessJwt("ana@example.com", { key: (await otherPair).privateKey })],
      ["wrong issuer", await accessJwt("ana@example.com", { iss: "https://evil.cloudflareaccess.com" })],
      ["not a JWT", "nonsense"],
    ];
    for (const [what, jwt] of refused) {
      const response = await consolePage(`/ui/namespaces/${NS}/approvals`, jwt, { redirect: "manual" });
      expect(response.status, what).toBe(303);
      expect(response.headers.get("location"), what).toBe("/ui/login");
    }
    // An Access identity decides only where the policy names it, and holds no other scope.
    await put(`namespaces/${NS}/approvalpolicies/tokens-only`, { manual: { required: true } });
    const gate = await createGate("tokens-only");
    const denied = await consoleDecide(gate.id, await accessJwt("ana@example.com"), { approve: "true" });
    expect(denied.status).toBe(403);
    expect((await consolePage(`/ui/namespaces/${NS}/events`, await accessJwt("ana@example.com"))).status).toBe(403);
  });
});

describe("the audit", () => {
  it("lists every attempt in order: who, through what, counted or not, why", async () => {
    await put(`namespaces/${NS}/approvalpolicies/audited`, {
      manual: { required: true, quorum: 2, approvers: ["console:a1", "console:a2"] },
    });
    const gate = await createGate("audited");
    const [a1, a2, stranger] = [await decider("a1"), await decider("a2"), await decider("stranger")];
    await decide(gate.id, stranger, { approve: true });
    await decide(gate.id, a1, { approve: true });
    await decide(gate.id, a1, { approve: true });
    await decide(gate.id, a2, { approve: true });
    await decide(gate.id, a2, { approve: false });
    const entries = await audit(gate.id);
    expect(entries.map((entry) => [entry.by, entry.action, entry.counted])).toEqual([
      ["token:stranger", "approve", false],
      ["token:a1", "approve", true],
      ["token:a1", "approve", false],
      ["token:a2", "approve", true],
      ["token:a2", "reject", false],
    ]);
    expect(entries[0]?.reason).toContain("not an approver");
    expect(entries.every((entry, index) => index === 0 || entry.at >= (entries[index - 1]?.at ?? ""))).toBe(true);
    await expectError(
      await call(`/api/v1/namespaces/other/approvals/${gate.id}/audit`, { headers: adminAuth }),
      404,
      "not_found",
    );
  });
});

describe("approval policies: bad input", () => {
  const cases: Array<[string, unknown, string]> = [
    [
      "an unparseable cron",
      { manual: { required: true }, windows: [{ kind: "deny", schedule: "fridays", duration: "2h" }] },
      "windows[0].schedule",
    ],
    [
      "a window over 7 days",
      { manual: { required: true }, windows: [{ kind: "deny", schedule: "0 0 * * 5", duration: "8d" }] },
      "windows[0].duration",
    ],
    [
      "an unknown time zone",
      {
        manual: { required: true },
        windows: [{ kind: "allow", schedule: "0 9 * * 1", duration: "8h", timeZone: "Mars/Base" }],
      },
      "windows[0].timeZone",
    ],
    [
      "a quorum above the people named",
      { manual: { required: true, quorum: 3, approvers: ["console:a", "slack:U0B"] } },
      "manual.quorum",
    ],
    ["an unknown identity kind", { manual: { required: true, approvers: ["github:octocat"] } }, "manual.approvers[0]"],
    [
      "links with a quorum above 1",
      {
        manual: { required: true, quorum: 2, approvers: ["console:*"], chatLinks: true, channels: [{ service: "x" }] },
      },
      "manual.chatLinks",
    ],
    [
      "an override without approvers",
      { manual: { required: true }, override: { approvers: [] } },
      "override.approvers",
    ],
  ];
  for (const [what, body, field] of cases) {
    it(`refuses ${what}, naming ${field}`, async () => {
      const response = await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/bad`, "PUT", body);
      expect(await expectError(response, 400, "invalid_argument")).toContain(field);
    });
  }

  it("accepts a quorum a group or pattern may fill", async () => {
    await put(`namespaces/${NS}/approvalpolicies/group-quorum`, {
      manual: { required: true, quorum: 3, approvers: ["email:*@example.com", "slack:group:S0OPS"] },
    });
  });

  it("refuses a malformed requestedBy", async () => {
    await put(`namespaces/${NS}/approvalpolicies/plain`, { manual: { required: true } });
    for (const requestedBy of [{}, { email: "not-an-email" }, { slack: "alice" }, { other: "x" }]) {
      await expectError(
        await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "plain", requestedBy }),
        400,
        "invalid_argument",
      );
    }
  });
});
