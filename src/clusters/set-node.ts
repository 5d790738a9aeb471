import { fail, ok, type Result } from "../lib/result";
import type { ClusterLookup } from "./resolve";
import { call, refusalOrRetry, requestHeaders } from "./submit";

/** The suspended node to resume: a workflow, and its node's display name or a full field selector. */
export interface NodeTarget {
  namespace: string;
  workflow: string;
  /** The node's display name, or a field selector (`id=…`, `name=…`). */
  node: string;
}

/**
 * Resumes (or fails) a suspended workflow node through the Argo Server:
 * `PUT /api/v1/workflows/{ns}/{name}/set` with the node selector, phase Succeeded/Failed, the
 * decision message and an output parameter (`{"approved": "true"}`). Failures are retryable
 * when the cluster could not answer (network, 5xx, 429).
 */
export async function setWorkflowNode(
  lookup: ClusterLookup,
  target: NodeTarget,
  decision: { approved: boolean; message: string; outputParameter: string },
): Promise<Result<true>> {
  if (!lookup.ok) return lookup;
  const cluster = lookup.value;
  if (cluster.type !== "argo-server") {
    return fail(
      "invalid_argument",
      `cluster "${cluster.name}" is a ${cluster.type} cluster; setting a node needs an argo-server cluster`,
    );
  }
  const body = {
    namespace: target.namespace,
    name: target.workflow,
    nodeFieldSelector: target.node.includes("=") ? target.node : `displayName=${target.node}`,
    phase: decision.approved ? "Succeeded" : "Failed",
    message: decision.message.slice(0, 4096),
    outputParameters: JSON.stringify({ [decision.outputParameter]: decision.approved ? "true" : "false" }),
  };
  const path = `/api/v1/workflows/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.workflow)}/set`;
  const answered = await call(cluster, "PUT", path, requestHeaders(cluster, true), JSON.stringify(body));
  if (!answered.ok) return answered;
  const response = answered.value;
  if (response.status >= 200 && response.status < 300) return ok(true);
  return refusalOrRetry(cluster, response, `refused to set node "${target.node}" of workflow "${target.workflow}"`);
}
