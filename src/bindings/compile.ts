import { compileField } from "../expressions/compile";
import type { CompiledExpression } from "../expressions/jsonata";
import { parseDuration } from "../lib/duration";
import { fail, ok, type Result } from "../lib/result";
import { type Equality, requiredEqualities } from "./prefilter";
import type { StoredBinding } from "./schema";
import type { WindowRule } from "./window-rules";

/** What binding expressions see: Argo's event environment. */
export const BINDING_ROOTS = ["payload", "metadata", "discriminator", "namespace"] as const;

/** A problem with one field of a binding, named by its path. */
export interface FieldError {
  field: string;
  message: string;
}

/** A binding with every expression compiled, ready to evaluate. */
export interface CompiledBinding {
  stored: StoredBinding;
  name: string;
  uid: string;
  cluster: string;
  template: { name: string; clusterScope: boolean };
  selector: CompiledExpression;
  /** `spec.event.dedupe` / `spec.event.throttle`: the key of an event's window, and the rule (window.ts). */
  window: { rule: WindowRule; key: CompiledExpression } | null;
  /** `spec.maxPending`, `spec.paused` and `spec.supersede.key`: how the binding's submissions are held (clusters/pressure-state.ts). */
  pressure: { maxPending: number | null; paused: boolean; supersedeKey: CompiledExpression | null };
  /** `spec.dependencies`: each dependency's selector and key, the condition over their names, how long a partial match lives. */
  dependencies: {
    list: Array<{ name: string; selector: CompiledExpression; key: CompiledExpression }>;
    condition: CompiledExpression;
    withinMs: number;
  } | null;
  workflowName: { generate: boolean; expression: CompiledExpression } | null;
  labels: Array<[string, CompiledExpression]>;
  annotations: Array<[string, CompiledExpression]>;
  parameters: Array<{ name: string; value: string } | { name: string; expression: CompiledExpression }>;
  /** Necessary conditions of the selector, for the prefilter index. */
  equalities: Equality[];
  /** For expr bindings: the JSONata each expression was translated into, by field. */
  translated: Record<string, string>;
}

/**
 * Compiles every expression of a stored binding. Returns the compiled binding, or a failure
 * naming every field that does not compile (with the character position) in `fields`.
 */
export function compileBinding(stored: StoredBinding): Result<CompiledBinding> {
  const errors: FieldError[] = [];
  const translated: Record<string, string> = {};
  const { spec } = stored;
  // With dependencies, what the binding submits also sees `events.<name>`: each dependency's event.
  const submitRoots = spec.dependencies ? [...BINDING_ROOTS, "events"] : BINDING_ROOTS;
  const compile = (
    field: string,
    source: string,
    roots: readonly string[] = BINDING_ROOTS,
  ): CompiledExpression | null => {
    const compiled = compileField(field, source, spec.expressionLanguage, roots);
    if (!compiled.ok) {
      errors.push(...(compiled.error.fields ?? []));
      return null;
    }
    if (compiled.value.translated !== null) translated[field] = compiled.value.translated;
    return compiled.value.expression;
  };

  const selector = compile("spec.event.selector", spec.event.selector);
  const windowKind = spec.event.debounce ? "debounce" : spec.event.dedupe ? "dedupe" : "throttle";
  const windowSpec = spec.event.debounce ?? spec.event.dedupe ?? spec.event.throttle;
  const windowField = `spec.event.${windowKind}`;
  const windowKey = windowSpec ? compile(`${windowField}.key`, windowSpec.key) : null;
  const window: CompiledBinding["window"] =
    windowSpec && windowKey
      ? {
          key: windowKey,
          rule: {
            kind: windowKind,
            periodMs: parseDuration(windowSpec.period) ?? 1000,
            limit: spec.event.throttle?.limit ?? 1,
          },
        }
      : null;
  const supersedeKey = spec.supersede ? compile("spec.supersede.key", spec.supersede.key) : null;
  const metadata = spec.submit.metadata;
  const nameSource = metadata?.name ?? metadata?.generateName;
  const nameField = metadata?.name !== undefined ? "spec.submit.metadata.name" : "spec.submit.metadata.generateName";
  const nameExpression = nameSource === undefined ? null : compile(nameField, nameSource, submitRoots);
  const compileMap = (field: string, map: Record<string, string> | undefined) =>
    Object.entries(map ?? {}).flatMap(([key, source]): Array<[string, CompiledExpression]> => {
      const compiled = compile(`${field}.${key}`, source, submitRoots);
      return compiled ? [[key, compiled]] : [];
    });
  const labels = compileMap("spec.submit.metadata.labels", metadata?.labels);
  const annotations = compileMap("spec.submit.metadata.annotations", metadata?.annotations);
  const parameters = (spec.submit.arguments?.parameters ?? []).flatMap(
    (parameter, index): CompiledBinding["parameters"] => {
      if (parameter.valueFrom) {
        const compiled = compile(
          `spec.submit.arguments.parameters[${index}].valueFrom.event`,
          parameter.valueFrom.event,
          submitRoots,
        );
        return compiled ? [{ name: parameter.name, expression: compiled }] : [];
      }
      return [{ name: parameter.name, value: parameter.value ?? "" }];
    },
  );

  let dependencies: CompiledBinding["dependencies"] = null;
  if (spec.dependencies) {
    const names = spec.dependencies.map((dependency) => dependency.name);
    const list = spec.dependencies.flatMap((dependency, index) => {
      const field = `spec.dependencies[${index}]`;
      const selector = compile(`${field}.selector`, dependency.selector);
      const key = compile(`${field}.key`, dependency.key);
      return selector && key ? [{ name: dependency.name, selector, key }] : [];
    });
    const condition = compile("spec.condition", spec.condition ?? names.join(" and "), names);
    if (condition && list.length === names.length) {
      dependencies = { list, condition, withinMs: parseDuration(spec.within ?? "10m") ?? 600_000 };
    }
  }

  if (errors.length > 0 || !selector) {
    return fail("invalid_argument", errors.map((error) => `${error.field}: ${error.message}`).join("; "), {
      fields: errors,
    });
  }
  return ok({
    stored,
    name: stored.metadata.name,
    uid: stored.metadata.uid,
    cluster: spec.cluster,
    template: {
      name: spec.submit.workflowTemplateRef.name,
      clusterScope: spec.submit.workflowTemplateRef.clusterScope,
    },
    selector,
    window,
    pressure: { maxPending: spec.maxPending ?? null, paused: spec.paused === true, supersedeKey },
    dependencies,
    workflowName: nameExpression ? { generate: metadata?.name === undefined, expression: nameExpression } : null,
    labels,
    annotations,
    parameters,
    equalities: requiredEqualities(selector.ast),
    translated,
  });
}
