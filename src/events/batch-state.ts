import { bindingsConfirmedSince, confirmVersions, loadBindings, type NamespaceBindings } from "../bindings/cache";
import { bindingsScope, versionsOf, versionsStatement } from "../lib/config-versions";
import type { EventMessage } from "./message";
import { readBatchState } from "./record";
import { TO_SEND } from "./results";
import { keptInIsolate } from "./sampling";
import type { EventRecord } from "./store";

/**
 * What the consumer needs before evaluating a batch: which of its events are already logged
 * (their rows), the sampler's counts of the minute, and the namespaces' bindings — usually one D1
 * round trip. Under steady load none: when every message is a first delivery (not a retry, a
 * rescheduled copy or a window firing) none can be logged yet, and when the cached bindings were
 * confirmed current after every event of the batch was received — the previous batch's write
 * reads the versions on its way (`confirmationStatement`) — the event is evaluated against
 * bindings at least as new as its receipt without asking again. The sampler then counts this
 * isolate's rows.
 */
export interface BatchState {
  logged: Map<string, EventRecord>;
  /** The logged events' results as stored, before anything in this delivery changes them. */
  loggedResults: Map<string, string>;
  detailedSoFar: Map<string, number>;
  bindings: Map<string, NamespaceBindings>;
}

/** Reads (or, when it can, skips reading) a batch's state from `db`, one event-log shard. */
export async function batchState(
  env: Env,
  db: D1Database,
  received: ReadonlyArray<{ event: EventMessage; attempts: number }>,
): Promise<BatchState> {
  const events = received.map((item) => item.event);
  const namespaces = [...new Set(events.map((event) => event.namespace))];
  const firstDeliveries = received.every(({ event, attempts }) => attempts <= 1 && !event.fire && !event.logged);
  const newest = Math.max(0, ...events.map((event) => event.receivedAt));
  const cached = firstDeliveries ? bindingsConfirmedSince(namespaces, newest) : null;
  if (cached) {
    return { logged: new Map(), loggedResults: new Map(), detailedSoFar: new Map(keptInIsolate()), bindings: cached };
  }
  // With one database (the default), the bindings' versions come in the same round trip.
  const scopes = db === env.DB ? namespaces.map(bindingsScope) : undefined;
  const readAt = Date.now();
  const state = await readBatchState(db, events, scopes);
  // Bindings for the new events, and for logged ones still sending (a held submission asks its binding's rules).
  const needing = events.filter((event) => {
    const logged = state.logged.get(event.id);
    return logged ? logged.results.some((result) => TO_SEND.has(result.status)) : !event.fire;
  });
  const bindings =
    needing.length > 0
      ? await loadBindings(
          env.DB,
          needing.map((event) => event.namespace),
          state.versions,
          readAt,
        )
      : new Map<string, NamespaceBindings>();
  const detailedSoFar = new Map(state.detailedSoFar);
  for (const [key, count] of keptInIsolate()) detailedSoFar.set(key, Math.max(count, detailedSoFar.get(key) ?? 0));
  return { logged: state.logged, loggedResults: state.loggedResults, detailedSoFar, bindings };
}

/**
 * A statement the batch's write runs last, reading the namespaces' binding versions, and what to
 * do with its answer: confirm the cache current as of `readAt` (or drop what changed). Only when
 * the shard is the configuration's database.
 */
export function confirmationStatement(
  env: Env,
  db: D1Database,
  namespaces: readonly string[],
): { statement: D1PreparedStatement; confirm: (answer: D1Result<unknown>, readAt: number) => void } | null {
  if (db !== env.DB || namespaces.length === 0) return null;
  const scopes = namespaces.map(bindingsScope);
  return {
    statement: versionsStatement(db, scopes),
    confirm: (answer, readAt) => confirmVersions(versionsOf(answer, scopes), namespaces, readAt),
  };
}
