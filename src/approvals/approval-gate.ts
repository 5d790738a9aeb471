import { DurableObject } from "cloudflare:workers";
import { SecretBox } from "../auth/secret-box";
import { keyringOf } from "../auth/secrets";
import { clusterOf, loadClusters } from "../clusters/resolve";
import { setWorkflowNode } from "../clusters/set-node";
import { log } from "../lib/log";
import { fail, ok, type Result } from "../lib/result";
import { retryDelaySeconds } from "../lib/retry";
import { type InternalEventType, internalEvent } from "../notifications/internal-events";
import { publishInternalEvents } from "../notifications/publish";
import { channelsOf, type Decider, type Requester } from "./approvers";
import { callbackUri, capabilityMatches, newCapability, presentedCapability } from "./callback-uris";
import { sendChatRequest } from "./chat-request";
import {
  type AuditEntry,
  answerCallback,
  decideManually,
  type GateState,
  type GitHubDeploymentInit,
  needsDelivery,
  type Override,
  openGate,
  type Plan,
  recordChatSend,
  recordDelivery,
  recordGitHubAnswer,
  recordNodeSet,
  releaseWindow,
  type Subject,
  timeOut,
  upgradeState,
  type WorkKey,
  webhookOf,
} from "./gate-state";
import { creatorViewOf, type GateView, viewOf } from "./gate-view";
import { deliverWebhook } from "./gate-webhooks";
import { answerGitHub } from "./github-callback";
import { resealPolicySecrets, type StoredPolicy } from "./policy";
import { type ApprovalRow, mirrorStatement, releaseSubjectStatement } from "./store";
import type { ResolvedNode } from "./subject-claims";
import { recheckHeldNode } from "./subjects";

/** What the API hands a new gate. */
export interface GateInit {
  id: string;
  namespace: string;
  policy: StoredPolicy;
  subject: Subject | null;
  context: Record<string, unknown>;
  /** Public origin callbacks go to, e.g. `https://hookline.example.workers.dev`. */
  callbackBase: string;
  /** The trace the gate belongs to (the creator's traceparent or traceId, else a new one). */
  traceId: string;
  /** The subject's node as its cluster reported it, and the key that holds it (one open gate per node). */
  held?: (ResolvedNode & { key: string }) | null;
  /** Who asked for the gate (a policy may forbid them to approve it). */
  requestedBy?: Requester;
  /** The GitHub deployment to answer once decided (a deployment protection rule delivery opened the gate). */
  github?: GitHubDeploymentInit;
}

/** Why a callback URI is refused: it was not issued by this gate for that webhook. */
export const FORGED_URI =
  "this callback URI was not issued by hookline: use the URI the webhook received (callbackUri, X-Hookline-Callback-Uri)";

/** Setting the node is retried this many times before the gate records that it failed. */
export const MAX_NODE_ATTEMPTS = 10;
const RETRY_LATER_MS = 30_000;
/**
 * Work due at once (a webhook delivery, setting the node) is started by the change that
 * scheduled it, not by an alarm; its row is stored as due this much later, so the alarm runs it
 * only if this gate is evicted before finishing it.
 */
const STARTED_WORK_LEASE_MS = 30_000;
/** How many rounds of due work one alarm runs before leaving the rest to the next alarm. */
const MAX_ALARM_PASSES = 4;
const backoffMs = (attempts: number) => retryDelaySeconds(attempts) * 1000;
/** Random bytes in the ids a gate gives its chat messages and links (22 base64url characters). */
const ID_BYTES = 16;

/** Work that changes the gate's state, and work that tells others about it (run only once the state is stored). */
const isAnnouncement = (key: string) => key === "mirror" || key.startsWith("notify:");

/**
 * One approval gate (binding APPROVAL_GATE, SQLite storage): the single owner of its state, so
 * every callback, manual decision and the timeout alarm are serialised and exactly one decision
 * is ever taken (the decisions themselves are in gate-state.ts). Pending work — webhook
 * deliveries and their retries, the timeout, setting the workflow node, answering GitHub, the D1
 * mirror, notifications — is a table of due rows; one alarm is always armed for the earliest. A change
 * is stored, with the work it schedules, before anything is announced: a crash in between
 * leaves the announcement due, and the alarm makes it. Work due at once starts right after the
 * change (no alarm round trip), one piece of work at a time with the alarm's.
 */
export class ApprovalGate extends DurableObject<Env> {
  private state: GateState | null = null;
  /** The time the current alarm was armed for: when it runs, the work due up to then is due. */
  private armedFor = 0;
  /** The work running now (the alarm's, or work started at once): the next waits for it. */
  private running: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS work (key TEXT PRIMARY KEY, due_at INTEGER NOT NULL)");
      const stored = await ctx.storage.get<GateState>("gate");
      this.state = stored ? upgradeState(stored) : null;
      this.armedFor = (await ctx.storage.getAlarm()) ?? 0;
    });
  }

  /**
   * Creates the gate (a repeated create of the same id returns the existing gate) and answers its
   * creator with the webhooks' callback URIs — the only answer that carries them.
   */
  async create(init: GateInit): Promise<GateView> {
    if (this.state) return creatorViewOf(this.state);
    const callbacks = new Map(
      init.policy.webhooks.map((hook) => {
        const capability = newCapability();
        return [hook.name, { capability, uri: callbackUri(init.callbackBase, init.id, hook.name, capability) }];
      }),
    );
    // One request per channel recipient, each with the gate's own ids for it and its links.
    const messages = channelsOf(init.policy.manual).flatMap((channel) =>
      (channel.recipients.length > 0 ? channel.recipients : [""]).map((recipient) => ({
        service: channel.service,
        recipient,
        id: newCapability(ID_BYTES),
        links: { approve: newCapability(ID_BYTES), reject: newCapability(ID_BYTES) },
      })),
    );
    const opened = openGate(
      {
        id: init.id,
        namespace: init.namespace,
        policy: init.policy,
        subject: init.subject,
        context: init.context,
        traceId: init.traceId,
        publicUrl: init.callbackBase,
        callbacks,
        messages,
        ...(init.held ? { held: init.held } : {}),
        ...(init.requestedBy ? { requestedBy: init.requestedBy } : {}),
        ...(init.github ? { github: init.github } : {}),
      },
      Date.now(),
    );
    this.state = opened.state;
    await this.apply(opened.plan);
    return creatorViewOf(opened.state);
  }

  /** The gate, or null when this id was never created. */
  async read(): Promise<GateView | null> {
    return this.state ? viewOf(this.state) : null;
  }

  /**
   * A webhook's callback `{success, mdMessage}` on its capability URI. The capability must be the
   * one this gate issued to that webhook, and the OAuth client allowed in the gate's namespace.
   */
  async callback(
    webhook: string,
    capability: string,
    success: boolean,
    mdMessage: string,
    by: string,
    allowedNamespaces: readonly string[],
  ): Promise<Result<GateView>> {
    const state = this.state;
    const hook = state ? webhookOf(state, webhook) : undefined;
    // An unknown gate, an unknown webhook and a wrong capability look the same to the caller.
    if (!state || !hook || !capabilityMatches(hook.capability, presentedCapability(capability))) {
      return fail("permission_denied", FORGED_URI);
    }
    if (!allowedNamespaces.includes("*") && !allowedNamespaces.includes(state.namespace)) {
      return fail("permission_denied", `this OAuth client may not call back gates in namespace "${state.namespace}"`);
    }
    const { result, plan } = answerCallback(state, webhook, success, mdMessage, by, Date.now());
    return this.settle(result, plan);
  }

  /** A person's decision, through the one decide service (approvals/decide.ts). */
  async decide(
    namespace: string,
    approve: boolean,
    message: string,
    decider: Decider,
    override?: Override,
  ): Promise<Result<GateView>> {
    const state = this.state;
    if (state?.namespace !== namespace) return fail("not_found", `approval not found in namespace "${namespace}"`);
    const { result, plan } = decideManually(state, approve, message, decider, Date.now(), override);
    return this.settle(result, plan);
  }

  /** Every attempt to change the gate, in order, or null when this id was never created. */
  async audit(): Promise<{ items: AuditEntry[]; overflow: number } | null> {
    const state = this.state;
    return state ? { items: state.audit ?? [], overflow: state.auditOverflow ?? 0 } : null;
  }

  /** Re-seals the secrets of this gate's policy snapshot (headers, GitHub App) under the current key; returns how many. */
  async reseal(): Promise<number> {
    const state = this.state;
    // A decided gate still answering GitHub signs with its snapshot's App key.
    if (!state || (state.status !== "pending" && state.github?.phase !== "posting")) return 0;
    const count = await resealPolicySecrets(state.policy, new SecretBox(keyringOf(this.env)));
    if (count > 0) await this.commit({ schedule: [], unschedule: [] });
    return count;
  }

  /** Runs the work that is due: state changes first (stored), then their announcements. */
  override async alarm(): Promise<void> {
    const armedFor = this.armedFor;
    await this.oneAtATime(async () => {
      for (let pass = 0; pass < MAX_ALARM_PASSES; pass++) {
        const now = Math.max(Date.now(), armedFor);
        const due = this.dueKeys(now);
        if (due.length === 0) break;
        await this.runChanges(
          due.filter((candidate) => !isAnnouncement(candidate)),
          now,
        );
      }
      await this.commit({ schedule: [], unschedule: [] });
    });
  }

  /** After a callback or decision: store the change (a refused attempt is still audited), then announce it. */
  private async settle(result: Result<true>, plan: Plan): Promise<Result<GateView>> {
    if (!this.state) return fail("not_found", "approval gate not found");
    await this.apply(plan);
    return result.ok ? ok(viewOf(this.state)) : result;
  }

  /**
   * Stores a change with the work it plans, announces it, and starts the work due at once
   * without waiting for it (its row stays, leased, until that work stores its outcome).
   */
  private async apply(plan: Plan, now = Date.now()): Promise<void> {
    const startsNow = ([key, dueAt]: [WorkKey, number]) => dueAt <= now && !isAnnouncement(key);
    const started = plan.schedule.filter(startsNow).map(([key]) => key);
    const leased = plan.schedule.map(([key, dueAt]): [WorkKey, number] =>
      startsNow([key, dueAt]) ? [key, now + STARTED_WORK_LEASE_MS] : [key, dueAt],
    );
    await this.commit({ schedule: leased, unschedule: plan.unschedule });
    await this.announceDue(now);
    if (started.length === 0) return;
    const work = this.oneAtATime(async () => {
      // A callback or decision meanwhile may have made the work unnecessary.
      const scheduled = new Set(this.dueKeys(Number.MAX_SAFE_INTEGER));
      const stillDue = started.filter((key) => scheduled.has(key));
      if (stillDue.length > 0) await this.runChanges(stillDue, Date.now());
    });
    this.ctx.waitUntil(
      work.catch((error) =>
        log.error("approval gate work failed; the alarm retries it", { gate: this.ctx.id.name ?? "" }, error),
      ),
    );
  }

  /** Runs change work (never two at once, so no row runs twice), then applies what it changed. */
  private async runChanges(keys: WorkKey[], now: number): Promise<void> {
    const plan: Plan = { schedule: [], unschedule: [] };
    for (const key of keys) {
      try {
        merge(plan, await this.runChange(key, now));
      } catch (error) {
        log.error("approval gate work failed; retrying it later", { gate: this.ctx.id.name ?? "", work: key }, error);
        plan.schedule.push([key, Date.now() + RETRY_LATER_MS]);
      }
    }
    await this.apply(plan, Math.max(Date.now(), now));
  }

  /** Runs `task` after the work running now has finished. */
  private oneAtATime(task: () => Promise<void>): Promise<void> {
    const next = this.running.then(task);
    this.running = next.catch(() => undefined);
    return next;
  }

  private async runChange(key: WorkKey, now: number): Promise<Plan> {
    const state = this.state;
    if (!state) return { schedule: [], unschedule: [key] };
    if (key.startsWith("deliver:")) {
      const name = key.slice("deliver:".length);
      const hook = webhookOf(state, name);
      if (!hook || !needsDelivery(state, name)) return { schedule: [], unschedule: [key] };
      const error = await deliverWebhook(this.env, state, hook);
      return recordDelivery(state, name, error, backoffMs, Math.max(Date.now(), now));
    }
    if (key.startsWith("chat:")) {
      const index = Number(key.slice("chat:".length));
      const message = state.messages?.[index];
      if (message?.phase !== "sending" || state.status !== "pending") {
        return { schedule: [], unschedule: [key] };
      }
      const outcome = await sendChatRequest(this.env, state, message);
      return recordChatSend(state, index, outcome, backoffMs, Math.max(Date.now(), now));
    }
    if (key === "timeout") return timeOut(state, now);
    if (key === "window") return releaseWindow(state, now);
    if (key === "set-node") return this.setNode(state, now);
    if (key === "github") {
      if (state.github?.phase !== "posting") return { schedule: [], unschedule: [key] };
      const outcome = await answerGitHub(this.env, state);
      return recordGitHubAnswer(state, outcome, backoffMs, Math.max(Date.now(), now));
    }
    return { schedule: [], unschedule: [key] };
  }

  private async setNode(state: GateState, now: number): Promise<Plan> {
    const decision = state.decision;
    if (!decision || !state.subject || state.node?.phase !== "pending") {
      return { schedule: [], unschedule: ["set-node"] };
    }
    // The node is still the one the gate opened on, and no other policy claims it now.
    const held = state.held;
    const recheck = held
      ? await recheckHeldNode(this.env, state.namespace, state.policy.name, state.subject, held)
      : null;
    if (recheck && !recheck.ok)
      return recordNodeSet(state, recheck, MAX_NODE_ATTEMPTS, backoffMs, Math.max(Date.now(), now));
    const clusters = await loadClusters(this.env);
    const outcome = await setWorkflowNode(
      clusterOf(clusters, state.subject.cluster),
      {
        namespace: state.namespace,
        workflow: state.subject.workflow,
        node: held ? `id=${held.id}` : state.subject.node,
      },
      {
        approved: decision.status === "approved",
        message: decision.message || decision.reason,
        outputParameter: state.policy.onDecision.outputParameter,
      },
    );
    return recordNodeSet(state, outcome, MAX_NODE_ATTEMPTS, backoffMs, Math.max(Date.now(), now));
  }

  /**
   * Tells the world about the stored state: the D1 mirror row and the hookline events for
   * notifications that are due, together — the mirror row rides in the D1 round trip that
   * reads the notification configuration. If any of it fails, all of it stays due and is
   * retried: the mirror never goes backwards (revisions), and the fan-out never delivers one
   * event id twice.
   */
  private async announceDue(now = Date.now()): Promise<void> {
    const state = this.state;
    if (!state) return;
    const due = this.dueKeys(now).filter(isAnnouncement);
    if (due.length === 0) return;
    const types = due.filter((key) => key !== "mirror").map((key) => key.slice("notify:".length) as InternalEventType);
    const view = viewOf(state);
    const events = types.map((type) =>
      internalEvent(
        `${state.id}:${type}`,
        type,
        state.namespace,
        { approval: view, decision: view.decision, ...(state.publicUrl ? { publicUrl: state.publicUrl } : {}) },
        state.traceId,
      ),
    );
    const mirror = due.includes("mirror") ? [mirrorStatement(this.env.DB, mirrorRowOf(state))] : [];
    // A decided gate no longer holds its node: another gate may open on it.
    if (due.includes("mirror") && state.status !== "pending" && state.held)
      mirror.push(releaseSubjectStatement(this.env.DB, state.held.key, state.id));
    try {
      await publishInternalEvents(this.env, events, mirror);
    } catch (error) {
      log.error("approval gate announcement failed; retrying it later", { gate: state.id, work: due }, error);
      const later = Date.now() + RETRY_LATER_MS;
      await this.commit({ schedule: due.map((key): [WorkKey, number] => [key, later]), unschedule: [] }, false);
      return;
    }
    for (const type of types) {
      log.info(type, {
        gate: state.id,
        traceId: state.traceId,
        namespace: state.namespace,
        policy: state.policy.name,
        status: state.status,
        ...(state.decision ? { by: state.decision.by, reason: state.decision.reason } : {}),
        durationMs: (state.decision?.at ?? Date.now()) - state.createdAt,
      });
    }
    // Announcing changes only the work rows: the stored gate is already current.
    await this.commit({ schedule: [], unschedule: due }, false);
  }

  private dueKeys(now: number): WorkKey[] {
    return this.ctx.storage.sql
      .exec<{ key: string }>("SELECT key FROM work WHERE due_at <= ?1 ORDER BY due_at", now)
      .toArray()
      .map((row) => row.key as WorkKey);
  }

  /**
   * Stores the state (unless `stateChanged` is false) and the plan's work rows together (writes
   * issued without an await in between are one transaction), then arms the alarm for the
   * earliest due work.
   */
  private async commit(plan: Plan, stateChanged = true): Promise<void> {
    const sql = this.ctx.storage.sql;
    for (const key of plan.unschedule) sql.exec("DELETE FROM work WHERE key = ?1", key);
    for (const [key, dueAt] of plan.schedule) {
      sql.exec(
        "INSERT INTO work (key, due_at) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET due_at = ?2",
        key,
        dueAt,
      );
    }
    const next = sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM work").one().due;
    const writes: Array<Promise<unknown>> = [];
    if (this.state && stateChanged) writes.push(this.ctx.storage.put("gate", this.state));
    writes.push(next === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(next));
    this.armedFor = next ?? 0;
    await Promise.all(writes);
  }
}

/** Adds a later step's plan to an earlier one's: where they disagree about a key, the later step wins. */
function merge(into: Plan, plan: Plan): void {
  const unscheduled = new Set(plan.unschedule);
  const scheduled = new Set(plan.schedule.map(([key]) => key));
  into.schedule = into.schedule.filter(([key]) => !unscheduled.has(key) && !scheduled.has(key));
  into.unschedule = into.unschedule.filter((key) => !scheduled.has(key));
  into.schedule.push(...plan.schedule);
  into.unschedule.push(...plan.unschedule);
}

/** A gate's row in the D1 mirror the lists read. */
function mirrorRowOf(state: GateState): ApprovalRow {
  return {
    id: state.id,
    namespace: state.namespace,
    policy: state.policy.name,
    status: state.status,
    subject: state.subject,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    decidedAt: state.decision?.at ?? null,
    revision: state.revision,
    traceId: state.traceId ?? null,
  };
}
