import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import { internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { type Admission, admit, type BreakerState, initialState, report, type Transition } from "./breaker-state";

export type { Admission } from "./breaker-state";

/** A breaker's state as the API shows it. */
export interface BreakerView {
  circuit: BreakerState["circuit"];
  since: string;
  lastError: string | null;
  consecutiveFailures: number;
}

/**
 * One cluster's circuit breaker (binding CLUSTER_BREAKER, one object per cluster name): every
 * consumer asks it before submitting and tells it how the submits went, so an outage costs the
 * cluster a few probes instead of a flood, and held submissions spend no attempts. The state is
 * stored before a change is announced (`on-cluster-down`, `on-cluster-recovered`).
 */
export class ClusterBreaker extends DurableObject<Env> {
  private state: BreakerState | null = null;

  private async load(now: number): Promise<BreakerState> {
    this.state ??= (await this.ctx.storage.get<BreakerState>("breaker")) ?? initialState(now);
    return this.state;
  }

  private async store(next: BreakerState): Promise<void> {
    if (next === this.state) return;
    this.state = next;
    await this.ctx.storage.put("breaker", next);
  }

  /** May the caller submit now? */
  async admit(): Promise<Admission> {
    const now = Date.now();
    const result = admit(await this.load(now), now);
    await this.store(result.state);
    return result.admission;
  }

  /** How the caller's submissions went; a change of circuit is stored, then announced. */
  async report(
    cluster: string,
    outcome: { successes: number; failures: number; lastError: string | null },
  ): Promise<void> {
    const now = Date.now();
    const result = report(await this.load(now), outcome, now);
    await this.store(result.state);
    if (result.transition) await announceTransition(this.env, cluster, result.transition, viewOf(result.state));
  }

  /** The breaker as the API shows it. */
  async view(): Promise<BreakerView> {
    return viewOf(await this.load(Date.now()));
  }
}

function viewOf(state: BreakerState): BreakerView {
  return {
    circuit: state.circuit,
    since: new Date(state.since).toISOString(),
    lastError: state.lastError,
    consecutiveFailures: state.consecutiveFailures,
  };
}

/** The notification message of a breaker change (the NOTIFICATIONS consumer fans it out). */
async function announceTransition(
  env: Env,
  cluster: string,
  transition: Exclude<Transition, null>,
  view: BreakerView,
): Promise<void> {
  const type = transition === "down" ? "cluster.down" : "cluster.recovered";
  try {
    await publishInternalEvents(env, [
      internalEvent(`cluster:${cluster}:${type}:${view.since}`, type, "", { cluster, ...view }),
    ]);
  } catch (error) {
    log.error("announcing a cluster breaker change failed", { cluster, change: type }, error);
  }
}

/** The breaker of a cluster. */
export function breakerOf(env: Env, cluster: string): DurableObjectStub<ClusterBreaker> {
  return env.CLUSTER_BREAKER.getByName(cluster);
}
