import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Eta } from "eta";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { GO_HELPERS } from "../../src/notifications/go-helpers";
import { runCli } from "./run-cli";

let worker: RunningWorker;
let dir: string;

beforeAll(async () => {
  worker = await startWorker();
  dir = mkdtempSync(join(tmpdir(), "hookline-import-"));
});
afterAll(async () => {
  await worker?.stop();
});

function hookline(args: string[]) {
  return runCli(worker, join(dir, "config"), args);
}

async function api(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${worker.url}${path}`, { headers: { authorization: `Bearer ${worker.adminToken}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("hookline import argocd-notifications: the seed's ConfigMap, as published", () => {
  it("writes Eta templates, creates the service, context, triggers and subscription, and says to deploy", async () => {
    const templates = join(dir, "templates");
    const result = hookline([
      "import",
      "argocd-notifications",
      "-f",
      join(root, "test/fixtures/argocd-notifications-cm.yaml"),
      "--templates-dir",
      templates,
    ]);
    expect(result.code, result.stderr).toBe(0);
    for (const name of ["app-sync-change", "app-sync-status-unknown", "app-sync-failed"]) {
      expect(existsSync(join(templates, name, "webhook.dingtalk.eta")), name).toBe(true);
      expect(existsSync(join(templates, name, "title.eta")), name).toBe(true);
    }
    expect(result.stdout).toContain("notificationservice/dingtalk created");
    expect(result.stdout).toContain("context created");
    expect(result.stdout).toContain("notificationsubscription/argocd-1 created");
    // The Worker already has templates of these names (hookline ships app-sync-change from this seed),
    // so every trigger applies now; the newly written templates take effect once deployed.
    for (const trigger of [
      "on-deployed",
      "on-health-degraded",
      "on-sync-failed",
      "on-sync-status-unknown",
      "on-sync-running",
      "on-sync-succeeded",
    ]) {
      expect(result.stdout).toContain(`notificationtrigger/${trigger} created`);
    }
    expect(result.stdout).toMatch(/compiled into the Worker when it is built: deploy it/);

    const service = await api("/api/v1/notifications/services/dingtalk");
    expect(service).toMatchObject({
      type: "webhook",
      url: "(sealed)",
      headers: [{ name: "Content-Type", value: "application/json" }],
    });
    expect(await api("/api/v1/notifications/context")).toEqual({ argocdUrl: "<argocd server lb ip>" });
    const trigger = (await api("/api/v1/notifications/triggers/on-sync-failed")) as {
      expressionLanguage: string;
      conditions: Array<{ when: string }>;
      status: { translated: Record<string, string> };
    };
    expect(trigger.expressionLanguage).toBe("expr");
    expect(trigger.conditions[0]?.when).toBe(
      "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    );
    expect(trigger.status.translated["conditions[0].when"]).toBe(
      '($not($exprIsNil(app.status.operationState)) and (app.status.operationState.phase in ["Error", "Failed"]))',
    );
    expect(await api("/api/v1/notifications/subscriptions/argocd-1")).toMatchObject({
      triggers: ["on-sync-failed", "on-sync-succeeded", "on-sync-status-unknown", "on-deployed"],
      destinations: [{ service: "dingtalk", recipients: [""] }],
    });

    // The translated DingTalk body renders what Argo CD would have sent.
    const body = new Eta({ autoEscape: false, useWith: false }).renderString(
      readFileSync(join(templates, "app-sync-change", "webhook.dingtalk.eta"), "utf8"),
      {
        app: {
          metadata: { name: "guestbook" },
          status: { operationState: { phase: "Succeeded", finishedAt: "2026-11-25T10:01:02Z" } },
        },
        context: { argocdUrl: "https://argocd.example.com" },
        go: GO_HELPERS,
      },
    );
    const message = JSON.parse(body) as { msgtype: string; markdown: { title: string; text: string } };
    expect(message.msgtype).toBe("markdown");
    expect(message.markdown.text).toBe(
      "### Argo CD application status\n> - Application name: guestbook\n> - Status: Succeeded\n> - Time:2026-11-25T10:01:02Z\n> - Application URL: [Click to access](https://argocd.example.com/applications/guestbook?operation=true) \n",
    );

    // Importing again changes nothing.
    const again = hookline([
      "import",
      "argocd-notifications",
      "-f",
      join(root, "test/fixtures/argocd-notifications-cm.yaml"),
      "--templates-dir",
      templates,
    ]);
    expect(again.stdout).toContain("notificationservice/dingtalk unchanged");
    expect(again.stdout).toContain("notificationtrigger/on-sync-failed unchanged");
  });

  it("turns Argo CD label selectors into JSONata and reports what it cannot import", () => {
    const cm = join(dir, "cm.yaml");
    writeFileSync(
      cm,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.slack: |
    token: $slack-token
  service.teams: |
    recipientUrls:
      ops: https://example.webhook.office.com/webhookb2/ops
  template.my-alert: |
    message: "{{.app.metadata.name}} needs attention"
  trigger.on-alert: |
    - when: app.status.health.status == 'Missing'
      send: [my-alert]
  trigger.on-prod: |
    - when: app.metadata.labels.env == 'prod' && sprig.md5sum(app.metadata.name) != ''
      send: [app-deployed]
  subscriptions: |
    - recipients: [teams:ops]
      triggers: [on-deployed]
      selector: env=prod,tier in (web, api),!legacy
`,
    );
    const result = hookline(["import", "argocd-notifications", "-f", cm, "--templates-dir", join(dir, "t2")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/service\.slack: the slack service .* cannot be imported/);
    expect(result.stderr).toMatch(
      /notificationtrigger\/on-prod: conditions\[0\]\.when: sprig\.md5sum is not supported .*\(at position \d+\)/,
    );
    expect(result.stdout).toContain("notificationservice/teams-ops created");
    expect(result.stdout).toContain("notificationsubscription/argocd-1 configured");
    expect(result.stdout).toMatch(/then run this import again to apply notificationtrigger\/on-alert\./);
    expect(readFileSync(join(dir, "t2", "my-alert", "body.eta"), "utf8")).toBe(
      '<%~ it.go.print(it.go.get(it, "app", "metadata", "name")) %> needs attention',
    );
    const subscription = JSON.parse(hookline(["get", "subscription", "argocd-1", "-o", "json"]).stdout) as {
      selector: string;
      destinations: unknown;
    };
    expect(subscription.selector).toBe(
      'app.metadata.labels.`env` = "prod" and app.metadata.labels.`tier` in ["web", "api"] and $not($exists(app.metadata.labels.`legacy`))',
    );
    expect(subscription.destinations).toEqual([{ service: "teams-ops", recipients: [""] }]);
  });
});
