import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, startWorker } from "../../scripts/lib/local-worker";

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
});

function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${init.token ?? worker.adminToken}`);
  return fetch(`${worker.url}${path}`, { ...init, headers });
}

describe("npm start, end to end over HTTP", () => {
  it("creates the secrets file, prints the admin token once and applies the migrations", () => {
    expect(worker.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(worker.output()).toContain(`HOOKLINE_ADMIN_TOKEN=${worker.adminToken}`);
    expect(worker.output()).toMatch(/0002_events\.sql/);
  });

  it("a signed GitHub push is accepted and shows up in the event log", async () => {
    const secret = "e2e-github-secret";
    const client = await api("/api/v1/namespaces/team-a/webhookclients/github", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "github", secret }),
    });
    expect(client.status).toBe(201);

    const body = JSON.stringify({ ref: "refs/heads/main", after: "0123456789abcdef", repository: { name: "app" } });
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const sent = await fetch(`${worker.url}/api/v1/events/team-a/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": signature,
      },
      body,
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    expect(sent.headers.get("x-hookline-event-id")).toBe(id);

    const event = await eventually(async () => {
      const response = await api(`/api/v1/namespaces/team-a/events/${id}`);
      return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
    });
    expect(event).toMatchObject({
      id,
      namespace: "team-a",
      discriminator: "github",
      outcome: "no_bindings",
      sender: "client:team-a/github",
      payload: JSON.parse(body),
      metadata: { "x-github-event": ["push"], "x-github-delivery": ["72d3162e-cc78-11e3-81ab-4c9367dc0958"] },
    });
    const list = (await (await api("/api/v1/namespaces/team-a/events?discriminator=github")).json()) as {
      items: Array<{ id: string }>;
    };
    expect(list.items.map((item) => item.id)).toContain(id);
  });

  it("an Argo-style curl (token without Bearer, form content type) is accepted", async () => {
    const response = await fetch(`${worker.url}/api/v1/events/argo/my-discriminator`, {
      method: "POST",
      headers: {
        authorization: worker.adminToken,
        "x-argo-e2e": "true",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: '{"message": "hello events"}',
    });
    expect(response.status).toBe(202);
  });

  it("a big body is spilled to local R2 and read back", async () => {
    const big = { blob: "r".repeat(200_000) };
    const sent = await api("/api/v1/events/team-a/big", { method: "POST", body: JSON.stringify(big) });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const event = await eventually(async () => {
      const response = await api(`/api/v1/namespaces/team-a/events/${id}`);
      return response.status === 200 ? ((await response.json()) as { payload: unknown }) : undefined;
    });
    expect(event.payload).toEqual(big);
  });

  it("errors are JSON in the contract's shape", async () => {
    const response = await fetch(`${worker.url}/api/v1/events/team-a/x`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "unauthenticated" });
  });
});

describe("npm start with an existing secrets file", () => {
  it("keeps the file and does not print a new token", async () => {
    const token = "kept-admin-token-0123456789abcdefghijkl";
    const kept = await startWorker({
      devVars: `HOOKLINE_ADMIN_TOKEN=${token}\nHOOKLINE_SECRET_KEY=kept-secret-key-0123456789abcdefghijklmnop\n`,
    });
    try {
      expect(kept.adminToken).toBe(token);
      expect(kept.output()).not.toContain("shown only now");
      const response = await fetch(`${kept.url}/api/v1/tokens`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    } finally {
      await kept.stop();
    }
  });
});
