import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { insertEventsStatements } from "../../src/events/store";
import worker from "../../src/index";
import { bodyKeys, countRows, eventRecord } from "./helpers";

const DAY = 24 * 60 * 60 * 1000;

/** A row received at `receivedAt`, with an id of its own time (the app's monotonic ids never go back in time). */
const row = (namespace: string, receivedAt: number) =>
  eventRecord(namespace, ulid(receivedAt), receivedAt, "no_bindings", { discriminator: "" });

async function seed(ageMs: number, namespace = "old"): Promise<string> {
  const record = row(namespace, Date.now() - ageMs);
  const minute = Math.floor(record.receivedAt / 60_000);
  await env.DB.batch([
    ...insertEventsStatements(env.DB, [record]),
    env.DB.prepare(
      "INSERT INTO event_counts (minute, namespace, discriminator, outcome, events, detailed) VALUES (?1, ?2, '', 'no_bindings', 1, 1) ON CONFLICT DO UPDATE SET events = events + 1",
    ).bind(minute, namespace),
    env.DB.prepare("INSERT INTO event_packs (first_id, key, last_id, manifest_bytes) VALUES (?1, ?2, ?1, 10)").bind(
      record.id,
      `packs/${record.id}`,
    ),
  ]);
  return record.id;
}

const scheduled = (time: number, target: Env = env) =>
  worker.scheduled(createScheduledController({ scheduledTime: time, cron: "*/5 * * * *" }), target);

describe("retention", () => {
  it("the scheduled job deletes event rows, counts and pack rows older than the retention", async () => {
    const retentionDays = Number(env.EVENT_RETENTION_DAYS);
    const expired = [await seed((retentionDays + 1) * DAY), await seed((retentionDays + 0.01) * DAY, "other")];
    const kept = [await seed((retentionDays - 0.01) * DAY), await seed(1000, "other")];

    await scheduled(Date.now());

    for (const id of expired) {
      expect(await countRows("event_log", "id = ?1", id)).toBe(0);
      expect(await countRows("event_packs", "first_id = ?1", id)).toBe(0);
    }
    for (const id of kept) {
      expect(await countRows("event_log", "id = ?1", id)).toBe(1);
      expect(await countRows("event_packs", "first_id = ?1", id)).toBe(1);
    }
    const cutoffMinute = Math.floor((Date.now() - retentionDays * DAY) / 60_000);
    expect(await countRows("event_counts", "minute < ?1", cutoffMinute)).toBe(0);
    expect(await countRows("event_counts", "minute >= ?1", cutoffMinute)).toBeGreaterThanOrEqual(2);
  });

  it("deletes more than one chunk in a run", async () => {
    const records = Array.from({ length: 1200 }, () => row("bulk", Date.now() - 30 * DAY));
    await env.DB.batch(insertEventsStatements(env.DB, records));
    await scheduled(Date.now());
    expect(await countRows("event_log", "namespace = 'bulk'")).toBe(0);
  });
});

describe("bodies in R2 expire by the bucket's lifecycle rule", () => {
  it("the deployed job leaves them to the rule; under npm start (sweep) it deletes expired objects itself", async () => {
    await env.EVENT_BODIES.put("packs/orphans-pack", "{}");
    await env.EVENT_BODIES.put("events/orphans/never-logged.json", "{}");
    await env.EVENT_BODIES.put("dead-letters/orphans/hookline-events/m-1.json", "{}");
    const keys = [
      "packs/orphans-pack",
      "events/orphans/never-logged.json",
      "dead-letters/orphans/hookline-events/m-1.json",
    ];
    const later = Date.now() + (Number(env.EVENT_RETENTION_DAYS) + 1) * DAY;
    // EVENT_BODIES_EXPIRY = "lifecycle" (wrangler.toml): a retention period later, still there — R2 deletes them.
    await scheduled(later);
    expect(await bodyKeys()).toEqual(expect.arrayContaining(keys));
    const sweeping = { ...env, EVENT_BODIES_EXPIRY: "sweep" };
    // Sweeping, fresh objects stay…
    await scheduled(Date.now(), sweeping);
    expect(await bodyKeys()).toEqual(expect.arrayContaining(keys));
    // …and a retention period later they are gone.
    await scheduled(later, sweeping);
    const left = await bodyKeys();
    for (const key of keys) expect(left).not.toContain(key);
  });
});
