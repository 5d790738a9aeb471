import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mirrorStatement } from "../../src/approvals/store";
import { internalEvent } from "../../src/notifications/internal-events";
import { publishInternalEvents } from "../../src/notifications/publish";
import { callJson, countRows, receiver } from "./helpers";

const requested = (namespace: string) =>
  internalEvent(`${namespace}:${crypto.randomUUID()}:approval.requested`, "approval.requested", namespace, {});

async function subscribe(name: string, selector: string): Promise<void> {
  await callJson(`/api/v1/notifications/services/${name}`, "PUT", { type: "webhook", url: receiver.hook(name) });
  const response = await callJson(`/api/v1/notifications/subscriptions/${name}`, "PUT", {
    selector,
    triggers: ["on-approval-requested"],
    destinations: [{ service: name }],
  });
  expect(response.status).toBe(201);
}

describe("hookline's own events go to the NOTIFICATIONS queue only when a subscription takes them", () => {
  it("a gate opened while nobody subscribes announces nothing; one opened after a subscription appears is announced", async () => {
    await callJson("/api/v1/namespaces/pub-gate/approvalpolicies/p", "PUT", { manual: { required: true } });
    const created = await callJson("/api/v1/namespaces/pub-gate/approvals", "POST", { policy: "p" });
    expect(created.status).toBe(201);
    await subscribe("pub-gate-hook", 'app.namespace = "pub-gate"');
    const again = await callJson("/api/v1/namespaces/pub-gate/approvals", "POST", { policy: "p" });
    expect(again.status).toBe(201);
    const id = ((await again.json()) as { id: string }).id;
    const first = ((await created.json()) as { id: string }).id;
    await expect
      .poll(async () => (await receiver.requests("pub-gate-hook")).map((request) => request.body).join("\n"), {
        timeout: 20_000,
        interval: 250,
      })
      .toContain(id);
    expect((await receiver.requests("pub-gate-hook")).some((request) => request.body.includes(first))).toBe(false);
  }, 30_000);

  it("sends none nobody subscribes to, the ones a selector takes, and the ones a selector fails on", async () => {
    expect(await publishInternalEvents(env, [requested("pub-a"), requested("pub-b")])).toBe(0);

    await subscribe("pub-b-hook", 'app.namespace = "pub-b"');
    expect(await publishInternalEvents(env, [requested("pub-a"), requested("pub-b"), requested("pub-b")])).toBe(2);
    expect(await publishInternalEvents(env, [])).toBe(0);

    // A selector that cannot be evaluated: the event goes on, so the fan-out records the problem.
    await subscribe("pub-broken", "$number(app.namespace) > 0");
    expect(await publishInternalEvents(env, [requested("pub-a")])).toBe(1);
  });

  it("runs the D1 writes that go with the events (a gate's mirror row), with events or without", async () => {
    const row = (id: string) =>
      mirrorStatement(env.DB, {
        id,
        namespace: "pub-rows",
        policy: "p",
        status: "pending",
        subject: null,
        createdAt: 1,
        expiresAt: 2,
        decidedAt: null,
        revision: 1,
        traceId: null,
      });
    expect(await publishInternalEvents(env, [], [row("pub-row-1")])).toBe(0);
    await publishInternalEvents(env, [requested("pub-rows")], [row("pub-row-2")]);
    expect(await countRows("approvals", "namespace = ?1", "pub-rows")).toBe(2);
  });
});
