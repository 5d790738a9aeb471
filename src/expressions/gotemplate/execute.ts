import { GoDuration, GoTime, goMethod } from "../go-time";
import { MAX_VALUE_SIZE, MemoryBudget, MemoryBudgetError, textSize } from "../memory";
import { SPECIAL_FORMS, templateFunction } from "./functions";
import type { Arg, Command, Node, ParsedTemplate, Pipe } from "./parse";
import { sizeBefore } from "./sizes";
import {
  compareStrings,
  GoFunction,
  GoInt,
  isObject,
  type ParamType,
  printValue,
  TemplateExecError,
  truth,
  typeName,
  type Value,
} from "./values";

/** Bounds on one execution, so a template cannot hold the consumer (a runaway range, a huge output). */
export const EXECUTION_LIMITS = {
  /** Nodes and commands evaluated. */
  maxSteps: 200_000,
  /** Characters written. */
  maxOutput: 256 * 1024,
  /** Nested {{template}} calls. */
  maxDepth: 100,
} as const;

/** The final value of the previous pipeline stage, when there is none (Go's missingVal). */
const MISSING: unique symbol = Symbol("missing");
type Final = Value | typeof MISSING;

class Break {}
class Continue {}

const GO_TYPE: Record<ParamType, string> = {
  any: "interface {}",
  string: "string",
  int: "int",
  float: "float64",
  bool: "bool",
  list: "[]interface {}",
  map: "map[string]interface {}",
  time: "time.Time",
  duration: "time.Duration",
};

/** A method of a time or duration as a template function (integer results become Go ints). */
function methodOf(receiver: Value, name: string): GoFunction | null {
  const found = goMethod(receiver, name);
  if (!found) return null;
  const call = found.call as (...args: Value[]) => Value;
  return new GoFunction(name, found.params, (...args) => {
    const result = call(...args);
    return found.returns === "value" ? result : new GoInt(result as number, found.returns);
  });
}

/**
 * Runs a parsed template over `data` with text/template's semantics (missing keys print
 * "<no value>", `.a.b` on a nil `a` fails, literals adapt to the parameter they are passed to,
 * `and`/`or` short-circuit). Throws TemplateExecError naming the line.
 */
export function executeGoTemplate(template: ParsedTemplate, data: Value): string {
  return new Executor(template, data).run();
}

class Executor {
  private output: string[] = [];
  private length = 0;
  private steps = 0;
  private depth = 0;
  private line = 1;
  private variables: Array<{ name: string; value: Value }>;
  /** What this execution's functions built (strings and lists), beside the output it wrote. */
  private readonly memory = new MemoryBudget("TEMPLATE_BUDGET");

  constructor(
    private readonly template: ParsedTemplate,
    private readonly data: Value,
  ) {
    this.variables = [{ name: "$", value: data }];
  }

  run(): string {
    try {
      this.walk(this.data, this.template.root);
    } catch (error) {
      if (error instanceof Break || error instanceof Continue) throw this.error("break or continue outside range");
      if (error instanceof TemplateExecError) throw error;
      if (error instanceof MemoryBudgetError)
        throw new TemplateExecError(`${error.message} (line ${this.line})`, "TEMPLATE_BUDGET");
      throw this.error(error instanceof Error ? error.message : String(error));
    }
    return this.output.join("");
  }

  private error(message: string): TemplateExecError {
    return new TemplateExecError(`line ${this.line}: ${message}`);
  }

  private step(): void {
    if (++this.steps > EXECUTION_LIMITS.maxSteps)
      throw this.error(`execution stopped after ${EXECUTION_LIMITS.maxSteps} steps (a runaway range?)`);
  }

  private write(text: string): void {
    this.length += text.length;
    if (this.length > EXECUTION_LIMITS.maxOutput)
      throw this.error(`output exceeds ${EXECUTION_LIMITS.maxOutput / 1024} KiB`);
    this.output.push(text);
  }

  private walk(dot: Value, nodes: readonly Node[]): void {
    for (const node of nodes) {
      this.step();
      if (node.kind === "text") {
        this.write(node.text);
        continue;
      }
      this.line = node.line;
      switch (node.kind) {
        case "action": {
          const value = this.pipeline(dot, node.pipe);
          if (node.pipe.variables.length === 0) {
            // A list or map prints in full before the output's own limit sees it.
            if (value !== null && typeof value === "object")
              this.memory.check("printing a value", textSize(value, MAX_VALUE_SIZE + 1));
            this.write(printValue(value));
          }
          break;
        }
        case "if":
        case "with": {
          const mark = this.variables.length;
          const value = this.pipeline(dot, node.pipe);
          if (truth(value)) this.walk(node.kind === "with" ? value : dot, node.list);
          else if (node.elseList) this.walk(dot, node.elseList);
          this.variables.length = mark;
          break;
        }
        case "range":
          this.range(dot, node);
          break;
        case "template": {
          const body = this.template.defined.get(node.name);
          if (!body) throw this.error(`no such template "${node.name}"`);
          if (++this.depth > EXECUTION_LIMITS.maxDepth) throw this.error("exceeded maximum template depth");
          const value = node.pipe ? this.pipeline(dot, node.pipe) : null;
          const saved = this.variables;
          this.variables = [{ name: "$", value }];
          this.walk(value, body);
          this.variables = saved;
          this.depth--;
          break;
        }
        case "break":
          throw new Break();
        case "continue":
          throw new Continue();
      }
    }
  }

  private range(dot: Value, node: Extract<Node, { kind: "range" }>): void {
    const mark = this.variables.length;
    const collection = this.pipeline(dot, node.pipe);
    const declared = node.pipe.variables.length;
    const iterate = (index: Value, element: Value): boolean => {
      this.step();
      if (declared > 0) this.setTop(1, element);
      if (declared > 1) this.setTop(2, index);
      const inner = this.variables.length;
      try {
        this.walk(element, node.list);
      } catch (signal) {
        if (signal instanceof Break) return false;
        if (!(signal instanceof Continue)) throw signal;
      } finally {
        this.variables.length = inner;
      }
      return true;
    };
    let ran = false;
    if (Array.isArray(collection)) {
      for (let i = 0; i < collection.length; i++) {
        ran = true;
        if (!iterate(new GoInt(i), collection[i])) break;
      }
    } else if (isObject(collection)) {
      for (const key of Object.keys(collection).sort(compareStrings)) {
        ran = true;
        if (!iterate(key, collection[key])) break;
      }
    } else if (collection !== undefined && collection !== null) {
      throw this.error(`range can't iterate over ${printValue(collection)}`);
    }
    if (!ran && node.elseList) this.walk(dot, node.elseList);
    this.variables.length = mark;
  }

  private setTop(fromTop: number, value: Value): void {
    const slot = this.variables[this.variables.length - fromTop];
    if (slot) slot.value = value;
  }

  private pipeline(dot: Value, pipe: Pipe): Value {
    let value: Final = MISSING;
    for (const command of pipe.commands) value = this.command(dot, command, value);
    // An interface holding nil is no value at all (Go digs into interface{} results).
    const result = value === MISSING || value === null ? undefined : value;
    for (const name of pipe.variables) {
      if (pipe.assign) {
        const slot = this.variables.findLast((variable) => variable.name === name);
        if (!slot) throw this.error(`undefined variable: ${name}`);
        slot.value = result;
      } else this.variables.push({ name, value: result });
    }
    return result;
  }

  private variable(name: string): Value {
    const slot = this.variables.findLast((variable) => variable.name === name);
    if (!slot) throw this.error(`undefined variable: ${name}`);
    return slot.value;
  }

  private command(dot: Value, command: Command, final: Final): Value {
    this.step();
    const head = command.args[0] as Arg;
    switch (head.kind) {
      case "field":
        return this.fieldChain(dot, dot, head.path, command.args, final);
      case "chain":
        return this.fieldChain(dot, this.argument(dot, "any", head.node), head.path, command.args, final);
      case "variable": {
        const value = this.variable(head.name);
        if (head.path.length === 0) {
          this.notAFunction(command.args, final, head.name);
          return value;
        }
        return this.fieldChain(dot, value, head.path, command.args, final);
      }
      case "function":
        return this.callFunction(dot, head.name, command.args, final);
      case "pipe":
        this.notAFunction(command.args, final, "(…)");
        return this.pipeline(dot, head.pipe);
      case "dot":
        this.notAFunction(command.args, final, ".");
        return dot;
      case "nil":
        throw this.error("nil is not a command");
      default:
        this.notAFunction(command.args, final, describe(head));
        return this.argument(dot, "any", head);
    }
  }

  private notAFunction(args: readonly Arg[], final: Final, what: string): void {
    if (args.length > 1 || final !== MISSING) throw this.error(`can't give argument to non-function ${what}`);
  }

  private fieldChain(dot: Value, receiver: Value, path: readonly string[], args: readonly Arg[], final: Final): Value {
    let current = receiver;
    path.forEach((name, i) => {
      current =
        i === path.length - 1
          ? this.field(dot, name, args, final, current)
          : this.field(dot, name, [], MISSING, current);
    });
    return current;
  }

  private field(dot: Value, name: string, args: readonly Arg[], final: Final, receiver: Value): Value {
    if (receiver === undefined) return undefined;
    if (receiver === null) throw this.error(`nil pointer evaluating interface {}.${name}`);
    const bound = methodOf(receiver, name);
    if (bound) return this.call(dot, bound, args, final);
    if (isObject(receiver)) {
      if (args.length > 1 || final !== MISSING) throw this.error(`${name} is not a method but has arguments`);
      return Object.hasOwn(receiver, name) ? receiver[name] : undefined;
    }
    throw this.error(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private callFunction(dot: Value, name: string, args: readonly Arg[], final: Final): Value {
    if (SPECIAL_FORMS.has(name)) return this.specialForm(dot, name, args, final);
    const fn = templateFunction(name);
    if (!fn) throw this.error(`"${name}" is not a defined function`);
    return this.call(dot, fn, args, final);
  }

  /** and / or (lazy: they stop at the first argument that decides) and call. */
  private specialForm(dot: Value, name: string, args: readonly Arg[], final: Final): Value {
    const operands: Array<() => Value> = args.slice(1).map((arg) => () => this.argument(dot, "any", arg));
    if (final !== MISSING) operands.push(() => (final === undefined ? null : final));
    if (name === "call") {
      const [target, ...rest] = args.slice(1);
      if (!target) throw this.error("wrong number of args for call: want at least 1 got 0");
      const fn = this.argument(dot, "any", target);
      if (!(fn instanceof GoFunction))
        throw this.error(`error calling call: non-function ${describe(target)} of type ${typeName(fn)}`);
      return this.call(dot, fn, [target, ...rest], final);
    }
    if (operands.length === 0) throw this.error(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: Value = null;
    for (const operand of operands) {
      value = operand();
      if (truth(value) === (name === "or")) return value;
    }
    return value;
  }

  /** Calls `fn` with the arguments after args[0] (and the previous stage's value last). */
  private call(dot: Value, fn: GoFunction, args: readonly Arg[], final: Final): Value {
    const actual = args.slice(1);
    const count = actual.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic === null ? count !== fixed : count < fixed) {
      throw this.error(
        `wrong number of args for ${fn.name}: want ${fn.variadic === null ? "" : "at least "}${fixed} got ${count}`,
      );
    }
    const typeAt = (i: number): ParamType => fn.params[i] ?? fn.variadic ?? "any";
    const argv = actual.map((arg, i) => this.argument(dot, typeAt(i), arg));
    if (final !== MISSING) argv.push(this.validate(final, typeAt(argv.length)));
    // The function map's own functions say what they would build before they build it.
    const before = fn === templateFunction(fn.name) ? sizeBefore(fn.name, argv) : null;
    if (before !== null) this.memory.check(fn.name, before.size, before.noun);
    let result: Value;
    try {
      result = fn.implementation(...argv);
    } catch (error) {
      if (error instanceof TemplateExecError && error.message.startsWith("line ")) throw error;
      throw this.error(`error calling ${fn.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.memory.charge(fn.name, result);
  }

  /** An argument evaluated for a parameter of `type`: literals take the parameter's type, other values must fit it. */
  private argument(dot: Value, type: ParamType, arg: Arg): Value {
    this.step();
    switch (arg.kind) {
      case "dot":
        return this.validate(dot, type);
      case "nil":
        if (type === "any" || type === "list" || type === "map") return null;
        throw this.error(`cannot assign nil to ${GO_TYPE[type]}`);
      case "field":
        return this.validate(this.fieldChain(dot, dot, arg.path, [arg], MISSING), type);
      case "variable":
        return this.validate(
          arg.path.length === 0
            ? this.variable(arg.name)
            : this.fieldChain(dot, this.variable(arg.name), arg.path, [arg], MISSING),
          type,
        );
      case "chain":
        return this.validate(this.fieldChain(dot, this.argument(dot, "any", arg.node), arg.path, [arg], MISSING), type);
      case "pipe":
        return this.validate(this.pipeline(dot, arg.pipe), type);
      case "function":
        return this.validate(this.callFunction(dot, arg.name, [arg], MISSING), type);
      case "bool":
        if (type === "any" || type === "bool") return arg.value;
        break;
      case "string":
        if (type === "any" || type === "string") return arg.value;
        break;
      case "number":
        if (type === "int" && arg.isInt) return new GoInt(arg.value);
        if (type === "float") return arg.value;
        if (type === "any") return arg.isInt ? new GoInt(arg.value) : arg.value;
        if (type === "int") throw this.error(`expected integer; found ${arg.text}`);
        break;
    }
    throw this.error(`expected ${GO_TYPE[type]}; found ${describe(arg)}`);
  }

  /** Go's validateType: a value passed where a parameter of `type` is declared. */
  private validate(value: Value, type: ParamType): Value {
    if (type === "any") return value === undefined ? null : value;
    if (value === undefined) {
      if (type === "list" || type === "map") return type === "list" ? [] : {};
      throw this.error(`invalid value; expected ${GO_TYPE[type]}`);
    }
    const fits =
      (type === "string" && typeof value === "string") ||
      (type === "int" && value instanceof GoInt && value.type === "int") ||
      (type === "float" && typeof value === "number") ||
      (type === "bool" && typeof value === "boolean") ||
      (type === "list" && Array.isArray(value)) ||
      (type === "map" && isObject(value)) ||
      (type === "time" && value instanceof GoTime) ||
      (type === "duration" && value instanceof GoDuration);
    if (fits) return value;
    if (value === null && (type === "list" || type === "map")) return type === "list" ? [] : {};
    throw this.error(
      `wrong type for value; expected ${GO_TYPE[type]}; got ${value === null ? "interface {}" : typeName(value)}`,
    );
  }
}

function describe(arg: Arg): string {
  switch (arg.kind) {
    case "field":
      return `.${arg.path.join(".")}`;
    case "variable":
      return [arg.name, ...arg.path].join(".");
    case "string":
      return JSON.stringify(arg.value);
    case "number":
      return arg.text;
    case "bool":
      return String(arg.value);
    case "function":
      return arg.name;
    case "chain":
      return `(${describe(arg.node)}).${arg.path.join(".")}`;
    default:
      return arg.kind;
  }
}
