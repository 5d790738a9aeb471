import { ExpressionError } from "../expressions/jsonata";
import type { NamespaceBindings } from "./cache";
import { type BindingVerdict, dispatchEvent } from "./dispatch";
import type { EventEnvironment, WorkflowProposal } from "./evaluate";
import { windowIdOf, windowName, windowOf } from "./window";

/**
 * The bindings' stage of the events consumer: one event through its namespace's bindings
 * (dispatch.ts), with each firing binding's window (dedupe, throttle, debounce) and dependencies
 * applied — what the binding decided, not yet what the log records or the cluster is sent.
 */

/** A binding's last word on one event. */
export interface Judgement {
  binding: string;
  bindingUid: string;
  matched: boolean;
  /** `fire`: submit `proposal`; `waiting`: in a debounce window or for dependencies (`windowId`). */
  status: "fire" | "skipped" | "failed" | "waiting" | "deduplicated" | "throttled";
  reason: string | null;
  error: string | null;
  cluster: string | null;
  /** What to submit (its workflow name final): when firing, or waiting to fire. */
  proposal: WorkflowProposal | null;
  windowId?: string;
  /** A binding with `supersede`: this event's key. */
  supersedeKey: string | null;
}

/** Other events waiting in a window that this event's match completed: they end, pointing at it. */
export interface Settlement {
  windowId: string;
  reason: string;
  /** The event that completed the match (it submits; it is not settled). */
  except: string;
}

/** One event as the bindings see it. */
export interface JudgedEvent {
  id: string;
  namespace: string;
  environment: EventEnvironment;
  /** The templates the event's sender may submit (null: any). */
  senderTemplates: readonly string[] | null;
  /** Its queue message: a debounce window keeps the latest to send back when it fires. */
  message: unknown;
}

/** What the bindings decided for one event, and the windows it settled. */
export interface Judged {
  judgements: Judgement[];
  /** Bindings the prefilter ruled out without a verdict. */
  pruned: number;
  settlements: Settlement[];
}

/** Judges one event against its namespace's bindings. */
export async function judgeEvent(env: Env, namespace: NamespaceBindings, event: JudgedEvent): Promise<Judged> {
  const dispatch = await dispatchEvent(namespace, {
    id: event.id,
    environment: event.environment,
    senderTemplates: event.senderTemplates,
  });
  const settlements: Settlement[] = [];
  const judgements = await Promise.all(
    dispatch.verdicts.map((verdict) =>
      verdict.correlation
        ? correlated(env, event, verdict, verdict.correlation, settlements)
        : windowed(env, event, verdict),
    ),
  );
  return { judgements, pruned: dispatch.pruned, settlements };
}

function judgementOf(verdict: BindingVerdict): Judgement {
  return {
    binding: verdict.binding,
    bindingUid: verdict.bindingUid,
    matched: verdict.matched,
    status: verdict.status,
    reason: verdict.reason,
    error: verdict.error,
    cluster: verdict.cluster,
    proposal: verdict.proposal,
    supersedeKey: verdict.supersedeKey,
  };
}

/**
 * A firing binding with a window (dedupe, throttle, debounce) asks its key's window whether this
 * event submits: if so, under the window's workflow name (so a redelivery cannot make a second
 * workflow); if not, the judgement says why and which event opened the window.
 */
async function windowed(env: Env, event: JudgedEvent, verdict: BindingVerdict): Promise<Judgement> {
  const judgement = judgementOf(verdict);
  const window = verdict.window;
  const proposal = verdict.proposal;
  if (!window || !proposal || verdict.status !== "fire") return judgement;
  const name = await windowName(event.namespace, verdict.bindingUid, window.key);
  const debounce = window.rule.kind === "debounce";
  const admission = await windowOf(env, name).admit(window.rule, event.id, debounce ? event.message : undefined);
  if (admission.action === "submit" || admission.action === "waiting") {
    const seq = admission.action === "submit" ? admission.seq : 0;
    const named = { ...proposal, workflowName: await window.workflowName(admission.windowStart, seq) };
    if (admission.action === "submit") return { ...judgement, proposal: named };
    return {
      ...judgement,
      proposal: named,
      status: "waiting",
      windowId: windowIdOf(name, admission.windowStart),
      reason: `waiting: debounce of key ${JSON.stringify(window.key.slice(0, 200))} (${admission.count} event(s) so far); the last one submits ${window.rule.periodMs / 1000} s after it arrives`,
    };
  }
  const key = JSON.stringify(window.key.slice(0, 200));
  const until = new Date(admission.windowEnd).toISOString();
  const reason =
    admission.action === "deduplicated"
      ? `deduplicated: event ${admission.first} opened key ${key}'s window, which lasts until ${until}`
      : `throttled: event ${admission.count} of key ${key} in the window opened by event ${admission.first} (limit ${window.rule.limit} until ${until})`;
  return { ...judgement, status: admission.action, reason, proposal: null };
}

/**
 * An event of a binding with dependencies joins its key's partial match (one per dependency it
 * satisfies). While the condition does not hold, it waits, saying for what; the event that
 * makes it hold claims the match and fires — with every dependency's event as `events` — and
 * the match's other waiting events are settled (`settlements`), pointing at it.
 */
async function correlated(
  env: Env,
  event: JudgedEvent,
  verdict: BindingVerdict,
  correlation: NonNullable<BindingVerdict["correlation"]>,
  settlements: Settlement[],
): Promise<Judgement> {
  const judgement = judgementOf(verdict);
  let waiting: Judgement | null = null;
  for (const { name: dependency, key } of correlation.matches) {
    const name = await windowName(event.namespace, verdict.bindingUid, key);
    const window = windowOf(env, name);
    const match = await window.join(correlation.withinMs, dependency, event.id, event.environment);
    const arrived = new Set(Object.keys(match.events));
    const windowId = windowIdOf(name, match.start);
    let holds: boolean;
    try {
      holds = await correlation.holds(arrived);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return { ...judgement, status: "failed", error: error.describe("spec.condition") };
    }
    if (!holds) {
      const missing = correlation.names.filter((candidate) => !arrived.has(candidate));
      const have = [...arrived].map((candidate) => `${candidate}: event ${match.events[candidate]?.id}`).join(", ");
      waiting = {
        ...judgement,
        status: "waiting",
        windowId,
        reason: `waiting for ${missing.join(", ")} with key ${JSON.stringify(key.slice(0, 200))} until ${new Date(match.end).toISOString()} (${have})`,
      };
      continue;
    }
    // Another event completed this match at the same moment: it submits, this one joins it.
    if (!(await window.complete(match.start))) {
      return {
        ...judgement,
        status: "skipped",
        reason: `joined: another event completed these dependencies (key ${JSON.stringify(key.slice(0, 200))})`,
      };
    }
    const events = Object.fromEntries(Object.entries(match.events).map(([named, entry]) => [named, entry.environment]));
    const evaluation = await correlation.complete(events);
    if (evaluation.errors.length > 0 || !evaluation.proposal) {
      const problem =
        evaluation.refusal ??
        evaluation.errors.map((e) => `${e.field}: ${e.message}`).join("; ") ??
        "nothing to submit";
      return { ...judgement, status: "failed", error: problem };
    }
    const proposal = {
      ...evaluation.proposal,
      workflowName: await correlation.workflowName(key, match.start, evaluation.proposal),
    };
    const others = Object.entries(match.events)
      .filter(([, entry]) => entry.id !== event.id)
      .map(([named, entry]) => `${named}: event ${entry.id}`);
    settlements.push({
      windowId,
      reason: `joined: event ${event.id} completed the dependencies and submits workflow ${proposal.workflowName}`,
      except: event.id,
    });
    return {
      ...judgement,
      status: "fire",
      windowId,
      proposal,
      supersedeKey: evaluation.supersedeKey,
      reason: `completed the dependencies (${others.join(", ")})`,
    };
  }
  return waiting ?? judgement;
}
