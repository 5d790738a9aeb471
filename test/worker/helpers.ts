import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";

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
}): Promise<string> {
  const response = await callJson("/api/v1/tokens", "POST", spec);
  expect(response.status, await response.clone().text()).toBe(201);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

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
export async function countRows(table: string, where = "1 = 1", ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Waits until the queue consumer has written the event to the log, and returns its row. */
export async function waitForEvent(id: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare("SELECT * FROM events WHERE id = ?1").bind(id).first();
      if (!row) throw new Error(`event ${id} not logged yet`);
      return row;
    },
    { timeout: 10_000, interval: 50 },
  );
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
