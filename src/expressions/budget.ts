import { MemoryBudget } from "./memory";

/**
 * Every evaluation runs on a budget of work units, so one expression cannot hold the consumer's
 * CPU: workerd's clock does not advance while code runs, so time is bounded by counting work.
 * A unit is about 25 ns on this machine's V8: an expression step (a node evaluated) costs
 * WORK_PER_STEP, and a regular expression costs its scanned length times its program size (RE2
 * is linear in both). MAX_WORK is about 20 ms.
 */
export const WORK_PER_STEP = 40;
export const MAX_WORK = 800_000;

/** The work spent by one evaluation, and what it built (memory.ts). */
export class Budget {
  spent = 0;
  readonly memory = new MemoryBudget("EXPRESSION_BUDGET");

  /** Spends `units`; throws a budget error (JSONata-style, so it is reported like any other) when over. */
  spend(units: number): void {
    this.spent += units;
    if (this.spent > MAX_WORK) {
      throw {
        code: "U1002",
        message: `evaluation stopped: it exceeded its work budget (about 20 ms of CPU; runaway loop or a regular expression over a large input?)`,
      };
    }
  }

  /** Whether `units` more would still fit. */
  fits(units: number): boolean {
    return this.spent + units <= MAX_WORK;
  }
}

/** Where an evaluation's budget hangs: on the regex engine JSONata keeps on the evaluation's root frame. */
export const BUDGET = Symbol("hookline.budget");

interface Frame {
  base?: { RegexEngine?: { [BUDGET]?: Budget } };
}

/** The budget of the evaluation a JSONata frame belongs to (a fresh one when there is none, e.g. in tests). */
export function budgetOf(environment: unknown): Budget {
  return (environment as Frame | undefined)?.base?.RegexEngine?.[BUDGET] ?? new Budget();
}
