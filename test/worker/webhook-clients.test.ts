import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  adminAuth,
  bearer,
  call,
  callJson,
  countRows,
  createToken,
  expectError,
  hmacHeader,
  postEvent,
  putWebhookClient,
} from "./helpers";

const secret = "s3cret-value-for-github";

describe("webhook clients: happy path", () => {
  it("creates (201), replaces (200), reads, lists and deletes a client", async () => {
    const created = await callJson("/api/v1/namespaces/team-a/webhookclients/github", "PUT", {
      type: "github",
      secret,
    });
    expect(created.status).toBe(201);
    const replaced = await callJson("/api/v1/namespaces/team-a/webhookclients/github", "PUT", {
      type: "github",
      secret: `${secret}-2`,
    });
    expect(replaced.status).toBe(200);

    const one = await call("/api/v1/namespaces/team-a/webhookclients/github", { headers: adminAuth });
    expect(await one.json()).toMatchObject({ namespace: "team-a", name: "github", type: "github" });
    const list = (await (await call("/api/v1/namespaces/team-a/webhookclients", { headers: adminAuth })).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);

    expect(
      (await call("/api/v1/namespaces/team-a/webhookclients/github", { method: "DELETE", headers: adminAuth })).status,
    ).toBe(204);
    await expectError(
      await call("/api/v1/namespaces/team-a/webhookclients/github", { headers: adminAuth }),
      404,
      "not_found",
    );
  });
});

describe("webhook clients: secrets", () => {
  it("never returns the secret and stores it encrypted", async () => {
    await putWebhookClient("team-s", "gitlab", "gitlab", secret);
    const responses = [
      await call("/api/v1/namespaces/team-s/webhookclients/gitlab", { headers: adminAuth }),
      await call("/api/v1/namespaces/team-s/webhookclients", { headers: adminAuth }),
    ];
    for (const response of responses) expect(await response.text()).not.toContain(secret);
    const row = await env.DB.prepare("SELECT * FROM webhook_clients WHERE namespace = 'team-s'").first<
      Record<string, string>
    >();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row?.secret_sealed).toMatch(/^v1:/);
  });
});

describe("webhook clients: as Argo has them", () => {
  it("accepts Argo's e2e GitHub secret (shh!) with a warning, and its signed delivery", async () => {
    const created = await callJson("/api/v1/namespaces/argo-e2e/webhookclients/github", "PUT", {
      type: "github",
      secret: "shh!",
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("warning")).toMatch(/^299 - ".*shorter than 8 characters.*"$/);
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { name: "argo-workflows" } });
    const response = await postEvent("argo-e2e/github", body, {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "e2e-shh-1",
      "x-hub-signature-256": await hmacHeader("shh!", body),
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const forged = await postEvent("argo-e2e/github", body, {
      "content-type": "application/json",
      "x-hub-signature-256": await hmacHeader("shh?", body),
    });
    expect(forged.status).toBe(401);
  });

  it("a secret of 8 characters or more gets no warning", async () => {
    const created = await callJson("/api/v1/namespaces/argo-e2e/webhookclients/gitlab", "PUT", {
      type: "gitlab",
      secret,
    });
    expect(created.headers.get("warning")).toBeNull();
  });
});

describe("webhook clients: bad input and security", () => {
  it("refuses bad type, empty secret, bad names", async () => {
    await expectError(
      await callJson("/api/v1/namespaces/team-a/webhookclients/x", "PUT", { type: "svn", secret }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson("/api/v1/namespaces/team-a/webhookclients/x", "PUT", { type: "github", secret: "" }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson("/api/v1/namespaces/Team_A/webhookclients/x", "PUT", { type: "github", secret }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson("/api/v1/namespaces/team-a/webhookclients/X!", "PUT", { type: "github", secret }),
      400,
      "invalid_argument",
    );
    expect(await countRows("webhook_clients", "name = 'x'")).toBe(0);
  });

  it("is admin only", async () => {
    const token = await createToken({
      name: "team-writer",
      namespaces: ["team-a"],
      scopes: ["events:write", "bindings:write"],
    });
    await expectError(
      await callJson(
        "/api/v1/namespaces/team-a/webhookclients/sneaky",
        "PUT",
        { type: "github", secret },
        bearer(token),
      ),
      403,
      "permission_denied",
    );
    await expectError(await call("/api/v1/namespaces/team-a/webhookclients"), 401, "unauthenticated");
  });
});
