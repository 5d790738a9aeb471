import { AppError } from "../lib/errors";
import { approvalRequestSentThrough } from "../notifications/store";
import { type Decider, mayDecide } from "./approvers";
import { decideApproval, gateOf, isGateId } from "./decide";
import type { GateView } from "./gate-view";

/** How a click in chat went, for the chat's own answer. */
export type ChatOutcome =
  | { kind: "missing" }
  | { kind: "not-approver"; gate: GateView }
  | { kind: "decided"; gate: GateView }
  | { kind: "refused"; gate: GateView | null; message: string };

/**
 * A person decides from a chat button (Slack, Lark): the gate named by the button — which must
 * have been sent through the service that verified the click (a service configured elsewhere
 * cannot vouch for an identity on a message it never carried) — the clicker (`deciderFor` the
 * gate: its identities may depend on the policy, e.g. Slack groups) checked against the policy's
 * approvers, then the one decide function. Each chat turns the outcome into
 * its own answer (an ephemeral note, a toast, an updated message).
 */
export async function decideFromChat(
  env: Env,
  service: string,
  gateId: string,
  approve: boolean,
  deciderFor: (gate: GateView) => Promise<Decider>,
  message: string,
): Promise<ChatOutcome> {
  const gate = isGateId(gateId) ? await gateOf(env, gateId).read() : null;
  if (!gate || !(await approvalRequestSentThrough(env.DB, gate.namespace, gate.id, service)))
    return { kind: "missing" };
  const decider = await deciderFor(gate);
  if (!mayDecide(gate.manual, decider)) return { kind: "not-approver", gate };
  try {
    return { kind: "decided", gate: await decideApproval(env, decider, gate.namespace, gateId, { approve, message }) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { kind: "refused", gate: await gateOf(env, gateId).read(), message: error.message };
  }
}

/** What a decided gate says in chat: "Approved by … at …", or where it stands. */
export function decisionLine(gate: GateView, mention: (by: string) => string): string {
  const decision = gate.decision;
  if (decision) {
    const verb =
      decision.status === "approved"
        ? "Approved"
        : decision.status === "rejected"
          ? "Rejected"
          : `Decided (${decision.status})`;
    return `${verb} by ${mention(decision.by)} at ${decision.at}`;
  }
  const manual = gate.manual.decision;
  return manual
    ? `${manual.approve ? "Approval" : "Answer"} by ${mention(manual.by)} recorded; the gate waits for its webhooks`
    : `Waiting for a decision (expires ${gate.expiresAt})`;
}
