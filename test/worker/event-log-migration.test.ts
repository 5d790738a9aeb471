import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventDetail, listEventPage } from "../../src/events/log";
import { settleWaiting } from "../../src/events/waits";

// Migration 0016 moves an existing event log forward: a database migrated to 0015, holding
// events the old way (events + event_results), is migrated on, and the API shows what it showed.

const migrations = (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS;
const db = (env as unknown as { MIGRATION_CHECK: D1Database }).MIGRATION_CHECK;
const before = migrations.filter((migration) => migration.name < "0016");

describe("migrations move existing logs forward", () => {
  it("every old event keeps its body, results, outcome and count; waiting results keep their window", async () => {
    await applyD1Migrations(db, before);
    const now = Date.now();
    const events = [
      ["01KAAAAAAAAAAAAAAAAAAAAAA1", "team-a", "push", "submitted", '{"ref":"main"}', null],
      ["01KAAAAAAAAAAAAAAAAAAAAAA2", "team-a", "push", "no_match", '{"ref":"dev"}', null],
      ["01KAAAAAAAAAAAAAAAAAAAAAA3", "team-a", "tag", "pending", null, "events/team-a/01KAAAAAAAAAAAAAAAAAAAAAA3.json"],
      ["01KAAAAAAAAAAAAAAAAAAAAAA4", "team-b", "push", "no_bindings", "[1,2]", null],
    ] as const;
    await env.EVENT_BODIES.put("events/team-a/01KAAAAAAAAAAAAAAAAAAAAAA3.json", '{"big":true}');
    await db.batch([
      ...events.map(([id, namespace, discriminator, outcome, payload, key]) =>
        db
          .prepare(
            `INSERT INTO events (id, namespace, discriminator, received_at, outcome, sender, metadata, payload, body_key, body_bytes, trace_id)
             VALUES (?1, ?2, ?3, ?4, ?5, 'admin', '{"x-github-event":["push"]}', ?6, ?7, 12, '4bf92f3577b34da6a3ce929d0e0e4736')`,
          )
          .bind(id, namespace, discriminator, now - 60_000, outcome, payload, key),
      ),
      db
        .prepare(
          `INSERT INTO event_results (event_id, binding, binding_uid, matched, status, reason, error, cluster, workflow, request, attempts, updated_at, window_id)
           VALUES (?1, 'build', 'uid-1', 1, 'submitted', NULL, NULL, 'default', 'build-abc', '{"workflowName":"build-abc"}', 1, ?2, NULL),
                  (?1, 'lint', 'uid-2', 0, 'skipped', 'selector did not match', NULL, NULL, NULL, NULL, 0, ?2, NULL),
                  (?3, 'build', 'uid-1', 1, 'waiting', 'waiting: debounce', NULL, 'default', 'build-def', '{"workflowName":"build-def"}', 0, ?2, 'window-1')`,
        )
        .bind("01KAAAAAAAAAAAAAAAAAAAAAA1", now, "01KAAAAAAAAAAAAAAAAAAAAAA3"),
    ]);

    await applyD1Migrations(db, migrations);

    const moved = { ...env, DB: db, EVENT_LOG_SHARDS: "DB" } as Env;
    const first = await eventDetail(moved, "team-a", "01KAAAAAAAAAAAAAAAAAAAAAA1");
    expect(first).toMatchObject({
      outcome: "submitted",
      detail: "full",
      payload: { ref: "main" },
      metadata: { "x-github-event": ["push"] },
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      results: [
        {
          binding: "build",
          matched: true,
          status: "submitted",
          workflow: "build-abc",
          cluster: "default",
          attempts: 1,
        },
        { binding: "lint", matched: false, status: "skipped", reason: "selector did not match", attempts: 0 },
      ],
    });
    // A spilled body is still read from its own object.
    expect((await eventDetail(moved, "team-a", "01KAAAAAAAAAAAAAAAAAAAAAA3")).payload).toEqual({ big: true });
    const list = await listEventPage(moved, "team-a", {});
    expect(list.items.map((item) => item.id)).toEqual([
      "01KAAAAAAAAAAAAAAAAAAAAAA3",
      "01KAAAAAAAAAAAAAAAAAAAAAA2",
      "01KAAAAAAAAAAAAAAAAAAAAAA1",
    ]);
    expect(list.sampledAway).toBe(0);
    expect((await listEventPage(moved, "team-b", {})).items).toHaveLength(1);
    // Counted, for the dashboard.
    const counted = await db
      .prepare("SELECT outcome, sum(events) AS n FROM event_counts GROUP BY outcome ORDER BY outcome")
      .all<{ outcome: string; n: number }>();
    expect(counted.results).toEqual([
      { outcome: "no_bindings", n: 1 },
      { outcome: "no_match", n: 1 },
      { outcome: "pending", n: 1 },
      { outcome: "submitted", n: 1 },
    ]);
    // A result that was waiting in a debounce window is still settled by it.
    await settleWaiting(db, "window-1", "debounced", "debounced: superseded");
    expect(await eventDetail(moved, "team-a", "01KAAAAAAAAAAAAAAAAAAAAAA3")).toMatchObject({
      outcome: "no_match",
      results: [{ binding: "build", status: "debounced", reason: "debounced: superseded" }],
    });
    // The old tables are gone.
    const tables = await db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'event_results')")
      .all();
    expect(tables.results).toEqual([]);
  });
});
