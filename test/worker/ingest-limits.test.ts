import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { ADMIN_PRINCIPAL } from "../../src/auth/principal";
import { admit } from "../../src/events/rate-limit";
import { bearer, bodyKeys, callJson, countRows, createToken, expectError, hmacHeader, postEvent } from "./helpers";

describe("ingest: the default lets one sender burst", () => {
  it("accepts 1,200 events from one token in a row without a single refusal", async () => {
    const burst = await createToken({ name: "burst", namespaces: ["burst"], scopes: ["events:write"] });
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 12; batch++) {
      const responses = await Promise.all(Array.from({ length: 100 }, () => postEvent("burst/x", "{}", bearer(burst))));
      for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 202: 1200 });
  });

  it("the default guard (the rate-limit binding) admits limit × reservation per window", async () => {
    await startOfFreshWindow();
    const principal = { ...ADMIN_PRINCIPAL, kind: "token" as const, name: "guard-unit" };
    let admitted = 0;
    for (let i = 0; i < 510; i++)
      if ((await admit(env, principal, { reservation: 1, periodSeconds: 10 })).admitted) admitted++;
    // wrangler.toml: simple = { limit = 500, period = 10 }
    expect(admitted).toBe(500);
  });
});

describe("ingest: a sender's own rate limit", () => {
  it("a token with rateLimit gets exactly that many per window, then 429 with Retry-After; others are unaffected", async () => {
    const noisy = await createToken({
      name: "noisy",
      namespaces: ["rl"],
      scopes: ["events:write"],
      rateLimit: { requests: 30, period: "10s" },
    });
    const quiet = await createToken({ name: "quiet", namespaces: ["rl"], scopes: ["events:write"] });
    await startOfFreshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await postEvent("rl/x", "{}", bearer(noisy))).status);
    expect(statuses.slice(0, 30).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);

    const refused = await postEvent("rl/x", "{}", bearer(noisy));
    await expectError(refused.clone(), 429, "resource_exhausted");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect((await postEvent("rl/x", "{}", bearer(quiet))).status).toBe(202);
  });

  it("a webhook client's rateLimit holds that sender to it", async () => {
    const response = await callJson("/api/v1/namespaces/rl-hook/webhookclients/ci", "PUT", {
      type: "hmac-sha256",
      secret: "client-secret-123",
      rateLimit: { requests: 5, period: "1m" },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ rateLimit: { requests: 5, period: "1m" } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const body = `{"n":${i}}`;
      statuses.push(
        (await postEvent("rl-hook/x", body, { "x-hookline-signature": await hmacHeader("client-secret-123", body) }))
          .status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
  });

  it.each([
    [{ requests: 0, period: "10s" }],
    [{ requests: 10, period: "5s" }],
    [{ requests: 1.5, period: "1m" }],
    [{ requests: 10 }],
    ["10/s"],
  ])("refuses rateLimit %j", async (rateLimit) => {
    const response = await callJson("/api/v1/tokens", "POST", {
      name: "bad-limit",
      namespaces: ["rl"],
      scopes: ["events:write"],
      rateLimit,
    });
    expect(await expectError(response, 400, "invalid_argument")).toMatch(/rateLimit/);
  });
});

describe("ingest: queue unavailable", () => {
  // The one place a stand-in replaces a binding: a real local queue cannot be made to refuse a
  // send, so this producer throws the way an unavailable Queues producer does.
  const unavailableQueue = {
    send: () => Promise.reject(new Error("Queue send failed: service unavailable")),
    sendBatch: () => Promise.reject(new Error("Queue send failed: service unavailable")),
  };

  it("answers 503 with Retry-After and leaves no spilled body behind", async () => {
    const token = await createToken({ name: "q-down", namespaces: ["qdown"], scopes: ["events:write"] });
    const brokenEnv = { ...env, EVENTS: unavailableQueue };
    const small = await app.request(
      "/api/v1/events/qdown/x",
      { method: "POST", headers: bearer(token), body: "{}" },
      brokenEnv,
    );
    await expectError(small.clone(), 503, "resource_exhausted");
    expect(small.headers.get("retry-after")).toBe("5");

    const big = JSON.stringify({ blob: "b".repeat(Number(env.INLINE_BODY_LIMIT_BYTES) + 10) });
    const response = await app.request(
      "/api/v1/events/qdown/x",
      { method: "POST", headers: bearer(token), body: big },
      brokenEnv,
    );
    await expectError(response, 503, "resource_exhausted");
    expect((await bodyKeys()).filter((key) => key.startsWith("events/qdown/"))).toEqual([]);
    expect(await countRows("event_log", "namespace = 'qdown'")).toBe(0);
    expect(await countRows("event_counts", "namespace = 'qdown'")).toBe(0);
  });
});

/** Waits for a new 10 s rate-limit window when the current one is about to end. */
async function startOfFreshWindow(): Promise<void> {
  const left = 10_000 - (Date.now() % 10_000);
  if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
