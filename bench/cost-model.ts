// The event log's bill by published prices (Workers Paid), from what the cost suite measured per
// event and per consumer batch. Prices and allowances as Cloudflare publishes them (docs/scale.md
// cites the pages): D1 https://developers.cloudflare.com/d1/platform/pricing/, R2
// https://developers.cloudflare.com/r2/pricing/, Queues https://developers.cloudflare.com/queues/pricing/,
// Workers https://developers.cloudflare.com/workers/platform/pricing/.

export const PRICES = {
  d1RowsWritten: { perMillion: 1.0, included: 50e6 },
  d1RowsRead: { perMillion: 0.001, included: 25e9 },
  d1StorageGbMonth: { per: 0.75, included: 5 },
  r2ClassA: { perMillion: 4.5, included: 1e6 },
  r2ClassB: { perMillion: 0.36, included: 10e6 },
  r2StorageGbMonth: { per: 0.015, included: 10 },
  queueOperations: { perMillion: 0.4, included: 1e6 },
  workerRequests: { perMillion: 0.3, included: 10e6 },
} as const;

/** What one event costs, as measured: per event, and per consumer batch (spread over the batch's events). */
export interface MeasuredCost {
  /** D1 rows written per event that do not depend on batch size (detailed rows, with their deletes; count rows' deletes). */
  rowsWrittenPerEvent: number;
  /** D1 rows written per batch: the pack's row (written and deleted)… */
  packRowsPerBatch: number;
  /** …and one upserted count row per key in the batch (never more than the batch has events). */
  countRowsPerBatch: number;
  rowsReadPerEvent: number;
  /** R2 class A operations per batch (the body pack) and per event (spilled bodies). */
  r2ClassAPerBatch: number;
  r2ClassAPerEvent: number;
  r2ClassBPerEvent: number;
  /** Events per batch in the measured run. */
  eventsPerBatch: number;
  /** D1 database bytes and R2 bytes kept per event. */
  d1BytesPerEvent: number;
  r2BytesPerEvent: number;
}

const SECONDS_PER_MONTH = 30 * 86_400;
const GB = 1e9;
/** Events a consumer batch holds at `rate` events/s: up to 100, or what arrives in the 0.2 s batch window. */
export function batchSizeAt(rate: number, queues = Math.max(1, Math.ceil(rate / 5_000))): number {
  return Math.min(100, Math.max(1, (rate / queues) * 0.2));
}

export interface MonthlyBill {
  events: number;
  d1RowsWritten: number;
  d1: number;
  r2: number;
  /** The event log: D1 and R2. */
  eventLog: number;
  queues: number;
  workers: number;
  total: number;
}

const billed = (units: number, price: { perMillion: number; included: number }) =>
  (Math.max(0, units - price.included) / 1e6) * price.perMillion;
const storage = (gb: number, price: { per: number; included: number }) => Math.max(0, gb - price.included) * price.per;

/**
 * The monthly bill at `rate` events/s with `retentionDays` of retention. Per-batch costs are
 * spread over the batch size the rate gives (batchSizeAt) when that is smaller than the measured
 * one — at 10 events/s a batch holds ~2 events — and over the measured size otherwise (the
 * conservative side). Queues: 3 operations per message (write, read, delete); Workers: one
 * request per event and per consumer batch (CPU time not included).
 */
export function monthlyBill(measured: MeasuredCost, rate: number, retentionDays = 7): MonthlyBill {
  const events = rate * SECONDS_PER_MONTH;
  const perBatch = Math.min(measured.eventsPerBatch, batchSizeAt(rate));
  const batches = events / perBatch;
  const d1RowsWritten =
    events * measured.rowsWrittenPerEvent +
    batches * (measured.packRowsPerBatch + Math.min(measured.countRowsPerBatch, perBatch));
  const kept = rate * retentionDays * 86_400;
  const d1 =
    billed(d1RowsWritten, PRICES.d1RowsWritten) +
    billed(events * measured.rowsReadPerEvent, PRICES.d1RowsRead) +
    storage((kept * measured.d1BytesPerEvent) / GB, PRICES.d1StorageGbMonth);
  const r2 =
    billed(batches * measured.r2ClassAPerBatch + events * measured.r2ClassAPerEvent, PRICES.r2ClassA) +
    billed(events * measured.r2ClassBPerEvent, PRICES.r2ClassB) +
    // Lifecycle expiry runs daily: objects live up to a day past the retention.
    storage((rate * (retentionDays + 1) * 86_400 * measured.r2BytesPerEvent) / GB, PRICES.r2StorageGbMonth);
  const queues = billed(events * 3, PRICES.queueOperations);
  const workers = billed(events + batches, PRICES.workerRequests);
  return { events, d1RowsWritten, d1, r2, eventLog: d1 + r2, queues, workers, total: d1 + r2 + queues + workers };
}
