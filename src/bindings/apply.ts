import type { ApplyAction } from "../lib/apply";
import { AppError } from "../lib/errors";
import { isDns1123Subdomain, truncate } from "../lib/names";
import { formatPath } from "../lib/validation";
import { compileBinding } from "./compile";
import {
  BINDING_API_VERSION,
  BINDING_KIND,
  type BindingInput,
  bindingInputSchema,
  MAX_BINDING_NAME_LENGTH,
  type StoredBinding,
} from "./schema";
import { getBindings, saveBindings } from "./store";

export interface ApplyResult {
  binding: StoredBinding;
  action: ApplyAction;
}

/**
 * Validates and applies WorkflowEventBindings to a namespace, like `kubectl apply`: each object
 * is created, configured (generation + 1) or left unchanged. Every object is checked first —
 * schema, names, and every expression compiled — and if any is invalid nothing is written.
 * `pathName` is the name in the URL when one object is applied to `/…/{name}`.
 */
export async function applyBindings(
  db: D1Database,
  namespace: string,
  documents: readonly unknown[],
  options: { pathName?: string; dryRun?: boolean } = {},
): Promise<ApplyResult[]> {
  const inputs = documents.map((document, index) =>
    validateDocument(document, index, documents.length, namespace, options.pathName),
  );
  const names = inputs.map((input) => input.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new AppError("invalid_argument", `binding "${duplicate}" appears more than once in the request`);

  const existing = new Map(
    (await getBindings(db, namespace, names)).map((binding) => [binding.metadata.name, binding]),
  );
  const now = new Date().toISOString();
  const results = inputs.map(({ name, input, where }): ApplyResult => {
    const previous = existing.get(name);
    const desired = {
      labels: input.metadata.labels,
      annotations: input.metadata.annotations,
      spec: input.spec,
    };
    const unchanged =
      previous !== undefined &&
      JSON.stringify({
        labels: previous.metadata.labels,
        annotations: previous.metadata.annotations,
        spec: previous.spec,
      }) === JSON.stringify(desired);
    const binding: StoredBinding = {
      apiVersion: BINDING_API_VERSION,
      kind: BINDING_KIND,
      metadata: {
        name,
        namespace,
        uid: previous?.metadata.uid ?? crypto.randomUUID(),
        generation: previous ? previous.metadata.generation + (unchanged ? 0 : 1) : 1,
        creationTimestamp: previous?.metadata.creationTimestamp ?? now,
        ...(input.metadata.labels ? { labels: input.metadata.labels } : {}),
        ...(input.metadata.annotations ? { annotations: input.metadata.annotations } : {}),
      },
      spec: input.spec,
    };
    const compiled = compileBinding(binding);
    if (!compiled.ok) throw new AppError("invalid_argument", `${where}${compiled.error.message}`);
    binding.status = statusOf(previous, input.spec, compiled.value.translated, now);
    if (Object.keys(binding.status).length === 0) delete binding.status;
    return { binding, action: previous ? (unchanged ? "unchanged" : "configured") : "created" };
  });

  if (!options.dryRun) {
    await saveBindings(
      db,
      namespace,
      results.filter((result) => result.action !== "unchanged").map((result) => result.binding),
    );
  }
  return results;
}

/**
 * The server-owned status: the expressions' translations, and when the binding was last resumed
 * (`spec.paused` lifted now, or kept from before while it stays lifted).
 */
function statusOf(
  previous: StoredBinding | undefined,
  spec: StoredBinding["spec"],
  translated: Record<string, string>,
  now: string,
): NonNullable<StoredBinding["status"]> {
  const resumedAt =
    previous?.spec.paused === true && spec.paused !== true
      ? now
      : spec.paused !== true
        ? previous?.status?.resumedAt
        : undefined;
  return {
    ...(Object.keys(translated).length > 0 ? { translated } : {}),
    ...(resumedAt !== undefined ? { resumedAt } : {}),
  };
}

function validateDocument(
  document: unknown,
  index: number,
  count: number,
  namespace: string,
  pathName: string | undefined,
): { name: string; input: BindingInput; where: string } {
  const named = (document as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  const where = count > 1 ? `object ${index + 1}${typeof named === "string" ? ` (${truncate(named, 60)})` : ""}: ` : "";
  const parsed = bindingInputSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${formatPath(issue.path) || "(object)"}: ${issue.message}`)
      .join("; ");
    throw new AppError("invalid_argument", `${where}${problems}`);
  }
  const input = parsed.data;
  const name = input.metadata.name ?? pathName;
  if (name === undefined) throw new AppError("invalid_argument", `${where}metadata.name: required`);
  if (!isDns1123Subdomain(name) || name.length > MAX_BINDING_NAME_LENGTH) {
    throw new AppError(
      "invalid_argument",
      `${where}metadata.name: "${truncate(name)}" must be a Kubernetes name of at most ${MAX_BINDING_NAME_LENGTH} characters (it labels the workflows it submits)`,
    );
  }
  if (pathName !== undefined && name !== pathName) {
    throw new AppError(
      "invalid_argument",
      `${where}metadata.name "${name}" does not match the name in the URL "${pathName}"`,
    );
  }
  if (input.metadata.namespace !== undefined && input.metadata.namespace !== namespace) {
    throw new AppError(
      "invalid_argument",
      `${where}metadata.namespace "${input.metadata.namespace}" does not match the namespace in the URL "${namespace}"`,
    );
  }
  return { name, input, where };
}
