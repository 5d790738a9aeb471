import { countStatements, outcomeMoves } from "./counts";
import type { EventMessage } from "./message";
import { summarizeOutcome } from "./results";
import { deleteWaitsStatement, type EventRecord, updateEventStatement, waitingIn } from "./store";

/**
 * Ends a window's waiting results — a debounce window that fired, a dependency match completed
 * or expired — with `status` and `reason`, for every event waiting in it but `except`; their
 * outcomes (and counts) move on, and the window is forgotten.
 */
export async function settleWaiting(
  db: D1Database,
  window: string,
  status: "debounced" | "skipped",
  reason: string,
  except: string | null = null,
): Promise<void> {
  const events = (await waitingIn(db, window)).filter((event) => event.id !== except);
  const statements: D1PreparedStatement[] = [];
  const moves = [];
  for (const event of events) {
    let changed = false;
    for (const result of event.results) {
      if (result.windowId !== window || result.status !== "waiting") continue;
      result.status = status;
      result.reason = reason;
      result.request = null;
      result.workflow = null;
      changed = true;
    }
    if (!changed) continue;
    const outcome = summarizeOutcome(event.results, true);
    statements.push(updateEventStatement(db, { ...event, outcome }));
    moves.push({ ...event, from: event.outcome, to: outcome });
  }
  statements.push(...countStatements(db, outcomeMoves(moves)), deleteWaitsStatement(db, window));
  await db.batch(statements);
}

/**
 * Debounce windows that fired (their last event came back with `fire`): that event's waiting
 * result becomes pending — the consumer submits it and records it — and the window's
 * other waiting events become debounced.
 */
export async function fireWindows(
  db: D1Database,
  events: EventMessage[],
  logged: Map<string, EventRecord>,
): Promise<void> {
  for (const event of events) {
    const window = event.fire?.window;
    const record = logged.get(event.id);
    if (!window || event.fire?.last !== event.id || !record) continue;
    for (const result of record.results)
      if (result.windowId === window && result.status === "waiting") {
        result.status = "pending";
        result.reason = null;
      }
    await settleWaiting(
      db,
      window,
      "debounced",
      `debounced: superseded by event ${event.id}, which the window submitted`,
      event.id,
    );
  }
}
