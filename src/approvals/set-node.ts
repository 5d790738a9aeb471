import type { ClusterLookup } from "../clusters/resolve";

export interface Subject {
  cluster: string;
  workflow: string;
  /** The suspended node: its display name, or a full node field selector (`id=…`, `name=…`). */
  node: string;
}

export type SetNodeOutcome =
  | { kind: "set" }
  | { kind: "retryable"; error: string }
  | { kind: "rejected"; error: string };

/**
 * Resumes (or fails) the suspended workflow node through the Argo Server:
 * `PUT /api/v1/workflows/{ns}/{name}/set` with the node selector, phase Succeeded/Failed, the
 * decision message and the output parameter (`{"approved": "true"}`).
 */
export async function setWorkflowNode(
  cluster: ClusterLookup | undefined,
  namespace: string,
  subject: Subject,
  approved: boolean,
  message: string,
  outputParameter: string,
): Promise<SetNodeOutcome> {
  if (!cluster) return { kind: "rejected", error: `cluster "${subject.cluster}" is not configured` };
  if ("error" in cluster) return { kind: "rejected", error: cluster.error };
  if (cluster.type !== "argo-server") {
    return {
      kind: "rejected",
      error: `cluster "${cluster.name}" is a ${cluster.type} cluster; setting a node needs an argo-server cluster`,
    };
  }
  const body = {
    namespace,
    name: subject.workflow,
    nodeFieldSelector: subject.node.includes("=") ? subject.node : `displayName=${subject.node}`,
    phase: approved ? "Succeeded" : "Failed",
    message: message.slice(0, 4096),
    outputParameters: JSON.stringify({ [outputParameter]: approved ? "true" : "false" }),
  };
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (cluster.token) headers.authorization = `Bearer ${cluster.token}`;
  let response: Response;
  try {
    response = await fetch(
      `${cluster.url}/api/v1/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(subject.workflow)}/set`,
      { method: "PUT", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(cluster.timeoutMs) },
    );
  } catch (error) {
    return {
      kind: "retryable",
      error: `cannot reach cluster "${cluster.name}": ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return { kind: "set" };
  let message_ = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") message_ = parsed.message.slice(0, 300);
  } catch {
    // keep the raw text
  }
  const error = `cluster "${cluster.name}" answered ${response.status}: ${message_}`;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  return retryable ? { kind: "retryable", error } : { kind: "rejected", error };
}
