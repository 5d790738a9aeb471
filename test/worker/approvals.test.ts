import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ApprovalGate } from "../../src/approvals/approval-gate";
import { gateOf } from "../../src/approvals/decide";
import type { GateView } from "../../src/approvals/gate-view";
import { issueAccessToken } from "../../src/approvals/oauth";
import { newGateId } from "../../src/approvals/open";
import { getPolicy } from "../../src/approvals/store";
import { keyringOf } from "../../src/auth/secrets";
import { newTraceId } from "../../src/lib/trace";
import {
  adminAuth,
  BASE,
  bearer,
  call,
  callJson,
  countRows,
  createToken,
  expectError,
  fakeCluster,
  putCluster,
  receiver,
} from "./helpers";

const NS = "payments";

async function putPolicy(name: string, spec: Record<string, unknown>, ns = NS) {
  const response = await callJson(`/api/v1/namespaces/${ns}/approvalpolicies/${name}`, "PUT", spec);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
}

async function createGate(policy: string, extra: Record<string, unknown> = {}, ns = NS): Promise<GateView> {
  const response = await callJson(`/api/v1/namespaces/${ns}/approvals`, "POST", { policy, ...extra });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as GateView;
}

async function readGate(id: string, ns = NS): Promise<GateView> {
  const response = await call(`/api/v1/namespaces/${ns}/approvals/${id}`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return (await response.json()) as GateView;
}

/** Runs the gate's alarms (as if each scheduled time had come) until `done` holds. */
async function driveAlarms(id: string, done: (gate: GateView) => boolean, max = 20): Promise<GateView> {
  const stub = env.APPROVAL_GATE.getByName(id);
  for (let i = 0; i < max; i++) {
    const gate = await readGate(id);
    if (done(gate)) return gate;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gate ${id} did not reach the expected state: ${JSON.stringify(await readGate(id))}`);
}

let clientCounter = 0;
/** An OAuth client and an access token from POST /oauth/token. */
async function accessToken(
  namespaces: string[] = ["*"],
): Promise<{ token: string; clientId: string; clientSecret: string }> {
  const created = await callJson("/api/v1/oauth/clients", "POST", { name: `approver-${++clientCounter}`, namespaces });
  expect(created.status).toBe(201);
  const { client_id: clientId, client_secret: clientSecret } = (await created.json()) as {
    client_id: string;
    client_secret: string;
  };
  const response = await call("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
  expect(response.status).toBe(200);
  const { access_token: token } = (await response.json()) as { access_token: string };
  return { token, clientId, clientSecret };
}

function callBack(uri: string | null, token: string, body: unknown): Promise<Response> {
  const path = new URL(uri ?? "https://hookline.test/no-callback-uri").pathname;
  return call(path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("approval gates: the webhook flow", () => {
  it("calls the webhook with the callback URI, and a successful callback approves", async () => {
    await putPolicy("scan", {
      webhooks: [
        { name: "security-scan", uri: receiver.hook("scan"), headers: [{ name: "X-Team", value: "payments" }] },
      ],
    });
    const gate = await createGate("scan", { context: { service: "api", version: "1.2.3" } });
    expect(gate.status).toBe("pending");
    expect(gate.callbackUri).toMatch(
      new RegExp(`^https://hookline\\.test/callbacks/approvals/${gate.id}/security-scan/[A-Za-z0-9_-]{32}$`),
    );
    expect(gate.webhooks[0]?.callbackUri).toBe(gate.callbackUri);
    expect(Date.parse(gate.expiresAt) - Date.parse(gate.createdAt)).toBe(24 * 3_600_000);

    const [delivery] = await vi.waitFor(async () => {
      const requests = await receiver.requests("scan");
      if (requests.length === 0) throw new Error("webhook not called yet");
      return requests;
    });
    expect(delivery?.method).toBe("POST");
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.headers["x-team"]).toBe("payments");
    expect(JSON.parse(delivery?.body ?? "{}")).toEqual({
      approvalId: gate.id,
      namespace: NS,
      policy: "scan",
      webhook: "security-scan",
      subject: null,
      context: { service: "api", version: "1.2.3" },
      expiresAt: gate.expiresAt,
      callbackUri: gate.callbackUri,
    });

    const { token } = await accessToken();
    const response = await callBack(gate.callbackUri, token, { success: true, mdMessage: "Webhook successful" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: gate.id, status: "approved" });
    const decided = await readGate(gate.id);
    expect(decided.decision).toMatchObject({ status: "approved", message: "Webhook successful" });
    expect(decided.webhooks[0]).toMatchObject({
      phase: "approved",
      answer: { success: true, mdMessage: "Webhook successful" },
    });

    const listed = (await (
      await call(`/api/v1/namespaces/${NS}/approvals?status=approved`, { headers: adminAuth })
    ).json()) as {
      items: Array<{ id: string }>;
    };
    expect(listed.items.map((item) => item.id)).toContain(gate.id);
  });

  it("a callback with success=false rejects", async () => {
    await putPolicy("reject-me", { webhooks: [{ name: "tests", uri: receiver.hook("reject") }] });
    const gate = await createGate("reject-me");
    const { token } = await accessToken();
    const response = await callBack(gate.callbackUri, token, {
      success: false,
      mdMessage: "integration tests **failed**",
    });
    expect(await response.json()).toMatchObject({ status: "rejected" });
    expect((await readGate(gate.id)).decision).toMatchObject({
      status: "rejected",
      message: "integration tests **failed**",
    });
  });

  it("the same callback again is 200 and changes nothing; a contradicting one is 409", async () => {
    await putPolicy("twice", { webhooks: [{ name: "w", uri: receiver.hook("twice") }] });
    const gate = await createGate("twice");
    const { token } = await accessToken();
    expect((await callBack(gate.callbackUri, token, { success: true, mdMessage: "ok" })).status).toBe(200);
    const before = await readGate(gate.id);
    const again = await callBack(gate.callbackUri, token, { success: true, mdMessage: "ok" });
    expect(again.status).toBe(200);
    expect(await readGate(gate.id)).toEqual(before);
    await expectError(
      await callBack(gate.callbackUri, token, { success: false, mdMessage: "changed my mind" }),
      409,
      "aborted",
    );
    expect((await readGate(gate.id)).status).toBe("approved");
  });

  it("with a manual approval required, both must say yes; a manual rejection rejects at once", async () => {
    await putPolicy("both", { webhooks: [{ name: "w", uri: receiver.hook("both") }], manual: { required: true } });
    const approver = await createToken({
      name: "release-manager",
      namespaces: [NS],
      scopes: ["approvals:decide", "approvals:read"],
    });
    const gate = await createGate("both");
    const { token } = await accessToken();
    await callBack(gate.callbackUri, token, { success: true, mdMessage: "scan clean" });
    expect((await readGate(gate.id)).status).toBe("pending");
    const decision = await callJson(
      `/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`,
      "POST",
      { approve: true, message: "ship it" },
      bearer(approver),
    );
    expect(await decision.json()).toMatchObject({ status: "approved" });
    expect((await readGate(gate.id)).decision).toMatchObject({ by: "token:release-manager", message: "ship it" });

    const other = await createGate("both");
    const rejected = await callJson(
      `/api/v1/namespaces/${NS}/approvals/${other.id}/decision`,
      "POST",
      { approve: false, message: "not today" },
      bearer(approver),
    );
    expect(await rejected.json()).toMatchObject({ status: "rejected" });
  });

  it("several webhooks each call back on their own URI", async () => {
    await putPolicy("two-hooks", {
      webhooks: [
        { name: "scan", uri: receiver.hook("two-a") },
        { name: "tests", uri: receiver.hook("two-b") },
      ],
    });
    const gate = await createGate("two-hooks");
    const { token } = await accessToken();
    expect(gate.callbackUri).toBeNull();
    const [scan, tests] = gate.webhooks.map((hook) => hook.callbackUri);
    expect(scan).toMatch(new RegExp(`/callbacks/approvals/${gate.id}/scan/[A-Za-z0-9_-]{32}$`));
    expect(tests).toMatch(new RegExp(`/callbacks/approvals/${gate.id}/tests/[A-Za-z0-9_-]{32}$`));
    expect(await (await callBack(scan ?? "", token, { success: true })).json()).toMatchObject({
      status: "pending",
    });
    expect(await (await callBack(tests ?? "", token, { success: true })).json()).toMatchObject({
      status: "approved",
    });
  });
});

describe("approval gates: work due at once starts at once", () => {
  /** The gate's alarm and its work rows, read inside the object. */
  const schedule = (id: string) =>
    runInDurableObject(env.APPROVAL_GATE.getByName(id), async (_instance: ApprovalGate, state) => ({
      alarm: await state.storage.getAlarm(),
      work: state.storage.sql.exec<{ key: string; due_at: number }>("SELECT key, due_at FROM work").toArray(),
    }));

  it("calls the webhook and, once decided, sets the node with no alarm run; then only the timeout is armed", async () => {
    const ns = "at-once";
    await putCluster("default", "argo-server");
    await fakeCluster.control("POST", "workflows", ns, {
      name: "wf-now",
      labels: {},
      annotations: {},
      parameters: [],
      template: { kind: "WorkflowTemplate", name: "t" },
      via: "argo-server",
    });
    await putPolicy("now", { webhooks: [{ name: "w", uri: receiver.hook("at-once") }] }, ns);
    // The gate is created through its object directly, so its alarm handler can be counted first.
    const id = newGateId();
    let alarms = 0;
    await runInDurableObject(env.APPROVAL_GATE.getByName(id), (instance: ApprovalGate) => {
      const alarm = instance.alarm.bind(instance);
      instance.alarm = async () => {
        alarms++;
        await alarm();
      };
    });
    const policy = await getPolicy(env.DB, ns, "now");
    if (!policy) throw new Error("policy not stored");
    const gate = await gateOf(env, id).create({
      id,
      namespace: ns,
      policy,
      subject: { cluster: "default", workflow: "wf-now", node: "approve" },
      context: {},
      callbackBase: BASE,
      traceId: newTraceId(),
    });
    await vi.waitFor(async () => {
      if ((await receiver.requests("at-once")).length === 0) throw new Error("webhook not called yet");
    });
    await vi.waitFor(async () => {
      const { alarm, work } = await schedule(gate.id);
      expect(work.map((row) => row.key)).toEqual(["timeout"]);
      expect(alarm).toBe(Date.parse(gate.expiresAt));
    });
    const { token } = await accessToken([ns]);
    await callBack(gate.callbackUri, token, { success: true, mdMessage: "go" });
    const done = await vi.waitFor(async () => {
      const view = await readGate(gate.id, ns);
      if (view.node?.phase !== "set") throw new Error("node not set yet");
      return view;
    });
    expect(done.node).toMatchObject({ phase: "set", attempts: 1 });
    expect(await schedule(gate.id)).toEqual({ alarm: null, work: [] });
    expect(alarms).toBe(0);
  });

  it("while a delivery runs its row is leased; a gate evicted mid-delivery delivers when the alarm comes", async () => {
    const ns = "lease";
    await receiver.behave("lease", { randomHangRate: 1, hangMs: 5_000 });
    await putPolicy("slow", { webhooks: [{ name: "w", uri: receiver.hook("lease"), timeoutSeconds: 2 }] }, ns);
    const before = Date.now();
    const gate = await createGate("slow", {}, ns);
    const { alarm, work } = await schedule(gate.id);
    const delivery = work.find((row) => row.key === "deliver:w");
    expect(delivery?.due_at).toBeGreaterThanOrEqual(before + 30_000);
    expect(alarm).toBe(delivery?.due_at);
    // The object dies while the receiver hangs; a new instance finds the leased row and its alarm.
    const stub = env.APPROVAL_GATE.getByName(gate.id);
    await runInDurableObject(stub, (_instance: ApprovalGate, state) => state.abort("evicted")).catch(() => undefined);
    await receiver.behave("lease", {});
    expect((await readGate(gate.id, ns)).webhooks[0]).toMatchObject({ phase: "delivering", attempts: 0 });
    await runDurableObjectAlarm(env.APPROVAL_GATE.getByName(gate.id));
    expect((await readGate(gate.id, ns)).webhooks[0]).toMatchObject({ phase: "waiting", attempts: 1 });
    expect(await receiver.requests("lease")).toHaveLength(1);
  });
});

describe("approval gates: failure and timeout", () => {
  it("times out at expiresAt (24 h by default); a later callback is 409", async () => {
    await putPolicy("manual-only", { manual: { required: true } });
    const gate = await createGate("manual-only");
    const timedOut = await driveAlarms(gate.id, (view) => view.status === "timed_out");
    expect(timedOut.decision).toMatchObject({ status: "timed_out", by: "timeout" });
    expect(timedOut.decision?.message).toMatch(/Timed out after 1d/);
    const approver = await createToken({ name: "late-approver", namespaces: [NS], scopes: ["approvals:decide"] });
    await expectError(
      await callJson(
        `/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`,
        "POST",
        { approve: true },
        bearer(approver),
      ),
      409,
      "aborted",
    );
    await putPolicy("short", { webhooks: [{ name: "w", uri: receiver.hook("short") }], timeout: "30m" });
    const short = await createGate("short");
    expect(Date.parse(short.expiresAt) - Date.parse(short.createdAt)).toBe(30 * 60_000);
    await driveAlarms(short.id, (view) => view.status === "timed_out");
    const { token } = await accessToken();
    await expectError(await callBack(short.callbackUri, token, { success: true }), 409, "aborted");
  });

  it("a webhook failing every retry fails the gate at once, even while a manual approval is pending", async () => {
    await receiver.behave("broken", { status: 503 });
    await putPolicy("fragile", {
      webhooks: [{ name: "w", uri: receiver.hook("broken"), retryCount: 2 }],
      manual: { required: true },
    });
    const gate = await createGate("fragile");
    const failed = await driveAlarms(gate.id, (view) => view.status !== "pending");
    expect(failed.status).toBe("failed");
    expect(failed.webhooks[0]).toMatchObject({ phase: "failed", attempts: 3 });
    expect(failed.decision?.message).toMatch(/answered 503/);
    expect(failed.manual.decision).toBeNull();
    expect(await receiver.requests("broken")).toHaveLength(3);
    // The listing mirror follows the decision.
    const listed = await call(`/api/v1/namespaces/${NS}/approvals?status=failed`, { headers: adminAuth });
    const { items } = (await listed.json()) as { items: Array<{ id: string }> };
    expect(items.map((item) => item.id)).toContain(gate.id);
  });

  it("a webhook that recovers within its retries is delivered", async () => {
    await receiver.behave("flaky-hook", { fail: 2 });
    await putPolicy("flaky", { webhooks: [{ name: "w", uri: receiver.hook("flaky-hook"), retryCount: 3 }] });
    const gate = await createGate("flaky");
    const delivered = await driveAlarms(gate.id, (view) => view.webhooks[0]?.phase === "waiting");
    expect(delivered.webhooks[0]).toMatchObject({ attempts: 3, lastError: null });
    expect(delivered.status).toBe("pending");
    // Delivery progress is not mirrored (the row holds the status): only the timeout is left.
    const alarm = await runInDurableObject(env.APPROVAL_GATE.getByName(gate.id), (_, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(Date.parse(delivered.expiresAt));
  });
});

describe("approval gates: exactly one decision", () => {
  it("100 concurrent contradicting callbacks on one gate decide it once", async () => {
    await putPolicy("race", { webhooks: [{ name: "w", uri: receiver.hook("race") }] });
    const gate = await createGate("race");
    const { token } = await accessToken();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        callBack(gate.callbackUri, token, { success: i % 2 === 0, mdMessage: `caller ${i}` }),
      ),
    );
    const decided = await readGate(gate.id);
    expect(["approved", "rejected"]).toContain(decided.status);
    const winning = decided.status === "approved";
    const statuses = responses.map((response, i) => ({ status: response.status, agrees: (i % 2 === 0) === winning }));
    expect(statuses.filter((s) => s.agrees).every((s) => s.status === 200)).toBe(true);
    expect(statuses.filter((s) => !s.agrees).every((s) => s.status === 409)).toBe(true);
    // One decision, recorded once: the gate's answer is the first caller's.
    await runInDurableObject(env.APPROVAL_GATE.getByName(gate.id), async (_instance: ApprovalGate, state) => {
      const stored = (await state.storage.get("gate")) as { decision: { message: string }; revision: number };
      expect(stored.decision.message).toMatch(/^caller \d+$/);
      expect(stored.revision).toBe(2);
    });
  });

  it("a manual decision racing the timeout alarm: still one decision", async () => {
    await putPolicy("race-manual", { manual: { required: true }, timeout: "1m" });
    const approver = await createToken({ name: "racer", namespaces: [NS], scopes: ["approvals:decide"] });
    const gate = await createGate("race-manual");
    const [decision] = await Promise.all([
      callJson(`/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`, "POST", { approve: true }, bearer(approver)),
      driveAlarms(gate.id, (view) => view.status !== "pending"),
    ]);
    const final = await readGate(gate.id);
    expect(["approved", "timed_out"]).toContain(final.status);
    expect(decision.status).toBe(final.status === "approved" ? 200 : 409);
  });
});

describe("approval gates: resuming the Argo workflow", () => {
  it("on approval, sets the waiting node through the Argo Server", async () => {
    await putCluster("default", "argo-server");
    await fakeCluster.control("POST", "workflows", NS, {
      name: "deploy-abc12",
      labels: {},
      annotations: {},
      parameters: [],
      template: { kind: "WorkflowTemplate", name: "deploy" },
      via: "argo-server",
    });
    await putPolicy("deploy-gate", { webhooks: [{ name: "w", uri: receiver.hook("deploy") }] });
    const gate = await createGate("deploy-gate", {
      subject: { cluster: "default", workflow: "deploy-abc12", node: "approve" },
    });
    const { token } = await accessToken();
    await callBack(gate.callbackUri, token, { success: true, mdMessage: "Approved by **security**" });
    const done = await driveAlarms(gate.id, (view) => view.node?.phase === "set");
    expect(done.node).toMatchObject({ phase: "set", attempts: 1 });
    const { sets } = (await fakeCluster.control("GET", "sets", NS)) as { sets: Array<{ name: string; body: unknown }> };
    expect(sets).toEqual([
      {
        namespace: NS,
        name: "deploy-abc12",
        at: expect.any(Number),
        body: {
          namespace: NS,
          name: "deploy-abc12",
          nodeFieldSelector: "id=deploy-abc12-approve",
          phase: "Succeeded",
          message: "Approved by **security**",
          outputParameters: '{"approved":"true"}',
        },
      },
    ]);
  });

  it("Argo Server down at decision time: the set call is retried until it succeeds", async () => {
    const ns = "retry-set";
    await putCluster("default", "argo-server");
    await fakeCluster.control("POST", "workflows", ns, {
      name: "wf",
      labels: {},
      annotations: {},
      parameters: [],
      template: { kind: "WorkflowTemplate", name: "t" },
      via: "argo-server",
      nodes: [
        { id: "wf", name: "wf", displayName: "wf", type: "Steps", phase: "Running", templateName: "main" },
        {
          id: "wf-123",
          name: "wf[0].hold",
          displayName: "hold",
          type: "Suspend",
          phase: "Running",
          templateName: "hold",
        },
      ],
    });
    await putPolicy("p", { manual: { required: true } }, ns);
    const gate = await createGate("p", { subject: { cluster: "default", workflow: "wf", node: "id=wf-123" } }, ns);
    await fakeCluster.behaviour(ns, { fail500: 2 });
    const approver = await createToken({
      name: "retry-approver",
      namespaces: [ns],
      scopes: ["approvals:decide", "approvals:read"],
    });
    await callJson(
      `/api/v1/namespaces/${ns}/approvals/${gate.id}/decision`,
      "POST",
      { approve: false, message: "no" },
      bearer(approver),
    );
    const stub = env.APPROVAL_GATE.getByName(gate.id);
    let view = (await (
      await call(`/api/v1/namespaces/${ns}/approvals/${gate.id}`, { headers: adminAuth })
    ).json()) as GateView;
    for (let i = 0; i < 20 && view.node?.phase !== "set"; i++) {
      await runDurableObjectAlarm(stub);
      view = (await (
        await call(`/api/v1/namespaces/${ns}/approvals/${gate.id}`, { headers: adminAuth })
      ).json()) as GateView;
    }
    expect(view.node).toMatchObject({ phase: "set", attempts: 3 });
    const { sets } = (await fakeCluster.control("GET", "sets", ns)) as {
      sets: Array<{ body: Record<string, unknown> }>;
    };
    expect(sets[0]?.body).toMatchObject({
      nodeFieldSelector: "id=wf-123",
      phase: "Failed",
      message: "no",
      outputParameters: '{"approved":"false"}',
    });
  });
});

describe("approval callbacks: credentials", () => {
  async function pendingGate() {
    await putPolicy("creds", { webhooks: [{ name: "w", uri: receiver.hook("creds") }] });
    return createGate("creds");
  }

  it("refuses missing, forged, expired and non-OAuth tokens with 401", async () => {
    const gate = await pendingGate();
    const { token } = await accessToken();
    await expectError(
      await call(new URL(gate.callbackUri ?? "").pathname, { method: "POST", body: '{"success":true}' }),
      401,
      "unauthenticated",
    );
    const [header, payload, signature] = token.split(".");
    const forgedPayload = btoa(
      JSON.stringify({
        ...JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/"))),
        ns: ["*"],
        scope: "approvals:callback admin",
      }),
    )
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    await expectError(
      await callBack(gate.callbackUri, `${header}.${forgedPayload}.${signature}`, { success: true }),
      401,
      "unauthenticated",
    );
    await expectError(
      await callBack(gate.callbackUri, `${token.slice(0, -3)}abc`, { success: true }),
      401,
      "unauthenticated",
    );
    const admin = env.HOOKLINE_ADMIN_TOKEN;
    await expectError(await callBack(gate.callbackUri, admin, { success: true }), 401, "unauthenticated");

    const { clientId } = await accessToken();
    const client = {
      clientId,
      name: "x",
      secretHash: "",
      scopes: ["approvals:callback"],
      namespaces: ["*"],
      createdAt: 0,
    };
    const expired = await issueAccessToken(keyringOf(env), client, ["approvals:callback"], Date.now() - 2 * 86_400_000);
    await expectError(
      await callBack(gate.callbackUri, expired.access_token, { success: true }),
      401,
      "unauthenticated",
    );
    expect((await readGate(gate.id)).status).toBe("pending");
  });

  it("refuses a token without the callback scope, or for another namespace, with 403", async () => {
    const gate = await pendingGate();
    const { clientId } = await accessToken();
    const client = {
      clientId,
      name: "x",
      secretHash: "",
      scopes: ["approvals:callback"],
      namespaces: ["*"],
      createdAt: 0,
    };
    const wrongScope = await issueAccessToken(keyringOf(env), client, ["something:else"]);
    await expectError(
      await callBack(gate.callbackUri, wrongScope.access_token, { success: true }),
      403,
      "permission_denied",
    );
    const { token: otherNamespace } = await accessToken(["elsewhere"]);
    await expectError(await callBack(gate.callbackUri, otherNamespace, { success: true }), 403, "permission_denied");
    expect((await readGate(gate.id)).status).toBe("pending");
  });

  it("a deleted client's tokens stop working", async () => {
    const gate = await pendingGate();
    const { token, clientId } = await accessToken();
    expect((await call(`/api/v1/oauth/clients/${clientId}`, { method: "DELETE", headers: adminAuth })).status).toBe(
      204,
    );
    await expectError(await callBack(gate.callbackUri, token, { success: true }), 401, "unauthenticated");
  });

  it("a URI hookline did not issue is 403; malformed bodies are 400 and change nothing", async () => {
    const gate = await pendingGate();
    const { token } = await accessToken();
    await expectError(
      await callBack(
        `https://hookline.test/callbacks/approvals/${"0".repeat(26)}${"a".repeat(20)}/w/${"A".repeat(32)}`,
        token,
        {
          success: true,
        },
      ),
      403,
      "permission_denied",
    );
    await expectError(
      await callBack(`https://hookline.test/callbacks/approvals/nope`, token, { success: true }),
      403,
      "permission_denied",
    );
    for (const body of [
      {},
      { success: "true" },
      { success: true, extra: 1 },
      { success: true, mdMessage: "x".repeat(10_001) },
      { success: true, mdMessage: 5 },
    ]) {
      await expectError(await callBack(gate.callbackUri, token, body), 400, "invalid_argument");
    }
    const raw = await call(new URL(gate.callbackUri ?? "").pathname, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{nope",
    });
    await expectError(raw, 400, "invalid_argument");
    expect((await readGate(gate.id)).status).toBe("pending");
  });
});

describe("OAuth token endpoint (RFC 6749 §4.4)", () => {
  it("issues a bearer token from form or JSON parameters, or HTTP Basic", async () => {
    const { clientId, clientSecret } = await accessToken();
    const form = await call("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `data=audience=https://api.example.com&grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
    });
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(await form.json()).toMatchObject({ token_type: "Bearer", expires_in: 86400, scope: "approvals:callback" });
    const json = await callJson(
      "/oauth/token",
      "POST",
      { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
      {},
    );
    expect(json.status).toBe(200);
    const basic = await call("/oauth/token", {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials&scope=approvals%3Acallback",
    });
    expect(basic.status).toBe(200);
  });

  it("answers errors in RFC 6749 shape", async () => {
    const { clientId, clientSecret } = await accessToken();
    const post = (body: string, headers: Record<string, string> = {}) =>
      call("/oauth/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    const expectOAuthError = async (response: Response, status: number, error: string) => {
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error, error_description: expect.any(String) });
    };
    await expectOAuthError(
      await post(`grant_type=client_credentials&client_id=${clientId}&client_secret=wrong`),
      401,
      "invalid_client",
    );
    await expectOAuthError(
      await post("grant_type=client_credentials&client_id=hlc_nope&client_secret=x"),
      401,
      "invalid_client",
    );
    await expectOAuthError(await post("grant_type=client_credentials"), 401, "invalid_client");
    const badBasic = await post("grant_type=client_credentials", {
      authorization: `Basic ${btoa(`${clientId}:wrong`)}`,
    });
    expect(badBasic.headers.get("www-authenticate")).toMatch(/^Basic/);
    await expectOAuthError(badBasic, 401, "invalid_client");
    await expectOAuthError(
      await post(`grant_type=password&client_id=${clientId}&client_secret=${clientSecret}`),
      400,
      "unsupported_grant_type",
    );
    await expectOAuthError(await post(`client_id=${clientId}&client_secret=${clientSecret}`), 400, "invalid_request");
    await expectOAuthError(
      await post(`grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}&scope=admin`),
      400,
      "invalid_scope",
    );
    await expectOAuthError(
      await post(`grant_type=client_credentials&client_secret=${clientSecret}`, {
        authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`,
      }),
      400,
      "invalid_request",
    );
    await expectOAuthError(
      await call("/oauth/token", { method: "POST", headers: { "content-type": "text/xml" }, body: "<x/>" }),
      400,
      "invalid_request",
    );
  });

  it("OAuth clients are admin only and their secret is stored hashed", async () => {
    const token = await createToken({ name: "no-oauth-admin", namespaces: ["*"], scopes: ["approvals:decide"] });
    await expectError(
      await callJson("/api/v1/oauth/clients", "POST", { name: "sneaky" }, bearer(token)),
      403,
      "permission_denied",
    );
    const { clientSecret } = await accessToken();
    const rows = await env.DB.prepare("SELECT * FROM oauth_clients").all();
    expect(JSON.stringify(rows.results)).not.toContain(clientSecret);
    const listed = await (await call("/api/v1/oauth/clients", { headers: adminAuth })).text();
    expect(listed).not.toContain(clientSecret);
  });
});

describe("approval policies and gate requests: bad input", () => {
  const bad: Array<[string, unknown]> = [
    ["no webhook and no manual approval", {}],
    ["a plain-http remote webhook", { webhooks: [{ name: "w", uri: "http://approver.example.com/hook" }] }],
    ["an unknown body template", { webhooks: [{ name: "w", uri: "https://a.example.com", body: "nope" }] }],
    ["a timeout that is not a duration", { manual: { required: true }, timeout: "forever" }],
    ["a timeout under a minute", { manual: { required: true }, timeout: "30s" }],
    [
      "a Worker secret outside APPROVAL_*",
      {
        webhooks: [
          { name: "w", uri: "https://a.example.com", headers: [{ name: "X", workerSecret: "HOOKLINE_SECRET_KEY" }] },
        ],
      },
    ],
    [
      "duplicate webhook names",
      {
        webhooks: [
          { name: "w", uri: "https://a.example.com" },
          { name: "w", uri: "https://b.example.com" },
        ],
      },
    ],
    ["too many retries", { webhooks: [{ name: "w", uri: "https://a.example.com", retryCount: 50 }] }],
  ];
  for (const [what, body] of bad) {
    it(`refuses a policy with ${what}`, async () => {
      await expectError(
        await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/bad`, "PUT", body),
        400,
        "invalid_argument",
      );
      expect(await countRows("approval_policies", "name = 'bad'")).toBe(0);
    });
  }

  it("seals header secrets and never returns them", async () => {
    await putPolicy("secretive", {
      webhooks: [
        {
          name: "w",
          uri: receiver.hook("secretive"),
          headers: [{ name: "Authorization", secret: "Bearer approver-secret-123" }],
        },
      ],
    });
    const shown = await (
      await call(`/api/v1/namespaces/${NS}/approvalpolicies/secretive`, { headers: adminAuth })
    ).text();
    expect(shown).not.toContain("approver-secret-123");
    expect(
      JSON.stringify(await env.DB.prepare("SELECT object FROM approval_policies WHERE name = 'secretive'").first()),
    ).not.toContain("approver-secret-123");
    await createGate("secretive");
    const [delivery] = await vi.waitFor(async () => {
      const requests = await receiver.requests("secretive");
      if (requests.length === 0) throw new Error("not yet");
      return requests;
    });
    expect(delivery?.headers.authorization).toBe("Bearer approver-secret-123");
  });

  it("refuses gate requests for unknown policies, bad subjects, big contexts; creating needs approvals:create", async () => {
    await putPolicy("ok", { manual: { required: true } });
    await expectError(
      await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "nope" }),
      404,
      "not_found",
    );
    await expectError(
      await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", {
        policy: "ok",
        subject: { cluster: "default", workflow: "Bad Name", node: "x" },
      }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", {
        policy: "ok",
        context: { blob: "x".repeat(20_000) },
      }),
      400,
      "invalid_argument",
    );
    for (const scopes of [["approvals:read"], ["events:write"], ["approvals:decide"]]) {
      const token = await createToken({ name: `gate-${scopes[0]?.replace(":", "-")}`, namespaces: [NS], scopes });
      await expectError(
        await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "ok" }, bearer(token)),
        403,
        "permission_denied",
      );
    }
    const opener = await createToken({ name: "gate-opener", namespaces: [NS], scopes: ["approvals:create"] });
    expect(
      (await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "ok" }, bearer(opener))).status,
    ).toBe(201);
    const decider = await createToken({
      name: "gate-decider-ns",
      namespaces: ["elsewhere"],
      scopes: ["approvals:decide"],
    });
    const gate = await createGate("ok");
    await expectError(
      await callJson(
        `/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`,
        "POST",
        { approve: true },
        bearer(decider),
      ),
      403,
      "permission_denied",
    );
    await expectError(
      await callJson(`/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`, "POST", { approve: "yes" }),
      400,
      "invalid_argument",
    );
    await expectError(
      await call(`/api/v1/namespaces/other/approvals/${gate.id}`, { headers: adminAuth }),
      404,
      "not_found",
    );
  });
});
