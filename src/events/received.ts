import { describeIssues } from "../lib/validation";
import { buryMessage } from "./graveyard";
import { type EventMessage, eventMessageSchema } from "./message";

/** A message of the EVENTS queue (or its dead-letter queue) and the event it carries. */
export interface Received {
  message: Message<unknown>;
  event: EventMessage;
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
