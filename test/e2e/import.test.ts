import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { type Receiver, startReceiver } from "../fakes/receiver";
import { runCli } from "./run-cli";

let worker: RunningWorker;
let receiver: Receiver;
let dir: string;

beforeAll(async () => {
  [worker, receiver] = await Promise.all([startWorker(), startReceiver()]);
  dir = mkdtempSync(join(tmpdir(), "hookline-import-"));
});
afterAll(async () => {
  await Promise.all([worker?.stop(), receiver?.close()]);
});

function hookline(args: string[]) {
  return runCli(worker, join(dir, "config"), args);
}

async function api(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${worker.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
  });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function slackRequests(key: string): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  const response = await fetch(`${receiver.url}/_receiver/requests?key=${key}`);
  return ((await response.json()) as { requests: Array<{ headers: Record<string, string>; body: string }> }).requests;
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** An Argo CD Application as its controller reports it after a sync from 10:00 to `finishedAt`. */
function application(name: string, healthySince: string, finishedAt = "2026-11-25T10:01:00Z") {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: { source: { repoURL: "git@github.com:acme/guestbook.git" } },
    status: {
      sync: { status: "Synced", revision: "59b20b8d" },
      health: { status: "Healthy", lastTransitionTime: healthySince },
      operationState: {
        phase: "Succeeded",
        startedAt: "2026-11-25T10:00:00Z",
        finishedAt,
        syncResult: { revision: "59b20b8d" },
      },
      conditions: [{ type: "OrphanedResourceWarning", message: "1 orphaned resource" }],
    },
  };
}

describe("hookline import argocd-notifications: Argo CD's catalog, in one step", () => {
  it("imports the catalog with a Slack bot service and delivers at once, as Argo CD would", async () => {
    await fetch(`${receiver.url}/_receiver/behaviour?key=catalog`, {
      method: "POST",
      body: JSON.stringify({ secret: "xoxb-catalog-token" }),
    });
    const mine = file(
      "mine.yaml",
      `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  context: |
    argocdUrl: https://argocd.example.com
  service.slack: |
    token: $slack-token
    apiURL: ${receiver.url}/slackapi/catalog/api
    username: Argo CD
    icon: ":argo:"
  subscriptions: |
    - recipients: [slack:deploys]
      triggers: [on-created, on-deployed, on-sync-succeeded, on-health-degraded]
---
apiVersion: v1
kind: Secret
metadata: {name: argocd-notifications-secret}
stringData:
  slack-token: xoxb-catalog-token
`,
    );
    const result = hookline([
      "import",
      "argocd-notifications",
      "-f",
      join(root, "test/fixtures/argocd-notifications-catalog.yaml"),
      "-f",
      mine,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    for (const name of [
      "app-created",
      "app-deleted",
      "app-deployed",
      "app-health-degraded",
      "app-sync-failed",
      "app-sync-running",
      "app-sync-status-unknown",
      "app-sync-succeeded",
    ]) {
      expect(result.stdout).toContain(`notificationtemplate/${name} created`);
    }
    for (const trigger of [
      "on-created",
      "on-deleted",
      "on-deployed",
      "on-health-degraded",
      "on-sync-failed",
      "on-sync-running",
      "on-sync-status-unknown",
      "on-sync-succeeded",
    ]) {
      expect(result.stdout).toContain(`notificationtrigger/${trigger} created`);
    }
    expect(result.stdout).toContain("notificationservice/slack created");
    expect(JSON.stringify(await api("/api/v1/notifications/services/slack"))).not.toContain("xoxb-catalog-token");

    // Healthy after the sync finished: created, synced and deployed — at once, no restart.
    await api("/api/v1/notifications/resources", {
      method: "POST",
      body: JSON.stringify(application("guestbook", "2026-11-25T10:01:05Z")),
    });
    const sent = await eventually(async () => {
      const requests = await slackRequests("catalog");
      return requests.length >= 3 ? requests : undefined;
    });
    const messages = sent.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    for (const request of sent) expect(request.headers.authorization).toBe("Bearer xoxb-catalog-token");
    const deployed = messages.find((message) => String(message.text).includes("new version"));
    expect(deployed).toMatchObject({
      channel: "deploys",
      username: "Argo CD",
      icon_emoji: ":argo:",
      // Go's output as it is: the catalog's `message: |` ends in a newline.
      text: ":white_check_mark: Application guestbook is now running new version of deployments manifests.\n",
    });
    expect(deployed?.attachments).toEqual([
      {
        title: "guestbook",
        title_link: "https://argocd.example.com/applications/guestbook",
        color: "#18be52",
        fields: [
          { title: "Sync Status", value: "Synced", short: true },
          { title: "Repository", value: ":arrow_heading_up: git@github.com:acme/guestbook.git", short: true },
          { title: "Revision", value: "59b20b8d", short: true },
          { title: "OrphanedResourceWarning", value: "1 orphaned resource", short: true },
        ],
      },
    ]);
    expect(messages.map((message) => message.text)).toContain("Application guestbook has been created.");

    // Healthy early in a long sync, over a minute before it finished: the catalog's
    // `time.Parse(…).Add(1 * time.Minute).Before(…)` keeps on-deployed quiet, as in Argo CD.
    const early = (await api("/api/v1/notifications/resources", {
      method: "POST",
      body: JSON.stringify(application("early-bird", "2026-11-25T10:01:00Z", "2026-11-25T10:05:00Z")),
    })) as { fired: Array<{ trigger: string }> };
    expect(early.fired.map((fired) => fired.trigger).sort()).toEqual(["on-created", "on-sync-succeeded"]);
    // Healthy since before the sync started: deployed.
    const steady = (await api("/api/v1/notifications/resources", {
      method: "POST",
      body: JSON.stringify(application("steady", "2026-11-25T09:59:00Z")),
    })) as { fired: Array<{ trigger: string }> };
    expect(steady.fired.map((fired) => fired.trigger).sort()).toEqual([
      "on-created",
      "on-deployed",
      "on-sync-succeeded",
    ]);

    // A template edit is live at once, and importing again changes nothing else.
    const again = hookline([
      "import",
      "argocd-notifications",
      "-f",
      join(root, "test/fixtures/argocd-notifications-catalog.yaml"),
      "-f",
      mine,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("notificationtemplate/app-deployed unchanged");
    expect(again.stdout).toContain("notificationtrigger/on-deployed unchanged");
  });

  it("imports the seed's DingTalk ConfigMap as published (its webhook body as a template, its expr triggers translated)", async () => {
    const result = hookline([
      "import",
      "argocd-notifications",
      "-f",
      join(root, "test/fixtures/argocd-notifications-cm.yaml"),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("notificationtemplate/app-sync-change created");
    expect(result.stdout).toContain("notificationservice/dingtalk created");
    expect(result.stdout).toContain("context configured");
    expect(await api("/api/v1/notifications/templates/app-sync-change")).toMatchObject({
      webhook: { dingtalk: { method: "POST" } },
    });
    const trigger = (await api("/api/v1/notifications/triggers/on-sync-failed")) as {
      expressionLanguage: string;
      status: { translated: Record<string, string> };
    };
    expect(trigger.expressionLanguage).toBe("expr");
    expect(trigger.status.translated["conditions[0].when"]).toBe(
      '($not($exprIsNil($exprFetch(app.status, "operationState"))) and ($exprFetch($exprFetch(app.status, "operationState"), "phase") in ["Error", "Failed"]))',
    );
  });

  it("turns Argo CD label selectors into JSONata and reports what it cannot import", () => {
    const cm = file(
      "cm.yaml",
      `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm}
data:
  service.slack.alerts: |
    token: $alerts-token
  service.teams: |
    recipientUrls:
      ops: https://example.webhook.office.com/webhookb2/ops
  template.my-alert: |
    message: "{{.app.metadata.name}} needs attention"
    pagerduty:
      title: x
  template.broken: |
    message: "{{.app.metadata.name | sha256sum}}"
  trigger.on-prod: |
    - when: app.metadata.labels.env == 'prod' && sprig.md5sum(app.metadata.name) != ''
      send: [app-deployed]
  subscriptions: |
    - recipients: [teams:ops]
      triggers: [on-deployed]
      selector: env=prod,tier in (web, api),!legacy
`,
    );
    const result = hookline(["import", "argocd-notifications", "-f", cm]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/service\.slack\.alerts: token \$alerts-token is in argocd-notifications-secret/);
    expect(result.stderr).toMatch(/template\.my-alert: the pagerduty fields are not kept/);
    expect(result.stderr).toMatch(
      /notificationtemplate\/broken: message: line 1: function "sha256sum" \(sprig\) is not available/,
    );
    expect(result.stderr).toMatch(
      /notificationtrigger\/on-prod: conditions\[0\]\.when: sprig\.md5sum is not supported .*\(at position \d+\)/,
    );
    expect(result.stdout).toContain("notificationtemplate/my-alert created");
    expect(result.stdout).toContain("notificationservice/teams-ops created");
    const subscription = JSON.parse(hookline(["get", "subscription", "argocd-1", "-o", "json"]).stdout) as {
      selector: string;
      destinations: unknown;
    };
    expect(subscription.selector).toBe(
      'app.metadata.labels.`env` = "prod" and app.metadata.labels.`tier` in ["web", "api"] and $not($exists(app.metadata.labels.`legacy`))',
    );
    expect(subscription.destinations).toEqual([{ service: "teams-ops", recipients: [""] }]);
    const templates = JSON.parse(hookline(["get", "templates", "-o", "json"]).stdout) as {
      items: Array<{ name: string }>;
    };
    expect(templates.items.map((item) => item.name)).toContain("my-alert");
  });
});

describe("hookline import argo-events: a Sensor becomes a binding with dependencies", () => {
  const sensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: release
  namespace: delivery
spec:
  dependencies:
    - name: build
      eventSourceName: webhook
      eventName: ci
      filters:
        data:
          - path: body.status
            type: string
            value: ["^success$"]
          - path: header.X-Ci-Stage
            type: string
            value: ["final"]
    - name: scan
      eventSourceName: webhook
      eventName: scanner
      filters:
        data:
          - path: body.score
            type: number
            comparator: ">="
            value: ["80"]
  triggers:
    - template:
        name: release
        conditions: "build && scan"
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: release-}
              spec:
                workflowTemplateRef: {name: release}
                arguments:
                  parameters:
                    - name: sha
                    - name: env
                      value: prod
          parameters:
            - src: {dependencyName: build, dataKey: body.sha}
              dest: spec.arguments.parameters.0.value
    - template:
        name: notify
        k8s:
          operation: create
          source: {resource: {apiVersion: v1, kind: ConfigMap}}
`;

  it("translates webhook dependencies, data filters, conditions and parameters, and says what it cannot", async () => {
    const result = hookline(["import", "argo-events", "-f", file("sensor.yaml", sensor)]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("workfloweventbinding/release-release (namespace delivery) created");
    expect(result.stderr).toMatch(/trigger "notify": only argoWorkflow triggers are translated; trigger skipped/);
    expect(result.stderr).toMatch(/correlates dependencies by time only/);
    const binding = (await api("/api/v1/namespaces/delivery/workfloweventbindings/release-release")) as {
      spec: Record<string, unknown>;
    };
    expect(binding.spec).toMatchObject({
      condition: "build and scan",
      within: "24h",
      dependencies: [
        {
          name: "build",
          selector:
            'discriminator = "ci" and ($contains($string(payload.status), /^success$/) and $contains($string(metadata."x-ci-stage"[0]), /final/))',
          key: '"sensor"',
        },
        { name: "scan", selector: 'discriminator = "scanner" and $number(payload.score) >= 80', key: '"sensor"' },
      ],
      submit: {
        workflowTemplateRef: { name: "release" },
        arguments: {
          parameters: [
            { name: "env", value: "prod" },
            { name: "sha", valueFrom: { event: "events.build.payload.sha" } },
          ],
        },
      },
    });
    // The translated selectors match what the sensor's filters matched.
    const tried = await api("/api/v1/namespaces/delivery/workfloweventbindings/release-release/test", {
      method: "POST",
      body: JSON.stringify({
        payload: { status: "success", sha: "abc" },
        metadata: { "x-ci-stage": ["final"] },
        discriminator: "ci",
      }),
    });
    expect(tried).toMatchObject({ matched: true, dependencies: [{ name: "build", key: "sensor" }] });
    const low = await api("/api/v1/namespaces/delivery/workfloweventbindings/release-release/test", {
      method: "POST",
      body: JSON.stringify({ payload: { score: 42 }, discriminator: "scanner" }),
    });
    expect(low).toMatchObject({ matched: false, dependencies: [] });
  });
});
