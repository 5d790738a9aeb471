/**
 * A cluster's circuit breaker, as a pure state machine (the ClusterBreaker Durable Object holds
 * one). Closed: submits go through; after FAILURE_THRESHOLD failures in a row it opens. Open:
 * nothing is sent until the cool-down ends; then one caller gets the probe (half-open). The
 * probe's success closes the breaker; its failure opens it again, for longer.
 */
export const FAILURE_THRESHOLD = 5;
/** Cool-downs after each opening: 5 s, 10 s, 20 s, then 30 s. */
const COOLDOWNS_MS = [5_000, 10_000, 20_000, 30_000];
/** A probe that never reports back (its consumer died) frees the half-open slot after this. */
export const PROBE_LEASE_MS = 70_000;
/** While a probe is out, others ask again this soon (a successful probe closes the circuit). */
const PROBE_WAIT_MS = 5_000;

export type Circuit = "closed" | "open" | "half-open";

export interface BreakerState {
  circuit: Circuit;
  /** When the circuit last changed. */
  since: number;
  consecutiveFailures: number;
  /** How many times in a row it has opened (sets the cool-down). */
  openings: number;
  /** Open: when a probe may be sent. Half-open: when the current probe's lease ends. */
  retryAt: number;
  lastError: string | null;
}

/** What a consumer may do with its submissions to the cluster now. */
export type Admission = { mode: "send"; healthy: boolean } | { mode: "probe" } | { mode: "hold"; retryAt: number };

/** A change worth announcing (`on-cluster-down`, `on-cluster-recovered`). */
export type Transition = "down" | "recovered" | null;

export function initialState(now: number): BreakerState {
  return { circuit: "closed", since: now, consecutiveFailures: 0, openings: 0, retryAt: 0, lastError: null };
}

/** Asks to submit: closed sends, open holds until the cool-down ends, then one probe at a time. */
export function admit(state: BreakerState, now: number): { state: BreakerState; admission: Admission } {
  if (state.circuit === "closed") {
    return { state, admission: { mode: "send", healthy: state.consecutiveFailures === 0 } };
  }
  if (now < state.retryAt) {
    const retryAt = state.circuit === "half-open" ? Math.min(state.retryAt, now + PROBE_WAIT_MS) : state.retryAt;
    return { state, admission: { mode: "hold", retryAt } };
  }
  // The cool-down (or an abandoned probe's lease) is over: this caller probes.
  return {
    state: {
      ...state,
      circuit: "half-open",
      since: state.circuit === "half-open" ? state.since : now,
      retryAt: now + PROBE_LEASE_MS,
    },
    admission: { mode: "probe" },
  };
}

/** Records how submissions went: any success closes the circuit, failures count toward opening it. */
export function report(
  state: BreakerState,
  outcome: { successes: number; failures: number; lastError: string | null },
  now: number,
): { state: BreakerState; transition: Transition } {
  if (outcome.successes > 0 && state.circuit !== "closed") {
    return {
      state: {
        circuit: "closed",
        since: now,
        consecutiveFailures: 0,
        openings: 0,
        retryAt: 0,
        lastError: state.lastError,
      },
      transition: "recovered",
    };
  }
  if (outcome.successes > 0) {
    return { state: { ...state, consecutiveFailures: 0 }, transition: null };
  }
  if (outcome.failures === 0) return { state, transition: null };
  const lastError = outcome.lastError ?? state.lastError;
  if (state.circuit === "half-open") {
    // The probe failed: open again, for longer.
    return { state: open(state, now, lastError), transition: null };
  }
  if (state.circuit === "open") return { state: { ...state, lastError }, transition: null };
  const consecutiveFailures = state.consecutiveFailures + outcome.failures;
  if (consecutiveFailures >= FAILURE_THRESHOLD) {
    return { state: open({ ...state, openings: 0 }, now, lastError), transition: "down" };
  }
  return { state: { ...state, consecutiveFailures, lastError }, transition: null };
}

function open(state: BreakerState, now: number, lastError: string | null): BreakerState {
  const cooldown = COOLDOWNS_MS[Math.min(state.openings, COOLDOWNS_MS.length - 1)] ?? 30_000;
  return {
    circuit: "open",
    since: state.circuit === "open" ? state.since : now,
    consecutiveFailures: state.consecutiveFailures + 1,
    openings: state.openings + 1,
    retryAt: now + cooldown,
    lastError,
  };
}
