import { z } from "zod";

/**
 * The EVENTS queue message. Parsed with this schema by the consumer, because a message can
 * have been produced by an older deploy. Version 1.
 */
export const eventMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  namespace: z.string().min(1),
  discriminator: z.string(),
  receivedAt: z.number().int().nonnegative(),
  sender: z.object({
    /** `admin`, `token:<name>` or `client:<ns>/<name>`. */
    key: z.string().min(1),
    /** Templates the sender may submit; null means any. */
    templates: z.array(z.string()).nullable(),
  }),
  metadata: z.record(z.string(), z.array(z.string())),
  /** The JSON payload text inline, or the R2 key of a body too large for a message. */
  body: z.union([z.object({ inline: z.string() }), z.object({ r2Key: z.string().min(1) })]),
  bodyBytes: z.number().int().nonnegative(),
  replayOf: z.string().optional(),
  /** A copy the consumer rescheduled: the event has a row already. */
  logged: z.literal(true).optional(),
  /** The sender waits for the receipt (`?wait`): the event keeps its row, whatever the sampler says. */
  receipt: z.literal(true).optional(),
  /** The W3C trace id (the sender's traceparent, else a new one); older messages have none. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  /** Sent back by a debounce window (bindings/window.ts) when it fires: this event submits. */
  fire: z
    .object({ window: z.string().min(1).max(512), last: z.string().min(1), count: z.number().int().nonnegative() })
    .optional(),
});

export type EventMessage = z.infer<typeof eventMessageSchema>;
