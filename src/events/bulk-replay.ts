import { z } from "zod";
import type { Principal } from "../auth/principal";
import { AppError } from "../lib/errors";
import { eventIdFloor, newEventId } from "../lib/ids";
import { log } from "../lib/log";
import { parseWith } from "../lib/validation";
import { ledgerClaims } from "./deliveries";
import { sendReplay } from "./replay";
import { EVENT_OUTCOMES } from "./results";
import { eventLogFor } from "./shards";
import { replayedSince, selectEventsForReplay } from "./store";

/**
 * `POST /api/v1/namespaces/{ns}/events/replay`: every logged event of a namespace that a filter
 * selects, sent again — paced (REPLAYS_PER_SECOND, by each message's delivery delay), and
 * idempotent: each original is claimed once a day in the delivery ledger, so the same filter
 * again — or another filter selecting the same events, even at the same moment — starts nothing
 * new, and an event whose replay is logged in the window is not replayed again. A dry run
 * only counts. It selects from the log's rows — every event a binding matched and the sample of
 * the others (docs/scale.md) — originals only: a replay is replayed through its original.
 */

/** Replays are spread so the consumers and clusters see this many a second. */
export const REPLAYS_PER_SECOND = 50;
/** At most this many events per call: a wider filter is refused (narrow its window). */
export const MAX_REPLAYS = 5_000;
const MAX_WINDOW_MS = 7 * 86_400_000;
const DEFAULT_WINDOW_MS = 86_400_000;
/** Bodies read and queued at once. */
const CONCURRENCY = 16;
/** Sent replays confirm their claims this often (claims lapse after a minute unconfirmed). */
const CONFIRM_EVERY = CONCURRENCY * 32;

const time = z.iso.datetime({ offset: true, error: "must be an RFC 3339 time, such as 2026-12-05T10:00:00Z" });

export const bulkReplaySchema = z.strictObject({
  filter: z
    .strictObject({
      outcome: z.enum(EVENT_OUTCOMES).optional(),
      discriminator: z.string().max(253).optional(),
      /** Events this binding matched. */
      binding: z.string().min(1).max(63).optional(),
      /** The window (default: the 24 hours before `until`, which defaults to now); at most 7 days. */
      since: time.optional(),
      until: time.optional(),
    })
    .default({}),
  dryRun: z.boolean().optional(),
});

export const bulkReplayAnswerSchema = z.object({
  /** Events the filter selects. */
  matched: z.number().int(),
  /** Events sent again now (0 on a dry run, or when every selected event was already replayed). */
  replayed: z.number().int(),
});

/** Replays what a filter selects (or counts it, on a dry run). */
export async function replayMatching(
  env: Env,
  namespace: string,
  body: unknown,
  principal: Principal,
): Promise<z.output<typeof bulkReplayAnswerSchema>> {
  const { filter, dryRun } = parseWith(bulkReplaySchema, body);
  const until = filter.until === undefined ? Date.now() : Date.parse(filter.until);
  const since = filter.since === undefined ? until - DEFAULT_WINDOW_MS : Date.parse(filter.since);
  if (since >= until) throw new AppError("invalid_argument", "filter.since: must be before filter.until");
  if (until - since > MAX_WINDOW_MS)
    throw new AppError("invalid_argument", "filter: since and until must be at most 7 days apart");
  const db = eventLogFor(env, namespace);
  const fromId = eventIdFloor(since);
  const selected = await selectEventsForReplay(
    db,
    {
      namespace,
      fromId,
      toId: eventIdFloor(until + 1),
      ...(filter.outcome === undefined ? {} : { outcome: filter.outcome }),
      ...(filter.discriminator === undefined ? {} : { discriminator: filter.discriminator }),
      ...(filter.binding === undefined ? {} : { binding: filter.binding }),
    },
    MAX_REPLAYS + 1,
  );
  if (selected.length > MAX_REPLAYS) {
    throw new AppError(
      "invalid_argument",
      `filter: selects more than ${MAX_REPLAYS} events; narrow it (a shorter window, an outcome, a binding)`,
    );
  }
  const matched = selected.length;
  if (dryRun === true || matched === 0) return { matched, replayed: 0 };

  // Each original is claimed in the delivery ledger (`replay-of <id>`): the same filter again, or
  // two overlapping filters at once, never replay an event twice.
  const already = await replayedSince(db, namespace, fromId);
  const candidates = selected.filter((event) => !already.has(event.id));
  const run = newEventId();
  const claimed = await ledgerClaims.claim(env, namespace, candidates.map(replayClaim), run);
  const todo = candidates.filter((event) => claimed.has(replayClaim(event)));
  const sentIds = new Set<string>();
  let confirmed = 0;
  const confirmSent = async () => {
    const sent = todo.filter((event) => sentIds.has(event.id)).map(replayClaim);
    await ledgerClaims.confirm(env, namespace, sent.slice(confirmed), run);
    confirmed = sent.length;
  };
  try {
    for (let start = 0; start < todo.length; start += CONCURRENCY) {
      // What is sent so far holds its claims for the day (unconfirmed claims lapse within a minute).
      if (start > 0 && start % CONFIRM_EVERY === 0) await confirmSent();
      const chunk = todo.slice(start, start + CONCURRENCY);
      await Promise.all(
        chunk.map((event, index) =>
          sendReplay(env, event, principal, Math.floor((start + index) / REPLAYS_PER_SECOND)).then(
            () => {
              sentIds.add(event.id);
            },
            (error: unknown) => {
              // A body gone (expired) is skipped, and said; anything else stops the run.
              if (!(error instanceof AppError) || error.code !== "aborted") throw error;
              log.warn("bulk replay skipped an event whose body is gone", { namespace, eventId: event.id });
            },
          ),
        ),
      );
    }
    await confirmSent();
    return { matched, replayed: sentIds.size };
  } catch (error) {
    // Not done: what was claimed and not sent may be replayed by the next run.
    const unsent = todo.filter((event) => !sentIds.has(event.id)).map(replayClaim);
    await ledgerClaims.release(env, namespace, unsent, run).catch(() => undefined);
    throw error;
  }
}

/** The ledger's claim on replaying one original event. */
function replayClaim(event: { id: string }): string {
  return `replay-of ${event.id}`;
}
