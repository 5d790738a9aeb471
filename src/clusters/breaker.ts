import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import { internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { listActiveWorkflows } from "./active-workflows";
import { type Admission, admit, type BreakerState, initialState, report, type Transition } from "./breaker-state";
import {
  applyList,
  type Claim,
  type ClaimAnswer,
  claim,
  initialPressure,
  needsList,
  PAUSED_RETRY_MS,
  type PressureState,
  pressureView,
  settle,
} from "./pressure-state";
import { clusterOf, loadClusters } from "./resolve";

export type { Admission } from "./breaker-state";

/** A breaker's state as the API shows it. */
export interface BreakerView {
  circuit: BreakerState["circuit"];
  since: string;
  lastError: string | null;
  consecutiveFailures: number;
  /** Active workflows hookline submitted (as last counted) and how many submissions wait for a slot. */
  pressure: ReturnType<typeof pressureView>;
}

/**
 * One cluster's circuit breaker (binding CLUSTER_BREAKER, one object per cluster name): every
 * consumer asks it before submitting and tells it how the submits went, so an outage costs the
 * cluster a few probes instead of a flood, and held submissions spend no attempts. The state is
 * stored before a change is announced (`on-cluster-down`, `on-cluster-recovered`).
 */
export class ClusterBreaker extends DurableObject<Env> {
  private state: BreakerState | null = null;
  private pressure: PressureState | null = null;
  /** A list of the cluster's workflows in flight: concurrent claims wait for the same one. */
  private listing: Promise<string | null> | null = null;

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
    const pressure = await this.loadPressure();
    return { ...viewOf(await this.load(Date.now())), pressure: pressureView(pressure) };
  }

  /**
   * The pressure state, loaded once. Stored in two parts so no write grows with a held line: the
   * granted slots and replaced claims (bounded by the caps) in one value, and the waiting line one
   * SQL row per claim — written when a claim joins or changes place, deleted when it leaves, never
   * when a held claim just asks again. The cluster's list is not stored: it is asked for again.
   */
  private async loadPressure(): Promise<PressureState> {
    if (this.pressure) return this.pressure;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS waiting (key TEXT PRIMARY KEY, claim TEXT NOT NULL) WITHOUT ROWID");
    const stored = await this.ctx.storage.get<StoredPressure>("pressure");
    // A loaded claim keeps its place for a whole WAITING_TTL_MS from now: its submission asks again within it.
    const now = Date.now();
    const waiting: PressureState["waiting"] = new Map();
    for (const row of sql.exec<{ key: string; claim: string }>("SELECT key, claim FROM waiting")) {
      waiting.set(row.key, { ...(JSON.parse(row.claim) as StoredWaiting), askedAt: now });
    }
    this.pressure = {
      ...initialPressure(),
      ...(stored ? { granted: stored.granted, superseded: stored.superseded } : {}),
      ...(stored?.freedPerSecond === undefined ? {} : { freedPerSecond: stored.freedPerSecond }),
      waiting,
    };
    return this.pressure;
  }

  /**
   * The pressure state as it is now — read synchronously, right where it is used: a value held
   * across an await may have been replaced by a concurrent claim meanwhile.
   */
  private current(): PressureState {
    return this.pressure ?? initialPressure();
  }

  private async storePressure(next: PressureState): Promise<void> {
    const before = this.pressure?.waiting ?? new Map<string, StoredWaiting>();
    this.pressure = next;
    const sql = this.ctx.storage.sql;
    for (const [key, entry] of next.waiting) {
      const known = before.get(key);
      if (known && samePlace(known, entry)) continue;
      sql.exec(
        "INSERT INTO waiting (key, claim) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET claim = ?2",
        key,
        JSON.stringify(storedWaiting(entry)),
      );
    }
    for (const key of before.keys()) if (!next.waiting.has(key)) sql.exec("DELETE FROM waiting WHERE key = ?1", key);
    const stored: StoredPressure = {
      granted: next.granted,
      superseded: next.superseded,
      ...(next.freedPerSecond === undefined ? {} : { freedPerSecond: next.freedPerSecond }),
    };
    await this.ctx.storage.put("pressure", stored);
  }

  /**
   * Slots for submissions to `cluster` under its `maxPending` and their bindings' (pressure-state.ts):
   * counted from the cluster's own list of active workflows, asked for at most every few
   * seconds whoever asks. A cluster that cannot be counted holds every claim.
   */
  async claimSlots(cluster: string, claims: Claim[]): Promise<ClaimAnswer[]> {
    const lookup = clusterOf(await loadClusters(this.env), cluster);
    const maxPending = lookup.ok ? lookup.value.maxPending : null;
    await this.loadPressure();
    let full = false;
    for (;;) {
      if (needsList(this.current(), Date.now(), full)) {
        const problem = await this.list(cluster);
        if (problem !== null)
          return claims.map(() => ({ granted: false, reason: problem, full: false, retryAfterMs: PAUSED_RETRY_MS }));
      }
      // From reading the state to replacing it nothing awaits: concurrent claims cannot both take one slot.
      const result = claim(this.current(), claims, maxPending, Date.now());
      const wantsRoom = result.answers.some((answer) => !answer.granted && "full" in answer && answer.full);
      if (wantsRoom && !full && needsList(this.current(), Date.now(), true)) {
        // No room by the count we have: count again once (a slot may have freed since), then answer.
        full = true;
        continue;
      }
      await this.storePressure(result.state);
      return result.answers;
    }
  }

  /** How granted slots' submissions went: created workflows count until listed gone, released ones free their slot. */
  async settleSlots(outcome: Parameters<typeof settle>[1]): Promise<void> {
    await this.loadPressure();
    await this.storePressure(settle(this.current(), outcome, Date.now()));
  }

  /** Counts the cluster's active workflows (one list at a time, shared by concurrent claims); a problem when it cannot. */
  private list(cluster: string): Promise<string | null> {
    this.listing ??= this.listNow(cluster).finally(() => {
      this.listing = null;
    });
    return this.listing;
  }

  private async listNow(cluster: string): Promise<string | null> {
    const lookup = clusterOf(await loadClusters(this.env), cluster);
    if (!lookup.ok) return lookup.error.message;
    const askedAt = Date.now();
    const listed = await listActiveWorkflows(lookup.value);
    if (!listed.ok) {
      log.warn("cannot count a cluster's active workflows; holding its capped submissions", {
        cluster,
        problem: listed.error.message,
      });
      return `cannot count the cluster's active workflows: ${listed.error.message}`;
    }
    await this.loadPressure();
    await this.storePressure(applyList(this.current(), listed.value, askedAt));
    return null;
  }
}

/** What the "pressure" value holds: the parts of the state that the caps bound. */
type StoredPressure = Pick<PressureState, "granted" | "superseded" | "freedPerSecond">;
type WaitingEntry = PressureState["waiting"] extends Map<string, infer W> ? W : never;
/** A waiting claim as its row holds it: all but when it last asked. */
type StoredWaiting = Omit<WaitingEntry, "askedAt">;

function storedWaiting(entry: WaitingEntry): StoredWaiting {
  const { askedAt: _, ...claim } = entry;
  return claim;
}

/** Does a claim that asked again still stand as its row says (the same claim, in the same place)? */
function samePlace(known: StoredWaiting, entry: StoredWaiting): boolean {
  return (
    known.place === entry.place &&
    known.order === entry.order &&
    known.paused === entry.paused &&
    known.bindingMax === entry.bindingMax &&
    known.supersedeKey === entry.supersedeKey &&
    known.binding === entry.binding
  );
}

function viewOf(state: BreakerState): Omit<BreakerView, "pressure"> {
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
  view: Omit<BreakerView, "pressure">,
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
