import { z } from "zod";
import { AppError, notFound } from "../lib/errors";
import type { Result } from "../lib/result";
import { parseWith } from "../lib/validation";
import type { ApprovalGate } from "./approval-gate";
import type { Decider } from "./approvers";
import type { GateView } from "./gate-view";

/** Longest `mdMessage` a callback (or manual decision message) may carry. */
export const MAX_MESSAGE_LENGTH = 10_000;
const gateIdPattern = /^[0-9a-z]{26}[0-9a-f]{20}$/;

/** True when `id` has the shape of a gate id (so no Durable Object is made up for junk). */
export function isGateId(id: string): boolean {
  return gateIdPattern.test(id);
}

/** A manual decision, as the API and the console take it (`override` only with an approval). */
export const decisionSchema = z
  .strictObject({
    approve: z.boolean(),
    message: z.string().max(MAX_MESSAGE_LENGTH).default(""),
    /** Break-glass: approve while a change window holds the gate (the policy's override approvers). */
    override: z
      .strictObject({
        reason: z.string().trim().min(1, "a break-glass override needs a reason").max(1000),
      })
      .optional(),
  })
  .refine((decision) => decision.override === undefined || decision.approve, {
    message: "only an approval can override a change window",
    path: ["override"],
  });

/** The gate's Durable Object, typed by its RPC methods (its JSON context defeats RPC type inference). */
export type GateStub = Pick<ApprovalGate, "create" | "read" | "callback" | "decide" | "reseal" | "audit">;

/** The Durable Object of a gate id. */
export function gateOf(env: Env, id: string): GateStub {
  return env.APPROVAL_GATE.getByName(id) as unknown as GateStub;
}

const gateNotFound = (namespace: string, id: string) =>
  notFound(`approval "${id.slice(0, 60)}" not found in namespace "${namespace}"`);

/** Reads a gate of this namespace, or throws not_found. */
export async function readGate(env: Env, namespace: string, id: string): Promise<GateView> {
  const view = isGateId(id) ? await gateOf(env, id).read() : null;
  if (!view || view.namespace !== namespace) throw gateNotFound(namespace, id);
  return view;
}

/** A gate's answer as the API's error when it refused. */
export function unwrapGate(result: Result<GateView>): GateView {
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  return result.value;
}

/**
 * A person decides a gate — the one way every entry point does it: the API (`POST …/decision`,
 * which the CLI calls), the console, Slack's buttons and one-time chat links. The same
 * validation (message length, approve a boolean), the same approver rule (approvers.ts, checked
 * by the gate), the same record of who decided and where, the same errors (404 for another
 * namespace's gate, 403 for someone who is not an approver, 409 for a contradiction).
 */
export async function decideApproval(
  env: Env,
  decider: Decider,
  namespace: string,
  id: string,
  input: unknown,
): Promise<GateView> {
  const { approve, message, override } = parseWith(decisionSchema, input);
  if (!isGateId(id)) throw gateNotFound(namespace, id);
  return unwrapGate(await gateOf(env, id).decide(namespace, approve, message, decider, override));
}

/** Every attempt to change a gate of this namespace, in order (the API, the console and the CLI read it here). */
export async function readAudit(env: Env, namespace: string, id: string) {
  await readGate(env, namespace, id);
  const audit = await gateOf(env, id).audit();
  if (!audit) throw gateNotFound(namespace, id);
  const iso = (ms: number) => new Date(ms).toISOString();
  return { items: audit.items.map((entry) => ({ ...entry, at: iso(entry.at) })), overflow: audit.overflow };
}
