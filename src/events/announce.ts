import { log } from "../lib/log";
import { type InternalEvent, internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import type { EventMessage } from "./message";
import { outcomeOf, type Work } from "./record";
import type { BindingResult, EventOutcome } from "./results";

/**
 * What the events consumer tells after recording a batch: one log line per event kept in detail
 * (and per submit), one for the events only counted; and the hookline events a subscription may
 * take (`workflow.submitted`, `event.failed`) to the NOTIFICATIONS queue.
 */

/**
 * One log line per event kept in detail and per submit tried in this delivery; the events only
 * counted (no binding matched them, the sampler kept others) share one line — a log line is
 * billed too (Workers Logs), and nobody reads one per unmatched event.
 */
export function logOutcomes(work: readonly Work[], detailed: ReadonlySet<Work>, now: number): void {
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

/**
 * Tells the notifications pipeline what happened, as hookline events: each workflow submitted
 * in this delivery, and each event that ended failed or partially failed (sent only when a
 * subscription takes them, notifications/publish.ts). Best effort — a D1 or queue hiccup here
 * costs a notification, never the event.
 */
export async function announce(env: Env, work: Work[]): Promise<void> {
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
