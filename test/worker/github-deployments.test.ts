import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GateView } from "../../src/approvals/gate-view";
import { githubSecretContext, resealPolicySecrets, type StoredPolicy } from "../../src/approvals/policy";
import { listPendingGateIds } from "../../src/approvals/store";
import { SecretBox } from "../../src/auth/secret-box";
import { type DeliveryInput, deliveryHeaders, deploymentProtectionRule } from "../support/github-delivery";
import { adminAuth, call, callJson, consoleSession, countRows, expectError, receiver } from "./helpers";

// GitHub Actions deployments gated by hookline: a GitHub App's deployment_protection_rule
// deliveries open gates, and each decision is answered once to GitHub's review endpoint with an
// installation token minted from the App's JWT. GitHub is the strict fake in test/fakes/github.ts:
// it verifies the JWT with the App's public key and the installation token on the answer.

const NS = "deploys";
const GITHUB_URL = (env as unknown as { FAKE_GITHUB_URL: string }).FAKE_GITHUB_URL;

interface GitHubReview {
  repository: string;
  runId: number;
  environment: string;
  state: "approved" | "rejected";
  comment: string;
}
interface GitHubRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
}

/** The fake GitHub: register Apps (it hands out their PKCS#1 keys), install them, start runs, read what it got. */
const github = {
  async control<T>(path: string, body: unknown = {}): Promise<T> {
    const response = await fetch(`${GITHUB_URL}/_github/${path}`, { method: "POST", body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  },
  app(format: "pkcs1" | "pkcs8" = "pkcs1") {
    return this.control<{ appId: number; privateKey: string }>("apps", { format });
  },
  install(appId: number, repositories: string[]) {
    return this.control<{ installationId: number; repositories: Array<{ id: number; full_name: string }> }>(
      "installations",
      { appId, repositories },
    );
  },
  async run(appId: number, repository: string, environments: string[]): Promise<number> {
    return (await this.control<{ runId: number }>("runs", { appId, repository, environments })).runId;
  },
  async failReviews(appId: number, count: number): Promise<void> {
    await this.control("behaviour", { appId, failReviews: count });
  },
  async reviews(repository: string): Promise<GitHubReview[]> {
    const response = await fetch(`${GITHUB_URL}/_github/reviews?repository=${encodeURIComponent(repository)}`);
    return ((await response.json()) as { reviews: GitHubReview[] }).reviews;
  },
  async requests(match: string): Promise<GitHubRequest[]> {
    const response = await fetch(`${GITHUB_URL}/_github/requests?match=${encodeURIComponent(match)}`);
    return ((await response.json()) as { requests: GitHubRequest[] }).requests;
  },
};

let counter = 0;

/** An App installed on a fresh repository, a policy naming it, and a run waiting for it. */
async function setUp(
  options: {
    namespace?: string;
    policy?: string;
    environments?: string[];
    secret?: string;
    format?: "pkcs1" | "pkcs8";
    apiUrl?: string;
    manual?: Record<string, unknown>;
  } = {},
) {
  counter += 1;
  const namespace = options.namespace ?? NS;
  const policy = options.policy ?? `deploy-${counter}`;
  const secret = options.secret ?? `webhook-secret-${counter}-${crypto.randomUUID()}`;
  const repository = `octo-org/service-${counter}-${Date.now() % 100_000}`;
  const app = await github.app(options.format);
  const installed = await github.install(app.appId, [repository]);
  const repositoryId = installed.repositories[0]?.id ?? 0;
  const response = await callJson(`/api/v1/namespaces/${namespace}/approvalpolicies/${policy}`, "PUT", {
    manual: options.manual ?? { required: true },
    github: {
      appId: app.appId,
      privateKey: app.privateKey,
      webhookSecret: secret,
      environments: options.environments ?? ["production"],
      apiUrl: options.apiUrl ?? GITHUB_URL,
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const runId = await github.run(app.appId, repository, ["production", "staging"]);
  const input: DeliveryInput = {
    apiUrl: options.apiUrl ?? GITHUB_URL,
    repository,
    repositoryId,
    runId,
    environment: "production",
    installationId: installed.installationId,
    creator: "mona",
  };
  return { namespace, policy, secret, repository, app, installationId: installed.installationId, runId, input };
}

/** Posts a delivery as GitHub does: the raw body, signed with `secret`. */
async function deliver(
  secret: string,
  payload: unknown,
  options: { delivery?: string; event?: string; appId?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return call("/callbacks/github/deployment-protection", {
    method: "POST",
    headers: { ...(await deliveryHeaders(secret, body, options)), ...options.headers },
    body,
  });
}

async function readGate(id: string, namespace = NS): Promise<GateView> {
  const response = await call(`/api/v1/namespaces/${namespace}/approvals/${id}`, { headers: adminAuth });
  expect(response.status).toBe(200);
  return (await response.json()) as GateView;
}

async function decide(id: string, approve: boolean, message = "", namespace = NS): Promise<void> {
  const response = await callJson(`/api/v1/namespaces/${namespace}/approvals/${id}/decision`, "POST", {
    approve,
    message,
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Runs the gate's alarms (each as if its time had come) until `done` holds. */
async function driveAlarms(id: string, done: (gate: GateView) => boolean, namespace = NS): Promise<GateView> {
  const stub = env.APPROVAL_GATE.getByName(id);
  for (let i = 0; i < 30; i++) {
    const gate = await readGate(id, namespace);
    if (done(gate)) return gate;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gate ${id} did not get there: ${JSON.stringify(await readGate(id, namespace))}`);
}

async function openedGate(response: Response): Promise<{ id: string; status: string; duplicate?: boolean }> {
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; status: string };
}

describe("GitHub deployment protection rules: a delivery opens a gate, the decision is answered once", () => {
  it("a signed delivery for a named environment opens a gate; an approval reaches GitHub with an installation token minted from the App's PKCS#1 key", async () => {
    const setup = await setUp();
    const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));
    const gate = await readGate(opened.id);
    expect(gate).toMatchObject({
      policy: setup.policy,
      status: "pending",
      requestedBy: { github: "mona" },
      context: {
        repository: setup.repository,
        environment: "production",
        ref: "main",
        sha: "a10867b14bb761a232cd80139fbd4c0d33264240",
        runUrl: `https://github.com/${setup.repository}/actions/runs/${setup.runId}`,
      },
      github: { repository: setup.repository, environment: "production", phase: "waiting", attempts: 0 },
    });
    // Nothing goes to GitHub before the decision.
    expect(await github.requests(`/installations/${setup.installationId}/`)).toEqual([]);

    await decide(opened.id, true, "ship it");
    const decided = await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    expect(decided.github).toMatchObject({ state: "approved", attempts: 1, lastError: null });
    const [review, ...more] = await github.reviews(setup.repository);
    expect(more).toEqual([]);
    expect(review).toMatchObject({ runId: setup.runId, environment: "production", state: "approved" });
    expect(review?.comment).toMatch(/^Approved in hookline by admin \(api\)\. Policy /);
    expect(review?.comment).toContain(`${NS}/${setup.policy}`);
    expect(review?.comment).toContain("ship it");

    // The token was minted for this repository with deployments:write, by a JWT the fake verified.
    const [minted] = await github.requests(`/app/installations/${setup.installationId}/access_tokens`);
    expect(minted?.status).toBe(201);
    expect(minted?.headers["user-agent"]).toMatch(/^hookline\//);
    const repositoryId = setup.input.repositoryId;
    expect(JSON.parse(minted?.body ?? "{}")).toEqual({
      repository_ids: [repositoryId],
      permissions: { deployments: "write" },
    });
    const [answered] = await github.requests(`/repos/${setup.repository}/actions/runs/`);
    expect(answered?.headers.authorization).toMatch(/^Bearer ghs_/);
    expect(answered?.headers["user-agent"]).toMatch(/^hookline\//);
  });

  it("a rejection is answered rejected, naming who rejected and through what", async () => {
    const setup = await setUp();
    const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));
    await decide(opened.id, false, "not during the incident");
    await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    const reviews = await github.reviews(setup.repository);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ state: "rejected", environment: "production" });
    expect(reviews[0]?.comment).toMatch(/^Rejected in hookline by admin \(api\)\. Policy /);
  });

  it("a redelivery (same X-GitHub-Delivery) opens nothing and posts nothing new, before and after the decision", async () => {
    const setup = await setUp();
    const payload = deploymentProtectionRule(setup.input);
    const delivery = crypto.randomUUID();
    const first = await openedGate(await deliver(setup.secret, payload, { delivery }));
    const again = await deliver(setup.secret, payload, { delivery });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-hookline-duplicate")).toBe("true");
    expect(await again.json()).toMatchObject({ id: first.id, duplicate: true, status: "pending" });

    await decide(first.id, true);
    await driveAlarms(first.id, (view) => view.github?.phase === "posted");
    // The console's gate page shows the deployment and how answering it went.
    const cookie = await consoleSession(env.HOOKLINE_ADMIN_TOKEN);
    const page = await (await call(`/ui/namespaces/${NS}/approvals/${first.id}`, { headers: { cookie } })).text();
    expect(page).toContain(`GitHub deployment: ${setup.repository}, environment production`);
    expect(page).toMatch(/posted<\/span> \(approved\) after 1 attempt/);
    const later = await deliver(setup.secret, payload, { delivery });
    expect(await later.json()).toMatchObject({ id: first.id, duplicate: true, status: "approved" });
    expect(await readGate(first.id)).toMatchObject({ github: { phase: "posted", attempts: 1 } });
    expect(await github.reviews(setup.repository)).toHaveLength(1);
    expect(await countRows("approvals", "namespace = ?1 AND policy = ?2", NS, setup.policy)).toBe(1);
    // Another delivery for the same run is a new request from GitHub: its own gate.
    const other = await openedGate(await deliver(setup.secret, payload));
    expect(other.id).not.toBe(first.id);
  });

  it("GitHub answering 5xx is retried with backoff, visible on the gate, until it answers 204", async () => {
    const setup = await setUp();
    await github.failReviews(setup.app.appId, 2);
    const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));
    await decide(opened.id, true);
    const failing = await driveAlarms(opened.id, (view) => (view.github?.attempts ?? 0) >= 1);
    expect(failing.github).toMatchObject({ phase: "posting", state: "approved" });
    expect(failing.github?.lastError).toContain("502");
    // Still answering: a key rotation's reseal reaches its snapshot (the App key it signs with).
    expect(await listPendingGateIds(env.DB, "", 1000, Date.now() - 3_600_000)).toContain(opened.id);
    const posted = await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    expect(posted.github).toMatchObject({ attempts: 3, lastError: null, state: "approved" });
    expect(await github.reviews(setup.repository)).toHaveLength(1);
    // The token was cached: one mint for three attempts.
    expect(await github.requests(`/installations/${setup.installationId}/access_tokens`)).toHaveLength(1);
  });

  it("a PKCS#8 key works too, and a second gate of the same installation and repository reuses the cached token", async () => {
    const setup = await setUp({ format: "pkcs8" });
    const runs = [setup.runId, await github.run(setup.app.appId, setup.repository, ["production"])];
    for (const runId of runs) {
      const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule({ ...setup.input, runId })));
      await decide(opened.id, true);
      await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    }
    expect((await github.reviews(setup.repository)).map((review) => review.runId).sort()).toEqual([...runs].sort());
    expect(await github.requests(`/installations/${setup.installationId}/access_tokens`)).toHaveLength(1);
  });

  it("GitHub Enterprise Server: apiUrl's path is kept for the token and the answer", async () => {
    const apiUrl = `${GITHUB_URL}/api/v3`;
    const setup = await setUp({ apiUrl });
    const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));
    await decide(opened.id, true);
    await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    const [minted] = await github.requests(`/installations/${setup.installationId}/access_tokens`);
    expect(minted?.path).toBe(`/api/v3/app/installations/${setup.installationId}/access_tokens`);
    const [answered] = await github.requests(`/repos/${setup.repository}/`);
    expect(answered?.path).toBe(
      `/api/v3/repos/${setup.repository}/actions/runs/${setup.runId}/deployment_protection_rule`,
    );
  });

  it("a timed-out gate answers GitHub rejected, saying so", async () => {
    const setup = await setUp();
    const opened = await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));
    // The timeout's alarm, as if its time had come.
    await driveAlarms(opened.id, (view) => view.github?.phase === "posted");
    const [review] = await github.reviews(setup.repository);
    expect(review?.state).toBe("rejected");
    expect(review?.comment).toMatch(/^Timed out in hookline: no decision within 24h/);
  });
});

describe("GitHub deployment protection rules: what opens nothing", () => {
  it("an unsigned, forged or wrongly signed delivery is 401 and opens nothing", async () => {
    const setup = await setUp();
    const payload = JSON.stringify(deploymentProtectionRule(setup.input));
    const before = await countRows("approvals");
    await expectError(
      await call("/callbacks/github/deployment-protection", {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "deployment_protection_rule" },
        body: payload,
      }),
      401,
      "unauthenticated",
    );
    await expectError(await deliver("a-secret-nobody-configured", payload), 401, "unauthenticated");
    // Signed with the App's secret, but over another body.
    const headers = await deliveryHeaders(setup.secret, "{}");
    await expectError(
      await call("/callbacks/github/deployment-protection", { method: "POST", headers, body: payload }),
      401,
      "unauthenticated",
    );
    await expectError(
      await deliver(setup.secret, payload, { headers: { "x-hub-signature-256": "sha256=00" } }),
      401,
      "unauthenticated",
    );
    expect(await countRows("approvals")).toBe(before);
  });

  it("an environment the policy does not name gets a clear answer and no gate", async () => {
    const setup = await setUp();
    const before = await countRows("approvals");
    const message = await expectError(
      await deliver(setup.secret, deploymentProtectionRule({ ...setup.input, environment: "staging" })),
      404,
      "not_found",
    );
    expect(message).toContain('environment "staging"');
    expect(message).toContain("no gate was opened");
    expect(await countRows("approvals")).toBe(before);
    // GitHub compares environment names case-insensitively; so does hookline.
    const opened = await openedGate(
      await deliver(setup.secret, deploymentProtectionRule({ ...setup.input, environment: "Production" })),
    );
    expect((await readGate(opened.id)).github?.environment).toBe("Production");
  });

  it("a callback URL on another origin is refused and recorded on the gate; nothing is sent there, no token minted", async () => {
    const setup = await setUp();
    const key = `github-elsewhere-${counter}`;
    const elsewhere = `${receiver.hook(key)}/repos/${setup.repository}/actions/runs/${setup.runId}/deployment_protection_rule`;
    const response = await deliver(setup.secret, deploymentProtectionRule({ ...setup.input, callbackUrl: elsewhere }));
    const opened = await openedGate(response);
    const gate = await readGate(opened.id);
    expect(gate.status).toBe("failed");
    expect(gate.decision).toMatchObject({ by: "github", via: "github", reason: "GitHub's callback URL was refused" });
    expect(gate.github).toMatchObject({ phase: "refused", state: null, attempts: 0 });
    expect(gate.github?.lastError).toContain("not GitHub's review endpoint on the App's API");
    const audit = (await (
      await call(`/api/v1/namespaces/${NS}/approvals/${opened.id}/audit`, { headers: adminAuth })
    ).json()) as { items: Array<{ action: string; counted: boolean; reason: string }> };
    expect(audit.items).toEqual([expect.objectContaining({ action: "fail", counted: true })]);
    // Nobody can approve it into sending anything.
    await expectError(
      await callJson(`/api/v1/namespaces/${NS}/approvals/${opened.id}/decision`, "POST", { approve: true }),
      409,
      "aborted",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runDurableObjectAlarm(env.APPROVAL_GATE.getByName(opened.id));
    expect(await receiver.requests(key)).toEqual([]);
    expect(await github.requests(`/installations/${setup.installationId}/`)).toEqual([]);
    expect(await github.reviews(setup.repository)).toEqual([]);
  });

  it("a callback URL outside the API's path, or for another repository, is refused the same way", async () => {
    const ghes = await setUp({ apiUrl: `${GITHUB_URL}/api/v3` });
    const outside = `${GITHUB_URL}/repos/${ghes.repository}/actions/runs/${ghes.runId}/deployment_protection_rule`;
    const first = await openedGate(
      await deliver(ghes.secret, deploymentProtectionRule({ ...ghes.input, callbackUrl: outside })),
    );
    expect((await readGate(first.id)).github?.phase).toBe("refused");

    const setup = await setUp();
    const other = `${GITHUB_URL}/repos/octo-org/someone-elses/actions/runs/${setup.runId}/deployment_protection_rule`;
    const second = await openedGate(
      await deliver(setup.secret, deploymentProtectionRule({ ...setup.input, callbackUrl: other })),
    );
    const gate = await readGate(second.id);
    expect(gate.github?.phase).toBe("refused");
    expect(gate.github?.lastError).toContain("names another repository");
    expect(await github.requests("/repos/octo-org/someone-elses/")).toEqual([]);
  });

  it("bad input: malformed JSON is 400, a delivery without its id is 400, other events are acknowledged without a gate", async () => {
    const setup = await setUp();
    const before = await countRows("approvals");
    await expectError(await deliver(setup.secret, "{not json"), 400, "invalid_argument");
    const { installation: _, ...withoutInstallation } = deploymentProtectionRule(setup.input);
    expect(await expectError(await deliver(setup.secret, withoutInstallation), 400, "invalid_argument")).toContain(
      "installation",
    );
    await expectError(
      await deliver(setup.secret, deploymentProtectionRule(setup.input), { headers: { "x-github-delivery": "" } }),
      400,
      "invalid_argument",
    );
    const ping = await deliver(setup.secret, { zen: "Design for failure.", hook_id: 1 }, { event: "ping" });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ gate: null });
    const push = await deliver(setup.secret, { ref: "refs/heads/main" }, { event: "push" });
    expect(await push.json()).toMatchObject({ gate: null, message: expect.stringContaining('"push" opens no gate') });
    expect(await countRows("approvals")).toBe(before);
  });
});

describe("GitHub deployment protection rules: policies, Apps and namespaces", () => {
  it("several policies use different Apps for the same environment in different namespaces: a delivery reaches the policy of the App whose secret verifies it", async () => {
    const team = await setUp({ namespace: "team-a", policy: "prod" });
    const other = await setUp({ namespace: "team-b", policy: "prod" });
    const a = await openedGate(await deliver(team.secret, deploymentProtectionRule(team.input)));
    const b = await openedGate(await deliver(other.secret, deploymentProtectionRule(other.input)));
    expect(await readGate(a.id, "team-a")).toMatchObject({
      namespace: "team-a",
      github: { repository: team.repository },
    });
    expect(await readGate(b.id, "team-b")).toMatchObject({
      namespace: "team-b",
      github: { repository: other.repository },
    });
    // team-b's App cannot open a gate of team-a's: its delivery for team-a's repository lands in team-b.
    const crossed = await openedGate(await deliver(other.secret, deploymentProtectionRule(team.input)));
    expect((await readGate(crossed.id, "team-b")).namespace).toBe("team-b");
    await expectError(
      await call(`/api/v1/namespaces/team-a/approvals/${crossed.id}`, { headers: adminAuth }),
      404,
      "not_found",
    );
    // …and its answer can only be minted with team-b's App, which GitHub does not let review team-a's run.
    await decide(crossed.id, true, "", "team-b");
    const failed = await driveAlarms(crossed.id, (view) => view.github?.phase === "failed", "team-b");
    expect(failed.github?.lastError).toContain("GitHub refused an installation token");
    expect(await github.reviews(team.repository)).toEqual([]);
  });

  it("two policies naming the same App and environment: 409, no gate", async () => {
    const setup = await setUp();
    const again = await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/twin-${counter}`, "PUT", {
      manual: { required: true },
      github: {
        appId: setup.app.appId,
        privateKey: (await github.app()).privateKey,
        webhookSecret: setup.secret,
        environments: ["production"],
        apiUrl: GITHUB_URL,
      },
    });
    expect(again.status).toBe(201);
    const before = await countRows("approvals");
    expect(
      await expectError(await deliver(setup.secret, deploymentProtectionRule(setup.input)), 409, "aborted"),
    ).toContain("name it in one policy only");
    expect(await countRows("approvals")).toBe(before);
    await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/twin-${counter}`, "DELETE", {});
  });

  it("the App's private key and webhook secret are sealed: never returned, kept by (sealed) only for the same App and API", async () => {
    const setup = await setUp();
    const path = `/api/v1/namespaces/${NS}/approvalpolicies/${setup.policy}`;
    const {
      name: _,
      namespace: __,
      createdAt: ___,
      updatedAt: ____,
      ...shown
    } = (await (await call(path, { headers: adminAuth })).json()) as {
      github: Record<string, unknown>;
      name: string;
      namespace: string;
      createdAt: string;
      updatedAt: string;
    };
    expect(shown.github).toEqual({
      appId: setup.app.appId,
      privateKey: "(sealed)",
      webhookSecret: "(sealed)",
      environments: ["production"],
      apiUrl: GITHUB_URL,
    });
    const text = JSON.stringify(shown);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(setup.secret);

    // Applying what GET shows keeps both secrets (unchanged), and deliveries still verify.
    const reapplied = await callJson(path, "PUT", shown);
    expect(reapplied.status).toBe(200);
    expect(reapplied.headers.get("x-hookline-action")).toBe("unchanged");
    await openedGate(await deliver(setup.secret, deploymentProtectionRule(setup.input)));

    // A kept key may not sign for another API.
    const moved = await callJson(path, "PUT", {
      ...shown,
      github: { ...shown.github, apiUrl: "https://ghe.example.com/api/v3" },
    });
    expect(await expectError(moved, 400, "invalid_argument")).toContain("github.privateKey");
    const renumbered = await callJson(path, "PUT", { ...shown, github: { ...shown.github, appId: 1 } });
    expect(await expectError(renumbered, 400, "invalid_argument")).toContain("github.privateKey");
  });

  it("a private key that is not the App's RSA key, or a malformed github block, is 400 naming the field", async () => {
    const path = `/api/v1/namespaces/${NS}/approvalpolicies/bad-github`;
    const base = { appId: 12345, webhookSecret: "s", environments: ["production"] };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, privateKey: "not a key" }, "github.privateKey"],
      [
        { ...base, privateKey: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----" },
        "github.privateKey",
      ],
      [{ ...base, privateKey: "(sealed)" }, "github.privateKey"],
      [{ ...base, privateKey: "x", appId: "twelve" }, "github.appId"],
      [{ ...base, privateKey: "x", environments: [] }, "github.environments"],
      [{ ...base, privateKey: "x", environments: ["prod", "PROD"] }, "github.environments"],
      [{ ...base, privateKey: "x", apiUrl: "http://github.example.com" }, "github.apiUrl"],
      [{ ...base, privateKey: "x", apiUrl: "https://api.github.com?x=1" }, "github.apiUrl"],
      [{ ...base, privateKey: "x", installationId: 1 }, "github"],
    ];
    for (const [githubBlock, field] of cases) {
      const response = await callJson(path, "PUT", { manual: { required: true }, github: githubBlock });
      expect(await expectError(response, 400, "invalid_argument"), JSON.stringify(githubBlock)).toContain(field);
    }
    expect(await countRows("approval_policies", "name = 'bad-github'")).toBe(0);
  });

  it("key rotation re-seals the App's private key and webhook secret (policies and pending gates' snapshots)", async () => {
    const oldKey = env.HOOKLINE_SECRET_KEY;
    const newKey = "rotated-secret-key-abcdefghijklmnopqrstuvwxyz0123";
    const before = new SecretBox({ current: oldKey, previous: null });
    const during = new SecretBox({ current: newKey, previous: oldKey });
    const context = (field: "private-key" | "webhook-secret") => githubSecretContext("rotate", "gh", field);
    const policy = {
      name: "gh",
      namespace: "rotate",
      webhooks: [],
      github: {
        appId: 1,
        privateKeySealed: await before.seal("the-key", context("private-key")),
        webhookSecretSealed: await before.seal("the-secret", context("webhook-secret")),
        environments: ["production"],
        apiUrl: "https://api.github.com",
      },
    } as unknown as StoredPolicy;
    expect(await resealPolicySecrets(policy, during)).toBe(2);
    const after = new SecretBox({ current: newKey, previous: null });
    expect(await after.open(policy.github?.privateKeySealed ?? "", context("private-key"))).toBe("the-key");
    expect(await after.open(policy.github?.webhookSecretSealed ?? "", context("webhook-secret"))).toBe("the-secret");
    expect(await resealPolicySecrets(policy, during)).toBe(0);
  });
});
