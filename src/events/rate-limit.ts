import type { Principal, RateLimit } from "../auth/principal";
import { principalKey } from "../auth/principal";

/**
 * Per-sender rate limiting of ingestion.
 *
 * - A sender with its own `rateLimit` (token or webhook client) is limited exactly: its budget
 *   per window lives in a SenderLimiter Durable Object, and isolates take it in small leases.
 * - Every other sender gets the gateway's default, a guard against a runaway sender that lets a
 *   burst through (≥ 20,000 events in 30 s from one sender): the Workers rate-limit binding,
 *   called once per reservation of INGEST_RATE_LIMIT_RESERVATION requests, so the default is
 *   `limit × reservation` per period (wrangler.toml).
 *
 * Either way a refusal lasts until the window ends, and says so in Retry-After.
 */
export interface DefaultLimitSettings {
  /** Requests admitted per successful binding call. */
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

/** Decides whether one more request from `principal` is admitted now. */
export async function admit(
  env: Env,
  principal: Principal,
  settings: DefaultLimitSettings,
  now = Date.now(),
): Promise<Admission> {
  const key = principalKey(principal);
  const own = principal.rateLimit;
  if (own) {
    const lease = Math.max(1, Math.min(100, Math.ceil(own.requests / 20)));
    return admitWith(`own:${key}`, own.periodSeconds, now, async (index) =>
      env.SENDER_LIMITER.getByName(limiterName(key, own)).take(index, lease, own.requests),
    );
  }
  return admitWith(`default:${key}`, settings.periodSeconds, now, async () => {
    const { success } = await env.INGEST_RATE_LIMITER.limit({ key });
    return success ? settings.reservation : 0;
  });
}

/** The limiter object of a sender: a new limit (a re-created token) starts a fresh count. */
function limiterName(key: string, limit: RateLimit): string {
  return `${key}:${limit.requests}/${limit.periodSeconds}s`;
}

/** Spends this isolate's lease for the window, taking a new one (`take`) when it is used up. */
async function admitWith(
  key: string,
  periodSeconds: number,
  now: number,
  take: (windowIndex: number) => Promise<number>,
): Promise<Admission> {
  const periodMs = periodSeconds * 1000;
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
  if (window.remaining === 0) {
    const granted = await take(index);
    if (granted <= 0) {
      window.refused = true;
      return refusal();
    }
    window.remaining += granted;
  }
  window.remaining -= 1;
  return { admitted: true };
}
