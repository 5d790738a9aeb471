import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { adminAuth, BASE, callJson, expectError, receiver } from "./helpers";

/**
 * Every kind that holds secrets, as the API takes it: where to PUT it and a body with one
 * secret (or a list of them) given as `secret`.
 */
const KINDS = [
  {
    kind: "cluster",
    path: (name: string) => `/api/v1/clusters/${name}`,
    body: (name: string, secret: string) => ({
      type: "argo-server",
      url: `https://${name}.argo.example.com`,
      token: secret,
      headers: [{ name: "CF-Access-Client-Secret", secret: `${secret}-header` }],
    }),
    sealedField: "token",
  },
  {
    kind: "webhook client",
    path: (name: string) => `/api/v1/namespaces/secret-applies/webhookclients/${name}`,
    body: (_name: string, secret: string) => ({ type: "github", secret }),
    sealedField: "secret",
  },
  {
    kind: "approval policy",
    path: (name: string) => `/api/v1/namespaces/secret-applies/approvalpolicies/${name}`,
    body: (name: string, secret: string) => ({
      webhooks: [{ name: "w", uri: receiver.hook(`policy-${name}`), headers: [{ name: "x-key", secret }] }],
    }),
    sealedField: "webhooks[0].headers[0].secret",
  },
  {
    kind: "notification service",
    path: (name: string) => `/api/v1/notifications/services/${name}`,
    body: (name: string, secret: string) => ({
      type: "webhook",
      url: receiver.hook(`service-${name}`),
      headers: [{ name: "x-api-key", secret }],
    }),
    // The URL is a secret too, and the first one looked at.
    sealedField: "url",
  },
] as const;

/** `body` with every secret it gives replaced by "(sealed)" (what `get` prints). */
function sealedBody(kind: (typeof KINDS)[number], name: string): unknown {
  const body = kind.body(name, "x") as Record<string, unknown>;
  const seal = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(seal);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      out[key] =
        ["token", "secret"].includes(key) || (kind.kind === "notification service" && key === "url")
          ? "(sealed)"
          : seal(child);
    return out;
  };
  return seal(body);
}

async function put(path: string, body: unknown, environment: Env = env): Promise<Response> {
  return app.request(
    `${BASE}${path}`,
    { method: "PUT", headers: { ...adminAuth, "content-type": "application/json" }, body: JSON.stringify(body) },
    environment,
  );
}

async function actionOf(response: Response): Promise<string | null> {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.headers.get("x-hookline-action");
}

describe("a dry run never tells whether a plaintext secret equals the stored one", () => {
  for (const kind of KINDS) {
    it(`${kind.kind}: the right guess and a wrong one both answer "configured"; "(sealed)" and real applies keep "unchanged"`, async () => {
      const name = `oracle-${kind.kind.replace(/ /g, "-")}`;
      const secret = "the-real-secret-0123456789";
      expect(await actionOf(await put(kind.path(name), kind.body(name, secret)))).toBe("created");
      const right = await put(`${kind.path(name)}?dryRun=All`, kind.body(name, secret));
      const wrong = await put(`${kind.path(name)}?dryRun=All`, kind.body(name, "a-wrong-guess-0123456789"));
      expect(await actionOf(right)).toBe("configured");
      expect(await actionOf(wrong)).toBe("configured");
      // The bodies differ only in when they were made.
      const untimed = async (response: Response) =>
        Object.fromEntries(Object.entries((await response.json()) as object).filter(([key]) => !key.endsWith("At")));
      expect(await untimed(right)).toEqual(await untimed(wrong));
      // Without a plaintext secret, a dry run compares as before.
      expect(await actionOf(await put(`${kind.path(name)}?dryRun=All`, sealedBody(kind, name)))).toBe("unchanged");
      // A real apply of the same input is still "unchanged" (a wrong guess there would replace the secret).
      expect(await actionOf(await put(kind.path(name), kind.body(name, secret)))).toBe("unchanged");
      expect(await actionOf(await put(kind.path(name), sealedBody(kind, name)))).toBe("unchanged");
    });
  }
});

describe("a key replaced without a reseal: stored secrets that no longer decrypt can be overwritten", () => {
  // The same gateway after HOOKLINE_SECRET_KEY was replaced, with no HOOKLINE_SECRET_KEY_PREVIOUS and no reseal.
  const replaced = {
    ...env,
    HOOKLINE_SECRET_KEY: "a-replaced-secret-key-abcdefghijklmnopqrstuvwxyz",
    HOOKLINE_SECRET_KEY_PREVIOUS: undefined,
  } as unknown as Env;

  for (const kind of KINDS) {
    it(`${kind.kind}: a brand-new secret replaces it (200, configured); "(sealed)" answers 409 naming the field`, async () => {
      const name = `rekeyed-${kind.kind.replace(/ /g, "-")}`;
      expect((await put(kind.path(name), kind.body(name, "sealed-under-the-old-key-123"))).status).toBe(201);

      const message = await expectError(await put(kind.path(name), sealedBody(kind, name), replaced), 409, "aborted");
      expect(message).toContain(`${kind.sealedField}: the stored secret no longer decrypts`);
      // A dry run with "(sealed)" answers the same.
      await expectError(await put(`${kind.path(name)}?dryRun=All`, sealedBody(kind, name), replaced), 409, "aborted");

      const overwritten = await put(kind.path(name), kind.body(name, "a-brand-new-secret-4567"), replaced);
      expect(overwritten.status, await overwritten.clone().text()).toBe(200);
      expect(overwritten.headers.get("x-hookline-action")).toBe("configured");
      // What is stored now opens under the new key: "(sealed)" keeps it.
      expect(await actionOf(await put(kind.path(name), sealedBody(kind, name), replaced))).toBe("unchanged");
    });
  }

  it("a notification service whose stored URL no longer decrypts takes a new URL with its secrets given again", async () => {
    const name = "rekeyed-url";
    const first = { type: "slack", url: receiver.hook("rekeyed-url-1"), signingSecret: "signing-secret-old-123" };
    expect((await put(`/api/v1/notifications/services/${name}`, first)).status).toBe(201);
    const message = await expectError(
      await put(`/api/v1/notifications/services/${name}`, { ...first, url: "(sealed)" }, replaced),
      409,
      "aborted",
    );
    expect(message).toMatch(/^url: /);
    const next = { type: "slack", url: receiver.hook("rekeyed-url-2"), signingSecret: "signing-secret-new-456" };
    const response = await put(`/api/v1/notifications/services/${name}`, next, replaced);
    expect(response.status, await response.clone().text()).toBe(200);
  });

  it("the same request under the old key still keeps what is stored (the 409 is only for what cannot be read)", async () => {
    const name = "rekeyed-control";
    const path = `/api/v1/namespaces/secret-applies/webhookclients/${name}`;
    expect((await callJson(path, "PUT", { type: "github", secret: "kept-secret-0123456789" })).status).toBe(201);
    expect(await actionOf(await put(path, { type: "github", secret: "(sealed)" }))).toBe("unchanged");
  });
});
