import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { headerSecretContext, resealPolicySecrets, type StoredPolicy } from "../../src/approvals/policy";
import type { Keyring } from "../../src/auth/keys";
import { SecretBox } from "../../src/auth/secret-box";
import { forgetWebhookClients } from "../../src/auth/webhook-auth";
import {
  adminAuth,
  bearer,
  call,
  callJson,
  consoleSession,
  countRows,
  createToken,
  expectError,
  receiver,
  sendEvent,
} from "./helpers";

/** Signs in to the console with `token` (as typed into the form) and returns the session cookie. */
const signIn = consoleSession;

const page = (path: string, cookie: string) => call(path, { headers: { cookie }, redirect: "manual" });

async function oauthToken(namespaces: string[] = ["*"], name = `approver-${crypto.randomUUID().slice(0, 8)}`) {
  const created = await callJson("/api/v1/oauth/clients", "POST", { name, namespaces });
  const { client_id, client_secret } = (await created.json()) as { client_id: string; client_secret: string };
  const response = await call("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id, client_secret }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function callBack(path: string, token: string, body: unknown = { success: true }) {
  return call(path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function gateWith(namespace: string, webhooks: string[]) {
  const policy = await callJson(`/api/v1/namespaces/${namespace}/approvalpolicies/p`, "PUT", {
    webhooks: webhooks.map((name) => ({ name, uri: receiver.hook(`${namespace}-${name}`) })),
  });
  expect([200, 201]).toContain(policy.status);
  const created = await callJson(`/api/v1/namespaces/${namespace}/approvals`, "POST", { policy: "p" });
  expect(created.status).toBe(201);
  return (await created.json()) as { id: string; webhooks: Array<{ name: string; callbackUri: string }> };
}

describe("finding 1: the console's sign-in is the API's authentication", () => {
  it('"Bearer <an events:write token>" signs in as that token, not as admin', async () => {
    const token = await createToken({ name: "ci-writer", namespaces: ["team-a"], scopes: ["events:write"] });
    const cookie = await signIn(`Bearer ${token}`);
    const overview = await page("/ui", cookie);
    expect(overview.status).toBe(200);
    const html = await overview.text();
    expect(html).toContain("ci-writer");
    expect(html).not.toContain(">admin<");
    // An admin session could do all of these; the token can do none.
    expect((await page("/ui/namespaces/team-b/workfloweventbindings", cookie)).status).toBe(403);
    expect((await page("/ui/namespaces/team-a/approvals", cookie)).status).toBe(403);
    expect((await page("/ui/clusters", cookie)).status).toBe(403);
    expect((await page("/ui/notifications/deliveries", cookie)).status).toBe(403);
  });

  it("the prefix, case and whitespace are handled once, the same for API and console", async () => {
    const token = await createToken({ name: "reader-x", namespaces: ["team-a"], scopes: ["events:read"] });
    for (const form of [token, `Bearer ${token}`, `bearer   ${token}`, `  Bearer ${token}  `]) {
      const cookie = await signIn(form);
      expect((await page("/ui/namespaces/team-a/events", cookie)).status).toBe(200);
      expect((await call("/api/v1/namespaces/team-a/events", { headers: { authorization: form } })).status).toBe(200);
    }
  });

  it("an admin session only comes from the admin token, and deleting a token ends its sessions", async () => {
    const adminCookie = await signIn(`Bearer ${env.HOOKLINE_ADMIN_TOKEN}`);
    expect((await page("/ui/clusters", adminCookie)).status).toBe(200);
    const token = await createToken({ name: "short-lived", namespaces: ["team-a"], scopes: ["events:read"] });
    const cookie = await signIn(token);
    expect((await page("/ui/namespaces/team-a/events", cookie)).status).toBe(200);
    expect((await call("/api/v1/tokens/short-lived", { method: "DELETE", headers: adminAuth })).status).toBe(204);
    const after = await page("/ui/namespaces/team-a/events", cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/ui/login");
  });
});

describe("finding 2: user-named segments never reach an object's prototype", () => {
  const names = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

  it("a callback naming __proto__ (or any Object member) as its webhook is refused, and nothing is poisoned", async () => {
    const gate = await gateWith("proto", ["w"]);
    const token = await oauthToken();
    const capability = gate.webhooks[0]?.callbackUri.split("/").at(-1) ?? "";
    for (const name of names) {
      for (const path of [
        `/callbacks/approvals/${gate.id}/${name}`,
        `/callbacks/approvals/${gate.id}/${name}/${capability}`,
      ]) {
        const response = await callBack(path, token, { success: false });
        expect(response.status, `${path}: ${await response.clone().text()}`).toBe(403);
      }
      // Straight to the gate: an unknown webhook, not a crash.
      const direct = await env.APPROVAL_GATE.getByName(gate.id).callback(name, capability, false, "", "test", ["*"]);
      expect(direct).toMatchObject({ ok: false, error: { code: "permission_denied" } });
    }
    expect(({} as Record<string, unknown>).answer).toBeUndefined();
    // Requests that validate bodies still work afterwards (the outage the finding caused).
    const ok = await callBack(gate.webhooks[0]?.callbackUri.replace("https://hookline.test", "") ?? "", token);
    expect(ok.status).toBe(200);
    expect((await callJson("/api/v1/namespaces/proto/approvals", "POST", { policy: "p" })).status).toBe(201);
  });

  it("every user-named path segment of the API answers a clear error for Object members", async () => {
    for (const name of names) {
      const paths = [
        `/api/v1/namespaces/proto/workfloweventbindings/${name}`,
        `/api/v1/namespaces/proto/approvalpolicies/${name}`,
        `/api/v1/namespaces/proto/approvals/${name}`,
        `/api/v1/namespaces/proto/events/${name}`,
        `/api/v1/namespaces/proto/webhookclients/${name}`,
        `/api/v1/clusters/${name}`,
        `/api/v1/tokens/${name}`,
        `/api/v1/notifications/services/${name}`,
        `/api/v1/notifications/triggers/${name}`,
        `/api/v1/notifications/subscriptions/${name}`,
        `/api/v1/notifications/deliveries/${name}`,
        `/api/v1/namespaces/${name}/events`,
        `/api/v1/events/${name}/x`,
        `/api/v1/events/proto/${name}`,
      ];
      for (const path of paths) {
        for (const method of ["GET", "PUT", "DELETE", "POST"]) {
          const response = await call(path, {
            method,
            headers: { ...adminAuth, "content-type": "application/json" },
            ...(method === "GET" || method === "DELETE" ? {} : { body: "{}" }),
          });
          expect(response.status, `${method} ${path}`).toBeLessThan(500);
          expect(response.headers.get("content-type") ?? "", `${method} ${path}`).toMatch(/json/);
        }
      }
    }
    expect(({} as Record<string, unknown>).answer).toBeUndefined();
  });

  it("a binding parameter or label named like an Object member is kept as data", async () => {
    const response = await callJson("/api/v1/namespaces/proto/workfloweventbindings/params", "PUT", {
      metadata: { name: "params" },
      spec: {
        event: { selector: "true" },
        submit: {
          workflowTemplateRef: { name: "t" },
          arguments: {
            parameters: [
              { name: "__proto__", value: "a" },
              { name: "constructor", valueFrom: { event: "payload.x" } },
            ],
          },
        },
      },
    });
    expect(response.status).toBe(201);
    const tested = await callJson("/api/v1/namespaces/proto/workfloweventbindings/params/test", "POST", {
      payload: { x: "b" },
    });
    const result = (await tested.json()) as { parameters: Record<string, string> };
    expect(Object.getOwnPropertyNames(result.parameters).sort()).toEqual(["__proto__", "constructor"]);
    expect(result.parameters.constructor).toBe("b");
  });
});

describe("finding 3: callback URIs are capabilities", () => {
  it("each webhook's URI answers only that webhook; a URI built from the gate id and a name is 403", async () => {
    const gate = await gateWith("caps", ["security", "qa"]);
    const token = await oauthToken();
    const [security, qa] = gate.webhooks.map((hook) => new URL(hook.callbackUri).pathname);
    if (!security || !qa) throw new Error("two webhooks expected");
    expect(security).not.toBe(qa);
    // Built from what everyone sees: the gate id and the webhook names.
    await expectError(await callBack(`/callbacks/approvals/${gate.id}/qa`, token), 403, "permission_denied");
    await expectError(await callBack(`/callbacks/approvals/${gate.id}`, token), 403, "permission_denied");
    // One approver's URI edited to name the other webhook.
    const edited = security.replace("/security/", "/qa/");
    await expectError(await callBack(edited, token), 403, "permission_denied");
    // Another gate's capability does not open this one.
    const other = await gateWith("caps2", ["qa"]);
    const foreign = `/callbacks/approvals/${gate.id}/qa/${other.webhooks[0]?.callbackUri.split("/").at(-1)}`;
    await expectError(await callBack(foreign, token), 403, "permission_denied");
    const view = (await (
      await call(`/api/v1/namespaces/caps/approvals/${gate.id}`, { headers: adminAuth })
    ).json()) as {
      status: string;
      webhooks: Array<{ answer: unknown }>;
    };
    expect(view.status).toBe("pending");
    expect(view.webhooks.every((hook) => hook.answer === null)).toBe(true);
    // The real URIs work, each for its own webhook; the bearer token is still required.
    await expectError(await call(qa, { method: "POST", body: '{"success":true}' }), 401, "unauthenticated");
    expect((await callBack(security, token)).status).toBe(200);
    expect(await (await callBack(qa, token)).json()).toMatchObject({ status: "approved" });
  });
});

describe("finding 4: naming a Worker secret is an admin power", () => {
  const policyWith = (header: Record<string, string>) => ({
    webhooks: [{ name: "w", uri: receiver.hook("secret-probe"), headers: [{ name: "Authorization", ...header }] }],
  });

  it("a namespace token with bindings:write cannot name one (and learns nothing about which exist)", async () => {
    const writer = await createToken({ name: "policy-writer", namespaces: ["sec"], scopes: ["bindings:write"] });
    for (const name of ["APPROVAL_TOKEN", "DOES_NOT_EXIST"]) {
      const response = await callJson(
        "/api/v1/namespaces/sec/approvalpolicies/leak",
        "PUT",
        policyWith({ workerSecret: name }),
        bearer(writer),
      );
      expect(await expectError(response, 403, "permission_denied")).toBe(
        'webhooks[0].headers[0].workerSecret: naming a Worker secret needs the "admin" scope; send the value itself and it is sealed at rest',
      );
    }
    expect(await countRows("approval_policies", "namespace = 'sec'")).toBe(0);
    // A sealed value is the namespace user's way.
    const sealed = await callJson(
      "/api/v1/namespaces/sec/approvalpolicies/ok",
      "PUT",
      policyWith({ secret: "Bearer s3cret" }),
      bearer(writer),
    );
    expect(sealed.status).toBe(201);
  });

  it("admins may name one, but never hookline's own", async () => {
    const named = await callJson(
      "/api/v1/namespaces/sec/approvalpolicies/admin",
      "PUT",
      policyWith({ workerSecret: "APPROVER_TOKEN" }),
    );
    expect(named.status).toBe(201);
    for (const name of ["HOOKLINE_SECRET_KEY", "HOOKLINE_ADMIN_TOKEN", "HOOKLINE_SECRET_KEY_PREVIOUS"]) {
      await expectError(
        await callJson("/api/v1/namespaces/sec/approvalpolicies/own", "PUT", policyWith({ workerSecret: name })),
        400,
        "invalid_argument",
      );
      await expectError(
        await callJson("/api/v1/clusters/own", "PUT", {
          type: "argo-server",
          url: "https://argo.example",
          tokenSecret: name,
        }),
        400,
        "invalid_argument",
      );
      await expectError(
        await callJson("/api/v1/notifications/services/own", "PUT", { type: "webhook", urlSecret: name }),
        400,
        "invalid_argument",
      );
    }
  });

  it("a notification service's urlSecret needs admin", async () => {
    const writer = await createToken({
      name: "notify-writer",
      namespaces: ["*"],
      scopes: ["notifications:write"],
    });
    await expectError(
      await callJson(
        "/api/v1/notifications/services/leak",
        "PUT",
        { type: "webhook", urlSecret: "SOME_URL" },
        bearer(writer),
      ),
      403,
      "permission_denied",
    );
    expect(
      (
        await callJson(
          "/api/v1/notifications/services/ok",
          "PUT",
          { type: "webhook", url: receiver.hook("n") },
          bearer(writer),
        )
      ).status,
    ).toBe(201);
  });
});

describe("finding 6: notifications honour the token's namespaces", () => {
  it("deliveries are seen and retried only in the token's namespaces; global objects need namespaces [*]", async () => {
    await callJson("/api/v1/notifications/services/hook", "PUT", { type: "webhook", url: receiver.hook("ns-notify") });
    await callJson("/api/v1/notifications/subscriptions/all", "PUT", {
      triggers: ["on-deployed"],
      destinations: [{ service: "hook" }],
    });
    const app = (namespace: string) => ({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "app", namespace },
      status: {
        operationState: { phase: "Succeeded", syncResult: { revision: `r-${namespace}` } },
        health: { status: "Healthy" },
        sync: { status: "Synced", revision: `r-${namespace}` },
        history: [{ id: 1, deployStartedAt: "2026-01-01T00:00:00Z" }],
      },
    });
    for (const namespace of ["team-a", "team-b"]) {
      const posted = await callJson("/api/v1/notifications/resources", "POST", app(namespace));
      expect(posted.status).toBe(202);
    }
    const reader = await createToken({ name: "notify-a", namespaces: ["team-a"], scopes: ["notifications:read"] });
    const listed = (await (await call("/api/v1/notifications/deliveries", { headers: bearer(reader) })).json()) as {
      items: Array<{ id: string; namespace: string }>;
    };
    expect(listed.items.length).toBeGreaterThan(0);
    expect(new Set(listed.items.map((item) => item.namespace))).toEqual(new Set(["team-a"]));
    const everything = (await (await call("/api/v1/notifications/deliveries", { headers: adminAuth })).json()) as {
      items: Array<{ id: string; namespace: string }>;
    };
    const foreign = everything.items.find((item) => item.namespace === "team-b");
    if (!foreign) throw new Error("a team-b delivery was expected");
    await expectError(
      await call(`/api/v1/notifications/deliveries/${foreign.id}`, { headers: bearer(reader) }),
      404,
      "not_found",
    );
    const writer = await createToken({ name: "notify-a-w", namespaces: ["team-a"], scopes: ["notifications:write"] });
    await expectError(
      await call(`/api/v1/notifications/deliveries/${foreign.id}/retry`, { method: "POST", headers: bearer(writer) }),
      404,
      "not_found",
    );
    await expectError(
      await callJson("/api/v1/notifications/resources", "POST", app("team-b"), bearer(writer)),
      403,
      "permission_denied",
    );
    await expectError(
      await callJson(
        "/api/v1/notifications/services/mine",
        "PUT",
        { type: "webhook", url: receiver.hook("x") },
        bearer(writer),
      ),
      403,
      "permission_denied",
    );
    await expectError(
      await call("/api/v1/notifications/subscriptions", { headers: bearer(reader) }),
      403,
      "permission_denied",
    );
    // notifications:write alone does not read.
    await expectError(
      await call("/api/v1/notifications/deliveries", { headers: bearer(writer) }),
      403,
      "permission_denied",
    );
  });
});

describe("finding 7: rotating HOOKLINE_SECRET_KEY", () => {
  const oldKey = env.HOOKLINE_SECRET_KEY;
  const newKey = "rotated-secret-key-abcdefghijklmnopqrstuvwxyz0123";
  const rotated = { ...env, HOOKLINE_SECRET_KEY: newKey, HOOKLINE_SECRET_KEY_PREVIOUS: oldKey } as Env;
  const afterward = { ...env, HOOKLINE_SECRET_KEY: newKey } as Env;
  const request = (environment: Env, path: string, init: RequestInit = {}) =>
    app.request(`https://hookline.test${path}`, init, environment);

  it("the previous key keeps everything working until reseal moves it to the new key", async () => {
    const secret = "rotating-webhook-secret";
    expect(
      (await callJson("/api/v1/namespaces/rotate/webhookclients/gh", "PUT", { type: "github", secret })).status,
    ).toBe(201);
    // One sealed value of every other kind: a cluster token and header, a policy header, a service URL and header.
    expect(
      (
        await callJson("/api/v1/clusters/rotate", "PUT", {
          type: "argo-server",
          url: "https://argo.example.com",
          token: "rotating-cluster-token",
          headers: [{ name: "CF-Access-Client-Secret", secret: "rotating-access-secret" }],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await callJson("/api/v1/namespaces/rotate/approvalpolicies/with-secret", "PUT", {
          webhooks: [{ name: "w", uri: receiver.hook("rotate-secret"), headers: [{ name: "x-key", secret: "k1" }] }],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await callJson("/api/v1/notifications/services/rotate", "PUT", {
          type: "webhook",
          url: receiver.hook("svc"),
          headers: [{ name: "x-api-key", secret: "rotating-service-key" }],
        })
      ).status,
    ).toBe(201);
    const session = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const accessToken = await oauthToken(["*"], "rotation-client");
    const body = '{"ref":"main"}';
    const signed = async (environment: Env) => {
      // Decrypted client secrets are cached for 10 s: read them afresh under `environment`'s keys.
      forgetWebhookClients("rotate");
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
      const hex = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
      return request(environment, "/api/v1/events/rotate/gh", {
        method: "POST",
        headers: { "x-hub-signature-256": `sha256=${hex}`, "content-type": "application/json" },
        body,
      });
    };
    // During the rotation: sealed secrets open, sessions and access tokens still verify.
    expect((await signed(rotated)).status).toBe(202);
    expect((await request(rotated, "/ui", { headers: { cookie: session }, redirect: "manual" })).status).toBe(200);
    const gate = await gateWith("rotate", ["w"]);
    expect(
      (
        await request(rotated, new URL(gate.webhooks[0]?.callbackUri ?? "").pathname, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: '{"success":true}',
        })
      ).status,
    ).toBe(200);

    // Without the previous key, before the reseal, the old seals cannot be read.
    const broken = await signed(afterward);
    expect(broken.status).toBe(500);

    const resealed = await request(rotated, "/api/v1/admin/reseal", { method: "POST", headers: adminAuth });
    expect(resealed.status).toBe(200);
    const counts = ((await resealed.json()) as { resealed: Record<string, number> }).resealed;
    expect(counts.webhookClients).toBeGreaterThanOrEqual(1);
    expect(counts.clusters).toBeGreaterThanOrEqual(2);
    expect(counts.approvalPolicies).toBeGreaterThanOrEqual(1);
    expect(counts.notificationServices).toBeGreaterThanOrEqual(2);
    expect(Object.keys(counts).sort()).toEqual(
      ["approvalGates", "approvalPolicies", "clusters", "notificationServices", "webhookClients"].sort(),
    );
    // A second reseal has nothing left to move.
    const again = (
      (await (await request(rotated, "/api/v1/admin/reseal", { method: "POST", headers: adminAuth })).json()) as {
        resealed: Record<string, number>;
      }
    ).resealed;
    expect(Object.values(again).every((count) => count === 0)).toBe(true);
    // After the reseal the previous key can go.
    expect((await signed(afterward)).status).toBe(202);
  });

  it("a policy's header secrets (and a pending gate's snapshot of them) move to the new key", async () => {
    const seal = (keyring: Keyring) => new SecretBox(keyring);
    const before = { current: oldKey, previous: null };
    const during = { current: newKey, previous: oldKey };
    const context = headerSecretContext("rotate", "snap", "w", "x-key");
    const policy = {
      name: "snap",
      namespace: "rotate",
      webhooks: [
        {
          name: "w",
          headers: [
            { name: "x-plain", value: "v" },
            { name: "x-key", sealed: "" },
          ],
        },
      ],
    } as unknown as StoredPolicy;
    const header = policy.webhooks[0]?.headers[1] as { sealed: string };
    header.sealed = await seal(before).seal("header-secret", context);
    expect(await resealPolicySecrets(policy, seal(during))).toBe(1);
    expect(await seal({ current: newKey, previous: null }).open(header.sealed, context)).toBe("header-secret");
    expect(await resealPolicySecrets(policy, seal(during))).toBe(0);
  });

  it("reseal is admin only", async () => {
    const reader = await createToken({
      name: "not-admin",
      namespaces: ["*"],
      scopes: ["events:read", "bindings:write"],
    });
    await expectError(
      await call("/api/v1/admin/reseal", { method: "POST", headers: bearer(reader) }),
      403,
      "permission_denied",
    );
  });
});

describe("finding 5: opening a gate needs approvals:create", () => {
  it("events:write alone cannot hold a workflow node", async () => {
    await callJson("/api/v1/namespaces/gates/approvalpolicies/p", "PUT", { manual: { required: true } });
    const ci = await createToken({ name: "ci-events", namespaces: ["gates"], scopes: ["events:write"] });
    await sendEvent("gates/x", { ok: true }, bearer(ci));
    await expectError(
      await callJson(
        "/api/v1/namespaces/gates/approvals",
        "POST",
        { policy: "p", subject: { cluster: "default", workflow: "deploy", node: "approve" } },
        bearer(ci),
      ),
      403,
      "permission_denied",
    );
  });
});
