import { describe, expect, it } from "vitest";
import {
  adminAuth,
  applyBinding,
  bearer,
  binding,
  call,
  createToken,
  fakeCluster,
  hmacHeader,
  postEvent,
  putCluster,
  putWebhookClient,
  sendEvent,
  waitForOutcome,
} from "./helpers";

describe("events → workflows (Argo Server)", () => {
  it("the seed example: a matching event submits the template once, with its parameters and labels", async () => {
    const ns = "seed";
    await fakeCluster.templates(ns, ["my-wf-tmple"]);
    await putCluster("default", "argo-server");
    await applyBinding(
      ns,
      binding(
        "event-consumer",
        'payload.message != "" and metadata."x-argo-e2e" = ["true"] and discriminator = "my-discriminator"',
        "my-wf-tmple",
        { arguments: { parameters: [{ name: "message", valueFrom: { event: "payload.message" } }] } },
      ),
    );
    const response = await postEvent(`${ns}/my-discriminator`, '{"message": "hello events"}', {
      ...adminAuth,
      "x-argo-e2e": "true",
    });
    const { id } = (await response.json()) as { id: string };
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("submitted");
    expect(event.results).toEqual([
      expect.objectContaining({
        binding: "event-consumer",
        matched: true,
        status: "submitted",
        cluster: "default",
        attempts: 1,
      }),
    ]);
    const workflows = await fakeCluster.workflows(ns);
    expect(workflows).toHaveLength(1);
    const [workflow] = workflows;
    expect(workflow).toMatchObject({
      via: "argo-server",
      template: { kind: "WorkflowTemplate", name: "my-wf-tmple" },
      parameters: [{ name: "message", value: "hello events" }],
      labels: {
        "hookline.dev/event-id": id,
        "hookline.dev/binding": "event-consumer",
        "workflows.argoproj.io/workflow-event-binding": "event-consumer",
      },
    });
    expect(workflow?.name).toMatch(/^my-wf-tmple-[0-9a-f]{10}$/);
    expect(event.results[0]?.workflow).toBe(workflow?.name);
  });

  it("shows why every other binding did not fire", async () => {
    const ns = "why";
    await fakeCluster.templates(ns, ["build", "deploy"]);
    await putCluster("default", "argo-server");
    await applyBinding(
      ns,
      binding("on-push", 'discriminator = "github" and metadata."x-github-event" = ["push"]', "build"),
    );
    await applyBinding(ns, binding("on-gitlab", 'discriminator = "gitlab"', "build"));
    await applyBinding(
      ns,
      binding("on-tag", 'discriminator = "github" and $contains(payload.ref, "refs/tags/")', "deploy"),
    );
    const id = await sendEvent(`${ns}/github`, { ref: "refs/heads/main" }, { ...adminAuth, "x-github-event": "push" });
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("submitted");
    const byName = Object.fromEntries(event.results.map((result) => [result.binding, result]));
    expect(byName["on-push"]).toMatchObject({ matched: true, status: "submitted" });
    expect(byName["on-gitlab"]).toMatchObject({
      matched: false,
      status: "skipped",
      reason: 'selector requires discriminator = "gitlab"',
    });
    expect(byName["on-tag"]).toMatchObject({
      matched: false,
      status: "skipped",
      reason: "selector evaluated to false",
    });
  });

  it("an event no binding matches is no_match; a namespace without bindings is no_bindings", async () => {
    await putCluster("default", "argo-server");
    await applyBinding("nomatch", binding("only-gitlab", 'discriminator = "gitlab"', "build"));
    const id = await sendEvent("nomatch/github", {});
    expect((await waitForOutcome("nomatch", id)).outcome).toBe("no_match");
    const empty = await sendEvent("no-bindings-here/github", {});
    expect((await waitForOutcome("no-bindings-here", empty)).outcome).toBe("no_bindings");
  });

  it("a signed GitHub push submits exactly once", async () => {
    const ns = "signed";
    await fakeCluster.templates(ns, ["ci"]);
    await putCluster("default", "argo-server");
    await putWebhookClient(ns, "github", "github", "gh-secret-123");
    await applyBinding(
      ns,
      binding("ci-on-push", 'discriminator = "github" and metadata."x-github-event" = ["push"]', "ci", {
        arguments: { parameters: [{ name: "revision", valueFrom: { event: "payload.after" } }] },
      }),
    );
    const body = JSON.stringify({ after: "59b20b8d", repository: { name: "app" } });
    const response = await postEvent(`${ns}/github`, body, {
      "x-github-event": "push",
      "x-hub-signature-256": await hmacHeader("gh-secret-123", body),
      "content-type": "application/json",
    });
    const { id } = (await response.json()) as { id: string };
    expect((await waitForOutcome(ns, id)).outcome).toBe("submitted");
    const workflows = await fakeCluster.workflows(ns);
    expect(workflows.map((w) => w.parameters)).toEqual([[{ name: "revision", value: "59b20b8d" }]]);
  });
});

describe("submission details", () => {
  it("custom name, generateName, labels, annotations and JSON-encoded non-string parameters", async () => {
    const ns = "details";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await putCluster("k8s", "kubernetes");
    const submit = {
      workflowTemplateRef: { name: "build" },
      metadata: {
        name: '"build-" & $substring(payload.after, 0, 7)',
        labels: { repo: "payload.repository.name" },
        annotations: { "example.com/pusher": "payload.pusher.name" },
      },
      arguments: {
        parameters: [
          { name: "commits", valueFrom: { event: "payload.commits" } },
          { name: "count", valueFrom: { event: "$count(payload.commits)" } },
          { name: "fixed", value: "literal" },
        ],
      },
    };
    const named = (cluster: string) => ({
      metadata: { name: "named" },
      spec: { cluster, event: { selector: 'discriminator = "named"' }, submit },
    });
    await applyBinding(ns, named("default"));
    await applyBinding(
      ns,
      binding("generated", 'discriminator = "generated"', "build", { metadata: { generateName: '"gen-"' } }),
    );
    const payload = {
      after: "59b20b8d5c6f",
      repository: { name: "app" },
      pusher: { name: "ada, lovelace" },
      commits: [{ id: 1 }],
    };

    // Argo Server's submit API cannot carry a comma in an annotation value…
    const first = await waitForOutcome(ns, await sendEvent(`${ns}/named`, payload));
    expect(first.outcome).toBe("failed");
    expect(first.results.find((result) => result.binding === "named")?.error).toMatch(/comma/);

    // …the same binding submits through the Kubernetes API.
    const stored = await applyBinding(ns, named("k8s"));
    expect((stored.metadata as { generation: number }).generation).toBe(2);
    const again = await sendEvent(`${ns}/named`, payload);
    expect((await waitForOutcome(ns, again)).outcome).toBe("submitted");
    const generated = await sendEvent(`${ns}/generated`, payload);
    expect((await waitForOutcome(ns, generated)).outcome).toBe("submitted");

    const workflows = await fakeCluster.workflows(ns);
    const byName = Object.fromEntries(workflows.map((w) => [w.name, w]));
    expect(byName["build-59b20b8"]).toMatchObject({
      via: "kubernetes",
      labels: expect.objectContaining({ repo: "app", "hookline.dev/event-id": again }),
      annotations: { "example.com/pusher": "ada, lovelace" },
      parameters: [
        { name: "commits", value: '[{"id":1}]' },
        { name: "count", value: "1" },
        { name: "fixed", value: "literal" },
      ],
    });
    expect(workflows.filter((w) => /^gen-[0-9a-f]{5}$/.test(w.name))).toHaveLength(1);
  });

  it("a name taken by another event's workflow fails that result instead of claiming it", async () => {
    const ns = "collide";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("fixed-name", "true", "build", { metadata: { name: '"always-the-same"' } }));
    const first = await sendEvent(`${ns}/x`, {});
    expect((await waitForOutcome(ns, first)).outcome).toBe("submitted");
    const second = await sendEvent(`${ns}/x`, {});
    const event = await waitForOutcome(ns, second);
    expect(event.outcome).toBe("failed");
    expect(event.results[0]?.error).toContain(`already taken by the workflow of event ${first}`);
    expect(await fakeCluster.workflows(ns)).toHaveLength(1);
  });

  it("results that are not valid names or label values fail the result with a clear error", async () => {
    const ns = "invalid-results";
    await putCluster("default", "argo-server");
    await applyBinding(
      ns,
      binding("bad-name", 'discriminator = "a"', "build", { metadata: { name: '"Not A Name!"' } }),
    );
    await applyBinding(
      ns,
      binding("bad-label", 'discriminator = "b"', "build", { metadata: { labels: { x: '"has spaces in it"' } } }),
    );
    await applyBinding(ns, binding("map-name", 'discriminator = "c"', "build", { metadata: { name: "payload" } }));
    await applyBinding(ns, binding("number-selector", 'discriminator = "d" ? 1 : false', "build"));
    await applyBinding(
      ns,
      binding("missing-param", 'discriminator = "e"', "build", {
        arguments: { parameters: [{ name: "p", valueFrom: { event: "payload.nope" } }] },
      }),
    );
    const cases: Array<[string, RegExp]> = [
      ["a", /spec\.submit\.metadata\.name: "Not A Name!" is not a valid workflow name/],
      ["b", /spec\.submit\.metadata\.labels\.x: "has spaces in it" is not a valid label value/],
      ["c", /spec\.submit\.metadata\.name: must evaluate to a string, got a map/],
      ["d", /spec\.event\.selector: must evaluate to a boolean, got a number/],
      ["e", /parameters\[0\]\.valueFrom\.event: evaluated to nothing/],
    ];
    for (const [discriminator, error] of cases) {
      const id = await sendEvent(`${ns}/${discriminator}`, { some: "payload" });
      const event = await waitForOutcome(ns, id);
      expect(event.outcome).toBe("failed");
      expect(event.results.find((result) => result.status === "failed")?.error).toMatch(error);
    }
    expect(await fakeCluster.workflows(ns)).toHaveLength(0);
  });

  it("a runaway expression becomes a failed result, and the batch carries on", async () => {
    const ns = "runaway";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("loops", "$count($map([1..90000], function($v) { $v })) > 0", "build"));
    await applyBinding(ns, binding("fine", "true", "build"));
    const id = await sendEvent(`${ns}/x`, {});
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("partially_failed");
    const byName = Object.fromEntries(event.results.map((result) => [result.binding, result]));
    expect(byName.loops?.error).toMatch(/work budget/);
    expect(byName.fine?.status).toBe("submitted");
  });
});

describe("template restriction", () => {
  it("a binding fires only if the sender may submit its template", async () => {
    const ns = "restricted";
    await fakeCluster.templates(ns, ["allowed", "forbidden"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("to-allowed", "true", "allowed"));
    await applyBinding(ns, binding("to-forbidden", "true", "forbidden"));
    const token = await createToken({
      name: "restricted-sender",
      namespaces: [ns],
      scopes: ["events:write"],
      templates: ["allowed"],
    });
    const id = await sendEvent(`${ns}/x`, {}, bearer(token));
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("partially_failed");
    const byName = Object.fromEntries(event.results.map((result) => [result.binding, result]));
    expect(byName["to-allowed"]?.status).toBe("submitted");
    expect(byName["to-forbidden"]).toMatchObject({ matched: true, status: "failed" });
    expect(byName["to-forbidden"]?.error).toMatch(/may not submit template "forbidden"/);
    expect((await fakeCluster.workflows(ns)).map((w) => (w.template as { name: string }).name)).toEqual(["allowed"]);

    const admin = await sendEvent(`${ns}/x`, {});
    expect((await waitForOutcome(ns, admin)).outcome).toBe("submitted");
  });
});

describe("cluster failures", () => {
  it("cluster down then up: the event is retried with backoff and submitted exactly once", async () => {
    const ns = "flaky";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await fakeCluster.behaviour(ns, { fail500: 2 });
    const id = await sendEvent(`${ns}/x`, {});
    const pending = await waitForOutcome(ns, id, (event) => event.outcome === "pending");
    expect(pending.results[0]?.error).toMatch(/answered 500/);
    const event = await waitForOutcome(ns, id, (e) => e.outcome !== "pending", 30_000);
    expect(event.outcome).toBe("submitted");
    expect(event.results[0]?.attempts).toBe(3);
    expect(await fakeCluster.workflows(ns)).toHaveLength(1);
    expect(await fakeCluster.requests(ns)).toBe(3);
  });

  it("a hung cluster that created the workflow before timing out still ends with one workflow", async () => {
    const ns = "hung";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server", { timeoutSeconds: 1 });
    await applyBinding(ns, binding("b", "true", "build"));
    await fakeCluster.behaviour(ns, { hang: 1, hangMs: 5_000 });
    const id = await sendEvent(`${ns}/x`, {});
    const event = await waitForOutcome(ns, id, (e) => e.outcome !== "pending", 30_000);
    expect(event.outcome).toBe("submitted");
    expect(event.results[0]?.attempts).toBe(2);
    expect(await fakeCluster.workflows(ns)).toHaveLength(1);
  });

  it("a cluster answering 403 fails the result at once, without retrying", async () => {
    const ns = "forbidden";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    await applyBinding(ns, binding("b", "true", "build"));
    await fakeCluster.behaviour(ns, { forbidden: true });
    const id = await sendEvent(`${ns}/x`, {});
    const event = await waitForOutcome(ns, id);
    expect(event.outcome).toBe("failed");
    expect(event.results[0]).toMatchObject({ status: "failed", attempts: 1 });
    expect(event.results[0]?.error).toMatch(/refused the workflow \(403\): forbidden/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await fakeCluster.requests(ns)).toBe(1);
  });

  it("an unknown template (404) and a wrong cluster token (401) fail at once with the cluster's message", async () => {
    const ns = "refusals";
    await putCluster("default", "argo-server");
    await putCluster("badtoken", "argo-server", { token: "not-the-token" });
    await applyBinding(ns, binding("unknown-template", 'discriminator = "a"', "nope"));
    await applyBinding(ns, {
      ...binding("bad-token", 'discriminator = "b"', "nope"),
      spec: {
        cluster: "badtoken",
        event: { selector: 'discriminator = "b"' },
        submit: { workflowTemplateRef: { name: "nope" } },
      },
    });
    await applyBinding(ns, {
      ...binding("no-cluster", 'discriminator = "c"', "nope"),
      spec: {
        cluster: "missing",
        event: { selector: 'discriminator = "c"' },
        submit: { workflowTemplateRef: { name: "nope" } },
      },
    });
    const failure = async (discriminator: string) => {
      const event = await waitForOutcome(ns, await sendEvent(`${ns}/${discriminator}`, {}));
      expect(event.outcome).toBe("failed");
      return event.results.find((result) => result.status === "failed");
    };
    expect((await failure("a"))?.error).toMatch(/\(404\): workflowtemplates\.argoproj\.io "nope" not found/);
    expect((await failure("b"))?.error).toMatch(/\(401\)/);
    expect((await failure("c"))?.error).toMatch(/cluster "missing" is not configured/);
  });
});

describe("replay", () => {
  it("re-runs an event through today's bindings", async () => {
    const ns = "replay-ns";
    await fakeCluster.templates(ns, ["build"]);
    await putCluster("default", "argo-server");
    const id = await sendEvent(`${ns}/x`, { n: 1 });
    expect((await waitForOutcome(ns, id)).outcome).toBe("no_bindings");
    await applyBinding(ns, binding("later", "payload.n = 1", "build"));
    const response = await call(`/api/v1/namespaces/${ns}/events/${id}/replay`, { method: "POST", headers: adminAuth });
    expect(response.status).toBe(202);
    const replayed = (await response.json()) as { id: string };
    const event = await waitForOutcome(ns, replayed.id);
    expect(event.outcome).toBe("submitted");
    expect((await fakeCluster.workflows(ns))[0]?.labels["hookline.dev/event-id"]).toBe(replayed.id);
  });
});
