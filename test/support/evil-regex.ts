// The evil-regex corpus: patterns that take exponential (or high polynomial) time on a
// backtracking engine, and 20 KB inputs that trigger them. The suite runs every pair through
// hookline's expressions (test/worker/unit/expressions.test.ts); the benchmark times them.

/** Patterns that take exponential (or high polynomial) time on a backtracking engine. */
export const EVIL_PATTERNS = [
  "^(\\w|\\d)+$",
  "a*a*b",
  "^(a+)+$",
  "(x+x+)+y",
  "^(a|aa)+$",
  "^(a|a?)+$",
  "(\\w+\\s?)*$",
  "^(\\d+)*$",
  "((ab)*|a)*c",
  "^(([a-z])+.)+[A-Z]([a-z])+$",
  "(.*a){12}",
  "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
];

/** 20 KB inputs that trigger them. */
export const EVIL_INPUTS = [
  "a".repeat(20_000),
  `${"a".repeat(19_999)}!`,
  `${"a1".repeat(10_000)}!`,
  "x".repeat(20_000),
];
