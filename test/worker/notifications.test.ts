import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { adminAuth, bearer, call, callJson, countRows, createToken, expectError, receiver } from "./helpers";

const put = async (path: string, body: unknown) => {
  const response = await callJson(`/api/v1/notifications/${path}`, "PUT", body);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
};

async function postResource(doc: unknown): Promise<{ fired: unknown[]; deliveries: string[]; problems: string[] }> {
  const response = await callJson("/api/v1/notifications/resources", "POST", doc);
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as { fired: unknown[]; deliveries: string[]; problems: string[] };
}

/** An Argo CD Application document. */
function application(name: string, status: Record<string, unknown>, annotations: Record<string, string> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd", annotations },
    spec: { project: "default" },
    status,
  };
}

const synced = (revision: string, health = "Healthy", phase = "Succeeded") => ({
  sync: { status: "Synced", revision },
  health: { status: health },
  operationState: { phase, startedAt: "2026-11-25T10:00:00Z", finishedAt: "2026-11-25T10:01:00Z" },
});

async function waitForRequests(key: string, count: number) {
  return vi.waitFor(
    async () => {
      const requests = await receiver.requests(key);
      if (requests.length < count) throw new Error(`${key}: ${requests.length}/${count} requests`);
      return requests;
    },
    { timeout: 15_000, interval: 100 },
  );
}

async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, index) => ({ id: `n-${index}`, timestamp: new Date(), attempts, body })),
  );
  await worker.queue(batch, env);
  return getQueueResult(batch, createExecutionContext());
}

describe("notifications: Argo CD application triggers", () => {
  it("Progressing → Healthy after a sync fires on-deployed once, signed for DingTalk; again only for a new revision", async () => {
    await receiver.behave("dt-deploy", { secret: "SEC-dingtalk-secret" });
    await put("services/dingtalk", {
      type: "dingtalk",
      url: `${receiver.url}/dingtalk/robot/send?access_token=dt-deploy`,
      secret: "SEC-dingtalk-secret",
    });
    await put("context", { argocdUrl: "https://argocd.example.com" });
    await put("subscriptions/deployments", {
      selector: 'app.metadata.name = "guestbook"',
      triggers: ["on-deployed"],
      destinations: [{ service: "dingtalk" }],
    });

    const progressing = await postResource(application("guestbook", synced("r1", "Progressing", "Running")));
    expect(progressing.deliveries).toEqual([]);
    const deployed = await postResource(application("guestbook", synced("r1")));
    expect(deployed.deliveries).toHaveLength(1);
    const [request] = await waitForRequests("dt-deploy", 1);
    const url = new URL(`http://x${request?.path}${request?.query}`);
    expect(url.searchParams.get("timestamp")).toMatch(/^\d{13}$/);
    expect(url.searchParams.get("sign")).toBeTruthy();
    const body = JSON.parse(request?.body ?? "{}") as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.title).toBe("Application guestbook deployed");
    expect(body.markdown.text).toContain('<font color="#52c41a">Synced</font>');
    expect(body.markdown.text).toContain("(https://argocd.example.com/applications/guestbook?operation=true)");

    // The same document again sends nothing; a new revision sends again.
    expect((await postResource(application("guestbook", synced("r1")))).deliveries).toEqual([]);
    expect((await postResource(application("guestbook", synced("r2")))).deliveries).toHaveLength(1);
    await waitForRequests("dt-deploy", 2);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await receiver.requests("dt-deploy")).toHaveLength(2);
    const log = (await (
      await call("/api/v1/notifications/deliveries?status=delivered", { headers: adminAuth })
    ).json()) as { items: Array<{ trigger: string; attempts: number }> };
    expect(log.items.filter((item) => item.trigger === "on-deployed")).toHaveLength(2);
  });

  it("degraded health fires; it fires again only after having been healthy", async () => {
    await put("services/slack", { type: "slack", url: `${receiver.url}/slack/services/degraded` });
    await put("subscriptions/health", {
      selector: 'app.metadata.namespace = "argocd"',
      triggers: ["on-health-degraded"],
      destinations: [{ service: "slack", recipients: ["#ops"] }],
    });
    expect((await postResource(application("billing", synced("r1", "Degraded")))).deliveries).toHaveLength(1);
    expect((await postResource(application("billing", synced("r1", "Degraded")))).deliveries).toHaveLength(0);
    expect((await postResource(application("billing", synced("r1", "Healthy")))).deliveries).toHaveLength(0);
    expect((await postResource(application("billing", synced("r1", "Degraded")))).deliveries).toHaveLength(1);
    const requests = await waitForRequests("degraded", 2);
    const slack = JSON.parse(requests[0]?.body ?? "{}") as {
      text: string;
      channel: string;
      blocks: Array<{ text: { text: string } }>;
    };
    expect(slack).toMatchObject({ text: "Application billing has degraded", channel: "#ops" });
    expect(slack.blocks[1]?.text.text).toContain("*Degraded*");
  });

  it("honours notifications.argoproj.io/subscribe.<trigger>.<service> annotations (Teams, Lark, Discord, Google Chat, webhook)", async () => {
    await receiver.behave("lark-bot", { secret: "lark-signing-secret" });
    await put("services/teams", { type: "teams", url: `${receiver.url}/teams/ann` });
    await put("services/lark", {
      type: "lark",
      url: `${receiver.url}/lark/open-apis/bot/v2/hook/lark-bot`,
      secret: "lark-signing-secret",
    });
    await put("services/discord", { type: "discord", url: `${receiver.url}/discord/api/webhooks/ann/token` });
    await put("services/gchat", { type: "googlechat", url: `${receiver.url}/googlechat/v1/spaces/ann/messages` });
    await put("services/hook", {
      type: "webhook",
      url: receiver.hook("ann-hook"),
      headers: [{ name: "X-Api-Key", secret: "k-123" }],
    });
    const annotations = Object.fromEntries(
      ["teams", "lark", "discord", "gchat", "hook"].map((service) => [
        `notifications.argoproj.io/subscribe.on-sync-succeeded.${service}`,
        "",
      ]),
    );
    const result = await postResource(application("annotated", synced("r9"), annotations));
    expect(result.deliveries).toHaveLength(5);
    const [teams] = await waitForRequests("ann", 2);
    expect(teams?.body).toContain("AdaptiveCard");
    const [lark] = await waitForRequests("lark-bot", 1);
    expect(JSON.parse(lark?.body ?? "{}")).toMatchObject({
      msg_type: "interactive",
      card: { header: { title: { content: "Argo CD application annotated synced" } } },
    });
    const [hook] = await waitForRequests("ann-hook", 1);
    expect(hook?.headers["x-api-key"]).toBe("k-123");
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({
      title: "Argo CD application annotated synced",
      trigger: "on-sync-succeeded",
      template: "app-sync-succeeded",
    });
    await vi.waitFor(
      async () => {
        expect(await countRows("notification_deliveries", "resource LIKE '%/annotated' AND status = 'delivered'")).toBe(
          5,
        );
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});

describe("notifications: the seed's Argo CD configuration, unchanged", () => {
  it("an expr trigger and the seed's DingTalk webhook template send what Argo CD would", async () => {
    // As in the seed: a webhook service named "dingtalk" sends the template's webhook.dingtalk body.
    await put("templates/app-sync-change", {
      webhook: {
        dingtalk: {
          method: "POST",
          body: '{\n      "msgtype": "markdown",\n      "markdown": {\n          "title":"Argo CD application status",\n          "text": "### Argo CD application status\\n> - Application name: {{.app.metadata.name}}\\n> - Status: {{ .app.status.operationState.phase}}\\n> - Time:{{.app.status.operationState.finishedAt}}\\n> - Application URL: [Click to access]({{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true) \\n"\n      }\n}\n',
        },
      },
    });
    await put("services/dingtalk", {
      type: "webhook",
      url: receiver.hook("seed-dingtalk"),
      headers: [{ name: "Content-Type", value: "application/json" }],
    });
    await put("triggers/on-seed-deployed", {
      expressionLanguage: "expr",
      conditions: [
        {
          description: "Application is synced and healthy. Triggered once per commit.",
          oncePer: "app.status.sync.revision",
          send: ["app-sync-change"],
          when: "app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
        },
      ],
    });
    await put("subscriptions/seed", {
      selector: 'app.metadata.name = "seed-app"',
      triggers: ["on-seed-deployed"],
      destinations: [{ service: "dingtalk" }],
    });
    expect((await postResource(application("seed-app", synced("r1")))).deliveries).toHaveLength(1);
    const [request] = await waitForRequests("seed-dingtalk", 1);
    expect(request?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(request?.body ?? "{}") as { msgtype: string; markdown: { title: string; text: string } };
    expect(body).toEqual({
      msgtype: "markdown",
      markdown: {
        title: "Argo CD application status",
        text: `### Argo CD application status\n> - Application name: seed-app\n> - Status: Succeeded\n> - Time:2026-11-25T10:01:00Z\n> - Application URL: [Click to access](${((await (await call("/api/v1/notifications/context", { headers: adminAuth })).json()) as { argocdUrl: string }).argocdUrl}/applications/seed-app?operation=true) \n`,
      },
    });
  });
});

describe("notifications: failures", () => {
  it("a service answering 500 is retried, then dead-lettered as failed", async () => {
    await receiver.behave("down", { status: 500 });
    await put("services/down", { type: "webhook", url: receiver.hook("down") });
    await put("subscriptions/to-down", {
      selector: 'app.metadata.name = "doomed"',
      triggers: ["on-sync-failed"],
      destinations: [{ service: "down" }],
    });
    const [id] = (await postResource(application("doomed", synced("r1", "Healthy", "Failed")))).deliveries;
    const message = { v: 1, kind: "delivery", id };
    // Wait until the real queue's first attempt has happened, then replay the tail by hand.
    await waitForRequests("down", 1);
    const retried = await deliver("hookline-notifications", [message], 3);
    expect(retried.retryMessages.length + retried.explicitAcks.length).toBe(1);
    const dead = await deliver("hookline-notifications-dlq", [message], 11);
    expect(dead.retryBatch.retry).toBeFalsy();
    const row = await env.DB.prepare("SELECT status, last_error FROM notification_deliveries WHERE id = ?1")
      .bind(id)
      .first<{ status: string; last_error: string }>();
    expect(row?.status).toBe("failed");
    expect(row?.last_error).toMatch(/^gave up after 11 delivery attempt\(s\): service "down" answered 500/);
    const listed = (await (
      await call("/api/v1/notifications/deliveries?status=failed", { headers: adminAuth })
    ).json()) as { items: Array<{ id: string; lastError: string }> };
    expect(listed.items.map((item) => item.id)).toContain(id);
  });

  it("DingTalk refusing the signature (errcode ≠ 0) fails the delivery without retrying", async () => {
    await receiver.behave("dt-wrong", { secret: "the-real-secret" });
    await put("services/dt-wrong", {
      type: "dingtalk",
      url: `${receiver.url}/dingtalk/robot/send?access_token=dt-wrong`,
      secret: "a-wrong-secret",
    });
    await put("subscriptions/to-dt-wrong", {
      selector: 'app.metadata.name = "wrong-sign"',
      triggers: ["on-sync-succeeded"],
      destinations: [{ service: "dt-wrong" }],
    });
    const [id] = (await postResource(application("wrong-sign", synced("r1")))).deliveries;
    await vi.waitFor(
      async () => {
        const row = await env.DB.prepare(
          "SELECT status, last_error, attempts FROM notification_deliveries WHERE id = ?1",
        )
          .bind(id)
          .first<{ status: string; last_error: string; attempts: number }>();
        expect(row).toMatchObject({ status: "failed", attempts: 1 });
        expect(row?.last_error).toMatch(/error 310000: sign not match/);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("a redelivered delivery message never sends twice", async () => {
    await put("services/once", { type: "webhook", url: receiver.hook("once") });
    await put("subscriptions/to-once", {
      selector: 'app.metadata.name = "once"',
      triggers: ["on-sync-succeeded"],
      destinations: [{ service: "once" }],
    });
    const [id] = (await postResource(application("once", synced("r1")))).deliveries;
    const message = { v: 1, kind: "delivery", id };
    await Promise.all([
      deliver("hookline-notifications", [message, message]),
      deliver("hookline-notifications", [message]),
    ]);
    await waitForRequests("once", 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await receiver.requests("once")).toHaveLength(1);
  });

  it("paces DingTalk: past the service's per-minute rate, deliveries wait (no attempt spent) for the window to move on", async () => {
    await put("services/paced", {
      type: "dingtalk",
      url: `${receiver.url}/dingtalk/robot/send?access_token=paced`,
      ratePerMinute: 2,
    });
    await put("subscriptions/to-paced", {
      selector: '$contains(app.metadata.name, "paced-")',
      triggers: ["on-sync-succeeded"],
      destinations: [{ service: "paced" }],
    });
    for (const name of ["paced-a", "paced-b", "paced-c"]) await postResource(application(name, synced("r1")));
    // The suite counts "per minute" over a 2 s window (vitest.config.ts).
    await waitForRequests("paced", 2);
    expect(await countRows("notification_deliveries", "service = 'paced' AND status = 'pending'")).toBe(1);
    const [first, , third] = await waitForRequests("paced", 3);
    expect((third?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(
      await countRows("notification_deliveries", "service = 'paced' AND status = 'delivered' AND attempts = 1"),
    ).toBe(3);
  });
});

describe("notifications: hookline's own events", () => {
  it("an approval decided reaches a subscribed Slack channel", async () => {
    await put("services/slack-approvals", { type: "slack", url: `${receiver.url}/slack/services/approvals` });
    await put("subscriptions/approvals", {
      triggers: ["on-approval-decided"],
      destinations: [{ service: "slack-approvals", recipients: ["#releases"] }],
    });
    const policy = await callJson("/api/v1/namespaces/shop/approvalpolicies/release", "PUT", {
      manual: { required: true },
    });
    expect(policy.status).toBe(201);
    const created = (await (
      await callJson("/api/v1/namespaces/shop/approvals", "POST", { policy: "release" })
    ).json()) as { id: string };
    const decision = await callJson(`/api/v1/namespaces/shop/approvals/${created.id}/decision`, "POST", {
      approve: true,
      message: "LGTM **ship it**",
    });
    expect(decision.status).toBe(200);
    const [request] = await waitForRequests("approvals", 1);
    const slack = JSON.parse(request?.body ?? "{}") as {
      text: string;
      channel: string;
      blocks: Array<{ text: { text: string } }>;
    };
    expect(slack.text).toBe("Approval approved: release in shop");
    expect(slack.channel).toBe("#releases");
    // The approver's message is their text, not markup (its asterisks shown, not bold).
    expect(slack.blocks[1]?.text.text).toContain("LGTM \u2217\u2217ship it\u2217\u2217");
  });
});

describe("notifications API: validation and secrets", () => {
  it("refuses a trigger whose expression does not compile, naming the field and position", async () => {
    const message = await expectError(
      await callJson("/api/v1/notifications/triggers/broken", "PUT", {
        conditions: [{ when: "app.status = = 1", send: ["app-deployed"] }],
      }),
      400,
      "invalid_argument",
    );
    expect(message).toMatch(/conditions\[0\]\.when: .*\(at position \d+\)/);
    const unknownTemplate = await expectError(
      await callJson("/api/v1/notifications/triggers/broken", "PUT", {
        conditions: [{ when: "true", send: ["no-such-template"] }],
      }),
      400,
      "invalid_argument",
    );
    expect(unknownTemplate).toMatch(/template "no-such-template" does not exist/);
    expect(await countRows("notification_triggers", "name = 'broken'")).toBe(0);
  });

  it("accepts a trigger with oncePer and shows it; the built-in catalog is listed", async () => {
    await put("triggers/on-prod-deployed", {
      conditions: [
        {
          when: 'app.metadata.labels.env = "prod" and app.status.health.status = "Healthy"',
          oncePer: "app.status.sync.revision",
          send: ["app-deployed"],
        },
      ],
    });
    const catalog = (await (await call("/api/v1/notifications/triggers/catalog", { headers: adminAuth })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(catalog.items.map((item) => item.name)).toEqual(
      expect.arrayContaining([
        "on-deployed",
        "on-health-degraded",
        "on-sync-failed",
        "on-sync-running",
        "on-sync-status-unknown",
        "on-sync-succeeded",
        "on-approval-decided",
      ]),
    );
  });

  it("seals service URLs and secrets and never returns them", async () => {
    const url = `${receiver.url}/dingtalk/robot/send?access_token=very-secret-token`;
    const shown = await put("services/sealed", { type: "dingtalk", url, secret: "SEC-signing" });
    expect(JSON.stringify(shown)).not.toContain("very-secret-token");
    expect(JSON.stringify(shown)).not.toContain("SEC-signing");
    expect(
      JSON.stringify(await env.DB.prepare("SELECT object FROM notification_services WHERE name = 'sealed'").first()),
    ).not.toMatch(/very-secret-token|SEC-signing/);
    const listed = await (await call("/api/v1/notifications/services", { headers: adminAuth })).text();
    expect(listed).not.toContain("very-secret-token");
  });

  const badServices: Array<[string, unknown]> = [
    ["an unknown type", { type: "pager", url: "https://x.example.com" }],
    ["plain http to a remote host", { type: "slack", url: "http://hooks.slack.com/x" }],
    ["no URL", { type: "slack" }],
    ["both url and urlSecret", { type: "slack", url: "https://x.example.com", urlSecret: "NOTIFY_SLACK" }],
    ["a signing secret for Slack", { type: "slack", url: "https://x.example.com", secret: "s" }],
    ["a Worker secret outside NOTIFY_*", { type: "slack", urlSecret: "HOOKLINE_SECRET_KEY" }],
  ];
  for (const [what, body] of badServices) {
    it(`refuses a service with ${what}`, async () => {
      await expectError(await callJson("/api/v1/notifications/services/bad", "PUT", body), 400, "invalid_argument");
    });
  }

  it("refuses subscriptions with a bad selector and resources without a name; needs notifications:write", async () => {
    await expectError(
      await callJson("/api/v1/notifications/subscriptions/bad", "PUT", {
        selector: "app.(",
        triggers: ["on-deployed"],
        destinations: [{ service: "x" }],
      }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson("/api/v1/notifications/resources", "POST", { kind: "Application", metadata: {} }),
      400,
      "invalid_argument",
    );
    await expectError(await callJson("/api/v1/notifications/resources", "POST", "[1,2]"), 400, "invalid_argument");
    const token = await createToken({ name: "no-notify", namespaces: ["*"], scopes: ["events:write"] });
    await expectError(
      await callJson("/api/v1/notifications/resources", "POST", application("x", {}), bearer(token)),
      403,
      "permission_denied",
    );
  });
});
