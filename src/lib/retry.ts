/** Default cap on a retried message's delay (Queues accepts up to 12 h). */
export const DEFAULT_MAX_RETRY_DELAY_SECONDS = 60;

/**
 * How many real attempts (a submit or a send that was tried and failed) a piece of work gets
 * before it is recorded as failed. Waiting — for an open circuit breaker, for a service's pace,
 * for a receiver's Retry-After — is not an attempt.
 */
export const MAX_ATTEMPTS = 10;

/**
 * Exponential backoff after the `attempts`-th failed attempt (1-based): 2 s, 4 s, 8 s … capped
 * at `maxSeconds` (a minute by default).
 */
export function retryDelaySeconds(attempts: number, maxSeconds = DEFAULT_MAX_RETRY_DELAY_SECONDS): number {
  return Math.min(2 ** Math.max(1, attempts), maxSeconds);
}
