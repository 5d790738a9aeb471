import { fail, ok, type Result } from "../lib/result";
import type { WorkflowNode } from "./node-selector";
import type { ClusterLookup } from "./resolve";
import { call, refusalOrRetry, requestHeaders } from "./submit";

/** What the cluster says a workflow is: the template it was made from and its nodes. */
export interface WorkflowFacts {
  /** `spec.workflowTemplateRef.name`, or null for a workflow not made from a template. */
  workflowTemplate: string | null;
  nodes: WorkflowNode[];
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Reads a workflow from its cluster (Argo Server `GET /api/v1/workflows/{ns}/{name}`, or the
 * Kubernetes API's Workflow object): the template it was made from and its nodes, as the
 * cluster reports them — what approval policies' subject claims are matched against, never
 * what a caller says. 404 is `not_found`; a cluster that cannot answer now is retryable.
 */
export async function readWorkflow(
  lookup: ClusterLookup,
  namespace: string,
  name: string,
): Promise<Result<WorkflowFacts>> {
  if (!lookup.ok) return lookup;
  const cluster = lookup.value;
  const path =
    cluster.type === "argo-server"
      ? `/api/v1/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`
      : `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(name)}`;
  const answered = await call(cluster, "GET", path, requestHeaders(cluster, false));
  if (!answered.ok) return answered;
  const response = answered.value;
  if (response.status === 404) {
    return fail(
      "not_found",
      `workflow "${name}" was not found in namespace "${namespace}" on cluster "${cluster.name}"`,
    );
  }
  if (response.status < 200 || response.status >= 300) {
    return refusalOrRetry(cluster, response, `cannot show workflow "${name}"`);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return fail("internal", `cluster "${cluster.name}" answered a workflow that is not JSON`, { retryable: true });
  }
  const workflow = record(body);
  const nodes = Object.values(record(record(workflow.status).nodes)).map(nodeOf);
  return ok({ workflowTemplate: text(record(record(workflow.spec).workflowTemplateRef).name), nodes });
}

function nodeOf(value: unknown): WorkflowNode {
  const node = record(value);
  const ref = node.templateRef === undefined ? null : record(node.templateRef);
  const parameters = new Map<string, string>();
  const inputs = record(node.inputs).parameters;
  for (const parameter of Array.isArray(inputs) ? inputs : []) {
    const { name, value: given } = record(parameter);
    if (typeof name === "string") parameters.set(name, typeof given === "string" ? given : "");
  }
  return {
    id: text(node.id) ?? "",
    name: text(node.name) ?? "",
    displayName: text(node.displayName) ?? "",
    type: text(node.type) ?? "",
    phase: text(node.phase) ?? "",
    templateName: text(node.templateName),
    templateRef: ref === null ? null : { name: text(ref.name), template: text(ref.template) },
    parameters,
  };
}
