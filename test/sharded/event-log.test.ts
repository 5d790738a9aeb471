import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it, vi } from "vitest";
import { countStatements, outcomeCounts } from "../../src/events/counts";
import type { EventMessage } from "../../src/events/message";
import { eventLogs, eventLogsOf, eventQueueFor, eventQueues, type Shard, shardFor } from "../../src/events/shards";
import { insertEventsStatements, loggedNamespaces } from "../../src/events/store";
import worker from "../../src/index";
import { newEventId } from "../../src/lib/ids";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  eventRecord,
  fakeCluster,
  pendingResult,
  putCluster,
  countRowsIn as rowsIn,
  sendEvent,
  waitForOutcome,
} from "../worker/helpers";

// This project runs the Worker with EVENT_LOG_SHARDS = "DB,EVENT_LOG_2,EVENT_LOG_3" and
// EVENT_QUEUE_SHARDS = "EVENTS,EVENTS_2" (vitest.config.ts): three real local D1 databases and
// two real local queues.

const logs = eventLogs(env);
const database = (name: string): D1Database => {
  const shard = logs.find((candidate) => candidate.name === name);
  if (!shard) throw new Error(`no shard ${name}`);
  return shard.resource;
};

/** A namespace (prefix-N) whose events live in the shard named `shard`. */
function namespaceOn(prefix: string, shard: string, shards: readonly Shard<unknown>[] = logs): string {
  for (let index = 0; index < 1000; index++) {
    const namespace = `${prefix}-${index}`;
    if (shardFor(shards, namespace).name === shard) return namespace;
  }
  throw new Error(`no namespace found for ${shard}`);
}

function message(namespace: string, payload: string): EventMessage {
  return {
    v: 1,
    id: newEventId(),
    namespace,
    discriminator: "d",
    receivedAt: Date.now(),
    sender: { key: "admin", templates: null },
    metadata: {},
    body: { inline: payload },
    bodyBytes: payload.length,
  };
}

async function deliver(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, index) => ({ id: `msg-${index}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("placing namespaces on shards", () => {
  it("spreads namespaces evenly, and a new shard takes namespaces only for itself", () => {
    const names = Array.from({ length: 3000 }, (_, index) => `team-${index}`);
    const three = ["DB", "EVENT_LOG_2", "EVENT_LOG_3"].map((name) => ({ name, resource: name }));
    const counts = new Map<string, number>();
    for (const name of names) {
      const shard = shardFor(three, name).name;
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
    const four = [...three, { name: "EVENT_LOG_4", resource: "EVENT_LOG_4" }];
    let moved = 0;
    for (const name of names) {
      const before = shardFor(three, name).name;
      const after = shardFor(four, name).name;
      if (after !== before) {
        expect(after).toBe("EVENT_LOG_4");
        moved += 1;
      }
    }
    expect(moved).toBeGreaterThan(600);
    expect(moved).toBeLessThan(900);
  });

  it("a namespace always gets the same database and queue", () => {
    expect(logs.map((shard) => shard.name)).toEqual(["DB", "EVENT_LOG_2", "EVENT_LOG_3"]);
    expect(eventQueues(env).map((shard) => shard.name)).toEqual(["EVENTS", "EVENTS_2"]);
    const namespace = namespaceOn("same", "EVENTS_2", eventQueues(env));
    expect(eventQueueFor(env, namespace)).toBe(Reflect.get(env, "EVENTS_2"));
    expect(eventQueueFor(env, namespace)).toBe(eventQueueFor(env, namespace));
  });

  it("with as many queues as databases, the k-th queue carries the k-th database's namespaces", () => {
    const queues = ["EVENTS", "EVENTS_2", "EVENTS_3"].map((name) => ({ name, resource: name }));
    const databases = ["DB", "EVENT_LOG_2", "EVENT_LOG_3"].map((name) => ({ name, resource: name }));
    for (let index = 0; index < 500; index++) {
      const namespace = `ns-${index}`;
      expect(queues.indexOf(shardFor(queues, namespace))).toBe(databases.indexOf(shardFor(databases, namespace)));
    }
  });
});

describe("a sharded event log", () => {
  it("writes each namespace's events to its own database only, and the API reads them there", async () => {
    await putCluster("default", "argo-server");
    const namespaces = logs.map((shard) => namespaceOn("apps", shard.name));
    for (const namespace of namespaces) {
      await fakeCluster.templates(namespace, ["build"]);
      await applyBinding(namespace, binding("build", "payload.ref = 'main'", "build"));
    }
    const ids = await Promise.all(namespaces.map((namespace) => sendEvent(`${namespace}/push`, { ref: "main" })));
    for (const [index, namespace] of namespaces.entries()) {
      const id = ids[index] as string;
      const event = await waitForOutcome(namespace, id);
      expect(event.outcome).toBe("submitted");
      for (const shard of logs) {
        const here = shard.name === logs[index]?.name ? 1 : 0;
        expect(await rowsIn(shard.resource, "event_log", "id = ?1", id), `${namespace} in ${shard.name}`).toBe(here);
        expect(await rowsIn(shard.resource, "event_counts", "namespace = ?1", namespace)).toBe(here);
      }
      expect(await fakeCluster.workflows(namespace)).toHaveLength(1);
      const list = await call(`/api/v1/namespaces/${namespace}/events`, { headers: adminAuth });
      expect(((await list.json()) as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([id]);
    }
  });

  it("one consumer batch spanning shards writes every event to its own shard, bodies near the inline limit too", async () => {
    const big = JSON.stringify({ blob: "x".repeat(80_000) });
    const namespaces = logs.map((shard) => namespaceOn("bulk", shard.name));
    const bodies = namespaces.flatMap((namespace) => Array.from({ length: 12 }, () => message(namespace, big)));
    const result = await deliver("hookline-events", bodies);
    expect(result.explicitAcks).toHaveLength(36);
    expect(result.retryMessages).toEqual([]);
    const perMinute = Number(env.EVENT_SAMPLE_PER_MINUTE);
    for (const [index, namespace] of namespaces.entries()) {
      const db = logs[index]?.resource as D1Database;
      // Nothing matched them: the sampler keeps a few rows, the counts have all 12, each shard one pack.
      expect(
        await rowsIn(
          db,
          "event_log",
          "namespace = ?1 AND body_length = ?2 AND body_key LIKE 'packs/%'",
          namespace,
          big.length,
        ),
      ).toBe(Math.min(12, perMinute));
      expect(
        await db.prepare("SELECT sum(events) AS n FROM event_counts WHERE namespace = ?1").bind(namespace).first("n"),
      ).toBe(12);
      expect(await rowsIn(db, "event_packs")).toBeGreaterThanOrEqual(1);
      for (const other of logs.filter((shard) => shard.resource !== db)) {
        expect(await rowsIn(other.resource, "event_log", "namespace = ?1", namespace)).toBe(0);
        expect(await rowsIn(other.resource, "event_counts", "namespace = ?1", namespace)).toBe(0);
      }
      // Every one of them, sampled or not, reads back (and replays) by id from its own shard's pack.
      const last = bodies[index * 12 + 11] as EventMessage;
      const detail = await call(`/api/v1/namespaces/${namespace}/events/${last.id}`, { headers: adminAuth });
      expect(((await detail.json()) as { payload: unknown }).payload).toEqual(JSON.parse(big));
    }
  });

  it("events sent to the second queue are consumed from it", async () => {
    const namespace = namespaceOn("second", "EVENTS_2", eventQueues(env));
    const id = await sendEvent(`${namespace}/d`, { hello: "world" });
    const event = await waitForOutcome(namespace, id);
    expect(event.outcome).toBe("no_bindings");
    const result = await deliver("hookline-events-2", [message(namespace, "{}")]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
  });

  it("dead-lettered events are recorded failed in their own shard", async () => {
    const namespaces = logs.map((shard) => namespaceOn("dead", shard.name));
    const bodies = namespaces.map((namespace) => message(namespace, "{}"));
    const result = await deliver("hookline-events-2-dlq", bodies);
    expect(result.explicitAcks).toHaveLength(3);
    for (const [index, body] of bodies.entries())
      expect(
        await rowsIn(logs[index]?.resource as D1Database, "event_log", "id = ?1 AND outcome = 'failed'", body.id),
      ).toBe(1);
  });
});

describe("queries across shards", () => {
  it("the clusters' queue depth adds up pending submissions of every shard", async () => {
    await putCluster("depth", "argo-server");
    for (const shard of ["EVENT_LOG_2", "EVENT_LOG_3"]) {
      const db = database(shard);
      const id = newEventId();
      await db.batch(
        insertEventsStatements(db, [
          {
            ...eventRecord("depth", id, Date.now(), "pending"),
            results: [pendingResult(id, "depth")],
          },
        ]),
      );
    }
    const response = await call("/api/v1/clusters/depth", { headers: adminAuth });
    expect(((await response.json()) as { status: { queued: number } }).status.queued).toBe(2);
  });

  it("the console's counts and namespaces cover every shard", async () => {
    const namespaces = logs.map((shard) => namespaceOn("console", shard.name));
    const now = Date.now();
    for (const [index, namespace] of namespaces.entries()) {
      const db = logs[index]?.resource as D1Database;
      await db.batch([
        ...insertEventsStatements(db, [eventRecord(namespace, newEventId(now - 1000), now - 1000, "no_match")]),
        ...countStatements(db, [
          {
            minute: Math.floor((now - 1000) / 60_000),
            namespace,
            discriminator: "d",
            outcome: "no_match",
            events: 1,
            detailed: 1,
          },
        ]),
      ]);
    }
    const all = await outcomeCounts(eventLogsOf(env), "*", now);
    expect(all.get("no_match")).toBeGreaterThanOrEqual(3);
    const one = await outcomeCounts(eventLogsOf(env, namespaces[2]), [namespaces[2] as string], now);
    expect(Object.fromEntries(one)).toEqual({ no_match: 1 });
    const known = (await Promise.all(eventLogsOf(env).map((log) => loggedNamespaces(log)))).flat();
    for (const namespace of namespaces) expect(known).toContain(namespace);
  });

  it("retention deletes expired events from every shard", async () => {
    const old = Date.now() - 30 * 24 * 3_600_000;
    const ids = new Map<D1Database, string>();
    for (const { resource: db } of logs) {
      // An id of its own (old) time: the app's monotonic ids never go back in time.
      const id = ulid(old);
      ids.set(db, id);
      await db.batch(insertEventsStatements(db, [eventRecord("expired", id, old, "no_bindings")]));
    }
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);
    await vi.waitFor(async () => {
      for (const [db, id] of ids) expect(await rowsIn(db, "event_log", "id = ?1", id)).toBe(0);
    });
  });
});
