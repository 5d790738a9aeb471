import { groupBy } from "../lib/collections";
import { fnv1a } from "../lib/hash";

/**
 * Where a namespace's events live. The event log and the EVENTS queue can each be spread over
 * several resources ("shards"), named by binding in two vars:
 *
 * - `EVENT_LOG_SHARDS` — D1 bindings holding the event log (`events`, `event_results`);
 *   default `DB`, the one database that also holds the configuration;
 * - `EVENT_QUEUE_SHARDS` — queue producer bindings events are sent to; default `EVENTS`.
 *
 * A namespace belongs to one shard of each, chosen by rendezvous hashing over the shards'
 * positions in the list: every query about one namespace goes to one database, and the k-th
 * queue carries the namespaces of the k-th database when the lists are as long (so a consumer
 * batch writes to one database). Adding a shard at the end moves only the namespaces it wins
 * (about 1/N of them) — their older events stay readable only in their old shard, so add shards
 * before the log fills, and never reorder the list (docs/scale.md). Queries across namespaces
 * (the console's dashboard, retention, the clusters' queue depth) fan out and merge.
 */

/** One shard: its binding name and the resource. */
export interface Shard<T> {
  name: string;
  resource: T;
}

/** The event log's databases, in the order EVENT_LOG_SHARDS names them. */
export function eventLogs(env: Env): Shard<D1Database>[] {
  return once(resolvedLogs, env, () => resolve(env, env.EVENT_LOG_SHARDS, "DB", "EVENT_LOG_SHARDS", isDatabase));
}

/** The queues events are sent to, in the order EVENT_QUEUE_SHARDS names them. */
export function eventQueues(env: Env): Shard<Queue>[] {
  return once(resolvedQueues, env, () => resolve(env, env.EVENT_QUEUE_SHARDS, "EVENTS", "EVENT_QUEUE_SHARDS", isQueue));
}

/** Each list resolved once per env (every event asks for its queue); one misnamed list never breaks the other. */
const resolvedLogs = new WeakMap<Env, Shard<D1Database>[]>();
const resolvedQueues = new WeakMap<Env, Shard<Queue>[]>();
function once<T>(cache: WeakMap<Env, Shard<T>[]>, env: Env, read: () => Shard<T>[]): Shard<T>[] {
  let shards = cache.get(env);
  if (!shards) {
    shards = read();
    cache.set(env, shards);
  }
  return shards;
}

/** The database holding a namespace's events. */
export function eventLogFor(env: Env, namespace: string): D1Database {
  return shardFor(eventLogs(env), namespace).resource;
}

/** The queue a namespace's events are sent to. */
export function eventQueueFor(env: Env, namespace: string): Queue {
  return shardFor(eventQueues(env), namespace).resource;
}

/** The databases a query over the event log reads: a namespace's own, or all of them. */
export function eventLogsOf(env: Env, namespace?: string): D1Database[] {
  return namespace === undefined ? eventLogs(env).map((shard) => shard.resource) : [eventLogFor(env, namespace)];
}

/** Items grouped by the database holding their namespace's events. */
export function groupByEventLog<T>(
  env: Env,
  items: readonly T[],
  namespaceOf: (item: T) => string,
): Map<D1Database, T[]> {
  const shards = eventLogs(env);
  return groupBy(items, (item) => shardFor(shards, namespaceOf(item)).resource);
}

/**
 * The shard a key belongs to: the one whose position, hashed with the key, scores highest
 * (rendezvous hashing). With one shard it is that one.
 */
export function shardFor<T>(shards: readonly Shard<T>[], key: string): Shard<T> {
  let best = shards[0];
  if (!best) throw new Error("no shards configured");
  if (shards.length === 1) return best;
  let bestScore = -1;
  for (const [position, shard] of shards.entries()) {
    const score = mix(fnv1a(`${position}\u0000${key}`));
    if (score > bestScore) {
      best = shard;
      bestScore = score;
    }
  }
  return best;
}

/** MurmurHash3's finalizer: FNV-1a alone spreads short, similar strings unevenly. */
function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function resolve<T>(
  env: Env,
  list: string | undefined,
  fallback: string,
  variable: string,
  accepts: (value: unknown) => value is T,
): Shard<T>[] {
  const names = (list ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) names.push(fallback);
  return [...new Set(names)].map((name) => {
    const resource: unknown = Reflect.get(env, name);
    if (!accepts(resource)) throw new Error(`${variable} names "${name}", which is not a binding of the right kind`);
    return { name, resource };
  });
}

function isDatabase(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "batch") === "function";
}

function isQueue(value: unknown): value is Queue {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "sendBatch") === "function";
}
