/** Longest delay Queues accepts for a retried message is 12 h; ours caps far below. */
const MAX_DELAY_SECONDS = 300;

/**
 * Exponential backoff for a queue message that failed on its `attempts`-th delivery
 * (1-based): 2 s, 4 s, 8 s … capped at 5 minutes.
 */
export function retryDelaySeconds(attempts: number, base = 2): number {
  return Math.min(base ** Math.max(1, attempts), MAX_DELAY_SECONDS);
}
