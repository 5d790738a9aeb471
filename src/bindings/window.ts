import { DurableObject } from "cloudflare:workers";
import { sha256Hex } from "../lib/crypto";

/**
 * Windows of a binding (`spec.event.dedupe`, `spec.event.throttle`): one Durable Object per
 * (namespace, binding uid, key) — binding BINDING_WINDOW, SQLite storage — so busy keys never
 * contend, and every event of a key is admitted by one owner, in order. A window opens with the
 * first event of its key and lasts `period`:
 *
 * - dedupe: the first event submits; the others of the window are `deduplicated`;
 * - throttle: the first `limit` events submit; the others are `throttled`.
 *
 * An answer is remembered per event id (the last 1,000), so a redelivered event gets the same
 * answer and a window never submits more than it admitted. State is bounded: the open window
 * and those answers.
 */

export type WindowKind = "dedupe" | "throttle";

export interface WindowRule {
  kind: WindowKind;
  periodMs: number;
  /** throttle: how many events of a window submit (dedupe: 1). */
  limit: number;
}

export interface OpenWindow {
  start: number;
  end: number;
  /** Events admitted in this window (submitting or not). */
  count: number;
  /** The event that opened it. */
  first: string;
}

/** What a window says to one event: submit it (the `seq`-th of its window), or why not. */
export type Admission =
  | { action: "submit"; windowStart: number; seq: number }
  | { action: "deduplicated" | "throttled"; windowStart: number; windowEnd: number; first: string; count: number };

const REMEMBERED_ANSWERS = 1000;

/** The decision itself (pure): the window after this event, and the answer. */
export function admit(
  window: OpenWindow | null,
  rule: WindowRule,
  eventId: string,
  now: number,
): { window: OpenWindow; admission: Admission } {
  const open = window !== null && now < window.end ? window : null;
  if (!open) {
    return {
      window: { start: now, end: now + rule.periodMs, count: 1, first: eventId },
      admission: { action: "submit", windowStart: now, seq: 1 },
    };
  }
  const next = { ...open, count: open.count + 1 };
  const limit = rule.kind === "dedupe" ? 1 : rule.limit;
  if (next.count <= limit)
    return { window: next, admission: { action: "submit", windowStart: open.start, seq: next.count } };
  return {
    window: next,
    admission: {
      action: rule.kind === "dedupe" ? "deduplicated" : "throttled",
      windowStart: open.start,
      windowEnd: open.end,
      first: open.first,
      count: next.count,
    },
  };
}

/** What a dry run says about a windowed binding: the event's key, the rule, and what it would meet now. */
export function describeWindow(rule: WindowRule, key: string, period: string, open: OpenWindow | null): string {
  const quoted = JSON.stringify(key.slice(0, 200));
  const rule_ =
    rule.kind === "dedupe"
      ? `the first event of a key within ${period} submits, the others are deduplicated`
      : `the first ${rule.limit} event(s) of a key within ${period} submit, the others are throttled`;
  if (!open) return `key ${quoted}: ${rule_}; no window is open for this key, so this event would open one and submit`;
  const limit = rule.kind === "dedupe" ? 1 : rule.limit;
  const until = new Date(open.end).toISOString();
  return open.count < limit
    ? `key ${quoted}: ${rule_}; its window (opened by event ${open.first}, ${open.count} so far) lasts until ${until}, so this event would submit`
    : `key ${quoted}: ${rule_}; its window (opened by event ${open.first}, ${open.count} so far) lasts until ${until}, so this event would be ${rule.kind === "dedupe" ? "deduplicated" : "throttled"}`;
}

/** The object that holds one key's window of one binding. */
export async function windowName(namespace: string, bindingUid: string, key: string): Promise<string> {
  return `${namespace}/${bindingUid}/${(await sha256Hex(key)).slice(0, 40)}`;
}

export class BindingWindow extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS answers (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, answer TEXT NOT NULL)",
      );
    });
  }

  /** Admits one event to the key's window (the same answer again for a redelivered event). */
  async admit(rule: WindowRule, eventId: string): Promise<Admission> {
    const sql = this.ctx.storage.sql;
    const known = sql.exec<{ answer: string }>("SELECT answer FROM answers WHERE event_id = ?1", eventId).toArray()[0];
    if (known) return JSON.parse(known.answer) as Admission;
    const now = Date.now();
    const stored = (await this.ctx.storage.get<OpenWindow>("window")) ?? null;
    const { window, admission } = admit(stored, rule, eventId, now);
    sql.exec("INSERT INTO answers (event_id, answer) VALUES (?1, ?2)", eventId, JSON.stringify(admission));
    sql.exec("DELETE FROM answers WHERE seq <= (SELECT max(seq) FROM answers) - ?1", REMEMBERED_ANSWERS);
    await this.ctx.storage.put("window", window);
    // Nothing to keep once the window is over: the alarm clears the object then.
    await this.ctx.storage.setAlarm(window.end + rule.periodMs);
    return admission;
  }

  /** The key's open window, if any (for dry runs: what an event would meet now). */
  async peek(): Promise<OpenWindow | null> {
    const window = (await this.ctx.storage.get<OpenWindow>("window")) ?? null;
    return window && Date.now() < window.end ? window : null;
  }

  override async alarm(): Promise<void> {
    const window = await this.ctx.storage.get<OpenWindow>("window");
    if (window && Date.now() < window.end) return;
    this.ctx.storage.sql.exec("DELETE FROM answers");
    await this.ctx.storage.delete("window");
  }
}
