/**
 * Where an event's body is: inline (in the queue message, then in the log row) or spilled to R2
 * because it was too large. The one place that reads it back.
 */
export type BodyLocation = { inline: string } | { r2Key: string };

/** The body of a logged event, or null when it has none stored. */
export function bodyOfRecord(record: { payload: string | null; bodyKey: string | null }): BodyLocation | null {
  if (record.payload !== null) return { inline: record.payload };
  if (record.bodyKey !== null) return { r2Key: record.bodyKey };
  return null;
}

/** The body's JSON text, or null when it is gone (a spilled body already deleted). */
export async function loadPayloadText(bucket: R2Bucket, body: BodyLocation | null): Promise<string | null> {
  if (body === null) return null;
  if ("inline" in body) return body.inline;
  const object = await bucket.get(body.r2Key);
  return object ? object.text() : null;
}

/** The parsed payload; throws when a spilled body is missing (the consumer retries). */
export async function loadPayload(bucket: R2Bucket, body: BodyLocation): Promise<unknown> {
  const text = await loadPayloadText(bucket, body);
  if (text === null) throw new Error(`event body ${"r2Key" in body ? body.r2Key : "(inline)"} is missing`);
  return JSON.parse(text);
}
