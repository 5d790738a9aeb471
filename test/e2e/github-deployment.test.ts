import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, startWorker } from "../../scripts/lib/local-worker";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github";
import { type Receiver, startReceiver } from "../fakes/receiver";
import { deliveryHeaders, deploymentProtectionRule } from "../support/github-delivery";
import { webhookProblems } from "../support/github-webhook-schema";
import { adminApi, receivedRequests, slackClick } from "./support";

// A GitHub Actions deployment gated end to end on the Worker `npm start` runs: a GitHub App's
// deployment_protection_rule delivery (built to GitHub's published webhook schema, and checked
// against it) opens a gate, the gate asks in Slack, the approver clicks Approve, and hookline
// answers GitHub's review endpoint — a strict fake that verifies the App's JWT with its public key
// and the installation token — once.

const SIGNING_SECRET = "e2e-github-slack-signing-secret-0123";
const WEBHOOK_SECRET = "e2e-github-app-webhook-secret";
const BOT_TOKEN = "xoxb-e2e-github";
const KEY = "e2e-github-slack";
const REPOSITORY = "octo-org/payments-api";

let worker: RunningWorker;
let receiver: Receiver;
let github: FakeGitHub;

const api = adminApi(() => worker);

async function control<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${github.url}/_github/${path}`, { method: "POST", body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`fake GitHub ${path}: ${response.status}`);
  return (await response.json()) as T;
}

const slackRequests = () => receivedRequests(receiver.url, KEY);
const click = (payload: unknown) => slackClick(worker.url, SIGNING_SECRET, payload);

describe("a GitHub Actions deployment gated end to end (npm start's Worker, a fake GitHub, a fake Slack)", () => {
  beforeAll(async () => {
    [worker, receiver, github] = await Promise.all([startWorker(), startReceiver(), startFakeGitHub()]);
    await fetch(`${receiver.url}/_receiver/behaviour?key=${KEY}`, {
      method: "POST",
      body: JSON.stringify({ secret: BOT_TOKEN }),
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([worker?.stop(), receiver?.close(), github?.close()]);
  });

  it("deployment_protection_rule delivery → gate → Slack click → GitHub's review endpoint, once", async () => {
    // GitHub: register the App (it hands out a PKCS#1 key), install it, start a run waiting on "production".
    const app = await control<{ appId: number; privateKey: string }>("apps", {});
    expect(app.privateKey).toContain("-----BEGIN RSA PRIVATE KEY-----");
    const installed = await control<{ installationId: number; repositories: Array<{ id: number }> }>("installations", {
      appId: app.appId,
      repositories: [REPOSITORY],
    });
    const { runId } = await control<{ runId: number }>("runs", {
      appId: app.appId,
      repository: REPOSITORY,
      environments: ["production"],
    });

    await api("PUT", "/api/v1/notifications/services/release-app", {
      type: "slack",
      token: BOT_TOKEN,
      apiUrl: `${receiver.url}/slackapi/${KEY}/api`,
      signingSecret: SIGNING_SECRET,
    });
    await api("PUT", "/api/v1/namespaces/payments/approvalpolicies/production-deploys", {
      manual: {
        required: true,
        approvers: ["slack:U0ALICE"],
        channels: [{ service: "release-app", recipients: ["deploys"] }],
      },
      github: {
        appId: app.appId,
        privateKey: app.privateKey,
        webhookSecret: WEBHOOK_SECRET,
        environments: ["production"],
        apiUrl: github.url,
      },
    });

    const payload = deploymentProtectionRule({
      apiUrl: github.url,
      repository: REPOSITORY,
      repositoryId: installed.repositories[0]?.id ?? 0,
      runId,
      environment: "production",
      installationId: installed.installationId,
      creator: "mona",
      ref: "refs/heads/main",
      sha: "9f3c2ab1e0d4c5b6a7980112233445566778899a",
    });
    // What is sent is a delivery GitHub could send.
    expect(webhookProblems(payload)).toEqual([]);
    const body = JSON.stringify(payload);
    const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    const deliver = async () =>
      fetch(`${worker.url}/callbacks/github/deployment-protection`, {
        method: "POST",
        headers: await deliveryHeaders(WEBHOOK_SECRET, body, { delivery, appId: app.appId }),
        body,
      });
    const opened = await deliver();
    expect(opened.status, await opened.clone().text()).toBe(201);
    const { id } = (await opened.json()) as { id: string };
    const gate = await api("GET", `/api/v1/namespaces/payments/approvals/${id}`);
    expect(gate).toMatchObject({
      status: "pending",
      requestedBy: { github: "mona" },
      context: { repository: REPOSITORY, environment: "production", ref: "refs/heads/main" },
      github: { phase: "waiting", repository: REPOSITORY },
    });

    // The gate asks in Slack itself, with buttons.
    const request = await eventually(async () =>
      (await slackRequests()).find((entry) => entry.path.endsWith("/chat.postMessage")),
    );
    const message = JSON.parse(request.body) as {
      text: string;
      blocks: Array<{ type: string; elements?: Array<{ value?: string }> }>;
    };
    expect(JSON.stringify(message)).toContain(REPOSITORY);
    const value = message.blocks.find((block) => block.type === "actions")?.elements?.[0]?.value ?? "";
    expect(value.startsWith(`${id}.`)).toBe(true);
    const ts = (JSON.parse(request.answer ?? "{}") as { ts?: string }).ts;

    // GitHub redelivers: nothing new.
    const redelivered = await deliver();
    expect(redelivered.status).toBe(200);
    expect(redelivered.headers.get("x-hookline-duplicate")).toBe("true");

    const clicked = await click({
      type: "block_actions",
      user: { id: "U0ALICE", name: "alice" },
      response_url: `${receiver.url}/slackapi/${KEY}/actions/1`,
      actions: [{ action_id: "hookline_approve", block_id: "hookline_approval", value }],
      container: { type: "message", message_ts: ts },
      message: { ...message, ts },
    });
    expect(clicked.status).toBe(200);

    const reviews = await eventually(async () => {
      const response = await fetch(`${github.url}/_github/reviews?repository=${REPOSITORY}`);
      const found = ((await response.json()) as { reviews: Array<Record<string, unknown>> }).reviews;
      return found.length > 0 ? found : undefined;
    });
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ runId, environment: "production", state: "approved", app: app.appId });
    expect(String(reviews[0]?.comment)).toMatch(/^Approved in hookline by slack:U0ALICE \(slack:release-app\)\./);

    const answered = await eventually(async () => {
      const view = await api("GET", `/api/v1/namespaces/payments/approvals/${id}`);
      return (view.github as { phase?: string } | undefined)?.phase === "posted" ? view : undefined;
    });
    expect(answered).toMatchObject({
      status: "approved",
      decision: { by: "slack:U0ALICE", via: "slack:release-app" },
      github: { state: "approved", attempts: 1, lastError: null },
    });
    // Redelivered after the decision: still one answer.
    expect((await deliver()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await fetch(`${github.url}/_github/reviews?repository=${REPOSITORY}`);
    expect(((await after.json()) as { reviews: unknown[] }).reviews).toHaveLength(1);
  }, 90_000);
});
