import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { type FakeCluster, startFakeCluster } from "../fakes/argo-cluster";

let worker: RunningWorker;
let cluster: FakeCluster;

beforeAll(async () => {
  [worker, cluster] = await Promise.all([startWorker(), startFakeCluster()]);
});
afterAll(async () => {
  await Promise.all([worker?.stop(), cluster?.close()]);
});

async function api(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response> {
  return fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": contentType },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

async function fake(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${cluster.url}/_fake/${path}`, init);
  return (await response.json()) as Record<string, unknown>;
}

describe("events → workflows over HTTP, on the locally running Worker", () => {
  it("a GitHub-signed push submits exactly one workflow at the fake Argo Server", async () => {
    await fake("templates?namespace=argo", { method: "POST", body: JSON.stringify({ names: ["my-wf-tmple"] }) });
    expect(
      (await api("PUT", "/api/v1/clusters/default", { type: "argo-server", url: cluster.url, token: cluster.token }))
        .status,
    ).toBe(201);
    expect(
      (
        await api("PUT", "/api/v1/namespaces/argo/webhookclients/github", {
          type: "github",
          secret: "e2e-secret-value",
        })
      ).status,
    ).toBe(201);
    const yaml = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: event-consumer
spec:
  event:
    selector: 'payload.message != "" and metadata."x-github-event" = ["push"] and discriminator = "my-discriminator"'
  submit:
    workflowTemplateRef:
      name: my-wf-tmple
    arguments:
      parameters:
        - name: message
          valueFrom:
            event: payload.message
`;
    const applied = await api(
      "PUT",
      "/api/v1/namespaces/argo/workfloweventbindings/event-consumer",
      yaml,
      "application/yaml",
    );
    expect(applied.status).toBe(201);

    const body = JSON.stringify({ message: "hello events" });
    const sent = await fetch(`${worker.url}/api/v1/events/argo/my-discriminator`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-hub-signature-256": `sha256=${createHmac("sha256", "e2e-secret-value").update(body).digest("hex")}`,
      },
      body,
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };

    const event = await eventually(async () => {
      const response = await api("GET", `/api/v1/namespaces/argo/events/${id}`);
      if (response.status !== 200) return undefined;
      const logged = (await response.json()) as { outcome: string; results: Array<Record<string, unknown>> };
      return logged.outcome === "pending" ? undefined : logged;
    });
    expect(event.outcome).toBe("submitted");
    const { workflows } = (await fake("workflows?namespace=argo")) as { workflows: Array<Record<string, unknown>> };
    expect(workflows).toHaveLength(1);
    expect(workflows[0]).toMatchObject({
      template: { kind: "WorkflowTemplate", name: "my-wf-tmple" },
      parameters: [{ name: "message", value: "hello events" }],
      labels: expect.objectContaining({
        "hookline.dev/event-id": id,
        "workflows.argoproj.io/workflow-event-binding": "event-consumer",
      }),
    });
    expect(event.results[0]).toMatchObject({
      binding: "event-consumer",
      status: "submitted",
      workflow: workflows[0]?.name,
    });

    // What `wrangler tail` shows: one JSON object per line, tied to the event by its id.
    const lines = await eventually(async () => {
      const parsed = logLines(worker.output()).filter((line) => line.eventId === id);
      return parsed.some((line) => line.msg === "event processed") ? parsed : undefined;
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "workflow submitted",
        namespace: "argo",
        binding: "event-consumer",
        workflow: workflows[0]?.name,
        cluster: "default",
      }),
    );
    const processed = lines.find((line) => line.msg === "event processed");
    expect(processed).toMatchObject({ level: "info", outcome: "submitted", discriminator: "my-discriminator" });
    expect(processed?.durationMs).toEqual(expect.any(Number));
    expect(worker.output()).not.toContain("e2e-secret-value");

    // hookline send --wait: the receipt names the workflow the fake Argo Server created.
    const payload = join(mkdtempSync(join(tmpdir(), "hookline-wait-")), "event.json");
    writeFileSync(payload, JSON.stringify({ message: "waited for" }));
    // Asynchronously: the fake Argo Server runs in this process and must keep answering meanwhile.
    const sent2 = await runCliAsync([
      "send",
      "argo",
      "my-discriminator",
      "-f",
      payload,
      "-H",
      "X-GitHub-Event: push",
      "--wait",
      "20s",
      "-o",
      "json",
    ]);
    expect(sent2.code, sent2.stderr).toBe(0);
    const receipt = JSON.parse(sent2.stdout) as { outcome: string; results: Array<{ workflow: string }> };
    expect(receipt.outcome, sent2.stdout).toBe("submitted");
    const after = (await fake("workflows?namespace=argo")) as { workflows: Array<{ name: string }> };
    expect(after.workflows.map((workflow) => workflow.name)).toContain(receipt.results[0]?.workflow);
  });
});

/** `hookline …` in a subprocess, without blocking this process (where the fakes run). */
function runCliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "cli/hookline.mjs"), ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOOKLINE_URL: worker.url,
        HOOKLINE_TOKEN: worker.adminToken,
        XDG_CONFIG_HOME: tmpdir(),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The Worker's structured log lines in `output` (other lines are wrangler's own). */
function logLines(output: string): Array<Record<string, unknown>> {
  return output.split("\n").flatMap((line) => {
    const start = line.indexOf('{"level":');
    if (start < 0) return [];
    try {
      return [JSON.parse(line.slice(start)) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
