import { DurableObject } from "cloudflare:workers";
import { sha256Hex } from "../lib/crypto";
import type { EventEnvironment } from "./evaluate";
import type { WindowRule } from "./window-rules";

/**
 * Windows of a binding (`spec.event.debounce|dedupe|throttle`): one Durable Object per
 * (namespace, binding uid, key) — binding BINDING_WINDOW, SQLite storage — so busy keys never
 * contend, and every event of a key is admitted by one owner, in order. A window opens with the
 * first event of its key:
 *
 * - debounce: every event `waits`; each one pushes the window's end to `period` after it; when the
 *   end comes, the alarm sends the last event back to the EVENTS queue to fire (the consumer
 *   submits it and marks the window's other events `debounced`);
 * - dedupe: the first event submits; the others within `period` are `deduplicated`;
 * - throttle: the first `limit` events within `period` submit; the others are `throttled`.
 *
 * An answer is remembered per event id (the last 1,000), so a redelivered event gets the same
 * answer and a window never submits more than it admitted. State is bounded: the open window
 * (for debounce, its last event's queue message) and those answers.
 *
 * What a window's end means for the event log and the queue — a debounce window's last event sent
 * back to fire, an expired partial match's waiting events settled — is the events area's
 * (events/windows.ts subclasses KeyWindow): bindings decide, events record.
 */

export type { WindowKind, WindowRule } from "./window-rules";

export interface OpenWindow {
  start: number;
  end: number;
  /** Events admitted in this window (submitting or not). */
  count: number;
  /** The event that opened it. */
  first: string;
  /** debounce: the latest event (the one that fires), and whether the window has fired. */
  last?: string;
  fired?: boolean;
}

/** What a window says to one event: submit it (the `seq`-th of its window), wait (debounce), or why not. */
export type Admission =
  | { action: "submit"; windowStart: number; seq: number }
  | { action: "waiting"; windowStart: number; dueAt: number; count: number }
  | { action: "deduplicated" | "throttled"; windowStart: number; windowEnd: number; first: string; count: number };

const REMEMBERED_ANSWERS = 1000;

/** The decision itself (pure): the window after this event, and the answer. */
export function admit(
  window: OpenWindow | null,
  rule: WindowRule,
  eventId: string,
  now: number,
): { window: OpenWindow; admission: Admission } {
  const open = window !== null && now < window.end && !window.fired ? window : null;
  if (rule.kind === "debounce") {
    const next: OpenWindow = open
      ? { ...open, count: open.count + 1, end: now + rule.periodMs, last: eventId }
      : { start: now, end: now + rule.periodMs, count: 1, first: eventId, last: eventId, fired: false };
    return {
      window: next,
      admission: { action: "waiting", windowStart: next.start, dueAt: next.end, count: next.count },
    };
  }
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

/** The partial match of a binding with dependencies for one key: each dependency's latest event. */
export interface PartialMatch {
  start: number;
  end: number;
  events: Record<string, { id: string; environment: EventEnvironment }>;
  completed: boolean;
}

/** The id of one window of a key (its object and start): the results of its events carry it. */
export function windowIdOf(name: string, start: number): string {
  return `${name}/${start}`;
}

/** What a dry run says about a windowed binding: the event's key, the rule, and what it would meet now. */
export function describeWindow(rule: WindowRule, key: string, period: string, open: OpenWindow | null): string {
  const quoted = JSON.stringify(key.slice(0, 200));
  if (rule.kind === "debounce") {
    const base = `key ${quoted}: each event waits, and the last one submits ${period} after it arrives`;
    return open
      ? `${base}; its window (opened by event ${open.first}, ${open.count} so far) would now fire at ${new Date(Date.now() + rule.periodMs).toISOString()} with this event`
      : `${base}; no window is open for this key, so this event would open one and fire ${period} from now unless another comes`;
  }
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

/** The namespace a window's object belongs to (its name starts with it; namespaces hold no "/"). */
export function namespaceOfWindow(name: string): string {
  return name.slice(0, Math.max(0, name.indexOf("/")));
}

export abstract class KeyWindow extends DurableObject<Env> {
  /** A debounce window ended: send `message` (its last event, with `fire`) back to be submitted. */
  protected abstract fire(name: string, message: Record<string, unknown>): Promise<void>;
  /** A partial match expired before its condition held: its waiting events end, saying `reason`. */
  protected abstract expired(name: string, windowId: string, reason: string): Promise<void>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS answers (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, answer TEXT NOT NULL)",
      );
    });
  }

  /**
   * Admits one event to the key's window (the same answer again for a redelivered event). For
   * debounce, `message` is the event's queue message: the window keeps the latest and sends it
   * back to fire.
   */
  async admit(rule: WindowRule, eventId: string, message?: unknown): Promise<Admission> {
    const sql = this.ctx.storage.sql;
    const known = sql.exec<{ answer: string }>("SELECT answer FROM answers WHERE event_id = ?1", eventId).toArray()[0];
    if (known) return JSON.parse(known.answer) as Admission;
    const now = Date.now();
    const stored = (await this.ctx.storage.get<OpenWindow>("window")) ?? null;
    const { window, admission } = admit(stored, rule, eventId, now);
    sql.exec("INSERT INTO answers (event_id, answer) VALUES (?1, ?2)", eventId, JSON.stringify(admission));
    sql.exec("DELETE FROM answers WHERE seq <= (SELECT max(seq) FROM answers) - ?1", REMEMBERED_ANSWERS);
    await this.ctx.storage.put({ window, rule, ...(rule.kind === "debounce" ? { message } : {}) });
    // debounce: the alarm fires the window at its end; the others (and afterwards) it clears the object.
    await this.ctx.storage.setAlarm(rule.kind === "debounce" ? window.end : window.end + rule.periodMs);
    return admission;
  }

  /**
   * Adds an event to the key's partial match (binding with dependencies) as `dependency` —
   * starting a new match when there is none, it expired (`withinMs` after its first event) or it
   * completed — and returns the match. Each dependency keeps its latest event: state is bounded.
   */
  async join(
    withinMs: number,
    dependency: string,
    eventId: string,
    environment: EventEnvironment,
  ): Promise<PartialMatch> {
    const now = Date.now();
    const stored = await this.ctx.storage.get<PartialMatch>("match");
    const match: PartialMatch =
      stored && !stored.completed && now < stored.end
        ? stored
        : { start: now, end: now + withinMs, events: {}, completed: false };
    match.events[dependency] = { id: eventId, environment };
    await this.ctx.storage.put("match", match);
    await this.ctx.storage.setAlarm(match.end);
    return match;
  }

  /** Claims the match that started at `start` for submitting: true once, for the first caller only. */
  async complete(start: number): Promise<boolean> {
    const match = await this.ctx.storage.get<PartialMatch>("match");
    if (!match || match.start !== start || match.completed) return false;
    await this.ctx.storage.put("match", { ...match, completed: true, events: {} });
    return true;
  }

  /** The key's open window, if any (for dry runs: what an event would meet now). */
  async peek(): Promise<OpenWindow | null> {
    const window = (await this.ctx.storage.get<OpenWindow>("window")) ?? null;
    return window && Date.now() < window.end && !window.fired ? window : null;
  }

  /**
   * A debounce window whose end has come fires: its last event goes back to the EVENTS queue
   * with `fire` (at least once — a repeated fire finds the result no longer waiting). Later, or
   * for the other kinds, the object is cleared.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const match = await this.ctx.storage.get<PartialMatch>("match");
    if (match) {
      if (now < match.end && !match.completed) {
        await this.ctx.storage.setAlarm(match.end);
        return;
      }
      // Expired before its condition held: its waiting events end, saying what never came.
      if (!match.completed) {
        const arrived = Object.keys(match.events).join(", ") || "none";
        const name = this.ctx.id.name ?? "";
        await this.expired(
          name,
          windowIdOf(name, match.start),
          `expired: the dependencies' condition did not hold in time (arrived: ${arrived})`,
        );
      }
      await this.ctx.storage.delete("match");
      return;
    }
    const window = await this.ctx.storage.get<OpenWindow>("window");
    if (window && now < window.end) {
      await this.ctx.storage.setAlarm(window.end);
      return;
    }
    const rule = await this.ctx.storage.get<WindowRule>("rule");
    if (window && rule?.kind === "debounce" && !window.fired) {
      const message = await this.ctx.storage.get<Record<string, unknown>>("message");
      if (message && window.last) {
        const name = this.ctx.id.name ?? "";
        await this.fire(name, {
          ...message,
          fire: { window: windowIdOf(name, window.start), last: window.last, count: window.count },
        });
      }
      await this.ctx.storage.put("window", { ...window, fired: true });
      await this.ctx.storage.delete("message");
      await this.ctx.storage.setAlarm(now + rule.periodMs);
      return;
    }
    this.ctx.storage.sql.exec("DELETE FROM answers");
    await this.ctx.storage.delete(["window", "rule", "message"]);
  }
}

/** A key's window object, typed by its RPC methods (the JSON it carries defeats RPC type inference). */
export type WindowStub = Pick<KeyWindow, "admit" | "join" | "complete" | "peek">;

/** The window object of a name (windowName). */
export function windowOf(env: Env, name: string): WindowStub {
  return env.BINDING_WINDOW.getByName(name) as unknown as WindowStub;
}
