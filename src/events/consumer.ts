import { retryDelaySeconds } from "../lib/retry";
import { type EventMessage, eventMessageSchema } from "./message";
import { type EventOutcome, type EventRecord, insertEventStatement } from "./store";

interface Received {
  message: Message<unknown>;
  event: EventMessage;
}

/**
 * The EVENTS queue consumer: records each event in the D1 event log in one batched write.
 * Writes are idempotent on the event id, so a redelivered message adds no second row. If the
 * batch write fails, each message is written and acknowledged on its own, and only the ones
 * that still fail are retried with backoff (then dead-lettered).
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = parseMessages(batch);
  await recordEvents(env.DB, received, "no_bindings", null);
}

/**
 * The EVENTS dead-letter consumer: an event whose processing gave up is still recorded, with
 * outcome `failed` and the reason, so it shows in the log and can be replayed.
 */
export async function consumeDeadEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const received = parseMessages(batch);
  await recordEvents(
    env.DB,
    received,
    "failed",
    (message) => `processing gave up after ${message.attempts} delivery attempt(s) and the event was dead-lettered`,
  );
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

async function recordEvents(
  db: D1Database,
  received: Received[],
  outcome: EventOutcome,
  errorFor: ((message: Message<unknown>) => string) | null,
): Promise<void> {
  if (received.length === 0) return;
  const statement = ({ message, event }: Received) =>
    insertEventStatement(db, toRecord(event, outcome, errorFor ? errorFor(message) : null));
  try {
    await db.batch(received.map(statement));
    for (const { message } of received) message.ack();
    return;
  } catch (error) {
    console.error("batched event write failed; writing one by one", error);
  }
  for (const item of received) {
    try {
      await statement(item).run();
      item.message.ack();
    } catch (error) {
      console.error("event write failed; will retry", item.event.id, error);
      item.message.retry({ delaySeconds: retryDelaySeconds(item.message.attempts) });
    }
  }
}

/** The event-log row for a queued event. */
export function toRecord(event: EventMessage, outcome: EventOutcome, error: string | null): EventRecord {
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
  };
}
