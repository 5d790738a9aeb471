import { hmacSha256, sha256Hex, utf8 } from "../../lib/crypto";
import { callOutbound } from "../../lib/outbound";
import { fail, ok, type Result } from "../../lib/result";
import type { RenderedMessage } from "../render";
import { answerField, call, emailOf, errorCodeCheck, PROFILE_TIMEOUT_MS } from "./http";
import type { ChatService, ResolvedService, SentMessage } from "./types";

/** Feishu's Open API, unless a service names another (`apiUrl`, e.g. Lark's https://open.larksuite.com/open-apis). */
export const LARK_API_URL = "https://open.feishu.cn/open-apis";

/** Lark/Feishu's signature: HMAC-SHA256 keyed with `${timestamp}\n${secret}` over nothing, base64. */
export async function larkSign(secret: string, timestampSeconds: number): Promise<string> {
  const mac = await hmacSha256(utf8(`${timestampSeconds}\n${secret}`), new Uint8Array(0));
  return btoa(String.fromCharCode(...mac));
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
  const answered = await call(
    service,
    {
      url: `${app.apiUrl}/auth/v3/tenant_access_token/internal`,
      body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }),
    },
    errorCodeCheck(service),
  );
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
    sent = await call(
      service,
      {
        url: `${app.apiUrl}/im/v1/messages?receive_id_type=${chat.startsWith("ou_") ? "open_id" : "chat_id"}`,
        headers: { authorization: `Bearer ${token.value}` },
        body: JSON.stringify({ receive_id: chat, msg_type: "interactive", content: JSON.stringify(larkCard(message)) }),
      },
      errorCodeCheck(service),
    );
    if (sent.ok || sent.error.retryable) break;
    larkTokens.delete(await larkTokenKey(app));
  }
  return sent.ok ? ok({ serviceMessageId: answerField(sent.value, ["data", "message_id"]) }) : sent;
}

/**
 * Lark/Feishu: a robot (`url`, signed with its `secret`) or an app sending to each recipient chat;
 * either way an interactive card, whose buttons answer a gate's request; a non-zero `code` is a
 * refusal.
 */
export const lark: ChatService = {
  async send(service, recipient, message, _context, { now }) {
    if (service.larkApp) return sendByLarkApp(service, service.larkApp, recipient, message);
    const timestamp = Math.floor(now / 1000);
    const sent = await call(
      service,
      {
        url: service.url,
        body: JSON.stringify({
          ...(service.secret ? { timestamp: String(timestamp), sign: await larkSign(service.secret, timestamp) } : {}),
          msg_type: "interactive",
          card: larkCard(message),
        }),
      },
      errorCodeCheck(service),
    );
    return sent.ok ? ok({ serviceMessageId: null }) : sent;
  },
};

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
