import { groupBy } from "../lib/collections";
import { log } from "../lib/log";
import { type Admission, breakerOf } from "./breaker";
import type { ClaimAnswer } from "./pressure-state";
import { type ClusterLookup, clusterOf, loadClusters } from "./resolve";
import type { Submission } from "./submission";
import { type ResolvedCluster, submitWorkflow } from "./submit";

/**
 * The clusters' stage of the events consumer: a batch's pending (and held) submissions, sent
 * cluster by cluster through each one's circuit breaker — and, under `maxPending` (the cluster's
 * or a binding's), a paused binding or one releasing what it held, only with a slot from the
 * cluster's pending slots (pressure-state.ts). What it changes on each submission is what the
 * event log records: submitted, failed (with why), pending with the last error, held (and why),
 * or superseded.
 */

/** A submission waiting to be sent, as the events consumer holds it (a binding result). */
export interface PendingSubmission {
  eventId: string;
  binding: string;
  /** The workflow to create (null: nothing was recorded to send — it fails). */
  request: Submission | null;
  status: string;
  reason: string | null;
  attempts: number;
  error: string | null;
  workflow: string | null;
  /** A binding with `supersede`: this event's key. */
  supersedeKey?: string | null;
  /** Set when this call's submit created (or found) the workflow. */
  submittedNow?: boolean;
}

/** How a submission's binding holds it (bindings/pressure.ts), or null. */
export interface SubmissionPressure {
  maxPending: number | null;
  paused: boolean;
  ordered: boolean;
}

/** Held because the slots could not be asked: asked again this soon. */
const HOLD_UNANSWERED_MS = 5_000;

/** Submissions held back (not tried, no attempt spent) until this time. */
export type Holds = Map<PendingSubmission, number>;

/** After a lead submit failed, the rest of its batch waits this long for the breaker to learn more. */
const HOLD_AFTER_LEAD_FAILURE_MS = 2_000;

/**
 * Sends every pending submission, cluster by cluster through its breaker: an open breaker holds
 * them all; otherwise one leads, and only if it did not fail for a reason worth retrying do the
 * others follow (concurrently). Returns what was held.
 */
export async function submitPending<T extends PendingSubmission>(
  env: Env,
  pending: readonly T[],
  pressureOf: (submission: T) => SubmissionPressure | null,
): Promise<Holds> {
  const holds: Holds = new Map();
  if (pending.length === 0) return holds;
  const clusters = await loadClusters(env);
  // Oldest event first: slots and submits go in arrival order.
  const ordered = [...pending].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const byCluster = groupBy(ordered, (submission) => submission.request?.cluster ?? "");
  await Promise.all(
    [...byCluster].map(([name, submissions]) =>
      submitToCluster(env, name, clusterOf(clusters, name), submissions, holds, (submission) =>
        pressureOf(submission as T),
      ),
    ),
  );
  return holds;
}

async function submitToCluster(
  env: Env,
  name: string,
  cluster: ClusterLookup,
  submissions: PendingSubmission[],
  holds: Holds,
  pressureOf: (submission: PendingSubmission) => SubmissionPressure | null,
): Promise<void> {
  if (!cluster.ok) {
    for (const submission of submissions) {
      // A held one's reason (the slot it waited for) no longer applies: the error says why it failed.
      if (submission.status === "held") submission.reason = null;
      submission.status = "failed";
      submission.error = cluster.error.message;
    }
    return;
  }
  const breaker = breakerOf(env, name);
  let admission: Admission;
  try {
    admission = await breaker.admit();
  } catch (error) {
    log.warn("circuit breaker unavailable; submitting carefully", { cluster: name }, error);
    admission = { mode: "send", healthy: false };
  }
  if (admission.mode === "hold") {
    // Held by the breaker: waiting for the cluster, not for a slot.
    for (const submission of submissions) {
      if (submission.status === "held") {
        submission.status = "pending";
        submission.reason = null;
      }
      holds.set(submission, admission.retryAt);
    }
    return;
  }
  const capped = cluster.value.maxPending !== null;
  const claimed: PendingSubmission[] = [];
  for (const submission of submissions) {
    if (submission.request !== null && (capped || pressureOf(submission) !== null)) claimed.push(submission);
    else if (submission.status === "held") {
      // Nothing holds it any more (its cap lifted, its binding resumed): it is sent now.
      submission.status = "pending";
      submission.reason = null;
    }
  }
  if (claimed.length > 0) await claimSlots(env, name, claimed, holds, pressureOf);
  const sendable = submissions.filter((submission) => submission.status === "pending");
  await sendThrough(breaker, name, cluster.value, sendable, holds, admission, pressureOf);
  if (claimed.length > 0) await settleSlots(env, name, claimed);
}

/**
 * Asks the cluster's pending slots for the submissions that need one: granted ones are pending
 * (to be sent now), the others held (no attempt spent) or superseded.
 */
async function claimSlots(
  env: Env,
  cluster: string,
  claimed: PendingSubmission[],
  holds: Holds,
  pressureOf: (submission: PendingSubmission) => SubmissionPressure | null,
): Promise<void> {
  const now = Date.now();
  let answers: ClaimAnswer[];
  try {
    answers = await breakerOf(env, cluster).claimSlots(
      cluster,
      claimed.map((submission) => {
        const pressure = pressureOf(submission);
        return {
          namespace: submission.request?.namespace ?? "",
          name: submission.request?.workflowName ?? "",
          binding: submission.binding,
          order: submission.eventId,
          bindingMax: pressure?.maxPending ?? null,
          paused: pressure?.paused ?? false,
          supersedeKey: submission.supersedeKey ?? null,
        };
      }),
    );
  } catch (error) {
    log.warn("pending slots unavailable; holding capped submissions", { cluster }, error);
    answers = claimed.map(() => ({
      granted: false,
      reason: "the cluster's pending slots did not answer",
      full: false,
      retryAfterMs: HOLD_UNANSWERED_MS,
    }));
  }
  for (const [index, submission] of claimed.entries()) {
    const answer: ClaimAnswer = answers[index] ?? {
      granted: false,
      reason: "no answer",
      full: false,
      retryAfterMs: HOLD_UNANSWERED_MS,
    };
    if (answer.granted) {
      submission.status = "pending";
      submission.reason = null;
    } else if ("supersededBy" in answer) {
      submission.status = "superseded";
      submission.reason = answer.reason;
      submission.request = null;
      submission.workflow = null;
    } else {
      submission.status = "held";
      submission.reason = `held: ${answer.reason}`;
      holds.set(submission, now + answer.retryAfterMs);
    }
  }
}

/** How the claimed submissions went: created workflows hold their slots, the rest free theirs. */
async function settleSlots(env: Env, cluster: string, claimed: readonly PendingSubmission[]): Promise<void> {
  const created = [];
  const released = [];
  for (const submission of claimed) {
    const request = submission.request;
    if (!request || submission.status === "held") continue;
    const workflow = { namespace: request.namespace, name: request.workflowName };
    if (submission.status === "submitted") created.push(workflow);
    else released.push(workflow);
  }
  if (created.length + released.length === 0) return;
  try {
    await breakerOf(env, cluster).settleSlots({ created, released });
  } catch (error) {
    // The slots expire on their own (pressure-state.ts GRANT_TTL_MS); the next count corrects them.
    log.warn("reporting submissions to the pending slots failed", { cluster }, error);
  }
}

/**
 * Sends through an admitting breaker: one leads, and only if it did not fail for a reason worth
 * retrying do the others follow — concurrently, or one by one for a binding releasing what it
 * held (so they reach the cluster in arrival order). Reports to the breaker when it matters.
 */
async function sendThrough(
  breaker: ReturnType<typeof breakerOf>,
  name: string,
  cluster: ResolvedCluster,
  submissions: PendingSubmission[],
  holds: Holds,
  admission: Exclude<Admission, { mode: "hold" }>,
  pressureOf: (submission: PendingSubmission) => SubmissionPressure | null,
): Promise<void> {
  if (submissions.length === 0) return;
  const tally = { successes: 0, failures: 0, lastError: null as string | null };
  const send = async (submission: PendingSubmission) => {
    const outcome = await submitOne(cluster, submission);
    if (outcome === "unreachable") {
      tally.failures += 1;
      tally.lastError = submission.error;
    } else tally.successes += 1;
    return outcome;
  };
  const [lead, ...rest] = submissions;
  if (lead && (await send(lead)) === "unreachable") {
    const until = Date.now() + HOLD_AFTER_LEAD_FAILURE_MS;
    for (const submission of rest) holds.set(submission, until);
  } else {
    const inOrder = rest.filter((submission) => pressureOf(submission)?.ordered === true);
    await Promise.all([
      ...rest.filter((submission) => !inOrder.includes(submission)).map(send),
      (async () => {
        for (const submission of inOrder) await send(submission);
      })(),
    ]);
  }
  if (admission.mode === "probe" || !admission.healthy || tally.failures > 0) {
    try {
      await breaker.report(name, tally);
    } catch (error) {
      log.error("circuit breaker report failed", { cluster: name }, error);
    }
  }
}

/** One submit attempt; "unreachable" when it failed for a reason worth retrying (the cluster's health). */
async function submitOne(cluster: ResolvedCluster, submission: PendingSubmission): Promise<"answered" | "unreachable"> {
  const request = submission.request;
  if (!request) {
    submission.status = "failed";
    submission.error = "no submission was recorded for this result";
    return "answered";
  }
  submission.attempts += 1;
  const outcome = await submitWorkflow(cluster, request);
  if (outcome.ok) {
    submission.status = "submitted";
    submission.error = null;
    submission.submittedNow = true;
    return "answered";
  }
  submission.error = outcome.error.message;
  if (outcome.error.retryable) return "unreachable";
  submission.status = "failed";
  return "answered";
}
