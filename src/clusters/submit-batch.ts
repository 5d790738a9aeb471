import { groupBy } from "../lib/collections";
import { log } from "../lib/log";
import { type Admission, breakerOf } from "./breaker";
import { type ClusterLookup, clusterOf, loadClusters } from "./resolve";
import type { Submission } from "./submission";
import { type ResolvedCluster, submitWorkflow } from "./submit";

/**
 * The clusters' stage of the events consumer: a batch's pending submissions, sent cluster by
 * cluster through each one's circuit breaker. What it changes on each submission is what the
 * event log records: submitted, failed (with why), or still pending with the last error.
 */

/** A submission waiting to be sent, as the events consumer holds it (a binding result). */
export interface PendingSubmission {
  /** The workflow to create (null: nothing was recorded to send — it fails). */
  request: Submission | null;
  status: string;
  attempts: number;
  error: string | null;
  /** Set when this call's submit created (or found) the workflow. */
  submittedNow?: boolean;
}

/** Submissions held back (not tried, no attempt spent) until this time. */
export type Holds = Map<PendingSubmission, number>;

/** After a lead submit failed, the rest of its batch waits this long for the breaker to learn more. */
const HOLD_AFTER_LEAD_FAILURE_MS = 2_000;

/**
 * Sends every pending submission, cluster by cluster through its breaker: an open breaker holds
 * them all; otherwise one leads, and only if it did not fail for a reason worth retrying do the
 * others follow (concurrently). Returns what was held.
 */
export async function submitPending(env: Env, pending: readonly PendingSubmission[]): Promise<Holds> {
  const holds: Holds = new Map();
  if (pending.length === 0) return holds;
  const clusters = await loadClusters(env);
  const byCluster = groupBy(pending, (submission) => submission.request?.cluster ?? "");
  await Promise.all(
    [...byCluster].map(([name, submissions]) =>
      submitToCluster(env, name, clusterOf(clusters, name), submissions, holds),
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
): Promise<void> {
  if (!cluster.ok) {
    for (const submission of submissions) {
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
    for (const submission of submissions) holds.set(submission, admission.retryAt);
    return;
  }
  const tally = { successes: 0, failures: 0, lastError: null as string | null };
  const send = async (submission: PendingSubmission) => {
    const outcome = await submitOne(cluster.value, submission);
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
    await Promise.all(rest.map(send));
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
