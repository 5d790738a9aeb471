import { callOutbound, describeRedirect, isRedirect } from "../../lib/outbound";
import { fail, ok, type Result } from "../../lib/result";
import type { ChatService, ResolvedService, SentMessage } from "./types";

const SEND_TIMEOUT_MS = 10_000;
/** A 429 without Retry-After waits this long. */
const DEFAULT_PACING_WAIT_SECONDS = 10;

/** A message a service took without naming it. */
export const NO_ID: SentMessage = { serviceMessageId: null };

/** One HTTP request to a service. */
export interface OutgoingRequest {
  url: string;
  /** No body for a GET. */
  body: string | undefined;
  method?: string;
  headers?: Record<string, string>;
}

/**
 * How a service's 2xx answer reads: null when it says yes, else the refusal (DingTalk's errcode,
 * Slack's `ok: false`…). Given the answer's text and its Retry-After seconds.
 */
export type AnswerCheck = (text: string, retryAfterSeconds: number | null) => Result<never> | null;

/** The service's own headers over the JSON default (names compare case-insensitively). */
function withDefaults(own: Headers): Headers {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [name, value] of own) headers.set(name, value);
  return headers;
}

/**
 * Makes one request to a service and reads its answer; the answer's text when it says yes. 5xx,
 * 429 and network errors are retryable (a 429 is the receiver's pace: its Retry-After, no attempt
 * spent); redirects are never followed; other refusals fail, and `check` reads a 2xx the
 * service's own way.
 */
export async function call(
  service: ResolvedService,
  request: OutgoingRequest,
  check?: AnswerCheck,
): Promise<Result<string>> {
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
  return check?.(response.text, retryAfter) ?? ok(response.text);
}

/**
 * The check of services that answer 200 with an error code (DingTalk and WeCom `errcode`, Lark
 * `code`): a non-zero code is a refusal, and their "sending too fast" codes are the service's pace.
 */
export function errorCodeCheck(service: ResolvedService): AnswerCheck {
  return (text) => {
    let code: unknown = 0;
    let description = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as {
        errcode?: unknown;
        errmsg?: unknown;
        code?: unknown;
        msg?: unknown;
        StatusCode?: unknown;
      };
      code = body.errcode ?? body.code ?? body.StatusCode ?? 0;
      description = String(body.errmsg ?? body.msg ?? description);
    } catch {
      return fail("aborted", `service "${service.name}" answered something that is not JSON: ${description}`);
    }
    if (code === 0) return null;
    const error = `service "${service.name}" answered error ${String(code)}: ${description}`;
    // DingTalk 130101 / WeCom 45009 / Lark 11232 (robots), 99991400 (apps): sending too fast — the service's pace.
    if (code === 130101 || code === 45009 || code === 11232 || code === 99991400)
      return fail("resource_exhausted", error, { retryable: true, retryAfterSeconds: 60 });
    return fail("aborted", error);
  };
}

/** A service whose messages are one request to its URL, read as `check` says. */
export function robot(
  build: (...args: Parameters<ChatService["send"]>) => Promise<OutgoingRequest> | OutgoingRequest,
  check?: (service: ResolvedService) => AnswerCheck,
): ChatService {
  return {
    async send(service, recipient, message, context, options) {
      const sent = await call(service, await build(service, recipient, message, context, options), check?.(service));
      return sent.ok ? ok(NO_ID) : sent;
    },
  };
}

/** A string field of a JSON answer (`ts`, `data.message_id`), or null. */
export function answerField(text: string, path: readonly string[]): string | null {
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

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
function retryAfterSeconds(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

/** A recipient list (`a,b`) as its entries. */
export function recipientsOf(recipient: string): string[] {
  return recipient
    ? recipient
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean)
    : [];
}

/** A plausible email address, lowercased, or null. */
export function emailOf(value: string | null): string | null {
  return value !== null && /^[^\s@]{1,64}@[^\s@]{1,253}$/.test(value) ? value.toLowerCase() : null;
}

/** How long a lookup of a chat user's profile may take (a click's answer is due within 3 s). */
export const PROFILE_TIMEOUT_MS = 2_000;
