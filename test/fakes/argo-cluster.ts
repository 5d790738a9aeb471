// A fake Argo Server and Kubernetes API on 127.0.0.1, strict the way the real ones are: bearer
// tokens, content types, request bodies validated against Argo's published OpenAPI spec,
// Kubernetes names and labels, 409 AlreadyExists for a taken name. Tests steer it through
// /_fake/* (failures, hangs, templates) and read what it accepted. State is kept per namespace,
// so test files running in parallel do not see each other; a URL under `/w/<id>` is a cluster of
// its own (its own namespaces, its workflows' pace), for tests that count a whole cluster's
// workflows. Workflows stay Running unless the cluster is told how fast they complete
// (`/_fake/completion`) or completes some (`/_fake/complete`); the phases show in reads and in
// lists (Argo Server's and the Kubernetes API's, filtered by label selector), and the cluster
// records the most workflows it ever had active at once.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback, readBody } from "./http.ts";
import { parseLabelSelector } from "./label-selector.ts";
import { validateDefinition } from "./swagger.ts";

export interface AcceptedWorkflow {
  namespace: string;
  name: string;
  via: "argo-server" | "kubernetes";
  template: { kind: string; name: string };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  parameters: Array<{ name: string; value: string }>;
  createdAt: number;
  /** The W3C traceparent the create request carried, if any. */
  traceparent?: string;
  /** Its nodes, as `status.nodes` reports them (default: a steps root and a suspend step "approve"). */
  nodes?: FakeNode[];
}

/** A workflow node as Argo's `status.nodes` holds it (keyed by id there). */
export interface FakeNode {
  id: string;
  name: string;
  displayName: string;
  type: string;
  phase: string;
  templateName?: string;
  templateRef?: { name: string; template: string };
}

/** The nodes of a workflow made from a template with one approval step, as Argo names them. */
export function defaultNodes(workflow: string): FakeNode[] {
  return [
    { id: workflow, name: workflow, displayName: workflow, type: "Steps", phase: "Running", templateName: "main" },
    {
      id: `${workflow}-approve`,
      name: `${workflow}[0].approve`,
      displayName: "approve",
      type: "Suspend",
      phase: "Running",
      templateName: "approve",
    },
  ];
}

export interface SetCall {
  namespace: string;
  name: string;
  body: Record<string, unknown>;
  /** When the fake received it (epoch ms). */
  at: number;
}

/** How a namespace's next requests fail: counts are consumed one request at a time. */
export interface Behaviour {
  fail500?: number;
  rateLimit?: number;
  hang?: number;
  forbidden?: boolean;
  /** Random failures for soak runs: probability of a 500, and of a hang (after creating). */
  randomFailRate?: number;
  randomHangRate?: number;
  /** How long a hang keeps the connection open. */
  hangMs?: number;
  /** Down: every request (reads too) answers 503 until this is cleared. */
  down?: boolean;
  /** The next requests answer a redirect to this URL (a misconfigured proxy, or worse). */
  redirect?: string;
  /** The next N creates succeed but answer 200 with a body that names nothing. */
  nameless?: number;
  /** The next N requests answer 400 with a body this many bytes long. */
  hugeBody?: number;
  /** Cloudflare Access in front: requests without these headers (names lowercase) get 403. */
  requireHeaders?: Record<string, string>;
}

interface NamespaceState {
  workflows: Map<string, AcceptedWorkflow>;
  templates: Set<string>;
  behaviour: Behaviour;
  requests: number;
  sets: SetCall[];
}

/** How a cluster's workflows end: each runs `runMs`, and at most `perSecond` complete each second (in creation order). */
export interface Completion {
  runMs?: number;
  perSecond?: number;
}

/** One cluster: its namespaces, how its workflows complete, and what it saw. */
interface World {
  namespaces: Map<string, NamespaceState>;
  completion: Completion | null;
  /** When the last scheduled completion happens (for `perSecond`). */
  lastFinish: number;
  /** Completion times by `namespace/name` (absent: runs until completed by hand). */
  finishAt: Map<string, number>;
  /** The most workflows active at once, over the cluster and by `namespace/binding label`. */
  maxActive: number;
  maxActiveByBinding: Map<string, number>;
  created: number;
}

const BINDING_LABEL = "hookline.dev/binding";
const PHASE_LABEL = "workflows.argoproj.io/phase";
const COMPLETED_LABEL = "workflows.argoproj.io/completed";

export interface FakeCluster {
  url: string;
  token: string;
  close(): Promise<void>;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function validLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? null : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  return (
    (prefix === null || (prefix.length <= 253 && dns1123Subdomain.test(prefix))) &&
    name.length <= 63 &&
    labelName.test(name)
  );
}

function labelProblems(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => [
    ...(validLabelKey(key) ? [] : [`invalid label key "${key}"`]),
    ...(value.length <= 63 && labelValue.test(value) ? [] : [`invalid label value "${value}" for key "${key}"`]),
  ]);
}

/** Starts the fake; `token` is the bearer token both APIs require. */
export async function startFakeCluster(token = "fake-cluster-token"): Promise<FakeCluster> {
  const worlds = new Map<string, World>();
  const worldOf = (id: string): World => {
    let world = worlds.get(id);
    if (!world) {
      world = {
        namespaces: new Map(),
        completion: null,
        lastFinish: 0,
        finishAt: new Map(),
        maxActive: 0,
        maxActiveByBinding: new Map(),
        created: 0,
      };
      worlds.set(id, world);
    }
    return world;
  };
  const stateIn = (world: World, namespace: string): NamespaceState => {
    let entry = world.namespaces.get(namespace);
    if (!entry) {
      entry = { workflows: new Map(), templates: new Set(), behaviour: {}, requests: 0, sets: [] };
      world.namespaces.set(namespace, entry);
    }
    return entry;
  };

  /** A workflow's phase now: Running until its completion time, then Succeeded. */
  const phaseOf = (world: World, workflow: AcceptedWorkflow, now: number): string => {
    const finish = world.finishAt.get(`${workflow.namespace}/${workflow.name}`);
    return finish !== undefined && finish <= now ? "Succeeded" : "Running";
  };

  /** Schedules a new workflow's completion and records how many are active with it. */
  const created = (world: World, workflow: AcceptedWorkflow): void => {
    const now = workflow.createdAt;
    world.created += 1;
    const completion = world.completion;
    if (completion) {
      let finish = now + (completion.runMs ?? 0);
      if (completion.perSecond) finish = Math.max(finish, world.lastFinish + 1000 / completion.perSecond);
      world.lastFinish = Math.max(world.lastFinish, finish);
      world.finishAt.set(`${workflow.namespace}/${workflow.name}`, finish);
    }
    const active = activeWorkflows(world, now);
    world.maxActive = Math.max(world.maxActive, active.length);
    const binding = workflow.labels[BINDING_LABEL];
    if (binding !== undefined) {
      const key = `${workflow.namespace}/${binding}`;
      const same = active.filter(
        (other) => other.labels[BINDING_LABEL] === binding && other.namespace === workflow.namespace,
      );
      world.maxActiveByBinding.set(key, Math.max(world.maxActiveByBinding.get(key) ?? 0, same.length));
    }
  };

  const activeWorkflows = (world: World, now: number): AcceptedWorkflow[] =>
    [...world.namespaces.values()].flatMap((ns) =>
      [...ns.workflows.values()].filter((workflow) => phaseOf(world, workflow, now) === "Running"),
    );

  /** The labels a workflow carries once Argo's controller has seen it. */
  const labelsOf = (world: World, workflow: AcceptedWorkflow, now: number): Record<string, string> => {
    const phase = phaseOf(world, workflow, now);
    return { ...workflow.labels, [PHASE_LABEL]: phase, [COMPLETED_LABEL]: phase === "Running" ? "false" : "true" };
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { message: String(error) });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const prefix = /^\/w\/([a-z0-9-]{1,63})(?=\/)/.exec(url.pathname);
    const world = worldOf(prefix?.[1] ?? "");
    if (prefix) url.pathname = url.pathname.slice(prefix[0].length);
    const state = (namespace: string) => stateIn(world, namespace);
    const body = await readBody(request);
    if (url.pathname.startsWith("/_fake/")) return control(world, url, request.method ?? "GET", body, response);
    const pathNamespace = /^\/(?:api\/v1\/workflows|apis\/argoproj\.io\/v1alpha1\/namespaces)\/([^/]+)/.exec(
      url.pathname,
    )?.[1];
    if (pathNamespace !== undefined) {
      const ns = state(decodeURIComponent(pathNamespace));
      if (ns.behaviour.down) {
        ns.requests += 1;
        return send(response, 503, { code: 14, message: "service unavailable", details: [] });
      }
      if (ns.behaviour.redirect) {
        ns.requests += 1;
        response.writeHead(307, { location: ns.behaviour.redirect, "content-type": "text/plain" });
        response.end("redirecting");
        return;
      }
    }

    const list =
      request.method === "GET"
        ? (/^\/api\/v1\/workflows\/([^/]*)$/.exec(url.pathname) ??
          /^\/apis\/argoproj\.io\/v1alpha1\/(?:namespaces\/([^/]+)\/)?workflows$/.exec(url.pathname))
        : null;
    if (list) return listWorkflows(world, request, response, url, decodeURIComponent(list[1] ?? ""));
    const read =
      request.method === "GET"
        ? (/^\/api\/v1\/workflows\/([^/]+)\/([^/]+)$/.exec(url.pathname) ??
          /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/workflows\/([^/]+)$/.exec(url.pathname))
        : null;
    if (read)
      return readWorkflow(
        world,
        request,
        response,
        decodeURIComponent(read[1] ?? ""),
        decodeURIComponent(read[2] ?? ""),
        url.pathname.startsWith("/apis/"),
      );
    const submit = /^\/api\/v1\/workflows\/([^/]+)\/submit$/.exec(url.pathname);
    const set = /^\/api\/v1\/workflows\/([^/]+)\/([^/]+)\/set$/.exec(url.pathname);
    const create = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/workflows$/.exec(url.pathname);
    const flavour = create ? "kubernetes" : "argo-server";
    const fail = (status: number, message: string, reason: string, grpcCode: number) =>
      refuse(response, flavour === "kubernetes", status, message, reason, grpcCode);

    const match = submit ?? set ?? create;
    if (
      !match ||
      (submit && request.method !== "POST") ||
      (create && request.method !== "POST") ||
      (set && request.method !== "PUT")
    ) {
      return fail(404, `no route for ${request.method} ${url.pathname}`, "NotFound", 5);
    }
    const namespace = decodeURIComponent(match[1] ?? "");
    const ns = state(namespace);
    ns.requests += 1;

    const access = ns.behaviour.requireHeaders ?? {};
    if (Object.entries(access).some(([name, value]) => request.headers[name] !== value)) {
      return fail(403, "Forbidden: Cloudflare Access denied the request", "Forbidden", 7);
    }
    if (request.headers.authorization !== `Bearer ${token}`) return fail(401, "Unauthorized", "Unauthorized", 16);
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return fail(
        415,
        `unsupported media type ${request.headers["content-type"] ?? "(none)"}`,
        "UnsupportedMediaType",
        3,
      );
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return fail(400, "request body is not JSON", "BadRequest", 3);
    }

    // Steered failures, checked after authentication like a real server's.
    const behaviour = ns.behaviour;
    if (behaviour.forbidden)
      return fail(403, `forbidden: cannot create workflows in namespace "${namespace}"`, "Forbidden", 7);
    if ((behaviour.fail500 ?? 0) > 0) {
      behaviour.fail500 = (behaviour.fail500 ?? 0) - 1;
      return fail(500, "etcdserver: request timed out", "InternalError", 13);
    }
    if ((behaviour.rateLimit ?? 0) > 0) {
      behaviour.rateLimit = (behaviour.rateLimit ?? 0) - 1;
      return fail(429, "too many requests", "TooManyRequests", 8);
    }
    if (Math.random() < (behaviour.randomFailRate ?? 0)) return fail(500, "random failure", "InternalError", 13);
    if ((behaviour.hugeBody ?? 0) > 0) {
      const size = behaviour.hugeBody ?? 0;
      behaviour.hugeBody = 0;
      response.writeHead(400, { "content-type": "text/plain" });
      response.end(`huge error ${"x".repeat(size)}`);
      return;
    }
    let hangAfterCreate = false;
    if ((behaviour.hang ?? 0) > 0) {
      behaviour.hang = (behaviour.hang ?? 0) - 1;
      hangAfterCreate = true;
    } else if (Math.random() < (behaviour.randomHangRate ?? 0)) {
      hangAfterCreate = true;
    }

    if (set) return handleSet(world, namespace, decodeURIComponent(set[2] ?? ""), json, response, fail);
    const result = submit ? parseSubmit(namespace, json, ns) : parseCreate(namespace, json);
    if ("error" in result)
      return fail(
        result.status,
        result.error,
        result.status === 404 ? "NotFound" : "BadRequest",
        result.status === 404 ? 5 : 3,
      );
    // Like the real server, a traceparent is taken as it comes (tests check its shape).
    const traceparent = request.headers.traceparent;
    const workflow: AcceptedWorkflow = {
      ...result.workflow,
      createdAt: Date.now(),
      ...(traceparent === undefined ? {} : { traceparent: String(traceparent) }),
    };
    if (ns.workflows.has(workflow.name)) {
      return fail(409, `workflows.argoproj.io "${workflow.name}" already exists`, "AlreadyExists", 6);
    }
    ns.workflows.set(workflow.name, workflow);
    created(world, workflow);
    const answer = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { name: workflow.name, namespace, labels: workflow.labels, uid: crypto.randomUUID() },
      spec: { workflowTemplateRef: { name: workflow.template.name } },
    };
    if ((behaviour.nameless ?? 0) > 0) {
      behaviour.nameless = (behaviour.nameless ?? 0) - 1;
      return send(response, 200, {});
    }
    if (hangAfterCreate) {
      // The workflow exists, but the answer never arrives in time: the caller must not create another.
      setTimeout(
        () => send(response, flavour === "kubernetes" ? 201 : 200, answer),
        behaviour.hangMs ?? 30_000,
      ).unref();
      return;
    }
    send(response, flavour === "kubernetes" ? 201 : 200, answer);
  }

  /**
   * Lists workflows of a namespace, or of every namespace (`/api/v1/workflows/`,
   * `/apis/argoproj.io/v1alpha1/workflows`), by label selector: Argo Server's
   * `listOptions.labelSelector` (other `listOptions.*`, `fields` and the filters it documents are
   * accepted), the Kubernetes API's `labelSelector`, and its metadata-only answer for
   * `Accept: …;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`. Unknown parameters are refused.
   */
  function listWorkflows(
    world: World,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    namespace: string,
  ) {
    const kubernetes = url.pathname.startsWith("/apis/");
    const fail = (status: 400 | 401, message: string) =>
      status === 401
        ? refuse(response, kubernetes, status, message, "Unauthorized", 16)
        : refuse(response, kubernetes, status, message, "BadRequest", 3);
    if (request.headers.authorization !== `Bearer ${token}`) return fail(401, "Unauthorized");
    const allowed = kubernetes
      ? new Set(["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "timeoutSeconds"])
      : new Set([
          "listOptions.labelSelector",
          "listOptions.fieldSelector",
          "listOptions.limit",
          "listOptions.continue",
          "listOptions.resourceVersion",
          "listOptions.resourceVersionMatch",
          "listOptions.timeoutSeconds",
          "fields",
          "nameFilter",
          "createdAfter",
          "finishedBefore",
        ]);
    const unknown = [...url.searchParams.keys()].filter((key) => !allowed.has(key));
    if (unknown.length > 0) return fail(400, `unknown query parameter(s): ${unknown.join(", ")}`);
    const selector = parseLabelSelector(
      url.searchParams.get(kubernetes ? "labelSelector" : "listOptions.labelSelector") ?? "",
    );
    if ("error" in selector) return fail(400, selector.error);
    const now = Date.now();
    const scope = namespace === "" ? [...world.namespaces.values()] : [stateIn(world, namespace)];
    const items = scope
      .flatMap((ns) => [...ns.workflows.values()])
      .filter((workflow) => selector(labelsOf(world, workflow, now)))
      .map((workflow) => ({
        metadata: {
          name: workflow.name,
          namespace: workflow.namespace,
          labels: labelsOf(world, workflow, now),
          creationTimestamp: new Date(workflow.createdAt).toISOString(),
        },
        spec: { workflowTemplateRef: { name: workflow.template.name } },
        status: { phase: phaseOf(world, workflow, now) },
      }));
    const metadataOnly = /as=PartialObjectMetadataList/.test(request.headers.accept ?? "");
    if (kubernetes && metadataOnly) {
      return send(response, 200, {
        kind: "PartialObjectMetadataList",
        apiVersion: "meta.k8s.io/v1",
        metadata: { resourceVersion: String(now) },
        items: items.map((item) => ({
          kind: "PartialObjectMetadata",
          apiVersion: "meta.k8s.io/v1",
          metadata: item.metadata,
        })),
      });
    }
    send(response, 200, {
      ...(kubernetes ? { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowList" } : {}),
      metadata: { resourceVersion: String(now) },
      items,
    });
  }

  function readWorkflow(
    world: World,
    request: IncomingMessage,
    response: ServerResponse,
    namespace: string,
    name: string,
    kubernetes: boolean,
  ) {
    const fail = (status: number, message: string, reason: string, grpcCode: number) =>
      refuse(response, kubernetes, status, message, reason, grpcCode);
    if (request.headers.authorization !== `Bearer ${token}`) return fail(401, "Unauthorized", "Unauthorized", 16);
    const workflow = stateIn(world, namespace).workflows.get(name);
    if (!workflow) return fail(404, `workflows.argoproj.io "${name}" not found`, "NotFound", 5);
    const nodes = workflow.nodes ?? defaultNodes(name);
    send(response, 200, {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { name, namespace, labels: labelsOf(world, workflow, Date.now()), annotations: workflow.annotations },
      spec: {
        workflowTemplateRef: {
          name: workflow.template.name,
          ...(workflow.template.kind === "ClusterWorkflowTemplate" ? { clusterScope: true } : {}),
        },
      },
      status: {
        phase: phaseOf(world, workflow, Date.now()),
        nodes: Object.fromEntries(nodes.map((node) => [node.id, node])),
      },
    });
  }

  function parseSubmit(
    namespace: string,
    json: Record<string, unknown>,
    ns: NamespaceState,
  ): { workflow: Omit<AcceptedWorkflow, "createdAt"> } | { error: string; status: number } {
    const problems = validateDefinition("io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest", json);
    if (problems.length > 0) return { error: problems.join("; "), status: 400 };
    if (json.namespace !== undefined && json.namespace !== namespace)
      return { error: "namespace in body does not match the path", status: 400 };
    const kind = json.resourceKind;
    if (kind !== "WorkflowTemplate" && kind !== "ClusterWorkflowTemplate")
      return { error: `resourceKind "${String(kind)}" is not supported`, status: 400 };
    const templateName = String(json.resourceName ?? "");
    if (!ns.templates.has(`${kind}/${templateName}`)) {
      return {
        error: `${kind === "WorkflowTemplate" ? "workflowtemplates" : "clusterworkflowtemplates"}.argoproj.io "${templateName}" not found`,
        status: 404,
      };
    }
    const options = (json.submitOptions ?? {}) as Record<string, unknown>;
    const name =
      typeof options.name === "string" ? options.name : `${templateName}-${Math.random().toString(36).slice(2, 7)}`;
    if (!dns1123Subdomain.test(name) || name.length > 253)
      return { error: `invalid workflow name "${name}"`, status: 400 };
    const labels = parsePairs(typeof options.labels === "string" ? options.labels : "");
    const annotations = parsePairs(typeof options.annotations === "string" ? options.annotations : "");
    if ("error" in labels) return { error: labels.error, status: 400 };
    if ("error" in annotations) return { error: annotations.error, status: 400 };
    const labelIssues = labelProblems(labels.pairs);
    if (labelIssues.length > 0) return { error: labelIssues.join("; "), status: 400 };
    const parameters: Array<{ name: string; value: string }> = [];
    for (const entry of (options.parameters as string[] | undefined) ?? []) {
      const index = entry.indexOf("=");
      if (index <= 0) return { error: `parameter "${entry}" is not name=value`, status: 400 };
      parameters.push({ name: entry.slice(0, index), value: entry.slice(index + 1) });
    }
    return {
      workflow: {
        namespace,
        name,
        via: "argo-server",
        template: { kind, name: templateName },
        labels: labels.pairs,
        annotations: annotations.pairs,
        parameters,
      },
    };
  }

  function parseCreate(
    namespace: string,
    json: Record<string, unknown>,
  ): { workflow: Omit<AcceptedWorkflow, "createdAt"> } | { error: string; status: number } {
    const problems = validateDefinition("io.argoproj.workflow.v1alpha1.Workflow", json);
    if (problems.length > 0) return { error: problems.join("; "), status: 400 };
    if (json.apiVersion !== "argoproj.io/v1alpha1" || json.kind !== "Workflow")
      return { error: "apiVersion/kind must be argoproj.io/v1alpha1 Workflow", status: 400 };
    const metadata = json.metadata as {
      name?: string;
      generateName?: string;
      namespace?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      return {
        error: "the namespace of the provided object does not match the namespace sent on the request",
        status: 400,
      };
    }
    const name =
      metadata.name ??
      (metadata.generateName ? `${metadata.generateName}${Math.random().toString(36).slice(2, 7)}` : "");
    if (!name || !dns1123Subdomain.test(name) || name.length > 253)
      return { error: `metadata.name: Invalid value: "${name}"`, status: 400 };
    const labelIssues = labelProblems(metadata.labels ?? {});
    if (labelIssues.length > 0) return { error: labelIssues.join("; "), status: 400 };
    const spec = json.spec as {
      workflowTemplateRef?: { name?: string; clusterScope?: boolean };
      arguments?: { parameters?: Array<{ name: string; value?: string }> };
    };
    if (!spec.workflowTemplateRef?.name) return { error: "spec.workflowTemplateRef.name: Required value", status: 400 };
    return {
      workflow: {
        namespace,
        name,
        via: "kubernetes",
        template: {
          kind: spec.workflowTemplateRef.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate",
          name: spec.workflowTemplateRef.name,
        },
        labels: metadata.labels ?? {},
        annotations: metadata.annotations ?? {},
        parameters: (spec.arguments?.parameters ?? []).map((p) => ({ name: p.name, value: p.value ?? "" })),
      },
    };
  }

  function handleSet(
    world: World,
    namespace: string,
    name: string,
    json: Record<string, unknown>,
    response: ServerResponse,
    fail: (status: number, message: string, reason: string, grpcCode: number) => void,
  ) {
    const problems = validateDefinition("io.argoproj.workflow.v1alpha1.WorkflowSetRequest", json);
    if (problems.length > 0) return fail(400, problems.join("; "), "BadRequest", 3);
    const ns = stateIn(world, namespace);
    if (!ns.workflows.has(name)) return fail(404, `workflows.argoproj.io "${name}" not found`, "NotFound", 5);
    if (typeof json.nodeFieldSelector !== "string" || json.nodeFieldSelector === "") {
      return fail(400, "nodeFieldSelector is required", "BadRequest", 3);
    }
    if (json.phase !== undefined && json.phase !== "Succeeded" && json.phase !== "Failed" && json.phase !== "Error") {
      return fail(400, `phase "${String(json.phase)}" is not valid`, "BadRequest", 3);
    }
    ns.sets.push({ namespace, name, body: json, at: Date.now() });
    send(response, 200, { metadata: { name, namespace } });
  }

  function control(world: World, url: URL, method: string, body: string, response: ServerResponse) {
    const namespace = url.searchParams.get("namespace") ?? "";
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const ns = stateIn(world, namespace);
    switch (`${method} ${url.pathname}`) {
      case "POST /_fake/behaviour":
        ns.behaviour = json as Behaviour;
        return send(response, 200, ns.behaviour);
      case "POST /_fake/templates":
        for (const name of (json.names as string[]) ?? [])
          ns.templates.add(`${String(json.kind ?? "WorkflowTemplate")}/${name}`);
        return send(response, 200, { templates: [...ns.templates] });
      case "POST /_fake/workflows": {
        const workflow = json as unknown as AcceptedWorkflow;
        ns.workflows.set(workflow.name, { ...workflow, namespace, createdAt: Date.now() });
        return send(response, 200, {});
      }
      case "GET /_fake/workflows":
        return send(response, 200, { workflows: [...ns.workflows.values()], requests: ns.requests });
      case "GET /_fake/sets":
        return send(response, 200, { sets: ns.sets });
      case "POST /_fake/reset":
        world.namespaces.delete(namespace);
        return send(response, 200, {});
      case "POST /_fake/completion":
        world.completion = json as Completion;
        return send(response, 200, world.completion);
      case "POST /_fake/complete": {
        // Completes the `count` oldest running workflows of the cluster, now.
        const now = Date.now();
        const running = activeWorkflows(world, now).sort((a, b) => a.createdAt - b.createdAt);
        const done = running.slice(0, Number(json.count ?? running.length));
        for (const workflow of done) world.finishAt.set(`${workflow.namespace}/${workflow.name}`, now);
        return send(response, 200, { completed: done.map((workflow) => workflow.name) });
      }
      case "GET /_fake/pressure":
        return send(response, 200, {
          active: activeWorkflows(world, Date.now()).length,
          maxActive: world.maxActive,
          maxActiveByBinding: Object.fromEntries(world.maxActiveByBinding),
          created: world.created,
        });
      default:
        return send(response, 404, { message: `unknown control ${method} ${url.pathname}` });
    }
  }

  return { ...(await listenOnLoopback(server)), token };
}

function parsePairs(text: string): { pairs: Record<string, string> } | { error: string } {
  const pairs: Record<string, string> = {};
  if (text === "") return { pairs };
  for (const part of text.split(",")) {
    const index = part.indexOf("=");
    if (index <= 0) return { error: `"${part}" is not key=value` };
    pairs[part.slice(0, index)] = part.slice(index + 1);
  }
  return { pairs };
}

/** A refusal as each API words it: a Kubernetes Status object, or the Argo Server's gRPC-gateway error. */
function refuse(
  response: ServerResponse,
  kubernetes: boolean,
  status: number,
  message: string,
  reason: string,
  grpcCode: number,
): void {
  if (kubernetes) {
    send(response, status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code: status,
    });
  } else send(response, status, { code: grpcCode, message, details: [] });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
