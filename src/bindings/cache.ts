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
const MAX_CACHED_NAMESPACES = 1000;

/**
 * The bindings of each namespace, from the isolate cache when its version is current, else
 * loaded from D1 and compiled once. One version query covers all the namespaces — or none, when
 * the caller read the versions in its own round trip (`versions`, by bindingsScope).
 */
export async function loadBindings(
  db: D1Database,
  namespaces: readonly string[],
  versions?: ReadonlyMap<string, number>,
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
        if (cache.size >= MAX_CACHED_NAMESPACES) cache.clear();
        cache.set(namespace, entry);
      }
      loaded.set(namespace, entry);
    }),
  );
  return loaded;
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
