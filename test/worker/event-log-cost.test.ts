import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it, vi } from "vitest";
import { PACK_PREFIX } from "../../src/events/body-pack";
import type { EventMessage } from "../../src/events/message";
import worker from "../../src/index";
import { newEventId } from "../../src/lib/ids";
import {
  adminAuth,
  applyBinding,
  bearer,
  binding,
  bodyKeys,
  call,
  callJson,
  countedEvents,
  countRows,
  createToken,
  expectError,
  fakeCluster,
  postEvent,
  putCluster,
  receiver,
  storedResults,
  waitForEvent,
} from "./helpers";

const PER_MINUTE = Number(env.EVENT_SAMPLE_PER_MINUTE);

function message(namespace: string, discriminator: string, overrides: Partial<EventMessage> = {}): EventMessage {
  const receivedAt = overrides.receivedAt ?? Date.now();
  const payload = JSON.stringify({ ref: discriminator, at: receivedAt, note: "é ünïcode ✓" });
  return {
    v: 1,
    id: newEventId(receivedAt),
    namespace,
    discriminator,
    receivedAt,
    sender: { key: "admin", templates: null },
    metadata: { "x-kind": [discriminator] },
    body: { inline: payload },
    bodyBytes: new TextEncoder().encode(payload).byteLength,
    ...overrides,
  };
}

async function deliver(bodies: unknown[], target: Env = env) {
  const batch = createMessageBatch(
    "hookline-events",
    bodies.map((body, index) => ({ id: `msg-${index}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, target);
  return getQueueResult(batch, ctx);
}

interface Detail {
  id: string;
  outcome: string;
  detail: "full" | "sampled";
  results: Array<{ binding: string; status: string }>;
  payload: unknown;
  metadata: Record<string, string[]>;
}

async function detail(namespace: string, id: string, auth = adminAuth): Promise<Response> {
  return call(`/api/v1/namespaces/${namespace}/events/${id}`, { headers: auth });
}

describe("the event log keeps detail where people look", () => {
  it("matched events keep every result; unmatched ones beyond the sample are counted, not rowed", async () => {
    const ns = "looked-at";
    await fakeCluster.templates(ns, ["release"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("on-release", 'discriminator = "release"', "release"));
    const pushes = Array.from({ length: PER_MINUTE + 4 }, () => message(ns, "push"));
    const releases = [message(ns, "release"), message(ns, "release")];
    const result = await deliver([...pushes, ...releases]);
    expect(result.explicitAcks).toHaveLength(pushes.length + releases.length);

    for (const release of releases) {
      const [stored] = await storedResults(release.id);
      expect(stored).toMatchObject({ binding: "on-release", matched: true, status: "submitted" });
      // The submission itself is kept only while it may be sent again.
      expect(stored?.request).toBeUndefined();
    }
    expect(await countRows("event_log", "namespace = ?1 AND discriminator = 'push'", ns)).toBe(PER_MINUTE);
    expect(await countedEvents(env.DB, ns, "no_match")).toBe(pushes.length);
    expect(await countedEvents(env.DB, ns, "submitted")).toBe(2);
    // One body pack for the batch, and its row (some of its events have none of their own).
    expect((await bodyKeys()).filter((key) => key.startsWith(PACK_PREFIX)).length).toBeGreaterThanOrEqual(1);
    expect(await countRows("event_packs")).toBeGreaterThanOrEqual(1);
  });

  it("an event sampled away is still found by id — body, metadata, outcome — and replays", async () => {
    const ns = "sampled";
    const events = Array.from({ length: PER_MINUTE + 2 }, () => message(ns, "noise"));
    await deliver(events);
    const away = events.at(-1) as EventMessage;
    expect(await countRows("event_log", "id = ?1", away.id)).toBe(0);

    const response = await detail(ns, away.id);
    expect(response.status).toBe(200);
    const found = (await response.json()) as Detail;
    expect(found).toMatchObject({
      id: away.id,
      outcome: "no_bindings",
      detail: "sampled",
      results: [],
      metadata: { "x-kind": ["noise"] },
    });
    expect(found.payload).toEqual(JSON.parse((away.body as { inline: string }).inline));

    const replay = await call(`/api/v1/namespaces/${ns}/events/${away.id}/replay`, {
      method: "POST",
      headers: adminAuth,
    });
    expect(replay.status).toBe(202);
    const { id } = (await replay.json()) as { id: string };
    // A replay always keeps its row (someone asked for it), with the original's body.
    const row = await waitForEvent(id);
    expect(row).toMatchObject({ replay_of: away.id, discriminator: "noise" });
    expect(JSON.parse(row.payload as string)).toEqual(found.payload);
  });

  it("a list says how many events of its span it does not show; the dashboard counts them all", async () => {
    const ns = "listed";
    const events = Array.from({ length: PER_MINUTE + 3 }, () => message(ns, "push"));
    await deliver(events);
    const list = (await (await call(`/api/v1/namespaces/${ns}/events`, { headers: adminAuth })).json()) as {
      items: unknown[];
      sampledAway: number;
    };
    expect(list.items).toHaveLength(PER_MINUTE);
    expect(list.sampledAway).toBe(3);
    const filtered = (await (
      await call(`/api/v1/namespaces/${ns}/events?outcome=submitted`, { headers: adminAuth })
    ).json()) as { items: unknown[]; sampledAway: number };
    expect(filtered).toMatchObject({ items: [], sampledAway: 0 });
  });

  it("an event sent with ?wait keeps its row and receipt whatever the sampler says", async () => {
    const ns = "waited";
    await deliver(Array.from({ length: PER_MINUTE }, () => message(ns, "push")));
    const response = await postEvent(`${ns}/push?wait=10s`, '{"waited":true}');
    expect(response.status).toBe(200);
    const receipt = (await response.json()) as { id: string; outcome: string };
    expect(receipt.outcome).toBe("no_bindings");
    expect(await countRows("event_log", "id = ?1", receipt.id)).toBe(1);
  });

  it("a namespace cannot read another's event through the pack they share", async () => {
    const mine = Array.from({ length: PER_MINUTE + 1 }, () => message("pack-a", "x"));
    await deliver([...mine, message("pack-b", "x")]);
    const away = mine.at(-1) as EventMessage;
    expect((await detail("pack-a", away.id)).status).toBe(200);
    await expectError(await detail("pack-b", away.id), 404, "not_found");
    const reader = await createToken({
      name: "pack-b-reader",
      namespaces: ["pack-b"],
      scopes: ["events:read", "events:write"],
    });
    await expectError(await detail("pack-a", away.id, bearer(reader)), 403, "permission_denied");
    await expectError(
      await call(`/api/v1/namespaces/pack-b/events/${away.id}/replay`, { method: "POST", headers: bearer(reader) }),
      404,
      "not_found",
    );
  });

  it("bodies go in one R2 object per batch, each addressed by key, offset and length", async () => {
    const before = (await bodyKeys()).filter((key) => key.startsWith(PACK_PREFIX)).length;
    const ns = "packed";
    const events = [message(ns, "a"), message(ns, "b"), message(ns, "c")];
    await deliver(events);
    const packs = (await bodyKeys()).filter((key) => key.startsWith(PACK_PREFIX));
    expect(packs.length).toBe(before + 1);
    for (const event of events) {
      const row = await waitForEvent(event.id);
      expect(packs).toContain(row.body_key);
      const object = await env.EVENT_BODIES.get(row.body_key as string, {
        range: { offset: row.body_offset as number, length: row.body_length as number },
      });
      expect(await object?.text()).toBe((event.body as { inline: string }).inline);
    }
  });
});

describe("a shard at its size limit", () => {
  it("accepts every event, keeps the newest readable, drops the oldest detail first, and announces it", async () => {
    await callJson("/api/v1/notifications/services/ops-hook", "PUT", {
      type: "webhook",
      url: receiver.hook("near-full"),
    });
    await callJson("/api/v1/notifications/subscriptions/log-space", "PUT", {
      triggers: ["on-event-log-near-full"],
      destinations: [{ service: "ops-hook" }],
    });
    const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after ?? Number.POSITIVE_INFINITY;
    // Room for about a hundred more rows of ~4 KB: a "full" shard in a test.
    const limit = (await size()) + 400_000;
    const full = { ...env, EVENT_LOG_SHARD_LIMIT_BYTES: String(limit) };
    const padding = "p".repeat(3_000);
    // Two hours of detailed events (each waited for), a minute apart, oldest first.
    const start = Date.now() - 2 * 3_600_000;
    const ids: string[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const bodies = Array.from({ length: 20 }, (_, index) => {
        const receivedAt = start + (batch * 20 + index) * 60_000;
        const id = ulid(receivedAt);
        ids.push(id);
        return message("full", "big", { id, receivedAt, receipt: true, metadata: { "x-padding": [padding] } });
      });
      const result = await deliver(bodies, full);
      expect(result.explicitAcks, "every event accepted").toHaveLength(20);
      expect(result.retryMessages).toEqual([]);
    }
    expect(await size()).toBeLessThanOrEqual(limit);
    // Oldest detail first: some of the oldest are gone, the newest are all there.
    const kept = new Set(
      (await env.DB.prepare("SELECT id FROM event_log WHERE namespace = 'full'").all<{ id: string }>()).results.map(
        (row) => row.id,
      ),
    );
    expect(kept.has(ids[0] as string)).toBe(false);
    for (const id of ids.slice(-10)) expect(kept.has(id)).toBe(true);
    const oldestKept = [...kept].sort()[0] as string;
    expect(ids.filter((id) => id < oldestKept).every((id) => !kept.has(id))).toBe(true);
    // Every event still counts; the newest reads back in full.
    expect(await countedEvents(env.DB, "full")).toBe(ids.length);
    expect(((await (await detail("full", ids.at(-1) as string)).json()) as Detail).detail).toBe("full");
    // Announced: on-event-log-near-full delivered to the subscribed service.
    const requests = await vi.waitFor(
      async () => {
        const received = await receiver.requests("near-full");
        if (received.length === 0) throw new Error("no announcement yet");
        return received;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(requests[0]?.body).toContain("near its size limit");
  });
});

describe("what a batch reads", () => {
  /** `env` whose DB records the SQL it prepares and counts its round trips (batches). */
  function watched(): { env: Env; reads: () => string[]; roundTrips: () => number } {
    const prepared: string[] = [];
    let batches = 0;
    const db = new Proxy(env.DB, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (property === "prepare")
          return (sql: string) => {
            prepared.push(sql);
            return target.prepare(sql);
          };
        if (property === "batch")
          return (statements: D1PreparedStatement[]) => {
            batches += 1;
            return target.batch(statements);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return {
      env: { ...env, DB: db },
      // What the batch reads of the log and its counts (the versions ride in the write).
      reads: () => prepared.filter((sql) => /^\s*(SELECT|WITH)/i.test(sql) && !sql.includes("config_versions")),
      roundTrips: () => batches,
    };
  }
  const readsTheLog = (sql: string) => sql.includes("FROM event_log WHERE (namespace, id) IN");

  it("under load a batch of first deliveries reads nothing: its bindings were confirmed after its events arrived", async () => {
    const ns = "no-reads";
    const early = [message(ns, "a"), message(ns, "b")];
    await new Promise((done) => setTimeout(done, 5));
    // The first batch of a namespace reads (nothing is known of it yet); its write confirms the bindings.
    const first = watched();
    await deliver([message(ns, "c")], first.env);
    expect(first.reads().some(readsTheLog)).toBe(true);
    // Events received before that confirmation: no read at all — one round trip, the write.
    const second = watched();
    expect((await deliver(early, second.env)).explicitAcks).toHaveLength(2);
    expect(second.reads()).toEqual([]);
    expect(second.roundTrips()).toBe(1);
    expect(await countRows("event_log", "namespace = ?1", ns)).toBe(3);
    // A retried message, or one received after the confirmation, reads the log again.
    const third = watched();
    await deliver([message(ns, "d")], third.env);
    expect(third.reads().some(readsTheLog)).toBe(true);
  });

  it("a binding applied before an event was received always applies to it", async () => {
    const ns = "fresh-bindings";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await deliver([message(ns, "x")]);
    await applyBinding(ns, binding("every", "true", "build"));
    const after = message(ns, "x");
    await deliver([after]);
    expect(await storedResults(after.id)).toEqual([expect.objectContaining({ binding: "every", status: "submitted" })]);
  });
});
