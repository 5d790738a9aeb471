import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyList,
  type Claim,
  claim,
  initialPressure,
  LIST_TTL_MS,
  needsList,
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

function claimOf(index: number, binding: string, paused = false): Claim {
  const name = `wf-${String(index).padStart(4, "0")}`;
  return { namespace: "team", name, binding, order: name, bindingMax: BINDING_MAX[binding] ?? null, paused };
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
    expect(first.answers[0]).toMatchObject({ reason: "binding a is paused" });
    // Resumed: the later claim waits while the older one (still asking) has not come back.
    const later = claim(first.state, [claimOf(2, "a")], CLUSTER_MAX, 20);
    expect(later.answers).toEqual([{ granted: false, reason: expect.stringContaining("earlier event"), full: false }]);
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
