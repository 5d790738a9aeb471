import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { type Receiver, startReceiver } from "../fakes/receiver";

let worker: RunningWorker;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = await startWorker({
    devVars: [
      `HOOKLINE_ADMIN_TOKEN=${randomBytes(24).toString("base64url")}`,
      `HOOKLINE_SECRET_KEY=${randomBytes(32).toString("base64url")}`,
      `NOTIFY_LOCAL_HOOK=${receiver.url}/hooks/local-secret`,
      "",
    ].join("\n"),
  });
});
afterAll(async () => {
  await Promise.all([worker?.stop(), receiver?.close()]);
});

describe("npm start: secrets you name yourself", () => {
  it("a service's urlSecret is read from the secrets file, and its value never shows in the output", async () => {
    const api = (path: string, body: unknown, method = "PUT") =>
      fetch(`${worker.url}/api/v1/notifications/${path}`, {
        method,
        headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await api("services/local", { type: "webhook", urlSecret: "NOTIFY_LOCAL_HOOK" })).status).toBe(201);
    expect((await api("templates/local", { message: "hello {{.app.metadata.name}}" })).status).toBe(201);
    expect(
      (await api("triggers/local", { conditions: [{ when: "true", oncePer: "app.metadata.name", send: ["local"] }] }))
        .status,
    ).toBe(201);
    expect(
      (await api("subscriptions/local", { triggers: ["local"], destinations: [{ service: "local" }] })).status,
    ).toBe(201);
    const posted = await api(
      "resources",
      { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "local-app", namespace: "argocd" } },
      "POST",
    );
    expect(posted.status).toBe(202);
    const [request] = await eventually(async () => {
      const response = await fetch(`${receiver.url}/_receiver/requests?key=local-secret`);
      const { requests } = (await response.json()) as { requests: Array<{ body: string }> };
      return requests.length > 0 ? requests : undefined;
    });
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ body: "hello local-app" });
    expect(worker.output()).not.toContain(`${receiver.url}/hooks/local-secret`);
    expect(worker.output()).toMatch(/NOTIFY_LOCAL_HOOK/);
  });

  it("the generated configuration lives beside wrangler.toml only while the Worker runs", () => {
    const generated = readdirSync(root).filter((name) => name.startsWith(".wrangler.dev-"));
    expect(generated.length).toBeGreaterThan(0);
    expect(existsSync(`${root}/wrangler.toml`)).toBe(true);
  });
});
