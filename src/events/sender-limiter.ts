import { DurableObject } from "cloudflare:workers";

/**
 * The budget of one sender that has its own `rateLimit` (binding SENDER_LIMITER, one object per
 * sender): fixed windows aligned to the clock, shared by every isolate. Isolates take the
 * budget in small leases, so one call admits several requests and the limit is never exceeded.
 */
export class SenderLimiter extends DurableObject<Env> {
  private window = { index: -1, used: 0 };

  /** Grants up to `want` requests of window `index` (whose size is `limit`); 0 when it is spent. */
  async take(index: number, want: number, limit: number): Promise<number> {
    if (index > this.window.index) this.window = { index, used: 0 };
    if (index < this.window.index) return 0;
    const granted = Math.max(0, Math.min(want, limit - this.window.used));
    this.window.used += granted;
    return granted;
  }
}
