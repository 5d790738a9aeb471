import { readLimits } from "../lib/config";
import { eventIdFloor } from "../lib/ids";
import { deletePacksBeforeStatement } from "./body-pack";
import { deleteCountsBeforeStatement, minuteOf } from "./counts";
import { eventLogs } from "./shards";
import { deleteLoggedBeforeStatement, deleteWaitsBeforeStatement, loggedNamespaces } from "./store";

const CHUNK = 500;
/** Bounds one run's work; the next scheduled run continues where this one stopped. */
const MAX_CHUNKS_PER_RUN = 100;

/**
 * Deletes what is older than EVENT_RETENTION_DAYS: from every event-log shard its rows (each
 * namespace a seek on the key), counts and pack rows; old notification records. Bodies in R2
 * (packs, spilled bodies, dead letters) expire by the bucket's lifecycle rule, which `npm run
 * deploy` sets; under `npm start` (EVENT_BODIES_EXPIRY = "sweep", no lifecycle locally) this job
 * deletes them too. Returns how many event rows were deleted.
 */
export async function deleteExpiredEvents(env: Env, now = Date.now()): Promise<number> {
  const limits = readLimits(env);
  const cutoff = now - limits.retentionMs;
  let deleted = 0;
  for (const { resource } of eventLogs(env)) deleted += await deleteExpiredLog(resource, cutoff);
  if (limits.bodyExpiry === "sweep") await deleteExpiredObjects(env.EVENT_BODIES, cutoff);
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

/** Deletes one event-log shard's rows, counts and pack rows from before `cutoff` (bounded per run). */
async function deleteExpiredLog(db: D1Database, cutoff: number): Promise<number> {
  const cutoffId = eventIdFloor(cutoff);
  const namespaces = await loggedNamespaces(db);
  let deleted = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN && namespaces.length > 0; chunk++) {
    const answer = await deleteLoggedBeforeStatement(db, namespaces, cutoffId, CHUNK).all<{ id: string }>();
    deleted += answer.results.length;
    if (answer.results.length < CHUNK) break;
  }
  await db.batch([
    deleteWaitsBeforeStatement(db, cutoffId),
    deleteCountsBeforeStatement(db, minuteOf(cutoff)),
    deletePacksBeforeStatement(db, cutoffId),
  ]);
  return deleted;
}

/** Deletes objects uploaded before `cutoff` (bounded per run; the next run goes on). */
async function deleteExpiredObjects(bucket: R2Bucket, cutoff: number): Promise<void> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_CHUNKS_PER_RUN; page++) {
    const listed = await bucket.list({ limit: CHUNK, ...(cursor ? { cursor } : {}) });
    const expired = listed.objects.filter((object) => object.uploaded.getTime() < cutoff).map((object) => object.key);
    if (expired.length > 0) await bucket.delete(expired);
    if (!listed.truncated) return;
    cursor = listed.cursor;
  }
}
