// A Go text/template interpreter for the subset Argo CD notification templates use, written from
// the text/template documentation: the "original semantics" translated templates are checked
// against. It shares only the tokenizer with the translation.
import { parseGoPipeline, splitGoTemplate, tokenizeGoAction } from "../../../cli/gotemplate.mjs";

type Value = unknown;
type Term =
  | { kind: "field"; names: string[] }
  | { kind: "variable"; name: string; names: string[] }
  | { kind: "literal"; value: Value }
  | { kind: "pipeline"; commands: Term[][]; names: string[] }
  | { kind: "function"; name: string };

const isNil = (v: Value) => v === undefined || v === null;
function print(value: Value, nested = false): string {
  if (value === undefined) return nested ? "<nil>" : "<no value>";
  if (value === null) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => print(v, true)).join(" ")}]`;
  const keys = Object.keys(value as object).sort();
  return `map[${keys.map((k) => `${k}:${print((value as Record<string, Value>)[k], true)}`).join(" ")}]`;
}
function truth(v: Value): boolean {
  if (isNil(v) || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}
function field(value: Value, names: string[]): Value {
  let current = value;
  for (const name of names) {
    if (isNil(current)) throw new Error(`nil pointer evaluating interface {}.${name}`);
    current = (current as Record<string, Value>)[name];
  }
  return current;
}
const str = (v: Value) => (isNil(v) ? "" : typeof v === "string" ? v : print(v));

const functions: Record<string, (...args: Value[]) => Value> = {
  and: (...a) => a.find((x) => !truth(x)) ?? a.at(-1),
  or: (...a) => a.find((x) => truth(x)) ?? a.at(-1),
  not: (a) => !truth(a),
  eq: (a, ...b) => b.some((x) => a === x || (isNil(a) && isNil(x))),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  gt: (a, b) => (a as number) > (b as number),
  le: (a, b) => (a as number) <= (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  len: (a) =>
    typeof a === "string" ? Buffer.byteLength(a) : Array.isArray(a) ? a.length : Object.keys(a as object).length,
  index: (a, ...keys) =>
    keys.reduce(
      (cur: Value, k) => (Array.isArray(cur) ? cur[Number(k)] : (cur as Record<string, Value>)[String(k)]),
      a,
    ),
  printf: (format, ...args) => {
    let i = 0;
    return String(format).replace(/%([vsdq%])/g, (_m, verb: string) => {
      if (verb === "%") return "%";
      const arg = args[i++];
      if (verb === "q") return JSON.stringify(str(arg));
      if (verb === "d") return String(Math.trunc(arg as number));
      return print(arg);
    });
  },
  print: (...args) =>
    args
      .map((a, i) => (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string" ? " " : "") + print(a))
      .join(""),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) => str(s).replace(/\b([a-z])/g, (c) => c.toUpperCase()),
  trim: (s) => str(s).trim(),
  trunc: (n, s) => str(s).slice(0, n as number),
  replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  default: (d, v) => (truth(v) ? v : d),
  quote: (s) => JSON.stringify(str(s)),
  toJson: (v) => JSON.stringify(v ?? null),
  join: (sep, list) => (list as Value[]).map(str).join(str(sep)),
  urlquery: (s) => encodeURIComponent(str(s)),
};

interface Scope {
  dot: Value;
  root: Value;
  vars: Map<string, Value>;
}

function evalTerm(term: Term, scope: Scope, extra: Value[] = []): Value {
  switch (term.kind) {
    case "literal":
      return term.value;
    case "field":
      return field(scope.dot, term.names);
    case "variable":
      return field(term.name === "$" ? scope.root : scope.vars.get(term.name), term.names);
    case "pipeline":
      return field(evalPipeline(term.commands, scope), term.names);
    case "function": {
      const fn = functions[term.name];
      if (!fn) throw new Error(`function ${term.name}`);
      return fn(...extra);
    }
  }
}

function evalPipeline(commands: Term[][], scope: Scope): Value {
  let value: Value;
  let first = true;
  for (const [head, ...rest] of commands) {
    const args = rest.map((t) => evalTerm(t, scope));
    if (!first) args.push(value);
    value = head?.kind === "function" ? evalTerm(head, scope, args) : evalTerm(head as Term, scope);
    first = false;
  }
  return value;
}

type Piece = { type: "text"; text: string } | { type: "action"; source: string; line: number };

/** Executes a Go template against `data` and returns the text. */
export function executeGoTemplate(source: string, data: Value): string {
  const pieces = splitGoTemplate(source) as Piece[];
  let position = 0;
  const parse = (text: string, line: number) => {
    const tokens = tokenizeGoAction(text, line) as Array<{ type: string; value: string }>;
    const assign = tokens.findIndex((t) => t.type === "punct" && (t.value === ":=" || t.value === "="));
    const names =
      assign === -1
        ? []
        : tokens
            .slice(0, assign)
            .filter((t) => t.type === "path")
            .map((t) => t.value);
    return { names, commands: parseGoPipeline(assign === -1 ? tokens : tokens.slice(assign + 1), line) as Term[][] };
  };

  // Runs pieces until an {{else…}} or {{end}} at this level; returns which one stopped it.
  function run(scope: Scope, out: { text: string }, skip: boolean): { stop: string; rest: string; line: number } {
    while (position < pieces.length) {
      const piece = pieces[position++] as Piece;
      if (piece.type === "text") {
        if (!skip) out.text += piece.text;
        continue;
      }
      const action = piece.source;
      if (action.startsWith("/*")) continue;
      const keyword = action.split(/\s+/, 1)[0] ?? "";
      const rest = action.slice(keyword.length).trim();
      if (keyword === "else" || keyword === "end") return { stop: keyword, rest, line: piece.line };
      if (keyword === "if") {
        let taken = false;
        let test = rest;
        for (;;) {
          const take: boolean = !skip && !taken && truth(evalPipeline(parse(test, piece.line).commands, scope));
          const stop = run(scope, out, !take);
          taken ||= take;
          if (stop.stop === "end") break;
          if (stop.rest.startsWith("if ")) test = stop.rest.slice(3);
          else {
            run(scope, out, skip || taken);
            break;
          }
        }
        continue;
      }
      if (keyword === "range" || keyword === "with") {
        const { names, commands } = parse(rest, piece.line);
        const value = skip ? undefined : evalPipeline(commands, scope);
        const start = position;
        let stop: { stop: string } = { stop: "end" };
        if (keyword === "with") {
          stop = run({ ...scope, dot: value }, out, skip || !truth(value));
        } else {
          const items: Array<[Value, Value]> = isNil(value)
            ? []
            : Array.isArray(value)
              ? value.map((v, i) => [i, v])
              : Object.keys(value as object)
                  .sort()
                  .map((k) => [k, (value as Record<string, Value>)[k]]);
          if (skip || items.length === 0) stop = run(scope, out, true);
          for (const [k, v] of skip ? [] : items) {
            position = start;
            const vars = new Map(scope.vars);
            if (names.length === 2) {
              vars.set(names[0] as string, k);
              vars.set(names[1] as string, v);
            } else if (names.length === 1) vars.set(names[0] as string, v);
            stop = run({ ...scope, dot: v, vars }, out, false);
          }
          if (items.length === 0 && !skip && stop.stop === "else") {
            run(scope, out, false);
            continue;
          }
        }
        if (stop.stop === "else") run(scope, out, keyword === "with" ? skip || truth(value) : true);
        continue;
      }
      if (skip) continue;
      const { names, commands } = parse(action, piece.line);
      const value = evalPipeline(commands, scope);
      if (names.length > 0) scope.vars.set(names[0] as string, value);
      else out.text += print(value);
    }
    return { stop: "eof", rest: "", line: 0 };
  }
  const out = { text: "" };
  run({ dot: data, root: data, vars: new Map() }, out, false);
  return out.text;
}
