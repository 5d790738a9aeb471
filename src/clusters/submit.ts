import { ownValue } from "../lib/collections";
import { callOutbound, describeRedirect, isRedirect, type OutboundResponse } from "../lib/outbound";
import { type Failure, fail, ok, type Result } from "../lib/result";
import { isTraceId, traceparentFor } from "../lib/trace";
import type { ClusterType } from "./store";
import { EVENT_ID_LABEL, type Submission, TRACE_ID_ANNOTATION } from "./submission";

/** A cluster ready to call: its token already resolved. */
export interface ResolvedCluster {
  name: string;
  type: ClusterType;
  url: string;
  token: string | null;
  /** The cluster's own headers (e.g. CF-Access-Client-Id/Secret), values resolved. */
  headers: ReadonlyArray<[string, string]>;
  timeoutMs: number;
  /** Submissions are held above this many active workflows hookline submitted (null: no cap). */
  maxPending: number | null;
}

/** A workflow the cluster created (or had already created for this event). */
export interface Submitted {
  /** The name the cluster gave the workflow. */
  name: string;
  alreadyExisted: boolean;
}

/**
 * Creates the workflow on the cluster. Argo Server: `POST /api/v1/workflows/{ns}/submit` from
 * the (Cluster)WorkflowTemplate; Kubernetes: `POST …/namespaces/{ns}/workflows` with a Workflow
 * whose `spec.workflowTemplateRef` points at it. A success is an answer that names the created
 * workflow; a redirect is never followed. 409 AlreadyExists counts as submitted when the existing
 * workflow carries this event's id label (a redelivery, or an earlier attempt whose answer was
 * lost); a workflow of another event under that name is a refusal. 408, 429, 5xx, timeouts and
 * network errors are retryable; any other answer is a refusal carrying the cluster's message.
 */
export async function submitWorkflow(cluster: ResolvedCluster, submission: Submission): Promise<Result<Submitted>> {
  const request = cluster.type === "argo-server" ? argoServerRequest(submission) : kubernetesRequest(submission);
  if (!request.ok) return request;
  const { path, body } = request.value;
  const headers = requestHeaders(cluster, true);
  // The workflow is part of the event's trace: the Argo Server (and its OTel, if any) sees it.
  const traceId = submission.annotations[TRACE_ID_ANNOTATION];
  if (isTraceId(traceId)) headers.traceparent = traceparentFor(traceId);
  const created = await call(cluster, "POST", path, headers, JSON.stringify(body));
  if (!created.ok) return created;
  const response = created.value;
  if (response.status >= 200 && response.status < 300) {
    const name = createdName(response.text);
    if (name === null) {
      return fail(
        "internal",
        `cluster "${cluster.name}" answered ${response.status} without naming a created workflow: ${firstBytes(response.text)}`,
      );
    }
    return ok({ name, alreadyExisted: false });
  }
  if (response.status === 409 && isAlreadyExists(response.text)) return checkExisting(cluster, submission);
  return refusalOrRetry(cluster, response, "refused the workflow");
}

/** A workflow of that name exists: it is ours when it carries this event's id label. */
async function checkExisting(cluster: ResolvedCluster, submission: Submission): Promise<Result<Submitted>> {
  const fetched = await call(cluster, "GET", workflowPath(cluster, submission), requestHeaders(cluster, false));
  if (!fetched.ok) return fetched;
  const response = fetched.value;
  if (response.status < 200 || response.status >= 300) {
    return refusalOrRetry(cluster, response, `has workflow "${submission.workflowName}" but it cannot be read`);
  }
  const owner = labelOf(response.text, EVENT_ID_LABEL);
  if (owner !== null && owner === submission.labels[EVENT_ID_LABEL]) {
    return ok({ name: submission.workflowName, alreadyExisted: true });
  }
  return fail(
    "already_exists",
    `workflow name "${submission.workflowName}" is already taken by ${owner ? `the workflow of event ${owner}` : "a workflow hookline did not submit"}`,
  );
}

/**
 * Whether the workflow of this submission exists on the cluster and belongs to this event
 * (the dead-letter consumer asks before it records a submission as failed). Null when the
 * cluster cannot tell now.
 */
export async function workflowExists(cluster: ResolvedCluster, submission: Submission): Promise<boolean | null> {
  const fetched = await call(cluster, "GET", workflowPath(cluster, submission), requestHeaders(cluster, false));
  if (!fetched.ok) return null;
  const { status, text } = fetched.value;
  if (status === 404) return false;
  if (status < 200 || status >= 300) return null;
  return labelOf(text, EVENT_ID_LABEL) === submission.labels[EVENT_ID_LABEL];
}

function workflowPath(cluster: ResolvedCluster, submission: Submission): string {
  const namespace = encodeURIComponent(submission.namespace);
  const name = encodeURIComponent(submission.workflowName);
  return cluster.type === "argo-server"
    ? `/api/v1/workflows/${namespace}/${name}`
    : `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows/${name}`;
}

/** Headers of a call to the cluster: its own headers, JSON, and its bearer token. */
export function requestHeaders(cluster: ResolvedCluster, withBody: boolean): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of cluster.headers) headers[name.toLowerCase()] = value;
  headers.accept = "application/json";
  if (withBody) headers["content-type"] = "application/json";
  if (cluster.token) headers.authorization = `Bearer ${cluster.token}`;
  return headers;
}

/** One call to the cluster: a transport failure is retryable, a redirect is refused (never followed). */
export async function call(
  cluster: ResolvedCluster,
  method: "GET" | "POST" | "PUT",
  path: string,
  headers: Record<string, string>,
  body?: string,
  maxBytes?: number,
): Promise<Result<OutboundResponse>> {
  const result = await callOutbound(
    `${cluster.url}${path}`,
    { method, headers, ...(body === undefined ? {} : { body }) },
    cluster.timeoutMs,
    maxBytes,
  );
  if (!result.ok) {
    return fail(
      "internal",
      result.timedOut
        ? `cluster "${cluster.name}" did not answer within ${cluster.timeoutMs / 1000} s`
        : `cannot reach cluster "${cluster.name}": ${result.message}`,
      { retryable: true },
    );
  }
  if (isRedirect(result.response.status)) {
    return fail(
      "permission_denied",
      `cluster "${cluster.name}" answered ${describeRedirect(result.response)}; redirects are not followed (check the cluster URL)`,
    );
  }
  return ok(result.response);
}

/** An error answer: retryable (408, 429, 5xx) or a refusal with the cluster's message. */
export function refusalOrRetry(
  cluster: ResolvedCluster,
  response: OutboundResponse,
  what: string,
): { ok: false; error: Failure } {
  const message = clusterMessage(response.text) ?? `HTTP ${response.status}`;
  if (isRetryableStatus(response.status)) {
    const retryAfter = Number(response.headers.get("retry-after"));
    return fail("internal", `cluster "${cluster.name}" answered ${response.status}: ${message}`, {
      retryable: true,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
    });
  }
  return fail(
    response.status === 403 || response.status === 401 ? "permission_denied" : "aborted",
    `cluster "${cluster.name}" ${what} (${response.status}): ${message}`,
  );
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The `metadata` of the object an Argo Server or Kubernetes answer describes (undefined when none). */
function metadataOf(text: string): unknown {
  try {
    return ownValue(JSON.parse(text), "metadata");
  } catch {
    return undefined;
  }
}

/** `metadata.name` of the object an answer describes, or null. */
function createdName(text: string): string | null {
  const name = ownValue(metadataOf(text), "name");
  return typeof name === "string" && name !== "" ? name : null;
}

function labelOf(text: string, label: string): string | null {
  const value = ownValue(ownValue(metadataOf(text), "labels"), label);
  return typeof value === "string" ? value : null;
}

function firstBytes(text: string): string {
  return text === "" ? "(empty body)" : text.slice(0, 200);
}

type RequestParts = Result<{ path: string; body: unknown }>;

/** The Argo Server submit request: labels and annotations travel as `k=v,k2=v2` strings. */
function argoServerRequest(submission: Submission): RequestParts {
  const path = `/api/v1/workflows/${encodeURIComponent(submission.namespace)}/submit`;
  const withComma = Object.entries(submission.annotations).find(([, value]) => value.includes(","));
  if (withComma) {
    return fail(
      "invalid_argument",
      `annotation "${withComma[0]}" contains a comma, which Argo Server's submit API cannot carry; use a kubernetes cluster for it`,
    );
  }
  const pairs = (map: Record<string, string>) =>
    Object.entries(map)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
  const submitOptions: Record<string, unknown> = {
    name: submission.workflowName,
    labels: pairs(submission.labels),
  };
  if (Object.keys(submission.annotations).length > 0) submitOptions.annotations = pairs(submission.annotations);
  if (submission.parameters.length > 0) {
    submitOptions.parameters = submission.parameters.map((parameter) => `${parameter.name}=${parameter.value}`);
  }
  return ok({
    path,
    body: {
      namespace: submission.namespace,
      resourceKind: submission.template.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate",
      resourceName: submission.template.name,
      submitOptions,
    },
  });
}

/** A `Workflow` referencing the template, created through the Kubernetes API. */
function kubernetesRequest(submission: Submission): RequestParts {
  const spec: Record<string, unknown> = {
    workflowTemplateRef: {
      name: submission.template.name,
      ...(submission.template.clusterScope ? { clusterScope: true } : {}),
    },
  };
  if (submission.parameters.length > 0) spec.arguments = { parameters: submission.parameters };
  return ok({
    path: `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(submission.namespace)}/workflows`,
    body: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: {
        name: submission.workflowName,
        namespace: submission.namespace,
        labels: submission.labels,
        ...(Object.keys(submission.annotations).length > 0 ? { annotations: submission.annotations } : {}),
      },
      spec,
    },
  });
}

/** The human message of an Argo (grpc-gateway) or Kubernetes (Status) error body. */
function clusterMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === "string" && body.message) return body.message.slice(0, 500);
    if (typeof body.error === "string" && body.error) return body.error.slice(0, 500);
  } catch {
    // not JSON
  }
  return text ? text.slice(0, 500) : null;
}

/** Kubernetes Status reason AlreadyExists, or gRPC code 6 (ALREADY_EXISTS) from Argo Server. */
function isAlreadyExists(text: string): boolean {
  try {
    const body = JSON.parse(text) as { reason?: unknown; code?: unknown; message?: unknown };
    if (body.reason === "AlreadyExists" || body.code === 6) return true;
    if (body.reason !== undefined || body.code !== undefined) return false;
  } catch {
    // not JSON: fall back to the message text
  }
  return /already exists/i.test(text);
}
