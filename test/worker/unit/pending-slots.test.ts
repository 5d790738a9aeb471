import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyList,
  type Claim,
  claim,
  initialPressure,
  LIST_TTL_MS,
  MAX_RETRY_MS,
  MIN_RETRY_MS,
  needsList,
  PAUSED_RETRY_MS,
  type PressureState,
  settle,
  WAITING_TTL_MS,
} from "../../../src/clusters/pressure-state";

// The pending-slot rules (clusters/pressure-state.ts) against a simulated cluster: whatever the
// interleaving of arrivals, retries, submissions (some failing), completions and lists, the
// cluster never runs more of hookline's workflows than its cap or a binding's, held claims get
// their slots oldest first, and nothing waits forever once workflows complete.

interface Sim {
  now: number;
  state: PressureState;
  /** The cluster's truth: workflow name → binding, while it runs. */
  running: Map<string, string>;
  /** Granted, not yet submitted. */
  inFlight: Claim[];
  /** Asked, not granted yet. */
  held: Claim[];
  granted: string[];
  /** Grants that took a slot an older claim of the binding, still waiting, needed. */
  overtaken: string[];
  maxRunning: number;
  maxByBinding: Map<string, number>;
}

const CLUSTER_MAX = 5;
const BINDING_MAX: Record<string, number | null> = { a: 2, b: null };

function claimOf(index: number, binding: string, paused = false, supersedeKey: string | null = null): Claim {
  const name = `wf-${String(index).padStart(4, "0")}`;
  return {
    namespace: "team",
    name,
    binding,
    order: name,
    bindingMax: BINDING_MAX[binding] ?? null,
    paused,
    supersedeKey,
  };
}

function ask(sim: Sim, claims: Claim[]): void {
  if (claims.length === 0) return;
  if (needsList(sim.state, sim.now)) {
    const active = [...sim.running].map(([name, binding]) => ({ namespace: "team", name, binding }));
    sim.state = applyList(sim.state, active, sim.now);
  }
  const result = claim(sim.state, claims, CLUSTER_MAX, sim.now);
  sim.state = result.state;
  for (const [index, request] of claims.entries()) {
    const cap = request.bindingMax;
    if (!result.answers[index]?.granted || cap === null) continue;
    const ofBinding = (entry: { binding: string }) => entry.binding === request.binding;
    const active = [...sim.state.listed.values(), ...sim.state.granted.values()].filter(ofBinding).length;
    const older = [...sim.state.waiting.values()].filter((entry) => ofBinding(entry) && entry.order < request.order);
    if (active + older.length > cap) sim.overtaken.push(request.name);
  }
  claims.forEach((request, index) => {
    const answer = result.answers[index];
    sim.held = sim.held.filter((other) => other.name !== request.name);
    if (answer?.granted) {
      sim.inFlight.push(request);
      sim.granted.push(request.name);
    } else sim.held.push(request);
  });
}

function observe(sim: Sim): void {
  sim.maxRunning = Math.max(sim.maxRunning, sim.running.size);
  for (const binding of Object.keys(BINDING_MAX)) {
    const count = [...sim.running.values()].filter((other) => other === binding).length;
    sim.maxByBinding.set(binding, Math.max(sim.maxByBinding.get(binding) ?? 0, count));
  }
}

type Step =
  | { kind: "arrive"; binding: "a" | "b" }
  | { kind: "retry" }
  | { kind: "submit"; fails: boolean }
  | { kind: "complete" }
  | { kind: "listStart" }
  | { kind: "listEnd" }
  | { kind: "wait"; ms: number };

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("arrive" as const), binding: fc.constantFrom("a" as const, "b" as const) }),
    fc.record({ kind: fc.constant("retry" as const) }),
    fc.record({ kind: fc.constant("submit" as const), fails: fc.boolean() }),
    fc.record({ kind: fc.constant("complete" as const) }),
    fc.record({ kind: fc.constant("listStart" as const) }),
    fc.record({ kind: fc.constant("listEnd" as const) }),
    fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 100, max: 2 * LIST_TTL_MS }) }),
  ),
  { minLength: 20, maxLength: 200 },
);

function run(sequence: readonly Step[]): Sim {
  const sim: Sim = {
    now: 1_000_000,
    state: initialPressure(),
    running: new Map(),
    inFlight: [],
    held: [],
    granted: [],
    overtaken: [],
    maxRunning: 0,
    maxByBinding: new Map(),
  };
  let arrivals = 0;
  // A list the cluster is still answering: what it saw, and when it was asked.
  let listing: { active: Array<{ namespace: string; name: string; binding: string }>; at: number } | null = null;
  for (const step of sequence) {
    sim.now += 10;
    if (step.kind === "arrive") ask(sim, [claimOf(arrivals++, step.binding)]);
    else if (step.kind === "retry")
      ask(
        sim,
        [...sim.held].sort((x, y) => (x.order < y.order ? -1 : 1)),
      );
    else if (step.kind === "submit") {
      const next = sim.inFlight.shift();
      if (next) {
        if (step.fails) sim.state = settle(sim.state, { created: [], released: [next] }, sim.now);
        else {
          sim.running.set(next.name, next.binding);
          sim.state = settle(sim.state, { created: [next], released: [] }, sim.now);
        }
      }
    } else if (step.kind === "listStart") {
      listing = {
        active: [...sim.running].map(([name, binding]) => ({ namespace: "team", name, binding })),
        at: sim.now,
      };
    } else if (step.kind === "listEnd") {
      if (listing) sim.state = applyList(sim.state, listing.active, listing.at);
      listing = null;
    } else if (step.kind === "complete") {
      const oldest = [...sim.running.keys()].sort()[0];
      if (oldest) sim.running.delete(oldest);
    } else {
      // Time passes; held submissions come back from the queue and ask again.
      sim.now += step.ms;
      ask(
        sim,
        [...sim.held].sort((x, y) => (x.order < y.order ? -1 : 1)),
      );
    }
    observe(sim);
  }
  return sim;
}

describe("pending slots", () => {
  it("never lets the cluster run more than its cap, nor a binding more than its own", () => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const sim = run(sequence);
        expect(sim.maxRunning).toBeLessThanOrEqual(CLUSTER_MAX);
        expect(sim.maxByBinding.get("a") ?? 0).toBeLessThanOrEqual(BINDING_MAX.a ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it("never lets a younger claim take the slot an older one of its binding, still waiting, needs", () => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const sim = run(sequence);
        expect(sim.overtaken).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("drains: once workflows complete, every held claim gets a slot", () => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const sim = run(sequence);
        for (let round = 0; round < 500 && (sim.held.length > 0 || sim.inFlight.length > 0); round += 1) {
          sim.running.clear();
          sim.now += LIST_TTL_MS;
          while (sim.inFlight.length > 0) {
            const next = sim.inFlight.shift() as Claim;
            sim.state = settle(sim.state, { created: [next], released: [] }, sim.now);
          }
          ask(sim, [...sim.held]);
        }
        expect(sim.held).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("a paused binding's claims keep their places and get nothing; others are not blocked by them", () => {
    let state = initialPressure();
    state = applyList(state, [], 0);
    const paused = [claimOf(1, "a", true), claimOf(2, "a", true)];
    const first = claim(state, [...paused, claimOf(3, "b")], CLUSTER_MAX, 10);
    expect(first.answers.map((answer) => answer.granted)).toEqual([false, false, true]);
    expect(first.answers[0]).toMatchObject({ reason: "binding a is paused", retryAfterMs: PAUSED_RETRY_MS });
    // Resumed: the later claim waits while the older one (still asking) has not come back.
    const later = claim(first.state, [claimOf(2, "a")], CLUSTER_MAX, 20);
    expect(later.answers).toEqual([
      { granted: false, reason: expect.stringContaining("earlier events"), full: false, retryAfterMs: MIN_RETRY_MS },
    ]);
    const older = claim(first.state, [claimOf(1, "a"), claimOf(2, "a")], CLUSTER_MAX, 20);
    expect(older.answers).toEqual([{ granted: true }, { granted: true }]);
    // An older claim that stopped asking gives up its place after WAITING_TTL_MS.
    const abandoned = claim(first.state, [claimOf(2, "a")], CLUSTER_MAX, 10 + WAITING_TTL_MS);
    expect(abandoned.answers).toEqual([{ granted: true }]);
  });

  it("a list asked for before a workflow was created does not forget it", () => {
    let state = applyList(initialPressure(), [], 0);
    const listAskedAt = 100;
    const first = claim(state, [claimOf(1, "b")], 1, 101);
    state = settle(first.state, { created: [claimOf(1, "b")], released: [] }, 102);
    // The list left before the workflow existed, and comes back without it.
    state = applyList(state, [], listAskedAt);
    expect(claim(state, [claimOf(2, "b")], 1, 103).answers[0]?.granted).toBe(false);
    // A list asked for after its creation that does not show it: it has completed.
    state = applyList(state, [], 104);
    expect(claim(state, [claimOf(2, "b")], 1, 105).answers[0]?.granted).toBe(true);
  });

  it("supersede: while held, only the newest claim of a key keeps a place — the oldest one's", () => {
    let state = applyList(initialPressure(), [{ namespace: "team", name: "running", binding: "a" }], 0);
    // Binding a (cap 2) is full; three events of key "main" and one of "dev" wait.
    state = claim(state, [claimOf(90, "a")], CLUSTER_MAX, 1).state;
    const first = claim(state, [claimOf(1, "a", false, "main"), claimOf(2, "a", false, "dev")], CLUSTER_MAX, 2);
    expect(first.answers.map((answer) => answer.granted)).toEqual([false, false]);
    const newer = claim(first.state, [claimOf(3, "a", false, "main")], CLUSTER_MAX, 3);
    expect(newer.answers[0]?.granted).toBe(false);
    // The replaced claim hears it was superseded, naming the newer event; an older one arriving late too.
    const replaced = claim(newer.state, [claimOf(1, "a", false, "main")], CLUSTER_MAX, 4);
    expect(replaced.answers[0]).toMatchObject({ granted: false, supersededBy: "wf-0003" });
    const late = claim(replaced.state, [claimOf(0, "a", false, "main")], CLUSTER_MAX, 5);
    expect(late.answers[0]).toMatchObject({ granted: false, supersededBy: "wf-0003" });
    // A slot frees: the newest "main" event goes first, in the superseded one's place (ahead of "dev").
    const freed = applyList(settle(late.state, { created: [], released: [claimOf(90, "a")] }, 6), [], 6);
    const next = claim(freed, [claimOf(2, "a", false, "dev"), claimOf(3, "a", false, "main")], 1, 7);
    expect(next.answers).toEqual([
      { granted: false, reason: expect.any(String), full: true, retryAfterMs: MIN_RETRY_MS },
      { granted: true },
    ]);
  });

  it("supersede: a replaced claim that asks again late (held by the breaker, a backlog) still hears it, once the newer one was sent", () => {
    let state = applyList(initialPressure(), [{ namespace: "team", name: "running", binding: "a" }], 0);
    // Binding a (cap 2) is full; event 1 of key "main" waits, event 3 of the key replaces it.
    state = claim(state, [claimOf(90, "a")], CLUSTER_MAX, 1).state;
    state = claim(state, [claimOf(1, "a", false, "main")], CLUSTER_MAX, 2).state;
    state = claim(state, [claimOf(3, "a", false, "main")], CLUSTER_MAX, 3).state;
    // A slot frees; event 3 takes it and is sent.
    state = settle(state, { created: [], released: [claimOf(90, "a")] }, 4);
    const sent = claim(state, [claimOf(3, "a", false, "main")], CLUSTER_MAX, 5);
    expect(sent.answers[0]?.granted).toBe(true);
    state = settle(sent.state, { created: [claimOf(3, "a")], released: [] }, 6);
    // A minute later (the cluster's breaker held event 1 meanwhile) event 1 asks again: superseded, not sent after 3.
    const late = claim(state, [claimOf(1, "a", false, "main")], CLUSTER_MAX, 60_000);
    expect(late.answers[0]).toMatchObject({ granted: false, supersededBy: "wf-0003" });
    // Told, it is forgotten soon after (the record does not outlive the claim that needed it).
    const later = claim(late.state, [claimOf(7, "b")], CLUSTER_MAX, 60_000 + WAITING_TTL_MS);
    expect(later.state.superseded.size).toBe(0);
  });

  it("held claims ask again about when their place comes up: later places later, never past the cap", () => {
    const running = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ namespace: "team", name: `run-${index}`, binding: "b" }));
    // Ten run; a second later five have ended; another second, one more: 0.7 × 5 + 0.3 × 1 a second.
    let state = applyList(initialPressure(), running(10), 1_000);
    expect(claim(state, [claimOf(1, "b"), claimOf(2, "b")], 0, 1_001).answers).toEqual([
      expect.objectContaining({ retryAfterMs: MIN_RETRY_MS }),
      expect.objectContaining({ retryAfterMs: MIN_RETRY_MS }),
    ]);
    state = applyList(applyList(state, running(10).slice(5), 2_000), running(10).slice(6), 3_000);
    expect(state.freedPerSecond).toBeCloseTo(3.8);
    const line = Array.from({ length: 40 }, (_, index) => claimOf(index + 1, "b"));
    const answers = claim(state, line, 4, 3_001).answers;
    const waits = answers.map((answer) => ("retryAfterMs" in answer ? answer.retryAfterMs : 0));
    expect(waits[0]).toBe(MIN_RETRY_MS);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    // The tenth in line: nine ahead at 3.8 a second, asked again a little before its turn.
    expect(waits[9]).toBeCloseTo((9 / 3.8) * 800);
    expect(waits[39]).toBeCloseTo((39 / 3.8) * 800);
    // A slow cluster (one ended in ten seconds): far places ask again at most every MAX_RETRY_MS.
    const slow = applyList(applyList(initialPressure(), running(4), 1), running(4).slice(1), 10_001);
    const far = claim(slow, line, 3, 10_002).answers.map((answer) =>
      "retryAfterMs" in answer ? answer.retryAfterMs : 0,
    );
    expect(far[39]).toBe(MAX_RETRY_MS);
    state = applyList(state, running(10).slice(7), 4_000);
    expect(claim(state, [claimOf(1, "b")], 4, 4_001).answers).toEqual([{ granted: true }]);
  });

  it("a redelivered claim that already holds a slot, or whose workflow runs, is not counted twice", () => {
    let state = applyList(initialPressure(), [{ namespace: "team", name: "wf-0001", binding: "b" }], 0);
    const once = claim(state, [claimOf(2, "b")], 2, 10);
    expect(once.answers).toEqual([{ granted: true }]);
    state = once.state;
    const again = claim(state, [claimOf(1, "b"), claimOf(2, "b")], 2, 20);
    expect(again.answers).toEqual([{ granted: true }, { granted: true }]);
    const third = claim(again.state, [claimOf(3, "b")], 2, 30);
    expect(third.answers[0]?.granted).toBe(false);
  });
});
