/** Default cap on a retried queue message's delay (Queues accepts up to 12 h). */
export const DEFAULT_MAX_RETRY_DELAY_SECONDS = 300;

/**
 * Exponential backoff for a queue message that failed on its `attempts`-th delivery
 * (1-based): 2 s, 4 s, 8 s … capped at `maxSeconds` (5 minutes by default).
 */
export function retryDelaySeconds(attempts: number, maxSeconds = DEFAULT_MAX_RETRY_DELAY_SECONDS): number {
  return Math.min(2 ** Math.max(1, attempts), maxSeconds);
}
