import { ExpressionError } from "../expressions/jsonata";
import { sha256Hex } from "../lib/crypto";
import { isLabelValue, MAX_ANNOTATIONS_BYTES } from "../lib/kubernetes";
import { isDns1123Subdomain } from "../lib/names";
import type { CompiledBinding, FieldError } from "./compile";

/** What expressions see, exactly as Argo defines it (plus the namespace). */
export interface EventEnvironment {
  payload: unknown;
  metadata: Record<string, string[]>;
  discriminator: string;
  namespace: string;
  /** A binding with dependencies: each dependency's event (what `events.<name>` reads). */
  events?: Record<string, EventEnvironment>;
}

export interface EventInput {
  id: string;
  environment: EventEnvironment;
  /** Templates the sender may submit; null means any. */
  senderTemplates: readonly string[] | null;
}

/** The workflow a binding asks for: the cluster client turns it into a submission. */
export interface WorkflowProposal {
  cluster: string;
  namespace: string;
  template: { name: string; clusterScope: boolean };
  workflowName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  parameters: Array<{ name: string; value: string }>;
}

export interface Evaluation {
  matched: boolean;
  /** Runtime expression errors and invalid results, by field. */
  errors: FieldError[];
  parameters: Record<string, string>;
  workflow: { name: string | null; labels: Record<string, string>; annotations: Record<string, string> };
  /** Why a matching binding may not fire for this sender, if it may not. */
  refusal: string | null;
  /** The workflow to submit: set only when matched, error-free and permitted. */
  proposal: WorkflowProposal | null;
  /** For a binding with a window (dedupe, throttle): the key this event belongs to. */
  windowKey: string | null;
  /** For a binding with dependencies: the dependencies this event satisfies, with its key for each. */
  dependencies: Array<{ name: string; key: string }>;
  /** For a binding with `supersede`: this event's key (while held, only the newest of a key stays). */
  supersedeKey: string | null;
}

/** Argo's workflow names end up in label values (≤ 63 characters). */
export const MAX_WORKFLOW_NAME_LENGTH = 63;
const SUFFIX_LENGTH = 10;
const GENERATED_SUFFIX_LENGTH = 5;

type Run = (
  field: string,
  expression: { evaluate(input: unknown): Promise<unknown> },
) => Promise<{ ok: true; value: unknown } | { ok: false }>;

/**
 * Evaluates one binding for one event: the selector, then (when it matched, or always with
 * `full` for dry runs) the workflow name, labels, annotations and parameters. Never throws for
 * expression problems: they come back as field errors.
 */
export async function evaluateBinding(
  binding: CompiledBinding,
  event: EventInput,
  options: { full?: boolean; completing?: boolean } = {},
): Promise<Evaluation> {
  const errors: FieldError[] = [];
  const run: Run = async (field, expression) => {
    try {
      return { ok: true as const, value: await expression.evaluate(event.environment) };
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      errors.push({ field, message: error.describe(field).slice(field.length + 2) });
      return { ok: false as const };
    }
  };

  // User-named keys (labels, annotations, parameters) are gathered in Maps, never as object keys.
  const labels = new Map<string, string>();
  const annotations = new Map<string, string>();
  const parameters = new Map<string, string>();
  const evaluation: Evaluation = {
    matched: false,
    errors,
    parameters: {},
    workflow: { name: null, labels: {}, annotations: {} },
    refusal: null,
    proposal: null,
    windowKey: null,
    dependencies: [],
    supersedeKey: null,
  };
  // Completing a binding's dependencies: its selectors matched before; what it submits is next.
  const selector = options.completing
    ? { ok: true as const, value: true }
    : await run("spec.event.selector", binding.selector);
  if (selector.ok) {
    if (typeof selector.value === "boolean") evaluation.matched = selector.value;
    else
      errors.push({
        field: "spec.event.selector",
        message: `must evaluate to a boolean, got ${describeType(selector.value)}`,
      });
  }
  if (!evaluation.matched && !options.full) return evaluation;
  if (binding.dependencies && !options.completing) {
    // Which dependencies this event satisfies; what to submit is known once the condition holds.
    for (const [index, dependency] of binding.dependencies.list.entries()) {
      const field = `spec.dependencies[${index}]`;
      const matched = await run(`${field}.selector`, dependency.selector);
      if (!matched.ok || matched.value !== true) continue;
      const key = await run(`${field}.key`, dependency.key);
      if (key.ok) evaluation.dependencies.push({ name: dependency.name, key: windowKeyOf(key.value) });
    }
    evaluation.matched = evaluation.dependencies.length > 0;
    return evaluation;
  }

  if (binding.window) {
    const field = `spec.event.${binding.window.rule.kind}.key`;
    const key = await run(field, binding.window.key);
    if (key.ok) evaluation.windowKey = windowKeyOf(key.value);
  }
  if (binding.pressure.supersedeKey) {
    const key = await run("spec.supersede.key", binding.pressure.supersedeKey);
    if (key.ok) evaluation.supersedeKey = windowKeyOf(key.value);
  }
  evaluation.workflow.name = await workflowName(binding, event, run, errors);
  for (const [key, expression] of binding.labels) {
    const field = `spec.submit.metadata.labels.${key}`;
    const result = await run(field, expression);
    if (!result.ok) continue;
    if (typeof result.value !== "string")
      errors.push({ field, message: `must evaluate to a string, got ${describeType(result.value)}` });
    else if (!isLabelValue(result.value)) {
      errors.push({
        field,
        message: `"${result.value.slice(0, 80)}" is not a valid label value (≤ 63 characters: letters, digits, - _ .)`,
      });
    } else labels.set(key, result.value);
  }
  let annotationBytes = 0;
  for (const [key, expression] of binding.annotations) {
    const field = `spec.submit.metadata.annotations.${key}`;
    const result = await run(field, expression);
    if (!result.ok) continue;
    if (typeof result.value !== "string")
      errors.push({ field, message: `must evaluate to a string, got ${describeType(result.value)}` });
    else {
      annotations.set(key, result.value);
      annotationBytes += key.length + result.value.length;
    }
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) {
    errors.push({ field: "spec.submit.metadata.annotations", message: "annotations exceed 256 KiB in total" });
  }
  for (const [index, parameter] of binding.parameters.entries()) {
    if ("value" in parameter) {
      parameters.set(parameter.name, parameter.value);
      continue;
    }
    const field = `spec.submit.arguments.parameters[${index}].valueFrom.event`;
    const result = await run(field, parameter.expression);
    if (!result.ok) continue;
    if (result.value === undefined) errors.push({ field, message: "evaluated to nothing (no value for this event)" });
    else parameters.set(parameter.name, typeof result.value === "string" ? result.value : JSON.stringify(result.value));
  }
  evaluation.workflow.labels = Object.fromEntries(labels);
  evaluation.workflow.annotations = Object.fromEntries(annotations);
  evaluation.parameters = Object.fromEntries(parameters);

  const allowed = event.senderTemplates;
  if (allowed !== null && !allowed.includes(binding.template.name)) {
    evaluation.refusal = `the event's sender may not submit template "${binding.template.name}" (its token is restricted to: ${allowed.join(", ") || "none"})`;
  }
  if (evaluation.matched && errors.length === 0 && evaluation.refusal === null && evaluation.workflow.name) {
    evaluation.proposal = {
      cluster: binding.cluster,
      namespace: event.environment.namespace,
      template: binding.template,
      workflowName: evaluation.workflow.name,
      labels: evaluation.workflow.labels,
      annotations: evaluation.workflow.annotations,
      parameters: [...parameters].map(([name, value]) => ({ name, value })),
    };
  }
  return evaluation;
}

/**
 * The workflow's name: from `submit.metadata.name`; from `generateName` plus a suffix; or by
 * default `<template>-<10 hex>`. Suffixes derive from the event id and binding uid, so a
 * redelivered event produces the same name and cannot create a second workflow.
 */
async function workflowName(
  binding: CompiledBinding,
  event: EventInput,
  run: Run,
  errors: FieldError[],
): Promise<string | null> {
  const digest = await sha256Hex(`${event.id}/${binding.uid}`);
  if (!binding.workflowName) {
    const prefix = trimName(binding.template.name.slice(0, MAX_WORKFLOW_NAME_LENGTH - SUFFIX_LENGTH - 1));
    return `${prefix}-${digest.slice(0, SUFFIX_LENGTH)}`;
  }
  const field = binding.workflowName.generate ? "spec.submit.metadata.generateName" : "spec.submit.metadata.name";
  const result = await run(field, binding.workflowName.expression);
  if (!result.ok) return null;
  if (typeof result.value !== "string") {
    errors.push({ field, message: `must evaluate to a string, got ${describeType(result.value)}` });
    return null;
  }
  const name = binding.workflowName.generate
    ? `${result.value}${digest.slice(0, GENERATED_SUFFIX_LENGTH)}`
    : result.value;
  if (!isDns1123Subdomain(name) || name.length > MAX_WORKFLOW_NAME_LENGTH) {
    errors.push({
      field,
      message: `"${name.slice(0, 80)}" is not a valid workflow name (lowercase letters, digits, '-' and '.', at most ${MAX_WORKFLOW_NAME_LENGTH} characters)`,
    });
    return null;
  }
  return name;
}

/** A window key as text: strings as they are, anything else as JSON, nothing as "". */
function windowKeyOf(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The name of a workflow a window submits: from the window (binding uid, key, window start and
 * the event's place in it) rather than the event, so however the queue redelivers, a window's
 * submission keeps one name. A name the binding sets itself is kept.
 */
export async function windowWorkflowName(
  binding: CompiledBinding,
  proposal: WorkflowProposal,
  window: { key: string; start: number; seq: number },
): Promise<string> {
  const digest = await sha256Hex(`${binding.uid}/${window.key}/${window.start}/${window.seq}`);
  if (!binding.workflowName) {
    const prefix = trimName(binding.template.name.slice(0, MAX_WORKFLOW_NAME_LENGTH - SUFFIX_LENGTH - 1));
    return `${prefix}-${digest.slice(0, SUFFIX_LENGTH)}`;
  }
  if (!binding.workflowName.generate) return proposal.workflowName;
  return `${proposal.workflowName.slice(0, -GENERATED_SUFFIX_LENGTH)}${digest.slice(0, GENERATED_SUFFIX_LENGTH)}`;
}

function trimName(name: string): string {
  return name.replace(/[-.]+$/, "");
}

/** How a value's type is named in error messages. */
export function describeType(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}
