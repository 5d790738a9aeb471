/**
 * A cluster's pending slots, as a pure state machine (the cluster's ClusterBreaker Durable Object
 * holds one): how many workflows hookline submitted that the cluster still runs, against the
 * cluster's `maxPending` and each binding's. Consumers claim a slot per submission; a claim that
 * would go over a cap is held, in arrival order — an older submission still waiting (asked within
 * WAITING_TTL_MS) keeps its place ahead of younger ones, so a burst drains first come, first
 * served, and a paused binding's submissions are released in the order they arrived.
 *
 * What counts as active: the last list of the cluster's own answer (LIST_TTL_MS old at most),
 * plus slots granted since that the list cannot show yet. A granted slot ends when the list
 * shows the workflow (it is then counted from the list), when its submission failed (released),
 * or when a list taken after its submission no longer shows it (it completed in between).
 */

/** A list of the cluster's active workflows is reused this long… */
export const LIST_TTL_MS = 3_000;
/** …unless a claim finds no room: then a list this old is asked for again (a slot may have freed). */
export const RELIST_WHEN_FULL_MS = 500;
/** A held claim keeps its place this long after it last asked (held claims ask again sooner). */
export const WAITING_TTL_MS = 30_000;
/** A granted slot whose submission never reported back is forgotten after this. */
export const GRANT_TTL_MS = 120_000;
/** A held claim asks again no sooner than this… */
export const MIN_RETRY_MS = 1_000;
/** …and no later than this (well within WAITING_TTL_MS, so it keeps its place). */
export const MAX_RETRY_MS = 20_000;
/** A paused binding's claims ask again this often. */
export const PAUSED_RETRY_MS = 5_000;
/**
 * A superseded claim is remembered this long for its event to hear it: the event may ask again
 * much later than its retry (held by the cluster's breaker meanwhile, or behind a queue backlog),
 * and by then the newer event may have been sent. Once told, it is forgotten after WAITING_TTL_MS.
 */
export const SUPERSEDED_TTL_MS = 10 * 60_000;

/** One submission asking for a slot. */
export interface Claim {
  /** The workflow's namespace and name (deterministic: a redelivered event claims the same). */
  namespace: string;
  name: string;
  binding: string;
  /** The event's id: arrival order (ULIDs sort by time). */
  order: string;
  /** The binding's cap (null: none). */
  bindingMax: number | null;
  /** The binding is paused: the claim keeps its place but gets no slot. */
  paused: boolean;
  /**
   * The binding's `supersede.key` for this event (null: none): while claims wait, only the newest
   * of a key keeps its place (it takes the oldest one's place in line); the others are superseded.
   */
  supersedeKey: string | null;
}

export interface Granted {
  namespace: string;
  binding: string;
  at: number;
  /** When its submission reported that it created the workflow. */
  createdAt: number | null;
}

interface Waiting extends Claim {
  /** Its place in line: its own event's id, or that of the oldest claim of its key it superseded. */
  place: string;
  askedAt: number;
}

export interface PressureState {
  /** The cluster's active workflows at `listedAt` (keys `namespace/name`), with their bindings. */
  listed: Map<string, { namespace: string; binding: string }>;
  /** When the list was asked for (0: never). */
  listedAt: number;
  granted: Map<string, Granted>;
  waiting: Map<string, Waiting>;
  /** Claims a newer one of their key replaced while they waited: by which event, when, and when it was last told. */
  superseded: Map<string, { by: string; at: number; toldAt?: number }>;
  /** How fast the cluster's counted workflows end (per second, smoothed over lists): how soon a place in line comes up. */
  freedPerSecond?: number;
}

/**
 * What a claim got: a slot; held and why (`full`: for want of room, which a fresh count may
 * find); or superseded by a newer event of its key (it will not submit).
 */
export type ClaimAnswer =
  | { granted: true }
  | { granted: false; reason: string; full: boolean; retryAfterMs: number }
  | { granted: false; supersededBy: string; reason: string };

export function initialPressure(): PressureState {
  return { listed: new Map(), listedAt: 0, granted: new Map(), waiting: new Map(), superseded: new Map() };
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
const bindingKey = (namespace: string, binding: string) => `${namespace}/${binding}`;

/** Does the state need a fresh list before answering (`full`: the last answer found no room)? */
export function needsList(state: PressureState, now: number, full = false): boolean {
  return now - state.listedAt >= (full ? RELIST_WHEN_FULL_MS : LIST_TTL_MS);
}

/**
 * Takes a list the cluster answered (asked for at `askedAt`): listed workflows replace the slots
 * granted for them; a slot whose workflow was created before the list was asked for and is not
 * listed has completed; unreported slots expire.
 */
export function applyList(
  state: PressureState,
  active: ReadonlyArray<{ namespace: string; name: string; binding: string }>,
  askedAt: number,
): PressureState {
  const listed = new Map(active.map((workflow) => [keyOf(workflow.namespace, workflow.name), workflow]));
  const granted = new Map<string, Granted>();
  let freed = 0;
  for (const key of state.listed.keys()) if (!listed.has(key)) freed += 1;
  for (const [key, slot] of state.granted) {
    if (listed.has(key)) continue;
    if (slot.createdAt !== null && slot.createdAt < askedAt) {
      freed += 1;
      continue;
    }
    if (slot.createdAt === null && askedAt - slot.at > GRANT_TTL_MS) continue;
    granted.set(key, slot);
  }
  const seconds = (askedAt - state.listedAt) / 1000;
  let freedPerSecond = state.freedPerSecond;
  if (state.listedAt > 0 && seconds > 0) {
    const sample = freed / seconds;
    freedPerSecond = freedPerSecond === undefined ? sample : 0.7 * freedPerSecond + 0.3 * sample;
  }
  return { ...state, listed, listedAt: askedAt, granted, ...(freedPerSecond === undefined ? {} : { freedPerSecond }) };
}

/** The active count over the cluster and by binding: listed plus granted (each workflow once). */
function counts(state: PressureState): { total: number; byBinding: Map<string, number> } {
  const byBinding = new Map<string, number>();
  const add = (namespace: string, binding: string) => {
    const key = bindingKey(namespace, binding);
    byBinding.set(key, (byBinding.get(key) ?? 0) + 1);
  };
  for (const workflow of state.listed.values()) add(workflow.namespace, workflow.binding);
  for (const slot of state.granted.values()) add(slot.namespace, slot.binding);
  return { total: state.listed.size + state.granted.size, byBinding };
}

/**
 * Answers `claims` against the caps: every claim joins the waiting line (or refreshes its place);
 * the line is walked oldest first, granting while there is room. A claim blocked by the cluster's
 * cap blocks everyone behind it; one blocked by its binding's cap (or paused) blocks only its
 * binding's later claims. Claims of others still waiting keep their slots reserved.
 */
export function claim(
  state: PressureState,
  claims: readonly Claim[],
  clusterMax: number | null,
  now: number,
): { state: PressureState; answers: ClaimAnswer[] } {
  const waiting = new Map<string, Waiting>();
  for (const [key, entry] of state.waiting) if (now - entry.askedAt < WAITING_TTL_MS) waiting.set(key, entry);
  const superseded = new Map<string, { by: string; at: number; toldAt?: number }>();
  for (const [key, entry] of state.superseded ?? []) {
    const kept = entry.toldAt === undefined ? now - entry.at < SUPERSEDED_TTL_MS : now - entry.toldAt < WAITING_TTL_MS;
    if (kept) superseded.set(key, entry);
  }
  const asking = new Set<string>();
  const answers = new Map<string, ClaimAnswer>();
  for (const request of claims) {
    const key = keyOf(request.namespace, request.name);
    // Already holding a slot (a redelivery of a granted claim), or already running: nothing new to count.
    if (state.granted.has(key) || state.listed.has(key)) continue;
    const replaced = superseded.get(key);
    if (replaced) {
      superseded.set(key, { ...replaced, toldAt: now });
      answers.set(key, supersededAnswer(replaced.by));
      continue;
    }
    const known = waiting.get(key);
    const entry: Waiting = { ...request, place: known?.place ?? request.order, askedAt: now };
    const other = request.supersedeKey === null ? undefined : sameKey(waiting, entry);
    if (other && other.order > entry.order) {
      // A newer event of the key already waits: this one will not submit.
      waiting.delete(key);
      superseded.set(key, { by: other.order, at: now, toldAt: now });
      answers.set(key, supersededAnswer(other.order));
      continue;
    }
    if (other) {
      // This event replaces an older one of its key, in the older one's place.
      waiting.delete(keyOf(other.namespace, other.name));
      superseded.set(keyOf(other.namespace, other.name), { by: entry.order, at: now });
      if (other.place < entry.place) entry.place = other.place;
    }
    asking.add(key);
    waiting.set(key, entry);
  }
  const granted = new Map(state.granted);
  const { total, byBinding } = counts(state);
  let active = total;
  let clusterBlocked: string | null = null;
  /** Bindings whose later claims wait behind an earlier one: why, and whether for want of room. */
  const bindingBlocked = new Map<string, { reason: string; full: boolean }>();
  // Held claims ask again about when their place in line comes up (none sooner than MIN_RETRY_MS;
  // all of them soon while the cluster's pace is not known yet).
  const rate = state.freedPerSecond === undefined ? Number.POSITIVE_INFINITY : Math.max(state.freedPerSecond, 0.05);
  let heldAhead = 0;
  const line = [...waiting.entries()].sort(([, a], [, b]) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
  for (const [key, entry] of line) {
    const binding = bindingKey(entry.namespace, entry.binding);
    const bindingActive = byBinding.get(binding) ?? 0;
    const behind = bindingBlocked.get(binding);
    let reason: string | null = null;
    let full = false;
    if (entry.paused) {
      reason = `binding ${entry.binding} is paused`;
      bindingBlocked.set(binding, {
        reason: `binding ${entry.binding} was paused; its earlier events are released first`,
        full: false,
      });
    } else {
      reason = clusterBlocked ?? behind?.reason ?? null;
      full = clusterBlocked !== null || behind?.full === true;
    }
    if (reason === null && clusterMax !== null && active >= clusterMax) {
      reason = `the cluster runs its maxPending of ${clusterMax} workflows`;
      clusterBlocked = reason;
      full = true;
    }
    if (reason === null && entry.bindingMax !== null && bindingActive >= entry.bindingMax) {
      reason = `binding ${entry.binding} runs its maxPending of ${entry.bindingMax} workflows`;
      bindingBlocked.set(binding, { reason, full: true });
      full = true;
    }
    if (reason !== null) {
      const waitsForRoom = full && !entry.paused;
      // Paused: ask now and then. Behind an earlier paused event: soon (it comes back within PAUSED_RETRY_MS).
      const retryAfterMs = waitsForRoom
        ? Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, (heldAhead / rate) * 800))
        : entry.paused
          ? PAUSED_RETRY_MS
          : MIN_RETRY_MS;
      if (waitsForRoom) heldAhead += 1;
      if (asking.has(key)) answers.set(key, { granted: false, reason, full: waitsForRoom, retryAfterMs });
      continue;
    }
    // Room: the oldest claim takes it — the caller's now, or another's kept for when it asks again.
    active += 1;
    byBinding.set(binding, bindingActive + 1);
    if (asking.has(key)) {
      waiting.delete(key);
      granted.set(key, { namespace: entry.namespace, binding: entry.binding, at: now, createdAt: null });
      answers.set(key, { granted: true });
    }
  }
  return {
    state: { ...state, waiting, granted, superseded },
    answers: claims.map((request) => answers.get(keyOf(request.namespace, request.name)) ?? { granted: true }),
  };
}

/** Another waiting claim of the same binding and supersede key, if any. */
function sameKey(waiting: ReadonlyMap<string, Waiting>, entry: Waiting): Waiting | undefined {
  for (const other of waiting.values()) {
    if (other.name === entry.name && other.namespace === entry.namespace) continue;
    const sameBinding = other.namespace === entry.namespace && other.binding === entry.binding;
    if (sameBinding && other.supersedeKey === entry.supersedeKey) return other;
  }
  return undefined;
}

const supersededAnswer = (by: string): ClaimAnswer => ({
  granted: false,
  supersededBy: by,
  reason: `superseded by event ${by}, a newer event with the same key, while both were held`,
});

/**
 * How the submissions of granted slots went: `created` workflows are counted until a later list
 * shows them gone; `released` ones (the submit failed, or the event no longer wants the slot)
 * free their slot, and their place in line.
 */
export function settle(
  state: PressureState,
  outcome: {
    created: ReadonlyArray<{ namespace: string; name: string }>;
    released: ReadonlyArray<{ namespace: string; name: string }>;
  },
  now: number,
): PressureState {
  const granted = new Map(state.granted);
  const waiting = new Map(state.waiting);
  for (const workflow of outcome.created) {
    const key = keyOf(workflow.namespace, workflow.name);
    const slot = granted.get(key);
    if (slot) granted.set(key, { ...slot, createdAt: now });
  }
  for (const workflow of outcome.released) {
    const key = keyOf(workflow.namespace, workflow.name);
    granted.delete(key);
    waiting.delete(key);
  }
  return { ...state, granted, waiting };
}

/** The cluster's pressure as its status shows it: active as last counted, claims waiting, when counted. */
export function pressureView(state: PressureState): { active: number; held: number; countedAt: string | null } {
  return {
    active: counts(state).total,
    held: state.waiting.size,
    countedAt: state.listedAt === 0 ? null : new Date(state.listedAt).toISOString(),
  };
}
