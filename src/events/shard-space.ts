import { readLimits } from "../lib/config";
import { eventIdFloor, eventIdTime } from "../lib/ids";
import { log } from "../lib/log";
import { internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { deleteLoggedBeforeStatement, loggedNamespaces, oldestLoggedId } from "./store";

/**
 * A shard never refuses an event for space. D1 stops writing at 10 GB; when a shard's database
 * nears EVENT_LOG_SHARD_LIMIT_BYTES (D1's own `meta.size_after`, read from the batch that just
 * wrote), the oldest detail goes first — event-log rows, oldest first across namespaces, the
 * oldest twentieth of the time they span per round — until it is back under the low mark.
 * Counts, body packs and events whose submission is still being retried stay. It is announced as
 * `event-log.near-full` (`on-event-log-near-full`) once a day per shard.
 */

/** At this share of the limit the oldest detail starts to go… */
export const NEAR_FULL_SHARE = 0.95;
/** …until the database is back under this share. */
const LOW_MARK_SHARE = 0.9;
/** How much of the oldest detail goes per round: this share of the time from the oldest row to now. */
const ROUND_SHARE = 0.05;
/** Rows deleted per round, and rounds per call: a batch never does unbounded work. */
const ROWS_PER_ROUND = 2_000;
const MAX_ROUNDS = 8;

/** Announced in this isolate (shard and day), so a full shard costs one announcement a day, not one per batch. */
const announced = new Set<string>();

export interface SpaceCheck {
  sizeBytes: number;
  limitBytes: number;
  droppedEvents: number;
  /** Detail received before this time is gone (null when nothing was dropped). */
  droppedBefore: number | null;
}

/**
 * Checks a shard's size after a write (`sizeAfter`, D1's meta) and, nearing the limit, drops the
 * oldest detail and announces it. Returns what it did, or null when there was room.
 */
export async function keepShardUnderLimit(
  env: Env,
  db: D1Database,
  shard: string,
  sizeAfter: number | undefined,
  now = Date.now(),
): Promise<SpaceCheck | null> {
  const limitBytes = readLimits(env).eventLogShardLimitBytes;
  if (sizeAfter === undefined || sizeAfter < limitBytes * NEAR_FULL_SHARE) return null;
  const check: SpaceCheck = { sizeBytes: sizeAfter, limitBytes, droppedEvents: 0, droppedBefore: null };
  const namespaces = await loggedNamespaces(db);
  for (let round = 0; round < MAX_ROUNDS && check.sizeBytes >= limitBytes * LOW_MARK_SHARE; round++) {
    const oldest = await oldestLoggedId(db, namespaces);
    if (oldest === null) break;
    const from = eventIdTime(oldest);
    const before = from + Math.max(1, Math.ceil((now - from) * ROUND_SHARE));
    const answer = await deleteLoggedBeforeStatement(db, namespaces, eventIdFloor(before), ROWS_PER_ROUND, true).all<{
      id: string;
    }>();
    const dropped = answer.results.length;
    check.sizeBytes = answer.meta.size_after ?? check.sizeBytes;
    if (dropped === 0) break;
    check.droppedEvents += dropped;
    check.droppedBefore = Math.max(check.droppedBefore ?? 0, before);
  }
  log.warn("event log shard near its size limit: dropped the oldest detail", { shard, ...check });
  await announceNearFull(env, shard, check, now);
  return check;
}

async function announceNearFull(env: Env, shard: string, check: SpaceCheck, now: number): Promise<void> {
  const day = new Date(now).toISOString().slice(0, 10);
  const id = `event-log.near-full:${shard}:${day}`;
  if (announced.has(id)) return;
  try {
    await publishInternalEvents(env, [
      internalEvent(id, "event-log.near-full", "", {
        shard,
        sizeBytes: check.sizeBytes,
        limitBytes: check.limitBytes,
        droppedEvents: check.droppedEvents,
        droppedBefore: check.droppedBefore === null ? null : new Date(check.droppedBefore).toISOString(),
      }),
    ]);
    announced.add(id);
  } catch (error) {
    log.error("announcing a near-full event log failed", { shard }, error);
  }
}
