import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { eventLogs, eventQueues, shardFor } from "../../src/events/shards";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  countRowsIn,
  fakeCluster,
  type LoggedEvent,
  postEvent,
  putCluster,
} from "../worker/helpers";

// Windows and dependencies settle their events through the Durable Object's alarm: on a sharded
// deployment the alarm must find the namespace's own database and queue.

const json = { ...adminAuth, "content-type": "application/json" };
const logs = eventLogs(env);
const queues = eventQueues(env);

/** A namespace (prefix-N) on the third database and the second queue — neither the default. */
function namespaceOffDefaults(prefix: string): string {
  for (let index = 0; index < 1000; index++) {
    const namespace = `${prefix}-${index}`;
    if (shardFor(logs, namespace).name === "EVENT_LOG_3" && shardFor(queues, namespace).name === "EVENTS_2")
      return namespace;
  }
  throw new Error("no namespace found");
}

async function send(namespace: string, discriminator: string, payload: unknown): Promise<string> {
  const response = await postEvent(`${namespace}/${discriminator}`, JSON.stringify(payload), json);
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function settled(namespace: string, id: string): Promise<LoggedEvent> {
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

function rowsIn(name: string, namespace: string): Promise<number> {
  const db = logs.find((shard) => shard.name === name)?.resource as D1Database;
  return countRowsIn(db, "event_log", "namespace = ?1", namespace);
}

describe("windows on a sharded deployment", () => {
  it("a debounce window fires and settles its events in the namespace's database", async () => {
    const ns = namespaceOffDefaults("debounce");
    await fakeCluster.templates(ns, ["alert"]);
    await putCluster("default", "argo-server");
    const object = binding("ci", "true", "alert", {
      arguments: { parameters: [{ name: "sha", valueFrom: { event: "payload.after" } }] },
    });
    await applyBinding(ns, {
      ...object,
      spec: { ...object.spec, event: { selector: "true", debounce: { key: "payload.ref", period: "1s" } } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(await send(ns, "push", { ref: i % 2 === 0 ? "main" : "dev", after: `sha-${i}` }));
    const events = await Promise.all(ids.map((id) => settled(ns, id)));
    expect(events.map((event) => event.results[0]?.status)).toEqual([
      "debounced",
      "debounced",
      "debounced",
      "debounced",
      "submitted",
      "submitted",
    ]);
    const workflows = (await fakeCluster.workflows(ns)) as unknown as Array<{
      parameters: Array<{ value: string }>;
    }>;
    expect(workflows.map((workflow) => workflow.parameters[0]?.value).sort()).toEqual(["sha-4", "sha-5"]);
    expect(await rowsIn("EVENT_LOG_3", ns)).toBe(6);
    expect(await rowsIn("DB", ns)).toBe(0);
  });

  it("a partial match that expires settles its waiting event in the namespace's database", async () => {
    const ns = namespaceOffDefaults("expiry");
    await fakeCluster.templates(ns, ["release"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "WorkflowEventBinding",
      metadata: { name: "release" },
      spec: {
        dependencies: [
          { name: "build", selector: 'discriminator = "ci"', key: "payload.sha" },
          { name: "scan", selector: 'discriminator = "scanner"', key: "payload.commit" },
        ],
        within: "1s",
        submit: { workflowTemplateRef: { name: "release" } },
      },
    });
    const build = await send(ns, "ci", { sha: "abc" });
    const expired = await settled(ns, build);
    expect(expired.results[0]).toMatchObject({ status: "skipped" });
    expect(expired.results[0]?.reason).toMatch(/^expired: .*arrived: build/);
    expect(await rowsIn("EVENT_LOG_3", ns)).toBe(1);
  });
});
