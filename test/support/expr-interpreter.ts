// An interpreter for the expr-lang subset, written from expr-lang's documentation, used by the
// tests as the "original semantics" the JSONata translation is checked against. It shares only
// the parser with the translation.
import type { Node } from "../../src/expressions/expr/parse";

export class ExprRuntimeError extends Error {}

type Value = unknown;
const isNil = (v: Value) => v === undefined || v === null;
const fail = (message: string): never => {
  throw new ExprRuntimeError(message);
};

function equal(a: Value, b: Value): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a as object);
    return (
      ka.length === Object.keys(b as object).length &&
      ka.every((k) => equal((a as Record<string, Value>)[k], (b as Record<string, Value>)[k]))
    );
  }
  return a === b;
}

const str = (v: Value) => (typeof v === "string" ? v : fail(`expected a string, got ${JSON.stringify(v)}`));
const num = (v: Value) => (typeof v === "number" ? v : fail(`expected a number, got ${JSON.stringify(v)}`));
const bool = (v: Value) => (typeof v === "boolean" ? v : fail(`expected a bool, got ${JSON.stringify(v)}`));
const arr = (v: Value) => (Array.isArray(v) ? v : fail(`expected an array, got ${JSON.stringify(v)}`));
const asText = (v: Value) =>
  isNil(v) ? "" : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Evaluates an expr syntax tree against `env` with expr-lang's semantics. */
export function evaluateExpr(node: Node, env: Record<string, Value>, pointer: Value[] = []): Value {
  const ev = (n: Node) => evaluateExpr(n, env, pointer);
  switch (node.kind) {
    case "literal":
      return node.value;
    case "array":
      return node.items.map(ev);
    case "map":
      return Object.fromEntries(node.entries.map((e) => [e.key, ev(e.value)]));
    case "name":
      return Object.hasOwn(env, node.name) ? env[node.name] : fail(`unknown name ${node.name}`);
    case "pointer":
      return pointer.at(-1);
    case "member": {
      const object = ev(node.object);
      const key = ev(node.property);
      if (isNil(object)) return node.optional ? undefined : fail(`cannot fetch ${String(key)} from nil`);
      if (Array.isArray(object)) {
        const index = num(key);
        const i = index < 0 ? object.length + index : index;
        return i >= 0 && i < object.length ? object[i] : fail("index out of range");
      }
      if (typeof object === "object") return (object as Record<string, Value>)[str(key)];
      return fail(`cannot fetch ${String(key)} from ${typeof object}`);
    }
    case "slice": {
      const object = ev(node.object);
      const items = typeof object === "string" ? object : arr(object);
      return items.slice(node.from ? num(ev(node.from)) : 0, node.to ? num(ev(node.to)) : items.length);
    }
    case "unary": {
      const value = ev(node.operand);
      if (node.op === "not") return !bool(value);
      return node.op === "-" ? -num(value) : num(value);
    }
    case "conditional":
      return bool(ev(node.test)) ? ev(node.then) : ev(node.otherwise);
    case "binary": {
      if (node.op === "&&" || node.op === "and") return bool(ev(node.left)) && bool(ev(node.right));
      if (node.op === "||" || node.op === "or") return bool(ev(node.left)) || bool(ev(node.right));
      if (node.op === "??") {
        const left = ev(node.left);
        return isNil(left) ? ev(node.right) : left;
      }
      const l = ev(node.left);
      const r = ev(node.right);
      switch (node.op) {
        case "==":
          return equal(l, r);
        case "!=":
          return !equal(l, r);
        case "<":
          return typeof l === "string" ? str(l) < str(r) : num(l) < num(r);
        case "<=":
          return typeof l === "string" ? str(l) <= str(r) : num(l) <= num(r);
        case ">":
          return typeof l === "string" ? str(l) > str(r) : num(l) > num(r);
        case ">=":
          return typeof l === "string" ? str(l) >= str(r) : num(l) >= num(r);
        case "in":
        case "not in": {
          let found: boolean;
          if (Array.isArray(r)) found = r.some((x) => equal(x, l));
          else if (r !== null && typeof r === "object") found = Object.hasOwn(r, str(l));
          else found = fail("in needs an array or a map");
          return node.op === "in" ? found : !found;
        }
        case "matches": {
          let pattern = str(r);
          let flags = "";
          const inline = /^\(\?([ims]+)\)/.exec(pattern);
          if (inline) {
            flags = inline[1] ?? "";
            pattern = pattern.slice(inline[0].length);
          }
          return new RegExp(pattern, flags).test(str(l));
        }
        case "contains":
          return str(l).includes(str(r));
        case "startsWith":
          return str(l).startsWith(str(r));
        case "endsWith":
          return str(l).endsWith(str(r));
        case "+":
          if (typeof l === "string" && typeof r === "string") return l + r;
          return num(l) + num(r);
        case "-":
          return num(l) - num(r);
        case "*":
          return num(l) * num(r);
        case "/":
          return num(l) / num(r);
        case "%":
          return num(l) % num(r);
        case "**":
          return num(l) ** num(r);
        case "..":
          return Array.from({ length: Math.max(0, num(r) - num(l) + 1) }, (_, i) => num(l) + i);
        default:
          return fail(`operator ${node.op}`);
      }
    }
    case "call":
      return call(node, env, pointer);
    case "predicate":
      return fail("predicate outside a call");
  }
}

function call(node: Extract<Node, { kind: "call" }>, env: Record<string, Value>, pointer: Value[]): Value {
  const ev = (n: Node) => evaluateExpr(n, env, pointer);
  const args = node.args;
  const predicate = (item: Value) => {
    const p = args[1] as Node;
    return evaluateExpr(p.kind === "predicate" ? p.body : p, env, [...pointer, item]);
  };
  const a = (i: number) => ev(args[i] as Node);
  switch (node.callee) {
    case "len": {
      const v = a(0);
      return typeof v === "string"
        ? [...v].length
        : Array.isArray(v)
          ? v.length
          : v && typeof v === "object"
            ? Object.keys(v).length
            : fail("len");
    }
    case "lower":
    case "sprig.lower":
      return str(a(0)).toLowerCase();
    case "upper":
    case "sprig.upper":
      return str(a(0)).toUpperCase();
    case "trim":
    case "sprig.trim":
      return str(a(0)).trim();
    case "trimPrefix":
      return str(a(0)).startsWith(str(a(1))) ? str(a(0)).slice(str(a(1)).length) : a(0);
    case "trimSuffix":
      return str(a(0)).endsWith(str(a(1))) ? str(a(0)).slice(0, str(a(0)).length - str(a(1)).length) : a(0);
    case "split":
      return str(a(0)).split(str(a(1)));
    case "join":
      return arr(a(0))
        .map(asText)
        .join(args.length > 1 ? str(a(1)) : "");
    case "hasPrefix":
      return str(a(0)).startsWith(str(a(1)));
    case "hasSuffix":
      return str(a(0)).endsWith(str(a(1)));
    case "string":
    case "sprig.toString":
      return asText(a(0));
    case "int":
      return Math.trunc(Number(a(0)));
    case "float":
      return Number(a(0));
    case "abs":
      return Math.abs(num(a(0)));
    case "first":
      return arr(a(0))[0];
    case "last":
      return arr(a(0)).at(-1);
    case "keys":
      return Object.keys(a(0) as object);
    case "all":
      return arr(a(0)).every((x) => bool(predicate(x)));
    case "any":
      return arr(a(0)).some((x) => bool(predicate(x)));
    case "none":
      return !arr(a(0)).some((x) => bool(predicate(x)));
    case "one":
      return arr(a(0)).filter((x) => bool(predicate(x))).length === 1;
    case "count":
      return arr(a(0)).filter((x) => bool(predicate(x))).length;
    case "filter":
      return arr(a(0)).filter((x) => bool(predicate(x)));
    case "map":
      return arr(a(0)).map(predicate);
    case "sprig.replace":
      return str(a(2))
        .split(str(a(0)))
        .join(str(a(1)));
    case "sprig.contains":
      return str(a(1)).includes(str(a(0)));
    case "sprig.hasPrefix":
      return str(a(1)).startsWith(str(a(0)));
    case "sprig.hasSuffix":
      return str(a(1)).endsWith(str(a(0)));
    case "sprig.trimPrefix":
      return str(a(1)).startsWith(str(a(0))) ? str(a(1)).slice(str(a(0)).length) : a(1);
    case "sprig.trimSuffix":
      return str(a(1)).endsWith(str(a(0))) ? str(a(1)).slice(0, str(a(1)).length - str(a(0)).length) : a(1);
    case "sprig.title":
      return str(a(0)).replace(/\b([a-z])/g, (c) => c.toUpperCase());
    case "sprig.trunc":
      return num(a(0)) < 0 ? str(a(1)).slice(num(a(0))) : str(a(1)).slice(0, num(a(0)));
    case "sprig.substr":
      return str(a(2)).slice(num(a(0)), num(a(1)));
    case "sprig.default": {
      const v = a(1);
      const empty = isNil(v) || v === "" || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
      return empty ? a(0) : v;
    }
    case "sprig.empty": {
      const v = a(0);
      return isNil(v) || v === "" || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
    }
    case "sprig.splitList":
      return str(a(1)).split(str(a(0)));
    case "sprig.join":
      return arr(a(1))
        .map(asText)
        .join(str(a(0)));
    default:
      return fail(`function ${node.callee}`);
  }
}
