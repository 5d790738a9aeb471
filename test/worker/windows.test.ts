import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { admit } from "../../src/bindings/window";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  callJson,
  expectError,
  fakeCluster,
  type LoggedEvent,
  postEvent,
  putCluster,
} from "./helpers";

// Bindings that dedupe or throttle their events: one window per (binding, key), in a Durable Object.

const json = { ...adminAuth, "content-type": "application/json" };

function windowed(name: string, event: Record<string, unknown>) {
  const object = binding(name, "true", "alert");
  return { ...object, spec: { ...object.spec, event: { selector: "true", ...event } } };
}

async function send(namespace: string, payload: unknown): Promise<string> {
  const response = await postEvent(`${namespace}/alerts`, JSON.stringify(payload), json);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function logged(namespace: string, id: string): Promise<LoggedEvent> {
  return vi.waitFor(
    async () => {
      const response = await call(`/api/v1/namespaces/${namespace}/events/${id}`, { headers: adminAuth });
      if (response.status !== 200) throw new Error(`event ${id} not logged yet`);
      const event = (await response.json()) as LoggedEvent;
      if (event.outcome === "pending") throw new Error(`event ${id} still pending`);
      return event;
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe("windows: debounce", () => {
  it("30 pushes on 3 refs within the period → exactly 3 workflows, each with its ref's last push; the others debounced", async () => {
    const ns = "windows-debounce";
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    const object = binding("ci", "true", "alert", {
      arguments: { parameters: [{ name: "sha", valueFrom: { event: "payload.after" } }] },
    });
    await applyBinding(ns, {
      ...object,
      spec: { ...object.spec, event: { selector: "true", debounce: { key: "payload.ref", period: "2s" } } },
    });
    const refs = ["refs/heads/main", "refs/heads/dev", "refs/heads/docs"];
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await send(ns, { ref: refs[i % 3], after: `sha-${i}` }));
    const lastSent = Date.now();
    // While the window is open, each event waits.
    const early = await vi.waitFor(
      async () => {
        const response = await call(`/api/v1/namespaces/${ns}/events/${ids[29]}`, { headers: adminAuth });
        if (response.status !== 200) throw new Error("not logged yet");
        return (await response.json()) as LoggedEvent;
      },
      { timeout: 10_000 },
    );
    expect(early.results[0]?.status).toBe("waiting");
    expect(early.outcome).toBe("pending");
    const workflows = await vi.waitFor(
      async () => {
        const found = await fakeCluster.workflows(ns);
        if (found.length < 3) throw new Error(`${found.length} workflows so far`);
        return found as unknown as Array<{ parameters: Array<{ name: string; value: string }>; createdAt: number }>;
      },
      { timeout: 20_000, interval: 200 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await fakeCluster.workflows(ns)).toHaveLength(3);
    expect(workflows.map((workflow) => workflow.parameters[0]?.value).sort()).toEqual(["sha-27", "sha-28", "sha-29"]);
    // Submitted about `period` after the last event of each ref (≤ period + 2 s).
    for (const workflow of workflows) expect(workflow.createdAt - lastSent).toBeLessThan(2_000 + 2_000);
    const events = await Promise.all(ids.map((id) => logged(ns, id)));
    const statuses = events.map((event) => event.results[0]?.status);
    expect(statuses.filter((status) => status === "submitted")).toHaveLength(3);
    expect(statuses.filter((status) => status === "debounced")).toHaveLength(27);
    expect(events[0]?.results[0]?.reason).toMatch(/debounced: superseded by event/);
    expect(events[0]?.outcome).toBe("no_match");
    expect(events[29]?.outcome).toBe("submitted");
    expect(events[0]?.results[0]?.reason).toContain(`superseded by event ${ids[27]}`);
    // The console links the events a result names.
    const login = await call("/ui/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: env.HOOKLINE_ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await (await call(`/ui/namespaces/${ns}/events/${ids[0]}`, { headers: { cookie } })).text();
    expect(page).toContain(`<a href="/ui/namespaces/${ns}/events/${ids[27]}">${ids[27]}</a>`);
  });
});

describe("dependencies: several events correlated by key", () => {
  const release = (extra: Record<string, unknown> = {}) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowEventBinding",
    metadata: { name: "release" },
    spec: {
      dependencies: [
        { name: "build", selector: 'discriminator = "ci" and payload.status = "success"', key: "payload.sha" },
        { name: "scan", selector: 'discriminator = "scanner" and payload.result = "pass"', key: "payload.commit" },
      ],
      condition: "build and scan",
      within: "10m",
      submit: {
        workflowTemplateRef: { name: "release" },
        arguments: {
          parameters: [
            { name: "sha", valueFrom: { event: "events.build.payload.sha" } },
            { name: "image", valueFrom: { event: "events.build.payload.image" } },
            { name: "report", valueFrom: { event: "events.scan.payload.report" } },
          ],
        },
      },
      ...extra,
    },
  });
  const post = async (ns: string, discriminator: string, payload: unknown) => {
    const response = await postEvent(`${ns}/${discriminator}`, JSON.stringify(payload), json);
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };
  const waitingOrDone = (ns: string, id: string) =>
    vi.waitFor(
      async () => {
        const response = await call(`/api/v1/namespaces/${ns}/events/${id}`, { headers: adminAuth });
        if (response.status !== 200) throw new Error("not logged yet");
        return (await response.json()) as LoggedEvent;
      },
      { timeout: 15_000, interval: 100 },
    );

  it("build then scan for one sha → one release with both events' values; a scan for another sha → nothing", async () => {
    const ns = "deps-release";
    await fakeCluster.templates(ns, ["release"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, release());
    const build = await post(ns, "ci", { status: "success", sha: "abc123", image: "registry/app:abc123" });
    const waiting = await waitingOrDone(ns, build);
    expect(waiting.results[0]).toMatchObject({ status: "waiting", matched: true });
    expect(waiting.results[0]?.reason).toMatch(/^waiting for scan with key "abc123"/);
    expect(waiting.outcome).toBe("pending");
    const stray = await post(ns, "scanner", { result: "pass", commit: "other", report: "r-0" });
    expect((await waitingOrDone(ns, stray)).results[0]?.reason).toMatch(/waiting for build with key "other"/);
    const scan = await post(ns, "scanner", { result: "pass", commit: "abc123", report: "https://scans/1" });
    const completed = await logged(ns, scan);
    expect(completed.outcome).toBe("submitted");
    expect(completed.results[0]?.reason).toContain(`build: event ${build}`);
    const workflows = (await fakeCluster.workflows(ns)) as unknown as Array<{
      parameters: Array<{ name: string; value: string }>;
    }>;
    expect(workflows).toHaveLength(1);
    expect(workflows[0]?.parameters).toEqual([
      { name: "sha", value: "abc123" },
      { name: "image", value: "registry/app:abc123" },
      { name: "report", value: "https://scans/1" },
    ]);
    const joined = await logged(ns, build);
    expect(joined.results[0]?.status).toBe("skipped");
    expect(joined.results[0]?.reason).toContain(`joined: event ${scan} completed the dependencies`);
    // The other sha's scan still waits; an unrelated event matches no dependency.
    expect((await waitingOrDone(ns, stray)).results[0]?.status).toBe("waiting");
    const unrelated = await post(ns, "ci", { status: "failure", sha: "abc123" });
    expect((await logged(ns, unrelated)).results[0]).toMatchObject({
      status: "skipped",
      reason: "no dependency matched",
    });
  });

  it("a partial match expires after `within`: its waiting events are skipped, saying what arrived", async () => {
    const ns = "deps-expiry";
    await fakeCluster.templates(ns, ["release"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, release({ within: "1s" }));
    const build = await post(ns, "ci", { status: "success", sha: "late", image: "x" });
    const expired = await vi.waitFor(
      async () => {
        const event = await waitingOrDone(ns, build);
        if (event.results[0]?.status === "waiting") throw new Error("still waiting");
        return event;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(expired.results[0]).toMatchObject({ status: "skipped" });
    expect(expired.results[0]?.reason).toMatch(/^expired: .*arrived: build/);
    expect(expired.outcome).toBe("no_match");
    // A scan after the expiry starts a new match: no workflow.
    const scan = await post(ns, "scanner", { result: "pass", commit: "late", report: "r" });
    expect((await waitingOrDone(ns, scan)).results[0]?.status).toBe("waiting");
    expect(await fakeCluster.workflows(ns)).toHaveLength(0);
  });

  it("refuses dependencies that are not ones, naming the field", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ condition: "build and", within: "10m" }, /spec\.condition/],
      [{ within: "2s0" }, /spec\.within/],
      [
        {
          dependencies: [
            { name: "a", selector: "true", key: "payload.x" },
            { name: "a", selector: "true", key: "payload.x" },
          ],
        },
        /dependency names must be unique/,
      ],
      [{ dependencies: [{ name: "a", selector: "true", key: "payload.x" }] }, /spec\.dependencies/],
      [
        {
          dependencies: [
            { name: "a", selector: "payload.(", key: "payload.x" },
            { name: "b", selector: "true", key: "payload.x" },
          ],
        },
        /spec\.dependencies\[0\]\.selector/,
      ],
    ];
    for (const [extra, message] of cases) {
      const response = await callJson(
        "/api/v1/namespaces/deps-bad/workfloweventbindings/release",
        "PUT",
        release(extra),
      );
      expect(await expectError(response, 400, "invalid_argument")).toMatch(message);
    }
    const noDeps = binding("plain", "true", "x");
    const conditionAlone = { ...noDeps, spec: { ...noDeps.spec, condition: "a" } };
    expect(
      await expectError(
        await callJson("/api/v1/namespaces/deps-bad/workfloweventbindings/plain", "PUT", conditionAlone),
        400,
        "invalid_argument",
      ),
    ).toMatch(/condition and within need dependencies/);
  });
});

describe("windows: dedupe and throttle", () => {
  it("5 identical alerts → 1 workflow; the other 4 are deduplicated, naming the event that opened the window", async () => {
    const ns = "windows-dedupe";
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, windowed("page", { dedupe: { key: "payload.alert.fingerprint", period: "10m" } }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(ns, { alert: { fingerprint: "disk-full", n: i } }));
    const other = await send(ns, { alert: { fingerprint: "cpu-hot" } });
    const events = await Promise.all(ids.map((id) => logged(ns, id)));
    const submitted = events.filter((event) => event.results[0]?.status === "submitted");
    const deduplicated = events.filter((event) => event.results[0]?.status === "deduplicated");
    expect(submitted).toHaveLength(1);
    expect(deduplicated).toHaveLength(4);
    for (const event of deduplicated) {
      expect(event.outcome).toBe("no_match");
      expect(event.results[0]?.matched).toBe(true);
      expect(event.results[0]?.reason).toContain(`event ${submitted[0]?.id} opened key "disk-full"'s window`);
    }
    expect((await logged(ns, other)).results[0]?.status).toBe("submitted");
    const workflows = await fakeCluster.workflows(ns);
    expect(workflows).toHaveLength(2);
  });

  it("throttle: the first `limit` events of a key submit, the rest are throttled; keys do not share a window", async () => {
    const ns = "windows-throttle";
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, windowed("deploys", { throttle: { key: "payload.repo", limit: 2, period: "1m" } }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(ns, { repo: "api" }));
    ids.push(await send(ns, { repo: "web" }));
    const statuses = (await Promise.all(ids.map((id) => logged(ns, id)))).map((event) => event.results[0]?.status);
    expect(statuses.slice(0, 5).sort()).toEqual(["submitted", "submitted", "throttled", "throttled", "throttled"]);
    expect(statuses[5]).toBe("submitted");
    expect(await fakeCluster.workflows(ns)).toHaveLength(3);
  });

  it("a window closes after its period: the next event of the key submits again", async () => {
    const ns = "windows-expiry";
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, windowed("short", { dedupe: { key: "payload.id", period: "1s" } }));
    const first = await send(ns, { id: "x" });
    expect((await logged(ns, first)).results[0]?.status).toBe("submitted");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const second = await send(ns, { id: "x" });
    expect((await logged(ns, second)).results[0]?.status).toBe("submitted");
    expect(await fakeCluster.workflows(ns)).toHaveLength(2);
  });

  it("a redelivered event gets the same answer, so a window never submits twice", async () => {
    const stub = env.BINDING_WINDOW.getByName("windows-redelivery/uid/key");
    const rule = { kind: "dedupe" as const, periodMs: 60_000, limit: 1 };
    const first = await stub.admit(rule, "01EVENTA");
    expect(first).toMatchObject({ action: "submit", seq: 1 });
    expect(await stub.admit(rule, "01EVENTB")).toMatchObject({ action: "deduplicated", first: "01EVENTA" });
    // The first event again (the queue redelivered it): still the one that submits, same window.
    expect(await stub.admit(rule, "01EVENTA")).toEqual(first);
    expect(await stub.admit(rule, "01EVENTB")).toMatchObject({ action: "deduplicated" });
  });

  it("debounce: every event waits and pushes the window's end; a fired window is not reopened by its own events", () => {
    const debounce = { kind: "debounce" as const, periodMs: 1_000, limit: 1 };
    let window = admit(null, debounce, "a", 0);
    expect(window.admission).toEqual({ action: "waiting", windowStart: 0, dueAt: 1_000, count: 1 });
    window = admit(window.window, debounce, "b", 900);
    expect(window.admission).toEqual({ action: "waiting", windowStart: 0, dueAt: 1_900, count: 2 });
    expect(window.window.last).toBe("b");
    // Fired: the next event opens a new window.
    window = admit({ ...window.window, fired: true }, debounce, "c", 1_000);
    expect(window.admission).toEqual({ action: "waiting", windowStart: 1_000, dueAt: 2_000, count: 1 });
  });

  it("admits by the rule: windows open with their first event and last their period", () => {
    const throttle = { kind: "throttle" as const, periodMs: 1_000, limit: 2 };
    let window = admit(null, throttle, "a", 0);
    expect(window.admission).toEqual({ action: "submit", windowStart: 0, seq: 1 });
    window = admit(window.window, throttle, "b", 500);
    expect(window.admission).toEqual({ action: "submit", windowStart: 0, seq: 2 });
    window = admit(window.window, throttle, "c", 999);
    expect(window.admission).toMatchObject({ action: "throttled", first: "a", count: 3, windowEnd: 1_000 });
    window = admit(window.window, throttle, "d", 1_000);
    expect(window.admission).toEqual({ action: "submit", windowStart: 1_000, seq: 1 });
  });

  it("the dry run explains what the key's window would do with the event", async () => {
    const ns = "windows-dry";
    await applyBinding(ns, windowed("page", { dedupe: { key: "payload.alert.fingerprint", period: "10m" } }));
    const test = async () =>
      (await (
        await callJson(`/api/v1/namespaces/${ns}/workfloweventbindings/page/test`, "POST", {
          payload: { alert: { fingerprint: "disk-full" } },
        })
      ).json()) as { window: { kind: string; key: string; explanation: string } };
    const before = await test();
    expect(before.window).toMatchObject({ kind: "dedupe", key: "disk-full" });
    expect(before.window.explanation).toContain("this event would open one and submit");
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    await logged(ns, await send(ns, { alert: { fingerprint: "disk-full" } }));
    expect((await test()).window.explanation).toContain("so this event would be deduplicated");
  });

  it("refuses windows that are not ones, naming the field", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { dedupe: { key: "payload.id", period: "500ms" } },
        /spec\.event\.dedupe\.period: must be a duration between 1s and 7d/,
      ],
      [{ dedupe: { key: "payload.id", period: "8d" } }, /period/],
      [{ throttle: { key: "payload.id", period: "1m" } }, /spec\.event\.throttle\.limit/],
      [{ throttle: { key: "payload.id", period: "1m", limit: 0 } }, /limit/],
      [
        { dedupe: { key: "payload.id", period: "1m" }, throttle: { key: "payload.id", period: "1m", limit: 1 } },
        /one of debounce, dedupe or throttle/,
      ],
      [{ dedupe: { key: "payload.(", period: "1m" } }, /spec\.event\.dedupe\.key/],
      [{ dedupe: { key: "payload.id", period: "1m", extra: 1 } }, /extra/],
    ];
    for (const [event, message] of cases) {
      const response = await callJson(
        "/api/v1/namespaces/windows-bad/workfloweventbindings/bad",
        "PUT",
        windowed("bad", event),
      );
      expect(await expectError(response, 400, "invalid_argument")).toMatch(message);
    }
  });
});
