import { DurableObject } from "cloudflare:workers";
import { SecretBox } from "../auth/secret-box";
import { loadClusters } from "../clusters/resolve";
import { formatDuration } from "../lib/duration";
import { retryDelaySeconds } from "../lib/retry";
import { renderTemplate } from "../lib/templates";
import { type InternalEventType, internalEvent } from "../notifications/internal-events";
import { headerSecretContext, type StoredPolicy, type StoredWebhook } from "./policy";
import { type Subject, setWorkflowNode } from "./set-node";
import { type ApprovalStatus, writeMirror } from "./store";

/** What the API hands a new gate. */
export interface GateInit {
  id: string;
  namespace: string;
  policy: StoredPolicy;
  subject: Subject | null;
  context: Record<string, unknown>;
  /** Public origin callbacks go to, e.g. `https://hookline.example.workers.dev`. */
  callbackBase: string;
}

type WebhookPhase = "delivering" | "waiting" | "approved" | "rejected" | "failed";

interface WebhookState {
  phase: WebhookPhase;
  attempts: number;
  lastError: string | null;
  deliveredAt: number | null;
  answer: { success: boolean; mdMessage: string; by: string; at: number } | null;
}

interface GateState {
  id: string;
  namespace: string;
  policy: StoredPolicy;
  subject: Subject | null;
  context: Record<string, unknown>;
  callbackUri: string;
  createdAt: number;
  expiresAt: number;
  status: ApprovalStatus;
  /** Bumped on every change, so the D1 mirror never goes backwards. */
  revision: number;
  webhooks: Record<string, WebhookState>;
  manual: { required: boolean; decision: { approve: boolean; message: string; by: string; at: number } | null };
  decision: {
    status: Exclude<ApprovalStatus, "pending">;
    reason: string;
    message: string;
    by: string;
    at: number;
  } | null;
  node: { phase: "pending" | "set" | "failed"; attempts: number; lastError: string | null; at: number | null } | null;
}

/** A gate as the API shows it. */
export interface GateView {
  id: string;
  namespace: string;
  policy: string;
  status: ApprovalStatus;
  subject: Subject | null;
  context: Record<string, unknown>;
  callbackUri: string;
  createdAt: string;
  expiresAt: string;
  webhooks: Array<{
    name: string;
    phase: WebhookPhase;
    attempts: number;
    lastError: string | null;
    callbackUri: string;
    answer: { success: boolean; mdMessage: string; by: string; at: string } | null;
  }>;
  manual: { required: boolean; decision: { approve: boolean; message: string; by: string; at: string } | null };
  decision: { status: string; reason: string; message: string; by: string; at: string } | null;
  node: { phase: string; attempts: number; lastError: string | null } | null;
}

/** The answer to a callback or a manual decision. */
export type GateAnswer = { ok: true; view: GateView } | { ok: false; status: 400 | 403 | 404 | 409; message: string };

/** Setting the node is retried this many times before the gate records that it failed. */
export const MAX_NODE_ATTEMPTS = 10;
const MIRROR_RETRY_MS = 30_000;
/** How many rounds of due work one alarm runs before leaving the rest to the next alarm. */
const MAX_ALARM_PASSES = 4;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One approval gate (binding APPROVAL_GATE, SQLite storage): the single owner of its state, so
 * every callback, manual decision and the timeout alarm are serialised and exactly one decision
 * is ever taken. Pending work — webhook deliveries and their retries, the timeout, setting the
 * workflow node, the D1 mirror, notifications — is a table of due rows; one alarm is always
 * armed for the earliest.
 */
export class ApprovalGate extends DurableObject<Env> {
  private state: GateState | null = null;
  /** The time the current alarm was armed for: the alarm handles work due up to then. */
  private armedFor = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS work (key TEXT PRIMARY KEY, due_at INTEGER NOT NULL)");
      this.state = (await ctx.storage.get<GateState>("gate")) ?? null;
      this.armedFor = (await ctx.storage.getAlarm()) ?? 0;
    });
  }

  /** Creates the gate (a repeated create of the same id returns the existing gate). */
  async create(init: GateInit): Promise<GateView> {
    if (this.state) return this.view(this.state);
    const now = Date.now();
    const state: GateState = {
      id: init.id,
      namespace: init.namespace,
      policy: init.policy,
      subject: init.subject,
      context: init.context,
      callbackUri: `${init.callbackBase}/callbacks/approvals/${init.id}`,
      createdAt: now,
      expiresAt: now + init.policy.timeoutMs,
      status: "pending",
      revision: 1,
      webhooks: Object.fromEntries(
        init.policy.webhooks.map((hook) => [
          hook.name,
          { phase: "delivering", attempts: 0, lastError: null, deliveredAt: null, answer: null },
        ]),
      ),
      manual: { required: init.policy.manual.required, decision: null },
      decision: null,
      node: null,
    };
    this.state = state;
    for (const hook of init.policy.webhooks) this.schedule(`deliver:${hook.name}`, now);
    this.schedule("timeout", state.expiresAt);
    this.schedule("notify:approval.requested", now);
    this.schedule("mirror", now);
    await this.settle();
    return this.view(state);
  }

  /** The gate, or null when this id was never created. */
  async read(): Promise<GateView | null> {
    return this.state ? this.view(this.state) : null;
  }

  /**
   * A webhook's callback `{success, mdMessage}`. `webhook` is the webhook named in the callback
   * URI, or undefined for the gate's own URI (accepted when the policy has one webhook).
   */
  async callback(
    webhook: string | undefined,
    success: boolean,
    mdMessage: string,
    by: string,
    allowedNamespaces: readonly string[],
  ): Promise<GateAnswer> {
    const state = this.state;
    if (!state) return { ok: false, status: 404, message: "approval gate not found" };
    if (!allowedNamespaces.includes("*") && !allowedNamespaces.includes(state.namespace)) {
      return {
        ok: false,
        status: 403,
        message: `this OAuth client may not call back gates in namespace "${state.namespace}"`,
      };
    }
    const names = Object.keys(state.webhooks);
    const name = webhook ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined) {
      return {
        ok: false,
        status: names.length === 0 ? 404 : 400,
        message:
          names.length === 0
            ? "this gate has no webhooks to call back"
            : `this gate has several webhooks (${names.join(", ")}); call back on the webhook's own URI`,
      };
    }
    const hook = state.webhooks[name];
    if (!hook) return { ok: false, status: 404, message: `this gate has no webhook "${name}"` };
    if (hook.answer) {
      if (hook.answer.success === success) return { ok: true, view: this.view(state) };
      return { ok: false, status: 409, message: `webhook "${name}" already answered success=${hook.answer.success}` };
    }
    if (state.status !== "pending") return this.afterDecision(state, success);

    hook.answer = { success, mdMessage, by, at: Date.now() };
    hook.phase = success ? "approved" : "rejected";
    this.unschedule(`deliver:${name}`);
    if (!success) this.decide("rejected", `webhook "${name}" rejected`, mdMessage, `webhook:${name}`);
    else this.approveIfComplete(mdMessage, `webhook:${name}`);
    state.revision += 1;
    this.schedule("mirror", Date.now());
    await this.settle();
    return { ok: true, view: this.view(state) };
  }

  /** A person's decision (`approvals:decide`). */
  async decideManually(namespace: string, approve: boolean, message: string, by: string): Promise<GateAnswer> {
    const state = this.state;
    if (state?.namespace !== namespace)
      return { ok: false, status: 404, message: `approval not found in namespace "${namespace}"` };
    const previous = state.manual.decision;
    if (previous) {
      if (previous.approve === approve) return { ok: true, view: this.view(state) };
      return {
        ok: false,
        status: 409,
        message: `a manual decision (approve=${previous.approve}) was already recorded`,
      };
    }
    if (state.status !== "pending") return this.afterDecision(state, approve);
    state.manual.decision = { approve, message, by, at: Date.now() };
    if (!approve) this.decide("rejected", `rejected by ${by}`, message, by);
    else this.approveIfComplete(message, by);
    state.revision += 1;
    this.schedule("mirror", Date.now());
    await this.settle();
    return { ok: true, view: this.view(state) };
  }

  /** Runs the work that was due when the alarm was armed (webhooks, retries, timeout, node, mirror). */
  override async alarm(): Promise<void> {
    // This alarm is spent: save() below arms the next one for whatever is still due later.
    const armedFor = this.armedFor;
    this.armedFor = 0;
    // Work done here can schedule more work for right now (a webhook that finally fails decides
    // the gate, which schedules the mirror and a notification): run that too, in a few passes,
    // instead of waking again at once.
    for (let pass = 0; pass < MAX_ALARM_PASSES; pass++) {
      const now = Math.max(Date.now(), armedFor);
      const due = this.ctx.storage.sql
        .exec<{ key: string }>("SELECT key FROM work WHERE due_at <= ?1 ORDER BY due_at", now)
        .toArray()
        .map((row) => row.key);
      if (due.length === 0) break;
      for (const key of due) {
        try {
          await this.runWork(key, now);
        } catch (error) {
          console.error("approval gate work failed; retrying it later", key, error);
          this.schedule(key, Date.now() + MIRROR_RETRY_MS);
        }
      }
    }
    await this.save();
  }

  private async runWork(key: string, now: number): Promise<void> {
    const state = this.state;
    if (!state) {
      this.unschedule(key);
      return;
    }
    if (key.startsWith("deliver:")) return this.deliver(state, key.slice("deliver:".length));
    if (key === "timeout") {
      this.unschedule(key);
      if (state.status === "pending" && now >= state.expiresAt) {
        this.decide(
          "timed_out",
          `no decision within ${state.policy.timeout}`,
          `Timed out after ${formatDuration(state.policy.timeoutMs)} without a decision`,
          "timeout",
        );
        state.revision += 1;
        this.schedule("mirror", Date.now());
      }
      return;
    }
    if (key === "set-node") return this.setNode(state);
    if (key === "mirror") return this.runMirror();
    if (key.startsWith("notify:")) return this.notify(state, key.slice("notify:".length) as InternalEventType);
    this.unschedule(key);
  }

  /** Calls one webhook; on failure retries with backoff up to retryCount, then fails the gate. */
  private async deliver(state: GateState, name: string): Promise<void> {
    const hook = state.webhooks[name];
    const spec = state.policy.webhooks.find((candidate) => candidate.name === name);
    if (!hook || !spec || state.status !== "pending" || hook.phase !== "delivering") {
      this.unschedule(`deliver:${name}`);
      return;
    }
    const error = await this.callWebhook(state, spec);
    // The gate may have been decided while the webhook was being called.
    if (state.status !== "pending" || hook.phase !== "delivering") {
      this.unschedule(`deliver:${name}`);
      return;
    }
    hook.attempts += 1;
    if (error === null) {
      hook.phase = "waiting";
      hook.deliveredAt = Date.now();
      hook.lastError = null;
      this.unschedule(`deliver:${name}`);
    } else if (hook.attempts > spec.retryCount || error.permanent) {
      hook.phase = "failed";
      hook.lastError = error.message;
      this.unschedule(`deliver:${name}`);
      const tries = `${hook.attempts} attempt(s)`;
      this.decide(
        "failed",
        `webhook "${name}" failed`,
        `Webhook ${name} failed after ${tries}: ${error.message}`,
        `webhook:${name}`,
      );
    } else {
      hook.lastError = error.message;
      this.schedule(`deliver:${name}`, Date.now() + retryDelaySeconds(hook.attempts) * 1000);
    }
    state.revision += 1;
    // The mirror row carries the status, not webhook progress: it changes only with a decision.
    if (state.status !== "pending") this.schedule("mirror", Date.now());
  }

  private async callWebhook(
    state: GateState,
    spec: StoredWebhook,
  ): Promise<{ message: string; permanent: boolean } | null> {
    let headers: Headers;
    let body: string;
    try {
      headers = await this.webhookHeaders(state, spec);
      body = renderTemplate(`@approvals/${spec.body}`, {
        id: state.id,
        namespace: state.namespace,
        policy: state.policy.name,
        webhook: spec.name,
        subject: state.subject,
        context: state.context,
        expiresAt: iso(state.expiresAt),
        callbackUri: this.webhookCallbackUri(state, spec.name),
      });
    } catch (error) {
      return { message: error instanceof Error ? error.message : String(error), permanent: true };
    }
    try {
      const response = await fetch(spec.uri, {
        method: spec.method,
        headers,
        body,
        signal: AbortSignal.timeout(spec.timeoutSeconds * 1000),
      });
      const text = await response.text().catch(() => "");
      if (response.ok) return null;
      return {
        message: `${spec.uri} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
        permanent: false,
      };
    } catch (error) {
      return {
        message: `cannot reach ${spec.uri}: ${error instanceof Error ? error.message : String(error)}`,
        permanent: false,
      };
    }
  }

  private async webhookHeaders(state: GateState, spec: StoredWebhook): Promise<Headers> {
    const headers = new Headers({
      "content-type": "application/json",
      "user-agent": "hookline-approvals",
      "x-hookline-approval-id": state.id,
      "x-hookline-callback-uri": this.webhookCallbackUri(state, spec.name),
    });
    for (const header of spec.headers) {
      if ("value" in header) headers.set(header.name, header.value);
      else if ("sealed" in header) {
        const box = SecretBox.fromSecretKey(this.env.HOOKLINE_SECRET_KEY);
        headers.set(
          header.name,
          await box.open(
            header.sealed,
            headerSecretContext(state.namespace, state.policy.name, spec.name, header.name),
          ),
        );
      } else {
        const value = (this.env as unknown as Record<string, unknown>)[header.workerSecret];
        if (typeof value !== "string")
          throw new Error(`Worker secret ${header.workerSecret} (header ${header.name}) is not set`);
        headers.set(header.name, value);
      }
    }
    return headers;
  }

  /** Sets the waiting workflow node; retried with backoff up to MAX_NODE_ATTEMPTS. */
  private async setNode(state: GateState): Promise<void> {
    const node = state.node;
    const decision = state.decision;
    if (!node || !decision || !state.subject || node.phase !== "pending") {
      this.unschedule("set-node");
      return;
    }
    const clusters = await loadClusters(
      this.env.DB,
      this.env.HOOKLINE_SECRET_KEY,
      this.env as unknown as Record<string, unknown>,
    );
    const outcome = await setWorkflowNode(
      clusters.get(state.subject.cluster),
      state.namespace,
      state.subject,
      decision.status === "approved",
      decision.message || decision.reason,
      state.policy.onDecision.outputParameter,
    );
    node.attempts += 1;
    node.at = Date.now();
    if (outcome.kind === "set") {
      node.phase = "set";
      node.lastError = null;
      this.unschedule("set-node");
    } else if (outcome.kind === "rejected" || node.attempts >= MAX_NODE_ATTEMPTS) {
      node.phase = "failed";
      node.lastError = outcome.error;
      this.unschedule("set-node");
    } else {
      node.lastError = outcome.error;
      this.schedule("set-node", Date.now() + retryDelaySeconds(node.attempts) * 1000);
    }
    state.revision += 1;
  }

  private async runMirror(): Promise<void> {
    const state = this.state;
    if (!state) return;
    try {
      await writeMirror(this.env.DB, {
        id: state.id,
        namespace: state.namespace,
        policy: state.policy.name,
        status: state.status,
        subject: state.subject,
        createdAt: state.createdAt,
        expiresAt: state.expiresAt,
        decidedAt: state.decision?.at ?? null,
        revision: state.revision,
      });
      this.unschedule("mirror");
    } catch (error) {
      console.error("approval mirror write failed; retrying", state.id, error);
      this.schedule("mirror", Date.now() + MIRROR_RETRY_MS);
    }
  }

  /** After a request changed the gate: the mirror and notifications at once (side by side), then persist. */
  private async settle(): Promise<void> {
    await Promise.all([this.runMirror(), this.sendNotifications()]);
    await this.save();
  }

  /** Sends the notifications a request just scheduled, at once; one that fails stays scheduled for the alarm. */
  private async sendNotifications(): Promise<void> {
    const state = this.state;
    if (!state) return;
    const keys = this.ctx.storage.sql
      .exec<{ key: string }>("SELECT key FROM work WHERE key LIKE 'notify:%'")
      .toArray()
      .map((row) => row.key);
    for (const key of keys) {
      try {
        await this.notify(state, key.slice("notify:".length) as InternalEventType);
      } catch (error) {
        console.error("approval notification failed; the alarm retries it", key, error);
      }
    }
  }

  private async notify(state: GateState, type: InternalEventType): Promise<void> {
    const view = this.view(state);
    await this.env.NOTIFICATIONS.send(
      internalEvent(`${state.id}:${type}`, type, state.namespace, {
        approval: view,
        decision: view.decision,
      }),
      { contentType: "json" },
    );
    this.unschedule(`notify:${type}`);
  }

  /** Approves when every webhook has said yes and a required manual approval was given. */
  private approveIfComplete(message: string, by: string): void {
    const state = this.state;
    if (state?.status !== "pending") return;
    const webhooksApproved = Object.values(state.webhooks).every((hook) => hook.phase === "approved");
    const manualApproved = !state.manual.required || state.manual.decision?.approve === true;
    if (webhooksApproved && manualApproved) this.decide("approved", "every required approval was given", message, by);
  }

  /** Takes the gate's one decision and schedules what follows it. */
  private decide(status: Exclude<ApprovalStatus, "pending">, reason: string, message: string, by: string): void {
    const state = this.state;
    if (state?.status !== "pending") return;
    const now = Date.now();
    state.status = status;
    state.decision = { status, reason, message, by, at: now };
    for (const name of Object.keys(state.webhooks)) this.unschedule(`deliver:${name}`);
    this.unschedule("timeout");
    this.schedule(status === "timed_out" ? "notify:approval.timed_out" : "notify:approval.decided", now);
    if (state.subject && state.policy.onDecision.setNode) {
      state.node = { phase: "pending", attempts: 0, lastError: null, at: null };
      this.schedule("set-node", now);
    }
  }

  /** A callback or decision arriving after the gate was decided: agreeing is a no-op, contradicting is 409. */
  private afterDecision(state: GateState, approve: boolean): GateAnswer {
    const agrees = (state.status === "approved" && approve) || (state.status === "rejected" && !approve);
    if (agrees) return { ok: true, view: this.view(state) };
    return { ok: false, status: 409, message: `the approval was already decided: ${state.status}` };
  }

  private schedule(key: string, dueAt: number): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO work (key, due_at) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET due_at = ?2",
      key,
      dueAt,
    );
  }

  private unschedule(key: string): void {
    this.ctx.storage.sql.exec("DELETE FROM work WHERE key = ?1", key);
  }

  /** Persists the state and arms the alarm for the earliest due work. */
  private async save(): Promise<void> {
    if (this.state) await this.ctx.storage.put("gate", this.state);
    const next = this.ctx.storage.sql.exec<{ due: number | null }>("SELECT min(due_at) AS due FROM work").one().due;
    if (next === null) {
      await this.ctx.storage.deleteAlarm();
      this.armedFor = 0;
    } else if (next !== this.armedFor) {
      await this.ctx.storage.setAlarm(next);
      this.armedFor = next;
    }
  }

  private webhookCallbackUri(state: GateState, name: string): string {
    return Object.keys(state.webhooks).length === 1 ? state.callbackUri : `${state.callbackUri}/${name}`;
  }

  private view(state: GateState): GateView {
    return {
      id: state.id,
      namespace: state.namespace,
      policy: state.policy.name,
      status: state.status,
      subject: state.subject,
      context: state.context,
      callbackUri: state.callbackUri,
      createdAt: iso(state.createdAt),
      expiresAt: iso(state.expiresAt),
      webhooks: Object.entries(state.webhooks).map(([name, hook]) => ({
        name,
        phase: hook.phase,
        attempts: hook.attempts,
        lastError: hook.lastError,
        callbackUri: this.webhookCallbackUri(state, name),
        answer: hook.answer ? { ...hook.answer, at: iso(hook.answer.at) } : null,
      })),
      manual: {
        required: state.manual.required,
        decision: state.manual.decision ? { ...state.manual.decision, at: iso(state.manual.decision.at) } : null,
      },
      decision: state.decision ? { ...state.decision, at: iso(state.decision.at) } : null,
      node: state.node
        ? { phase: state.node.phase, attempts: state.node.attempts, lastError: state.node.lastError }
        : null,
    };
  }
}
