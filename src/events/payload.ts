/**
 * Where an event's body is: inline (in the queue message, or in a log row written before body
 * packs), or in R2 — a whole object (a body too large for a message, spilled at ingest) or a
 * byte range of one (its batch's body pack, src/events/body-pack.ts). The one place that reads
 * it back.
 */
export type BodyLocation = { inline: string } | { r2Key: string; offset?: number; length?: number };

/** The body of a logged event, or null when it has none stored. */
export function bodyOfRecord(record: {
  payload: string | null;
  bodyKey: string | null;
  bodyOffset?: number | null;
  bodyLength?: number | null;
}): BodyLocation | null {
  if (record.payload !== null) return { inline: record.payload };
  if (record.bodyKey === null) return null;
  const offset = record.bodyOffset ?? null;
  const length = record.bodyLength ?? null;
  return offset === null || length === null ? { r2Key: record.bodyKey } : { r2Key: record.bodyKey, offset, length };
}

/** The body's JSON text, or null when it is gone (its object expired or was deleted). */
export async function loadPayloadText(bucket: R2Bucket, body: BodyLocation | null): Promise<string | null> {
  if (body === null) return null;
  if ("inline" in body) return body.inline;
  if (body.length === 0) return "";
  const object =
    body.offset === undefined || body.length === undefined
      ? await bucket.get(body.r2Key)
      : await bucket.get(body.r2Key, { range: { offset: body.offset, length: body.length } });
  return object ? object.text() : null;
}

/** The parsed payload; throws when a spilled body is missing (the consumer retries). */
export async function loadPayload(bucket: R2Bucket, body: BodyLocation): Promise<unknown> {
  const text = await loadPayloadText(bucket, body);
  if (text === null) throw new Error(`event body ${"r2Key" in body ? body.r2Key : "(inline)"} is missing`);
  return JSON.parse(text);
}
