import { formatDuration } from "../lib/duration";
import { type Failure, fail, ok, type Result } from "../lib/result";
import { type ChatOrigin, type Decider, isRequester, mayDecide, mayOverride, type Requester } from "./approvers";
import type { StoredPolicy } from "./policy";
import type { ResolvedNode } from "./subject-claims";
import { windowVerdict } from "./windows";

/** The workflow node a gate holds: on decision it is resumed (or failed) through the Argo Server. */
export interface Subject {
  cluster: string;
  workflow: string;
  /** The suspended node: its display name, or a full node field selector (`id=…`, `name=…`). */
  node: string;
}

/**
 * An approval gate as a pure state machine: what each callback, manual decision, webhook
 * delivery and timeout does to the gate, and which work that schedules. The ApprovalGate
 * Durable Object stores the state and runs the work; this file decides. A gate decides exactly
 * once: the first rejection, webhook failure or timeout, or the last required approval.
 */

export const APPROVAL_STATUSES = ["pending", "approved", "rejected", "failed", "timed_out"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export type WebhookPhase = "delivering" | "waiting" | "approved" | "rejected" | "failed";

export interface WebhookState {
  name: string;
  phase: WebhookPhase;
  attempts: number;
  lastError: string | null;
  deliveredAt: number | null;
  answer: { success: boolean; mdMessage: string; by: string; at: number } | null;
  /** This webhook's own capability URI (unguessable; answers this webhook only). */
  callbackUri: string;
  /** The capability in that URI, checked against every callback. */
  capability: string;
}

export interface Decision {
  status: Exclude<ApprovalStatus, "pending">;
  reason: string;
  message: string;
  by: string;
  /** Where it was taken: `api`, `console`, `slack:<service>`, `link:<service>`, `webhook`, `timeout`. */
  via?: string;
  at: number;
}

/** How a gate's request went out to one of its policy's channels (service × recipient). */
export type ChatMessageKind = "buttons" | "links" | "plain";

/**
 * One request the gate itself sends to a chat: the record every click and link is checked
 * against. `id` is the gate's own id for the message (carried in button values and link tokens);
 * `links` the ids of its one-time links. None of these are shown by any view.
 */
export interface ChatMessage {
  service: string;
  recipient: string;
  id: string;
  links: { approve: string; reject: string };
  phase: "sending" | "sent" | "failed";
  /** What the message carried when it was sent. */
  kind: ChatMessageKind | null;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
  /** The service's own id for the message when it answers one (Slack `ts`, Lark `message_id`). */
  serviceMessageId: string | null;
}

/** How sending one chat request went. */
export type ChatSendOutcome =
  | { kind: "sent"; carried: ChatMessageKind; serviceMessageId: string | null }
  | { kind: "wait"; until: number }
  | { kind: "failed"; message: string; permanent: boolean };

/** Chat requests are retried this many times before the gate records that one failed. */
export const MAX_CHAT_ATTEMPTS = 5;

/** A person's decision as recorded (older gates have no `via`). */
export interface ManualDecision {
  approve: boolean;
  message: string;
  by: string;
  via?: string;
  at: number;
}

/** One approval counted towards the quorum: one per person, whichever channel they used. */
export interface CountedApproval {
  person: string;
  by: string;
  via: string;
  at: number;
  message: string;
}

/** One attempt to change the gate, counted or not, in the order they came. */
export interface AuditEntry {
  at: number;
  by: string;
  via: string;
  action: "approve" | "reject" | "override" | "callback" | "hold" | "release" | "timeout" | "fail";
  counted: boolean;
  reason: string;
}

/** The audit keeps this many entries; later attempts are counted, not listed (a gate's state stays bounded). */
export const MAX_AUDIT_ENTRIES = 500;

/**
 * The GitHub deployment a gate answers: GitHub's deployment protection rule for one environment
 * of one workflow run, as the delivery that opened the gate named it. The answer goes once, after
 * the decision, to `callbackUrl` (checked against the policy's GitHub API when the gate opened —
 * `refused` when it was elsewhere: nothing is ever sent there).
 */
export interface GitHubDeployment {
  /** The delivery (`X-GitHub-Delivery`) that opened the gate. */
  delivery: string;
  installationId: number;
  repositoryId: number;
  /** `owner/name`. */
  repository: string;
  /** As GitHub named it: the answer's `environment_name`. */
  environment: string;
  /** GitHub's review endpoint for the run (`deployment_callback_url`). */
  callbackUrl: string;
  phase: "waiting" | "posting" | "posted" | "failed" | "refused";
  /** What was (or is being) answered. */
  state: "approved" | "rejected" | null;
  attempts: number;
  lastError: string | null;
  at: number | null;
}

/** What a delivery hands a new gate: the deployment, and why its callback URL is refused (null: it is not). */
export type GitHubDeploymentInit = Pick<
  GitHubDeployment,
  "delivery" | "installationId" | "repositoryId" | "repository" | "environment" | "callbackUrl"
> & { refusal: string | null };

/** Answering GitHub is retried this many times before the gate records that it failed. */
export const MAX_GITHUB_ATTEMPTS = 10;

/** A decision that came with a break-glass override of a change window. */
export interface Override {
  reason: string;
}

export interface GateState {
  id: string;
  namespace: string;
  policy: StoredPolicy;
  subject: Subject | null;
  context: Record<string, unknown>;
  /** The public origin its callbacks and chat links point at (older gates have none). */
  publicUrl?: string;
  /** The W3C trace it belongs to (src/lib/trace.ts; older gates have none). */
  traceId?: string;
  createdAt: number;
  expiresAt: number;
  status: ApprovalStatus;
  /** Bumped on every change, so the D1 mirror never goes backwards. */
  revision: number;
  /** In the policy's order; looked up by name, never as object keys. */
  webhooks: WebhookState[];
  manual: { required: boolean; decision: ManualDecision | null };
  decision: Decision | null;
  node: { phase: "pending" | "set" | "failed"; attempts: number; lastError: string | null; at: number | null } | null;
  /** The node the subject names, as its cluster reported it when the gate opened (older gates: none). */
  held?: ResolvedNode & { key: string };
  /** The requests the gate sends to its policy's channels (older gates: none). */
  messages?: ChatMessage[];
  /** Who asked for the gate (`requestedBy` on create), when they said. */
  requestedBy?: Requester;
  /** The approvals counted towards the policy's quorum, one per person (older gates: none). */
  approvals?: CountedApproval[];
  /** Every attempt to change the gate, in order (older gates: none). */
  audit?: AuditEntry[];
  /** Attempts past MAX_AUDIT_ENTRIES. */
  auditOverflow?: number;
  /** Approved, but a change window holds the gate until then (re-checked then; null: no window opens). */
  hold?: { until: number | null; reason: string } | null;
  /** The GitHub deployment this gate answers, when a deployment protection rule delivery opened it. */
  github?: GitHubDeployment;
}

/** Pending work of a gate, each a row with a due time; one alarm is armed for the earliest. */
export type WorkKey =
  | `deliver:${string}`
  | `chat:${number}`
  | "timeout"
  | "set-node"
  | "github"
  | "mirror"
  | "notify:approval.requested"
  | "notify:approval.decided"
  | "notify:approval.timed_out"
  | "notify:approval.overridden"
  | "window";

/** What a step wants done to the work table. */
export interface Plan {
  schedule: Array<[WorkKey, number]>;
  unschedule: WorkKey[];
}

const emptyPlan = (): Plan => ({ schedule: [], unschedule: [] });

/** A new gate, with its webhooks to deliver, its timeout, the mirror row and the "requested" notification. */
export function openGate(
  init: {
    id: string;
    namespace: string;
    policy: StoredPolicy;
    subject: Subject | null;
    context: Record<string, unknown>;
    publicUrl: string;
    traceId: string;
    /** Each webhook's capability and the URI that carries it. */
    callbacks: ReadonlyMap<string, { capability: string; uri: string }>;
    /** The subject's node as its cluster reported it (when the gate has a subject). */
    held?: ResolvedNode & { key: string };
    /** One request per channel recipient, with the ids the gate gave it. */
    messages: ReadonlyArray<Pick<ChatMessage, "service" | "recipient" | "id" | "links">>;
    requestedBy?: Requester;
    /** The GitHub deployment a deployment protection rule delivery asks the gate to answer. */
    github?: GitHubDeploymentInit;
  },
  now: number,
): { state: GateState; plan: Plan } {
  const state: GateState = {
    id: init.id,
    namespace: init.namespace,
    policy: init.policy,
    subject: init.subject,
    context: init.context,
    publicUrl: init.publicUrl,
    traceId: init.traceId,
    createdAt: now,
    expiresAt: now + init.policy.timeoutMs,
    status: "pending",
    revision: 1,
    webhooks: init.policy.webhooks.map((hook) => ({
      name: hook.name,
      phase: "delivering",
      attempts: 0,
      lastError: null,
      deliveredAt: null,
      answer: null,
      callbackUri: init.callbacks.get(hook.name)?.uri ?? "",
      capability: init.callbacks.get(hook.name)?.capability ?? "",
    })),
    manual: { required: init.policy.manual.required, decision: null },
    decision: null,
    node: null,
    ...(init.held ? { held: init.held } : {}),
    messages: init.messages.map((message) => ({
      ...message,
      phase: "sending",
      kind: null,
      attempts: 0,
      lastError: null,
      sentAt: null,
      serviceMessageId: null,
    })),
    ...(init.requestedBy ? { requestedBy: init.requestedBy } : {}),
    approvals: [],
    audit: [],
    hold: null,
  };
  const plan = emptyPlan();
  for (const hook of state.webhooks) plan.schedule.push([`deliver:${hook.name}`, now]);
  for (const index of state.messages?.keys() ?? []) plan.schedule.push([`chat:${index}`, now]);
  plan.schedule.push(["timeout", state.expiresAt], ["notify:approval.requested", now], ["mirror", now]);
  if (init.github) {
    const { refusal, ...deployment } = init.github;
    state.github = {
      ...deployment,
      phase: refusal === null ? "waiting" : "refused",
      state: null,
      attempts: 0,
      lastError: refusal,
      at: null,
    };
    if (refusal !== null) failAtOpen(state, plan, refusal, now);
  }
  return { state, plan };
}

/**
 * A gate whose GitHub answer could never be sent (its callback URL is not on the policy's GitHub
 * API) fails as it opens, recorded — nobody is asked to approve what cannot be answered, and
 * nothing goes out but the announcements.
 */
function failAtOpen(state: GateState, plan: Plan, refusal: string, now: number): void {
  audit(state, { at: now, by: "github", via: "github", action: "fail", counted: true, reason: refusal });
  decide(state, plan, "failed", "GitHub's callback URL was refused", refusal, "github", now, "github");
  const dropped = new Set(plan.unschedule);
  plan.schedule = plan.schedule.filter(([key]) => !dropped.has(key));
}

/** The webhook of a gate by name (names are user input: looked up, never used as keys). */
export function webhookOf(state: GateState, name: string): WebhookState | undefined {
  return state.webhooks.find((hook) => hook.name === name);
}

/**
 * A webhook's callback `{success, mdMessage}` (its capability URI already verified). The same
 * answer again changes nothing; a contradicting one is refused.
 */
export function answerCallback(
  state: GateState,
  webhook: string,
  success: boolean,
  mdMessage: string,
  by: string,
  now: number,
): { result: Result<true>; plan: Plan } {
  const plan = emptyPlan();
  const hook = webhookOf(state, webhook);
  if (!hook) return { result: fail("not_found", `this gate has no webhook "${webhook}"`), plan };
  const attempt = (counted: boolean, reason: string) =>
    audit(state, { at: now, by, via: `webhook:${webhook}`, action: "callback", counted, reason });
  if (hook.answer) {
    if (hook.answer.success === success) {
      attempt(false, "the same answer again");
      return { result: ok(true), plan };
    }
    const refusal = `webhook "${webhook}" already answered success=${hook.answer.success}`;
    attempt(false, refusal);
    return { result: fail("aborted", refusal), plan };
  }
  if (state.status !== "pending") {
    const late = afterDecision(state, success);
    attempt(false, late.ok ? "already decided the same way" : late.error.message);
    return { result: late, plan };
  }
  attempt(true, success ? "success" : "failure");
  hook.answer = { success, mdMessage, by, at: now };
  hook.phase = success ? "approved" : "rejected";
  plan.unschedule.push(`deliver:${hook.name}`);
  if (!success)
    decide(state, plan, "rejected", `webhook "${hook.name}" rejected`, mdMessage, `webhook:${hook.name}`, now);
  else approveIfComplete(state, plan, mdMessage, `webhook:${hook.name}`, now);
  changed(state, plan, now);
  return { result: ok(true), plan };
}

/**
 * A person's decision — through the API, the console, a chat button or a one-time link. Only the
 * policy's approvers decide (approvers.ts), and only through what the gate issued (chat). Any
 * approver's rejection rejects; approvals count once per person towards the policy's quorum, and
 * the requester's own approval is refused when the policy forbids it. A break-glass `override`
 * (by the policy's override approvers, with a reason) approves while a change window holds the
 * gate. Every attempt is audited, counted or not; a refused one changes nothing else.
 */
export function decideManually(
  state: GateState,
  approve: boolean,
  message: string,
  decider: Decider,
  now: number,
  override?: Override,
): { result: Result<true>; plan: Plan } {
  const plan = emptyPlan();
  const action = override ? "override" : approve ? "approve" : "reject";
  const attempt = (counted: boolean, reason: string) =>
    audit(state, { at: now, by: decider.by, via: decider.via, action, counted, reason });
  const refuse = (code: Failure["code"], reason: string) => {
    attempt(false, reason);
    return { result: fail(code, reason), plan };
  };
  if (decider.through) {
    const refusal = chatRefusal(state, decider.through, approve);
    if (refusal !== null) return refuse("permission_denied", refusal);
  }
  if (override) {
    if (!mayOverride(state.policy.override?.approvers ?? [], decider))
      return refuse("permission_denied", `${decider.by} may not override this policy's change windows`);
  } else if (!mayDecide(state.policy.manual, decider)) {
    return refuse("permission_denied", `${decider.by} is not an approver of this gate`);
  }
  const approvals = approvalsOf(state);
  const previous = state.manual.decision;
  if (decider.once && (previous || approvals.length > 0 || state.status !== "pending")) {
    const outcome = previous
      ? `${previous.approve ? "approved" : "rejected"} by ${previous.by}`
      : state.status.replace("_", " ");
    return refuse("gone", `this link can no longer be used: the approval was ${outcome}`);
  }
  if (state.status !== "pending") {
    const late = afterDecision(state, approve);
    attempt(false, late.ok ? "already decided the same way" : late.error.message);
    return { result: late, plan };
  }
  const { by, via } = decider;
  if (!approve) {
    attempt(true, "rejected");
    state.manual.decision = { approve, message, by, via, at: now };
    decide(state, plan, "rejected", `rejected by ${by}`, message, by, now, via);
    changed(state, plan, now);
    return { result: ok(true), plan };
  }
  if (state.policy.manual.forbidRequester && isRequester(state.requestedBy, decider))
    return refuse("permission_denied", "the requester cannot approve");
  if (override) return overrideWindow(state, plan, override, message, decider, now);
  const person = personOf(decider);
  if (approvals.some((approval) => approval.person === person)) {
    attempt(false, `already counted for ${person}`);
    return { result: ok(true), plan };
  }
  approvals.push({ person, by, via, at: now, message });
  const quorum = state.policy.manual.quorum ?? 1;
  attempt(true, `approval ${approvals.length} of ${quorum}`);
  if (approvals.length >= quorum) state.manual.decision = { approve, message, by, via, at: now };
  approveIfComplete(state, plan, message, by, now, via);
  changed(state, plan, now);
  return { result: ok(true), plan };
}

/** The person a decider counts as towards a quorum: their email when known, else who decided. */
function personOf(decider: Decider): string {
  return decider.person?.toLowerCase() ?? decider.by;
}

/** Break-glass: approves now, past the quorum and the window that holds the gate — only while one does. */
function overrideWindow(
  state: GateState,
  plan: Plan,
  override: Override,
  message: string,
  decider: Decider,
  now: number,
): { result: Result<true>; plan: Plan } {
  const verdict = windowVerdict(state.policy.windows ?? [], now);
  if (verdict.open) {
    const reason = "no change window holds this gate now: approve it without an override";
    audit(state, { at: now, by: decider.by, via: decider.via, action: "override", counted: false, reason });
    return { result: fail("aborted", reason), plan };
  }
  audit(state, {
    at: now,
    by: decider.by,
    via: decider.via,
    action: "override",
    counted: true,
    reason: override.reason,
  });
  approvalsOf(state).push({ person: personOf(decider), by: decider.by, via: decider.via, at: now, message });
  state.manual.decision = { approve: true, message, by: decider.by, via: decider.via, at: now };
  state.hold = null;
  plan.unschedule.push("window");
  decide(state, plan, "approved", `overridden: ${override.reason}`, message, decider.by, now, decider.via);
  plan.schedule.push(["notify:approval.overridden", now]);
  changed(state, plan, now);
  return { result: ok(true), plan };
}

/** The window that held an approved gate has ended: complete it, or keep holding while another holds it. */
export function releaseWindow(state: GateState, now: number): Plan {
  const plan: Plan = { schedule: [], unschedule: ["window"] };
  if (state.status !== "pending" || !state.hold) return plan;
  const verdict = windowVerdict(state.policy.windows ?? [], now);
  if (!verdict.open) {
    state.hold = { until: verdict.until, reason: verdict.reason };
    if (verdict.until !== null) plan.schedule.push(["window", verdict.until]);
    state.revision += 1;
    return plan;
  }
  state.hold = null;
  audit(state, {
    at: now,
    by: "window",
    via: "window",
    action: "release",
    counted: true,
    reason: "the change window ended",
  });
  const last = state.manual.decision ?? state.approvals?.at(-1);
  decide(
    state,
    plan,
    "approved",
    "every required approval was given; the change window ended",
    last?.message ?? "",
    last?.by ?? "window",
    now,
    last?.via ?? "window",
  );
  changed(state, plan, now);
  return plan;
}

/** The gate's counted approvals (a gate older than quorums starts an empty list). */
function approvalsOf(state: GateState): CountedApproval[] {
  if (!state.approvals) state.approvals = [];
  return state.approvals;
}

/** Appends an attempt to the gate's audit (bounded: past the limit, only counted). */
function audit(state: GateState, entry: AuditEntry): void {
  if (!state.audit) state.audit = [];
  if (state.audit.length < MAX_AUDIT_ENTRIES) state.audit.push(entry);
  else state.auditOverflow = (state.auditOverflow ?? 0) + 1;
}

/**
 * Why a decision from chat does not count, or null when it does: it must come through a message
 * this gate recorded sending — through a service that verified the click (or whose message
 * carried the link), with buttons for a click and with that very link for a link.
 */
function chatRefusal(state: GateState, through: ChatOrigin, approve: boolean): string | null {
  const message = (state.messages ?? []).find(
    (candidate) => candidate.id === through.message && candidate.phase === "sent",
  );
  if (through.services.length === 0) return "no service that carries approval decisions verified this click";
  if (!message || !through.services.includes(message.service)) {
    const services = through.services.map((service) => `"${service}"`).join(", ");
    return `this message was not sent by the gate through service ${services}: decide from the gate's own request`;
  }
  if (
    through.serviceMessageId !== undefined &&
    message.serviceMessageId !== null &&
    through.serviceMessageId !== message.serviceMessageId
  ) {
    return "the click names a message the gate did not send";
  }
  if (through.link === undefined) {
    return message.kind === "buttons" ? null : "the gate's message through this service carries no buttons";
  }
  const expected = approve ? message.links.approve : message.links.reject;
  return message.kind === "links" && through.link === expected ? null : "this link was not sent by the gate";
}

/**
 * How sending a request to one channel went: sent (recorded: what it carried, the service's id
 * for it), a wait for the service's pace (no attempt spent), or a failure — retried with backoff
 * up to MAX_CHAT_ATTEMPTS, or at once when permanent. A failed request never fails the gate
 * (it can still be decided elsewhere); a decided gate sends nothing more.
 */
export function recordChatSend(
  state: GateState,
  index: number,
  outcome: ChatSendOutcome,
  retryDelayMs: (attempts: number) => number,
  now: number,
): Plan {
  const key: WorkKey = `chat:${index}`;
  const plan: Plan = { schedule: [], unschedule: [] };
  const message = state.messages?.[index];
  if (message?.phase !== "sending" || state.status !== "pending") {
    plan.unschedule.push(key);
    return plan;
  }
  if (outcome.kind === "wait") {
    plan.schedule.push([key, Math.max(outcome.until, now)]);
    return plan;
  }
  message.attempts += 1;
  if (outcome.kind === "sent") {
    message.phase = "sent";
    message.kind = outcome.carried;
    message.serviceMessageId = outcome.serviceMessageId;
    message.sentAt = now;
    message.lastError = null;
    plan.unschedule.push(key);
  } else if (outcome.permanent || message.attempts >= MAX_CHAT_ATTEMPTS) {
    message.phase = "failed";
    message.lastError = outcome.message;
    plan.unschedule.push(key);
  } else {
    message.lastError = outcome.message;
    plan.schedule.push([key, now + retryDelayMs(message.attempts)]);
  }
  state.revision += 1;
  return plan;
}

/** The timeout came: a gate still pending times out. */
export function timeOut(state: GateState, now: number): Plan {
  const plan: Plan = { schedule: [], unschedule: ["timeout"] };
  if (state.status !== "pending" || now < state.expiresAt) return plan;
  audit(state, {
    at: now,
    by: "timeout",
    via: "timeout",
    action: "timeout",
    counted: true,
    reason: "no decision in time",
  });
  decide(
    state,
    plan,
    "timed_out",
    `no decision within ${state.policy.timeout}`,
    `Timed out after ${formatDuration(state.policy.timeoutMs)} without a decision`,
    "timeout",
    now,
  );
  changed(state, plan, now);
  return plan;
}

/** Whether a webhook still needs delivering (the gate may have been decided meanwhile). */
export function needsDelivery(state: GateState, webhook: string): boolean {
  const hook = webhookOf(state, webhook);
  return state.status === "pending" && hook?.phase === "delivering";
}

/**
 * How a delivery attempt went: delivered (now waiting for its callback), or failed — retried
 * with `retryDelayMs` until the webhook's retryCount is spent, or at once when permanent; a
 * webhook that finally fails fails the gate.
 */
export function recordDelivery(
  state: GateState,
  webhook: string,
  error: { message: string; permanent: boolean } | null,
  retryDelayMs: (attempts: number) => number,
  now: number,
): Plan {
  const plan: Plan = { schedule: [], unschedule: [] };
  const hook = webhookOf(state, webhook);
  const retryCount = state.policy.webhooks.find((spec) => spec.name === webhook)?.retryCount ?? 0;
  if (!hook || !needsDelivery(state, webhook)) {
    plan.unschedule.push(`deliver:${webhook}`);
    return plan;
  }
  hook.attempts += 1;
  if (error === null) {
    hook.phase = "waiting";
    hook.deliveredAt = now;
    hook.lastError = null;
    plan.unschedule.push(`deliver:${webhook}`);
  } else if (hook.attempts > retryCount || error.permanent) {
    hook.phase = "failed";
    hook.lastError = error.message;
    plan.unschedule.push(`deliver:${webhook}`);
    audit(state, {
      at: now,
      by: `webhook:${webhook}`,
      via: "webhook",
      action: "fail",
      counted: true,
      reason: error.message,
    });
    decide(
      state,
      plan,
      "failed",
      `webhook "${webhook}" failed`,
      `Webhook ${webhook} failed after ${hook.attempts} attempt(s): ${error.message}`,
      `webhook:${webhook}`,
      now,
    );
  } else {
    hook.lastError = error.message;
    plan.schedule.push([`deliver:${webhook}`, now + retryDelayMs(hook.attempts)]);
  }
  state.revision += 1;
  // The mirror row carries the status, not webhook progress: it changes only with a decision.
  if (state.status !== "pending") plan.schedule.push(["mirror", now]);
  return plan;
}

/** How setting the waiting workflow node went; retried with backoff up to `maxAttempts`. */
export function recordNodeSet(
  state: GateState,
  outcome: Result<unknown>,
  maxAttempts: number,
  retryDelayMs: (attempts: number) => number,
  now: number,
): Plan {
  const node = state.node;
  if (node?.phase !== "pending") return { schedule: [], unschedule: ["set-node"] };
  const { verdict, plan } = attempted(node, "set-node", outcome, maxAttempts, retryDelayMs, now);
  if (verdict !== "retry") node.phase = verdict === "done" ? "set" : "failed";
  state.revision += 1;
  return plan;
}

/**
 * How answering GitHub went (one POST to the deployment's callback URL): posted, or retried with
 * backoff up to MAX_GITHUB_ATTEMPTS — at once failed when GitHub refused for good. Shown on the gate.
 */
export function recordGitHubAnswer(
  state: GateState,
  outcome: Result<unknown>,
  retryDelayMs: (attempts: number) => number,
  now: number,
): Plan {
  const github = state.github;
  if (github?.phase !== "posting") return { schedule: [], unschedule: ["github"] };
  const { verdict, plan } = attempted(github, "github", outcome, MAX_GITHUB_ATTEMPTS, retryDelayMs, now);
  if (verdict !== "retry") github.phase = verdict === "done" ? "posted" : "failed";
  state.revision += 1;
  return plan;
}

/** Counts one attempt of retried work: done, failed for good (not retryable, or out of attempts), or again after a backoff. */
function attempted(
  work: { attempts: number; lastError: string | null; at: number | null },
  key: WorkKey,
  outcome: Result<unknown>,
  maxAttempts: number,
  retryDelayMs: (attempts: number) => number,
  now: number,
): { verdict: "done" | "failed" | "retry"; plan: Plan } {
  work.attempts += 1;
  work.at = now;
  if (outcome.ok) {
    work.lastError = null;
    return { verdict: "done", plan: { schedule: [], unschedule: [key] } };
  }
  work.lastError = outcome.error.message;
  if (!outcome.error.retryable || work.attempts >= maxAttempts)
    return { verdict: "failed", plan: { schedule: [], unschedule: [key] } };
  return { verdict: "retry", plan: { schedule: [[key, now + retryDelayMs(work.attempts)]], unschedule: [] } };
}

/**
 * Approves when every webhook has said yes and a required manual approval reached its quorum —
 * unless a change window holds the gate: then it stays pending, held, until the window ends.
 */
function approveIfComplete(
  state: GateState,
  plan: Plan,
  message: string,
  by: string,
  now: number,
  via = "webhook",
): void {
  if (state.status !== "pending") return;
  const webhooksApproved = state.webhooks.every((hook) => hook.phase === "approved");
  const manualApproved = !state.manual.required || state.manual.decision?.approve === true;
  if (!webhooksApproved || !manualApproved) return;
  const verdict = windowVerdict(state.policy.windows ?? [], now);
  if (!verdict.open) {
    state.hold = { until: verdict.until, reason: verdict.reason };
    audit(state, { at: now, by, via, action: "hold", counted: true, reason: verdict.reason });
    if (verdict.until !== null) plan.schedule.push(["window", verdict.until]);
    return;
  }
  decide(state, plan, "approved", "every required approval was given", message, by, now, via);
}

/** Takes the gate's one decision and plans what follows it: notification, mirror, node. */
function decide(
  state: GateState,
  plan: Plan,
  status: Decision["status"],
  reason: string,
  message: string,
  by: string,
  now: number,
  via = by === "timeout" ? "timeout" : "webhook",
): void {
  if (state.status !== "pending") return;
  state.status = status;
  state.decision = { status, reason, message, by, via, at: now };
  if (status !== "approved") {
    state.hold = null;
    plan.unschedule.push("window");
  }
  for (const hook of state.webhooks) plan.unschedule.push(`deliver:${hook.name}`);
  for (const index of state.messages?.keys() ?? []) plan.unschedule.push(`chat:${index}`);
  plan.unschedule.push("timeout");
  plan.schedule.push([status === "timed_out" ? "notify:approval.timed_out" : "notify:approval.decided", now]);
  if (state.subject && state.policy.onDecision.setNode) {
    state.node = { phase: "pending", attempts: 0, lastError: null, at: null };
    plan.schedule.push(["set-node", now]);
  }
  // GitHub hears the decision once: approved, or rejected for every other outcome.
  if (state.github?.phase === "waiting") {
    state.github.phase = "posting";
    state.github.state = status === "approved" ? "approved" : "rejected";
    plan.schedule.push(["github", now]);
  }
}

function changed(state: GateState, plan: Plan, now: number): void {
  state.revision += 1;
  plan.schedule.push(["mirror", now]);
}

/** A callback or decision arriving after the gate was decided: agreeing is a no-op, contradicting is refused. */
function afterDecision(state: GateState, approve: boolean): Result<true> {
  const agrees = (state.status === "approved" && approve) || (state.status === "rejected" && !approve);
  if (agrees) return ok(true);
  return fail("aborted", `the approval was already decided: ${state.status}`);
}

/**
 * A stored gate of an older shape (webhooks kept as an object by name, callback URIs without a
 * capability) in today's shape. Its old URIs carry no capability, so they answer nothing: such a
 * gate can still be decided manually, or times out.
 */
export function upgradeState(stored: GateState & { callbackUri?: string }): GateState {
  const webhooks: unknown = stored.webhooks;
  if (Array.isArray(webhooks)) return stored;
  const entries = Object.entries(
    (webhooks ?? {}) as Record<string, Omit<WebhookState, "name" | "callbackUri" | "capability">>,
  );
  return {
    ...stored,
    webhooks: entries.map(([name, hook]) => ({
      ...hook,
      name,
      callbackUri: entries.length === 1 ? (stored.callbackUri ?? "") : `${stored.callbackUri ?? ""}/${name}`,
      capability: "",
    })),
  };
}
