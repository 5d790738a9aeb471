import { ulid } from "ulid";
import { z } from "zod";
import { randomBytes, toHex } from "../lib/crypto";
import { AppError, notFound } from "../lib/errors";
import { isDns1123Subdomain } from "../lib/names";
import type { Failure } from "../lib/result";
import { isTraceId, newTraceId, traceIdOf } from "../lib/trace";
import { publicUrlOf } from "../lib/urls";
import { parseWith } from "../lib/validation";
import type { GateInit } from "./approval-gate";
import { gateOf } from "./decide";
import type { GitHubDeploymentInit } from "./gate-state";
import type { GateView } from "./gate-view";
import type { StoredPolicy } from "./policy";
import { getPolicy, holdSubject, listPolicies, releaseSubjectStatement, takeOverSubject } from "./store";
import { mayHold } from "./subject-claims";
import { resolveSubjectNode, subjectKey } from "./subjects";

const MAX_CONTEXT_BYTES = 16 * 1024;
/** A node held by a gate that was decided meanwhile is taken over; this many tries when others race for it. */
const MAX_HOLD_TRIES = 3;

/** A new gate id: time-ordered (ULID) and unguessable (another 80 random bits). */
export function newGateId(): string {
  return `${ulid().toLowerCase()}${toHex(randomBytes(10))}`;
}

export const createApprovalSchema = z.strictObject({
  policy: z.string().refine(isDns1123Subdomain, "must be a policy name"),
  subject: z
    .strictObject({
      cluster: z.string().refine(isDns1123Subdomain, "must be a cluster name"),
      workflow: z.string().refine(isDns1123Subdomain, "must be a workflow name"),
      node: z.string().min(1).max(253),
    })
    .optional(),
  /** Who asked for the gate: a policy with `manual.forbidRequester` refuses their approval. */
  requestedBy: z
    .strictObject({
      email: z.email("must be an email address").max(254).toLowerCase().optional(),
      slack: z
        .string()
        .regex(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id ("U…")')
        .optional(),
      github: z
        .string()
        // Apps act as `name[bot]` (dependabot[bot], a deploy bot's App).
        .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "must be a GitHub login")
        .optional(),
    })
    .refine((requester) => Object.keys(requester).length > 0, "name the requester's email, slack or github")
    .optional(),
  /** The trace the gate belongs to — e.g. `{{workflow.annotations.hookline.dev/trace-id}}` (else `traceparent`). */
  traceId: z.string().refine(isTraceId, "must be a W3C trace id: 32 lowercase hex digits, not all zero").optional(),
  context: z
    .record(z.string(), z.unknown())
    .default({})
    .refine(
      (value) => JSON.stringify(value).length <= MAX_CONTEXT_BYTES,
      `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`,
    ),
});

/** A failed step of opening a gate, as the API's error (a cluster that cannot answer now: 503, try again). */
function refused(error: Failure): AppError {
  if (error.retryable) {
    return new AppError("resource_exhausted", `${error.message} (try again shortly)`, {
      status: 503,
      retryAfterSeconds: error.retryAfterSeconds ?? 5,
    });
  }
  return new AppError(error.code, error.message);
}

/** What a gate opened for a GitHub deployment protection rule delivery brings besides the body. */
export interface GitHubOpening {
  /** Derived from the delivery, so a redelivery finds the gate it opened (github-deliveries.ts). */
  id: string;
  /** The policy whose App's webhook secret verified the delivery. */
  policy: StoredPolicy;
  github: GitHubDeploymentInit;
}

/**
 * Opens a gate — the one way the API (and the CLI through it) and GitHub's deployment protection
 * rules (`opening`: the gate's id, the verified policy and the deployment to answer) do. With a subject, the node is
 * read from its cluster (what the policies' claims are matched against, and the id the gate will
 * set), a node claimed by another policy is refused (403 naming it), and the node is held: a
 * second open gate on it is refused (409 naming the first). Callback URIs and links are built
 * from PUBLIC_URL only, never from the request's Host.
 */
export async function openApprovalGate(
  env: Env,
  namespace: string,
  body: unknown,
  traceparent: string | undefined,
  opening?: GitHubOpening,
): Promise<GateView> {
  const input = parseWith(createApprovalSchema, body);
  const policy =
    opening?.policy.namespace === namespace && opening.policy.name === input.policy
      ? opening.policy
      : await getPolicy(env.DB, namespace, input.policy);
  if (!policy) throw notFound(`approval policy "${input.policy}" not found in namespace "${namespace}"`);
  const callbackBase = publicUrlOf(env);
  const id = opening?.id ?? newGateId();
  let held: GateInit["held"] = null;
  if (input.subject) {
    const node = await resolveSubjectNode(env, namespace, input.subject);
    if (!node.ok) throw refused(node.error);
    const claimed = mayHold(await listPolicies(env.DB, namespace), policy.name, node.value);
    if (!claimed.ok) throw refused(claimed.error);
    held = { ...node.value, key: subjectKey(namespace, input.subject, node.value) };
    await holdNode(env, held.key, id);
  }
  try {
    return await gateOf(env, id).create({
      id,
      namespace,
      policy,
      subject: input.subject ?? null,
      context: input.context,
      traceId: input.traceId ?? traceIdOf(traceparent) ?? newTraceId(),
      callbackBase,
      held,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
      ...(opening ? { github: opening.github } : {}),
    });
  } catch (error) {
    if (held) await releaseSubjectStatement(env.DB, held.key, id).run();
    throw error;
  }
}

/** Holds a node for a new gate, taking it over from a gate decided meanwhile; 409 while another gate is open on it. */
async function holdNode(env: Env, key: string, id: string): Promise<void> {
  for (let tries = 0; tries < MAX_HOLD_TRIES; tries++) {
    const holder = await holdSubject(env.DB, key, id, Date.now());
    if (holder === id) return;
    const open = await gateOf(env, holder).read();
    if (open?.status === "pending") {
      throw new AppError(
        "already_exists",
        `this workflow node already has an open gate: ${holder} (policy "${open.policy}"); decide it first`,
      );
    }
    if (await takeOverSubject(env.DB, key, holder, id)) return;
  }
  throw new AppError("aborted", "other gates are being opened on this workflow node at the same time; try again");
}
