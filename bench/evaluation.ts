// Binding evaluation benchmarks, timed from outside workerd (its clock stands still while code
// runs): the consumer's code path against a loop over one compiled selector, and a namespace of
// 1,000 bindings with and without the prefilter index.
import { readdirSync, readFileSync } from "node:fs";
import type { RunningWorker } from "../scripts/lib/local-worker.ts";
import { type BenchRow, fmt, median } from "./lib.ts";

const REPEAT = 5;

async function timeCall(worker: RunningWorker, path: string): Promise<{ ms: number; body: Record<string, number> }> {
  const started = performance.now();
  const response = await fetch(`${worker.url}${path}`);
  const body = (await response.json()) as Record<string, number>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

/** Median wall time of a call, minus the median time of a call that does nothing. */
async function measure(worker: RunningWorker, path: string): Promise<{ ms: number; body: Record<string, number> }> {
  await timeCall(worker, path); // warm: compile, JIT
  const noop: number[] = [];
  const runs: number[] = [];
  let body: Record<string, number> = {};
  for (let i = 0; i < REPEAT; i++) {
    noop.push((await timeCall(worker, "/bench/eval/noop")).ms);
    const run = await timeCall(worker, path);
    runs.push(run.ms);
    body = run.body;
  }
  return { ms: Math.max(0.001, median(runs) - median(noop)), body };
}

export async function benchEvaluation(worker: RunningWorker): Promise<BenchRow[]> {
  const loop = await measure(worker, "/bench/eval/loop?bindings=100&events=200");
  const loopN = loop.body.evaluations ?? 1;
  const loopPerSecond = (loopN / loop.ms) * 1000;
  const loopMicros = (loop.ms * 1000) / loopN;

  // Every binding evaluated (no prefilter): the consumer's per-binding cost.
  const all = await measure(worker, "/bench/eval/consumer?bindings=100&events=200&prefilter=0");
  const perBindingMicros = (all.ms * 1000) / (all.body.evaluations ?? 1);
  const costRatio = perBindingMicros / loopMicros;
  const perSecond = (all.body.evaluations ?? 0) / (all.ms / 1000);

  const rows: BenchRow[] = [
    {
      what: "selector evaluation in the consumer's code path (100 bindings × 200 events, no prefilter; one selector in ten uses a regex)",
      baseline: `plain JSONata, the same selectors and events in a loop: ${fmt(loopPerSecond)}/s (${fmt(loopMicros, 1)} µs each)`,
      result: `${fmt(perSecond)} binding evaluations/s (${fmt(perBindingMicros, 1)} µs each) → **${fmt(costRatio, 2)}×** the loop's cost`,
      target: "≤ 1.5× the loop's cost, with the RE2 engine in place",
      met: costRatio <= 1.5,
    },
  ];

  const perEvent: Record<number, number> = {};
  for (const bindings of [1, 100, 1000]) {
    const events = bindings === 1000 ? 500 : 1000;
    const run = await measure(worker, `/bench/eval/consumer?bindings=${bindings}&events=${events}`);
    perEvent[bindings] = run.ms / events;
    console.log(
      `${bindings} bindings: ${fmt(run.ms / events, 3)} ms/event, ${run.body.evaluations} evaluations for ${events} events`,
    );
  }
  const everyBinding = await measure(worker, "/bench/eval/consumer?bindings=1000&events=50&prefilter=0");
  const fullMs = everyBinding.ms / 50;
  const indexedMs = perEvent[1000] ?? Number.POSITIVE_INFINITY;
  rows.push({
    what: "one event in a namespace of 1,000 bindings (typical selectors; 2% not indexable)",
    baseline: `evaluating every binding's selector: ${fmt(fullMs, 2)} ms/event`,
    result: `with the prefilter index: **${fmt(indexedMs, 3)} ms/event** (1 binding: ${fmt(perEvent[1] ?? 0, 3)} ms, 100: ${fmt(perEvent[100] ?? 0, 3)} ms)`,
    target: "≤ 1 ms/event",
    met: indexedMs <= 1,
  });
  return rows;
}

/**
 * The evil-regex corpus (test/support/evil-regex.ts) × 20 KB inputs, in `$contains`, `$match`
 * and `$replace`: each evaluation, timed from outside minus an empty call, must stay within
 * about 20 ms — RE2 is linear, and the work budget stops whatever would run longer.
 */
export async function benchEvilRegex(worker: RunningWorker): Promise<BenchRow[]> {
  const { EVIL_PATTERNS, EVIL_INPUTS } = await import("../test/support/evil-regex.ts");
  const times: number[] = [];
  const outcomes = new Map<string, number>();
  let worst = { ms: 0, what: "" };
  for (const [pattern, source] of EVIL_PATTERNS.entries()) {
    for (const input of EVIL_INPUTS.keys()) {
      for (const form of ["contains", "match", "replace"]) {
        const path = `/bench/eval/evil?pattern=${pattern}&input=${input}&form=${form}`;
        const { ms, body } = await measure(worker, path);
        times.push(ms);
        const outcome = String((body as unknown as { outcome: string }).outcome);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (ms > worst.ms) worst = { ms, what: `$${form}(…, /${source.slice(0, 30)}/) on input ${input}` };
      }
    }
  }
  const max = Math.max(...times);
  console.log(
    `evil regex: ${times.length} evaluations, median ${fmt(median(times), 2)} ms, max ${fmt(max, 2)} ms (${worst.what}); ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  return [
    {
      what: `evil regex corpus (${EVIL_PATTERNS.length} patterns × ${EVIL_INPUTS.length} inputs of 20 KB × $contains/$match/$replace)`,
      baseline: "a backtracking engine: seconds to minutes per evaluation (exponential)",
      result: `median ${fmt(median(times), 2)} ms, **max ${fmt(max, 1)} ms** per evaluation (${[...outcomes].map(([k, v]) => `${v} ${k}`).join(", ")})`,
      target: "each evaluation ≤ 20 ms",
      met: max <= 20,
    },
    await benchMemoryHungry(worker),
  ];
}

/** The resident memory of the workerd processes `npm start` runs (VmRSS, in MB), from /proc. */
function workerdRssMb(worker: RunningWorker): number {
  let kilobytes = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // pid (comm) state ppid pgrp …: comm may hold spaces, so read from its closing parenthesis.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (comm !== "workerd" || group !== worker.processGroup) continue;
      kilobytes += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // the process ended while we looked
    }
  }
  return kilobytes / 1024;
}

/**
 * The memory-hungry corpus (test/support/memory-corpus.ts): every growing JSONata built-in, expr
 * helper and template function asked to build far past the memory budget. workerd's resident
 * memory is read before and after one pass over the corpus (target: < 50 MB growth), then each
 * case is timed from outside, minus an empty call (target: refused within 50 ms); the memory
 * after those timing passes (six more runs of each case) is reported too.
 */
async function benchMemoryHungry(worker: RunningWorker): Promise<BenchRow> {
  const { EXPRESSION_CASES, TEMPLATE_CASES } = await import("../test/support/memory-corpus.ts");
  const cases = [
    ...EXPRESSION_CASES.map((entry, index) => ({ path: `/bench/eval/memory?kind=expression&case=${index}`, entry })),
    ...TEMPLATE_CASES.map((entry, index) => ({ path: `/bench/eval/memory?kind=template&case=${index}`, entry })),
  ];
  await timeCall(worker, "/bench/eval/noop");
  const before = workerdRssMb(worker);
  const outcomes = new Map<string, number>();
  for (const { path } of cases) {
    const outcome = String((await timeCall(worker, path)).body.outcome);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const afterOnePass = workerdRssMb(worker);
  const times: number[] = [];
  let worst = { ms: 0, what: "" };
  for (const { path, entry } of cases) {
    const { ms } = await measure(worker, path);
    times.push(ms);
    if (ms > worst.ms) worst = { ms, what: `${entry.names}: ${entry.hungry.slice(0, 60)}` };
  }
  const afterTiming = workerdRssMb(worker);
  const growth = afterOnePass - before;
  const max = Math.max(...times);
  console.log(
    `memory-hungry: ${cases.length} cases, median ${fmt(median(times), 2)} ms, max ${fmt(max, 2)} ms (${worst.what}); workerd RSS ${fmt(before, 1)} → ${fmt(afterOnePass, 1)} MB over one pass, ${fmt(afterTiming, 1)} MB after six more; ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  return {
    what: `memory-hungry corpus (${EXPRESSION_CASES.length} expressions, ${TEMPLATE_CASES.length} templates: every growing built-in)`,
    baseline: 'unbounded: `$pad("", 3e7)` 7.5 s and ~680 MB; a doubled string 13.7 s and ~900 MB',
    result: `median ${fmt(median(times), 2)} ms, **max ${fmt(max, 1)} ms** to refusal (${[...outcomes].map(([k, v]) => `${v} ${k}`).join(", ")}); workerd RSS ${fmt(before, 0)} → ${fmt(afterOnePass, 0)} MB over the corpus (**${growth >= 0 ? "+" : ""}${fmt(growth, 1)} MB**; ${fmt(afterTiming, 0)} MB after six more passes)`,
    target: "each refused ≤ 50 ms; workerd RSS growth < 50 MB over the corpus",
    met: max <= 50 && growth < 50 && outcomes.size === 1 && outcomes.has("budget"),
  };
}
