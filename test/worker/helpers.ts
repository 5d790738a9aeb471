import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { bodyOfRecord, loadPayloadText } from "../../src/events/payload";
import type { BindingResult } from "../../src/events/results";
import type { EventRecord } from "../../src/events/store";

export const BASE = "https://hookline.test";

/** Calls the Worker's fetch handler, as a client on the internet would. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export const adminAuth = { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}` };

/** Sends JSON with the given bearer token (admin by default). */
export function callJson(path: string, method: string, body: unknown, auth: Record<string, string> = adminAuth) {
  return call(path, {
    method,
    headers: { ...auth, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Creates an API token through the API and returns its text. */
export async function createToken(spec: {
  name: string;
  namespaces: string[];
  scopes: string[];
  templates?: string[];
  expiresAt?: string;
  rateLimit?: { requests: number; period: string };
}): Promise<string> {
  const response = await callJson("/api/v1/tokens", "POST", spec);
  expect(response.status, await response.clone().text()).toBe(201);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Signs in to the console with a token and returns the session cookie (`name=value`). */
export async function consoleSession(token: string): Promise<string> {
  const response = await call("/ui/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** Asserts the contract's JSON error shape and returns the message. */
export async function expectError(response: Response, status: number, code: string): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe("string");
  return body.message;
}

/** Counts rows of a table (optionally filtered), straight from D1. */
export function countRows(table: string, where = "1 = 1", ...params: unknown[]): Promise<number> {
  return countRowsIn(env.DB, table, where, ...params);
}

/** Counts rows of a table in one database (an event-log shard, say). */
export async function countRowsIn(
  db: D1Database,
  table: string,
  where = "1 = 1",
  ...params: unknown[]
): Promise<number> {
  const row = await db
    .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Waits until the queue consumer has written the event to the log, and returns its row, with
 * `payload` read back from wherever its body is (its batch's pack in R2, a spilled object).
 */
export async function waitForEvent(id: string, db: D1Database = env.DB): Promise<Record<string, unknown>> {
  const row = await vi.waitFor(
    async () => {
      const found = await db.prepare("SELECT * FROM event_log WHERE id = ?1").bind(id).first();
      if (!found) throw new Error(`event ${id} not logged yet`);
      return found;
    },
    { timeout: 10_000, interval: 50 },
  );
  const body = bodyOfRecord({
    payload: row.payload as string | null,
    bodyKey: row.body_key as string | null,
    bodyOffset: row.body_offset as number | null,
    bodyLength: row.body_length as number | null,
  });
  return { ...row, payload: await loadPayloadText(env.EVENT_BODIES, body) };
}

/** An event's binding results as the log stores them (its row's results column). */
export async function storedResults(id: string, db: D1Database = env.DB): Promise<Array<Record<string, unknown>>> {
  const row = await db.prepare("SELECT results FROM event_log WHERE id = ?1").bind(id).first<{ results: string }>();
  return row ? (JSON.parse(row.results) as Array<Record<string, unknown>>) : [];
}

/** Every event counted for a namespace (rows or not), from the dashboard's counts. */
export async function countedEvents(db: D1Database, namespace: string, outcome?: string): Promise<number> {
  const row = await db
    .prepare(
      "SELECT coalesce(sum(events), 0) AS n FROM event_counts WHERE namespace = ?1 AND (?2 IS NULL OR outcome = ?2)",
    )
    .bind(namespace, outcome ?? null)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Lists every object key in the event-body bucket. */
export async function bodyKeys(): Promise<string[]> {
  const listed = await env.EVENT_BODIES.list();
  return listed.objects.map((object) => object.key);
}

/** `sha256=<hex HMAC-SHA256>` of a body, as GitHub and the generic HMAC client sign. */
export async function hmacHeader(secret: string, body: string | Uint8Array): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const data = typeof body === "string" ? enc.encode(body) : body;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Registers a webhook client through the API. */
export async function putWebhookClient(namespace: string, name: string, type: string, secret: string): Promise<void> {
  const response = await callJson(`/api/v1/namespaces/${namespace}/webhookclients/${name}`, "PUT", { type, secret });
  expect([200, 201], await response.clone().text()).toContain(response.status);
}

/** Posts an event and returns the response. */
export function postEvent(
  path: string,
  body: string | Uint8Array | ReadableStream,
  headers: Record<string, string> = adminAuth,
): Promise<Response> {
  return call(`/api/v1/events/${path}`, { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

const testEnv = env as unknown as { FAKE_CLUSTER_URL: string; FAKE_CLUSTER_TOKEN: string; RECEIVER_URL: string };

/** A request the receiver recorded (test/fakes/receiver.ts), with what it answered. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  status?: number;
  answer?: string;
}

/** The webhook receiver the global setup started on 127.0.0.1 (approvers' and chat webhooks). */
export const receiver = {
  url: testEnv.RECEIVER_URL,
  hook: (key: string) => `${testEnv.RECEIVER_URL}/hooks/${key}`,
  async requests(key: string): Promise<ReceivedRequest[]> {
    const response = await fetch(`${testEnv.RECEIVER_URL}/_receiver/requests?key=${key}`);
    return ((await response.json()) as { requests: ReceivedRequest[] }).requests;
  },
  async behave(key: string, behaviour: Record<string, unknown>): Promise<void> {
    await fetch(`${testEnv.RECEIVER_URL}/_receiver/behaviour?key=${key}`, {
      method: "POST",
      body: JSON.stringify(behaviour),
    });
  },
};

/** The fake Argo Server / Kubernetes API the global setup started on 127.0.0.1. */
export const fakeCluster = {
  url: testEnv.FAKE_CLUSTER_URL,
  token: testEnv.FAKE_CLUSTER_TOKEN,
  async control(method: string, path: string, namespace: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${testEnv.FAKE_CLUSTER_URL}/_fake/${path}?namespace=${namespace}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
    return response.json();
  },
  /** Declares (Cluster)WorkflowTemplates the fake Argo Server knows in a namespace. */
  templates(namespace: string, names: string[], kind = "WorkflowTemplate") {
    return this.control("POST", "templates", namespace, { names, kind });
  },
  behaviour(namespace: string, behaviour: Record<string, unknown>) {
    return this.control("POST", "behaviour", namespace, behaviour);
  },
  async workflows(
    namespace: string,
  ): Promise<Array<Record<string, unknown> & { name: string; labels: Record<string, string> }>> {
    const body = (await this.control("GET", "workflows", namespace)) as {
      workflows: Array<Record<string, unknown> & { name: string; labels: Record<string, string> }>;
    };
    return body.workflows;
  },
  async requests(namespace: string): Promise<number> {
    return ((await this.control("GET", "workflows", namespace)) as { requests: number }).requests;
  },
};

/**
 * A cluster of its own on the fake (its URL is under `/w/<world>`): its own namespaces, how fast
 * its workflows complete, and the most it ever ran at once — for tests that count a whole cluster.
 */
export function fakeClusterWorld(world: string) {
  const url = `${testEnv.FAKE_CLUSTER_URL}/w/${world}`;
  const control = async (method: string, path: string, body?: unknown, namespace = ""): Promise<unknown> => {
    const response = await fetch(`${url}/_fake/${path}?namespace=${namespace}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
    return response.json();
  };
  return {
    url,
    templates: (namespace: string, names: string[]) => control("POST", "templates", { names }, namespace),
    /** Workflows run `runMs`, at most `perSecond` completing each second (unset: they run until completed). */
    completion: (completion: { runMs?: number; perSecond?: number }) => control("POST", "completion", completion),
    /** Completes the `count` oldest running workflows now. */
    complete: async (count: number) =>
      ((await control("POST", "complete", { count })) as { completed: string[] }).completed,
    pressure: async () =>
      (await control("GET", "pressure")) as {
        active: number;
        maxActive: number;
        maxActiveByBinding: Record<string, number>;
        created: number;
      },
    workflows: async (namespace: string) =>
      (
        (await control("GET", "workflows", undefined, namespace)) as {
          workflows: Array<{ name: string; createdAt: number; labels: Record<string, string> }>;
        }
      ).workflows,
  };
}

/** Registers a cluster pointing at the fake. */
export async function putCluster(
  name: string,
  type: "argo-server" | "kubernetes",
  extra: Record<string, unknown> = {},
) {
  const response = await callJson(`/api/v1/clusters/${name}`, "PUT", {
    type,
    url: fakeCluster.url,
    token: fakeCluster.token,
    timeoutSeconds: 2,
    ...extra,
  });
  expect([200, 201], await response.clone().text()).toContain(response.status);
}

/** A binding of `build` on `cluster` matching `selector`, with spec fields added (maxPending, paused, supersede). */
export function pressuredBinding(name: string, cluster: string, spec: Record<string, unknown> = {}, selector = "true") {
  const base = binding(name, selector, "build");
  return { ...base, spec: { ...base.spec, cluster, ...spec } };
}

/** Applies one binding object to a namespace (JSON) and returns the stored object. */
export async function applyBinding(
  namespace: string,
  binding: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const name = (binding.metadata as { name: string }).name;
  const response = await callJson(`/api/v1/namespaces/${namespace}/workfloweventbindings/${name}`, "PUT", binding);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return (await response.json()) as Record<string, unknown>;
}

/** A minimal binding: `selector` over the event, submitting `template` on `cluster`. */
export function binding(name: string, selector: string, template: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowEventBinding",
    metadata: { name },
    spec: {
      event: { selector },
      submit: { workflowTemplateRef: { name: template }, ...extra },
    },
  };
}

export interface LoggedEvent {
  id: string;
  outcome: string;
  results: Array<{
    binding: string;
    matched: boolean;
    status: string;
    workflow?: string;
    cluster?: string;
    reason?: string;
    error?: string;
    attempts: number;
  }>;
  bindingsPruned: number;
}

/** Waits until the event's outcome satisfies `done` (default: not pending), and returns it. */
export async function waitForOutcome(
  namespace: string,
  id: string,
  done: (event: LoggedEvent) => boolean = (event) => event.outcome !== "pending",
  timeout = 20_000,
): Promise<LoggedEvent> {
  return vi.waitFor(
    async () => {
      const response = await call(`/api/v1/namespaces/${namespace}/events/${id}`, { headers: adminAuth });
      if (response.status !== 200) throw new Error(`event ${id} not logged yet`);
      const event = (await response.json()) as LoggedEvent;
      if (!done(event)) throw new Error(`event ${id} is ${event.outcome}`);
      return event;
    },
    { timeout, interval: 100 },
  );
}

/** Posts a JSON event and returns its id. */
export async function sendEvent(
  path: string,
  payload: unknown,
  headers: Record<string, string> = adminAuth,
): Promise<string> {
  const response = await postEvent(path, JSON.stringify(payload), { ...headers, "content-type": "application/json" });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** Slack's v0 signature of a body at a time (seconds), with an app's signing secret. */
export async function slackSignature(body: string, timestamp: number, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`v0:${timestamp}:${body}`));
  return `v0=${[...new Uint8Array(mac)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** A Slack interaction as Slack posts it: form-encoded `payload`, v0-signed with `secret`. */
export async function postSlackInteraction(
  payload: Record<string, unknown>,
  secret: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return call("/callbacks/slack/interactions", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? (await slackSignature(body, timestamp, secret)),
    },
    body,
  });
}

/** The first request a receiver key got that `matches`, once it has come (10 s at most). */
export function requestTo(key: string, matches: (request: ReceivedRequest) => boolean): Promise<ReceivedRequest> {
  return vi.waitFor(
    async () => {
      const found = (await receiver.requests(key)).find(matches);
      if (!found) throw new Error(`no matching request under ${key} yet`);
      return found;
    },
    { timeout: 10_000, interval: 50 },
  );
}

let slackClicks = 0;

/**
 * A signed Slack button click on a gate's request, as the app `slackKey` (its receiver key) whose
 * signing secret is `secret` would post it; resolves with the text hookline answered the clicker.
 */
export async function slackClick(
  slackKey: string,
  secret: string,
  click: { value: string; user: string; approve: boolean },
): Promise<string> {
  const n = ++slackClicks;
  const response = await postSlackInteraction(
    {
      type: "block_actions",
      user: { id: click.user },
      response_url: `${receiver.url}/slackapi/${slackKey}/actions/${n}`,
      actions: [{ action_id: click.approve ? "hookline_approve" : "hookline_reject", value: click.value }],
      message: { text: "Approval requested", blocks: [] },
    },
    secret,
  );
  expect(response.status).toBe(200);
  const answer = await requestTo(slackKey, (request) => request.path.endsWith(`/actions/${n}`));
  return (JSON.parse(answer.body) as { text: string }).text;
}

/** An event-log row as the consumer would write it (body inline, no results), for seeding a log directly. */
export function eventRecord(
  namespace: string,
  id: string,
  receivedAt: number,
  outcome: EventRecord["outcome"],
  overrides: Partial<EventRecord> = {},
): EventRecord {
  return {
    id,
    namespace,
    discriminator: "d",
    receivedAt,
    outcome,
    sender: "admin",
    metadata: {},
    results: [],
    payload: "{}",
    bodyKey: null,
    bodyOffset: null,
    bodyLength: null,
    bodyBytes: 2,
    replayOf: null,
    error: null,
    bindingsPruned: 0,
    traceId: null,
    ...overrides,
  };
}

/** A binding's result whose submission is still being retried. */
export function pendingResult(eventId: string, cluster: string, overrides: Partial<BindingResult> = {}): BindingResult {
  return {
    eventId,
    binding: "b",
    bindingUid: "uid",
    matched: true,
    status: "pending",
    reason: null,
    error: null,
    cluster,
    workflow: "w",
    request: null,
    attempts: 1,
    ...overrides,
  };
}
