import { z } from "zod";
import { EVENT_OUTCOMES } from "./results";

/**
 * The event log as the API answers it (the schemas of its routes' answers; log.ts builds them).
 */

const resultSchema = z.looseObject({
  binding: z.string(),
  matched: z.boolean(),
  status: z.string(),
  workflow: z.string().optional(),
  cluster: z.string().optional(),
  reason: z.string().optional(),
  error: z.string().optional(),
  attempts: z.number().int(),
});

/** An event as lists show it, with what each binding did. */
export const eventSummarySchema = z.looseObject({
  id: z.string(),
  namespace: z.string(),
  discriminator: z.string(),
  receivedAt: z.string(),
  outcome: z.enum(EVENT_OUTCOMES),
  traceId: z.string().optional(),
  results: z.array(resultSchema),
});

/**
 * A page of a namespace's event log, newest first; `sampledAway`: how many more events the
 * minutes it spans received that keep no row (no binding matched them; they are counted, their
 * bodies kept for replay by id). Left out with a `traceId` filter.
 */
export const eventPageSchema = z.object({
  items: z.array(eventSummarySchema),
  nextCursor: z.string().nullable(),
  sampledAway: z.number().int().optional(),
});

/**
 * One event with everything the log keeps: payload, metadata, results. `detail: "sampled"` for
 * an event without a row (found through its body pack; no per-binding results).
 */
export const eventDetailSchema = eventSummarySchema.extend({
  detail: z.enum(["full", "sampled"]),
  bindingsPruned: z.number().int(),
  payload: z.unknown(),
  metadata: z.record(z.string(), z.array(z.string())),
  bodyBytes: z.number().int(),
  sender: z.string().nullable(),
  replayOf: z.string().nullable(),
  error: z.string().nullable(),
});

/** A page of dead letters: messages kept because they could not be processed. */
export const deadLetterPageSchema = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      queue: z.string(),
      namespace: z.string().nullable(),
      messageId: z.string(),
      attempts: z.number().int(),
      reason: z.string(),
      buriedAt: z.string(),
      body: z.unknown(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
