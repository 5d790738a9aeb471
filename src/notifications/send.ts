import { hmacSha256, utf8 } from "../auth/crypto";
import { SecretBox } from "../auth/secret-box";
import type { RenderedMessage } from "./render";
import type { ServiceType, StoredService } from "./schema";

/** A service with its URL, signing secret and headers unsealed, ready to send. */
export interface ResolvedService {
  name: string;
  type: ServiceType;
  url: string;
  secret: string | null;
  method: "POST" | "PUT" | "PATCH";
  headers: Record<string, string>;
  ratePerMinute: number | null;
}

export type SendOutcome =
  | { kind: "delivered" }
  | { kind: "retryable"; error: string; retryAfterSeconds?: number }
  | { kind: "failed"; error: string };

export const serviceSecretContext = (service: string, part: string) => `notification-service:${service}/${part}`;

/** Unseals a stored service (URL from a sealed value or a NOTIFY_* Worker secret). */
export async function resolveService(
  service: StoredService,
  secretKey: string | undefined,
  secrets: Readonly<Record<string, unknown>>,
): Promise<ResolvedService> {
  const box = () => SecretBox.fromSecretKey(secretKey);
  let url: string;
  if (service.urlSealed !== null) url = await box().open(service.urlSealed, serviceSecretContext(service.name, "url"));
  else {
    const value = service.urlSecret ? secrets[service.urlSecret] : undefined;
    if (typeof value !== "string" || value === "")
      throw new Error(`Worker secret ${service.urlSecret} (the URL of service "${service.name}") is not set`);
    url = value;
  }
  const headers: Record<string, string> = {};
  for (const header of service.headers) {
    headers[header.name] =
      "value" in header
        ? header.value
        : await box().open(header.sealed, serviceSecretContext(service.name, `header/${header.name}`));
  }
  return {
    name: service.name,
    type: service.type,
    url,
    secret:
      service.secretSealed === null
        ? null
        : await box().open(service.secretSealed, serviceSecretContext(service.name, "secret")),
    method: service.method,
    headers,
    ratePerMinute: service.ratePerMinute,
  };
}

/** The service's own headers over the JSON default (names compare case-insensitively). */
function withDefaults(own: Record<string, string>): Headers {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [name, value] of Object.entries(own)) headers.set(name, value);
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
): Promise<SendOutcome> {
  const request = await buildRequest(service, recipient, message, context, now);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: service.type === "webhook" ? service.method : "POST",
      headers: withDefaults(service.headers),
      body: request.body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return {
      kind: "retryable",
      error: `cannot reach service "${service.name}": ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const text = await response.text().catch(() => "");
  const answer = text.slice(0, 300);
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get("retry-after"));
    return {
      kind: "retryable",
      error: `service "${service.name}" answered ${response.status}: ${answer}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
    };
  }
  if (!response.ok)
    return { kind: "failed", error: `service "${service.name}" refused the message (${response.status}): ${answer}` };
  if (service.type === "dingtalk" || service.type === "lark") {
    let code: unknown = 0;
    let description = answer;
    try {
      const body = JSON.parse(text) as {
        errcode?: unknown;
        errmsg?: unknown;
        code?: unknown;
        msg?: unknown;
        StatusCode?: unknown;
      };
      code = body.errcode ?? body.code ?? body.StatusCode ?? 0;
      description = String(body.errmsg ?? body.msg ?? answer);
    } catch {
      return { kind: "failed", error: `service "${service.name}" answered something that is not JSON: ${answer}` };
    }
    if (code !== 0) {
      // DingTalk 130101 / Lark 11232: sending too fast — try again later.
      const tooFast = code === 130101 || code === 11232;
      const error = `service "${service.name}" answered error ${String(code)}: ${description}`;
      return tooFast ? { kind: "retryable", error, retryAfterSeconds: 60 } : { kind: "failed", error };
    }
  }
  return { kind: "delivered" };
}
