/**
 * Bounds on the shape of a JSON text, checked by one linear scan *before* it is parsed: a
 * 10 MB `[{},{},…]` would otherwise build millions of objects (about 64 bytes each) and a
 * `[[[[…` would recurse deeply — either can exhaust a 128 MB isolate before any check after
 * parsing could run.
 */
export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most arrays and objects in all. */
  maxContainers: number;
  /** Most values of any kind (array items, object members, scalars). */
  maxValues: number;
}

export const DEFAULT_JSON_SHAPE: JsonShapeLimits = { maxDepth: 64, maxContainers: 200_000, maxValues: 2_000_000 };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Why `text` is beyond the limits, or null when it is within them (it may still be invalid
 * JSON: parsing says so). Strings are skipped, so brackets inside them do not count.
 */
export function jsonShapeProblem(text: string, limits: JsonShapeLimits): string | null {
  let depth = 0;
  let containers = 0;
  let values = 1;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      containers++;
      if (depth > limits.maxDepth) return `it is nested deeper than ${limits.maxDepth} levels`;
      if (containers > limits.maxContainers) return `it holds more than ${limits.maxContainers} arrays and objects`;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
    else if (code === COMMA) {
      values++;
      if (values > limits.maxValues) return `it holds more than ${limits.maxValues} values`;
    }
  }
  return null;
}
