import { log } from "../../lib/log";
import { callOutbound } from "../../lib/outbound";
import { fail, ok, type Result } from "../../lib/result";
import type { RenderedMessage } from "../render";
import type { SlackThreads } from "../store";
import { answerField, call, emailOf, NO_ID, PROFILE_TIMEOUT_MS } from "./http";
import { toMrkdwn } from "./mrkdwn";
import type { ChatService, ResolvedService, SentMessage } from "./types";

/** Slack's Web API, unless a service names another (`apiUrl`). */
export const SLACK_API_URL = "https://slack.com/api";

/**
 * Slack's message: Argo CD's shape for its templates (message as text, attachments, blocks), else
 * a header and a section — and, for an approval request, Approve / Reject buttons.
 */
function slackMessage(message: RenderedMessage): Record<string, unknown> {
  const buttons = message.approval ? [approvalButtons(message.approval)] : [];
  if (message.slack) {
    const blocks = [...(message.slack.blocks ?? []), ...buttons];
    return {
      text: message.body,
      ...(message.slack.attachments ? { attachments: message.slack.attachments } : {}),
      ...(blocks.length > 0 ? { blocks } : {}),
    };
  }
  return {
    text: message.title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: message.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: toMrkdwn(message.body).slice(0, 3000) } },
      ...buttons,
    ],
  };
}

/** The `action_id`s of the buttons Slack posts back to `/callbacks/slack/interactions`. */
export const SLACK_APPROVE_ACTION = "hookline_approve";
export const SLACK_REJECT_ACTION = "hookline_reject";
/** The `block_id` of the buttons, so a decision can replace them. */
export const SLACK_APPROVAL_BLOCK = "hookline_approval";

/** The value of a gate's Slack buttons: the gate and the gate's id for the message (`<gate>.<message>`). */
export function slackButtonValue(approval: { gate: string; message: string }): string {
  return `${approval.gate}.${approval.message}`;
}

/** Block Kit buttons for a gate: the value names the gate and its message, the action the decision. */
function approvalButtons(approval: NonNullable<RenderedMessage["approval"]>): Record<string, unknown> {
  const button = (text: string, action: string, style: "primary" | "danger") => ({
    type: "button",
    text: { type: "plain_text", text },
    action_id: action,
    value: slackButtonValue(approval),
    style,
  });
  const approve = button("Approve", SLACK_APPROVE_ACTION, "primary");
  return {
    type: "actions",
    block_id: SLACK_APPROVAL_BLOCK,
    elements: [
      approval.confirm
        ? {
            ...approve,
            confirm: {
              title: { type: "plain_text", text: "Approve?" },
              text: { type: "mrkdwn", text: "This approval is for a protected environment. Approve it?" },
              confirm: { type: "plain_text", text: "Approve" },
              deny: { type: "plain_text", text: "Cancel" },
            },
          }
        : approve,
      button("Reject", SLACK_REJECT_ACTION, "danger"),
    ],
  };
}

/**
 * Slack by bot token, as Argo CD's Slack service: chat.postMessage to the recipient channel; with
 * a `groupingKey`, later messages of the group go in the thread of its first one (`reply_broadcast`
 * when `notifyBroadcast`), and `deliveryPolicy` Update / PostAndUpdate edit that first message.
 */
async function sendBySlackBot(
  service: ResolvedService,
  bot: NonNullable<ResolvedService["slackBot"]>,
  channel: string,
  message: RenderedMessage,
  threads: SlackThreads | undefined,
): Promise<Result<SentMessage>> {
  if (channel === "")
    return fail(
      "aborted",
      `slack service "${service.name}" posts with a bot token: name a channel as the destination's recipient (e.g. recipients: ["deploys"])`,
    );
  const icon = bot.icon ? (/^:[^:\s]+:$/.test(bot.icon) ? { icon_emoji: bot.icon } : { icon_url: bot.icon }) : {};
  const content = slackMessage(message);
  const headers = { authorization: `Bearer ${bot.token}` };
  const groupingKey = threads ? message.slack?.groupingKey : undefined;
  const policy = message.slack?.deliveryPolicy ?? "Post";
  const thread = groupingKey ? await threads?.find(channel, groupingKey) : null;
  let sent = NO_ID;
  if (!thread || policy !== "Update") {
    const posted = await call(
      service,
      {
        url: `${bot.apiUrl}/chat.postMessage`,
        headers,
        body: JSON.stringify({
          channel,
          ...(bot.username ? { username: bot.username } : {}),
          ...icon,
          ...content,
          ...(thread
            ? { thread_ts: thread, ...(message.slack?.notifyBroadcast ? { reply_broadcast: true } : {}) }
            : {}),
        }),
      },
      webApiCheck(service),
    );
    if (!posted.ok) return posted;
    const ts = answerField(posted.value, ["ts"]);
    sent = { serviceMessageId: ts };
    if (groupingKey && !thread && ts !== null) {
      // The message went out; losing its thread only means the next one starts a new thread.
      await threads?.remember(channel, groupingKey, ts).catch((error: unknown) => {
        log.error("remembering a Slack thread failed", { service: service.name }, error);
      });
    }
  }
  if (thread && (policy === "Update" || policy === "PostAndUpdate")) {
    const updated = await call(
      service,
      { url: `${bot.apiUrl}/chat.update`, headers, body: JSON.stringify({ channel, ts: thread, ...content }) },
      webApiCheck(service),
    );
    if (!updated.ok) return updated;
  }
  return ok(sent);
}

/** Slack's Web API answers 200 with `{ok: false, error}` when it refuses; `ratelimited` is its pace. */
function webApiCheck(service: ResolvedService) {
  return (text: string, retryAfter: number | null): Result<never> | null => {
    let answered: { ok?: unknown; error?: unknown };
    try {
      answered = JSON.parse(text) as { ok?: unknown; error?: unknown };
    } catch {
      return fail("aborted", `service "${service.name}" answered something that is not JSON: ${text.slice(0, 300)}`);
    }
    if (answered.ok === true) return null;
    const error = `service "${service.name}" (Slack Web API) answered error ${String(answered.error ?? "unknown")}`;
    if (answered.error === "ratelimited")
      return fail("resource_exhausted", error, { retryable: true, retryAfterSeconds: retryAfter ?? 60 });
    return fail("aborted", error);
  };
}

/**
 * Slack: an incoming webhook (the message to its channel, or the recipient's), or a bot token
 * posting to each recipient channel (threads, updates, the buttons of a gate's request).
 */
export const slack: ChatService = {
  async send(service, recipient, message, _context, { threads }) {
    if (service.slackBot) return sendBySlackBot(service, service.slackBot, recipient, message, threads);
    const sent = await call(service, {
      url: service.url,
      body: JSON.stringify({ ...(recipient ? { channel: recipient } : {}), ...slackMessage(message) }),
    });
    return sent.ok ? ok(NO_ID) : sent;
  },
};

/**
 * The email of a Slack user, read with the app's bot token (`users.info`, scope
 * `users:read.email`), or null when the app cannot tell (no bot token, no scope, no email).
 */
export async function slackUserEmail(service: ResolvedService, user: string): Promise<string | null> {
  const bot = service.slackBot;
  if (!bot) return null;
  const called = await callOutbound(
    `${bot.apiUrl}/users.info?user=${encodeURIComponent(user)}`,
    { method: "GET", headers: { authorization: `Bearer ${bot.token}` } },
    PROFILE_TIMEOUT_MS,
  );
  if (!called.ok || called.response.status !== 200) return null;
  // Slack's Web API answers 200 {ok: false, error} when it refuses; then there is no profile either.
  return emailOf(answerField(called.response.text, ["user", "profile", "email"]));
}
