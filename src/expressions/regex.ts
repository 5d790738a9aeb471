import { RE2JS, RE2JSException } from "re2js";

/**
 * Regular expressions run on RE2 (`re2js`): Go's syntax, as Argo's expressions use it
 * (`[[:alpha:]]`, `\pL`, `(?i)`), and linear-time matching — no pattern can backtrack
 * exponentially, so one event cannot freeze the consumer. Patterns RE2 cannot express
 * (backreferences, lookaround) are refused when an expression is applied.
 */

export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
}

const cache = new Map<string, RE2JS>();
const MAX_CACHED = 1000;

/** Compiles (or fetches from the isolate's cache) an RE2 pattern; throws RegexSyntaxError. */
export function compileRegex(pattern: string, flags = ""): RE2JS {
  const key = `${flags}/${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let mask = 0;
  if (flags.includes("i")) mask |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) mask |= RE2JS.MULTILINE;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, mask);
  } catch (error) {
    if (error instanceof RE2JSException) {
      throw new RegexSyntaxError(
        `regular expression /${pattern.slice(0, 100)}/ is not valid RE2 syntax (linear-time engine; backreferences and lookaround are not supported): ${error.message}`,
      );
    }
    throw error;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/**
 * What scanning `length` characters with `compiled` costs in work units (see budget.ts):
 * RE2's simulation is linear in the input and in the size of the pattern's program.
 */
export function regexWork(compiled: RE2JS, length: number, captures: boolean): number {
  return captures ? length * Math.max(1, compiled.programSize()) : length;
}
