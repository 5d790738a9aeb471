import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  adminAuth,
  bearer,
  binding,
  call,
  callJson,
  countRows,
  createToken,
  expectError,
  fakeCluster,
  putCluster,
  sendEvent,
  waitForOutcome,
} from "./helpers";

describe("clusters API", () => {
  it("creates, replaces, reads, lists and deletes a cluster; the token is sealed and never returned", async () => {
    const body = { type: "argo-server", url: "https://argo.example.com/", token: "very-secret-bearer-token" };
    const created = await callJson("/api/v1/clusters/prod", "PUT", body);
    expect(created.status).toBe(201);
    const shown = await created.json();
    expect(shown).toMatchObject({
      name: "prod",
      type: "argo-server",
      url: "https://argo.example.com",
      hasToken: true,
      tokenSecret: null,
      timeoutSeconds: 10,
    });
    expect(JSON.stringify(shown)).not.toContain("very-secret");
    const row = await env.DB.prepare("SELECT * FROM clusters WHERE name = 'prod'").first();
    expect(JSON.stringify(row)).not.toContain("very-secret");

    const replaced = await callJson("/api/v1/clusters/prod", "PUT", {
      type: "kubernetes",
      url: "https://k8s.example.com:6443",
      tokenSecret: "PROD_K8S_TOKEN",
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ type: "kubernetes", hasToken: false, tokenSecret: "PROD_K8S_TOKEN" });
    const list = (await (await call("/api/v1/clusters", { headers: adminAuth })).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    expect((await call("/api/v1/clusters/prod", { method: "DELETE", headers: adminAuth })).status).toBe(204);
    await expectError(await call("/api/v1/clusters/prod", { headers: adminAuth }), 404, "not_found");
  });

  const bad: Array<[string, unknown]> = [
    ["plain http to a remote host", { type: "argo-server", url: "http://argo.example.com" }],
    ["a URL with credentials", { type: "argo-server", url: "https://user:pw@argo.example.com" }],
    ["a URL with a query", { type: "argo-server", url: "https://argo.example.com/?x=1" }],
    ["not a URL", { type: "argo-server", url: "argo" }],
    ["an unknown type", { type: "nomad", url: "https://x.example.com" }],
    ["token and tokenSecret", { type: "argo-server", url: "https://x.example.com", token: "a", tokenSecret: "B" }],
    ["a bad secret name", { type: "argo-server", url: "https://x.example.com", tokenSecret: "lower-case" }],
    ["a timeout too long", { type: "argo-server", url: "https://x.example.com", timeoutSeconds: 600 }],
  ];
  for (const [what, body] of bad) {
    it(`refuses ${what}`, async () => {
      await expectError(await callJson("/api/v1/clusters/bad", "PUT", body), 400, "invalid_argument");
      expect(await countRows("clusters", "name = 'bad'")).toBe(0);
    });
  }

  it("reports created / unchanged / configured, tells a changed secret apart, and writes nothing on ?dryRun=All", async () => {
    const body = { type: "argo-server", url: "https://argo.example.com", token: "token-one" };
    const action = async (input: unknown, query = "") =>
      (await callJson(`/api/v1/clusters/applied${query}`, "PUT", input)).headers.get("x-hookline-action");
    expect(await action(body, "?dryRun=All")).toBe("created");
    expect(await countRows("clusters", "name = 'applied'")).toBe(0);
    expect(await action(body)).toBe("created");
    expect(await action(body)).toBe("unchanged");
    expect(await action({ ...body, token: "token-two" })).toBe("configured");
    expect(await action({ ...body, token: "token-two" })).toBe("unchanged");
    const row = await env.DB.prepare("SELECT fingerprint FROM clusters WHERE name = 'applied'").first<{
      fingerprint: string;
    }>();
    expect(row?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain("token-two");
  });

  it("accepts http for loopback hosts only", async () => {
    for (const url of ["http://127.0.0.1:2746", "http://localhost:2746", "http://[::1]:2746"]) {
      expect((await callJson("/api/v1/clusters/local", "PUT", { type: "argo-server", url })).status).toBeLessThan(300);
    }
  });

  it("is admin only", async () => {
    const token = await createToken({ name: "not-admin-cl", namespaces: ["*"], scopes: ["bindings:write"] });
    await expectError(
      await callJson("/api/v1/clusters/x", "PUT", { type: "argo-server", url: "https://x.example.com" }, bearer(token)),
      403,
      "permission_denied",
    );
    await expectError(await call("/api/v1/clusters", { headers: bearer(token) }), 403, "permission_denied");
  });
});

describe("clusters behind Cloudflare Access: headers sent with every call", () => {
  it("sends the cluster's headers (the secret one sealed, never shown) and submits through Access", async () => {
    const ns = "behind-access";
    await fakeCluster.templates(ns, ["deploy"]);
    await fakeCluster.behaviour(ns, {
      requireHeaders: { "cf-access-client-id": "id.access", "cf-access-client-secret": "s3cr3t-access-value" },
    });
    await putCluster("access", "argo-server", {
      headers: [
        { name: "CF-Access-Client-Id", value: "id.access" },
        { name: "CF-Access-Client-Secret", secret: "s3cr3t-access-value" },
      ],
    });
    const shown = await (await call("/api/v1/clusters/access", { headers: adminAuth })).json();
    expect(shown).toMatchObject({
      headers: [
        { name: "CF-Access-Client-Id", value: "id.access" },
        { name: "CF-Access-Client-Secret", secret: "(sealed)" },
      ],
    });
    const row = await env.DB.prepare("SELECT headers FROM clusters WHERE name = 'access'").first<{ headers: string }>();
    expect(row?.headers).not.toContain("s3cr3t-access-value");
    await callJson(`/api/v1/namespaces/${ns}/workfloweventbindings/through-access`, "PUT", {
      ...binding("through-access", "true", "deploy"),
      spec: { ...binding("through-access", "true", "deploy").spec, cluster: "access" },
    });
    const id = await sendEvent(`${ns}/ci`, { ok: true });
    const event = await waitForOutcome(ns, id);
    expect(event.outcome, JSON.stringify(event)).toBe("submitted");
    expect(await fakeCluster.workflows(ns)).toHaveLength(1);
  });

  it("without the Access headers the cluster refuses (403) and says so", async () => {
    const ns = "behind-access-2";
    await fakeCluster.templates(ns, ["deploy"]);
    await fakeCluster.behaviour(ns, { requireHeaders: { "cf-access-client-id": "id.access" } });
    await putCluster("no-access", "argo-server");
    await callJson(`/api/v1/namespaces/${ns}/workfloweventbindings/refused`, "PUT", {
      ...binding("refused", "true", "deploy"),
      spec: { ...binding("refused", "true", "deploy").spec, cluster: "no-access" },
    });
    const id = await sendEvent(`${ns}/ci`, { ok: true });
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("failed");
    expect(JSON.stringify(event)).toMatch(/Cloudflare Access denied/);
  });

  it("refuses headers hookline sets itself, and bad header names", async () => {
    for (const headers of [
      [{ name: "Authorization", value: "Bearer x" }],
      [{ name: "content-type", value: "text/plain" }],
      [{ name: "bad header", value: "x" }],
    ]) {
      await expectError(
        await callJson("/api/v1/clusters/reserved", "PUT", {
          type: "argo-server",
          url: "https://argo.example.com",
          headers,
        }),
        400,
        "invalid_argument",
      );
    }
    expect(await countRows("clusters", "name = 'reserved'")).toBe(0);
  });
});

describe('"(sealed)" keeps what is stored: applying what get printed changes nothing', () => {
  it("keeps a stored token and header secret (unchanged), and refuses a placeholder with nothing stored", async () => {
    const body = {
      type: "argo-server",
      url: fakeCluster.url,
      token: "kept-cluster-token",
      headers: [{ name: "CF-Access-Client-Secret", secret: "kept-access-secret" }],
    };
    expect((await callJson("/api/v1/clusters/keeps", "PUT", body)).status).toBe(201);
    const before = await env.DB.prepare("SELECT token_sealed, headers FROM clusters WHERE name = 'keeps'").first();
    const shown = (await (await call("/api/v1/clusters/keeps", { headers: adminAuth })).json()) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({
      token: "(sealed)",
      headers: [{ name: "CF-Access-Client-Secret", secret: "(sealed)" }],
    });
    const again = await callJson("/api/v1/clusters/keeps", "PUT", {
      type: shown.type,
      url: shown.url,
      token: shown.token,
      headers: shown.headers,
      timeoutSeconds: shown.timeoutSeconds,
    });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-hookline-action")).toBe("unchanged");
    expect(await env.DB.prepare("SELECT token_sealed, headers FROM clusters WHERE name = 'keeps'").first()).toEqual(
      before,
    );
    // A kept secret never follows a new URL: that would send it somewhere it was never given.
    const moved = await callJson("/api/v1/clusters/keeps", "PUT", {
      ...body,
      url: "https://attacker.example.com",
      token: "(sealed)",
      headers: [{ name: "CF-Access-Client-Secret", secret: "(sealed)" }],
    });
    expect(await expectError(moved, 400, "invalid_argument")).toMatch(/only while url stays the same/);
    const movedService = await callJson("/api/v1/notifications/services/keeps-secret", "PUT", {
      type: "webhook",
      url: "https://hooks.example.com/a",
      headers: [{ name: "x-api-key", secret: "kept-service-key" }],
    });
    expect(movedService.status).toBe(201);
    expect(
      await expectError(
        await callJson("/api/v1/notifications/services/keeps-secret", "PUT", {
          type: "webhook",
          url: "https://attacker.example.com/collect",
          headers: [{ name: "x-api-key", secret: "(sealed)" }],
        }),
        400,
        "invalid_argument",
      ),
    ).toMatch(/only while url \(or urlSecret, apiUrl\) stays the same/);
    expect(
      (
        await callJson("/api/v1/notifications/services/keeps-secret", "PUT", {
          type: "webhook",
          url: "(sealed)",
          headers: [{ name: "x-api-key", secret: "(sealed)" }],
        })
      ).headers.get("x-hookline-action"),
    ).toBe("unchanged");
    const policy = (uri: string, secret: string) => ({
      webhooks: [{ name: "scanner", uri, headers: [{ name: "x-scanner-key", secret }] }],
    });
    const policyPath = "/api/v1/namespaces/keeps/approvalpolicies/scan";
    expect(
      (await callJson(policyPath, "PUT", policy("https://scanner.example.com/hook", "kept-scanner-key"))).status,
    ).toBe(201);
    expect(
      (await callJson(policyPath, "PUT", policy("https://scanner.example.com/hook", "(sealed)"))).headers.get(
        "x-hookline-action",
      ),
    ).toBe("unchanged");
    expect(
      await expectError(
        await callJson(policyPath, "PUT", policy("https://attacker.example.com/hook", "(sealed)")),
        400,
        "invalid_argument",
      ),
    ).toMatch(/only while webhooks\[0\]\.uri stays the same/);
    // A new secret beside the kept one is a change.
    const changed = await callJson("/api/v1/clusters/keeps", "PUT", {
      ...body,
      token: "(sealed)",
      headers: [{ name: "CF-Access-Client-Secret", secret: "rotated" }],
    });
    expect(changed.headers.get("x-hookline-action")).toBe("configured");
  });

  it('refuses "(sealed)" where nothing is stored: a token, a header secret, a service URL or secret, a webhook client secret', async () => {
    await putCluster("placeholder", "argo-server", { token: undefined });
    const shown = await (await call("/api/v1/clusters/placeholder", { headers: adminAuth })).json();
    const attempts: Array<[string, unknown]> = [
      ["/api/v1/clusters/placeholder", { type: "argo-server", url: fakeCluster.url, token: "(sealed)" }],
      [
        "/api/v1/clusters/placeholder",
        { type: "argo-server", url: fakeCluster.url, headers: [{ name: "x-key", secret: "(sealed)" }] },
      ],
      ["/api/v1/notifications/services/placeholder", { type: "webhook", url: "(sealed)" }],
      [
        "/api/v1/notifications/services/placeholder",
        { type: "dingtalk", url: "https://oapi.dingtalk.com/robot/send", secret: "(sealed)" },
      ],
      ["/api/v1/namespaces/team-p/webhookclients/placeholder", { type: "github", secret: "(sealed)" }],
    ];
    for (const [path, attempt] of attempts) {
      const message = await expectError(await callJson(path, "PUT", attempt), 400, "invalid_argument");
      expect(message).toMatch(/none is stored here/);
    }
    expect(await (await call("/api/v1/clusters/placeholder", { headers: adminAuth })).json()).toEqual(shown);
  });
});
