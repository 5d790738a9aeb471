import { z } from "zod";

/** hookline's own events, sent to the NOTIFICATIONS queue for triggers and subscriptions. */
export const INTERNAL_EVENT_TYPES = [
  "workflow.submitted",
  "event.failed",
  "approval.requested",
  "approval.decided",
  "approval.timed_out",
  "approval.overridden",
  "cluster.down",
  "cluster.recovered",
  "event-log.near-full",
] as const;
export type InternalEventType = (typeof INTERNAL_EVENT_TYPES)[number];

export const internalEventSchema = z.object({
  v: z.literal(1),
  kind: z.literal("internal-event"),
  /** Unique per occurrence; notifications are sent once per id. */
  id: z.string().min(1),
  type: z.enum(INTERNAL_EVENT_TYPES),
  namespace: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
  /** The trace of the event, workflow or gate it is about (src/lib/trace.ts). */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});

export type InternalEvent = z.infer<typeof internalEventSchema>;

/** Builds an internal event message. */
export function internalEvent(
  id: string,
  type: InternalEventType,
  namespace: string,
  data: Record<string, unknown>,
  traceId?: string | null,
): InternalEvent {
  return {
    v: 1,
    kind: "internal-event",
    id,
    type,
    namespace,
    at: new Date().toISOString(),
    data,
    ...(traceId ? { traceId } : {}),
  };
}
