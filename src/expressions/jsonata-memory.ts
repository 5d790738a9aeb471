import jsonata from "jsonata";
import { budgetOf } from "./budget";
import { MAX_EVALUATION_SIZE, MAX_VALUE_SIZE, MemoryBudgetError, textSize } from "./memory";

/**
 * JSONata's built-ins and hookline's helpers, charged to the evaluation's memory budget
 * (memory.ts): every function is wrapped so the strings and lists it returns are charged, and the
 * ones whose output can be far larger than their input (`$pad`'s width, `$join` of one string
 * many times, `$string` of shared references, `$replace`, a picture's width) are refused before
 * they build anything. A helper added later is charged by the same wrapper without being listed.
 * String concatenation (`&`) and ranges (`..`) are operators, not functions: `chargeOperators`
 * marks them in the syntax tree, and `chargeNode` (JSONata's exit hook) charges them.
 */

/** What JSONata passes native functions as `this`. */
interface Focus {
  environment: unknown;
}

type Native = (this: Focus, ...args: unknown[]) => unknown;

/** A function as JSONata binds it in an environment (what `registerFunction` makes). */
export interface FunctionDefinition {
  _jsonata_function: true;
  implementation: Native;
  signature?: unknown;
}

/** Every JSONata 2.x built-in (test/node/architecture checks the list against the library's own). */
export const JSONATA_BUILTINS = [
  "sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad",
  "match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round abs",
  "sqrt power random boolean not map zip filter single reduce sift keys lookup append exists spread merge reverse",
  "each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl",
  "decodeUrlComponent decodeUrl toMillis fromMillis clone",
]
  .join(" ")
  .split(" ");

/**
 * Built-ins that return only a number or a boolean (or nothing; `$type` a type's name): they build nothing that grows,
 * so they are left as JSONata has them (no wrapper on the selectors' hottest calls, `$contains`
 * and the comparisons' helpers).
 */
export const SCALAR_BUILTINS = new Set(
  "sum count max min average length number floor ceil round abs sqrt power random boolean not exists contains type toMillis parseInteger error assert".split(
    " ",
  ),
);

const refuse = (focus: Focus, what: string, size: number, noun?: (size: number) => string) =>
  budgetOf(focus.environment).memory.check(what, size, noun);
const about = (size: number) => `a string of about ${size} characters`;
const string = (value: unknown): string => (typeof value === "string" ? value : "");

/** The sum of the numbers written in a picture: a width modifier (`[Y,1000000]`) pads to its number. */
function pictureWidths(picture: unknown): number {
  let total = 0;
  for (const match of string(picture).matchAll(/\d+/g)) total += Number(match[0]);
  return total + string(picture).length;
}

/** Occurrences of `pattern` in `text` (at most `limit`, and no more than it takes to pass the per-value limit). */
function occurrences(text: string, pattern: string, limit: number, growth: number): number {
  let count = 0;
  for (let at = text.indexOf(pattern); at !== -1 && count < limit; at = text.indexOf(pattern, at + pattern.length)) {
    count++;
    if (growth > 0 && count * growth > MAX_VALUE_SIZE) break;
  }
  return count;
}

interface Match {
  match: string;
  start: number;
  groups: string[];
  next: () => unknown;
}

/**
 * `$replace` with a regular expression or a function: the result's size is known only match by
 * match, so the matcher is wrapped to add up, before each substitution is built, what the result
 * will hold at most (a `$n` in the replacement is at most the match's length).
 */
function countedReplace(focus: Focus, args: unknown[]): unknown[] {
  const [text, pattern, replacement] = args;
  if (typeof text !== "string" || typeof pattern !== "function") return args;
  // What the result holds at most: the text, less each match, plus what replaces it.
  let size = text.length;
  const grow = (by: number) => {
    size += by;
    if (by > 0) refuse(focus, "$replace", size, about);
  };
  const literal = typeof replacement === "string" ? replacement : null;
  const dollars = literal === null ? 0 : (literal.match(/\$/g)?.length ?? 0);
  const wrap = (found: unknown): unknown => {
    if (found === null || typeof found !== "object") return found;
    const match = found as Match;
    if (literal !== null) grow(literal.length + dollars * match.match.length - match.match.length);
    const next = match.next;
    return { ...match, next: async () => wrap(await next()) };
  };
  const matcher = async (...params: unknown[]) => wrap(await (pattern as (...p: unknown[]) => unknown)(...params));
  let counted = replacement;
  if (typeof replacement === "function") {
    counted = async (...params: unknown[]) => {
      const substitute = await (replacement as (...p: unknown[]) => unknown)(...params);
      const replaced = (params[0] as Partial<Match> | undefined)?.match?.length ?? 0;
      grow((typeof substitute === "string" ? substitute.length : 0) - replaced);
      return substitute;
    };
  }
  return [text, matcher, counted, ...args.slice(3)];
}

/** Checks made before a built-in runs, for those whose output can far outgrow their input. */
const BEFORE = new Map<string, (focus: Focus, args: unknown[]) => unknown[] | undefined>([
  [
    "pad",
    (focus, [text, width]) => {
      const wanted = Math.abs(Math.trunc(typeof width === "number" ? width : 0));
      refuse(focus, "$pad", Math.max(wanted, string(text).length));
      return undefined;
    },
  ],
  [
    "join",
    (focus, [list, separator]) => {
      const items = Array.isArray(list) ? list : [list];
      let size = string(separator).length * Math.max(0, items.length - 1);
      for (const item of items) size += string(item).length;
      refuse(focus, "$join", size);
      return undefined;
    },
  ],
  [
    "string",
    (focus, [value, prettify]) => {
      if (typeof value !== "string")
        refuse(focus, "$string", textSize(value, MAX_VALUE_SIZE, prettify === true ? 2 : 0), about);
      return undefined;
    },
  ],
  [
    "clone",
    (focus, [value]) => {
      refuse(focus, "$clone", textSize(value, MAX_VALUE_SIZE), about);
      return undefined;
    },
  ],
  [
    "replace",
    (focus, args) => {
      const [text, pattern, replacement, limit] = args;
      if (typeof text !== "string" || typeof pattern !== "string" || typeof replacement !== "string")
        return countedReplace(focus, args);
      if (pattern === "") return undefined; // JSONata's own error (D3010)
      const growth = replacement.length - pattern.length;
      const most = typeof limit === "number" ? limit : Number.POSITIVE_INFINITY;
      // A replacement no longer than the pattern never grows the text (its result is charged when built).
      if (growth > 0) refuse(focus, "$replace", text.length + occurrences(text, pattern, most, growth) * growth);
      return undefined;
    },
  ],
  [
    "split",
    (focus, [text, separator]) => {
      // A string separator: as many entries as it occurs (a regular expression is paid for by its scans).
      if (typeof text === "string" && typeof separator === "string") {
        const pieces = separator === "" ? text.length : occurrences(text, separator, Infinity, 8) + 1;
        refuse(focus, "$split", text.length + 8 * pieces, (size) => `a list of about ${size} bytes`);
      }
      return undefined;
    },
  ],
  [
    // expr's strings.Replace/ReplaceAll (expr/helpers.ts): the text, grown by each occurrence.
    "exprGoString",
    (focus, [name, args]) => {
      const [s, old, replacement] = Array.isArray(args) ? args.map(string) : [];
      if (
        (name === "Replace" || name === "ReplaceAll") &&
        s !== undefined &&
        old !== undefined &&
        replacement !== undefined
      ) {
        const growth = replacement.length - old.length;
        const count = old === "" ? s.length + 1 : occurrences(s, old, Infinity, growth);
        if (growth > 0) refuse(focus, "$exprGoString", s.length + count * growth);
      }
      return undefined;
    },
  ],
  [
    "zip",
    (focus, lists) => {
      const shortest = Math.min(...lists.map((list) => (Array.isArray(list) ? list.length : 1)));
      refuse(focus, "$zip", shortest * (lists.length + 1) * 8, (size) => `lists of about ${size} bytes`);
      return undefined;
    },
  ],
  [
    "fromMillis",
    (focus, [, picture]) => {
      refuse(focus, "$fromMillis", pictureWidths(picture), about);
      return undefined;
    },
  ],
  [
    "now",
    (focus, [picture]) => {
      refuse(focus, "$now", pictureWidths(picture), about);
      return undefined;
    },
  ],
  [
    "formatInteger",
    (focus, [, picture]) => {
      refuse(focus, "$formatInteger", pictureWidths(picture), about);
      return undefined;
    },
  ],
  // Functions that never return less text than they are given: refused before they copy it.
  ...["uppercase", "lowercase", "base64encode", "encodeUrl", "encodeUrlComponent"].map(
    (name) =>
      [
        name,
        (focus: Focus, [text]: unknown[]) => {
          refuse(focus, `$${name}`, string(text).length);
          return undefined;
        },
      ] as const,
  ),
]);

/** `implementation` charged: checked before it runs where BEFORE says how, its result charged after. */
export function charged(name: string, implementation: Native): Native {
  const label = `$${name}`;
  const before = BEFORE.get(name);
  return function (this: Focus, ...args: unknown[]): unknown {
    const given = before?.(this, args) ?? args;
    const result = implementation.apply(this, given);
    const memory = budgetOf(this.environment).memory;
    if (result instanceof Promise) return result.then((value) => memory.charge(label, value));
    return memory.charge(label, result);
  };
}

/** Code points in `text` (what JSONata's `$length` counts), without building an array of them. */
function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** The first `count` code points of `text`. */
function firstCodePoints(text: string, count: number): string {
  let end = 0;
  for (let taken = 0; taken < count && end < text.length; taken++) {
    const unit = text.charCodeAt(end);
    end += unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return text.slice(0, end);
}

/**
 * JSONata's `$pad`, with the same result, built with `repeat` rather than by joining an array
 * as long as the padding (which costs eight bytes a character before the string exists).
 */
function pad(text: unknown, width: unknown, char: unknown): unknown {
  if (text === undefined) return undefined;
  const str = String(text);
  const fill = typeof char === "string" && char.length > 0 ? char : " ";
  const wanted = Math.trunc(Number(width));
  const padLength = Math.abs(wanted) - codePoints(str);
  if (!(padLength > 0)) return str;
  const fillPoints = codePoints(fill);
  const padding =
    fillPoints === 1
      ? fill.repeat(padLength)
      : firstCodePoints(fill.repeat(Math.ceil(padLength / fillPoints)), padLength);
  return wanted > 0 ? str + padding : padding + str;
}

let builtins: Promise<Map<string, FunctionDefinition>> | undefined;

/** JSONata's built-ins, each wrapped by `charged` (read once from the library: it does not export them). */
export function chargedBuiltins(): Promise<Map<string, FunctionDefinition>> {
  builtins ??= loadBuiltins();
  return builtins;
}

async function loadBuiltins(): Promise<Map<string, FunctionDefinition>> {
  const names = [...JSONATA_BUILTINS.filter((name) => !SCALAR_BUILTINS.has(name)), "now"];
  const found = (await jsonata(`{${names.map((name) => `"${name}": $${name}`).join(", ")}}`).evaluate({})) as Record<
    string,
    FunctionDefinition
  >;
  const wrapped = new Map<string, FunctionDefinition>();
  const fromMillis = found.fromMillis?.implementation;
  for (const name of names) {
    const original = found[name];
    if (!original) continue;
    let implementation = name === "pad" ? (pad as Native) : original.implementation;
    // `$now` reads the timestamp of the expression it was bound in: this one reads the evaluation's own.
    if (name === "now" && fromMillis)
      implementation = function (this: Focus, picture?: unknown, zone?: unknown) {
        const base = (this.environment as { base?: { timestamp?: Date } }).base;
        return fromMillis.call(this, (base?.timestamp ?? new Date()).getTime(), picture, zone);
      };
    wrapped.set(name, { ...original, implementation: charged(name, implementation) });
  }
  return wrapped;
}

/** Marks the operands of `&` (their text is built by JSONata's own `$string`) and the operators `&` and `..` to be charged. */
const OPERAND = Symbol("hookline.concatOperand");
const OPERATOR = Symbol("hookline.chargedOperator");

/** Marks the nodes `chargeNode` looks at; true when the expression has any (it needs the exit hook). */
export function chargeOperators(node: unknown, seen = new Set<object>()): boolean {
  if (node === null || typeof node !== "object" || seen.has(node)) return false;
  seen.add(node);
  const record = node as Record<string | symbol, unknown>;
  let found = false;
  if (record.type === "binary" && (record.value === "&" || record.value === "..")) {
    record[OPERATOR] = record.value === "&" ? "&" : "range (..)";
    if (record.value === "&") {
      for (const side of [record.lhs, record.rhs])
        if (side && typeof side === "object") (side as typeof record)[OPERAND] = true;
    }
    found = true;
  }
  for (const child of Object.values(record)) {
    const children = Array.isArray(child) ? child : [child];
    for (const item of children) found = chargeOperators(item, seen) || found;
  }
  return found;
}

/**
 * JSONata's exit hook: an operand of `&` that is not a string is about to be written as JSON —
 * refused first if that text would be too large; the string `&` built and the list `..` built
 * are charged.
 */
export function chargeNode(node: unknown, _input: unknown, environment: unknown, result: unknown): void {
  const record = node as Record<symbol, unknown>;
  const memory = budgetOf(environment).memory;
  if (record[OPERAND] === true && result !== undefined && typeof result !== "string")
    memory.check("&", textSize(result, MAX_VALUE_SIZE), about);
  const operator = record[OPERATOR];
  if (operator === "&") memory.charge(operator, result);
  else if (operator !== undefined && Array.isArray(result)) memory.chargeNumbers("range (..)", result.length);
}

/** Refuses a result too large to hand on as JSON (a list holding one large string many times over), before it is copied. */
export function checkResult(result: unknown): void {
  if (result === null || typeof result !== "object") return;
  const size = textSize(result, MAX_EVALUATION_SIZE);
  if (size > MAX_EVALUATION_SIZE)
    throw new MemoryBudgetError(
      "EXPRESSION_BUDGET",
      `the result would be ${about(size)} as JSON (limit 8 MiB per evaluation)`,
    );
}
