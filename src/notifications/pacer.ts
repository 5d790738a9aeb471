import { DurableObject } from "cloudflare:workers";

/** How late after its grant a message may reach the service and still be counted in the grant's window. */
const MAX_SEND_SLACK_MS = 2_000;

/** What the pacer answers: how many may be sent now, and when each of the others should come back. */
export interface Pace {
  granted: number;
  /** One time (epoch ms) for each delivery not granted, spread at the service's rate. */
  retryAt: number[];
}

/**
 * The pace of one notification service (binding SERVICE_PACER, one object per service), shared
 * by every consumer: at most `rate` sends in any window (a minute by default), counted over a
 * sliding window of the actual grants, so no minute ever holds more. Deliveries that must wait
 * are told when to come back, spaced at the service's rate so they do not return as a herd.
 * A receiver's 429 / Retry-After pauses the whole service.
 */
export class ServicePacer extends DurableObject<Env> {
  /** Grant times within the current window, oldest first. */
  private grants: number[] = [];
  private pausedUntil = 0;
  /** The next time promised to a waiting delivery. */
  private nextPromise = 0;

  /**
   * Asks to send `count` messages at `rate` per `windowMs`. A grant holds its place for the
   * window plus a little slack, because the message reaches the service a moment after it was
   * granted: counted at the receiver, no window ever holds more than `rate`.
   */
  async acquire(count: number, rate: number, window: number): Promise<Pace> {
    const windowMs = window + Math.min(MAX_SEND_SLACK_MS, window / 2);
    const now = Date.now();
    const horizon = now - windowMs;
    while (this.grants.length > 0 && (this.grants[0] ?? 0) <= horizon) this.grants.shift();
    let granted = 0;
    if (now >= this.pausedUntil) {
      granted = Math.max(0, Math.min(count, rate - this.grants.length));
      for (let index = 0; index < granted; index++) this.grants.push(now);
    }
    const retryAt: number[] = [];
    const waiting = count - granted;
    if (waiting > 0) {
      const full = this.grants.length >= rate;
      // The earliest a slot frees: when the oldest grant still counting leaves the window.
      const freeAt = full ? (this.grants[this.grants.length - rate] ?? now) + windowMs : now;
      this.nextPromise = Math.max(this.nextPromise, freeAt, this.pausedUntil, now);
      const spacing = windowMs / rate;
      for (let index = 0; index < waiting; index++) {
        retryAt.push(this.nextPromise);
        this.nextPromise += spacing;
      }
    }
    return { granted, retryAt };
  }

  /** The receiver said to wait (429 Retry-After): nothing is granted before `until`. */
  async pause(until: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.nextPromise = Math.max(this.nextPromise, this.pausedUntil);
  }
}
