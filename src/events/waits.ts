import { countStatements, outcomeMoves } from "./counts";
import { summarizeOutcome } from "./results";
import { deleteWaitsStatement, updateEventStatement, waitingIn } from "./store";

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
