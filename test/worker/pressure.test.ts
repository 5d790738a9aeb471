import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  callJson,
  consoleSession,
  expectError,
  fakeCluster,
  fakeClusterWorld,
  type LoggedEvent,
  pressuredBinding,
  putCluster,
  sendEvent,
  waitForOutcome,
} from "./helpers";

// Under pressure (issue 34): a cluster's or a binding's maxPending holds submissions while the
// cluster runs that many of hookline's workflows (counted from the cluster's own list), supersede
// keeps only the newest held event of a key, a paused binding holds its submissions and releases
// them in arrival order, and a filter replays many events at once — paced, once.

async function clusterStatus(name: string) {
  const response = await call(`/api/v1/clusters/${name}`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return ((await response.json()) as { status: { pending: Record<string, unknown>; queued: number } }).status;
}

async function sendAll(namespace: string, payloads: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < payloads.length; start += 20) {
    ids.push(...(await Promise.all(payloads.slice(start, start + 20).map((payload) => sendEvent(namespace, payload)))));
  }
  return ids;
}

const statusOf = (event: LoggedEvent) => event.results[0]?.status;

describe("maxPending on a cluster", () => {
  it("200 events drain with never more than maxPending running, each submitted exactly once, held ones visible", async () => {
    const world = fakeClusterWorld("press-cap");
    await world.templates("press-cap", ["build"]);
    await world.completion({ runMs: 100 });
    await putCluster("press-cap", "argo-server", { url: world.url, maxPending: 10 });
    await applyBinding("press-cap", pressuredBinding("drain", "press-cap"));
    const ids = await sendAll(
      "press-cap",
      Array.from({ length: 200 }, (_, index) => ({ index })),
    );
    let sawHeld = false;
    await vi.waitFor(
      async () => {
        const status = await clusterStatus("press-cap");
        if ((status.pending.held as number) > 0) sawHeld = true;
        const pressure = await world.pressure();
        expect(pressure.created).toBe(200);
      },
      { timeout: 150_000, interval: 500 },
    );
    const pressure = await world.pressure();
    expect(pressure.maxActive).toBeLessThanOrEqual(10);
    expect(pressure.maxActive).toBeGreaterThan(1);
    expect(sawHeld).toBe(true);
    const workflows = await world.workflows("press-cap");
    expect(new Set(workflows.map((workflow) => workflow.labels["hookline.dev/event-id"])).size).toBe(200);
    for (const id of ids.slice(0, 5)) {
      const event = await waitForOutcome("press-cap", id);
      expect(event.outcome).toBe("submitted");
      expect(event.results[0]?.attempts).toBe(1);
    }
    const status = await clusterStatus("press-cap");
    expect(status.pending).toMatchObject({ maxPending: 10, held: 0 });
  }, 180_000);
});

describe("maxPending and supersede on a binding", () => {
  it("holds the binding's events while its workflow runs; only the newest held event per key submits", async () => {
    const world = fakeClusterWorld("press-sup");
    await world.templates("press-sup", ["build"]);
    await putCluster("press-sup", "argo-server", { url: world.url });
    await applyBinding(
      "press-sup",
      pressuredBinding("deploy", "press-sup", { maxPending: 1, supersede: { key: "payload.branch" } }),
    );
    const first = await sendEvent("press-sup", { branch: "main" });
    expect(statusOf(await waitForOutcome("press-sup", first))).toBe("submitted");
    const held: string[] = [];
    for (const branch of ["main", "dev", "main", "main"]) {
      const id = await sendEvent("press-sup", { branch });
      const event = await waitForOutcome("press-sup", id, (logged) => statusOf(logged) !== undefined);
      expect(event.outcome).toBe("pending");
      held.push(id);
    }
    const [main1, dev, main2, main3] = held as [string, string, string, string];
    // Each older "main" event is superseded by the one that replaced it while both were held.
    const superseded1 = await waitForOutcome("press-sup", main1, (event) => statusOf(event) === "superseded");
    expect(superseded1.results[0]?.reason).toContain(main2);
    const superseded2 = await waitForOutcome("press-sup", main2, (event) => statusOf(event) === "superseded");
    expect(superseded2.results[0]?.reason).toContain(main3);
    expect((await waitForOutcome("press-sup", dev, () => true)).results[0]).toMatchObject({
      status: "held",
      reason: expect.stringContaining("maxPending of 1"),
    });
    // The running workflow ends: the newest "main" goes first, in the oldest one's place; then "dev".
    await world.complete(1);
    expect(statusOf(await waitForOutcome("press-sup", main3, (event) => statusOf(event) === "submitted", 30_000))).toBe(
      "submitted",
    );
    expect(statusOf(await waitForOutcome("press-sup", dev, () => true))).toBe("held");
    await world.complete(1);
    expect(statusOf(await waitForOutcome("press-sup", dev, (event) => statusOf(event) === "submitted", 30_000))).toBe(
      "submitted",
    );
    expect((await world.pressure()).maxActiveByBinding["press-sup/deploy"]).toBe(1);
    expect((await world.workflows("press-sup")).map((workflow) => workflow.labels["hookline.dev/event-id"])).toEqual([
      first,
      main3,
      dev,
    ]);
  }, 90_000);
});

describe("pause and resume", () => {
  it("a paused binding logs and matches, holds its submissions, and releases them in arrival order", async () => {
    const world = fakeClusterWorld("press-pause");
    await world.templates("press-pause", ["build"]);
    await putCluster("press-pause", "argo-server", { url: world.url });
    await applyBinding("press-pause", pressuredBinding("nightly", "press-pause"));
    const paused = await callJson("/api/v1/namespaces/press-pause/workfloweventbindings/nightly/pause", "POST", {});
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as { spec: { paused: boolean } }).spec.paused).toBe(true);
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const id = await sendEvent("press-pause", { index });
      const event = await waitForOutcome("press-pause", id, (logged) => statusOf(logged) !== undefined);
      expect(event.results[0]).toMatchObject({
        matched: true,
        status: "held",
        reason: "held: binding nightly is paused",
      });
      ids.push(id);
    }
    expect(await world.workflows("press-pause")).toEqual([]);
    const resumed = await callJson("/api/v1/namespaces/press-pause/workfloweventbindings/nightly/resume", "POST", {});
    expect(resumed.status).toBe(200);
    const stored = (await resumed.json()) as { spec: Record<string, unknown>; status: { resumedAt: string } };
    expect(stored.spec.paused).toBeUndefined();
    expect(Date.parse(stored.status.resumedAt)).toBeGreaterThan(Date.now() - 60_000);
    for (const id of ids) await waitForOutcome("press-pause", id, (event) => event.outcome === "submitted", 60_000);
    const created = (await world.workflows("press-pause"))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((workflow) => workflow.labels["hookline.dev/event-id"]);
    expect(created).toEqual(ids);
    // The console's button pauses and resumes through the same apply (a session with its CSRF token).
    const cookie = await consoleSession(env.HOOKLINE_ADMIN_TOKEN);
    const page = `/ui/namespaces/press-pause/workfloweventbindings/nightly`;
    const html = await (await call(page, { headers: { cookie } })).text();
    expect(html).toContain(`action="${page}/pause"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const press = (action: string, token = csrf) =>
      call(`${page}/${action}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: token }).toString(),
      });
    expect((await press("pause", "forged")).status).toBe(403);
    const pausedPage = await press("pause");
    expect(pausedPage.status).toBe(200);
    expect(await pausedPage.text()).toContain(`action="${page}/resume"`);
    const viaApi = await call("/api/v1/namespaces/press-pause/workfloweventbindings/nightly", { headers: adminAuth });
    expect(((await viaApi.json()) as { spec: { paused?: boolean } }).spec.paused).toBe(true);
    expect((await press("resume")).status).toBe(200);
    // Resuming again changes nothing.
    const again = await callJson("/api/v1/namespaces/press-pause/workfloweventbindings/nightly/resume", "POST", {});
    expect(again.headers.get("x-hookline-action")).toBe("unchanged");
  }, 120_000);
});

describe("bulk replay", () => {
  it("counts on a dry run, replays once, and the same filter again starts nothing", async () => {
    await fakeCluster.templates("press-replay", ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding("press-replay", binding("replayer", 'payload.kind = "deploy"', "build"));
    const deploys = await sendAll("press-replay", [{ kind: "deploy" }, { kind: "deploy" }, { kind: "deploy" }]);
    const others = await sendAll("press-replay", [{ kind: "lint" }]);
    for (const id of [...deploys, ...others]) await waitForOutcome("press-replay", id);
    const since = new Date(Date.now() - 60_000).toISOString();
    const filter = { binding: "replayer", outcome: "submitted", since };
    const replay = (body: unknown) => callJson("/api/v1/namespaces/press-replay/events/replay", "POST", body);

    const dry = await replay({ filter, dryRun: true });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toEqual({ matched: 3, replayed: 0 });
    const run = await replay({ filter });
    expect(await run.json()).toEqual({ matched: 3, replayed: 3 });
    await vi.waitFor(
      async () => {
        const listed = await call("/api/v1/namespaces/press-replay/events?limit=50", { headers: adminAuth });
        const items = ((await listed.json()) as { items: Array<{ id: string; outcome: string }> }).items;
        const replays = await Promise.all(
          items.map(async (item) => {
            const detail = await call(`/api/v1/namespaces/press-replay/events/${item.id}`, { headers: adminAuth });
            return ((await detail.json()) as { replayOf: string | null }).replayOf;
          }),
        );
        expect(replays.filter((of) => of !== null).sort()).toEqual([...deploys].sort());
      },
      { timeout: 30_000, interval: 500 },
    );
    const rerun = await replay({ filter });
    expect(await rerun.json()).toEqual({ matched: 3, replayed: 0 });
    // Another filter over the same events: they were replayed already, so nothing new either.
    const wider = await replay({ filter: { binding: "replayer", since } });
    expect(await wider.json()).toEqual({ matched: 3, replayed: 0 });
  }, 60_000);

  it("refuses a bad filter with 400 naming it, and starts nothing", async () => {
    const replay = (body: unknown) => callJson("/api/v1/namespaces/press-replay/events/replay", "POST", body);
    expect(await expectError(await replay({ filter: { colour: "red" } }), 400, "invalid_argument")).toContain("colour");
    expect(
      await expectError(
        await replay({ filter: { since: "2026-11-01T00:00:00Z", until: "2026-11-20T00:00:00Z" } }),
        400,
        "invalid_argument",
      ),
    ).toContain("7 days");
    expect(await expectError(await replay({ filter: { since: "yesterday" } }), 400, "invalid_argument")).toContain(
      "RFC 3339",
    );
    expect(await expectError(await replay({ filter: { outcome: "great" } }), 400, "invalid_argument")).toContain(
      "outcome",
    );
  });
});

describe("bad pressure settings", () => {
  it("maxPending below 1 on a cluster or a binding is refused naming it; nothing is stored", async () => {
    const cluster = await callJson("/api/v1/clusters/press-bad", "PUT", {
      type: "argo-server",
      url: fakeCluster.url,
      maxPending: 0,
    });
    expect(await expectError(cluster, 400, "invalid_argument")).toContain("maxPending");
    expect((await call("/api/v1/clusters/press-bad", { headers: adminAuth })).status).toBe(404);
    const applied = await callJson(
      "/api/v1/namespaces/press-bad/workfloweventbindings/capped",
      "PUT",
      pressuredBinding("capped", "default", { maxPending: 0 }),
    );
    expect(await expectError(applied, 400, "invalid_argument")).toContain("maxPending");
    const superseding = await callJson(
      "/api/v1/namespaces/press-bad/workfloweventbindings/capped",
      "PUT",
      pressuredBinding("capped", "default", { supersede: { key: "payload.(" } }),
    );
    expect(await expectError(superseding, 400, "invalid_argument")).toContain("spec.supersede.key");
    expect(
      (await call("/api/v1/namespaces/press-bad/workfloweventbindings/capped", { headers: adminAuth })).status,
    ).toBe(404);
    const missing = await callJson("/api/v1/namespaces/press-bad/workfloweventbindings/nothing/pause", "POST", {});
    expect(missing.status).toBe(404);
  });
});
