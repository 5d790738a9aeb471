import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "svix";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import type { DeliveryLedger } from "../../src/events/delivery-ledger";
import {
  adminAuth,
  applyBinding,
  bearer,
  binding,
  callJson,
  countRows,
  createToken,
  expectError,
  fakeCluster,
  hmacHeader,
  postEvent,
  putCluster,
  putWebhookClient,
  waitForOutcome,
} from "./helpers";

async function githubDelivery(namespace: string, body: string, delivery: string) {
  return postEvent(`${namespace}/github`, body, {
    "content-type": "application/json",
    "x-github-event": "push",
    "x-github-delivery": delivery,
    "x-hub-signature-256": await hmacHeader("replay-secret-1", body),
  });
}

describe("replays: one delivery, one workflow", () => {
  it("the same signed GitHub delivery posted twice answers the first event's id and queues nothing", async () => {
    const ns = "replay";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await putWebhookClient(ns, "gh", "github", "replay-secret-1");
    await applyBinding(ns, binding("on-push", 'discriminator = "github"', "build"));
    const body = '{"ref":"refs/heads/main","after":"abc"}';
    const delivery = crypto.randomUUID();
    const first = await githubDelivery(ns, body, delivery);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    expect(first.headers.get("x-hookline-duplicate")).toBeNull();
    const again = await githubDelivery(ns, body, delivery);
    expect(again.status).toBe(202);
    expect(again.headers.get("x-hookline-duplicate")).toBe("true");
    expect(again.headers.get("x-hookline-event-id")).toBe(id);
    expect(await again.json()).toEqual({ id });
    await waitForOutcome(ns, id);
    // Another delivery of the same body is another event.
    const other = await githubDelivery(ns, body, crypto.randomUUID());
    const { id: otherId } = (await other.json()) as { id: string };
    expect(otherId).not.toBe(id);
    await waitForOutcome(ns, otherId);
    expect(await fakeCluster.workflows(ns)).toHaveLength(2);
    expect(await countRows("event_log", "namespace = ?1", ns)).toBe(2);
  });

  it("delivery ids are per namespace, sender and sender kind; X-Hookline-Delivery works with a bearer token", async () => {
    const token = await createToken({ name: "deliverer", namespaces: ["*"], scopes: ["events:write"] });
    const send = (path: string, headers: Record<string, string>) =>
      postEvent(path, "{}", { ...bearer(token), "content-type": "application/json", ...headers });
    const a = await send("dedupe-a/x", { "x-hookline-delivery": "d-1" });
    const b = await send("dedupe-b/x", { "x-hookline-delivery": "d-1" });
    const c = await send("dedupe-a/x", { "x-gitlab-event-uuid": "d-1" });
    const again = await send("dedupe-a/y", { "x-hookline-delivery": "d-1" });
    const ids = await Promise.all(
      [a, b, c, again].map(async (response) => ((await response.json()) as { id: string }).id),
    );
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids[3]).toBe(ids[0]);
    expect(again.headers.get("x-hookline-duplicate")).toBe("true");
    // Another sender of the namespace cannot squat a delivery id: its own is its own.
    const other = await createToken({ name: "squatter", namespaces: ["dedupe-a"], scopes: ["events:write"] });
    const squat = await postEvent("dedupe-a/x", "{}", { ...bearer(other), "x-hookline-delivery": "d-1" });
    expect(squat.headers.get("x-hookline-duplicate")).toBeNull();
    expect(((await squat.json()) as { id: string }).id).not.toBe(ids[0]);
  });

  it("refuses an unreadable delivery id, and forgets a claim whose event could not be queued", async () => {
    const token = await createToken({ name: "deliverer-2", namespaces: ["dedupe-c"], scopes: ["events:write"] });
    await expectError(
      await postEvent("dedupe-c/x", "{}", { ...bearer(token), "x-hookline-delivery": "x".repeat(300) }),
      400,
      "invalid_argument",
    );
    const brokenEnv = {
      ...env,
      EVENTS: {
        send: () => Promise.reject(new Error("Queue send failed")),
        sendBatch: () => Promise.reject(new Error("Queue send failed")),
      },
    };
    const headers = { ...bearer(token), "x-hookline-delivery": "retry-me" };
    const refused = await app.request("/api/v1/events/dedupe-c/x", { method: "POST", headers, body: "{}" }, brokenEnv);
    expect(refused.status).toBe(503);
    // The sender's retry is taken as the first delivery, not as a duplicate of an event that never was.
    const retried = await postEvent("dedupe-c/x", "{}", headers);
    expect(retried.status).toBe(202);
    expect(retried.headers.get("x-hookline-duplicate")).toBeNull();
  });

  it("a claim whose event was never confirmed queued (the Worker died in between) stops counting after a minute", async () => {
    const ledger = env.DELIVERY_LEDGER.getByName("unit/0");
    expect(await ledger.claim("github:d-crash", "event-1")).toBe("event-1");
    expect(await ledger.claim("github:d-crash", "event-2")).toBe("event-1");
    await runInDurableObject(ledger, (_instance: DeliveryLedger, state) => {
      state.storage.sql.exec("UPDATE deliveries SET seen_at = seen_at - 61000");
    });
    expect(await ledger.claim("github:d-crash", "event-3")).toBe("event-3");
    await ledger.confirm("github:d-crash", "event-3");
    await runInDurableObject(ledger, (_instance: DeliveryLedger, state) => {
      state.storage.sql.exec("UPDATE deliveries SET seen_at = seen_at - 3600000");
    });
    expect(await ledger.claim("github:d-crash", "event-4")).toBe("event-3");
  });

  it("Standard Webhooks clients: signed, timestamped, and their webhook-id deduplicated", async () => {
    const ns = "std-hooks";
    const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
    await putWebhookClient(ns, "svc", "standard-webhooks", secret);
    const body = '{"type":"invoice.paid"}';
    const sign = async (id: string, timestamp: number) => {
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode("0123456789abcdef0123456789abcdef"),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(
        await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
      );
      return {
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": `v1,${btoa(String.fromCharCode(...mac))}`,
        "content-type": "application/json",
      };
    };
    const now = Math.floor(Date.now() / 1000);
    const first = await postEvent(`${ns}/billing`, body, await sign("msg_1", now));
    expect(first.status).toBe(202);
    const replayed = await postEvent(`${ns}/billing`, body, await sign("msg_1", now));
    expect(replayed.headers.get("x-hookline-duplicate")).toBe("true");
    await expectError(await postEvent(`${ns}/billing`, body, await sign("msg_2", now - 600)), 401, "unauthenticated");
    await expectError(
      await callJson(`/api/v1/namespaces/${ns}/webhookclients/bad`, "PUT", {
        type: "standard-webhooks",
        secret: "not-whsec",
      }),
      400,
      "invalid_argument",
    );
  });

  it("Svix senders (Clerk, Resend…): Svix's own signature under svix-* headers is accepted and deduplicated", async () => {
    const ns = "svix-hooks";
    const secret = `whsec_${btoa("fedcba9876543210fedcba9876543210")}`;
    await putWebhookClient(ns, "clerk", "standard-webhooks", secret);
    const body = '{"type":"user.created","data":{"id":"user_29w83sxmDNGwOuEthce5gg56FcC"}}';
    const svix = new Webhook(secret);
    const signed = (id: string, at: Date, names: "svix" | "webhook" = "svix") => ({
      "content-type": "application/json",
      [`${names}-id`]: id,
      [`${names}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
      [`${names}-signature`]: svix.sign(id, at, body),
    });
    const first = await postEvent(`${ns}/clerk`, body, signed("msg_2a", new Date()));
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    // The same delivery under the standard names is the same delivery.
    const again = await postEvent(`${ns}/clerk`, body, signed("msg_2a", new Date(), "webhook"));
    expect(again.headers.get("x-hookline-duplicate")).toBe("true");
    expect(((await again.json()) as { id: string }).id).toBe(id);
    // Svix's signature for another body, an old timestamp, or another secret is refused.
    const tampered = { ...signed("msg_2b", new Date()), "svix-signature": svix.sign("msg_2b", new Date(), "{}") };
    await expectError(await postEvent(`${ns}/clerk`, body, tampered), 401, "unauthenticated");
    await expectError(
      await postEvent(`${ns}/clerk`, body, signed("msg_2c", new Date(Date.now() - 600_000))),
      401,
      "unauthenticated",
    );
    const stranger = new Webhook(`whsec_${btoa("0000000000000000ffffffffffffffff")}`);
    const forged = { ...signed("msg_2d", new Date()), "svix-signature": stranger.sign("msg_2d", new Date(), body) };
    await expectError(await postEvent(`${ns}/clerk`, body, forged), 401, "unauthenticated");
  });
});

describe("outbound calls: no redirects, capped reads, a success names what it created", () => {
  it("a cluster answering a redirect fails the result and nothing is sent where it points", async () => {
    const ns = "redirected";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await fakeCluster.behaviour(ns, { redirect: "https://attacker.example/steal" });
    const response = await postEvent(`${ns}/x`, "{}", { ...adminAuth, "content-type": "application/json" });
    const { id } = (await response.json()) as { id: string };
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("failed");
    expect(event.results[0]?.error).toMatch(/redirect \(307\) to https:\/\/attacker\.example\/steal/);
    expect(event.results[0]?.attempts).toBe(1);
  });

  it("an answer that names no workflow is not taken as submitted; a huge error body is cut", async () => {
    const ns = "nameless";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await fakeCluster.behaviour(ns, { nameless: 1 });
    const { id } = (await (await postEvent(`${ns}/x`, "{}", adminAuth)).json()) as { id: string };
    const pending = await waitForOutcome(ns, id, (event) => (event.results[0]?.attempts ?? 0) >= 1);
    expect(pending.results[0]?.error).toMatch(/without naming a created workflow: \{\}/);

    const huge = "huge-body";
    await fakeCluster.templates(huge, ["build"]);
    await applyBinding(huge, binding("b", "true", "build"));
    await fakeCluster.behaviour(huge, { hugeBody: 5_000_000 });
    const { id: hugeId } = (await (await postEvent(`${huge}/x`, "{}", adminAuth)).json()) as { id: string };
    const failed = await waitForOutcome(huge, hugeId);
    expect(failed.outcome).toBe("failed");
    expect(failed.results[0]?.error?.length).toBeLessThan(1000);
  });
});

describe("JSON bodies are bounded before they are parsed", () => {
  it("refuses ten megabytes of empty objects, and deep nesting, without building them", async () => {
    const many = `[${Array(3_000_000).fill("{}").join(",")}]`;
    expect(await expectError(await postEvent("shape/x", many, adminAuth), 400, "invalid_argument")).toMatch(
      /more than 200000 arrays and objects/,
    );
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(await expectError(await postEvent("shape/x", deep, adminAuth), 400, "invalid_argument")).toMatch(
      /nested deeper than 64 levels/,
    );
    const brackets = JSON.stringify({ text: "[".repeat(100_000) });
    expect((await postEvent("shape/x", brackets, adminAuth)).status).toBe(202);
    expect(
      await expectError(
        await callJson("/api/v1/namespaces/shape/workfloweventbindings/x", "PUT", deep),
        400,
        "invalid_argument",
      ),
    ).toMatch(/nested deeper/);
  });
});

describe("one evil regular expression cannot freeze the gateway", () => {
  it("a catastrophic pattern over a 20 KB payload fails its binding's result or matches; other namespaces carry on", async () => {
    const evil = "evil-regex";
    const calm = "calm-ns";
    for (const ns of [evil, calm]) await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(evil, binding("catastrophic", "$contains(payload.s, /^(\\w|\\d)+$/)", "build"));
    await applyBinding(evil, binding("looping", "$count($match(payload.s, /(.*a){12}/)) > 0", "build"));
    await applyBinding(calm, binding("plain", "true", "build"));
    const payload = JSON.stringify({ s: `${"a".repeat(20_000)}!` });
    const [evilId, calmId] = await Promise.all(
      [evil, calm].map(
        async (ns) => ((await (await postEvent(`${ns}/x`, payload, adminAuth)).json()) as { id: string }).id,
      ),
    );
    const evilEvent = await waitForOutcome(evil, evilId ?? "");
    const byName = Object.fromEntries(evilEvent.results.map((result) => [result.binding, result]));
    expect(byName.catastrophic).toMatchObject({ matched: false, status: "skipped" });
    expect(byName.looping?.status).toBe("failed");
    expect(byName.looping?.error).toMatch(/work budget/);
    expect((await waitForOutcome(calm, calmId ?? "")).outcome).toBe("submitted");
  });
});
