// @ts-check
// Go text/template (as Argo CD notification templates use it) → Eta. The parser covers actions,
// pipelines with `|`, fields and variables, literals, parenthesised pipelines, `if`/`else if`/
// `else`, `range` (with `$i, $e :=` and `else`), `with`, variable declarations and the `{{-`/`-}}`
// trim markers. The translation calls Go's semantics at run time through `it.go.*`
// (src/notifications/go-helpers.ts): how values print, truthiness, field lookup, the built-ins.

export class GoTemplateError extends Error {
  /** @param {string} message @param {number} line */
  constructor(message, line) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/** Functions a translated template may call (text/template built-ins and sprig). */
export const GO_FUNCTIONS = new Set([
  "and",
  "or",
  "not",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "len",
  "index",
  "printf",
  "print",
  "println",
  "urlquery",
  "html",
  "upper",
  "lower",
  "title",
  "trim",
  "trimPrefix",
  "trimSuffix",
  "trunc",
  "substr",
  "replace",
  "contains",
  "hasPrefix",
  "hasSuffix",
  "default",
  "empty",
  "quote",
  "squote",
  "toJson",
  "toPrettyJson",
  "join",
  "splitList",
  "repeat",
  "toString",
]);

/**
 * @typedef {{ type: "text", text: string } | { type: "action", source: string, line: number, trimLeft: boolean, trimRight: boolean }} Piece
 */

/** Splits a template into text and actions, applying the trim markers. @returns {Piece[]} */
function split(/** @type {string} */ source) {
  /** @type {Piece[]} */
  const pieces = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    if (open === -1) {
      pieces.push({ type: "text", text: source.slice(i) });
      break;
    }
    pieces.push({ type: "text", text: source.slice(i, open) });
    const line = source.slice(0, open).split("\n").length;
    const close = source.indexOf("}}", open + 2);
    if (close === -1) throw new GoTemplateError("unclosed action", line);
    let inner = source.slice(open + 2, close);
    const trimLeft = /^-\s/.test(inner);
    const trimRight = /\s-$/.test(inner);
    if (trimLeft) inner = inner.slice(1);
    if (trimRight) inner = inner.slice(0, -1);
    pieces.push({ type: "action", source: inner.trim(), line, trimLeft, trimRight });
    i = close + 2;
  }
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p];
    if (piece?.type !== "action") continue;
    const before = pieces[p - 1];
    const after = pieces[p + 1];
    if (piece.trimLeft && before?.type === "text") before.text = before.text.replace(/\s+$/, "");
    if (piece.trimRight && after?.type === "text") after.text = after.text.replace(/^\s+/, "");
  }
  return pieces;
}

/**
 * @typedef {{ kind: "field", names: string[] } | { kind: "variable", name: string, names: string[] } | { kind: "literal", value: string | number | boolean | null }
 *   | { kind: "call", name: string, args: Term[] } | { kind: "pipeline", commands: Term[][], names: string[] } | { kind: "function", name: string }} Term
 */

/** @type {Array<[string, RegExp, ((text: string) => string)?]>} token type, pattern, value */
const tokenRules = [
  ["string", /^"(?:[^"\\]|\\.)*"/, (text) => JSON.parse(text)],
  ["string", /^`[^`]*`/, (text) => text.slice(1, -1)],
  ["number", /^-?\d+(\.\d+)?/],
  ["path", /^(\$[A-Za-z0-9_]*|\.)?(\.[A-Za-z_][A-Za-z0-9_]*)+/],
  ["path", /^\$[A-Za-z0-9_]*/],
  ["path", /^\./],
  ["word", /^[A-Za-z_][A-Za-z0-9_]*/],
  ["punct", /^(:=|=|\||\(|\)|,)/],
];

/** Tokenises an action's content. */
function tokenize(/** @type {string} */ source, /** @type {number} */ line) {
  /** @type {Array<{ type: string, value: string }>} */
  const tokens = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const char = source[i] ?? "";
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const rule = tokenRules.find(([, pattern]) => pattern.test(rest));
    const match = rule ? rule[1].exec(rest) : null;
    if (!rule || !match) throw new GoTemplateError(`unexpected "${char}" in action`, line);
    tokens.push({ type: rule[0], value: rule[2] ? rule[2](match[0]) : match[0] });
    i += match[0].length;
  }
  return tokens;
}

/** Parses a pipeline (commands separated by `|`). */
function parsePipeline(/** @type {Array<{ type: string, value: string }>} */ tokens, /** @type {number} */ line) {
  let index = 0;
  const peek = () => tokens[index];
  /** @returns {Term} */
  function operand() {
    const token = tokens[index++];
    if (!token) throw new GoTemplateError("missing value", line);
    /** @type {Term} */
    let term;
    if (token.type === "string") term = { kind: "literal", value: token.value };
    else if (token.type === "number") term = { kind: "literal", value: Number(token.value) };
    else if (token.type === "word") {
      if (token.value === "true" || token.value === "false") term = { kind: "literal", value: token.value === "true" };
      else if (token.value === "nil") term = { kind: "literal", value: null };
      else term = { kind: "function", name: token.value };
    } else if (token.type === "path") {
      const parts = token.value.split(".");
      const head = parts[0] ?? "";
      const names = parts.slice(1).filter((part) => part !== "");
      term = head.startsWith("$") ? { kind: "variable", name: head, names } : { kind: "field", names };
    } else if (token.type === "punct" && token.value === "(") {
      const inner = pipeline(")");
      index++;
      /** @type {string[]} */
      const names = [];
      const after = peek();
      if (after?.type === "path" && after.value.startsWith(".") && after.value !== ".") {
        names.push(...after.value.split(".").filter(Boolean));
        index++;
      }
      term = { kind: "pipeline", commands: inner, names };
    } else throw new GoTemplateError(`unexpected "${token.value}"`, line);
    return term;
  }
  /** @returns {Term[][]} */
  function pipeline(/** @type {string | null} */ closer) {
    /** @type {Term[][]} */
    const commands = [];
    /** @type {Term[]} */
    let command = [];
    while (index < tokens.length) {
      const token = peek();
      if (!token) break;
      if (closer && token.type === "punct" && token.value === closer) break;
      if (token.type === "punct" && token.value === "|") {
        if (command.length === 0) throw new GoTemplateError("missing command before |", line);
        commands.push(command);
        command = [];
        index++;
        continue;
      }
      command.push(operand());
    }
    if (command.length === 0) throw new GoTemplateError("missing value", line);
    commands.push(command);
    return commands;
  }
  const commands = pipeline(null);
  return commands;
}

/** A JS string literal. */
const js = (/** @type {unknown} */ value) => JSON.stringify(value);

/**
 * Translates a Go text/template into Eta source that renders the same text.
 * @param {string} source
 * @returns {string}
 */
export function translateGoTemplate(source) {
  const pieces = split(source);
  let out = "";
  let afterTag = false;
  let counter = 0;
  /** @type {string[]} the dot (`.`) of each enclosing scope */
  const dots = ["it"];
  /** @type {Array<{ kind: "if" | "range" | "with", hasElse: boolean, dotPushed: boolean }>} */
  const blocks = [];
  /** @type {Set<string>} */
  const variables = new Set();

  const emitTag = (/** @type {string} */ code) => {
    out += code;
    afterTag = true;
  };
  const emitText = (/** @type {string} */ text) => {
    if (text === "") return;
    // Eta drops one newline after every tag; Go keeps it.
    let value = text;
    if (afterTag) value = value.startsWith("\r\n") ? `\r\n${value}` : value.startsWith("\n") ? `\n${value}` : value;
    out += value.replace(/<%/g, "<%~ '<' + '%' %>");
    afterTag = false;
  };

  /** @returns {string} */
  const term = (/** @type {Term} */ t, /** @type {number} */ line, /** @type {string[]} */ extraArgs = []) => {
    const dot = dots.at(-1) ?? "it";
    const access = (/** @type {string} */ base, /** @type {string[]} */ names) =>
      names.length === 0 ? base : `it.go.get(${base}, ${names.map(js).join(", ")})`;
    switch (t.kind) {
      case "literal":
        return js(t.value);
      case "field": {
        if (dot === "it" && (t.names[0] === "repo" || t.names[0] === "time")) {
          throw new GoTemplateError(
            `.${t.names[0]} (Argo CD's ${t.names[0]} helpers) has no equivalent in hookline`,
            line,
          );
        }
        return access(dot, t.names);
      }
      case "variable": {
        if (t.name === "$") return access("it", t.names);
        if (!variables.has(t.name)) throw new GoTemplateError(`undefined variable ${t.name}`, line);
        return access(`v_${t.name.slice(1)}`, t.names);
      }
      case "pipeline":
        return access(`(${pipelineCode(t.commands, line)})`, t.names);
      case "function":
        return functionCall(t.name, extraArgs, line);
      default:
        throw new GoTemplateError("unsupported term", line);
    }
  };
  const functionCall = (/** @type {string} */ name, /** @type {string[]} */ args, /** @type {number} */ line) => {
    if (name === "call")
      throw new GoTemplateError(
        "call is not supported (Argo CD's repo and time helpers have no equivalent in hookline)",
        line,
      );
    if (!GO_FUNCTIONS.has(name)) throw new GoTemplateError(`function "${name}" is not supported`, line);
    const helper = name === "print" ? "sprint" : name;
    return `it.go[${js(helper)}](${args.join(", ")})`;
  };
  const commandCode = (
    /** @type {Term[]} */ command,
    /** @type {string | null} */ piped,
    /** @type {number} */ line,
  ) => {
    const [head, ...rest] = command;
    if (!head) throw new GoTemplateError("empty command", line);
    if (head.kind === "function" && head.name === "call") return functionCall("call", [], line);
    const args = rest.map((arg) => term(arg, line));
    if (piped !== null) args.push(piped);
    if (head.kind === "function") return functionCall(head.name, args, line);
    if (args.length > 0) throw new GoTemplateError("only functions take arguments", line);
    return term(head, line);
  };
  const pipelineCode = (/** @type {Term[][]} */ commands, /** @type {number} */ line) => {
    /** @type {string | null} */
    let value = null;
    for (const command of commands) value = commandCode(command, value, line);
    return value ?? "undefined";
  };
  /** Parses `$a, $b := pipeline` or `$a := pipeline` or just `pipeline`. */
  const declaration = (/** @type {string} */ text, /** @type {number} */ line) => {
    const tokens = tokenize(text, line);
    const assign = tokens.findIndex((token) => token.type === "punct" && (token.value === ":=" || token.value === "="));
    if (assign === -1) return { names: [], operator: null, code: pipelineCode(parsePipeline(tokens, line), line) };
    const names = tokens
      .slice(0, assign)
      .filter((token) => !(token.type === "punct" && token.value === ","))
      .map((token) => {
        if (token.type !== "path" || !token.value.startsWith("$") || token.value.includes("."))
          throw new GoTemplateError("expected a variable before :=", line);
        return token.value;
      });
    return {
      names,
      operator: tokens[assign]?.value ?? ":=",
      code: pipelineCode(parsePipeline(tokens.slice(assign + 1), line), line),
    };
  };

  for (const piece of pieces) {
    if (piece.type === "text") {
      emitText(piece.text);
      continue;
    }
    const { source: action, line } = piece;
    if (action.startsWith("/*")) continue;
    const [keyword] = action.split(/\s+/, 1);
    const rest = action.slice((keyword ?? "").length).trim();
    switch (keyword) {
      case "if":
        blocks.push({ kind: "if", hasElse: false, dotPushed: false });
        emitTag(`<% if (it.go.truth(${declaration(rest, line).code})) { %>`);
        break;
      case "else": {
        const block = blocks.at(-1);
        if (!block) throw new GoTemplateError("else without if, range or with", line);
        if (rest.startsWith("if ")) {
          if (block.kind !== "if") throw new GoTemplateError("else if outside if", line);
          emitTag(`<% } else if (it.go.truth(${declaration(rest.slice(3), line).code})) { %>`);
          break;
        }
        if (rest !== "") throw new GoTemplateError(`unsupported "else ${rest}"`, line);
        block.hasElse = true;
        if (block.kind === "range") {
          dots.pop();
          block.dotPushed = false;
          emitTag("<% } } else { %>");
        } else if (block.kind === "with") {
          dots.pop();
          block.dotPushed = false;
          emitTag("<% } else { %>");
        } else emitTag("<% } else { %>");
        break;
      }
      case "end": {
        const block = blocks.pop();
        if (!block) throw new GoTemplateError("end without if, range or with", line);
        if (block.dotPushed) dots.pop();
        if (block.kind === "if") emitTag("<% } %>");
        else if (block.kind === "with") emitTag("<% } } %>");
        else emitTag(block.hasElse ? "<% } } %>" : "<% } } } %>");
        break;
      }
      case "range": {
        const { names, code } = declaration(rest, line);
        const n = ++counter;
        const dot = `d${n}`;
        const [keyVar, valueVar] = names.length === 2 ? names : [undefined, names[0]];
        let bind = "";
        if (keyVar) {
          variables.add(keyVar);
          bind += ` const v_${keyVar.slice(1)} = k${n};`;
        }
        if (valueVar) {
          variables.add(valueVar);
          bind += ` const v_${valueVar.slice(1)} = ${dot};`;
        }
        emitTag(
          `<% { const r${n} = it.go.entries(${code}); if (r${n}.length > 0) { for (const [k${n}, ${dot}] of r${n}) {${bind} %>`,
        );
        dots.push(dot);
        blocks.push({ kind: "range", hasElse: false, dotPushed: true });
        break;
      }
      case "with": {
        const n = ++counter;
        const dot = `d${n}`;
        emitTag(`<% { const ${dot} = ${declaration(rest, line).code}; if (it.go.truth(${dot})) { %>`);
        dots.push(dot);
        blocks.push({ kind: "with", hasElse: false, dotPushed: true });
        break;
      }
      case "define":
      case "template":
      case "block":
      case "break":
      case "continue":
        throw new GoTemplateError(`{{${keyword}}} is not supported`, line);
      default: {
        const { names, operator, code } = declaration(action, line);
        if (names.length === 0) {
          emitTag(`<%~ it.go.print(${code}) %>`);
          break;
        }
        const [name] = names;
        if (!name || names.length > 1) throw new GoTemplateError("declare one variable at a time", line);
        if (operator === ":=") {
          variables.add(name);
          emitTag(`<% let v_${name.slice(1)} = ${code}; %>`);
        } else {
          if (!variables.has(name)) throw new GoTemplateError(`undefined variable ${name}`, line);
          emitTag(`<% v_${name.slice(1)} = ${code}; %>`);
        }
      }
    }
  }
  if (blocks.length > 0) throw new GoTemplateError(`unclosed {{${blocks.at(-1)?.kind}}}`, source.split("\n").length);
  return out;
}

export { parsePipeline as parseGoPipeline, split as splitGoTemplate, tokenize as tokenizeGoAction };
