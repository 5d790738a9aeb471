import { z } from "zod";
import type { ApplyAction } from "../lib/apply";
import { AppError, notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import { applyBindings } from "./apply";
import { BINDING_API_VERSION, storedBindingSchema } from "./schema";
import { deleteBinding, getBinding, listBindings } from "./store";

/**
 * WorkflowEventBindings as the API and the console manage them: applied like `kubectl apply`
 * (one object, or a list — every expression compiled first, nothing written if any is invalid),
 * read, listed, deleted.
 */

/** A namespace's bindings, as the API lists them. */
export const bindingListSchema = z.object({
  apiVersion: z.literal(BINDING_API_VERSION),
  kind: z.literal("WorkflowEventBindingList"),
  items: z.array(storedBindingSchema),
});

/** What applying a list did: the objects, and each one's action. */
export const appliedListSchema = z.object({
  apiVersion: z.literal("v1"),
  kind: z.literal("List"),
  items: z.array(storedBindingSchema),
  results: z.array(z.object({ name: z.string(), action: z.enum(["created", "configured", "unchanged"]) })),
});

/** Applies several bindings (a list or a multi-document stream) to a namespace. */
export async function applyBindingList(
  db: D1Database,
  namespace: string,
  documents: readonly unknown[],
  dryRun: boolean,
): Promise<z.output<typeof appliedListSchema>> {
  const results = await applyBindings(db, namespace, documents, { dryRun });
  return {
    apiVersion: "v1",
    kind: "List",
    items: results.map((result) => result.binding),
    results: results.map((result) => ({ name: result.binding.metadata.name, action: result.action })),
  };
}

/** Applies one binding under the name in the path: the stored object and what the apply did. */
export async function applyBinding(
  db: D1Database,
  namespace: string,
  name: string,
  document: unknown,
  dryRun: boolean,
): Promise<{ binding: z.output<typeof storedBindingSchema>; action: ApplyAction }> {
  const [result] = await applyBindings(db, namespace, [document], {
    pathName: assertObjectName(name, "binding name"),
    dryRun,
  });
  if (!result) throw new AppError("internal", "nothing was applied");
  return result;
}

/**
 * Pauses a binding (`spec.paused: true`: its events are logged and matched, its submissions held)
 * or resumes it (held submissions are released oldest first) — the same apply as any other
 * change, for the API, the console and `hookline binding pause|resume`.
 */
export async function setBindingPaused(
  db: D1Database,
  namespace: string,
  name: string,
  paused: boolean,
): Promise<{ binding: z.output<typeof storedBindingSchema>; action: ApplyAction }> {
  const stored = await bindingNamed(db, namespace, name);
  const { paused: _was, ...spec } = stored.spec;
  return applyBinding(
    db,
    namespace,
    name,
    {
      metadata: { name, labels: stored.metadata.labels, annotations: stored.metadata.annotations },
      spec: paused ? { ...spec, paused: true } : spec,
    },
    false,
  );
}

/** A namespace's bindings. */
export async function bindingList(db: D1Database, namespace: string): Promise<z.output<typeof bindingListSchema>> {
  return {
    apiVersion: BINDING_API_VERSION,
    kind: "WorkflowEventBindingList",
    items: await listBindings(db, namespace),
  };
}

/** One binding, or not_found. */
export async function bindingNamed(
  db: D1Database,
  namespace: string,
  name: string,
): Promise<z.output<typeof storedBindingSchema>> {
  const binding = await getBinding(db, namespace, assertObjectName(name, "binding name"));
  if (!binding) throw notFound(`workfloweventbinding "${name}" not found in namespace "${namespace}"`);
  return binding;
}

/** Deletes a binding, or not_found. */
export async function removeBinding(db: D1Database, namespace: string, name: string): Promise<void> {
  if (!(await deleteBinding(db, namespace, assertObjectName(name, "binding name")))) {
    throw notFound(`workfloweventbinding "${name}" not found in namespace "${namespace}"`);
  }
}
