import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { runCli } from "./run-cli";

let worker: RunningWorker;
let home: string;

beforeAll(async () => {
  worker = await startWorker();
  home = mkdtempSync(join(tmpdir(), "hookline-cli-"));
});
afterAll(async () => {
  await worker?.stop();
});

/** Runs the CLI in a subprocess against the Worker. */
function hookline(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return runCli(worker, join(home, "config"), args, options.env, options.input);
}

function writeFiles(dir: string, files: Record<string, string>) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const manifests = {
  "bindings.yaml": `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: ci-on-push
  namespace: team-a
spec:
  event:
    selector: 'discriminator = "github" and metadata."x-github-event" = ["push"]'
  submit:
    workflowTemplateRef:
      name: build
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: on-tag
  namespace: team-a
spec:
  event:
    selector: '$contains(payload.ref, "refs/tags/")'
  submit:
    workflowTemplateRef:
      name: release
`,
  "platform.yaml": `apiVersion: hookline.dev/v1
kind: Cluster
metadata:
  name: prod
spec:
  type: argo-server
  url: https://argo.example.com
  token: very-secret-cluster-token
---
apiVersion: hookline.dev/v1
kind: ApprovalPolicy
metadata:
  name: release
  namespace: team-a
spec:
  webhooks:
    - name: scanner
      uri: https://scanner.example.com/hook
      headers:
        - name: Authorization
          secret: Bearer scanner-token
  manual:
    required: true
---
apiVersion: hookline.dev/v1
kind: WebhookClient
metadata:
  name: github
  namespace: team-a
spec:
  type: github
  secret: webhook-secret-value
`,
  "notifications.json": JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        apiVersion: "hookline.dev/v1",
        kind: "NotificationService",
        metadata: { name: "dingtalk" },
        spec: { type: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=x", secret: "SEC-1" },
      },
      {
        apiVersion: "hookline.dev/v1",
        kind: "NotificationTrigger",
        metadata: { name: "on-prod-deployed" },
        spec: {
          conditions: [
            {
              when: 'app.status.health.status = "Healthy"',
              oncePer: "app.status.sync.revision",
              send: ["app-deployed"],
            },
          ],
        },
      },
      {
        apiVersion: "hookline.dev/v1",
        kind: "NotificationSubscription",
        metadata: { name: "releases" },
        spec: { triggers: ["on-prod-deployed"], destinations: [{ service: "dingtalk" }] },
      },
    ],
  }),
};

describe("hookline CLI against the locally running Worker", () => {
  it("applies a directory of YAML and JSON; applying it again changes nothing", () => {
    const dir = join(home, "manifests");
    writeFiles(dir, manifests);
    const first = hookline(["apply", "-f", dir]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines.every((line) => line.endsWith(" created"))).toBe(true);
    expect(lines).toContain("workfloweventbinding/ci-on-push created");
    const second = hookline(["apply", "-f", dir]);
    expect(second.code).toBe(0);
    const again = second.stdout.trim().split("\n");
    expect(again).toHaveLength(8);
    expect(
      again.every((line) => line.endsWith(" unchanged")),
      second.stdout,
    ).toBe(true);
  });

  it("reports a malformed document by file and line, applies nothing from it, and exits 1", () => {
    const dir = join(home, "broken");
    writeFiles(dir, {
      "mixed.yaml": `apiVersion: hookline.dev/v1
kind: NotificationService
metadata: {name: good-one}
spec: {type: slack, url: "https://hooks.slack.com/services/T/B/X"}
---
apiVersion: hookline.dev/v1
kind: NotificationService
metadata: {name: broken
spec: [}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: bad-selector, namespace: team-a}
spec: {event: {selector: "payload.a = = 1"}, submit: {workflowTemplateRef: {name: t}}}
`,
    });
    const result = hookline(["apply", "-f", join(dir, "mixed.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("notificationservice/good-one created");
    expect(result.stderr).toMatch(/mixed\.yaml:\d+ \(document 2\)/);
    expect(result.stderr).toMatch(
      /mixed\.yaml:11 \(document 3\), WorkflowEventBinding\/bad-selector: spec\.event\.selector: .*position 13/,
    );
    expect(hookline(["get", "services", "broken"]).code).toBe(1);
    expect(hookline(["get", "bindings", "bad-selector", "-n", "team-a"]).code).toBe(1);
  });

  it("--dry-run validates on the server and writes nothing", () => {
    const dir = join(home, "dry");
    writeFiles(dir, {
      "b.yaml": manifests["bindings.yaml"].replace(/ci-on-push/g, "dry-one").replace("on-tag", "dry-two"),
    });
    const result = hookline(["apply", "-f", dir, "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("workfloweventbinding/dry-one created (server dry run)");
    expect(hookline(["get", "bindings", "dry-one", "-n", "team-a"]).code).toBe(1);
  });

  it("gets objects as a table, JSON (the API's shape) and YAML; secrets never show", () => {
    const table = hookline(["get", "bindings", "-n", "team-a"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+SELECTOR\s+TEMPLATE\s+CLUSTER\s+GENERATION/);
    expect(table.stdout).toContain("ci-on-push");
    const json = JSON.parse(hookline(["get", "bindings", "-n", "team-a", "-o", "json"]).stdout) as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(json.items.map((item) => item.metadata.name)).toEqual(["ci-on-push", "on-tag"]);
    const yaml = parse(hookline(["get", "binding", "ci-on-push", "-n", "team-a", "-o", "yaml"]).stdout) as {
      kind: string;
    };
    expect(yaml.kind).toBe("WorkflowEventBinding");
    const clusters = hookline(["get", "clusters", "-o", "json"]).stdout;
    expect(clusters).not.toContain("very-secret-cluster-token");
    expect(hookline(["get", "policies", "-n", "team-a", "-o", "yaml"]).stdout).not.toContain("scanner-token");
  });

  it("sends an event and sees it with `events`", async () => {
    const payload = join(home, "payload.json");
    writeFileSync(payload, JSON.stringify({ ref: "refs/heads/main", after: "abc" }));
    const sent = hookline(["send", "team-a", "github", "-f", payload, "-H", "X-GitHub-Event: push"]);
    expect(sent.code).toBe(0);
    const id = sent.stdout.trim();
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    const listed = await eventually(async () => {
      const result = hookline(["events", "-n", "team-a", "-o", "json"]);
      const body = JSON.parse(result.stdout) as { items: Array<{ id: string; outcome: string }> };
      return body.items.find((item) => item.id === id);
    });
    expect(listed.outcome).toBe("failed");
    const detail = hookline(["events", "get", id, "-n", "team-a"]);
    expect(detail.stdout).toContain("ci-on-push");
    const replay = hookline(["events", "replay", id, "-n", "team-a"]);
    expect(replay.stdout.trim()).toMatch(/^[0-9A-Z]{26}$/);

    // describe: the binding with the events that reached it; paging through the log.
    const described = hookline(["describe", "binding", "ci-on-push", "-n", "team-a"]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Spec:/);
    expect(described.stdout).toContain(id);
    const firstOnly = JSON.parse(hookline(["events", "-n", "team-a", "--limit", "1", "-o", "json"]).stdout) as {
      items: unknown[];
    };
    expect(firstOnly.items).toHaveLength(1);
    const everything = await eventually(async () => {
      const listed = JSON.parse(hookline(["events", "-n", "team-a", "--all", "-o", "json"]).stdout) as {
        items: Array<{ id: string }>;
      };
      return listed.items.length >= 2 ? listed : undefined;
    });
    expect(everything.items.map((item) => item.id)).toContain(id);
    // binding test: a dry run on a sample event.
    const sample = join(home, "sample.json");
    writeFileSync(
      sample,
      JSON.stringify({ payload: { ref: "x" }, metadata: { "x-github-event": ["push"] }, discriminator: "github" }),
    );
    const tried = hookline(["binding", "test", "ci-on-push", "-n", "team-a", "-f", sample]);
    expect(tried.code, tried.stderr).toBe(0);
    expect(tried.stdout).toMatch(/^matched:\s+yes$/m);
    expect(tried.stdout).toMatch(/workflow:\s+build-/);
  });

  it("pauses and resumes a binding, and replays the events a filter selects (dry run first, then once)", async () => {
    const paused = hookline(["binding", "pause", "ci-on-push", "-n", "team-a"]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.trim()).toBe("workfloweventbinding/ci-on-push paused");
    expect(hookline(["get", "bindings", "-n", "team-a"]).stdout).toMatch(/ci-on-push.*paused/);
    expect(hookline(["binding", "pause", "ci-on-push", "-n", "team-a"]).stdout).toContain("already paused");
    const resumed = hookline(["binding", "resume", "ci-on-push", "-n", "team-a"]);
    expect(resumed.stdout.trim()).toBe("workfloweventbinding/ci-on-push resumed");
    expect(hookline(["binding", "pause", "no-such-binding", "-n", "team-a"]).code).toBe(1);

    // One new event for the filter (the earlier one was replayed already: a filter skips it).
    const since = new Date(Date.now() - 1000).toISOString();
    const payload = join(home, "replay-me.json");
    writeFileSync(payload, JSON.stringify({ ref: "refs/heads/replay-me" }));
    const id = hookline(["send", "team-a", "github", "-f", payload, "-H", "X-GitHub-Event: push"]).stdout.trim();
    await eventually(async () => {
      const shown = hookline(["events", "get", id, "-n", "team-a", "-o", "json"]);
      return shown.code === 0 && (JSON.parse(shown.stdout) as { outcome: string }).outcome !== "pending"
        ? true
        : undefined;
    });
    const filter = `binding=ci-on-push,since=${since}`;
    const dry = hookline(["events", "replay", "--filter", filter, "--dry-run", "-n", "team-a"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trim()).toBe("1 event(s) match; nothing replayed (dry run)");
    const run = JSON.parse(hookline(["events", "replay", "--filter", filter, "-n", "team-a", "-o", "json"]).stdout);
    expect(run).toEqual({ matched: 1, replayed: 1 });
    const again = JSON.parse(hookline(["events", "replay", "--filter", filter, "-n", "team-a", "-o", "json"]).stdout);
    expect(again).toEqual({ matched: 1, replayed: 0 });
    const bad = hookline(["events", "replay", "--filter", "colour=red", "-n", "team-a"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("colour=red");
  });

  it("lists deliveries, lists and deletes OAuth clients, and describes a cluster with its breaker", () => {
    const deliveries = hookline(["deliveries", "--status", "failed", "-o", "json"]);
    expect(deliveries.code, deliveries.stderr).toBe(0);
    expect(JSON.parse(deliveries.stdout)).toHaveProperty("items");
    expect(hookline(["deliveries", "retry", "no-such-delivery"]).code).toBe(1);
    const created = hookline(["oauth", "client", "create", "listed-client"]);
    const clientId = /client_id:\s+(\S+)/.exec(created.stdout)?.[1] ?? "";
    expect(hookline(["oauth", "client", "list"]).stdout).toContain(clientId);
    expect(hookline(["oauth", "client", "delete", clientId]).stdout).toContain("deleted");
    expect(hookline(["oauth", "client", "list"]).stdout).not.toContain(clientId);
    const cluster = hookline(["describe", "cluster", "prod"]);
    expect(cluster.code, cluster.stderr).toBe(0);
    expect(cluster.stdout).toMatch(/Circuit breaker:\n\s+circuit: closed/);
  });

  it("lists and approves a gate", async () => {
    const response = await fetch(`${worker.url}/api/v1/namespaces/team-a/approvals`, {
      method: "POST",
      headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ policy: "release" }),
    });
    const gate = (await response.json()) as { id: string };
    expect(hookline(["approvals", "-n", "team-a", "--pending"]).stdout).toContain(gate.id);
    const approved = hookline(["approve", gate.id, "-n", "team-a", "-m", "ship it"]);
    expect(approved.code).toBe(0);
    expect(approved.stdout.trim()).toBe(`approval ${gate.id} pending`);
    // While it waits for its webhook, any approver's rejection rejects (approval policies: quorum).
    const rejected = hookline(["reject", gate.id, "-n", "team-a"]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout.trim()).toBe(`approval ${gate.id} rejected`);
    const again = hookline(["approve", gate.id, "-n", "team-a"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already decided: rejected.*409/);
    // describe prints every attempt, in order.
    const described = hookline(["describe", "approval", gate.id, "-n", "team-a"]);
    expect(described.stdout).toMatch(
      /Audit:[\s\S]*admin\s+api\s+approve\s+yes[\s\S]*admin\s+api\s+reject\s+yes[\s\S]*admin\s+api\s+approve\s+no/,
    );
  });

  it("creates tokens and OAuth clients, logs in, and uses the saved config", () => {
    const token = hookline([
      "token",
      "create",
      "ci-bot",
      "--namespace",
      "team-a",
      "--scope",
      "events:write",
      "--scope",
      "events:read",
      "-o",
      "json",
    ]);
    expect(token.code).toBe(0);
    const created = JSON.parse(token.stdout) as { token: string; scopes: string[] };
    expect(created.scopes).toEqual(["events:write", "events:read"]);
    const client = hookline(["oauth", "client", "create", "scanner"]);
    expect(client.stdout).toMatch(/client_id:\s+hlc_/);
    const login = hookline(["login", "--server", worker.url, "--token", created.token], {
      env: { HOOKLINE_URL: "", HOOKLINE_TOKEN: "" },
    });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("as ci-bot");
    const config = JSON.parse(readFileSync(join(home, "config", "hookline", "config.json"), "utf8")) as {
      currentContext: string;
      contexts: Array<{ name: string; server: string }>;
    };
    expect(config.currentContext).toBe("default");
    expect(config.contexts).toContainEqual(expect.objectContaining({ name: "default", server: worker.url }));
    const viaConfig = hookline(["events", "-n", "team-a"], { env: { HOOKLINE_URL: "", HOOKLINE_TOKEN: "" } });
    expect(viaConfig.code).toBe(0);
    const forbidden = hookline(["get", "clusters"], { env: { HOOKLINE_URL: "", HOOKLINE_TOKEN: "" } });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain("permission_denied");
  });

  it("imports Argo's own WorkflowEventBinding YAML unchanged (`import argo`)", () => {
    const file = join(home, "argo-binding.yaml");
    writeFileSync(
      file,
      `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: event-consumer
spec:
  event:
    # metadata header name must be lowercase to match in selector
    selector: payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"
  submit:
    workflowTemplateRef:
      name: my-wf-tmple
    arguments:
      parameters:
      - name: message
        valueFrom:
          event: payload.message
`,
    );
    const plain = hookline(["apply", "-f", file, "-n", "argo"]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/spec\.event\.selector: .*position/);
    const imported = hookline(["import", "argo", "-f", file, "-n", "argo"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.trim()).toBe("workfloweventbinding/event-consumer created");
    const stored = parse(hookline(["get", "binding", "event-consumer", "-n", "argo", "-o", "yaml"]).stdout) as {
      spec: { expressionLanguage: string; event: { selector: string } };
      status: { translated: Record<string, string> };
    };
    expect(stored.spec.expressionLanguage).toBe("expr");
    expect(stored.spec.event.selector).toBe(
      'payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"',
    );
    expect(stored.status.translated["spec.event.selector"]).toContain('$not((payload.message = ""))');
    expect(hookline(["import", "argo", "-f", file, "-n", "argo"]).stdout.trim()).toBe(
      "workfloweventbinding/event-consumer unchanged",
    );
  });

  it("imports Argo's webhook-clients Secret (stringData and base64 data), warning about a short secret", () => {
    const file = join(home, "argo-webhook-clients.yaml");
    writeFileSync(
      file,
      `apiVersion: v1
kind: Secret
metadata:
  name: argo-workflows-webhook-clients
stringData:
  github.com: |
    type: github
    secret: "shh!"
data:
  gitlab: ${Buffer.from("type: gitlab\nsecret: a-long-gitlab-token-0123\n").toString("base64")}
`,
    );
    const imported = hookline(["import", "argo", "-f", file, "-n", "argo"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("webhookclient/github.com created");
    expect(imported.stdout).toContain("webhookclient/gitlab created");
    expect(imported.stderr).toMatch(/^Warning: webhook client github\.com: its secret is shorter than 8 characters/m);
    const clients = JSON.parse(hookline(["get", "webhookclients", "-n", "argo", "-o", "json"]).stdout) as {
      items: Array<{ name: string; type: string }>;
    };
    expect(clients.items.map((client) => [client.name, client.type])).toEqual(
      expect.arrayContaining([
        ["github.com", "github"],
        ["gitlab", "gitlab"],
      ]),
    );
    expect(JSON.stringify(clients)).not.toContain("shh!");
    // Outside `import argo`, a Secret is not something hookline applies.
    expect(hookline(["apply", "-f", file, "-n", "argo"]).stderr).toMatch(/kind "Secret" cannot be applied/);
  });

  it("round-trips: get -o yaml | apply -f - is unchanged for every kind it prints, and kubectl's output forms work", () => {
    const dir = join(home, "round-trip");
    writeFiles(dir, {
      "objects.yaml": `apiVersion: hookline.dev/v1
kind: Cluster
metadata: {name: rt-cluster}
spec: {type: argo-server, url: "https://argo.example.com", timeoutSeconds: 5}
---
apiVersion: hookline.dev/v1
kind: NotificationTemplate
metadata: {name: rt-template}
spec:
  message: "{{.app.metadata.name}} is up"
  slack: {attachments: "[]", notifyBroadcast: true}
---
apiVersion: hookline.dev/v1
kind: NotificationTrigger
metadata: {name: rt-trigger}
spec:
  expressionLanguage: expr
  conditions: [{when: "app.status.health.status == 'Healthy'", send: [rt-template]}]
---
apiVersion: hookline.dev/v1
kind: NotificationSubscription
metadata: {name: rt-subscription}
spec: {triggers: [rt-trigger], destinations: [{service: nowhere}]}
---
apiVersion: hookline.dev/v1
kind: ApprovalPolicy
metadata: {name: rt-policy, namespace: team-rt}
spec: {manual: {required: true}, timeout: 1h}
---
apiVersion: hookline.dev/v1
kind: Cluster
metadata: {name: rt-sealed}
spec:
  type: argo-server
  url: "https://argo.example.com"
  token: rt-cluster-token
  headers: [{name: CF-Access-Client-Secret, secret: rt-access-secret}, {name: CF-Access-Client-Id, value: id.access}]
---
apiVersion: hookline.dev/v1
kind: NotificationService
metadata: {name: rt-service}
spec:
  type: webhook
  url: "https://hooks.example.com/rt"
  headers: [{name: x-api-key, secret: rt-service-key}]
---
apiVersion: hookline.dev/v1
kind: WebhookClient
metadata: {name: rt-client, namespace: team-rt}
spec: {type: github, secret: rt-client-secret}
`,
    });
    const file = join(dir, "objects.yaml");
    expect(hookline(["apply", "--dry-run=client", "-f", file]).stdout).toContain(
      "notificationtemplate/rt-template read (client dry run: nothing sent)",
    );
    expect(hookline(["apply", "--dry-run=server", "-f", file]).stdout).toContain(
      "notificationtemplate/rt-template created (server dry run)",
    );
    expect(hookline(["apply", "--dry-run=sometimes", "-f", file]).code).toBe(2);
    expect(hookline(["apply", "-f", file]).code).toBe(0);
    for (const [kind, name] of [
      ["clusters", "rt-cluster"],
      ["templates", "rt-template"],
      ["triggers", "rt-trigger"],
      ["subscriptions", "rt-subscription"],
    ] as const) {
      const yaml = hookline(["get", kind, name, "-o", "yaml"]).stdout;
      expect(parse(yaml)).toMatchObject({ apiVersion: "hookline.dev/v1", metadata: { name } });
      const again = hookline(["apply", "-f", "-"], { input: yaml });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`/${name} unchanged`));
    }
    // Sealed values print as "(sealed)" and, applied back, keep what is stored.
    for (const [kind, name, namespace] of [
      ["cluster", "rt-sealed", "default"],
      ["service", "rt-service", "default"],
      ["webhookclient", "rt-client", "team-rt"],
    ] as const) {
      const yaml = hookline(["get", kind, name, "-n", namespace, "-o", "yaml"]).stdout;
      expect(yaml).toContain("(sealed)");
      expect(yaml).not.toMatch(/rt-cluster-token|rt-access-secret|rt-service-key|rt-client-secret|hooks\.example\.com/);
      const again = hookline(["apply", "-f", "-"], { input: yaml });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`/${name} unchanged`);
    }
    const policy = hookline(["get", "policy", "rt-policy", "-n", "team-rt", "-o", "yaml"]).stdout;
    expect(parse(policy)).toMatchObject({
      kind: "ApprovalPolicy",
      metadata: { name: "rt-policy", namespace: "team-rt" },
    });
    expect(hookline(["apply", "-f", "-"], { input: policy }).stdout).toContain("approvalpolicy/rt-policy unchanged");
    const list = hookline(["get", "templates", "-o", "yaml"]).stdout;
    expect(parse(list)).toMatchObject({ kind: "List" });
    expect(hookline(["apply", "-f", "-"], { input: list }).stdout).toContain(
      "notificationtemplate/rt-template unchanged",
    );

    expect(hookline(["get", "templates", "-o", "name"]).stdout).toContain("notificationtemplate/rt-template");
    expect(hookline(["get", "templates", "-o", "jsonpath={.items[*].name}"]).stdout).toContain("rt-template");
    const table = hookline(["get", "clusters"]).stdout;
    expect(table.split("\n")[0]).toMatch(/NAME .* AGE$/);
    const bare = hookline(["get", "clusters", "--no-headers"]).stdout;
    expect(bare).not.toMatch(/NAME/);
    expect(bare).toMatch(/^rt-cluster /m);
    expect(hookline(["get", "clusters", "-o", "wide"]).stdout.split("\n")[0]).toMatch(/UPDATED/);
    const everywhere = hookline(["get", "bindings", "-A"]).stdout;
    expect(everywhere.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME/);
    expect(everywhere).toMatch(/^team-a\s+ci-on-push/m);
    expect(hookline(["get", "policies", "-A", "-o", "name"]).stdout).toContain("approvalpolicy/rt-policy");

    // diff: nothing for what is applied, a unified diff for a change, the whole object for a new one.
    // Secrets given in plain text are never compared by a dry run: diff says so, and finds nothing else.
    const same = hookline(["diff", "-f", file]);
    expect(same.code).toBe(0);
    expect(same.stdout.trim().split("\n").sort()).toEqual(
      ["Cluster/rt-sealed", "NotificationService/rt-service", "WebhookClient/rt-client"].map(
        (object) =>
          `${object}: unchanged but for its secrets, which a dry run never compares (give "(sealed)" to keep them)`,
      ),
    );
    const changed = join(dir, "changed.yaml");
    writeFileSync(
      changed,
      `apiVersion: hookline.dev/v1
kind: NotificationTemplate
metadata: {name: rt-template}
spec:
  message: "{{.app.metadata.name}} is down"
  slack: {attachments: "[]", notifyBroadcast: true}
---
apiVersion: hookline.dev/v1
kind: NotificationTemplate
metadata: {name: rt-new}
spec: {message: "new"}
`,
    );
    const differences = hookline(["diff", "-f", changed]);
    expect(differences.code).toBe(1);
    expect(differences.stdout).toContain("--- NotificationTemplate/rt-template (server)");
    expect(differences.stdout).toMatch(/^-\s+message: "?\{\{\.app\.metadata\.name\}\} is up"?$/m);
    expect(differences.stdout).toMatch(/^\+\s+message: "?\{\{\.app\.metadata\.name\}\} is down"?$/m);
    expect(differences.stdout).toContain("NotificationTemplate/rt-new (server): does not exist yet");
    expect(hookline(["get", "template", "rt-new"]).code, "diff wrote nothing").toBe(1);

    expect(hookline(["delete", "-f", file]).stdout).toContain("cluster/rt-cluster deleted");
    expect(hookline(["get", "cluster", "rt-cluster"]).code).toBe(1);
  });

  it("keeps contexts like kubeconfig: set, use, list, pick one per command, delete; an old config file still reads", () => {
    const configHome = join(home, "contexts");
    const run = (args: string[], input?: string) =>
      runCli(worker, configHome, args, { HOOKLINE_URL: "", HOOKLINE_TOKEN: "" }, input);
    mkdirSync(join(configHome, "hookline"), { recursive: true });
    writeFileSync(
      join(configHome, "hookline", "config.json"),
      JSON.stringify({ server: worker.url, token: worker.adminToken }),
    );
    expect(run(["get", "clusters", "-o", "name"]).code, "the old {server, token} file").toBe(0);
    expect(
      run(["config", "set-context", "local", "--server", worker.url, "--token-stdin"], worker.adminToken).code,
    ).toBe(0);
    expect(run(["config", "set-context", "nowhere", "--server", "http://127.0.0.1:9", "--token", "x"]).code).toBe(0);
    expect(run(["config", "use-context", "nowhere"]).stdout).toContain('Switched to context "nowhere"');
    expect(run(["config", "current-context"]).stdout.trim()).toBe("nowhere");
    expect(run(["get", "clusters"]).code, "the current context is unreachable").toBe(1);
    expect(run(["get", "clusters", "--context", "local", "-o", "name"]).code).toBe(0);
    const listed = run(["config", "get-contexts"]).stdout;
    expect(listed).toMatch(/^\*\s+nowhere\s+http:\/\/127\.0\.0\.1:9$/m);
    expect(listed).toMatch(/^\s+local\s/m);
    expect(run(["config", "get-contexts", "-o", "json"]).stdout).not.toContain(worker.adminToken);
    expect(run(["config", "use-context", "missing"]).code).toBe(2);
    expect(run(["get", "clusters", "--context", "missing"]).code).toBe(2);
    expect(run(["config", "delete-context", "nowhere"]).code).toBe(0);
    expect(run(["config", "current-context"]).code).toBe(2);
  });

  it("reads one token by name, and events --watch -o json prints only JSON lines", () => {
    expect(hookline(["token", "create", "by-name", "--namespace", "team-a", "--scope", "events:read"]).code).toBe(0);
    const one = JSON.parse(hookline(["get", "token", "by-name", "-o", "json"]).stdout) as {
      name: string;
      scopes: string[];
    };
    expect(one).toMatchObject({ name: "by-name", scopes: ["events:read"] });
    const watched = spawnSync(
      process.execPath,
      [join(root, "cli/hookline.mjs"), "events", "-n", "team-a", "--watch", "-o", "json"],
      {
        env: {
          PATH: process.env.PATH ?? "",
          XDG_CONFIG_HOME: join(home, "watch"),
          HOOKLINE_URL: worker.url,
          HOOKLINE_TOKEN: worker.adminToken,
        },
        encoding: "utf8",
        timeout: 3_000,
      },
    );
    const lines = watched.stdout.split("\n").filter((line) => line.trim() !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty("id");
  });

  it("prints shell completion scripts", () => {
    expect(hookline(["completion", "bash"]).stdout).toContain("complete -F _hookline hookline");
    expect(hookline(["completion", "zsh"]).stdout).toContain("compdef _hookline hookline");
    expect(hookline(["completion", "fish"]).stdout).toContain("complete -c hookline");
    expect(hookline(["completion", "tcsh"]).code).toBe(2);
  });

  it("exits 2 on usage errors and prints help for every command", () => {
    expect(hookline(["frobnicate"]).code).toBe(2);
    expect(hookline(["apply"]).code).toBe(2);
    expect(hookline(["get", "widgets"]).code).toBe(2);
    expect(hookline(["get", "bindings", "--bogus"]).code).toBe(2);
    for (const command of [
      "login",
      "apply",
      "get",
      "delete",
      "events",
      "send",
      "approvals",
      "approve",
      "reject",
      "token",
      "oauth",
      "admin",
      "import",
    ]) {
      const help = hookline([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toMatch(/^Usage: hookline/);
    }
    expect(hookline(["--help"]).stdout).toContain("Exit codes: 0 ok, 1 the server said no");
    expect(
      hookline(["get", "bindings"], { env: { HOOKLINE_URL: "", XDG_CONFIG_HOME: join(home, "empty-config") } }).code,
    ).toBe(2);
    expect(hookline(["get", "bindings"], { env: { HOOKLINE_URL: "http://127.0.0.1:9" } }).code).toBe(1);
  });

  it("logs in with the token on standard input (out of shell history), and warns about plain http", () => {
    const created = JSON.parse(
      hookline(["token", "create", "stdin-bot", "--namespace", "team-a", "--scope", "events:read", "-o", "json"])
        .stdout,
    ) as { token: string };
    const login = hookline(["login", "--server", worker.url, "--token-stdin"], {
      env: { HOOKLINE_URL: "", HOOKLINE_TOKEN: "" },
      input: `${created.token}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain("as stdin-bot");
    expect(login.stderr).not.toContain("warning");
    const plain = hookline(["get", "bindings"], { env: { HOOKLINE_URL: "http://hookline.invalid:9" } });
    expect(plain.stderr).toContain("warning: hookline.invalid:9 is plain http");
    expect(hookline(["login", "--server", worker.url, "--token-stdin"], { input: "" }).code).toBe(2);
  });

  it("reseals secrets, lists dead letters, and shows each cluster's circuit", () => {
    const reseal = hookline(["admin", "reseal", "-o", "json"]);
    expect(reseal.code, reseal.stderr).toBe(0);
    expect(Object.keys((JSON.parse(reseal.stdout) as { resealed: object }).resealed)).toContain("clusters");
    const dead = hookline(["events", "dead", "-A", "-o", "json"]);
    expect(dead.code, dead.stderr).toBe(0);
    expect(JSON.parse(dead.stdout)).toMatchObject({ items: [] });
    const clusters = hookline(["get", "clusters"]);
    expect(clusters.stdout).toMatch(/CIRCUIT/);
    expect(clusters.stdout).toMatch(/prod .*closed since/);
  });

  it("prints no colour codes when output is not a terminal", () => {
    expect(hookline(["approvals", "-n", "team-a"]).stdout).not.toContain("\u001b[");
  });
});
