import { readLimits } from "../lib/config";
import { GRAVEYARD_PREFIX } from "./graveyard";
import { eventLogs } from "./shards";
import { deleteEvents, findExpiredEvents } from "./store";

const CHUNK = 500;
/** Bounds one run's work; the next scheduled run continues where this one stopped. */
const MAX_CHUNKS_PER_RUN = 100;

/**
 * Deletes events received more than EVENT_RETENTION_DAYS before `now` from every event-log
 * shard, with their spilled bodies in R2 and old notification records (bodies first, so a
 * failure never leaves a row pointing at nothing it cannot clean up later). Returns how many
 * events were deleted.
 */
export async function deleteExpiredEvents(env: Env, now = Date.now()): Promise<number> {
  const cutoff = now - readLimits(env).retentionMs;
  const bucket = env.EVENT_BODIES;
  let deleted = 0;
  for (const { resource } of eventLogs(env)) deleted += await deleteExpiredLog(resource, bucket, cutoff);
  // R2 objects no event row points at any more — bodies of events that never reached the log, or
  // were dropped, and dead letters — age out with the events too.
  for (const prefix of ["events/", GRAVEYARD_PREFIX]) await deleteExpiredObjects(bucket, prefix, cutoff);
  // Notification records age out with the events: the delivery log, and the bookkeeping of
  // hookline's own (one-off) events. Argo CD resources keep theirs, or they would notify again.
  const db = env.DB;
  await db.batch([
    db
      .prepare("DELETE FROM notification_deliveries WHERE created_at < ?1 AND status IN ('delivered', 'failed')")
      .bind(cutoff),
    db
      .prepare(
        "DELETE FROM notification_state WHERE updated_at < ?1 AND resource LIKE 'hookline.dev/v1/HooklineEvent/%'",
      )
      .bind(cutoff),
    // A Slack group older than the log starts a new thread.
    db.prepare("DELETE FROM slack_threads WHERE created_at < ?1").bind(cutoff),
  ]);
  return deleted;
}

/** Deletes one event-log shard's events received before `cutoff` (bounded per run). */
async function deleteExpiredLog(db: D1Database, bucket: R2Bucket, cutoff: number): Promise<number> {
  let deleted = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN; chunk++) {
    const expired = await findExpiredEvents(db, cutoff, CHUNK);
    if (expired.length === 0) break;
    const keys = expired.flatMap((event) => (event.bodyKey ? [event.bodyKey] : []));
    if (keys.length > 0) await bucket.delete(keys);
    await deleteEvents(
      db,
      expired.map((event) => event.id),
    );
    deleted += expired.length;
    if (expired.length < CHUNK) break;
  }
  return deleted;
}

/** Deletes objects under `prefix` uploaded before `cutoff` (bounded per run; the next run goes on). */
async function deleteExpiredObjects(bucket: R2Bucket, prefix: string, cutoff: number): Promise<void> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_CHUNKS_PER_RUN; page++) {
    const listed = await bucket.list({ prefix, limit: CHUNK, ...(cursor ? { cursor } : {}) });
    const expired = listed.objects.filter((object) => object.uploaded.getTime() < cutoff).map((object) => object.key);
    if (expired.length > 0) await bucket.delete(expired);
    if (!listed.truncated) return;
    cursor = listed.cursor;
  }
}
