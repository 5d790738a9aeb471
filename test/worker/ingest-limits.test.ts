import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { admit } from "../../src/events/rate-limit";
import { bearer, bodyKeys, countRows, createToken, expectError, postEvent } from "./helpers";

describe("ingest: per-sender rate limit", () => {
  it("answers 429 with Retry-After once a sender exceeds its limit, without affecting others", async () => {
    const noisy = await createToken({ name: "noisy", namespaces: ["rl"], scopes: ["events:write"] });
    const quiet = await createToken({ name: "quiet", namespaces: ["rl"], scopes: ["events:write"] });
    await startOfFreshWindow();
    // The test config sets the limit to 6 reservations of 10 = 60 requests per 10 s.
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await postEvent("rl/x", "{}", bearer(noisy))).status);
    expect(statuses.slice(0, 60).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(60).every((status) => status === 429)).toBe(true);

    const refused = await postEvent("rl/x", "{}", bearer(noisy));
    await expectError(refused.clone(), 429, "resource_exhausted");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await postEvent("rl/x", "{}", bearer(quiet))).status).toBe(202);
  });
});

describe("rate-limit reservations", () => {
  const settings = { reservation: 10, periodSeconds: 10 };

  it("admits exactly limit × reservation requests per window, then refuses until the window ends", async () => {
    await startOfFreshWindow();
    const results = [];
    for (let i = 0; i < 75; i++) results.push(await admit(env.INGEST_RATE_LIMITER, "unit-key", settings));
    expect(results.filter((r) => r.admitted)).toHaveLength(60);
    expect(results.slice(0, 60).every((r) => r.admitted)).toBe(true);
    const refusal = results[70];
    expect(refusal?.admitted).toBe(false);
    if (refusal && !refusal.admitted) {
      expect(refusal.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refusal.retryAfterSeconds).toBeLessThanOrEqual(10);
    }
  });

  it("with a reservation of one, every request is one binding call", async () => {
    await startOfFreshWindow();
    let admitted = 0;
    for (let i = 0; i < 10; i++)
      if ((await admit(env.INGEST_RATE_LIMITER, "exact-key", { ...settings, reservation: 1 })).admitted) admitted++;
    expect(admitted).toBe(6);
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
    expect(await countRows("events", "namespace = 'qdown'")).toBe(0);
  });
});

/** Waits for a new 10 s rate-limit window when the current one is about to end. */
async function startOfFreshWindow(): Promise<void> {
  const left = 10_000 - (Date.now() % 10_000);
  if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
