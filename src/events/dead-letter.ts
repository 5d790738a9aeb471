import { type ClusterLookup, clusterOf, loadClusters } from "../clusters/resolve";
import { workflowExists } from "../clusters/submit";
import { log } from "../lib/log";
import type { InternalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { failedEvent } from "./announce";
import { buildPack, packKeyFor, packRowStatement, putPack } from "./body-pack";
import { countStatements, minuteOf, outcomeMoves } from "./counts";
import { buryMessage } from "./graveyard";
import { parseMessages, type Received } from "./received";
import { toRecord } from "./record";
import type { BindingResult } from "./results";
import { summarizeOutcome } from "./results";
import { groupByEventLog } from "./shards";
import { findLoggedEvents, insertEventsStatements, updateEventStatement } from "./store";

/** The dead-letter queue retries its own messages this often before they go to the graveyard. */
const BURY_AFTER_ATTEMPTS = 8;
/** How long to keep asking a cluster whether a dead-lettered submission's workflow exists. */
const CONFIRM_ATTEMPTS = 5;

/**
 * The EVENTS dead-letter consumer: an event whose processing kept failing (the queue gave up on
 * it). Every accepted event must end with a terminal outcome, and the outcome must be true: a
 * pending submission is recorded `submitted` when its workflow turns out to exist on the
 * cluster (the submit succeeded but its answer was lost), `failed` when it does not; an event
 * that never reached the log is recorded as failed. A message that cannot be recorded goes to
 * the graveyard, never away. Each event-log shard's events are settled on their own.
 */
export async function consumeDeadEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = await parseMessages(batch, env);
  const byLog = groupByEventLog(env, received, (item) => item.event.namespace);
  await Promise.all([...byLog].map(([db, events]) => settleDeadEvents(env, db, batch.queue, events)));
}

async function settleDeadEvents(env: Env, db: D1Database, queue: string, received: Received[]): Promise<void> {
  try {
    const logged = await findLoggedEvents(
      db,
      received.map(({ event }) => event),
    );
    const anyPending = [...logged.values()].some((record) =>
      record.results.some((result) => result.status === "pending"),
    );
    const clusters: ReadonlyMap<string, ClusterLookup> = anyPending ? await loadClusters(env) : new Map();
    const statements: D1PreparedStatement[] = [];
    const unlogged = received.filter(({ event }) => !logged.has(event.id));
    // Events that never reached the log get their row now (failed), their bodies in one pack.
    const pack =
      unlogged.length > 0
        ? buildPack(
            unlogged.map(({ event }) => ({
              id: event.id,
              namespace: event.namespace,
              discriminator: event.discriminator,
              receivedAt: event.receivedAt,
              sender: event.sender.key,
              metadata: event.metadata,
              traceId: event.traceId ?? null,
              replayOf: event.replayOf ?? null,
              outcome: "failed" as const,
              bindingsPruned: 0,
              bodyBytes: event.bodyBytes,
              body: event.body,
            })),
            packKeyFor(unlogged.map(({ event }) => event.id).sort()[0] ?? ""),
          )
        : null;
    if (pack) {
      await putPack(env.EVENT_BODIES, pack);
      statements.push(packRowStatement(db, pack));
    }
    const announcements: InternalEvent[] = [];
    const settled: Received[] = [];
    const unsure: Received[] = [];
    for (const item of received) {
      const { message, event } = item;
      const gaveUp = `gave up after ${message.attempts} delivery attempt(s)`;
      const record = logged.get(event.id);
      if (!record) {
        statements.push(
          ...insertEventsStatements(db, [
            toRecord(
              event,
              "failed",
              `processing ${gaveUp}; the event was dead-lettered`,
              0,
              [],
              pack?.bodies.get(event.id),
            ),
          ]),
          ...countStatements(db, [
            {
              minute: minuteOf(event.receivedAt),
              namespace: event.namespace,
              discriminator: event.discriminator,
              outcome: "failed",
              events: 1,
              detailed: 1,
            },
          ]),
        );
        settled.push(item);
        continue;
      }
      const eventResults = record.results;
      const pending = eventResults.filter((result) => result.status === "pending");
      const checks = await Promise.all(pending.map((result) => confirm(clusters, result)));
      if (checks.includes(null) && message.attempts < CONFIRM_ATTEMPTS) {
        unsure.push(item);
        continue;
      }
      for (const [index, result] of pending.entries()) {
        const exists = checks[index];
        if (exists === true) {
          result.status = "submitted";
          result.error = null;
        } else {
          result.status = "failed";
          result.error = `${gaveUp}: ${result.error ?? "submission kept failing"}${exists === null ? " (the cluster could not confirm whether the workflow exists)" : ""}`;
        }
      }
      const outcome = summarizeOutcome(eventResults, record.outcome !== "no_bindings");
      statements.push(
        updateEventStatement(db, { ...record, outcome }),
        ...countStatements(db, outcomeMoves([{ ...record, from: record.outcome, to: outcome }])),
      );
      if (outcome === "failed" || outcome === "partially_failed")
        announcements.push(failedEvent(event, outcome, eventResults));
      settled.push(item);
    }
    if (statements.length > 0) await db.batch(statements);
    try {
      await publishInternalEvents(env, announcements);
    } catch (error) {
      log.error("announcing dead-lettered events failed", {}, error);
    }
    for (const { message } of settled) message.ack();
    for (const { message } of unsure) message.retry({ delaySeconds: 30 });
  } catch (error) {
    log.error("dead-lettered event batch failed", {}, error);
    for (const { message, event } of received) {
      if (message.attempts >= BURY_AFTER_ATTEMPTS) {
        const reason = `event ${event.id} could not be recorded after dead-lettering: ${error instanceof Error ? error.message : String(error)}`;
        await buryMessage(env.EVENT_BODIES, queue, message, reason);
      } else message.retry({ delaySeconds: Math.min(300, 15 * message.attempts) });
    }
  }
}

/** Whether a pending submission's workflow exists on its cluster (null: the cluster cannot tell now). */
async function confirm(clusters: ReadonlyMap<string, ClusterLookup>, result: BindingResult): Promise<boolean | null> {
  if (!result.request) return false;
  const cluster = clusterOf(clusters, result.request.cluster);
  if (!cluster.ok) return false;
  return workflowExists(cluster.value, result.request);
}
