import { approvalLinkUrl } from "../approvals/links";
import type { Keyring } from "../auth/keys";
import type { StoredService } from "./schema";
import type { RenderedMessage } from "./templates";

/** The parts of a gate (its view, in the approval.requested event) that decide how chat can answer it. */
interface RequestedGate {
  id: string;
  status: string;
  manual: { approvers: string[]; chatLinks: boolean; confirm: boolean };
}

function requestedGate(resource: Record<string, unknown>): { gate: RequestedGate; publicUrl: string | null } | null {
  const doc = resource as { kind?: unknown; type?: unknown; data?: { approval?: unknown; publicUrl?: unknown } };
  if (doc.kind !== "HooklineEvent" || doc.type !== "approval.requested") return null;
  const gate = doc.data?.approval as Partial<RequestedGate> | undefined;
  if (typeof gate?.id !== "string" || gate.status !== "pending" || !gate.manual) return null;
  const publicUrl = typeof doc.data?.publicUrl === "string" ? doc.data.publicUrl : null;
  return { gate: gate as RequestedGate, publicUrl };
}

/**
 * Lets an approval request be answered where it is read. A Slack app (a service with a
 * `signingSecret`) gets Approve / Reject buttons when the policy names Slack approvers, a Lark app
 * (a service with `appId` and `verificationToken`) when it names Lark approvers; any other
 * service gets one-time links when the policy allows them (`manual.chatLinks`), minted for this
 * service so the decision is recorded as `link:<service>`. Other messages pass unchanged.
 */
export async function withApprovalActions(
  message: RenderedMessage,
  resource: Record<string, unknown>,
  service: StoredService,
  keyring: Keyring,
): Promise<RenderedMessage> {
  const requested = requestedGate(resource);
  if (!requested) return message;
  const { gate, publicUrl } = requested;
  const approversIn = (prefix: string) => gate.manual.approvers.some((approver) => approver.startsWith(prefix));
  const slackApp = service.type === "slack" && service.signingSecretSealed && approversIn("slack:");
  const larkApp = service.type === "lark" && service.appId && service.verificationTokenSealed && approversIn("lark:");
  if (slackApp || larkApp) return { ...message, approval: { gate: gate.id, confirm: gate.manual.confirm } };
  if (!gate.manual.chatLinks || publicUrl === null) return message;
  const link = (action: "approve" | "reject") =>
    approvalLinkUrl(keyring, publicUrl, { gateId: gate.id, action, service: service.name });
  const [approve, reject] = await Promise.all([link("approve"), link("reject")]);
  return { ...message, body: `${message.body}\n\n[Approve](${approve}) · [Reject](${reject})` };
}
