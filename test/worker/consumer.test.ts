import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventMessage } from "../../src/events/message";
import worker from "../../src/index";
import { newEventId } from "../../src/lib/ids";
import {
  applyBinding,
  binding,
  countedEvents,
  countRows,
  fakeCluster,
  putCluster,
  storedResults,
  waitForOutcome,
} from "./helpers";

function message(overrides: Partial<EventMessage> = {}): EventMessage {
  return {
    v: 1,
    id: newEventId(),
    namespace: "consumer",
    discriminator: "d",
    receivedAt: Date.now(),
    sender: { key: "admin", templates: null },
    metadata: { "x-test": ["1"] },
    body: { inline: '{"a":1}' },
    bodyBytes: 7,
    ...overrides,
  };
}

async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, index) => ({ id: `msg-${index}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("EVENTS consumer", () => {
  it("writes a batch to the event log and acknowledges every message", async () => {
    const bodies = [message(), message(), message()];
    const result = await deliver("hookline-events", bodies);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2"]);
    expect(result.retryMessages).toEqual([]);
    for (const body of bodies)
      expect(await countRows("event_log", "id = ?1 AND outcome = 'no_bindings'", body.id)).toBe(1);
    expect(await countedEvents(env.DB, "consumer", "no_bindings")).toBeGreaterThanOrEqual(3);
  });

  it("redelivered event is logged once", async () => {
    const body = message();
    await deliver("hookline-events", [body]);
    const again = await deliver("hookline-events", [body, body], 2);
    expect(again.explicitAcks).toHaveLength(2);
    expect(await countRows("event_log", "id = ?1", body.id)).toBe(1);
  });

  it("drops a message no version of the consumer can read, and still logs the rest", async () => {
    const good = message();
    const result = await deliver("hookline-events", [{ v: 99, junk: true }, good]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
    expect(await countRows("event_log", "id = ?1", good.id)).toBe(1);
  });

  it("when the batched write fails, writes one by one and retries only the failing message with backoff", async () => {
    const good = message({ discriminator: "batch-failure" });
    // Make D1 itself refuse one row (a trigger in this file's test database), so the batch fails.
    await env.DB.exec(
      "CREATE TRIGGER refuse_poison BEFORE INSERT ON event_log WHEN NEW.namespace = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;",
    );
    const poisoned = message({ namespace: "poison" });
    const result = await deliver("hookline-events", [good, poisoned], 3);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    // (the test harness records which messages were retried, not their delay; see retry.test.ts)
    expect(result.retryMessages).toEqual([{ msgId: "msg-1" }]);
    expect(await countRows("event_log", "id = ?1", good.id)).toBe(1);
    expect(await countRows("event_log", "id = ?1", poisoned.id)).toBe(0);
    await env.DB.exec("DROP TRIGGER refuse_poison");
  });
});

describe("EVENTS consumer: a memory-hungry binding fails alone", () => {
  it("a batch mixing an expression that would build gigabytes with other namespaces' events processes the others normally", async () => {
    for (const ns of ["hungry", "calm-a", "calm-b"]) await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding("hungry", binding("pad", '$length($pad("", 30000000)) > 0', "build"));
    await applyBinding(
      "hungry",
      binding("doubling", `($s := $pad("", 1000000, "a"); ${"$s := $s & $s; ".repeat(7)}$length($s) > 0)`, "build"),
    );
    await applyBinding("hungry", binding("fine", "true", "build"));
    for (const ns of ["calm-a", "calm-b"]) await applyBinding(ns, binding("plain", "true", "build"));
    const hungry = message({ namespace: "hungry" });
    const calm = [message({ namespace: "calm-a" }), message({ namespace: "calm-b" }), message({ namespace: "calm-a" })];
    const result = await deliver("hookline-events", [calm[0], hungry, calm[1], calm[2]]);
    expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1", "msg-2", "msg-3"]);
    expect(result.retryMessages).toEqual([]);

    const logged = await waitForOutcome("hungry", hungry.id);
    const byName = new Map(logged.results.map((entry) => [entry.binding, entry]));
    expect(byName.get("pad")).toMatchObject({ status: "failed" });
    expect(byName.get("pad")?.error).toMatch(
      /^spec\.event\.selector: EXPRESSION_BUDGET: \$pad would build a string of 30000000 characters/,
    );
    expect(byName.get("doubling")?.error).toMatch(/EXPRESSION_BUDGET: & would build a string of 2000000 characters/);
    expect(byName.get("fine")).toMatchObject({ status: "submitted" });
    for (const event of calm) expect((await waitForOutcome(event.namespace, event.id)).outcome).toBe("submitted");
  });
});

describe("EVENTS dead-letter consumer", () => {
  it("records a dead-lettered event as failed with the reason", async () => {
    const body = message();
    const result = await deliver("hookline-events-dlq", [body], 11);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    const row = await env.DB.prepare("SELECT outcome, error FROM event_log WHERE id = ?1").bind(body.id).first();
    expect(row).toEqual({ outcome: "failed", error: expect.stringContaining("dead-lettered") });
  });
});

describe("EVENTS consumer: submissions under redelivery", () => {
  async function prepare(ns: string) {
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
  }

  it("redelivered event submits no second workflow", async () => {
    await prepare("redeliver");
    const body = message({ namespace: "redeliver" });
    const first = await deliver("hookline-events", [body]);
    expect(first.explicitAcks).toEqual(["msg-0"]);
    const again = await deliver("hookline-events", [body], 2);
    expect(again.explicitAcks).toEqual(["msg-0"]);
    expect(await fakeCluster.workflows("redeliver")).toHaveLength(1);
    expect(await fakeCluster.requests("redeliver")).toBe(1);
    expect((await storedResults(body.id)).filter((result) => result.status === "submitted")).toHaveLength(1);
  });

  it("two deliveries of a new event racing each other still create one workflow", async () => {
    await prepare("race");
    const body = message({ namespace: "race" });
    const results = await Promise.all([deliver("hookline-events", [body]), deliver("hookline-events", [body])]);
    for (const result of results) expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(await fakeCluster.workflows("race")).toHaveLength(1);
    expect((await storedResults(body.id)).filter((result) => result.status === "submitted")).toHaveLength(1);
  });

  it("a submission still failing when the event is dead-lettered ends failed, with its last error", async () => {
    await prepare("dead");
    await fakeCluster.behaviour("dead", { fail500: 100 });
    const body = message({ namespace: "dead" });
    const result = await deliver("hookline-events", [body]);
    // Rescheduled (a delayed copy; the consumer counts the attempt itself), not retried by the queue.
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await env.DB.prepare("SELECT outcome FROM event_log WHERE id = ?1").bind(body.id).first("outcome")).toBe(
      "pending",
    );
    const dead = await deliver("hookline-events-dlq", [body], 11);
    expect(dead.explicitAcks).toEqual(["msg-0"]);
    const [row] = await storedResults(body.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(String(row?.error)).toMatch(/^gave up after 11 delivery attempt\(s\): cluster "default" answered 500/);
    expect(await env.DB.prepare("SELECT outcome FROM event_log WHERE id = ?1").bind(body.id).first("outcome")).toBe(
      "failed",
    );
  });
});
