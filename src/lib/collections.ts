/** Items grouped by a key, in the order each key was first met. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Counts by key added up over several maps (answers of shards merged). */
export function sumCounts<K>(maps: Iterable<ReadonlyMap<K, number>>): Map<K, number> {
  const total = new Map<K, number>();
  for (const map of maps) for (const [key, count] of map) total.set(key, (total.get(key) ?? 0) + count);
  return total;
}

/** `object[key]` when `object` is an object with its own member `key` (never a prototype's), else undefined. */
export function ownValue(object: unknown, key: string): unknown {
  return object !== null && typeof object === "object" && Object.hasOwn(object, key)
    ? Reflect.get(object, key)
    : undefined;
}
