import type { NamespaceBindings } from "./cache";
import type { CompiledBinding } from "./compile";
import {
  type Evaluation,
  type EventEnvironment,
  type EventInput,
  evaluateBinding,
  type WorkflowProposal,
  windowWorkflowName,
} from "./evaluate";
import { unmetEquality } from "./prefilter";
import type { WindowRule } from "./window-rules";

/** Namespaces with at most this many bindings get a verdict for every binding, evaluated or not. */
export const LIST_EVERY_BINDING_UP_TO = 50;

/** What one binding decided for one event. */
export interface BindingVerdict {
  binding: string;
  bindingUid: string;
  matched: boolean;
  /** `fire`: submit `proposal`; `skipped`: the selector did not match; `failed`: see `error`. */
  status: "fire" | "skipped" | "failed";
  reason: string | null;
  error: string | null;
  cluster: string | null;
  proposal: WorkflowProposal | null;
  /** A firing binding with `supersede`: this event's key. */
  supersedeKey: string | null;
  /** A firing binding with a window: its rule, this event's key, and the name its window submits under. */
  window: {
    rule: WindowRule;
    key: string;
    workflowName: (start: number, seq: number) => Promise<string>;
  } | null;
  /** A binding with dependencies that this event satisfies in part: which ones, by key, and how to complete it. */
  correlation: {
    matches: Array<{ name: string; key: string }>;
    names: string[];
    withinMs: number;
    /** The condition over the dependencies that have an event. */
    holds: (arrived: ReadonlySet<string>) => Promise<boolean>;
    /** What the binding submits once its dependencies are met, from their events. */
    complete: (events: Record<string, EventEnvironment>) => Promise<Evaluation>;
    workflowName: (key: string, start: number, proposal: WorkflowProposal) => Promise<string>;
  } | null;
}

export interface Dispatch {
  verdicts: BindingVerdict[];
  /** Bindings the prefilter ruled out without a verdict (namespaces with many bindings). */
  pruned: number;
}

/**
 * Runs one event through its namespace's bindings, as Argo's event dispatch does: the prefilter
 * picks the candidates, each is evaluated, and every binding that does not compile fails. In a
 * namespace with few bindings every binding gets a verdict (with the reason it was skipped);
 * in a large one only the candidates do, and the rest are counted as pruned.
 */
export async function dispatchEvent(namespace: NamespaceBindings, event: EventInput): Promise<Dispatch> {
  const all = namespace.bindings.length + namespace.broken.length;
  const dispatch: Dispatch = { verdicts: [], pruned: 0 };
  if (all === 0) return dispatch;
  const { environment } = event;
  const base = (binding: { name: string; uid: string }) => ({
    binding: binding.name,
    bindingUid: binding.uid,
    cluster: null,
    reason: null,
    error: null,
    proposal: null,
    supersedeKey: null,
    window: null,
    correlation: null,
  });

  const candidates = namespace.index.candidates(environment);
  const listAll = all <= LIST_EVERY_BINDING_UP_TO;
  if (listAll) {
    const evaluated = new Set<CompiledBinding>(candidates);
    for (const binding of namespace.bindings) {
      if (evaluated.has(binding)) continue;
      const unmet = unmetEquality(binding.equalities, environment);
      dispatch.verdicts.push({
        ...base(binding),
        matched: false,
        status: "skipped",
        reason: unmet
          ? `selector requires ${unmet.path.join(".")} = ${unmet.literal}`
          : "selector cannot match this event",
      });
    }
  } else {
    dispatch.pruned = namespace.bindings.length - candidates.length;
  }
  for (const { binding, error } of namespace.broken) {
    dispatch.verdicts.push({
      ...base({ name: binding.metadata.name, uid: binding.metadata.uid }),
      matched: false,
      status: "failed",
      error: `binding does not compile: ${error}`,
    });
  }
  for (const binding of candidates) {
    const evaluation = await evaluateBinding(binding, event);
    const verdict: BindingVerdict = {
      ...base(binding),
      matched: evaluation.matched,
      cluster: binding.cluster,
      status: "skipped",
    };
    if (evaluation.errors.length > 0) {
      verdict.status = "failed";
      verdict.error = evaluation.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    } else if (binding.dependencies && evaluation.matched) {
      verdict.status = "fire";
      verdict.correlation = correlationOf(binding, binding.dependencies, event, evaluation.dependencies);
    } else if (!evaluation.matched) {
      if (!listAll) continue;
      verdict.reason = binding.dependencies ? "no dependency matched" : "selector evaluated to false";
    } else if (evaluation.refusal) {
      verdict.status = "failed";
      verdict.error = evaluation.refusal;
    } else if (evaluation.proposal) {
      verdict.status = "fire";
      const proposal = evaluation.proposal;
      verdict.proposal = proposal;
      verdict.supersedeKey = evaluation.supersedeKey;
      if (binding.window && evaluation.windowKey !== null) {
        const key = evaluation.windowKey;
        verdict.window = {
          rule: binding.window.rule,
          key,
          workflowName: (start, seq) => windowWorkflowName(binding, proposal, { key, start, seq }),
        };
      }
    }
    dispatch.verdicts.push(verdict);
  }
  return dispatch;
}

/** What the consumer needs to correlate an event of a binding with dependencies (window.ts holds the partial matches). */
function correlationOf(
  binding: CompiledBinding,
  dependencies: NonNullable<CompiledBinding["dependencies"]>,
  event: EventInput,
  matches: Array<{ name: string; key: string }>,
): NonNullable<BindingVerdict["correlation"]> {
  const names = dependencies.list.map((dependency) => dependency.name);
  return {
    matches,
    names,
    withinMs: dependencies.withinMs,
    holds: async (arrived) =>
      (await dependencies.condition.evaluate(Object.fromEntries(names.map((name) => [name, arrived.has(name)])))) ===
      true,
    complete: (events) =>
      evaluateBinding(binding, { ...event, environment: { ...event.environment, events } }, { completing: true }),
    workflowName: (key, start, proposal) => windowWorkflowName(binding, proposal, { key, start, seq: 0 }),
  };
}
