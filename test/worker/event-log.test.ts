import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminAuth, bearer, call, createToken, expectError, postEvent, waitForEvent } from "./helpers";

interface EventList {
  items: Array<{ id: string; discriminator: string; outcome: string; receivedAt: string; results: unknown[] }>;
  nextCursor: string | null;
}

async function send(path: string, body: unknown): Promise<string> {
  const response = await postEvent(path, JSON.stringify(body));
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function list(query: string, auth = adminAuth): Promise<EventList> {
  const response = await call(`/api/v1/namespaces/log/events${query}`, { headers: auth });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as EventList;
}

describe("event log: reading", () => {
  it("lists events newest first, pages with a cursor, filters by discriminator and outcome", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(`log/${i % 2 === 0 ? "even" : "odd"}`, { i }));
    for (const id of ids) await waitForEvent(id);

    const first = await list("?limit=2");
    expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]]);
    expect(first.items[0]).toMatchObject({
      namespace: "log",
      discriminator: "even",
      outcome: "no_bindings",
      results: [],
    });
    expect(Date.parse(first.items[0]?.receivedAt ?? "")).not.toBeNaN();
    expect(first.nextCursor).toBe(ids[3]);
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    const third = await list(`?limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((item) => item.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();

    expect((await list("?discriminator=odd")).items.map((item) => item.id)).toEqual([ids[3], ids[1]]);
    expect((await list("?outcome=no_bindings")).items).toHaveLength(5);
    expect((await list("?outcome=submitted")).items).toHaveLength(0);
  });

  it("shows one event with payload, metadata and sender", async () => {
    const response = await postEvent("log/detail", '{"message": "hello events"}', {
      ...adminAuth,
      "x-argo-e2e": "true",
    });
    const { id } = (await response.json()) as { id: string };
    await waitForEvent(id);
    const detail = (await (await call(`/api/v1/namespaces/log/events/${id}`, { headers: adminAuth })).json()) as Record<
      string,
      unknown
    >;
    expect(detail).toMatchObject({
      id,
      namespace: "log",
      discriminator: "detail",
      outcome: "no_bindings",
      sender: "admin",
      payload: { message: "hello events" },
      metadata: { "x-argo-e2e": ["true"] },
      replayOf: null,
    });
  });

  it("refuses bad query parameters and unknown ids", async () => {
    for (const query of ["?limit=0", "?limit=501", "?limit=ten", "?outcome=great", "?cursor=nope", "?unknown=1"]) {
      await expectError(
        await call(`/api/v1/namespaces/log/events${query}`, { headers: adminAuth }),
        400,
        "invalid_argument",
      );
    }
    await expectError(
      await call("/api/v1/namespaces/log/events/01ARZ3NDEKTSV4RRFFQ69G5FAV", { headers: adminAuth }),
      404,
      "not_found",
    );
    await expectError(await call("/api/v1/namespaces/log/events/not-an-id", { headers: adminAuth }), 404, "not_found");
    await expectError(await call("/api/v1/namespaces/Bad_NS/events", { headers: adminAuth }), 400, "invalid_argument");
  });

  it("needs events:read in the namespace", async () => {
    const id = await send("log/secret", { a: 1 });
    await waitForEvent(id);
    const writer = await createToken({ name: "writer-only", namespaces: ["log"], scopes: ["events:write"] });
    const other = await createToken({ name: "other-ns", namespaces: ["elsewhere"], scopes: ["events:read"] });
    const reader = await createToken({ name: "log-reader", namespaces: ["log"], scopes: ["events:read"] });
    await expectError(
      await call("/api/v1/namespaces/log/events", { headers: bearer(writer) }),
      403,
      "permission_denied",
    );
    await expectError(
      await call(`/api/v1/namespaces/log/events/${id}`, { headers: bearer(other) }),
      403,
      "permission_denied",
    );
    await expectError(await call("/api/v1/namespaces/log/events"), 401, "unauthenticated");
    expect((await list("", bearer(reader))).items.length).toBeGreaterThan(0);
  });
});

describe("event log: replay", () => {
  it("re-queues an event as a new one that points at the original", async () => {
    const original = await send("log/replay-me", { n: 1 });
    await waitForEvent(original);
    const response = await call(`/api/v1/namespaces/log/events/${original}/replay`, {
      method: "POST",
      headers: adminAuth,
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(id).not.toBe(original);
    const row = await waitForEvent(id);
    expect(row).toMatchObject({ replay_of: original, discriminator: "replay-me", payload: '{"n":1}' });
  });

  it("replays a spilled body from R2", async () => {
    const big = { blob: "z".repeat(Number(env.INLINE_BODY_LIMIT_BYTES)) };
    const original = await send("log/big", big);
    await waitForEvent(original);
    const response = await call(`/api/v1/namespaces/log/events/${original}/replay`, {
      method: "POST",
      headers: adminAuth,
    });
    const { id } = (await response.json()) as { id: string };
    const row = await waitForEvent(id);
    expect(row.body_key).toBe(`events/log/${id}.json`);
    expect(await (await env.EVENT_BODIES.get(row.body_key as string))?.json()).toEqual(big);
  });

  it("needs events:write and refuses unknown events", async () => {
    const original = await send("log/guarded", {});
    await waitForEvent(original);
    const reader = await createToken({ name: "replay-reader", namespaces: ["log"], scopes: ["events:read"] });
    await expectError(
      await call(`/api/v1/namespaces/log/events/${original}/replay`, { method: "POST", headers: bearer(reader) }),
      403,
      "permission_denied",
    );
    await expectError(
      await call("/api/v1/namespaces/log/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/replay", {
        method: "POST",
        headers: adminAuth,
      }),
      404,
      "not_found",
    );
  });
});
