/** A JSONata syntax-tree node (JSONata's typings omit several node kinds, such as `path`). */
type AstNode = Record<string, unknown>;

/**
 * The prefilter: most selectors are `and`-chains that start with equalities on the
 * discriminator, a header or a payload field (`discriminator = "github" and …`). Each such
 * equality is a necessary condition, so a binding can be indexed under it and never evaluated
 * for events whose value there differs. Only simple paths and primitive (or list-of-primitive)
 * literals are indexed, and wherever JSONata's path semantics could differ from a plain lookup
 * (an array met on the way) the binding is evaluated anyway.
 */

/** A necessary condition of a selector: the value at `path` equals the literal (JSON text). */
export interface Equality {
  path: readonly string[];
  literal: string;
}

const roots = new Set(["discriminator", "namespace", "metadata", "payload"]);

/** The equalities every `and`-conjunct at the top of the selector requires. */
export function requiredEqualities(ast: unknown): Equality[] {
  if (ast === null || typeof ast !== "object") return [];
  const node = ast as AstNode;
  // A parenthesised expression, as translations from expr write them.
  if (node.type === "block" && Array.isArray(node.expressions) && node.expressions.length === 1) {
    return requiredEqualities(node.expressions[0]);
  }
  if (node.type === "binary" && node.value === "and") {
    return [...requiredEqualities(node.lhs), ...requiredEqualities(node.rhs)];
  }
  if (node.type === "binary" && node.value === "=" && isNode(node.lhs) && isNode(node.rhs)) {
    const lhs = node.lhs;
    const rhs = node.rhs;
    const equality = equalityOf(lhs, rhs) ?? equalityOf(rhs, lhs);
    return equality ? [equality] : [];
  }
  return [];
}

function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === "object";
}

function equalityOf(pathNode: AstNode, literalNode: AstNode): Equality | null {
  const path = simplePath(pathNode);
  const literal = literalValue(literalNode);
  return path && literal !== undefined ? { path, literal: JSON.stringify(literal) } : null;
}

function simplePath(node: AstNode): string[] | null {
  if (node.type !== "path" || !Array.isArray(node.steps) || node.keepSingletonArray) return null;
  const names: string[] = [];
  for (const step of node.steps as AstNode[]) {
    const plain = step.type === "name" && typeof step.value === "string";
    if (!plain || step.stages || step.predicate || step.group || step.focus || step.index || step.tuple) return null;
    names.push(step.value as string);
  }
  const [first] = names;
  return first !== undefined && roots.has(first) ? names : null;
}

type Primitive = string | number | boolean | null;

function literalValue(node: AstNode): Primitive | Primitive[] | undefined {
  if (node.type === "string" || node.type === "number") return node.value as string | number;
  if (node.type === "value") return node.value as boolean | null;
  if (node.type === "unary" && node.value === "[" && Array.isArray(node.expressions)) {
    const items: Primitive[] = [];
    for (const item of node.expressions as AstNode[]) {
      const value = literalValue(item);
      if (value === undefined || Array.isArray(value)) return undefined;
      items.push(value);
    }
    return items;
  }
  return undefined;
}

/** Marks a lookup the prefilter cannot decide (an array on the way: JSONata would map over it). */
const UNDECIDED = Symbol("undecided");

/** The JSON text of the value at `path`, undefined when absent, or UNDECIDED. */
function valueAt(input: unknown, path: readonly string[]): string | undefined | typeof UNDECIDED {
  let current: unknown = input;
  for (const segment of path) {
    if (Array.isArray(current)) return UNDECIDED;
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined) return undefined;
  if (current !== null && typeof current === "object" && !Array.isArray(current)) return "{object}";
  return JSON.stringify(current);
}

/** The first of `equalities` that `input` does not satisfy (why the prefilter ruled a binding out). */
export function unmetEquality(equalities: readonly Equality[], input: unknown): Equality | undefined {
  return equalities.find((equality) => {
    const value = valueAt(input, equality.path);
    return value !== UNDECIDED && value !== equality.literal;
  });
}

/** Bindings indexed by one required equality each (the most selective kind available). */
export class PrefilterIndex<T> {
  private readonly byPath = new Map<
    string,
    { path: readonly string[]; buckets: Map<string, number[]>; all: number[] }
  >();
  private readonly unindexed: number[] = [];

  constructor(
    private readonly items: readonly T[],
    equalitiesOf: (item: T) => readonly Equality[],
  ) {
    items.forEach((item, position) => {
      const chosen = pickEquality(equalitiesOf(item));
      if (!chosen) {
        this.unindexed.push(position);
        return;
      }
      const pathKey = JSON.stringify(chosen.path);
      let entry = this.byPath.get(pathKey);
      if (!entry) {
        entry = { path: chosen.path, buckets: new Map(), all: [] };
        this.byPath.set(pathKey, entry);
      }
      entry.all.push(position);
      const bucket = entry.buckets.get(chosen.literal);
      if (bucket) bucket.push(position);
      else entry.buckets.set(chosen.literal, [position]);
    });
  }

  /** The items whose selector may be true for `input`, in their original order. */
  candidates(input: unknown): T[] {
    const positions = [...this.unindexed];
    for (const { path, buckets, all } of this.byPath.values()) {
      const value = valueAt(input, path);
      if (value === UNDECIDED) positions.push(...all);
      else if (value !== undefined) positions.push(...(buckets.get(value) ?? []));
    }
    positions.sort((a, b) => a - b);
    return positions.map((position) => this.items[position] as T);
  }

  /** How many items are indexed in all. */
  get size(): number {
    return this.items.length;
  }
}

/** Prefer the discriminator, then headers, then the payload: the likeliest to tell bindings apart. */
function pickEquality(equalities: readonly Equality[]): Equality | undefined {
  const rank = (equality: Equality) =>
    ["discriminator", "metadata", "payload", "namespace"].indexOf(equality.path[0] ?? "");
  return [...equalities].sort((a, b) => rank(a) - rank(b))[0];
}
