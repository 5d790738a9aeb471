import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { insertEventsStatements } from "../../src/events/store";
import worker from "../../src/index";
import { newEventId } from "../../src/lib/ids";
import { bodyKeys, countRows } from "./helpers";

const DAY = 24 * 60 * 60 * 1000;

async function seed(ageMs: number, spilled: boolean): Promise<string> {
  const receivedAt = Date.now() - ageMs;
  const id = newEventId(receivedAt);
  const bodyKey = spilled ? `events/old/${id}.json` : null;
  if (bodyKey) await env.EVENT_BODIES.put(bodyKey, "{}");
  await env.DB.batch(
    insertEventsStatements(env.DB, [
      {
        id,
        namespace: "old",
        discriminator: "",
        receivedAt,
        outcome: "no_bindings",
        sender: "admin",
        metadata: {},
        payload: spilled ? null : "{}",
        bodyKey,
        bodyBytes: 2,
        replayOf: null,
        error: null,
        bindingsPruned: 0,
        traceId: null,
      },
    ]),
  );
  return id;
}

describe("retention", () => {
  it("the scheduled handler deletes events older than the retention, with their R2 bodies", async () => {
    const retentionDays = Number(env.EVENT_RETENTION_DAYS);
    const expired = [await seed((retentionDays + 1) * DAY, true), await seed((retentionDays + 0.01) * DAY, false)];
    const kept = [await seed((retentionDays - 0.01) * DAY, true), await seed(1000, false)];

    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env);

    for (const id of expired) expect(await countRows("events", "id = ?1", id)).toBe(0);
    for (const id of kept) expect(await countRows("events", "id = ?1", id)).toBe(1);
    const keys = await bodyKeys();
    expect(keys).not.toContain(`events/old/${expired[0]}.json`);
    expect(keys).toContain(`events/old/${kept[0]}.json`);
  });

  it("deletes more than one chunk in a run", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1200; i++) ids.push(newEventId(Date.now() - 30 * DAY));
    const statements = insertEventsStatements(
      env.DB,
      ids.map((id) => ({
        id,
        namespace: "bulk",
        discriminator: "",
        receivedAt: Date.now() - 30 * DAY,
        outcome: "no_bindings",
        sender: "admin",
        metadata: {},
        payload: "{}",
        bodyKey: null,
        bodyBytes: 2,
        replayOf: null,
        error: null,
        bindingsPruned: 0,
        traceId: null,
      })),
    );
    await env.DB.batch(statements);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);
    expect(await countRows("events", "namespace = 'bulk'")).toBe(0);
  });
});

describe("retention of what no event points at", () => {
  it("deletes orphaned bodies and dead letters once they are older than the retention", async () => {
    await env.EVENT_BODIES.put("events/orphans/never-logged.json", "{}");
    await env.EVENT_BODIES.put("dead-letters/orphans/hookline-events/m-1.json", "{}");
    const retentionDays = Number(env.EVENT_RETENTION_DAYS);
    // Now they are fresh: kept.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env);
    expect(await bodyKeys()).toEqual(
      expect.arrayContaining(["events/orphans/never-logged.json", "dead-letters/orphans/hookline-events/m-1.json"]),
    );
    // A retention period later: gone.
    const later = Date.now() + (retentionDays + 1) * DAY;
    await worker.scheduled(createScheduledController({ scheduledTime: later, cron: "*/5 * * * *" }), env);
    const keys = await bodyKeys();
    expect(keys).not.toContain("events/orphans/never-logged.json");
    expect(keys).not.toContain("dead-letters/orphans/hookline-events/m-1.json");
  });
});
