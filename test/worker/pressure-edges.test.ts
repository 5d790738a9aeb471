import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  adminAuth,
  applyBinding,
  call,
  fakeClusterWorld,
  type LoggedEvent,
  pressuredBinding,
  putCluster,
  sendEvent,
  waitForOutcome,
} from "./helpers";

// Under pressure, at its edges: a hold whose rule goes away, and bulk replays that overlap.

const statusOf = (event: LoggedEvent) => event.results[0]?.status;

describe("a held submission whose hold is lifted", () => {
  it("is sent once its binding's maxPending is removed (the cluster has none)", async () => {
    const world = fakeClusterWorld("rv-lift");
    await world.templates("rv-lift", ["build"]);
    await putCluster("rv-lift", "argo-server", { url: world.url });
    await applyBinding("rv-lift", pressuredBinding("capped", "rv-lift", { maxPending: 1 }));
    const first = await sendEvent("rv-lift", { n: 1 });
    expect(statusOf(await waitForOutcome("rv-lift", first))).toBe("submitted");
    const second = await sendEvent("rv-lift", { n: 2 });
    expect(statusOf(await waitForOutcome("rv-lift", second, (event) => statusOf(event) !== undefined))).toBe("held");
    // The cap goes: nothing holds the second event any more.
    await applyBinding("rv-lift", pressuredBinding("capped", "rv-lift"));
    const released = await waitForOutcome("rv-lift", second, (event) => statusOf(event) !== "held", 30_000).catch(
      () => null,
    );
    expect(released && statusOf(released)).toBe("submitted");
  }, 60_000);

  it("is not sent once its binding is deleted: it fails, saying so", async () => {
    const world = fakeClusterWorld("rv-gone");
    await world.templates("rv-gone", ["build"]);
    await putCluster("rv-gone", "argo-server", { url: world.url });
    await applyBinding("rv-gone", pressuredBinding("capped", "rv-gone", { maxPending: 1 }));
    const first = await sendEvent("rv-gone", { n: 1 });
    expect(statusOf(await waitForOutcome("rv-gone", first))).toBe("submitted");
    const second = await sendEvent("rv-gone", { n: 2 });
    expect(statusOf(await waitForOutcome("rv-gone", second, (event) => statusOf(event) !== undefined))).toBe("held");
    const deleted = await call("/api/v1/namespaces/rv-gone/workfloweventbindings/capped", {
      method: "DELETE",
      headers: adminAuth,
    });
    expect(deleted.status).toBe(204);
    const released = await waitForOutcome("rv-gone", second, (event) => statusOf(event) !== "held", 30_000).catch(
      () => null,
    );
    expect(released && statusOf(released)).toBe("failed");
    expect(released?.results[0]?.error).toContain("the binding was deleted while this submission was held");
    expect(released?.outcome).toBe("failed");
    expect((await world.workflows("rv-gone")).length).toBe(1);
  }, 60_000);
});

describe("a held submission whose cluster goes away", () => {
  it("fails naming the missing cluster, no longer saying it is held", async () => {
    const world = fakeClusterWorld("rv-nocl");
    await world.templates("rv-nocl", ["build"]);
    await putCluster("rv-nocl", "argo-server", { url: world.url, maxPending: 1 });
    await applyBinding("rv-nocl", pressuredBinding("capped", "rv-nocl"));
    const first = await sendEvent("rv-nocl", { n: 1 });
    expect(statusOf(await waitForOutcome("rv-nocl", first))).toBe("submitted");
    const second = await sendEvent("rv-nocl", { n: 2 });
    expect(statusOf(await waitForOutcome("rv-nocl", second, (event) => statusOf(event) !== undefined))).toBe("held");
    const deleted = await call("/api/v1/clusters/rv-nocl", { method: "DELETE", headers: adminAuth });
    expect(deleted.status).toBe(204);
    const failed = await waitForOutcome("rv-nocl", second, (event) => statusOf(event) !== "held", 30_000);
    expect(failed.results[0]).toMatchObject({ status: "failed", error: expect.stringContaining("not configured") });
    expect(failed.results[0]?.reason ?? "").not.toMatch(/^held/);
  }, 60_000);
});

describe("bulk replay, once", () => {
  async function replays(namespace: string): Promise<string[]> {
    const listed = await call(`/api/v1/namespaces/${namespace}/events?limit=100`, { headers: adminAuth });
    const items = ((await listed.json()) as { items: Array<{ id: string }> }).items;
    const details = await Promise.all(
      items.map(async (item) => {
        const detail = await call(`/api/v1/namespaces/${namespace}/events/${item.id}`, { headers: adminAuth });
        return ((await detail.json()) as { replayOf: string | null }).replayOf;
      }),
    );
    return details.filter((of): of is string => of !== null).sort();
  }

  it("the same filter spelled another way (the same instant) starts nothing new", async () => {
    const world = fakeClusterWorld("rv-spell");
    await world.templates("rv-spell", ["build"]);
    await putCluster("rv-spell", "argo-server", { url: world.url });
    await applyBinding("rv-spell", pressuredBinding("replayer", "rv-spell"));
    const ids = [await sendEvent("rv-spell", { n: 1 }), await sendEvent("rv-spell", { n: 2 })];
    for (const id of ids) await waitForOutcome("rv-spell", id);
    const since = new Date(Date.now() - 60_000);
    const replay = (filter: unknown) =>
      call("/api/v1/namespaces/rv-spell/events/replay", {
        method: "POST",
        headers: { ...adminAuth, "content-type": "application/json" },
        body: JSON.stringify({ filter }),
      });
    const zulu = since.toISOString(); // 2026-12-05T10:00:00.000Z
    const offset = `${zulu.slice(0, -1)}+00:00`; // the same instant
    const answers = await Promise.all([
      replay({ binding: "replayer", since: zulu }),
      replay({ binding: "replayer", since: offset }),
    ]);
    const replayed = await Promise.all(
      answers.map(async (answer) => ((await answer.json()) as { replayed: number }).replayed),
    );
    expect(replayed.reduce((sum, count) => sum + count, 0)).toBe(2);
  }, 60_000);

  it("two overlapping filters run together replay each event once", async () => {
    const world = fakeClusterWorld("rv-overlap");
    await world.templates("rv-overlap", ["build"]);
    await putCluster("rv-overlap", "argo-server", { url: world.url });
    await applyBinding("rv-overlap", pressuredBinding("replayer", "rv-overlap"));
    const ids = [await sendEvent("rv-overlap", { n: 1 }), await sendEvent("rv-overlap", { n: 2 })];
    for (const id of ids) await waitForOutcome("rv-overlap", id);
    const since = new Date(Date.now() - 60_000).toISOString();
    const replay = (filter: unknown) =>
      call("/api/v1/namespaces/rv-overlap/events/replay", {
        method: "POST",
        headers: { ...adminAuth, "content-type": "application/json" },
        body: JSON.stringify({ filter }),
      });
    await Promise.all([
      replay({ binding: "replayer", since }),
      replay({ binding: "replayer", outcome: "submitted", since }),
    ]);
    // Wait for the replays to be logged, then count them: each original once.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await waitForOutcome("rv-overlap", ids[1] ?? "");
    expect(await replays("rv-overlap")).toEqual([...ids].sort());
    expect((await world.workflows("rv-overlap")).length).toBe(4);
  }, 60_000);
});

describe("a long held line in the cluster's Durable Object", () => {
  const claimOf = (index: number) => ({
    namespace: "rv-line",
    name: `build-${String(index).padStart(5, "0")}`,
    binding: "line",
    order: `01ORDER${String(index).padStart(6, "0")}`,
    bindingMax: null,
    paused: false,
    supersedeKey: null,
  });

  it("keeps the line in rows, not in one value, and a reloaded object keeps its order", async () => {
    const world = fakeClusterWorld("rv-line");
    await putCluster("rv-line", "argo-server", { url: world.url, maxPending: 1 });
    const stub = env.CLUSTER_BREAKER.getByName("rv-line");
    const claims = Array.from({ length: 12_001 }, (_, index) => claimOf(index));
    const first = await stub.claimSlots("rv-line", claims);
    expect(first[0]).toEqual({ granted: true });
    expect(first.slice(1).every((answer) => !answer.granted)).toBe(true);
    await runInDurableObject(stub, async (instance: unknown, state) => {
      const stored = await state.storage.get("pressure");
      // The held line is 12,000 rows; the stored value holds only the one granted slot.
      expect(JSON.stringify(stored, (_, value) => (value instanceof Map ? [...value] : value)).length).toBeLessThan(
        2_000,
      );
      expect(state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM waiting").one().n).toBe(12_000);
      // The object loses what it held in memory (as after an eviction or a deploy).
      (instance as { pressure: unknown }).pressure = null;
    });
    // The first slot frees; the newest claims ask first, yet the oldest waiting one takes the slot.
    await stub.settleSlots({ created: [], released: [{ namespace: "rv-line", name: claimOf(0).name }] });
    const newest = await stub.claimSlots("rv-line", [claimOf(12_000)]);
    expect(newest[0]?.granted).toBe(false);
    const oldest = await stub.claimSlots("rv-line", [claimOf(1)]);
    expect(oldest[0]).toEqual({ granted: true });
  }, 60_000);
});

describe("bulk replay's claims in the delivery ledger", () => {
  it("an unconfirmed claim (a run that died midway) lapses within a minute; a confirmed one holds for the day", async () => {
    const ledger = env.DELIVERY_LEDGER.getByName("rv-claims/0");
    expect(await ledger.claimEach(["replay-of A", "replay-of B"], "run-1")).toEqual(["replay-of A", "replay-of B"]);
    // Another run at the same time takes neither.
    expect(await ledger.claimEach(["replay-of A", "replay-of B"], "run-2")).toEqual([]);
    await ledger.confirmEach(["replay-of A"], "run-1");
    // A minute and a second later: B was never confirmed (run-1 died), A was sent.
    await runInDurableObject(ledger, async (_instance, state) => {
      state.storage.sql.exec("UPDATE deliveries SET seen_at = seen_at - 61000");
    });
    expect(await ledger.claimEach(["replay-of A", "replay-of B"], "run-3")).toEqual(["replay-of B"]);
  });
});
