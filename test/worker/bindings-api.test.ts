import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminAuth, bearer, binding, call, callJson, countRows, createToken, expectError } from "./helpers";

const path = (ns: string, name = "") => `/api/v1/namespaces/${ns}/workfloweventbindings${name ? `/${name}` : ""}`;

function putYaml(url: string, yaml: string, auth = adminAuth) {
  return call(url, { method: "PUT", headers: { ...auth, "content-type": "application/yaml" }, body: yaml });
}

const seedYaml = `
apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: event-consumer
spec:
  event:
    # metadata header name must be lowercase to match in selector
    selector: 'payload.message != "" and metadata."x-argo-e2e" = ["true"] and discriminator = "my-discriminator"'
  submit:
    workflowTemplateRef:
      name: my-wf-tmple
    arguments:
      parameters:
        - name: message
          valueFrom:
            event: payload.message
`;

describe("WorkflowEventBinding API: apply and read", () => {
  it("applies the seed's binding from YAML: created, then unchanged, then configured", async () => {
    const created = await putYaml(path("api", "event-consumer"), seedYaml);
    expect(created.status).toBe(201);
    expect(created.headers.get("x-hookline-action")).toBe("created");
    const stored = (await created.json()) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    expect(stored.metadata).toMatchObject({ name: "event-consumer", namespace: "api", generation: 1 });
    expect(stored.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(stored.metadata.creationTimestamp as string)).not.toBeNaN();
    expect(stored.spec).toMatchObject({ cluster: "default", expressionLanguage: "jsonata" });

    const again = await putYaml(path("api", "event-consumer"), seedYaml);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-hookline-action")).toBe("unchanged");
    expect(((await again.json()) as typeof stored).metadata).toMatchObject({ generation: 1, uid: stored.metadata.uid });

    const changed = await putYaml(path("api", "event-consumer"), seedYaml.replace("my-wf-tmple", "other-template"));
    expect(changed.headers.get("x-hookline-action")).toBe("configured");
    const configured = (await changed.json()) as typeof stored;
    expect(configured.metadata).toMatchObject({
      generation: 2,
      uid: stored.metadata.uid,
      creationTimestamp: stored.metadata.creationTimestamp,
    });

    const read = await call(path("api", "event-consumer"), { headers: adminAuth });
    expect(await read.json()).toEqual(configured);
    const list = (await (await call(path("api"), { headers: adminAuth })).json()) as { kind: string; items: unknown[] };
    expect(list).toMatchObject({ kind: "WorkflowEventBindingList" });
    expect(list.items).toHaveLength(1);
  });

  it("applies a List and a multi-document YAML stream to the collection", async () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [binding("one", 'discriminator = "1"', "t"), binding("two", 'discriminator = "2"', "t")],
    };
    const response = await callJson(path("multi"), "PUT", list);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: unknown }).results).toEqual([
      { name: "one", action: "created" },
      { name: "two", action: "created" },
    ]);
    const stream = [
      "metadata: {name: two}\nspec: {event: {selector: 'discriminator = \"2\"'}, submit: {workflowTemplateRef: {name: t}}}",
      "metadata: {name: three}\nspec: {event: {selector: 'true'}, submit: {workflowTemplateRef: {name: t}}}",
    ].join("\n---\n");
    const applied = await putYaml(path("multi"), stream);
    expect(((await applied.json()) as { results: unknown }).results).toEqual([
      { name: "two", action: "unchanged" },
      { name: "three", action: "created" },
    ]);
    expect(await countRows("bindings", "namespace = 'multi'")).toBe(3);
  });

  it("?dryRun=All validates and writes nothing", async () => {
    const response = await callJson(`${path("dry", "x")}?dryRun=All`, "PUT", binding("x", "true", "t"));
    expect(response.status).toBe(201);
    expect(await countRows("bindings", "namespace = 'dry'")).toBe(0);
  });

  it("deletes a binding", async () => {
    await callJson(path("del", "gone"), "PUT", binding("gone", "true", "t"));
    expect((await call(path("del", "gone"), { method: "DELETE", headers: adminAuth })).status).toBe(204);
    await expectError(await call(path("del", "gone"), { headers: adminAuth }), 404, "not_found");
    await expectError(await call(path("del", "gone"), { method: "DELETE", headers: adminAuth }), 404, "not_found");
  });
});

describe("WorkflowEventBinding API: bad input changes nothing", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      "a bad expression, naming the field and position",
      binding("x", "payload.a = = 3", "t"),
      /spec\.event\.selector: .* \(at position 13\)/,
    ],
    [
      "a bad parameter expression",
      binding("x", "true", "t", { arguments: { parameters: [{ name: "p", valueFrom: { event: "payload.(" } }] } }),
      /spec\.submit\.arguments\.parameters\[0\]\.valueFrom\.event: .*position/,
    ],
    [
      "a bad label expression",
      binding("x", "true", "t", { metadata: { labels: { app: "$$$(" } } }),
      /spec\.submit\.metadata\.labels\.app/,
    ],
    ["a regex RE2 cannot run (a backreference)", binding("x", "$contains(payload.m, /(a)\\1/)", "t"), /RE2/],
    ["$eval", binding("x", "$eval(payload.code)", "t"), /\$eval is not available/],
    [
      "a missing selector",
      { metadata: { name: "x" }, spec: { event: {}, submit: { workflowTemplateRef: { name: "t" } } } },
      /spec\.event\.selector/,
    ],
    [
      "a missing template",
      { metadata: { name: "x" }, spec: { event: { selector: "true" }, submit: {} } },
      /spec\.submit\.workflowTemplateRef/,
    ],
    ["a bad template name", binding("x", "true", "Not_Valid"), /workflowTemplateRef\.name/],
    [
      "an unknown field",
      {
        ...binding("x", "true", "t"),
        spec: { event: { selector: "true" }, submit: { workflowTemplateRef: { name: "t" } }, extra: 1 },
      },
      /spec/,
    ],
    [
      "name and generateName",
      binding("x", "true", "t", { metadata: { name: '"a"', generateName: '"b"' } }),
      /not both/,
    ],
    [
      "a parameter with value and valueFrom",
      binding("x", "true", "t", { arguments: { parameters: [{ name: "p", value: "v", valueFrom: { event: "1" } }] } }),
      /exactly one/,
    ],
    [
      "duplicate parameter names",
      binding("x", "true", "t", {
        arguments: {
          parameters: [
            { name: "p", value: "1" },
            { name: "p", value: "2" },
          ],
        },
      }),
      /unique/,
    ],
    ["a wrong kind", { ...binding("x", "true", "t"), kind: "Workflow" }, /kind/],
    ["a bad label key", binding("x", "true", "t", { metadata: { labels: { "bad key!": '"v"' } } }), /labels/],
    ["a name too long to be a label value", binding("a".repeat(64), "true", "t"), /at most 63/],
    [
      "an expr construct that cannot be translated",
      {
        ...binding("x", "true", "t"),
        spec: {
          expressionLanguage: "expr",
          event: { selector: 'discriminator == "x" && sprig.sha1sum(payload.a) == "b"' },
          submit: { workflowTemplateRef: { name: "t" } },
        },
      },
      /spec\.event\.selector: sprig\.sha1sum is not supported .*\(at position 25\)/,
    ],
    [
      "an expr syntax error",
      {
        ...binding("x", "true", "t"),
        spec: {
          expressionLanguage: "expr",
          event: { selector: "payload.a == " },
          submit: { workflowTemplateRef: { name: "t" } },
        },
      },
      /spec\.event\.selector: unexpected end of expression \(at position 14\)/,
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what}`, async () => {
      const name = (body as { metadata?: { name?: string } }).metadata?.name ?? "x";
      const error = await expectError(await callJson(path("bad", name), "PUT", body), 400, "invalid_argument");
      expect(error).toMatch(message);
      expect(await countRows("bindings", "namespace = 'bad'")).toBe(0);
    });
  }

  it("refuses a name or namespace that differs from the URL", async () => {
    await expectError(await callJson(path("bad", "y"), "PUT", binding("x", "true", "t")), 400, "invalid_argument");
    const other = { ...binding("x", "true", "t"), metadata: { name: "x", namespace: "elsewhere" } };
    await expectError(await callJson(path("bad", "x"), "PUT", other), 400, "invalid_argument");
    await expectError(await callJson(path("Bad_NS", "x"), "PUT", binding("x", "true", "t")), 400, "invalid_argument");
  });

  it("applies nothing from a List when one object is invalid, naming the object", async () => {
    const list = { kind: "List", items: [binding("good", "true", "t"), binding("broken", "payload.(", "t")] };
    const message = await expectError(await callJson(path("bad"), "PUT", list), 400, "invalid_argument");
    expect(message).toMatch(/^object 2 \(broken\): spec\.event\.selector/);
    expect(await countRows("bindings", "namespace = 'bad'")).toBe(0);
  });

  it("refuses a YAML document that does not parse, with its line", async () => {
    const message = await expectError(
      await putYaml(path("bad", "x"), "metadata: {name: x\nspec: ["),
      400,
      "invalid_argument",
    );
    expect(message).toMatch(/line \d+/);
  });

  it("refuses a body over 1 MiB with 413", async () => {
    const huge = binding("x", `"${"a".repeat(1024 * 1024)}" = "b"`, "t");
    await expectError(await callJson(path("bad", "x"), "PUT", huge), 413, "payload_too_large");
  });
});

describe("WorkflowEventBinding API: Argo's expression language", () => {
  it("applies Argo's own YAML with expressionLanguage: expr, keeping the original and showing the JSONata", async () => {
    const argoYaml = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata:
  name: event-consumer
spec:
  expressionLanguage: expr
  event:
    # metadata header name must be lowercase to match in selector
    selector: payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"
  submit:
    workflowTemplateRef:
      name: my-wf-tmple
    metadata:
      name: 'payload.message + "-world"'
      labels:
        someLabel: '"literal string"'
    arguments:
      parameters:
        - name: message
          valueFrom:
            event: payload.message
`;
    const response = await putYaml(path("expr", "event-consumer"), argoYaml);
    expect(response.status).toBe(201);
    const stored = (await response.json()) as {
      spec: { event: { selector: string } };
      status: { translated: Record<string, string> };
    };
    expect(stored.spec.event.selector).toBe(
      'payload.message != "" && metadata["x-argo-e2e"] == ["true"] && discriminator == "my-discriminator"',
    );
    expect(stored.status.translated["spec.event.selector"]).toBe(
      '(($not((payload.message = "")) and (metadata.`x-argo-e2e` = ["true"])) and (discriminator = "my-discriminator"))',
    );
    expect(stored.status.translated["spec.submit.metadata.name"]).toBe('$exprAdd(payload.message, "-world")');

    const test = async (body: unknown) =>
      (await (await callJson(`${path("expr", "event-consumer")}/test`, "POST", body)).json()) as {
        matched: boolean;
        parameters: Record<string, string>;
        workflow: { name: string; labels: Record<string, string> };
        errors: Array<{ field: string; message: string }>;
      };
    const tested = await test({
      payload: { message: "hello" },
      metadata: { "x-argo-e2e": ["true"] },
      discriminator: "my-discriminator",
    });
    expect(tested.matched).toBe(true);
    expect(tested.parameters).toEqual({ message: "hello" });
    expect(tested.workflow.name).toBe("hello-world");
    // Argo's docs label with "literal string", which Kubernetes refuses as a label value; hookline says so.
    expect(tested.errors).toEqual([
      {
        field: "spec.submit.metadata.labels.someLabel",
        message: expect.stringContaining("is not a valid label value"),
      },
    ]);
    // expr's nil semantics: a missing message is != "", so the selector still matches.
    expect(
      (await test({ payload: {}, metadata: { "x-argo-e2e": ["true"] }, discriminator: "my-discriminator" })).matched,
    ).toBe(true);
    expect(
      (
        await test({
          payload: { message: "" },
          metadata: { "x-argo-e2e": ["true"] },
          discriminator: "my-discriminator",
        })
      ).matched,
    ).toBe(false);
  });
});

describe("WorkflowEventBinding API: security", () => {
  it("needs bindings:write to apply and delete, bindings:read to read, in the namespace", async () => {
    const reader = await createToken({ name: "b-reader", namespaces: ["sec"], scopes: ["bindings:read"] });
    const writer = await createToken({
      name: "b-writer",
      namespaces: ["sec"],
      scopes: ["bindings:write", "bindings:read"],
    });
    const otherNs = await createToken({
      name: "b-other",
      namespaces: ["elsewhere"],
      scopes: ["bindings:write", "bindings:read"],
    });
    await expectError(
      await callJson(path("sec", "x"), "PUT", binding("x", "true", "t"), bearer(reader)),
      403,
      "permission_denied",
    );
    await expectError(
      await callJson(path("sec", "x"), "PUT", binding("x", "true", "t"), bearer(otherNs)),
      403,
      "permission_denied",
    );
    expect((await callJson(path("sec", "x"), "PUT", binding("x", "true", "t"), bearer(writer))).status).toBe(201);
    expect((await call(path("sec", "x"), { headers: bearer(reader) })).status).toBe(200);
    await expectError(await call(path("sec", "x"), { headers: bearer(otherNs) }), 403, "permission_denied");
    await expectError(
      await call(path("sec", "x"), { method: "DELETE", headers: bearer(reader) }),
      403,
      "permission_denied",
    );
    await expectError(await call(path("sec")), 401, "unauthenticated");
  });

  it("bumps the namespace's configuration version on every change, in the same write", async () => {
    const version = async () =>
      (
        await env.DB.prepare("SELECT version FROM config_versions WHERE scope = 'bindings:ver'").first<{
          version: number;
        }>()
      )?.version ?? 0;
    await callJson(path("ver", "a"), "PUT", binding("a", "true", "t"));
    const first = await version();
    await callJson(path("ver", "a"), "PUT", binding("a", "true", "t"));
    expect(await version()).toBe(first);
    await callJson(path("ver", "a"), "PUT", binding("a", "false", "t"));
    expect(await version()).toBe(first + 1);
    await call(path("ver", "a"), { method: "DELETE", headers: adminAuth });
    expect(await version()).toBe(first + 2);
  });
});

describe("binding dry run (/test)", () => {
  it("shows match, parameters, workflow name, labels and per-expression errors, submitting nothing", async () => {
    await callJson(
      path("dryrun", "ci"),
      "PUT",
      binding("ci", 'discriminator = "github" and payload.ref = "refs/heads/main"', "build", {
        metadata: { labels: { repo: "payload.repository.name" }, annotations: { broken: "payload.missing.x" } },
        arguments: {
          parameters: [
            { name: "revision", valueFrom: { event: "payload.after" } },
            { name: "n", valueFrom: { event: "$count(payload.commits)" } },
          ],
        },
      }),
    );
    const response = await callJson(`${path("dryrun", "ci")}/test`, "POST", {
      payload: { ref: "refs/heads/main", after: "abc123", repository: { name: "app" }, commits: [1, 2] },
      discriminator: "github",
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as Record<string, unknown>;
    expect(result).toMatchObject({
      matched: true,
      parameters: { revision: "abc123", n: "2" },
      workflow: {
        cluster: "default",
        template: { name: "build", clusterScope: false },
        labels: expect.objectContaining({ repo: "app" }),
      },
    });
    expect((result.workflow as { name: string }).name).toMatch(/^build-[0-9a-f]{10}$/);
    expect(result.errors).toEqual([
      { field: "spec.submit.metadata.annotations.broken", message: "must evaluate to a string, got nothing" },
    ]);

    const unmatched = (await (
      await callJson(`${path("dryrun", "ci")}/test`, "POST", { payload: {}, discriminator: "gitlab" })
    ).json()) as {
      matched: boolean;
    };
    expect(unmatched.matched).toBe(false);
    expect(await countRows("event_log")).toBe(0);
    expect(await countRows("event_counts")).toBe(0);
  });

  it("refuses a malformed test request and an unknown binding", async () => {
    await expectError(
      await callJson(`${path("dryrun", "ci")}/test`, "POST", { payload: {}, metadata: { "x-a": "not-a-list" } }),
      400,
      "invalid_argument",
    );
    await expectError(await callJson(`${path("dryrun", "nope")}/test`, "POST", { payload: {} }), 404, "not_found");
  });
});
