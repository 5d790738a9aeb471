import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { GateView } from "../../src/approvals/gate-view";
import { approvalLinkUrl } from "../../src/approvals/links";
import { keyringOf } from "../../src/auth/secrets";
import { insertDeliveryStatement } from "../../src/notifications/store";
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
  type ReceivedRequest,
  receiver,
  requestTo,
} from "./helpers";

// Decisions belong to the gate (docs/security.md, "The decision model"): the attacks that let
// people without approval rights decide a gate or forge its announcements, each tried against
// the Worker and refused with the gate untouched, and a property test over random sequences of
// everything anyone may try.

const PROD = "prod";
const DEV = "dev";
const SIGNING_SECRET = "decisions-slack-signing-secret";
const ROGUE_SECRET = "a-secret-the-attacker-knows";
const SLACK_KEY = "decisions-slack";
const DING_KEY = "decisions-ding";
const ROOM_KEY = "decisions-room";
const ATTACKER_KEY = "decisions-attacker";

async function put(path: string, body: unknown, auth: Record<string, string> = adminAuth) {
  const response = await callJson(`/api/v1/${path}`, "PUT", body, auth);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
}

async function readGate(id: string, ns = PROD): Promise<GateView> {
  const response = await call(`/api/v1/namespaces/${ns}/approvals/${id}`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return (await response.json()) as GateView;
}

/** A token named release-manager (the policy's console approver), made anew: names are unique. */
async function releaseManager(): Promise<string> {
  await call("/api/v1/tokens/release-manager", { method: "DELETE", headers: adminAuth });
  return createToken({ name: "release-manager", namespaces: [PROD], scopes: ["approvals:decide"] });
}

/** What a decision changes on a gate: if this is the same before and after, nothing was decided. */
function decisionState(gate: GateView): string {
  return JSON.stringify([gate.status, gate.decision, gate.manual.decision, gate.webhooks.map((hook) => hook.answer)]);
}

/** The services and policies every test here starts from (admin-made; applying them again changes nothing). */
async function setUp(): Promise<void> {
  await put("notifications/services/slack-prod", {
    type: "slack",
    url: `${receiver.url}/slack/services/${SLACK_KEY}`,
    // Slack's API origin (click answers go to response_urls there only): the fake's.
    apiUrl: `${receiver.url}/slackapi/${SLACK_KEY}/api`,
    signingSecret: SIGNING_SECRET,
  });
  await put("notifications/services/ding-prod", {
    type: "dingtalk",
    url: `${receiver.url}/dingtalk/robot/send?access_token=${DING_KEY}`,
  });
  await put("notifications/services/ding-room", {
    type: "dingtalk",
    url: `${receiver.url}/dingtalk/robot/send?access_token=${ROOM_KEY}`,
  });
  await put("notifications/services/attacker-hook", { type: "webhook", url: receiver.hook(ATTACKER_KEY) });
  await put(`namespaces/${PROD}/approvalpolicies/release`, {
    manual: {
      required: true,
      approvers: ["slack:U0APPROVER", "console:release-manager"],
      chatLinks: true,
      channels: [{ service: "slack-prod", recipients: ["#deploys"] }, { service: "ding-prod" }],
    },
    subjects: [{ workflowTemplate: "deploy-prod", template: "approve" }],
  });
  // A policy anyone with approvals:decide may decide: fine for staging, not for the prod node.
  await put(`namespaces/${PROD}/approvalpolicies/lax`, { manual: { required: true } });
}

async function createGate(policy: string, extra: Record<string, unknown> = {}, ns = PROD): Promise<GateView> {
  const response = await callJson(`/api/v1/namespaces/${ns}/approvals`, "POST", { policy, ...extra });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as GateView;
}

/** The request (of a receiver key) that mentions a gate, once the gate has sent it. */
function requestAbout(key: string, gate: string): Promise<ReceivedRequest> {
  return requestTo(key, (request) => request.body.includes(gate));
}

/** The value of the buttons the gate sent to Slack. */
async function buttonValue(gate: string): Promise<string> {
  const message = JSON.parse((await requestAbout(SLACK_KEY, gate)).body) as {
    blocks: Array<{ type: string; elements?: Array<{ value?: string }> }>;
  };
  return message.blocks.find((block) => block.type === "actions")?.elements?.[0]?.value ?? "";
}

/** The paths of the one-time links the gate sent to DingTalk. */
async function linksOf(gate: string): Promise<{ approve: string; reject: string }> {
  const { markdown } = JSON.parse((await requestAbout(DING_KEY, gate)).body) as { markdown: { text: string } };
  const link = (label: string) =>
    new URL(new RegExp(`\\[${label}\\]\\((https://[^)]+)\\)`).exec(markdown.text)?.[1] ?? "https://x/none").pathname;
  return { approve: link("Approve"), reject: link("Reject") };
}

/** A signed Slack click on a gate's button; resolves once hookline has answered the clicker. */
const slackClick = (value: string, user: string, approve: boolean, secret = SIGNING_SECRET) =>
  clickInSlack(SLACK_KEY, secret, { value, user, approve });

/** A HooklineEvent forged as a posted resource. */
function forgedEvent(gate: GateView, type: string, service: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "hookline.dev/v1",
    kind: "HooklineEvent",
    metadata: {
      name: `${gate.id}:${type}`,
      namespace: DEV,
      annotations: { [`notifications.argoproj.io/subscribe.on-${type.replace(".", "-")}.${service}`]: "" },
    },
    type,
    data: { approval: { ...gate, manual: { ...gate.manual, chatLinks: true } }, publicUrl: "https://hookline.test" },
    ...extra,
  };
}

describe("decisions belong to the gate: the five attacks", () => {
  it("a notifications token cannot post a HooklineEvent (in any disguise) to mint links for another namespace's gate", async () => {
    await setUp();
    const gate = await createGate("release");
    const writer = await createToken({
      name: "dev-notifier",
      namespaces: [DEV],
      scopes: ["notifications:read", "notifications:write"],
    });
    const disguises: Array<Record<string, unknown>> = [
      forgedEvent(gate, "approval.requested", "attacker-hook"),
      { ...forgedEvent(gate, "approval.requested", "attacker-hook"), apiVersion: "argoproj.io/v1alpha1" },
      {
        ...forgedEvent(gate, "approval.requested", "attacker-hook"),
        kind: "Application",
        apiVersion: "hookline.dev/v1",
      },
      // The same key split differently ("hookline.dev" + "v1/HooklineEvent").
      {
        ...forgedEvent(gate, "approval.requested", "attacker-hook"),
        apiVersion: "hookline.dev",
        kind: "v1/HooklineEvent",
      },
    ];
    for (const document of disguises) {
      const response = await callJson("/api/v1/notifications/resources", "POST", document, bearer(writer));
      expect(await expectError(response, 400, "invalid_argument")).toMatch(/hookline|kind|apiVersion/);
    }
    // An ordinary resource shaped like the event fires no approval trigger and renders no approval template.
    const lookalike = {
      ...forgedEvent(gate, "approval.requested", "attacker-hook"),
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "lookalike",
        namespace: DEV,
        annotations: { "notifications.argoproj.io/subscribe.on-approval-requested.attacker-hook": "" },
      },
    };
    const posted = await callJson("/api/v1/notifications/resources", "POST", lookalike, bearer(writer));
    expect(posted.status).toBe(202);
    const result = (await posted.json()) as { fired: unknown[]; deliveries: string[]; problems: string[] };
    expect(result.fired).toEqual([]);
    expect(result.deliveries).toEqual([]);
    expect(result.problems.join(" ")).toContain("fires only for hookline's own events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await receiver.requests(ATTACKER_KEY)).toEqual([]);
    expect(decisionState(await readGate(gate.id))).toBe(decisionState(gate));
  });

  it("a notifications:read token finds no usable link or button in any delivery view", async () => {
    await setUp();
    // A subscription informs another room of requests (no buttons, no links there).
    await put("notifications/subscriptions/decisions-room", {
      selector: `app.namespace = "${PROD}"`,
      triggers: ["on-approval-requested"],
      destinations: [{ service: "ding-room" }],
    });
    const gate = await createGate("release");
    const informed = await requestAbout(ROOM_KEY, gate.id);
    expect(informed.body).not.toContain("/approve/");
    // The gate's own request (to its channel) carries the links; no view does.
    expect((await linksOf(gate.id)).approve).toMatch(/^\/approve\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const reader = await createToken({ name: "dev-reader", namespaces: ["*"], scopes: ["notifications:read"] });
    // A delivery recorded before gates sent their own requests still holds a link and buttons.
    const legacyLink = await approvalLinkUrl(keyringOf(env), "https://hookline.test", {
      gateId: gate.id,
      action: "reject",
      service: "ding-room",
      message: "M".repeat(22),
      link: "L".repeat(22),
    });
    await insertDeliveryStatement(env.DB, {
      id: "f".repeat(32),
      createdAt: Date.now(),
      namespace: PROD,
      resource: `hookline.dev/v1/HooklineEvent/${PROD}/${gate.id}:approval.requested`,
      trigger: "on-approval-requested",
      service: "ding-room",
      recipient: "",
      template: "approval-requested",
      message: {
        title: "Approval requested",
        body: `[Reject](${legacyLink})`,
        webhookBody: null,
        approval: { gate: gate.id, message: "M".repeat(22), confirm: false },
      },
      status: "failed",
      attempts: 1,
      lastError: "legacy",
      deliveredAt: null,
      traceId: null,
    }).run();
    const list = (await (
      await call("/api/v1/notifications/deliveries?limit=100", { headers: bearer(reader) })
    ).json()) as { items: Array<{ id: string }> };
    expect(list.items.length).toBeGreaterThan(0);
    for (const { id } of list.items) {
      const text = await (await call(`/api/v1/notifications/deliveries/${id}`, { headers: bearer(reader) })).text();
      expect(text).not.toMatch(/\/approve\/(?!<redacted>)/);
      expect(text).not.toContain('"approval"');
      expect(text).not.toContain(legacyLink);
    }
    const legacy = await (
      await call(`/api/v1/notifications/deliveries/${"f".repeat(32)}`, { headers: bearer(reader) })
    ).json();
    expect(JSON.stringify(legacy)).toContain("/approve/<redacted>");
    // Even the legacy link itself: the gate never recorded sending it.
    const used = await call(new URL(legacyLink).pathname, { method: "POST" });
    expect(used.status).toBe(403);
    // No view of the gate carries a callback capability or a chat id either.
    const view = JSON.stringify(await readGate(gate.id));
    expect(view).not.toMatch(/\/callbacks\/approvals\/[^"]+\/[^"]+\/[A-Za-z0-9_-]{32}/);
    expect(view).not.toContain((await buttonValue(gate.id)).split(".")[1] ?? "none");
    expect(decisionState(await readGate(gate.id))).toBe(decisionState(gate));
  });

  it("a Slack app the attacker configured cannot vouch for the approver, before or after the gate opens", async () => {
    await setUp();
    const writer = await createToken({ name: "notifier", namespaces: ["*"], scopes: ["notifications:write"] });
    // Its own app, with a signing secret it knows, subscribed to approval requests before any gate opens.
    await put(
      "notifications/services/slack-rogue",
      {
        type: "slack",
        url: `${receiver.url}/slack/services/${ATTACKER_KEY}`,
        apiUrl: `${receiver.url}/slackapi/${SLACK_KEY}/api`,
        signingSecret: ROGUE_SECRET,
      },
      bearer(writer),
    );
    await put(
      "notifications/subscriptions/rogue-requests",
      { triggers: ["on-approval-requested"], destinations: [{ service: "slack-rogue" }] },
      bearer(writer),
    );
    const gate = await createGate("release");
    const rogueCopy = await requestAbout(ATTACKER_KEY, gate.id);
    expect(rogueCopy.body).not.toContain("hookline_approve");
    expect(rogueCopy.body).not.toContain("/approve/");
    const value = await buttonValue(gate.id);
    // A resource keyed as the gate's request, routed to its app: refused.
    const resource = await callJson(
      "/api/v1/notifications/resources",
      "POST",
      forgedEvent(gate, "approval.requested", "slack-rogue", {
        metadata: { name: `${gate.id}:approval.requested`, namespace: PROD },
      }),
      bearer(writer),
    );
    await expectError(resource, 400, "invalid_argument");
    // A click signed with its own secret "from" the approver, on the gate's real message: refused.
    const answer = await slackClick(value, "U0APPROVER", true, ROGUE_SECRET);
    expect(answer).toContain("no service that carries approval decisions verified this click");
    // Nor may it change, delete or replace the app the policy names.
    await expectError(
      await callJson(
        "/api/v1/notifications/services/slack-prod",
        "PUT",
        { type: "slack", url: `${receiver.url}/slack/services/${SLACK_KEY}`, signingSecret: ROGUE_SECRET },
        bearer(writer),
      ),
      403,
      "permission_denied",
    );
    await expectError(
      await call("/api/v1/notifications/services/slack-prod", { method: "DELETE", headers: bearer(writer) }),
      403,
      "permission_denied",
    );
    // Nor name its app in a policy of its own namespace (policy authors there still cannot make it carry decisions).
    const author = await createToken({ name: "dev-author", namespaces: [DEV], scopes: ["bindings:write"] });
    const policy = await callJson(
      `/api/v1/namespaces/${DEV}/approvalpolicies/mine`,
      "PUT",
      { manual: { required: true, approvers: ["slack:U0ATTACKER"], channels: [{ service: "slack-rogue" }] } },
      bearer(author),
    );
    expect(await expectError(policy, 400, "invalid_argument")).toContain("manual.channels[0].service");
    expect(decisionState(await readGate(gate.id))).toBe(decisionState(gate));
    // The approver's click on the gate's own message still decides.
    expect(await slackClick(value, "U0APPROVER", true)).toContain("Approved by <@U0APPROVER>");
    expect((await readGate(gate.id)).decision).toMatchObject({ by: "slack:U0APPROVER", via: "slack:slack-prod" });
  });

  it("a developer cannot resume the prod node through a gate of a laxer policy", async () => {
    await setUp();
    await putCluster("default", "argo-server");
    const workflow = (name: string, template: string) =>
      fakeCluster.control("POST", "workflows", PROD, {
        name,
        labels: {},
        annotations: {},
        parameters: [],
        template: { kind: "WorkflowTemplate", name: template },
        via: "argo-server",
      });
    await workflow("deploy-prod-7", "deploy-prod");
    const developer = await createToken({
      name: "developer",
      namespaces: [PROD],
      scopes: ["approvals:create", "approvals:decide", "approvals:read"],
    });
    const open = (policy: string, node: string) =>
      callJson(
        `/api/v1/namespaces/${PROD}/approvals`,
        "POST",
        { policy, subject: { cluster: "default", workflow: "deploy-prod-7", node } },
        bearer(developer),
      );
    // Every way of naming the prod node under the lax policy: 403 naming the claiming policy.
    for (const node of [
      "approve",
      "id=deploy-prod-7-approve",
      "name=deploy-prod-7[0].approve",
      "templateName=approve",
    ]) {
      expect(await expectError(await open("lax", node), 403, "permission_denied")).toContain('policy "release"');
    }
    // A selector that would set several nodes at once: refused.
    expect(await expectError(await open("lax", "phase=Running"), 400, "invalid_argument")).toContain("matches 2 nodes");
    // The prod gate holds the node: a second gate on it is 409 naming the first.
    const prodGate = await open("release", "approve");
    expect(prodGate.status).toBe(201);
    const first = (await prodGate.json()) as GateView;
    expect(first.subjectNode).toEqual({
      id: "deploy-prod-7-approve",
      workflowTemplate: "deploy-prod",
      template: "approve",
    });
    expect(await expectError(await open("release", "id=deploy-prod-7-approve"), 409, "already_exists")).toContain(
      first.id,
    );
    // The developer is not a release approver.
    await expectError(
      await callJson(
        `/api/v1/namespaces/${PROD}/approvals/${first.id}/decision`,
        "POST",
        { approve: true },
        bearer(developer),
      ),
      403,
      "permission_denied",
    );
    // A claim added after a lax gate opened on a node still holds when that gate is decided.
    await workflow("deploy-prod-8", "hotfix");
    const laxGate = (await (
      await callJson(
        `/api/v1/namespaces/${PROD}/approvals`,
        "POST",
        { policy: "lax", subject: { cluster: "default", workflow: "deploy-prod-8", node: "approve" } },
        bearer(developer),
      )
    ).json()) as GateView;
    await put(`namespaces/${PROD}/approvalpolicies/release`, {
      manual: {
        required: true,
        approvers: ["slack:U0APPROVER", "console:release-manager"],
        chatLinks: true,
        channels: [{ service: "slack-prod", recipients: ["#deploys"] }, { service: "ding-prod" }],
      },
      subjects: [{ workflowTemplate: "deploy-prod", template: "approve" }, { workflowTemplate: "hotfix" }],
    });
    await callJson(
      `/api/v1/namespaces/${PROD}/approvals/${laxGate.id}/decision`,
      "POST",
      { approve: true },
      bearer(developer),
    );
    const decided = await vi.waitFor(
      async () => {
        const view = await readGate(laxGate.id);
        if (view.node?.phase !== "failed") throw new Error(`node ${view.node?.phase}`);
        return view;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(decided.node?.lastError).toContain('claimed by policy "release"');
    const { sets } = (await fakeCluster.control("GET", "sets", PROD)) as { sets: Array<{ name: string }> };
    expect(sets.filter((set) => set.name.startsWith("deploy-prod"))).toEqual([]);
    // Once the prod gate is decided, the node is free for a new gate.
    const manager = await releaseManager();
    const rejected = await callJson(
      `/api/v1/namespaces/${PROD}/approvals/${first.id}/decision`,
      "POST",
      { approve: false },
      bearer(manager),
    );
    expect(rejected.status).toBe(200);
    await vi.waitFor(async () => expect((await open("release", "approve")).status).toBe(201), {
      timeout: 10_000,
      interval: 100,
    });
  });

  it("a namespace token cannot announce a decision: the real rejection is the one delivered", async () => {
    await setUp();
    await put("notifications/subscriptions/decisions-decided", {
      selector: `app.namespace = "${PROD}"`,
      triggers: ["on-approval-decided"],
      destinations: [{ service: "ding-room" }],
    });
    const gate = await createGate("release");
    const writer = await createToken({ name: "prod-notifier", namespaces: [PROD], scopes: ["notifications:write"] });
    const forged = await callJson(
      "/api/v1/notifications/resources",
      "POST",
      forgedEvent(gate, "approval.decided", "ding-room", {
        metadata: { name: `${gate.id}:approval.decided`, namespace: PROD },
        data: { approval: { ...gate, status: "approved" }, decision: { status: "approved", by: "slack:U0APPROVER" } },
      }),
      bearer(writer),
    );
    await expectError(forged, 400, "invalid_argument");
    const manager = await releaseManager();
    const rejected = await callJson(
      `/api/v1/namespaces/${PROD}/approvals/${gate.id}/decision`,
      "POST",
      { approve: false, message: "not today" },
      bearer(manager),
    );
    expect(rejected.status).toBe(200);
    const announced = await vi.waitFor(
      async () => {
        const found = (await receiver.requests(ROOM_KEY)).filter(
          (request) => request.body.includes(gate.id) && request.body.includes("rejected"),
        );
        if (found.length === 0) throw new Error("decision not announced yet");
        return found;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(announced).toHaveLength(1);
    const approvedClaims = (await receiver.requests(ROOM_KEY)).filter(
      (request) =>
        request.body.includes(gate.id) && /approved/i.test(request.body) && !request.body.includes("rejected"),
    );
    expect(approvedClaims).toEqual([]);
  });
});

describe("links and callback URIs come from PUBLIC_URL, never from Host", () => {
  it("a gate opened through another Host still sends PUBLIC_URL's callback URI and links", async () => {
    await setUp();
    await put(`namespaces/${PROD}/approvalpolicies/hooked`, {
      webhooks: [{ name: "scan", uri: receiver.hook("decisions-host") }],
      manual: { required: false, chatLinks: true, channels: [{ service: "ding-prod" }] },
    });
    const response = await exports.default.fetch(
      new Request(`https://evil.example/api/v1/namespaces/${PROD}/approvals`, {
        method: "POST",
        headers: { ...adminAuth, host: "evil.example", "content-type": "application/json" },
        body: JSON.stringify({ policy: "hooked" }),
      }),
    );
    expect(response.status).toBe(201);
    const gate = (await response.json()) as GateView;
    expect(gate.callbackUri).toMatch(/^https:\/\/hookline\.test\/callbacks\/approvals\//);
    const [delivered] = await vi.waitFor(
      async () => {
        const requests = await receiver.requests("decisions-host");
        if (requests.length === 0) throw new Error("webhook not called yet");
        return requests;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(delivered?.headers["x-hookline-callback-uri"]).toMatch(/^https:\/\/hookline\.test\//);
    expect(delivered?.body).not.toContain("evil.example");
    const { markdown } = JSON.parse((await requestAbout(DING_KEY, gate.id)).body) as { markdown: { text: string } };
    expect(markdown.text).toContain("](https://hookline.test/approve/");
    expect(markdown.text).not.toContain("evil.example");
  });
});

describe("decisions belong to the gate: only allowed principals ever change a gate", () => {
  it("random sequences of creates, posted resources, clicks, links, callbacks and decisions by every scope", async () => {
    await setUp();
    await put(`namespaces/${PROD}/approvalpolicies/guarded`, {
      webhooks: [{ name: "scan", uri: receiver.hook("decisions-scan") }],
      manual: {
        required: true,
        approvers: ["slack:U0APPROVER", "console:release-manager"],
        chatLinks: true,
        channels: [{ service: "slack-prod", recipients: ["#deploys"] }, { service: "ding-prod" }],
      },
    });
    await put(
      "notifications/services/slack-rogue",
      {
        type: "slack",
        url: `${receiver.url}/slack/services/${ATTACKER_KEY}`,
        apiUrl: `${receiver.url}/slackapi/${SLACK_KEY}/api`,
        signingSecret: ROGUE_SECRET,
      },
      bearer(await createToken({ name: "rogue-writer", namespaces: ["*"], scopes: ["notifications:write"] })),
    );
    const tokens = new Map<string, string>();
    for (const scope of [
      "events:write",
      "events:read",
      "bindings:read",
      "bindings:write",
      "approvals:read",
      "approvals:create",
      "approvals:decide",
      "notifications:read",
      "notifications:write",
    ]) {
      tokens.set(
        scope,
        await createToken({ name: `p-${scope.replace(":", "-")}`, namespaces: ["*"], scopes: [scope] }),
      );
    }
    tokens.set("release-manager", await releaseManager());
    const client = async (namespaces: string[]) => {
      const created = (await (
        await callJson("/api/v1/oauth/clients", "POST", {
          name: `p-client-${crypto.randomUUID().slice(0, 8)}`,
          namespaces,
        })
      ).json()) as { client_id: string; client_secret: string };
      const answer = await call("/oauth/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", ...created }).toString(),
      });
      return ((await answer.json()) as { access_token: string }).access_token;
    };
    const prodClient = await client([PROD]);
    const devClient = await client([DEV]);

    type Action =
      | { kind: "decide"; who: string; approve: boolean }
      | { kind: "click"; user: "U0APPROVER" | "U0INTRUDER"; rogue: boolean; approve: boolean }
      | { kind: "link"; forged: boolean; approve: boolean }
      | { kind: "callback"; right: boolean; approve: boolean }
      | { kind: "resource"; type: "approval.requested" | "approval.decided" };
    const who = fc.constantFrom(...tokens.keys());
    // Mostly what must not count: a gate decided early by an allowed action tests nothing more.
    const mostlyTrue = fc.constantFrom(true, true, true, false);
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ kind: fc.constant("decide" as const), who, approve: fc.boolean() }),
      fc.record({
        kind: fc.constant("click" as const),
        user: fc.constantFrom("U0APPROVER" as const, "U0INTRUDER" as const),
        rogue: mostlyTrue,
        approve: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("link" as const), forged: mostlyTrue, approve: fc.boolean() }),
      fc.record({
        kind: fc.constant("callback" as const),
        right: mostlyTrue.map((value) => !value),
        approve: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant("resource" as const),
        type: fc.constantFrom("approval.requested" as const, "approval.decided" as const),
      }),
    );
    /** Whether the action is one the gate may count: its own message, link or callback, or a named approver. */
    const allowed = (step: Action) =>
      (step.kind === "decide" && step.who === "release-manager") ||
      (step.kind === "click" && step.user === "U0APPROVER" && !step.rogue) ||
      (step.kind === "link" && !step.forged) ||
      (step.kind === "callback" && step.right);

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (steps) => {
        const gate = await createGate("guarded");
        const value = await buttonValue(gate.id);
        const links = await linksOf(gate.id);
        const callbackPath = new URL(gate.webhooks[0]?.callbackUri ?? "https://x/none").pathname;
        for (const step of steps) {
          const before = decisionState(await readGate(gate.id));
          switch (step.kind) {
            case "decide":
              await callJson(
                `/api/v1/namespaces/${PROD}/approvals/${gate.id}/decision`,
                "POST",
                { approve: step.approve },
                bearer(tokens.get(step.who) ?? ""),
              );
              break;
            case "click":
              await slackClick(value, step.user, step.approve, step.rogue ? ROGUE_SECRET : SIGNING_SECRET);
              break;
            case "link": {
              const path = step.forged
                ? new URL(
                    await approvalLinkUrl(keyringOf(env), "https://hookline.test", {
                      gateId: gate.id,
                      action: step.approve ? "approve" : "reject",
                      service: "ding-prod",
                      message: "M".repeat(22),
                      link: "L".repeat(22),
                    }),
                  ).pathname
                : step.approve
                  ? links.approve
                  : links.reject;
              await call(path, { method: "POST" });
              break;
            }
            case "callback":
              await call(callbackPath, {
                method: "POST",
                headers: {
                  authorization: `Bearer ${step.right ? prodClient : devClient}`,
                  "content-type": "application/json",
                },
                body: JSON.stringify({ success: step.approve }),
              });
              break;
            case "resource":
              await callJson(
                "/api/v1/notifications/resources",
                "POST",
                forgedEvent(gate, step.type, "slack-rogue", {
                  metadata: { name: `${gate.id}:${step.type}`, namespace: PROD },
                }),
                bearer(tokens.get("notifications:write") ?? ""),
              );
              break;
          }
          const after = decisionState(await readGate(gate.id));
          if (after !== before && !allowed(step)) throw new Error(`${JSON.stringify(step)} changed the gate`);
        }
      }),
      { numRuns: 30 },
    );
  }, 240_000);
});
