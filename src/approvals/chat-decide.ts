import { AppError } from "../lib/errors";
import type { ChatOrigin, Decider } from "./approvers";
import { decideApproval, gateOf, isGateId } from "./decide";
import type { GateView } from "./gate-view";

/** How a click in chat went, for the chat's own answer. */
export type ChatOutcome =
  | { kind: "missing" }
  | { kind: "decided"; gate: GateView }
  | { kind: "refused"; gate: GateView | null; message: string };

/** A click on one of a gate's chat buttons: which gate and which of its messages, through which verified services. */
export interface ChatClick {
  gateId: string;
  approve: boolean;
  origin: ChatOrigin;
}

/**
 * A person decides from a chat button (Slack, Lark) through the one decide function. The gate
 * checks the click against its own record — a message it sent through one of the services that
 * verified the click — and the clicker (`deciderFor` the gate: its identities may depend on the
 * policy, e.g. Slack groups) against the policy's approvers; a refusal leaves it untouched and
 * says why. Each chat turns the outcome into its own answer (an ephemeral note, a toast, an
 * updated message).
 */
export async function decideFromChat(
  env: Env,
  click: ChatClick,
  deciderFor: (gate: GateView) => Promise<Omit<Decider, "through">>,
  message: string,
): Promise<ChatOutcome> {
  const gate = isGateId(click.gateId) ? await gateOf(env, click.gateId).read() : null;
  if (!gate) return { kind: "missing" };
  const decider: Decider = { ...(await deciderFor(gate)), through: click.origin };
  try {
    return {
      kind: "decided",
      gate: await decideApproval(env, decider, gate.namespace, gate.id, { approve: click.approve, message }),
    };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { kind: "refused", gate: await gateOf(env, gate.id).read(), message: error.message };
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
  if (gate.hold) {
    return `Approved; held by a change window until ${gate.hold.until ?? "an allow window opens"} (${gate.hold.reason})`;
  }
  const manual = gate.manual.decision;
  if (manual) {
    return `${manual.approve ? "Approval" : "Answer"} by ${mention(manual.by)} recorded; the gate waits for its webhooks`;
  }
  const counted = gate.manual.approvals;
  if (counted.length > 0) {
    return `Approvals: ${counted.length} of ${gate.manual.quorum} (${counted.map((approval) => mention(approval.by)).join(", ")}); waiting for more (expires ${gate.expiresAt})`;
  }
  return `Waiting for a decision (expires ${gate.expiresAt})`;
}
