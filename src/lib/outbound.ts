/**
 * Outbound HTTP calls that carry credentials (cluster tokens, webhook headers, chat URLs).
 * Redirects are never followed — a 3xx is an answer, reported as such, so a credential is never
 * replayed to wherever a server points — and a response body is read only up to a cap, the rest
 * discarded, so a hostile or broken server cannot fill the isolate's memory.
 */

import { concatBytes } from "./crypto";

/** How much of a response body is read. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** The body's first MAX_RESPONSE_BYTES (or the call's cap), decoded as UTF-8. */
  text: string;
  /** True when the body was longer than what `text` holds. */
  truncated: boolean;
}

export type OutboundResult =
  | { ok: true; response: OutboundResponse }
  | { ok: false; timedOut: boolean; message: string };

/**
 * Calls `url` without following redirects, bounded by `timeoutMs`, reading at most `maxBytes`
 * (MAX_RESPONSE_BYTES unless a caller expects a list).
 */
export async function callOutbound(
  url: string,
  init: { method: string; headers: HeadersInit; body?: string },
  timeoutMs: number,
  maxBytes = MAX_RESPONSE_BYTES,
): Promise<OutboundResult> {
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const { text, truncated } = await readCapped(response, maxBytes);
    return { ok: true, response: { status: response.status, headers: response.headers, text, truncated } };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { ok: false, timedOut, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Reads up to `maxBytes` of a body as UTF-8 and cancels the rest. */
export async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - total;
    if (value.byteLength >= room) {
      chunks.push(value.subarray(0, room));
      truncated = value.byteLength > room;
      if (!truncated) {
        // exactly full: one more read tells whether anything follows
        const next = await reader.read();
        truncated = !next.done;
      }
      if (truncated) await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { text: new TextDecoder().decode(concatBytes(chunks)), truncated };
}

/** True for the statuses of a redirect. */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** "a redirect to <location>" for messages about a refused redirect. */
export function describeRedirect(response: OutboundResponse): string {
  const location = response.headers.get("location");
  return `a redirect (${response.status}) to ${location ? location.slice(0, 200) : "an unnamed location"}`;
}
