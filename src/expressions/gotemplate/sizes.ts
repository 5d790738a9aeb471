import { MAX_VALUE_SIZE, textSize } from "../memory";
import { compileRegex } from "../regex";
import { GoInt, type Value } from "./values";

/**
 * How much text a template function would build, known from its arguments before it runs, for
 * the functions whose output can far outgrow their input (or never falls short of it): the
 * interpreter refuses those over the memory budget before they build anything (memory.ts), and
 * charges every function's actual result after. A function not listed here is charged only after.
 * Estimates stop counting a little past the per-value limit: past it, the exact size is moot.
 */

const CAP = MAX_VALUE_SIZE + 1;

/** Text a value prints as (%v): strings as they are, anything else about as JSON. */
function printed(value: Value): number {
  return typeof value === "string" ? value.length : textSize(value, CAP);
}

function printedAll(values: readonly Value[]): number {
  let size = values.length;
  for (const value of values) {
    size += printed(value);
    if (size > CAP) break;
  }
  return size;
}

const text = (value: Value): string => (typeof value === "string" ? value : "");
const count = (value: Value): number => (value instanceof GoInt ? value.value : 0);

/** Lines in `s`, counted until they would pass the cap at `width` characters each. */
function lines(s: string, width: number): number {
  let found = 1;
  for (let at = s.indexOf("\n"); at !== -1; at = s.indexOf("\n", at + 1)) {
    found++;
    if (found * width > CAP) break;
  }
  return found;
}

/** Occurrences of `old` in `s` (JavaScript's split: "" splits between code units), counted until the growth passes the cap. */
function occurrences(s: string, old: string, growth: number): number {
  if (old === "") return Math.max(0, s.length - 1);
  let found = 0;
  for (let at = s.indexOf(old); at !== -1; at = s.indexOf(old, at + old.length)) {
    found++;
    if (found * growth > CAP) break;
  }
  return found;
}

/**
 * The widths and precisions of a printf format (each pads its value to that many characters):
 * written ones, and for `*` the largest integer argument. fmt ignores any over a million.
 */
function widths(format: string, args: readonly Value[]): number {
  const usable = (n: number) => (n <= 1e6 ? n : 0);
  const fromArgs = Math.max(0, ...args.map((arg) => usable(count(arg))));
  let total = 0;
  for (const match of format.matchAll(/%[-+# 0]*(\d+|\*)?(?:\.(\d+|\*)?)?[a-zA-Z]/g))
    for (const part of [match[1], match[2]]) total += part === "*" ? fromArgs : usable(Number(part ?? 0));
  return total;
}

/** Go's Regexp.ReplaceAll result, at most: each match replaced by the template with every `$name` as long as the match. */
function regexReplaceSize(pattern: string, s: string, replacement: string, literal: boolean): number {
  const dollars = literal ? 0 : (replacement.match(/\$/g)?.length ?? 0);
  let size = s.length;
  let matcher: ReturnType<ReturnType<typeof compileRegex>["matcher"]>;
  try {
    matcher = compileRegex(pattern).matcher(s);
  } catch {
    return 0; // the function itself reports the bad pattern
  }
  while (size <= CAP && matcher.find()) {
    const length = matcher.end() - matcher.start();
    size += replacement.length + dollars * length - length;
  }
  return size;
}

/** A string split into a list: its pieces, and 8 bytes an entry ("" splits between every character). */
function splitSize(s: string, separator: string): number {
  const pieces = separator === "" ? s.length : occurrences(s, separator, 8) + 1;
  return s.length + 8 * pieces;
}

type Estimate = (...args: Value[]) => number;

const ESTIMATES = new Map<string, Estimate>([
  ["print", (...args) => printedAll(args)],
  ["println", (...args) => printedAll(args)],
  ["printf", (format, ...args) => text(format).length + widths(text(format), args) + printedAll(args)],
  ["urlquery", (...args) => printedAll(args)],
  ["html", (...args) => printedAll(args)],
  ["js", (...args) => printedAll(args)],
  ["cat", (...args) => printedAll(args)],
  ["quote", (...args) => printedAll(args)],
  ["squote", (...args) => printedAll(args)],
  ["upper", (s) => text(s).length],
  ["lower", (s) => text(s).length],
  ["title", (s) => text(s).length],
  ["untitle", (s) => text(s).length],
  ["b64enc", (s) => Math.ceil((text(s).length * 4) / 3)],
  ["toString", (value) => printed(value)],
  ["toStrings", (value) => (Array.isArray(value) ? printedAll(value) + 8 * value.length : printed(value))],
  ["sortAlpha", (value) => (Array.isArray(value) ? printedAll(value) + 8 * value.length : printed(value))],
  ["toJson", (value) => textSize(value, CAP)],
  ["toRawJson", (value) => textSize(value, CAP)],
  ["toPrettyJson", (value) => textSize(value, CAP, 2)],
  [
    "join",
    (separator, list) => {
      const items = Array.isArray(list) ? list : [list];
      return printedAll(items) + text(separator).length * Math.max(0, items.length - 1);
    },
  ],
  [
    "replace",
    (old, replacement, s) => {
      const growth = text(replacement).length - text(old).length;
      return growth > 0 ? text(s).length + occurrences(text(s), text(old), growth) * growth : 0;
    },
  ],
  ["repeat", (times, s) => Math.max(0, count(times)) * text(s).length],
  ["indent", (spaces, s) => text(s).length + Math.max(0, count(spaces)) * lines(text(s), count(spaces))],
  ["nindent", (spaces, s) => 1 + text(s).length + Math.max(0, count(spaces)) * lines(text(s), count(spaces))],
  ["splitList", (separator, s) => splitSize(text(s), text(separator))],
  ["split", (separator, s) => splitSize(text(s), text(separator))],
  ["regexReplaceAll", (pattern, s, replacement) => regexReplaceSize(text(pattern), text(s), text(replacement), false)],
  [
    "regexReplaceAllLiteral",
    (pattern, s, replacement) => regexReplaceSize(text(pattern), text(s), text(replacement), true),
  ],
]);

/** The functions above that build a list (or map) rather than a string; those whose estimate is exact. */
const LISTS = new Set(["toStrings", "sortAlpha", "splitList", "split"]);
const EXACT = new Set(["repeat", "replace", "indent", "nindent", "upper", "lower", "title", "untitle"]);

/** What function `name` would build from `args`, when that can be told before it runs; null otherwise. */
export function sizeBefore(
  name: string,
  args: readonly Value[],
): { size: number; noun: (size: number) => string } | null {
  const estimate = ESTIMATES.get(name);
  if (!estimate) return null;
  return { size: estimate(...args), noun: LISTS.has(name) ? aboutList : EXACT.has(name) ? exactString : aboutString };
}

const exactString = (size: number) => `a string of ${size} characters`;
const aboutString = (size: number) => `a string of about ${size} characters`;
const aboutList = (size: number) => `a list of about ${size} bytes`;
