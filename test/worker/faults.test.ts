import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { ApprovalGate } from "../../src/approvals/approval-gate";
import { gateOf } from "../../src/approvals/decide";
import { buildSubmission } from "../../src/clusters/submission";
import type { EventMessage } from "../../src/events/message";
import { toRecord } from "../../src/events/record";
import { insertEventsStatements } from "../../src/events/store";
import worker from "../../src/index";
import { newEventId } from "../../src/lib/ids";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  callJson,
  countRows,
  fakeCluster,
  pendingResult,
  postEvent,
  putCluster,
  receiver,
  storedResults,
  waitForOutcome,
} from "./helpers";

/** A person deciding through the API. */
const RELEASE = { by: "token:release", via: "api", identities: ["console:release"] };

interface ClusterView {
  status: { circuit: string; since: string; lastError: string | null; queued: number };
}

async function clusterStatus(name: string): Promise<ClusterView["status"]> {
  const response = await call(`/api/v1/clusters/${name}`, { headers: adminAuth });
  return ((await response.json()) as ClusterView).status;
}

/** Hands one message to a queue's consumer, as the platform would, and returns what it did. */
async function deliver(queue: string, id: string, body: unknown, attempts: number) {
  const batch = createMessageBatch(queue, [{ id, timestamp: new Date(), attempts, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function subscribe(name: string, triggers: string[], hook: string, selector?: string): Promise<void> {
  expect(
    (await callJson(`/api/v1/notifications/services/${name}`, "PUT", { type: "webhook", url: receiver.hook(hook) }))
      .status,
  ).toBe(201);
  expect(
    (
      await callJson(`/api/v1/notifications/subscriptions/${name}`, "PUT", {
        ...(selector ? { selector } : {}),
        triggers,
        destinations: [{ service: name }],
      })
    ).status,
  ).toBe(201);
}

describe("a cluster that is down is not hammered, and nothing is lost", () => {
  it("opens the breaker, holds submissions without spending attempts, probes, then submits each event once", async () => {
    const ns = "outage";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await subscribe("ops", ["on-cluster-down", "on-cluster-recovered"], "cluster-health");
    await fakeCluster.behaviour(ns, { down: true });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await postEvent(`${ns}/x`, JSON.stringify({ i }), adminAuth);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const open = await vi.waitFor(
      async () => {
        const status = await clusterStatus("default");
        if (status.circuit === "closed") throw new Error("still closed");
        return status;
      },
      { timeout: 40_000, interval: 250 },
    );
    expect(open.lastError).toMatch(/503/);
    expect(open.queued).toBeGreaterThan(0);
    const whileDown = await fakeCluster.requests(ns);
    // A handful of leads and probes for 30 events, never a request per event.
    expect(whileDown).toBeLessThan(12);
    await fakeCluster.behaviour(ns, {});
    const events = await Promise.all(ids.map((id) => waitForOutcome(ns, id, undefined, 60_000)));
    expect(events.every((event) => event.outcome === "submitted")).toBe(true);
    // Held submissions spent no attempt: nearly every result took one.
    const attempts = events.map((event) => event.results[0]?.attempts ?? 0);
    expect(attempts.filter((count) => count > 1).length).toBeLessThan(12);
    const workflows = await fakeCluster.workflows(ns);
    expect(workflows).toHaveLength(30);
    expect(new Set(workflows.map((workflow) => workflow.labels["hookline.dev/event-id"])).size).toBe(30);
    expect((await clusterStatus("default")).circuit).toBe("closed");
    const told = await vi.waitFor(
      async () => {
        const requests = await receiver.requests("cluster-health");
        const kinds = requests.map((request) => (JSON.parse(request.body) as { title: string }).title);
        if (!kinds.some((title) => /recovered/.test(title))) throw new Error("not yet");
        return kinds;
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(told.filter((title) => /is down/.test(title))).toHaveLength(1);
    expect(told.filter((title) => /recovered/.test(title))).toHaveLength(1);
  }, 120_000);
});

describe("dead letters are never silent or wrong", () => {
  function eventMessage(namespace: string, id: string) {
    return {
      v: 1,
      id,
      namespace,
      discriminator: "",
      receivedAt: Date.now(),
      sender: { key: "admin", templates: null },
      metadata: {},
      body: { inline: "{}" },
      bodyBytes: 2,
    };
  }

  /** An event whose one submission is still pending, logged as the consumer logs it (no queue message left). */
  async function pendingEvent(ns: string) {
    const id = newEventId();
    const message = eventMessage(ns, id);
    const submission = buildSubmission(
      {
        cluster: "default",
        namespace: ns,
        template: { name: "build", clusterScope: false },
        workflowName: `build-${id.slice(-10).toLowerCase()}`,
        labels: {},
        annotations: {},
        parameters: [],
      },
      { eventId: id, binding: "b" },
    );
    await env.DB.batch(
      insertEventsStatements(env.DB, [
        toRecord(
          message as EventMessage,
          "pending",
          null,
          0,
          [
            pendingResult(id, "default", {
              error: 'cluster "default" did not answer within 1 s',
              workflow: submission.workflowName,
              request: submission,
              attempts: 3,
            }),
          ],
          undefined,
        ),
      ]),
    );
    return { id, message, submission };
  }

  const resultOf = async (id: string) => {
    const [result] = await storedResults(id);
    return result === undefined ? null : { status: result.status, error: result.error };
  };

  it("before recording a dead-lettered submission failed, asks the cluster whether its workflow exists", async () => {
    const ns = "dead-letters";
    await putCluster("default", "argo-server");
    // The submit succeeded but its answer was lost: the workflow exists, with this event's label.
    const done = await pendingEvent(ns);
    await fakeCluster.control("POST", "workflows", ns, {
      name: done.submission.workflowName,
      labels: done.submission.labels,
      annotations: {},
      parameters: [],
      template: { kind: "WorkflowTemplate", name: "build" },
      via: "argo-server",
    });
    expect((await deliver("hookline-events-dlq", "dead-1", done.message, 11)).explicitAcks).toEqual(["dead-1"]);
    expect(await resultOf(done.id)).toEqual({ status: "submitted", error: null });
    expect(await env.DB.prepare("SELECT outcome FROM event_log WHERE id = ?1").bind(done.id).first("outcome")).toBe(
      "submitted",
    );

    // No such workflow: failed, with the last error.
    const lost = await pendingEvent(ns);
    expect((await deliver("hookline-events-dlq", "dead-2", lost.message, 11)).explicitAcks).toEqual(["dead-2"]);
    expect(await resultOf(lost.id)).toEqual({
      status: "failed",
      error: 'gave up after 11 delivery attempt(s): cluster "default" did not answer within 1 s',
    });

    // The cluster cannot tell now: asked again later, and only then recorded, saying so.
    await fakeCluster.behaviour(ns, { down: true });
    const unsure = await pendingEvent(ns);
    const early = await deliver("hookline-events-dlq", "dead-3", unsure.message, 2);
    expect(early.explicitAcks).toEqual([]);
    expect(early.retryMessages).toEqual([{ msgId: "dead-3" }]);
    expect((await resultOf(unsure.id))?.status).toBe("pending");
    expect((await deliver("hookline-events-dlq", "dead-3", unsure.message, 5)).explicitAcks).toEqual(["dead-3"]);
    expect((await resultOf(unsure.id))?.error).toMatch(/could not confirm whether the workflow exists/);
    await fakeCluster.behaviour(ns, {});
  });

  it("an unreadable message is kept in the graveyard, listed by the API, never dropped", async () => {
    const result = await deliver("hookline-events", "junk-1", { v: 99, namespace: "graves", what: "junk" }, 1);
    expect(result.explicitAcks).toEqual(["junk-1"]);
    const listed = (await (await call("/api/v1/namespaces/graves/deadletters", { headers: adminAuth })).json()) as {
      items: Array<{ queue: string; messageId: string; reason: string; body: unknown }>;
    };
    expect(listed.items).toEqual([
      expect.objectContaining({
        queue: "hookline-events",
        messageId: "junk-1",
        reason: expect.stringMatching(/^unreadable message/),
        body: { v: 99, namespace: "graves", what: "junk" },
      }),
    ]);
  });
});

describe("notifications: waiting never costs an attempt", () => {
  it("a receiver's 429 Retry-After is waited out, and the delivery keeps its attempts", async () => {
    await receiver.behave("slow-down", { tooMany: 3, retryAfter: 1 });
    await subscribe("polite", ["on-workflow-submitted"], "slow-down", 'app.namespace = "polite-ns"');
    const ns = "polite-ns";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await postEvent(`${ns}/x`, "{}", adminAuth);
    const delivered = await vi.waitFor(
      async () => {
        const row = await env.DB.prepare(
          "SELECT status, attempts FROM notification_deliveries WHERE service = 'polite' AND status = 'delivered'",
        ).first<{ status: string; attempts: number }>();
        if (!row) throw new Error("not delivered yet");
        return row;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(delivered.attempts).toBe(1);
    expect(await receiver.requests("slow-down")).toHaveLength(4);
  }, 60_000);

  it("a 500-delivery burst to a DingTalk robot (20 a minute) ends with 500 delivered, never faster, no attempt spent on waiting", async () => {
    // The suite's pacing window is 2 s (vitest.config.ts): DingTalk's 20 a minute becomes 20 per 2 s.
    expect(
      (
        await callJson("/api/v1/notifications/services/robot", "PUT", {
          type: "dingtalk",
          url: `${receiver.url}/dingtalk/robot/send?access_token=faults-burst`,
        })
      ).status,
    ).toBe(201);
    const count = 500;
    // One deployed application subscribed for 500 recipients (Argo CD's annotation): 500 deliveries.
    const recipients = Array.from({ length: count }, (_, i) => `1380000${String(i).padStart(4, "0")}`);
    const app = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "burst-app",
        namespace: "argocd",
        annotations: { "notifications.argoproj.io/subscribe.on-deployed.robot": recipients.join(";") },
      },
      status: {
        operationState: { phase: "Succeeded", syncResult: { revision: "r1" } },
        health: { status: "Healthy" },
        sync: { status: "Synced", revision: "r1" },
        history: [{ id: 1, deployStartedAt: "2026-01-01T00:00:00Z" }],
      },
    };
    expect((await callJson("/api/v1/notifications/resources", "POST", app)).status).toBe(202);
    await vi.waitFor(
      async () => {
        const delivered = await countRows("notification_deliveries", "service = 'robot' AND status = 'delivered'");
        if (delivered < count) throw new Error(`${delivered} of ${count} delivered`);
      },
      { timeout: 120_000, interval: 1_000 },
    );
    expect(
      await countRows("notification_deliveries", "service = 'robot' AND (attempts != 1 OR status != 'delivered')"),
    ).toBe(0);
    const times = (await receiver.requests("faults-burst")).map((request) => request.at).sort((a, b) => a - b);
    expect(times).toHaveLength(count);
    // Never more than 20 in any 2 s window.
    let busiest = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 2_000) start++;
      busiest = Math.max(busiest, end - start + 1);
    }
    expect(busiest).toBeLessThanOrEqual(20);
  }, 180_000);
});

describe("chaos, briefly: flaky cluster and receivers lose nothing and duplicate nothing", () => {
  it("events to a cluster failing 30% and deliveries to a receiver failing 30% and rate-limiting 10% all arrive once", async () => {
    const ns = "chaos-short";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await subscribe("chaotic", ["on-workflow-submitted"], "chaotic", 'app.namespace = "chaos-short"');
    await receiver.behave("chaotic", { randomFailRate: 0.3, random429Rate: 0.1 });
    await fakeCluster.behaviour(ns, { randomFailRate: 0.3 });
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) {
      ids.push(((await (await postEvent(`${ns}/x`, JSON.stringify({ i }), adminAuth)).json()) as { id: string }).id);
    }
    const events = await Promise.all(ids.map((id) => waitForOutcome(ns, id, undefined, 90_000)));
    expect(events.map((event) => event.outcome)).toEqual(ids.map(() => "submitted"));
    const workflows = await fakeCluster.workflows(ns);
    expect(workflows).toHaveLength(15);
    await vi.waitFor(
      async () => {
        const done = await countRows("notification_deliveries", "service = 'chaotic' AND status = 'delivered'");
        if (done < 15) throw new Error(`${done} of 15 delivered`);
      },
      { timeout: 90_000, interval: 500 },
    );
    expect(await countRows("notification_deliveries", "service = 'chaotic' AND status = 'failed'")).toBe(0);
    // Each notification was taken exactly once (the failed and rate-limited answers aside).
    const taken = new Map<string, number>();
    for (const request of await receiver.requests("chaotic")) {
      if (request.status !== 200) continue;
      const resource = (JSON.parse(request.body) as { resource: string }).resource;
      taken.set(resource, (taken.get(resource) ?? 0) + 1);
    }
    expect(taken.size).toBe(15);
    expect([...taken.values()].every((count) => count === 1)).toBe(true);
  }, 180_000);
});

describe("approval gates store a decision before announcing it", () => {
  it("a gate that dies between storing and announcing announces exactly once after it restarts", async () => {
    const ns = "crash";
    await callJson(`/api/v1/namespaces/${ns}/approvalpolicies/p`, "PUT", { manual: { required: true } });
    await subscribe("decided-hook", ["on-approval-decided"], "gate-decided");
    const gate = (await (await callJson(`/api/v1/namespaces/${ns}/approvals`, "POST", { policy: "p" })).json()) as {
      id: string;
    };
    let stub = env.APPROVAL_GATE.getByName(gate.id);
    // The object stores the decision and dies before any announcement runs.
    await runInDurableObject(stub, async (instance: ApprovalGate) => {
      (instance as unknown as { announceDue: () => Promise<void> }).announceDue = async () => undefined;
    });
    expect(await stub.decide(ns, true, "ship it", RELEASE)).toMatchObject({ ok: true });
    await runInDurableObject(stub, (_instance: ApprovalGate, state) => state.abort("crash")).catch(() => undefined);
    // Restarted: the decision is stored, its announcements are due, and the alarm makes them.
    stub = env.APPROVAL_GATE.getByName(gate.id);
    const view = await gateOf(env, gate.id).read();
    expect(view?.status).toBe("approved");
    expect(await env.DB.prepare("SELECT status FROM approvals WHERE id = ?1").bind(gate.id).first("status")).toBe(
      "pending",
    );
    await runDurableObjectAlarm(stub);
    expect(await env.DB.prepare("SELECT status FROM approvals WHERE id = ?1").bind(gate.id).first("status")).toBe(
      "approved",
    );
    // Announcing again (a second alarm, a repeated request) sends nothing twice.
    await runDurableObjectAlarm(stub);
    expect(await stub.decide(ns, true, "ship it", RELEASE)).toMatchObject({ ok: true });
    const requests = await vi.waitFor(
      async () => {
        const received = await receiver.requests("gate-decided");
        if (received.length === 0) throw new Error("not yet");
        return received;
      },
      { timeout: 20_000, interval: 250 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await receiver.requests("gate-decided")).toHaveLength(requests.length);
    expect(requests).toHaveLength(1);
  }, 60_000);
});
