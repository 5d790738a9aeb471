import { EVENT_ID_LABEL, type Submission } from "../bindings/evaluate";
import type { ClusterType } from "./store";

/** A cluster ready to call: its token already resolved. */
export interface ResolvedCluster {
  name: string;
  type: ClusterType;
  url: string;
  token: string | null;
  timeoutMs: number;
}

/** How a submit ended: done, refused for good, or worth retrying later. */
export type SubmitOutcome =
  | { kind: "submitted"; alreadyExisted: boolean }
  | { kind: "rejected"; error: string }
  | { kind: "retryable"; error: string };

/**
 * Creates the workflow on the cluster. Argo Server: `POST /api/v1/workflows/{ns}/submit` from
 * the (Cluster)WorkflowTemplate; Kubernetes: `POST …/namespaces/{ns}/workflows` with a Workflow
 * whose `spec.workflowTemplateRef` points at it. 409 AlreadyExists counts as submitted when the
 * existing workflow carries this event's id label (a redelivery, or an earlier attempt whose
 * answer was lost); a workflow of another event under that name is a rejection. 429, 5xx,
 * timeouts and network errors are retryable; any other answer is a rejection carrying the
 * cluster's message.
 */
export async function submitWorkflow(cluster: ResolvedCluster, submission: Submission): Promise<SubmitOutcome> {
  const { path, body } = cluster.type === "argo-server" ? argoServerRequest(submission) : kubernetesRequest(submission);
  if ("error" in body) return { kind: "rejected", error: body.error };
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (cluster.token) headers.authorization = `Bearer ${cluster.token}`;
  const created = await call(cluster, "POST", path, headers, JSON.stringify(body.json));
  if ("error" in created) return { kind: "retryable", error: created.error };
  const { response, text } = created;
  if (response.ok) return { kind: "submitted", alreadyExisted: false };
  const message = clusterMessage(text) ?? `HTTP ${response.status}`;
  if (response.status === 409 && isAlreadyExists(text)) return checkExisting(cluster, submission, headers);
  if (isRetryableStatus(response.status)) {
    return { kind: "retryable", error: `cluster "${cluster.name}" answered ${response.status}: ${message}` };
  }
  return { kind: "rejected", error: `cluster "${cluster.name}" refused the workflow (${response.status}): ${message}` };
}

/** A workflow of that name exists: it is ours when it carries this event's id label. */
async function checkExisting(
  cluster: ResolvedCluster,
  submission: Submission,
  headers: Record<string, string>,
): Promise<SubmitOutcome> {
  const namespace = encodeURIComponent(submission.namespace);
  const name = encodeURIComponent(submission.workflowName);
  const path =
    cluster.type === "argo-server"
      ? `/api/v1/workflows/${namespace}/${name}`
      : `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows/${name}`;
  const { "content-type": _, ...getHeaders } = headers;
  const fetched = await call(cluster, "GET", path, getHeaders);
  if ("error" in fetched) return { kind: "retryable", error: fetched.error };
  if (!fetched.response.ok) {
    const error = `workflow "${submission.workflowName}" exists but cannot be read (${fetched.response.status})`;
    return isRetryableStatus(fetched.response.status) ? { kind: "retryable", error } : { kind: "rejected", error };
  }
  let owner: unknown;
  try {
    owner = (JSON.parse(fetched.text) as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[
      EVENT_ID_LABEL
    ];
  } catch {
    owner = undefined;
  }
  const mine = submission.labels[EVENT_ID_LABEL];
  if (owner === mine) return { kind: "submitted", alreadyExisted: true };
  return {
    kind: "rejected",
    error: `workflow name "${submission.workflowName}" is already taken by ${owner ? `the workflow of event ${String(owner)}` : "a workflow hookline did not submit"}`,
  };
}

async function call(
  cluster: ResolvedCluster,
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ response: Response; text: string } | { error: string }> {
  try {
    const response = await fetch(`${cluster.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(cluster.timeoutMs),
    });
    return { response, text: await response.text() };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      error: timedOut
        ? `cluster "${cluster.name}" did not answer within ${cluster.timeoutMs / 1000} s`
        : `cannot reach cluster "${cluster.name}": ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

type RequestBody = { json: unknown } | { error: string };

/** The Argo Server submit request: labels and annotations travel as `k=v,k2=v2` strings. */
function argoServerRequest(submission: Submission): { path: string; body: RequestBody } {
  const path = `/api/v1/workflows/${encodeURIComponent(submission.namespace)}/submit`;
  const withComma = Object.entries(submission.annotations).find(([, value]) => value.includes(","));
  if (withComma) {
    return {
      path,
      body: {
        error: `annotation "${withComma[0]}" contains a comma, which Argo Server's submit API cannot carry; use a kubernetes cluster for it`,
      },
    };
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
  return {
    path,
    body: {
      json: {
        namespace: submission.namespace,
        resourceKind: submission.template.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate",
        resourceName: submission.template.name,
        submitOptions,
      },
    },
  };
}

/** A `Workflow` referencing the template, created through the Kubernetes API. */
function kubernetesRequest(submission: Submission): { path: string; body: RequestBody } {
  const spec: Record<string, unknown> = {
    workflowTemplateRef: {
      name: submission.template.name,
      ...(submission.template.clusterScope ? { clusterScope: true } : {}),
    },
  };
  if (submission.parameters.length > 0) spec.arguments = { parameters: submission.parameters };
  return {
    path: `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(submission.namespace)}/workflows`,
    body: {
      json: {
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
    },
  };
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
