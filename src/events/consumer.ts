import { type BindingVerdict, dispatchEvent } from "../bindings/dispatch";
import type { EventEnvironment } from "../bindings/evaluate";
import { windowIdOf, windowName, windowOf } from "../bindings/window";
import { type Admission, breakerOf } from "../clusters/breaker";
import { type ClusterLookup, clusterOf, loadClusters } from "../clusters/resolve";
import { buildSubmission } from "../clusters/submission";
import { submitWorkflow } from "../clusters/submit";
import { ExpressionError } from "../expressions/jsonata";
import { groupBy } from "../lib/collections";
import { readLimits } from "../lib/config";
import { log } from "../lib/log";
import { reschedule } from "../lib/queue";
import { MAX_ATTEMPTS, retryDelaySeconds } from "../lib/retry";
import { describeIssues } from "../lib/validation";
import { type InternalEvent, internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { batchState, confirmationStatement } from "./batch-state";
import { buryMessage } from "./graveyard";
import { type EventMessage, eventMessageSchema } from "./message";
import { loadPayload } from "./payload";
import { outcomeOf, recordWork, type Work } from "./record";
import type { BindingResult, EventOutcome } from "./results";
import { eventLogs, eventQueueFor, groupByEventLog } from "./shards";
import type { EventRecord } from "./store";
import { settleWaiting } from "./waits";

export interface Received {
  message: Message<unknown>;
  event: EventMessage;
}

/** One event's work in this delivery, with the message it came in. */
interface Delivered extends Work {
  message: Message<unknown>;
}

/** Submissions held back (not tried, no attempt spent) until this time, by result. */
type Holds = Map<BindingResult, number>;

/** After a lead submit failed, the rest of its batch waits this long for the breaker to learn more. */
const HOLD_AFTER_LEAD_FAILURE_MS = 2_000;

/**
 * The EVENTS queue consumer — Argo's event "operation", at the edge. For each event seen for
 * the first time: run it through its namespace's bindings (src/bindings/dispatch.ts), record a
 * result per binding, and submit a workflow for each one that fired. For a redelivered event:
 * only re-send the submissions still pending (from the stored request, so the workflow is the
 * same). Submissions go through each cluster's circuit breaker: while a cluster is down they
 * are held (rescheduled, no attempt spent) and the cluster sees probes, not a flood.
 * Events are handled by the event-log shard of their namespace (src/events/shards.ts), each
 * shard's events written in one D1 batch; an event with a submission still pending is
 * rescheduled, the rest acknowledged.
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

/** The consumer's work for the events of one event-log shard (`db`, named `shard`). */
async function consumeShard(env: Env, db: D1Database, shard: string, received: Received[]): Promise<void> {
  const { maxRetryDelaySeconds } = readLimits(env);
  let work: Delivered[];
  let detailedSoFar: Map<string, number>;
  let holds: Holds;
  try {
    ({ work, detailedSoFar } = await evaluate(env, db, received));
    holds = await submitPending(env, work);
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
  await announce(
    env,
    work.filter((item) => !unrecorded.has(item)),
  );

  const now = Date.now();
  logOutcomes(
    work.filter((item) => !unrecorded.has(item)),
    detailed,
    now,
  );
  const later: Array<{ message: Message<unknown>; delaySeconds: number; namespace: string; body: EventMessage }> = [];
  for (const item of work) {
    const { message } = item;
    if (unrecorded.has(item)) {
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds) });
      continue;
    }
    const pending = item.results.filter((result) => result.status === "pending");
    if (pending.length === 0) {
      message.ack();
      continue;
    }
    const waits = pending.map((result) => {
      const heldUntil = holds.get(result);
      if (heldUntil !== undefined) return Math.max(1, (heldUntil - now) / 1000) + Math.random() * 2;
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

async function evaluate(
  env: Env,
  db: D1Database,
  received: Received[],
): Promise<{ work: Delivered[]; detailedSoFar: Map<string, number> }> {
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
    return [
      {
        message,
        event,
        isNew: false,
        hadBindings: before.outcome !== "no_bindings",
        pruned: 0,
        results: before.results,
        before,
        beforeResults: loggedResults.get(event.id) ?? "",
      },
    ];
  });
  for (const { message, event } of fresh) {
    const namespace = bindings.get(event.namespace);
    const hadBindings = namespace !== undefined && namespace.bindings.length + namespace.broken.length > 0;
    if (!hadBindings) {
      work.push({ message, event, isNew: true, hadBindings: false, pruned: 0, results: [] });
      continue;
    }
    const environment: EventEnvironment = {
      payload: await loadPayload(env.EVENT_BODIES, event.body),
      metadata: event.metadata,
      discriminator: event.discriminator,
      namespace: event.namespace,
    };
    const dispatch = await dispatchEvent(namespace, {
      id: event.id,
      environment,
      senderTemplates: event.sender.templates,
    });
    work.push({
      message,
      event,
      isNew: true,
      hadBindings: true,
      pruned: dispatch.pruned,
      results: await Promise.all(
        dispatch.verdicts.map((verdict) =>
          verdict.correlation
            ? correlated(env, db, event, environment, resultOf(event, verdict), verdict.correlation)
            : windowed(env, event, resultOf(event, verdict), verdict),
        ),
      ),
    });
  }
  return { work, detailedSoFar };
}

/** A binding's verdict as the event log records it; a firing binding's submission waits to be sent. */
function resultOf(event: EventMessage, verdict: BindingVerdict): BindingResult {
  const eventId = event.id;
  const request = verdict.proposal
    ? buildSubmission(verdict.proposal, { eventId, binding: verdict.binding, traceId: event.traceId })
    : null;
  return {
    eventId,
    binding: verdict.binding,
    bindingUid: verdict.bindingUid,
    matched: verdict.matched,
    status: verdict.status === "fire" ? "pending" : verdict.status,
    reason: verdict.reason,
    error: verdict.error,
    cluster: verdict.cluster,
    workflow: request?.workflowName ?? null,
    request,
    attempts: 0,
  };
}

/**
 * A firing binding with a window (dedupe, throttle) asks its key's window whether this event
 * submits: if so, under the window's workflow name (so a redelivery cannot make a second
 * workflow); if not, the result says why and which event opened the window.
 */
async function windowed(
  env: Env,
  event: EventMessage,
  result: BindingResult,
  verdict: BindingVerdict,
): Promise<BindingResult> {
  const window = verdict.window;
  if (!window || !result.request) return result;
  const name = await windowName(event.namespace, verdict.bindingUid, window.key);
  const debounce = window.rule.kind === "debounce";
  const admission = await windowOf(env, name).admit(window.rule, event.id, debounce ? event : undefined);
  if (admission.action === "submit" || admission.action === "waiting") {
    const seq = admission.action === "submit" ? admission.seq : 0;
    const workflowName = await window.workflowName(admission.windowStart, seq);
    const submitted = { ...result, workflow: workflowName, request: { ...result.request, workflowName } };
    if (admission.action === "submit") return submitted;
    return {
      ...submitted,
      status: "waiting",
      windowId: windowIdOf(name, admission.windowStart),
      reason: `waiting: debounce of key ${JSON.stringify(window.key.slice(0, 200))} (${admission.count} event(s) so far); the last one submits ${window.rule.periodMs / 1000} s after it arrives`,
    };
  }
  const key = JSON.stringify(window.key.slice(0, 200));
  const until = new Date(admission.windowEnd).toISOString();
  const reason =
    admission.action === "deduplicated"
      ? `deduplicated: event ${admission.first} opened key ${key}'s window, which lasts until ${until}`
      : `throttled: event ${admission.count} of key ${key} in the window opened by event ${admission.first} (limit ${window.rule.limit} until ${until})`;
  return { ...result, status: admission.action, reason, workflow: null, request: null };
}

/**
 * An event of a binding with dependencies joins its key's partial match (one per dependency it
 * satisfies). While the condition does not hold, it waits, saying for what; the event that
 * makes it hold claims the match and submits — with every dependency's event as `events` — and
 * the match's other waiting events are settled, pointing at it.
 */
async function correlated(
  env: Env,
  db: D1Database,
  event: EventMessage,
  environment: EventEnvironment,
  result: BindingResult,
  correlation: NonNullable<BindingVerdict["correlation"]>,
): Promise<BindingResult> {
  let waiting: BindingResult | null = null;
  for (const { name: dependency, key } of correlation.matches) {
    const name = await windowName(event.namespace, result.bindingUid, key);
    const window = windowOf(env, name);
    const match = await window.join(correlation.withinMs, dependency, event.id, environment);
    const arrived = new Set(Object.keys(match.events));
    const windowId = windowIdOf(name, match.start);
    let holds: boolean;
    try {
      holds = await correlation.holds(arrived);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return { ...result, status: "failed", error: error.describe("spec.condition") };
    }
    if (!holds) {
      const missing = correlation.names.filter((candidate) => !arrived.has(candidate));
      const have = [...arrived].map((candidate) => `${candidate}: event ${match.events[candidate]?.id}`).join(", ");
      waiting = {
        ...result,
        status: "waiting",
        windowId,
        reason: `waiting for ${missing.join(", ")} with key ${JSON.stringify(key.slice(0, 200))} until ${new Date(match.end).toISOString()} (${have})`,
      };
      continue;
    }
    // Another event completed this match at the same moment: it submits, this one joins it.
    if (!(await window.complete(match.start))) {
      return {
        ...result,
        status: "skipped",
        reason: `joined: another event completed these dependencies (key ${JSON.stringify(key.slice(0, 200))})`,
      };
    }
    const events = Object.fromEntries(Object.entries(match.events).map(([named, entry]) => [named, entry.environment]));
    const evaluation = await correlation.complete(events);
    if (evaluation.errors.length > 0 || !evaluation.proposal) {
      const problem =
        evaluation.refusal ??
        evaluation.errors.map((e) => `${e.field}: ${e.message}`).join("; ") ??
        "nothing to submit";
      return { ...result, status: "failed", error: problem };
    }
    const proposal = {
      ...evaluation.proposal,
      workflowName: await correlation.workflowName(key, match.start, evaluation.proposal),
    };
    const request = buildSubmission(proposal, { eventId: event.id, binding: result.binding, traceId: event.traceId });
    const others = Object.entries(match.events)
      .filter(([, entry]) => entry.id !== event.id)
      .map(([named, entry]) => `${named}: event ${entry.id}`);
    await settleWaiting(
      db,
      windowId,
      "skipped",
      `joined: event ${event.id} completed the dependencies and submits workflow ${proposal.workflowName}`,
      event.id,
    );
    return {
      ...result,
      status: "pending",
      windowId,
      workflow: proposal.workflowName,
      request,
      reason: `completed the dependencies (${others.join(", ")})`,
    };
  }
  return waiting ?? result;
}

/**
 * Debounce windows that fired (their last event came back with `fire`): that event's waiting
 * result becomes pending — the normal path below submits it and records it — and the window's
 * other waiting events become debounced.
 */
async function fireWindows(db: D1Database, events: EventMessage[], logged: Map<string, EventRecord>): Promise<void> {
  for (const event of events) {
    const window = event.fire?.window;
    const record = logged.get(event.id);
    if (!window || event.fire?.last !== event.id || !record) continue;
    for (const result of record.results)
      if (result.windowId === window && result.status === "waiting") {
        result.status = "pending";
        result.reason = null;
      }
    await settleWaiting(
      db,
      window,
      "debounced",
      `debounced: superseded by event ${event.id}, which the window submitted`,
      event.id,
    );
  }
}

/**
 * Sends every pending submission of this delivery, cluster by cluster through its breaker:
 * an open breaker holds them all; otherwise one leads, and only if it did not fail for a
 * reason worth retrying do the others follow (concurrently). Returns what was held.
 */
async function submitPending(env: Env, work: Work[]): Promise<Holds> {
  const holds: Holds = new Map();
  const pending = work.flatMap((item) => item.results.filter((result) => result.status === "pending"));
  if (pending.length === 0) return holds;
  const clusters = await loadClusters(env);
  const byCluster = groupBy(pending, (result) => result.request?.cluster ?? "");
  await Promise.all(
    [...byCluster].map(([name, results]) => submitToCluster(env, name, clusterOf(clusters, name), results, holds)),
  );
  return holds;
}

async function submitToCluster(
  env: Env,
  name: string,
  cluster: ClusterLookup,
  results: BindingResult[],
  holds: Holds,
): Promise<void> {
  if (!cluster.ok) {
    for (const result of results) {
      result.status = "failed";
      result.error = cluster.error.message;
    }
    return;
  }
  const breaker = breakerOf(env, name);
  let admission: Admission;
  try {
    admission = await breaker.admit();
  } catch (error) {
    log.warn("circuit breaker unavailable; submitting carefully", { cluster: name }, error);
    admission = { mode: "send", healthy: false };
  }
  if (admission.mode === "hold") {
    for (const result of results) holds.set(result, admission.retryAt);
    return;
  }
  const tally = { successes: 0, failures: 0, lastError: null as string | null };
  const send = async (result: BindingResult) => {
    const outcome = await submitOne(cluster.value, result);
    if (outcome === "unreachable") {
      tally.failures += 1;
      tally.lastError = result.error;
    } else tally.successes += 1;
    return outcome;
  };
  const [lead, ...rest] = results;
  if (lead && (await send(lead)) === "unreachable") {
    const until = Date.now() + HOLD_AFTER_LEAD_FAILURE_MS;
    for (const result of rest) holds.set(result, until);
  } else {
    await Promise.all(rest.map(send));
  }
  if (admission.mode === "probe" || !admission.healthy || tally.failures > 0) {
    try {
      await breaker.report(name, tally);
    } catch (error) {
      log.error("circuit breaker report failed", { cluster: name }, error);
    }
  }
}

/** One submit attempt; "unreachable" when it failed for a reason worth retrying (the cluster's health). */
async function submitOne(
  cluster: Parameters<typeof submitWorkflow>[0],
  result: BindingResult,
): Promise<"answered" | "unreachable"> {
  const request = result.request;
  if (!request) {
    result.status = "failed";
    result.error = "no submission was recorded for this result";
    return "answered";
  }
  result.attempts += 1;
  const outcome = await submitWorkflow(cluster, request);
  if (outcome.ok) {
    result.status = "submitted";
    result.error = null;
    result.submittedNow = true;
    return "answered";
  }
  result.error = outcome.error.message;
  if (outcome.error.retryable) return "unreachable";
  result.status = "failed";
  return "answered";
}

/**
 * One log line per event kept in detail and per submit tried in this delivery; the events only
 * counted (no binding matched them, the sampler kept others) share one line — a log line is
 * billed too (Workers Logs), and nobody reads one per unmatched event.
 */
function logOutcomes(work: readonly Work[], detailed: ReadonlySet<Work>, now: number): void {
  const counted = new Map<string, number>();
  for (const item of work) {
    if (detailed.has(item)) logOutcome(item, now);
    else {
      const key = `${item.event.namespace}/${outcomeOf(item)}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
  }
  if (counted.size > 0)
    log.info("events counted", {
      events: [...counted.values()].reduce((sum, n) => sum + n, 0),
      byNamespaceAndOutcome: Object.fromEntries(counted),
    });
}

/** An event's line, and one per submit tried in this delivery. */
function logOutcome(item: Work, now: number): void {
  const { event } = item;
  const context = { eventId: event.id, namespace: event.namespace, traceId: event.traceId };
  for (const result of item.results) {
    const fields = { ...context, binding: result.binding, workflow: result.workflow, cluster: result.request?.cluster };
    if (result.submittedNow === true) log.info("workflow submitted", fields);
    else if (result.status === "failed") log.warn("workflow submit failed", { ...fields, problem: result.error });
    else if (result.status === "pending" && result.error)
      log.warn("workflow submit will be retried", { ...fields, attempts: result.attempts, problem: result.error });
  }
  log.info("event processed", {
    ...context,
    discriminator: event.discriminator,
    outcome: outcomeOf(item),
    results: item.results.length,
    durationMs: now - event.receivedAt,
  });
}

/** A submission that failed MAX_ATTEMPTS real attempts ends failed. */
function giveUpWhenExhausted(result: BindingResult): void {
  if (result.status !== "pending" || result.attempts < MAX_ATTEMPTS) return;
  result.status = "failed";
  result.error = `gave up after ${result.attempts} attempts: ${result.error ?? "the submission kept failing"}`;
}

/**
 * Tells the notifications pipeline what happened, as hookline events: each workflow submitted
 * in this delivery, and each event that ended failed or partially failed (sent only when a
 * subscription takes them, notifications/publish.ts). Best effort — a D1 or queue hiccup here
 * costs a notification, never the event.
 */
async function announce(env: Env, work: Work[]): Promise<void> {
  const messages: InternalEvent[] = [];
  for (const item of work) {
    const { event, results } = item;
    for (const result of results) {
      if (result.status !== "submitted" || !result.request || result.submittedNow !== true) continue;
      messages.push(
        internalEvent(
          `${event.id}:${result.binding}:submitted`,
          "workflow.submitted",
          event.namespace,
          {
            eventId: event.id,
            discriminator: event.discriminator,
            binding: result.binding,
            workflow: result.workflow,
            template: result.request.template.name,
            cluster: result.request.cluster,
          },
          event.traceId,
        ),
      );
    }
    const outcome = outcomeOf(item);
    if (outcome === "failed" || outcome === "partially_failed") messages.push(failedEvent(event, outcome, results));
  }
  try {
    await publishInternalEvents(env, messages);
  } catch (error) {
    log.error("announcing event outcomes to notifications failed", {}, error);
  }
}

/** The `event.failed` hookline event for an event that ended failed or partially failed. */
export function failedEvent(
  event: EventMessage,
  outcome: EventOutcome,
  results: readonly BindingResult[],
): InternalEvent {
  return internalEvent(
    `${event.id}:failed`,
    "event.failed",
    event.namespace,
    {
      eventId: event.id,
      discriminator: event.discriminator,
      outcome,
      failures: results
        .filter((result) => result.status === "failed")
        .map((result) => ({ binding: result.binding, error: result.error })),
    },
    event.traceId,
  );
}

/**
 * The messages of a batch that this consumer can read. One that no version of it can read would
 * fail every retry: it is kept in the graveyard (never silently dropped) and acknowledged.
 */
export async function parseMessages(batch: MessageBatch<unknown>, env: Env): Promise<Received[]> {
  const received: Received[] = [];
  for (const message of batch.messages) {
    const parsed = eventMessageSchema.safeParse(message.body);
    if (parsed.success) {
      received.push({ message, event: parsed.data });
      continue;
    }
    await buryMessage(env.EVENT_BODIES, batch.queue, message, `unreadable message: ${describeIssues(parsed.error)}`);
  }
  return received;
}
