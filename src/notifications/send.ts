import { resolveHeaders } from "../auth/sealed-headers";
import { resolveSecret } from "../auth/secrets";
import { hmacSha256, sha256Hex, utf8 } from "../lib/crypto";
import { log } from "../lib/log";
import { callOutbound, describeRedirect, isRedirect } from "../lib/outbound";
import { fail, ok, type Result } from "../lib/result";
import type { RenderedMessage } from "./render";
import type { ServiceType, StoredService } from "./schema";
import type { SlackThreads } from "./store";

/** A service with its URL, signing secret and headers unsealed, ready to send. */
export interface ResolvedService {
  name: string;
  type: ServiceType;
  url: string;
  secret: string | null;
  method: "POST" | "PUT" | "PATCH";
  headers: Headers;
  ratePerMinute: number | null;
  /** A Slack service posting with a bot token (chat.postMessage to each recipient channel). */
  slackBot: { token: string; apiUrl: string; username: string | null; icon: string | null } | null;
  /** A Lark service sending as an app (im/v1/messages to each recipient chat). */
  larkApp: { appId: string; appSecret: string; apiUrl: string } | null;
}

/** Slack's Web API, unless a service names another (`apiUrl`). */
export const SLACK_API_URL = "https://slack.com/api";
/** Feishu's Open API, unless a service names another (`apiUrl`, e.g. Lark's https://open.larksuite.com/open-apis). */
const LARK_API_URL = "https://open.feishu.cn/open-apis";

const SEND_TIMEOUT_MS = 10_000;
/** A 429 without Retry-After waits this long. */
const DEFAULT_PACING_WAIT_SECONDS = 10;

export const serviceSecretContext = (service: string, part: string) => `notification-service:${service}/${part}`;

/** Unseals a stored service: its URL (sealed, or a Worker secret an admin named), signing secret and headers. */
export async function resolveService(env: Env, service: StoredService): Promise<ResolvedService> {
  const context = (part: string) => serviceSecretContext(service.name, part);
  const tokenSealed = service.tokenSealed ?? null;
  const apiUrl = (service.apiUrl ?? (service.type === "lark" ? LARK_API_URL : SLACK_API_URL)).replace(/\/+$/, "");
  const larkApp =
    service.appId && service.appSecretSealed
      ? {
          appId: service.appId,
          appSecret: await resolveSecret(env, { sealed: service.appSecretSealed }, context("app-secret")),
          apiUrl,
        }
      : null;
  const url =
    tokenSealed !== null
      ? `${apiUrl}/chat.postMessage`
      : larkApp !== null
        ? `${apiUrl}/im/v1/messages`
        : service.urlSealed !== null
          ? await resolveSecret(env, { sealed: service.urlSealed }, context("url"))
          : await resolveSecret(env, { workerSecret: service.urlSecret ?? "" }, context("url"));
  const headers = new Headers(await resolveHeaders(env, service.headers, (header) => context(`header/${header}`)));
  return {
    name: service.name,
    type: service.type,
    url,
    secret:
      service.secretSealed === null
        ? null
        : await resolveSecret(env, { sealed: service.secretSealed }, context("secret")),
    method: service.method,
    headers,
    ratePerMinute: service.ratePerMinute,
    slackBot:
      tokenSealed === null
        ? null
        : {
            token: await resolveSecret(env, { sealed: tokenSealed }, context("token")),
            apiUrl,
            username: service.username ?? null,
            icon: service.icon ?? null,
          },
    larkApp,
  };
}

/** The service's own headers over the JSON default (names compare case-insensitively). */
function withDefaults(own: Headers): Headers {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [name, value] of own) headers.set(name, value);
  return headers;
}

/** Slack/Google Chat mrkdwn from Markdown: **bold** → *bold*, [text](url) → <url|text>, headings → bold. */
export function toMrkdwn(markdown: string): string {
  return markdown
    .replace(/^#{1,6}\s+(.*)$/gm, "*$1*")
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "<$2|$1>");
}

/** DingTalk's "Additional Signature": HMAC-SHA256(secret, `${timestamp}\n${secret}`), base64, URL-encoded. */
export async function dingtalkSign(secret: string, timestampMs: number): Promise<string> {
  const mac = await hmacSha256(secret, `${timestampMs}\n${secret}`);
  return encodeURIComponent(btoa(String.fromCharCode(...mac)));
}

/** WeCom robots take markdown content of at most 4,096 bytes. */
const WECOM_MAX_BYTES = 4096;

/** `text` cut to at most `max` UTF-8 bytes, on a character boundary. */
function truncateUtf8(text: string, max: number): string {
  const bytes = utf8(text);
  if (bytes.length <= max) return text;
  let end = max - 3;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${new TextDecoder().decode(bytes.slice(0, end))}...`;
}

/** Lark/Feishu's signature: HMAC-SHA256 keyed with `${timestamp}\n${secret}` over nothing, base64. */
export async function larkSign(secret: string, timestampSeconds: number): Promise<string> {
  const mac = await hmacSha256(utf8(`${timestampSeconds}\n${secret}`), new Uint8Array(0));
  return btoa(String.fromCharCode(...mac));
}

interface Request {
  url: string;
  /** No body for a GET. */
  body: string | undefined;
  method?: string;
  headers?: Record<string, string>;
}

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

/** The `value` of Lark card buttons: which gate, which of its messages, which action (posted back to /callbacks/lark/card). */
export const LARK_GATE_FIELD = "hookline_gate";
export const LARK_MESSAGE_FIELD = "hookline_message";
export const LARK_ACTION_FIELD = "hookline_action";

/** A Lark/Feishu message card: the title, the Markdown body and, for an approval request, Approve / Reject buttons. */
export function larkCard(message: RenderedMessage): Record<string, unknown> {
  const elements: unknown[] = [{ tag: "markdown", content: message.body }];
  const approval = message.approval;
  if (approval) {
    const button = (text: string, action: "approve" | "reject", type: "primary" | "danger") => ({
      tag: "button",
      text: { tag: "plain_text", content: text },
      type,
      value: { [LARK_GATE_FIELD]: approval.gate, [LARK_MESSAGE_FIELD]: approval.message, [LARK_ACTION_FIELD]: action },
      ...(action === "approve" && approval.confirm
        ? {
            confirm: {
              title: { tag: "plain_text", content: "Approve?" },
              text: { tag: "plain_text", content: "This approval is for a protected environment. Approve it?" },
            },
          }
        : {}),
    });
    elements.push({
      tag: "action",
      actions: [button("Approve", "approve", "primary"), button("Reject", "reject", "danger")],
    });
  }
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: "plain_text", content: message.title } },
    elements,
  };
}

/** The Adaptive Card body for Teams: title, text, and an Argo CD template's facts, sections and actions. */
function teamsCard(message: RenderedMessage): Record<string, unknown> {
  const record = (value: unknown) =>
    value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const factSet = (facts: unknown[]) => ({
    type: "FactSet",
    facts: facts.map((fact) => ({ title: String(record(fact).name ?? ""), value: String(record(fact).value ?? "") })),
  });
  const body: unknown[] = [
    { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true },
    { type: "TextBlock", text: message.body, wrap: true },
  ];
  const teams = message.teams ?? {};
  if (teams.facts && teams.facts.length > 0) body.push(factSet(teams.facts));
  for (const section of teams.sections ?? []) {
    const { activityTitle, activitySubtitle, text, facts } = record(section);
    body.push({
      type: "Container",
      separator: true,
      items: [
        ...[activityTitle, activitySubtitle, text]
          .filter((part) => typeof part === "string" && part !== "")
          .map((part, i) => ({ type: "TextBlock", text: part, wrap: true, ...(i === 0 ? { weight: "Bolder" } : {}) })),
        ...(Array.isArray(facts) && facts.length > 0 ? [factSet(facts)] : []),
      ],
    });
  }
  // MessageCard's OpenUri actions become Action.OpenUrl (the first target's uri).
  const actions = (teams.potentialAction ?? []).flatMap((action) => {
    const { name, targets } = record(action);
    const uri = Array.isArray(targets) ? record(targets[0]).uri : undefined;
    return typeof uri === "string" ? [{ type: "Action.OpenUrl", title: String(name ?? uri), url: uri }] : [];
  });
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** The request each service type expects for one message. */
async function buildRequest(
  service: ResolvedService,
  recipient: string,
  message: RenderedMessage,
  context: { trigger: string; template: string; resource: string },
  now: number,
): Promise<Request> {
  const text = message.body;
  switch (service.type) {
    case "dingtalk": {
      let url = service.url;
      if (service.secret) {
        url += `${url.includes("?") ? "&" : "?"}timestamp=${now}&sign=${await dingtalkSign(service.secret, now)}`;
      }
      const mobiles = recipient
        ? recipient
            .split(",")
            .map((mobile) => mobile.trim())
            .filter(Boolean)
        : [];
      return {
        url,
        body: JSON.stringify({
          msgtype: "markdown",
          markdown: {
            title: message.title,
            text: mobiles.length > 0 ? `${text}\n\n${mobiles.map((m) => `@${m}`).join(" ")}` : text,
          },
          at: { atMobiles: mobiles, isAtAll: false },
        }),
      };
    }
    case "wecom": {
      // WeCom group robots: markdown, people mentioned as <@userid>.
      const people = recipient
        ? recipient
            .split(",")
            .map((person) => person.trim())
            .filter(Boolean)
        : [];
      const mentions = people.map((person) => `<@${person}>`).join(" ");
      return {
        url: service.url,
        body: JSON.stringify({
          msgtype: "markdown",
          markdown: { content: truncateUtf8(mentions ? `${text}\n\n${mentions}` : text, WECOM_MAX_BYTES) },
        }),
      };
    }
    case "slack":
      return {
        url: service.url,
        body: JSON.stringify({ ...(recipient ? { channel: recipient } : {}), ...slackMessage(message) }),
      };
    case "teams":
      return {
        url: service.url,
        body: JSON.stringify({
          type: "message",
          attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: teamsCard(message) }],
        }),
      };
    case "lark": {
      const timestamp = Math.floor(now / 1000);
      return {
        url: service.url,
        body: JSON.stringify({
          ...(service.secret ? { timestamp: String(timestamp), sign: await larkSign(service.secret, timestamp) } : {}),
          msg_type: "interactive",
          card: larkCard(message),
        }),
      };
    }
    case "discord":
      return {
        url: service.url,
        body: JSON.stringify({ embeds: [{ title: message.title.slice(0, 256), description: text.slice(0, 4096) }] }),
      };
    case "googlechat":
      return { url: service.url, body: JSON.stringify({ text: `*${message.title}*\n${toMrkdwn(text)}` }) };
    case "webhook": {
      const method = message.webhookMethod ?? service.method;
      return {
        url: message.webhookPath
          ? `${service.url.replace(/\/+$/, "")}/${message.webhookPath.replace(/^\/+/, "")}`
          : service.url,
        method,
        body:
          method === "GET"
            ? undefined
            : (message.webhookBody ??
              JSON.stringify({
                title: message.title,
                body: text,
                recipient,
                trigger: context.trigger,
                template: context.template,
                resource: context.resource,
              })),
      };
    }
  }
}

/** A message a service took: its own id for it when it answers one (Slack's `ts`, Lark's `message_id`). */
export interface SentMessage {
  serviceMessageId: string | null;
}

const NO_ID: SentMessage = { serviceMessageId: null };

/**
 * Sends one message and reads the answer the way each service reports success: DingTalk and
 * Lark answer 200 with a non-zero error code on failure, Slack 200 "ok" (its Web API
 * `{ok: true}`), Discord 204, others 2xx. 5xx, 429 and network errors are retryable; other
 * refusals fail the delivery.
 */
export async function sendNotification(
  service: ResolvedService,
  recipient: string,
  message: RenderedMessage,
  context: { trigger: string; template: string; resource: string },
  options: { now?: number; threads?: SlackThreads } = {},
): Promise<Result<SentMessage>> {
  if (service.slackBot) return sendBySlackBot(service, service.slackBot, recipient, message, options.threads);
  if (service.larkApp) return sendByLarkApp(service, service.larkApp, recipient, message);
  const request = await buildRequest(service, recipient, message, context, options.now ?? Date.now());
  const sent = await call(service, request);
  return sent.ok ? ok(NO_ID) : sent;
}

/** A string field of a JSON answer (`ts`, `data.message_id`), or null. */
function answerField(text: string, path: readonly string[]): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  for (const part of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === "string" ? value : null;
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
    const posted = await call(service, {
      url: `${bot.apiUrl}/chat.postMessage`,
      headers,
      body: JSON.stringify({
        channel,
        ...(bot.username ? { username: bot.username } : {}),
        ...icon,
        ...content,
        ...(thread ? { thread_ts: thread, ...(message.slack?.notifyBroadcast ? { reply_broadcast: true } : {}) } : {}),
      }),
    });
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
    const updated = await call(service, {
      url: `${bot.apiUrl}/chat.update`,
      headers,
      body: JSON.stringify({ channel, ts: thread, ...content }),
    });
    if (!updated.ok) return updated;
  }
  return ok(sent);
}

/** Lark app tokens (tenant_access_token, valid 2 h), kept per app in the isolate until shortly before they expire. */
const larkTokens = new Map<string, { token: string; until: number }>();

const larkTokenKey = async (app: NonNullable<ResolvedService["larkApp"]>) =>
  `${app.apiUrl}\u0000${app.appId}\u0000${await sha256Hex(app.appSecret)}`;

/** A tenant_access_token for a Lark app (cached), or the failure to get one. */
async function larkTenantToken(
  service: ResolvedService,
  app: NonNullable<ResolvedService["larkApp"]>,
): Promise<Result<string>> {
  const key = await larkTokenKey(app);
  const cached = larkTokens.get(key);
  if (cached && cached.until > Date.now()) return ok(cached.token);
  const answered = await call(service, {
    url: `${app.apiUrl}/auth/v3/tenant_access_token/internal`,
    body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }),
  });
  if (!answered.ok) return answered;
  const { tenant_access_token: token, expire } = JSON.parse(answered.value) as {
    tenant_access_token?: unknown;
    expire?: unknown;
  };
  if (typeof token !== "string") return fail("aborted", `service "${service.name}" (Lark) gave no tenant_access_token`);
  const seconds = typeof expire === "number" ? expire : 7200;
  if (larkTokens.size > 100) larkTokens.clear();
  larkTokens.set(key, { token, until: Date.now() + Math.max(0, seconds - 300) * 1000 });
  return ok(token);
}

/**
 * Lark/Feishu as an app: the card goes to the recipient chat (`oc_…`, or a user's `ou_…`) through
 * im/v1/messages, with a tenant_access_token (cached); when a send is refused, the token is
 * forgotten and the send tried once more with a fresh one (a rotated app secret, a revoked token).
 */
async function sendByLarkApp(
  service: ResolvedService,
  app: NonNullable<ResolvedService["larkApp"]>,
  chat: string,
  message: RenderedMessage,
): Promise<Result<SentMessage>> {
  if (chat === "")
    return fail(
      "aborted",
      `lark service "${service.name}" sends as an app: name a chat as the destination's recipient (e.g. recipients: ["oc_…"])`,
    );
  let sent: Result<string> = fail("internal", "not sent");
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = await larkTenantToken(service, app);
    if (!token.ok) return token;
    sent = await call(service, {
      url: `${app.apiUrl}/im/v1/messages?receive_id_type=${chat.startsWith("ou_") ? "open_id" : "chat_id"}`,
      headers: { authorization: `Bearer ${token.value}` },
      body: JSON.stringify({ receive_id: chat, msg_type: "interactive", content: JSON.stringify(larkCard(message)) }),
    });
    if (sent.ok || sent.error.retryable) break;
    larkTokens.delete(await larkTokenKey(app));
  }
  return sent.ok ? ok({ serviceMessageId: answerField(sent.value, ["data", "message_id"]) }) : sent;
}

/** Makes one request to a service and reads its answer; the answer's text when it says yes. */
async function call(service: ResolvedService, request: Request): Promise<Result<string>> {
  const headers = withDefaults(service.headers);
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
  const called = await callOutbound(
    request.url,
    { method: request.method ?? "POST", headers, ...(request.body === undefined ? {} : { body: request.body }) },
    SEND_TIMEOUT_MS,
  );
  if (!called.ok) {
    return fail(
      "internal",
      called.timedOut
        ? `service "${service.name}" did not answer within ${SEND_TIMEOUT_MS / 1000} s`
        : `cannot reach service "${service.name}": ${called.message}`,
      { retryable: true },
    );
  }
  const response = called.response;
  const answer = response.text.slice(0, 300);
  const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
  if (response.status === 429) {
    // The receiver's own pace: wait as long as it says, and that wait is not an attempt.
    return fail("resource_exhausted", `service "${service.name}" answered 429 (too many requests): ${answer}`, {
      retryable: true,
      retryAfterSeconds: retryAfter ?? DEFAULT_PACING_WAIT_SECONDS,
    });
  }
  if (response.status >= 500) {
    return fail("internal", `service "${service.name}" answered ${response.status}: ${answer}`, {
      retryable: true,
      ...(retryAfter === null ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  if (isRedirect(response.status)) {
    return fail(
      "permission_denied",
      `service "${service.name}" answered ${describeRedirect(response)}; redirects are not followed`,
    );
  }
  if (response.status < 200 || response.status >= 300)
    return fail("aborted", `service "${service.name}" refused the message (${response.status}): ${answer}`);
  if (service.type === "dingtalk" || service.type === "wecom" || service.type === "lark") {
    let code: unknown = 0;
    let description = answer;
    try {
      const body = JSON.parse(response.text) as {
        errcode?: unknown;
        errmsg?: unknown;
        code?: unknown;
        msg?: unknown;
        StatusCode?: unknown;
      };
      code = body.errcode ?? body.code ?? body.StatusCode ?? 0;
      description = String(body.errmsg ?? body.msg ?? answer);
    } catch {
      return fail("aborted", `service "${service.name}" answered something that is not JSON: ${answer}`);
    }
    if (code !== 0) {
      const error = `service "${service.name}" answered error ${String(code)}: ${description}`;
      // DingTalk 130101 / WeCom 45009 / Lark 11232 (robots), 99991400 (apps): sending too fast — the service's pace.
      if (code === 130101 || code === 45009 || code === 11232 || code === 99991400)
        return fail("resource_exhausted", error, { retryable: true, retryAfterSeconds: 60 });
      return fail("aborted", error);
    }
  }
  if (service.slackBot) {
    // Slack's Web API answers 200 with {ok: false, error} when it refuses.
    let answered: { ok?: unknown; error?: unknown };
    try {
      answered = JSON.parse(response.text) as { ok?: unknown; error?: unknown };
    } catch {
      return fail("aborted", `service "${service.name}" answered something that is not JSON: ${answer}`);
    }
    if (answered.ok !== true) {
      const error = `service "${service.name}" (Slack Web API) answered error ${String(answered.error ?? "unknown")}`;
      if (answered.error === "ratelimited")
        return fail("resource_exhausted", error, { retryable: true, retryAfterSeconds: retryAfter ?? 60 });
      return fail("aborted", error);
    }
  }
  return ok(response.text);
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
function retryAfterSeconds(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/** How long a lookup of a chat user's profile may take (a click's answer is due within 3 s). */
const PROFILE_TIMEOUT_MS = 2_000;

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

/**
 * The email of a Lark/Feishu user by open_id, read with the app's tenant token (contact API,
 * `contact/v3/users/{open_id}`), or null when the app cannot tell.
 */
export async function larkUserEmail(service: ResolvedService, openId: string): Promise<string | null> {
  const app = service.larkApp;
  if (!app) return null;
  const token = await larkTenantToken(service, app);
  if (!token.ok) return null;
  const called = await callOutbound(
    `${app.apiUrl}/contact/v3/users/${encodeURIComponent(openId)}?user_id_type=open_id`,
    { method: "GET", headers: { authorization: `Bearer ${token.value}` } },
    PROFILE_TIMEOUT_MS,
  );
  if (!called.ok || called.response.status !== 200) return null;
  const text = called.response.text;
  return emailOf(
    answerField(text, ["data", "user", "email"]) ?? answerField(text, ["data", "user", "enterprise_email"]),
  );
}

/** A plausible email address, lowercased, or null. */
function emailOf(value: string | null): string | null {
  return value !== null && /^[^\s@]{1,64}@[^\s@]{1,253}$/.test(value) ? value.toLowerCase() : null;
}
