import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminAuth, bearer, call, callJson, countRows, createToken, expectError } from "./helpers";

describe("API tokens: happy path", () => {
  it("creates a token shown once, lists it without the secret, deletes it", async () => {
    const response = await callJson("/api/v1/tokens", "POST", {
      name: "ci-sender",
      namespaces: ["team-a"],
      scopes: ["events:write"],
      templates: ["build"],
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, unknown>;
    expect(created.token).toMatch(/^hl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: "ci-sender",
      namespaces: ["team-a"],
      scopes: ["events:write"],
      templates: ["build"],
      expiresAt: null,
    });

    const list = await call("/api/v1/tokens", { headers: adminAuth });
    const listed = JSON.stringify(await list.json());
    expect(listed).toContain("ci-sender");
    expect(listed).not.toContain(created.token as string);
    expect(listed).not.toMatch(/hash/i);

    const deleted = await call("/api/v1/tokens/ci-sender", { method: "DELETE", headers: adminAuth });
    expect(deleted.status).toBe(204);
    expect(await countRows("api_tokens", "name = ?1", "ci-sender")).toBe(0);
  });

  it("stores only a SHA-256 hash of the token", async () => {
    const token = await createToken({ name: "hashed", namespaces: ["*"], scopes: ["events:read"] });
    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE name = 'hashed'").first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(token.slice(20));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
    expect(row?.token_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
  });

  it("accepts YAML bodies", async () => {
    const response = await call("/api/v1/tokens", {
      method: "POST",
      headers: { ...adminAuth, "content-type": "application/yaml" },
      body: "name: from-yaml\nnamespaces: [team-b]\nscopes: [events:read, bindings:read]\n",
    });
    expect(response.status).toBe(201);
  });

  it("a created token authenticates; a deleted one stops at once", async () => {
    const token = await createToken({ name: "short-lived", namespaces: ["team-a"], scopes: ["events:read"] });
    expect((await call("/api/v1/namespaces/team-a/events", { headers: bearer(token) })).status).toBe(200);
    await call("/api/v1/tokens/short-lived", { method: "DELETE", headers: adminAuth });
    await expectError(
      await call("/api/v1/namespaces/team-a/events", { headers: bearer(token) }),
      401,
      "unauthenticated",
    );
  });
});

describe("API tokens: bad input", () => {
  const cases: Array<[string, unknown]> = [
    ["missing name", { namespaces: ["a"], scopes: ["events:write"] }],
    ["bad name", { name: "Not_A_Name", namespaces: ["a"], scopes: ["events:write"] }],
    ["bad namespace", { name: "x", namespaces: ["Team A"], scopes: ["events:write"] }],
    ["no namespaces", { name: "x", namespaces: [], scopes: ["events:write"] }],
    ["unknown scope", { name: "x", namespaces: ["a"], scopes: ["events:everything"] }],
    ["scopes not a list", { name: "x", namespaces: ["a"], scopes: "events:write" }],
    ["unknown field", { name: "x", namespaces: ["a"], scopes: ["events:write"], admin: true }],
    [
      "expiry in the past",
      { name: "x", namespaces: ["a"], scopes: ["events:write"], expiresAt: "2001-01-01T00:00:00Z" },
    ],
    ["expiry not a date", { name: "x", namespaces: ["a"], scopes: ["events:write"], expiresAt: "tomorrow" }],
    ["not an object", ["name"]],
  ];
  for (const [what, body] of cases) {
    it(`refuses ${what} with 400 and stores nothing`, async () => {
      const before = await countRows("api_tokens");
      await expectError(await callJson("/api/v1/tokens", "POST", body), 400, "invalid_argument");
      expect(await countRows("api_tokens")).toBe(before);
    });
  }

  it("names the bad field", async () => {
    const message = await expectError(
      await callJson("/api/v1/tokens", "POST", { name: "x", namespaces: ["ok", "NOT OK"], scopes: ["events:write"] }),
      400,
      "invalid_argument",
    );
    expect(message).toContain("namespaces[1]");
  });

  it("refuses invalid JSON and invalid YAML with 400", async () => {
    await expectError(await callJson("/api/v1/tokens", "POST", "{not json"), 400, "invalid_argument");
    const yaml = await call("/api/v1/tokens", {
      method: "POST",
      headers: { ...adminAuth, "content-type": "application/yaml" },
      body: "name: [unclosed\n",
    });
    expect(await expectError(yaml, 400, "invalid_argument")).toMatch(/line \d+/);
  });

  it("refuses an unsupported content type with 415", async () => {
    const response = await call("/api/v1/tokens", {
      method: "POST",
      headers: { ...adminAuth, "content-type": "application/xml" },
      body: "<token/>",
    });
    await expectError(response, 415, "unsupported_media_type");
  });

  it("refuses a YAML alias bomb", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    const response = await call("/api/v1/tokens", {
      method: "POST",
      headers: { ...adminAuth, "content-type": "application/yaml" },
      body: bomb.join("\n"),
    });
    await expectError(response, 400, "invalid_argument");
  });

  it("refuses a duplicate name with 409", async () => {
    await createToken({ name: "twice", namespaces: ["a"], scopes: ["events:write"] });
    await expectError(
      await callJson("/api/v1/tokens", "POST", { name: "twice", namespaces: ["a"], scopes: ["events:write"] }),
      409,
      "already_exists",
    );
  });

  it("answers 404 for deleting an unknown token", async () => {
    await expectError(await call("/api/v1/tokens/ghost", { method: "DELETE", headers: adminAuth }), 404, "not_found");
  });
});

describe("API tokens: security", () => {
  it("requires the admin scope to create, list and delete", async () => {
    const token = await createToken({ name: "not-admin", namespaces: ["*"], scopes: ["events:write", "events:read"] });
    const body = { name: "escalated", namespaces: ["*"], scopes: ["admin"] };
    await expectError(await callJson("/api/v1/tokens", "POST", body, bearer(token)), 403, "permission_denied");
    await expectError(await call("/api/v1/tokens", { headers: bearer(token) }), 403, "permission_denied");
    await expectError(
      await call("/api/v1/tokens/not-admin", { method: "DELETE", headers: bearer(token) }),
      403,
      "permission_denied",
    );
    expect(await countRows("api_tokens", "name = 'escalated'")).toBe(0);
  });

  it("an admin-scoped API token may manage tokens", async () => {
    const token = await createToken({ name: "delegated-admin", namespaces: ["*"], scopes: ["admin"] });
    const response = await callJson(
      "/api/v1/tokens",
      "POST",
      { name: "made-by-delegate", namespaces: ["a"], scopes: ["events:read"] },
      bearer(token),
    );
    expect(response.status).toBe(201);
  });

  it("refuses missing, malformed, forged and expired credentials with 401", async () => {
    await expectError(await call("/api/v1/tokens"), 401, "unauthenticated");
    await expectError(await call("/api/v1/tokens", { headers: { authorization: "Bearer " } }), 401, "unauthenticated");
    await expectError(await call("/api/v1/tokens", { headers: bearer("wrong-admin-token") }), 401, "unauthenticated");
    const real = await createToken({ name: "to-forge", namespaces: ["*"], scopes: ["admin"] });
    const forged = `${real.slice(0, -4)}AAAA`;
    await expectError(await call("/api/v1/tokens", { headers: bearer(forged) }), 401, "unauthenticated");
    const unknownId = `hl_0000000000000000_${real.slice(20)}`;
    await expectError(await call("/api/v1/tokens", { headers: bearer(unknownId) }), 401, "unauthenticated");
  });

  it("refuses a token once its expiry has passed", async () => {
    const expiring = await createToken({
      name: "expiring",
      namespaces: ["*"],
      scopes: ["admin"],
      expiresAt: new Date(Date.now() + 1_000).toISOString(),
    });
    expect((await call("/api/v1/tokens", { headers: bearer(expiring) })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expectError(await call("/api/v1/tokens", { headers: bearer(expiring) }), 401, "unauthenticated");
  });

  it("answers 401 with a WWW-Authenticate challenge", async () => {
    const response = await call("/api/v1/tokens");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });
});
