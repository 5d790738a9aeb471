import { keyringOf } from "../auth/secrets";
import { loadNotificationConfig } from "../notifications/config";
import { internalResource } from "../notifications/fanout";
import { internalEvent } from "../notifications/internal-events";
import { sendPaced } from "../notifications/paced-send";
import { type RenderedMessage, renderNotification } from "../notifications/render";
import type { StoredService } from "../notifications/schema";
import { approversOf } from "./approvers";
import type { ChatMessage, ChatMessageKind, ChatSendOutcome, GateState } from "./gate-state";
import { viewOf } from "./gate-view";
import { approvalLinkUrl } from "./links";

/** The built-in template of an approval request (hookline's own; a stored template cannot replace the gate's message). */
const REQUEST_TEMPLATE = "approval-requested";

/**
 * What a gate's request carries through a service: buttons where the service is a Slack or Lark
 * app that verifies clicks and the policy names approvers it can identify there (its users, or
 * emails it can read from their profiles), else one-time links where the policy allows them, else
 * nothing to decide with.
 */
export function carriedThrough(service: StoredService, state: GateState): ChatMessageKind {
  const approvers = approversOf(state.policy.manual);
  const approversIn = (prefix: string) => approvers.some((approver) => approver.startsWith(prefix));
  if (service.type === "slack" && service.signingSecretSealed) {
    // Emails are read with the bot token (users.info); an incoming-webhook app can tell only user ids.
    if (approversIn("slack:") || (approversIn("email:") && service.tokenSealed)) return "buttons";
  }
  if (service.type === "lark" && service.appId && service.verificationTokenSealed) {
    if (approversIn("lark:") || approversIn("email:")) return "buttons";
  }
  return state.policy.manual.chatLinks === true && state.publicUrl ? "links" : "plain";
}

/**
 * Sends a gate's request to one of its policy's channels — the gate itself, not a subscription:
 * hookline's built-in request rendered for the service, with the buttons or links only the gate
 * mints (naming its own record of this message), at the service's pace. Only a service an admin
 * configured carries decisions; any other is refused, so whoever may route notifications
 * never receives a gate's links. Runs inside the gate's Durable Object.
 */
export async function sendChatRequest(env: Env, state: GateState, message: ChatMessage): Promise<ChatSendOutcome> {
  const config = await loadNotificationConfig(env.DB);
  const service = config.services.get(message.service);
  if (!service) {
    return { kind: "failed", message: `notification service "${message.service}" is not configured`, permanent: true };
  }
  if (service.adminConfigured !== true) {
    return {
      kind: "failed",
      message: `notification service "${service.name}" was last changed without admin rights; an admin must apply it before it carries approval requests`,
      permanent: true,
    };
  }
  const resourceKey = `${state.id}:approval.requested`;
  const event = internalEvent(resourceKey, "approval.requested", state.namespace, {
    approval: viewOf(state),
    ...(state.publicUrl ? { publicUrl: state.publicUrl } : {}),
  });
  const rendered = renderNotification(REQUEST_TEMPLATE, undefined, {
    resource: internalResource(event).doc,
    context: config.context,
    serviceType: service.type,
    recipient: message.recipient,
    serviceName: service.name,
  });
  const carried = carriedThrough(service, state);
  const outgoing = await withDecisions(env, state, message, rendered, carried);
  const sent = await sendPaced(env, service, message.recipient, outgoing, {
    trigger: "approval-request",
    template: REQUEST_TEMPLATE,
    resource: `hookline.dev/v1/HooklineEvent/${state.namespace}/${resourceKey}`,
  });
  if (sent.kind === "sent") return { kind: "sent", carried, serviceMessageId: sent.sent.serviceMessageId };
  if (sent.kind === "wait") return sent;
  return { kind: "failed", message: sent.message, permanent: !sent.retryable };
}

/** The request with the gate's buttons (its id for this message in their value) or its recorded links. */
async function withDecisions(
  env: Env,
  state: GateState,
  message: ChatMessage,
  rendered: RenderedMessage,
  carried: ChatMessageKind,
): Promise<RenderedMessage> {
  if (carried === "buttons") {
    return {
      ...rendered,
      approval: { gate: state.id, message: message.id, confirm: state.policy.manual.confirm === true },
    };
  }
  if (carried === "plain") return rendered;
  const keyring = keyringOf(env);
  const url = (action: "approve" | "reject") =>
    approvalLinkUrl(keyring, state.publicUrl ?? "", {
      gateId: state.id,
      action,
      service: message.service,
      message: message.id,
      link: action === "approve" ? message.links.approve : message.links.reject,
    });
  const [approve, reject] = await Promise.all([url("approve"), url("reject")]);
  return { ...rendered, body: `${rendered.body}\n\n[Approve](${approve}) · [Reject](${reject})` };
}
