import { DEFAULT_MAX_RETRY_DELAY_SECONDS } from "./retry";

/** Limits read from the Worker's vars (wrangler.toml `[vars]`), with safe defaults. */
export interface Limits {
  /** Bodies up to this size (with their metadata) travel inside the queue message. */
  inlineBodyBytes: number;
  /** Largest accepted event body. */
  maxBodyBytes: number;
  /** Deepest accepted JSON nesting in an event body. */
  maxJsonDepth: number;
  /** Age after which events are deleted. */
  retentionMs: number;
  /** Events no binding matched that keep a row, per namespace, discriminator and minute (the rest are counted). */
  samplePerMinute: number;
  /** Size an event-log database stays under: nearing it, the oldest detail is dropped (D1 stops at 10 GB). */
  eventLogShardLimitBytes: number;
  /** Who deletes expired objects in EVENT_BODIES: the bucket's lifecycle rule, or the scheduled job (`npm start`). */
  bodyExpiry: "lifecycle" | "sweep";
  /** Longest backoff between deliveries of a queue message being retried. */
  maxRetryDelaySeconds: number;
  /** The window a notification service's `ratePerMinute` counts over (a minute; tests shorten it). */
  pacingWindowMs: number;
  /** The default per-sender limit: requests admitted per rate-limit binding call, and its period. */
  rateLimit: { reservation: number; periodSeconds: number };
}

/** Queues refuse messages over 128 KB; the inline limit leaves room for the envelope. */
const QUEUE_MESSAGE_BUDGET = 120 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

interface LimitVars {
  INLINE_BODY_LIMIT_BYTES?: string;
  MAX_BODY_BYTES?: string;
  MAX_JSON_DEPTH?: string;
  EVENT_RETENTION_DAYS?: string;
  EVENT_SAMPLE_PER_MINUTE?: string;
  EVENT_LOG_SHARD_LIMIT_BYTES?: string;
  EVENT_BODIES_EXPIRY?: string;
  INGEST_RATE_LIMIT_RESERVATION?: string;
  RETRY_MAX_DELAY_SECONDS?: string;
  INGEST_RATE_LIMIT_PERIOD_SECONDS?: string;
  PACING_WINDOW_SECONDS?: string;
}

/** Limits already read, by the vars object they were read from (a Worker's env is the same object request after request). */
const read = new WeakMap<LimitVars, Limits>();

/** Parses the limit vars; a missing or malformed value falls back to the default. */
export function readLimits(vars: LimitVars): Limits {
  const known = read.get(vars);
  if (known) return known;
  const parsed = parseLimits(vars);
  const limits = Object.freeze({ ...parsed, rateLimit: Object.freeze(parsed.rateLimit) });
  read.set(vars, limits);
  return limits;
}

function parseLimits(vars: LimitVars): Limits {
  return {
    inlineBodyBytes: Math.min(positiveNumber(vars.INLINE_BODY_LIMIT_BYTES, 96 * 1024), QUEUE_MESSAGE_BUDGET),
    maxBodyBytes: positiveNumber(vars.MAX_BODY_BYTES, 10 * 1024 * 1024),
    maxJsonDepth: positiveNumber(vars.MAX_JSON_DEPTH, 64),
    retentionMs: positiveNumber(vars.EVENT_RETENTION_DAYS, 7) * DAY_MS,
    samplePerMinute: Math.floor(nonNegativeNumber(vars.EVENT_SAMPLE_PER_MINUTE, 5)),
    eventLogShardLimitBytes: positiveNumber(vars.EVENT_LOG_SHARD_LIMIT_BYTES, 9_000_000_000),
    bodyExpiry: vars.EVENT_BODIES_EXPIRY === "sweep" ? "sweep" : "lifecycle",
    maxRetryDelaySeconds: positiveNumber(vars.RETRY_MAX_DELAY_SECONDS, DEFAULT_MAX_RETRY_DELAY_SECONDS),
    pacingWindowMs: positiveNumber(vars.PACING_WINDOW_SECONDS, 60) * 1000,
    rateLimit: {
      reservation: Math.floor(positiveNumber(vars.INGEST_RATE_LIMIT_RESERVATION, 100)),
      periodSeconds: positiveNumber(vars.INGEST_RATE_LIMIT_PERIOD_SECONDS, 10),
    },
  };
}

function nonNegativeNumber(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

function positiveNumber(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}
