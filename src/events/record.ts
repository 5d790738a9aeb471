import { readLimits } from "../lib/config";
import { versionsOf, versionsStatement } from "../lib/config-versions";
import { log } from "../lib/log";
import { type BodyAt, buildPack, type Pack, packKeyFor, packRowStatement, putPack } from "./body-pack";
import {
  type CountDelta,
  countStatements,
  detailedSoFarOf,
  detailedSoFarStatement,
  minuteOf,
  outcomeMoves,
  sampleKeyOf,
} from "./counts";
import type { EventMessage } from "./message";
import { type BindingResult, type EventOutcome, summarizeOutcome } from "./results";
import { chooseDetailed, noteKept, type SampleCandidate, sampleKey } from "./sampling";
import { keepShardUnderLimit } from "./shard-space";
import {
  type EventRecord,
  insertEventsStatements,
  insertWaitsStatements,
  loggedEventsOf,
  loggedEventsStatement,
  resultsJson,
  updateEventStatement,
} from "./store";

/**
 * Writing a consumer batch to the event log — the cost the log bills for (docs/scale.md). Per
 * batch: one R2 put (the body pack), one D1 round trip that inserts the rows of the events kept
 * in detail, moves on the ones already logged, adds the batch to the counts (one upserted row per
 * key) and records the pack — then the shard's size check on D1's own `size_after`.
 */

/** One event's work in a delivery: its results and whether its log row is new. */
export interface Work {
  event: EventMessage;
  isNew: boolean;
  hadBindings: boolean;
  pruned: number;
  results: BindingResult[];
  /** Its row as logged before this delivery (known events only)… */
  before?: EventRecord;
  /** …and that row's results as stored (a row that did not change is not written again). */
  beforeResults?: string;
}

/** What a batch's read answers: which events are logged, and the sampler's counts. */
export interface ReadState {
  logged: Map<string, EventRecord>;
  /** The logged events' results as stored, before anything in this delivery changes them. */
  loggedResults: Map<string, string>;
  detailedSoFar: Map<string, number>;
  /** The namespaces' binding versions, when they were read in the same round trip (`versions` given). */
  versions?: Map<string, number>;
}

/**
 * Reads a batch's state in one D1 round trip — and, when the shard is also the configuration's
 * database (`versions`: its scopes), the bindings' versions with it.
 */
export async function readBatchState(
  db: D1Database,
  events: readonly EventMessage[],
  versions?: readonly string[],
): Promise<ReadState> {
  if (events.length === 0) return { logged: new Map(), loggedResults: new Map(), detailedSoFar: new Map() };
  const keys = new Map(events.map((event) => [sampleKeyOf(sampleKey(event)), sampleKey(event)]));
  const [logged, soFar, versioned] = await db.batch([
    loggedEventsStatement(db, events),
    detailedSoFarStatement(db, [...keys.values()]),
    ...(versions ? [versionsStatement(db, versions)] : []),
  ]);
  const rows = logged ? loggedEventsOf(logged) : new Map<string, EventRecord>();
  return {
    logged: rows,
    loggedResults: new Map([...rows].map(([id, record]) => [id, resultsJson(record.results)])),
    detailedSoFar: soFar ? detailedSoFarOf(soFar) : new Map(),
    ...(versions && versioned ? { versions: versionsOf(versioned, versions) } : {}),
  };
}

/** The outcome a work item ends this delivery with. */
export function outcomeOf(item: Pick<Work, "results" | "hadBindings">): EventOutcome {
  return summarizeOutcome(item.results, item.hadBindings);
}

/** What recordWork did: the work it could not write (to be retried), and the events that keep a row. */
export interface Recorded {
  unrecorded: Set<Work>;
  /** Events with a row in the log (new ones the sampler kept, and every known one). */
  detailed: Set<Work>;
}

/**
 * Writes a batch's work to one event-log shard (`shard` names it): its body pack, then rows,
 * counts and the pack's row in one D1 batch. If that batch fails, each event is written on its
 * own, so one event D1 refuses cannot hold back the others.
 */
export async function recordWork(
  env: Env,
  db: D1Database,
  shard: string,
  work: readonly Work[],
  detailedSoFar: ReadonlyMap<string, number>,
  /** A read to run last in the write's round trip (the bindings' versions), and what to do with its answer. */
  alongside: {
    statement: D1PreparedStatement;
    confirm: (answer: D1Result<unknown>, readAt: number) => void;
  } | null = null,
  now = Date.now(),
): Promise<Recorded> {
  const unrecorded = new Set<Work>();
  const fresh = work.filter((item) => item.isNew);
  const detailed = new Set<Work>(work.filter((item) => !item.isNew));
  const chosen = chooseDetailed(
    fresh.map((item) => candidateOf(item)),
    detailedSoFar,
    readLimits(env).samplePerMinute,
  );
  for (const [index, item] of fresh.entries()) if (chosen[index]) detailed.add(item);

  let pack: Pack | null = null;
  if (fresh.length > 0) {
    pack = packFor(fresh);
    try {
      await putPack(env.EVENT_BODIES, pack);
    } catch (error) {
      log.error("storing a batch's body pack failed; its new events will be retried", { events: fresh.length }, error);
      for (const item of fresh) unrecorded.add(item);
      pack = null;
    }
  }
  const writable = work.filter((item) => !unrecorded.has(item));
  const statementsFor = (items: readonly Work[]): D1PreparedStatement[] => {
    const newItems = items.filter((item) => item.isNew);
    const rows = newItems
      .filter((item) => detailed.has(item))
      .map((item) =>
        toRecord(item.event, outcomeOf(item), null, item.pruned, item.results, pack?.bodies.get(item.event.id)),
      );
    const deltas: CountDelta[] = newItems.map((item) => ({
      minute: minuteOf(item.event.receivedAt),
      namespace: item.event.namespace,
      discriminator: item.event.discriminator,
      outcome: outcomeOf(item),
      events: 1,
      detailed: detailed.has(item) ? 1 : 0,
    }));
    // A known event is written again only when its results or outcome moved on (a held
    // submission rescheduled while its cluster is down changes nothing).
    const known = items.filter(
      (item) =>
        !item.isNew && (item.before?.outcome !== outcomeOf(item) || item.beforeResults !== resultsJson(item.results)),
    );
    deltas.push(
      ...outcomeMoves(
        known.map((item) => ({
          namespace: item.event.namespace,
          discriminator: item.event.discriminator,
          receivedAt: item.event.receivedAt,
          from: item.before?.outcome ?? outcomeOf(item),
          to: outcomeOf(item),
        })),
      ),
    );
    return [
      ...insertEventsStatements(db, rows),
      ...insertWaitsStatements(db, rows),
      ...known.map((item) =>
        updateEventStatement(db, {
          namespace: item.event.namespace,
          id: item.event.id,
          outcome: outcomeOf(item),
          results: item.results,
        }),
      ),
      ...countStatements(db, deltas),
      // The pack's row finds events without one of their own; a pack of detailed events needs none.
      ...(pack && newItems.some((item) => !detailed.has(item)) ? [packRowStatement(db, pack)] : []),
    ];
  };
  // Nothing to write when every event was known and nothing moved on.
  const write = async (items: readonly Work[]) => {
    const statements = statementsFor(items);
    return statements.length === 0 ? undefined : (await db.batch(statements)).at(-1)?.meta.size_after;
  };
  let sizeAfter: number | undefined;
  try {
    const statements = statementsFor(writable);
    if (alongside) {
      const readAt = Date.now();
      const answers = await db.batch([...statements, alongside.statement]);
      sizeAfter = answers.at(-1)?.meta.size_after;
      const answer = answers.at(-1);
      if (answer) alongside.confirm(answer, readAt);
    } else if (statements.length > 0) sizeAfter = (await db.batch(statements)).at(-1)?.meta.size_after;
    noteKept(fresh.filter((item) => detailed.has(item)).map((item) => candidateOf(item)));
  } catch (error) {
    log.error("batched event write failed; writing event by event", {}, error);
    for (const item of writable) {
      try {
        sizeAfter = (await write([item])) ?? sizeAfter;
      } catch (itemError) {
        log.error("event write failed; will retry", { eventId: item.event.id }, itemError);
        unrecorded.add(item);
      }
    }
  }
  try {
    await keepShardUnderLimit(env, db, shard, sizeAfter, now);
  } catch (error) {
    log.error("checking the event log's size failed", { shard }, error);
  }
  return { unrecorded, detailed };
}

/** A new event as the sampler sees it. */
function candidateOf(item: Work): SampleCandidate {
  return { ...item.event, outcome: outcomeOf(item), results: item.results };
}

/** The body pack of a batch's new events. */
function packFor(fresh: readonly Work[]): Pack {
  const inputs = fresh.map((item) => ({
    id: item.event.id,
    namespace: item.event.namespace,
    discriminator: item.event.discriminator,
    receivedAt: item.event.receivedAt,
    sender: item.event.sender.key,
    metadata: item.event.metadata,
    traceId: item.event.traceId ?? null,
    replayOf: item.event.replayOf ?? null,
    outcome: outcomeOf(item),
    bindingsPruned: item.pruned,
    bodyBytes: item.event.bodyBytes,
    body: item.event.body,
  }));
  const firstId = inputs.map((input) => input.id).sort()[0] ?? "";
  return buildPack(inputs, packKeyFor(firstId));
}

/** The event-log row for a queued event, its body where `body` says. */
export function toRecord(
  event: EventMessage,
  outcome: EventOutcome,
  error: string | null,
  bindingsPruned: number,
  results: BindingResult[],
  body: BodyAt | undefined,
): EventRecord {
  const spilled = "r2Key" in event.body ? event.body.r2Key : null;
  return {
    id: event.id,
    namespace: event.namespace,
    discriminator: event.discriminator,
    receivedAt: event.receivedAt,
    outcome,
    sender: event.sender.key,
    metadata: event.metadata,
    results,
    payload: null,
    bodyKey: body?.key ?? spilled,
    bodyOffset: body?.offset ?? null,
    bodyLength: body?.length ?? null,
    bodyBytes: event.bodyBytes,
    replayOf: event.replayOf ?? null,
    error,
    bindingsPruned,
    traceId: event.traceId ?? null,
  };
}
