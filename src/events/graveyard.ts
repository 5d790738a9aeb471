import { ownValue } from "../lib/collections";
import { log } from "../lib/log";
import { isDns1123Label } from "../lib/names";

/**
 * The graveyard: queue messages that could not be processed or recorded are kept in R2 (under
 * `dead-letters/`), never dropped — with why, and how many attempts they had — so an operator can
 * see them (`GET /api/v1/deadletters`, the console, `hookline events dead`) and act. They age out
 * with the event retention.
 */
export const GRAVEYARD_PREFIX = "dead-letters/";

export interface Tombstone {
  key: string;
  queue: string;
  namespace: string | null;
  messageId: string;
  attempts: number;
  reason: string;
  buriedAt: string;
  body: unknown;
}

/** Where a message is kept: under its namespace when its body names one (`_unknown` otherwise). */
function keyOf(queue: string, namespace: string | null, messageId: string): string {
  return `${GRAVEYARD_PREFIX}${namespace ?? "_unknown"}/${queue}/${messageId}.json`;
}

function namespaceOf(body: unknown): string | null {
  const value = ownValue(body, "namespace");
  return typeof value === "string" && isDns1123Label(value) ? value : null;
}

/**
 * Keeps a message in the graveyard and acknowledges it. When even that fails, the message is
 * retried in a minute instead: a message is never dropped.
 */
export async function buryMessage(
  bucket: R2Bucket,
  queue: string,
  message: Message<unknown>,
  reason: string,
): Promise<void> {
  const namespace = namespaceOf(message.body);
  const tombstone: Omit<Tombstone, "key"> = {
    queue,
    namespace,
    messageId: message.id,
    attempts: message.attempts,
    reason: reason.slice(0, 2000),
    buriedAt: new Date().toISOString(),
    body: message.body,
  };
  log.warn("message kept in the graveyard", { queue, message: message.id, reason: tombstone.reason });
  try {
    await bucket.put(keyOf(queue, namespace, message.id), JSON.stringify(tombstone), {
      httpMetadata: { contentType: "application/json" },
      customMetadata: { reason: tombstone.reason.slice(0, 500), queue },
    });
  } catch (error) {
    log.error("burying a dead letter failed; retrying the message", { message: message.id }, error);
    message.retry({ delaySeconds: 60 });
    return;
  }
  message.ack();
}

/** A page of dead letters, of one namespace or (admin) all; R2 lists them by key. */
export async function listTombstones(
  bucket: R2Bucket,
  options: { namespace?: string; limit: number; cursor?: string | undefined },
): Promise<{ items: Tombstone[]; nextCursor: string | null }> {
  const listed = await bucket.list({
    prefix: options.namespace === undefined ? GRAVEYARD_PREFIX : `${GRAVEYARD_PREFIX}${options.namespace}/`,
    limit: options.limit,
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  const items = await Promise.all(
    listed.objects.map(async ({ key }) => {
      const object = await bucket.get(key);
      return object ? [{ key, ...(JSON.parse(await object.text()) as Omit<Tombstone, "key">) }] : [];
    }),
  );
  return { items: items.flat(), nextCursor: listed.truncated ? listed.cursor : null };
}
