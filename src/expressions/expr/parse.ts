/**
 * A parser for expr-lang v1.17.8 (https://expr-lang.org), the version Argo Workflows and Argo
 * CD ship: literals (ints, floats, 0x/0o/0b, `_` separators), comments, member access and
 * indexing (with `?.` and `?.[…]`), comparison, logic, membership, `[not] matches` /
 * `contains` / `startsWith` / `endsWith`, arithmetic, `??`, the ternary and `if {} else {}`,
 * `let`, pipes, ranges, slices, calls (built-ins, `sprig.*`, Argo CD's helpers) and predicates
 * (`{ # > 1 }`, `.field`, `#index`, `#acc`). Operator precedence follows expr-lang's parser.
 */

export type Node =
  | { kind: "literal"; value: string | number | boolean | null; pos: number; float?: boolean }
  | { kind: "name"; name: string; pos: number }
  /** `#` (the element), `#index`, `#acc` (reduce's accumulator). */
  | { kind: "pointer"; name: "" | "index" | "acc"; pos: number }
  | { kind: "let"; name: string; value: Node; body: Node; pos: number }
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
  /** Numbers: written as a float (`1.5`, `.5`, `1e3`). */
  float?: boolean;
}

const operators = [
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
  ";",
  "=",
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
    if (source.startsWith("//", i)) {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw new ExprSyntaxError("unterminated comment", pos);
      i = end + 2;
      continue;
    }
    const previous = tokens.at(-1);
    const afterValue =
      previous !== undefined &&
      (previous.type === "name" ||
        previous.type === "number" ||
        previous.type === "string" ||
        (previous.type === "bracket" && ")]}".includes(previous.value)));
    if (/[0-9]/.test(char) || (char === "." && /[0-9]/.test(source[i + 1] ?? "") && !afterValue)) {
      const rest = source.slice(i);
      const radix = /^0([xXoObB])[0-9a-fA-F_]+/.exec(rest);
      if (radix) {
        const letter = (radix[1] ?? "x").toLowerCase();
        const base = letter === "x" ? 16 : letter === "o" ? 8 : 2;
        const digits = radix[0].slice(2).replace(/_/g, "");
        const valid = base === 16 ? /^[0-9a-f]+$/i : base === 8 ? /^[0-7]+$/ : /^[01]+$/;
        if (!valid.test(digits)) throw new ExprSyntaxError(`invalid number ${radix[0]}`, pos);
        const value = Number.parseInt(digits, base);
        tokens.push({ type: "number", value: String(value), pos });
        i += radix[0].length;
        continue;
      }
      // "1..5" is a range, not the number "1." followed by ".5"
      const match = /^([0-9][0-9_]*)?(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?/.exec(rest);
      const text = match?.[0] ?? char;
      tokens.push({ type: "number", value: text.replace(/_/g, ""), pos, float: /[.eE]/.test(text) });
      i += text.length;
      continue;
    }
    if (char === "#") {
      const word = /^#(index|acc)\b/.exec(source.slice(i));
      tokens.push({ type: "operator", value: word ? `#${word[1]}` : "#", pos });
      i += word ? word[0].length : 1;
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
      // `not in`, `not matches`, `not startsWith`… are one operator each.
      const rest = source.slice(i + word.length);
      const negated = word === "not" ? /^\s+(in|matches|contains|startsWith|endsWith)\b/.exec(rest) : null;
      if (negated) {
        tokens.push({ type: "operator", value: `not ${negated[1]}`, pos });
        i += word.length + negated[0].length;
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
  "not matches": 20,
  contains: 20,
  "not contains": 20,
  startsWith: 20,
  "not startsWith": 20,
  endsWith: 20,
  "not endsWith": 20,
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
export const PREDICATE_FUNCTIONS: ReadonlySet<string> = new Set([
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
  "reduce",
  "sum",
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
    // `let name = value; body`
    if (is("name", "let")) {
      const pos = next().pos;
      if (++depth > MAX_NESTING) throw new ExprSyntaxError(`expression nested deeper than ${MAX_NESTING} levels`, pos);
      const name = next();
      if (name.type !== "name" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.value))
        throw new ExprSyntaxError("expected a variable name after let", name.pos);
      expect("operator", "=");
      const value = expression();
      expect("operator", ";");
      const body = expression();
      depth--;
      return { kind: "let", name: name.value, value, body, pos };
    }
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
      if (token.value === "|") {
        // `x | f(a)` is `f(x, a)`.
        left = pipeCall(left);
        continue;
      }
      const right = binaryExpression(rightAssociative.has(token.value) ? precedence : precedence + 1);
      const negated = token.value.startsWith("not ") && token.value !== "not in";
      const op = token.value === "^" ? "**" : negated ? token.value.slice(4) : token.value;
      const binaryNode: Node = { kind: "binary", op, left, right, pos: token.pos };
      left = negated ? { kind: "unary", op: "not", operand: binaryNode, pos: token.pos } : binaryNode;
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
      if (token.type === "operator" && token.value === "?." && tokens[index + 1]?.value === "[") {
        // `a?.[i]`
        next();
        next();
        const property = expression();
        expect("bracket", "]");
        node = { kind: "member", object: node, property, optional: true, pos: token.pos };
        continue;
      }
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
        return { kind: "literal", value: Number(token.value), pos: token.pos, float: token.float === true };
      case "string":
        return { kind: "literal", value: token.value, pos: token.pos };
      case "name": {
        if (token.value === "true" || token.value === "false")
          return { kind: "literal", value: token.value === "true", pos: token.pos };
        if (token.value === "nil") return { kind: "literal", value: null, pos: token.pos };
        if (token.value === "if" && !is("bracket", "(")) return ifElse(token.pos);
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
        if (is("bracket", "(")) return { kind: "call", callee: name, args: callArguments(name, []), pos: token.pos };
        return { kind: "name", name, pos: token.pos };
      }
      case "operator":
        if (token.value === "#" || token.value === "#index" || token.value === "#acc")
          return { kind: "pointer", name: token.value.slice(1) as "" | "index" | "acc", pos: token.pos };
        if (token.value === ".") {
          // `.field` inside a predicate is `#.field`
          const name = next();
          if (name.type !== "name") throw new ExprSyntaxError('expected a field name after "."', name.pos);
          return {
            kind: "member",
            object: { kind: "pointer", name: "", pos: token.pos },
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

  /** The arguments of a call to `name` after its "(", `given` first (a pipe's left side). */
  function callArguments(name: string, given: Node[]): Node[] {
    expect("bracket", "(");
    const args = [...given];
    while (!is("bracket", ")")) {
      const takesPredicate = PREDICATE_FUNCTIONS.has(name) && args.length === 1;
      args.push(is("bracket", "{") ? predicate() : takesPredicate ? argument() : expression());
      if (!is("bracket", ")")) expect("operator", ",");
    }
    expect("bracket", ")");
    return args;
  }

  /** The right side of `|`: a call, which takes the left side as its first argument. */
  function pipeCall(left: Node): Node {
    const first = next();
    if (first.type !== "name") throw new ExprSyntaxError("expected a function call after |", first.pos);
    let name = first.value;
    while (is("operator", ".") && tokens[index + 1]?.type === "name") {
      next();
      name += `.${next().value}`;
    }
    if (!is("bracket", "(")) throw new ExprSyntaxError("expected a function call after |", peek().pos);
    return { kind: "call", callee: name, args: callArguments(name, [left]), pos: first.pos };
  }

  /** `if cond { a } else { b }` (and `else if …`), after the `if`. */
  function ifElse(pos: number): Node {
    const test = expression();
    expect("bracket", "{");
    const then = expression();
    expect("bracket", "}");
    const elseToken = next();
    if (elseToken.type !== "name" || elseToken.value !== "else")
      throw new ExprSyntaxError('expected "else" after if {…}', elseToken.pos);
    let otherwise: Node;
    if (is("name", "if")) otherwise = ifElse(next().pos);
    else {
      expect("bracket", "{");
      otherwise = expression();
      expect("bracket", "}");
    }
    return { kind: "conditional", test, then, otherwise, pos };
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
    case "let":
      return usesPointer(node.value) || usesPointer(node.body);
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
