/**
 * The memory half of an evaluation's budget (budget.ts counts work). Built-in functions build
 * strings and lists in native code, beyond the reach of a step count: `$pad("", 3e7)` or a string
 * doubled seven times costs seconds and hundreds of megabytes in one call. So every value an
 * evaluation builds is charged here — before it is built wherever its size can be known from the
 * arguments, after otherwise — and a value over MAX_VALUE_SIZE, or more than
 * MAX_EVALUATION_SIZE in all, fails that evaluation alone, naming the function.
 *
 * Sizes are in characters for strings. A list or map counts 8 bytes per entry, plus the strings
 * it holds and the lists and maps it holds that this evaluation built (a reference to the
 * event's own data costs only its 8 bytes: it was not built). Text that a value would print
 * as (`$string`, `print`, `toJson`) is estimated by `textSize`, which stops counting at a cap.
 */

/** Largest string or list one evaluation may build (1 MiB). */
export const MAX_VALUE_SIZE = 1024 * 1024;
/** What one evaluation may build in all (8 MiB). */
export const MAX_EVALUATION_SIZE = 8 * 1024 * 1024;

/** The error codes of the two evaluators: JSONata expressions and Go templates. */
export type BudgetCode = "EXPRESSION_BUDGET" | "TEMPLATE_BUDGET";

/** Thrown when an evaluation would build more than its budget allows; `message` starts with the code. */
export class MemoryBudgetError extends Error {
  override readonly name = "MemoryBudgetError";
  constructor(
    readonly code: BudgetCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const SLOT = 8;
const MIB = 1024 * 1024;

/** One evaluation's memory: what it built so far, and the sizes of the lists and maps it built. */
export class MemoryBudget {
  private used = 0;
  private readonly built = new WeakMap<object, number>();

  constructor(readonly code: BudgetCode) {}

  /** What this evaluation built so far. */
  get total(): number {
    return this.used;
  }

  /**
   * Refuses, before it is built, a value of `size` that `what` would build (`noun`: "a string of
   * N characters"), when it is over the per-value limit or would take the evaluation over its
   * total. Charges nothing: the built value is charged when it exists.
   */
  check(what: string, size: number, noun: (size: number) => string = characters): void {
    if (size > MAX_VALUE_SIZE)
      throw new MemoryBudgetError(this.code, `${what} would build ${noun(size)} (limit 1 MiB per value)`);
    if (this.used + size > MAX_EVALUATION_SIZE)
      throw new MemoryBudgetError(
        this.code,
        `${what} would build ${noun(size)}, taking this evaluation past 8 MiB in all (it built ${mib(this.used)} before)`,
      );
  }

  /** Charges a value `what` built (a string, list or map; anything else is free) and returns it. */
  charge<T>(what: string, value: T): T {
    if (typeof value === "string") this.take(what, value.length);
    else if (value !== null && typeof value === "object" && isContainer(value)) {
      const size = this.sizeOf(value);
      this.take(what, size, Array.isArray(value) ? listOf : mapOf);
      this.built.set(value, size);
    }
    return value;
  }

  /** Charges a list of `count` numbers (a range) without looking at them. */
  chargeNumbers(what: string, count: number): void {
    this.take(what, count * SLOT, listOf);
  }

  private take(what: string, size: number, noun?: (size: number) => string): void {
    this.check(what, size, noun);
    this.used += size;
  }

  /** The size of a list or map: 8 bytes an entry, its strings, and the lists and maps it holds that this evaluation built. */
  private sizeOf(value: object): number {
    let size = 0;
    const add = (item: unknown) => {
      size += SLOT;
      if (typeof item === "string") size += item.length;
      else if (item !== null && typeof item === "object") size += this.built.get(item) ?? 0;
    };
    if (Array.isArray(value)) for (const item of value) add(item);
    else
      for (const key of Object.keys(value)) {
        size += key.length;
        add((value as Record<string, unknown>)[key]);
      }
    return size;
  }
}

/** Plain lists and maps (class instances such as times and durations are not containers). */
function isContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * About how many characters `value` prints as JSON (or Go's %v, within a few percent), counting
 * shared references as often as they print; stops once past `cap` and returns what it had then.
 * `indent` adds a pretty printer's indentation per line.
 */
export function textSize(value: unknown, cap: number, indent = 0): number {
  let size = 0;
  const visit = (item: unknown, depth: number): void => {
    if (size > cap) return;
    if (typeof item === "string") size += item.length + 2;
    else if (typeof item === "number") size += 8;
    else if (item === null || item === undefined || typeof item === "boolean") size += 5;
    else if (Array.isArray(item)) {
      size += 2;
      for (const child of item) {
        size += 1 + (indent > 0 ? 1 + indent * (depth + 1) : 0);
        visit(child, depth + 1);
        if (size > cap) return;
      }
    } else if (typeof item === "object" && isContainer(item)) {
      size += 2;
      for (const key of Object.keys(item)) {
        size += key.length + 4 + (indent > 0 ? 1 + indent * (depth + 1) : 0);
        visit((item as Record<string, unknown>)[key], depth + 1);
        if (size > cap) return;
      }
    } else size += 32; // a time, a duration, a function: a short fixed text
  };
  visit(value, 0);
  return size;
}

/** How a string size reads in a message. */
export function characters(size: number): string {
  return `a string of ${size} characters`;
}

function listOf(size: number): string {
  return `a list of about ${size} bytes`;
}

function mapOf(size: number): string {
  return `a map of about ${size} bytes`;
}

function mib(size: number): string {
  return `${(size / MIB).toFixed(1)} MiB`;
}
