/**
 * A parser for Go's text/template language, as Argo CD notification templates are written:
 * text and `{{ }}` actions with `{{-`/`-}}` trimming, comments, pipelines, variables (`$x :=`,
 * `$x =`), fields and chains (`.a.b`, `$x.a`, `(…).a`), literals, and the control structures
 * (if / else if / else, range with `$i, $v :=` and break / continue, with, define, template,
 * block). Functions are checked against the ones the interpreter has, as Go does at parse time.
 */

export type Arg =
  | { kind: "field"; path: string[]; pos: number }
  | { kind: "variable"; name: string; path: string[]; pos: number }
  | { kind: "dot"; pos: number }
  | { kind: "nil"; pos: number }
  | { kind: "bool"; value: boolean; pos: number }
  | { kind: "number"; text: string; value: number; isInt: boolean; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "function"; name: string; pos: number }
  | { kind: "chain"; node: Arg; path: string[]; pos: number }
  | { kind: "pipe"; pipe: Pipe; pos: number };

export interface Command {
  args: Arg[];
  pos: number;
}

export interface Pipe {
  /** Variables declared (`:=`) or assigned (`=`) by the pipeline. */
  variables: string[];
  assign: boolean;
  commands: Command[];
  pos: number;
}

export type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipe; line: number }
  | { kind: "if" | "with"; pipe: Pipe; list: Node[]; elseList: Node[] | null; line: number }
  | { kind: "range"; pipe: Pipe; list: Node[]; elseList: Node[] | null; line: number }
  | { kind: "template"; name: string; pipe: Pipe | null; line: number }
  | { kind: "break" | "continue"; line: number };

/** A parsed template: its main body and the templates it defines. */
export interface ParsedTemplate {
  root: Node[];
  defined: Map<string, Node[]>;
}

/** A syntax error, naming the line (and the text) where it was found. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "TemplateSyntaxError";
  }
}

type TokenType =
  | "text"
  | "left"
  | "right"
  | "space"
  | "field"
  | "variable"
  | "identifier"
  | "keyword"
  | "string"
  | "rawString"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "leftParen"
  | "rightParen"
  | "pipe"
  | "declare"
  | "assign"
  | "comma"
  | "eof";

interface Token {
  type: TokenType;
  value: string;
  pos: number;
  line: number;
}

const KEYWORDS = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);
const SPACE = /[ \t\r\n]/;

/** Splits template source into tokens, applying `{{-` / `-}}` trimming to the text around actions. */
function lex(source: string): Token[] {
  const newlines: number[] = [];
  for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) newlines.push(i);
  const lineOf = (at: number) => {
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((newlines[middle] ?? 0) < at) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
  const tokens: Token[] = [];
  const push = (type: TokenType, value: string, pos: number) => tokens.push({ type, value, pos, line: lineOf(pos) });
  let pos = 0;
  let trimNextText = false;
  while (pos < source.length) {
    const found = source.indexOf("{{", pos);
    const open = found === -1 ? source.length : found;
    // "{{-" trims only when a space follows the dash ("{{-3}}" is the number -3).
    const trimLeft = found !== -1 && /^\{\{-[ \t\r\n]/.test(source.slice(open, open + 4));
    let text = source.slice(pos, open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, "");
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, "");
    if (text !== "") push("text", text, pos);
    if (found === -1) break;
    let at = open + (trimLeft ? 3 : 2);
    const closing = (from: number): { trim: boolean; end: number } | null => {
      const trimmed = /^[ \t\r\n]+-\}\}/.exec(source.slice(from, from + 64));
      if (trimmed) return { trim: true, end: from + trimmed[0].length };
      return source.startsWith("}}", from) ? { trim: false, end: from + 2 } : null;
    };
    // A comment: {{/* … */}}, with optional trim markers.
    const comment = /^[ \t\r\n]*\/\*/.exec(source.slice(at, at + 64));
    if (comment && (trimLeft || comment[0] === "/*")) {
      const end = source.indexOf("*/", at + comment[0].length);
      if (end === -1) throw new TemplateSyntaxError("unclosed comment", lineOf(open));
      const close = closing(end + 2);
      if (close === null) throw new TemplateSyntaxError("comment ends before closing delimiter", lineOf(end));
      pos = close.end;
      trimNextText = close.trim;
      continue;
    }
    push("left", "{{", open);
    trimNextText = false;
    for (;;) {
      if (at >= source.length) throw new TemplateSyntaxError("unclosed action", lineOf(open));
      const close = closing(at);
      if (close) {
        push("right", "}}", at);
        at = close.end;
        trimNextText = close.trim;
        break;
      }
      const c = source[at] ?? "";
      const take = (type: TokenType, end: number) => {
        push(type, source.slice(at, end), at);
        at = end;
      };
      if (SPACE.test(c)) {
        let end = at;
        while (SPACE.test(source[end] ?? "")) end++;
        take("space", end);
      } else if (c === "(") take("leftParen", at + 1);
      else if (c === ")") take("rightParen", at + 1);
      else if (c === "|") take("pipe", at + 1);
      else if (c === ",") take("comma", at + 1);
      else if (c === ":" && source[at + 1] === "=") take("declare", at + 2);
      else if (c === "=") take("assign", at + 1);
      else if (c === '"') take("string", endOfQuoted(source, at, '"', lineOf(at)));
      else if (c === "'") take("char", endOfQuoted(source, at, "'", lineOf(at)));
      else if (c === "`") {
        const end = source.indexOf("`", at + 1);
        if (end === -1) throw new TemplateSyntaxError("unterminated raw quoted string", lineOf(at));
        take("rawString", end + 1);
      } else if (c === "$")
        take("variable", at + (/^\$[A-Za-z0-9_]*/.exec(source.slice(at, at + 256))?.[0].length ?? 1));
      else if (c === ".") {
        const field = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at, at + 256));
        if (field) take("field", at + field[0].length);
        else if (/[0-9]/.test(source[at + 1] ?? "")) take("number", at + numberLength(source, at, lineOf(at)));
        else take("dot", at + 1);
      } else if (/[0-9+-]/.test(c)) take("number", at + numberLength(source, at, lineOf(at)));
      else if (/[A-Za-z_]/.test(c)) {
        const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at, at + 256))?.[0] ?? c;
        take(
          KEYWORDS.has(word)
            ? "keyword"
            : word === "true" || word === "false"
              ? "bool"
              : word === "nil"
                ? "nil"
                : "identifier",
          at + word.length,
        );
      } else throw new TemplateSyntaxError(`unexpected ${JSON.stringify(c)} in command`, lineOf(at));
    }
    pos = at;
  }
  push("eof", "", source.length);
  return tokens;
}

function endOfQuoted(source: string, start: number, quote: string, line: number): number {
  let i = start + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") i += 2;
    else if (c === "\n") break;
    else if (c === quote) return i + 1;
    else i++;
  }
  throw new TemplateSyntaxError(`unterminated ${quote === '"' ? "quoted string" : "character constant"}`, line);
}

function numberLength(source: string, start: number, line: number): number {
  const match =
    /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(
      source.slice(start, start + 128),
    );
  const text = match?.[0] ?? "";
  if (!/[0-9]/.test(text))
    throw new TemplateSyntaxError(`bad number syntax: ${JSON.stringify(source.slice(start, start + 10))}`, line);
  return text.length;
}

/** Go's string-literal escapes (\n, \t, \", \\, \x41, \u00e9, \101 …). */
function unquote(text: string, line: number): string {
  const body = text.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, sequence: string) => {
    switch (sequence[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "\\":
      case '"':
      case "'":
        return sequence;
      case "x":
      case "u":
      case "U":
        return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
      default:
        if (/^[0-7]{3}$/.test(sequence)) return String.fromCodePoint(Number.parseInt(sequence, 8));
        throw new TemplateSyntaxError(`unknown escape sequence \\${sequence}`, line);
    }
  });
}

/** The numeric value of a Go number literal (ints stay ints; `1.0` and `1e3` are floats). */
function numberValue(text: string, line: number): { value: number; isInt: boolean } {
  const clean = text.replace(/_/g, "");
  const negative = clean.startsWith("-");
  const unsigned = clean.replace(/^[+-]/, "");
  let value: number;
  let isInt = true;
  if (/^0[xX]/.test(unsigned)) value = Number.parseInt(unsigned.slice(2), 16);
  else if (/^0[bB]/.test(unsigned)) value = Number.parseInt(unsigned.slice(2), 2);
  else if (/^0[oO]/.test(unsigned)) value = Number.parseInt(unsigned.slice(2), 8);
  else if (/^0[0-7]+$/.test(unsigned)) value = Number.parseInt(unsigned, 8);
  else {
    value = Number(unsigned);
    isInt = /^[0-9]+$/.test(unsigned);
  }
  if (Number.isNaN(value)) throw new TemplateSyntaxError(`bad number syntax: ${JSON.stringify(text)}`, line);
  return { value: negative ? -value : value, isInt };
}

/** How deeply control structures and parenthesized pipelines may nest. */
const MAX_NESTING = 100;

class Parser {
  private index = 0;
  private depth = 0;
  private readonly defined = new Map<string, Node[]>();
  /** Variables in scope, innermost last; `$` is always defined. */
  private readonly variables: string[] = ["$"];

  constructor(
    private readonly tokens: Token[],
    private readonly isFunction: (name: string) => boolean,
    private readonly unknownFunction: (name: string) => string,
  ) {}

  parse(): ParsedTemplate {
    const { list, end } = this.list();
    if (end !== "eof") this.fail(`unexpected {{${end}}}`);
    return { root: list, defined: this.defined };
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }
  private next(): Token {
    const token = this.tokens[this.index] as Token;
    if (token.type !== "eof") this.index++;
    return token;
  }
  private nextNonSpace(): Token {
    let token = this.next();
    while (token.type === "space") token = this.next();
    return token;
  }
  private peekNonSpace(): Token {
    const saved = this.index;
    const token = this.nextNonSpace();
    this.index = saved;
    return token;
  }
  private fail(message: string): never {
    throw new TemplateSyntaxError(message, this.peek().line);
  }
  private expectRight(context: string): void {
    const token = this.nextNonSpace();
    if (token.type !== "right") this.fail(`unexpected "${token.value}" in ${context}`);
  }

  /** Nodes up to {{end}}, {{else}} or the end of input; says which ended it. */
  private list(): { list: Node[]; end: "eof" | "end" | "else" } {
    const list: Node[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === "eof") return { list, end: "eof" };
      if (token.type === "text") {
        list.push({ kind: "text", text: token.value });
        continue;
      }
      // token is "left": an action.
      const keyword = this.peekNonSpace();
      if (keyword.type === "keyword") {
        this.nextNonSpace();
        switch (keyword.value) {
          case "end":
            this.expectRight("end");
            return { list, end: "end" };
          case "else":
            return { list, end: "else" };
          case "if":
          case "with":
          case "range":
            list.push(this.control(keyword.value, keyword.line));
            continue;
          case "template":
          case "block":
            list.push(this.templateCall(keyword.value, keyword.line));
            continue;
          case "define":
            this.define(keyword.line);
            continue;
          case "break":
          case "continue":
            this.expectRight(keyword.value);
            list.push({ kind: keyword.value, line: keyword.line });
            continue;
        }
      }
      const line = keyword.line;
      list.push({ kind: "action", pipe: this.pipeline("command", "right"), line });
    }
  }

  /** Runs a nested parse, failing (not overflowing the stack) past MAX_NESTING levels. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(`nested deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private control(kind: "if" | "with" | "range", line: number): Node {
    return this.nested(() => this.controlBody(kind, line));
  }

  private controlBody(kind: "if" | "with" | "range", line: number): Node {
    const depth = this.variables.length;
    const pipe = this.pipeline(kind, "right", kind === "range");
    const body = this.list();
    if (body.end === "eof") this.fail(`unexpected EOF in ${kind}`);
    let elseList: Node[] | null = null;
    if (body.end === "else") {
      const after = this.peekNonSpace();
      if ((kind === "if" || kind === "with") && after.type === "keyword" && after.value === kind) {
        // {{else if …}} / {{else with …}}: an else holding one nested control that ends with this one's {{end}}.
        this.nextNonSpace();
        elseList = [this.control(kind, after.line)];
      } else {
        this.expectRight("else");
        const otherwise = this.list();
        if (otherwise.end !== "end") this.fail(`expected end; found ${otherwise.end === "else" ? "{{else}}" : "EOF"}`);
        elseList = otherwise.list;
      }
    }
    this.variables.length = depth;
    return { kind, pipe, list: body.list, elseList, line };
  }

  private templateCall(kind: "template" | "block", line: number): Node {
    const nameToken = this.nextNonSpace();
    if (nameToken.type !== "string" && nameToken.type !== "rawString")
      this.fail(`unexpected "${nameToken.value}" in ${kind} clause`);
    const name = nameToken.type === "string" ? unquote(nameToken.value, nameToken.line) : nameToken.value.slice(1, -1);
    let pipe: Pipe | null = null;
    if (this.peekNonSpace().type === "right") this.nextNonSpace();
    else pipe = this.pipeline(kind, "right");
    if (kind === "block") {
      const saved = this.variables.splice(1);
      const body = this.list();
      this.variables.push(...saved);
      if (body.end !== "end") this.fail("unexpected EOF in block clause");
      this.defined.set(name, body.list);
    }
    return { kind: "template", name, pipe, line };
  }

  private define(line: number): void {
    const nameToken = this.nextNonSpace();
    if (nameToken.type !== "string" && nameToken.type !== "rawString")
      this.fail("define clause needs a name in quotes");
    this.expectRight("define clause");
    const saved = this.variables.splice(1);
    const body = this.list();
    this.variables.push(...saved);
    if (body.end !== "end") this.fail(`unexpected EOF in define clause (line ${line})`);
    const name = nameToken.type === "string" ? unquote(nameToken.value, nameToken.line) : nameToken.value.slice(1, -1);
    this.defined.set(name, body.list);
  }

  private pipeline(context: string, end: "right" | "rightParen", allowTwoVariables = false): Pipe {
    const start = this.peekNonSpace();
    const variables: string[] = [];
    let assign = false;
    // Declarations: $x := … / $x = … / $i, $v := … (range only).
    const saved = this.index;
    const first = this.nextNonSpace();
    if (first.type === "variable") {
      const after = this.nextNonSpace();
      if (after.type === "declare" || after.type === "assign") {
        variables.push(first.value);
        assign = after.type === "assign";
      } else if (after.type === "comma" && allowTwoVariables) {
        const second = this.nextNonSpace();
        const op = this.nextNonSpace();
        if (second.type !== "variable" || (op.type !== "declare" && op.type !== "assign"))
          this.fail(`range can only initialize variables`);
        variables.push(first.value, second.value);
        assign = op.type === "assign";
      } else this.index = saved;
    } else this.index = saved;
    if (assign)
      for (const name of variables) if (!this.variables.includes(name)) this.fail(`undefined variable "${name}"`);
    const commands: Command[] = [];
    for (;;) {
      const token = this.peekNonSpace();
      if (token.type === end) {
        this.nextNonSpace();
        break;
      }
      if (token.type === "eof" || token.type === "right" || token.type === "rightParen")
        this.fail(`unexpected "${token.value || "EOF"}" in ${context}`);
      commands.push(this.command());
      const separator = this.peekNonSpace();
      if (separator.type === "pipe") this.nextNonSpace();
      else if (separator.type !== end) this.fail(`unexpected "${separator.value}" in ${context}`);
    }
    if (commands.length === 0) this.fail(`missing value for ${context}`);
    commands.forEach((command, i) => {
      const head = command.args[0];
      if (
        i > 0 &&
        head &&
        head.kind !== "function" &&
        head.kind !== "field" &&
        head.kind !== "chain" &&
        head.kind !== "variable"
      )
        this.fail(`non executable command in pipeline stage ${i + 1}`);
    });
    if (!assign) for (const name of variables) this.variables.push(name);
    return { variables, assign, commands, pos: start.pos };
  }

  private command(): Command {
    const args: Arg[] = [];
    const pos = this.peekNonSpace().pos;
    for (;;) {
      const token = this.peekNonSpace();
      if (token.type === "pipe" || token.type === "right" || token.type === "rightParen" || token.type === "eof") break;
      if (args.length > 0 && this.peek().type !== "space") this.fail(`missing space before "${this.peek().value}"`);
      args.push(this.operand());
    }
    if (args.length === 0) this.fail("empty command");
    const head = args[0];
    if (head?.kind === "nil") this.fail("nil is not a command");
    return { args, pos };
  }

  private operand(): Arg {
    let arg = this.term();
    // Fields straight after a term: $x.a.b, (…).a, .a.b
    const path: string[] = [];
    while (this.peek().type === "field") path.push(this.next().value.slice(1));
    if (path.length > 0) {
      if (arg.kind === "field") arg = { ...arg, path: [...arg.path, ...path] };
      else if (arg.kind === "variable") arg = { ...arg, path: [...arg.path, ...path] };
      else if (
        arg.kind === "string" ||
        arg.kind === "number" ||
        arg.kind === "bool" ||
        arg.kind === "nil" ||
        arg.kind === "dot"
      )
        this.fail(`unexpected . after term ${JSON.stringify(arg.kind)}`);
      else arg = { kind: "chain", node: arg, path, pos: arg.pos };
    }
    return arg;
  }

  private term(): Arg {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "field":
        return { kind: "field", path: [token.value.slice(1)], pos: token.pos };
      case "variable":
        if (!this.variables.includes(token.value)) this.fail(`undefined variable "${token.value}"`);
        return { kind: "variable", name: token.value, path: [], pos: token.pos };
      case "dot":
        return { kind: "dot", pos: token.pos };
      case "nil":
        return { kind: "nil", pos: token.pos };
      case "bool":
        return { kind: "bool", value: token.value === "true", pos: token.pos };
      case "number":
        return { kind: "number", text: token.value, ...numberValue(token.value, token.line), pos: token.pos };
      case "char": {
        const char = unquote(token.value, token.line);
        return { kind: "number", text: token.value, value: char.codePointAt(0) ?? 0, isInt: true, pos: token.pos };
      }
      case "string":
        return { kind: "string", value: unquote(token.value, token.line), pos: token.pos };
      case "rawString":
        return { kind: "string", value: token.value.slice(1, -1), pos: token.pos };
      case "identifier":
        if (!this.isFunction(token.value)) this.fail(this.unknownFunction(token.value));
        return { kind: "function", name: token.value, pos: token.pos };
      case "leftParen":
        return {
          kind: "pipe",
          pipe: this.nested(() => this.pipeline("parenthesized pipeline", "rightParen")),
          pos: token.pos,
        };
      default:
        return this.fail(`unexpected "${token.value || "EOF"}" in operand`);
    }
  }
}

/** Parses a Go template; `isFunction` says which function names exist. Throws TemplateSyntaxError. */
export function parseGoTemplate(
  source: string,
  isFunction: (name: string) => boolean,
  unknownFunction = (name: string) => `function "${name}" not defined`,
): ParsedTemplate {
  return new Parser(lex(source), isFunction, unknownFunction).parse();
}
