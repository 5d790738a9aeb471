import type { NamespaceBindings } from "../bindings/cache";
import type { EventEnvironment } from "../bindings/evaluate";
import { bindingDeleted, bindingPressure } from "../bindings/pressure";
import { type Judgement, judgeEvent } from "../bindings/verdicts";
import { buildSubmission } from "../clusters/submission";
import { type Holds, submitPending } from "../clusters/submit-batch";
import { groupBy } from "../lib/collections";
import { readLimits } from "../lib/config";
import { log } from "../lib/log";
import { reschedule } from "../lib/queue";
import { retryDelaySeconds } from "../lib/retry";
import { announce, logOutcomes } from "./announce";
import { batchState, confirmationStatement } from "./batch-state";
import type { EventMessage } from "./message";
import { loadPayload } from "./payload";
import { parseMessages, type Received } from "./received";
import { recordWork, type Work } from "./record";
import { type BindingResult, giveUpWhenExhausted, TO_SEND } from "./results";
import { eventLogs, eventQueueFor, groupByEventLog } from "./shards";
import { fireWindows, settleWaiting } from "./waits";

/** One event's work in this delivery, with the message it came in. */
interface Delivered extends Work {
  message: Message<unknown>;
}

/**
 * The EVENTS queue consumer — Argo's event "operation", at the edge — as a short pipeline, each
 * stage's rules in their own room:
 *
 * 1. read: the batch's messages (received.ts), what the event log already holds of them and
 *    the namespaces' bindings (batch-state.ts: one round trip per shard — none under steady load);
 * 2. judge: each new event through its namespace's bindings, windows and dependencies applied
 *    (bindings/verdicts.ts); a redelivered event keeps its results and re-sends only what is
 *    still pending, from the stored request;
 * 3. submit: pending submissions through each cluster's circuit breaker (clusters/submit-batch.ts);
 * 4. record and announce: the log (record.ts), the log lines and hookline events (announce.ts);
 * 5. settle: acknowledge each message, or reschedule it while a submission is pending — held
 *    ones (an open breaker) without spending an attempt.
 *
 * Events are handled by the event-log shard of their namespace (shards.ts), each shard's events
 * recorded in one D1 batch.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = await parseMessages(batch, env);
  const byLog = groupByEventLog(env, received, (item) => item.event.namespace);
  const shards = eventLogs(env);
  await Promise.all(
    [...byLog].map(([db, events]) =>
      consumeShard(env, db, shards.find((shard) => shard.resource === db)?.name ?? "DB", events),
    ),
  );
}

/** The pipeline for the events of one event-log shard (`db`, named `shard`). */
async function consumeShard(env: Env, db: D1Database, shard: string, received: Received[]): Promise<void> {
  const { maxRetryDelaySeconds } = readLimits(env);
  let work: Delivered[];
  let detailedSoFar: Map<string, number>;
  let holds: Holds;
  try {
    let bindings: ReadonlyMap<string, NamespaceBindings>;
    ({ work, detailedSoFar, bindings } = await judge(env, db, received));
    const unsent = work.flatMap((item) => item.results.filter((result) => TO_SEND.has(result.status)));
    // Deleting a binding stops it: what it held is not sent (failed, saying why).
    for (const result of unsent) {
      if (
        result.status === "held" &&
        bindingDeleted(bindings.get(result.request?.namespace ?? ""), result.bindingUid)
      ) {
        result.status = "failed";
        result.reason = null;
        result.error = "the binding was deleted while this submission was held; nothing was sent";
      }
    }
    const now = Date.now();
    holds = await submitPending(env, unsent, (submission) =>
      bindingPressure(bindings.get(submission.request?.namespace ?? ""), submission.bindingUid, now),
    );
  } catch (error) {
    // Infrastructure trouble (D1, R2): nothing was recorded, the whole delivery is tried again.
    log.error("event batch failed; retrying it", { events: received.length }, error);
    for (const { message } of received) {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds) });
    }
    return;
  }
  for (const item of work) for (const result of item.results) giveUpWhenExhausted(result);
  const { unrecorded, detailed } = await recordWork(
    env,
    db,
    shard,
    work,
    detailedSoFar,
    confirmationStatement(env, db, [...new Set(work.map((item) => item.event.namespace))]),
  );
  const recorded = work.filter((item) => !unrecorded.has(item));
  await announce(env, recorded);
  logOutcomes(recorded, detailed, Date.now());
  await settleMessages(env, work, unrecorded, holds, maxRetryDelaySeconds);
}

/**
 * Reads what the log holds of the batch and judges each new event; redelivered events keep their
 * logged results (a debounce window that fired turns its last event's waiting result pending).
 */
async function judge(
  env: Env,
  db: D1Database,
  received: Received[],
): Promise<{ work: Delivered[]; detailedSoFar: Map<string, number>; bindings: Map<string, NamespaceBindings> }> {
  const { logged, loggedResults, detailedSoFar, bindings } = await batchState(
    env,
    db,
    received.map(({ event, message }) => ({ event, attempts: message.attempts })),
  );
  const known = received.filter(({ event }) => logged.has(event.id));
  // A window fired an event whose own processing is not recorded yet: try it again shortly.
  const fresh = received.filter(({ event }) => !logged.has(event.id) && !event.fire);
  for (const { message, event } of received)
    if (event.fire && !logged.has(event.id)) message.retry({ delaySeconds: 2 });
  await fireWindows(
    db,
    known.map(({ event }) => event),
    logged,
  );
  const work: Delivered[] = known.flatMap(({ message, event }) => {
    const before = logged.get(event.id);
    if (!before) return [];
    const hadBindings = before.outcome !== "no_bindings";
    const beforeResults = loggedResults.get(event.id) ?? "";
    return [{ message, event, isNew: false, hadBindings, pruned: 0, results: before.results, before, beforeResults }];
  });
  for (const { message, event } of fresh) {
    const namespace = bindings.get(event.namespace);
    if (namespace === undefined || namespace.bindings.length + namespace.broken.length === 0) {
      work.push({ message, event, isNew: true, hadBindings: false, pruned: 0, results: [] });
      continue;
    }
    const environment: EventEnvironment = {
      payload: await loadPayload(env.EVENT_BODIES, event.body),
      metadata: event.metadata,
      discriminator: event.discriminator,
      namespace: event.namespace,
    };
    const judged = await judgeEvent(env, namespace, {
      id: event.id,
      namespace: event.namespace,
      environment,
      senderTemplates: event.sender.templates,
      message: event,
    });
    // Dependency matches this event completed: their other waiting events end, pointing at it.
    for (const settled of judged.settlements)
      await settleWaiting(db, settled.windowId, "skipped", settled.reason, settled.except);
    const results = judged.judgements.map((judgement) => resultOf(event, judgement));
    work.push({ message, event, isNew: true, hadBindings: true, pruned: judged.pruned, results });
  }
  return { work, detailedSoFar, bindings };
}

/**
 * A binding's judgement as the event log records it. Where bindings meet clusters: a firing
 * binding's proposal becomes the cluster's submission, labelled with the event and binding, and
 * waits (`pending`) to be sent.
 */
function resultOf(event: EventMessage, judgement: Judgement): BindingResult {
  const request = judgement.proposal
    ? buildSubmission(judgement.proposal, { eventId: event.id, binding: judgement.binding, traceId: event.traceId })
    : null;
  return {
    eventId: event.id,
    binding: judgement.binding,
    bindingUid: judgement.bindingUid,
    matched: judgement.matched,
    status: judgement.status === "fire" ? "pending" : judgement.status,
    reason: judgement.reason,
    error: judgement.error,
    cluster: judgement.cluster,
    workflow: request?.workflowName ?? null,
    request,
    attempts: 0,
    ...(judgement.windowId !== undefined ? { windowId: judgement.windowId } : {}),
    ...(judgement.supersedeKey !== null ? { supersedeKey: judgement.supersedeKey } : {}),
  };
}

/**
 * Each message's end: unrecorded work is retried; an event with nothing pending is acknowledged;
 * one with a submission pending is rescheduled — until its hold ends (no attempt spent), or
 * after its retry delay.
 */
async function settleMessages(
  env: Env,
  work: readonly Delivered[],
  unrecorded: ReadonlySet<Work>,
  holds: Holds,
  maxRetryDelaySeconds: number,
): Promise<void> {
  const now = Date.now();
  const later: Array<{ message: Message<unknown>; delaySeconds: number; namespace: string; body: EventMessage }> = [];
  for (const item of work) {
    const { message } = item;
    if (unrecorded.has(item)) {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds) });
      continue;
    }
    const pending = item.results.filter((result) => TO_SEND.has(result.status));
    if (pending.length === 0) {
      message.ack();
      continue;
    }
    const waits = pending.map((result) => {
      const heldUntil = holds.get(result);
      // A breaker's hold is spread (its probes should not arrive together); a slot's hold is already placed.
      const jitter = result.status === "held" ? 0 : Math.random() * 2;
      if (heldUntil !== undefined) return Math.max(1, (heldUntil - now) / 1000) + jitter;
      return retryDelaySeconds(result.attempts, maxRetryDelaySeconds);
    });
    // The copy says its event has a row: the batch that gets it reads the log.
    later.push({
      message,
      delaySeconds: Math.min(...waits),
      namespace: item.event.namespace,
      body: { ...item.event, logged: true },
    });
  }
  const byQueue = groupBy(later, (item) => eventQueueFor(env, item.namespace));
  await Promise.all([...byQueue].map(([queue, items]) => reschedule(queue, items)));
}
