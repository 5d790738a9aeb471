import { gateOf } from "./decide";
import { listPendingGateIds } from "./store";

/** How long after its decision a gate may still be answering GitHub (ten attempts with backoff take minutes). */
const ANSWERING_WINDOW_MS = 3_600_000;

/**
 * Re-seals the policy snapshot of every pending gate — and of every gate still answering GitHub —
 * (each Durable Object does its own); returns how many changed.
 */
export async function resealPendingGates(env: Env): Promise<number> {
  let count = 0;
  let after = "";
  const decidedSince = Date.now() - ANSWERING_WINDOW_MS;
  for (;;) {
    const ids = await listPendingGateIds(env.DB, after, 100, decidedSince);
    const counts = await Promise.all(ids.map((id) => gateOf(env, id).reseal()));
    count += counts.reduce((sum, value) => sum + value, 0);
    const last = ids.at(-1);
    if (last === undefined || ids.length < 100) return count;
    after = last;
  }
}
