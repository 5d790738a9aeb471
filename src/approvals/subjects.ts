import { parseNodeSelector, selectNodes, templateOf } from "../clusters/node-selector";
import { clusterOf, loadClusters } from "../clusters/resolve";
import { readWorkflow } from "../clusters/workflows";
import { fail, ok, type Result } from "../lib/result";
import type { Subject } from "./gate-state";
import { listPolicies } from "./store";
import { mayHold, type ResolvedNode } from "./subject-claims";

/**
 * The node a subject names, as its cluster reports it: exactly one suspend node must match the
 * subject's node (a display name, or an Argo node field selector). Failures name the field.
 */
export async function resolveSubjectNode(env: Env, namespace: string, subject: Subject): Promise<Result<ResolvedNode>> {
  const terms = parseNodeSelector(subject.node);
  if (!terms.ok) return fail("invalid_argument", `subject.node: ${terms.error.message}`);
  const clusters = await loadClusters(env);
  const lookup = clusterOf(clusters, subject.cluster);
  if (!lookup.ok && lookup.error.code === "not_found") {
    return fail("invalid_argument", `subject.cluster: ${lookup.error.message}`);
  }
  const workflow = await readWorkflow(lookup, namespace, subject.workflow);
  if (!workflow.ok) {
    return workflow.error.code === "not_found"
      ? fail("invalid_argument", `subject.workflow: ${workflow.error.message}`)
      : workflow;
  }
  const nodes = selectNodes(workflow.value.nodes, terms.value);
  if (nodes.length !== 1) {
    return fail(
      "invalid_argument",
      `subject.node: "${subject.node.slice(0, 100)}" matches ${nodes.length} nodes of workflow "${subject.workflow}"; name exactly one (its display name, name=… or id=…)`,
    );
  }
  const [node] = nodes;
  if (node?.type !== "Suspend") {
    return fail(
      "invalid_argument",
      `subject.node: node "${node?.displayName ?? ""}" is a ${node?.type || "node of unknown type"}, not a suspend node; a gate holds a suspend step`,
    );
  }
  return ok({ id: node.id, workflowTemplate: workflow.value.workflowTemplate, template: templateOf(node) });
}

/** The key of one workflow node, the same whichever selector named it: one open gate per key. */
export function subjectKey(namespace: string, subject: Subject, node: ResolvedNode): string {
  return JSON.stringify([subject.cluster, namespace, subject.workflow, node.id]);
}

/**
 * Before a decided gate sets its node: the node must still be there (the same id, a suspend
 * node), and no policy other than the gate's may claim it now — a claim added after the gate
 * opened holds too. A cluster that cannot answer now is retried; a refusal is final.
 */
export async function recheckHeldNode(
  env: Env,
  namespace: string,
  policy: string,
  subject: Subject,
  held: ResolvedNode,
): Promise<Result<true>> {
  const resolved = await resolveSubjectNode(env, namespace, { ...subject, node: `id=${held.id}` });
  if (!resolved.ok) return resolved.error.retryable ? resolved : fail("aborted", resolved.error.message);
  const claimed = mayHold(await listPolicies(env.DB, namespace), policy, resolved.value);
  return claimed.ok ? claimed : fail("permission_denied", `not set: ${claimed.error.message}`);
}
