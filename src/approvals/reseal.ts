import { gateOf } from "./decide";
import { listPendingGateIds } from "./store";

/** Re-seals the policy snapshot of every pending gate (each Durable Object does its own); returns how many changed. */
export async function resealPendingGates(env: Env): Promise<number> {
  let count = 0;
  let after = "";
  for (;;) {
    const ids = await listPendingGateIds(env.DB, after, 100);
    const counts = await Promise.all(ids.map((id) => gateOf(env, id).reseal()));
    count += counts.reduce((sum, value) => sum + value, 0);
    const last = ids.at(-1);
    if (last === undefined || ids.length < 100) return count;
    after = last;
  }
}
