import { resolveSecret } from "../auth/secrets";
import { hmacSha256, utf8 } from "../lib/crypto";
import { callOutbound, describeRedirect, isRedirect } from "../lib/outbound";
import { fail, ok, type Result } from "../lib/result";
import type { RenderedMessage } from "./render";
import type { ServiceType, StoredService } from "./schema";

/** A service with its URL, signing secret and headers unsealed, ready to send. */
export interface ResolvedService {
  name: string;
  type: ServiceType;
  url: string;
  secret: string | null;
  method: "POST" | "PUT" | "PATCH";
  headers: Headers;
  ratePerMinute: number | null;
}

const SEND_TIMEOUT_MS = 10_000;
/** A 429 without Retry-After waits this long. */
const DEFAULT_PACING_WAIT_SECONDS = 10;

export const serviceSecretContext = (service: string, part: string) => `notification-service:${service}/${part}`;

/** Unseals a stored service: its URL (sealed, or a Worker secret an admin named), signing secret and headers. */
export async function resolveService(env: Env, service: StoredService): Promise<ResolvedService> {
  const context = (part: string) => serviceSecretContext(service.name, part);
  const url =
    service.urlSealed !== null
      ? await resolveSecret(env, { sealed: service.urlSealed }, context("url"))
      : await resolveSecret(env, { workerSecret: service.urlSecret ?? "" }, context("url"));
  const headers = new Headers();
  for (const header of service.headers) {
    headers.set(
      header.name,
      "value" in header
        ? header.value
        : await resolveSecret(env, { sealed: header.sealed }, context(`header/${header.name}`)),
    );
  }
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

/** Lark/Feishu's signature: HMAC-SHA256 keyed with `${timestamp}\n${secret}` over nothing, base64. */
export async function larkSign(secret: string, timestampSeconds: number): Promise<string> {
  const mac = await hmacSha256(utf8(`${timestampSeconds}\n${secret}`), new Uint8Array(0));
  return btoa(String.fromCharCode(...mac));
}

interface Request {
  url: string;
  body: string;
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
    case "slack":
      return {
        url: service.url,
        body: JSON.stringify({
          text: message.title,
          ...(recipient ? { channel: recipient } : {}),
          blocks: [
            { type: "header", text: { type: "plain_text", text: message.title.slice(0, 150) } },
            { type: "section", text: { type: "mrkdwn", text: toMrkdwn(text).slice(0, 3000) } },
          ],
        }),
      };
    case "teams":
      return {
        url: service.url,
        body: JSON.stringify({
          type: "message",
          attachments: [
            {
              contentType: "application/vnd.microsoft.card.adaptive",
              content: {
                $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
                type: "AdaptiveCard",
                version: "1.4",
                body: [
                  { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true },
                  { type: "TextBlock", text, wrap: true },
                ],
              },
            },
          ],
        }),
      };
    case "lark": {
      const timestamp = Math.floor(now / 1000);
      return {
        url: service.url,
        body: JSON.stringify({
          ...(service.secret ? { timestamp: String(timestamp), sign: await larkSign(service.secret, timestamp) } : {}),
          msg_type: "interactive",
          card: {
            header: { title: { tag: "plain_text", content: message.title } },
            elements: [{ tag: "markdown", content: text }],
          },
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
    case "webhook":
      return {
        url: message.webhookPath
          ? `${service.url.replace(/\/+$/, "")}/${message.webhookPath.replace(/^\/+/, "")}`
          : service.url,
        body:
          message.webhookBody ??
          JSON.stringify({
            title: message.title,
            body: text,
            recipient,
            trigger: context.trigger,
            template: context.template,
            resource: context.resource,
          }),
      };
  }
}

/**
 * Sends one message and reads the answer the way each service reports success: DingTalk and
 * Lark answer 200 with a non-zero error code on failure, Slack 200 "ok", Discord 204, others
 * 2xx. 5xx, 429 and network errors are retryable; other refusals fail the delivery.
 */
export async function sendNotification(
  service: ResolvedService,
  recipient: string,
  message: RenderedMessage,
  context: { trigger: string; template: string; resource: string },
  now = Date.now(),
): Promise<Result<void>> {
  const request = await buildRequest(service, recipient, message, context, now);
  const called = await callOutbound(
    request.url,
    {
      method: service.type === "webhook" ? service.method : "POST",
      headers: withDefaults(service.headers),
      body: request.body,
    },
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
  if (service.type === "dingtalk" || service.type === "lark") {
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
      // DingTalk 130101 / Lark 11232: sending too fast — the service's pace, not a failure.
      if (code === 130101 || code === 11232)
        return fail("resource_exhausted", error, { retryable: true, retryAfterSeconds: 60 });
      return fail("aborted", error);
    }
  }
  return ok(undefined);
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
function retryAfterSeconds(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}
