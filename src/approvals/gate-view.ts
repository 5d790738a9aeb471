import { approversOf, type Requester } from "./approvers";
import type { GateState, Subject, WebhookPhase } from "./gate-state";

/**
 * A gate as the API, the console and notifications show it. No view carries a usable decision:
 * callback URIs (capabilities) appear only in the answer to the gate's creator and in each
 * webhook's own request; the ids of the gate's chat messages and links appear nowhere.
 */
export interface GateView {
  id: string;
  namespace: string;
  policy: string;
  status: GateState["status"];
  subject: Subject | null;
  context: Record<string, unknown>;
  /** The W3C trace the gate belongs to (absent on gates older than trace ids). */
  traceId?: string;
  /** The gate's callback URI when it has exactly one webhook (else each webhook has its own); only for its creator. */
  callbackUri: string | null;
  createdAt: string;
  expiresAt: string;
  webhooks: Array<{
    name: string;
    phase: WebhookPhase;
    attempts: number;
    lastError: string | null;
    /** Only in the answer to the gate's creator (null elsewhere). */
    callbackUri: string | null;
    answer: { success: boolean; mdMessage: string; by: string; at: string } | null;
  }>;
  manual: {
    required: boolean;
    /** Who may decide (the policy's `manual.approvers`, or `console:*`). */
    approvers: readonly string[];
    chatLinks: boolean;
    confirm: boolean;
    /** How many distinct people must approve, and the approvals counted so far (one per person). */
    quorum: number;
    approvals: Array<{ person: string; by: string; via: string; at: string }>;
    forbidRequester: boolean;
    decision: { approve: boolean; message: string; by: string; via: string; at: string } | null;
  };
  /** Who asked for the gate, when they said. */
  requestedBy?: { email?: string; slack?: string; github?: string };
  /** Approved, but held by a change window until then (null: no window opens within a year). */
  hold: { until: string | null; reason: string } | null;
  /** Who may approve with a break-glass override while a window holds the gate. */
  overrideApprovers: readonly string[];
  decision: { status: string; reason: string; message: string; by: string; via: string; at: string } | null;
  node: { phase: string; attempts: number; lastError: string | null } | null;
  /** The node the subject names, as its cluster reported it when the gate opened. */
  subjectNode?: { id: string; workflowTemplate: string | null; template: string | null };
  /** The GitHub deployment the gate answers (a deployment protection rule delivery opened it) and how answering went. */
  github?: {
    repository: string;
    environment: string;
    delivery: string;
    /** `waiting` for the decision, `posting` (retried with backoff), `posted`, `failed`, or `refused` (not on the App's API). */
    phase: string;
    state: "approved" | "rejected" | null;
    attempts: number;
    lastError: string | null;
    at: string | null;
  };
  /** The requests the gate sent to its policy's channels (what they carried, how sending went). */
  messages: Array<{
    service: string;
    recipient: string;
    phase: string;
    carried: string | null;
    attempts: number;
    lastError: string | null;
    sentAt: string | null;
  }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The requester's identities that were given (absent ones left out). */
function requesterView(requester: Requester): NonNullable<GateView["requestedBy"]> {
  return {
    ...(requester.email ? { email: requester.email } : {}),
    ...(requester.slack ? { slack: requester.slack } : {}),
    ...(requester.github ? { github: requester.github } : {}),
  };
}

/** The view of a gate's state, as anyone who may read the gate sees it (no callback URIs). */
export function viewOf(state: GateState): GateView {
  const view = creatorViewOf(state);
  return { ...view, callbackUri: null, webhooks: view.webhooks.map((hook) => ({ ...hook, callbackUri: null })) };
}

/** The view the gate's creator gets back: with each webhook's callback URI, for it to hand on. */
export function creatorViewOf(state: GateState): GateView {
  const [only, ...others] = state.webhooks;
  return {
    id: state.id,
    namespace: state.namespace,
    policy: state.policy.name,
    status: state.status,
    subject: state.subject,
    context: state.context,
    ...(state.traceId ? { traceId: state.traceId } : {}),
    callbackUri: only && others.length === 0 ? only.callbackUri : null,
    createdAt: iso(state.createdAt),
    expiresAt: iso(state.expiresAt),
    webhooks: state.webhooks.map((hook) => ({
      name: hook.name,
      phase: hook.phase,
      attempts: hook.attempts,
      lastError: hook.lastError,
      callbackUri: hook.callbackUri,
      answer: hook.answer ? { ...hook.answer, at: iso(hook.answer.at) } : null,
    })),
    manual: {
      required: state.manual.required,
      approvers: approversOf(state.policy.manual),
      chatLinks: state.policy.manual.chatLinks === true,
      confirm: state.policy.manual.confirm === true,
      quorum: state.policy.manual.quorum ?? 1,
      approvals: (state.approvals ?? []).map(({ person, by, via, at }) => ({ person, by, via, at: iso(at) })),
      forbidRequester: state.policy.manual.forbidRequester === true,
      decision: state.manual.decision
        ? { ...state.manual.decision, via: state.manual.decision.via ?? "api", at: iso(state.manual.decision.at) }
        : null,
    },
    decision: state.decision
      ? { ...state.decision, via: state.decision.via ?? "api", at: iso(state.decision.at) }
      : null,
    ...(state.requestedBy ? { requestedBy: requesterView(state.requestedBy) } : {}),
    hold: state.hold
      ? { until: state.hold.until === null ? null : iso(state.hold.until), reason: state.hold.reason }
      : null,
    overrideApprovers: state.policy.override?.approvers ?? [],
    node: state.node
      ? { phase: state.node.phase, attempts: state.node.attempts, lastError: state.node.lastError }
      : null,
    ...(state.held
      ? {
          subjectNode: {
            id: state.held.id,
            workflowTemplate: state.held.workflowTemplate,
            template: state.held.template,
          },
        }
      : {}),
    ...(state.github
      ? {
          github: {
            repository: state.github.repository,
            environment: state.github.environment,
            delivery: state.github.delivery,
            phase: state.github.phase,
            state: state.github.state,
            attempts: state.github.attempts,
            lastError: state.github.lastError,
            at: state.github.at === null ? null : iso(state.github.at),
          },
        }
      : {}),
    messages: (state.messages ?? []).map((message) => ({
      service: message.service,
      recipient: message.recipient,
      phase: message.phase,
      carried: message.kind,
      attempts: message.attempts,
      lastError: message.lastError,
      sentAt: message.sentAt === null ? null : iso(message.sentAt),
    })),
  };
}
