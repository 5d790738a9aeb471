import type { NamespaceBindings } from "../bindings/cache";
import { loadBindings } from "../bindings/cache";
import type { CompiledBinding } from "../bindings/compile";
import { type EventEnvironment, evaluateBinding } from "../bindings/evaluate";
import { unmetEquality } from "../bindings/prefilter";
import { type ClusterLookup, loadClusters } from "../clusters/resolve";
import { submitWorkflow } from "../clusters/submit";
import { readLimits } from "../lib/config";
import { retryDelaySeconds } from "../lib/retry";
import { type InternalEvent, internalEvent } from "../notifications/internal-events";
import { type EventMessage, eventMessageSchema } from "./message";
import { type BindingResult, summarizeOutcome } from "./results";
import {
  type EventOutcome,
  type EventRecord,
  findLoggedEvents,
  insertEventStatement,
  insertResultStatement,
  listResults,
  updateOutcomeStatement,
  updatePendingResultStatement,
} from "./store";

/** Namespaces with at most this many bindings get a result row for every binding, evaluated or not. */
export const LIST_EVERY_BINDING_UP_TO = 50;

interface Received {
  message: Message<unknown>;
  event: EventMessage;
}

/** One event's work in this delivery: its results and whether its log row is new. */
interface Work {
  received: Received;
  isNew: boolean;
  hadBindings: boolean;
  pruned: number;
  results: BindingResult[];
}

/**
 * The EVENTS queue consumer — Argo's event "operation", at the edge. For each event seen for
 * the first time: evaluate the namespace's bindings (prefiltered, compiled and cached), record a
 * result per binding, and submit a workflow for each one that matched. For a redelivered event:
 * only re-send the submissions still pending (from the stored request, so the workflow is the
 * same). Everything is written in one D1 batch; an event with a submission still pending is
 * retried with backoff (and dead-lettered after the queue's max_retries), the rest acknowledged.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = parseMessages(batch);
  if (received.length === 0) return;
  const { maxRetryDelaySeconds } = readLimits(env);
  const delay = (message: Message<unknown>) => ({
    delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds),
  });
  let work: Work[];
  try {
    work = await evaluate(env, received);
    await submitPending(env, work);
  } catch (error) {
    // Infrastructure trouble (D1, R2): nothing was recorded, the whole delivery is tried again.
    console.error("event batch failed; retrying it", error);
    for (const { message } of received) message.retry(delay(message));
    return;
  }
  const unrecorded = await record(env.DB, work);
  await announce(
    env.NOTIFICATIONS,
    work.filter((item) => !unrecorded.has(item)),
  );
  for (const item of work) {
    const { message } = item.received;
    if (unrecorded.has(item) || item.results.some((result) => result.status === "pending")) {
      message.retry(delay(message));
    } else {
      message.ack();
    }
  }
}

async function evaluate(env: Env, received: Received[]): Promise<Work[]> {
  const logged = await findLoggedEvents(
    env.DB,
    received.map(({ event }) => event.id),
  );
  const known = received.filter(({ event }) => logged.has(event.id));
  const fresh = received.filter(({ event }) => !logged.has(event.id));
  const existing = await listResults(
    env.DB,
    known.map(({ event }) => event.id),
  );
  const bindings =
    fresh.length > 0
      ? await loadBindings(
          env.DB,
          fresh.map(({ event }) => event.namespace),
        )
      : new Map();
  const work: Work[] = known.map((item) => ({
    received: item,
    isNew: false,
    hadBindings: logged.get(item.event.id) !== "no_bindings",
    pruned: 0,
    results: existing.get(item.event.id) ?? [],
  }));
  for (const item of fresh) {
    work.push(await evaluateEvent(env.EVENT_BODIES, item, bindings.get(item.event.namespace)));
  }
  return work;
}

/** Runs one new event through its namespace's bindings. */
async function evaluateEvent(
  bucket: R2Bucket,
  item: Received,
  namespace: NamespaceBindings | undefined,
): Promise<Work> {
  const { event } = item;
  const all = namespace ? namespace.bindings.length + namespace.broken.length : 0;
  const work: Work = { received: item, isNew: true, hadBindings: all > 0, pruned: 0, results: [] };
  if (!namespace || all === 0) return work;

  const environment: EventEnvironment = {
    payload: await loadPayload(bucket, event),
    metadata: event.metadata,
    discriminator: event.discriminator,
    namespace: event.namespace,
  };
  const input = { id: event.id, environment, senderTemplates: event.sender.templates };
  const base = (binding: { name: string; uid: string }) => ({
    eventId: event.id,
    binding: binding.name,
    bindingUid: binding.uid,
    cluster: null,
    workflow: null,
    request: null,
    attempts: 0,
    reason: null,
    error: null,
  });

  const candidates = namespace.index.candidates(environment);
  const listAll = all <= LIST_EVERY_BINDING_UP_TO;
  if (listAll) {
    const evaluated = new Set<CompiledBinding>(candidates);
    for (const binding of namespace.bindings) {
      if (evaluated.has(binding)) continue;
      const unmet = unmetEquality(binding.equalities, environment);
      work.results.push({
        ...base(binding),
        matched: false,
        status: "skipped",
        reason: unmet
          ? `selector requires ${unmet.path.join(".")} = ${unmet.literal}`
          : "selector cannot match this event",
      });
    }
  } else {
    work.pruned = namespace.bindings.length - candidates.length;
  }
  for (const { binding, error } of namespace.broken) {
    work.results.push({
      ...base({ name: binding.metadata.name, uid: binding.metadata.uid }),
      matched: false,
      status: "failed",
      error: `binding does not compile: ${error}`,
    });
  }
  for (const binding of candidates) {
    const evaluation = await evaluateBinding(binding, input);
    const result: BindingResult = {
      ...base(binding),
      matched: evaluation.matched,
      cluster: binding.cluster,
      status: "skipped",
    };
    if (evaluation.errors.length > 0) {
      result.status = "failed";
      result.error = evaluation.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    } else if (!evaluation.matched) {
      if (!listAll) continue;
      result.reason = "selector evaluated to false";
    } else if (evaluation.refusal) {
      result.status = "failed";
      result.error = evaluation.refusal;
    } else if (evaluation.submission) {
      result.status = "pending";
      result.workflow = evaluation.submission.workflowName;
      result.request = evaluation.submission;
    }
    work.results.push(result);
  }
  return work;
}

async function loadPayload(bucket: R2Bucket, event: EventMessage): Promise<unknown> {
  if ("inline" in event.body) return JSON.parse(event.body.inline);
  const object = await bucket.get(event.body.r2Key);
  if (!object) throw new Error(`event body ${event.body.r2Key} is missing from R2`);
  return JSON.parse(await object.text());
}

/** Sends every pending submission of this delivery, concurrently. */
async function submitPending(env: Env, work: Work[]): Promise<void> {
  const pending = work.flatMap((item) => item.results.filter((result) => result.status === "pending"));
  if (pending.length === 0) return;
  const clusters = await loadClusters(env.DB, env.HOOKLINE_SECRET_KEY, env as unknown as Record<string, unknown>);
  await Promise.all(pending.map((result) => submitOne(result, clusters)));
}

async function submitOne(result: BindingResult, clusters: Map<string, ClusterLookup>): Promise<void> {
  const request = result.request;
  if (!request) {
    result.status = "failed";
    result.error = "no submission was recorded for this result";
    return;
  }
  const cluster = clusters.get(request.cluster);
  if (!cluster || "error" in cluster) {
    result.status = "failed";
    result.error = cluster
      ? cluster.error
      : `cluster "${request.cluster}" is not configured (PUT /api/v1/clusters/${request.cluster})`;
    return;
  }
  result.attempts += 1;
  const outcome = await submitWorkflow(cluster, request);
  if (outcome.kind === "submitted") {
    result.status = "submitted";
    result.error = null;
    result.submittedNow = true;
  } else if (outcome.kind === "rejected") {
    result.status = "failed";
    result.error = outcome.error;
  } else {
    result.error = outcome.error;
  }
}

/**
 * Tells the notifications pipeline what happened, as hookline events: each workflow submitted
 * in this delivery, and each event that ended failed or partially failed. Best effort — a queue
 * hiccup here costs a notification, never the event.
 */
async function announce(queue: Queue, work: Work[]): Promise<void> {
  const messages: InternalEvent[] = [];
  for (const { received, results, hadBindings } of work) {
    const { event } = received;
    for (const result of results) {
      if (result.status !== "submitted" || !result.request || result.submittedNow !== true) continue;
      messages.push(
        internalEvent(`${event.id}:${result.binding}:submitted`, "workflow.submitted", event.namespace, {
          eventId: event.id,
          discriminator: event.discriminator,
          binding: result.binding,
          workflow: result.workflow,
          template: result.request.template.name,
          cluster: result.request.cluster,
        }),
      );
    }
    const outcome = summarizeOutcome(results, hadBindings);
    if (outcome === "failed" || outcome === "partially_failed") messages.push(failedEvent(event, outcome, results));
  }
  try {
    for (let start = 0; start < messages.length; start += 100) {
      await queue.sendBatch(messages.slice(start, start + 100).map((body) => ({ body, contentType: "json" as const })));
    }
  } catch (error) {
    console.error("announcing event outcomes to notifications failed", error);
  }
}

/** The `event.failed` hookline event for an event that ended failed or partially failed. */
export function failedEvent(
  event: EventMessage,
  outcome: EventOutcome,
  results: readonly BindingResult[],
): InternalEvent {
  return internalEvent(`${event.id}:failed`, "event.failed", event.namespace, {
    eventId: event.id,
    discriminator: event.discriminator,
    outcome,
    failures: results
      .filter((result) => result.status === "failed")
      .map((result) => ({ binding: result.binding, error: result.error })),
  });
}

/**
 * Writes new events, new results, moved-on results and outcomes in one transaction. If that
 * fails, each event is written on its own, so one event D1 refuses cannot hold back the others.
 * Returns the work items that could not be written.
 */
async function record(db: D1Database, work: Work[]): Promise<Set<Work>> {
  const now = Date.now();
  const statementsFor = (item: Work): D1PreparedStatement[] => {
    const outcome = summarizeOutcome(item.results, item.hadBindings);
    if (item.isNew) {
      return [
        insertEventStatement(db, toRecord(item.received.event, outcome, null, item.pruned)),
        ...item.results.map((result) => insertResultStatement(db, result, now)),
      ];
    }
    return [
      ...item.results.map((result) => updatePendingResultStatement(db, result, now)),
      updateOutcomeStatement(db, item.received.event.id, outcome),
    ];
  };
  const unrecorded = new Set<Work>();
  try {
    await db.batch(work.flatMap(statementsFor));
    return unrecorded;
  } catch (error) {
    console.error("batched event write failed; writing event by event", error);
  }
  for (const item of work) {
    try {
      await db.batch(statementsFor(item));
    } catch (error) {
      console.error("event write failed; will retry", item.received.event.id, error);
      unrecorded.add(item);
    }
  }
  return unrecorded;
}

/**
 * The EVENTS dead-letter consumer: the event's submissions were retried as often as the queue
 * allows. Its pending results fail with their last error, and an event that never reached the
 * log is recorded as failed, so every accepted event ends with a terminal outcome.
 */
export async function consumeDeadEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = parseMessages(batch);
  if (received.length === 0) return;
  try {
    const logged = await findLoggedEvents(
      env.DB,
      received.map(({ event }) => event.id),
    );
    const results = await listResults(env.DB, [...logged.keys()]);
    const now = Date.now();
    const statements: D1PreparedStatement[] = [];
    const announcements: InternalEvent[] = [];
    for (const { message, event } of received) {
      const gaveUp = `gave up after ${message.attempts} delivery attempt(s)`;
      if (!logged.has(event.id)) {
        statements.push(
          insertEventStatement(
            env.DB,
            toRecord(event, "failed", `processing ${gaveUp}; the event was dead-lettered`, 0),
          ),
        );
        continue;
      }
      const eventResults = results.get(event.id) ?? [];
      for (const result of eventResults) {
        if (result.status !== "pending") continue;
        result.status = "failed";
        result.error = `${gaveUp}: ${result.error ?? "submission kept failing"}`;
        statements.push(updatePendingResultStatement(env.DB, result, now));
      }
      const outcome = summarizeOutcome(eventResults, logged.get(event.id) !== "no_bindings");
      statements.push(updateOutcomeStatement(env.DB, event.id, outcome));
      if (outcome === "failed" || outcome === "partially_failed")
        announcements.push(failedEvent(event, outcome, eventResults));
    }
    await env.DB.batch(statements);
    try {
      if (announcements.length > 0)
        await env.NOTIFICATIONS.sendBatch(announcements.map((body) => ({ body, contentType: "json" as const })));
    } catch (error) {
      console.error("announcing dead-lettered events failed", error);
    }
    for (const { message } of received) message.ack();
  } catch (error) {
    console.error("dead-lettered event batch failed; retrying it", error);
    const { maxRetryDelaySeconds } = readLimits(env);
    for (const { message } of received)
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, maxRetryDelaySeconds) });
  }
}

function parseMessages(batch: MessageBatch<unknown>): Received[] {
  const received: Received[] = [];
  for (const message of batch.messages) {
    const parsed = eventMessageSchema.safeParse(message.body);
    if (parsed.success) {
      received.push({ message, event: parsed.data });
    } else {
      // A message no version of this consumer can read would fail every retry; drop it loudly.
      console.error("dropping malformed event message", message.id, parsed.error.message);
      message.ack();
    }
  }
  return received;
}

/** The event-log row for a queued event. */
export function toRecord(
  event: EventMessage,
  outcome: EventOutcome,
  error: string | null,
  bindingsPruned: number,
): EventRecord {
  return {
    id: event.id,
    namespace: event.namespace,
    discriminator: event.discriminator,
    receivedAt: event.receivedAt,
    outcome,
    sender: event.sender.key,
    metadata: event.metadata,
    payload: "inline" in event.body ? event.body.inline : null,
    bodyKey: "r2Key" in event.body ? event.body.r2Key : null,
    bodyBytes: event.bodyBytes,
    replayOf: event.replayOf ?? null,
    error,
    bindingsPruned,
  };
}
