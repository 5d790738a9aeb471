import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { adminAuth, call, callJson, receiver } from "./helpers";

// Property-based fuzzing of every endpoint that takes a body: whatever arrives — any JSON, YAML,
// binary junk, deep nesting, prototype keys, any content type — the answer is never a 5xx, an
// error is always `{code, message}` as JSON, and a refused request stores nothing.

const RUNS = 40;

/** Bodies: valid JSON of any shape, near-miss objects, text, bytes, and known troublemakers. */
const text = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom(
    "",
    "{",
    "[",
    "null",
    "true",
    '"x"',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    `{"a":${'{"a":'.repeat(200)}1${"}".repeat(200)}}`,
    "a: &a [*a]",
    "- &x [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x]\n- *x",
    "kind: List\nitems: 5",
    "---\n---\n---",
    `{"metadata":{"name":"__proto__"},"spec":{}}`,
    JSON.stringify({ x: "y".repeat(200_000) }),
  ),
);
const objectish = fc
  .dictionary(
    fc.constantFrom(
      "name",
      "type",
      "secret",
      "url",
      "spec",
      "metadata",
      "webhooks",
      "policy",
      "success",
      "mdMessage",
      "approve",
      "scopes",
      "namespaces",
      "__proto__",
      "constructor",
      "rateLimit",
      "token",
      "tokenSecret",
      "grant_type",
    ),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .map((value) => JSON.stringify(value));
const body = fc.oneof(text, objectish, fc.uint8Array({ maxLength: 200 }));
const contentType = fc.constantFrom(
  "application/json",
  "application/yaml",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "",
  "application/json; charset=utf-16",
);

/** Rows of every configuration table: a refused request must not change them. */
async function configDigest(): Promise<string> {
  const tables = [
    "api_tokens",
    "webhook_clients",
    "bindings",
    "clusters",
    "approval_policies",
    "oauth_clients",
    "notification_services",
    "notification_triggers",
    "notification_subscriptions",
    "notification_settings",
    "notification_deliveries",
    "config_versions",
  ];
  const row = await env.DB.prepare(
    `SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table}) || ':' || (SELECT coalesce(max(rowid), 0) FROM ${table})`).join(" || ',' || ")} AS digest`,
  ).first<{ digest: string }>();
  return row?.digest ?? "";
}

let callbackPath = "";
let accessToken = "";
let gateId = "";

beforeAll(async () => {
  await callJson("/api/v1/namespaces/fuzz/workfloweventbindings/b", "PUT", {
    metadata: { name: "b" },
    spec: { event: { selector: "true" }, submit: { workflowTemplateRef: { name: "t" } } },
  });
  await callJson("/api/v1/namespaces/fuzz/approvalpolicies/p", "PUT", {
    webhooks: [{ name: "w", uri: receiver.hook("fuzz") }],
    manual: { required: true },
  });
  const gate = (await (await callJson("/api/v1/namespaces/fuzz/approvals", "POST", { policy: "p" })).json()) as {
    id: string;
    webhooks: Array<{ callbackUri: string }>;
  };
  gateId = gate.id;
  callbackPath = new URL(gate.webhooks[0]?.callbackUri ?? "").pathname;
  const client = (await (await callJson("/api/v1/oauth/clients", "POST", { name: "fuzzer" })).json()) as {
    client_id: string;
    client_secret: string;
  };
  const issued = await call("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", ...client }).toString(),
  });
  accessToken = ((await issued.json()) as { access_token: string }).access_token;
});

const endpoints: Array<{ method: string; path: () => string; auth: () => Record<string, string>; label?: string }> = [
  { method: "POST", path: () => "/api/v1/events/fuzz/x", auth: () => adminAuth },
  {
    method: "POST",
    path: () => "/api/v1/events/fuzz/x",
    auth: () => ({ "x-hub-signature-256": "sha256=00" }),
    label: "/api/v1/events/fuzz/x (signed, no token)",
  },
  { method: "PUT", path: () => "/api/v1/namespaces/fuzz/workfloweventbindings/b2", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/namespaces/fuzz/workfloweventbindings", auth: () => adminAuth },
  { method: "POST", path: () => "/api/v1/namespaces/fuzz/workfloweventbindings/b/test", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/namespaces/fuzz/approvalpolicies/p2", auth: () => adminAuth },
  { method: "POST", path: () => "/api/v1/namespaces/fuzz/approvals", auth: () => adminAuth },
  {
    method: "POST",
    path: () => `/api/v1/namespaces/fuzz/approvals/${gateId}/decision`,
    auth: () => adminAuth,
    label: "/api/v1/namespaces/fuzz/approvals/{gate}/decision",
  },
  {
    method: "POST",
    path: () => callbackPath,
    auth: () => ({ authorization: `Bearer ${accessToken}` }),
    label: "/callbacks/approvals/{gate}/{webhook}/{capability}",
  },
  { method: "POST", path: () => "/oauth/token", auth: () => ({}) },
  { method: "POST", path: () => "/api/v1/tokens", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/clusters/fuzz", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/namespaces/fuzz/webhookclients/w", auth: () => adminAuth },
  { method: "POST", path: () => "/api/v1/notifications/resources", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/notifications/services/s", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/notifications/triggers/t", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/notifications/subscriptions/s", auth: () => adminAuth },
  { method: "PUT", path: () => "/api/v1/notifications/context", auth: () => adminAuth },
];

describe("fuzz: any body, any content type", () => {
  for (const endpoint of endpoints) {
    it(`${endpoint.method} ${endpoint.label ?? endpoint.path()}: never a 5xx, always an error shape, nothing stored when refused`, async () => {
      await fc.assert(
        fc.asyncProperty(body, contentType, async (payload, type) => {
          const before = await configDigest();
          const response = await call(endpoint.path(), {
            method: endpoint.method,
            headers: { ...endpoint.auth(), ...(type ? { "content-type": type } : {}) },
            body: payload,
          });
          const answer = await response.text();
          expect(response.status, answer).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get("content-type") ?? "").toMatch(/^application\/json/);
            const error = JSON.parse(answer) as Record<string, unknown>;
            // RFC 6749 shapes its own errors; everything else is the contract's {code, message}.
            if (endpoint.path() === "/oauth/token") expect(typeof error.error).toBe("string");
            else {
              expect(typeof error.code).toBe("string");
              expect(typeof error.message).toBe("string");
            }
            expect(await configDigest()).toBe(before);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }),
        { numRuns: RUNS },
      );
    });
  }
});
