import { z } from "zod";
import { approversOf, type Requester } from "./approvers";
import { APPROVAL_STATUSES, type GateState } from "./gate-state";

/**
 * A gate as the API, the console and notifications show it. No view carries a usable decision:
 * callback URIs (capabilities) appear only in the answer to the gate's creator and in each
 * webhook's own request; the ids of the gate's chat messages and links appear nowhere.
 */
export const gateViewSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  policy: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  subject: z.object({ cluster: z.string(), workflow: z.string(), node: z.string() }).nullable(),
  context: z.record(z.string(), z.unknown()),
  /** The W3C trace the gate belongs to (absent on gates older than trace ids). */
  traceId: z.string().optional(),
  /** The gate's callback URI when it has exactly one webhook (else each webhook has its own); only for its creator. */
  callbackUri: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  webhooks: z.array(
    z.object({
      name: z.string(),
      phase: z.enum(["delivering", "waiting", "approved", "rejected", "failed"]),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      /** Only in the answer to the gate's creator (null elsewhere). */
      callbackUri: z.string().nullable(),
      answer: z.object({ success: z.boolean(), mdMessage: z.string(), by: z.string(), at: z.string() }).nullable(),
    }),
  ),
  manual: z.object({
    required: z.boolean(),
    /** Who may decide (the policy's `manual.approvers`, or `console:*`). */
    approvers: z.array(z.string()).readonly(),
    chatLinks: z.boolean(),
    confirm: z.boolean(),
    /** How many distinct people must approve, and the approvals counted so far (one per person). */
    quorum: z.number().int(),
    approvals: z.array(z.object({ person: z.string(), by: z.string(), via: z.string(), at: z.string() })),
    forbidRequester: z.boolean(),
    decision: z
      .object({ approve: z.boolean(), message: z.string(), by: z.string(), via: z.string(), at: z.string() })
      .nullable(),
  }),
  /** Who asked for the gate, when they said. */
  requestedBy: z
    .object({ email: z.string().optional(), slack: z.string().optional(), github: z.string().optional() })
    .optional(),
  /** Approved, but held by a change window until then (null: no window opens within a year). */
  hold: z.object({ until: z.string().nullable(), reason: z.string() }).nullable(),
  /** Who may approve with a break-glass override while a window holds the gate. */
  overrideApprovers: z.array(z.string()).readonly(),
  decision: z
    .object({
      status: z.string(),
      reason: z.string(),
      message: z.string(),
      by: z.string(),
      via: z.string(),
      at: z.string(),
    })
    .nullable(),
  node: z.object({ phase: z.string(), attempts: z.number().int(), lastError: z.string().nullable() }).nullable(),
  /** The node the subject names, as its cluster reported it when the gate opened. */
  subjectNode: z
    .object({ id: z.string(), workflowTemplate: z.string().nullable(), template: z.string().nullable() })
    .optional(),
  /** The GitHub deployment the gate answers (a deployment protection rule delivery opened it) and how answering went. */
  github: z
    .object({
      repository: z.string(),
      environment: z.string(),
      delivery: z.string(),
      /** `waiting` for the decision, `posting` (retried with backoff), `posted`, `failed`, or `refused` (not on the App's API). */
      phase: z.string(),
      state: z.enum(["approved", "rejected"]).nullable(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      at: z.string().nullable(),
    })
    .optional(),
  /** The requests the gate sent to its policy's channels (what they carried, how sending went). */
  messages: z.array(
    z.object({
      service: z.string(),
      recipient: z.string(),
      phase: z.string(),
      carried: z.string().nullable(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      sentAt: z.string().nullable(),
    }),
  ),
});
export type GateView = z.output<typeof gateViewSchema>;

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
