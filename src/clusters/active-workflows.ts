import { fail, ok, type Result } from "../lib/result";
import { BINDING_LABEL } from "./submission";
import type { ResolvedCluster } from "./submit";
import { call, refusalOrRetry, requestHeaders } from "./submit";

/** A workflow hookline submitted that the cluster still reports not completed (Pending or Running). */
export interface ActiveWorkflow {
  namespace: string;
  name: string;
  /** The binding that submitted it (its `hookline.dev/binding` label). */
  binding: string;
}

/** Argo's controller labels every workflow `completed=true` when it ends; until then (or before it has seen it) it is active. */
const ACTIVE_SELECTOR = `${BINDING_LABEL},workflows.argoproj.io/completed!=true`;

/** A list of a few thousand workflows' metadata; over this, the answer is not trusted as a count. */
const MAX_LIST_BYTES = 4 * 1024 * 1024;

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The workflows hookline submitted that `cluster` still runs, in every namespace, in one call:
 * Argo Server's `GET /api/v1/workflows/` (all namespaces) with a label selector and only the
 * fields counted, or the Kubernetes API's cluster-wide list as metadata only
 * (PartialObjectMetadataList). A cluster that cannot answer, or answers more than can be counted,
 * is a retryable failure: the caller holds its submissions rather than guess.
 */
export async function listActiveWorkflows(cluster: ResolvedCluster): Promise<Result<ActiveWorkflow[]>> {
  const selector = encodeURIComponent(ACTIVE_SELECTOR);
  const argo = cluster.type === "argo-server";
  const path = argo
    ? `/api/v1/workflows/?listOptions.labelSelector=${selector}&fields=${encodeURIComponent("metadata.resourceVersion,items.metadata.name,items.metadata.namespace,items.metadata.labels")}`
    : `/apis/argoproj.io/v1alpha1/workflows?labelSelector=${selector}`;
  const headers = requestHeaders(cluster, false);
  if (!argo) headers.accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
  const answered = await call(cluster, "GET", path, headers, undefined, MAX_LIST_BYTES);
  if (!answered.ok) return answered;
  const response = answered.value;
  if (response.status < 200 || response.status >= 300) {
    return refusalOrRetry(cluster, response, "cannot list its workflows");
  }
  if (response.truncated) {
    return fail("internal", `cluster "${cluster.name}" listed more active workflows than hookline counts`, {
      retryable: true,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return fail("internal", `cluster "${cluster.name}" answered a workflow list that is not JSON`, { retryable: true });
  }
  const items = record(body).items;
  // Argo Server answers `"items": null` for an empty list.
  if (items !== null && items !== undefined && !Array.isArray(items)) {
    return fail("internal", `cluster "${cluster.name}" answered a workflow list without items`, { retryable: true });
  }
  return ok(
    (items ?? []).map((item) => {
      const metadata = record(record(item).metadata);
      const labels = record(metadata.labels);
      return {
        namespace: String(metadata.namespace ?? ""),
        name: String(metadata.name ?? ""),
        binding: String(labels[BINDING_LABEL] ?? ""),
      };
    }),
  );
}
