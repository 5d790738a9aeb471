/**
 * Per-sender rate limiting of ingestion on the Workers rate-limit binding, with reservations:
 * one call to the binding reserves `reservation` requests for this isolate, and the next
 * requests of that sender in the same window spend the reservation without another call.
 * The binding's limit therefore counts reservations: the per-sender limit in requests is
 * `limit × reservation` per period. It is never exceeded (requests are only admitted against
 * a granted reservation); a sender spread thinly over many isolates can be limited earlier.
 * Reservations and refusals end with the binding's window (aligned to the clock, like it).
 */
export interface RateLimitSettings {
  /** Requests admitted per successful binding call (1 = one call per request). */
  reservation: number;
  /** The binding's period (wrangler.toml `ratelimits.simple.period`). */
  periodSeconds: number;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface Window {
  index: number;
  remaining: number;
  refused: boolean;
}

const MAX_TRACKED_SENDERS = 10_000;
const windows = new Map<string, Window>();

/** Decides whether one more request from `key` is admitted now. */
export async function admit(
  limiter: RateLimit,
  key: string,
  settings: RateLimitSettings,
  now = Date.now(),
): Promise<Admission> {
  const periodMs = settings.periodSeconds * 1000;
  const index = Math.floor(now / periodMs);
  let window = windows.get(key);
  if (!window || window.index !== index) {
    if (windows.size >= MAX_TRACKED_SENDERS) windows.clear();
    window = { index, remaining: 0, refused: false };
    windows.set(key, window);
  }
  const refusal = (): Admission => ({
    admitted: false,
    retryAfterSeconds: Math.max(1, Math.ceil(((index + 1) * periodMs - now) / 1000)),
  });
  if (window.refused) return refusal();
  if (window.remaining > 0) {
    window.remaining -= 1;
    return { admitted: true };
  }
  const { success } = await limiter.limit({ key });
  if (!success) {
    window.refused = true;
    return refusal();
  }
  window.remaining += settings.reservation - 1;
  return { admitted: true };
}
