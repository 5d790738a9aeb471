import { DurableObject } from "cloudflare:workers";

/** How long a delivery id is remembered. */
export const DELIVERY_WINDOW_MS = 24 * 3600 * 1000;
/** Each namespace's delivery ids are spread over this many ledger objects (by hash of the id). */
export const LEDGER_SHARDS = 8;
const PURGE_EVERY_MS = 3600 * 1000;
/**
 * A claim whose event was never confirmed queued (the Worker died in between) stops counting
 * after this long, so the sender's retry is taken as the first delivery.
 */
export const UNCONFIRMED_CLAIM_MS = 60_000;

/**
 * The delivery ids one namespace shard has seen in the last 24 hours (binding DELIVERY_LEDGER,
 * SQLite storage): a sender's redelivery of the same delivery is answered with the first
 * event's id and queues nothing. One object per (namespace, shard) rather than a D1 unique
 * index: the check sits on the ingest path, and D1's single writer (~1,000 writes/s for the
 * whole gateway) would become its ceiling; shards of Durable Objects scale with namespaces.
 * An alarm purges expired ids hourly.
 */
export class DeliveryLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS deliveries (delivery TEXT PRIMARY KEY, event_id TEXT NOT NULL, seen_at INTEGER NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0)",
      );
      ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS deliveries_by_age ON deliveries (seen_at)");
    });
  }

  /**
   * Records `delivery` as event `eventId` unless it was seen within the window; returns the
   * event id it belongs to (`eventId` when it is new). A claim counts once it is confirmed
   * (its event was queued), or while it is fresh (its event is being queued right now).
   */
  async claim(delivery: string, eventId: string): Promise<string> {
    const now = Date.now();
    const first = this.take(delivery, eventId, now);
    if (first === eventId) await this.armPurge(now);
    return first;
  }

  /** The claim's event is queued: from now on the claim counts for the whole window. */
  async confirm(delivery: string, eventId: string): Promise<void> {
    this.markConfirmed(delivery, eventId);
  }

  /** Forgets a claim whose event could not be queued, so the sender's retry is accepted. */
  async release(delivery: string, eventId: string): Promise<void> {
    this.forget(delivery, eventId);
  }

  /**
   * Claims each of `deliveries` that no claim holds (a bulk replay's `replay-of <event>`), all as
   * `owner`; returns the ones this call claimed. Like a delivery's claim, it counts for the whole
   * window once confirmed (`confirmEach`, after the work was done), and until then for
   * UNCONFIRMED_CLAIM_MS — so a run that died midway does not keep its events for a day. One call
   * per shard: two overlapping runs never both take an event.
   */
  async claimEach(deliveries: readonly string[], owner: string): Promise<string[]> {
    const now = Date.now();
    const claimed = deliveries.filter((delivery) => this.take(delivery, owner, now) === owner);
    if (claimed.length > 0) await this.armPurge(now);
    return claimed;
  }

  /** `owner`'s claims of `deliveries` were done: they count for the whole window. */
  async confirmEach(deliveries: readonly string[], owner: string): Promise<void> {
    for (const delivery of deliveries) this.markConfirmed(delivery, owner);
  }

  /** Forgets `owner`'s claims of `deliveries` (a bulk replay that stopped before sending them). */
  async releaseEach(deliveries: readonly string[], owner: string): Promise<void> {
    for (const delivery of deliveries) this.forget(delivery, owner);
  }

  /**
   * The event `delivery` belongs to: the one of a claim that still counts (confirmed within the
   * window, or fresh), else `eventId`, recorded now as a fresh claim.
   */
  private take(delivery: string, eventId: string, now: number): string {
    const seen = this.ctx.storage.sql
      .exec<{ event_id: string; seen_at: number; confirmed: number }>(
        "SELECT event_id, seen_at, confirmed FROM deliveries WHERE delivery = ?1",
        delivery,
      )
      .toArray()[0];
    const counts =
      seen !== undefined &&
      seen.seen_at > now - DELIVERY_WINDOW_MS &&
      (seen.confirmed === 1 || seen.seen_at > now - UNCONFIRMED_CLAIM_MS);
    if (seen && counts) return seen.event_id;
    this.ctx.storage.sql.exec(
      `INSERT INTO deliveries (delivery, event_id, seen_at, confirmed) VALUES (?1, ?2, ?3, 0)
       ON CONFLICT (delivery) DO UPDATE SET event_id = ?2, seen_at = ?3, confirmed = 0`,
      delivery,
      eventId,
      now,
    );
    return eventId;
  }

  private markConfirmed(delivery: string, eventId: string): void {
    this.ctx.storage.sql.exec(
      "UPDATE deliveries SET confirmed = 1 WHERE delivery = ?1 AND event_id = ?2",
      delivery,
      eventId,
    );
  }

  private forget(delivery: string, eventId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM deliveries WHERE delivery = ?1 AND event_id = ?2", delivery, eventId);
  }

  /** Claims are purged by an alarm once they are past the window. */
  private async armPurge(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + PURGE_EVERY_MS);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM deliveries WHERE seen_at <= ?1", now - DELIVERY_WINDOW_MS);
    const left = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM deliveries").one().n;
    if (left > 0) await this.ctx.storage.setAlarm(now + PURGE_EVERY_MS);
  }
}
