import { type Principal, principalKey } from "../auth/principal";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import type { EventMessage } from "./message";

export interface EventDraft {
  id: string;
  namespace: string;
  discriminator: string;
  receivedAt: number;
  sender: EventMessage["sender"];
  metadata: Record<string, string[]>;
  payloadText: string;
  payloadBytes: number;
  replayOf?: string;
  traceId: string;
  /** The sender waits for the receipt (`?wait`). */
  receipt?: boolean;
}

/** How a queued event names its sender (for the log and the template restriction). */
export function senderOf(principal: Principal): EventMessage["sender"] {
  return { key: principalKey(principal), templates: principal.templates ? [...principal.templates] : null };
}

/** Where a spilled event body lives in EVENT_BODIES. */
export function eventBodyKey(namespace: string, id: string): string {
  return `events/${namespace}/${id}.json`;
}

const RETRY_AFTER_SECONDS = 5;
const unavailable = (what: string) =>
  new AppError("resource_exhausted", `${what} is unavailable; retry later`, {
    status: 503,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

/**
 * Puts an accepted event on the EVENTS queue. A body that (with its metadata) exceeds the
 * inline limit is stored in R2 first and the message carries its key. If the queue refuses
 * the message, the spilled body is removed again, so a refused event leaves nothing behind.
 */
export async function enqueueEvent(
  queue: Queue,
  bucket: R2Bucket,
  draft: EventDraft,
  inlineLimitBytes: number,
  /** Deliver it this many seconds from now (a paced bulk replay). */
  delaySeconds = 0,
): Promise<void> {
  const metadataBytes = JSON.stringify(draft.metadata).length;
  let r2Key: string | undefined;
  if (draft.payloadBytes + metadataBytes > inlineLimitBytes) {
    r2Key = eventBodyKey(draft.namespace, draft.id);
    try {
      await bucket.put(r2Key, draft.payloadText, {
        httpMetadata: { contentType: "application/json" },
        customMetadata: { namespace: draft.namespace, eventId: draft.id },
      });
    } catch (error) {
      log.error("event body store failed", { eventId: draft.id }, error);
      throw unavailable("event body storage");
    }
  }
  const message: EventMessage = {
    v: 1,
    id: draft.id,
    namespace: draft.namespace,
    discriminator: draft.discriminator,
    receivedAt: draft.receivedAt,
    sender: draft.sender,
    metadata: draft.metadata,
    body: r2Key === undefined ? { inline: draft.payloadText } : { r2Key },
    bodyBytes: draft.payloadBytes,
    ...(draft.replayOf === undefined ? {} : { replayOf: draft.replayOf }),
    traceId: draft.traceId,
    ...(draft.receipt === true ? { receipt: true as const } : {}),
  };
  try {
    await queue.send(message, { contentType: "json", ...(delaySeconds > 0 ? { delaySeconds } : {}) });
  } catch (error) {
    log.error("event queue send failed", { eventId: draft.id }, error);
    if (r2Key !== undefined) await bucket.delete(r2Key).catch(() => undefined);
    throw unavailable("event queue");
  }
}
