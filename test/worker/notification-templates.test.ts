import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { adminAuth, call, callJson, expectError, receiver } from "./helpers";

const put = async (path: string, body: unknown) => {
  const response = await callJson(`/api/v1/notifications/${path}`, "PUT", body);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
};

const application = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name, namespace: "argocd" },
  spec: { source: { repoURL: "git@github.com:acme/guestbook.git" } },
  status: {
    sync: { status: "Synced", revision: "0123456789abcdef" },
    health: { status: "Healthy" },
    operationState: { phase: "Succeeded", finishedAt: "2026-11-25T10:01:00Z" },
    conditions: [{ type: "SyncError", message: "one" }],
    ...extra,
  },
});

async function notify(name: string): Promise<string[]> {
  const response = await callJson("/api/v1/notifications/resources", "POST", application(name));
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { deliveries: string[] }).deliveries;
}

async function delivery(id: string, status = "delivered") {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare("SELECT status, last_error, message FROM notification_deliveries WHERE id = ?1")
        .bind(id)
        .first<{ status: string; last_error: string | null; message: string }>();
      if (row?.status !== status) throw new Error(`delivery ${id}: ${row?.status} (${row?.last_error})`);
      return row;
    },
    { timeout: 15_000, interval: 100 },
  );
}

async function requestsOf(key: string, count: number) {
  return vi.waitFor(
    async () => {
      const requests = await receiver.requests(key);
      if (requests.length < count) throw new Error(`${key}: ${requests.length}/${count}`);
      return requests;
    },
    { timeout: 15_000, interval: 100 },
  );
}

/** A trigger that fires for every resource, and a subscription of `app` to it at `service`. */
async function subscribe(app: string, template: string, service: string, recipients?: string[]) {
  await put(`triggers/always-${app}`, {
    expressionLanguage: "expr",
    conditions: [{ when: "true", oncePer: "app.status.sync.revision", send: [template] }],
  });
  await put(`subscriptions/${app}`, {
    selector: `app.metadata.name = "${app}"`,
    triggers: [`always-${app}`],
    destinations: [{ service, ...(recipients ? { recipients } : {}) }],
  });
}

const CATALOG_ATTACHMENTS = `[{
  "title": "{{ .app.metadata.name}}",
  "title_link":"{{.context.argocdUrl}}/applications/{{.app.metadata.name}}",
  "color": "#18be52",
  "fields": [
  {"title": "Sync Status", "value": "{{.app.status.sync.status}}", "short": true},
  {"title": "Repository", "value": "{{.app.spec.source.repoURL}}", "short": true}
  {{range $index, $c := .app.status.conditions}}
  ,
  {"title": "{{$c.type}}", "value": "{{$c.message}}", "short": true}
  {{end}}
  ]
}]`;

describe("notification templates: objects, rendered at run time", () => {
  it("are created, read, listed, re-applied unchanged and deleted", async () => {
    const spec = { message: "Application {{.app.metadata.name}} is up.", slack: { attachments: "[]" } };
    const created = await callJson("/api/v1/notifications/templates/crud", "PUT", spec);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ name: "crud", ...spec });
    const again = await callJson("/api/v1/notifications/templates/crud", "PUT", spec);
    expect(again.headers.get("x-hookline-action")).toBe("unchanged");
    const read = await call("/api/v1/notifications/templates/crud", { headers: adminAuth });
    expect(await read.json()).toEqual({ name: "crud", ...spec });
    const list = (await (await call("/api/v1/notifications/templates", { headers: adminAuth })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(list.items.map((item) => item.name)).toContain("crud");
    expect((await call("/api/v1/notifications/templates/crud", { method: "DELETE", headers: adminAuth })).status).toBe(
      204,
    );
    await expectError(await call("/api/v1/notifications/templates/crud", { headers: adminAuth }), 404, "not_found");
  });

  it("an edit is live at once: the next notification renders the new text", async () => {
    await receiver.behave("live-edit", {});
    await put("services/live-edit", { type: "webhook", url: receiver.hook("live-edit") });
    await put("templates/live", {
      webhook: { "live-edit": { method: "PUT", path: "/apps/{{.app.metadata.name}}", body: '{"v": 1}' } },
    });
    await subscribe("live-one", "live", "live-edit");
    await delivery((await notify("live-one"))[0] ?? "");
    await put("templates/live", { webhook: { "live-edit": { body: '{"v": 2, "app": "{{.app.metadata.name}}"}' } } });
    await subscribe("live-two", "live", "live-edit");
    await delivery((await notify("live-two"))[0] ?? "");
    const [first, second] = await requestsOf("live-edit", 2);
    expect(first?.method).toBe("PUT");
    expect(first?.path).toBe("/hooks/live-edit/apps/live-one");
    expect(JSON.parse(first?.body ?? "")).toEqual({ v: 1 });
    expect(second?.method).toBe("POST");
    expect(JSON.parse(second?.body ?? "")).toEqual({ v: 2, app: "live-two" });
  });

  it("Slack attachments from Argo CD's catalog arrive as JSON with their fields", async () => {
    await put("context", { argocdUrl: "https://argocd.example.com" });
    // Named as Argo CD names `service.slack`: templates see the name as serviceType.
    await put("services/slack", { type: "slack", url: `${receiver.url}/slack/services/tpl-attach` });
    await put("templates/deployed-slack", {
      message:
        '{{if eq .serviceType "slack"}}:white_check_mark:{{end}} Application {{.app.metadata.name}} is now running.',
      slack: { attachments: CATALOG_ATTACHMENTS, groupingKey: "{{.app.metadata.name}}", notifyBroadcast: false },
    });
    await subscribe("attach-app", "deployed-slack", "slack");
    await delivery((await notify("attach-app"))[0] ?? "");
    const [request] = await requestsOf("tpl-attach", 1);
    const body = JSON.parse(request?.body ?? "{}");
    expect(body.text).toBe(":white_check_mark: Application attach-app is now running.");
    expect(body.attachments).toEqual([
      {
        title: "attach-app",
        title_link: "https://argocd.example.com/applications/attach-app",
        color: "#18be52",
        fields: [
          { title: "Sync Status", value: "Synced", short: true },
          { title: "Repository", value: "git@github.com:acme/guestbook.git", short: true },
          { title: "SyncError", value: "one", short: true },
        ],
      },
    ]);
  });

  it("templates see the service's name as serviceType and context.notificationType, as notifications-engine sets them", async () => {
    await receiver.behave("tpl-vars", {});
    // Argo CD's service.webhook.github: a webhook service named github.
    await put("services/github", { type: "webhook", url: receiver.hook("tpl-vars") });
    await put("templates/vars", {
      message: "{{.serviceType}} {{.recipient}}\n",
      webhook: {
        github: {
          body: '{"serviceType": "{{.serviceType}}", "notificationType": "{{.context.notificationType}}", "recipient": "{{.recipient}}"}',
        },
      },
    });
    await subscribe("vars-app", "vars", "github", ["commit-status"]);
    const row = await delivery((await notify("vars-app"))[0] ?? "");
    const [request] = await requestsOf("tpl-vars", 1);
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      serviceType: "github",
      notificationType: "github",
      recipient: "commit-status",
    });
    // The message keeps Go's trailing newline.
    expect(JSON.parse(row.message).body).toBe("github commit-status\n");
  });

  it("Teams facts and actions become an Adaptive Card's FactSet and OpenUrl actions", async () => {
    await put("services/teams-tpl", { type: "teams", url: `${receiver.url}/teams/tpl-facts` });
    await put("templates/teams-facts", {
      message: "Application {{.app.metadata.name}} synced.",
      teams: {
        title: "Synced: {{.app.metadata.name}}",
        facts: '[{"name": "Sync Status", "value": "{{.app.status.sync.status}}"}]',
        potentialAction:
          '[{"@type": "OpenUri", "name": "Open Repository", "targets": [{"os": "default", "uri": "{{.app.spec.source.repoURL | call .repo.RepoURLToHTTPS}}"}]}]',
      },
    });
    await subscribe("teams-app", "teams-facts", "teams-tpl");
    await delivery((await notify("teams-app"))[0] ?? "");
    const [request] = await requestsOf("tpl-facts", 1);
    const card = JSON.parse(request?.body ?? "{}").attachments[0].content;
    expect(card.body[0].text).toBe("Synced: teams-app");
    expect(card.body).toContainEqual({ type: "FactSet", facts: [{ title: "Sync Status", value: "Synced" }] });
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open Repository", url: "https://github.com/acme/guestbook.git" },
    ]);
  });

  it("a template that renders invalid JSON fails its delivery and says which field", async () => {
    await put("services/slack-bad", { type: "slack", url: `${receiver.url}/slack/services/tpl-bad` });
    await put("templates/bad-json", { message: "x", slack: { attachments: '[{"title": "{{.app.metadata.name}}",]' } });
    await subscribe("bad-json-app", "bad-json", "slack-bad");
    // A template that cannot render fails at fan-out: nothing is queued, the failure is recorded.
    expect(await notify("bad-json-app")).toEqual([]);
    const row = await env.DB.prepare("SELECT status, last_error FROM notification_deliveries WHERE resource LIKE ?1")
      .bind("%bad-json-app")
      .first<{ status: string; last_error: string }>();
    expect(row?.status).toBe("failed");
    expect(row?.last_error).toMatch(/template "bad-json" failed to render: slack\.attachments is not valid JSON/);
  });

  it("a template that would build gigabytes fails its delivery with TEMPLATE_BUDGET; another template still delivers", async () => {
    await put("services/hungry-hook", { type: "webhook", url: receiver.hook("hungry-hook") });
    await put("templates/hungry", {
      message:
        '{{ $s := repeat 1000000 "a" }}{{ range list 1 2 3 4 5 6 7 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}',
    });
    await put("templates/modest", { message: "{{ .app.metadata.name }} is fine" });
    await subscribe("hungry-app", "hungry", "hungry-hook");
    await subscribe("modest-app", "modest", "hungry-hook");
    expect(await notify("hungry-app")).toEqual([]);
    const row = await env.DB.prepare("SELECT status, last_error FROM notification_deliveries WHERE resource LIKE ?1")
      .bind("%hungry-app")
      .first<{ status: string; last_error: string }>();
    expect(row?.status).toBe("failed");
    expect(row?.last_error).toMatch(
      /template "hungry" failed to render: message: TEMPLATE_BUDGET: print would build a string of about 2000002 characters \(limit 1 MiB per value\)/,
    );
    await delivery((await notify("modest-app"))[0] ?? "");
    const [request] = await requestsOf("hungry-hook", 1);
    expect(JSON.parse(request?.body ?? "{}").body).toBe("modest-app is fine");
  });
});

describe("notification templates: bad input changes nothing", () => {
  const refused: Array<[string, unknown, RegExp]> = [
    [
      "a syntax error, with the field and line",
      { message: "ok\n{{if .app}}never closed" },
      /message: line 2: unexpected EOF/,
    ],
    ["an unknown function", { message: "{{nope .app}}" }, /message: line 1: function "nope" not defined/],
    [
      "a sprig function hookline lacks",
      { title: "{{sha256sum .app.metadata.name}}" },
      /"sha256sum" \(sprig\) is not available/,
    ],
    ["an unknown field", { message: "x", slack: { colour: "red" } }, /colour/],
    ["a webhook name that is not a Kubernetes name", { webhook: { __proto__x: { body: "x" } } }, /webhook/],
    ["a template over 64 KiB", { message: "x".repeat(64 * 1024 + 1) }, /message/],
    ["a wrong type", { message: 42 }, /message/],
  ];
  for (const [what, spec, message] of refused) {
    it(`refuses ${what}`, async () => {
      const text = await expectError(
        await callJson("/api/v1/notifications/templates/refused", "PUT", spec),
        400,
        "invalid_argument",
      );
      expect(text).toMatch(message);
      await expectError(
        await call("/api/v1/notifications/templates/refused", { headers: adminAuth }),
        404,
        "not_found",
      );
    });
  }

  it("refuses a __proto__ webhook key without touching any prototype", async () => {
    const response = await call("/api/v1/notifications/templates/proto", {
      method: "PUT",
      headers: { ...adminAuth, "content-type": "application/json" },
      body: '{"webhook": {"__proto__": {"body": "x"}}}',
    });
    await expectError(response, 400, "invalid_argument");
    expect(({} as Record<string, unknown>).body).toBeUndefined();
  });

  it("a trigger may not send a template that does not exist", async () => {
    const text = await expectError(
      await callJson("/api/v1/notifications/triggers/dangling", "PUT", {
        conditions: [{ when: "true", send: ["no-such-template"] }],
      }),
      400,
      "invalid_argument",
    );
    expect(text).toMatch(/template "no-such-template" does not exist/);
  });

  it("a template a trigger sends cannot be deleted (409), and stays", async () => {
    await put("templates/in-use", { message: "x" });
    await put("triggers/uses-it", { conditions: [{ when: "true", send: ["in-use"] }] });
    const text = await expectError(
      await call("/api/v1/notifications/templates/in-use", { method: "DELETE", headers: adminAuth }),
      409,
      "aborted",
    );
    expect(text).toMatch(/used by trigger\(s\) uses-it/);
    expect((await call("/api/v1/notifications/templates/in-use", { headers: adminAuth })).status).toBe(200);
  });
});

describe("notifications: Slack by bot token", () => {
  it("posts chat.postMessage to the recipient channel with the bot token, username and icon; the token is never shown", async () => {
    await receiver.behave("bot-ok", { secret: "xoxb-test-token" });
    const service = await put("services/slack-bot", {
      type: "slack",
      token: "xoxb-test-token",
      apiUrl: `${receiver.url}/slackapi/bot-ok/api`,
      username: "Argo CD",
      icon: ":rocket:",
    });
    expect(JSON.stringify(service)).not.toContain("xoxb-test-token");
    expect(service).toMatchObject({ token: "(sealed)", username: "Argo CD", icon: ":rocket:" });
    await put("templates/bot-message", { message: "Application {{.app.metadata.name}} deployed." });
    await subscribe("bot-app", "bot-message", "slack-bot", ["deploys"]);
    await delivery((await notify("bot-app"))[0] ?? "");
    const [request] = await requestsOf("bot-ok", 1);
    expect(request?.path).toBe("/slackapi/bot-ok/api/chat.postMessage");
    expect(request?.headers.authorization).toBe("Bearer xoxb-test-token");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      channel: "deploys",
      username: "Argo CD",
      icon_emoji: ":rocket:",
      text: "Application bot-app deployed.",
    });
  });

  it("threads a groupingKey's messages under its first one (reply_broadcast), and PostAndUpdate edits it", async () => {
    await receiver.behave("bot-thread", { secret: "xoxb-thread" });
    await put("services/slack-thread", {
      type: "slack",
      token: "xoxb-thread",
      apiUrl: `${receiver.url}/slackapi/bot-thread/api`,
    });
    await put("templates/threaded", {
      message: "{{.app.metadata.name}} at {{.app.status.sync.revision}}",
      slack: { groupingKey: "{{.app.metadata.name}}", notifyBroadcast: true, deliveryPolicy: "PostAndUpdate" },
    });
    await subscribe("thread-app", "threaded", "slack-thread", ["deploys"]);
    const post = async (revision: string) => {
      const response = await callJson("/api/v1/notifications/resources", "POST", {
        ...application("thread-app"),
        status: { ...application("thread-app").status, sync: { status: "Synced", revision } },
      });
      const [id] = ((await response.json()) as { deliveries: string[] }).deliveries;
      await delivery(id ?? "");
    };
    await post("r1");
    await post("r2");
    const [first, reply, update] = await requestsOf("bot-thread", 3);
    const firstBody = JSON.parse(first?.body ?? "{}");
    expect(firstBody).toMatchObject({ channel: "deploys", text: "thread-app at r1" });
    expect(firstBody.thread_ts).toBeUndefined();
    const replyBody = JSON.parse(reply?.body ?? "{}");
    expect(reply?.path).toBe("/slackapi/bot-thread/api/chat.postMessage");
    expect(replyBody).toMatchObject({ channel: "deploys", text: "thread-app at r2", reply_broadcast: true });
    expect(replyBody.thread_ts).toMatch(/^\d+\.\d{6}$/);
    expect(update?.path).toBe("/slackapi/bot-thread/api/chat.update");
    expect(JSON.parse(update?.body ?? "{}")).toEqual({
      channel: "deploys",
      ts: replyBody.thread_ts,
      text: "thread-app at r2",
    });
  });

  it("a refused token fails the delivery with Slack's error; no channel fails before calling", async () => {
    await receiver.behave("bot-bad", { secret: "xoxb-the-real-one" });
    await put("services/slack-bot-bad", {
      type: "slack",
      token: "xoxb-wrong",
      apiUrl: `${receiver.url}/slackapi/bot-bad/api`,
    });
    await put("templates/bot-bad", { message: "x" });
    await subscribe("bot-bad-app", "bot-bad", "slack-bot-bad", ["deploys"]);
    const refused = await delivery((await notify("bot-bad-app"))[0] ?? "", "failed");
    expect(refused.last_error).toMatch(/answered error invalid_auth/);
    await subscribe("bot-nochannel", "bot-bad", "slack-bot-bad");
    const unnamed = await delivery((await notify("bot-nochannel"))[0] ?? "", "failed");
    expect(unnamed.last_error).toMatch(/name a channel/);
    expect(await receiver.requests("bot-bad")).toHaveLength(1);
  });

  it("refuses a token on a non-Slack service, and a Slack service with both a url and a token", async () => {
    await expectError(
      await callJson("/api/v1/notifications/services/not-slack", "PUT", {
        type: "teams",
        token: "x",
        url: "https://example.com/x",
      }),
      400,
      "invalid_argument",
    );
    await expectError(
      await callJson("/api/v1/notifications/services/both", "PUT", {
        type: "slack",
        token: "xoxb-x",
        url: "https://hooks.slack.com/services/x",
      }),
      400,
      "invalid_argument",
    );
  });
});
