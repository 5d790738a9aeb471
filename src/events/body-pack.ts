import { eventIdFloor, eventIdTime } from "../lib/ids";
import type { BodyLocation } from "./payload";
import type { EventOutcome } from "./results";

/**
 * Body packs: the bodies of one consumer batch in one R2 object — one write per batch, not per
 * event — expired by the bucket's lifecycle rule (never deleted one by one). An object holds a
 * manifest (JSON, one entry per event: what the log needs to show or replay it) followed by the
 * bodies; a body is addressed by key, offset and length. Event-log rows point into packs; an
 * event without a row (sampled away) is found through `event_packs`, one row per pack.
 */

/** The prefix pack objects are stored under in EVENT_BODIES. */
export const PACK_PREFIX = "packs/";

/** How far before an event's own time its pack may start (a batch that also carried a late event). */
const PACK_LOOKBACK_MS = 6 * 3_600_000;
/** Packs read at most when looking an event up by id. */
const PACK_CANDIDATES = 16;

/** What a pack records of one event. */
export interface PackedEvent {
  id: string;
  namespace: string;
  discriminator: string;
  receivedAt: number;
  sender: string;
  metadata: Record<string, string[]>;
  traceId: string | null;
  replayOf: string | null;
  outcome: EventOutcome;
  bindingsPruned: number;
  bodyBytes: number;
}

/** A body's place: an object, and (for a pack) the byte range in it. */
export interface BodyAt {
  key: string;
  offset: number | null;
  length: number | null;
}

/** One event as the consumer hands it to a pack: its record and its body. */
export interface PackInput extends PackedEvent {
  body: BodyLocation;
}

/** A manifest entry: the event, and where its body is (offsets relative to the end of the manifest). */
interface ManifestEntry extends PackedEvent {
  /** A spilled body's own object; absent when the body is in this pack. */
  key?: string;
  offset?: number;
  length?: number;
}

export interface Pack {
  key: string;
  bytes: Uint8Array;
  manifestBytes: number;
  firstId: string;
  lastId: string;
  /** Where each event's body is. */
  bodies: Map<string, BodyAt>;
}

const encoder = new TextEncoder();

/** The manifest entry of an event, its body in the pack at `offset` or (spilled) in `key`. */
function entryOf(event: PackInput, place: { key: string } | { offset: number; length: number }): ManifestEntry {
  return {
    id: event.id,
    namespace: event.namespace,
    discriminator: event.discriminator,
    receivedAt: event.receivedAt,
    sender: event.sender,
    metadata: event.metadata,
    traceId: event.traceId,
    replayOf: event.replayOf,
    outcome: event.outcome,
    bindingsPruned: event.bindingsPruned,
    bodyBytes: event.bodyBytes,
    ...place,
  };
}

/** Lays out a pack for these events: the manifest, then every inline body. */
export function buildPack(events: readonly PackInput[], key: string): Pack {
  const entries: ManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let region = 0;
  for (const event of events) {
    const { body } = event;
    if (!("inline" in body)) {
      entries.push(entryOf(event, { key: body.r2Key }));
      continue;
    }
    const bytes = encoder.encode(body.inline);
    entries.push(entryOf(event, { offset: region, length: bytes.byteLength }));
    chunks.push(bytes);
    region += bytes.byteLength;
  }
  const manifest = encoder.encode(`${JSON.stringify({ v: 1, events: entries })}\n`);
  const bytes = new Uint8Array(manifest.byteLength + region);
  bytes.set(manifest, 0);
  let at = manifest.byteLength;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let firstId = events[0]?.id ?? "";
  let lastId = firstId;
  for (const event of events) {
    if (event.id < firstId) firstId = event.id;
    if (event.id > lastId) lastId = event.id;
  }
  return {
    key,
    bytes,
    manifestBytes: manifest.byteLength,
    firstId,
    lastId,
    bodies: new Map(entries.map((entry) => [entry.id, bodyAt(key, manifest.byteLength, entry)])),
  };
}

function bodyAt(packKey: string, manifestBytes: number, entry: ManifestEntry): BodyAt {
  if (entry.key !== undefined) return { key: entry.key, offset: null, length: null };
  return { key: packKey, offset: manifestBytes + (entry.offset ?? 0), length: entry.length ?? 0 };
}

/** A new pack's object key: under its first event's id, so keys sort by time. */
export function packKeyFor(firstId: string): string {
  const random = crypto.getRandomValues(new Uint8Array(6));
  return `${PACK_PREFIX}${firstId}-${[...random].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** Stores a pack (one R2 write). */
export async function putPack(bucket: R2Bucket, pack: Pack): Promise<void> {
  await bucket.put(pack.key, pack.bytes, {
    httpMetadata: { contentType: "application/octet-stream" },
    customMetadata: { manifestBytes: String(pack.manifestBytes) },
  });
}

/** A statement recording a pack, so its events can be found by id. */
export function packRowStatement(db: D1Database, pack: Pack): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO event_packs (first_id, key, last_id, manifest_bytes) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )
    .bind(pack.firstId, pack.key, pack.lastId, pack.manifestBytes);
}

/** A statement forgetting packs whose every event was received before `cutoffId` (retention). */
export function deletePacksBeforeStatement(db: D1Database, cutoffId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM event_packs WHERE first_id < ?1 AND last_id < ?1").bind(cutoffId);
}

/**
 * An event of `namespace` found in the packs by its id, with where its body is; null when no
 * pack (still) has it. Reads the manifests of the packs whose id range covers the id.
 */
export async function findPacked(
  db: D1Database,
  bucket: R2Bucket,
  namespace: string,
  id: string,
): Promise<{ event: PackedEvent; body: BodyAt } | null> {
  const { results } = await db
    .prepare(
      `SELECT key, manifest_bytes FROM event_packs
       WHERE first_id <= ?1 AND first_id >= ?2 AND last_id >= ?1 ORDER BY first_id DESC LIMIT ?3`,
    )
    .bind(id, eventIdFloor(eventIdTime(id) - PACK_LOOKBACK_MS), PACK_CANDIDATES)
    .all<{ key: string; manifest_bytes: number }>();
  for (const pack of results) {
    const object = await bucket.get(pack.key, { range: { offset: 0, length: pack.manifest_bytes } });
    if (!object) continue;
    const manifest = JSON.parse(await object.text()) as { events: ManifestEntry[] };
    // A pack holds several namespaces' events: only this namespace's count.
    const entry = manifest.events.find((candidate) => candidate.id === id && candidate.namespace === namespace);
    if (!entry) continue;
    const { key: _key, offset: _offset, length: _length, ...event } = entry;
    return { event, body: bodyAt(pack.key, pack.manifest_bytes, entry) };
  }
  return null;
}

/** A body's place as a BodyLocation (the reader's shape). */
export function locationOf(body: BodyAt): BodyLocation {
  return body.offset === null || body.length === null
    ? { r2Key: body.key }
    : { r2Key: body.key, offset: body.offset, length: body.length };
}
