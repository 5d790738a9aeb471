import type { NamespaceBindings } from "./cache";

/**
 * How a binding holds its submissions (`spec.maxPending`, `spec.paused`, `spec.supersede`), as the
 * clusters' stage asks for each submission — from the binding as it is now, so a resumed binding
 * releases what it held.
 */
export interface BindingPressure {
  maxPending: number | null;
  paused: boolean;
  /** Resumed lately: its held submissions are still being released, oldest first. */
  ordered: boolean;
}

/** After a resume, submissions of the binding keep to arrival order this long (held ones come back within it). */
export const ORDERED_AFTER_RESUME_MS = 10 * 60_000;

/** The pressure rules of the binding with `uid` in its namespace (null: none, or the binding is gone). */
export function bindingPressure(
  namespace: NamespaceBindings | undefined,
  uid: string,
  now = Date.now(),
): BindingPressure | null {
  const binding = namespace?.byUid.get(uid);
  if (!binding) return null;
  const { maxPending, paused } = binding.pressure;
  const resumedAt = binding.stored.status?.resumedAt;
  const ordered = resumedAt !== undefined && now - Date.parse(resumedAt) < ORDERED_AFTER_RESUME_MS;
  // `supersede` alone holds nothing: it matters when a cap (the cluster's, or this) holds submissions.
  if (maxPending === null && !paused && !ordered) return null;
  return { maxPending, paused, ordered };
}

/**
 * True when the namespace's bindings are known and none has `uid`: the binding was deleted (or
 * deleted and created again, as another binding). What it held is then not sent.
 */
export function bindingDeleted(namespace: NamespaceBindings | undefined, uid: string): boolean {
  return namespace !== undefined && !namespace.byUid.has(uid);
}
