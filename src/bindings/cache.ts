import { bindingsScope, readVersions } from "../lib/config-versions";
import { type CompiledBinding, compileBinding } from "./compile";
import { PrefilterIndex } from "./prefilter";
import type { StoredBinding } from "./schema";
import { listBindings } from "./store";

/** A namespace's bindings, compiled and indexed; `broken` are stored ones that no longer compile. */
export interface NamespaceBindings {
  version: number;
  bindings: CompiledBinding[];
  broken: Array<{ binding: StoredBinding; error: string }>;
  index: PrefilterIndex<CompiledBinding>;
  /** The compiled bindings by uid (a logged result names its binding by uid). */
  byUid: ReadonlyMap<string, CompiledBinding>;
}

/** Compiled bindings per namespace, kept in the isolate between batches. */
const cache = new Map<string, NamespaceBindings>();
/** When each cached namespace's version was last read and found current (epoch ms, before the read). */
const confirmedAt = new Map<string, number>();
const MAX_CACHED_NAMESPACES = 1000;

/**
 * The bindings of each namespace, from the isolate cache when its version is current, else
 * loaded from D1 and compiled once. One version query covers all the namespaces — or none, when
 * the caller read the versions in its own round trip (`versions`, by bindingsScope, at `readAt`).
 */
export async function loadBindings(
  db: D1Database,
  namespaces: readonly string[],
  versions?: ReadonlyMap<string, number>,
  /** When `versions` were read (before the read); now, when this reads them. */
  readAt = Date.now(),
): Promise<Map<string, NamespaceBindings>> {
  const unique = [...new Set(namespaces)];
  versions ??= await readVersions(db, unique.map(bindingsScope));
  const loaded = new Map<string, NamespaceBindings>();
  await Promise.all(
    unique.map(async (namespace) => {
      const version = versions.get(bindingsScope(namespace)) ?? 0;
      let entry = cache.get(namespace);
      if (!entry || entry.version !== version) {
        entry = compileNamespace(version, version === 0 ? [] : await listBindings(db, namespace));
        if (cache.size >= MAX_CACHED_NAMESPACES) {
          cache.clear();
          confirmedAt.clear();
        }
        cache.set(namespace, entry);
      }
      confirmedAt.set(namespace, readAt);
      loaded.set(namespace, entry);
    }),
  );
  return loaded;
}

/**
 * The cached bindings of these namespaces, when every one was confirmed current at or after
 * `since` — a batch whose events were all received before then may use them without reading the
 * versions again (an event is evaluated against bindings at least as new as its receipt) — else
 * null.
 */
export function bindingsConfirmedSince(
  namespaces: readonly string[],
  since: number,
): Map<string, NamespaceBindings> | null {
  const found = new Map<string, NamespaceBindings>();
  for (const namespace of namespaces) {
    const entry = cache.get(namespace);
    if (!entry || (confirmedAt.get(namespace) ?? Number.NEGATIVE_INFINITY) < since) return null;
    found.set(namespace, entry);
  }
  return found;
}

/**
 * Versions read at `readAt` (by bindingsScope) confirm the cached namespaces still current, or
 * drop the ones that changed (the next batch reloads them).
 */
export function confirmVersions(
  versions: ReadonlyMap<string, number>,
  namespaces: readonly string[],
  readAt: number,
): void {
  for (const namespace of namespaces) {
    const entry = cache.get(namespace);
    if (!entry) continue;
    if (entry.version === (versions.get(bindingsScope(namespace)) ?? 0)) confirmedAt.set(namespace, readAt);
    else {
      cache.delete(namespace);
      confirmedAt.delete(namespace);
    }
  }
}

/** Compiles and indexes a namespace's stored bindings. */
export function compileNamespace(version: number, stored: readonly StoredBinding[]): NamespaceBindings {
  const bindings: CompiledBinding[] = [];
  const broken: NamespaceBindings["broken"] = [];
  for (const binding of stored) {
    const compiled = compileBinding(binding);
    if (compiled.ok) bindings.push(compiled.value);
    else broken.push({ binding, error: compiled.error.message });
  }
  return {
    version,
    bindings,
    broken,
    index: new PrefilterIndex(bindings, (binding) => binding.equalities),
    byUid: new Map(bindings.map((binding) => [binding.uid, binding])),
  };
}
