/**
 * A parser for the subset of expr-lang (https://expr-lang.org) that Argo Workflows and Argo CD
 * users write in WorkflowEventBindings and notification triggers: literals, member access and
 * indexing (with `?.`), comparison, logic, membership, `matches` / `contains` / `startsWith` /
 * `endsWith`, arithmetic, `??`, the ternary, ranges, calls (built-ins, `sprig.*`), and
 * predicates (`{ # > 1 }`, `.field`). Operator precedence follows expr-lang's parser.
 */

export type Node =
  | { kind: "literal"; value: string | number | boolean | null; pos: number }
  | { kind: "name"; name: string; pos: number }
  | { kind: "pointer"; pos: number }
  | { kind: "member"; object: Node; property: Node; optional: boolean; pos: number }
  | { kind: "slice"; object: Node; from: Node | null; to: Node | null; pos: number }
  | { kind: "unary"; op: "not" | "-" | "+"; operand: Node; pos: number }
  | { kind: "binary"; op: string; left: Node; right: Node; pos: number }
  | { kind: "conditional"; test: Node; then: Node; otherwise: Node; pos: number }
  | { kind: "call"; callee: string; args: Node[]; pos: number }
  | { kind: "method"; object: Node; name: string; args: Node[]; pos: number }
  | { kind: "predicate"; body: Node; pos: number }
  | { kind: "array"; items: Node[]; pos: number }
  | { kind: "map"; entries: Array<{ key: string; value: Node }>; pos: number };

/** A syntax error, with the (1-based) character position where it was found. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "ExprSyntaxError";
  }
}

interface Token {
  type: "number" | "string" | "name" | "operator" | "bracket" | "eof";
  value: string;
  pos: number;
}

const operators = [
  "not in",
  "...",
  "??",
  "?.",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "**",
  "..",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "^",
  "!",
  "?",
  ":",
  ",",
  ".",
  "#",
  "|",
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? "";
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (/[0-9]/.test(char)) {
      const match = /^(0x[0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?)/.exec(source.slice(i));
      const text = match?.[0] ?? char;
      // "1..5" is a range, not the number "1."
      const value = text.endsWith(".") ? text.slice(0, -1) : text;
      tokens.push({ type: "number", value: value.replace(/_/g, ""), pos });
      i += value.length;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      let j = i + 1;
      let text = "";
      while (j < source.length && source[j] !== char) {
        if (source[j] === "\\" && char !== "`") {
          const next = source[j + 1] ?? "";
          const escapes: Record<string, string> = {
            a: "\x07",
            b: "\b",
            f: "\f",
            n: "\n",
            r: "\r",
            t: "\t",
            v: "\v",
            "\\": "\\",
            '"': '"',
            "'": "'",
          };
          // Go's escapes: \xhh, \uhhhh, \Uhhhhhhhh, \ooo (octal); anything else is an error, as in expr.
          const numeric = /^(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})/.exec(
            source.slice(j + 1, j + 10),
          );
          if (numeric) {
            const digits = numeric[0];
            text += String.fromCodePoint(
              /^[0-7]/.test(digits) ? Number.parseInt(digits, 8) : Number.parseInt(digits.slice(1), 16),
            );
            j += 1 + digits.length;
            continue;
          }
          const escaped = Object.hasOwn(escapes, next) ? escapes[next] : undefined;
          if (escaped === undefined) throw new ExprSyntaxError("invalid char escape", j + 1);
          text += escaped;
          j += 2;
          continue;
        }
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new ExprSyntaxError("unterminated string literal", pos);
      tokens.push({ type: "string", value: text, pos });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(char)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
      const word = match?.[0] ?? char;
      // `not in` is one operator.
      const rest = source.slice(i + word.length);
      const notIn = word === "not" ? /^\s+in\b/.exec(rest) : null;
      if (notIn) {
        tokens.push({ type: "operator", value: "not in", pos });
        i += word.length + notIn[0].length;
        continue;
      }
      const wordOperators = ["and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"];
      tokens.push({ type: wordOperators.includes(word) ? "operator" : "name", value: word, pos });
      i += word.length;
      continue;
    }
    if ("()[]{}".includes(char)) {
      tokens.push({ type: "bracket", value: char, pos });
      i++;
      continue;
    }
    const operator = operators.find((op) => source.startsWith(op, i));
    if (!operator) throw new ExprSyntaxError(`unexpected character "${char}"`, pos);
    tokens.push({ type: "operator", value: operator, pos });
    i += operator.length;
  }
  tokens.push({ type: "eof", value: "", pos: source.length + 1 });
  return tokens;
}

/** Binary operators and their precedence (expr-lang's), all left-associative except `**` / `^`. */
const binary: Record<string, number> = {
  "|": 0,
  or: 10,
  "||": 10,
  and: 15,
  "&&": 15,
  "==": 20,
  "!=": 20,
  "<": 20,
  ">": 20,
  ">=": 20,
  "<=": 20,
  in: 20,
  "not in": 20,
  matches: 20,
  contains: 20,
  startsWith: 20,
  endsWith: 20,
  "..": 25,
  "+": 30,
  "-": 30,
  "*": 60,
  "/": 60,
  "%": 60,
  "**": 100,
  "^": 100,
  "??": 500,
};
const rightAssociative = new Set(["**", "^"]);
const unary: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };

/** Built-ins whose second argument is a predicate, which may be written without braces. */
const predicateFunctions = new Set([
  "all",
  "any",
  "none",
  "one",
  "filter",
  "map",
  "count",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "groupBy",
  "sortBy",
]);

/** Parses an expr-lang expression into a syntax tree. */
/** How deeply an expression may nest (parentheses, unary operators, calls). */
const MAX_NESTING = 100;

export function parseExpr(source: string): Node {
  const tokens = tokenize(source);
  let index = 0;
  const peek = () => tokens[index] as Token;
  const next = () => tokens[index++] as Token;
  const is = (type: Token["type"], value?: string) =>
    peek().type === type && (value === undefined || peek().value === value);
  const expect = (type: Token["type"], value: string) => {
    const token = next();
    if (token.type !== type || token.value !== value) {
      throw new ExprSyntaxError(
        `expected "${value}" but found ${token.type === "eof" ? "the end" : `"${token.value}"`}`,
        token.pos,
      );
    }
    return token;
  };

  function expression(): Node {
    const test = binaryExpression(0);
    if (is("operator", "?")) {
      const pos = next().pos;
      const then = expression();
      expect("operator", ":");
      const otherwise = expression();
      return { kind: "conditional", test, then, otherwise, pos };
    }
    return test;
  }

  let depth = 0;
  function binaryExpression(minimum: number): Node {
    // Every nesting (parentheses, operators, arguments) passes here: bound it before the stack is.
    if (++depth > MAX_NESTING)
      throw new ExprSyntaxError(`expression nested deeper than ${MAX_NESTING} levels`, peek().pos);
    try {
      return binaryExpressionBody(minimum);
    } finally {
      depth--;
    }
  }

  function binaryExpressionBody(minimum: number): Node {
    let left = unaryExpression();
    for (;;) {
      const token = peek();
      const precedence = token.type === "operator" ? binary[token.value] : undefined;
      if (precedence === undefined || precedence < minimum) return left;
      next();
      const right = binaryExpression(rightAssociative.has(token.value) ? precedence : precedence + 1);
      left = { kind: "binary", op: token.value === "^" ? "**" : token.value, left, right, pos: token.pos };
    }
  }

  function unaryExpression(): Node {
    const token = peek();
    if (token.type === "operator" && unary[token.value] !== undefined) {
      next();
      const operand = binaryExpression(unary[token.value] ?? 0);
      const op = token.value === "!" || token.value === "not" ? "not" : (token.value as "-" | "+");
      return { kind: "unary", op, operand, pos: token.pos };
    }
    return postfix(primary());
  }

  function postfix(base: Node): Node {
    let node = base;
    for (;;) {
      const token = peek();
      if (token.type === "operator" && (token.value === "." || token.value === "?.")) {
        next();
        const name = next();
        if (name.type !== "name" && name.type !== "operator")
          throw new ExprSyntaxError('expected a field name after "."', name.pos);
        if (is("bracket", "(")) {
          // A method of the value: time.Parse(x).Before(y), d.Hours()
          next();
          const args: Node[] = [];
          while (!is("bracket", ")")) {
            args.push(expression());
            if (!is("bracket", ")")) expect("operator", ",");
          }
          expect("bracket", ")");
          node = { kind: "method", object: node, name: name.value, args, pos: name.pos };
          continue;
        }
        node = {
          kind: "member",
          object: node,
          property: { kind: "literal", value: name.value, pos: name.pos },
          optional: token.value === "?.",
          pos: token.pos,
        };
        continue;
      }
      if (token.type === "bracket" && token.value === "[") {
        next();
        if (is("operator", ":")) {
          next();
          const to = is("bracket", "]") ? null : expression();
          expect("bracket", "]");
          node = { kind: "slice", object: node, from: null, to, pos: token.pos };
          continue;
        }
        const property = expression();
        if (is("operator", ":")) {
          next();
          const to = is("bracket", "]") ? null : expression();
          expect("bracket", "]");
          node = { kind: "slice", object: node, from: property, to, pos: token.pos };
          continue;
        }
        expect("bracket", "]");
        node = { kind: "member", object: node, property, optional: false, pos: token.pos };
        continue;
      }
      return node;
    }
  }

  function primary(): Node {
    const token = next();
    switch (token.type) {
      case "number":
        return { kind: "literal", value: Number(token.value), pos: token.pos };
      case "string":
        return { kind: "literal", value: token.value, pos: token.pos };
      case "name": {
        if (token.value === "true" || token.value === "false")
          return { kind: "literal", value: token.value === "true", pos: token.pos };
        if (token.value === "nil") return { kind: "literal", value: null, pos: token.pos };
        let name = token.value;
        // Namespaced functions: sprig.lower(…)
        const wordAfterDot = () => {
          const word = tokens[index + 1];
          return (
            word !== undefined && (word.type === "name" || (word.type === "operator" && /^[A-Za-z]+$/.test(word.value)))
          );
        };
        while (
          is("operator", ".") &&
          wordAfterDot() &&
          tokens[index + 2]?.type === "bracket" &&
          tokens[index + 2]?.value === "("
        ) {
          next();
          name += `.${next().value}`;
        }
        if (is("bracket", "(")) {
          next();
          const args: Node[] = [];
          while (!is("bracket", ")")) {
            const takesPredicate = predicateFunctions.has(name) && args.length === 1;
            args.push(is("bracket", "{") ? predicate() : takesPredicate ? argument() : expression());
            if (!is("bracket", ")")) expect("operator", ",");
          }
          expect("bracket", ")");
          return { kind: "call", callee: name, args, pos: token.pos };
        }
        return { kind: "name", name, pos: token.pos };
      }
      case "operator":
        if (token.value === "#") return { kind: "pointer", pos: token.pos };
        if (token.value === ".") {
          // `.field` inside a predicate is `#.field`
          const name = next();
          if (name.type !== "name") throw new ExprSyntaxError('expected a field name after "."', name.pos);
          return {
            kind: "member",
            object: { kind: "pointer", pos: token.pos },
            property: { kind: "literal", value: name.value, pos: name.pos },
            optional: false,
            pos: token.pos,
          };
        }
        break;
      case "bracket":
        if (token.value === "(") {
          const inner = expression();
          expect("bracket", ")");
          return inner;
        }
        if (token.value === "[") {
          const items: Node[] = [];
          while (!is("bracket", "]")) {
            items.push(expression());
            if (!is("bracket", "]")) expect("operator", ",");
          }
          expect("bracket", "]");
          return { kind: "array", items, pos: token.pos };
        }
        if (token.value === "{") {
          const entries: Array<{ key: string; value: Node }> = [];
          while (!is("bracket", "}")) {
            const key = next();
            if (key.type !== "name" && key.type !== "string" && key.type !== "number")
              throw new ExprSyntaxError("expected a map key", key.pos);
            expect("operator", ":");
            entries.push({ key: key.value, value: expression() });
            if (!is("bracket", "}")) expect("operator", ",");
          }
          expect("bracket", "}");
          return { kind: "map", entries, pos: token.pos };
        }
        break;
      default:
        break;
    }
    throw new ExprSyntaxError(
      token.type === "eof" ? "unexpected end of expression" : `unexpected "${token.value}"`,
      token.pos,
    );
  }

  /** A call argument: a predicate written without braces (`filter(xs, # > 1)`) or any expression. */
  function argument(): Node {
    const start = index;
    const node = expression();
    return usesPointer(node) && index > start ? { kind: "predicate", body: node, pos: node.pos } : node;
  }

  function predicate(): Node {
    const open = expect("bracket", "{");
    // `{…}` is a predicate in argument position, unless it is a map literal (`{key: value}`).
    const looksLikeMap =
      (tokens[index]?.type === "name" || tokens[index]?.type === "string") &&
      tokens[index + 1]?.value === ":" &&
      tokens[index + 1]?.type === "operator";
    if (looksLikeMap) {
      index--;
      return primary();
    }
    const body = expression();
    expect("bracket", "}");
    return { kind: "predicate", body, pos: open.pos };
  }

  const tree = expression();
  const rest = peek();
  if (rest.type !== "eof") throw new ExprSyntaxError(`unexpected "${rest.value}"`, rest.pos);
  return tree;
}

/** True when `#` (or `.field`) appears outside any nested predicate. */
export function usesPointer(node: Node): boolean {
  switch (node.kind) {
    case "pointer":
      return true;
    case "member":
      return usesPointer(node.object) || usesPointer(node.property);
    case "slice":
      return (
        usesPointer(node.object) ||
        (node.from !== null && usesPointer(node.from)) ||
        (node.to !== null && usesPointer(node.to))
      );
    case "unary":
      return usesPointer(node.operand);
    case "binary":
      return usesPointer(node.left) || usesPointer(node.right);
    case "conditional":
      return usesPointer(node.test) || usesPointer(node.then) || usesPointer(node.otherwise);
    case "call":
      return node.args.some((arg) => arg.kind !== "predicate" && usesPointer(arg));
    case "method":
      return usesPointer(node.object) || node.args.some(usesPointer);
    case "array":
      return node.items.some(usesPointer);
    case "map":
      return node.entries.some((entry) => usesPointer(entry.value));
    default:
      return false;
  }
}
